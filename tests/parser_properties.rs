//! Property tests of the response parser and the SSE reader: arbitrary bytes at arbitrary
//! chunk boundaries never panic, and a valid stream decodes to the same reply however the
//! network splits it. CI runs the default number of cases; `PROPTEST_CASES=100000 cargo test
//! --test parser_properties` runs longer (see README).

use banana_studio::conversation::{ModelTurn, ReplyBuilder};
use banana_studio::gemini::sse::{SseDecoder, SseEvent};
use banana_studio::gemini::wire::GenerateContentResponse;
use bytes::Bytes;
use proptest::prelude::*;

/// Feeds `body` split at `cuts` and builds the reply; errors are fine, panics are not.
fn decode(body: &[u8], cuts: &[usize]) -> Result<ModelTurn, String> {
    let mut decoder = SseDecoder::new();
    let mut builder = ReplyBuilder::new();
    let mut events = Vec::new();
    let mut start = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    points.sort_unstable();
    points.push(body.len());
    for point in points {
        if point > start {
            events.extend(decoder.push(Bytes::copy_from_slice(&body[start..point])));
            start = point;
        }
    }
    let (last, _) = decoder.finish();
    events.extend(last);
    for event in events {
        if let SseEvent::Data(data) = event {
            let response = GenerateContentResponse::from_slice(&data).map_err(|e| e.to_string())?;
            builder.absorb(response).map_err(|e| e.to_string())?;
        }
    }
    builder.finish(0).map_err(|e| e.to_string())
}

/// A valid streamed reply, built from generated pieces.
fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    let text = "[a-zA-Z0-9 ,.!é\\n\"\\\\]{0,40}";
    let part = prop_oneof![
        (text, any::<bool>()).prop_map(|(t, thought)| serde_json::json!({"text": t, "thought": thought})),
        (text, "[A-Za-z0-9+/]{4,64}").prop_map(|(t, s)| serde_json::json!({"text": t, "thoughtSignature": s})),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|bytes| serde_json::json!({
            "inlineData": {"mimeType": "image/png", "data": base64_simd::STANDARD.encode_to_string(&bytes)},
            "thoughtSignature": "c2ln"
        })),
    ];
    (prop::collection::vec(part, 1..8), any::<bool>()).prop_map(|(parts, crlf)| {
        let separator = if crlf { "\r\n\r\n" } else { "\n\n" };
        let mut body = String::new();
        let count = parts.len();
        for (index, part) in parts.into_iter().enumerate() {
            let mut chunk = serde_json::json!({"candidates": [{"content": {"role": "model", "parts": [part]}}]});
            if index + 1 == count {
                chunk["candidates"][0]["finishReason"] = "STOP".into();
            }
            body.push_str("data: ");
            body.push_str(&chunk.to_string());
            body.push_str(separator);
        }
        body.into_bytes()
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2000),
                                   cuts in prop::collection::vec(any::<usize>(), 0..20)) {
        let _ = decode(&body, &cuts);
    }

    #[test]
    fn arbitrary_json_like_bytes_never_panic(body in "(data: )?[{}\\[\\]\":,a-zA-Z0-9 \r\n]{0,400}",
                                             cuts in prop::collection::vec(any::<usize>(), 0..10)) {
        let _ = decode(body.as_bytes(), &cuts);
        let _ = GenerateContentResponse::from_slice(body.as_bytes());
    }

    #[test]
    fn a_valid_stream_decodes_the_same_at_any_split(body in stream_strategy(),
                                                    cuts in prop::collection::vec(any::<usize>(), 0..30)) {
        let whole = decode(&body, &[]);
        prop_assert!(whole.is_ok(), "{:?}", whole);
        prop_assert_eq!(decode(&body, &cuts), whole);
    }
}
