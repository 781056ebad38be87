//! The preview worker: one std thread that decodes, downscales and encodes for the protocol, so
//! the UI thread only ever blits a finished [`Protocol`].
//!
//! A std thread rather than `spawn_blocking`: the previewer then works with or without a tokio
//! runtime (tests, examples), and one thread is all a 2-core machine should spend on pictures.

use std::collections::{HashMap, HashSet};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::ProtocolType;
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::halfblocks::Halfblocks;
use tokio::sync::mpsc::UnboundedSender;

use super::PreviewReady;
use super::cache::{CacheKey, Lru};
use super::debounce::Debouncer;
use super::encode::Encoder;
use super::prepare;
use crate::conversation::Blob;

/// How long a pane size must hold still before a picture is prepared for it.
pub const RESIZE_SETTLE: Duration = Duration::from_millis(100);

/// Pictures that may wait at once; older ones are dropped (they are asked for again when shown).
const MAX_PENDING: usize = 4;

/// Estimated bytes of prepared previews to keep: a dozen panes' worth of kitty data.
pub const CACHE_BUDGET: usize = 48 * 1024 * 1024;

/// Failures remembered; past this the oldest are forgotten and would be retried if shown.
const MAX_FAILURES: usize = 64;

/// What the UI thread and the worker share. Held only for lookups and inserts, never while
/// decoding.
pub(crate) struct Shared {
    pub cache: Lru<CacheKey, Protocol>,
    /// Why a picture cannot be shown, by [`Blob::id`]: a corrupt image fails at every size.
    pub failures: HashMap<u64, String>,
    /// Asked for and neither ready nor dropped yet, so a redraw does not ask twice.
    pub in_flight: HashSet<CacheKey>,
    /// The share of pixels that changed, by (newer, older) [`Blob::id`], once compared.
    pub changed: HashMap<(u64, u64), f64>,
}

impl Shared {
    pub fn new(budget: usize) -> Self {
        Self {
            cache: Lru::new(budget),
            failures: HashMap::new(),
            in_flight: HashSet::new(),
            changed: HashMap::new(),
        }
    }

    fn fail(&mut self, blob: u64, reason: String) {
        if self.failures.len() >= MAX_FAILURES {
            self.failures.clear();
        }
        self.failures.insert(blob, reason);
    }
}

/// A poisoned lock only means a panic elsewhere; the cache is still consistent (every change is
/// a single insert or remove), so keep going rather than take the UI down.
pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Job {
    pub blob: Blob,
    /// The older version to compare with (the full view's difference).
    pub against: Option<Blob>,
    /// The largest picture the terminal takes, in pixels.
    pub max_px: Option<(u32, u32)>,
    pub key: CacheKey,
    pub requested_at: Instant,
    /// Nothing of this picture is on screen yet: skip the resize wait.
    pub urgent: bool,
}

pub(crate) fn spawn(
    encoder: Encoder,
    shared: Arc<Mutex<Shared>>,
    ready: UnboundedSender<PreviewReady>,
) -> io::Result<Sender<Job>> {
    let (jobs, receiver) = mpsc::channel();
    thread::Builder::new()
        .name("preview".into())
        .spawn(move || run(&receiver, &encoder, &shared, &ready))?;
    Ok(jobs)
}

/// Runs until the previewer (the only sender) is dropped.
fn run(
    jobs: &Receiver<Job>,
    encoder: &Encoder,
    shared: &Mutex<Shared>,
    ready: &UnboundedSender<PreviewReady>,
) {
    let mut debouncer = Debouncer::new(RESIZE_SETTLE, MAX_PENDING);
    let mut decoded = Decoded::default();
    loop {
        let first = match debouncer.next_due() {
            None => match jobs.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            },
            Some(due) => match jobs.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        // Take everything already queued before choosing: the newest request wins.
        for job in first.into_iter().chain(jobs.try_iter()) {
            let (blob, cells) = (job.key.blob, job.key.cells);
            let (at, urgent) = (job.requested_at, job.urgent);
            if let Some(dropped) = debouncer.observe(blob, cells, job, at, urgent) {
                lock(shared).in_flight.remove(&dropped.key);
            }
        }
        if let Some(job) = debouncer.take_due(Instant::now()) {
            finish(job, encoder, shared, ready, &mut decoded);
        }
    }
}

