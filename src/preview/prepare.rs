//! Decoding and downscaling: pure functions from image bytes to a small RGBA image.
//!
//! Nothing here knows about terminals. The worker calls [`prepare`] with the pane's pixel box;
//! the full-screen view and `send --preview` call it with the terminal's. Public so a criterion
//! bench can time each step on its own.

use std::io::Cursor;

use banana_studio_resize::{self as resize, Layout};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage, RgbaImage};

/// Largest side we agree to decode. Gemini's biggest output is 5504 px; this leaves room for
/// attachments while refusing a crafted header that claims a gigapixel image.
pub const MAX_SIDE: u32 = 16_384;

/// Largest allocation a decoder may make (the `image` crate's default).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("not an image format banana-studio can read")]
    UnknownFormat,
    #[error("{0}")]
    Decode(String),
    #[error("the image has no pixels")]
    Empty,
    #[error("resizing failed: {0}")]
    Resize(String),
}

fn decode_error(error: image::ImageError) -> PrepareError {
    PrepareError::Decode(error.to_string())
}

/// Decodes PNG, JPEG or WebP bytes, applying the EXIF orientation so photos stand upright.
///
/// Truncated or corrupt bytes give an error, never a panic (the decoders are fuzzed, and the
/// worker also catches a panic as a last resort).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, PrepareError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PrepareError::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(PrepareError::UnknownFormat);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    if image.width() == 0 || image.height() == 0 {
        return Err(PrepareError::Empty);
    }
    image.apply_orientation(orientation);
    Ok(image)
}

/// Like [`decode`], but a JPEG far larger than `bounds` (pixels) is decoded at ½, ¼ or ⅛ of its
/// size straight from its DCT blocks — several times faster than decoding all of a 4K picture
/// to throw most of it away. The result is never smaller than the larger side of `bounds` on
/// its own shorter side (EXIF may turn it a quarter), so downscaling it to `bounds` loses
/// nothing. Anything else, or a JPEG this path cannot read, goes through [`decode`].
pub fn decode_for(bytes: &[u8], bounds: (u32, u32)) -> Result<DynamicImage, PrepareError> {
    match decode_jpeg_reduced(bytes, bounds) {
        Some(image) => Ok(image),
        None => decode(bytes),
    }
}

fn decode_jpeg_reduced(bytes: &[u8], bounds: (u32, u32)) -> Option<DynamicImage> {
    // jpeg-decoder pads a truncated file with grey instead of failing: only a file that ends
    // with its end-of-image marker takes this path; the full decoder reports the rest.
    let trimmed = bytes.trim_ascii_end();
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || !trimmed.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let needed = bounds.0.max(bounds.1).max(1);
    let factor = [8u32, 4, 2]
        .into_iter()
        .find(|f| width.min(height) / f >= needed)?;
    let wanted = |side: u32| u16::try_from(side.div_ceil(factor)).ok();
    let (scaled_width, scaled_height) = decoder.scale(wanted(width)?, wanted(height)?).ok()?;
    let pixels = decoder.decode().ok()?;
    let (w, h) = (u32::from(scaled_width), u32::from(scaled_height));
    let mut image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, pixels)?)
        }
        jpeg_decoder::PixelFormat::L8 => {
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels)?)
        }
        // CMYK and 16-bit JPEGs are rare: the full decoder handles them.
        _ => return None,
    };
    // The orientation lives in EXIF; the image crate reads it from the headers alone.
    let orientation = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_decoder().ok())
        .and_then(|mut decoder| decoder.orientation().ok())
        .unwrap_or(Orientation::NoTransforms);
    image.apply_orientation(orientation);
    Some(image)
}

/// The largest size with the image's aspect ratio that fits in `bounds`, never larger than the
/// image itself (upscaling is left to the terminal, which does it for free). At least 1×1.
pub fn fit_within(image: (u32, u32), bounds: (u32, u32)) -> (u32, u32) {
    if image.0 <= bounds.0 && image.1 <= bounds.1 {
        return (image.0.max(1), image.1.max(1));
    }
    scale_to_fit(image, bounds)
}

/// The largest size with the image's aspect ratio that fits in `bounds`, growing or shrinking.
/// At least 1×1.
pub fn scale_to_fit(image: (u32, u32), bounds: (u32, u32)) -> (u32, u32) {
    let (w, h) = (u64::from(image.0.max(1)), u64::from(image.1.max(1)));
    let (bw, bh) = (u64::from(bounds.0.max(1)), u64::from(bounds.1.max(1)));
    // Compare w/h with bw/bh in integers: whichever side is tighter decides the scale.
    let (nw, nh) = if w * bh >= h * bw {
        (bw, (h * bw + w / 2) / w)
    } else {
        ((w * bh + h / 2) / h, bh)
    };
    let clamp = |v: u64, max: u64| v.clamp(1, max) as u32;
    (clamp(nw, bw), clamp(nh, bh))
}

