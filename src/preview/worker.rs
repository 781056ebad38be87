//! The preview worker: a small [`Pool`] of threads that decode, downscale and encode for the
//! protocol, so the UI thread only ever blits a finished [`Encoded`] picture. Several threads, so the
//! variations grid's four 4K pictures decode side by side on the available cores.

use std::collections::{HashMap, HashSet};
use std::io;
use std::num::NonZero;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use image::{DynamicImage, Rgba, RgbaImage};
use ratatui::layout::Size;
use ratatui_image::picker::ProtocolType;
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::halfblocks::Halfblocks;
use tokio::sync::mpsc::UnboundedSender;

use super::cache::{CacheKey, Lru};
use super::crop::Crop;
use super::encode::{Encoded, Encoder};
use super::pool::{Pool, lock};
use super::prepare::{self, Pixels};
use crate::blob::Blob;

/// How long a pane size must hold still before a picture is prepared for it.
pub const RESIZE_SETTLE: Duration = Duration::from_millis(100);

/// Pictures that may wait at once; older ones are dropped (they are asked for again when shown).
const MAX_PENDING: usize = 4;

/// Preview threads at most: no more pictures than this are asked for at once (the variations
/// grid's four), so more threads would only hold more decoded 4K pictures.
const MAX_THREADS: usize = MAX_PENDING;

/// Estimated bytes of prepared previews to keep: a dozen panes' worth of kitty data.
pub const CACHE_BUDGET: usize = 48 * 1024 * 1024;

/// Failures remembered; past this the oldest are forgotten and would be retried if shown.
const MAX_FAILURES: usize = 64;

/// What the UI thread and the worker share. Held only for lookups and inserts, never while
/// decoding.
pub(crate) struct Shared {
    pub cache: Lru<CacheKey, Encoded>,
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

pub(crate) struct Job {
    pub blob: Blob,
    /// The older version to compare with (the full view's difference).
    pub against: Option<Blob>,
    pub key: CacheKey,
    /// The whole terminal, in cells, for the pane's picture: decoded large enough to fill it
    /// and kept, so the full view's first picture needs no decode. `None` for one picture among
    /// several (a variations candidate, a thumbnail): decoded only as large as its cells, since
    /// a smaller reduction decodes faster and several decode at once.
    pub screen: Option<(u16, u16)>,
    /// For the full view: the pictures `[` and `]` step to, decoded at full resolution after
    /// this one while the user looks, so a step keeps its zoom without waiting for a decode.
    pub neighbours: Vec<Blob>,
}

/// Sent by the worker when a picture is ready (or known to be unshowable) for a pane size:
/// the TUI should redraw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewReady {
    /// [`Blob::id`] of the picture.
    pub blob: u64,
    /// Pane size in cells.
    pub cells: (u16, u16),
}

/// The preview threads: one a core, at most [`MAX_THREADS`].
pub(crate) fn spawn(
    encoder: Encoder,
    shared: Arc<Mutex<Shared>>,
    ready: UnboundedSender<PreviewReady>,
) -> io::Result<Pool<Job>> {
    let threads = thread::available_parallelism()
        .map_or(1, NonZero::get)
        .min(MAX_THREADS);
    let decoded = Decoded::default();
    let crashed_shared = Arc::clone(&shared);
    let crashed_ready = ready.clone();
    Pool::start(
        threads,
        RESIZE_SETTLE,
        MAX_PENDING,
        move |job: &Job| {
            let outcome = prepare_job(job, &encoder, &shared, &decoded);
            deliver(job, outcome, &shared, &ready);
            // The full view's first picture may have come from a reduced decode: decode the
            // whole picture now, while the user looks at it, so zoom steps cut from it.
            if job.key.crop.is_some() {
                let _ = decoded.get(&job.blob);
                decoded.prefetch(&job.neighbours);
            }
        },
        // A decoder bug must cost one picture, not a thread: show it as a failure.
        move |job: &Job| {
            let outcome = Err("the image decoder crashed".to_string());
            deliver(job, outcome, &crashed_shared, &crashed_ready);
        },
    )
}