fn finish(
    job: Job,
    encoder: &Encoder,
    shared: &Mutex<Shared>,
    ready: &UnboundedSender<PreviewReady>,
    decoded: &mut Decoded,
) {
    // A decoder bug must cost one picture, not the worker: catch it and show it as a failure.
    let outcome = catch_unwind(AssertUnwindSafe(|| match (job.key.crop, &job.against) {
        (Some(crop), Some(older)) => {
            let (image, changed) = decoded.difference(&job.blob, older)?;
            lock(shared)
                .changed
                .insert((job.blob.id(), older.id()), changed);
            build_crop(encoder, &job, &image, crop)
        }
        (Some(crop), None) => build_crop(encoder, &job, &*decoded.get(&job.blob)?, crop),
        (None, _) => build(encoder, &job),
    }))
    .unwrap_or_else(|_| Err("the image decoder crashed".to_string()));
    {
        let mut shared = lock(shared);
        shared.in_flight.remove(&job.key);
        match outcome {
            Ok((protocol, cost)) => shared.cache.insert(job.key.clone(), protocol, cost),
            Err(reason) => shared.fail(job.key.blob, reason),
        }
    }
    // The UI may have quit already; then nobody needs to know.
    let _ = ready.send(PreviewReady {
        blob: job.key.blob,
        cells: job.key.cells,
    });
}

/// Decode, fit, downscale, encode: everything slow, for one picture at one pane size.
pub(crate) fn build(encoder: &Encoder, job: &Job) -> Result<(Protocol, usize), String> {
    let picker = &encoder.picker;
    let bytes = job.blob.bytes().map_err(|e| e.to_string())?;
    let font = picker.font_size();
    let font = (font.width.max(1), font.height.max(1));
    let bounds = bounds(job, font);
    let image = prepare::decode_for(&bytes, bounds).map_err(|e| e.to_string())?;
    let image_size = (image.width(), image.height());
    if picker.protocol_type() == ProtocolType::Halfblocks {
        // Two pixels a cell whatever the picture's resolution: fill the pane (growing a small
        // picture costs nothing visible) and shrink straight to the half cells, which is all
        // the encoder keeps.
        let cells = prepare::cells_for(prepare::scale_to_fit(image_size, bounds), font);
        let half_cells = (u32::from(cells.0), u32::from(cells.1) * 2);
        let small = prepare::downscale(&image, half_cells).map_err(|e| e.to_string())?;
        drop(image);
        let blocks = Halfblocks::new(DynamicImage::ImageRgba8(small), Size::new(cells.0, cells.1))
            .map_err(|e| format!("cannot encode halfblocks: {e}"))?;
        let cost = estimated_bytes(ProtocolType::Halfblocks, half_cells, cells);
        return Ok((Protocol::Halfblocks(blocks), cost));
    }
    // Pixel protocols get the picture at no more than its own resolution (the terminal shows
    // it crisp), centred on a transparent canvas of whole cells so nothing stretches it.
    let fitted = prepare::fit_within(image_size, bounds);
    let cells = prepare::cells_for(fitted, font);
    let canvas = (
        u32::from(cells.0) * u32::from(font.0),
        u32::from(cells.1) * u32::from(font.1),
    );
    let small = prepare::downscale(&image, fitted)
        .map(|small| prepare::pad_to(small, canvas))
        .map_err(|e| e.to_string())?;
    drop(image);
    let cost = estimated_bytes(picker.protocol_type(), canvas, cells);
    let protocol = encoder.protocol(small, cells)?;
    Ok((protocol, cost))
}

