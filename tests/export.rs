//! `banana-studio export`: every format from a session built here (deterministic, with a
//! branch, an attachment, thoughts, sources and a prompt holding markup), read back and
//! checked; and the bad inputs through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use banana_studio::conversation::{Blob, ModelTurn, Part, TurnId, TurnSettings, UserTurn};
use banana_studio::export::{self, ExportOptions, Exported, Format, PathChoice};
use banana_studio::store::Store;
use bytes::Bytes;
use image::{AnimationDecoder, Rgb, RgbImage};

mod common;
use common::harness::snapshot;

const SESSION: &str = "coffee";
const MODEL: &str = "gemini-3-pro-image";
const RED: [u8; 3] = [220, 40, 40];
const GREEN: [u8; 3] = [30, 170, 70];
const BLUE: [u8; 3] = [40, 80, 220];
const YELLOW: [u8; 3] = [240, 200, 20];

fn png(width: u32, height: u32, colour: [u8; 3]) -> Bytes {
    let mut out = Vec::new();
    RgbImage::from_pixel(width, height, Rgb(colour))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    Bytes::from(out)
}

fn at(minute: u32) -> String {
    format!("2026-11-30T09:{minute:02}:00Z")
}

fn prompt(text: &str, attachment: Option<Bytes>) -> UserTurn {
    let mut parts = vec![Part::text(text)];
    parts.extend(attachment.map(|bytes| Part::image(Blob::from_bytes("image/png", bytes))));
    UserTurn {
        parts,
        settings: TurnSettings {
            model: MODEL.into(),
            aspect_ratio: Some("4:3".into()),
            google_search: true,
            ..TurnSettings::default()
        },
        region: None,
    }
}

fn reply(text: &str, image: Bytes, sources: serde_json::Value) -> ModelTurn {
    let mut thought = Part::text("**Planning** the layout & the colours");
    thought.thought = true;
    ModelTurn {
        parts: vec![
            thought,
            Part::text(text),
            Part::image(Blob::from_bytes("image/png", image)),
        ],
        finish_reason: Some("STOP".into()),
        grounding: serde_json::from_value(serde_json::json!({ "groundingChunks": sources }))
            .unwrap(),
        model_version: Some(MODEL.into()),
        ..ModelTurn::default()
    }
}

