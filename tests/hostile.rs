//! A hostile or broken server against the real binary: what it sends never reaches the terminal
//! as control characters, never takes the key elsewhere, never crashes the client, and never
//! costs a reply that was paid for. Each test names the item of the issue it checks.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::harness::{Harness, KEY, assert_success, output_of, stderr, stdout_json};
use common::hostile::{Hostile, Reply};

/// Every way a terminal can be commanded: OSC 52 (clipboard), OSC 0 (title), CSI 2J (clear),
/// a C1 CSI, DEL.
const EVIL: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{7f}";

/// The raw bytes a terminal would obey: ESC, BEL, DEL, and C1 as UTF-8 (C2 80–9F).
fn control_bytes(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        let c1 = b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n));
        let c0 = b < 0x20 && b != b'\n' && b != b'\t';
        if c0 || b == 0x7f || c1 {
            let from = i.saturating_sub(20);
            found.push(String::from_utf8_lossy(&bytes[from..(i + 20).min(bytes.len())]).into());
        }
    }
    found
}

fn assert_clean(output: &Output, what: &str) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let found = control_bytes(bytes);
        assert!(
            found.is_empty(),
            "{what}: raw control bytes on {stream}: {found:?}"
        );
    }
    assert_ne!(output.status.code(), Some(101), "{what}: a panic");
}

fn png_base64() -> String {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    base64_simd::STANDARD.encode_to_string(&png)
}

/// A complete reply whose every text field carries `text`.
fn reply_with(text: &str, mime_type: &str, data: &str) -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"text": format!("thinking {text}"), "thought": true},
                {"text": format!("Here {text}"), "thoughtSignature": "c2ln"},
                {"inlineData": {"mimeType": mime_type, "data": data}, "thoughtSignature": "c2ln"}
            ]},
            "finishReason": "STOP",
            "finishMessage": format!("done {text}")
        }],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 5, "totalTokenCount": 10}
    })
}

async fn hostile(replies: Vec<Reply>) -> Hostile {
    Hostile::start(
        replies,
        Reply::json(
            404,
            &json!({"error": {"code": 404, "message": "nothing here"}}),
        ),
    )
    .await
}

