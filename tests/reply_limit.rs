//! A reply past the size limit, from a hostile server, against the real binary: it fails as
//! it streams, nothing is saved, and the client's peak memory stays bounded. A file of its own:
//! the child's peak is read with wait4, and a child spawned from a busy test process would
//! count the parent's pages it started with.

use std::io::Read;
use std::process::{Command, Output, Stdio};

mod common;
use common::harness::{Harness, assert_success, snapshot, stderr, stdout_json};
use common::hostile::{Hostile, Reply};

/// A reply past the size limit fails as it streams; nothing is saved and the client's
/// memory stays bounded. Peak RSS is the child's own (wait4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_reply_is_cut_off_and_memory_stays_bounded() {
    let harness = Harness::start(Vec::new()).await;
    assert_success(&harness.send(&["--session", "s", "a first picture"]).await);
    let before = snapshot(&harness.session_dir("s"));
    std::fs::write(
        harness.config_path(),
        "idle_timeout_secs = 10\nmax_reply_mb = 32\n[retry]\nbase_delay_ms = 20\n",
    )
    .unwrap();
    let endless = |content_type| {
        Reply::Endless {
        content_type,
        head: br#"data: {"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":""#.to_vec(),
        fill: b"QUJD".to_vec(),
        total: 400_000_000,
        tail: b"\"}}]}}]}\r\n\r\n".to_vec(),
    }
    };
    let server = Hostile::start(
        vec![endless("text/event-stream"), endless("application/json")],
        Reply::json(404, &serde_json::json!({})),
    )
    .await;
    for flags in [
        &["--session", "s", "--json", "x"][..],
        &["--session", "s", "--json", "--no-stream", "x"],
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
        cmd.args(harness.argv(server.base_url(), "send", flags));
        harness.set_env(&mut cmd);
        let (output, peak_kb) = tokio::task::spawn_blocking(move || run_measured(cmd))
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_eq!(stdout_json(&output)["error"]["kind"], "reply_too_large");
        assert!(
            stderr(&output).contains("past 32 MB"),
            "{}",
            stderr(&output)
        );
        eprintln!("peak RSS with max_reply_mb = 32, {flags:?}: {peak_kb} kB");
        assert!(peak_kb < 110_000, "peak RSS {peak_kb} kB for a 32 MB limit");
    }
    assert_eq!(snapshot(&harness.session_dir("s")), before, "nothing saved");
}

/// Runs `cmd` to the end and returns its output with its own peak resident set, in kB.
fn run_measured(mut cmd: Command) -> (Output, i64) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 on our own child, with valid pointers; the Child is not waited on again.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    std::mem::forget(child);
    let output = Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert_eq!(output.status.code(), code);
    (output, usage.ru_maxrss)
}
