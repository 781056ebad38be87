//! Hot paths of the engine, on inputs of real sizes made here: incompressible image bytes
//! (1K ≈ 0.4 MB, 2K ≈ 2 MB, 4K ≈ 8 MB) and a 600 KB signature.
//!
//! `cargo bench --bench engine` measures; `cargo test --all-targets` runs each once so they
//! cannot rot. Results and targets: BENCHMARKS.md.

use std::hint::black_box;

use banana_studio::conversation::{
    Blob, Conversation, ModelTurn, Part, ReplyBuilder, RequestTarget, TurnSettings, UserTurn,
    build_request,
};
use banana_studio::gemini::sse::{SseDecoder, SseEvent};
use banana_studio::gemini::wire::GenerateContentResponse;
use banana_studio::models::Catalog;
use bytes::Bytes;
// Measured with the binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const MB: usize = 1_000_000;
const IMAGE_4K: usize = 8 * MB;
const IMAGE_2K: usize = 2 * MB;
const SIGNATURE: usize = 600_000;

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes);
    bytes
}

fn base64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// A unary reply like Nano Banana Pro's: thoughts, a signed text part, a signed 4K image.
fn unary_body(image_len: usize) -> Vec<u8> {
    let image = base64(&noise(image_len, 1));
    let signature = base64(&noise(SIGNATURE * 3 / 4, 2));
    format!(
        r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"text":"**Planning**\n\nA layout with three panels.","thought":true}},{{"text":"Here is the infographic.","thoughtSignature":"{signature}"}},{{"inlineData":{{"mimeType":"image/jpeg","data":"{image}"}},"thoughtSignature":"{signature}"}}]}},"finishReason":"STOP","index":0}}],"usageMetadata":{{"promptTokenCount":12,"candidatesTokenCount":2000,"thoughtsTokenCount":210,"totalTokenCount":2222,"candidatesTokensDetails":[{{"modality":"IMAGE","tokenCount":2000}}]}},"modelVersion":"gemini-3-pro-image-preview","responseId":"bench"}}"#
    )
    .into_bytes()
}

fn decode_body(body: &[u8]) -> ModelTurn {
    let mut builder = ReplyBuilder::new();
    let response = GenerateContentResponse::from_slice(body).expect("bench body parses");
    builder.absorb(response).expect("bench body converts");
    builder.finish(0).expect("bench body is complete")
}

/// The stream as the network hands it over: `read_size` chunks (here slices of one buffer; the
/// client gets them from the HTTP stack as `Bytes` the same way).
fn decode_sse(stream: &Bytes, read_size: usize) -> ModelTurn {
    let mut builder = ReplyBuilder::new();
    let mut decoder = SseDecoder::new();
    for start in (0..stream.len()).step_by(read_size) {
        let read = stream.slice(start..stream.len().min(start + read_size));
        for event in decoder.push(read) {
            if let SseEvent::Data(data) = event {
                let response = GenerateContentResponse::from_slice(&data).expect("event parses");
                builder.absorb(response).expect("event converts");
            }
        }
    }
    builder.finish(0).expect("stream is complete")
}

fn sse_stream(body: &[u8]) -> Bytes {
    let mut stream = Vec::with_capacity(body.len() + 16);
    stream.extend_from_slice(b"data: ");
    stream.extend_from_slice(body);
    stream.extend_from_slice(b"\r\n\r\n");
    Bytes::from(stream)
}

/// Ten edit turns, each reply with a signed 2K image, ready for an eleventh prompt.
fn ten_turn_history() -> (Conversation, banana_studio::conversation::TurnId) {
    let mut conversation = Conversation::new();
    let mut parent = None;
    let signature = base64(&noise(SIGNATURE * 3 / 4, 3));
    for turn in 0..10u64 {
        let prompt = UserTurn {
            parts: vec![Part::text(format!("edit number {turn}"))],
            settings: TurnSettings::default(),
            region: None,
        };
        let user = conversation
            .add_user(parent, prompt, String::new())
            .expect("alternates");
        let mut text = Part::text("Done.");
        text.thought_signature = Some(signature.clone());
        let mut image = Part::image(Blob::from_bytes(
            "image/jpeg",
            Bytes::from(noise(IMAGE_2K, 10 + turn)),
        ));
        image.thought_signature = Some(signature.clone());
        let reply = ModelTurn {
            parts: vec![text, image],
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        };
        parent = Some(
            conversation
                .add_model(user, reply, String::new())
                .expect("alternates"),
        );
    }
    let last = UserTurn {
        parts: vec![Part::text("add a legend")],
        settings: TurnSettings::default(),
        region: None,
    };
    let leaf = conversation
        .add_user(parent, last, String::new())
        .expect("alternates");
    (conversation, leaf)
}

fn response_decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("response_decode");
    for (name, len) in [("1K", 400_000), ("2K", IMAGE_2K), ("4K", IMAGE_4K)] {
        let body = unary_body(len);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| {
            b.iter(|| decode_body(black_box(body)))
        });
    }
    group.finish();
}

fn sse_decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("sse_decode_16k_reads");
    group.sample_size(20);
    for (name, len) in [("4K_10MB", IMAGE_4K), ("event_30MB", 22 * MB)] {
        let stream = sse_stream(&unary_body(len));
        group.throughput(Throughput::Bytes(stream.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &stream, |b, stream| {
            b.iter(|| decode_sse(black_box(stream), 16 * 1024))
        });
    }
    group.finish();
}

fn request_build(c: &mut Criterion) {
    let (conversation, leaf) = ten_turn_history();
    let mut group = c.benchmark_group("request_build");
    group.sample_size(20);
    let catalog = Catalog::builtin();
    let target = RequestTarget {
        catalog: &catalog,
        provider: "google",
        size_limit: u64::MAX,
        listing: None,
        transport: banana_studio::gemini::Transport::GenerateContent,
    };
    let size = build_request(&conversation, leaf, &target)
        .expect("builds")
        .body
        .len();
    group.throughput(Throughput::Bytes(size as u64));
    group.bench_function("10_turns_2K_images", |b| {
        b.iter(|| build_request(black_box(&conversation), leaf, &target).expect("builds"))
    });
    group.finish();
}

criterion_group!(benches, response_decode, sse_decode, request_build);
criterion_main!(benches);
