//! Kitty images transmitted as PNG (`f=100`). ratatui-image's kitty protocol sends raw or
//! deflated RGBA only: a noisy photo deflated is two thirds of its raw size, as PNG (row
//! filters, then deflate) about a third, and PNG encodes faster too (BENCHMARKS.md).
//! A large picture goes as horizontal strips of whole cell rows, one image each, encoded side
//! by side: PNG's deflate is one stream, so one picture would use one core.
//! ratatui-image still draws each strip's placeholder cells: its [`Kitty`] is built for a 1×1
//! stand-in with the strip's id, and the first placeholder cell it draws gets our
//! transmission in place of the stand-in's.

use std::fmt::Write as _;
use std::io::Write as _;
use std::iter;
use std::ops::Range;
use std::sync::Mutex;
use std::thread;

use banana_studio_resize::Layout;
use image::{DynamicImage, RgbaImage};
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::widgets::Widget;
use ratatui_image::Image;
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::kitty::Kitty;

use super::parallel::split;
use super::prepare::Pixels;
use crate::emulator::tmux;

/// The character kitty draws an image's cell in place of.
const PLACEHOLDER: char = '\u{10EEEE}';

/// The kitty protocol's largest chunk of base64 in one escape sequence.
const CHARS_PER_CHUNK: usize = 4096;

/// Below this many pixels a strip is not worth a thread of its own.
const PIXELS_PER_STRIP: usize = 256 * 1024;

/// A picture for kitty's Unicode placeholders, sent once as PNG the first time it is drawn.
pub struct KittyPng {
    size: Size,
    /// From the top, each a whole number of cell rows.
    strips: Vec<Strip>,
}

/// One image of a [`KittyPng`]: some of its rows.
struct Strip {
    /// The first of its cell rows in the picture.
    top: u16,
    /// ratatui-image's protocol for the 1×1 stand-in: it draws the placeholders.
    placement: Protocol,
    /// The PNG transmission, creating the virtual placement the placeholders show; taken when
    /// first drawn (kitty keeps the image), so it is neither copied nor kept after.
    transmission: Mutex<Option<String>>,
}

impl KittyPng {
    /// `image` (already the cells' pixels) to fill `size` cells, as images `id`, `id + 1`, …
    /// (one a strip, at most one a core; none may be 0).
    pub fn new(image: &RgbaImage, size: Size, id: u32, is_tmux: bool) -> Result<KittyPng, String> {
        Self::centred(
            &Pixels::of_rgba(image),
            image.dimensions(),
            size,
            id,
            is_tmux,
        )
    }

    /// Like [`KittyPng::new`], for `pixels` centred on a transparent canvas of `canvas`
    /// pixels that fills `size` cells. The rows are read where they lie (a 1:1 zoom step
    /// copies nothing) and written straight into the PNG's RGB rows with the padding keyed.
    pub fn centred(
        pixels: &Pixels,
        canvas: (u32, u32),
        size: Size,
        id: u32,
        is_tmux: bool,
    ) -> Result<KittyPng, String> {
        let canvas = (canvas.0.max(pixels.size.0), canvas.1.max(pixels.size.1));
        let rows = size.height.max(1);
        let row_px = canvas.1 / u32::from(rows);
        let count = thread::available_parallelism()
            .map_or(1, usize::from)
            .min(canvas.0 as usize * canvas.1 as usize / PIXELS_PER_STRIP)
            .clamp(1, usize::from(rows));
        let per_strip = rows.div_ceil(count as u16);
        let strip = |index: u16| -> Result<Strip, String> {
            let top = index * per_strip;
            let height = per_strip.min(rows - top);
            // The last strip takes any pixel rows left below whole cells.
            let bottom = if top + height == rows {
                canvas.1
            } else {
                u32::from(top + height) * row_px
            };
            let first = u32::from(top) * row_px;
            let png = png(pixels, canvas, first..bottom)?;
            let id = id.wrapping_add(u32::from(index));
            let size = Size::new(size.width, height);
            let stand_in = DynamicImage::ImageRgba8(RgbaImage::new(1, 1));
            let placement = Kitty::new(stand_in, size, id, is_tmux, false)
                .map_err(|e| format!("cannot place for kitty: {e}"))?;
            Ok(Strip {
                top,
                placement: Protocol::Kitty(placement),
                transmission: Mutex::new(Some(transmission(&png, id, size, is_tmux))),
            })
        };
        let strips = split(usize::from(rows.div_ceil(per_strip)), |index| {
            strip(index as u16)
        })
        .ok_or("the PNG encoder crashed")?
        .into_iter()
        .collect::<Result<Vec<Strip>, String>>()?;
        Ok(KittyPng { size, strips })
    }

