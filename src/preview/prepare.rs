//! Decoding and downscaling: pure functions from image bytes to a small RGBA image.
//!
//! Nothing here knows about terminals. The worker calls [`prepare`] with the pane's pixel box;
//! the full-screen view and `send --preview` call it with the terminal's. Public so a criterion
//! bench can time each step on its own.

use std::borrow::Cow;
use std::io::Cursor;

use banana_studio_jpeg::Jpeg;
use banana_studio_resize::{self as resize, Layout};

pub use super::pixels::Pixels;
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

/// Like [`decode`], but a JPEG or PNG far larger than `bounds` (pixels) is decoded at ½, ¼ or
/// ⅛ of its size: a JPEG straight from its DCT blocks, a PNG by averaging blocks of pixels row
/// by row as it inflates. Several times less work and memory than decoding all of a 4K picture
/// to throw most of it away. The result still covers the size the picture will be shown at
/// (after its EXIF orientation), so downscaling it to `bounds` loses nothing. Anything else,
/// or a file these paths cannot read, goes through [`decode`], which reports what is wrong.
pub fn decode_for(bytes: &[u8], bounds: (u32, u32)) -> Result<DynamicImage, PrepareError> {
    let reduced = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        decode_jpeg_reduced(bytes, bounds)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png_reduced(bytes, bounds)
    } else {
        None
    };
    match reduced {
        Some(image) => Ok(image),
        None => decode(bytes),
    }
}

/// The EXIF orientation, read from the headers alone.
fn orientation_of(bytes: &[u8]) -> Orientation {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_decoder().ok())
        .and_then(|mut decoder| decoder.orientation().ok())
        .unwrap_or(Orientation::NoTransforms)
}

/// A picture of `size` as it will be shown, turned by `orientation`.
fn shown_size(size: (u32, u32), orientation: Orientation) -> (u32, u32) {
    use Orientation::{Rotate90, Rotate90FlipH, Rotate270, Rotate270FlipH};
    match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (size.1, size.0),
        _ => size,
    }
}

/// The largest of 8, 4 and 2 that a picture shown at `shown` pixels can be divided by and
/// still cover its size fitted into `bounds`; `None` if not even 2.
fn reduction_factor(shown: (u32, u32), bounds: (u32, u32)) -> Option<u32> {
    let target = fit_within(shown, bounds);
    [8u32, 4, 2]
        .into_iter()
        .find(|f| shown.0 / f >= target.0 && shown.1 / f >= target.1)
}

fn decode_jpeg_reduced(bytes: &[u8], bounds: (u32, u32)) -> Option<DynamicImage> {
    // jpeg-decoder pads a truncated file with grey instead of failing: only a file that ends
    // with its end-of-image marker takes this path; the full decoder reports the rest.
    if !bytes.trim_ascii_end().ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let jpeg = Jpeg::open(bytes)?;
    let (width, height) = (u32::from(jpeg.size().0), u32::from(jpeg.size().1));
    // The EXIF segment comes before the frame header, so `open` has it: no need for
    // [`orientation_of`], whose JPEG reader copies the whole file first.
    let orientation = jpeg
        .exif()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let factor = reduction_factor(shown_size((width, height), orientation), bounds)?;
    let wanted = |side: u32| u16::try_from(side.div_ceil(factor)).ok();
    let pixels = jpeg.decode_scaled((wanted(width)?, wanted(height)?))?;
    let (w, h) = (u32::from(pixels.size.0), u32::from(pixels.size.1));
    let mut image = if pixels.grey {
        DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels.bytes)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, pixels.bytes)?)
    };
    image.apply_orientation(orientation);
    Some(image)
}

fn decode_png_reduced(bytes: &[u8], bounds: (u32, u32)) -> Option<DynamicImage> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let info = reader.info();
    // Interlaced rows come in seven passes: rare in replies, left to the full decoder.
    if info.interlaced || info.width > MAX_SIDE || info.height > MAX_SIDE {
        return None;
    }
    let (width, height) = (info.width, info.height);
    let orientation = orientation_of(bytes);
    let factor = reduction_factor(shown_size((width, height), orientation), bounds)?;
    let channels = match reader.output_color_type() {
        (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
        (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
        // Grey pictures are rare here: the full decoder converts them.
        _ => return None,
    };
    let mut shrink = BoxShrink::new(width as usize, channels, factor as usize);
    for _ in 0..height {
        // A truncated or corrupt file ends here; the full decoder then says what is wrong.
        let row = reader.next_row().ok()??;
        shrink.add_row(row.data())?;
    }
    let pixels = shrink.finish();
    let (w, h) = (width.div_ceil(factor), height.div_ceil(factor));
    let mut image = match channels {
        3 => DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, pixels)?),
        _ => DynamicImage::ImageRgba8(RgbaImage::from_raw(w, h, pixels)?),
    };
    image.apply_orientation(orientation);
    Some(image)
}

