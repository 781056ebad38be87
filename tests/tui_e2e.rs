//! The real binary in a real terminal: tmux runs `banana-studio --demo` at 120×40, keys go in
//! with `send-keys`, and what a person would see comes back with `capture-pane`.
//!
//! A three-turn edit session with search on, then an edit of an earlier prompt; the screen
//! (the default image-first layout) must show the thinking, numbered sources, the image's
//! pixel size, the versions and "branch 2/2"; F8 switches to the focus layout, where sources
//! are a tab, and saves it in the config; the session file must hold every turn after
//! quitting.
//!
//! Four variations side by side, one picked and edited on while another edit runs and one job
//! is cancelled; the tree shows every branch with its image versions.
//!
//! Without tmux the test says so loudly and passes (`.ci/run` installs tmux, so CI runs it).

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

use common::tmux::PrivateTmux;

const WAIT: Duration = Duration::from_secs(45);

/// The studio's pane on a private tmux server.
struct Tmux(PrivateTmux);

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        self.0.run(args)
    }

    fn screen(&self) -> String {
        self.0.screen("studio")
    }

    /// Keys by tmux name (`Enter`, `Tab`, `C-q`), one at a time with a pause, so an Esc is
    /// never read as Alt together with the next key.
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "studio", key]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "studio", "-l", text]);
        std::thread::sleep(Duration::from_millis(120));
    }

    /// Polls the screen until `done` holds; fails with the last screen after [`WAIT`].
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out after {WAIT:?} waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |screen| screen.contains(needle))
    }

    /// Waits for a reply containing `needle` to be complete (nothing is being generated).
    fn wait_for_reply(&self, needle: &str) -> String {
        self.wait_until(&format!("a finished reply with {needle:?}"), |screen| {
            screen.contains(needle) && !screen.contains("working…")
        })
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// A studio running in its own tmux server, with a throwaway data dir and config dir.
struct Studio {
    tmux: Tmux,
    home: tempfile::TempDir,
}

impl Studio {
    /// Starts `banana-studio --demo --session SESSION` at 120×40 with `extra_env`; `None` (and
    /// a loud notice) without tmux. After the studio exits, the pane prints its exit code and
    /// the terminal's modes (`stty -a`), to show the terminal was restored.
    fn start(test: &str, session: &str, extra_env: &[&str]) -> Option<Self> {
        if !tmux_available() {
            common::harness::skip_loudly(
                "tmux is not installed (.ci/run installs it)",
                &format!("{test} (tests/tui_e2e.rs)"),
            );
            return None;
        }
        let home = tempfile::tempdir().expect("a temporary folder");
        let tmux = Tmux(PrivateTmux::new(&format!("e2e-{session}")));
        let studio = Self { tmux, home };
        studio.launch(session, extra_env);
        Some(studio)
    }

    /// Runs the studio on `session` in a new tmux session named "studio" (the previous one
    /// must be gone), with this test's data and config folders.
    fn launch(&self, session: &str, extra_env: &[&str]) {
        let binary = Path::new(env!("CARGO_BIN_EXE_banana-studio"));
        // The shell line keeps the pane open after the studio exits, to read its last words.
        let command = format!(
            "{} --demo --image-protocol halfblocks --session {session}; echo \"studio exited with $?\"; stty -a; sleep 600",
            quoted(binary)
        );
        let mut env = vec![
            format!("BANANA_STUDIO_HOME={}", self.data().display()),
            format!(
                "XDG_CONFIG_HOME={}",
                self.home.path().join("config").display()
            ),
            "BANANA_DEMO_CHUNK_DELAY_MS=20".to_string(),
            "TERM=xterm-256color".to_string(),
        ];
        env.extend(extra_env.iter().map(|v| v.to_string()));
        let mut args = vec!["new-session", "-d", "-s", "studio", "-x", "120", "-y", "40"];
        for var in &env {
            args.push("-e");
            args.push(var);
        }
        args.push(&command);
        let started = self.tmux.run(&args);
        assert!(
            started.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&started.stderr)
        );
    }

    fn data(&self) -> std::path::PathBuf {
        self.home.path().join("data")
    }

    /// The session's turns once it holds `count` of them (saves run off the studio's loop,
    /// a moment after the screen shows a reply); fails after [`WAIT`].
    fn turns_once_saved(&self, session: &str, count: usize) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let path = self
                .data()
                .join("sessions")
                .join(session)
                .join("session.json");
            let turns = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|doc| doc["conversation"]["turns"].as_array().cloned())
                .unwrap_or_default();
            if turns.len() >= count {
                return turns;
            }
            assert!(
                start.elapsed() < WAIT,
                "the session never held {count} turns: {turns:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn document(&self, session: &str) -> serde_json::Value {
        let path = self
            .data()
            .join("sessions")
            .join(session)
            .join("session.json");
        let text = std::fs::read_to_string(&path).expect("the session was written");
        serde_json::from_str(&text).expect("valid JSON")
    }
}

