//! The Interactions transport through the real `banana-studio send`, against the demo model at
//! full size: a 4K edit chain uploads only its prompts, a branch continues an earlier
//! interaction, an expired parent falls back to the whole history, the session then goes on
//! over generateContent with the signatures the interactions returned, and a provider that
//! answers 404 to the endpoint gets generateContent with one notice.

use banana_studio::demo::DemoOptions;
use serde_json::Value;

mod common;
use common::harness::{Harness, assert_success, stderr, stdout_json};

async fn full_size(options: DemoOptions) -> Harness {
    Harness::full_size(
        options,
        "[providers.google]\ntransport = \"interactions\"\n",
    )
    .await
}

/// One turn of session `session`: its JSON, after checking it succeeded.
async fn send(harness: &Harness, args: &[&str]) -> (Value, String) {
    let output = harness.send(args).await;
    assert_success(&output);
    (stdout_json(&output), stderr(&output))
}

const EDITS: [&str; 4] = [
    "bigger title",
    "blue palette",
    "add a legend",
    "rounder panels",
];

#[tokio::test]
async fn a_4k_chain_uploads_only_its_prompts_and_survives_an_expired_parent() {
    let harness = full_size(DemoOptions::default()).await;
    let (first, _) = send(
        &harness,
        &[
            "--session",
            "s",
            "--json",
            "--size",
            "4K",
            "an infographic about bananas",
        ],
    )
    .await;
    assert_eq!(first["transport"], "interactions");
    let mut ids = vec![first["interaction_id"].as_str().unwrap().to_string()];
    for edit in EDITS {
        let (turn, _) = send(&harness, &["--session", "s", "--json", edit]).await;
        assert_eq!(turn["transport"], "interactions");
        let bytes = turn["request_bytes"].as_u64().unwrap();
        eprintln!("{edit}: {bytes} bytes");
        assert!(bytes < 10_000, "{edit}: {bytes} bytes uploaded");
        assert!(turn["text"].as_str().unwrap().contains(edit));
        ids.push(turn["interaction_id"].as_str().unwrap().to_string());
    }
    // Each turn named the interaction before it, and carried no picture.
    let requests = harness.requests();
    for (request, parent) in requests[1..].iter().zip(&ids) {
        let body = request.json();
        assert_eq!(body["previous_interaction_id"], parent.as_str());
        assert_eq!(body["input"].as_array().unwrap().len(), 1);
        assert_eq!(body["response_format"][1]["image_size"], "4K");
    }

    // A branch from turn 2 (v2) continues that turn's interaction.
    let (branch, _) = send(
        &harness,
        &["--session", "s", "--json", "--from", "v2", "green palette"],
    )
    .await;
    assert!(branch["request_bytes"].as_u64().unwrap() < 10_000);
    let body = harness.requests().last().unwrap().json();
    assert_eq!(body["previous_interaction_id"], ids[1].as_str());
    assert!(
        branch["text"].as_str().unwrap().contains("(edit 2)"),
        "the model saw v2's history: {}",
        branch["text"]
    );

    // The server forgets: the next turn is sent again with its whole path, and succeeds.
    harness.demo.expire_interactions();
    let (after, notices) = send(
        &harness,
        &[
            "--session",
            "s",
            "--json",
            "--from",
            "v5",
            "a darker background",
        ],
    )
    .await;
    assert!(
        notices.contains("Previous interaction not found") && notices.contains("whole history"),
        "{notices}"
    );
    assert_eq!(after["transport"], "interactions");
    let resent = after["request_bytes"].as_u64().unwrap();
    assert!(
        resent > 2_000_000,
        "five 4K pictures went up: {resent} bytes"
    );
    let requests = harness.requests();
    let (refused, accepted) = (
        requests[requests.len() - 2].json(),
        requests[requests.len() - 1].json(),
    );
    assert_eq!(refused["previous_interaction_id"], ids[4].as_str());
    assert!(accepted.get("previous_interaction_id").is_none());

    // The same session goes on over generateContent; the strict demo checks every signature
    // the interactions gave.
    let (legacy, _) = send(
        &harness,
        &[
            "--transport",
            "generate-content",
            "--session",
            "s",
            "--json",
            "a thicker border",
        ],
    )
    .await;
    assert_eq!(legacy["transport"], "generate-content");
    assert!(legacy["request_bytes"].as_u64().unwrap() > 2_000_000);
    let body = harness.requests().last().unwrap().json();
    let signed = body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "model")
        .flat_map(|c| c["parts"].as_array().unwrap())
        .filter(|p| p["thoughtSignature"].is_string())
        .count();
    assert_eq!(
        signed, 12,
        "a signed text and a signed image for each of 6 replies"
    );
}

