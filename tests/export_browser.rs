//! The exported page in a real browser: a 3-turn demo session made with the real `send`
//! binary, exported with the real `export`, rendered by headless Chromium from a file:// URL.
//! The DOM must hold the prompts, the sources' links and every image; screenshots at phone and
//! desktop widths (light and dark) must show the pictures. Skips loudly without Chromium
//! (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::harness::{Harness, assert_success, skip_loudly, snapshot, stdout_json};

const RED: [u8; 3] = [230, 30, 40];

const PROMPTS: [&str; 3] = [
    "an infographic about how coffee is made",
    "bigger title <script>alert('x')</script>",
    "blue palette",
];

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// What Chromium printed: stdout (the DOM for `--dump-dom`) and stderr.
struct Printed {
    stdout: String,
    stderr: String,
}

/// Runs Chromium headless with the guide's flags and a fresh profile in `profile`. Output
/// goes to files (a full pipe would stall it), and a hung browser fails the test.
fn run_chromium(browser: &Path, profile: &Path, args: &[String]) -> Printed {
    std::fs::create_dir_all(profile).unwrap();
    let (out, err) = (profile.join("stdout"), profile.join("stderr"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("data").display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let printed = Printed {
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    };
    assert!(status.success(), "chromium failed: {}", printed.stderr);
    printed
}

fn screenshot(
    browser: &Path,
    work: &Path,
    url: &str,
    name: &str,
    width: u32,
    dark: bool,
) -> image::RgbImage {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let file = shots.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&file);
    let mut args = vec![
        format!("--screenshot={}", file.display()),
        format!("--window-size={width},2400"),
    ];
    if dark {
        args.push("--force-dark-mode".into());
        args.push("--blink-settings=preferredColorScheme=0".into());
    }
    args.push(url.to_string());
    let printed = run_chromium(browser, &work.join(format!("profile-{name}")), &args);
    assert!(file.is_file(), "no screenshot {name}: {}", printed.stderr);
    eprintln!("screenshot: {}", file.display());
    image::open(&file).unwrap().into_rgb8()
}

fn luma(p: &image::Rgb<u8>) -> u32 {
    (u32::from(p.0[0]) * 3 + u32::from(p.0[1]) * 6 + u32::from(p.0[2])) / 10
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_page_shows_the_whole_story_in_chromium() {
    let Some(browser) = chromium() else {
        skip_loudly(
            "chromium is not installed (.ci/run installs it)",
            "the headless browser test of the exported page",
        );
        return;
    };
    let harness = Harness::start(Vec::new()).await;
    let work = tempfile::tempdir().unwrap();
    // The first prompt carries a reference picture: a red 300×200 PNG.
    let reference = work.path().join("reference.png");
    image::RgbImage::from_pixel(300, 200, image::Rgb(RED))
        .save(&reference)
        .unwrap();
    for (index, prompt) in PROMPTS.into_iter().enumerate() {
        let mut args = vec!["--session", "coffee", "--json", "--search"];
        if index == 0 {
            args.extend(["--attach", reference.to_str().unwrap()]);
        }
        args.push(prompt);
        let output = harness.send(&args).await;
        assert_success(&output);
        assert_eq!(stdout_json(&output)["images"].as_array().unwrap().len(), 1);
    }
    let page = work.path().join("coffee.html");
    let before = snapshot(&harness.session_dir("coffee"));
    let output = harness
        .run(
            "export",
            &["--session", "coffee", "--out", page.to_str().unwrap()],
        )
        .await;
    assert_success(&output);
    assert_eq!(snapshot(&harness.session_dir("coffee")), before);

    // The sources the model cited, as the session stored them.
    let document = harness.session_document("coffee");
    let mut links = Vec::new();
    for turn in document["conversation"]["turns"].as_array().unwrap() {
        for chunk in turn["grounding"]["groundingChunks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            links.push(chunk["web"]["uri"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(links.len(), 9, "three sources per turn");

    let url = format!("file://{}", page.display());
    let output = run_chromium(
        &browser,
        &work.path().join("profile-dom"),
        &["--dump-dom".into(), url.clone()],
    );
    let dom = output.stdout;
    assert!(
        dom.contains("<h1>an infographic about how coffee is made</h1>"),
        "{dom:.2000}"
    );
    for prompt in PROMPTS {
        let shown = prompt.replace('<', "&lt;").replace('>', "&gt;");
        assert!(
            dom.contains(&format!("<p class=\"text\">{shown}</p>")),
            "prompt {prompt:?} missing"
        );
    }
    assert!(!dom.contains("<script"), "the prompt's markup stayed text");
    for link in &links {
        assert!(
            dom.contains(&format!("<a href=\"{link}\"")),
            "source {link} missing"
        );
    }
    let images: Vec<&str> = dom.split("<img src=\"").skip(1).collect();
    assert_eq!(images.len(), 4, "the attachment and every version");
    assert!(images[0].starts_with("data:image/png;base64,iVBOR"));
    assert!(images[0].contains("alt=\"Attachment 1 of turn 1\""));
    for (index, image) in images[1..].iter().enumerate() {
        assert!(
            image.starts_with("data:image/jpeg;base64,/9j/"),
            "image {index} is embedded"
        );
        assert!(image.contains(&format!(
            "alt=\"Version {} (turn {})\"",
            index + 1,
            2 * index + 2
        )));
    }
    assert_eq!(dom.matches("<details class=\"thinking\">").count(), 3);

    // Pictures drawn: the demo's infographics are dark on a light page.
    for (name, width) in [("phone", 390), ("desktop", 1280)] {
        let shot = screenshot(&browser, work.path(), &url, name, width, false);
        assert_eq!(shot.width(), width);
        let page_bg = shot.get_pixel(2, 2);
        assert!(luma(page_bg) > 200, "{name}: a light page, got {page_bg:?}");
        let dark = shot.pixels().filter(|p| luma(p) < 60).count();
        let min_area = if width < 600 { 150 * 150 } else { 200 * 200 };
        assert!(
            dark > min_area,
            "{name}: the first picture is drawn ({dark} dark pixels)"
        );
        let thumbnail = shot.pixels().filter(|p| p.0 == RED).count();
        assert!(
            thumbnail > 60 * 60,
            "{name}: the attachment's thumbnail is drawn ({thumbnail} red pixels)"
        );
    }
    let shot = screenshot(&browser, work.path(), &url, "desktop-dark", 1280, true);
    let page_bg = shot.get_pixel(2, 2);
    assert!(
        luma(page_bg) < 40,
        "prefers-color-scheme: dark gives a dark page, got {page_bg:?}"
    );

    // A branch from the second reply, then every path with the images beside the page: the
    // pictures must load from the folder through relative file:// links.
    let output = harness
        .send(&[
            "--session",
            "coffee",
            "--json",
            "--from",
            "4",
            "green palette",
        ])
        .await;
    assert_success(&output);
    let all = work.path().join("all.html");
    let output = harness
        .run(
            "export",
            &[
                "--session",
                "coffee",
                "--path",
                "all",
                "--images-beside",
                "--out",
                all.to_str().unwrap(),
            ],
        )
        .await;
    assert_success(&output);
    let url = format!("file://{}", all.display());
    let dom = run_chromium(
        &browser,
        &work.path().join("profile-all"),
        &["--dump-dom".into(), url.clone()],
    )
    .stdout;
    assert!(dom.contains("<p class=\"text\">blue palette</p>"));
    assert!(dom.contains("<p class=\"text\">green palette</p>"));
    assert_eq!(dom.matches("<details class=\"branch").count(), 2);
    assert!(
        dom.contains("Branch 2 of 2 · active path · turn 7"),
        "{dom:.3000}"
    );
    let images: Vec<&str> = dom
        .split("<img src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(images.len(), 5, "the attachment and four versions");
    for src in &images {
        let file = src.strip_prefix("all-images/").expect("a relative link");
        assert!(work.path().join("all-images").join(file).is_file(), "{src}");
    }
    let shot = screenshot(
        &browser,
        work.path(),
        &url,
        "desktop-all-paths",
        1280,
        false,
    );
    let dark = shot.pixels().filter(|p| luma(p) < 60).count();
    assert!(
        dark > 200 * 200,
        "pictures load from the folder ({dark} dark pixels)"
    );
}
