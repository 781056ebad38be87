//! Over SSH, bytes are latency: a key typed while a picture is shown must cost the terminal a
//! few cells, never the picture again (≤ 200 bytes, issue 10). The studio runs in a
//! pseudo-terminal played by `tests/pty/bytes_per_key.py`, with sixel and with kitty forced;
//! the script counts what the studio writes after each key. BENCHMARKS.md has the figures.
//!
//! Without python3 the test says so loudly and passes.

use std::process::Command;

mod common;

/// Most a key typed into the prompt may write while a picture is on screen.
const MOST_PER_KEY: u64 = 200;

fn measure(protocol: &str) -> Option<serde_json::Value> {
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        common::harness::skip_loudly(
            "python3 is not installed",
            "bytes written per key while a picture is shown (tests/bytes_per_key.rs)",
        );
        return None;
    }
    let home = tempfile::tempdir().expect("a temporary folder");
    let output = common::harness::pty_script("bytes_per_key.py", home.path())
        .args([protocol, "12"])
        .env("BANANA_STUDIO_BIN", env!("CARGO_BIN_EXE_banana-studio"))
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{protocol}: {stdout}; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_str(stdout.trim()).expect("the script prints JSON"))
}

fn assert_keys_cost_a_few_cells(protocol: &str) {
    let Some(figures) = measure(protocol) else {
        return;
    };
    eprintln!("{figures}");
    // The picture itself went out before the keys (a demo picture is tens of kilobytes).
    let picture = figures["picture_bytes_at_least"].as_u64().expect("a count");
    assert!(picture > 10_000, "{protocol}: {figures}");
    let per_key = figures["per_key"].as_array().expect("counts");
    assert_eq!(per_key.len(), 12, "{figures}");
    for bytes in per_key {
        let bytes = bytes.as_u64().expect("a count");
        // Something was drawn (the key reached the prompt), and no more than a few cells.
        assert!(bytes > 0, "{protocol}: a key drew nothing: {figures}");
        assert!(bytes <= MOST_PER_KEY, "{protocol}: {figures}");
    }
}

#[test]
fn a_key_typed_beside_a_sixel_picture_writes_at_most_200_bytes() {
    assert_keys_cost_a_few_cells("sixel");
}

#[test]
fn a_key_typed_beside_a_kitty_picture_writes_at_most_200_bytes() {
    assert_keys_cost_a_few_cells("kitty");
}