/// A session of three prompts: the first (with markup and an attachment), then a branch
/// "bigger title" that was left, and "warmer colours" from the same reply, which is active.
struct Fixture {
    home: tempfile::TempDir,
    out: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let mut session = store.create(SESSION).unwrap();
        session.created_at = at(0);
        let c = &mut session.conversation;
        let u1 = c
            .add_user(
                None,
                prompt(
                    "a coffee infographic <script>alert('x')</script>\nwith three panels",
                    Some(png(40, 30, RED)),
                ),
                at(1),
            )
            .unwrap();
        let sources = serde_json::json!([
            {"web": {"uri": "https://en.example.org/wiki/Coffee", "title": "Coffee <b>facts</b>"}},
            {"web": {"uri": "javascript:alert(1)", "title": "evil link"}}
        ]);
        let m1 = c
            .add_model(
                u1,
                reply("Here it is & more.", png(64, 48, GREEN), sources),
                at(2),
            )
            .unwrap();
        let u2 = c
            .add_user(Some(m1), prompt("bigger title", None), at(3))
            .unwrap();
        c.add_model(
            u2,
            reply("Bigger.", png(64, 48, BLUE), serde_json::json!([])),
            at(4),
        )
        .unwrap();
        let u3 = c
            .add_user(Some(m1), prompt("warmer colours", None), at(5))
            .unwrap();
        c.add_model(
            u3,
            reply("Warmer.", png(48, 64, YELLOW), serde_json::json!([])),
            at(6),
        )
        .unwrap();
        session.save().unwrap();
        drop(session);
        // A fixed save time, so the Markdown is the same on every run.
        let document = home
            .path()
            .join("sessions")
            .join(SESSION)
            .join("session.json");
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&document).unwrap()).unwrap();
        json["updatedAt"] = at(7).into();
        std::fs::write(&document, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
        Self {
            home,
            out: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> Store {
        Store::new(self.home.path())
    }

    fn session_dir(&self) -> PathBuf {
        self.store().session_dir(SESSION)
    }

    fn export(&self, format: Format, path: PathChoice, file: &str) -> Exported {
        self.export_with(format, path, file, None)
    }

    fn export_with(
        &self,
        format: Format,
        path: PathChoice,
        file: &str,
        images_beside: Option<bool>,
    ) -> Exported {
        let session = self.store().read(SESSION).unwrap();
        export::export(
            &session,
            &ExportOptions {
                format,
                path,
                out: self.out.path().join(file),
                images_beside,
            },
        )
        .unwrap()
    }

    /// The stored file of the version whose reply is `turn`.
    fn image_file(&self, turn: u32) -> PathBuf {
        let session = self.store().read(SESSION).unwrap();
        let turn = session.conversation.get(TurnId(turn)).unwrap();
        match &turn.body {
            banana_studio::conversation::TurnBody::Model(m) => {
                m.images().next().unwrap().path().unwrap().to_path_buf()
            }
            _ => panic!("turn {} is not a reply", turn.id),
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Every `src="…"` of the page.
fn image_sources(html: &str) -> Vec<&str> {
    html.split("<img src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

#[test]
fn the_page_tells_the_active_path_with_text_escaped_and_images_inside() {
    let fixture = Fixture::new();
    let exported = fixture.export(Format::Html, PathChoice::Active, "story.html");
    assert!(exported.problems.is_empty(), "{:?}", exported.problems);
    assert_eq!(exported.images_dir, None, "small images go inside the page");
    let html = read(&exported.file);

    // The prompt's markup shows as text, and there is no script at all.
    assert!(html.contains("a coffee infographic &lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script element"
    );
    assert!(html.contains("Coffee &lt;b&gt;facts&lt;/b&gt;"));
    assert!(html.contains("Here it is &amp; more."));
    // Title, model, date; settings; thinking collapsed; sources numbered, only web links.
    assert!(html.contains("<title>a coffee infographic &lt;script&gt;"));
    assert!(html.contains("<li>gemini-3-pro-image</li><li>4:3</li><li>Google Search</li>"));
    assert!(html.contains("2026-11-30 09:01 UTC"));
    assert!(html.contains("<details class=\"thinking\"><summary>Thinking</summary>"));
    assert!(
        html.contains(
            "<p class=\"text\"><strong>Planning</strong><br>the layout &amp; the colours</p>"
        ),
        "a summary's heading is bold, not asterisks"
    );
    assert!(
        html.contains("<ol class=\"sources\"><li><a href=\"https://en.example.org/wiki/Coffee\"")
    );
    assert!(
        !html.contains("href=\"javascript:"),
        "a javascript: source is no link"
    );
    assert!(html.contains("<span>evil link</span>"));
    // The active path only: the branch that was left is not on it.
    assert!(html.contains("warmer colours"));
    assert!(!html.contains("bigger title"));
    // Versions keep the number they have in the whole session (v2 is on the other branch).
    assert!(html.contains("<figcaption>v1 · 64 × 48 px</figcaption>"));
    assert!(html.contains("<figcaption>v3 · 48 × 64 px</figcaption>"));

    // Every image is a data URI of the stored file's exact bytes: the attachment, v1, v3.
    let sources = image_sources(&html);
    assert_eq!(sources.len(), 3);
    assert_eq!(exported.images, 3);
    let v1 = std::fs::read(fixture.image_file(2)).unwrap();
    let embedded = sources[1].strip_prefix("data:image/png;base64,").unwrap();
    assert_eq!(base64_simd::STANDARD.decode_to_vec(embedded).unwrap(), v1);
    // Nothing is fetched: no other URL in any src, and a policy that forbids requests.
    assert!(
        sources
            .iter()
            .all(|s| s.starts_with("data:image/png;base64,"))
    );
    assert!(html.contains("default-src 'none'"));
    assert!(!html.contains("<link"));
    assert!(html.contains("@media (prefers-color-scheme: dark)"));
    assert!(html.contains("name=\"viewport\""));
}

#[test]
fn all_paths_show_the_road_not_taken_as_nested_branches() {
    let fixture = Fixture::new();
    let exported = fixture.export(Format::Html, PathChoice::All, "all.html");
    let html = read(&exported.file);
    let branches = html.find("<div class=\"branches\">").expect("branches");
    let left = html.find("bigger title").expect("the branch left");
    let active = html.find("warmer colours").expect("the active branch");
    assert!(
        branches < left && left < active,
        "both branches after the fork"
    );
    assert!(html.contains(
        "<details class=\"branch\"><summary>Branch 1 of 2 · turn 3: <q>bigger title</q>"
    ));
    assert!(html.contains("<details class=\"branch active\" open><summary>Branch 2 of 2 · active path · turn 5: <q>warmer colours</q>"));
    assert_eq!(image_sources(&html).len(), 4);
    assert!(html.contains("<figcaption>v2 · 64 × 48 px</figcaption>"));
}

#[test]
fn images_beside_the_page_are_linked_relatively() {
    let fixture = Fixture::new();
    let exported = fixture.export_with(
        Format::Html,
        PathChoice::Active,
        "my story.html",
        Some(true),
    );
    let dir = exported.images_dir.clone().expect("an images folder");
    assert_eq!(dir, fixture.out.path().join("my story-images"));
    let html = read(&exported.file);
    let sources = image_sources(&html);
    assert_eq!(
        sources,
        [
            "my%20story-images/turn1-attachment1.png",
            "my%20story-images/v01-turn2.png",
            "my%20story-images/v03-turn6.png"
        ]
    );
    assert_eq!(
        std::fs::read(dir.join("v01-turn2.png")).unwrap(),
        std::fs::read(fixture.image_file(2)).unwrap()
    );
}

#[test]
fn markdown_matches_its_golden_copy_and_links_its_images_folder() {
    let fixture = Fixture::new();
    let exported = fixture.export(Format::Markdown, PathChoice::All, "story.md");
    insta::assert_snapshot!("markdown_all_paths", read(&exported.file));
    let mut files: Vec<String> = std::fs::read_dir(exported.images_dir.unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "turn1-attachment1.png",
            "v01-turn2.png",
            "v02-turn4.png",
            "v03-turn6.png"
        ]
    );
    let active = fixture.export(Format::Markdown, PathChoice::Active, "active.md");
    insta::assert_snapshot!("markdown_active_path", read(&active.file));
}

fn pixels_of(image: &RgbImage, colour: [u8; 3]) -> usize {
    image.pixels().filter(|p| p.0 == colour).count()
}

#[test]
fn the_contact_sheet_is_2000_px_wide_with_every_version_of_the_path() {
    let fixture = Fixture::new();
    let exported = fixture.export(Format::Sheet, PathChoice::All, "sheet.png");
    assert_eq!(exported.images, 3);
    let sheet = image::open(&exported.file).unwrap().into_rgb8();
    assert_eq!(sheet.width(), 2000);
    assert!(
        sheet.height() > 400 && sheet.height() < 2000,
        "{}",
        sheet.height()
    );
    // Each version is drawn large (a flat colour keeps its exact value when scaled).
    for colour in [GREEN, BLUE, YELLOW] {
        assert!(pixels_of(&sheet, colour) > 100_000, "{colour:?}");
    }
    assert_eq!(pixels_of(&sheet, RED), 0, "attachments are not versions");

    let active = fixture.export(Format::Sheet, PathChoice::Active, "active.png");
    let sheet = image::open(&active.file).unwrap().into_rgb8();
    assert_eq!(
        pixels_of(&sheet, BLUE),
        0,
        "the branch left is not on the active path"
    );
}

fn gif_frames(path: &Path) -> Vec<image::Frame> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap()
}

#[test]
fn the_animation_shows_each_version_for_a_second() {
    let fixture = Fixture::new();
    let exported = fixture.export(Format::Anim, PathChoice::All, "story.gif");
    let frames = gif_frames(&exported.file);
    assert_eq!(frames.len(), 3);
    for frame in &frames {
        assert_eq!(frame.delay().numer_denom_ms(), (1000, 1));
        // The widest version (64) and the tallest shape (64 / 48), and a caption strip of three
        // 10 px lines: at 7 letters a line the prompts' words wrap rather than being cut.
        assert_eq!(frame.buffer().dimensions(), (64, 85 + 3 * 10 + 6));
    }
    // In order: green, blue, yellow at the centre.
    let centre: Vec<[u8; 4]> = frames
        .iter()
        .map(|f| f.buffer().get_pixel(32, 50).0)
        .collect();
    assert!(centre[0][1] > 120 && centre[0][0] < 80, "{centre:?}");
    assert!(centre[1][2] > 160 && centre[1][0] < 80, "{centre:?}");
    assert!(centre[2][0] > 200 && centre[2][2] < 80, "{centre:?}");
    let active = fixture.export(Format::Anim, PathChoice::Active, "active.gif");
    assert_eq!(gif_frames(&active.file).len(), 2);
}

#[test]
fn a_missing_or_damaged_image_is_named_and_left_out_and_the_session_is_untouched() {
    let fixture = Fixture::new();
    let missing = fixture.image_file(2);
    std::fs::remove_file(&missing).unwrap();
    let damaged = fixture.image_file(6);
    std::fs::write(&damaged, b"not the picture any more").unwrap();
    let missing_name = format!("images/{}", missing.file_name().unwrap().to_string_lossy());
    let damaged_name = format!("images/{}", damaged.file_name().unwrap().to_string_lossy());
    let before = snapshot(&fixture.session_dir());

    let html = fixture.export(Format::Html, PathChoice::Active, "story.html");
    assert_eq!(html.problems.len(), 2, "{:?}", html.problems);
    assert!(
        html.problems[0].contains(&missing_name),
        "{:?}",
        html.problems
    );
    assert!(
        html.problems[1].contains(&damaged_name),
        "{:?}",
        html.problems
    );
    let page = read(&html.file);
    assert_eq!(image_sources(&page).len(), 1, "only the attachment is left");
    assert_eq!(
        page.matches("<p class=\"missing\" role=\"note\">").count(),
        2
    );
    assert!(page.contains(&missing_name) && page.contains(&damaged_name));

    let md = fixture.export(Format::Markdown, PathChoice::Active, "story.md");
    assert_eq!(md.problems.len(), 2);
    assert!(read(&md.file).contains(&format!(
        "> **Missing image:** Version 1 (turn 2) ({missing_name}) was left out"
    )));

    let sheet = fixture.export(Format::Sheet, PathChoice::All, "sheet.png");
    assert_eq!((sheet.images, sheet.problems.len()), (1, 2));
    let anim = fixture.export(Format::Anim, PathChoice::All, "story.gif");
    assert_eq!((anim.images, anim.problems.len()), (1, 2));
    assert_eq!(gif_frames(&anim.file).len(), 1);

    assert_eq!(
        snapshot(&fixture.session_dir()),
        before,
        "nothing written in the session"
    );
}

#[test]
fn a_session_open_in_the_studio_exports_without_its_lock() {
    let fixture = Fixture::new();
    let studio = fixture.store().open(SESSION).unwrap();
    let exported = fixture.export(Format::Html, PathChoice::Active, "story.html");
    assert_eq!(exported.images, 3);
    drop(studio);
}

fn cli(fixture: &Fixture, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_banana-studio"))
        .arg("--data-dir")
        .arg(fixture.home.path())
        .arg("--config")
        .arg(fixture.home.path().join("config.toml"))
        .arg("export")
        .args(args)
        .current_dir(fixture.out.path())
        .env_remove("BANANA_STUDIO_HOME")
        .output()
        .unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_command_exports_the_latest_session_here_by_default() {
    let fixture = Fixture::new();
    let output = cli(&fixture, &["--format", "md"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "coffee.md");
    assert!(fixture.out.path().join("coffee.md").is_file());
    assert!(
        fixture
            .out
            .path()
            .join("coffee-images/v03-turn6.png")
            .is_file()
    );

    // A folder as --out gets the usual name inside it.
    std::fs::create_dir(fixture.out.path().join("shared")).unwrap();
    let output = cli(&fixture, &["--format", "anim", "--out", "shared"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "shared/coffee.gif"
    );
    assert_eq!(
        gif_frames(&fixture.out.path().join("shared/coffee.gif")).len(),
        2
    );
}

#[test]
fn an_unknown_session_is_named_and_nothing_is_written() {
    let fixture = Fixture::new();
    let output = cli(&fixture, &["--session", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("No session named \"nope\". `banana-studio sessions` lists them."),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_dir(fixture.out.path()).unwrap().count(), 0);
}

#[test]
fn an_unwritable_output_is_refused_and_the_session_is_untouched() {
    let fixture = Fixture::new();
    let before = snapshot(&fixture.session_dir());
    // A file where the folder should be: refused even for root (unlike chmod).
    std::fs::write(fixture.out.path().join("file"), b"x").unwrap();
    let output = cli(
        &fixture,
        &["--session", SESSION, "--out", "file/story.html"],
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("Cannot write file/story.html"),
        "{message}"
    );
    assert!(message.contains("Choose another --out"), "{message}");

    let inside = fixture.session_dir().join("images").join("story.html");
    let output = cli(
        &fixture,
        &["--session", SESSION, "--out", inside.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("inside the session folder"),
        "{}",
        stderr(&output)
    );

    // An images folder that is a link into the session is refused too.
    std::os::unix::fs::symlink(
        fixture.session_dir().join("images"),
        fixture.out.path().join("story-images"),
    )
    .unwrap();
    let output = cli(
        &fixture,
        &["--session", SESSION, "--format", "md", "--out", "story.md"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("inside the session folder"),
        "{}",
        stderr(&output)
    );
    assert!(!fixture.out.path().join("story.md").exists());
    assert_eq!(snapshot(&fixture.session_dir()), before);
}

#[test]
fn a_missing_image_is_a_warning_and_the_export_completes() {
    let fixture = Fixture::new();
    let missing = fixture.image_file(6);
    std::fs::remove_file(&missing).unwrap();
    let before = snapshot(&fixture.session_dir());
    let output = cli(&fixture, &["--format", "sheet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.starts_with("warning: Version 3 (turn 6) (images/"),
        "{message}"
    );
    assert!(message.contains("was left out"), "{message}");
    assert!(fixture.out.path().join("coffee-sheet.png").is_file());
    assert_eq!(snapshot(&fixture.session_dir()), before);
}
