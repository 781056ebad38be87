//! The fault matrix of the reliability issue, through the real `banana-studio send` binary
//! against the demo model's fault injection, each promise checked in both transports: unary
//! (`--no-stream`) and streaming (SSE). A scenario is one `async fn(Transport)`; the
//! `both_transports!` macro turns it into two tests instead of two copies.
//!
//! Every failure must leave the session byte for byte as it was before the call.

use std::path::PathBuf;

use banana_studio::demo::Fault;
use serde_json::Value;

mod common;
use common::harness::{Harness, KEY, assert_success, snapshot, stderr, stdout_json};

#[derive(Debug, Clone, Copy)]
enum Transport {
    Unary,
    Streaming,
}

impl Transport {
    fn flags(self) -> &'static [&'static str] {
        match self {
            Transport::Unary => &["--no-stream"],
            Transport::Streaming => &[],
        }
    }
}

macro_rules! both_transports {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn unary() {
                super::$scenario(super::Transport::Unary).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn streaming() {
                super::$scenario(super::Transport::Streaming).await;
            }
        }
    )*};
}

both_transports!(
    rate_limit_waits_the_servers_retry_delay_then_succeeds,
    overloaded_twice_backs_off_and_succeeds,
    internal_error_every_time_gives_up_and_changes_nothing,
    unreachable_servers_are_named_and_change_nothing,
    a_cut_stream_is_an_error_and_a_retry_works,
    a_body_that_is_not_json_is_quoted_without_the_key,
    json_of_the_wrong_shape_is_quoted_without_the_key,
    replies_without_an_image_are_explained_kept_and_can_be_followed,
    a_stalled_server_hits_the_idle_timeout_and_changes_nothing,
);

/// `send --session NAME [transport flags] --json ARGS…`
async fn send(
    harness: &Harness,
    transport: Transport,
    name: &str,
    prompt: &str,
) -> std::process::Output {
    let mut args = vec!["--session", name, "--json"];
    args.extend_from_slice(transport.flags());
    args.push(prompt);
    harness.send(&args).await
}

/// A session with one completed turn, and a snapshot of its folder to compare against later.
async fn session_with_one_turn(
    harness: &Harness,
    transport: Transport,
    name: &str,
) -> Vec<(PathBuf, usize, u64)> {
    assert_success(&send(harness, transport, name, "a first picture").await);
    snapshot(&harness.session_dir(name))
}

fn error_of(output: &std::process::Output) -> Value {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    let json = stdout_json(output);
    assert!(json["error"].is_object(), "{json}");
    json["error"].clone()
}

fn message(error: &Value) -> String {
    error["message"].as_str().unwrap_or_default().to_string()
}

async fn rate_limit_waits_the_servers_retry_delay_then_succeeds(transport: Transport) {
    let harness = Harness::start(vec![Fault::RateLimited {
        retry_delay: std::time::Duration::from_millis(400),
    }])
    .await;
    let output = send(&harness, transport, "q", "a chart").await;
    assert_success(&output);
    assert_eq!(harness.requests().len(), 2);
    let stderr = stderr(&output);
    assert!(stderr.contains("attempt 1/4 failed"), "{stderr}");
    // The announced wait is the server's 0.4 s (+ up to 10 % jitter), not the 20 ms backoff.
    assert!(
        stderr.contains("retrying in 0.4s") || stderr.contains("retrying in 0.5s"),
        "{stderr}"
    );
}

async fn overloaded_twice_backs_off_and_succeeds(transport: Transport) {
    let harness = Harness::start(vec![Fault::Overloaded, Fault::Overloaded]).await;
    let output = send(&harness, transport, "r", "a chart").await;
    assert_success(&output);
    assert_eq!(harness.requests().len(), 3);
    let stderr = stderr(&output);
    assert!(stderr.contains("attempt 1/4 failed"), "{stderr}");
    assert!(stderr.contains("attempt 2/4 failed"), "{stderr}");
    assert!(stderr.contains("The model is overloaded"), "{stderr}");
    // The jitter itself is checked where it is computed (client.rs: backoff_grows_and_stays_bounded).
    assert_eq!(stdout_json(&output)["finish_reason"], "STOP");
}

async fn internal_error_every_time_gives_up_and_changes_nothing(transport: Transport) {
    let harness = Harness::start(Vec::new()).await;
    let before = session_with_one_turn(&harness, transport, "keep").await;
    harness.demo.push_faults(vec![Fault::Internal; 4]);
    let error = error_of(&send(&harness, transport, "keep", "second").await);
    assert_eq!(error["kind"], "server");
    assert_eq!(error["status"], 500);
    assert_eq!(
        harness.requests().len(),
        1 + 4,
        "the configured 4 attempts, no more"
    );
    assert!(
        message(&error).contains("The server failed (500 INTERNAL)"),
        "{error}"
    );
    assert!(
        message(&error).contains("Gave up after 4 of 4 attempts"),
        "{error}"
    );
    assert!(
        message(&error).contains("The session is unchanged"),
        "{error}"
    );
    assert_eq!(
        snapshot(&harness.session_dir("keep")),
        before,
        "session unchanged"
    );
}