#[test]
fn a_three_turn_edit_session_in_tmux_against_the_demo_model() {
    let Some(studio) = Studio::start("the studio end-to-end test", "e2e", &[]) else {
        return;
    };
    let tmux = &studio.tmux;
    let data = studio.data();
    let screen = tmux.wait_for("DEMO MODEL");
    assert!(screen.contains("session e2e"), "{screen}");

    // Turn 1, grounded in search.
    tmux.type_text("/search on");
    tmux.keys(&["Enter"]);
    tmux.wait_for("search on");
    tmux.type_text("an infographic about bananas");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for_reply("Here is the infographic");
    assert!(
        screen.contains("Planning the composition"),
        "the thinking pane shows the thought summaries:\n{screen}"
    );
    assert!(
        screen.contains("1. example.org"),
        "the sources are numbered:\n{screen}"
    );
    assert!(
        screen.contains("256×256 px") && screen.contains("final image of turn #2"),
        "the image pane gives the pixel size:\n{screen}"
    );

    // Turns 2 and 3: edits of the picture.
    tmux.type_text("make the title bigger");
    tmux.keys(&["Enter"]);
    tmux.wait_for_reply("(edit 1)");
    tmux.type_text("use a blue palette");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for_reply("(edit 2)");
    assert!(
        screen.contains(" v1   v2   v3 "),
        "the versions strip numbers the path's versions:\n{screen}"
    );
    assert!(!screen.contains("branch 2/2"), "no branch yet:\n{screen}");

    // Edit the second prompt: from the last reply up to prompt #3, then e.
    tmux.keys(&["Tab", "Up", "Up", "Up", "e"]);
    tmux.wait_for("Editing prompt #3");
    tmux.type_text(" in the rain");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for_reply("in the rain” (edit 1)");
    assert!(
        screen.contains("branch 2/2"),
        "the edited prompt shows its branch:\n{screen}"
    );
    assert!(screen.contains("final image of turn #8"), "{screen}");
    assert!(
        screen.contains(" v1   v4 "),
        "the strip shows this branch's versions (v2 and v3 are on the other):\n{screen}"
    );

    // F8: the focus layout, thinking and sources as tabs beside the picture; saved.
    tmux.keys(&["F8"]);
    let screen = tmux.wait_for("Focus layout");
    assert!(screen.contains(" Thinking │ Sources"), "{screen}");
    assert!(
        screen.contains("Applying the edit"),
        "the thinking tab shows the edit's thoughts:\n{screen}"
    );
    assert!(
        !screen.contains("1. example.org"),
        "sources are behind their tab:\n{screen}"
    );
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    let screen = tmux.wait_for("2. data.example.com");
    assert!(screen.contains("1. example.org"), "{screen}");
    assert!(!screen.contains("Applying the edit"), "{screen}");
    let config =
        std::fs::read_to_string(studio.home.path().join("config/banana-studio/config.toml"))
            .expect("F8 wrote the config");
    assert!(config.contains("layout = \"focus\""), "{config}");

    // Quit: the studio restores the terminal and saves.
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for("studio exited with");
    assert!(screen.contains("studio exited with 0"), "{screen}");
    assert!(screen.contains("Session e2e saved."), "{screen}");
    assert!(
        !screen.contains("DEMO MODEL"),
        "the alternate screen is gone:\n{screen}"
    );

    let document = std::fs::read_to_string(data.join("sessions/e2e/session.json"))
        .expect("the session was written");
    let document: serde_json::Value = serde_json::from_str(&document).expect("valid JSON");
    let turns = document["conversation"]["turns"]
        .as_array()
        .expect("a list of turns");
    assert!(turns.len() >= 6, "expected 6+ turns, found {}", turns.len());
    assert_eq!(turns.len(), 8, "three turns, and the edit with its reply");
    let images = std::fs::read_dir(data.join("sessions/e2e/images"))
        .expect("the images folder")
        .count();
    assert!(images >= 4, "the images are files: {images}");
}

