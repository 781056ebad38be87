//! Exporting a saved session: 50 prompts and 50 replies with a 1024×1024 PNG each (a 1K
//! reply), written once to a temporary directory, exported as a page with the images inside
//! (the worst case: ~90 MB of base64), as a page with the images beside it, and as a contact
//! sheet. `cargo bench --bench export` measures; `cargo test --all-targets` runs each once so
//! they cannot rot. Results and targets: BENCHMARKS.md.

use std::io::Cursor;

use banana_studio::conversation::{Blob, ModelTurn, Part, TurnSettings, UserTurn};
use banana_studio::export::{self, ExportOptions, Format, PathChoice};
use banana_studio::store::Store;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};

// Measured with the binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXCHANGES: u64 = 50;

/// A 1024×1024 PNG: a gradient under ±16 of noise, which compresses about as badly as a
/// real 1K reply (1.5–2 MB).
fn noise_png() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7);
    let picture = image::RgbImage::from_fn(1024, 1024, |x, y| {
        let jitter = |base: u32, rng: &mut fastrand::Rng| {
            (base as i32 + rng.i32(-16..=16)).clamp(0, 255) as u8
        };
        image::Rgb([
            jitter(x / 4, &mut rng),
            jitter(y / 4, &mut rng),
            jitter(128, &mut rng),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("the bench picture encodes");
    out.into_inner()
}

fn saved_session(store: &Store) {
    let base = noise_png();
    let mut session = store.create("bench").expect("creates");
    let conversation = &mut session.conversation;
    let mut parent = None;
    for n in 0..EXCHANGES {
        let prompt = UserTurn {
            parts: vec![Part::text(format!(
                "Edit {n}: make the title bigger, keep the colours, and add a legend <under> \
                 the chart that names the source of the figures."
            ))],
            settings: TurnSettings::default(),
            region: None,
        };
        let user = conversation
            .add_user(parent, prompt, "2026-11-30T10:00:00Z".into())
            .expect("alternates");
        // Distinct files: trailing bytes after IEND, which decoders ignore.
        let mut bytes = base.clone();
        bytes.extend_from_slice(&n.to_le_bytes());
        let mut thought = Part::text("**Planning** the layout: title band, three panels.");
        thought.thought = true;
        let reply = ModelTurn {
            parts: vec![
                thought,
                Part::text(format!("Here is version {n} of the infographic.")),
                Part::image(Blob::from_bytes("image/png", Bytes::from(bytes))),
            ],
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        };
        parent = Some(
            conversation
                .add_model(user, reply, "2026-11-30T10:00:01Z".into())
                .expect("alternates"),
        );
    }
    session.save().expect("saves");
}

fn exports(c: &mut Criterion) {
    let data = tempfile::tempdir().expect("a temporary directory");
    let out = tempfile::tempdir().expect("a temporary directory");
    let store = Store::new(data.path());
    saved_session(&store);
    let run = |format: Format, file: &str, images_beside: Option<bool>| {
        let session = store.read("bench").expect("reads");
        let exported = export::export(
            &session,
            &ExportOptions {
                format,
                path: PathChoice::Active,
                out: out.path().join(file),
                images_beside,
            },
        )
        .expect("exports");
        assert_eq!(exported.images, EXCHANGES as usize);
        assert!(exported.problems.is_empty());
    };
    let mut group = c.benchmark_group("export_50_turns_1K");
    group.sample_size(10);
    group.bench_function("html_images_inside", |b| {
        b.iter(|| run(Format::Html, "inside.html", Some(false)))
    });
    group.bench_function("html_images_beside", |b| {
        b.iter(|| run(Format::Html, "beside.html", Some(true)))
    });
    group.bench_function("markdown", |b| {
        b.iter(|| run(Format::Markdown, "story.md", None))
    });
    group.bench_function("sheet", |b| {
        b.iter(|| run(Format::Sheet, "sheet.png", None))
    });
    group.finish();
    let size = std::fs::metadata(out.path().join("inside.html")).map(|m| m.len());
    eprintln!("inside.html: {size:?} bytes");
}

criterion_group!(benches, exports);
criterion_main!(benches);
