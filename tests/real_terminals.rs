//! The studio in a real terminal emulator, judged by its pixels: xterm with sixel (`-ti vt340`)
//! and its default white background, under Xvfb, driven with xdotool, photographed with
//! ImageMagick's `import -window root`.
//!
//! Checked: the image pane shows the generated picture (its colours, sampled from the saved
//! file, are on screen where the pane is), the text is readable (the light theme was chosen
//! for the white background: the commonest colours of the conversation pane keep 4.5:1), and
//! the prompt typed at once arrived (the picture exists at all).
//!
//! `.ci/run` installs xvfb, xterm, xdotool and imagemagick. Without them, or when Xvfb cannot
//! start, the test says so loudly and passes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use banana_studio::preview::caps::Rgb;
use image::RgbImage;

mod common;

/// Kills the process when dropped, even when the test fails.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn skip(why: &str) {
    common::harness::skip_loudly(why, "the real-terminal test (tests/real_terminals.rs)");
}

/// Starts Xvfb on a free display; `None` if it cannot.
fn xvfb() -> Option<(Killed, String)> {
    for number in 90..110 {
        if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
            continue;
        }
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = Killed(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                return Some((server, display));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        return None;
    }
    None
}

fn xdotool(display: &str, args: &[&str]) {
    let _ = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status();
}

fn screenshot(display: &str, to: &Path) -> RgbImage {
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(to)
        .env("DISPLAY", display)
        .status()
        .expect("import runs");
    assert!(status.success(), "import failed");
    image::open(to).expect("a PNG").to_rgb8()
}

/// The session's final picture once saved: the largest image file of the session.
fn saved_picture(data: &Path) -> Option<PathBuf> {
    let sessions = std::fs::read_dir(data.join("sessions")).ok()?;
    let mut best: Option<(u64, PathBuf)> = None;
    for session in sessions.flatten() {
        for file in std::fs::read_dir(session.path().join("images"))
            .ok()?
            .flatten()
        {
            let size = file.metadata().ok()?.len();
            if best.as_ref().is_none_or(|(s, _)| size > *s) {
                best = Some((size, file.path()));
            }
        }
    }
    best.map(|(_, path)| path)
}

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(y))).sum()
}

/// The commonest colours of a region, most common first.
fn commonest(shot: &RgbImage, x: std::ops::Range<u32>, y: std::ops::Range<u32>) -> Vec<[u8; 3]> {
    let mut counts = std::collections::HashMap::new();
    for py in y {
        for px in x.clone() {
            *counts.entry(shot.get_pixel(px, py).0).or_insert(0usize) += 1;
        }
    }
    let mut colours: Vec<_> = counts.into_iter().collect();
    colours.sort_by_key(|c| std::cmp::Reverse(c.1));
    colours.into_iter().map(|(c, _)| c).collect()
}

#[test]
fn xterm_with_sixel_on_white_shows_the_picture_and_readable_text() {
    for program in ["Xvfb", "xterm", "xdotool", "import"] {
        if !have(program) {
            skip(&format!("{program} is not installed (.ci/run installs it)"));
            return;
        }
    }
    let Some((_server, display)) = xvfb() else {
        skip("Xvfb could not start");
        return;
    };
    let home = tempfile::tempdir().expect("a temporary folder");
    let data = home.path().join("data");
    let script = format!(
        "echo SHELL-LINE-BEFORE; BANANA_STUDIO_HOME='{}' XDG_CONFIG_HOME='{}' '{}' --demo; sleep 600",
        data.display(),
        home.path().join("config").display(),
        env!("CARGO_BIN_EXE_banana-studio"),
    );
    let _xterm = Killed(
        Command::new("xterm")
            .args([
                "-ti",
                "vt340",
                "-xrm",
                "XTerm*numColorRegisters: 256",
                "-geometry",
                "120x40+0+0",
                "-fa",
                "Monospace",
                "-fs",
                "10",
                "-e",
                "bash",
                "-c",
                &script,
            ])
            .env("DISPLAY", &display)
            .env_remove("TMUX")
            .env("TERM", "xterm-256color")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("xterm starts"),
    );
    std::thread::sleep(Duration::from_millis(1500));
    // Typed at once: detection may still be asking the terminal.
    xdotool(
        &display,
        &["type", "--delay", "20", "an infographic about bananas"],
    );
    xdotool(&display, &["key", "Return"]);
    let start = Instant::now();
    let picture = loop {
        if let Some(path) = saved_picture(&data) {
            break path;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the typed prompt never produced a picture"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(3));
    let shot = screenshot(&display, &home.path().join("studio.png"));
    let _ = std::fs::copy(home.path().join("studio.png"), "/tmp/banana-real-xterm.png");

    // The picture's colours, sampled on a grid, are on screen in the image pane (top right).
    let saved = image::open(&picture).expect("the saved picture").to_rgb8();
    let pane: Vec<[u8; 3]> = {
        let (w, h) = shot.dimensions();
        let mut pixels = Vec::new();
        for y in 20..(h * 2 / 5).min(h) {
            for x in (w * 3 / 5)..w {
                pixels.push(shot.get_pixel(x, y).0);
            }
        }
        pixels
    };
    let mut found = 0;
    let mut sampled = 0;
    for gy in 1..8 {
        for gx in 1..8 {
            let colour = saved
                .get_pixel(saved.width() * gx / 8, saved.height() * gy / 8)
                .0;
            sampled += 1;
            if pane.iter().any(|p| distance(*p, colour) < 40) {
                found += 1;
            }
        }
    }
    assert!(
        found * 10 >= sampled * 8,
        "only {found} of {sampled} of the picture's colours are in the image pane (see /tmp/banana-real-xterm.png)"
    );

    // The first prompt's rows of the conversation pane: the commonest colour is the
    // background, the commonest one clearly apart from it (not a faint highlight) the text.
    let colours = commonest(&shot, 20..700, 40..100);
    let background = colours[0];
    let bg = Rgb(background[0], background[1], background[2]);
    assert!(
        bg.luminance() > 0.8,
        "xterm's white background: {background:?}"
    );
    let text = colours
        .iter()
        .map(|c| Rgb(c[0], c[1], c[2]))
        .find(|c| c.contrast(bg) > 1.25)
        .expect("some text");
    let ratio = bg.contrast(text);
    assert!(
        ratio >= 4.5,
        "text {text:?} on {background:?}: {ratio:.2}:1"
    );
}