/// A distinctive key in the studio's environment: it must never reach the screen.
const KEY: &str = "AIzaSy-E2E-KEY-deadbeef-51f0";

/// SIGTERM or SIGHUP (a dropped SSH link) while a generation is running: the studio saves the
/// completed earlier turn, keeps no half turn, restores the terminal and exits.
fn a_signal_during_a_generation_saves_and_restores(signal: &str) {
    let session = format!("sig{}", signal.to_lowercase());
    let test = format!("the SIG{signal} test");
    // The first request answers; the second stalls long enough to be killed mid-generation.
    let gemini_key = format!("GEMINI_API_KEY={KEY}");
    let extra = ["BANANA_DEMO_FAULTS=ok,stall:60", gemini_key.as_str()];
    let Some(studio) = Studio::start(&test, &session, &extra) else {
        return;
    };
    let tmux = &studio.tmux;
    let mut screens = vec![tmux.wait_for("DEMO MODEL")];
    tmux.type_text("an infographic about bananas");
    tmux.keys(&["Enter"]);
    screens.push(tmux.wait_for_reply("Here is the infographic"));
    tmux.type_text("make the title bigger");
    tmux.keys(&["Enter"]);
    // Thinking streamed in, then the server stalls: the generation is mid-way.
    screens.push(tmux.wait_until("a running generation", |screen| {
        screen.contains("working…") && screen.contains("Keeping everything from the picture")
    }));

    let turns = kill_and_check_the_exit(&studio, &session, signal, &mut screens);
    assert_eq!(
        turns.len(),
        2,
        "the completed turn is saved and no half turn: {turns:?}"
    );
    assert!(
        turns[0]
            .to_string()
            .contains("an infographic about bananas"),
        "{turns:?}"
    );
    for screen in &screens {
        assert!(!screen.contains(KEY), "the key is on screen:\n{screen}");
    }
}

/// Sends `signal` to the studio (its pid is in the session's lock), waits for the shell line
/// after it, checks the alternate screen is gone and the terminal's modes are restored, and
/// returns the saved turns.
fn kill_and_check_the_exit(
    studio: &Studio,
    session: &str,
    signal: &str,
    screens: &mut Vec<String>,
) -> Vec<serde_json::Value> {
    let tmux = &studio.tmux;
    // The lock file holds the studio's pid (the pane's own pid is the shell around it).
    let lock = studio
        .data()
        .join("sessions")
        .join(session)
        .join("session.lock");
    let pid = std::fs::read_to_string(&lock).expect("the session lock holds the pid");
    let killed = Command::new("kill")
        .args([format!("-{signal}"), pid.trim().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success(), "kill -{signal} {pid}");

    // `stty -a` runs after the exit line: wait for its output too ("speed 38400 baud; …").
    let screen = tmux.wait_until("the studio's exit and the terminal's modes", |screen| {
        screen.contains("studio exited with") && screen.contains(" baud")
    });
    screens.push(screen.clone());
    assert!(
        !screen.contains("DEMO MODEL"),
        "the alternate screen is gone:\n{screen}"
    );
    // Restored: canonical mode and echo are on again (stty prints "-icanon"/"-echo" when off).
    let words: Vec<&str> = screen.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "the terminal modes are restored:\n{screen}"
    );
    let document = studio.document(session);
    document["conversation"]["turns"]
        .as_array()
        .expect("a list of turns")
        .clone()
}

