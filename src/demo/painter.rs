//! The offline demo model's painter: turns a conversation into a deterministic mock
//! infographic, so the studio can be driven end to end without the network while a
//! person can still see that every edit prompt was "followed".

use image::RgbImage;

use crate::bitmap_text::{self, sanitize, text_w, wrap};

/// What the demo model was asked for, read from the conversation.
pub struct Scene<'a> {
    /// The first user prompt of the conversation: the subject, drawn as the title.
    pub subject: &'a str,
    /// Every later user prompt, oldest first: each one is an edit applied on top.
    pub edits: &'a [&'a str],
    /// `Some(1)` or `Some(2)` for the model's interim "thought" drafts, `None` for the final image.
    pub draft: Option<u8>,
    /// Which of several answers to the same request this is (0 for the first): another
    /// variant, another palette and layout, as a real model samples a new picture each time.
    pub variant: u64,
}

/// Paints the scene at exactly `width` x `height` pixels. Deterministic: same input, same pixels.
pub fn paint(scene: &Scene<'_>, width: u32, height: u32) -> RgbImage {
    let mut img = RgbImage::new(width, height);
    if width == 0 || height == 0 {
        return img;
    }
    let look = Look::read(scene);
    // Only the subject (and the variant) seed the hash, so edits change exactly what they
    // ask for.
    let seed = fnv1a(scene.subject) ^ scene.variant.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let pal = match scene.draft {
        Some(_) => PENCIL,
        None => Palette::new(&look, seed),
    };
    let (w, h) = (i64::from(width), i64::from(height));
    let line = (w.min(h) / 256).max(1);
    let sketch = scene.draft.is_some();
    let mut c = Canvas {
        buf: &mut img,
        w,
        h,
        sketch,
        line,
    };
    draw(&mut c, scene, &look, &pal, seed);
    img
}

type Rgb = [u8; 3];

const HUE_WORDS: [&str; 9] = [
    "red", "orange", "yellow", "green", "teal", "blue", "purple", "violet", "pink",
];
const HUES: [f32; 9] = [0.0, 28.0, 50.0, 125.0, 176.0, 218.0, 275.0, 275.0, 330.0];

#[derive(Clone, Copy)]
enum Tint {
    Hue(f32),
    /// A dark, low-saturation orange: browns.
    Brown,
    Mono,
}

/// Everything the prompts asked for, in a form the drawing code can use directly.
#[derive(Default)]
struct Look<'a> {
    tint: Option<Tint>,
    /// `Some(true)` for dark, `Some(false)` for light.
    dark: Option<bool>,
    title_step: i64,
    legend: bool,
    frame: bool,
    grid: bool,
    /// Edits (numbered from 1) that asked for nothing else this painter can show.
    captions: Vec<(usize, &'a str)>,
}

impl<'a> Look<'a> {
    fn read(scene: &Scene<'a>) -> Self {
        let mut look = Look::default();
        let prompts = std::iter::once(scene.subject).chain(scene.edits.iter().copied());
        for (i, prompt) in prompts.enumerate() {
            let lower = prompt.to_lowercase();
            let words: Vec<&str> = lower
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            // A short colour command ("blue palette") shows as the new palette; a longer
            // request that merely mentions a colour ("a red spot") still gets its caption.
            let mut shown = look.read_colours(&words) && words.len() <= 6;
            if i == 0 {
                continue;
            }
            let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
            if has(&["title", "heading", "headline"]) {
                let step = if has(&["bigger", "larger", "huge"]) {
                    1
                } else {
                    -i64::from(has(&["smaller"]))
                };
                look.title_step = (look.title_step + step).clamp(-3, 4);
                shown |= step != 0;
            }
            // "add a legend" puts one in; "remove the legend" (or "no legend") takes it out.
            let removing = has(&["remove", "without", "no", "delete", "drop", "hide"]);
            for (flag, keys) in [
                (&mut look.legend, &["legend", "legends", "key"][..]),
                (&mut look.frame, &["border", "borders", "frame"][..]),
                (&mut look.grid, &["grid", "gridlines"][..]),
            ] {
                if has(keys) {
                    *flag = !removing;
                    shown = true;
                }
            }
            // "remove the captions" clears the edit notes shown so far.
            if removing && has(&["caption", "captions", "notes", "text"]) {
                look.captions.clear();
                shown = true;
            }
            if !shown {
                look.captions.push((i, prompt));
            }
        }
        look
    }