/// Item 1: escape sequences in text, thoughts, finishMessage, mimeType, error messages, model
/// names, session titles and export warnings are shown, not obeyed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_never_reaches_the_terminal_raw() {
    let harness = Harness::start(Vec::new()).await;
    let reply = reply_with(EVIL, &format!("image/png{EVIL}"), &png_base64());
    let server = hostile(vec![
        Reply::sse(std::slice::from_ref(&reply)),
        Reply::json(200, &reply),
        Reply::json(200, &reply),
        Reply::json(
            400,
            &json!({"error": {"code": 400, "message": format!("bad {EVIL}"), "status": format!("INVALID{EVIL}")}}),
        ),
        Reply::json(
            200,
            &json!({"models": [{"name": format!("models/gemini-evil{EVIL}-image"),
                                "displayName": format!("Nano Banana {EVIL}"),
                                "supportedGenerationMethods": ["generateContent"]}]}),
        ),
    ])
    .await;
    let url = server.base_url();
    let streamed = harness
        .run_at(url, "send", &["--session", "s", "a chart"])
        .await;
    assert_success(&streamed);
    assert_clean(&streamed, "send (streamed)");
    assert!(
        String::from_utf8_lossy(&streamed.stdout).contains("Here ␛]52;c;"),
        "made visible, not dropped: {}",
        String::from_utf8_lossy(&streamed.stdout)
    );
    let unary = harness
        .run_at(url, "send", &["--session", "s", "--no-stream", "again"])
        .await;
    assert_clean(&unary, "send --no-stream");
    let json = harness
        .run_at(
            url,
            "send",
            &["--session", "s", "--json", "--no-stream", "x"],
        )
        .await;
    assert_clean(&json, "send --json");
    assert!(
        stdout_json(&json)["text"]
            .as_str()
            .unwrap()
            .contains('\u{1b}'),
        "JSON keeps the data, escaped"
    );
    let refused = harness.run_at(url, "send", &["--session", "s", "x"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert_clean(&refused, "an error message");
    let models = harness.run_at(url, "models", &[]).await;
    assert_success(&models);
    assert_clean(&models, "models");
    assert!(String::from_utf8_lossy(&models.stdout).contains("gemini-evil␛"));

    // A session file whose prompt and image file name carry the sequences.
    let path = harness.document_path("s");
    let mut document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    document["conversation"]["turns"][0]["parts"][0]["content"]["text"] = json!(EVIL);
    std::fs::write(&path, document.to_string()).unwrap();
    let sessions = harness.run("sessions", &[]).await;
    assert_clean(&sessions, "sessions");
    let text = serde_json::to_string(&document)
        .unwrap()
        .replace("images/", &format!("images/{}", EVIL.replace('\u{7}', "")));
    std::fs::write(&path, text).unwrap();
    let out = harness.home.path().join("out.html");
    let export = harness
        .run(
            "export",
            &["--session", "s", "--out", out.to_str().unwrap()],
        )
        .await;
    assert_clean(&export, "export");

    // A theme whose broken line the parse error quotes.
    let themes = harness.home.path().join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(
        themes.join("evil.toml"),
        format!("name = \"x\"\n{EVIL} = 3\n"),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.arg("--config").arg(harness.config_path());
    cmd.args(["--demo", "--theme", "evil"]);
    harness.set_env(&mut cmd);
    let theme = output_of(cmd).await;
    assert_eq!(theme.status.code(), Some(2), "{}", stderr(&theme));
    assert_clean(&theme, "a theme's parse error");
}

/// Item 2: a redirect is an error naming its target; the key and the body go nowhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_follows_a_redirect() {
    let harness = Harness::start(Vec::new()).await;
    let elsewhere = hostile(Vec::new()).await;
    let target = format!("{}/v1beta/models/x:generateContent", elsewhere.base_url());
    let server = hostile(vec![
        Reply::redirect(307, &target),
        Reply::redirect(302, &target),
        Reply::redirect(308, &target),
    ])
    .await;
    for flags in [&["x"][..], &["--no-stream", "x"]] {
        let output = harness.run_at(server.base_url(), "send", flags).await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains(&format!("redirecting to {target}")), "{text}");
        assert!(text.contains("follows no redirect"), "{text}");
    }
    // The relay provider sends the same way.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.args(harness.argv(server.base_url(), "send", &["x"]));
    cmd.args(["--provider", "openai-next"]);
    harness.set_env(&mut cmd);
    cmd.env("OPENAI_NEXT_API_KEY", KEY);
    let output = output_of(cmd).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        elsewhere.seen().is_empty(),
        "the second server heard nothing"
    );
    assert_eq!(server.seen().len(), 3);
}