fn prepare_job(
    job: &Job,
    encoder: &Encoder,
    shared: &Mutex<Shared>,
    decoded: &Decoded,
) -> Result<(Encoded, usize), String> {
    match (job.key.crop, &job.against) {
        (Some(crop), Some(older)) => {
            let (image, changed) = decoded.difference(&job.blob, older)?;
            lock(shared)
                .changed
                .insert((job.blob.id(), older.id()), changed);
            build_crop(encoder, job, &image, crop)
        }
        (Some(crop), None) => {
            let bounds = bounds(job, encoder);
            if let Some((image, all)) = decoded.screen_sized_whole(&job.blob, crop, bounds) {
                return build_crop(encoder, job, &image, all);
            }
            if let Some(image) = decoded.ready(&job.blob) {
                return build_crop(encoder, job, &image, crop);
            }
            if is_whole(&job.blob, crop) {
                // All of a picture the pane has not decoded for this screen (a candidate
                // after moving in the grid): a reduced decode shows it sooner; the full
                // resolution for zoom steps follows while the user looks (see `spawn`).
                let image = decoded.decode_screen_sized(&job.blob, bounds)?;
                let all = Crop::all((image.width(), image.height()));
                return build_crop(encoder, job, &image, all);
            }
            build_crop(encoder, job, &*decoded.get(&job.blob)?, crop)
        }
        (None, _) => match job.screen {
            // Decoded large enough for the whole screen, not just the pane, and kept: the full
            // view's first picture then needs no decode. A 4K JPEG costs about the same at ½ as
            // at ¼ on its own (reading its entropy-coded data is most of the work), though four
            // at once on two cores take a fifth longer.
            Some(screen) => {
                let cells = (screen.0.max(job.key.cells.0), screen.1.max(job.key.cells.1));
                let screen = px_bounds(cells, encoder.font());
                build(
                    encoder,
                    job,
                    &*decoded.decode_screen_sized(&job.blob, screen)?,
                )
            }
            None => {
                let bytes = job.blob.bytes().map_err(|e| e.to_string())?;
                let image =
                    prepare::decode_for(&bytes, bounds(job, encoder)).map_err(|e| e.to_string())?;
                build(encoder, job, &image)
            }
        },
    }
}

/// Whether `crop` is all of `blob`'s picture.
fn is_whole(blob: &Blob, crop: Crop) -> bool {
    (crop.x, crop.y) == (0, 0) && blob.dimensions() == Some((crop.width, crop.height))
}