    /// Applies colour words in reading order, so the last one mentioned wins.
    fn read_colours(&mut self, words: &[&str]) -> bool {
        let mut found = false;
        let mut i = 0;
        while i < words.len() {
            // "black and white" must not read as "dark" followed by "light".
            let bw = words[i..].starts_with(&["black", "and", "white"]);
            let (tint, dark) = match words[i] {
                _ if bw => (Some(Tint::Mono), None),
                "mono" | "monochrome" | "grayscale" | "greyscale" | "gray" | "grey" => {
                    (Some(Tint::Mono), None)
                }
                "dark" | "night" | "black" => (None, Some(true)),
                "light" | "white" | "pastel" => (None, Some(false)),
                // Temperature words: a whole palette, as a designer means them.
                "warm" | "autumnal" => (Some(Tint::Hue(24.0)), None),
                "cool" | "cold" | "icy" => (Some(Tint::Hue(200.0)), None),
                "brown" | "earthy" | "sepia" => (Some(Tint::Brown), None),
                word => match HUE_WORDS.iter().position(|&n| n == word) {
                    Some(k) => (Some(Tint::Hue(HUES[k])), None),
                    None => (None, None),
                },
            };
            found |= tint.is_some() || dark.is_some();
            self.tint = tint.or(self.tint);
            self.dark = dark.or(self.dark);
            i += if bw { 3 } else { 1 };
        }
        found
    }
}

struct Palette {
    bg: Rgb,
    bg_low: Rgb,
    panel: Rgb,
    ink: Rgb,
    faint: Rgb,
    accents: [Rgb; 4],
}

impl Palette {
    fn new(look: &Look<'_>, seed: u64) -> Self {
        // A hash-picked hue only faintly tints the background, so that naming a colour,
        // even the same hue, is always a visible jump.
        let (hue, bg_sat, sat) = match look.tint {
            Some(Tint::Hue(hue)) => (hue, 0.75, 0.78),
            Some(Tint::Brown) => (26.0, 0.45, 0.5),
            Some(Tint::Mono) => (0.0, 0.0, 0.0),
            None => ((seed % 360) as f32, 0.12, 0.6),
        };
        let (bg_l, low_l, panel_l, ink_l, acc_l) = match look.dark {
            Some(true) => (0.12, 0.17, 0.2, 0.93, 0.62),
            None if (seed >> 20).is_multiple_of(4) => (0.12, 0.17, 0.2, 0.93, 0.62),
            Some(false) => (0.93, 0.89, 0.98, 0.16, 0.55),
            None => (0.84, 0.78, 0.96, 0.13, 0.47),
        };
        let turns = if matches!(look.tint, Some(Tint::Hue(_) | Tint::Brown)) {
            // A named colour means shades of that colour, not a colour wheel.
            [(0.0, 0.0), (18.0, 0.16), (-12.0, -0.14), (30.0, 0.28)]
        } else {
            [(0.0, 0.0), (35.0, 0.12), (-35.0, -0.12), (180.0, 0.04)]
        };
        // Browns are orange taken down: darker accents on a paper-coloured ground.
        let acc_l = if matches!(look.tint, Some(Tint::Brown)) {
            acc_l - 0.2
        } else {
            acc_l
        };
        let (bg, ink) = (hsl(hue, bg_sat, bg_l), hsl(hue, sat * 0.4, ink_l));
        Palette {
            bg,
            bg_low: hsl(hue + 10.0, bg_sat, low_l),
            panel: hsl(hue, bg_sat * 0.6, panel_l),
            ink,
            faint: mix(bg, ink, 30),
            accents: turns.map(|(turn, lift)| hsl(hue + turn, sat, acc_l + lift)),
        }
    }
}

