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

/// Compares `older` with `newer`. Versions of different sizes are compared at the smaller
/// size, where both have detail: scaling the smaller one up would blur its edges, and every
/// sharp edge of the larger one would then show as changed. The picture is `newer`'s size.
pub fn difference(newer: &DynamicImage, older: &DynamicImage) -> Result<Difference, PrepareError> {
    let newer_rgb = newer.to_rgb8();
    let (width, height) = newer_rgb.dimensions();
    let older_size = (older.width(), older.height());
    let older_is_smaller =
        u64::from(older_size.0) * u64::from(older_size.1) < u64::from(width) * u64::from(height);
    let mut out = vec![0u8; newer_rgb.as_raw().len()];
    let changed = if older_is_smaller {
        let newer_small = DynamicImage::ImageRgba8(prepare::shrink_by_area(newer, older_size)?);
        let changes = changed_pixels(&newer_small.into_rgb8(), &older.to_rgb8());
        // Each pixel of the newer takes the verdict of the compared pixel it falls in.
        let (small_w, small_h) = (older_size.0 as usize, older_size.1 as usize);
        let columns: Vec<usize> = (0..width as usize)
            .map(|x| x * small_w / width as usize)
            .collect();
        for (y, (row, newer_row)) in out
            .chunks_exact_mut(width as usize * 3)
            .zip(newer_rgb.as_raw().chunks_exact(width as usize * 3))
            .enumerate()
        {
            let verdicts = &changes.pixels[y * small_h / height as usize * small_w..][..small_w];
            for ((o, n), x) in row
                .chunks_exact_mut(3)
                .zip(newer_row.chunks_exact(3))
                .zip(&columns)
            {
                paint(o, n, verdicts[*x]);
            }
        }
        changes.share
    } else {
        let older = if older_size == (width, height) {
            older.to_rgb8()
        } else {
            DynamicImage::ImageRgba8(prepare::downscale(older, (width, height))?).into_rgb8()
        };
        let mut count = 0usize;
        for ((o, n), d) in out
            .chunks_exact_mut(3)
            .zip(newer_rgb.as_raw().chunks_exact(3))
            .zip(older.as_raw().chunks_exact(3))
        {
            let changed = is_changed(n, d);
            count += usize::from(changed);
            paint(o, n, changed);
        }
        count as f64 / (width as usize * height as usize).max(1) as f64
    };
    let image = RgbImage::from_raw(width, height, out)
        .ok_or_else(|| PrepareError::Resize("the difference has the wrong size".into()))?;
    Ok(Difference { image, changed })
}

/// Which pixels of two same-sized pictures differ, row by row, and their share.
struct Changes {
    pixels: Vec<bool>,
    share: f64,
}

fn changed_pixels(newer: &RgbImage, older: &RgbImage) -> Changes {
    let pixels: Vec<bool> = newer
        .as_raw()
        .chunks_exact(3)
        .zip(older.as_raw().chunks_exact(3))
        .map(|(n, o)| is_changed(n, o))
        .collect();
    let count = pixels.iter().filter(|c| **c).count();
    let share = count as f64 / pixels.len().max(1) as f64;
    Changes { pixels, share }
}

fn is_changed(newer: &[u8], older: &[u8]) -> bool {
    let delta = u16::from(newer[0].abs_diff(older[0]))
        + u16::from(newer[1].abs_diff(older[1]))
        + u16::from(newer[2].abs_diff(older[2]));
    delta > THRESHOLD
}

/// A changed pixel in the loud colour; an unchanged one at a third of its brightness, so the
/// picture stays recognisable and the changes stand out.
fn paint(out: &mut [u8], newer: &[u8], changed: bool) {
    if changed {
        out.copy_from_slice(&CHANGED);
    } else {
        out[0] = newer[0] / 3;
        out[1] = newer[1] / 3;
        out[2] = newer[2] / 3;
    }
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
    fn a_sharper_larger_version_is_compared_at_the_smaller_size_without_edge_noise() {
        // The same checkerboard drawn at 1K-like and 4K-like sizes: sharp edges everywhere.
        let board = |cell: u32| {
            RgbImage::from_fn(cell * 16, cell * 16, |x, y| {
                if (x / cell + y / cell).is_multiple_of(2) {
                    Rgb([250, 250, 250])
                } else {
                    Rgb([10, 10, 10])
                }
            })
        };
        let older = board(4);
        let mut newer = board(16);
        // The edit: one square of the larger version turned red.
        for y in 0..16 {
            for x in 0..16 {
                newer.put_pixel(x, y, Rgb([250, 0, 0]));
            }
        }
        let diff = difference(
            &DynamicImage::ImageRgb8(newer),
            &DynamicImage::ImageRgb8(older),
        )
        .unwrap();
        assert_eq!(diff.image.dimensions(), (256, 256));
        assert_eq!(diff.image.get_pixel(8, 8).0, CHANGED, "the edit is loud");
        let loud_elsewhere = diff
            .image
            .enumerate_pixels()
            .filter(|(x, y, p)| (*x >= 20 || *y >= 20) && p.0 == CHANGED)
            .count();
        assert_eq!(loud_elsewhere, 0, "no edge of the board counts as changed");
        assert!(
            (diff.changed - 1.0 / 256.0).abs() < 1e-9,
            "{}",
            diff.changed
        );
    }

    #[test]
    fn versions_of_different_sizes_are_drawn_at_the_newer_size() {
        let older = DynamicImage::ImageRgb8(RgbImage::from_pixel(50, 25, Rgb([10, 10, 10])));
        let newer = DynamicImage::ImageRgb8(RgbImage::from_pixel(100, 50, Rgb([10, 10, 10])));
        let diff = difference(&newer, &older).unwrap();
        assert_eq!(diff.image.dimensions(), (100, 50));
        assert_eq!(diff.changed, 0.0);
    }
}
