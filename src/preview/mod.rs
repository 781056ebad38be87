//! Image preview for the studio's pane and for the terminal: the one place that draws with
//! graphics protocols. Which protocol the terminal takes is [`crate::emulator`]'s to find out.
//!
//! The TUI sees a narrow surface: build a [`Previewer`] once before reading events, call
//! [`Previewer::render`] every frame, redraw when a [`PreviewReady`] arrives. Everything slow
//! (reading, decoding, downscaling, encoding for the protocol) happens on the previewer's
//! preview threads; the UI thread only looks up a finished picture and blits it.
//!
//! Layout: `prepare` (pure decode + resize), `encode` (for the protocol; `sixel` and `kitty`
//! are ours), `cache` (LRU by picture and pane size), `debounce` (pure resize settling), `pool`
//! (the threads), `worker` (what a thread does with a job), `inline` (viuer, for
//! `send --preview`). The studio's full view asks for a [`Crop`] of the full-resolution image
//! through the same threads and cache as the pane.

mod cache;
mod crop;
mod debounce;
pub mod difference;
mod encode;
mod inline;
pub mod kitty;
mod parallel;
mod pixels;
mod pool;
pub mod prepare;
pub mod sixel;
mod worker;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Rect, Size};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_image::picker::Picker;
use tokio::sync::mpsc::UnboundedSender;

use crate::blob::Blob;
use crate::emulator::{ImageProtocol, Startup, protocol};
use cache::CacheKey;
use pool::{Pool, lock};
use worker::{Job, Shared};

pub use crop::Crop;
pub use inline::{default_preview_rows, print_inline};
pub use worker::{CACHE_BUDGET, PreviewReady, RESIZE_SETTLE};

/// Shows pictures in a pane: owns the protocol picker, the cache of prepared pictures and the
/// worker that prepares them.
pub struct Previewer {
    picker: Picker,
    shared: Arc<Mutex<Shared>>,
    /// The preview threads; dropping the previewer ends them.
    pool: Option<Pool<Job>>,
    /// Why there is no worker, if no thread could be started.
    broken: Option<String>,
    /// See [`Previewer::description`].
    described: String,
    /// The terminal's size in cells, as of the last frame drawn.
    screen: (u16, u16),
}

impl Previewer {
    /// Asks the terminal what it is and can draw and starts the worker. Call once, after
    /// entering the alternate screen and raw mode and before the event loop reads input: the
    /// answers arrive on stdin. Takes up to a second when the terminal does not answer (then
    /// halfblocks); without a terminal it asks nothing. Keys typed meanwhile come back in
    /// [`Startup::typed`], to be replayed.
    pub fn detect(
        choice: ImageProtocol,
        ready: UnboundedSender<PreviewReady>,
    ) -> (Previewer, Startup) {
        let detection = protocol::detect(choice);
        let mut encoder = encode::Encoder::new(detection.picker);
        encoder.max_px = detection.max_px;
        let mut previewer = Self::with_encoder(encoder, ready);
        previewer.described = format!(
            "{} · {}",
            protocol::label(detection.choice.protocol),
            detection.choice.why
        );
        // A terminal that draws sixels no larger than this (xterm: 1000×1000) gets larger
        // pictures in tiles: said where the picture is described, in case a tile misbehaves.
        if let Some((w, h)) = detection.max_px {
            previewer
                .described
                .push_str(&format!(" · drawn in tiles of up to {w}×{h} px"));
        }
        let startup = Startup {
            typed: detection.typed,
            light_background: detection.caps.light_background(),
            unanswered: detection.asked && !detection.caps.answered,
        };
        (previewer, startup)
    }

    /// Halfblocks for a known cell size in pixels, asking the terminal nothing: for drawing
    /// where there is no terminal to ask (a `TestBackend` in tests, benches and examples), the
    /// same however the machine's terminal is set up.
    pub fn halfblocks(font_size: (u16, u16), ready: UnboundedSender<PreviewReady>) -> Previewer {
        let picker = protocol::halfblocks_with_font(font_size);
        Self::with_encoder(encode::Encoder::new(picker), ready)
    }

    fn with_encoder(encoder: encode::Encoder, ready: UnboundedSender<PreviewReady>) -> Previewer {
        let picker = encoder.picker.clone();
        let shared = Arc::new(Mutex::new(Shared::new(CACHE_BUDGET)));
        let (pool, broken) = match worker::spawn(encoder, Arc::clone(&shared), ready) {
            Ok(pool) => (Some(pool), None),
            Err(e) => (None, Some(format!("cannot start the preview thread: {e}"))),
        };
        let described = protocol::label(picker.protocol_type()).to_string();
        Previewer {
            picker,
            shared,
            pool,
            broken,
            described,
            screen: (0, 0),
        }
    }