/// SIGTERM with three generations in flight (a fourth variation has completed): the completed
/// turns are saved, no half turn, and the terminal is restored.
#[test]
fn sigterm_with_three_jobs_in_flight_keeps_what_completed() {
    let gemini_key = format!("GEMINI_API_KEY={KEY}");
    let extra = [
        "BANANA_DEMO_FAULTS=ok,ok,stall:60,stall:60,stall:60",
        gemini_key.as_str(),
    ];
    let Some(studio) = Studio::start("the SIGTERM with three jobs test", "sigjobs", &extra) else {
        return;
    };
    let tmux = &studio.tmux;
    let mut screens = vec![tmux.wait_for("DEMO MODEL")];
    tmux.type_text("an infographic about tea");
    tmux.keys(&["Enter"]);
    screens.push(tmux.wait_for_reply("Here is the infographic"));
    tmux.type_text("/vary 4");
    tmux.keys(&["Enter"]);
    screens.push(
        tmux.wait_until("one variation done, three running", |screen| {
            screen.matches("· done ·").count() == 1
        }),
    );
    let turns = kill_and_check_the_exit(&studio, "sigjobs", "TERM", &mut screens);
    // The first prompt, its reply, and the one variation that completed.
    assert_eq!(turns.len(), 3, "{turns:?}");
    let replies = turns.iter().filter(|t| t["role"] == "model").count();
    assert_eq!(replies, 2, "no half turn: {turns:?}");
    for screen in &screens {
        assert!(!screen.contains(KEY), "the key is on screen:\n{screen}");
    }
}

#[test]
fn sigterm_during_a_generation_saves_the_session_and_restores_the_terminal() {
    a_signal_during_a_generation_saves_and_restores("TERM");
}

#[test]
fn sighup_during_a_generation_saves_the_session_and_restores_the_terminal() {
    a_signal_during_a_generation_saves_and_restores("HUP");
}

/// The issue's "done when": four variations of an infographic arrive side by side, the third
/// is picked and edited on; meanwhile another edit runs beside it and one job is cancelled;
/// the tree then shows every branch with its image versions.
#[test]
fn four_variations_side_by_side_pick_one_and_see_the_tree() {
    // Slow chunks, so two jobs are still running when the jobs list opens.
    let Some(studio) = Studio::start(
        "the variations end-to-end test",
        "vary",
        &["BANANA_DEMO_CHUNK_DELAY_MS=300"],
    ) else {
        return;
    };
    let tmux = &studio.tmux;
    tmux.wait_for("DEMO MODEL");
    tmux.type_text("an infographic about tea");
    tmux.keys(&["Enter"]);
    tmux.wait_for_reply("Here is the infographic");

    // The batch's price shows before sending.
    tmux.type_text("/vary 4");
    tmux.wait_for("vary 4 ×");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_until("four finished candidates", |screen| {
        screen.matches("· done ·").count() == 4
    });
    assert!(screen.contains("Variations of prompt #1"), "{screen}");
    assert_eq!(screen.matches("· done · $").count(), 4, "{screen}");
    for n in 1..=4 {
        // Each candidate named by its version once its picture is in.
        assert!(screen.contains(&format!("{n} · v")), "{screen}");
    }
    // The third: right, down, left in the 2×2 grid.
    tmux.keys(&["Right", "Down", "Left", "Enter"]);
    tmux.wait_for("Continuing from variation 3");

    // Two edits at once from the picked one; the first is cancelled in the jobs list. The
    // second branches explicitly: the picked reply is selected again (Tab, Up), then back to
    // the prompt (Shift-Tab); without that it would wait for the first.
    tmux.type_text("make it blue");
    tmux.keys(&["Enter"]);
    tmux.keys(&["Tab", "Up", "BTab"]);
    tmux.wait_for("Prompt → new branch from");
    tmux.type_text("make it green");
    tmux.keys(&["Enter"]);
    tmux.keys(&["M-j"]);
    let screen = tmux.wait_for("Jobs: 2");
    assert!(
        screen.contains("make it blue") && screen.contains("make it green"),
        "{screen}"
    );
    tmux.keys(&["c"]);
    tmux.wait_for("Jobs: 1");
    tmux.keys(&["Escape"]);
    // The green edit's picture is the sixth version (four candidates came before it).
    tmux.wait_for_reply("◆ v6 ");

    // The tree: every branch with its versions (the first reply, four variations, green).
    tmux.keys(&["M-t"]);
    let screen = tmux.wait_for("Session tree");
    assert!(screen.contains("◆ v6"), "{screen}");
    assert!(screen.contains("├─") && screen.contains("└─"), "{screen}");
    assert!(
        !screen.contains("make it blue"),
        "the cancelled prompt is gone:\n{screen}"
    );
    // The cancelled prompt went back to the editor: quitting asks, and keeps it as the draft.
    tmux.keys(&["Escape", "C-q"]);
    tmux.wait_for("Quit?");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("studio exited with 0");
    assert!(
        screen.contains("kept as the draft of session vary"),
        "{screen}"
    );
    let document = studio.document("vary");
    let turns = document["conversation"]["turns"]
        .as_array()
        .expect("a list of turns");
    // Prompt and reply, four variations under the prompt, the green prompt and its reply.
    assert_eq!(turns.len(), 8, "{document}");
}

