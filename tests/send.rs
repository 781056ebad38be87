//! End-to-end tests of the engine through the real `banana-studio send` binary against the demo
//! model, which validates thought signatures as strictly as the real API.

use std::path::Path;

use banana_studio::demo::Fault;
use serde_json::{Value, json};

mod common;
use common::harness::{Harness, KEY, assert_success, stderr, stdout_json, walk};

/// Every model content of a request, as sent.
fn model_contents(request: &Value) -> Vec<Value> {
    request["contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "model")
        .cloned()
        .collect()
}

/// The non-thought parts of a model turn as stored in the session document.
fn stored_answer_parts(document: &Value, turn: u64) -> Vec<Value> {
    let turn = document["conversation"]["turns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == turn)
        .unwrap();
    turn["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["thought"] != json!(true))
        .filter(|p| !(p["content"]["text"] == "" && p.get("thoughtSignature").is_none()))
        .cloned()
        .collect()
}

fn signatures(parts: &[Value]) -> Vec<String> {
    parts
        .iter()
        .filter_map(|p| p["thoughtSignature"].as_str().map(str::to_string))
        .collect()
}

async fn three_turn_session(streaming: bool) {
    let harness = Harness::start(Vec::new()).await;
    let stream_flag: &[&str] = if streaming { &[] } else { &["--no-stream"] };
    let prompts = [
        "an infographic about how coffee is made",
        "bigger title",
        "blue palette",
    ];
    let mut turns = Vec::new();
    for prompt in prompts {
        let mut args = vec!["--session", "coffee", "--json", "--search"];
        args.extend_from_slice(stream_flag);
        args.push(prompt);
        let output = harness.send(&args).await;
        assert_success(&output);
        let reply = stdout_json(&output);
        assert_eq!(reply["finish_reason"], "STOP");
        assert_eq!(reply["images"].as_array().unwrap().len(), 1);
        turns.push(reply["turn"].as_u64().unwrap());
    }
    assert_eq!(turns, vec![2, 4, 6]);

    let requests = harness.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.streaming == streaming));
    let document = harness.session_document("coffee");
    for (index, request) in requests.iter().enumerate() {
        let body = request.json();
        let contents = body["contents"].as_array().unwrap();
        // The full history: every earlier prompt and reply, then the new prompt.
        assert_eq!(contents.len(), 2 * index + 1, "request {index}");
        let sent_models = model_contents(&body);
        for (m, sent) in sent_models.iter().enumerate() {
            let stored = stored_answer_parts(&document, turns[m]);
            let sent_parts = sent["parts"].as_array().unwrap();
            assert_eq!(
                sent_parts.len(),
                stored.len(),
                "request {index}, model turn {m}"
            );
            let stored_signatures = signatures(&stored);
            assert!(stored_signatures.len() >= 2, "text and image are signed");
            assert_eq!(signatures(sent_parts), stored_signatures, "byte for byte");
            assert!(
                sent_parts.iter().all(|p| p.get("thought").is_none()),
                "thoughts are not sent back"
            );
        }
        let prompt = contents.last().unwrap()["parts"][0]["text"]
            .as_str()
            .unwrap();
        assert_eq!(prompt, prompts[index]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_turn_edit_session_streaming_carries_every_signature() {
    three_turn_session(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_turn_edit_session_unary_carries_every_signature() {
    three_turn_session(false).await;
}

/// Replays the recorded second request with one signature dropped or altered: the demo model
/// refuses it exactly as the real API would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_history_is_refused_by_the_demo_model() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(
        &harness
            .send(&["--session", "s", "a poster about tea"])
            .await,
    );
    assert_success(&harness.send(&["--session", "s", "make it green"]).await);
    let good = harness.requests()[1].json();
    let url = format!(
        "{}/v1beta/models/gemini-3-pro-image:generateContent",
        harness.demo.base_url()
    );
    banana_studio::gemini::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let post = |body: Value| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let response = http
                .post(url)
                .header("x-goog-api-key", KEY)
                .body(serde_json::to_vec(&body).unwrap())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let (status, _) = post(good.clone()).await;
    assert_eq!(status, 200, "the recorded request itself is valid");

    // The streamed reply was stored as received: two text deltas (the first signed), then
    // the signed image.
    let parts = good["contents"][1]["parts"].as_array().unwrap();
    let image_index = parts
        .iter()
        .position(|p| p.get("inlineData").is_some())
        .unwrap();
    assert_eq!(image_index, 2);
    let mut dropped = good.clone();
    dropped["contents"][1]["parts"][image_index]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    let (status, body) = post(dropped).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Image part is missing a thought_signature in content position 2, part position 3."
    );

    let mut altered = good;
    let signature = altered["contents"][1]["parts"][0]["thoughtSignature"]
        .as_str()
        .unwrap()
        .to_string();
    altered["contents"][1]["parts"][0]["thoughtSignature"] =
        json!(signature.replacen('A', "B", 1).replacen('a', "b", 1));
    let (status, body) = post(altered).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Corrupted thought signature.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branching_with_from_sends_only_the_active_path() {
    let harness = Harness::start(Vec::new()).await;
    for prompt in ["a map of Europe", "add rivers", "add mountains"] {
        assert_success(&harness.send(&["--session", "map", prompt]).await);
    }
    // Branch after the first reply (turn 2).
    let output = harness
        .send(&["--session", "map", "--from", "2", "--json", "night colours"])
        .await;
    assert_success(&output);
    let reply = stdout_json(&output);
    assert_eq!(reply["turn"], 8);
    // The picture's one name: the fourth version of the session, on the new branch.
    assert_eq!(reply["version"], "v4");
    assert_eq!(reply["images"][0]["version"], "v4");
    let branch_request = harness.requests()[3].json();
    let texts: Vec<&str> = branch_request["contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "user")
        .map(|c| c["parts"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["a map of Europe", "night colours"]);

    let document = harness.session_document("map");
    let turns = document["conversation"]["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 8, "both branches stay");
    let parents: Vec<&Value> = turns.iter().map(|t| &t["parent"]).collect();
    assert_eq!(parents[2], &json!(2));
    assert_eq!(parents[6], &json!(2), "the branch hangs off the same reply");
    assert_eq!(document["conversation"]["activeLeaf"], 8);

    // --from a prompt is refused with an explanation.
    let output = harness
        .send(&["--session", "map", "--from", "3", "x"])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--from takes the number of a reply"));

    // A version names the reply that made it: v2 is turn 4's picture.
    let output = harness
        .send(&["--session", "map", "--from", "v2", "--json", "autumn"])
        .await;
    assert_success(&output);
    let document = harness.session_document("map");
    let turns = document["conversation"]["turns"].as_array().unwrap();
    assert_eq!(
        turns[8]["parent"],
        json!(4),
        "the prompt follows v2's reply"
    );
    assert_eq!(stdout_json(&output)["version"], "v5");
    for (from, says) in [
        ("v9", "no version v9"),
        ("vx", "a version is v and a number"),
    ] {
        let output = harness
            .send(&["--session", "map", "--from", from, "x"])
            .await;
        assert_eq!(output.status.code(), Some(2), "{from}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{from}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_not_retried() {
    let harness = Harness::start(vec![Fault::BadKey]).await;
    let output = harness.send(&["--json", "x"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout_json(&output)["error"]["kind"], "bad_key");
    assert_eq!(harness.requests().len(), 1);

    // A 404 is not retried either (its message is checked in tests/bad_input.rs). The config
    // adds a model the server does not serve.
    std::fs::write(
        harness.config_path(),
        "[[models]]\nid = \"gemini-4-image\"\naspect_ratios = [\"1:1\"]\n",
    )
    .unwrap();
    let output = harness
        .send(&["--json", "--model", "gemini-4-image", "x"])
        .await;
    assert_eq!(stdout_json(&output)["error"]["kind"], "unknown_model");
    assert_eq!(harness.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_prompt_is_kept_explained_and_exits_3() {
    let harness = Harness::start(vec![Fault::PromptBlocked]).await;
    let output = harness
        .send(&["--session", "b", "--json", "something"])
        .await;
    assert_eq!(output.status.code(), Some(3));
    let reply = stdout_json(&output);
    assert_eq!(reply["finish_reason"], "BLOCKED_PROHIBITED_CONTENT");
    assert!(String::from_utf8_lossy(&output.stderr).contains("The prompt was blocked"));
    // The blocked exchange is kept but not sent as history.
    assert_success(&harness.send(&["--session", "b", "something else"]).await);
    let contents = harness.requests()[1].json()["contents"].clone();
    assert_eq!(contents.as_array().unwrap().len(), 1);
    assert_eq!(
        harness.session_document("b")["conversation"]["turns"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

/// A PNG of noise (incompressible, so its size is predictable), whatever the file's name says.
fn write_png(path: &Path, width: u32, height: u32) {
    let mut rng = fastrand::Rng::with_seed(7);
    image::RgbImage::from_fn(width, height, |_, _| {
        image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)])
    })
    .save_with_format(path, image::ImageFormat::Png)
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_go_in_the_user_turn_and_bad_ones_are_refused() {
    let harness = Harness::start(Vec::new()).await;
    let dir = harness.home.path();
    let photo = dir.join("photo.jpg"); // a PNG, whatever its name says
    write_png(&photo, 8, 6);
    let output = harness
        .send(&[
            "--session",
            "a",
            "--attach",
            photo.to_str().unwrap(),
            "--json",
            "make it a poster",
        ])
        .await;
    assert_success(&output);
    let request = harness.requests()[0].json();
    let part = &request["contents"][0]["parts"][1]["inlineData"];
    assert_eq!(part["mimeType"], "image/png");
    assert_eq!(part["data"], base64_file(&photo));

    let notes = dir.join("notes.png");
    std::fs::write(&notes, "plain text").unwrap();
    let output = harness
        .send(&["--attach", notes.to_str().unwrap(), "x"])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not an image the API accepts"));

    let mut args: Vec<String> = Vec::new();
    for _ in 0..15 {
        args.extend(["--attach".to_string(), photo.to_string_lossy().into_owned()]);
    }
    args.push("x".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = harness.send(&refs).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("(14 at most per request)"));
    assert_eq!(harness.requests().len(), 1, "refused before sending");
}

fn base64_file(path: &Path) -> String {
    base64_simd::STANDARD.encode_to_string(std::fs::read(path).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_requests_are_refused_before_sending() {
    let harness = Harness::start(Vec::new()).await;
    let config = harness.home.path().join("config.toml");
    std::fs::write(
        &config,
        "provider = \"small\"\n[providers.small]\nkey_env = [\"GEMINI_API_KEY\"]\nbase_url = \"http://127.0.0.1:9\"\nmax_request_bytes = 2000\n",
    )
    .unwrap();
    let big = harness.home.path().join("big.png");
    write_png(&big, 64, 64);
    let output = harness
        .send(&["--session", "big", "--attach", big.to_str().unwrap(), "x"])
        .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("over this provider's limit of 2 KB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/fresh"),
        "says how to get under it: {stderr}"
    );
    assert!(harness.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_open_elsewhere_is_refused() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "busy", "first"]).await);
    let store = banana_studio::store::Store::new(&harness.data_dir());
    let held = store.open("busy").unwrap();
    let output = harness.send(&["--session", "busy", "second"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is open in another banana-studio process"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&std::process::id().to_string()),
        "names the holder: {stderr}"
    );
    // The studio is refused the same way, before it takes over the terminal.
    let before = std::fs::read(harness.document_path("busy")).unwrap();
    let studio = harness.run("--session", &["busy"]).await;
    assert_eq!(studio.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&studio.stderr);
    assert!(
        stderr.contains("is open in another banana-studio process"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(harness.document_path("busy")).unwrap(),
        before
    );
    drop(held);
    assert_success(&harness.send(&["--session", "busy", "second"]).await);
}

/// A distinctive key, errors echoed by the server and retries: the key appears in no file
/// (data dir, config dir, temp dir), no output, no `--json` error, no TUI snapshot; and what
/// the session writes is readable by its owner only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_leaks_and_session_files_are_private() {
    // One request each, in order: "one" is retried once, "two" succeeds, "three" is told its
    // key is bad, "four" gets a body that is not JSON (quoted in the error).
    let harness = Harness::start(vec![
        Fault::Overloaded,
        Fault::None,
        Fault::None,
        Fault::BadKey,
        Fault::NotJson,
    ])
    .await;
    // A config dir of its own (XDG_CONFIG_HOME), with a theme in it, searched as well.
    let config_dir = harness.home.path().join("xdg-config/banana-studio");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "theme = \"dark\"\n").unwrap();
    let mut outputs = vec![harness.send(&["--session", "k", "--json", "one"]).await];
    outputs.push(harness.send(&["--session", "k", "two"]).await);
    let bad_key = harness.send(&["--session", "k", "--json", "three"]).await;
    assert_eq!(stdout_json(&bad_key)["error"]["kind"], "bad_key");
    outputs.push(bad_key);
    let not_json = harness
        .send(&["--session", "k", "--json", "--no-stream", "four"])
        .await;
    assert_eq!(stdout_json(&not_json)["error"]["kind"], "invalid_body");
    outputs.push(not_json);
    outputs.push(harness.run("sessions", &["--json"]).await);
    for output in &outputs {
        assert!(!String::from_utf8_lossy(&output.stdout).contains(KEY));
        assert!(!String::from_utf8_lossy(&output.stderr).contains(KEY));
    }
    // The home holds the data dir, the config file, the config dir and the temp dir.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/view/snapshots");
    let mut files = walk(harness.home.path());
    files.extend(walk(&snapshots));
    assert!(files.len() > 10, "searched {files:?}");
    for entry in files {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(KEY), "the key is in {}", entry.display());
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = harness.session_dir("k");
        let mut private = vec![
            dir.clone(),
            dir.join("images"),
            dir.join("session.json"),
            dir.join("session.lock"),
        ];
        let images = walk(&dir.join("images"));
        assert!(!images.is_empty());
        private.extend(images);
        for path in private {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "{} is {mode:o}, not owner-only",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_lists_what_send_created() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "one", "a red bicycle"]).await);
    let output = harness.run("sessions", &["--json"]).await;
    assert_success(&output);
    let list = stdout_json(&output);
    assert_eq!(list[0]["name"], "one");
    assert_eq!(list[0]["turns"], 2);
    assert_eq!(list[0]["title"], "a red bicycle");
}

/// Switching from a model that does not sign (2.5 Flash Image) to Gemini 3 mid-conversation:
/// the unsigned turn goes out with the documented bypass value and the edit goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_from_flash_to_pro_keeps_the_conversation() {
    // 2.5 Flash Image, which signs nothing, as a relay still serves it (Google retired it).
    let harness = Harness::start_with(banana_studio::demo::DemoOptions {
        aliases: vec![(
            "gemini-2.5-flash-image".into(),
            "gemini-2.5-flash-image".into(),
        )],
        ..banana_studio::demo::DemoOptions::default()
    })
    .await;
    let first = harness
        .send(&[
            "--session",
            "switch",
            "--model",
            "gemini-2.5-flash-image",
            "a lighthouse",
        ])
        .await;
    assert_success(&first);
    let output = harness
        .send(&[
            "--session",
            "switch",
            "--model",
            "gemini-3-pro-image",
            "--json",
            "at night",
        ])
        .await;
    assert_success(&output);
    let request = harness.requests()[1].json();
    let flash_parts = request["contents"][1]["parts"].as_array().unwrap();
    // The first text part and the image need one; the second text delta does not.
    let bypassed: Vec<bool> = flash_parts
        .iter()
        .map(|p| p["thoughtSignature"] == "skip_thought_signature_validator")
        .collect();
    assert_eq!(bypassed, vec![true, false, true]);
    // Gemini 3 replies keep their own signatures when switching on again.
    let third = harness
        .send(&["--session", "switch", "--json", "add stars"])
        .await;
    assert_success(&third);
    let request = harness.requests()[2].json();
    let pro_parts = request["contents"][3]["parts"].as_array().unwrap();
    assert!(
        pro_parts
            .iter()
            .filter_map(|p| p["thoughtSignature"].as_str())
            .all(|s| s != "skip_thought_signature_validator")
    );
}

/// Plain `send` says where the image went: the session's file and the `--out` copy, as
/// absolute paths on stderr (stdout keeps the reply's text alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_send_names_each_saved_file_and_its_out_copy() {
    let harness = Harness::start(Vec::new()).await;
    let out = harness.home.path().join("exports");
    let output = harness
        .send(&[
            "--session",
            "where",
            "--out",
            out.to_str().unwrap(),
            "an infographic about tea",
        ])
        .await;
    assert_success(&output);
    let err = stderr(&output);
    let saved: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("saved "))
        .collect();
    let copied: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("copied to "))
        .collect();
    assert_eq!((saved.len(), copied.len()), (1, 1), "{err}");
    for path in saved.iter().chain(&copied) {
        let path = Path::new(path);
        assert!(path.is_absolute() && path.is_file(), "{err}");
    }
    assert!(saved[0].contains("/sessions/where/images/"), "{err}");
    assert!(Path::new(copied[0]).starts_with(&out), "{err}");
    assert_eq!(
        std::fs::read(saved[0]).unwrap(),
        std::fs::read(copied[0]).unwrap()
    );
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("saved "),
        "stdout keeps the reply alone"
    );
    // --json names them in the object instead.
    let output = harness
        .send(&["--session", "where", "--json", "bigger title"])
        .await;
    assert_success(&output);
    assert!(!stderr(&output).contains("saved "), "{}", stderr(&output));
}