    pub fn size(&self) -> Size {
        self.size
    }

    /// Draws the placeholders in `area` from its top left (clipped to it), with each strip's
    /// transmission before its first placeholder the first time.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        for strip in &self.strips {
            if strip.top >= area.height {
                break;
            }
            let rows = Rect {
                y: area.y + strip.top,
                height: area.height - strip.top,
                ..area
            };
            strip.render(rows, buf);
        }
    }
}

impl Strip {
    fn render(&self, area: Rect, buf: &mut Buffer) {
        Image::new(&self.placement)
            .allow_clipping(true)
            .render(area, buf);
        let first = area.positions().find(|&position| {
            buf.cell(position)
                .is_some_and(|cell| cell.symbol().contains(PLACEHOLDER))
        });
        let Some(cell) = first.and_then(|position| buf.cell_mut(position)) else {
            return;
        };
        // The stand-in's own transmission (the first time ratatui-image draws it) goes: it
        // would replace our image with its 1×1 pixel.
        let symbol = cell.symbol();
        let placeholder = &symbol[symbol.find(PLACEHOLDER).unwrap_or(0)..];
        let taken = self.transmission.lock().ok().and_then(|mut t| t.take());
        let symbol = match taken {
            Some(mut transmission) => {
                transmission.push_str(placeholder);
                transmission
            }
            None => placeholder.to_string(),
        };
        cell.set_symbol(&symbol);
    }
}

/// The colour transparent pixels take in the PNG, named transparent by its `tRNS` chunk: a
/// green no picture is likely to hold (one that does is moved off it, see [`keyed_rgb`]).
const KEY: [u8; 3] = [1, 254, 2];

