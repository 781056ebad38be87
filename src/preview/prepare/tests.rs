//! Tests of decoding and downscaling.

use super::*;
use image::{ImageFormat, Rgb, Rgba};

/// A 4K test picture: left half red, right half blue, so a wrong crop or a swapped axis
/// shows up in the colours as well as in the size.
fn four_k(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(5504, 3072, |x, _| {
        if x < 2752 {
            Rgb([220, 30, 30])
        } else {
            Rgb([30, 30, 220])
        }
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

fn assert_close(pixel: &Rgba<u8>, expected: [u8; 3]) {
    for (got, want) in pixel.0[..3].iter().zip(expected) {
        assert!(
            got.abs_diff(want) <= 12,
            "{pixel:?} is not close to {expected:?}"
        );
    }
    assert_eq!(pixel.0[3], 255);
}

fn check_4k(format: ImageFormat) {
    let bytes = four_k(format);
    // A pane of 100×40 cells with a 10×20 font: 1000×800 pixels. The 16:9-ish picture is
    // limited by the width.
    let small = prepare(&bytes, (1000, 800)).unwrap();
    assert_eq!(small.dimensions(), (1000, 558));
    let ratio = f64::from(small.width()) / f64::from(small.height());
    assert!((ratio - 5504.0 / 3072.0).abs() < 0.01, "ratio {ratio}");
    assert_close(small.get_pixel(100, 279), [220, 30, 30]);
    assert_close(small.get_pixel(900, 279), [30, 30, 220]);

    // A tall, narrow pane: the width decides.
    let narrow = prepare(&bytes, (300, 2000)).unwrap();
    assert_eq!(narrow.dimensions(), (300, 167));
}

#[test]
fn a_4k_png_is_downscaled_into_the_pixel_box() {
    check_4k(ImageFormat::Png);
}

#[test]
fn a_4k_jpeg_is_downscaled_into_the_pixel_box() {
    check_4k(ImageFormat::Jpeg);
}

#[test]
fn big_pictures_are_decoded_reduced_but_still_cover_the_box() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png] {
        let bytes = four_k(format);
        // A pane of 600×400 px shows the picture at 600×335: an eighth (688×384) covers it.
        let reduced = decode_for(&bytes, (600, 400)).unwrap();
        assert_eq!(
            (reduced.width(), reduced.height()),
            (688, 384),
            "{format:?}"
        );
        let rgb = reduced.to_rgb8();
        assert!(
            rgb.get_pixel(10, 192)[0] > 180,
            "{format:?}: left half stays red"
        );
        assert!(
            rgb.get_pixel(678, 192)[2] > 180,
            "{format:?}: right half stays blue"
        );
        // 1200×800 px shows it at 1200×670: a quarter (1376×768) is the most it can shrink.
        let quarter = decode_for(&bytes, (1200, 800)).unwrap();
        assert_eq!(
            (quarter.width(), quarter.height()),
            (1376, 768),
            "{format:?}"
        );
        // A box bigger than a half-size decode gets the full picture.
        let full = decode_for(&bytes, (3000, 2000)).unwrap();
        assert_eq!((full.width(), full.height()), (5504, 3072), "{format:?}");
        // A truncated file is left to the full decoder: same outcome as without the fast
        // path (an error for a PNG; zune-jpeg shows what it could read).
        let truncated = &bytes[..bytes.len() / 3];
        assert_eq!(
            decode_for(truncated, (600, 400)).map(|i| i.width()),
            decode(truncated).map(|i| i.width()),
            "{format:?}"
        );
    }
    let png = four_k(ImageFormat::Png);
    assert!(decode_for(&png[..png.len() / 3], (600, 400)).is_err());
}

/// `picture` as a JPEG whose EXIF says to turn it 90° clockwise (orientation 6) to show it.
fn turned_jpeg(picture: &RgbImage, quality: u8) -> Vec<u8> {
    use image::ImageEncoder;
    // A TIFF header and one IFD entry: Orientation (0x0112) = 6.
    let exif = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00".to_vec();
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality);
    encoder.set_exif_metadata(exif).unwrap();
    let (width, height) = picture.dimensions();
    encoder
        .write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    jpeg
}

#[test]
fn a_jpeg_turned_by_exif_is_reduced_and_shown_upright() {
    let picture = RgbImage::from_fn(5504, 3072, |x, _| {
        if x < 2752 {
            Rgb([220, 30, 30])
        } else {
            Rgb([30, 30, 220])
        }
    });
    let jpeg = turned_jpeg(&picture, 80);
    // Shown upright it is 3072×5504; in 1200×800 that is 446×800, so a quarter (768×1376
    // once turned) is the most it can shrink.
    let reduced = decode_for(&jpeg, (1200, 800)).unwrap();
    assert_eq!((reduced.width(), reduced.height()), (768, 1376));
    let rgb = reduced.to_rgb8();
    assert!(rgb.get_pixel(384, 10)[0] > 180, "the red half is on top");
    assert!(rgb.get_pixel(384, 1366)[2] > 180, "the blue half is below");
}

