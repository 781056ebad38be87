//! The studio's UI thread: drawing a full frame of a long conversation, and opening a saved
//! session up to its first frame. Both draw into a `TestBackend` with the `Placeholder`
//! preview (pictures are the preview bench's business, and are prepared off this thread).
//!
//! Inputs are made here: a 200-turn conversation in memory, and a saved session of 50 prompts
//! and 50 replies with a picture each, written once to a temporary directory. The variations
//! grid is also drawn with the real previewer (kitty, 10×20 px cells, no terminal to ask) and
//! four 4K candidates, to time their decoding side by side.
//! `cargo bench --bench studio` measures; `cargo test --all-targets` runs each once so they
//! cannot rot. Results and targets: BENCHMARKS.md.

use std::hint::black_box;
use std::io::Cursor;

use banana_studio::conversation::{
    Blob, Conversation, ModelTurn, Part, PartContent, TurnSettings, UserTurn,
};
use banana_studio::emulator::ImageProtocol;
use banana_studio::gemini::wire::{GroundingChunk, GroundingMetadata, Source, UsageMetadata};
use banana_studio::models::Catalog;
use banana_studio::preview::{Crop, PreviewReady, Previewer};
use banana_studio::store::Store;
use banana_studio::tui::input::keymap::Keymap;
use banana_studio::tui::state::app::App;
use banana_studio::tui::state::event::ConnectionInfo;
use banana_studio::tui::state::grid::{Candidate, VaryGrid};
use banana_studio::tui::state::overlays::Overlay;
use banana_studio::tui::theme::Theme;
use banana_studio::tui::view;
use banana_studio::tui::view::pictures::ImagePreview;
use bytes::Bytes;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

mod support;

// Measured with the binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SCREEN: (u16, u16) = (200, 60);

/// A 1024×1024 JPEG of noise (about half a megabyte, like a 1K reply), made distinct per
/// `seed` by trailing bytes, which decoders ignore.
fn jpeg(base: &[u8], seed: u64) -> Blob {
    let mut bytes = base.to_vec();
    bytes.extend_from_slice(&seed.to_le_bytes());
    Blob::from_bytes("image/jpeg", Bytes::from(bytes))
}

fn noise_jpeg() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(6);
    let picture =
        image::RgbImage::from_fn(1024, 1024, |_, _| image::Rgb([rng.u8(..), rng.u8(..), 0]));
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&picture)
        .expect("the bench picture encodes");
    out.into_inner()
}

fn thought(text: &str) -> Part {
    let mut part = Part::text(text);
    part.thought = true;
    part
}

/// A reply like Nano Banana Pro's: thoughts, signed text, a signed picture, sources, usage.
fn reply(n: u64, image: Blob) -> ModelTurn {
    let mut answer = Part::text(format!(
        "Here is version {n} of the infographic: the title band is larger, the three panels \
         keep their icons, and the legend now sits under the chart with the source named."
    ));
    answer.thought_signature = Some("c2lnbmF0dXJl".into());
    let mut picture = Part::image(image);
    picture.thought_signature = Some("c2lnbmF0dXJl".into());
    let source = |uri: &str, title: &str| GroundingChunk {
        web: Some(Source {
            uri: Some(uri.into()),
            title: Some(title.into()),
            ..Source::default()
        }),
        ..GroundingChunk::default()
    };
    ModelTurn {
        parts: vec![
            thought(
                "**Planning the composition**\n\nA bold title band, three panels with icons, \
                 a bar chart of yearly production and a legend. Checking the figures first.",
            ),
            answer,
            picture,
        ],
        finish_reason: Some("STOP".into()),
        grounding: Some(GroundingMetadata {
            web_search_queries: vec!["banana production by country".into()],
            grounding_chunks: vec![
                source("https://en.example.org/wiki/banana", "example.org"),
                source("https://data.example.com/bananas", "data.example.com"),
            ],
            ..GroundingMetadata::default()
        }),
        usage: Some(UsageMetadata {
            prompt_token_count: 300,
            candidates_token_count: 1400,
            total_token_count: 1700,
            ..UsageMetadata::default()
        }),
        ..ModelTurn::default()
    }
}

/// `exchanges` prompts, each answered with a reply carrying a picture from `image(n)`.
fn conversation(exchanges: u64, mut image: impl FnMut(u64) -> Blob) -> Conversation {
    let mut conversation = Conversation::new();
    let mut parent = None;
    for n in 0..exchanges {
        let prompt = UserTurn {
            parts: vec![Part::text(format!(
                "Edit {n}: make the title bigger, keep the colours, and add a legend under \
                 the chart that names the source of the figures."
            ))],
            settings: TurnSettings::default(),
            region: None,
        };
        let user = conversation
            .add_user(parent, prompt, String::new())
            .expect("alternates");
        parent = Some(
            conversation
                .add_model(user, reply(n, image(n)), String::new())
                .expect("alternates"),
        );
    }
    conversation
}