#[tokio::test]
async fn grounding_comes_back_over_interactions_as_over_generate_content() {
    let harness = full_size(DemoOptions::default()).await;
    let mut seen = Vec::new();
    for transport in ["interactions", "generate-content"] {
        let (turn, _) = send(
            &harness,
            &[
                "--transport",
                transport,
                "--session",
                transport,
                "--json",
                "--image-search",
                "--model",
                "gemini-3.1-flash-image",
                "rainfall in Lisbon",
            ],
        )
        .await;
        assert_eq!(turn["transport"], transport);
        seen.push((
            turn["sources"].clone(),
            turn["search_queries"].clone(),
            turn["image_search_queries"].clone(),
        ));
    }
    let (sources, queries, image_queries) = &seen[0];
    assert_eq!(sources.as_array().unwrap().len(), 4, "{sources}");
    assert_eq!(queries, &seen[1].1);
    assert_eq!(image_queries, &seen[1].2);
    let uris = |s: &Value| -> Vec<Value> {
        s.as_array()
            .unwrap()
            .iter()
            .map(|s| s["uri"].clone())
            .collect()
    };
    assert_eq!(uris(sources), uris(&seen[1].0));
}

#[tokio::test]
async fn generate_content_uploads_the_whole_history_every_turn() {
    // The same chain over the default transport, for the comparison in BENCHMARKS.md.
    let harness = full_size(DemoOptions::default()).await;
    let mut sizes = Vec::new();
    let first = ["--size", "4K", "an infographic about bananas"];
    for (n, prompt) in std::iter::once(first.as_slice())
        .chain(EDITS.iter().map(std::slice::from_ref))
        .enumerate()
    {
        let mut args = vec![
            "--transport",
            "generate-content",
            "--session",
            "g",
            "--json",
        ];
        args.extend(prompt);
        let (turn, _) = send(&harness, &args).await;
        assert_eq!(turn["transport"], "generate-content");
        sizes.push(turn["request_bytes"].as_u64().unwrap());
        eprintln!("turn {}: {} bytes", n + 1, sizes[n]);
    }
    assert!(
        sizes[4] > 2_000_000,
        "turn 5 carries four 4K pictures: {sizes:?}"
    );
    assert!(sizes.windows(2).all(|w| w[1] > w[0]), "it grows: {sizes:?}");
}

#[tokio::test]
async fn a_provider_without_the_endpoint_gets_generate_content_with_one_notice() {
    let harness = full_size(DemoOptions {
        no_interactions: true,
        ..DemoOptions::default()
    })
    .await;
    let output = harness
        .send(&["--session", "r", "--json", "a poster"])
        .await;
    assert_success(&output);
    let json = stdout_json(&output);
    assert_eq!(json["transport"], "generate-content");
    let notices = stderr(&output);
    assert_eq!(
        notices
            .matches("does not serve the Interactions API")
            .count(),
        1,
        "{notices}"
    );
    // The refused call never reached the model (a relay's router answered it).
    let paths: Vec<String> = harness.requests().iter().map(|r| r.model.clone()).collect();
    assert_eq!(paths, ["gemini-3-pro-image"]);
}

#[tokio::test]
async fn an_unknown_transport_is_refused_naming_both() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness
        .send(&["--transport", "grpc", "--session", "x", "hello"])
        .await;
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("generate-content") && text.contains("interactions"),
        "{text}"
    );

    std::fs::write(
        harness.config_path(),
        "[providers.google]\ntransport = \"grpc\"\n",
    )
    .unwrap();
    let output = harness.send(&["--session", "x", "hello"]).await;
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("[providers.google]") && text.contains("\"generate-content\""),
        "{text}"
    );
    assert!(harness.requests().is_empty(), "nothing was sent");
}
