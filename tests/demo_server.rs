//! `banana-studio demo-server` from the outside: it announces its address, a separate
//! `banana-studio send` pointed at it through `BANANA_BASE_URL` and `GEMINI_API_KEY` gets an
//! image, and SIGTERM ends it cleanly.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::harness::assert_success;

const WAIT: Duration = Duration::from_secs(30);

/// The server process, killed and reaped when dropped, so a failing assertion never leaves it
/// running.
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Both fail only if the process is gone already, which is what we want.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(home: &Path) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_banana-studio"))
            .args(["demo-server", "--port", "0"])
            .env("BANANA_DEMO_CHUNK_DELAY_MS", "0")
            .env_remove("BANANA_DEMO_FAULTS")
            .env_remove("BANANA_DEMO_FULL_SIZE")
            .env_remove("BANANA_DEMO_GRAIN")
            .env("BANANA_STUDIO_HOME", home.join("server-data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Self { child }
    }

    /// The announced line, read on a thread so a server that never prints fails the test
    /// instead of hanging it.
    fn announcement(&mut self) -> String {
        let stdout = self.child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(WAIT)
            .expect("demo-server printed its address in time");
        assert!(line.ends_with('\n'), "one whole line, got {line:?}");
        line.trim_end().to_string()
    }

    /// Sends SIGTERM and waits for the exit.
    fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < WAIT, "demo-server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    }
}

/// The value of `NAME=value` in the announced line.
fn variable<'a>(line: &'a str, name: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name}= in {line:?}"))
}

#[test]
fn send_gets_an_image_from_a_separate_demo_server() {
    let home = tempfile::tempdir().unwrap();
    let mut server = Server::start(home.path());
    let line = server.announcement();
    let base_url = variable(&line, "BANANA_BASE_URL");
    let key = variable(&line, "GEMINI_API_KEY");
    assert!(
        base_url.starts_with("http://127.0.0.1:") && !base_url.ends_with(":0"),
        "a real port on 127.0.0.1: {line}"
    );
    assert_eq!(key, banana_studio::demo::DEMO_KEY);

    let data_dir = home.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_banana-studio"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["send", "--session", "apart", "--json", "a pear on a plate"])
        .env("BANANA_BASE_URL", base_url)
        .env("GEMINI_API_KEY", key)
        .env_remove("GOOGLE_API_KEY")
        .env_remove("BANANA_STUDIO_HOME")
        .env("XDG_CONFIG_HOME", home.path().join("xdg-config"))
        .output()
        .unwrap();
    assert_success(&output);
    let reply: Value = serde_json::from_slice(&output.stdout).unwrap();
    let images = reply["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{reply}");
    let path = Path::new(images[0]["path"].as_str().unwrap());
    assert!(
        path.starts_with(&data_dir),
        "{} is in the session",
        path.display()
    );
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(&[0xff, 0xd8, 0xff]), "a JPEG was saved");

    let status = server.terminate();
    assert!(status.success(), "SIGTERM is a clean exit: {status}");
    let log = server.stderr();
    assert!(
        log.contains(":streamGenerateContent -> 200,"),
        "the request is logged: {log}"
    );
}
