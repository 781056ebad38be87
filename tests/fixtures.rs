//! Conformance tests against real recorded Gemini responses (`shared/fixtures/gemini`; its
//! `ORIGIN.md` says what each file shows). One test per recorded file, named after the file.
//!
//! Every file is read two ways and both must agree exactly:
//! - directly: wire types + [`ReplyBuilder`] for a unary body, [`SseDecoder`] (fed 1, 7, 4096
//!   bytes at a time and whole, all giving the same events) for an event stream, and
//!   [`ApiError::from_http`] for an error envelope;
//! - over HTTP: a local server answers the real [`GeminiClient`] with the file, in the mode the
//!   file was recorded in (an error file with its own status).

mod common;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use banana_studio::blob::image_dimensions;
use banana_studio::conversation::{ModelTurn, PartContent, ReplyBuilder};
use banana_studio::gemini::sse::{SseDecoder, SseEvent};
use banana_studio::gemini::wire::{
    GenerateContentResponse, GroundingMetadata, SafetyRating, Segment, UsageMetadata,
    error_envelope,
};
use banana_studio::gemini::{ApiError, ClientEvent, Mode};
use bytes::Bytes;
use serde_json::{Value, json};

use common::{Canned, FixtureServer, TEST_KEY, runtime, test_client};

const MODEL: &str = "gemini-3-pro-image-preview";
const REQUEST: &[u8] = br#"{"contents":[{"role":"user","parts":[{"text":"draw the fixture"}]}]}"#;
/// Streamed bodies are served in pieces of this odd size, so events, CRLFs and UTF-8
/// sequences are split across network reads.
const PIECE: usize = 61;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

// ---------------------------------------------------------------------------------------------
// Reading and feeding the files
// ---------------------------------------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/gemini");
    if beside.is_dir() {
        beside
    } else {
        PathBuf::from("/work/shared/fixtures/gemini")
    }
}

fn read_fixture(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn keep(text: &str) -> String {
    text.to_string()
}

/// What one call came to, and how many response bodies (or stream chunks) were parsed.
#[derive(Debug, PartialEq)]
struct Run {
    outcome: Result<ModelTurn, ApiError>,
    responses: usize,
}

impl Run {
    fn turn(&self) -> &ModelTurn {
        match &self.outcome {
            Ok(turn) => turn,
            Err(error) => panic!("expected a turn, got the error {error:?}"),
        }
    }

    fn error(&self) -> &ApiError {
        match &self.outcome {
            Ok(turn) => panic!("expected an error, got the turn {turn:?}"),
            Err(error) => error,
        }
    }
}

/// Absorbs responses into a turn, as the app does.
#[derive(Default)]
struct Collector {
    builder: ReplyBuilder,
    responses: usize,
}

impl Collector {
    fn absorb(&mut self, response: GenerateContentResponse<'_>) -> Result<(), ApiError> {
        self.responses += 1;
        self.builder.absorb(response).map(|_| ())
    }

    fn absorb_slice(&mut self, data: &[u8]) -> Result<(), ApiError> {
        let response = GenerateContentResponse::from_slice(data).unwrap_or_else(|e| {
            panic!(
                "recorded JSON does not parse: {e}; it begins {:?}",
                String::from_utf8_lossy(&data[..data.len().min(200)])
            )
        });
        self.absorb(response)
    }

    fn finish(self, result: Result<(), ApiError>) -> Run {
        Run {
            outcome: result.and_then(|()| self.builder.finish(0)),
            responses: self.responses,
        }
    }
}

/// A unary body: an error envelope maps to its typed error, anything else becomes a turn.
fn parse_unary(body: &[u8]) -> Run {
    if let Some(envelope) = error_envelope(body) {
        return Run {
            outcome: Err(ApiError::from_http(envelope.error.code, body, &keep)),
            responses: 0,
        };
    }
    let mut collector = Collector::default();
    let result = collector.absorb_slice(body);
    collector.finish(result)
}

fn decode_sse(body: &[u8], chunk: usize) -> (Vec<SseEvent>, Vec<u8>) {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    for piece in body.chunks(chunk.max(1)) {
        events.extend(decoder.push(Bytes::copy_from_slice(piece)));
    }
    let (last, rest) = decoder.finish();
    events.extend(last);
    (events, rest)
}

/// An event stream; a body without any event is read as one plain JSON body.
fn parse_sse(body: &[u8]) -> Run {
    let whole = decode_sse(body, body.len());
    for chunk in [1, 7, 4096] {
        assert_eq!(
            decode_sse(body, chunk),
            whole,
            "fed {chunk} bytes at a time, the decoder gives other events than fed the whole body"
        );
    }
    let (events, rest) = whole;
    if events.is_empty() {
        return parse_unary(&rest);
    }
    assert!(
        rest.trim_ascii().is_empty(),
        "bytes left after the last event: {:?}",
        String::from_utf8_lossy(&rest)
    );
    let mut collector = Collector::default();
    let mut result = Ok(());
    for event in &events {
        match event {
            SseEvent::Data(data) => result = collector.absorb_slice(data),
            SseEvent::Done => break,
        }
        if result.is_err() {
            break;
        }
    }
    collector.finish(result)
}

/// Vercel's `*.chunks.txt`: one JSON chunk per line, without `data: `.
fn sse_from_json_lines(text: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(text).expect("chunk lines are UTF-8");
    let mut body = String::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("a chunk line is not one JSON value ({e}): {line}"));
        body.push_str("data: ");
        body.push_str(line);
        body.push_str("\n\n");
    }
    body.into_bytes()
}

/// Serves `canned` to the real client in `mode` and collects what it hands out.
fn fetch(canned: Canned, mode: Mode) -> Run {
    runtime().block_on(async {
        let server = FixtureServer::start(canned).await;
        let client = test_client(&server);
        let mut collector = Collector::default();
        let result = client
            .generate(
                MODEL,
                Bytes::from_static(REQUEST),
                mode,
                &mut |event: ClientEvent<'_>| match event {
                    ClientEvent::Response(response) => collector.absorb(*response),
                    _ => Ok(()),
                },
            )
            .await;
        let requests = server.requests();
        server.stop().await;

        assert_eq!(requests.len(), 1, "one attempt, no retry: {requests:?}");
        let request = &requests[0];
        let (endpoint, query) = match mode {
            Mode::Unary => ("generateContent", None),
            Mode::Streaming => ("streamGenerateContent", Some("alt=sse")),
        };
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, format!("/v1beta/models/{MODEL}:{endpoint}"));
        assert_eq!(request.query.as_deref(), query);
        assert_eq!(request.api_key.as_deref(), Some(TEST_KEY));
        assert_eq!(request.content_type.as_deref(), Some("application/json"));
        assert_eq!(request.body, REQUEST);
        collector.finish(result)
    })
}

