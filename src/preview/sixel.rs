//! The sixel encoder of the studio's pane, its full view and `send --preview`.
//!
//! ratatui-image's encoder (icy_sixel) builds an adaptive palette and diffuses the error pixel
//! by pixel, on one thread: 114 ms for the full view's 2000×1200 px, seven times a zoom step's
//! budget. Here most of the palette is fixed, a 6×6×6 cube, so a pixel's register is three
//! table lookups, and an 8×8 ordered dither keeps gradients smooth; unlike error diffusion it
//! needs no neighbour, so bands of six rows are encoded independently on every core. Dithering
//! a flat colour that is not on the cube would turn it into a pattern (a poster's background, an
//! infographic's panels: many more bytes, and visible), so the colours that cover large areas
//! get the remaining registers and are drawn exactly. Each register's line in a band is
//! run-length encoded and starts at the first column that uses it. The output draws in
//! ratatui-image's `Sixel` protocol like its own: [`protocol`] adds the same cell clearing and
//! tmux wrapping.

use std::fmt::Write as _;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use banana_studio_resize::Layout;
use image::RgbaImage;
use ratatui::layout::Size;
use ratatui_image::protocol::sixel::Sixel;

use super::parallel::split;
use super::prepare::Pixels;
use crate::emulator::tmux;

/// Levels of each channel in the fixed cube.
const LEVELS: usize = 6;
const CUBE: usize = LEVELS * LEVELS * LEVELS;
/// Colour registers: every terminal we draw sixel in offers 256.
const REGISTERS: usize = 256;
/// The registers left for a picture's own large flat colours.
const EXACT: usize = REGISTERS - CUBE;
/// No exact register for this colour bin: dither it on the cube.
const NONE: u8 = u8::MAX;

/// The ordered-dither matrix: each of 64 thresholds once in every 8×8 tile.
const BAYER: [[u8; 8]; 8] = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
];

/// Below this alpha a pixel is left undrawn (the terminal's background shows).
const OPAQUE: u8 = 128;

/// The bands are cut in this many pieces a thread.
const PIECES_PER_THREAD: usize = 8;

/// Pictures smaller than this are not worth a second thread.
const PIXELS_PER_THREAD: usize = 256 * 1024;

/// Every this many rows is counted to find the large flat colours: 150 rows of a 1200-px full
/// view still find the infographic's panels (the same registers as every fourth row), and a
/// zoom step's counting, which reads its rows fresh from memory, takes half the time.
const SAMPLE_ROWS: usize = 8;
/// A colour bin drawn exactly covers at least this share of the counted pixels (1/500).
const EXACT_SHARE: usize = 500;

/// For each dither threshold and channel value, the channel's share of the cube register.
struct Lookup {
    red: [[u8; 256]; 64],
    green: [[u8; 256]; 64],
    blue: [[u8; 256]; 64],
}

static LOOKUP: LazyLock<Box<Lookup>> = LazyLock::new(|| {
    let mut lookup = Box::new(Lookup {
        red: [[0; 256]; 64],
        green: [[0; 256]; 64],
        blue: [[0; 256]; 64],
    });
    for threshold in 0..64 {
        // The offset within a step that tips a value up to the next level.
        let tip = (threshold as f32 + 0.5) / 64.0;
        for value in 0..256 {
            let scaled = value as f32 * (LEVELS - 1) as f32 / 255.0;
            let level = ((scaled + tip).floor() as usize).min(LEVELS - 1);
            lookup.red[threshold][value] = (level * LEVELS * LEVELS) as u8;
            lookup.green[threshold][value] = (level * LEVELS) as u8;
            lookup.blue[threshold][value] = level as u8;
        }
    }
    lookup
});

/// A colour's bin: 5 bits a channel.
fn bin(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r >> 3) << 10) | (usize::from(g >> 3) << 5) | usize::from(b >> 3)
}

/// One picture's palette: the cube, then its large flat colours.
struct Palette {
    /// The exact register of each colour bin, or [`NONE`].
    exact: Vec<u8>,
    /// The colours of registers `CUBE..`.
    colours: Vec<[u8; 3]>,
}