    /// The protocol in use, for the status bar: "kitty", "sixel", "iTerm2" or "halfblocks".
    pub fn protocol_name(&self) -> &'static str {
        protocol::label(self.picker.protocol_type())
    }

    /// Whether pictures are drawn as pictures (kitty, sixel, iTerm2), not as halfblocks.
    pub fn draws_graphics(&self) -> bool {
        !matches!(
            self.picker.protocol_type(),
            ratatui_image::picker::ProtocolType::Halfblocks
        )
    }

    /// The protocol and why it was chosen, for the pane's dim line: "sixel · xterm 379",
    /// "halfblocks · tmux 3.3 does not carry sixel".
    pub fn description(&self) -> &str {
        &self.described
    }

    /// Asks for `blob` prepared for a pane of `area`'s size; returns at once. A new size for a
    /// picture already on screen waits until it has been stable for [`RESIZE_SETTLE`] (as of
    /// `now`); a picture not shown yet is prepared straight away. [`Previewer::render`] calls
    /// this itself; call it directly to prepare a picture before it is shown.
    pub fn request(&mut self, blob: &Blob, area: Rect, now: Instant) {
        if area.is_empty() {
            return;
        }
        let key = CacheKey::new(blob.id(), (area.width, area.height));
        self.ask(blob, None, key, now, Some(self.screen), &[]);
    }

    /// Queues `key` unless it is ready, failed or on its way. A crop (the full view) skips the
    /// resize wait: every zoom step is a new crop that should show at once. `screen` is what
    /// the picture is decoded for besides its own cells ([`worker::Job::screen`]).
    fn ask(
        &mut self,
        blob: &Blob,
        against: Option<&Blob>,
        key: CacheKey,
        now: Instant,
        screen: Option<(u16, u16)>,
        neighbours: &[&Blob],
    ) {
        let Some(pool) = &self.pool else {
            return;
        };
        let urgent = {
            let mut shared = lock(&self.shared);
            if shared.failures.contains_key(&key.blob)
                || shared.cache.contains(&key)
                || shared.in_flight.contains(&key)
            {
                return;
            }
            shared.in_flight.insert(key.clone());
            key.crop.is_some() || shared.cache.find_recent(|k| key.resizes(k)).is_none()
        };
        let (id, cells) = (key.blob, key.cells);
        let job = Job {
            blob: blob.clone(),
            against: against.cloned(),
            key,
            screen,
            neighbours: neighbours.iter().map(|&blob| blob.clone()).collect(),
        };
        if let Some(displaced) = pool.push(id, cells, job, now, urgent) {
            lock(&self.shared).in_flight.remove(&displaced.key);
        }
    }

    /// Draws `blob` in `area`: the prepared picture if it is ready for this size, else the same
    /// picture prepared for another size while this one is on its way, else "preparing…".
    /// A picture that cannot be decoded shows "cannot preview: <reason>". Never decodes.
    pub fn render(&mut self, frame: &mut Frame, area: Rect, blob: &Blob) {
        if area.is_empty() {
            return;
        }
        self.screen = (frame.area().width, frame.area().height);
        self.render_as(frame, area, blob, Some(self.screen));
    }

    /// Draws `blob` as one picture among several (a variations candidate, a thumbnail), like
    /// [`Previewer::render`] but decoded only as large as `area`: four 4K candidates decode
    /// faster so, and the pane's decode, kept for the full view, stays kept.
    pub fn render_small(&mut self, frame: &mut Frame, area: Rect, blob: &Blob) {
        if !area.is_empty() {
            self.render_as(frame, area, blob, None);
        }
    }

    /// [`Previewer::render`] with `screen` as [`Previewer::ask`] takes it.
    fn render_as(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        blob: &Blob,
        screen: Option<(u16, u16)>,
    ) {
        let key = CacheKey::new(blob.id(), (area.width, area.height));
        // The same picture at another size can stand in while the new size settles.
        self.draw_cached(frame, area, &key, |k| k.crop.is_none() && key.resizes(k));
        // After drawing, so a frame never depends on how fast the worker is.
        self.ask(blob, None, key, Instant::now(), screen, &[]);
    }

    /// Draws `key`'s picture if ready, else the most recent one `stand_in` accepts (clipped;
    /// sixel and iTerm2 cannot clip, so they only stand in when they fit), else "preparing…";
    /// or why it cannot be shown.
    fn draw_cached(
        &self,
        frame: &mut Frame,
        area: Rect,
        key: &CacheKey,
        stand_in: impl Fn(&CacheKey) -> bool,
    ) {
        let mut shared = lock(&self.shared);
        let failure = self
            .broken
            .as_ref()
            .or_else(|| shared.failures.get(&key.blob));
        if let Some(reason) = failure {
            message(frame, area, &format!("cannot preview: {reason}"));
            return;
        }
        if let Some(encoded) = shared.cache.get(key) {
            frame.render_widget(encoded, centred(area, encoded.size()));
            return;
        }
        let stand_in = shared
            .cache
            .find_recent(stand_in)
            .filter(|encoded| encoded.can_clip() || fits(area, encoded.size()));
        match stand_in {
            Some(encoded) => frame.render_widget(encoded, centred(area, encoded.size())),
            None => message(frame, area, "preparing…"),
        }
    }

    /// A cell's size in pixels, as detected (10×20 when the terminal did not say).
    pub fn cell_px(&self) -> (u16, u16) {
        let font = self.picker.font_size();
        (font.width.max(1), font.height.max(1))
    }

    /// Draws `crop` of `blob`'s full-resolution image, scaled to fill `area` (up or down),
    /// for the full view, with `mark` (a region being marked) outlined on it. While a new crop is prepared the previous one of the same picture
    /// stands in, so zooming and panning never flash "preparing…". `neighbours`, the pictures
    /// `[` and `]` step to, are decoded in the background after it.
    pub fn render_crop(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        (blob, mark): (&Blob, Option<Crop>),
        crop: Crop,
        neighbours: &[&Blob],
    ) {
        if area.is_empty() || crop.width == 0 || crop.height == 0 {
            return;
        }
        let mut key = CacheKey::cropped(blob.id(), (area.width, area.height), crop);
        key.mark = mark;
        self.draw_cached(frame, area, &key, |k| {
            k.blob == key.blob && k.crop.is_some() && k.against.is_none() && k.cells == key.cells
        });
        self.ask(blob, None, key, Instant::now(), None, neighbours);
    }

    /// Draws what changed from `older` to `newer` (changed pixels loud over the dimmed newer
    /// picture), cut and scaled like [`Previewer::render_crop`].
    pub fn render_difference(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        newer: &Blob,
        older: &Blob,
        crop: Crop,
    ) {
        if area.is_empty() || crop.width == 0 || crop.height == 0 {
            return;
        }
        let mut key = CacheKey::cropped(newer.id(), (area.width, area.height), crop);
        key.against = Some(older.id());
        self.draw_cached(frame, area, &key, |k| {
            k.blob == key.blob && k.against == key.against && k.cells == key.cells
        });
        self.ask(newer, Some(older), key, Instant::now(), None, &[]);
    }

    /// The share of pixels that changed from `older` to `newer`, once their difference has
    /// been drawn.
    pub fn changed_share(&self, newer: &Blob, older: &Blob) -> Option<f64> {
        lock(&self.shared)
            .changed
            .get(&(newer.id(), older.id()))
            .copied()
    }
}