/// Full-resolution pictures of the full view, most recent last: a zoom or pan step cuts from
/// one of these instead of decoding again. Two, for the two sides of a comparison.
#[derive(Default)]
pub(crate) struct Decoded {
    images: Vec<(u64, Arc<DynamicImage>)>,
    /// The last difference, by (newer, older), with the share of pixels changed.
    difference: Option<((u64, u64), Arc<DynamicImage>, f64)>,
}

const KEEP_DECODED: usize = 2;

impl Decoded {
    pub(crate) fn get(&mut self, blob: &Blob) -> Result<Arc<DynamicImage>, String> {
        if let Some(index) = self.images.iter().position(|(id, _)| *id == blob.id()) {
            let entry = self.images.remove(index);
            let image = Arc::clone(&entry.1);
            self.images.push(entry);
            return Ok(image);
        }
        let bytes = blob.bytes().map_err(|e| e.to_string())?;
        let image = Arc::new(prepare::decode(&bytes).map_err(|e| e.to_string())?);
        if self.images.len() >= KEEP_DECODED {
            self.images.remove(0);
        }
        self.images.push((blob.id(), Arc::clone(&image)));
        Ok(image)
    }
}

impl Decoded {
    /// The difference picture of two versions, computed once for any number of zoom and pan
    /// steps, and the share of pixels that changed.
    pub(crate) fn difference(
        &mut self,
        newer: &Blob,
        older: &Blob,
    ) -> Result<(Arc<DynamicImage>, f64), String> {
        let ids = (newer.id(), older.id());
        if let Some((key, image, changed)) = &self.difference
            && *key == ids
        {
            return Ok((Arc::clone(image), *changed));
        }
        let newer = self.get(newer)?;
        let older = self.get(older)?;
        let diff = super::difference::difference(&newer, &older).map_err(|e| e.to_string())?;
        let image = Arc::new(DynamicImage::ImageRgb8(diff.image));
        self.difference = Some((ids, Arc::clone(&image), diff.changed));
        Ok((image, diff.changed))
    }
}

/// The full view: `crop` of the full-resolution picture scaled to fill `cells` (enlarged
/// too: zooming in is the point), encoded for the protocol.
pub(crate) fn build_crop(
    encoder: &Encoder,
    job: &Job,
    image: &DynamicImage,
    crop: super::Crop,
) -> Result<(Protocol, usize), String> {
    let picker = &encoder.picker;
    let font = picker.font_size();
    let font = (font.width.max(1), font.height.max(1));
    let bounds = bounds(job, font);
    let region = (crop.x, crop.y, crop.width, crop.height);
    if picker.protocol_type() == ProtocolType::Halfblocks {
        let cells = prepare::cells_for(
            prepare::scale_to_fit((crop.width, crop.height), bounds),
            font,
        );
        let half_cells = (u32::from(cells.0), u32::from(cells.1) * 2);
        let small = prepare::crop_to(image, region, half_cells).map_err(|e| e.to_string())?;
        let blocks = Halfblocks::new(DynamicImage::ImageRgba8(small), Size::new(cells.0, cells.1))
            .map_err(|e| format!("cannot encode halfblocks: {e}"))?;
        let cost = estimated_bytes(ProtocolType::Halfblocks, half_cells, cells);
        return Ok((Protocol::Halfblocks(blocks), cost));
    }
    let shown = prepare::scale_to_fit((crop.width, crop.height), bounds);
    let cells = prepare::cells_for(shown, font);
    let canvas = (
        u32::from(cells.0) * u32::from(font.0),
        u32::from(cells.1) * u32::from(font.1),
    );
    let small = prepare::crop_to(image, region, shown)
        .map(|small| prepare::pad_to(small, canvas))
        .map_err(|e| e.to_string())?;
    let cost = estimated_bytes(picker.protocol_type(), canvas, cells);
    let protocol = encoder.protocol(small, cells)?;
    Ok((protocol, cost))
}