/// A unary body (`unary-*`, vercel `*.json`): read directly, then served with its status (an
/// error envelope's own code, else 200) to a unary call. An error is also served to a
/// streaming call, which must fail the same way.
fn unary_fixture(relative: &str) -> Run {
    unary_body(&read_fixture(relative))
}

fn unary_body(body: &[u8]) -> Run {
    let direct = parse_unary(body);
    let status = error_envelope(body).map_or(200, |envelope| envelope.error.code);
    assert_eq!(
        fetch(Canned::json(status, body), Mode::Unary),
        direct,
        "through the client, unary, status {status}"
    );
    if status != 200 {
        assert_eq!(
            fetch(Canned::json(status, body), Mode::Streaming),
            direct,
            "through the client, a streaming call answered with {status}"
        );
    }
    direct
}

/// A raw event stream (`streaming-*.txt`, issue-10660): decoded directly in several chunkings,
/// then served with status 200 to a streaming call, in pieces and whole.
fn sse_fixture(relative: &str) -> Run {
    sse_body(&read_fixture(relative))
}

/// Vercel's JSON-lines chunks, framed as SSE and then treated like a recorded stream.
fn json_lines_fixture(relative: &str) -> Run {
    sse_body(&sse_from_json_lines(&read_fixture(relative)))
}

fn sse_body(body: &[u8]) -> Run {
    let direct = parse_sse(body);
    for piece in [PIECE, 0] {
        assert_eq!(
            fetch(Canned::sse(body, piece), Mode::Streaming),
            direct,
            "through the client, streaming, pieces of {piece} bytes (0: whole)"
        );
    }
    direct
}

// ---------------------------------------------------------------------------------------------
// Views used by the assertions
// ---------------------------------------------------------------------------------------------

/// Each part as `thought-text`, `text`, `image/png`, `other:functionCall`, …
fn shapes(turn: &ModelTurn) -> Vec<String> {
    turn.parts
        .iter()
        .map(|part| {
            let base = match &part.content {
                PartContent::Text(_) => "text".to_string(),
                PartContent::Image(blob) => blob.mime_type().to_string(),
                PartContent::FileData(_) => "fileData".to_string(),
                PartContent::Other => {
                    let keys: Vec<&str> = part.extra.keys().map(String::as_str).collect();
                    format!("other:{}", keys.join("+"))
                }
            };
            if part.thought {
                format!("thought-{base}")
            } else {
                base
            }
        })
        .collect()
}

fn signatures(turn: &ModelTurn) -> Vec<Option<&str>> {
    turn.parts
        .iter()
        .map(|part| part.thought_signature.as_deref())
        .collect()
}

fn usage(turn: &ModelTurn) -> &UsageMetadata {
    turn.usage.as_ref().expect("usage metadata")
}

/// `(prompt, candidates, thoughts, total)` token counts.
fn tokens(turn: &ModelTurn) -> (u64, u64, u64, u64) {
    let usage = usage(turn);
    (
        usage.prompt_token_count,
        usage.candidates_token_count,
        usage.thoughts_token_count,
        usage.total_token_count,
    )
}

fn grounding(turn: &ModelTurn) -> &GroundingMetadata {
    turn.grounding.as_ref().expect("grounding metadata")
}

fn sources(grounding: &GroundingMetadata) -> Vec<(&str, &str)> {
    grounding
        .sources()
        .map(|s| {
            (
                s.title.as_deref().unwrap_or(""),
                s.uri.as_deref().unwrap_or(""),
            )
        })
        .collect()
}

fn segments(grounding: &GroundingMetadata) -> Vec<(u64, u64, Vec<u32>)> {
    grounding
        .grounding_supports
        .iter()
        .map(|support| {
            let segment = support.segment.clone().unwrap_or_default();
            (
                segment.start_index,
                segment.end_index,
                support.grounding_chunk_indices.clone(),
            )
        })
        .collect()
}

fn categories(ratings: &[SafetyRating]) -> Vec<Option<&str>> {
    ratings.iter().map(|r| r.category.as_deref()).collect()
}

fn only_image(turn: &ModelTurn) -> Bytes {
    let images: Vec<_> = turn.images().collect();
    assert_eq!(images.len(), 1, "one final image");
    images[0].loaded().expect("image bytes in memory").clone()
}

fn assert_complete_text_reply(turn: &ModelTurn, finish: &str) {
    assert_eq!(turn.finish_reason.as_deref(), Some(finish));
    assert!(turn.has_content());
    assert_eq!(turn.block_reason(), None);
    assert!(turn.thoughts().is_empty());
    assert_eq!(turn.images().count(), 0);
}

// ---------------------------------------------------------------------------------------------
// firebase/googleai: streaming
// ---------------------------------------------------------------------------------------------

#[test]
fn streaming_failure_image_rejected_txt() {
    let run = sse_fixture("firebase/googleai/streaming-failure-image-rejected.txt");
    let error = run.error();
    assert_eq!(
        error,
        &ApiError::BadRequest {
            message: "Request contains an invalid argument.".into()
        }
    );
    assert_eq!(error.kind(), "bad_request");
    assert_eq!(error.status(), Some(400));
    assert!(!error.is_retryable());
    assert_eq!(run.responses, 0);
}

#[test]
fn streaming_failure_prompt_blocked_safety_txt() {
    let run = sse_fixture("firebase/googleai/streaming-failure-prompt-blocked-safety.txt");
    assert_eq!(run.responses, 1);
    let turn = run.turn();
    assert_eq!(turn.block_reason(), Some("SAFETY"));
    assert!(turn.parts.is_empty());
    assert!(!turn.has_content());
    assert_eq!(turn.finish_reason, None);
    let feedback = turn.prompt_feedback.as_ref().unwrap();
    assert_eq!(
        categories(&feedback.safety_ratings),
        [
            Some("HARM_CATEGORY_SEXUALLY_EXPLICIT"),
            Some("HARM_CATEGORY_HATE_SPEECH"),
            Some("HARM_CATEGORY_HARASSMENT"),
            Some("HARM_CATEGORY_DANGEROUS_CONTENT"),
        ]
    );
    assert_eq!(
        feedback.safety_ratings[1].probability.as_deref(),
        Some("HIGH")
    );
}

