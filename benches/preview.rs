//! Preview of a 4K picture in the studio's image pane (120×40 cells): the first view (read,
//! hash, decode, downscale, encode for the protocol on the previewer's worker, then the draw
//! that blits it) and a later view of the same picture (from the previewer's cache).
//!
//! The pictures are made here once: 5504×3072 (Nano Banana Pro's 4K at 16:9), a gradient with
//! noise so the files have real sizes. `cargo bench --bench preview` measures; `cargo test
//! --all-targets` runs each once so they cannot rot. Results and targets: BENCHMARKS.md.

use std::hint::black_box;
use std::io::Cursor;

use banana_studio::conversation::Blob;
use banana_studio::preview::{Crop, ImageProtocol, PreviewReady, Previewer, difference, prepare};
use bytes::Bytes;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use image::{ImageFormat, Rgb, RgbImage};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use support::{HEIGHT, WIDTH, picture};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

mod support;

// Measured with the binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PANE: Rect = Rect::new(0, 0, 120, 40);

fn encode(picture: &RgbImage, format: ImageFormat) -> Bytes {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
            .encode_image(picture)
            .expect("the bench picture encodes"),
        _ => picture
            .write_to(&mut out, format)
            .expect("the bench picture encodes"),
    }
    Bytes::from(out.into_inner())
}

/// A previewer with an empty cache: halfblocks (what a terminal without graphics gets), or
/// kitty (the pixel protocol; without a terminal to ask, the font is 10×20 px a cell).
fn previewer(protocol: ImageProtocol) -> (Previewer, UnboundedReceiver<PreviewReady>) {
    let (tx, rx) = unbounded_channel();
    let previewer = match protocol {
        ImageProtocol::Halfblocks => Previewer::halfblocks_for_tests((10, 20), tx),
        other => Previewer::detect(other, tx).0,
    };
    (previewer, rx)
}

fn draw(terminal: &mut Terminal<TestBackend>, previewer: &mut Previewer, blob: &Blob) {
    terminal
        .draw(|frame| previewer.render(frame, PANE, blob))
        .expect("a test backend draws");
}

/// What the studio does for a picture it has not shown: draw "preparing…" (which asks the
/// worker), wait for the worker's ready message, draw the picture.
fn first_view(
    terminal: &mut Terminal<TestBackend>,
    previewer: &mut Previewer,
    ready: &mut UnboundedReceiver<PreviewReady>,
    blob: &Blob,
) {
    draw(terminal, previewer, blob);
    ready.blocking_recv().expect("the worker answers");
    draw(terminal, previewer, blob);
}

fn preview_4k(c: &mut Criterion) {
    let picture = picture();
    let files = [
        ("jpeg", "image/jpeg", encode(&picture, ImageFormat::Jpeg)),
        ("png", "image/png", encode(&picture, ImageFormat::Png)),
    ];
    drop(picture);
    for (name, _, bytes) in &files {
        eprintln!("4K {name}: {} bytes", bytes.len());
    }

    let mut group = c.benchmark_group("preview_4K_120x40");
    group.sample_size(10);
    for (name, mime, bytes) in &files {
        group.bench_with_input(BenchmarkId::new("decode", name), bytes, |b, bytes| {
            b.iter(|| prepare::decode(black_box(bytes)).expect("decodes"))
        });
        for (protocol_name, protocol) in [
            ("halfblocks", ImageProtocol::Halfblocks),
            ("kitty", ImageProtocol::Kitty),
        ] {
            let id = format!("{name}_{protocol_name}");
            // A fresh blob and a previewer with an empty cache each time.
            group.bench_function(BenchmarkId::new("first_view", &id), |b| {
                b.iter_batched(
                    || {
                        let terminal = Terminal::new(TestBackend::new(PANE.width, PANE.height))
                            .expect("a test backend");
                        let (previewer, ready) = previewer(protocol);
                        (
                            terminal,
                            previewer,
                            ready,
                            Blob::from_bytes(mime, bytes.clone()),
                        )
                    },
                    |(mut terminal, mut previewer, mut ready, blob)| {
                        first_view(&mut terminal, &mut previewer, &mut ready, &blob);
                        (terminal, previewer, ready, blob)
                    },
                    BatchSize::PerIteration,
                )
            });
            let mut terminal =
                Terminal::new(TestBackend::new(PANE.width, PANE.height)).expect("a test backend");
            let (mut previewer, mut ready) = previewer(protocol);
            let blob = Blob::from_bytes(mime, bytes.clone());
            first_view(&mut terminal, &mut previewer, &mut ready, &blob);
            group.bench_function(BenchmarkId::new("shown_again", &id), |b| {
                b.iter(|| {
                    // A cleared screen makes the draw send every cell, as when the picture
                    // comes back into view.
                    terminal.clear().expect("a test backend clears");
                    draw(&mut terminal, &mut previewer, black_box(&blob));
                })
            });
        }
    }
    group.finish();
}