#[test]
fn a_picture_to_show_is_decoded_whole_and_upright_like_the_saved_one() {
    let picture = RgbImage::from_fn(640, 360, |x, y| Rgb([(x / 3) as u8, (y / 2) as u8, 90]));
    let jpeg = turned_jpeg(&picture, 90);
    let shown = decode_to_show(&jpeg).unwrap().to_rgb8();
    let saved = decode(&jpeg).unwrap().to_rgb8();
    assert_eq!(shown.dimensions(), (360, 640));
    assert_eq!(shown.dimensions(), saved.dimensions());
    // Whichever decoder showed it, the pixels are the saved decode's within a few levels.
    let total: u64 = shown
        .as_raw()
        .iter()
        .zip(saved.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    assert!(total as f64 / (shown.as_raw().len() as f64) < 2.0);
    // A PNG, and a JPEG cut short, go to `decode`: the same picture, the same error.
    let png = four_k(ImageFormat::Png);
    assert_eq!(decode_to_show(&png).unwrap(), decode(&png).unwrap());
    let cut = &jpeg[..jpeg.len() / 2];
    assert_eq!(
        decode_to_show(cut).map_err(|e| e.to_string()),
        decode(cut).map_err(|e| e.to_string())
    );
}

#[test]
fn a_turned_picture_is_reduced_by_its_shown_size() {
    // Shown upright, 3072×5504 fits a 1200×800 box at 446×800: an eighth (384×688) is
    // too small for that, a quarter is not. Unturned, a quarter would be the most.
    assert_eq!(
        reduction_factor(shown_size((5504, 3072), Orientation::Rotate90), (1200, 800)),
        Some(4)
    );
    assert_eq!(
        shown_size((5504, 3072), Orientation::Rotate270FlipH),
        (3072, 5504)
    );
    assert_eq!(
        shown_size((5504, 3072), Orientation::Rotate180),
        (5504, 3072)
    );
    assert_eq!(reduction_factor((3072, 5504), (400, 1200)), Some(4));
    assert_eq!(reduction_factor((5504, 3072), (5504, 3072)), None);
}

#[test]
fn box_shrink_averages_whole_and_edge_blocks() {
    // Three pixels wide, grey in all three channels: blocks (1+2+3+4)/4 and (5+7)/2;
    // then the last row alone: 9 and 200.
    let grey = |values: &[u8]| values.iter().flat_map(|&v| [v, v, v]).collect::<Vec<u8>>();
    let mut shrink = BoxShrink::new(3, 3, 2);
    shrink.add_row(&grey(&[1, 2, 5])).unwrap();
    shrink.add_row(&grey(&[3, 4, 7])).unwrap();
    shrink.add_row(&grey(&[9, 9, 200])).unwrap();
    assert!(
        shrink.add_row(&[1, 2]).is_none(),
        "a row of the wrong width"
    );
    assert_eq!(shrink.finish(), grey(&[3, 6, 9, 200]));

    let mut rgba = BoxShrink::new(2, 4, 2);
    rgba.add_row(&[10, 20, 30, 255, 30, 40, 50, 255]).unwrap();
    rgba.add_row(&[10, 20, 30, 0, 30, 40, 50, 0]).unwrap();
    assert_eq!(rgba.finish(), vec![20, 30, 40, 128]);

    let mut rgb = BoxShrink::new(2, 3, 2);
    rgb.add_row(&[10, 20, 30, 30, 40, 50]).unwrap();
    rgb.add_row(&[10, 20, 30, 30, 40, 50]).unwrap();
    assert_eq!(rgb.finish(), vec![20, 30, 40]);
}

#[test]
fn a_small_image_is_not_upscaled() {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(RgbaImage::from_pixel(64, 32, Rgba([1, 2, 3, 255])))
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    let small = prepare(out.get_ref(), (1000, 800)).unwrap();
    assert_eq!(small.dimensions(), (64, 32));
}

#[test]
fn grey_pictures_are_converted_before_resizing() {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(image::GrayImage::from_pixel(400, 200, image::Luma([77])))
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    let small = prepare(out.get_ref(), (100, 100)).unwrap();
    assert_eq!(small.dimensions(), (100, 50));
    assert_eq!(small.get_pixel(50, 25).0, [77, 77, 77, 255]);
}

#[test]
fn corrupt_bytes_are_an_error_not_a_panic() {
    // The fixture's one-byte "JPEG".
    assert!(prepare(&[0xff], (100, 100)).is_err());
    assert_eq!(prepare(b"", (100, 100)), Err(PrepareError::UnknownFormat));
    assert_eq!(
        prepare(b"hello, not an image", (100, 100)),
        Err(PrepareError::UnknownFormat)
    );
    // A real JPEG and PNG cut short.
    let mut jpeg = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::from_pixel(640, 480, Rgb([9, 90, 9])))
        .write_to(&mut jpeg, ImageFormat::Jpeg)
        .unwrap();
    let jpeg = jpeg.into_inner();
    let error = prepare(&jpeg[..jpeg.len() / 3], (100, 100));
    // zune-jpeg fills a truncated scan with grey rather than failing; either is fine as
    // long as nothing panics.
    if let Err(e) = error {
        assert!(!e.to_string().is_empty());
    }
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::from_pixel(300, 300, Rgb([9, 9, 9])))
        .write_to(&mut png, ImageFormat::Png)
        .unwrap();
    let png = png.into_inner();
    assert!(matches!(
        prepare(&png[..png.len() / 2], (100, 100)),
        Err(PrepareError::Decode(_))
    ));
    // A header that lies about the size.
    let mut bomb = png[..33].to_vec();
    bomb[16..24].copy_from_slice(&[0, 1, 0, 0, 0, 1, 0, 0]);
    assert!(prepare(&bomb, (100, 100)).is_err());
}