#[test]
fn streaming_failure_recitation_no_content_txt() {
    let run = sse_fixture("firebase/googleai/streaming-failure-recitation-no-content.txt");
    assert_eq!(run.responses, 9);
    let turn = run.turn();
    assert_eq!(turn.finish_reason.as_deref(), Some("RECITATION"));
    assert_eq!(turn.parts.len(), 8, "the last chunk carries no content");
    assert_eq!(
        turn.text(),
        "text1text2text3text4text5text6text7text8",
        "deltas joined in order"
    );
    assert_eq!(tokens(turn), (9, 261, 0, 270));
}

#[test]
fn streaming_success_basic_reply_long_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-basic-reply-long.txt");
    assert_eq!(run.responses, 36);
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(turn.parts.len(), 36, "one part per delta");
    let text = turn.text();
    assert_eq!(text.chars().count(), 8845);
    assert!(text.starts_with("Okay, let's dive into the world of cats and dogs!"));
    assert!(text.ends_with("training techniques, or health conditions.\n"));
    assert_eq!(tokens(turn), (10, 1996, 0, 2006));
    assert_eq!(turn.model_version.as_deref(), Some("gemini-2.0-flash"));
}

#[test]
fn streaming_success_basic_reply_short_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-basic-reply-short.txt");
    assert_eq!(run.responses, 3);
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(turn.text(), "The capital of Wyoming is **Cheyenne**.\n");
    assert_eq!(tokens(turn), (7, 10, 0, 17));
}

#[test]
fn streaming_success_citations_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-citations.txt");
    assert_eq!(run.responses, 26);
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    let text = turn.text();
    assert_eq!(text.chars().count(), 6711);
    assert!(text.starts_with("Okay, let's break down quantum mechanics.\n\n"));
    assert!(text.ends_with("Good luck on your learning journey!\n"));
    assert_eq!(
        turn.grounding, None,
        "citationMetadata is not search grounding"
    );
    assert_eq!(usage(turn).candidates_token_count, 1381);
}

#[test]
fn streaming_success_code_execution_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-code-execution.txt");
    assert_eq!(run.responses, 6);
    let turn = run.turn();
    assert_eq!(
        shapes(turn),
        [
            "text",
            "text",
            "other:executableCode",
            "other:codeExecutionResult",
            "text",
            "text"
        ]
    );
    assert_eq!(turn.parts[2].extra["executableCode"]["language"], "PYTHON");
    assert_eq!(
        turn.parts[3].extra["codeExecutionResult"],
        json!({"outcome": "OUTCOME_OK", "output": "The sum of the first 5 prime numbers is: 28\n"})
    );
    let text = turn.text();
    assert!(text.starts_with("To find the sum of the first 5 prime numbers"));
    assert!(
        text.ends_with("sum using a Python tool:\n\nThe sum of the first 5 prime numbers is 28.")
    );
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(tokens(turn), (21, 126, 95, 485));
    assert_eq!(turn.response_id.as_deref(), Some("RUy4aObyJcTujrEPqtKYKQ"));
}

#[test]
fn streaming_success_empty_parts_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-empty-parts.txt");
    assert_eq!(run.responses, 7);
    let turn = run.turn();
    assert_eq!(
        shapes(turn),
        ["text", "text", "text", "text", "text", "image/png"],
        "the chunk with only a role adds no part"
    );
    assert_eq!(
        turn.text(),
        "Here's a cute cartoon kitten playing with a ball of yarn for you! "
    );
    let png = only_image(turn);
    assert_eq!(png.len(), 69);
    assert!(png.starts_with(PNG_MAGIC));
    assert_eq!(image_dimensions(&png), Some((1, 1)));
    assert_eq!(turn.images().next().unwrap().dimensions(), Some((1, 1)));
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(usage(turn).image_output_tokens(), 1290);
    assert_eq!(
        turn.model_version.as_deref(),
        Some("gemini-2.5-flash-image-preview")
    );
}

#[test]
fn streaming_success_finish_message_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-finish-message.txt");
    assert_eq!(
        run.responses, 2,
        "LF framing, last event without a blank line"
    );
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(turn.text(), "Hello world!");
    assert_eq!(
        turn.finish_message.as_deref(),
        Some("Finished successfully")
    );
    assert_eq!(turn.usage, None);
}

#[test]
fn streaming_success_no_content_parts_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-no-content-parts.txt");
    assert_eq!(run.responses, 5);
    let turn = run.turn();
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(
        turn.parts.len(),
        4,
        "the final content has a role and no parts"
    );
    assert!(turn.text().starts_with("I will generate a 3D rendering"));
    assert!(
        turn.text()
            .ends_with("under a bright, slightly cloudy sky.\n\n")
    );
    assert_eq!(
        turn.images().count(),
        0,
        "image tokens billed, but no image sent"
    );
    assert_eq!(usage(turn).image_output_tokens(), 1290);
    assert_eq!(tokens(turn), (34, 1370, 0, 1404));
}

#[test]
fn streaming_success_thinking_function_call_thought_summary_signature_txt() {
    let run = sse_fixture(
        "firebase/googleai/streaming-success-thinking-function-call-thought-summary-signature.txt",
    );
    assert_eq!(run.responses, 3);
    let turn = run.turn();
    assert_eq!(
        shapes(turn),
        ["thought-text", "thought-text", "other:functionCall"]
    );
    let thoughts = turn.thoughts();
    // Consecutive thought deltas join, then split at each summary's heading.
    assert_eq!(
        headings(&thoughts),
        ["**Calculating the Days**", "**Determining the Approach**"]
    );
    assert_eq!(
        summary_chars(&thoughts),
        thought_chars(turn),
        "nothing lost in the split"
    );
    assert_eq!(turn.text(), "");
    let signature = signatures(turn)[2].expect("signature on the function call");
    assert_eq!(signature.len(), 1140);
    assert!(signature.starts_with("CiIBVKhc7vB+vaaq"));
    assert!(signature.ends_with("d8kXMlLleEs0"));
    assert_eq!(signatures(turn)[..2], [None, None], "thoughts carry none");
    assert_eq!(
        turn.parts[2].extra["functionCall"],
        json!({"name": "now", "args": {}})
    );
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(tokens(turn), (38, 6, 168, 212));
}

