//! Fixtures shared by the studio's tests: a test `App` on the demo connection, replies like
//! the demo's, keys and prompts sent through `update`, and what came back.

use std::time::Instant;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::conversation::Part;
use crate::conversation::{Blob, ModelTurn};
use crate::conversation::{Conversation, TurnSettings};
use crate::gemini::ApiError;
use crate::gemini::wire::{GroundingChunk, GroundingMetadata, Source, UsageMetadata};
use crate::models::Catalog;
use crate::tui::input::keymap::Keymap;
use crate::tui::state::app::App;
use crate::tui::state::event::ConnectionInfo;
use crate::tui::state::event::{Effect, Event, JobId};
use crate::tui::state::update::update;
use crate::tui::theme::Theme;

pub(crate) fn png(width: u32, height: u32) -> Blob {
    png_colored(width, height, 0)
}

/// A PNG whose bytes differ with `seed`, so two replies never share an image.
pub(crate) fn png_colored(width: u32, height: u32, seed: u8) -> Blob {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([250, 200, seed]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("an in-memory PNG encodes");
    Blob::from_bytes("image/png", Bytes::from(bytes))
}

pub(crate) fn demo_connection() -> ConnectionInfo {
    ConnectionInfo {
        provider: "demo".into(),
        demo: true,
        max_request_bytes: 100_000_000,
        concurrent_requests: 4,
        per_call: None,
        balance: false,
        transport: crate::gemini::Transport::GenerateContent,
    }
}

/// The time every test event comes at: turns are stamped with it.
pub(crate) const TEST_TIME: &str = "2026-11-30T09:00:00Z";

pub(crate) fn test_app() -> App {
    App::new(
        "test-session".into(),
        Conversation::new(),
        TurnSettings::default(),
        Some(demo_connection()),
        Theme::default_dark(),
        Keymap::default(),
        Catalog::builtin(),
    )
}

pub(crate) fn thought(text: &str) -> Part {
    let mut part = Part::text(text);
    part.thought = true;
    part
}

pub(crate) fn thought_image(blob: Blob) -> Part {
    let mut part = Part::image(blob);
    part.thought = true;
    part
}

/// A reply like the demo's: thoughts, a thought image, signed text, a signed image, sources.
pub(crate) fn reply(text: &str) -> ModelTurn {
    let mut answer = Part::text(text);
    answer.thought_signature = Some("sig-text".into());
    let seed = text
        .bytes()
        .fold(0u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
    let mut image = Part::image(png_colored(8, 6, seed));
    image.thought_signature = Some("sig-image".into());
    ModelTurn {
        parts: vec![
            thought("**Planning the composition**\n\nA bold title band and three panels."),
            thought_image(png_colored(4, 3, seed.wrapping_add(1))),
            answer,
            image,
        ],
        finish_reason: Some("STOP".into()),
        grounding: Some(GroundingMetadata {
            web_search_queries: vec!["bananas".into()],
            grounding_chunks: vec![
                GroundingChunk {
                    web: Some(Source {
                        uri: Some("https://en.example.org/wiki/banana".into()),
                        title: Some("example.org".into()),
                        ..Source::default()
                    }),
                    ..GroundingChunk::default()
                },
                GroundingChunk {
                    web: Some(Source {
                        uri: Some("https://data.example.com/bananas".into()),
                        title: Some("data.example.com".into()),
                        ..Source::default()
                    }),
                    ..GroundingChunk::default()
                },
            ],
            ..GroundingMetadata::default()
        }),
        usage: Some(UsageMetadata {
            prompt_token_count: 100,
            candidates_token_count: 1200,
            total_token_count: 1300,
            ..UsageMetadata::default()
        }),
        ..ModelTurn::default()
    }
}

pub(crate) fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(
        app,
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        TEST_TIME,
    )
}

pub(crate) fn chord(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(app, Event::Key(KeyEvent::new(code, modifiers)), TEST_TIME)
}

pub(crate) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Types `text` and presses Enter.
pub(crate) fn submit(app: &mut App, text: &str) -> Vec<Effect> {
    type_text(app, text);
    press(app, KeyCode::Enter)
}

pub(crate) fn job_count(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Generate { .. }))
        .count()
}

pub(crate) fn job_of(effects: &[Effect]) -> JobId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Generate { job, .. } => Some(*job),
            _ => None,
        })
        .expect("a Generate effect")
}

pub(crate) fn done(app: &mut App, job: JobId, result: Result<ModelTurn, ApiError>) -> Vec<Effect> {
    update(
        app,
        Event::GenerationDone {
            job,
            result: result.map(Box::new),
            at: Instant::now(),
        },
        TEST_TIME,
    )
}

/// Sends a prompt and completes it with a reply.
pub(crate) fn exchange(app: &mut App, prompt: &str, answer: &str) {
    let effects = submit(app, prompt);
    let job = job_of(&effects);
    done(app, job, Ok(reply(answer)));
}

/// Runs a `/command` in an empty editor (a refused one stays in the editor to be fixed).
pub(crate) fn command(app: &mut App, text: &str) -> Vec<Effect> {
    app.set_input_text("");
    submit(app, text)
}

/// ListModels entries: `generateContent` for all but embedding models.
pub(crate) fn listed_models(ids: &[&str]) -> Vec<crate::gemini::wire::ListedModel> {
    ids.iter()
        .map(|id| crate::gemini::wire::ListedModel {
            name: format!("models/{id}"),
            display_name: String::new(),
            supported_generation_methods: vec![if id.contains("embedding") {
                "embedContent".into()
            } else {
                "generateContent".into()
            }],
        })
        .collect()
}

pub(crate) fn notice(app: &App) -> String {
    app.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

pub(crate) fn notice_is_error(app: &App) -> bool {
    app.notice.as_ref().is_some_and(|n| n.error)
}

pub(crate) fn overloaded() -> ApiError {
    ApiError::Overloaded {
        status: 503,
        message: "The model is overloaded.".into(),
    }
}

// --- Sending and streaming -------------------------------------------------------------

/// A line of the session picker's listing, for a session named `name`.
pub(crate) fn session_summary(name: &str) -> crate::store::SessionSummary {
    crate::store::SessionSummary {
        name: name.into(),
        dir: std::path::PathBuf::from("/x"),
        turns: 2,
        images: 1,
        updated_at: "2026-01-01T00:00:00Z".into(),
        title: "bananas".into(),
        error: None,
    }
}
