//! Decoding and downscaling: pure functions from image bytes to a small RGBA image.
//!
//! Nothing here knows about terminals. The worker calls [`prepare`] with the pane's pixel box;
//! the full-screen view and `send --preview` call it with the terminal's. Public so a criterion
//! bench can time each step on its own.

use std::borrow::Cow;
use std::io::Cursor;

use banana_studio_jpeg::{Backend, Jpeg};
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

/// [`decode`] for a picture that is only shown: a JPEG by libjpeg-turbo where its SIMD code
/// was built in, whole in 0.6–0.85 × zune-jpeg's time (BENCHMARKS.md). Its pixels may differ
/// from [`decode`]'s by a level or two, so what is saved (a region edit's composite) is made
/// from [`decode`], the same wherever the studio was built. Anything libjpeg-turbo cannot
/// read goes on to [`decode`], which reports what is wrong.
pub fn decode_to_show(bytes: &[u8]) -> Result<DynamicImage, PrepareError> {
    if Backend::preferred() == Backend::Turbo
        && bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        && let Some(image) = decode_jpeg_scaled(bytes, |_| Some(1))
    {
        return Ok(image);
    }
    decode(bytes)
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
    decode_jpeg_scaled(bytes, |shown| reduction_factor(shown, bounds))
}

/// A JPEG decoded at 1/`factor` of its size, `factor` chosen from its size as shown (after
/// its EXIF orientation); `None` where `factor` gives none, for a picture over the decode
/// limits, or for any file this path cannot read.
fn decode_jpeg_scaled(
    bytes: &[u8],
    factor: impl FnOnce((u32, u32)) -> Option<u32>,
) -> Option<DynamicImage> {
    // jpeg-decoder pads a truncated file with grey instead of failing, and so does
    // libjpeg-turbo: only a file that ends with its end-of-image marker takes this path; the
    // full decoder reports the rest.
    if !bytes.trim_ascii_end().ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let jpeg = Jpeg::open(bytes)?;
    let (width, height) = (u32::from(jpeg.size().0), u32::from(jpeg.size().1));
    if width == 0 || height == 0 {
        return None;
    }
    // The EXIF segment comes before the frame header, so `open` has it: no need for
    // [`orientation_of`], whose JPEG reader copies the whole file first.
    let orientation = jpeg
        .exif()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let factor = factor(shown_size((width, height), orientation))?;
    let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
    if out_width.max(out_height) > MAX_SIDE
        || u64::from(out_width) * u64::from(out_height) * 3 > MAX_DECODE_BYTES
    {
        return None;
    }
    let wanted = (
        u16::try_from(out_width).ok()?,
        u16::try_from(out_height).ok()?,
    );
    let pixels = jpeg.decode_scaled(wanted)?;
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
mod tests;