#[test]
fn streaming_success_thinking_reply_thought_summary_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-thinking-reply-thought-summary.txt");
    assert_eq!(run.responses, 5);
    let turn = run.turn();
    assert_eq!(
        shapes(turn),
        [
            "thought-text",
            "thought-text",
            "thought-text",
            "text",
            "text"
        ]
    );
    let thoughts = turn.thoughts();
    assert_eq!(
        headings(&thoughts),
        [
            "**Exploring Sky Color**",
            "**Refining the Explanation**",
            "**Constructing a Concise Answer**"
        ]
    );
    assert_eq!(
        summary_chars(&thoughts),
        thought_chars(turn),
        "nothing lost in the split"
    );
    assert!(turn.text().starts_with("The sky is blue because"));
    assert!(
        turn.text()
            .ends_with("making the sky appear blue to our eyes.")
    );
    assert!(
        !turn.text().contains("Exploring"),
        "no thought in the answer"
    );
    assert!(signatures(turn).iter().all(Option::is_none));
    assert_eq!(tokens(turn), (10, 48, 540, 598));
}

#[test]
fn streaming_success_url_context_txt() {
    let run = sse_fixture("firebase/googleai/streaming-success-url-context.txt");
    assert_eq!(run.responses, 4);
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert!(
        turn.text()
            .starts_with("\nThe Google homepage primarily serves")
    );
    let grounding = grounding(turn);
    assert_eq!(
        sources(grounding),
        [("Google", "https://google.com")],
        "the empty groundingMetadata of earlier chunks is not kept instead"
    );
    assert_eq!(
        segments(grounding),
        [(1, 120, vec![0]), (122, 259, vec![0]), (261, 360, vec![0])]
    );
    assert_eq!(usage(turn).thoughts_token_count, 39);
}

// ---------------------------------------------------------------------------------------------
// firebase/googleai: unary
// ---------------------------------------------------------------------------------------------

fn assert_api_key_invalid(run: &Run) {
    let error = run.error();
    assert_eq!(
        error,
        &ApiError::BadKey {
            status: 400,
            message: "API key not valid. Please pass a valid API key.".into()
        },
        "ErrorInfo reason API_KEY_INVALID makes the 400 a key error"
    );
    assert_eq!(error.kind(), "bad_key");
    assert_eq!(error.status(), Some(400));
    assert!(!error.is_retryable());
}

#[test]
fn unary_failure_api_key_json() {
    assert_api_key_invalid(&unary_fixture(
        "firebase/googleai/unary-failure-api-key.json",
    ));
}

#[test]
fn unary_failure_api_key_txt() {
    assert_api_key_invalid(&unary_fixture(
        "firebase/googleai/unary-failure-api-key.txt",
    ));
}

fn assert_finish_reason_safety(run: &Run) {
    let turn = run.turn();
    assert_eq!(turn.finish_reason.as_deref(), Some("SAFETY"));
    assert_eq!(turn.text(), "Safety error incoming in 5, 4, 3, 2...");
    assert_eq!(
        turn.block_reason(),
        None,
        "the answer, not the prompt, was stopped"
    );
    assert_eq!(
        categories(&turn.safety_ratings),
        [
            Some("HARM_CATEGORY_HATE_SPEECH"),
            Some("HARM_CATEGORY_DANGEROUS_CONTENT"),
            Some("HARM_CATEGORY_HARASSMENT"),
            Some("HARM_CATEGORY_SEXUALLY_EXPLICIT"),
        ]
    );
    assert_eq!(tokens(turn), (7, 20, 0, 27));
}

#[test]
fn unary_failure_finish_reason_safety_json() {
    assert_finish_reason_safety(&unary_fixture(
        "firebase/googleai/unary-failure-finish-reason-safety.json",
    ));
}

#[test]
fn unary_failure_finish_reason_safety_txt() {
    assert_finish_reason_safety(&unary_fixture(
        "firebase/googleai/unary-failure-finish-reason-safety.txt",
    ));
}

#[test]
fn unary_failure_generativelanguage_api_not_enabled_json() {
    let run =
        unary_fixture("firebase/googleai/unary-failure-generativelanguage-api-not-enabled.json");
    let error = run.error();
    let ApiError::PermissionDenied { message } = error else {
        panic!("expected PermissionDenied, got {error:?}");
    };
    assert!(message.starts_with(
        "Generative Language API has not been used in project 12345678 before or it is disabled."
    ));
    assert!(
        message
            .ends_with("wait a few minutes for the action to propagate to our systems and retry.")
    );
    assert_eq!(error.kind(), "permission_denied");
    assert_eq!(error.status(), Some(403));
    assert!(!error.is_retryable());
}

#[test]
fn unary_failure_only_prompt_feedback_json() {
    let run = unary_fixture("firebase/googleai/unary-failure-only-prompt-feedback.json");
    let turn = run.turn();
    assert!(turn.parts.is_empty());
    assert!(!turn.has_content());
    assert_eq!(turn.finish_reason, None);
    assert_eq!(turn.block_reason(), None, "no blockReason was given");
    let feedback = turn.prompt_feedback.as_ref().expect("prompt feedback");
    assert_eq!(feedback.block_reason_message.as_deref(), Some("Message"));
    assert_eq!(turn.model_version.as_deref(), Some("gemini-2.0-flash"));
}

fn assert_unknown_model(run: &Run) {
    let error = run.error();
    assert_eq!(
        error,
        &ApiError::UnknownModel {
            message: "models/gemini-5.0-flash is not found for API version v1, or is not \
                      supported for generateContent. Call ListModels to see the list of \
                      available models and their supported methods."
                .into()
        }
    );
    assert_eq!(error.kind(), "unknown_model");
    assert_eq!(error.status(), Some(404));
    assert!(!error.is_retryable());
}

#[test]
fn unary_failure_unknown_model_json() {
    assert_unknown_model(&unary_fixture(
        "firebase/googleai/unary-failure-unknown-model.json",
    ));
}

