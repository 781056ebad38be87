//! Judging screenshots: where a picture is on screen and how closely it is drawn, how sharp a
//! drawn region is against the picture it shows, and the contrast of text.

use banana_studio::emulator::caps::Rgb;
use image::{RgbImage, imageops};

/// A rectangle of the screen, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// Where a picture was found, and how far its block colours are from the picture's (mean
/// absolute difference per channel, 0 to 255, over a 16×16 grid of blocks).
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub at: Rect,
    pub error: f64,
}

/// Sums of an image's channels over every rectangle from the origin, so any block's mean
/// colour costs four look-ups whatever its size.
struct Integral {
    stride: usize,
    sums: Vec<[u64; 3]>,
}

impl Integral {
    fn new(image: &RgbImage) -> Self {
        let (w, h) = (image.width() as usize, image.height() as usize);
        let stride = w + 1;
        let mut sums = vec![[0u64; 3]; stride * (h + 1)];
        for y in 0..h {
            let mut row = [0u64; 3];
            for x in 0..w {
                let p = image.get_pixel(x as u32, y as u32).0;
                for c in 0..3 {
                    row[c] += u64::from(p[c]);
                    sums[(y + 1) * stride + x + 1][c] = sums[y * stride + x + 1][c] + row[c];
                }
            }
        }
        Self { stride, sums }
    }