/// Rows `rows` of the canvas (`pixels` centred on it) as an RGB PNG, transparent pixels
/// keyed: a quarter fewer bytes to filter and deflate than RGBA, for the few transparent
/// pixels of the padding around a picture. Row by row, so no copy of the picture is made.
/// Adaptive row filters, then fdeflate's fast mode: on the demo's infographic a third of the
/// bytes the Up filter alone leaves, in the same time (BENCHMARKS.md).
fn png(pixels: &Pixels, canvas: (u32, u32), rows: Range<u32>) -> Result<Vec<u8>, String> {
    if canvas.0 == 0 || rows.is_empty() {
        return Err("cannot encode an empty picture for kitty".to_string());
    }
    let mut png = Vec::with_capacity(canvas.0 as usize * rows.len() / 2);
    let mut encoder = png::Encoder::new(&mut png, canvas.0, rows.len() as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // Three 16-bit samples.
    encoder.set_trns(KEY.iter().flat_map(|&c| [0, c]).collect::<Vec<u8>>());
    write_rows(encoder, pixels, canvas, rows)
        .map_err(|e| format!("cannot encode PNG for kitty: {e}"))?;
    Ok(png)
}

fn write_rows(
    encoder: png::Encoder<&mut Vec<u8>>,
    pixels: &Pixels,
    canvas: (u32, u32),
    rows: Range<u32>,
) -> Result<(), png::EncodingError> {
    let mut writer = encoder.write_header()?;
    let mut stream = writer.stream_writer()?;
    // Where the picture lies on the canvas, as `prepare::pad_to` puts it.
    let left = (canvas.0 - pixels.size.0) / 2;
    let top = (canvas.1 - pixels.size.1) / 2;
    let picture = top..top + pixels.size.1;
    let right = canvas.0 - left - pixels.size.0;
    let mut row = Vec::with_capacity(canvas.0 as usize * 3);
    for y in rows {
        row.clear();
        if picture.contains(&y) {
            row.extend(iter::repeat_n(KEY, left as usize).flatten());
            keyed_rgb(pixels.layout, pixels.row((y - top) as usize), &mut row);
            row.extend(iter::repeat_n(KEY, right as usize).flatten());
        } else {
            row.extend(iter::repeat_n(KEY, canvas.0 as usize).flatten());
        }
        stream.write_all(&row)?;
    }
    stream.finish()?;
    writer.finish()
}

/// RGB or RGBA as RGB onto `rgb`: a pixel under half opaque becomes [`KEY`] (as our sixel
/// encoder leaves it undrawn), and an opaque one of the key's colour moves one step of blue
/// off it.
fn keyed_rgb(layout: Layout, pixels: &[u8], rgb: &mut Vec<u8>) {
    let channels = layout.channels();
    for pixel in pixels.chunks_exact(channels) {
        let colour = [pixel[0], pixel[1], pixel[2]];
        if channels == 4 && pixel[3] < 128 {
            rgb.extend_from_slice(&KEY);
        } else if colour == KEY {
            rgb.extend_from_slice(&[KEY[0], KEY[1], KEY[2] ^ 1]);
        } else {
            rgb.extend_from_slice(&colour);
        }
    }
}

/// The escape sequences sending `png` as image `id` with a virtual placement (`U=1`) of `size`
/// cells, quietly (`q=2`), in chunks; inside tmux each one wrapped in its passthrough.
fn transmission(png: &[u8], id: u32, size: Size, is_tmux: bool) -> String {
    let escape = tmux::escape(is_tmux);
    let chunks = png.chunks(CHARS_PER_CHUNK / 4 * 3);
    let count = chunks.len();
    // Room for the chunks' keys and the placeholder the transmission goes in front of.
    let mut out = String::with_capacity(png.len() / 3 * 4 + count * 32 + 64);
    for (i, chunk) in chunks.enumerate() {
        if is_tmux {
            out.push_str(tmux::PASSTHROUGH_START);
        }
        let _ = write!(out, "{escape}_Gq=2,");
        if i == 0 {
            let _ = write!(
                out,
                "i={id},a=T,U=1,f=100,t=d,c={},r={},",
                size.width, size.height
            );
        }
        let _ = write!(out, "m={};", u8::from(i + 1 < count));
        base64_simd::STANDARD.encode_append(chunk, &mut out);
        let _ = write!(out, "{escape}\\");
        if is_tmux {
            out.push_str(tmux::PASSTHROUGH_END);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use image::Rgba;

    use super::*;
    use crate::preview::prepare;

    /// The base64 payloads of the transmission's chunks, joined and decoded, and each chunk's
    /// control keys.
    fn parse(transmission: &str) -> (Vec<u8>, Vec<String>) {
        let mut payload = String::new();
        let mut controls = Vec::new();
        for sequence in transmission.split("\x1b_G").skip(1) {
            let (control, rest) = sequence.split_once(';').expect("control keys, then ;");
            controls.push(control.to_string());
            payload.push_str(rest.split('\x1b').next().expect("the payload"));
        }
        let png = base64_simd::STANDARD
            .decode_to_vec(payload)
            .expect("base64");
        (png, controls)
    }

    fn noise(width: u32, height: u32) -> RgbaImage {
        let mut rng = fastrand::Rng::with_seed(7);
        RgbaImage::from_fn(width, height, |_, _| {
            Rgba([rng.u8(..), rng.u8(..), rng.u8(..), 255])
        })
    }

    fn drawn(kitty: &KittyPng, area: Rect) -> Buffer {
        let mut buffer = Buffer::empty(area);
        kitty.render(area, &mut buffer);
        buffer
    }

    #[test]
    fn the_first_draw_sends_the_picture_as_png_chunks_and_later_draws_only_placeholders() {
        let image = noise(200, 100);
        let kitty = KittyPng::new(&image, Size::new(20, 5), 0x0a0b0c, false).expect("encodes");
        let area = Rect::new(0, 0, 20, 5);
        let first = drawn(&kitty, area);
        let symbol = first[(0, 0)].symbol().to_string();
        let (png, controls) = parse(&symbol);
        assert!(controls.len() > 1, "noise needs several 4096-char chunks");
        assert_eq!(controls[0], "q=2,i=658188,a=T,U=1,f=100,t=d,c=20,r=5,m=1");
        assert!(
            controls[1..controls.len() - 1]
                .iter()
                .all(|c| c == "q=2,m=1")
        );
        assert_eq!(controls.last().map(String::as_str), Some("q=2,m=0"));
        assert!(png.ends_with(b"IEND\xaeB`\x82"), "a whole PNG");
        // Exactly the picture's pixels, and nothing of the 1×1 stand-in (f=32) is sent.
        let sent = image::load_from_memory(&png).expect("a PNG").to_rgba8();
        assert_eq!(sent, image);
        assert!(!symbol.contains("f=32"));
        // Every cell is a placeholder in the id's colour.
        let placeholders = first
            .content()
            .iter()
            .filter(|cell| cell.symbol().contains(PLACEHOLDER))
            .count();
        assert_eq!(placeholders, 100);
        assert_eq!(
            first[(3, 2)].fg,
            ratatui::style::Color::Rgb(0x0a, 0x0b, 0x0c)
        );

        let again = drawn(&kitty, area);
        assert!(again[(0, 0)].symbol().starts_with(PLACEHOLDER));
        assert!(!again.content().iter().any(|c| c.symbol().contains('\x1b')));
    }

    #[test]
    fn a_large_picture_goes_as_strips_of_whole_rows_that_together_are_the_picture() {
        let image = noise(1000, 600);
        let size = Size::new(100, 30);
        let kitty = KittyPng::new(&image, size, 40, false).expect("encodes");
        let buffer = drawn(&kitty, Rect::new(0, 0, 100, 30));
        // Each strip's transmission is in the first cell of its rows.
        let mut stacked = RgbaImage::new(1000, 600);
        let (mut y, mut rows) = (0, 0);
        for row in 0..30 {
            let symbol = buffer[(0, row)].symbol();
            if !symbol.contains("\x1b_G") {
                continue;
            }
            assert_eq!(row, rows, "a strip starts where the last one ended");
            let (png, controls) = parse(symbol);
            let strip = image::load_from_memory(&png).expect("a PNG").to_rgba8();
            let id = 40
                + kitty
                    .strips
                    .iter()
                    .position(|s| s.top == row)
                    .expect("a strip") as u32;
            let height = strip.height() / 20;
            assert!(
                controls[0].starts_with(&format!("q=2,i={id},a=T,U=1,f=100,t=d,c=100,r={height},"))
            );
            image::imageops::replace(&mut stacked, &strip, 0, i64::from(y));
            y += strip.height();
            rows += height as u16;
        }
        assert_eq!(rows, 30);
        assert_eq!(stacked, image);
        let expected = thread::available_parallelism()
            .map_or(1, usize::from)
            .min(2);
        assert_eq!(
            kitty.strips.len(),
            expected,
            "600 000 px: two strips where two cores"
        );
        let placeholders = buffer
            .content()
            .iter()
            .filter(|cell| cell.symbol().contains(PLACEHOLDER))
            .count();
        assert_eq!(placeholders, 3000);

        // Clipped to the top 10 rows: only the first strip is drawn, and only those rows.
        let kitty = KittyPng::new(&image, size, 40, false).expect("encodes");
        let clipped = drawn(&kitty, Rect::new(0, 0, 100, 10));
        assert_eq!(clipped.content().len(), 1000);
        assert_eq!(clipped[(0, 0)].symbol().matches("a=T").count(), 1);
    }

    #[test]
    fn transparent_padding_stays_transparent_and_the_key_colour_moves_off_the_key() {
        // A picture on a canvas with transparent rows above and below, one pixel of the key's
        // colour in it.
        let mut image = RgbaImage::new(40, 40);
        for y in 5..35 {
            for x in 0..40 {
                image.put_pixel(x, y, Rgba([x as u8 * 6, y as u8 * 6, 90, 255]));
            }
        }
        image.put_pixel(3, 10, Rgba([KEY[0], KEY[1], KEY[2], 255]));
        let kitty = KittyPng::new(&image, Size::new(4, 2), 3, false).expect("encodes");
        let buffer = drawn(&kitty, Rect::new(0, 0, 4, 2));
        let (png, _) = parse(buffer[(0, 0)].symbol());
        let sent = image::load_from_memory(&png).expect("a PNG").to_rgba8();
        for (x, y, pixel) in sent.enumerate_pixels() {
            let expected = image.get_pixel(x, y);
            match (x, y) {
                (3, 10) => assert_eq!(pixel.0, [1, 254, 3, 255]),
                _ if expected[3] == 0 => assert_eq!(pixel[3], 0, "({x}, {y}) transparent"),
                _ => assert_eq!(pixel, expected, "({x}, {y})"),
            }
        }
    }

    #[test]
    fn rgb_rows_centred_on_the_canvas_are_sent_as_the_padded_picture() {
        let rgb =
            image::RgbImage::from_fn(37, 23, |x, y| image::Rgb([x as u8 * 7, y as u8 * 9, 40]));
        let picture = DynamicImage::ImageRgb8(rgb);
        let pixels = prepare::crop_pixels(&picture, (0, 0, 37, 23), (37, 23)).expect("in place");
        let kitty =
            KittyPng::centred(&pixels, (40, 40), Size::new(4, 2), 11, false).expect("encodes");
        let (png, controls) = parse(drawn(&kitty, Rect::new(0, 0, 4, 2))[(0, 0)].symbol());
        assert!(controls[0].contains(",c=4,r=2,"));
        let sent = image::load_from_memory(&png).expect("a PNG").to_rgba8();
        let padded = prepare::pad_to(picture.to_rgba8(), (40, 40));
        for (x, y, pixel) in sent.enumerate_pixels() {
            let expected = padded.get_pixel(x, y);
            if expected[3] == 0 {
                assert_eq!(pixel[3], 0, "({x}, {y}) transparent");
            } else {
                assert_eq!(pixel, expected, "({x}, {y})");
            }
        }
    }

    #[test]
    fn inside_tmux_each_chunk_is_wrapped_with_its_escapes_doubled() {
        let kitty = KittyPng::new(&noise(100, 60), Size::new(10, 3), 5, true).expect("encodes");
        let buffer = drawn(&kitty, Rect::new(0, 0, 10, 3));
        let symbol = buffer[(0, 0)].symbol();
        let wrapped = symbol.matches("\x1bPtmux;\x1b\x1b_G").count();
        assert!(wrapped > 1);
        assert_eq!(symbol.matches("\x1b\x1b\\\x1b\\").count(), wrapped);
        assert_eq!(
            symbol.matches("\x1b_G").count(),
            wrapped,
            "no unwrapped sequence"
        );
    }

    #[test]
    fn a_photo_like_picture_takes_under_half_the_bytes_of_raw_rgba_and_fewer_than_deflated() {
        // Smooth gradients with a little noise, like a photo: PNG's row filters find the
        // gradients, deflate alone does not.
        let mut rng = fastrand::Rng::with_seed(3);
        let image = RgbaImage::from_fn(300, 200, |x, y| {
            let jitter = rng.u8(..8);
            Rgba([
                (x / 2) as u8 + jitter,
                ((y + x / 3) / 2) as u8 + jitter,
                90 + jitter,
                255,
            ])
        });
        let (size, area) = (Size::new(30, 10), Rect::new(0, 0, 30, 10));
        let bytes = |buffer: Buffer| -> usize {
            buffer
                .content()
                .iter()
                .map(|cell| cell.symbol().len())
                .sum()
        };
        let png = bytes(drawn(
            &KittyPng::new(&image, size, 9, false).expect("encodes"),
            area,
        ));
        // What ratatui-image's kitty protocol sends: RGBA, raw or deflated (`o=z`).
        let rgba = |compress| {
            let image = DynamicImage::ImageRgba8(image.clone());
            let kitty = Kitty::new(image, size, 9, false, compress).expect("encodes");
            let mut buffer = Buffer::empty(area);
            Image::new(&Protocol::Kitty(kitty)).render(area, &mut buffer);
            bytes(buffer)
        };
        let (raw, deflated) = (rgba(false), rgba(true));
        assert!(png * 2 < raw, "PNG {png} bytes, raw RGBA {raw}");
        assert!(png < deflated, "PNG {png} bytes, deflated RGBA {deflated}");
    }
}