#[test]
fn unary_failure_unknown_model_txt() {
    assert_unknown_model(&unary_fixture(
        "firebase/googleai/unary-failure-unknown-model.txt",
    ));
}

#[test]
fn unary_failure_with_message_no_content_json() {
    let run = unary_fixture("firebase/googleai/unary-failure-with-message-no-content.json");
    let turn = run.turn();
    assert_eq!(turn.finish_reason.as_deref(), Some("OTHER"));
    assert_eq!(
        turn.finish_message.as_deref(),
        Some("Model failed to generate content due to internal error.")
    );
    assert!(turn.parts.is_empty());
    assert!(!turn.has_content());
    assert_eq!(turn.usage, None);
}

fn assert_basic_reply_long(run: &Run) {
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(turn.parts.len(), 1);
    assert!(
        turn.text()
            .starts_with("Making professional-quality coffee at home")
    );
    assert!(
        turn.text()
            .ends_with("**Pour Over (e.g., Hario V60, Chemex):**\n")
    );
    assert_eq!(turn.text().chars().count(), 2591);
    assert_eq!(turn.safety_ratings.len(), 4);
    assert_eq!(tokens(turn), (9, 1612, 0, 1621));
}

#[test]
fn unary_success_basic_reply_long_json() {
    assert_basic_reply_long(&unary_fixture(
        "firebase/googleai/unary-success-basic-reply-long.json",
    ));
}

#[test]
fn unary_success_basic_reply_long_txt() {
    assert_basic_reply_long(&unary_fixture(
        "firebase/googleai/unary-success-basic-reply-long.txt",
    ));
}

fn assert_basic_reply_short(run: &Run) {
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(
        turn.text(),
        "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n"
    );
    assert_eq!(
        turn.safety_ratings[0].probability.as_deref(),
        Some("NEGLIGIBLE")
    );
    assert_eq!(tokens(turn), (7, 22, 0, 29));
}

#[test]
fn unary_success_basic_reply_short_json() {
    assert_basic_reply_short(&unary_fixture(
        "firebase/googleai/unary-success-basic-reply-short.json",
    ));
}

#[test]
fn unary_success_basic_reply_short_txt() {
    assert_basic_reply_short(&unary_fixture(
        "firebase/googleai/unary-success-basic-reply-short.txt",
    ));
}

fn assert_citations(run: &Run) {
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(
        turn.text(),
        "Okay, let's break down quantum mechanics. It's a challenging but fascinating area of physics!"
    );
    assert_eq!(
        turn.grounding, None,
        "citationMetadata is not search grounding"
    );
    assert_eq!(tokens(turn), (15, 1667, 0, 1682));
}

#[test]
fn unary_success_citations_json() {
    assert_citations(&unary_fixture(
        "firebase/googleai/unary-success-citations.json",
    ));
}

#[test]
fn unary_success_citations_txt() {
    assert_citations(&unary_fixture(
        "firebase/googleai/unary-success-citations.txt",
    ));
}

#[test]
fn unary_success_code_execution_json() {
    let run = unary_fixture("firebase/googleai/unary-success-code-execution.json");
    let turn = run.turn();
    assert_eq!(
        shapes(turn),
        ["other:executableCode", "other:codeExecutionResult", "text"]
    );
    assert_eq!(
        turn.parts[0].extra["executableCode"],
        json!({
            "language": "PYTHON",
            "code": "prime_numbers = [2, 3, 5, 7, 11]\nsum_of_primes = sum(prime_numbers)\nprint(f'{sum_of_primes=}')\n"
        }),
        "kept verbatim, to be sent back"
    );
    assert_eq!(
        turn.parts[1].extra["codeExecutionResult"]["output"],
        "sum_of_primes=28\n"
    );
    assert!(turn.text().ends_with("2 + 3 + 5 + 7 + 11 = 28"));
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(tokens(turn), (21, 96, 86, 363));
}

#[test]
fn unary_success_google_maps_grounding_json() {
    let run = unary_fixture("firebase/googleai/unary-success-google-maps-grounding.json");
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert!(
        turn.text()
            .starts_with("Here are a few pizza places near you:")
    );
    let grounding = grounding(turn);
    let sources = sources(grounding);
    assert_eq!(sources.len(), 20);
    assert_eq!(
        sources[0],
        (
            "Joe\u{2019}s Pizza",
            "https://maps.google.com/?cid=10332424901773702701"
        )
    );
    assert_eq!(
        sources[19],
        (
            "The Grotto Pizzeria",
            "https://maps.google.com/?cid=3798394177457033436"
        )
    );
    assert!(
        grounding
            .grounding_chunks
            .iter()
            .all(|c| c.maps.is_some() && c.web.is_none()),
        "maps chunks, not web"
    );
    assert_eq!(grounding.web_search_queries, ["pizza near me"]);
    assert_eq!(
        segments(grounding),
        [
            (421, 463, vec![0]),
            (604, 645, vec![1]),
            (821, 889, vec![2]),
            (1053, 1095, vec![3])
        ]
    );
    assert_eq!(grounding.search_entry_point, None);
}

#[test]
fn unary_success_google_search_grounding_empty_grounding_chunks_json() {
    let run = unary_fixture(
        "firebase/googleai/unary-success-google-search-grounding-empty-grounding-chunks.json",
    );
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    let grounding = grounding(turn);
    assert_eq!(grounding.grounding_chunks.len(), 2, "two `{{}}` chunks");
    assert_eq!(sources(grounding), [], "empty chunks are no sources");
    assert_eq!(segments(grounding), [(126, 186, vec![0])]);
    assert_eq!(grounding.web_search_queries, ["current weather London"]);
    let rendered = grounding
        .search_entry_point
        .as_ref()
        .and_then(|e| e.rendered_content.as_deref())
        .expect("search entry point");
    assert!(rendered.starts_with("<style>\n.container {"));
}