impl Palette {
    /// Counts every [`SAMPLE_ROWS`]th row of the canvas in colour bins, on `threads` threads;
    /// the bins covering at least 1/[`EXACT_SHARE`] of it, most first, get exact registers
    /// (their mean colour). A photo has none, so the colours are summed in a second pass, for
    /// those bins alone: summing every bin was most of the time.
    fn of<const CHANNELS: usize>(picture: &Placed, threads: usize) -> Palette {
        let sampled: Vec<&[u8]> = (0..picture.canvas.1)
            .step_by(SAMPLE_ROWS)
            .filter_map(|y| picture.row(y))
            .collect();
        let per_thread = sampled.len().div_ceil(threads).max(1);
        let parts = sampled.chunks(per_thread).collect::<Vec<_>>();
        let count_rows = |rows: &[&[u8]]| {
            let mut count = vec![0u32; 1 << 15];
            for pixel in rows.iter().flat_map(|row| row.chunks_exact(CHANNELS)) {
                if opaque::<CHANNELS>(pixel) {
                    count[bin(pixel[0], pixel[1], pixel[2])] += 1;
                }
            }
            count
        };
        let counts = on_parts(&parts, &sampled, count_rows);
        let mut count = vec![0u32; 1 << 15];
        for part in &counts {
            for (total, n) in count.iter_mut().zip(part) {
                *total += n;
            }
        }
        let counted = count.iter().map(|&n| n as usize).sum::<usize>();
        let least = (counted / EXACT_SHARE).max(1) as u32;
        let mut large: Vec<usize> = (0..count.len()).filter(|&k| count[k] >= least).collect();
        large.sort_unstable_by_key(|&k| std::cmp::Reverse(count[k]));
        large.truncate(EXACT);
        let mut exact = vec![NONE; 1 << 15];
        for (index, &key) in large.iter().enumerate() {
            exact[key] = index as u8;
        }
        let sum_rows = |rows: &[&[u8]]| {
            let mut sum = vec![[0u32; 3]; large.len()];
            for pixel in rows.iter().flat_map(|row| row.chunks_exact(CHANNELS)) {
                let index = exact[bin(pixel[0], pixel[1], pixel[2])];
                if opaque::<CHANNELS>(pixel) && index != NONE {
                    for channel in 0..3 {
                        sum[usize::from(index)][channel] += u32::from(pixel[channel]);
                    }
                }
            }
            sum
        };
        let mut sum = vec![[0u32; 3]; large.len()];
        if !large.is_empty() {
            let sums = on_parts(&parts, &sampled, sum_rows);
            for part in &sums {
                for (total, part) in sum.iter_mut().zip(part) {
                    for channel in 0..3 {
                        total[channel] += part[channel];
                    }
                }
            }
        }
        let colours = large
            .iter()
            .zip(&sum)
            .map(|(&key, sum)| {
                let n = count[key];
                sum.map(|s| ((s + n / 2) / n) as u8)
            })
            .collect();
        for register in &mut exact {
            if *register != NONE {
                *register += CUBE as u8;
            }
        }
        Palette { exact, colours }
    }

    /// A register's colour as sixel's percentages.
    fn percent(&self, register: usize) -> [u32; 3] {
        match register.checked_sub(CUBE) {
            Some(index) => self.colours[index].map(|c| (u32::from(c) * 100 + 127) / 255),
            None => {
                let level = |l: usize| ((l * 100 + (LEVELS - 1) / 2) / (LEVELS - 1)) as u32;
                [
                    level(register / (LEVELS * LEVELS)),
                    level(register / LEVELS % LEVELS),
                    level(register % LEVELS),
                ]
            }
        }
    }
}

/// A picture centred on a transparent canvas: what the encoder draws.
struct Placed<'a> {
    pixels: &'a Pixels<'a>,
    /// The canvas's width and height.
    canvas: (usize, usize),
    /// Where the picture's top left pixel lies on the canvas.
    at: (usize, usize),
}