/// Drafts are pencil on paper whatever the prompt said: colour is for the final.
const PENCIL: Palette = Palette {
    bg: [238; 3],
    bg_low: [226; 3],
    panel: [150; 3],
    ink: [55; 3],
    faint: [185; 3],
    accents: [[95; 3], [125; 3], [75; 3], [140; 3]],
};

/// HSL to RGB, as CSS defines it.
fn hsl(hue: f32, sat: f32, light: f32) -> Rgb {
    let l = light.clamp(0.0, 1.0);
    let a = sat.clamp(0.0, 1.0) * l.min(1.0 - l);
    [0.0, 8.0, 4.0].map(|n: f32| {
        let k = (n + hue.rem_euclid(360.0) / 30.0) % 12.0;
        ((l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)) * 255.0).round() as u8
    })
}

fn mix(a: Rgb, b: Rgb, percent: i64) -> Rgb {
    let t = percent.clamp(0, 100);
    [0, 1, 2].map(|i| (i64::from(a[i]) + (i64::from(b[i]) - i64::from(a[i])) * t / 100) as u8)
}

fn fnv1a(text: &str) -> u64 {
    let mix = |h: u64, b: u8| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    text.bytes().fold(0xcbf2_9ce4_8422_2325, mix)
}

/// splitmix64: tiny, well spread, and the same numbers on every platform.
struct Rng(u64);

impl Rng {
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        lo + ((z ^ (z >> 31)) % (hi - lo + 1).max(1) as u64) as i64
    }
}

/// A half-open pixel box; it may stick out of the image or be empty.
#[derive(Clone, Copy)]
struct Rect {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

fn rect(x0: i64, y0: i64, x1: i64, y1: i64) -> Rect {
    Rect { x0, y0, x1, y1 }
}

impl Rect {
    fn w(&self) -> i64 {
        self.x1 - self.x0
    }
    fn h(&self) -> i64 {
        self.y1 - self.y0
    }
    fn inset(&self, d: i64) -> Rect {
        rect(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)
    }
}

/// Drawing on the raw RGB buffer. Everything is clipped here, so callers may hand in
/// boxes that stick out of (or are inverted in) tiny images without any checks.
struct Canvas<'b> {
    buf: &'b mut [u8],
    w: i64,
    h: i64,
    /// Draft mode: shapes become outlines, as in a pencil sketch.
    sketch: bool,
    line: i64,
}