#[test]
fn unary_success_google_search_grounding_json() {
    let run = unary_fixture("firebase/googleai/unary-success-google-search-grounding.json");
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(
        turn.text(),
        "The current weather in London, United Kingdom is cloudy. The temperature is 67\u{b0}F \
         (19\u{b0}C), but it feels like 75\u{b0}F (24\u{b0}C). There is a 0% chance of rain, and \
         the humidity is around 41%.\n"
    );
    let grounding = grounding(turn);
    let sources = sources(grounding);
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].0, "accuweather.com");
    assert!(
        sources[0]
            .1
            .starts_with("https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXHS")
    );
    assert_eq!(
        sources[1],
        (
            "Weather information for locality: London",
            "https://www.google.com/search?q=weather+in+London"
        )
    );
    assert_eq!(grounding.web_search_queries, ["current weather in London"]);
    assert_eq!(
        grounding.grounding_supports[0].segment,
        Some(Segment {
            start_index: 0,
            end_index: 56,
            text: Some("The current weather in London, United Kingdom is cloudy.".into()),
        }),
        "startIndex omitted when 0"
    );
    assert_eq!(
        segments(grounding),
        [(0, 56, vec![0]), (57, 123, vec![1]), (124, 185, vec![1])]
    );
    let rendered = grounding
        .search_entry_point
        .as_ref()
        .and_then(|e| e.rendered_content.as_deref())
        .expect("search entry point");
    assert!(rendered.starts_with("<style>"));
    assert!(rendered.contains("weather in London"));
    assert_eq!(turn.response_id.as_deref(), Some("qA5DaPG6AZ_KhMIPkLCIoAU"));
}

#[test]
fn unary_success_thinking_function_call_thought_summary_signature_json() {
    let run = unary_fixture(
        "firebase/googleai/unary-success-thinking-function-call-thought-summary-signature.json",
    );
    let turn = run.turn();
    assert_eq!(shapes(turn), ["thought-text", "other:functionCall"]);
    let thoughts = turn.thoughts();
    assert_eq!(
        headings(&thoughts)[0],
        "**Thinking Through the New Year's Eve Calculation**"
    );
    assert_eq!(
        summary_chars(&thoughts),
        thought_chars(turn),
        "nothing lost in the split"
    );
    let signature = signatures(turn)[1].expect("signature on the function call");
    assert_eq!(signature.len(), 2508);
    assert!(signature.starts_with("CtQOAVSoXO74PmYr"));
    assert!(signature.ends_with("lQbIC1+Zdw=="));
    assert_eq!(signatures(turn)[0], None, "the thought carries none");
    assert_eq!(turn.parts[1].extra["functionCall"]["name"], "now");
    assert_eq!(tokens(turn), (38, 8, 501, 547));
    assert_eq!(turn.model_version.as_deref(), Some("gemini-2.5-pro"));
}

#[test]
fn unary_success_thinking_reply_thought_summary_json() {
    let run = unary_fixture("firebase/googleai/unary-success-thinking-reply-thought-summary.json");
    let turn = run.turn();
    assert_eq!(shapes(turn), ["thought-text", "text"]);
    assert_eq!(turn.text(), "Mountain View");
    let thoughts = turn.thoughts();
    assert_eq!(
        headings(&thoughts)[0],
        "**Thinking About Google's Headquarters**"
    );
    assert!(
        thoughts
            .last()
            .unwrap()
            .ends_with("Let's get that information to them quickly and move on.")
    );
    assert_eq!(signatures(turn), [None, None]);
    assert_eq!(tokens(turn), (14, 2, 24, 40));
}

#[test]
fn unary_success_url_context_mixed_validity_json() {
    let run = unary_fixture("firebase/googleai/unary-success-url-context-mixed-validity.json");
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    let grounding = grounding(turn);
    assert_eq!(
        sources(grounding),
        [(
            "Gemini Developer API | Gemma open models | Google AI for ...",
            "https://ai.google.dev"
        )]
    );
    assert_eq!(
        segments(grounding),
        [(1, 254, vec![0]), (256, 386, vec![1]), (388, 792, vec![2])],
        "supports pointing past the one chunk (the failed URLs) are kept as sent"
    );
    assert_eq!(tokens(turn), (118, 312, 46, 2437));
}

#[test]
fn unary_success_url_context_json() {
    let run = unary_fixture("firebase/googleai/unary-success-url-context.json");
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert!(
        turn.text()
            .starts_with("Berkshire Hathaway Inc.'s official website")
    );
    let grounding = grounding(turn);
    assert_eq!(
        sources(grounding),
        [("BERKSHIRE HATHAWAY INC.", "https://berkshirehathaway.com")]
    );
    assert_eq!(
        segments(grounding),
        [
            (100, 155, vec![0]),
            (156, 253, vec![0]),
            (254, 366, vec![0]),
            (367, 497, vec![0])
        ]
    );
    assert_eq!(grounding.web_search_queries, Vec::<String>::new());
    assert_eq!(tokens(turn), (15, 102, 142, 683));
}

// ---------------------------------------------------------------------------------------------
// firebase/vertexai: an image with malformed safety ratings
// ---------------------------------------------------------------------------------------------

fn assert_vertex_png_with_empty_ratings(turn: &ModelTurn) {
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    let png = only_image(turn);
    assert!(png.starts_with(PNG_MAGIC));
    assert_eq!(png.len(), 10226);
    assert_eq!(image_dimensions(&png), Some((1024, 1024)));
    let blob = turn.images().next().unwrap();
    assert_eq!(blob.mime_type(), "image/png");
    assert_eq!(blob.dimensions(), Some((1024, 1024)));
    assert_eq!(turn.safety_ratings.len(), 8);
    assert_eq!(
        categories(&turn.safety_ratings[..4]),
        [
            Some("HARM_CATEGORY_HATE_SPEECH"),
            Some("HARM_CATEGORY_DANGEROUS_CONTENT"),
            Some("HARM_CATEGORY_HARASSMENT"),
            Some("HARM_CATEGORY_SEXUALLY_EXPLICIT"),
        ]
    );
    assert!(
        turn.safety_ratings[4..]
            .iter()
            .all(|r| *r == SafetyRating::default()),
        "the four `{{}}` ratings are accepted as empty"
    );
    assert_eq!(usage(turn).image_output_tokens(), 258);
    assert_eq!(tokens(turn), (15, 258, 0, 273));
}

#[test]
fn vertexai_streaming_success_image_invalid_safety_ratings_txt() {
    let run = sse_fixture("firebase/vertexai-streaming-success-image-invalid-safety-ratings.txt");
    assert_eq!(run.responses, 2);
    let turn = run.turn();
    assert_eq!(shapes(turn), ["image/png", "text"]);
    assert_eq!(turn.parts[1].as_text(), Some(""));
    assert_vertex_png_with_empty_ratings(turn);
}