impl Placed<'_> {
    /// The picture's pixels in canvas row `y`, from canvas column `at.0`; `None` where the
    /// row is all padding.
    fn row(&self, y: usize) -> Option<&[u8]> {
        let y = y.checked_sub(self.at.1)?;
        (y < self.pixels.size.1 as usize).then(|| self.pixels.row(y))
    }
}

/// Whether a pixel is drawn: RGB always, RGBA from half its alpha up.
fn opaque<const CHANNELS: usize>(pixel: &[u8]) -> bool {
    CHANNELS < 4 || pixel[3] >= OPAQUE
}

/// `before`, then `pixels` centred on a transparent canvas of `canvas` pixels (at least the
/// pixels' size) as one sixel image, `ESC P … ESC \`; in tmux its escapes doubled and tmux's
/// passthrough (begun in `before`) ended. Pixels with alpha below half are left transparent.
/// Everything is written into one string, so the 2 MB of a photo's sixels are copied once.
fn encode(pixels: &Pixels, canvas: (u32, u32), before: &str, is_tmux: bool) -> String {
    let picture = centre(pixels, canvas);
    match pixels.layout {
        Layout::Rgb8 => encode_placed::<3>(&picture, before, is_tmux),
        Layout::Rgba8 => encode_placed::<4>(&picture, before, is_tmux),
    }
}

/// `pixels` centred on a canvas of `canvas` pixels (grown to hold them).
fn centre<'a>(pixels: &'a Pixels<'a>, canvas: (u32, u32)) -> Placed<'a> {
    let (width, height) = (pixels.size.0.max(canvas.0), pixels.size.1.max(canvas.1));
    Placed {
        pixels,
        canvas: (width as usize, height as usize),
        at: (
            ((width - pixels.size.0) / 2) as usize,
            ((height - pixels.size.1) / 2) as usize,
        ),
    }
}

fn encode_placed<const CHANNELS: usize>(picture: &Placed, before: &str, is_tmux: bool) -> String {
    let palette = Palette::of::<CHANNELS>(picture, threads_for(picture.canvas));
    encode_with::<CHANNELS>(picture, &palette, before, is_tmux)
}

/// The threads worth starting for a canvas of this size.
fn threads_for((width, height): (usize, usize)) -> usize {
    thread::available_parallelism()
        .map_or(1, usize::from)
        .min((width * height / PIXELS_PER_THREAD).max(1))
        .min(height.div_ceil(6).max(1))
}

/// [`encode_placed`] with a palette already chosen (a tile's: the whole picture's).
fn encode_with<const CHANNELS: usize>(
    picture: &Placed,
    palette: &Palette,
    before: &str,
    is_tmux: bool,
) -> String {
    let escape = tmux::escape(is_tmux);
    let (width, height) = picture.canvas;
    let bands = height.div_ceil(6);
    let threads = threads_for(picture.canvas);
    // The bands in pieces that the threads take in turn: a thread that gets less of a core
    // (another program's turn, the bottom's transparent padding) takes fewer.
    let per_piece = bands.div_ceil(threads * PIECES_PER_THREAD).max(1);
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, Bands)> = split(threads, |_| {
        encode_pieces::<CHANNELS>(picture, palette, &next, per_piece)
    })
    .unwrap_or_else(|| {
        next.store(0, Ordering::Relaxed);
        vec![encode_pieces::<CHANNELS>(
            picture, palette, &next, per_piece,
        )]
    })
    .into_iter()
    .flatten()
    .collect();
    parts.sort_unstable_by_key(|&(piece, _)| piece);
    let parts: Vec<Bands> = parts.into_iter().map(|(_, part)| part).collect();
    let body: usize = parts.iter().map(|part| part.sixels.len()).sum();
    let mut out = String::with_capacity(before.len() + body + REGISTERS * 20 + 64);
    out.push_str(before);
    // P1 = 9: square pixels; P2 = 1: undrawn pixels keep what is behind them. The raster
    // attributes say the same for terminals (and tmux) that read only those.
    let _ = write!(out, "{escape}P9;1;0q\"1;1;{width};{height}");
    for register in 0..REGISTERS {
        if parts.iter().any(|part| part.used[register]) {
            let [r, g, b] = palette.percent(register);
            let _ = write!(out, "#{register};2;{r};{g};{b}");
        }
    }
    for part in &parts {
        // Only ASCII is ever pushed, so this cannot fail.
        out.push_str(std::str::from_utf8(&part.sixels).unwrap_or_default());
    }
    let _ = write!(out, "{escape}\\");
    if is_tmux {
        out.push_str(tmux::PASSTHROUGH_END);
    }
    out
}