/// A follow-up typed while the first picture streams waits for it and is sent with it in its
/// history; one Ctrl-C with a generation running asks instead of quitting, and the paid reply
/// lands on disk; a prompt left unsent comes back when the session is opened again.
#[test]
fn a_follow_up_waits_for_its_reply_and_ctrl_c_keeps_paid_work_and_the_draft() {
    let slow = ["BANANA_DEMO_CHUNK_DELAY_MS=300"];
    let Some(studio) = Studio::start("the keyboard loop test", "loop", &slow) else {
        return;
    };
    let tmux = &studio.tmux;
    tmux.wait_for("DEMO MODEL");
    tmux.type_text("Create an infographic about photosynthesis");
    tmux.keys(&["Enter"]);
    tmux.wait_for("working…");
    tmux.type_text("Make the title bigger");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("You · queued");
    assert!(screen.contains("Prompt → waits for this reply"), "{screen}");
    assert!(
        !screen.contains("branch 2/2"),
        "no sibling was sent:\n{screen}"
    );
    tmux.wait_for_reply("(edit 1)");
    let turns = studio.turns_once_saved("loop", 4);
    assert_eq!(turns.len(), 4, "{turns:?}");
    // The follow-up hangs under the first reply: user, model, user, model on one path.
    assert_eq!(turns[2]["parent"], turns[1]["id"], "{turns:?}");
    assert_eq!(turns[1]["role"], "model", "{turns:?}");

    // One Ctrl-C with a generation running asks; the generation goes on and is saved.
    tmux.type_text("Use a blue palette");
    tmux.keys(&["Enter"]);
    tmux.wait_for("working…");
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("Quit?");
    assert!(screen.contains("would be lost"), "{screen}");
    // The reply after one Ctrl-C lands on disk.
    assert_eq!(studio.turns_once_saved("loop", 6).len(), 6);
    assert!(
        tmux.screen().contains("Quit?"),
        "still asking:\n{}",
        tmux.screen()
    );
    tmux.keys(&["Escape"]);

    // A prompt left unsent: kept as the draft, back in the editor next time.
    tmux.type_text("add a legend in the corner");
    tmux.keys(&["C-q"]);
    tmux.wait_for("Quit?");
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for("studio exited with 0");
    assert!(
        screen.contains("kept as the draft of session loop"),
        "{screen}"
    );
    tmux.run(&["kill-session", "-t", "studio"]);
    studio.launch("loop", &[]);
    let screen = tmux.wait_for("add a legend in the corner");
    assert!(screen.contains("DEMO MODEL"), "{screen}");
    tmux.keys(&["C-q", "Enter"]);
    tmux.wait_for("studio exited with 0");
}