impl Canvas<'_> {
    /// Fills one row span by doubling copies, then copies it down: big areas cost
    /// memcpy speed instead of a call per pixel.
    fn fill(&mut self, r: Rect, c: Rgb) {
        let (w, h) = (self.w, self.h);
        let (x0, x1) = (r.x0.clamp(0, w) as usize, r.x1.clamp(0, w) as usize);
        let (y0, y1) = (r.y0.clamp(0, h) as usize, r.y1.clamp(0, h) as usize);
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let stride = self.w as usize * 3;
        let span = y0 * stride + x0 * 3..y0 * stride + x1 * 3;
        let row = &mut self.buf[span.clone()];
        row[..3].copy_from_slice(&c);
        let mut done = 3;
        while done < row.len() {
            let n = done.min(row.len() - done);
            row.copy_within(..n, done);
            done += n;
        }
        for y in y0 + 1..y1 {
            self.buf.copy_within(span.clone(), y * stride + x0 * 3);
        }
    }

    fn outline(&mut self, r: Rect, t: i64, c: Rgb) {
        let t = t.min(r.w() / 2).min(r.h() / 2).max(1);
        self.fill(rect(r.x0, r.y0, r.x1, r.y0 + t), c);
        self.fill(rect(r.x0, r.y1 - t, r.x1, r.y1), c);
        self.fill(rect(r.x0, r.y0, r.x0 + t, r.y1), c);
        self.fill(rect(r.x1 - t, r.y0, r.x1, r.y1), c);
    }

    fn shape(&mut self, r: Rect, c: Rgb) {
        if self.sketch {
            self.outline(r, self.line, c);
        } else {
            self.fill(r, c);
        }
    }

    fn row(&mut self, y: i64, x0: i64, x1: i64, c: Rgb) {
        self.fill(rect(x0, y, x1, y + 1), c);
    }

    fn disc(&mut self, cx: i64, cy: i64, r: i64, c: Rgb) {
        let (r, inner) = (r.max(0), r - self.line);
        for dy in -r..=r {
            let outer = (r * r - dy * dy).isqrt();
            if self.sketch && dy.abs() < inner {
                let hole = (inner * inner - dy * dy).isqrt();
                self.row(cy + dy, cx - outer, cx - hole, c);
                self.row(cy + dy, cx + hole + 1, cx + outer + 1, c);
            } else {
                self.row(cy + dy, cx - outer, cx + outer + 1, c);
            }
        }
    }

    /// An upward triangle filling the box, built from row spans.
    fn triangle(&mut self, r: Rect, c: Rgb) {
        let (mid, t) = ((r.x0 + r.x1) / 2, self.line);
        for y in r.y0..r.y1 {
            let half = r.w() * (y - r.y0 + 1) / r.h() / 2;
            if self.sketch && y < r.y1 - t {
                self.row(y, mid - half, mid - half + t, c);
                self.row(y, mid + half - t, mid + half, c);
            } else {
                self.row(y, mid - half, mid + half, c);
            }
        }
    }

    /// The wireframe "placeholder" X; each row reaches where the next one starts, so
    /// shallow diagonals stay unbroken.
    fn cross(&mut self, r: Rect, c: Rgb) {
        for y in r.y0..r.y1 {
            let a = r.w() * (y - r.y0) / r.h();
            let b = (r.w() * (y - r.y0 + 1) / r.h()).max(a + self.line);
            self.row(y, r.x0 + a, r.x0 + b, c);
            self.row(y, r.x1 - b, r.x1 - a, c);
        }
    }

    /// Lines on a global lattice, so the grid lines up across cards and background.
    fn grid(&mut self, r: Rect, step: i64, t: i64, c: Rgb) {
        for x in (r.x0 / step + 1..)
            .map(|k| k * step)
            .take_while(|&x| x < r.x1)
        {
            self.fill(rect(x, r.y0, x + t, r.y1), c);
        }
        for y in (r.y0 / step + 1..)
            .map(|k| k * step)
            .take_while(|&y| y < r.y1)
        {
            self.fill(rect(r.x0, y, r.x1, y + t), c);
        }
    }

    /// Draws ASCII text (see [`bitmap_text::sanitize`]) up to `max_x`.
    fn text(&mut self, x: i64, y: i64, s: &str, scale: i64, max_x: i64, c: Rgb) {
        bitmap_text::draw(s, x, y, scale, max_x, |px, py, size| {
            self.fill(rect(px, py, px + size, py + size), c)
        });
    }
}

/// Picks the largest title scale, up to the requested one, at which whole words fit on
/// at most four lines; only a title too long even at scale 1 gets cut.
fn fit_title(subject: &str, width: i64, max_h: i64, base: i64, step: i64) -> (i64, Vec<String>) {
    let longest = sanitize(subject).split_whitespace().map(str::len).max();
    let longest = longest.unwrap_or(0) as i64;
    let mut scale = (base + step * (base / 3).max(1)).max(1);
    let cols = |scale: i64| (width / (8 * scale)).max(1);
    while scale > 1 {
        let lines = wrap(subject, cols(scale) as usize, usize::MAX).len() as i64;
        if longest <= cols(scale) && lines <= 4 && lines * 10 * scale <= max_h {
            break;
        }
        scale -= 1;
    }
    (scale, wrap(subject, cols(scale) as usize, 4))
}

/// Percentages shown by the waffle chart, one per accent colour, summing to 100.
fn shares(seed: u64) -> [i64; 4] {
    let mut rng = Rng(seed ^ 0x5eed);
    let (a, b, d) = (rng.range(35, 55), rng.range(15, 25), rng.range(5, 15));
    [a, b, d, 100 - a - b - d]
}