#[test]
fn vertexai_unary_success_image_invalid_safety_ratings_json() {
    let run = unary_fixture("firebase/vertexai-unary-success-image-invalid-safety-ratings.json");
    let turn = run.turn();
    assert_eq!(shapes(turn), ["image/png"]);
    assert_vertex_png_with_empty_ratings(turn);
    assert_eq!(turn.response_id.as_deref(), Some("GcITaND6KPSbhMIPgoG2-Q0"));
}

// ---------------------------------------------------------------------------------------------
// vercel-ai
// ---------------------------------------------------------------------------------------------

#[test]
fn google_429_retry_info_json() {
    let run = unary_fixture("vercel-ai/google-429-retry-info.json");
    let error = run.error();
    assert_eq!(
        error,
        &ApiError::Quota {
            message: "You exceeded your current quota, please check your plan.".into(),
            retry_after: Some(Duration::from_millis(34_400)),
        }
    );
    assert_eq!(error.kind(), "quota");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_millis(34_400)));
    assert!(error.is_retryable());
    assert!(error.to_string().contains("wait 34.4s"), "{error}");
}

#[test]
fn google_image_gemini_3_1_flash_image_json() {
    const RELATIVE: &str = "vercel-ai/google-image-gemini-3.1-flash-image.json";
    let body = read_fixture(RELATIVE);
    let response = GenerateContentResponse::from_slice(&body).expect("the wire format parses");
    let part = &response.candidates[0].content.as_ref().unwrap().parts[0];
    let inline = part.inline_data.as_ref().expect("inline data");
    assert_eq!(inline.mime_type, "image/jpeg");
    assert_eq!(&*inline.data, b"<redacted live image data; length=439196>");
    assert!(
        matches!(inline.data, Cow::Borrowed(_)),
        "borrowed from the body"
    );
    assert!(matches!(
        part.thought_signature.as_ref(),
        Some(Cow::Borrowed("<redacted thought signature; length=597616>"))
    ));
    assert!(!part.thought);
    let usage = response.usage_metadata.as_ref().unwrap();
    assert_eq!(usage.image_output_tokens(), 1120);

    let run = unary_fixture(RELATIVE);
    let error = run.error();
    assert_eq!(error.kind(), "invalid_body", "placeholder is not base64");
    let ApiError::InvalidBody {
        detail,
        first_bytes,
    } = error
    else {
        panic!("expected InvalidBody, got {error:?}");
    };
    assert!(detail.contains("image/jpeg"), "{detail}");
    assert!(
        first_bytes.starts_with("<redacted live image data"),
        "{first_bytes}"
    );
    assert_eq!(error.status(), None);
}

#[test]
fn google_image_no_image_live_json() {
    let run = unary_fixture("vercel-ai/google-image-no-image-live.json");
    let turn = run.turn();
    assert_eq!(turn.finish_reason.as_deref(), Some("NO_IMAGE"));
    assert!(turn.parts.is_empty(), "`content: {{}}` has no parts");
    assert!(!turn.has_content());
    assert_eq!(turn.images().count(), 0);
    assert_eq!(turn.block_reason(), None);
    assert_eq!(tokens(turn), (9, 0, 0, 9));
    assert_eq!(
        turn.model_version.as_deref(),
        Some("gemini-3.1-flash-image-preview")
    );
}

#[test]
fn google_reasoning_gemini3_chunks_txt() {
    let run = json_lines_fixture("vercel-ai/google-reasoning-gemini3.chunks.txt");
    assert_eq!(run.responses, 3);
    let turn = run.turn();
    assert_eq!(shapes(turn), ["text", "text", "text"]);
    assert_eq!(
        turn.text(),
        "There are **3** \"r\"s in strawberry.\n\nSt**r**awbe**rr**y"
    );
    assert_eq!(turn.parts[2].as_text(), Some(""), "the empty part is kept");
    let sigs = signatures(turn);
    assert_eq!(sigs[..2], [None, None]);
    let signature = sigs[2].expect("signature on the final empty text part");
    assert_eq!(signature.len(), 1392);
    assert!(signature.starts_with("EpAICo0IAb4+9vuk"));
    assert!(signature.ends_with("Isk9vG9i114="));
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(tokens(turn), (9, 23, 302, 334));
}

#[test]
fn google_reasoning_gemini3_json() {
    let run = unary_fixture("vercel-ai/google-reasoning-gemini3.json");
    let turn = run.turn();
    assert_complete_text_reply(turn, "STOP");
    assert_eq!(
        turn.text(),
        "There are **3** \"r\"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y."
    );
    assert_eq!(
        signatures(turn),
        [Some(
            "EswFCskFAb4+9vu5+eCedpmcjHHK+yjyrSAIGVBHj03GrObE+hduQ213f7FDz0UD+aLw3SDPDBkaK69ObgjN0U84Q1yKpmpLk6GnphX0+DrmRFYKnw2TJ8c7/DKa3z5x"
        )],
        "on the text part, byte for byte"
    );
    assert_eq!(tokens(turn), (9, 29, 258, 296));
    assert_eq!(turn.model_version.as_deref(), Some("gemini-3-pro-preview"));
}

#[test]
fn google_tool_call_gemini3_chunks_txt() {
    let run = json_lines_fixture("vercel-ai/google-tool-call-gemini3.chunks.txt");
    assert_eq!(run.responses, 2);
    let turn = run.turn();
    assert_eq!(shapes(turn), ["other:functionCall", "text"]);
    assert_eq!(
        turn.parts[0].extra["functionCall"],
        json!({"name": "weather", "args": {"location": "San Francisco"}})
    );
    let sigs = signatures(turn);
    let signature = sigs[0].expect("signature on the function call");
    assert_eq!(signature.len(), 5488);
    assert!(signature.starts_with("EpEgCo4gAb4+9vvW"));
    assert!(signature.ends_with("KivQw3YcJ1FX"));
    assert_eq!(sigs[1], None);
    assert_eq!(turn.parts[1].as_text(), Some(""));
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(tokens(turn), (29, 15, 804, 848));
}

