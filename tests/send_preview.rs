//! `send --preview` from the outside: without a terminal it says so and the turn still
//! succeeds; it cannot be mixed with `--json`.

use assert_cmd::Command;
use predicates::str::contains;

fn studio(dir: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("banana-studio").unwrap();
    command
        .arg("--demo")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .env_remove("BANANA_DEMO_FAULTS")
        .env_remove("BANANA_BASE_URL");
    command
}

#[test]
fn preview_without_a_terminal_is_explained_and_the_turn_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    studio(dir.path())
        .args(["send", "a pear on a plate", "--preview"])
        .assert()
        .success()
        .stderr(contains(
            "--preview needs a terminal: stdout is not one, so the image is not shown",
        ));
}

#[test]
fn a_bad_image_protocol_in_the_config_is_named_and_does_not_fail_the_turn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "image_protocol = \"ascii\"\n",
    )
    .unwrap();
    studio(dir.path())
        .args(["send", "a pear", "--preview"])
        .assert()
        .success()
        .stderr(contains(
            "image_protocol in the config file: unknown image protocol \"ascii\"",
        ));
}

#[test]
fn preview_and_json_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    studio(dir.path())
        .args(["send", "a pear", "--preview", "--json"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}
