//! The contact sheet: one PNG, about 2000 px wide, of the versions in a grid, each captioned
//! with its turn and its prompt cut to one line — sized for a chat message.

use std::path::Path;

use banana_studio_resize::{Layout, resize};
use image::{ImageEncoder, Rgb, RgbImage};

use super::files::{self, OutputFile};
use super::outcome::{ExportError, Exported};
use super::story::{Story, Version};
use crate::bitmap_text::{self, wrap};

pub const SHEET_WIDTH: u32 = 2000;
const MARGIN: u32 = 32;
const GAP: u32 = 24;
/// Caption text: 8 px glyphs at twice their size.
const SCALE: u32 = 2;
const LINE: u32 = 10 * SCALE;
const CAPTION: u32 = 2 * LINE + 12;
/// The title (8 px glyphs at three times their size), a line of facts, then the grid.
const HEADER: u32 = MARGIN + 34 + LINE + 24;

const PAPER: Rgb<u8> = Rgb([250, 249, 246]);
const INK: Rgb<u8> = Rgb([29, 29, 31]);
const MUTED: Rgb<u8> = Rgb([95, 99, 104]);
const EMPTY: Rgb<u8> = Rgb([228, 226, 221]);
const WARN: Rgb<u8> = Rgb([179, 38, 30]);

pub fn export(story: &Story<'_>, out: &Path) -> Result<Exported, ExportError> {
    let versions = story.versions();
    if versions.is_empty() {
        return Err(ExportError::NoImages {
            what: "contact sheet",
            session: story.session.name.clone(),
            hint: "Export it as html or md to share the text.",
        });
    }
    let mut file = OutputFile::create(out, &story.session.dir)?;
    let count = versions.len() as u32;
    // Four across for a few versions, more for many, so fifty stay a readable square-ish grid.
    let columns = count.min(4.max(count.isqrt() + u32::from(count.isqrt().pow(2) < count)));
    let cell_w = (SHEET_WIDTH - 2 * MARGIN - (columns - 1) * GAP) / columns;
    let aspect = versions
        .iter()
        .filter_map(|v| v.blob.dimensions())
        .map(|(w, h)| h as f32 / w.max(1) as f32)
        .fold(0.0f32, f32::max);
    let aspect = if aspect > 0.0 {
        aspect.clamp(0.25, 2.0)
    } else {
        1.0
    };
    let box_h = (cell_w as f32 * aspect).round() as u32;
    let rows = count.div_ceil(columns);
    let height = HEADER + rows * (box_h + CAPTION) + (rows - 1) * GAP + MARGIN;
    let mut sheet = RgbImage::from_pixel(SHEET_WIDTH, height, PAPER);

    let title_cols = ((SHEET_WIDTH - 2 * MARGIN) / 24) as usize;
    let title = wrap(&story.title, title_cols, 1).join("");
    text(&mut sheet, MARGIN, MARGIN, &title, 3, INK);
    let meta = format!(
        "{} - {} versions - {}",
        story.session.name,
        count,
        story.models.join(", ")
    );
    text(&mut sheet, MARGIN, MARGIN + 34, &meta, SCALE, MUTED);

    let mut problems = Vec::new();
    let mut images = 0;
    for (index, version) in (0u32..).zip(&versions) {
        let x = MARGIN + (index % columns) * (cell_w + GAP);
        let y = HEADER + (index / columns) * (box_h + CAPTION + GAP);
        fill(&mut sheet, x, y, cell_w, box_h, EMPTY);
        match load_fitted(version, (cell_w, box_h), &mut problems) {
            Ok(picture) => {
                let dx = x + (cell_w - picture.width()) / 2;
                let dy = y + (box_h - picture.height()) / 2;
                image::imageops::replace(&mut sheet, &picture, i64::from(dx), i64::from(dy));
                images += 1;
            }
            Err(problem) => {
                let cols = (cell_w / (8 * SCALE)).saturating_sub(2) as usize;
                for (line, words) in (0u32..).zip(wrap(
                    &problem,
                    cols,
                    (box_h / LINE).saturating_sub(2) as usize,
                )) {
                    text(
                        &mut sheet,
                        x + 2 * 8,
                        y + 16 + line * LINE,
                        &words,
                        SCALE,
                        WARN,
                    );
                }
            }
        }
        let chars = (cell_w / (8 * SCALE)) as usize;
        let size = version
            .blob
            .dimensions()
            .map(|(w, h)| format!(" - {w}x{h}"))
            .unwrap_or_default();
        let heading = format!("turn {} - v{}{size}", version.turn, version.number);
        let prompt = wrap(&version.prompt.prompt(), chars, 1).join("");
        text(&mut sheet, x, y + box_h + 6, &heading, SCALE, INK);
        text(&mut sheet, x, y + box_h + 6 + LINE, &prompt, SCALE, MUTED);
    }

    image::codecs::png::PngEncoder::new(file.writer())
        .write_image(
            sheet.as_raw(),
            sheet.width(),
            sheet.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| match e {
            image::ImageError::IoError(source) => files::write_error(out)(source),
            other => ExportError::Encode {
                what: "contact sheet",
                detail: other.to_string(),
            },
        })?;
    Ok(Exported {
        file: file.commit()?,
        images_dir: None,
        images,
        problems,
    })
}

/// A version read, decoded and scaled to fit `(width, height)`. A file that cannot be read
/// or decoded becomes a sentence in `problems`.
pub fn load_fitted(
    version: &Version<'_>,
    (width, height): (u32, u32),
    problems: &mut Vec<String>,
) -> Result<RgbImage, String> {
    let what = format!("Version {} (turn {})", version.number, version.turn);
    let bytes = files::read_image(version.blob, &what, problems)?;
    let picture = image::load_from_memory(&bytes)
        .map_err(|e| {
            let problem = format!(
                "{what} ({}) was left out: it does not decode as an image ({e}).",
                version.blob.file_name()
            );
            problems.push(problem.clone());
            problem
        })?
        .into_rgb8();
    drop(bytes);
    let (w, h) = picture.dimensions();
    let scale = (width as f32 / w as f32).min(height as f32 / h as f32);
    let to = (
        ((w as f32 * scale).round() as u32).clamp(1, width),
        ((h as f32 * scale).round() as u32).clamp(1, height),
    );
    if to == (w, h) {
        return Ok(picture);
    }
    let pixels = resize(Layout::Rgb8, picture.as_raw(), (w, h), to).map_err(|e| {
        let problem = format!("{what} could not be scaled: {e}.");
        problems.push(problem.clone());
        problem
    })?;
    RgbImage::from_raw(to.0, to.1, pixels).ok_or_else(|| format!("{what} could not be scaled."))
}

/// Fills a box, clipped to the image.
pub fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, colour: Rgb<u8>) {
    for py in y..(y + h).min(img.height()) {
        for px in x..(x + w).min(img.width()) {
            img.put_pixel(px, py, colour);
        }
    }
}

/// One line of 8×8 text at `scale`, cut at the image's right edge.
pub fn text(img: &mut RgbImage, x: u32, y: u32, line: &str, scale: u32, colour: Rgb<u8>) {
    let line = bitmap_text::sanitize(line);
    let max_x = i64::from(img.width());
    bitmap_text::draw(
        &line,
        i64::from(x),
        i64::from(y),
        i64::from(scale),
        max_x,
        |px, py, side| {
            let (px, py, side) = (px.max(0) as u32, py.max(0) as u32, side.max(0) as u32);
            fill(img, px, py, side, side, colour);
        },
    );
}
