//! The real `banana-studio` binary against an in-process demo model with queued faults, in a
//! throwaway home (data dir + config file). Shared by send.rs, faults.rs, bad_input.rs and
//! disk_full.rs so every end-to-end test runs the binary the same way.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use banana_studio::demo::{DemoOptions, DemoServer, Fault, RecordedRequest};
use serde_json::Value;

/// A distinctive key: if it shows up anywhere it was leaked, not a coincidence.
pub const KEY: &str = "AIzaSy-TEST-KEY-c0ffee-7f3a9b";

pub struct Harness {
    pub home: tempfile::TempDir,
    pub demo: DemoServer,
}

impl Harness {
    pub async fn start(faults: Vec<Fault>) -> Self {
        Self::start_with(DemoOptions {
            faults,
            ..DemoOptions::default()
        })
        .await
    }

    /// Like [`Harness::start`] with any demo options (take faults, say).
    pub async fn start_with(options: DemoOptions) -> Self {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        // Short backoff so retries do not slow the suite; attempts as shipped.
        std::fs::write(
            &config,
            "idle_timeout_secs = 3\n[retry]\nbase_delay_ms = 20\nmax_attempts = 4\n",
        )
        .unwrap();
        let demo = DemoServer::start(options).await.unwrap();
        Self { home, demo }
    }

    /// The demo at real pixel sizes (4K is 4096×4096 or 5504×3072), with `config` after a
    /// long idle timeout: painting a 4K picture in a debug build, beside other tests, takes
    /// seconds.
    pub async fn full_size(options: DemoOptions, config: &str) -> Self {
        let harness = Self::start_with(DemoOptions {
            full_size: true,
            ..options
        })
        .await;
        std::fs::write(
            harness.config_path(),
            format!("idle_timeout_secs = 120\n{config}"),
        )
        .unwrap();
        harness
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.path().join("config.toml")
    }

    pub fn session_dir(&self, name: &str) -> PathBuf {
        self.data_dir().join("sessions").join(name)
    }

    pub fn document_path(&self, name: &str) -> PathBuf {
        self.session_dir(name).join("session.json")
    }

    /// Runs `banana-studio send ARGS` against the demo model, off the async workers.
    pub async fn send(&self, args: &[&str]) -> Output {
        self.run("send", args).await
    }

    pub async fn run(&self, command: &str, args: &[&str]) -> Output {
        let base_url = self.demo.base_url().to_string();
        self.run_at(&base_url, command, args).await
    }

    /// Like [`Harness::run`] against another base URL (an unreachable one, say).
    pub async fn run_at(&self, base_url: &str, command: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana-studio"));
        cmd.args(self.argv(base_url, command, args));
        self.set_env(&mut cmd);
        output_of(cmd).await
    }

    /// The arguments after the program name, for tests that start the binary through a
    /// wrapper (`unshare … sh -c 'exec "$0" "$@"'`).
    pub fn argv(&self, base_url: &str, command: &str, args: &[&str]) -> Vec<OsString> {
        let mut argv: Vec<OsString> = vec![
            "--data-dir".into(),
            self.data_dir().into(),
            "--config".into(),
            self.config_path().into(),
            "--base-url".into(),
            base_url.into(),
            command.into(),
        ];
        argv.extend(args.iter().map(OsString::from));
        argv
    }

    /// The key, and nothing from the developer's own environment that would change the run.
    pub fn set_env(&self, cmd: &mut Command) {
        cmd.env("GEMINI_API_KEY", KEY)
            .env_remove("GOOGLE_API_KEY")
            .env_remove("BANANA_BASE_URL")
            .env_remove("BANANA_STUDIO_HOME")
            .env_remove("BANANA_DEMO_FAULTS")
            .env_remove("BANANA_DEMO_TAKE_FAULTS")
            .env("XDG_CONFIG_HOME", self.home.path().join("xdg-config"))
            .env("TMPDIR", self.home.path().join("tmp"));
        let _ = std::fs::create_dir_all(self.home.path().join("tmp"));
    }

    pub fn session_document(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.document_path(name)).unwrap()).unwrap()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.demo.requests()
    }
}

/// Runs `cmd` to completion off the async workers (the demo server lives on them).
pub async fn output_of(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

pub fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Every file under `dir` with its size and a hash of its bytes, to prove a refused command
/// changed nothing (a hash, so a failing comparison prints something readable). The lock file
/// is left out: it holds the pid of the last process that opened the session, not content.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, usize, u64)> {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .filter(|path| path.file_name().is_none_or(|name| name != "session.lock"))
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_default();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hasher);
            (path, bytes.len(), hasher.finish())
        })
        .collect();
    files.sort();
    files
}

/// Prints a skip notice that the test harness cannot swallow (it captures `eprintln!` of
/// passing tests): a missing tool must be seen, not silently pass.
pub fn skip_loudly(what: &str, test: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n!!  {what}: SKIPPING {test}.\n{bar}\n",
        bar = "!".repeat(78)
    );
}

/// `python3 tests/pty/<script>`: a pseudo-terminal played for the studio, with the studio's
/// data and config under `home` and a plain outer terminal (not tmux, no `TERM_PROGRAM`).
pub fn pty_script(script: &str, home: &Path) -> Command {
    let mut command = Command::new("python3");
    command
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/pty")
                .join(script),
        )
        .env("BANANA_STUDIO_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("TERM", "xterm-256color")
        .env_remove("TMUX")
        .env_remove("TERM_PROGRAM");
    command
}