/// Averages `factor`×`factor` blocks of 8-bit pixels, fed one row at a time. Rows are summed
/// column by column first (a plain add the compiler vectorises, in `u16`: at most 8 rows of
/// 255); each band of `factor` rows is then reduced across, once. Blocks at the right and
/// bottom edges may be smaller.
struct BoxShrink {
    width: usize,
    channels: usize,
    factor: usize,
    sums: Vec<u16>,
    rows_in_band: usize,
    out: Vec<u8>,
}

impl BoxShrink {
    /// `factor` at most 8, `channels` 3 or 4.
    fn new(width: usize, channels: usize, factor: usize) -> Self {
        Self {
            width,
            channels,
            factor,
            sums: vec![0; width * channels],
            rows_in_band: 0,
            out: Vec::new(),
        }
    }

    /// `None` if `row` is not one row of the picture.
    fn add_row(&mut self, row: &[u8]) -> Option<()> {
        if row.len() != self.sums.len() {
            return None;
        }
        for (sum, &value) in self.sums.iter_mut().zip(row) {
            *sum += u16::from(value);
        }
        self.rows_in_band += 1;
        if self.rows_in_band == self.factor {
            self.emit_band();
        }
        Some(())
    }

    fn emit_band(&mut self) {
        match self.channels {
            3 => self.emit_band_of::<3>(),
            _ => self.emit_band_of::<4>(),
        }
        self.sums.fill(0);
        self.rows_in_band = 0;
    }