/// Item 3: a server-chosen retry delay too long for a Duration ends the call cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_retry_delays_end_cleanly() {
    let harness = Harness::start(Vec::new()).await;
    for delay in ["1e20s", "18446744073709551615s", "9999999s"] {
        let quota = json!({"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]}});
        let server = hostile(vec![Reply::json(429, &quota)]).await;
        let started = Instant::now();
        let output = harness.run_at(server.base_url(), "send", &["x"]).await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{delay}: {text}");
        assert!(text.contains("not waiting"), "{delay}: {text}");
        assert_eq!(server.seen().len(), 1, "{delay}: not retried");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

/// Item 5: a closed stdout ends `send` quietly (141) with the paid reply saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_keeps_the_paid_reply() {
    let harness = Harness::start(Vec::new()).await;
    for (session, flags) in [("plain", &[][..]), ("json", &["--json"][..])] {
        let mut args = vec!["--session", session];
        args.extend_from_slice(flags);
        args.push("a chart");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
        cmd.args(harness.argv(harness.demo.base_url(), "send", &args));
        harness.set_env(&mut cmd);
        let status = tokio::task::spawn_blocking(move || {
            let mut child = cmd
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // The reader goes away at once, like `| head -0`.
            drop(child.stdout.take());
            child.wait().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(status.code(), Some(141), "{session}");
        let document = harness.session_document(session);
        let turns = document["conversation"]["turns"].as_array().unwrap();
        assert_eq!(turns.len(), 2, "{session}: the reply is saved");
        assert_eq!(turns[1]["role"], "model");
    }
}

/// Runs `cmd` for at most `limit`; `None` if it had to be killed.
async fn within(mut cmd: Command, limit: Duration) -> Option<Output> {
    tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < limit {
            if child.try_wait().unwrap().is_some() {
                return Some(child.wait_with_output().unwrap());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    })
    .await
    .unwrap()
}

/// Item 6: a FIFO (or a device) in the session's images fails fast instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_in_the_session_hangs_nothing() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "s", "a chart"]).await);
    let images = harness.session_dir("s").join("images");
    for entry in std::fs::read_dir(&images).unwrap() {
        let path = entry.unwrap().path();
        std::fs::remove_file(&path).unwrap();
        let made = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(made.success());
    }
    let out = harness.home.path().join("export.html");
    let runs: [(&str, Vec<&str>); 3] = [
        ("send", vec!["--session", "s", "bigger title"]),
        (
            "export",
            vec!["--session", "s", "--out", out.to_str().unwrap()],
        ),
        (
            "export",
            vec![
                "--session",
                "s",
                "--format",
                "md",
                "--out",
                out.to_str().unwrap(),
            ],
        ),
    ];
    for (command, args) in runs {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
        cmd.args(harness.argv(harness.demo.base_url(), command, &args));
        harness.set_env(&mut cmd);
        let output = within(cmd, Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("{command} {args:?} hung on a FIFO"));
        assert_ne!(output.status.code(), Some(101), "{}", stderr(&output));
        let text = stderr(&output);
        if command == "send" {
            assert_ne!(output.status.code(), Some(0), "{text}");
        }
        assert!(text.contains("not a regular file"), "{command}: {text}");
    }
}

/// Item 7: a 50,000-turn chain exports in every format, with no recursion to overflow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50000_turn_chain_exports_in_every_format() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "long", "a chart"]).await);
    let path = harness.document_path("long");
    let mut document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let turns = document["conversation"]["turns"].as_array_mut().unwrap();
    let template_user = turns[0].clone();
    let mut template_model = turns[1].clone();
    // Text only: the chain's replies reuse no image.
    template_model["parts"] = json!([{"content": {"text": "ok"}, "thoughtSignature": "c2ln"}]);
    let mut id = turns.len() as u64;
    while turns.len() < 50_000 {
        let mut user = template_user.clone();
        user["id"] = json!(id + 1);
        user["parent"] = json!(id);
        let mut model = template_model.clone();
        model["id"] = json!(id + 2);
        model["parent"] = json!(id + 1);
        turns.push(user);
        turns.push(model);
        id += 2;
    }
    if let Some(active) = document["conversation"].get_mut("activeLeaf") {
        *active = json!(id);
    }
    std::fs::write(&path, document.to_string()).unwrap();
    let dir = harness.home.path();
    for format in ["html", "md", "sheet", "anim"] {
        let out = dir.join(format!("long-export.{format}"));
        for scope in ["active", "all"] {
            let output = harness
                .run(
                    "export",
                    &[
                        "--session",
                        "long",
                        "--format",
                        format,
                        "--path",
                        scope,
                        "--out",
                        out.to_str().unwrap(),
                    ],
                )
                .await;
            assert_eq!(
                output.status.code(),
                Some(0),
                "{format} {scope}: {}",
                stderr(&output)
            );
        }
    }
}

/// Item 8: every number in the config is range-checked at load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_numbers_out_of_range_are_refused_at_load() {
    let harness = Harness::start(Vec::new()).await;
    let cases = [
        (
            "idle_timeout_secs = 18446744073709551615",
            "idle_timeout_secs",
            "1 to 86400",
        ),
        ("idle_timeout_secs = 0", "idle_timeout_secs", "1 to 86400"),
        (
            "connect_timeout_secs = 0",
            "connect_timeout_secs",
            "1 to 600",
        ),
        ("max_reply_mb = 0", "max_reply_mb", "1 to 4096"),
        ("variations = 9", "variations", "2 to 8"),
        (
            "confirm_batch_over = nan",
            "confirm_batch_over",
            "0 to 1000000",
        ),
        (
            "[retry]\nmax_total_secs = 0",
            "retry.max_total_secs",
            "1 to 86400",
        ),
        (
            "[providers.r]\nconcurrent_requests = 4611686018427387904",
            "providers.r.concurrent_requests",
            "1 to 64",
        ),
        (
            "[providers.r]\nmax_request_bytes = 0",
            "providers.r.max_request_bytes",
            "1000 to",
        ),
    ];
    for (config, key, range) in cases {
        std::fs::write(harness.config_path(), config).unwrap();
        let output = harness.send(&["x"]).await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{config}: {text}");
        assert!(
            text.contains(key) && text.contains(range),
            "{config}: {text}"
        );
    }
    assert!(harness.requests().is_empty(), "nothing was sent");
}

/// Item 9: a reply that echoes the key gets it into no file, output or export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_echoes_the_key_leaks_it_nowhere() {
    let harness = Harness::start(Vec::new()).await;
    let echo = reply_with(
        &format!("x-goog-api-key: {KEY}"),
        "image/png",
        &png_base64(),
    );
    let server = hostile(vec![
        Reply::sse(std::slice::from_ref(&echo)),
        Reply::json(200, &echo),
    ])
    .await;
    for flags in [
        &["--session", "s", "x"][..],
        &["--session", "s", "--json", "--no-stream", "y"],
    ] {
        let output = harness.run_at(server.base_url(), "send", flags).await;
        assert_success(&output);
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !String::from_utf8_lossy(bytes).contains(KEY),
                "{stream}: the key"
            );
        }
    }
    let out = harness.home.path().join("s.html");
    assert_success(
        &harness
            .run(
                "export",
                &["--session", "s", "--out", out.to_str().unwrap()],
            )
            .await,
    );
    for file in common::harness::walk(harness.home.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            memchr::memmem::find(&bytes, KEY.as_bytes()).is_none() || file.ends_with("config.toml"),
            "the key is in {}",
            file.display()
        );
    }
    assert!(
        std::fs::read_to_string(harness.document_path("s"))
            .unwrap()
            .contains("x-goog-api-key: ****"),
        "the echo is kept, the key masked"
    );
}