/// Legend entries: the subject's main words, then generic series names; each word no longer
/// than `letters`, so a label is never cut by the legend's edge.
fn legend_labels(subject: &str, seed: u64, letters: usize) -> Vec<String> {
    const SKIP: [&str; 14] = [
        "about",
        "infographic",
        "with",
        "from",
        "that",
        "made",
        "create",
        "make",
        "draw",
        "show",
        "image",
        "picture",
        "poster",
        "diagram",
    ];
    let letters = letters.clamp(1, 12);
    let clean = sanitize(subject).to_ascii_lowercase();
    let words = clean.split(|ch: char| !ch.is_ascii_alphanumeric());
    let mut labels: Vec<String> = words
        .filter(|w| w.len() >= 4 && !SKIP.contains(w))
        .take(4)
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..w.len().min(letters)])
        .collect();
    for letter in ['A', 'B', 'C', 'D'].into_iter().skip(labels.len()) {
        labels.push(format!("Series {letter}"));
    }
    labels
        .iter()
        .zip(shares(seed))
        .map(|(l, pct)| format!("{l} {pct}%"))
        .collect()
}

fn draw(c: &mut Canvas<'_>, scene: &Scene<'_>, look: &Look<'_>, pal: &Palette, seed: u64) {
    let (w, h) = (c.w, c.h);
    let u = w.min(h);
    let (margin, gap) = (u / 24, (u / 40).max(1));
    let (big, mid, small) = ((u / 128).max(1), (u / 256).max(1), (u / 384).max(1));
    for y in 0..h {
        c.row(y, 0, w, mix(pal.bg, pal.bg_low, y * 100 / h));
    }
    let (grid_step, grid_t) = ((u / 12).max(4), small);
    if look.grid {
        c.grid(rect(0, 0, w, h), grid_step, grid_t, pal.faint);
    }

    // The version badge is placed first because the title wraps around it.
    // The demo's own count of the edits on this path ("edit 2"), not a version name: the
    // studio names versions (v7) over the whole session.
    let version = match scene.edits.len() {
        0 => "new".to_string(),
        n => format!("edit {n}"),
    };
    let pad = mid * 2;
    let badge_x = w - margin - text_w(&version, mid) - 2 * pad;
    let mut badge = rect(badge_x, margin, w - margin, margin + 8 * mid + 2 * pad);
    let title_w = badge.x0 - gap - margin;
    let (mut ts, mut title) = fit_title(scene.subject, title_w, h * 2 / 5, big, look.title_step);
    // A bigger title that cannot grow beside the badge takes the whole width, the badge
    // going under it: asked for, a bigger title always shows.
    if look.title_step > 0 {
        let (plain, _) = fit_title(scene.subject, title_w, h * 2 / 5, big, 0);
        if ts <= plain {
            (ts, title) = fit_title(
                scene.subject,
                w - 2 * margin,
                h * 2 / 5,
                big,
                look.title_step,
            );
            let below = margin + title.len() as i64 * 10 * ts + gap;
            badge = rect(badge.x0, below, badge.x1, below + badge.h());
        }
    }
    let title_end = margin + title.len() as i64 * 10 * ts;
    let body_top = title_end.max(badge.y1) + gap;

    // Captions stack up from the bottom, newest lowest; the oldest give way rather than
    // squeeze the charts below half of the space under the title.
    let (stripe, cpad) = (small * 3, small * 3);
    let cols = ((w - 2 * margin - stripe - 2 * cpad) / (8 * small)).max(1) as usize;
    let mut cards = Vec::new();
    let mut bottom = h - margin;
    for &(n, text) in look.captions.iter().rev() {
        let lines = wrap(&format!("Edit {n}: {text}"), cols, 2);
        let top = bottom - lines.len() as i64 * 10 * small + 2 * small - 2 * cpad;
        if top < body_top + (h - body_top) / 2 {
            break;
        }
        cards.push((rect(margin, top, w - margin, bottom), n, lines));
        bottom = top - gap / 2;
    }
    let mut body = rect(margin, body_top, w - margin, bottom - gap);

    let legend = look.legend.then(|| {
        // Beside the charts in landscape, under them in portrait.
        let wide = body.w() >= body.h();
        let most = body.w() / if wide { 3 } else { 1 };
        // The words get what room is left after the swatch, the padding and " 35%".
        let letters = ((most / mid - 16) / 8 - 4).max(1) as usize;
        let labels = legend_labels(scene.subject, seed, letters);
        let longest = labels.iter().map(String::len).max().unwrap_or(0) as i64;
        let lw = (mid * (16 + 8 * longest)).min(most);
        let lh =
            (mid * (6 + 12 * (labels.len() as i64 + 1))).min(body.h() / if wide { 1 } else { 2 });
        let r = if wide {
            body.x1 -= lw + gap;
            rect(body.x1 + gap, body.y0, body.x1 + gap + lw, body.y0 + lh)
        } else {
            body.y1 -= lh + gap;
            rect(body.x0, body.y1 + gap, body.x0 + lw, body.y1 + gap + lh)
        };
        (r, labels)
    });

    let panels = split(body, gap);
    for p in &panels {
        c.shape(*p, pal.panel);
        if look.grid {
            c.grid(*p, grid_step, grid_t, mix(pal.panel, pal.ink, 20));
        }
    }
    let mut rng = Rng(seed);
    for (i, p) in ((seed % 3) as usize..).zip(&panels) {
        let inner = p.inset((p.w().min(p.h()) / 10).max(1));
        // The first draft is only the layout, wireframe style; the second adds the charts.
        match (scene.draft, i % 3) {
            (Some(1), _) => c.cross(p.inset(c.line), pal.faint),
            (_, 0) => bars(c, inner, pal, &mut rng),
            (_, 1) => waffle(c, inner, pal, shares(seed)),
            _ => icons(c, inner, pal, &mut rng),
        }
    }

    for (i, line) in (0i64..).zip(&title) {
        c.text(margin, margin + i * 10 * ts, line, ts, w, pal.ink);
    }
    let title_right = margin + title.iter().map(|l| text_w(l, ts)).max().unwrap_or(0);
    let underline = rect(margin, title_end, title_right, title_end + (ts / 2).max(1));
    c.fill(underline, pal.accents[0]);
    c.shape(badge, pal.accents[0]);
    let badge_ink = if c.sketch { pal.ink } else { pal.panel };
    c.text(badge.x0 + pad, badge.y0 + pad, &version, mid, w, badge_ink);

    if let Some((r, labels)) = legend {
        c.shape(r, pal.panel);
        c.outline(r, c.line, pal.ink);
        let x = r.x0 + 3 * mid;
        c.text(x, r.y0 + 3 * mid, "Legend", mid, r.x1, pal.ink);
        for (i, (label, colour)) in (1i64..).zip(labels.iter().zip(pal.accents)) {
            let y = r.y0 + 3 * mid + i * 12 * mid;
            if y + 8 * mid > r.y1 {
                break;
            }
            c.shape(rect(x, y, x + 8 * mid, y + 8 * mid), colour);
            c.text(x + 10 * mid, y, label, mid, r.x1, pal.ink);
        }
    }

    for (r, n, lines) in &cards {
        c.shape(*r, pal.panel);
        c.shape(rect(r.x0, r.y0, r.x0 + stripe, r.y1), pal.accents[n % 4]);
        for (i, line) in (0i64..).zip(lines) {
            let y = r.y0 + cpad + i * 10 * small;
            c.text(r.x0 + stripe + cpad, y, line, small, r.x1, pal.ink);
        }
    }

    if look.frame {
        let colour = mix(pal.accents[0], pal.ink, 30);
        c.outline(rect(0, 0, w, h), (margin * 2 / 3).max(1), colour);
    }

    if let Some(n) = scene.draft {
        let stamp = format!("DRAFT {n}");
        let ss = ((w * 45 / 100) / text_w(&stamp, 1)).min(h / 48).max(1);
        let (tw, th, sp) = (text_w(&stamp, ss), 8 * ss, 2 * ss);
        // Centred on the charts, so the title and legend stay readable around it; the
        // solid paper patch keeps it readable over the sketch lines.
        let (x, y) = ((body.x0 + body.x1 - tw) / 2, (body.y0 + body.y1 - th) / 2);
        let patch = rect(x - sp, y - sp, x + tw + sp, y + th + sp);
        c.fill(patch, pal.bg);
        c.outline(patch, (ss / 2).max(1), pal.ink);
        c.text(x, y, &stamp, ss, w, pal.ink);
    }
}