fn app(name: String, conversation: Conversation) -> App {
    let mut app = App::new(
        name,
        conversation,
        TurnSettings::default(),
        Some(ConnectionInfo {
            provider: "demo".into(),
            demo: true,
            max_request_bytes: 100_000_000,
            concurrent_requests: 4,
            per_call: None,
            balance: false,
            transport: banana_studio::gemini::Transport::GenerateContent,
        }),
        Theme::default_dark(),
        Keymap::default(),
        Catalog::builtin(),
    );
    app.size = SCREEN;
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1)).expect("a test backend")
}

/// A box and two lines of text where a picture goes: what the UI thread draws for a picture
/// costs about that much, since the pictures themselves are prepared off it.
struct Placeholder;

impl Placeholder {
    fn boxed(frame: &mut Frame, area: Rect, text: String, theme: &Theme) {
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.muted())
            .style(theme.base());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines = vec![
            Line::styled("preview", theme.muted()),
            Line::styled(text, theme.muted()),
        ];
        frame.render_widget(Paragraph::new(lines).centered(), inner);
    }
}

impl ImagePreview for Placeholder {
    fn draw(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme) {
        let (w, h) = blob.dimensions().unwrap_or((0, 0));
        Self::boxed(frame, area, format!("{w}×{h}"), theme);
    }

    fn draw_small(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme) {
        self.draw(frame, area, blob, theme);
    }

    fn draw_crop(
        &mut self,
        f: &mut Frame,
        area: Rect,
        _: (&Blob, &[&Blob]),
        (c, _): (Crop, Option<Crop>),
        t: &Theme,
    ) {
        Self::boxed(f, area, format!("{}×{} px", c.width, c.height), t);
    }

    fn draw_difference(
        &mut self,
        f: &mut Frame,
        area: Rect,
        _: (&Blob, &Blob),
        c: Crop,
        t: &Theme,
    ) {
        Self::boxed(
            f,
            area,
            format!("difference, {}×{} px", c.width, c.height),
            t,
        );
    }

    fn changed_share(&self, _: &Blob, _: &Blob) -> Option<f64> {
        None
    }

    fn description(&self) -> String {
        "placeholder · bench".into()
    }

    fn draws_graphics(&self) -> bool {
        true
    }
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| view::draw(frame, app, &mut Placeholder))
        .expect("a test backend draws");
}

fn render(c: &mut Criterion) {
    let base = noise_jpeg();
    // 100 prompts and 100 replies.
    let app = app("bench".into(), conversation(100, |n| jpeg(&base, n)));
    let mut terminal = terminal();
    c.bench_function("render/200_turns_200x60", |b| {
        b.iter(|| {
            // A cleared screen makes the draw send every cell: the worst frame.
            terminal.clear().expect("a test backend clears");
            draw(&mut terminal, black_box(&app));
        })
    });
}

fn all_images_unloaded(conversation: &Conversation) -> bool {
    conversation.parts().all(|part| match &part.content {
        PartContent::Image(blob) => blob.loaded().is_none(),
        _ => true,
    })
}

fn session_open(c: &mut Criterion) {
    let data = tempfile::tempdir().expect("a temporary directory");
    let store = Store::new(data.path());
    {
        let base = noise_jpeg();
        let mut session = store.create("bench").expect("creates");
        session.conversation = conversation(50, |n| jpeg(&base, n));
        session.save().expect("saves");
    }
    let open = || {
        let session = store.open("bench").expect("opens");
        let app = app(session.name.clone(), session.conversation.clone());
        let mut terminal = terminal();
        draw(&mut terminal, &app);
        (session, app, terminal)
    };
    let (_, app, _) = open();
    assert_eq!(app.conversation.parts().count(), 200);
    assert!(
        all_images_unloaded(&app.conversation),
        "the first frame must not read pictures"
    );
    drop(app);
    c.bench_function("session_open/50_images_to_first_frame", |b| {
        // The session (and its lock) is dropped outside the measurement, before the next open.
        b.iter_batched(|| (), |()| open(), BatchSize::PerIteration)
    });
}