/// Item 10: absolute image paths with a relative --data-dir; a reply whose only "image" is
/// not one exits 3 and says what came; a base URL's password is never printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_ones() {
    let harness = Harness::start(Vec::new()).await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.current_dir(harness.home.path());
    cmd.args(["--data-dir", "relative-data", "--config"]);
    cmd.arg(harness.config_path());
    cmd.args([
        "--base-url",
        harness.demo.base_url(),
        "send",
        "--json",
        "a chart",
    ]);
    harness.set_env(&mut cmd);
    let output = output_of(cmd).await;
    assert_success(&output);
    let image_path = stdout_json(&output)["images"][0]["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(Path::new(&image_path).is_absolute(), "{image_path}");
    assert!(Path::new(&image_path).is_file());

    for (mime_type, data) in [
        (
            "text/html",
            base64_simd::STANDARD.encode_to_string(b"<html>hi</html>"),
        ),
        (
            "application/x-sh",
            base64_simd::STANDARD.encode_to_string(b"rm -rf ~"),
        ),
        (
            "image/png",
            base64_simd::STANDARD.encode_to_string(b"not a png at all"),
        ),
    ] {
        let server = hostile(vec![Reply::json(200, &reply_with("", mime_type, &data))]).await;
        let output = harness
            .run_at(server.base_url(), "send", &["--no-stream", "x"])
            .await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(3), "{mime_type}: {text}");
        assert!(text.contains("is not an image"), "{mime_type}: {text}");
    }

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://banana:hunter2secret@127.0.0.1:{closed}");
    let output = harness.run_at(&url, "send", &["x"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("hunter2secret"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("banana:***@127.0.0.1"),
        "{}",
        stderr(&output)
    );
}

/// The Interactions transport reads the same hostile text safely: escape sequences in the
/// answer, the thinking and the interaction's id are shown, not obeyed (the fallback notice
/// included), the id goes back to the server as data, and a redirect is refused there too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions_text_and_ids_are_data_and_redirects_are_refused() {
    let harness = Harness::start(Vec::new()).await;
    let id = format!("v1_evil{EVIL}");
    let events = [
        json!({"event_type": "interaction.created", "interaction": {"id": id, "status": "in_progress"}}),
        json!({"event_type": "step.start", "index": 0, "step": {"type": "thought"}}),
        json!({"event_type": "step.delta", "index": 0, "delta": {"type": "thought_summary", "content": {"type": "text", "text": format!("thinking {EVIL}")}}}),
        json!({"event_type": "step.start", "index": 1, "step": {"type": "model_output"}}),
        json!({"event_type": "step.delta", "index": 1, "delta": {"type": "text", "text": format!("Here {EVIL}")}}),
        json!({"event_type": "step.delta", "index": 1, "delta": {"type": "image", "mime_type": "image/png", "data": png_base64()}}),
        json!({"event_type": "interaction.completed", "interaction": {"id": id, "status": "completed"}}),
    ];
    let gone = Reply::json(
        404,
        &json!({"error": {"code": 404, "message": format!("Interaction {id} was not found."), "status": "NOT_FOUND"}}),
    );
    let server = hostile(vec![
        Reply::sse(&events),
        // The next turn names the evil id; the server has forgotten it (at both versions of
        // the path), and takes the whole history.
        gone.clone(),
        gone,
        Reply::sse(&events),
    ])
    .await;
    let url = server.base_url();
    let args = ["--transport", "interactions", "--session", "s"];
    let first = harness
        .run_at(url, "send", &[&args[..], &["a chart"]].concat())
        .await;
    assert_success(&first);
    assert_clean(&first, "send over interactions");
    assert!(String::from_utf8_lossy(&first.stdout).contains("Here ␛]52;c;"));
    let second = harness
        .run_at(url, "send", &[&args[..], &["again"]].concat())
        .await;
    assert_success(&second);
    assert_clean(&second, "the turn after the evil id");
    assert!(
        stderr(&second).contains("Previous interaction not found"),
        "{}",
        stderr(&second)
    );
    let seen = server.seen();
    let named: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(
        named["previous_interaction_id"],
        id.as_str(),
        "sent back as data"
    );
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/interactions",
            "/v1/interactions",
            "/v1beta/interactions",
            "/v1/interactions"
        ]
    );
    let whole: Value = serde_json::from_slice(&seen[3].body).unwrap();
    assert!(whole.get("previous_interaction_id").is_none());

    let elsewhere = hostile(Vec::new()).await;
    let target = format!("{}/v1beta/interactions", elsewhere.base_url());
    let redirecting = hostile(vec![Reply::redirect(307, &target)]).await;
    let output = harness
        .run_at(
            redirecting.base_url(),
            "send",
            &[&args[..], &["x"]].concat(),
        )
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("follows no redirect"));
    assert!(
        elsewhere.seen().is_empty(),
        "the second server heard nothing"
    );
}