fn fits(area: Rect, size: Size) -> bool {
    size.width <= area.width && size.height <= area.height
}

/// `size` centred in `area`, no bigger than it.
fn centred(area: Rect, size: Size) -> Rect {
    let width = size.width.min(area.width);
    let height = size.height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// A dim, centred line of text in the middle of the pane.
fn message(frame: &mut Frame, area: Rect, text: &str) {
    let top = area.height.saturating_sub(1) / 2;
    let rect = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(
        Paragraph::new(text)
            .centered()
            .wrap(Wrap { trim: true })
            .style(Style::new().add_modifier(Modifier::DIM)),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::time::Duration;

    use bytes::Bytes;
    use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::style::Color;
    use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

    use super::*;

    const COLOUR: [u8; 3] = [200, 40, 90];

    fn png(width: u32, height: u32, colour: [u8; 3]) -> Blob {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb(colour)))
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        Blob::from_bytes("image/png", Bytes::from(out.into_inner()))
    }

    /// Polls the channel like the TUI's event loop would, for at most a few seconds.
    fn wait_ready(ready: &mut UnboundedReceiver<PreviewReady>) -> PreviewReady {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(message) = ready.try_recv() {
                return message;
            }
            assert!(Instant::now() < deadline, "the worker never answered");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn text(buffer: &Buffer) -> String {
        let mut out = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    fn painted(buffer: &Buffer, colour: [u8; 3]) -> usize {
        let colour = Color::Rgb(colour[0], colour[1], colour[2]);
        buffer.content().iter().filter(|c| c.bg == colour).count()
    }

    #[test]
    fn the_pane_shows_a_placeholder_then_the_picture_in_halfblocks() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        assert_eq!(previewer.protocol_name(), "halfblocks");
        let blob = png(400, 200, COLOUR);
        let mut terminal = Terminal::new(TestBackend::new(40, 20)).unwrap();
        let area = Rect::new(0, 0, 40, 20);

        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        let first = terminal.backend().buffer().clone();
        assert!(text(&first).contains("preparing…"), "{}", text(&first));
        assert_eq!(painted(&first, COLOUR), 0);

        let ready = wait_ready(&mut rx);
        assert_eq!(ready.blob, blob.id());
        assert_eq!(ready.cells, (40, 20));

        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        let buffer = terminal.backend().buffer();
        // 400×200 px in a 400×400 px pane: 40×10 cells, centred on rows 5 to 14.
        assert_eq!(painted(buffer, COLOUR), 40 * 10, "{}", text(buffer));
        assert_eq!(buffer[(20, 5)].bg, Color::Rgb(200, 40, 90));
        assert_eq!(buffer[(20, 14)].bg, Color::Rgb(200, 40, 90));
        assert_ne!(buffer[(20, 4)].bg, Color::Rgb(200, 40, 90));
        assert!(!text(buffer).contains("preparing"));
    }

    #[test]
    fn a_resized_pane_keeps_the_old_picture_until_the_new_size_is_ready() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        let blob = png(400, 400, [20, 160, 60]);
        let mut terminal = Terminal::new(TestBackend::new(40, 20)).unwrap();

        let big = Rect::new(0, 0, 40, 20);
        terminal.draw(|f| previewer.render(f, big, &blob)).unwrap();
        assert_eq!(wait_ready(&mut rx).cells, (40, 20));

        let small = Rect::new(0, 0, 20, 10);
        let asked = Instant::now();
        terminal
            .draw(|f| previewer.render(f, small, &blob))
            .unwrap();
        // The old picture stands in (clipped to the pane) instead of "preparing…".
        let buffer = terminal.backend().buffer().clone();
        assert!(!text(&buffer).contains("preparing"));
        assert!(painted(&buffer, [20, 160, 60]) > 0);

        let ready = wait_ready(&mut rx);
        assert_eq!(ready.cells, (20, 10));
        assert!(
            asked.elapsed() >= RESIZE_SETTLE,
            "a resize is prepared only once the size settled"
        );
        terminal
            .draw(|f| previewer.render(f, small, &blob))
            .unwrap();
        // 400×400 px in 200×200 px: 20×10 cells, the whole small pane.
        assert_eq!(painted(terminal.backend().buffer(), [20, 160, 60]), 20 * 10);
    }

    #[test]
    fn a_crop_fills_the_view_with_only_that_part_of_the_picture() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        // Left half red, right half blue.
        let mut image = RgbImage::from_pixel(400, 200, Rgb([200, 0, 0]));
        for x in 200..400 {
            for y in 0..200 {
                image.put_pixel(x, y, Rgb([0, 0, 200]));
            }
        }
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        let blob = Blob::from_bytes("image/png", Bytes::from(out.into_inner()));
        let mut terminal = Terminal::new(TestBackend::new(40, 20)).unwrap();
        let area = Rect::new(0, 0, 40, 20);
        // Away from the seam: shrinking filters with the neighbouring pixels.
        let right = Crop {
            x: 240,
            y: 20,
            width: 150,
            height: 150,
        };
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, None), right, &[]))
            .unwrap();
        wait_ready(&mut rx);
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, None), right, &[]))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        // 150×150 px into 400×400 px: the whole 40×20 pane, all blue.
        assert_eq!(painted(&buffer, [0, 0, 200]), 40 * 20, "{}", text(&buffer));
        assert_eq!(painted(&buffer, [200, 0, 0]), 0);

        // A new crop: the old one stands in until it is ready, never "preparing…".
        let left = Crop { x: 10, ..right };
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, None), left, &[]))
            .unwrap();
        assert!(!text(terminal.backend().buffer()).contains("preparing"));
        wait_ready(&mut rx);
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, None), left, &[]))
            .unwrap();
        assert_eq!(painted(terminal.backend().buffer(), [200, 0, 0]), 40 * 20);

        // A region being marked is outlined on the picture itself, so every protocol shows
        // it: here, in halfblocks, a ring of magenta and white dashes around its cells.
        let mark = Crop {
            x: 40,
            y: 40,
            width: 70,
            height: 70,
        };
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, Some(mark)), left, &[]))
            .unwrap();
        wait_ready(&mut rx);
        terminal
            .draw(|f| previewer.render_crop(f, area, (&blob, Some(mark)), left, &[]))
            .unwrap();
        let magenta = Color::Rgb(255, 0, 255);
        let buffer = terminal.backend().buffer();
        let outlined =
            |x: u16, y: u16| buffer[(x, y)].fg == magenta || buffer[(x, y)].bg == magenta;
        // The mark is 30..100 of the crop's 150 px across (columns 8 to 26 of 40) and 20..90
        // down (rows 2 to 12 of 20): dashes along its edges, in half cells.
        assert!((2..13).any(|y| outlined(7, y)), "the left edge");
        assert!((8..27).any(|x| outlined(x, 2)), "the top edge");
        assert!(!outlined(17, 8), "not inside");
        assert_eq!(
            buffer[(17, 8)].bg,
            Color::Rgb(200, 0, 0),
            "the picture inside"
        );
    }

    #[test]
    fn the_difference_of_two_versions_paints_only_the_changed_part() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        let older = png(400, 400, [20, 120, 200]);
        // The newer version changed the top quarter only.
        let mut image = RgbImage::from_pixel(400, 400, Rgb([20, 120, 200]));
        for y in 0..100 {
            for x in 0..400 {
                image.put_pixel(x, y, Rgb([250, 220, 0]));
            }
        }
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        let newer = Blob::from_bytes("image/png", Bytes::from(out.into_inner()));
        let mut terminal = Terminal::new(TestBackend::new(40, 20)).unwrap();
        let area = Rect::new(0, 0, 40, 20);
        let all = Crop {
            x: 0,
            y: 0,
            width: 400,
            height: 400,
        };
        terminal
            .draw(|f| previewer.render_difference(f, area, &newer, &older, all))
            .unwrap();
        wait_ready(&mut rx);
        terminal
            .draw(|f| previewer.render_difference(f, area, &newer, &older, all))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let changed = painted(buffer, difference::CHANGED);
        let dimmed = painted(buffer, [20 / 3, 120 / 3, 200 / 3]);
        // 40×20 cells: the top quarter (5 rows; the seam row blends) changed, the rest is
        // the dimmed picture.
        assert!(
            (160..=200).contains(&changed),
            "{changed}\n{}",
            text(buffer)
        );
        assert!((560..=640).contains(&dimmed), "{dimmed}");
        let share = previewer.changed_share(&newer, &older).unwrap();
        assert!((share - 0.25).abs() < 1e-9, "{share}");
    }

    #[test]
    fn a_corrupt_picture_says_why_instead_of_panicking() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        // The recorded fixture's one-byte "JPEG".
        let blob = Blob::from_bytes("image/jpeg", Bytes::from_static(&[0]));
        let mut terminal = Terminal::new(TestBackend::new(60, 10)).unwrap();
        let area = Rect::new(0, 0, 60, 10);
        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        wait_ready(&mut rx);
        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        let shown = text(terminal.backend().buffer());
        assert!(
            shown.contains("cannot preview: not an image format"),
            "{shown}"
        );

        // A failure is remembered: another size does not try again.
        terminal
            .draw(|f| previewer.render(f, Rect::new(0, 0, 50, 10), &blob))
            .unwrap();
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_picture_whose_file_is_gone_says_so() {
        let (tx, mut rx) = unbounded_channel();
        let mut previewer = Previewer::halfblocks((10, 20), tx);
        let meta = png(4, 4, COLOUR).meta().clone();
        let blob = Blob::stored(meta, "/nonexistent/banana/x.png".into());
        let mut terminal = Terminal::new(TestBackend::new(80, 10)).unwrap();
        let area = Rect::new(0, 0, 80, 10);
        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        wait_ready(&mut rx);
        terminal.draw(|f| previewer.render(f, area, &blob)).unwrap();
        let shown = text(terminal.backend().buffer());
        assert!(
            shown.contains("cannot preview: cannot read image"),
            "{shown}"
        );
    }
}
