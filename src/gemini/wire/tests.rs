//! The wire types: recorded shapes parsed, long fields borrowed, requests written in camelCase.

use super::*;
use std::borrow::Cow;

/// The example response on the relay's documentation page: snake_case part fields, a
/// signature string, grounding at the top level.
#[test]
fn reads_the_relays_documented_example() {
    let body = br#"{"candidates":[{"content":{"role":"user","parts":[{"text":"Create a picture",
        "inline_data":{"mime_type":"image/jpeg","data":"AAEC"},"thought":true,"thought_signature":"string"}]},
        "finishReason":"STOP","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"}]}],
        "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":1290,"totalTokenCount":1390},
        "groundingMetadata":{"searchEntryPoint":{"renderedContent":"string"},
        "groundingChunks":[{"web":{"uri":"https://example.com/article","title":"Example Article Title"}}]}}"#;
    let response = GenerateContentResponse::from_slice(body).unwrap();
    let part = &response.candidates[0].content.as_ref().unwrap().parts[0];
    assert_eq!(part.inline_data.as_ref().unwrap().mime_type, "image/jpeg");
    assert!(matches!(
        part.thought_signature,
        Some(Cow::Borrowed("string"))
    ));
    assert!(part.thought);
    let grounding = response.grounding_metadata.unwrap();
    assert_eq!(
        grounding.sources().next().unwrap().title.as_deref(),
        Some("Example Article Title")
    );
}

#[test]
fn nulls_and_missing_fields_are_empty() {
    let body = br#"{"candidates":null,"usageMetadata":null,"promptFeedback":{"blockReason":"OTHER","safetyRatings":null}}"#;
    let response = GenerateContentResponse::from_slice(body).unwrap();
    assert!(response.candidates.is_empty());
    let body =
        br#"{"candidates":[{"content":{"role":"model","parts":null},"safetyRatings":null}]}"#;
    let response = GenerateContentResponse::from_slice(body).unwrap();
    assert!(
        response.candidates[0]
            .content
            .as_ref()
            .unwrap()
            .parts
            .is_empty()
    );
}

#[test]
fn unknown_part_fields_are_kept_in_camel_case() {
    let body = br#"{"candidates":[{"content":{"parts":[{"function_call":{"name":"now"},"thought_signature":"c2ln","video_metadata":null}]}}]}"#;
    let response = GenerateContentResponse::from_slice(body).unwrap();
    let part = &response.candidates[0].content.as_ref().unwrap().parts[0];
    assert_eq!(part.other.keys().collect::<Vec<_>>(), vec!["functionCall"]);
}

#[test]
fn durations_parse_like_protobuf_json() {
    assert_eq!(
        parse_duration("34.4s"),
        Some(std::time::Duration::from_millis(34_400))
    );
    assert_eq!(
        parse_duration("2s"),
        Some(std::time::Duration::from_secs(2))
    );
    assert_eq!(parse_duration("-1s"), None);
    assert_eq!(parse_duration("soon"), None);
}

/// A reply whose image, signature and (optionally) other strings are `len` bytes long.
fn long_reply(len: usize, text: &str, extra: &str) -> (String, String, String) {
    let data = "QUJD".repeat(len / 4);
    let signature = "c2ln".repeat(len / 4);
    let body = format!(
        r#"{{"candidates":[{{"content":{{"role":"model","parts":[
          {{"text":"{text}","thoughtSignature":"c2ln"}},
          {{"inlineData":{{"mimeType":"image/png","data":"{data}"}},
            "thoughtSignature":"{signature}"{extra}}}]}},
          "finishReason":"STOP"}}],"modelVersion":"gemini-3-pro-image-preview"}}"#
    );
    (body, data, signature)
}

fn parts<'a>(response: &'a GenerateContentResponse<'_>) -> &'a [WirePart<'a>] {
    &response.candidates[0].content.as_ref().unwrap().parts
}

#[test]
fn long_strings_are_borrowed_from_the_body_itself() {
    let (body, data, signature) = long_reply(1 << 20, "hi", "");
    let response = GenerateContentResponse::from_slice(body.as_bytes()).unwrap();
    let image = &parts(&response)[1];
    let inline = image.inline_data.as_ref().unwrap();
    assert_eq!(&*inline.data, data.as_bytes());
    assert_eq!(image.thought_signature.as_deref(), Some(&*signature));
    let data_at = body.find(&data).unwrap();
    match &inline.data {
        Cow::Borrowed(bytes) => assert_eq!(bytes.as_ptr(), body[data_at..].as_ptr()),
        Cow::Owned(_) => panic!("the image was copied"),
    }
    assert_eq!(parts(&response)[0].text.as_deref(), Some("hi"));
    assert_eq!(
        response.model_version.as_deref(),
        Some("gemini-3-pro-image-preview")
    );
    assert_eq!(
        response.candidates[0].finish_reason.as_deref(),
        Some("STOP")
    );
}

#[test]
fn long_strings_in_fields_that_own_their_text_are_kept_whole() {
    let long_text = "word ".repeat(10_000);
    let long_unmodelled = "x".repeat(50_000);
    let extra = format!(r#","videoMetadata":{{"note":"{long_unmodelled}"}}"#);
    let (body, data, _) = long_reply(1 << 16, &long_text, &extra);
    let response = GenerateContentResponse::from_slice(body.as_bytes()).unwrap();
    assert_eq!(parts(&response)[0].text.as_deref(), Some(&*long_text));
    let image = &parts(&response)[1];
    assert_eq!(image.other["videoMetadata"]["note"], long_unmodelled);
    assert_eq!(&*image.inline_data.as_ref().unwrap().data, data.as_bytes());
}

#[test]
fn a_long_signature_with_a_raw_control_character_is_refused_as_serde_would() {
    let (body, _, signature) = long_reply(1 << 16, "hi", "");
    let broken = body.replacen(&signature, &format!("{signature}\u{1}"), 1);
    let error = GenerateContentResponse::from_slice(broken.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("control character"), "{error}");
}

#[test]
fn an_error_envelope_is_read_in_the_same_parse() {
    let mut response = GenerateContentResponse::from_slice(
        br#"{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}"#,
    )
    .unwrap();
    let error = response.take_error().unwrap();
    assert_eq!(
        (error.code, error.status.as_str()),
        (429, "RESOURCE_EXHAUSTED")
    );
    let mut empty = GenerateContentResponse::from_slice(br#"{"error":{}}"#).unwrap();
    assert!(empty.take_error().is_none());
}