/// The pixels a job may fill: its cells, within what the terminal takes.
fn bounds(job: &Job, font: (u16, u16)) -> (u32, u32) {
    let (cols, rows) = job.key.cells;
    let (width, height) = (
        u32::from(cols) * u32::from(font.0),
        u32::from(rows) * u32::from(font.1),
    );
    match job.max_px {
        Some((max_w, max_h)) => (width.min(max_w.max(1)), height.min(max_h.max(1))),
        None => (width, height),
    }
}

/// What an encoded preview roughly holds in memory: kitty keeps base64 RGBA, iTerm2 base64
/// PNG, sixel about a byte a pixel, halfblocks two colours a cell.
fn estimated_bytes(protocol: ProtocolType, pixels: (u32, u32), cells: (u16, u16)) -> usize {
    let pixel_count = pixels.0 as usize * pixels.1 as usize;
    let overhead = 1024;
    overhead
        + match protocol {
            ProtocolType::Kitty => pixel_count * 4 * 4 / 3,
            ProtocolType::Iterm2 => pixel_count * 2,
            ProtocolType::Sixel => pixel_count,
            ProtocolType::Halfblocks => usize::from(cells.0) * usize::from(cells.1) * 32,
        }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use bytes::Bytes;
    use image::{ImageFormat, Rgb, RgbImage};
    use ratatui_image::FontSize;

    use super::*;
    use crate::preview::caps::Capabilities;
    use crate::preview::protocol::with_font_size;

    fn job(blob: &Blob, cells: (u16, u16)) -> Job {
        Job {
            blob: blob.clone(),
            against: None,
            max_px: None,
            key: CacheKey::new(blob.id(), cells),
            requested_at: Instant::now(),
            urgent: true,
        }
    }

    #[test]
    fn every_protocol_encodes_for_whole_cells_inside_the_pane() {
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::from_pixel(1100, 600, Rgb([250, 200, 0])))
            .write_to(&mut png, ImageFormat::Png)
            .unwrap();
        let blob = Blob::from_bytes("image/png", Bytes::from(png.into_inner()));
        for protocol_type in [
            ProtocolType::Kitty,
            ProtocolType::Sixel,
            ProtocolType::Iterm2,
            ProtocolType::Halfblocks,
        ] {
            let mut picker = with_font_size(FontSize::new(10, 20));
            picker.set_protocol_type(protocol_type);
            let (protocol, cost) = build(
                &Encoder::new(picker, &Capabilities::default()),
                &job(&blob, (50, 20)),
            )
            .unwrap();
            // 1100×600 px into 500×400 px: 500×273 px, so 50×14 cells.
            assert_eq!(protocol.size(), Size::new(50, 14), "{protocol_type:?}");
            assert!(cost > 0);
            let variant_matches = match protocol_type {
                ProtocolType::Kitty => matches!(protocol, Protocol::Kitty(_)),
                ProtocolType::Sixel => matches!(protocol, Protocol::Sixel(_)),
                ProtocolType::Iterm2 => matches!(protocol, Protocol::ITerm2(_)),
                ProtocolType::Halfblocks => matches!(protocol, Protocol::Halfblocks(_)),
            };
            assert!(variant_matches, "{protocol_type:?}");
        }
    }

    #[test]
    fn halfblocks_fill_the_pane_even_from_a_small_picture() {
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([1, 2, 3])))
            .write_to(&mut png, ImageFormat::Png)
            .unwrap();
        let blob = Blob::from_bytes("image/png", Bytes::from(png.into_inner()));
        let mut picker = with_font_size(FontSize::new(10, 20));
        picker.set_protocol_type(ProtocolType::Halfblocks);
        let (protocol, _) = build(
            &Encoder::new(picker, &Capabilities::default()),
            &job(&blob, (80, 30)),
        )
        .unwrap();
        // A square in 800×600 px: 600×600 px, 60×30 cells.
        assert_eq!(protocol.size(), Size::new(60, 30));
    }
}
