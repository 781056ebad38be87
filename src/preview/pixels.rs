//! Pixels as the encoders read them: rows of 8-bit RGB or RGBA where they lie.

use std::borrow::Cow;

use banana_studio_resize::Layout;
use image::RgbaImage;

/// 8-bit RGB or RGBA pixels in rows `stride` bytes apart, read where they lie: the sixel
/// encoder takes these as they are, so a full view's region is never copied to RGBA first.
pub struct Pixels<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub layout: Layout,
    pub size: (u32, u32),
    pub stride: usize,
}

impl Pixels<'_> {
    /// The pixels of an RGBA image.
    pub fn of_rgba(image: &RgbaImage) -> Pixels<'_> {
        Pixels {
            bytes: Cow::Borrowed(image.as_raw()),
            layout: Layout::Rgba8,
            size: image.dimensions(),
            stride: image.width() as usize * 4,
        }
    }

    /// Row `y`'s pixels (`y` below the height).
    pub fn row(&self, y: usize) -> &[u8] {
        let start = y * self.stride;
        &self.bytes[start..start + self.size.0 as usize * self.layout.channels()]
    }

    /// The pixels of an RGBA image, taken over.
    pub fn owned_rgba(image: RgbaImage) -> Pixels<'static> {
        let (size, stride) = (image.dimensions(), image.width() as usize * 4);
        Pixels {
            bytes: Cow::Owned(image.into_raw()),
            layout: Layout::Rgba8,
            size,
            stride,
        }
    }

    /// The `size` pixels from `at` (which must lie within these), without a copy.
    pub fn window(&self, at: (u32, u32), size: (u32, u32)) -> Pixels<'_> {
        let start = at.1 as usize * self.stride + at.0 as usize * self.layout.channels();
        Pixels {
            bytes: Cow::Borrowed(&self.bytes[start..]),
            layout: self.layout,
            size,
            stride: self.stride,
        }
    }

    /// A copy as an RGBA image, for the encoders that take one.
    pub fn to_rgba(&self) -> RgbaImage {
        let (width, height) = self.size;
        let mut rgba = RgbaImage::new(width, height);
        for (y, out) in rgba.rows_mut().enumerate() {
            let row = self.row(y);
            for (pixel, out) in row.chunks_exact(self.layout.channels()).zip(out) {
                out.0[..pixel.len()].copy_from_slice(pixel);
                if pixel.len() == 3 {
                    out.0[3] = 255;
                }
            }
        }
        rgba
    }
}