async fn unreachable_servers_are_named_and_change_nothing(transport: Transport) {
    let harness = Harness::start(Vec::new()).await;
    let before = session_with_one_turn(&harness, transport, "net").await;
    // Connection refused: a port that was free a moment ago.
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // TLS failure: https to the demo model, which speaks plain HTTP.
    let demo_port = harness
        .demo
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let urls = [
        format!("http://127.0.0.1:{free_port}"),
        "http://banana-studio-test.invalid".to_string(),
        format!("https://127.0.0.1:{demo_port}"),
    ];
    for url in &urls {
        let mut args = vec!["--session", "net", "--json"];
        args.extend_from_slice(transport.flags());
        args.push("second");
        let output = harness.run_at(url, "send", &args).await;
        let error = error_of(&output);
        assert_eq!(error["kind"], "connect", "{url}: {error}");
        assert!(message(&error).contains(url.as_str()), "{url}: {error}");
        assert!(
            stderr(&output).contains(url.as_str()),
            "{url}: {}",
            stderr(&output)
        );
        assert_eq!(
            snapshot(&harness.session_dir("net")),
            before,
            "{url}: nothing changed"
        );
    }
}

async fn a_cut_stream_is_an_error_and_a_retry_works(transport: Transport) {
    let harness = Harness::start(Vec::new()).await;
    let before = session_with_one_turn(&harness, transport, "cut").await;
    harness.demo.push_faults(vec![Fault::CutAfterThoughts]);
    let output = send(&harness, transport, "cut", "second").await;
    let error = error_of(&output);
    assert_eq!(error["kind"], "stream_broken", "{error}");
    assert!(
        message(&error).contains("nothing of it was kept"),
        "{error}"
    );
    if let Transport::Streaming = transport {
        // The thinking that arrived before the cut may be shown; it is not kept.
        assert!(stderr(&output).contains("thinking:"), "{}", stderr(&output));
    }
    assert_eq!(
        snapshot(&harness.session_dir("cut")),
        before,
        "not a shorter turn"
    );
    // Sending again works and adds exactly one exchange.
    assert_success(&send(&harness, transport, "cut", "second").await);
    let turns = harness.session_document("cut")["conversation"]["turns"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(turns, 4);
}

async fn invalid_body(transport: Transport, fault: Fault, first_bytes: &str) {
    let harness = Harness::start(Vec::new()).await;
    let before = session_with_one_turn(&harness, transport, "body").await;
    harness.demo.push_faults(vec![fault]);
    let output = send(&harness, transport, "body", "second").await;
    let error = error_of(&output);
    assert_eq!(error["kind"], "invalid_body", "{error}");
    assert!(message(&error).contains(first_bytes), "{error}");
    assert!(stderr(&output).contains(first_bytes), "{}", stderr(&output));
    assert!(!String::from_utf8_lossy(&output.stdout).contains(KEY));
    assert!(!stderr(&output).contains(KEY));
    assert_eq!(snapshot(&harness.session_dir("body")), before);
}

async fn a_body_that_is_not_json_is_quoted_without_the_key(transport: Transport) {
    invalid_body(transport, Fault::NotJson, "502 Bad Gateway").await;
}

async fn json_of_the_wrong_shape_is_quoted_without_the_key(transport: Transport) {
    invalid_body(transport, Fault::WrongShape, "this is not a list").await;
}

async fn replies_without_an_image_are_explained_kept_and_can_be_followed(transport: Transport) {
    // (fault, finish_reason in --json, what stderr must say: words a person understands and,
    // where the server sent one, its finishMessage)
    let cases: [(Fault, &str, &[&str]); 4] = [
        (
            Fault::PromptBlocked,
            "BLOCKED_PROHIBITED_CONTENT",
            &["The prompt was blocked", "prohibited content"],
        ),
        (
            Fault::ImageSafety,
            "IMAGE_SAFETY",
            &[
                "image safety filter",
                "The server said: Unable to show the generated image",
            ],
        ),
        (Fault::NoImage, "NO_IMAGE", &["The model produced no image"]),
        (Fault::TextOnly, "STOP", &["text only and drew no image"]),
    ];
    for (fault, finish, words) in cases {
        let harness = Harness::start(vec![fault.clone()]).await;
        let output = send(&harness, transport, "n", "something").await;
        assert_eq!(
            output.status.code(),
            Some(3),
            "{fault:?}: {}",
            stderr(&output)
        );
        let reply = stdout_json(&output);
        assert_eq!(reply["finish_reason"], finish, "{fault:?}");
        let explained = stderr(&output);
        for needle in words {
            assert!(
                explained.contains(needle),
                "{fault:?}: {needle:?} not in {explained}"
            );
        }
        // The turn is kept…
        let turns = harness.session_document("n")["conversation"]["turns"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(turns, 2, "{fault:?}: the exchange is kept");
        // …and can be followed by an edit or a rerun.
        assert_success(&send(&harness, transport, "n", "something else").await);
    }
}

async fn a_stalled_server_hits_the_idle_timeout_and_changes_nothing(transport: Transport) {
    let harness = Harness::start(Vec::new()).await;
    let before = session_with_one_turn(&harness, transport, "stall").await;
    std::fs::write(
        harness.config_path(),
        "idle_timeout_secs = 1\n[retry]\nmax_attempts = 1\n",
    )
    .unwrap();
    harness
        .demo
        .push_faults(vec![Fault::Stall(std::time::Duration::from_secs(30))]);
    let error = error_of(&send(&harness, transport, "stall", "second").await);
    assert_eq!(error["kind"], "timeout", "{error}");
    assert!(message(&error).contains("No data from"), "{error}");
    assert!(message(&error).contains(harness.demo.base_url()), "{error}");
    assert_eq!(snapshot(&harness.session_dir("stall")), before);
}

both_transports!(a_50_mb_reply_is_saved_whole_with_bounded_memory);

/// A reply of about 50 MB (one 37 MB image, base64) from a canned server: saved whole, and the
/// process's peak memory stays within a fixed multiple of the body — a copy too many per
/// chunk, or a body kept twice over, would break the bound.
async fn a_50_mb_reply_is_saved_whole_with_bounded_memory(transport: Transport) {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        common::harness::skip_loudly(
            "/usr/bin/time (GNU time) is not installed",
            "the 50 MB reply test (tests/faults.rs)",
        );
        return;
    }
    // A real PNG header (so the size can be read) followed by incompressible filler.
    let mut image = Vec::new();
    image::RgbImage::from_pixel(3, 2, image::Rgb([9, 9, 9]))
        .write_to(
            &mut std::io::Cursor::new(&mut image),
            image::ImageFormat::Png,
        )
        .unwrap();
    let mut rng = fastrand::Rng::with_seed(50);
    image.extend(std::iter::repeat_with(|| rng.u8(..)).take(37_000_000));
    let data = base64_simd::STANDARD.encode_to_string(&image);
    let reply = format!(
        r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"text":"big","thoughtSignature":"c2lnLXRleHQ="}},{{"inlineData":{{"mimeType":"image/png","data":"{data}"}},"thoughtSignature":"c2lnLWltYWdl"}}]}},"finishReason":"STOP"}}]}}"#
    );
    drop(data);
    let canned = match transport {
        Transport::Unary => common::Canned::json(200, reply.as_bytes()),
        Transport::Streaming => {
            common::Canned::sse(format!("data: {reply}\r\n\r\n").as_bytes(), 64 * 1024)
        }
    };
    let body_bytes = canned.body.len();
    assert!(body_bytes > 49_000_000, "{body_bytes}");
    drop(reply);
    let server = common::FixtureServer::start(canned).await;
    let harness = Harness::start(Vec::new()).await;
    let rss_file = harness.home.path().join("rss");
    let mut args = vec!["--session", "big", "--json"];
    args.extend_from_slice(transport.flags());
    args.push("a very large picture");
    let mut cmd = std::process::Command::new(time);
    cmd.arg("-f").arg("%M").arg("-o").arg(&rss_file);
    cmd.arg(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.args(harness.argv(&server.base_url(), "send", &args));
    harness.set_env(&mut cmd);
    let output = common::harness::output_of(cmd).await;
    server.stop().await;
    assert_success(&output);
    let json = stdout_json(&output);
    let path = json["images"][0]["path"].as_str().unwrap().to_string();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        image.len() as u64,
        "saved whole"
    );
    let peak_kb: u64 = std::fs::read_to_string(&rss_file)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("GNU time's %M");
    let peak = peak_kb * 1024;
    eprintln!(
        "{transport:?}: peak RSS {} MB for a {} MB body",
        peak >> 20,
        body_bytes >> 20
    );
    // The body, the decoded image and the file being written, with room for the runtime.
    assert!(
        peak < 6 * body_bytes as u64,
        "{transport:?}: peak RSS {} MB for a {} MB body",
        peak >> 20,
        body_bytes >> 20
    );
}
