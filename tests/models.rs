//! Today's models through the real binary against the demo model (which answers as Google
//! does, from the same catalog, or as a relay that keeps other ids): every model's options reach
//! the wire, the provider's list is read through ListModels and decides which ids exist, a
//! session saved on a retired id moves only on the provider's word, and each turn's cost is the
//! catalog's price.

use banana_studio::demo::DemoOptions;
use serde_json::Value;

mod common;
use common::harness::{Harness, assert_success, stderr, stdout_json};

/// A relay of the seed's kind: Google's models, plus the preview id it keeps serving and a
/// name of its own the catalog has never heard of.
async fn relay() -> Harness {
    Harness::start_with(DemoOptions {
        aliases: vec![
            (
                "gemini-3-pro-image-preview".into(),
                "gemini-3-pro-image".into(),
            ),
            ("nb-pro".into(), "gemini-3-pro-image".into()),
        ],
        ..DemoOptions::default()
    })
    .await
}

/// The generate requests the demo received (ListModels calls are not recorded).
fn models_asked(harness: &Harness) -> Vec<String> {
    harness.requests().into_iter().map(|r| r.model).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_with_no_config_gets_an_image_from_the_ga_model() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness.send(&["--json", "an infographic about bees"]).await;
    assert_success(&output);
    let reply = stdout_json(&output);
    assert_eq!(reply["model"], "gemini-3-pro-image");
    assert_eq!(reply["images"].as_array().map(Vec::len), Some(1));
    assert_eq!(harness.requests()[0].model, "gemini-3-pro-image");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flash_takes_512_the_tall_ratios_and_image_search() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness
        .send(&[
            "--json",
            "--model",
            "gemini-3.1-flash-image",
            "--size",
            "512",
            "--aspect",
            "1:8",
            "--image-search",
            "--thinking",
            "high",
            "a tall poster of bees",
        ])
        .await;
    assert_success(&output);
    let request = harness.requests()[0].json();
    assert_eq!(
        request["generationConfig"]["imageConfig"],
        serde_json::json!({"aspectRatio": "1:8", "imageSize": "512"})
    );
    assert_eq!(
        request["generationConfig"]["thinkingConfig"],
        serde_json::json!({"includeThoughts": true, "thinkingLevel": "high"})
    );
    assert!(
        request["generationConfig"]["thinkingConfig"]
            .get("thinkingBudget")
            .is_none()
    );
    assert_eq!(
        request["tools"],
        serde_json::json!([{"googleSearch": {"searchTypes": {"webSearch": {}, "imageSearch": {}}}}])
    );
    let reply = stdout_json(&output);
    // 1:8 at 512 is 192×1536; the demo draws a quarter of each side.
    assert_eq!(reply["images"][0]["width"], 48);
    assert_eq!(reply["images"][0]["height"], 384);
    assert_eq!(
        reply["image_search_queries"][0],
        "a tall poster of bees photo"
    );
    let sources = reply["sources"].as_array().unwrap();
    assert!(
        sources.iter().any(|s| s["image_uri"].is_string()),
        "an image source: {sources:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_as_strict_as_the_api_for_each_model() {
    // A client that sends what a model does not take gets the API's 400, not a picture.
    let harness = Harness::start(Vec::new()).await;
    let url = |model: &str| {
        format!(
            "{}/v1beta/models/{model}:generateContent",
            harness.demo.base_url()
        )
    };
    banana_studio::gemini::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let cases = [
        (
            "gemini-nano-banana-2.1",
            serde_json::json!({"thinkingConfig": {"thinkingLevel": "low"}}),
            "Thinking level LOW is not supported",
        ),
        (
            "gemini-nano-banana-2.1",
            serde_json::json!({"imageConfig": {"imageSize": "512"}}),
            "Supported values are \"1K\", \"2K\", \"4K\"",
        ),
        (
            "gemini-3-pro-image",
            serde_json::json!({"thinkingConfig": {"thinkingLevel": "minimal"}}),
            "Thinking level MINIMAL is not supported",
        ),
        (
            "gemini-3-pro-image",
            serde_json::json!({"thinkingConfig": {"thinkingLevel": "high", "thinkingBudget": 100}}),
            "only one of thinking budget and thinking level",
        ),
        (
            "gemini-3-pro-image",
            serde_json::json!({"imageConfig": {"imageSize": "512"}}),
            "Supported values are \"1K\", \"2K\", \"4K\"",
        ),
        (
            "gemini-3.1-flash-image",
            serde_json::json!({"imageConfig": {"imageSize": "512px"}}),
            "\"512\", \"1K\"",
        ),
        (
            "gemini-3-pro-image",
            serde_json::json!({"imageConfig": {"aspectRatio": "8:1"}}),
            "Unsupported aspect ratio: 8:1",
        ),
    ];
    for (model, config, needle) in cases {
        let body = serde_json::json!({
            "contents": [{"role": "user", "parts": [{"text": "x"}]}],
            "generationConfig": config,
        });
        let response = http
            .post(url(model))
            .header("x-goog-api-key", common::harness::KEY)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{model} {config}");
        let error: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        let message = error["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    let response = http
        .post(url("gemini-3-pro-image-preview"))
        .header("x-goog-api-key", common::harness::KEY)
        .body(r#"{"contents":[{"role":"user","parts":[{"text":"x"}]}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404, "the retired id is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_model_id_works_through_a_relay_that_serves_it() {
    let harness = relay().await;
    // Through a base URL, on a fresh data dir: nothing refuses the id before the relay is asked.
    let output = harness
        .send(&[
            "--json",
            "--model",
            "gemini-3-pro-image-preview",
            "--size",
            "2K",
            "a chart",
        ])
        .await;
    assert_success(&output);
    assert_eq!(
        stdout_json(&output)["images"].as_array().map(Vec::len),
        Some(1)
    );
    // Through a provider defined in the config, whose model is the preview id: sent as the
    // user wrote it, never rewritten.
    std::fs::write(
        harness.config_path(),
        format!(
            "[providers.my-relay]\nbase_url = \"{}\"\nkey_env = [\"GEMINI_API_KEY\"]\nmodel = \"gemini-3-pro-image-preview\"\n",
            harness.demo.base_url()
        ),
    )
    .unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.args([
        "--data-dir".as_ref(),
        harness.data_dir().as_os_str(),
        "--config".as_ref(),
        harness.config_path().as_os_str(),
        "--provider".as_ref(),
        "my-relay".as_ref(),
        "send".as_ref(),
        "--json".as_ref(),
        "a second chart".as_ref(),
    ]);
    harness.set_env(&mut cmd);
    let output = common::harness::output_of(cmd).await;
    assert_success(&output);
    assert_eq!(stdout_json(&output)["model"], "gemini-3-pro-image-preview");
    assert_eq!(
        models_asked(&harness),
        ["gemini-3-pro-image-preview", "gemini-3-pro-image-preview"]
    );
    // `models` shows exactly what the relay lists, the preview id as served.
    let output = harness.run("models", &["--json"]).await;
    assert_success(&output);
    let listed = stdout_json(&output);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "gemini-3-pro-image",
            "gemini-3.1-flash-image",
            "gemini-3.1-flash-lite-image",
            "gemini-nano-banana-2.1",
            "gemini-3-pro-image-preview",
            "nb-pro"
        ]
    );
    let preview = &listed[4];
    assert_eq!(preview["sizes"], serde_json::json!(["1K", "2K", "4K"]));
    assert_eq!(preview["aspect_ratios"].as_array().map(Vec::len), Some(10));
    let table = harness.run("models", &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("retired on Google's own API; google lists it"),
        "{text}"
    );
    assert!(
        !text.contains("fixed size"),
        "the preview id has Pro's options: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_the_catalog_lacks_but_the_provider_lists_is_usable_at_once() {
    let harness = relay().await;
    let output = harness
        .send(&["--json", "--model", "nb-pro", "--size", "4K", "a chart"])
        .await;
    assert_success(&output);
    let request = harness.requests()[0].json();
    assert_eq!(
        request["generationConfig"]["imageConfig"]["imageSize"], "4K",
        "the user's settings are passed through"
    );
    // A setting it does not take is the server's 400: shown clearly, not retried.
    let output = harness
        .send(&["--json", "--model", "nb-pro", "--size", "512", "a chart"])
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let error = stdout_json(&output);
    assert_eq!(error["error"]["status"], 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Supported values are"),
        "{error}"
    );
    assert_eq!(
        models_asked(&harness),
        ["nb-pro", "nb-pro"],
        "one request each"
    );
    // `models` names it (its display name says Nano Banana); --all shows every listed model.
    let output = harness.run("models", &[]).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("nb-pro"), "{text}");
    assert!(!text.contains("imagen"), "{text}");
    let output = harness.run("models", &["--all", "--json"]).await;
    let all = stdout_json(&output);
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    for id in ["nb-pro", "gemini-3-pro", "imagen-4.0-generate-001"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_answers_404_to_retired_ids_and_the_replacement_is_named() {
    for (model, replacement) in [
        ("gemini-3-pro-image-preview", "gemini-3-pro-image"),
        ("gemini-2.5-flash-image", "gemini-3.1-flash-image"),
    ] {
        // A fresh data dir each: Google has not been asked yet.
        let harness = Harness::start(Vec::new()).await;
        let before = harness.requests().len();
        let output = harness.send(&["--model", model, "a chart"]).await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(
            text.contains(&format!("Its replacement is {replacement}.")),
            "{text}"
        );
        assert!(
            text.contains(&format!("Send again with --model {replacement}.")),
            "{text}"
        );
        assert_eq!(
            harness.requests().len(),
            before + 1,
            "{model}: one request, its 404 not retried"
        );
        // The 404 was followed by a fresh ListModels, now cached: the next try is refused
        // before sending, on the provider's word.
        let output = harness.send(&["--model", model, "a chart"]).await;
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("Use {replacement} instead")),
            "{}",
            stderr(&output)
        );
        assert_eq!(harness.requests().len(), before + 1, "nothing sent");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nano_banana_21_thinks_at_medium_and_takes_no_512() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness
        .send(&[
            "--json",
            "--model",
            "gemini-nano-banana-2.1",
            "--thinking",
            "medium",
            "--size",
            "4K",
            "an infographic",
        ])
        .await;
    assert_success(&output);
    let request = harness.requests()[0].json();
    assert_eq!(
        request["generationConfig"]["thinkingConfig"]["thinkingLevel"],
        "medium"
    );
    let output = harness
        .send(&["--model", "gemini-nano-banana-2.1", "--size", "512", "x"])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("gemini-nano-banana-2.1 does not take the image size 512"),
        "{}",
        stderr(&output)
    );
    assert_eq!(harness.requests().len(), 1, "refused before sending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_thought_summary_is_its_own_entry_and_paragraph() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness.send(&["--json", "an infographic about tea"]).await;
    assert_success(&output);
    let reply = stdout_json(&output);
    let thoughts: Vec<&str> = reply["thoughts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(thoughts.len() >= 2, "{thoughts:?}");
    for thought in &thoughts {
        assert!(
            thought.starts_with("**"),
            "each starts with its heading: {thought:?}"
        );
        assert_eq!(
            thought.matches("**").count(),
            2,
            "one heading per entry: {thought:?}"
        );
    }
    // Plain stderr: a blank line between summaries.
    let output = harness.send(&["an infographic about coffee"]).await;
    assert_success(&output);
    let text = stderr(&output);
    assert!(text.contains("\n\n**Choosing a palette**"), "{text}");
    assert!(
        !text.contains(".**"),
        "no summary runs into the next: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_lists_exactly_the_served_image_models() {
    let harness = Harness::start(Vec::new()).await;
    let output = harness.run("models", &["--json"]).await;
    assert_success(&output);
    let models = stdout_json(&output);
    let ids: Vec<&str> = models
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    // The demo's list has text, embedding, Imagen and Veo models too, over several pages.
    assert_eq!(
        ids,
        [
            "gemini-3-pro-image",
            "gemini-3.1-flash-image",
            "gemini-3.1-flash-lite-image",
            "gemini-nano-banana-2.1"
        ]
    );
    let flash = &models[1];
    assert_eq!(flash["sizes"], serde_json::json!(["512", "1K", "2K", "4K"]));
    assert_eq!(flash["price"]["per_image"]["512"], 0.045);
    let cached: Vec<_> = std::fs::read_dir(harness.data_dir().join("cache"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        cached.iter().any(|name| name.starts_with("models-google-")),
        "the list is cached for the studio, per base URL: {cached:?}"
    );
    let table = harness.run("models", &[]).await;
    assert_success(&table);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Nano Banana Pro"), "{text}");
    assert!(text.contains("$0.134–0.240/image"), "{text}");
    assert!(!text.contains("imagen") && !text.contains("veo"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_saved_on_the_preview_id_moves_on_once_the_provider_says_it_is_gone() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "old", "a map of Europe"]).await);
    // Rewrite the session as the preview-era studio saved it.
    let path = harness.document_path("old");
    let text = std::fs::read_to_string(&path).unwrap();
    let old = text.replace(
        "\"model\": \"gemini-3-pro-image\"",
        "\"model\": \"gemini-3-pro-image-preview\"",
    );
    assert_ne!(old, text, "the document names the model");
    std::fs::write(&path, old).unwrap();

    // Google has not been asked: the id is sent, and its 404 names the replacement.
    let output = harness.send(&["--session", "old", "night colours"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Its replacement is gemini-3-pro-image."),
        "{}",
        stderr(&output)
    );
    // Now its list (fetched after the 404) says the id is gone: the session moves.
    let output = harness
        .send(&["--session", "old", "--json", "night colours"])
        .await;
    assert_success(&output);
    assert!(
        stderr(&output).contains(
            "google no longer lists gemini-3-pro-image-preview; this session continues on gemini-3-pro-image"
        ),
        "{}",
        stderr(&output)
    );
    let requests = harness.requests();
    assert_eq!(
        models_asked(&harness),
        [
            "gemini-3-pro-image",
            "gemini-3-pro-image-preview",
            "gemini-3-pro-image"
        ]
    );
    // The demo checks every signature in the history: a 200 means they went back intact.
    let sent: Value = requests[2].json();
    let stored = harness.session_document("old");
    let stored_signatures: Vec<&Value> = stored["conversation"]["turns"][1]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("thought").is_none())
        .filter_map(|p| p.get("thoughtSignature"))
        .collect();
    let sent_signatures: Vec<&Value> = sent["contents"][1]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("thoughtSignature"))
        .collect();
    assert!(!sent_signatures.is_empty());
    assert_eq!(sent_signatures, stored_signatures);
}

/// The price of a reply as the catalog states it, from the usage the reply reports.
fn catalog_price(reply: &Value, per_image: f64, input: f64, output: f64) -> f64 {
    let usage = &reply["usage"];
    let count = |key: &str| usage[key].as_f64().unwrap_or(0.0);
    let image_tokens: f64 = usage["candidatesTokensDetails"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["modality"] == "IMAGE")
        .filter_map(|d| d["tokenCount"].as_f64())
        .sum();
    let text_out = count("candidatesTokenCount") - image_tokens + count("thoughtsTokenCount");
    (count("promptTokenCount") * input + text_out * output) / 1e6 + per_image
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_turn_costs_what_the_catalog_says() {
    let harness = Harness::start(Vec::new()).await;
    let cases: [(&[&str], f64, f64, f64); 3] = [
        (&["--size", "4K"], 0.24, 2.0, 12.0),
        (
            &["--model", "gemini-3.1-flash-image", "--size", "512"],
            0.045,
            0.5,
            3.0,
        ),
        (
            &["--model", "gemini-nano-banana-2.1", "--size", "4K"],
            0.1134,
            0.0,
            0.0,
        ),
    ];
    for (flags, per_image, input, output) in cases {
        let mut args = vec!["--json"];
        args.extend_from_slice(flags);
        args.push("a lighthouse");
        let result = harness.send(&args).await;
        assert_success(&result);
        let reply = stdout_json(&result);
        let expected = catalog_price(&reply, per_image, input, output);
        let cost = reply["cost_usd"].as_f64().expect("cost_usd");
        assert!(
            (cost - expected).abs() < 1e-9,
            "{flags:?}: {cost} vs {expected}"
        );
        assert_eq!(reply["cost"]["currency"], "USD");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_bills_per_call_is_shown_in_its_currency() {
    let harness = Harness::start(Vec::new()).await;
    std::fs::write(
        harness.config_path(),
        "[providers.relay]\nkey_env = [\"GEMINI_API_KEY\"]\nprice_per_call = 0.8\ncurrency = \"CNY\"\n",
    )
    .unwrap();
    let output = harness
        .send(&["--provider", "relay", "--json", "a lighthouse"])
        .await;
    assert_success(&output);
    let reply = stdout_json(&output);
    assert_eq!(reply["cost"]["amount"], 0.8);
    assert_eq!(reply["cost"]["currency"], "CNY");
    assert!(reply["cost_usd"].is_null(), "not a dollar amount");
}