/// The tree view of a 500-turn session (250 exchanges, a sibling reply on every tenth) at
/// 200×60: the rows are built from the conversation and the visible ones drawn, every frame.
fn tree_view(c: &mut Criterion) {
    let base = noise_jpeg();
    let mut conversation = conversation(240, |n| jpeg(&base, n));
    let prompts: Vec<_> = conversation
        .turns()
        .iter()
        .filter(|t| t.parent.is_none() || t.id.0 % 20 == 1)
        .map(|t| t.id)
        .collect();
    for (n, prompt) in prompts.into_iter().enumerate().take(10) {
        conversation
            .add_model(
                prompt,
                reply(1000 + n as u64, jpeg(&base, 1000 + n as u64)),
                String::new(),
            )
            .expect("a sibling reply");
    }
    assert_eq!(conversation.turns().len(), 490);
    let mut app = app("bench".into(), conversation);
    let rows = banana_studio::tui::state::tree::rows(&app.conversation, &app.jobs);
    let view =
        banana_studio::tui::state::tree::TreeView::at_active(&rows, app.conversation.active_leaf());
    app.overlay = Some(Overlay::Tree(view));
    let mut terminal = terminal();
    c.bench_function("tree/490_turns_200x60", |b| {
        b.iter(|| {
            terminal.clear().expect("a test backend clears");
            draw(&mut terminal, black_box(&app));
        })
    });
}

/// An app showing the variations grid: four finished candidates of one prompt, their pictures
/// made by `image(n)`.
fn grid_app(image: impl Fn(u64) -> Blob) -> App {
    let mut conversation = conversation(3, &image);
    let prompt = conversation
        .active_path()
        .iter()
        .rev()
        .nth(1)
        .map(|t| t.id)
        .expect("a prompt");
    let mut candidates = Vec::new();
    for n in 0..4 {
        let id = conversation
            .add_model(prompt, reply(100 + n, image(100 + n)), String::new())
            .expect("a candidate");
        candidates.push(Candidate::Reply(id));
    }
    let mut app = app("bench".into(), conversation);
    app.grid = Some(VaryGrid {
        prompt,
        candidates,
        selected: 2,
    });
    app
}

/// The variations grid with four finished candidates, drawn again (the pictures themselves are
/// the previewer's: here the `Placeholder`).
fn grid_redraw(c: &mut Criterion) {
    let base = noise_jpeg();
    let app = grid_app(|n| jpeg(&base, n));
    let mut terminal = terminal();
    draw(&mut terminal, &app);
    c.bench_function("grid/redraw_4_candidates_200x60", |b| {
        b.iter(|| draw(&mut terminal, black_box(&app)))
    });
}

fn draw_pictures(terminal: &mut Terminal<TestBackend>, app: &App, previewer: &mut Previewer) {
    terminal
        .draw(|frame| view::draw(frame, app, previewer))
        .expect("a test backend draws");
}

/// The grid's first full frame with four 4K candidates (the bench's 8.1 MB JPEG, each a blob
/// of its own, so nothing is shared): the first draw asks the previewer for all four, the
/// preview threads decode, scale and encode them, and once all four are ready the frame is
/// drawn with them. Then the same frame drawn again from the previewer's cache.
fn grid_first_frame(c: &mut Criterion) {
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&support::picture())
        .expect("the bench picture encodes");
    let four_k = Bytes::from(out.into_inner());
    let mut group = c.benchmark_group("grid");
    group.sample_size(10);
    let fresh = || {
        // New blobs each time: the previewer keeps its pictures by blob.
        let app = grid_app(|_| Blob::from_bytes("image/jpeg", four_k.clone()));
        let (tx, ready) = unbounded_channel();
        let previewer = Previewer::detect(ImageProtocol::Kitty, tx).0;
        (terminal(), app, previewer, ready)
    };
    let first_frame = |(mut terminal, app, mut previewer, mut ready): (
        Terminal<TestBackend>,
        App,
        Previewer,
        UnboundedReceiver<PreviewReady>,
    )| {
        draw_pictures(&mut terminal, &app, &mut previewer);
        for _ in 0..4 {
            ready.blocking_recv().expect("the previewer answers");
        }
        draw_pictures(&mut terminal, &app, &mut previewer);
        (terminal, app, previewer, ready)
    };
    group.bench_function("first_frame_4_candidates_4K_200x60", |b| {
        b.iter_batched(fresh, first_frame, BatchSize::PerIteration)
    });
    let (mut terminal, app, mut previewer, _ready) = first_frame(fresh());
    let shown = terminal.backend().buffer().clone();
    let text: String = shown.content().iter().map(|cell| cell.symbol()).collect();
    assert!(!text.contains("preparing"), "all four pictures are drawn");
    group.bench_function("redraw_4_candidates_4K_200x60", |b| {
        b.iter(|| {
            // A cleared screen makes the draw send every cell, pictures included.
            terminal.clear().expect("a test backend clears");
            draw_pictures(&mut terminal, black_box(&app), &mut previewer);
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    render,
    session_open,
    tree_view,
    grid_redraw,
    grid_first_frame
);
criterion_main!(benches);