#[test]
fn a_region_at_one_to_one_is_read_in_place_and_a_scaled_one_matches_crop_to() {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 200, |x, y| {
        Rgb([x as u8, y as u8, (x + y) as u8])
    }));
    let region = (17, 33, 120, 90);
    for size in [(120, 90), (60, 45), (240, 180)] {
        let pixels = crop_pixels(&image, region, size).unwrap();
        assert_eq!(pixels.size, size);
        assert_eq!(pixels.layout, Layout::Rgb8);
        assert_eq!(
            matches!(pixels.bytes, Cow::Borrowed(_)),
            size == (120, 90),
            "copied only when scaled: {size:?}"
        );
        let rgba = crop_to(&image, region, size).unwrap();
        for y in 0..size.1 {
            let row = pixels.row(y as usize);
            for x in 0..size.0 {
                let at = x as usize * 3;
                assert_eq!(&row[at..at + 3], &rgba.get_pixel(x, y).0[..3], "{x},{y}");
            }
        }
    }
    assert!(crop_pixels(&image, (250, 0, 100, 10), (100, 10)).is_err());
    // Grey is converted: RGBA.
    let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(40, 40, image::Luma([7])));
    let pixels = crop_pixels(&grey, (0, 0, 40, 40), (40, 40)).unwrap();
    assert_eq!(
        (pixels.layout, &pixels.row(39)[..4]),
        (Layout::Rgba8, &[7, 7, 7, 255][..])
    );
}

#[test]
fn a_large_rgb_picture_resized_in_bands_joins_seamlessly() {
    // Large enough to be cut in bands (on a machine of two cores or more); RGBA is never
    // cut, so it is the reference. Sharp horizontal stripes: a seam would show at the
    // bands' joins.
    let rgb = RgbImage::from_fn(1500, 1101, |x, y| {
        let stripe = if (y / 7) % 2 == 0 { 230 } else { 20 };
        Rgb([stripe, (x % 256) as u8, (y % 256) as u8])
    });
    let rgba = DynamicImage::ImageRgb8(rgb.clone()).into_rgba8();
    for (size, crop) in [
        ((1100, 801), None),
        ((1000, 700), Some((13, 57, 1400, 1000))),
    ] {
        let (banded, whole) = match crop {
            None => (
                downscale(&DynamicImage::ImageRgb8(rgb.clone()), size).unwrap(),
                downscale(&DynamicImage::ImageRgba8(rgba.clone()), size).unwrap(),
            ),
            Some(crop) => (
                crop_to(&DynamicImage::ImageRgb8(rgb.clone()), crop, size).unwrap(),
                crop_to(&DynamicImage::ImageRgba8(rgba.clone()), crop, size).unwrap(),
            ),
        };
        for (x, y, pixel) in whole.enumerate_pixels() {
            let got = banded.get_pixel(x, y);
            for channel in 0..4 {
                assert!(
                    pixel[channel].abs_diff(got[channel]) <= 1,
                    "{size:?} {x},{y}: {pixel:?} vs {got:?}"
                );
            }
        }
    }
}

#[test]
fn cells_round_up_and_padding_centres() {
    assert_eq!(cells_for((1000, 558), (10, 20)), (100, 28));
    assert_eq!(cells_for((1, 1), (10, 20)), (1, 1));
    assert_eq!(cells_for((5, 5), (0, 0)), (5, 5));
    let padded = pad_to(RgbaImage::from_pixel(10, 4, Rgba([9, 9, 9, 255])), (10, 8));
    assert_eq!(padded.dimensions(), (10, 8));
    assert_eq!(padded.get_pixel(0, 0).0[3], 0, "padding is transparent");
    assert_eq!(padded.get_pixel(0, 2).0, [9, 9, 9, 255]);
    assert_eq!(padded.get_pixel(0, 6).0[3], 0);
}

#[test]
fn fitting_keeps_the_aspect_ratio() {
    assert_eq!(fit_within((5504, 3072), (1000, 800)), (1000, 558));
    assert_eq!(fit_within((3072, 5504), (1000, 800)), (447, 800));
    assert_eq!(fit_within((100, 50), (1000, 800)), (100, 50));
    assert_eq!(fit_within((10_000, 1), (100, 100)), (100, 1));
    assert_eq!(fit_within((0, 0), (100, 100)), (1, 1));
    assert_eq!(scale_to_fit((100, 50), (1000, 800)), (1000, 500));
    assert_eq!(scale_to_fit((1, 1), (0, 0)), (1, 1));
}