/// A server that answers an interaction with the whole Interaction in one JSON body (no
/// stream) is read the same way; its error envelope in a 200 body is its error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_interaction_in_one_body_is_read_too() {
    let harness = Harness::start(Vec::new()).await;
    let whole = json!({"id": "v1_whole", "status": "completed", "steps": [
        {"type": "thought", "signature": "c2ln"},
        {"type": "model_output", "content": [{"type": "text", "text": "Here it is."},
            {"type": "image", "mime_type": "image/png", "data": png_base64()}]}
    ], "usage": {"total_tokens": 7}});
    let server = hostile(vec![
        Reply::json(200, &whole),
        Reply::json(200, &json!({"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}})),
    ])
    .await;
    let args = ["--transport", "interactions", "--session", "w", "--json"];
    let output = harness
        .run_at(
            server.base_url(),
            "send",
            &[&args[..], &["a chart"]].concat(),
        )
        .await;
    assert_success(&output);
    let json = stdout_json(&output);
    assert_eq!(json["interaction_id"], "v1_whole");
    assert_eq!(json["text"], "Here it is.");
    assert_eq!(json["images"].as_array().unwrap().len(), 1);
    let document = harness.session_document("w");
    let reply = &document["conversation"]["turns"][1];
    assert_eq!(
        reply["parts"][0]["thoughtSignature"], "c2ln",
        "on the output after it"
    );
    let output = harness
        .run_at(server.base_url(), "send", &[&args[..], &["again"]].concat())
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("slow down"), "{}", stderr(&output));
}

/// A server with the Interactions API at `v1beta` only (where it began) is found there: the
/// turn is not sent over generateContent, and no notice is needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactions_api_at_v1beta_only_is_found_there() {
    let harness = Harness::start(Vec::new()).await;
    let whole = json!({"id": "v1_beta", "status": "completed", "steps": [
        {"type": "model_output", "content": [{"type": "text", "text": "Here."},
            {"type": "image", "mime_type": "image/png", "data": png_base64()}]}
    ]});
    let server = hostile(vec![
        Reply::json(
            404,
            &json!({"error": {"code": 404, "message": "Method not found.", "status": "NOT_FOUND"}}),
        ),
        Reply::json(200, &whole),
    ])
    .await;
    let output = harness
        .run_at(
            server.base_url(),
            "send",
            &["--transport", "interactions", "--json", "a chart"],
        )
        .await;
    assert_success(&output);
    assert_eq!(stdout_json(&output)["interaction_id"], "v1_beta");
    assert!(
        !stderr(&output).contains("does not serve"),
        "{}",
        stderr(&output)
    );
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/v1/interactions", "/v1beta/interactions"]);
}