/// `work` on each part's rows, each on its own thread; on all `rows` here if one panicked.
fn on_parts<T: Send>(
    parts: &[&[&[u8]]],
    rows: &[&[u8]],
    work: impl Fn(&[&[u8]]) -> T + Sync,
) -> Vec<T> {
    split(parts.len(), |part| work(parts.get(part).map_or(&[], |p| p)))
        .unwrap_or_else(|| vec![work(rows)])
}

/// Encoded bands and the registers they use.
struct Bands {
    sixels: Vec<u8>,
    used: [bool; REGISTERS],
}

/// Takes pieces of `per_piece` bands (six rows each) from `next` until none are left, and
/// encodes each, every band ended by `-`.
fn encode_pieces<const CHANNELS: usize>(
    picture: &Placed,
    palette: &Palette,
    next: &AtomicUsize,
    per_piece: usize,
) -> Vec<(usize, Bands)> {
    let lookup = &**LOOKUP;
    let (width, height) = picture.canvas;
    let left = picture.at.0;
    // A band's six bits per register and column; only touched spans are cleared. Each line has
    // eight zero bytes after its last column, so eight columns can always be read at once.
    let stride = width + 8;
    let mut lines = vec![0u8; REGISTERS * stride];
    // Which of 64 stretches of columns each register touches in the band: one store a pixel,
    // where the first and last column would cost a compare and two stores. A byte each, not a
    // bit of a word: ORing a word, each pixel waited for the last pixel's store to it.
    let stretch = width.div_ceil(64).next_power_of_two().trailing_zeros();
    let mut touched = Box::new([[false; 64]; REGISTERS]);
    let mut registers = vec![0u8; picture.pixels.size.0 as usize];
    let mut done = Vec::new();
    loop {
        let piece = next.fetch_add(1, Ordering::Relaxed);
        let first = piece * per_piece;
        if first >= height.div_ceil(6) {
            return done;
        }
        let range = first..(first + per_piece).min(height.div_ceil(6));
        let mut out = Vec::with_capacity(range.len() * width * 2);
        let mut used = [false; REGISTERS];
        for band in range {
            let top = band * 6;
            for y in top..(top + 6).min(height) {
                let Some(row) = picture.row(y) else {
                    continue;
                };
                let bit = 1u8 << (y - top);
                let bayer = &BAYER[y % 8];
                // First every pixel's register, then the lines: two short loops run faster than
                // one long one, whose chain of lookups and stores kept the core waiting.
                let channels = bayer.map(|threshold| {
                    let threshold = usize::from(threshold);
                    (
                        &lookup.red[threshold],
                        &lookup.green[threshold],
                        &lookup.blue[threshold],
                    )
                });
                // The dither's thresholds go by canvas column.
                let channels: Thresholds = std::array::from_fn(|i| channels[(i + left) % 8]);
                // A photo has no exact colours: then not even their table is read.
                if palette.colours.is_empty() {
                    dither_row::<CHANNELS, false>(&mut registers, row, &channels, palette);
                } else {
                    dither_row::<CHANNELS, true>(&mut registers, row, &channels, palette);
                }
                for (x, (&register, pixel)) in registers
                    .iter()
                    .zip(row.chunks_exact(CHANNELS))
                    .enumerate()
                    .map(|(x, pair)| (x + left, pair))
                {
                    if !opaque::<CHANNELS>(pixel) {
                        continue;
                    }
                    let register = usize::from(register);
                    touched[register][(x >> stretch) & 63] = true;
                    lines[register * stride + x] |= bit;
                }
            }
            // The band's registers in order, found by their stretches (a pass over 16 KB a band,
            // not a check of every pixel's register).
            let mut first_register = true;
            for (register, stretches) in touched.iter_mut().enumerate() {
                // Folded, not `any`: no early exit, so the 64 bytes are read as a few vectors.
                if !stretches.iter().fold(false, |any, &t| any | t) {
                    continue;
                }
                // Back to the band's left edge for each register after the first; the band's
                // end does that too.
                if !first_register {
                    out.push(b'$');
                }
                first_register = false;
                used[register] = true;
                out.push(b'#');
                push_number(&mut out, register);
                let line = &mut lines[register * stride..(register + 1) * stride];
                let from = stretches.iter().position(|&t| t).unwrap_or(0) << stretch;
                let to =
                    (stretches.iter().rposition(|&t| t).map_or(0, |t| t + 1) << stretch).min(width);
                *stretches = [false; 64];
                // Each register's line starts at the band's left edge; columns without its bits
                // are runs of `?` between its own, and nothing after its last.
                let mut drawn = 0;
                let mut x = from;
                while x < to {
                    // Most of a dithered register's line is other registers' columns: find its next
                    // one eight columns at a time (sixel bits are below 64, so adding 0x7f to a
                    // byte sets its top bit exactly when it is not zero).
                    let mut eight = [0u8; 8];
                    eight.copy_from_slice(&line[x..x + 8]);
                    let word = u64::from_le_bytes(eight);
                    let set = word.wrapping_add(0x7f7f_7f7f_7f7f_7f7f) & 0x8080_8080_8080_8080;
                    if set == 0 {
                        x += 8;
                        continue;
                    }
                    let start = x + (set.trailing_zeros() / 8) as usize;
                    let bits = line[start];
                    let mut end = start + 1;
                    while line[end] == bits {
                        end += 1;
                    }
                    push_run(&mut out, start - drawn, 0);
                    push_run(&mut out, end - start, bits);
                    drawn = end;
                    x = end;
                }
                line[from..to].fill(0);
            }
            out.push(b'-');
        }
        done.push((piece, Bands { sixels: out, used }));
    }
}

