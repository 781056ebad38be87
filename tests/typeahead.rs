//! No lost keys: the studio asks the terminal what it can draw at start-up, and a prompt typed
//! meanwhile must still arrive whole, whether the terminal answers at once, after 800 ms (a
//! slow SSH link) or never. The terminal is a pseudo-terminal played by `tests/pty/typeahead.py`
//! (Python's `pty`); the prompt's arrival is checked in the saved session.
//!
//! Without python3 the test says so loudly and passes.

use std::process::Command;

mod common;

fn python_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the studio in the scripted terminal; returns the user texts of the saved session.
fn prompts_after_typing_during_the_query(answer: &str) -> Option<Vec<String>> {
    run_in_scripted_terminal(answer).map(|(prompts, _)| prompts)
}

/// The user texts of the saved session and everything the studio drew.
fn run_in_scripted_terminal(answer: &str) -> Option<(Vec<String>, String)> {
    if !python_available() {
        common::harness::skip_loudly(
            "python3 is not installed",
            "keys typed during start-up detection (tests/typeahead.rs)",
        );
        return None;
    }
    let home = tempfile::tempdir().expect("a temporary folder");
    let log = home.path().join("screen.log");
    let output = common::harness::pty_script("typeahead.py", home.path())
        .arg(answer)
        .arg(&log)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_banana-studio"))
        .args(["--demo", "--session", "typeahead"])
        .output()
        .expect("python3 runs");
    let screen = String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default()).into_owned();
    assert!(
        output.status.success(),
        "the studio did not answer the typed prompt and quit ({:?}); stderr: {}\nlast output: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        &screen[screen.len().saturating_sub(2000)..]
    );
    let document = home.path().join("data/sessions/typeahead/session.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(document).expect("the session was saved"))
            .expect("valid JSON");
    let turns = document["conversation"]["turns"]
        .as_array()
        .expect("a list of turns");
    let mut texts = Vec::new();
    for turn in turns.iter().filter(|t| t["role"] == "user") {
        texts_in(turn, &mut texts);
    }
    Some((texts, screen))
}

/// Every string under a "text" key, depth first.
fn texts_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("text", Some(text)) => out.push(text.to_string()),
                    _ => texts_in(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| texts_in(v, out)),
        _ => {}
    }
}

#[test]
fn a_prompt_typed_while_the_terminal_never_answers_arrives_whole() {
    if let Some(prompts) = prompts_after_typing_during_the_query("never") {
        assert_eq!(prompts, ["a blue banana on the moon"]);
    }
}

#[test]
fn a_prompt_typed_while_the_terminal_answers_after_800_ms_arrives_whole() {
    if let Some(prompts) = prompts_after_typing_during_the_query("800") {
        assert_eq!(prompts, ["a blue banana on the moon"]);
    }
}

#[test]
fn a_prompt_typed_while_the_terminal_answers_at_once_arrives_whole() {
    if let Some(prompts) = prompts_after_typing_during_the_query("0") {
        assert_eq!(prompts, ["a blue banana on the moon"]);
    }
}

#[test]
fn a_reply_after_detection_stopped_waiting_is_not_typed_into_the_prompt() {
    if let Some((prompts, screen)) = run_in_scripted_terminal("1500") {
        assert_eq!(prompts, ["a blue banana on the moon"]);
        assert!(
            !screen.contains("rgb:ffff"),
            "the late OSC 11 reply reached the editor"
        );
    }
}