/// Three chart cards along the body's long side, or fewer when they would be slivers
/// (narrower than a third of their length).
fn split(body: Rect, gap: i64) -> Vec<Rect> {
    let (long, short) = (body.w().max(body.h()), body.w().min(body.h()));
    if short < 8 {
        return Vec::new();
    }
    let n = (long * 3 / short).clamp(1, 3);
    let size = (long - gap * (n - 1)) / n;
    let along = |a: i64| {
        if body.w() >= body.h() {
            rect(body.x0 + a, body.y0, body.x0 + a + size, body.y1)
        } else {
            rect(body.x0, body.y0 + a, body.x1, body.y0 + a + size)
        }
    };
    (0..n).map(|i| along(i * (size + gap))).collect()
}

fn bars(c: &mut Canvas<'_>, r: Rect, pal: &Palette, rng: &mut Rng) {
    let n = rng.range(4, 7);
    let slot = r.w() / n;
    let bw = (slot * 2 / 3).max(1);
    for (i, colour) in (0..n).zip(pal.accents.iter().cycle()) {
        let top = r.y1 - r.h() * rng.range(25, 95) / 100;
        let x = r.x0 + i * slot + (slot - bw) / 2;
        c.shape(rect(x, top, x + bw, r.y1), *colour);
    }
    c.fill(rect(r.x0, r.y1 - c.line, r.x1, r.y1 + c.line), pal.ink);
}

