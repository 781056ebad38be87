//! Bad input through the CLI: each is refused with a clear, specific message and exit code 2
//! (an unknown model is the server's 404, exit 1), nothing is sent, nothing panics, and the
//! session already on disk stays byte for byte as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::harness::{Harness, assert_success, output_of, snapshot, stderr, stdout_json};

/// A harness with one completed turn in session `s`; returns the folder's snapshot.
async fn with_session() -> (Harness, Vec<(PathBuf, usize, u64)>) {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "s", "a first picture"]).await);
    let before = snapshot(&harness.session_dir("s"));
    (harness, before)
}

/// Exit 2, every `needle` in stderr, no request reached the model, the session untouched.
fn assert_refused(
    harness: &Harness,
    before: &[(PathBuf, usize, u64)],
    requests_before: usize,
    output: &Output,
    needles: &[&str],
) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
    }
    assert_eq!(
        harness.requests().len(),
        requests_before,
        "nothing was sent"
    );
    assert_eq!(
        snapshot(&harness.session_dir("s")),
        before,
        "the session is untouched"
    );
}

fn png(path: &Path) {
    image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]))
        .save_with_format(path, image::ImageFormat::Png)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_attachments_are_refused_with_the_reason() {
    let (harness, before) = with_session().await;
    let dir = harness.home.path();
    let good = dir.join("good.png");
    png(&good);
    let empty = dir.join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.join("notes.png");
    std::fs::write(&text, "plain text, not pixels").unwrap();
    let huge = dir.join("huge.png");
    // 60 MB, sparse: the size is refused before a byte is read.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(60 * 1024 * 1024)
        .unwrap();
    // Unreadable: a path through a regular file (ENOTDIR). chmod 000 would not stop root,
    // and the tests may run as root.
    let unreadable = good.join("inside");
    let missing = dir.join("missing.png");
    let cases: [(&Path, &[&str]); 6] = [
        (&missing, &["missing.png: no such file"]),
        (&unreadable, &["cannot be read"]),
        (&text, &["notes.png", "is not an image the API accepts"]),
        (&empty, &["empty.png: the file is empty"]),
        (&huge, &["huge.png", "too large", "50 MB"]),
        (dir, &["is a folder"]),
    ];
    for (path, needles) in cases {
        let output = harness
            .send(&["--session", "s", "--attach", path.to_str().unwrap(), "x"])
            .await;
        assert_refused(&harness, &before, 1, &output, needles);
    }
    // A 15th attachment.
    let mut args = vec!["--session", "s"];
    for _ in 0..15 {
        args.extend(["--attach", good.to_str().unwrap()]);
    }
    args.push("x");
    let output = harness.send(&args).await;
    assert_refused(
        &harness,
        &before,
        1,
        &output,
        &[
            "15 reference images",
            "gemini-3-pro-image takes (14 at most",
            "detach 1",
        ],
    );
    // The limit is the model's: 2.5 Flash Image takes three.
    let mut args = vec!["--session", "s", "--model", "gemini-2.5-flash-image"];
    for _ in 0..4 {
        args.extend(["--attach", good.to_str().unwrap()]);
    }
    args.push("x");
    let output = harness.send(&args).await;
    assert_refused(&harness, &before, 1, &output, &["(3 at most per request)"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_refused_with_what_is_accepted() {
    let (harness, before) = with_session().await;
    let cases: [(&[&str], &[&str]); 13] = [
        (
            &["--aspect", "7:3"],
            &["does not take the aspect ratio \"7:3\"", "16:9"],
        ),
        (
            &["--size", "3K"],
            &["Unknown image size \"3K\"", "use 512, 1K, 2K or 4K"],
        ),
        (&["--size", "512px"], &["Unknown image size \"512px\""]),
        (
            &["--model", "gemini-2.5-flash-image", "--size", "2K"],
            &["gemini-2.5-flash-image does not take an image size"],
        ),
        // 512 and the extreme ratios are 3.1 Flash's, refused on Pro before sending.
        (
            &["--size", "512"],
            &[
                "gemini-3-pro-image does not take the image size 512",
                "1K 2K 4K",
            ],
        ),
        (
            &["--aspect", "1:8"],
            &["gemini-3-pro-image does not take the aspect ratio \"1:8\""],
        ),
        (
            &["--thinking", "minimal"],
            &["does not take the thinking level minimal", "low high"],
        ),
        (&["--thinking", "extreme"], &["Unknown thinking level"]),
        (
            &["--model", "gemini-2.5-flash-image", "--thinking", "high"],
            &["takes no thinking settings"],
        ),
        (
            &["--image-search"],
            &["gemini-3-pro-image does not offer image search"],
        ),
        (&["--model", "../etc"], &["Invalid model name"]),
        // A model the catalog lacks: the provider is asked (and its list cached) before
        // anything is sent.
        (
            &["--model", "gemini-9-image"],
            &[
                "google does not serve gemini-9-image",
                "gemini-3.1-flash-image",
                "`banana-studio models` asks it again",
            ],
        ),
        // Its cached list is the provider's word: the retired id is refused before sending,
        // with the replacement it does list.
        (
            &["--model", "gemini-3-pro-image-preview"],
            &[
                "google does not serve gemini-3-pro-image-preview",
                "Use gemini-3-pro-image instead",
            ],
        ),
    ];
    for (flags, needles) in cases {
        let mut args = vec!["--session", "s"];
        args.extend_from_slice(flags);
        args.push("x");
        let output = harness.send(&args).await;
        assert_refused(&harness, &before, 1, &output, needles);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_the_server_no_longer_serves_gets_the_way_forward() {
    let (harness, before) = with_session().await;
    // A catalog that still believes in the preview id, as an older release did: the server's
    // 404 is what tells.
    std::fs::write(
        harness.config_path(),
        "[[models]]\nid = \"gemini-3-pro-image-preview\"\nstatus = \"ga\"\naspect_ratios = [\"1:1\"]\n",
    )
    .unwrap();
    let output = harness
        .send(&[
            "--session",
            "s",
            "--json",
            "--model",
            "gemini-3-pro-image-preview",
            "x",
        ])
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let error = stdout_json(&output);
    assert_eq!(error["error"]["kind"], "unknown_model");
    assert_eq!(error["error"]["status"], 404);
    let message = error["error"]["message"].as_str().unwrap_or_default();
    for needle in [
        "Google serves these image models: gemini-3-pro-image, gemini-3.1-flash-image",
        "Its replacement is gemini-3-pro-image. Send again with --model gemini-3-pro-image.",
        "The session is unchanged",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    assert!(
        !message.contains("imagen") && !message.contains("embedding"),
        "only image models are named: {message}"
    );
    assert_eq!(harness.requests().len(), 2, "the 404 was not retried");
    assert_eq!(snapshot(&harness.session_dir("s")), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_model_while_offline_is_sent_as_it_is_and_a_broken_catalog_is_refused() {
    let (harness, before) = with_session().await;
    // Nothing listens there: the provider cannot be asked whether it serves the model, so the
    // catalog does not refuse it; the request is tried, and fails on the connection.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let output = harness
        .run_at(
            &closed,
            "send",
            &["--session", "s", "--model", "gemini-9-image", "x"],
        )
        .await;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for needle in [
        "gemini-9-image is not in the model catalog and google could not be asked",
        "sending it as it is",
        "Could not reach",
        "The session is unchanged",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    assert_eq!(snapshot(&harness.session_dir("s")), before);

    std::fs::write(
        harness.config_path(),
        "[[models]]\nid = \"gemini-3-pro-image\"\nsizes = [\"3K\"]\n",
    )
    .unwrap();
    let output = harness.send(&["--session", "s", "x"]).await;
    assert_refused(
        &harness,
        &before,
        1,
        &output,
        &["config.toml has an error", "line 3", "column", "3K"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_base_url_a_missing_key_and_a_broken_config_are_refused() {
    let (harness, before) = with_session().await;
    for url in ["not a url", "ftp://example.com"] {
        let output = harness.run_at(url, "send", &["--session", "s", "x"]).await;
        assert_refused(&harness, &before, 1, &output, &["Invalid base URL", url]);
    }

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
    cmd.args(harness.argv(harness.demo.base_url(), "send", &["--session", "s", "x"]));
    harness.set_env(&mut cmd);
    cmd.env_remove("GEMINI_API_KEY");
    let output = output_of(cmd).await;
    assert_refused(
        &harness,
        &before,
        1,
        &output,
        &["No API key for provider google", "GEMINI_API_KEY", "--demo"],
    );

    std::fs::write(harness.config_path(), "idle_timeout_secs = 3\nmodel = \n").unwrap();
    let output = harness.send(&["--session", "s", "x"]).await;
    assert_refused(
        &harness,
        &before,
        1,
        &output,
        &["config.toml has an error", "line 2", "column"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_tampered_and_future_sessions_are_refused_and_never_overwritten() {
    let (harness, _) = with_session().await;
    let document = harness.document_path("s");
    let original = std::fs::read_to_string(&document).unwrap();
    let image_file = original
        .lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix("\"file\": \"")
                .and_then(|rest| rest.split('"').next())
                .map(str::to_string)
        })
        .expect("the document names its image file");
    let cases: [(String, &[&str]); 3] = [
        (
            original[..original.len() / 2].to_string(),
            &["is damaged", "left untouched"],
        ),
        (
            original.replacen("\"version\": 1", "\"version\": 99", 1),
            &["written by a newer banana-studio", "format 99"],
        ),
        (
            original.replace(&image_file, "../../etc/passwd"),
            &["../../etc/passwd", "outside its folder", "Refused"],
        ),
    ];
    for (content, needles) in cases {
        std::fs::write(&document, &content).unwrap();
        let before = snapshot(&harness.session_dir("s"));
        let output = harness.send(&["--session", "s", "x"]).await;
        assert_refused(&harness, &before, 1, &output, needles);
        assert_eq!(std::fs::read_to_string(&document).unwrap(), content);
    }
}

/// A key in a config file others can read is refused, with the fix, and without echoing it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_a_config_file_others_can_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let (harness, before) = with_session().await;
    let key = "AIzaSy-CONFIG-KEY-5ecr3t-a11ce";
    std::fs::write(
        harness.config_path(),
        format!(
            "[providers.mine]\nbase_url = \"{}\"\napi_key = \"{key}\"\n",
            harness.demo.base_url()
        ),
    )
    .unwrap();
    let config = harness.config_path();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = harness
        .send(&["--provider", "mine", "--session", "s", "x"])
        .await;
    assert_refused(
        &harness,
        &before,
        1,
        &output,
        &["others can read it", "chmod 600"],
    );
    assert!(!stderr(&output).contains(key), "the key is not echoed");
    assert!(!String::from_utf8_lossy(&output.stdout).contains(key));
    // With the fix applied, the same command works.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_success(
        &harness
            .send(&["--provider", "mine", "--session", "s", "x"])
            .await,
    );
}
