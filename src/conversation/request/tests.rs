use super::*;
use crate::conversation::settings::ImageSize;
use crate::conversation::{Blob, ModelTurn, UserTurn};
use crate::conversation::{Part, TurnSettings};
use serde_json::{Value, json};

use super::test_target::{CATALOG, to};

const NOW: &str = "2026-01-01T00:00:00Z";

fn signed(mut part: Part, signature: &str) -> Part {
    part.thought_signature = Some(signature.into());
    part
}

fn thought(text: &str) -> Part {
    let mut part = Part::text(text);
    part.thought = true;
    part
}

fn two_turns() -> (Conversation, TurnId) {
    two_turns_after(None)
}

/// Two prompts; the reply between them carried by the interaction `interaction_id`, if any.
fn two_turns_after(interaction_id: Option<&str>) -> (Conversation, TurnId) {
    let mut c = Conversation::new();
    let attachment = Blob::from_bytes("image/png", Bytes::from_static(b"\x89PNGfake"));
    let u1 = c
        .add_user(
            None,
            UserTurn {
                parts: vec![Part::text("make an infographic"), Part::image(attachment)],
                settings: TurnSettings::default(),
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    let image = Blob::from_bytes("image/jpeg", Bytes::from_static(&[1, 2, 3, 4]));
    let m1 = c
        .add_model(
            u1,
            ModelTurn {
                parts: vec![
                    thought("**Planning**"),
                    signed(Part::text("Here it is."), "sig-text"),
                    signed(Part::image(image), "sig-image"),
                ],
                finish_reason: Some("STOP".into()),
                interaction_id: interaction_id.map(str::to_string),
                ..ModelTurn::default()
            },
            NOW.into(),
        )
        .unwrap();
    let u2 = c
        .add_user(
            Some(m1),
            UserTurn {
                parts: vec![Part::text("bigger title")],
                settings: TurnSettings {
                    aspect_ratio: Some("16:9".into()),
                    image_size: Some(ImageSize::K2),
                    google_search: true,
                    ..TurnSettings::default()
                },
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    (c, u2)
}

#[test]
fn full_history_with_signatures_and_without_thoughts() {
    let (c, leaf) = two_turns();
    let prepared = build_request(&c, leaf, &to(u64::MAX)).unwrap();
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(
        body["contents"],
        json!([
            {"role":"user","parts":[{"text":"make an infographic"},
                {"inlineData":{"mimeType":"image/png","data":"iVBOR2Zha2U="}}]},
            {"role":"model","parts":[
                {"text":"Here it is.","thoughtSignature":"sig-text"},
                {"inlineData":{"mimeType":"image/jpeg","data":"AQIDBA=="},"thoughtSignature":"sig-image"}]},
            {"role":"user","parts":[{"text":"bigger title"}]}
        ])
    );
    assert_eq!(
        body["generationConfig"],
        json!({"responseModalities":["TEXT","IMAGE"],
               "imageConfig":{"aspectRatio":"16:9","imageSize":"2K"},
               "thinkingConfig":{"includeThoughts":true}})
    );
    assert_eq!(body["tools"], json!([{"googleSearch":{}}]));
    assert_eq!(prepared.image_count, 2);
}

#[test]
fn too_large_is_refused_with_a_way_out() {
    let (c, leaf) = two_turns();
    let error = build_request(&c, leaf, &to(100)).unwrap_err();
    assert!(matches!(error, RequestError::TooLarge { limit: 100, .. }));
    assert!(error.to_string().contains("/fresh"), "{error}");
}

#[test]
fn blocked_exchange_is_skipped() {
    let mut c = Conversation::new();
    let u1 = c
        .add_user(
            None,
            UserTurn {
                parts: vec![Part::text("bad")],
                settings: TurnSettings::default(),
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    let m1 = c.add_model(u1, ModelTurn::default(), NOW.into()).unwrap();
    let u2 = c
        .add_user(
            Some(m1),
            UserTurn {
                parts: vec![Part::text("good")],
                settings: TurnSettings::default(),
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    let body: Value =
        serde_json::from_slice(&build_request(&c, u2, &to(u64::MAX)).unwrap().body).unwrap();
    assert_eq!(
        body["contents"],
        json!([{"role":"user","parts":[{"text":"good"}]}])
    );
}

#[test]
fn no_image_size_or_thinking_for_2_5_flash() {
    let settings = TurnSettings {
        model: "gemini-2.5-flash-image".into(),
        aspect_ratio: Some("4:3".into()),
        image_only: true,
        ..TurnSettings::default()
    };
    let spec = settings.validate(&CATALOG, "google", None).unwrap();
    let config =
        serde_json::to_value(generate_content::generation_config(&settings, &spec)).unwrap();
    assert_eq!(
        config,
        json!({"responseModalities":["IMAGE"],"imageConfig":{"aspectRatio":"4:3"}})
    );
}

#[test]
fn a_variation_carries_its_seed_in_the_top_level_generation_config() {
    let mut conversation = Conversation::new();
    let user = UserTurn {
        parts: vec![Part::text(r#"say "generationConfig":{ twice"#)],
        settings: TurnSettings::default(),
        region: None,
    };
    let prompt = conversation.add_user(None, user, String::new()).unwrap();
    let request = build_request(&conversation, prompt, &to(u64::MAX)).unwrap();
    let varied = request.with_seed(7);
    let json: serde_json::Value = serde_json::from_slice(&varied.body).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(json["generationConfig"]["seed"], 7);
    assert_eq!(json["contents"], original["contents"]);
    let mut without = json.clone();
    without["generationConfig"]
        .as_object_mut()
        .unwrap()
        .remove("seed");
    assert_eq!(without, original);
}

#[test]
fn flash_options_reach_the_wire() {
    let settings = TurnSettings {
        model: "gemini-3.1-flash-image".into(),
        aspect_ratio: Some("1:8".into()),
        image_size: Some(ImageSize::Px512),
        thinking_level: Some(crate::models::ThinkingLevel::High),
        image_search: true,
        ..TurnSettings::default()
    };
    let mut c = Conversation::new();
    let u1 = c
        .add_user(
            None,
            UserTurn {
                parts: vec![Part::text("a tall poster")],
                settings,
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    let body: Value =
        serde_json::from_slice(&build_request(&c, u1, &to(u64::MAX)).unwrap().body).unwrap();
    assert_eq!(
        body["generationConfig"],
        json!({"responseModalities":["TEXT","IMAGE"],
               "imageConfig":{"aspectRatio":"1:8","imageSize":"512"},
               "thinkingConfig":{"includeThoughts":true,"thinkingLevel":"high"}})
    );
    assert_eq!(
        body["tools"],
        json!([{"googleSearch":{"searchTypes":{"webSearch":{},"imageSearch":{}}}}])
    );
}

#[test]
fn options_a_model_does_not_take_are_refused_before_sending() {
    let mut c = Conversation::new();
    let u1 = c
        .add_user(
            None,
            UserTurn {
                parts: vec![Part::text("x")],
                settings: TurnSettings {
                    image_size: Some(ImageSize::Px512),
                    ..TurnSettings::default()
                },
                region: None,
            },
            NOW.into(),
        )
        .unwrap();
    let error = build_request(&c, u1, &to(u64::MAX)).unwrap_err();
    assert!(error.to_string().contains("1K 2K 4K"), "{error}");
}

fn over_interactions() -> RequestTarget<'static> {
    RequestTarget {
        transport: Transport::Interactions,
        ..to(u64::MAX)
    }
}

#[test]
fn over_interactions_a_prompt_after_a_kept_reply_sends_only_itself() {
    let (c, leaf) = two_turns_after(Some("v1_parent"));
    let prepared = build_request(&c, leaf, &over_interactions()).unwrap();
    assert_eq!(prepared.transport, Transport::Interactions);
    assert_eq!(prepared.previous_interaction.as_deref(), Some("v1_parent"));
    assert_eq!(
        prepared.image_count, 0,
        "the history's images stay on the server"
    );
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "gemini-3-pro-image",
            "input": [{"type": "user_input", "content": [{"type": "text", "text": "bigger title"}]}],
            "previous_interaction_id": "v1_parent",
            "generation_config": {"thinking_summaries": "auto"},
            "response_format": [{"type": "text"}, {"type": "image", "aspect_ratio": "16:9", "image_size": "2K"}],
            "tools": [{"type": "google_search"}],
            "stream": true,
            "store": true
        })
    );
}

#[test]
fn over_interactions_without_a_kept_parent_the_path_goes_as_steps_signatures_paired() {
    let (c, leaf) = two_turns();
    let prepared = build_request(&c, leaf, &over_interactions()).unwrap();
    assert_eq!(prepared.previous_interaction, None);
    assert_eq!(prepared.image_count, 2);
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(
        body["input"],
        json!([
            {"type": "user_input", "content": [{"type": "text", "text": "make an infographic"},
                {"type": "image", "mime_type": "image/png", "data": "iVBOR2Zha2U="}]},
            {"type": "thought", "signature": "sig-text"},
            {"type": "model_output", "content": [{"type": "text", "text": "Here it is."}]},
            {"type": "thought", "signature": "sig-image"},
            {"type": "model_output", "content": [{"type": "image", "mime_type": "image/jpeg", "data": "AQIDBA=="}]},
            {"type": "user_input", "content": [{"type": "text", "text": "bigger title"}]}
        ])
    );
    assert!(body.get("previous_interaction_id").is_none());
}

#[test]
fn a_fallback_rewrites_the_same_turn_with_its_seed() {
    let (c, leaf) = two_turns_after(Some("v1_parent"));
    let chained = build_request(&c, leaf, &over_interactions())
        .unwrap()
        .with_seed(41);
    let body: Value = serde_json::from_slice(&chained.body).unwrap();
    assert_eq!(body["generation_config"]["seed"], 41);

    let whole = chained
        .rewritten(BodyForm::Interactions { continued: false })
        .unwrap();
    let body: Value = serde_json::from_slice(&whole.body).unwrap();
    assert!(body.get("previous_interaction_id").is_none());
    assert_eq!(body["input"].as_array().unwrap().len(), 6);
    assert_eq!(body["generation_config"]["seed"], 41);

    let legacy = chained.rewritten(BodyForm::GenerateContent).unwrap();
    assert_eq!(legacy.transport, Transport::GenerateContent);
    let body: Value = serde_json::from_slice(&legacy.body).unwrap();
    assert_eq!(body["contents"].as_array().unwrap().len(), 3);
    assert_eq!(body["generationConfig"]["seed"], 41);
    assert_eq!(
        body["contents"][1]["parts"][1]["thoughtSignature"],
        "sig-image"
    );
}
