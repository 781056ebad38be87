//! What changed between two versions of a picture: changed pixels in a loud colour over a
//! dimmed copy of the newer version, so "change only the title" can be checked at a glance.

use image::{DynamicImage, RgbImage};

use super::prepare::{self, PrepareError};

/// Changed pixels are drawn in this colour (magenta: rare in pictures, loud on any).
pub const CHANGED: [u8; 3] = [255, 0, 255];

/// A pixel counts as changed when its channels differ by more than this in sum: JPEG
/// re-encoding noise stays below it, a real edit does not.
const THRESHOLD: u16 = 48;

/// The difference picture (the newer's size) and the share of its pixels that changed.
pub struct Difference {
    pub image: RgbImage,
    pub changed: f64,
}

/// Compares `older` with `newer`; an `older` of another size is scaled to `newer`'s first.
pub fn difference(newer: &DynamicImage, older: &DynamicImage) -> Result<Difference, PrepareError> {
    let newer = newer.to_rgb8();
    let (width, height) = newer.dimensions();
    let older = if older.width() == width && older.height() == height {
        older.to_rgb8()
    } else {
        DynamicImage::ImageRgba8(prepare::downscale(older, (width, height))?).into_rgb8()
    };
    let mut out = vec![0u8; newer.as_raw().len()];
    let mut changed = 0usize;
    for ((o, n), d) in out
        .chunks_exact_mut(3)
        .zip(newer.as_raw().chunks_exact(3))
        .zip(older.as_raw().chunks_exact(3))
    {
        let delta =
            n[0].abs_diff(d[0]) as u16 + n[1].abs_diff(d[1]) as u16 + n[2].abs_diff(d[2]) as u16;
        if delta > THRESHOLD {
            o.copy_from_slice(&CHANGED);
            changed += 1;
        } else {
            // A third of the brightness: the picture stays recognisable, the changes stand out.
            o[0] = n[0] / 3;
            o[1] = n[1] / 3;
            o[2] = n[2] / 3;
        }
    }
    let pixels = (width as usize * height as usize).max(1);
    let image = RgbImage::from_raw(width, height, out)
        .ok_or_else(|| PrepareError::Resize("the difference has the wrong size".into()))?;
    Ok(Difference {
        image,
        changed: changed as f64 / pixels as f64,
    })
}

#[cfg(test)]
mod tests {
    use image::Rgb;

    use super::*;

    #[test]
    fn only_the_edited_region_is_highlighted_and_the_rest_is_dimmed() {
        let older = RgbImage::from_pixel(100, 50, Rgb([90, 150, 210]));
        let mut newer = older.clone();
        // "Change only the title": the top ten rows.
        for y in 0..10 {
            for x in 0..100 {
                newer.put_pixel(x, y, Rgb([250, 220, 0]));
            }
        }
        // JPEG-like noise elsewhere is not a change.
        newer.put_pixel(50, 40, Rgb([95, 145, 215]));
        let diff = difference(
            &DynamicImage::ImageRgb8(newer),
            &DynamicImage::ImageRgb8(older),
        )
        .unwrap();
        assert!((diff.changed - 0.2).abs() < 1e-9, "{}", diff.changed);
        assert_eq!(diff.image.get_pixel(10, 5).0, CHANGED);
        assert_eq!(diff.image.get_pixel(10, 30).0, [30, 50, 70]);
        assert_eq!(diff.image.get_pixel(50, 40).0, [31, 48, 71]);
    }

    #[test]
    fn versions_of_different_sizes_are_compared_at_the_newer_size() {
        let older = DynamicImage::ImageRgb8(RgbImage::from_pixel(50, 25, Rgb([10, 10, 10])));
        let newer = DynamicImage::ImageRgb8(RgbImage::from_pixel(100, 50, Rgb([10, 10, 10])));
        let diff = difference(&newer, &older).unwrap();
        assert_eq!(diff.image.dimensions(), (100, 50));
        assert_eq!(diff.changed, 0.0);
    }
}
