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
    let all = (0, 0, from.0, from.1);
    run(
        layout,
        pixels,
        from,
        all,
        to,
        ResizeAlg::Convolution(filter),
    )
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
    run(layout, pixels, from, crop, to, algorithm)
}

/// Results of at least this many pixels are resized in parts, one a core.
const PIXELS_TO_SPLIT: usize = 512 * 1024;

/// Resizes `crop` of the picture to `to`. A large RGB result is cut in bands of rows, each
/// resized on its own thread from the source rows it covers (its filter still reads the rows
/// around them, so the bands join seamlessly): a 4K JPEG's full view (2752×1536 → 2000×1116)
/// took 8 ms on one core. RGBA is left whole: fast_image_resize premultiplies the whole source
/// for each call, which every band would repeat.
fn run(
    layout: Layout,
    pixels: &[u8],
    from: (u32, u32),
    crop: (u32, u32, u32, u32),
    to: (u32, u32),
    algorithm: ResizeAlg,
) -> Result<Vec<u8>, String> {
    let source =
        ImageRef::new(from.0, from.1, pixels, layout.pixel_type()).map_err(|e| e.to_string())?;
    let (width, height) = (to.0.max(1), to.1.max(1));
    let row = width as usize * layout.channels();
    let mut out = vec![0u8; row * height as usize];
    let parts = if layout == Layout::Rgb8 && out.len() / 3 >= PIXELS_TO_SPLIT {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        1
    };
    let band = (height as usize).div_ceil(parts);
    // Source rows per result row.
    let scale = f64::from(crop.3) / f64::from(height);
    let resize_band = |index: usize, rows: &mut [u8]| {
        let count = rows.len() / row;
        let first = index * band;
        let mut target = Image::from_slice_u8(width, count as u32, rows, layout.pixel_type())
            .map_err(|e| e.to_string())?;
        let top = f64::from(crop.1) + first as f64 * scale;
        let end = f64::from(crop.1) + f64::from(crop.3);
        let mut rows_in = (count as f64 * scale).min(end - top);
        // Rounding must not take the last band's rows past the picture's.
        while top + rows_in > end {
            rows_in = rows_in.next_down();
        }
        let options = ResizeOptions::new().resize_alg(algorithm).crop(
            f64::from(crop.0),
            top,
            f64::from(crop.2),
            rows_in,
        );
        Resizer::new()
            .resize(&source, &mut target, &options)
            .map_err(|e| e.to_string())
    };
    if parts <= 1 {
        resize_band(0, &mut out)?;
        return Ok(out);
    }
    let resize_band = &resize_band;
    std::thread::scope(|scope| {
        let bands: Vec<_> = out
            .chunks_mut(band * row)
            .enumerate()
            .map(|(index, rows)| scope.spawn(move || resize_band(index, rows)))
            .collect();
        bands.into_iter().try_for_each(|band| {
            band.join()
                .unwrap_or_else(|_| Err("the resizer crashed".to_string()))
        })
    })?;
    Ok(out)
}