/// The dither's three channel tables for each of eight columns in turn.
type Thresholds<'a> = [(&'a [u8; 256], &'a [u8; 256], &'a [u8; 256]); 8];

/// Each pixel's register in `registers`: its colour's exact register if it has one (looked up
/// only when `EXACT`: the picture has such colours), else the dithered cube's.
fn dither_row<const CHANNELS: usize, const EXACT: bool>(
    registers: &mut [u8],
    row: &[u8],
    channels: &Thresholds,
    palette: &Palette,
) {
    for (eight, pixels) in registers.chunks_mut(8).zip(row.chunks(8 * CHANNELS)) {
        for ((register, pixel), (red, green, blue)) in eight
            .iter_mut()
            .zip(pixels.chunks_exact(CHANNELS))
            .zip(channels)
        {
            let (r, g, b) = (pixel[0], pixel[1], pixel[2]);
            let exact = if EXACT {
                palette.exact[bin(r, g, b)]
            } else {
                NONE
            };
            *register = if exact != NONE {
                exact
            } else {
                red[usize::from(r)] + green[usize::from(g)] + blue[usize::from(b)]
            };
        }
    }
}

/// `count` columns of the six bits `bits`: `!count` and the character when that is shorter.
fn push_run(out: &mut Vec<u8>, count: usize, bits: u8) {
    let character = b'?' + bits;
    if count <= 3 {
        // Most runs of a dithered picture are this short: three characters written and the
        // extra ones dropped, without a branch on the count (a jump table mispredicted).
        let len = out.len();
        out.extend_from_slice(&[character; 3]);
        out.truncate(len + count);
    } else {
        out.push(b'!');
        push_number(out, count);
        out.push(character);
    }
}