    /// With the channel count known at compile time the per-pixel adds unroll: a generic
    /// version was 7 % of a PNG first view, this one 4 %.
    fn emit_band_of<const CHANNELS: usize>(&mut self) {
        let rows = self.rows_in_band as u32;
        for (index, block) in self.sums.chunks(self.factor * CHANNELS).enumerate() {
            let count = (self.width - index * self.factor).min(self.factor) as u32 * rows;
            let mut totals = [0u32; CHANNELS];
            for pixel in block.chunks_exact(CHANNELS) {
                for channel in 0..CHANNELS {
                    totals[channel] += u32::from(pixel[channel]);
                }
            }
            self.out
                .extend(totals.map(|total| ((total + count / 2) / count) as u8));
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.rows_in_band > 0 {
            self.emit_band();
        }
        self.out
    }
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
    resize_as_rgba(image, (width, height), |layout, pixels| {
        resize::resize(layout, pixels, from, (width, height))
    })
}

/// Shrinks `image` to exactly `size` by averaging areas (see [`resize::shrink_by_area`]).
pub fn shrink_by_area(image: &DynamicImage, size: (u32, u32)) -> Result<RgbaImage, PrepareError> {
    let (width, height) = (size.0.max(1), size.1.max(1));
    let from = (image.width(), image.height());
    resize_as_rgba(image, (width, height), |layout, pixels| {
        resize::shrink_by_area(layout, pixels, from, (width, height))
    })
}

/// Runs `resize` on `image`'s pixels in their own layout (RGB stays RGB while filtering) and
/// returns the `size` result as RGBA.
fn resize_as_rgba(
    image: &DynamicImage,
    size: (u32, u32),
    resize: impl Fn(Layout, &[u8]) -> Result<Vec<u8>, String>,
) -> Result<RgbaImage, PrepareError> {
    let (width, height) = size;
    let malformed = || PrepareError::Resize("the resized buffer has the wrong size".into());
    match image {
        DynamicImage::ImageRgb8(rgb) => {
            let pixels = resize(Layout::Rgb8, rgb.as_raw()).map_err(PrepareError::Resize)?;
            let small = RgbImage::from_raw(width, height, pixels).ok_or_else(malformed)?;
            Ok(DynamicImage::ImageRgb8(small).into_rgba8())
        }
        DynamicImage::ImageRgba8(rgba) => {
            let pixels = resize(Layout::Rgba8, rgba.as_raw()).map_err(PrepareError::Resize)?;
            RgbaImage::from_raw(width, height, pixels).ok_or_else(malformed)
        }
        // Grey, 16-bit and float pictures are rare here: convert them whole, then resize.
        other => {
            let rgba = other.to_rgba8();
            let pixels = resize(Layout::Rgba8, rgba.as_raw()).map_err(PrepareError::Resize)?;
            RgbaImage::from_raw(width, height, pixels).ok_or_else(malformed)
        }
    }
}

/// The rectangle `crop` (x, y, width, height) of `image` at exactly `size`, as RGBA: the full
/// view's zoomed and panned region, cut from the full-resolution picture.
pub fn crop_to(
    image: &DynamicImage,
    crop: (u32, u32, u32, u32),
    size: (u32, u32),
) -> Result<RgbaImage, PrepareError> {
    let (width, height) = (size.0.max(1), size.1.max(1));
    let from = check_inside(image, crop)?;
    resize_as_rgba(image, (width, height), |layout, pixels| {
        resize::resize_crop(layout, pixels, from, crop, (width, height))
    })
}

/// `image`'s size, or an error if `crop` (x, y, width, height) is empty or not inside it.
fn check_inside(
    image: &DynamicImage,
    crop: (u32, u32, u32, u32),
) -> Result<(u32, u32), PrepareError> {
    let from = (image.width(), image.height());
    let inside = crop.2 > 0
        && crop.3 > 0
        && u64::from(crop.0) + u64::from(crop.2) <= u64::from(from.0)
        && u64::from(crop.1) + u64::from(crop.3) <= u64::from(from.1);
    if !inside {
        return Err(PrepareError::Resize(format!(
            "the region {crop:?} is not inside the {}×{} picture",
            from.0, from.1
        )));
    }
    Ok(from)
}

/// Like [`crop_to`], but in the picture's own layout when it is 8-bit RGB or RGBA, and not
/// copied at all when `size` is the region's (a 1:1 zoom step): the rows are read in place.
pub fn crop_pixels<'a>(
    image: &'a DynamicImage,
    crop: (u32, u32, u32, u32),
    size: (u32, u32),
) -> Result<Pixels<'a>, PrepareError> {
    let (width, height) = (size.0.max(1), size.1.max(1));
    let from = check_inside(image, crop)?;
    let (raw, layout) = match image {
        DynamicImage::ImageRgb8(rgb) => (rgb.as_raw(), Layout::Rgb8),
        DynamicImage::ImageRgba8(rgba) => (rgba.as_raw(), Layout::Rgba8),
        // Grey, 16-bit and float pictures are rare here: converted to RGBA.
        other => {
            let rgba = crop_to(other, crop, size)?;
            let stride = rgba.width() as usize * 4;
            return Ok(Pixels {
                size: rgba.dimensions(),
                bytes: Cow::Owned(rgba.into_raw()),
                layout: Layout::Rgba8,
                stride,
            });
        }
    };
    let channels = layout.channels();
    let stride = from.0 as usize * channels;
    if (crop.2, crop.3) == (width, height) {
        let start = crop.1 as usize * stride + crop.0 as usize * channels;
        return Ok(Pixels {
            bytes: Cow::Borrowed(&raw[start..]),
            layout,
            size: (width, height),
            stride,
        });
    }
    let bytes = resize::resize_crop(layout, raw, from, crop, (width, height))
        .map_err(PrepareError::Resize)?;
    Ok(Pixels {
        bytes: Cow::Owned(bytes),
        layout,
        size: (width, height),
        stride: width as usize * channels,
    })
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

    #[test]
    fn a_jpeg_turned_by_exif_is_reduced_and_shown_upright() {
        use image::ImageEncoder;
        // A TIFF header and one IFD entry: Orientation (0x0112) = 6, turn 90° clockwise.
        let exif = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00".to_vec();
        let picture = RgbImage::from_fn(5504, 3072, |x, _| {
            if x < 2752 {
                Rgb([220, 30, 30])
            } else {
                Rgb([30, 30, 220])
            }
        });
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80);
        encoder.set_exif_metadata(exif).unwrap();
        encoder
            .write_image(picture.as_raw(), 5504, 3072, image::ExtendedColorType::Rgb8)
            .unwrap();
        // Shown upright it is 3072×5504; in 1200×800 that is 446×800, so a quarter (768×1376
        // once turned) is the most it can shrink.
        let reduced = decode_for(&jpeg, (1200, 800)).unwrap();
        assert_eq!((reduced.width(), reduced.height()), (768, 1376));
        let rgb = reduced.to_rgb8();
        assert!(rgb.get_pixel(384, 10)[0] > 180, "the red half is on top");
        assert!(rgb.get_pixel(384, 1366)[2] > 180, "the blue half is below");
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
}