/// Resizes `image` to exactly `size` with fast_image_resize (SIMD convolution), returning RGBA.
///
/// The resize runs on 8-bit RGB when the picture has no alpha (every JPEG: a quarter less to
/// read than RGBA) and only the small result is converted.
pub fn downscale(image: &DynamicImage, size: (u32, u32)) -> Result<RgbaImage, PrepareError> {
    let (width, height) = (size.0.max(1), size.1.max(1));
    if (image.width(), image.height()) == (width, height) {
        return Ok(image.to_rgba8());
    }
    let from = (image.width(), image.height());
    let resized = |layout, pixels: &[u8]| {
        resize::resize(layout, pixels, from, (width, height)).map_err(PrepareError::Resize)
    };
    let malformed = || PrepareError::Resize("the resized buffer has the wrong size".into());
    match image {
        DynamicImage::ImageRgb8(rgb) => {
            let pixels = resized(Layout::Rgb8, rgb.as_raw())?;
            let small = RgbImage::from_raw(width, height, pixels).ok_or_else(malformed)?;
            Ok(DynamicImage::ImageRgb8(small).into_rgba8())
        }
        DynamicImage::ImageRgba8(rgba) => {
            let pixels = resized(Layout::Rgba8, rgba.as_raw())?;
            RgbaImage::from_raw(width, height, pixels).ok_or_else(malformed)
        }
        // Grey, 16-bit and float pictures are rare here: convert them whole, then resize.
        other => {
            let rgba = other.to_rgba8();
            let pixels = resized(Layout::Rgba8, rgba.as_raw())?;
            RgbaImage::from_raw(width, height, pixels).ok_or_else(malformed)
        }
    }
}

/// How many cells a picture of `pixels` covers with a font of `font` pixels a cell (rounded up:
/// a partly covered cell is still covered).
pub fn cells_for(pixels: (u32, u32), font: (u16, u16)) -> (u16, u16) {
    let cells = |px: u32, cell: u16| {
        let cell = u32::from(cell.max(1));
        u16::try_from(px.div_ceil(cell)).unwrap_or(u16::MAX).max(1)
    };
    (cells(pixels.0, font.0), cells(pixels.1, font.1))
}

/// Centres `image` on a transparent canvas of `size`, so a graphics protocol gets a picture
/// that covers whole cells and never stretches it to fill the last partial one.
pub fn pad_to(image: RgbaImage, size: (u32, u32)) -> RgbaImage {
    if image.dimensions() == size {
        return image;
    }
    let mut canvas = RgbaImage::new(size.0.max(image.width()), size.1.max(image.height()));
    let x = (canvas.width() - image.width()) / 2;
    let y = (canvas.height() - image.height()) / 2;
    image::imageops::replace(&mut canvas, &image, i64::from(x), i64::from(y));
    canvas
}

/// Decodes `bytes` and shrinks the picture to fit `bounds` (pixels), keeping its aspect ratio.
pub fn prepare(bytes: &[u8], bounds: (u32, u32)) -> Result<RgbaImage, PrepareError> {
    let image = decode_for(bytes, bounds)?;
    let size = fit_within((image.width(), image.height()), bounds);
    downscale(&image, size)
}

#[cfg(test)]
mod tests {
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
    fn a_big_jpeg_is_decoded_reduced_but_never_below_the_box() {
        let jpeg = four_k(ImageFormat::Jpeg);
        // A pane of 600×400 px: a quarter (1376×768) still covers it on the shorter side.
        let reduced = decode_for(&jpeg, (600, 400)).unwrap();
        assert_eq!((reduced.width(), reduced.height()), (1376, 768));
        let rgb = reduced.to_rgb8();
        assert!(rgb.get_pixel(10, 384)[0] > 180, "left half stays red");
        assert!(rgb.get_pixel(1366, 384)[2] > 180, "right half stays blue");
        // A box bigger than a half-size decode gets the full picture.
        let full = decode_for(&jpeg, (3000, 2000)).unwrap();
        assert_eq!((full.width(), full.height()), (5504, 3072));
        // PNGs have no reduced decode.
        let png = decode_for(&four_k(ImageFormat::Png), (600, 400)).unwrap();
        assert_eq!((png.width(), png.height()), (5504, 3072));
        // A truncated JPEG is left to the full decoder: same outcome as without the fast path.
        let truncated = &jpeg[..jpeg.len() / 3];
        assert_eq!(
            decode_for(truncated, (600, 400)).map(|i| i.width()),
            decode(truncated).map(|i| i.width())
        );
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
}