/// A region marked in the full view and a prompt sent for it, by keyboard: the driver makes
/// the outlined copy and, when the reply lands, the composite, which the session keeps as the
/// version; the picture outside the region is the previous version's, pixel for pixel.
#[test]
fn a_region_marked_by_keyboard_is_edited_and_the_rest_kept() {
    let Some(studio) = Studio::start("the region edit test", "region", &[]) else {
        return;
    };
    let tmux = &studio.tmux;
    tmux.wait_for("DEMO MODEL");
    tmux.type_text("a chart of rainfall");
    tmux.keys(&["Enter"]);
    studio.turns_once_saved("region", 2);
    tmux.wait_for_reply("Here is the infographic");
    // Esc to the picture's keys, f, r marks; l moves it, L widens it, Enter keeps it.
    tmux.keys(&["Escape", "f"]);
    tmux.wait_for("zoom fit");
    tmux.keys(&["r"]);
    tmux.wait_for("hjkl move");
    tmux.keys(&["l", "L", "Enter"]);
    let screen = tmux.wait_for("edits a region of v1");
    assert!(screen.contains("region on v1"), "{screen}");
    tmux.type_text("make this part red");
    tmux.keys(&["Enter"]);
    let turns = studio.turns_once_saved("region", 4);
    let region = &turns[2]["region"];
    assert_eq!(region["keepOutside"], true, "{region}");
    // The composite follows the reply in a moment, and is saved.
    let start = Instant::now();
    let document = loop {
        let document = studio.document("region");
        if document["conversation"]["turns"][3]["composites"].is_array() {
            break document;
        }
        assert!(start.elapsed() < WAIT, "no composite was saved");
        std::thread::sleep(Duration::from_millis(100));
    };
    let dir = studio.data().join("sessions").join("region");
    let picture = |turn: &serde_json::Value, document: &serde_json::Value| {
        let file = turn
            .as_str()
            .unwrap_or_else(|| panic!("an image file: {document}"));
        image::open(dir.join(file)).expect("decodes").to_rgb8()
    };
    let turns = &document["conversation"]["turns"];
    let before = turns[1]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|p| p["content"]["image"].is_object() && p["thought"] != true)
        .unwrap_or_else(|| panic!("v1 in {}", turns[1]));
    let before = picture(&before["content"]["image"]["file"], &document);
    let kept = picture(&turns[3]["composites"][0]["file"], &document);
    let (x, y) = (
        region["region"]["x"].as_u64().unwrap() as u32,
        region["region"]["y"].as_u64().unwrap() as u32,
    );
    let (w, h) = (
        region["region"]["width"].as_u64().unwrap() as u32,
        region["region"]["height"].as_u64().unwrap() as u32,
    );
    let outside = kept
        .enumerate_pixels()
        .filter(|(px, py, p)| {
            let inside = (x..x + w).contains(px) && (y..y + h).contains(py);
            !inside && *p != before.get_pixel(*px, *py)
        })
        .count();
    assert_eq!(outside, 0, "the kept version changed outside the region");
    assert_ne!(kept, before, "the edit shows inside it");
}

#[test]
fn over_interactions_the_studio_uploads_only_the_prompt_and_falls_back_on_a_relay() {
    let Some(studio) = Studio::start(
        "the interactions test",
        "interactions",
        &["BANANA_TRANSPORT=interactions"],
    ) else {
        return;
    };
    let tmux = &studio.tmux;
    tmux.wait_for("DEMO MODEL");
    assert!(tmux.screen().contains("│ interactions │"));
    tmux.type_text("an infographic about bananas");
    tmux.keys(&["Enter"]);
    studio.turns_once_saved("interactions", 2);
    tmux.wait_for_reply("Here is the infographic");
    tmux.type_text("bigger title");
    tmux.keys(&["Enter"]);
    let turns = studio.turns_once_saved("interactions", 4);
    let screen = tmux.wait_for_reply("bigger title");
    // The next edit would carry only its words: the history stays on the server.
    assert!(screen.contains("│ req 1 KB/100.0 MB │"), "{screen}");
    let first = turns[1]["interactionId"]
        .as_str()
        .expect("an interaction id");
    let second = turns[3]["interactionId"]
        .as_str()
        .expect("an interaction id");
    assert_ne!(first, second);

    // A provider without the endpoint: one notice, and generateContent from then on.
    let Some(relay) = Studio::start(
        "the interactions test",
        "relay",
        &[
            "BANANA_TRANSPORT=interactions",
            "BANANA_DEMO_NO_INTERACTIONS=1",
        ],
    ) else {
        return;
    };
    let tmux = &relay.tmux;
    tmux.wait_for("DEMO MODEL");
    tmux.type_text("an infographic about bananas");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("does not serve the");
    assert!(screen.contains("Interactions API"), "{screen}");
    let turns = relay.turns_once_saved("relay", 2);
    assert!(turns[1].get("interactionId").is_none());
    let screen = tmux.wait_for_reply("Here is the infographic");
    assert!(screen.contains("│ generate-content │"), "{screen}");
}
