//! The animation: an animated GIF of the versions in order, a second each, looping, for
//! showing how the picture evolved. (The `image` crate encodes GIF frames; it writes no
//! animated WebP, and no well-kept pure-Rust crate does.)

use std::path::Path;

use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, Rgb, RgbImage, RgbaImage};

use super::files::{self, OutputFile};
use super::outcome::{ExportError, Exported};
use super::sheet::{fill, load_fitted, text};
use super::story::Story;
use crate::bitmap_text::wrap;

/// Longest side of a frame: big enough to judge, small enough to post.
pub const MAX_FRAME: u32 = 800;
const FRAME_MS: u32 = 1000;
/// NeuQuant's sampling step (1 best, 30 fastest); 10 is the gif crate's own default.
const QUANTIZE_SPEED: i32 = 10;

const BACKGROUND: Rgb<u8> = Rgb([250, 249, 246]);
const LABEL_BG: Rgb<u8> = Rgb([29, 29, 31]);
const LABEL_INK: Rgb<u8> = Rgb([250, 249, 246]);
/// The most lines a frame's caption takes; a longer prompt ends in "...".
const CAPTION_LINES: usize = 3;

pub fn export(story: &Story<'_>, out: &Path) -> Result<Exported, ExportError> {
    let versions = story.versions();
    let (width, height) = frame_size(versions.iter().filter_map(|v| v.blob.dimensions()));
    if versions.is_empty() {
        return Err(ExportError::NoImages {
            what: "animation",
            session: story.session.name.clone(),
            hint: "Export it as html or md to share the text.",
        });
    }
    // A caption strip under the picture, so the label never hides part of it: big letters
    // only where a caption's words still fit, and as many lines (up to three) as the longest
    // caption needs, the same for every frame.
    let scale = if width >= 648 { 2 } else { 1 };
    let columns = ((width.saturating_sub(8 * scale)) / (8 * scale)).max(1) as usize;
    let captions: Vec<Vec<String>> = versions
        .iter()
        .map(|version| {
            let label = format!(
                "v{} turn {}: {}",
                version.number,
                version.turn,
                version.prompt.prompt()
            );
            wrap(&label, columns, CAPTION_LINES)
        })
        .collect();
    let lines = captions.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let strip = (lines * 10 + 6) * scale;
    let mut file = OutputFile::create(out, &story.session.dir)?;
    let mut problems = Vec::new();
    let mut frames = 0;
    let encode_error = |e: image::ImageError| match e {
        image::ImageError::IoError(source) => files::write_error(out)(source),
        other => ExportError::Encode {
            what: "animation",
            detail: other.to_string(),
        },
    };
    {
        let mut encoder = GifEncoder::new_with_speed(file.writer(), QUANTIZE_SPEED);
        encoder.set_repeat(Repeat::Infinite).map_err(encode_error)?;
        for (version, caption) in versions.iter().zip(&captions) {
            let Ok(picture) = load_fitted(version, (width, height), &mut problems) else {
                continue;
            };
            let mut canvas = RgbImage::from_pixel(width, height + strip, BACKGROUND);
            let dx = (width - picture.width()) / 2;
            let dy = (height - picture.height()) / 2;
            image::imageops::replace(&mut canvas, &picture, i64::from(dx), i64::from(dy));
            drop(picture);
            fill(&mut canvas, 0, height, width, strip, LABEL_BG);
            for (i, line) in caption.iter().enumerate() {
                text(
                    &mut canvas,
                    4 * scale,
                    height + (4 + 10 * i as u32) * scale,
                    line,
                    scale,
                    LABEL_INK,
                );
            }
            let rgba: RgbaImage = image::DynamicImage::ImageRgb8(canvas).into_rgba8();
            let delay = Delay::from_numer_denom_ms(FRAME_MS, 1);
            encoder
                .encode_frame(Frame::from_parts(rgba, 0, 0, delay))
                .map_err(encode_error)?;
            frames += 1;
        }
    }
    if frames == 0 {
        return Err(ExportError::NoImages {
            what: "animation",
            session: story.session.name.clone(),
            hint: "Every image file is missing or damaged; see the session's images folder.",
        });
    }
    Ok(Exported {
        file: file.commit()?,
        images_dir: None,
        images: frames,
        problems,
    })
}

/// One size for every frame's picture (the caption strip goes below it): the widest version
/// and the tallest shape among the versions, scaled so the longest side is at most
/// [`MAX_FRAME`].
fn frame_size(dimensions: impl Iterator<Item = (u32, u32)>) -> (u32, u32) {
    let (mut width, mut aspect) = (0u32, 0.0f32);
    for (w, h) in dimensions {
        width = width.max(w);
        aspect = aspect.max(h as f32 / w.max(1) as f32);
    }
    if width == 0 {
        return (MAX_FRAME, MAX_FRAME);
    }
    let aspect = aspect.clamp(0.125, 8.0);
    let height = width as f32 * aspect;
    let scale = (MAX_FRAME as f32 / width as f32)
        .min(MAX_FRAME as f32 / height)
        .min(1.0);
    (
        ((width as f32 * scale).round() as u32).max(1),
        ((height * scale).round() as u32).max(1),
    )
}