/// Stores what a job came to and tells the UI to redraw.
fn deliver(
    job: &Job,
    outcome: Result<(Encoded, usize), String>,
    shared: &Mutex<Shared>,
    ready: &UnboundedSender<PreviewReady>,
) {
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

/// Fit, downscale, encode `image`: everything slow after decoding, for one picture at one pane
/// size.
pub(crate) fn build(
    encoder: &Encoder,
    job: &Job,
    image: &DynamicImage,
) -> Result<(Encoded, usize), String> {
    let picker = &encoder.picker;
    let font = encoder.font();
    let bounds = bounds(job, encoder);
    let image_size = (image.width(), image.height());
    if picker.protocol_type() == ProtocolType::Halfblocks {
        // Two pixels a cell whatever the picture's resolution: fill the pane (growing a small
        // picture costs nothing visible) and shrink straight to the half cells, which is all
        // the encoder keeps.
        let cells = prepare::cells_for(prepare::scale_to_fit(image_size, bounds), font);
        let half_cells = (u32::from(cells.0), u32::from(cells.1) * 2);
        let small = prepare::downscale(image, half_cells).map_err(|e| e.to_string())?;
        let blocks = Halfblocks::new(DynamicImage::ImageRgba8(small), Size::new(cells.0, cells.1))
            .map_err(|e| format!("cannot encode halfblocks: {e}"))?;
        let cost = estimated_bytes(ProtocolType::Halfblocks, half_cells, cells);
        return Ok((Encoded::Protocol(Protocol::Halfblocks(blocks)), cost));
    }
    // Pixel protocols get the picture fitted to the pane, grown if it is smaller (as
    // halfblocks are: a picture looks the same size in every terminal), centred on a
    // transparent canvas of whole cells so nothing stretches it.
    let fitted = prepare::scale_to_fit(image_size, bounds);
    let cells = prepare::cells_for(fitted, font);
    let canvas = (
        u32::from(cells.0) * u32::from(font.0),
        u32::from(cells.1) * u32::from(font.1),
    );
    let all = (0, 0, image_size.0, image_size.1);
    let pixels = prepare::crop_pixels(image, all, fitted).map_err(|e| e.to_string())?;
    let cost = estimated_bytes(picker.protocol_type(), canvas, cells);
    Ok((encoder.encode(&pixels, canvas, cells)?, cost))
}

/// Full-resolution pictures of the full view, most recent last: a zoom or pan step, or a step
/// to a neighbouring version, cuts from one of these instead of decoding again. Shared by
/// the preview threads: a picture is decoded once even when two threads want it at the same
/// time (the second waits for the first), and two different pictures decode side by side.
#[derive(Default)]
pub(crate) struct Decoded {
    images: Mutex<Vec<(u64, Arc<DecodedSlot>)>>,
    /// The pictures last prepared for a pane, decoded (reduced) just large enough to fill the
    /// screen: the full view's first picture, all of the picture at fit, is cut from one.
    screen_sized: Mutex<Vec<(u64, Arc<DynamicImage>)>>,
    /// The last difference, by (newer, older), with the share of pixels changed.
    difference: Mutex<Option<Difference>>,
}

/// A difference picture by (newer, older) [`Blob::id`], with the share of pixels changed.
type Difference = ((u64, u64), Arc<DynamicImage>, f64);

/// One picture, decoded by whichever thread asked for it first.
type DecodedSlot = OnceLock<Result<Arc<DynamicImage>, String>>;

/// `blob`'s slot among `images`, moved to the end as the most recent, if it is there.
fn touch(images: &mut Vec<(u64, Arc<DecodedSlot>)>, blob: &Blob) -> Option<Arc<DecodedSlot>> {
    let index = images.iter().position(|(id, _)| *id == blob.id())?;
    let entry = images.remove(index);
    let slot = Arc::clone(&entry.1);
    images.push(entry);
    Some(slot)
}

/// Pane pictures decoded for the screen.
const KEEP_DECODED: usize = 2;
/// Full-resolution pictures: the one shown and the two `[` and `]` step to (a comparison's
/// other side is usually one of those). A 4K picture is 50 MB.
const KEEP_FULL: usize = 3;

impl Decoded {
    /// `blob` at full resolution if it has been decoded already (a step to a neighbour).
    fn ready(&self, blob: &Blob) -> Option<Arc<DynamicImage>> {
        let slot = touch(&mut lock(&self.images), blob)?;
        slot.get()
            .and_then(|decoded| decoded.as_ref().ok())
            .cloned()
    }

    /// Decodes `blobs` at full resolution, the ones already decoded first marked as recent,
    /// so none pushes out another of them or the picture just shown.
    fn prefetch(&self, blobs: &[Blob]) {
        let missing: Vec<&Blob> = blobs
            .iter()
            .filter(|blob| self.ready(blob).is_none())
            .collect();
        for blob in missing {
            let _ = self.get(blob);
        }
    }

    pub(crate) fn get(&self, blob: &Blob) -> Result<Arc<DynamicImage>, String> {
        let slot = {
            let mut images = lock(&self.images);
            touch(&mut images, blob).unwrap_or_else(|| {
                if images.len() >= KEEP_FULL {
                    images.remove(0);
                }
                let slot = Arc::new(DecodedSlot::new());
                images.push((blob.id(), Arc::clone(&slot)));
                slot
            })
        };
        // Decoded outside the lock: another picture may decode meanwhile.
        slot.get_or_init(|| {
            let bytes = blob.bytes().map_err(|e| e.to_string())?;
            prepare::decode_to_show(&bytes)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
    }

    /// `blob` decoded (reduced) large enough to cover `bounds` pixels, and kept for
    /// [`Decoded::screen_sized_whole`].
    fn decode_screen_sized(
        &self,
        blob: &Blob,
        bounds: (u32, u32),
    ) -> Result<Arc<DynamicImage>, String> {
        let bytes = blob.bytes().map_err(|e| e.to_string())?;
        let image = Arc::new(prepare::decode_for(&bytes, bounds).map_err(|e| e.to_string())?);
        let mut kept = lock(&self.screen_sized);
        kept.retain(|(id, _)| *id != blob.id());
        if kept.len() >= KEEP_DECODED {
            kept.remove(0);
        }
        kept.push((blob.id(), Arc::clone(&image)));
        Ok(image)
    }

    /// When `crop` is all of `blob` and a kept pane decode is at least as large as that crop
    /// fitted into `bounds`: the kept picture and the crop of all of it.
    fn screen_sized_whole(
        &self,
        blob: &Blob,
        crop: Crop,
        bounds: (u32, u32),
    ) -> Option<(Arc<DynamicImage>, Crop)> {
        let whole = is_whole(blob, crop);
        let shown = prepare::scale_to_fit((crop.width, crop.height), bounds);
        let image = lock(&self.screen_sized)
            .iter()
            .find(|(id, _)| *id == blob.id())
            .map(|(_, image)| Arc::clone(image))
            .filter(|image| whole && image.width() >= shown.0 && image.height() >= shown.1)?;
        let all = Crop::all((image.width(), image.height()));
        Some((image, all))
    }

    /// The difference picture of two versions, computed once for any number of zoom and pan
    /// steps, and the share of pixels that changed.
    pub(crate) fn difference(
        &self,
        newer: &Blob,
        older: &Blob,
    ) -> Result<(Arc<DynamicImage>, f64), String> {
        let ids = (newer.id(), older.id());
        if let Some((key, image, changed)) = &*lock(&self.difference)
            && *key == ids
        {
            return Ok((Arc::clone(image), *changed));
        }
        let newer = self.get(newer)?;
        let older = self.get(older)?;
        let diff = super::difference::difference(&newer, &older).map_err(|e| e.to_string())?;
        let image = Arc::new(DynamicImage::ImageRgb8(diff.image));
        *lock(&self.difference) = Some((ids, Arc::clone(&image), diff.changed));
        Ok((image, diff.changed))
    }
}

/// The full view: `crop` of the full-resolution picture scaled to fill `cells` (enlarged
/// too: zooming in is the point), encoded for the protocol.
pub(crate) fn build_crop(
    encoder: &Encoder,
    job: &Job,
    image: &DynamicImage,
    crop: Crop,
) -> Result<(Encoded, usize), String> {
    let picker = &encoder.picker;
    let font = encoder.font();
    let bounds = bounds(job, encoder);
    let region = (crop.x, crop.y, crop.width, crop.height);
    if picker.protocol_type() == ProtocolType::Halfblocks {
        let cells = prepare::cells_for(
            prepare::scale_to_fit((crop.width, crop.height), bounds),
            font,
        );
        let half_cells = (u32::from(cells.0), u32::from(cells.1) * 2);
        let mut small = prepare::crop_to(image, region, half_cells).map_err(|e| e.to_string())?;
        if let Some(mark) = job.key.mark {
            outline(&mut small, mark, job.key.crop.unwrap_or(crop), 1);
        }
        let blocks = Halfblocks::new(DynamicImage::ImageRgba8(small), Size::new(cells.0, cells.1))
            .map_err(|e| format!("cannot encode halfblocks: {e}"))?;
        let cost = estimated_bytes(ProtocolType::Halfblocks, half_cells, cells);
        return Ok((Encoded::Protocol(Protocol::Halfblocks(blocks)), cost));
    }
    let shown = prepare::scale_to_fit((crop.width, crop.height), bounds);
    let cells = prepare::cells_for(shown, font);
    let canvas = (
        u32::from(cells.0) * u32::from(font.0),
        u32::from(cells.1) * u32::from(font.1),
    );
    // The encoders read the region's rows in the picture's own layout (in place at 1:1: a
    // zoom step copies nothing) and leave the padding undrawn themselves, so no RGBA canvas
    // is written and read back.
    let mut pixels = prepare::crop_pixels(image, region, shown).map_err(|e| e.to_string())?;
    if let Some(mark) = job.key.mark {
        let mut rgba = pixels.to_rgba();
        // In the full-resolution picture's pixels, as the mark is: the crop drawn may be of a
        // reduced decode.
        outline(&mut rgba, mark, job.key.crop.unwrap_or(crop), 3);
        pixels = Pixels::owned_rgba(rgba);
    }
    let cost = estimated_bytes(picker.protocol_type(), canvas, cells);
    Ok((encoder.encode(&pixels, canvas, cells)?, cost))
}

/// Outlines `mark` (in the image's pixels) on `shown`, a picture of `crop` of the image:
/// dashes of magenta and white, `thickness` pixels, seen on any picture in any protocol.
/// Edges outside the crop are not drawn.
fn outline(shown: &mut RgbaImage, mark: Crop, crop: Crop, thickness: u32) {
    let (w, h) = shown.dimensions();
    let to_x =
        |x: u32| (i64::from(x) - i64::from(crop.x)) * i64::from(w) / i64::from(crop.width.max(1));
    let to_y =
        |y: u32| (i64::from(y) - i64::from(crop.y)) * i64::from(h) / i64::from(crop.height.max(1));
    let (left, top) = (to_x(mark.x), to_y(mark.y));
    let (right, bottom) = (to_x(mark.x + mark.width), to_y(mark.y + mark.height));
    let t = i64::from(thickness);
    let dash = |along: i64| {
        if (along / 8) % 2 == 0 {
            Rgba([255, 0, 255, 255])
        } else {
            Rgba([255, 255, 255, 255])
        }
    };
    let mut put = |x: i64, y: i64, colour: Rgba<u8>| {
        if (0..i64::from(w)).contains(&x) && (0..i64::from(h)).contains(&y) {
            shown.put_pixel(x as u32, y as u32, colour);
        }
    };
    for x in (left - t)..(right + t) {
        for d in 1..=t {
            put(x, top - d, dash(x));
            put(x, bottom + d - 1, dash(x));
        }
    }
    for y in (top - t)..(bottom + t) {
        for d in 1..=t {
            put(left - d, y, dash(y));
            put(right + d - 1, y, dash(y));
        }
    }
}

/// The pixels a job may fill: its cells' (a picture larger than the terminal draws at once
/// is drawn in tiles, see [`Encoded::Tiles`]).
fn bounds(job: &Job, encoder: &Encoder) -> (u32, u32) {
    px_bounds(job.key.cells, encoder.font())
}

/// The pixels of `cells`.
fn px_bounds(cells: (u16, u16), font: (u16, u16)) -> (u32, u32) {
    (
        u32::from(cells.0) * u32::from(font.0),
        u32::from(cells.1) * u32::from(font.1),
    )
}

/// What an encoded preview roughly holds in memory, at most: kitty and iTerm2 keep base64 PNG
/// (kitty's RGB, until it is sent), sixel about a byte a pixel, halfblocks two colours a cell.
fn estimated_bytes(protocol: ProtocolType, pixels: (u32, u32), cells: (u16, u16)) -> usize {
    let pixel_count = pixels.0 as usize * pixels.1 as usize;
    let overhead = 1024;
    overhead
        + match protocol {
            ProtocolType::Kitty => pixel_count * 3 * 4 / 3,
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
    use crate::emulator::protocol::with_font_size;

    fn job(blob: &Blob, cells: (u16, u16)) -> Job {
        Job {
            blob: blob.clone(),
            against: None,
            key: CacheKey::new(blob.id(), cells),
            screen: Some(cells),
            neighbours: Vec::new(),
        }
    }

    fn png(image: &DynamicImage) -> Blob {
        let mut png = Cursor::new(Vec::new());
        image.write_to(&mut png, ImageFormat::Png).unwrap();
        Blob::from_bytes("image/png", Bytes::from(png.into_inner()))
    }

    #[test]
    fn every_protocol_encodes_for_whole_cells_inside_the_pane() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(1100, 600, Rgb([250, 200, 0])));
        let blob = png(&image);
        for protocol_type in [
            ProtocolType::Kitty,
            ProtocolType::Sixel,
            ProtocolType::Iterm2,
            ProtocolType::Halfblocks,
        ] {
            let mut picker = with_font_size(FontSize::new(10, 20));
            picker.set_protocol_type(protocol_type);
            let encoder = Encoder::new(picker);
            let (protocol, cost) = build(&encoder, &job(&blob, (50, 20)), &image).unwrap();
            // 1100×600 px into 500×400 px: 500×273 px, so 50×14 cells.
            assert_eq!(protocol.size(), Size::new(50, 14), "{protocol_type:?}");
            assert!(cost > 0);
            let variant_matches = match protocol_type {
                ProtocolType::Kitty => matches!(protocol, Encoded::KittyPng(_)),
                ProtocolType::Sixel => matches!(protocol, Encoded::Protocol(Protocol::Sixel(_))),
                ProtocolType::Iterm2 => matches!(protocol, Encoded::Protocol(Protocol::ITerm2(_))),
                ProtocolType::Halfblocks => {
                    matches!(protocol, Encoded::Protocol(Protocol::Halfblocks(_)))
                }
            };
            assert!(variant_matches, "{protocol_type:?}");
        }
    }

    #[test]
    fn halfblocks_fill_the_pane_even_from_a_small_picture() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([1, 2, 3])));
        let blob = png(&image);
        let mut picker = with_font_size(FontSize::new(10, 20));
        picker.set_protocol_type(ProtocolType::Halfblocks);
        let encoder = Encoder::new(picker);
        let (protocol, _) = build(&encoder, &job(&blob, (80, 30)), &image).unwrap();
        // A square in 800×600 px: 600×600 px, 60×30 cells.
        assert_eq!(protocol.size(), Size::new(60, 30));
    }

    /// Left half red, right half blue, 1600×800 px, as a PNG.
    fn halves() -> Blob {
        png(&DynamicImage::ImageRgb8(RgbImage::from_fn(
            1600,
            800,
            |x, _| {
                if x < 800 {
                    Rgb([200, 0, 0])
                } else {
                    Rgb([0, 0, 200])
                }
            },
        )))
    }

    fn halfblocks_encoder() -> Encoder {
        let mut picker = with_font_size(FontSize::new(10, 20));
        picker.set_protocol_type(ProtocolType::Halfblocks);
        Encoder::new(picker)
    }

    /// The full view at fit of [`halves`]'s `blob`, all of it on a 40×20-cell screen
    /// (400×400 px): drawn at 40×10 cells without decoding the full resolution.
    fn full_view_at_fit(
        blob: &Blob,
        encoder: &Encoder,
        shared: &Mutex<Shared>,
        decoded: &Decoded,
    ) -> Job {
        let mut full_view = job(blob, (40, 20));
        full_view.key =
            CacheKey::cropped(blob.id(), (40, 20), super::super::Crop::all((1600, 800)));
        let (protocol, _) = prepare_job(&full_view, encoder, shared, decoded).unwrap();
        assert_eq!(protocol.size(), Size::new(40, 10));
        assert!(
            lock(&decoded.images).is_empty(),
            "the full resolution was decoded for the first picture"
        );
        full_view
    }

    #[test]
    fn the_versions_next_to_the_full_view_are_decoded_and_stepping_keeps_them() {
        let versions: Vec<Blob> = (0..4u8)
            .map(|i| {
                png(&DynamicImage::ImageRgb8(RgbImage::from_pixel(
                    8,
                    8,
                    Rgb([i * 60, 0, 0]),
                )))
            })
            .collect();
        let decoded = Decoded::default();
        // The full view of version 1: versions 0 and 2 are decoded after it.
        decoded.get(&versions[1]).unwrap();
        decoded.prefetch(&[versions[0].clone(), versions[2].clone()]);
        assert!(versions[..3].iter().all(|v| decoded.ready(v).is_some()));
        // `]` to version 2: version 1 is kept, 3 decoded, and 0, the farthest, goes.
        decoded.get(&versions[2]).unwrap();
        decoded.prefetch(&[versions[1].clone(), versions[3].clone()]);
        assert!(decoded.ready(&versions[0]).is_none());
        assert!(versions[1..].iter().all(|v| decoded.ready(v).is_some()));
    }

    #[test]
    fn a_neighbour_decoded_at_full_resolution_is_shown_whole_from_that_decode() {
        let blob = halves();
        let decoded = Decoded::default();
        decoded.prefetch(std::slice::from_ref(&blob));
        let shared = Mutex::new(Shared::new(CACHE_BUDGET));
        let mut full_view = job(&blob, (40, 20));
        full_view.key =
            CacheKey::cropped(blob.id(), (40, 20), super::super::Crop::all((1600, 800)));
        let (protocol, _) =
            prepare_job(&full_view, &halfblocks_encoder(), &shared, &decoded).unwrap();
        assert_eq!(protocol.size(), Size::new(40, 10));
        assert!(
            lock(&decoded.screen_sized).is_empty(),
            "a reduced decode was made beside the full one"
        );
    }

    #[test]
    fn a_full_view_the_pane_never_showed_starts_from_a_reduced_decode() {
        let blob = halves();
        let decoded = Decoded::default();
        let shared = Mutex::new(Shared::new(CACHE_BUDGET));
        full_view_at_fit(&blob, &halfblocks_encoder(), &shared, &decoded);
        // ¼ (400×200) covers the screen, and is kept.
        let all = super::super::Crop::all((1600, 800));
        let kept = decoded.screen_sized_whole(&blob, all, (400, 400));
        assert_eq!(kept.map(|(image, _)| image.width()), Some(400));
    }

    #[test]
    fn one_picture_among_several_is_decoded_for_its_cells_and_not_kept() {
        let encoder = halfblocks_encoder();
        let shared = Mutex::new(Shared::new(CACHE_BUDGET));
        let decoded = Decoded::default();
        let all = super::super::Crop::all((1600, 800));
        let pane = halves();
        let mut pane_job = job(&pane, (20, 10));
        pane_job.screen = Some((40, 20));
        prepare_job(&pane_job, &encoder, &shared, &decoded).unwrap();
        // Two candidates of a grid: neither displaces the pane's decode (two are kept).
        for _ in 0..2 {
            let candidate = halves();
            let mut small = job(&candidate, (20, 10));
            small.screen = None;
            let (protocol, _) = prepare_job(&small, &encoder, &shared, &decoded).unwrap();
            assert_eq!(protocol.size(), Size::new(20, 5));
            assert!(
                decoded
                    .screen_sized_whole(&candidate, all, (200, 200))
                    .is_none()
            );
        }
        assert!(decoded.screen_sized_whole(&pane, all, (400, 400)).is_some());
    }

    #[test]
    fn the_full_views_first_picture_is_cut_from_the_panes_decode() {
        let blob = halves();
        let encoder = halfblocks_encoder();
        let shared = Mutex::new(Shared::new(CACHE_BUDGET));
        let decoded = Decoded::default();

        // The pane (20×10 cells) on a 40×20 screen (400×400 px): decoded at ¼ (400×200),
        // enough for the screen, and kept.
        let mut pane = job(&blob, (20, 10));
        pane.screen = Some((40, 20));
        prepare_job(&pane, &encoder, &shared, &decoded).unwrap();

        // The full view at fit, all of the picture on the whole screen: no decode at all, the
        // pane's decode is cut.
        let all = super::super::Crop::all((1600, 800));
        let panes = decoded
            .screen_sized_whole(&blob, all, (400, 400))
            .unwrap()
            .0;
        let mut full_view = full_view_at_fit(&blob, &encoder, &shared, &decoded);
        let kept = decoded
            .screen_sized_whole(&blob, all, (400, 400))
            .unwrap()
            .0;
        assert!(Arc::ptr_eq(&panes, &kept), "decoded again");

        // A zoom step needs the full resolution: it is decoded then, and kept.
        let left = super::super::Crop {
            width: 400,
            height: 400,
            ..all
        };
        full_view.key = CacheKey::cropped(blob.id(), (40, 20), left);
        prepare_job(&full_view, &encoder, &shared, &decoded).unwrap();
        assert!(decoded.get(&blob).is_ok());
        assert_eq!(lock(&decoded.images).len(), 1);

        // A picture too small for the screen from its pane decode is cut from the full
        // resolution instead: a 40×20 screen needs 400 px across, the kept one has 200.
        let mut small_screen = job(&blob, (20, 10));
        small_screen.screen = Some((10, 5));
        let other = halves();
        small_screen.blob = other.clone();
        small_screen.key = CacheKey::new(other.id(), (20, 10));
        prepare_job(&small_screen, &encoder, &shared, &decoded).unwrap();
        let kept = decoded.screen_sized_whole(&other, all, (400, 400));
        assert!(kept.is_none());
        assert!(decoded.screen_sized_whole(&blob, all, (400, 400)).is_some());
    }
}
