//! fast_image_resize behind one non-generic function.
//!
//! Generic code is compiled in the crate that names the concrete types. Called from
//! banana-studio it would be compiled there, unoptimised in a debug build (a 4K downscale:
//! 2.3 s instead of 30 ms). Here it is a dependency, which the workspace's dev profile
//! optimises, and the caller only sees plain byte slices.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

/// Pixel layouts banana-studio resizes: 8-bit RGB (JPEG) and RGBA (PNG, WebP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Rgb8,
    Rgba8,
}

impl Layout {
    /// Bytes a pixel.
    pub fn channels(self) -> usize {
        match self {
            Self::Rgb8 => 3,
            Self::Rgba8 => 4,
        }
    }

    fn pixel_type(self) -> PixelType {
        match self {
            Self::Rgb8 => PixelType::U8x3,
            Self::Rgba8 => PixelType::U8x4,
        }
    }
}

/// Resizes `pixels` (`from` pixels, rows packed, `layout`) to exactly `to` pixels with a
/// Catmull-Rom convolution (SIMD where the CPU has it); alpha is premultiplied while
/// filtering so transparent edges do not turn dark.
pub fn resize(
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    to: (u32, u32),
) -> Result<Vec<u8>, String> {
    convolve(FilterType::CatmullRom, layout, pixels, from, to)
}

/// Shrinks `pixels` to exactly `to` pixels by averaging the area each target pixel covers
/// (a box filter): no ringing at sharp edges, which is what comparing two pictures needs.
pub fn shrink_by_area(
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    to: (u32, u32),
) -> Result<Vec<u8>, String> {
    convolve(FilterType::Box, layout, pixels, from, to)
}

fn convolve(
    filter: FilterType,
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    to: (u32, u32),
) -> Result<Vec<u8>, String> {
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    run(layout, pixels, from, to, &options)
}

/// Resizes the rectangle `crop` (x, y, width, height) of `pixels` to exactly `to` pixels.
/// Enlarging repeats pixels (nearest), so a zoomed-in detail shows its real pixels instead
/// of a blur, and at 1:1 that is a plain copy (a filter there would cost a pass for
/// nothing); shrinking filters as [`resize`] does.
pub fn resize_crop(
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    crop: (u32, u32, u32, u32),
    to: (u32, u32),
) -> Result<Vec<u8>, String> {
    let shrinking = to.0 < crop.2 || to.1 < crop.3;
    let algorithm = if !shrinking {
        ResizeAlg::Nearest
    } else {
        ResizeAlg::Convolution(FilterType::CatmullRom)
    };
    let options = ResizeOptions::new().resize_alg(algorithm).crop(
        f64::from(crop.0),
        f64::from(crop.1),
        f64::from(crop.2),
        f64::from(crop.3),
    );
    run(layout, pixels, from, to, &options)
}

fn run(
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    to: (u32, u32),
    options: &ResizeOptions,
) -> Result<Vec<u8>, String> {
    let source =
        ImageRef::new(from.0, from.1, pixels, layout.pixel_type()).map_err(|e| e.to_string())?;
    let mut target = Image::new(to.0.max(1), to.1.max(1), layout.pixel_type());
    Resizer::new()
        .resize(&source, &mut target, options)
        .map_err(|e| e.to_string())?;
    Ok(target.into_vec())
}
