//! `send --preview` in a real terminal (a tmux pane): the picture takes a third of the
//! terminal by default or `--preview-rows N`, the reply text above it stays on screen, and
//! nothing it writes becomes the pane's title (viuer's kitty probe used to).
//!
//! Without tmux the test says so loudly and passes.

use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::tmux::PrivateTmux;

/// Runs `send --preview EXTRA` in a 100×42 pane; returns the screen once it printed DONE.
fn preview_screen(name: &str, extra: &str) -> Option<(String, String)> {
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        common::harness::skip_loudly(
            "tmux is not installed (.ci/run installs it)",
            "send --preview rows (tests/send_preview_tmux.rs)",
        );
        return None;
    }
    let home = tempfile::tempdir().expect("a temporary folder");
    let pane = PrivateTmux::new(&format!("preview-{name}"));
    let command = format!(
        "'{}' --demo send --preview {extra} 'a chart'; echo DONE; sleep 60",
        env!("CARGO_BIN_EXE_banana-studio")
    );
    let data = format!("BANANA_STUDIO_HOME={}", home.path().join("data").display());
    let config = format!("XDG_CONFIG_HOME={}", home.path().join("config").display());
    let started = pane.run(&[
        "new-session",
        "-d",
        "-s",
        "p",
        "-x",
        "100",
        "-y",
        "42",
        "-e",
        &data,
        "-e",
        &config,
        "-e",
        "TERM=xterm-256color",
        &command,
    ]);
    assert!(started.status.success());
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let screen = pane.screen("p");
        if screen.contains("DONE") {
            let title = pane.run(&["display", "-p", "-t", "p", "#{pane_title}"]);
            return Some((screen, String::from_utf8_lossy(&title.stdout).into_owned()));
        }
        assert!(Instant::now() < deadline, "send never finished:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn picture_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.contains('▀') || l.contains('▄'))
        .count()
}

#[test]
fn the_preview_takes_a_third_of_the_terminal_and_leaves_the_reply_in_view() {
    let Some((screen, title)) = preview_screen("default", "") else {
        return;
    };
    assert_eq!(picture_rows(&screen), 14, "42 rows / 3:\n{screen}");
    assert!(screen.contains("Here is the infographic"), "{screen}");
    assert!(
        !title.contains("a=q") && !title.contains("Gi="),
        "title: {title}"
    );
}

#[test]
fn preview_rows_sets_the_height() {
    let Some((screen, _)) = preview_screen("rows", "--preview-rows 6") else {
        return;
    };
    assert_eq!(picture_rows(&screen), 6, "{screen}");
}