/// A 10x10 "waffle" of shares: the pie chart of block graphics.
fn waffle(c: &mut Canvas<'_>, r: Rect, pal: &Palette, shares: [i64; 4]) {
    let side = r.w().min(r.h());
    let n = (side / 6).clamp(1, 10);
    let cell = side / n;
    let gap = if cell > 3 { (cell / 8).max(1) } else { 0 };
    let (x0, y0) = (r.x0 + (r.w() - cell * n) / 2, r.y0 + (r.h() - cell * n) / 2);
    let [a, b, d, _] = shares;
    for k in 0..n * n {
        let pct = k * 100 / (n * n);
        let share = usize::from(pct >= a) + usize::from(pct >= a + b);
        let share = share + usize::from(pct >= a + b + d);
        let (x, y) = (x0 + (k % n) * cell, y0 + (k / n) * cell);
        let colour = pal.accents[share];
        c.shape(rect(x, y, x + cell - gap, y + cell - gap), colour);
    }
}

/// Icons with two placeholder "text" lines each, like an infographic's fact tiles.
fn icons(c: &mut Canvas<'_>, r: Rect, pal: &Palette, rng: &mut Rng) {
    let (cols, rows) = if r.w() >= r.h() { (3, 2) } else { (2, 3) };
    let (cw, rh) = (r.w() / cols, r.h() / rows);
    for (k, colour) in (0..cols * rows).zip(pal.accents.iter().cycle()) {
        let (x, y) = (r.x0 + (k % cols) * cw, r.y0 + (k / cols) * rh);
        let cell = rect(x, y, x + cw, y + rh).inset(cw.min(rh) / 10);
        let size = cell.w().min(cell.h() * 3 / 5);
        let ix = cell.x0 + (cell.w() - size) / 2;
        let icon = rect(ix, cell.y0, ix + size, cell.y0 + size);
        match rng.range(0, 2) {
            0 => c.disc(ix + size / 2, icon.y0 + size / 2, size / 2, *colour),
            1 => c.triangle(icon, *colour),
            _ => c.shape(icon, *colour),
        }
        let (lh, e) = ((size / 10).max(1), cell.w() / 8);
        let y = icon.y1 + 2 * lh;
        c.fill(rect(cell.x0 + e, y, cell.x1 - e, y + lh), pal.faint);
        let y = y + 2 * lh;
        c.fill(rect(cell.x0 + 2 * e, y, cell.x1 - 2 * e, y + lh), pal.faint);
    }
}

#[cfg(test)]
mod tests;