/// The full view of a 4K picture on 200×60 cells of 10×20 px (2000×1200 px): the first
/// picture of a picture never shown (decode at full resolution, cut, scale, encode) and of one
/// shown in the pane first (cut from the pane's screen-sized decode), one zoom or pan step (a
/// new crop of the decoded picture, scaled and encoded), and the difference of two 4K versions.
fn full_view_4k(c: &mut Criterion) {
    let picture = picture();
    let mut edited = picture.clone();
    for y in 0..HEIGHT / 8 {
        for x in 0..WIDTH {
            edited.put_pixel(x, y, Rgb([250, 220, 0]));
        }
    }
    let jpeg = encode(&picture, ImageFormat::Jpeg);
    let view = Rect::new(0, 0, 200, 60);
    let whole = Crop {
        x: 0,
        y: 0,
        width: WIDTH,
        height: HEIGHT,
    };
    let mut group = c.benchmark_group("full_view_4K_200x60");
    group.sample_size(10);
    for (protocol_name, protocol) in [
        ("halfblocks", ImageProtocol::Halfblocks),
        ("sixel", ImageProtocol::Sixel),
        ("kitty", ImageProtocol::Kitty),
    ] {
        // "first_picture": a picture never shown. "first_picture_after_pane": what the studio
        // does, the picture shown in the pane first (120×40 on this 200×60 screen, prepared
        // before the measurement), then `f`.
        for (row, after_pane) in [("first_picture", false), ("first_picture_after_pane", true)] {
            group.bench_function(BenchmarkId::new(row, protocol_name), |b| {
                b.iter_batched(
                    || {
                        let mut terminal = Terminal::new(TestBackend::new(view.width, view.height))
                            .expect("a test backend");
                        let (mut previewer, mut ready) = previewer(protocol);
                        let blob = Blob::from_bytes("image/jpeg", jpeg.clone());
                        if after_pane {
                            first_view(&mut terminal, &mut previewer, &mut ready, &blob);
                        }
                        (terminal, previewer, ready, blob)
                    },
                    |(mut terminal, mut previewer, mut ready, blob)| {
                        crop_view(
                            &mut terminal,
                            &mut previewer,
                            &mut ready,
                            &blob,
                            view,
                            whole,
                        );
                        (terminal, previewer, ready, blob)
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        // Decoded once; each step is a crop never seen before (1:1 pixels, a new position), so
        // nothing comes from the cache.
        let mut terminal =
            Terminal::new(TestBackend::new(view.width, view.height)).expect("a test backend");
        let (mut previewer, mut ready) = previewer(protocol);
        let blob = Blob::from_bytes("image/jpeg", jpeg.clone());
        crop_view(
            &mut terminal,
            &mut previewer,
            &mut ready,
            &blob,
            view,
            whole,
        );
        let mut step = 0u32;
        group.bench_function(BenchmarkId::new("zoom_or_pan_step", protocol_name), |b| {
            b.iter(|| {
                step += 1;
                let crop = Crop {
                    x: step % 3000,
                    y: (step / 3000) % 1800,
                    width: 2000,
                    height: 1200,
                };
                crop_view(&mut terminal, &mut previewer, &mut ready, &blob, view, crop);
            })
        });
    }
    let newer = image::DynamicImage::ImageRgb8(edited);
    let older = image::DynamicImage::ImageRgb8(picture);
    group.bench_function("difference_of_two_4K", |b| {
        b.iter(|| difference::difference(black_box(&newer), black_box(&older)).expect("compares"))
    });
    group.finish();
}

/// Draws a crop (asking the worker), waits for it, draws it.
fn crop_view(
    terminal: &mut Terminal<TestBackend>,
    previewer: &mut Previewer,
    ready: &mut UnboundedReceiver<PreviewReady>,
    blob: &Blob,
    area: Rect,
    crop: Crop,
) {
    terminal
        .draw(|frame| previewer.render_crop(frame, area, blob, crop))
        .expect("a test backend draws");
    ready.blocking_recv().expect("the worker answers");
    terminal
        .draw(|frame| previewer.render_crop(frame, area, blob, crop))
        .expect("a test backend draws");
}

criterion_group!(benches, preview_4k, full_view_4k);
criterion_main!(benches);