fn push_number(out: &mut Vec<u8>, mut number: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// ratatui-image's sixel protocol for a picture that fills `size` cells exactly: the cells are
/// erased first (the picture may be transparent at its edges), and inside tmux everything is
/// wrapped in tmux's passthrough with its escapes doubled. ratatui-image draws it as its own.
pub fn protocol(image: &RgbaImage, size: Size, is_tmux: bool) -> Sixel {
    centred(&Pixels::of_rgba(image), image.dimensions(), size, is_tmux)
}

/// Like [`protocol`], for `pixels` centred on a transparent canvas of `canvas` pixels that
/// fills `size` cells: the padding is never written out as pixels.
pub fn centred(pixels: &Pixels, canvas: (u32, u32), size: Size, is_tmux: bool) -> Sixel {
    Sixel {
        data: encode(pixels, canvas, &clear_cells(size, is_tmux), is_tmux),
        size,
        is_tmux,
    }
}

/// A tile's top left and size, in cells.
pub type Tile = ((u16, u16), (u16, u16));

/// Like [`centred`], cut into `tiles` of a canvas of `font`-sized cells, for a terminal that
/// draws pictures no larger than a tile: the picture is scaled once and the palette chosen
/// once, so each tile holds exactly the pixels under its cells and neighbours meet without a
/// seam, in shape or colour.
pub fn tiled(
    pixels: &Pixels,
    canvas: (u32, u32),
    font: (u32, u32),
    tiles: &[Tile],
    is_tmux: bool,
) -> Vec<((u16, u16), Sixel)> {
    match pixels.layout {
        Layout::Rgb8 => tiled_with::<3>(pixels, canvas, font, tiles, is_tmux),
        Layout::Rgba8 => tiled_with::<4>(pixels, canvas, font, tiles, is_tmux),
    }
}

fn tiled_with<const CHANNELS: usize>(
    pixels: &Pixels,
    canvas: (u32, u32),
    font: (u32, u32),
    tiles: &[Tile],
    is_tmux: bool,
) -> Vec<((u16, u16), Sixel)> {
    let whole = centre(pixels, canvas);
    let palette = Palette::of::<CHANNELS>(&whole, threads_for(whole.canvas));
    let (left, top) = whole.at;
    let (right, bottom) = (left + pixels.size.0 as usize, top + pixels.size.1 as usize);
    tiles
        .iter()
        .map(|&(at, cells)| {
            let size = Size::new(cells.0, cells.1);
            let x = usize::from(at.0) * font.0 as usize;
            let y = usize::from(at.1) * font.1 as usize;
            let tile = (
                usize::from(cells.0) * font.0 as usize,
                usize::from(cells.1) * font.1 as usize,
            );
            // The picture's part under this tile: from..to on the whole canvas.
            let from = (x.max(left), y.max(top));
            let to = ((x + tile.0).min(right), (y + tile.1).min(bottom));
            let part = if from.0 < to.0 && from.1 < to.1 {
                pixels.window(
                    ((from.0 - left) as u32, (from.1 - top) as u32),
                    ((to.0 - from.0) as u32, (to.1 - from.1) as u32),
                )
            } else {
                // Padding only: an empty picture, its cells still cleared.
                pixels.window((0, 0), (0, 0))
            };
            let placed = Placed {
                pixels: &part,
                canvas: tile,
                at: (from.0.saturating_sub(x), from.1.saturating_sub(y)),
            };
            let data =
                encode_with::<CHANNELS>(&placed, &palette, &clear_cells(size, is_tmux), is_tmux);
            (
                at,
                Sixel {
                    data,
                    size,
                    is_tmux,
                },
            )
        })
        .collect()
}

/// What ratatui-image's sixel encoder puts before the image: erase each row of the cells
/// (`ECH`, cursor down), back up to the top; inside tmux, after the start of the passthrough
/// (which [`protocol`] ends after the image).
fn clear_cells(size: Size, is_tmux: bool) -> String {
    let escape = tmux::escape(is_tmux);
    let mut data = String::with_capacity(usize::from(size.height) * 16 + 32);
    if is_tmux {
        data.push_str(tmux::PASSTHROUGH_START);
    }
    let (width, height) = (size.width, size.height);
    if height == 1 {
        let _ = write!(data, "{escape}[{width}X");
    } else {
        for _ in 0..height {
            let _ = write!(data, "{escape}[{width}X{escape}[1B");
        }
        let _ = write!(data, "{escape}[{height}A");
    }
    data
}

#[cfg(test)]
pub(crate) mod tests;