    fn mean(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> [f64; 3] {
        let at = |x: u32, y: u32| self.sums[y as usize * self.stride + x as usize];
        let (a, b, c, d) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
        let area = f64::from((x1 - x0).max(1) * (y1 - y0).max(1));
        std::array::from_fn(|i| (d[i] + a[i] - b[i] - c[i]) as f64 / area)
    }

    /// The mean colours of an n×n grid of blocks over `r`.
    fn grid(&self, r: Rect, n: u32) -> Vec<[f64; 3]> {
        let mut means = Vec::with_capacity((n * n) as usize);
        for j in 0..n {
            for i in 0..n {
                let (x0, x1) = (r.x + r.w * i / n, r.x + r.w * (i + 1) / n);
                let (y0, y1) = (r.y + r.h * j / n, r.y + r.h * (j + 1) / n);
                means.push(self.mean(x0, y0, x1.max(x0 + 1), y1.max(y0 + 1)));
            }
        }
        means
    }
}

fn grid_error(a: &[[f64; 3]], b: &[[f64; 3]]) -> f64 {
    let total: f64 = a
        .iter()
        .zip(b)
        .map(|(p, q)| (0..3).map(|c| (p[c] - q[c]).abs()).sum::<f64>())
        .sum();
    total / (a.len() * 3) as f64
}

/// Finds `picture`, drawn at any size no smaller than `min_width`, in `shot`: a coarse search
/// over positions and sizes on a 4×4 grid of block colours, then the best candidates refined
/// step by step on finer grids.
pub fn locate(shot: &RgbImage, picture: &RgbImage, min_width: u32) -> Option<Found> {
    let screen = Integral::new(shot);
    let own = Integral::new(picture);
    let whole = Rect {
        x: 0,
        y: 0,
        w: picture.width(),
        h: picture.height(),
    };
    let aspect = f64::from(picture.height()) / f64::from(picture.width());
    let (sw, sh) = shot.dimensions();
    let fits = |r: &Rect| r.w >= 8 && r.h >= 8 && r.x + r.w <= sw && r.y + r.h <= sh;
    let rect = |x: u32, y: u32, w: u32| Rect {
        x,
        y,
        w,
        h: (f64::from(w) * aspect).round() as u32,
    };
    let score = |r: Rect, n: u32, template: &[[f64; 3]]| grid_error(&screen.grid(r, n), template);

    let coarse = own.grid(whole, 4);
    let step = 20;
    let widest = sw.min((f64::from(sh) / aspect) as u32);
    let mut candidates: Vec<(f64, Rect)> = Vec::new();
    for w in (min_width..=widest).step_by(step) {
        let h = rect(0, 0, w).h;
        for y in (0..=sh.saturating_sub(h)).step_by(step) {
            for x in (0..=sw - w).step_by(step) {
                let r = rect(x, y, w);
                if fits(&r) {
                    candidates.push((score(r, 4, &coarse), r));
                }
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));

    let mut best: Option<Found> = None;
    for &(_, start) in candidates.iter().take(12) {
        let mut at = start;
        for (n, stride) in [(8u32, 6i64), (8, 3), (16, 2), (16, 1)] {
            let template = own.grid(whole, n);
            let mut error = score(at, n, &template);
            loop {
                let mut improved = false;
                for (dx, dy, dw) in [
                    (-1, 0, 0),
                    (1, 0, 0),
                    (0, -1, 0),
                    (0, 1, 0),
                    (0, 0, -1),
                    (0, 0, 1),
                    (-1, -1, 2),
                    (1, 1, -2),
                ] {
                    let (x, y, w) = (
                        i64::from(at.x) + dx * stride,
                        i64::from(at.y) + dy * stride,
                        i64::from(at.w) + dw * stride,
                    );
                    if x < 0 || y < 0 || w < 8 {
                        continue;
                    }
                    let r = rect(x as u32, y as u32, w as u32);
                    if !fits(&r) {
                        continue;
                    }
                    let e = score(r, n, &template);
                    if e < error {
                        (at, error, improved) = (r, e, true);
                    }
                }
                if !improved {
                    break;
                }
            }
        }
        let error = score(at, 16, &own.grid(whole, 16));
        if best.is_none_or(|b| error < b.error) {
            best = Some(Found { at, error });
        }
    }
    best
}

/// Detail only: the luminance minus a blurred copy of itself.
fn detail(image: &RgbImage) -> Vec<f64> {
    let grey = imageops::grayscale(image);
    let blurred = imageops::blur(&grey, 1.5);
    grey.pixels()
        .zip(blurred.pixels())
        .map(|(a, b)| f64::from(a.0[0]) - f64::from(b.0[0]))
        .collect()
}

/// How much of the picture's fine detail the region `at` of `shot` reproduces: the
/// correlation (−1 to 1) of their detail at the lowest of their two resolutions and 320 px
/// wide (each scaled down to it), the best over shifts of the region by up to 3 px (where it
/// was found is only that exact). Near 1 when drawn with at least that many pixels; coarse
/// blocks of colour, a blur or an empty region score low.
pub fn sharpness(shot: &RgbImage, at: Rect, picture: &RgbImage) -> f64 {
    let width = at.w.min(picture.width()).min(320);
    let size = (width, (width * at.h / at.w).max(1));
    let scaled = |image: &RgbImage| {
        if image.dimensions() == size {
            image.clone()
        } else {
            imageops::resize(image, size.0, size.1, imageops::FilterType::Triangle)
        }
    };
    let wanted = detail(&scaled(picture));
    let (sw, sh) = shot.dimensions();
    let at_shift = |(dx, dy): (i64, i64)| {
        let (x, y) = (i64::from(at.x) + dx, i64::from(at.y) + dy);
        if x < 0 || y < 0 || x as u32 + at.w > sw || y as u32 + at.h > sh {
            return 0.0;
        }
        let region = imageops::crop_imm(shot, x as u32, y as u32, at.w, at.h).to_image();
        correlation(&detail(&scaled(&region)), &wanted)
    };
    // Every second shift, then the neighbours of the best.
    let best_of = |shifts: Vec<(i64, i64)>| {
        shifts
            .into_iter()
            .map(|shift| (at_shift(shift), shift))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((0.0, (0, 0)))
    };
    let coarse: Vec<_> = [-2, 0, 2]
        .iter()
        .flat_map(|&dy| [-2, 0, 2].map(|dx| (dx, dy)))
        .collect();
    let (_, (cx, cy)) = best_of(coarse);
    let fine = vec![
        (cx, cy),
        (cx - 1, cy),
        (cx + 1, cy),
        (cx, cy - 1),
        (cx, cy + 1),
    ];
    best_of(fine).0
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa * bb).sqrt()
}

/// The colours of `shot` where it differs from `before`, commonest first, with their counts.
pub fn changed_colours(before: &RgbImage, shot: &RgbImage) -> Vec<([u8; 3], usize)> {
    let mut counts = std::collections::HashMap::new();
    for (a, b) in before.pixels().zip(shot.pixels()) {
        if a != b {
            *counts.entry(b.0).or_insert(0usize) += 1;
        }
    }
    let mut colours: Vec<_> = counts.into_iter().collect();
    colours.sort_by_key(|c| std::cmp::Reverse(c.1));
    colours
}

pub fn rgb(c: [u8; 3]) -> Rgb {
    Rgb(c[0], c[1], c[2])
}

/// The pixels of `r` that differ between two screenshots.
pub fn differing(a: &RgbImage, b: &RgbImage, r: Rect) -> usize {
    let mut count = 0;
    for y in r.y..r.y + r.h {
        for x in r.x..r.x + r.w {
            if a.get_pixel(x, y) != b.get_pixel(x, y) {
                count += 1;
            }
        }
    }
    count
}

/// How a difference view drawn over `at` agrees with where `newer` and `older` really
/// differ, on a 32×32 grid: the share of blocks that changed which are shown loud (magenta-
/// ish: red and blue well above green), and the share of untouched blocks shown loud.
pub fn difference_agreement(
    shot: &RgbImage,
    at: Rect,
    newer: &RgbImage,
    older: &RgbImage,
) -> (f64, f64) {
    const GRID: u32 = 32;
    let (w, h) = (GRID * 8, GRID * 8 * newer.height() / newer.width().max(1));
    let small = |image: &RgbImage| imageops::resize(image, w, h, imageops::FilterType::Triangle);
    let (a, b) = (small(newer), small(older));
    let (mut changed, mut changed_loud, mut same, mut same_loud) = (0, 0, 0, 0);
    for j in 0..GRID {
        for i in 0..GRID {
            let mut differing = 0;
            for y in h * j / GRID..h * (j + 1) / GRID {
                for x in w * i / GRID..w * (i + 1) / GRID {
                    let d: u32 = (0..3)
                        .map(|c| u32::from(a.get_pixel(x, y)[c].abs_diff(b.get_pixel(x, y)[c])))
                        .sum();
                    differing += u32::from(d > 48);
                }
            }
            let (x0, x1) = (at.x + at.w * i / GRID, at.x + at.w * (i + 1) / GRID);
            let (y0, y1) = (at.y + at.h * j / GRID, at.y + at.h * (j + 1) / GRID);
            // Loud by the block's mean, not by counting purplish pixels: a dithering encoder
            // draws a thin, blended outline with a few of those, and it is no change.
            let (mut red, mut blue) = (0i64, 0i64);
            for y in y0..y1 {
                for x in x0..x1 {
                    let [r, g, b] = shot.get_pixel(x, y).0.map(i64::from);
                    red += r - g;
                    blue += b - g;
                }
            }
            let area = i64::from((x1 - x0) * (y1 - y0)).max(1);
            let shown_loud = red / area > 32 && blue / area > 32;
            if differing * 4 >= 64 {
                changed += 1;
                changed_loud += u32::from(shown_loud);
            } else if differing == 0 {
                same += 1;
                same_loud += u32::from(shown_loud);
            }
        }
    }
    (
        f64::from(changed_loud) / f64::from(changed.max(1)),
        f64::from(same_loud) / f64::from(same.max(1)),
    )
}

/// The empty space around `at` (a picture on screen), across and down: from each of its
/// edges, how many pixels keep the screen's background colour (its commonest) before the
/// nearest thing drawn on that side. A picture fitted to its pane leaves at most a few cells
/// one way, where the pane's border, text or thumbnails begin.
pub fn margins(shot: &RgbImage, at: Rect) -> (u32, u32) {
    let mut counts = std::collections::HashMap::new();
    for pixel in shot.pixels().step_by(7) {
        *counts.entry(pixel.0).or_insert(0u32) += 1;
    }
    let background = counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map_or([0; 3], |(colour, _)| colour);
    let blank = |(x, y): (u32, u32)| {
        let p = shot.get_pixel(x, y).0;
        (0..3).all(|c| p[c].abs_diff(background[c]) <= 8)
    };
    let run = |points: &mut dyn Iterator<Item = (u32, u32)>| {
        points.take_while(|&point| blank(point)).count() as u32
    };
    let (right_edge, bottom_edge) = (at.x + at.w, at.y + at.h);
    let nearest = |runs: &mut dyn Iterator<Item = u32>| runs.min().unwrap_or(0);
    let rows = at.y..bottom_edge.min(shot.height());
    let left = nearest(
        &mut rows
            .clone()
            .map(|y| run(&mut (0..at.x).rev().map(|x| (x, y)))),
    );
    let right = nearest(&mut rows.map(|y| run(&mut (right_edge..shot.width()).map(|x| (x, y)))));
    // Above and below, across all of the empty width beside the picture too: what bounds a
    // picture fitted by its height (a strip of thumbnails under it, say) may lie to its side.
    let columns = at.x - left..(right_edge + right).min(shot.width());
    let above = nearest(
        &mut columns
            .clone()
            .map(|x| run(&mut (0..at.y).rev().map(|y| (x, y)))),
    );
    let below =
        nearest(&mut columns.map(|x| run(&mut (bottom_edge..shot.height()).map(|y| (x, y)))));
    (left + right, above + below)
}

/// How far right a picture drawn one screen pixel per picture pixel, its top left near `at`,
/// goes on screen: aligned to the pixel first (the search that found it may land a pixel or
/// two off), then the columns on whose `rows` rows match the picture's (within 24 of 255
/// per channel on average), up to the first that does not. Returns the aligned left edge
/// and the extent.
pub fn one_to_one_extent(
    shot: &RgbImage,
    at: (u32, u32),
    picture: &RgbImage,
    rows: u32,
) -> (u32, u32) {
    let off = |x: u32, y: u32, c: u32, r: u32| {
        let (s, p) = (shot.get_pixel(x + c, y + r).0, picture.get_pixel(c, r).0);
        (0..3).map(|i| u32::from(s[i].abs_diff(p[i]))).sum::<u32>()
    };
    let fits =
        |x: u32, y: u32| x + picture.width().min(480) <= shot.width() && y + rows <= shot.height();
    let rows = rows.min(picture.height());
    let candidates = (-3i64..=3).flat_map(|dx| (-3i64..=3).map(move |dy| (dx, dy)));
    let (x, y) = candidates
        .filter_map(|(dx, dy)| {
            let (x, y) = (
                u32::try_from(i64::from(at.0) + dx).ok()?,
                u32::try_from(i64::from(at.1) + dy).ok()?,
            );
            fits(x, y).then_some((x, y))
        })
        .min_by_key(|&(x, y)| {
            (0..rows)
                .step_by(3)
                .flat_map(|r| {
                    (0..picture.width().min(480))
                        .step_by(3)
                        .map(move |c| (c, r))
                })
                .map(|(c, r)| u64::from(off(x, y, c, r)))
                .sum::<u64>()
        })
        .unwrap_or(at);
    let columns = picture.width().min(shot.width().saturating_sub(x));
    let extent = (0..columns)
        .take_while(|&c| (0..rows).map(|r| off(x, y, c, r)).sum::<u32>() <= 24 * 3 * rows.max(1))
        .count() as u32;
    (x, extent)
}

/// The width of the terminal's window in a screenshot of a screen larger than it: the root
/// window around it is black, so the rightmost column of `rows` with anything else.
pub fn window_width(shot: &RgbImage, rows: std::ops::Range<u32>) -> u32 {
    (0..shot.width())
        .rev()
        .find(|&x| {
            rows.clone()
                .any(|y| y < shot.height() && shot.get_pixel(x, y).0 != [0, 0, 0])
        })
        .map_or(0, |x| x + 1)
}
