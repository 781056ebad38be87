//! Preview of a 4K picture in the studio's image pane (120×40 cells): the first view (read,
//! hash, decode, downscale, encode for the protocol on the previewer's worker, then the draw
//! that blits it) and a later view of the same picture (from the previewer's cache).
//!
//! The pictures are made here once: 5504×3072 (Nano Banana Pro's 4K at 16:9), a gradient with
//! noise so the files have real sizes. `cargo bench --bench preview` measures; `cargo test
//! --all-targets` runs each once so they cannot rot. Results and targets: BENCHMARKS.md.

use std::hint::black_box;
use std::io::Cursor;

use banana_studio::blob::Blob;
use banana_studio::demo::painter::{Scene, paint};
use banana_studio::emulator::ImageProtocol;
use banana_studio::preview::kitty::KittyPng;
use banana_studio::preview::sixel;
use banana_studio::preview::{Crop, PreviewReady, Previewer, difference, prepare};
use banana_studio_jpeg::{Backend, Jpeg};
use bytes::Bytes;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, RgbaImage};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::widgets::Widget;
use ratatui_image::Image;
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::kitty::Kitty;
use ratatui_image::protocol::sixel::Sixel;
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
        ImageProtocol::Halfblocks => Previewer::halfblocks((10, 20), tx),
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
    let edited_jpeg = encode(&edited, ImageFormat::Jpeg);
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
                        // The last run's full-resolution decode, which follows its first
                        // picture on a preview thread, ends first (about 140 ms): a user's next
                        // `f` does not come that soon after the last.
                        std::thread::sleep(std::time::Duration::from_millis(300));
                        let mut terminal = Terminal::new(TestBackend::new(view.width, view.height))
                            .expect("a test backend");
                        let (mut previewer, mut ready) = previewer(protocol);
                        let blob = Blob::from_bytes("image/jpeg", jpeg.clone());
                        if after_pane {
                            first_view(&mut terminal, &mut previewer, &mut ready, &blob);
                        }
                        (terminal, previewer, ready, blob)
                    },
                    |state| view_crop(state, view, whole),
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
            (&blob, &[]),
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
                crop_view(
                    &mut terminal,
                    &mut previewer,
                    &mut ready,
                    (&blob, &[]),
                    view,
                    crop,
                );
            })
        });
        // `[` at 1:1 in the full view: the same place in the previous version. "cold": the
        // previous version was never decoded; "prepared": it was named as a neighbour when
        // the view opened, and decoded while the user looked.
        let detail = Crop {
            x: 1000,
            y: 800,
            width: 2000,
            height: 1200,
        };
        for (row, prepared) in [
            ("step_to_previous_version_cold", false),
            ("step_to_previous_version", true),
        ] {
            group.bench_function(BenchmarkId::new(row, protocol_name), |b| {
                b.iter_batched(
                    || {
                        let mut terminal = Terminal::new(TestBackend::new(view.width, view.height))
                            .expect("a test backend");
                        let (mut previewer, mut ready) = crate::previewer(protocol);
                        let shown = Blob::from_bytes("image/jpeg", edited_jpeg.clone());
                        let previous = Blob::from_bytes("image/jpeg", jpeg.clone());
                        let neighbours: &[&Blob] = if prepared { &[&previous] } else { &[] };
                        crop_view(
                            &mut terminal,
                            &mut previewer,
                            &mut ready,
                            (&shown, neighbours),
                            view,
                            detail,
                        );
                        // The user looks at it: the neighbour's decode (about 160 ms) ends.
                        std::thread::sleep(std::time::Duration::from_millis(600));
                        (terminal, previewer, ready, previous)
                    },
                    |state| view_crop(state, view, detail),
                    BatchSize::PerIteration,
                )
            });
        }
    }
    let newer = image::DynamicImage::ImageRgb8(edited);
    let older = image::DynamicImage::ImageRgb8(picture);
    group.bench_function("difference_of_two_4K", |b| {
        b.iter(|| difference::difference(black_box(&newer), black_box(&older)).expect("compares"))
    });
    group.finish();
}

/// What a batched full-view bench hands from its setup to its measured draw.
type ViewState = (
    Terminal<TestBackend>,
    Previewer,
    UnboundedReceiver<PreviewReady>,
    Blob,
);