#[test]
fn google_tool_call_gemini3_json() {
    let run = unary_fixture("vercel-ai/google-tool-call-gemini3.json");
    let turn = run.turn();
    assert_eq!(shapes(turn), ["other:functionCall"]);
    assert_eq!(
        turn.parts[0].extra["functionCall"]["args"]["location"],
        "San Francisco"
    );
    assert_eq!(
        signatures(turn),
        [Some(
            "Eqo+Cqc+Ab4+9vtgONaaz6qwy6WXdp7gCd2w0X+Wz2gaBgY0Gv6A12JKo0y5vQwf9YQFyhMbKr1E9m17VT6HXd7jXzjaGYaE"
        )]
    );
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(
        turn.finish_message.as_deref(),
        Some("Model generated function call(s).")
    );
    assert_eq!(tokens(turn), (29, 15, 1801, 1845));
}

#[test]
fn issue_10660_image_thought_signature_chunks_txt() {
    // The one chunks file that is raw SSE already (`\n\r\n` between events).
    let run = sse_fixture("vercel-ai/issue-10660-image-thought-signature.chunks.txt");
    assert_eq!(run.responses, 2);
    let turn = run.turn();
    assert_eq!(shapes(turn), ["image/jpeg", "text"]);
    let jpeg = only_image(turn);
    assert_eq!(&jpeg[..], [0u8], "`AA==` decodes to one zero byte");
    assert_eq!(turn.images().next().unwrap().dimensions(), None);
    assert_eq!(
        signatures(turn),
        [Some("live-image-thought-signature"), None],
        "the signature stays on the image part"
    );
    assert_eq!(turn.parts[1].as_text(), Some(""));
    assert_eq!(turn.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(usage(turn).image_output_tokens(), 1120);
    assert_eq!(
        tokens(turn),
        (8, 1219, 167, 1394),
        "last chunk's usage wins"
    );
    assert_eq!(turn.response_id.as_deref(), Some("live-response-id"));
    assert_eq!(
        turn.model_version.as_deref(),
        Some("gemini-3-pro-image-preview")
    );
}

#[test]
fn issue_18073_empty_text_thought_signature_chunks_txt() {
    let run = json_lines_fixture("vercel-ai/issue-18073-empty-text-thought-signature.chunks.txt");
    assert_eq!(run.responses, 2);
    let turn = run.turn();
    assert_eq!(shapes(turn), ["text", "text"]);
    assert_eq!(turn.text(), "4");
    let sigs = signatures(turn);
    assert_eq!(sigs[0], None);
    let signature = sigs[1].expect("signature on the final empty text part");
    assert_eq!(turn.parts[1].as_text(), Some(""));
    assert_eq!(signature.len(), 376);
    assert!(signature.starts_with("EpcCCpQCARFNMg9G"));
    assert!(signature.ends_with("BCb3EKzl6rKM"));
    assert_eq!(tokens(turn), (15, 1, 52, 68));
}

fn assert_prohibited_prompt(turn: &ModelTurn) {
    assert_eq!(turn.block_reason(), Some("PROHIBITED_CONTENT"));
    assert!(turn.parts.is_empty());
    assert!(!turn.has_content());
    assert_eq!(turn.finish_reason, None);
    assert_eq!(tokens(turn), (9, 0, 0, 9));
}

#[test]
fn issue_19758_image_prompt_block_json() {
    let run = unary_fixture("vercel-ai/issue-19758-image-prompt-block.json");
    assert_prohibited_prompt(run.turn());
    assert_eq!(
        run.turn().model_version.as_deref(),
        Some("gemini-3.1-flash-image-preview")
    );
}

#[test]
fn issue_19758_prompt_block_chunks_txt() {
    let run = json_lines_fixture("vercel-ai/issue-19758-prompt-block.chunks.txt");
    assert_eq!(run.responses, 1);
    assert_prohibited_prompt(run.turn());
    assert_eq!(
        run.turn().response_id.as_deref(),
        Some("EXCPatOAKMrQjMcPteHVmQo")
    );
}

#[test]
fn issue_22372_live_errors_json() {
    let wrapper_bytes = read_fixture("vercel-ai/issue-22372-live-errors.json");
    assert!(
        error_envelope(&wrapper_bytes).is_none(),
        "the wrapper itself is no error envelope"
    );
    let wrapper: Value = serde_json::from_slice(&wrapper_bytes).unwrap();
    for (key, message) in [
        (
            "reasoningNoneResponse",
            "Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.",
        ),
        (
            "thinkingLevelAndBudgetResponse",
            "You can only set only one of thinking budget and thinking level.",
        ),
    ] {
        let body = serde_json::to_vec(&wrapper[key]).unwrap();
        let run = unary_body(&body);
        let error = run.error();
        assert_eq!(
            error,
            &ApiError::BadRequest {
                message: message.into()
            },
            "{key}"
        );
        assert_eq!(error.kind(), "bad_request");
        assert_eq!(error.status(), Some(400));
        assert!(!error.is_retryable());
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

/// Every recorded file has its own test above, named after it, which reads it: a file added to
/// the fixtures without a test fails here.
#[test]
fn every_fixture_file_has_a_test() {
    let source = include_str!("fixtures.rs");
    let mut files = Vec::new();
    for folder in ["firebase", "firebase/googleai", "vercel-ai"] {
        for entry in std::fs::read_dir(fixtures_dir().join(folder)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if entry.file_type().unwrap().is_file()
                && (name.ends_with(".json") || name.ends_with(".txt"))
            {
                files.push((format!("{folder}/{name}"), name));
            }
        }
    }
    assert_eq!(files.len(), 50, "recorded files: {files:?}");
    for (relative, name) in &files {
        let test = name.replace(['-', '.'], "_");
        assert!(
            source.contains(&format!("#[test]\nfn {test}() {{")),
            "no test named {test} for {relative}"
        );
        assert!(
            source.contains(&format!("\"{relative}\"")),
            "no test reads {relative}"
        );
    }
}

/// The first line of each thought summary: its bold heading.
fn headings(thoughts: &[String]) -> Vec<&str> {
    thoughts
        .iter()
        .map(|t| t.lines().next().unwrap_or_default())
        .collect()
}

/// The summaries' characters but white space (trimmed where they were split).
fn summary_chars(thoughts: &[String]) -> usize {
    thoughts
        .iter()
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
        .sum()
}

/// The characters but white space of every thought text part as received.
fn thought_chars(turn: &ModelTurn) -> usize {
    turn.parts
        .iter()
        .filter(|p| p.thought)
        .filter_map(|p| p.as_text())
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .count()
}
