//! What the benches share: the 4K picture they decode.

use image::{Rgb, RgbImage};

/// Nano Banana Pro's 4K at 16:9.
pub const WIDTH: u32 = 5504;
pub const HEIGHT: u32 = 3072;

/// A gradient under ±16 of noise: smooth enough to look like a picture, noisy enough that the
/// 4K JPEG (quality 88) comes out at 8.1 MB, the size the issue gives for a real 4K reply.
/// (Until 2026-11-23 the noise was ±24 and the JPEG 11.9 MB; BENCHMARKS.md has both.)
pub fn picture() -> RgbImage {
    let mut rng = fastrand::Rng::with_seed(4);
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let mut channel = |base: u32| (base as i32 + rng.i32(-16..=16)).clamp(0, 255) as u8;
        Rgb([
            channel(x * 255 / WIDTH),
            channel(y * 255 / HEIGHT),
            channel((x + y) * 255 / (WIDTH + HEIGHT)),
        ])
    })
}