/// The measured part of a batched full-view bench: `crop` of the state's picture, drawn
/// once the worker has it.
fn view_crop(
    (mut terminal, mut previewer, mut ready, blob): ViewState,
    area: Rect,
    crop: Crop,
) -> ViewState {
    crop_view(
        &mut terminal,
        &mut previewer,
        &mut ready,
        (&blob, &[]),
        area,
        crop,
    );
    (terminal, previewer, ready, blob)
}

/// Draws a crop (asking the worker), waits for it, draws it.
fn crop_view(
    terminal: &mut Terminal<TestBackend>,
    previewer: &mut Previewer,
    ready: &mut UnboundedReceiver<PreviewReady>,
    (blob, neighbours): (&Blob, &[&Blob]),
    area: Rect,
    crop: Crop,
) {
    terminal
        .draw(|frame| previewer.render_crop(frame, area, (blob, None), crop, neighbours))
        .expect("a test backend draws");
    ready.blocking_recv().expect("the worker answers");
    terminal
        .draw(|frame| previewer.render_crop(frame, area, (blob, None), crop, neighbours))
        .expect("a test backend draws");
}

/// The two pictures the encoders are measured on, at `size`: a 1:1 cut of the bench's noisy
/// 4K gradient (photo-like, the hardest case for run lengths and deflate) and the demo model's
/// infographic (flat colours and text, like most replies).
fn encoder_inputs(size: (u32, u32)) -> [(&'static str, RgbaImage); 2] {
    let photo = image::imageops::crop_imm(&picture(), 1000, 900, size.0, size.1).to_image();
    let scene = Scene {
        subject: "an infographic about bananas",
        edits: &[],
        draft: None,
        variant: 0,
    };
    [
        ("photo", DynamicImage::ImageRgb8(photo).to_rgba8()),
        (
            "infographic",
            DynamicImage::ImageRgb8(paint(&scene, size.0, size.1)).to_rgba8(),
        ),
    ]
}

/// The full view's sixel encoding alone, 2000×1200 px (200×60 cells of 10×20 px):
/// ratatui-image's encoder (icy_sixel) against ours. Prints the bytes each writes.
fn sixel_encoders(c: &mut Criterion) {
    let size = Size::new(200, 60);
    let mut group = c.benchmark_group("sixel_encode_2000x1200");
    group.sample_size(10);
    for (name, rgba) in encoder_inputs((2000, 1200)) {
        let image = DynamicImage::ImageRgba8(rgba.clone());
        let theirs = Sixel::new(image.clone(), size, false).expect("icy_sixel encodes");
        let ours = sixel::protocol(&rgba, size, false);
        eprintln!(
            "sixel {name} 2000x1200: icy_sixel {} bytes, ours {} bytes",
            theirs.data.len(),
            ours.data.len()
        );
        group.bench_function(BenchmarkId::new("icy_sixel", name), |b| {
            b.iter(|| Sixel::new(black_box(image.clone()), size, false).expect("encodes"))
        });
        group.bench_function(BenchmarkId::new("ours", name), |b| {
            b.iter(|| sixel::protocol(black_box(&rgba), size, false))
        });
    }
    group.finish();
}

/// Everything the first draw of `protocol` sends (the transmission, then the placeholders).
fn first_draw(protocol: &Protocol, cells: (u16, u16)) -> usize {
    let area = Rect::new(0, 0, cells.0, cells.1);
    let mut buffer = Buffer::empty(area);
    Image::new(protocol).render(area, &mut buffer);
    buffer
        .content()
        .iter()
        .map(|cell| cell.symbol().len())
        .sum()
}

/// A new kitty image for a 120×40 pane (10×20 px cells): the 4K picture as the pane shows it
/// (downscaled to 1200×670, on a canvas of whole cells) and the demo's infographic at the same
/// size. What the studio sends (PNG, `f=100`) against ratatui-image's kitty protocol (RGBA, raw
/// or deflated with `o=z`): the time to build each, and (printed) the bytes the first draw
/// sends.
fn kitty_new_image(c: &mut Criterion) {
    let cells = (120, 34);
    let (size, area) = (
        Size::new(cells.0, cells.1),
        Rect::new(0, 0, cells.0, cells.1),
    );
    let canvas = (1200, 680);
    let photo = prepare::downscale(&DynamicImage::ImageRgb8(picture()), (1200, 670))
        .map(|small| prepare::pad_to(small, canvas))
        .expect("the bench picture scales");
    let [_, (_, infographic)] = encoder_inputs(canvas);
    let mut group = c.benchmark_group("kitty_new_image_120x40");
    group.sample_size(10);
    for (name, rgba) in [("photo", photo), ("infographic", infographic)] {
        let rgba_kitty = |compress| {
            let image = DynamicImage::ImageRgba8(rgba.clone());
            Protocol::Kitty(Kitty::new(image, size, 7, false, compress).expect("encodes"))
        };
        let png_kitty = || KittyPng::new(&rgba, size, 7, false).expect("encodes");
        let mut buffer = Buffer::empty(area);
        png_kitty().render(area, &mut buffer);
        let png_bytes: usize = buffer.content().iter().map(|c| c.symbol().len()).sum();
        eprintln!(
            "kitty {name} {}x{}: raw RGBA {} bytes, o=z {} bytes, PNG {png_bytes} bytes",
            canvas.0,
            canvas.1,
            first_draw(&rgba_kitty(false), cells),
            first_draw(&rgba_kitty(true), cells),
        );
        for (mode, compress) in [("raw", false), ("zlib", true)] {
            group.bench_function(BenchmarkId::new(mode, name), |b| {
                b.iter(|| rgba_kitty(black_box(compress)))
            });
        }
        group.bench_function(BenchmarkId::new("png", name), |b| {
            b.iter(|| KittyPng::new(black_box(&rgba), size, 7, false).expect("encodes"))
        });
    }
    group.finish();
}

/// The decoders a cold 4K picture could start from, back to back (issue 23): jpeg-decoder,
/// which the pane and the cold full view use, at ½ straight from the DCT blocks (what covers
/// the 200×60 full view) and at full size; and zune-jpeg (the `image` crate's JPEG decoder),
/// which has no reduced decode, at full size. Two inputs: the benches' noisy 5504×3072 photo
/// (8.1 MB, the worst case) and the demo model's 4096×4096 infographic (flat colours).
fn jpeg_decoders(c: &mut Criterion) {
    let demo = banana_studio::demo::painter::paint(
        &banana_studio::demo::painter::Scene {
            subject: "an infographic about bananas",
            edits: &[],
            draft: None,
            variant: 0,
        },
        4096,
        4096,
    );
    let inputs = [
        (
            "noisy_photo_5504x3072",
            encode(&picture(), ImageFormat::Jpeg),
        ),
        (
            "demo_infographic_4096x4096",
            encode(&demo, ImageFormat::Jpeg),
        ),
    ];
    drop(demo);
    let mut group = c.benchmark_group("jpeg_decoders_4K");
    group.sample_size(10);
    for (name, bytes) in &inputs {
        eprintln!("{name}: {} bytes", bytes.len());
        // Each backend at ½ (what the cold full view at 200×60 decodes) and whole.
        for (label, backend) in [
            ("jpeg_decoder", Backend::JpegDecoder),
            ("libjpeg_turbo", Backend::Turbo),
        ] {
            for (scale, divisor) in [("half", 2), ("full", 1)] {
                let id = BenchmarkId::new(format!("{label}_{scale}"), name);
                group.bench_function(id, |b| {
                    b.iter(|| {
                        let jpeg = Jpeg::open(black_box(bytes)).expect("opens");
                        let (width, height) = jpeg.size();
                        let wanted = (width.div_ceil(divisor), height.div_ceil(divisor));
                        jpeg.decode_scaled_with(wanted, backend).expect("decodes")
                    })
                });
            }
        }
        group.bench_function(BenchmarkId::new("zune_jpeg_full", name), |b| {
            b.iter(|| prepare::decode(black_box(bytes)).expect("decodes"))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    preview_4k,
    full_view_4k,
    sixel_encoders,
    kitty_new_image,
    jpeg_decoders
);
criterion_main!(benches);
