//! A virtual X screen (Xvfb) to run terminal emulators on, keys typed into it with xdotool,
//! and screenshots of it with ImageMagick's `import`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use image::RgbImage;

/// A child process stopped when dropped, even when the test fails: asked to end first
/// (SIGTERM, so Xvfb removes its socket and lock), killed if it has not within a second.
pub struct Stopped(pub Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.0.id().to_string())
            .stderr(Stdio::null())
            .status();
        for _ in 0..20 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub struct Screen {
    pub display: String,
    _server: Stopped,
}

impl Screen {
    /// Starts Xvfb on a display nobody uses; `None` if it cannot. Xvfb picks the display
    /// itself (taking its lock file first, so Xvfbs started at once never collide) and writes
    /// its number to `-displayfd` once it accepts clients: no waiting by the clock.
    pub fn start(width: u32, height: u32) -> Option<Screen> {
        // Seen in CI once: a client of the number Xvfb wrote could not open the display.
        // A screen counts only when a client connects; else a fresh Xvfb is tried.
        (0..3).find_map(|_| {
            let screen = Self::start_once(width, height)?;
            let connects = |_| {
                let ok = screen.accepts_clients();
                if !ok {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                ok
            };
            (0..50).any(connects).then_some(screen)
        })
    }

    /// Whether a client (xdotool) can connect to the screen now.
    pub fn accepts_clients(&self) -> bool {
        self.command("xdotool")
            .arg("getmouselocation")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start_once(width: u32, height: u32) -> Option<Screen> {
        let child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut server = Stopped(child);
        let mut number = String::new();
        BufReader::new(server.0.stdout.take()?)
            .read_line(&mut number)
            .ok()?;
        let number: u32 = number.trim().parse().ok()?;
        Some(Screen {
            display: format!(":{number}"),
            _server: server,
        })
    }

    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// Types text as a person would, a key every 20 ms.
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "20", text]);
    }

    /// Presses keys one at a time (xdotool names: `Return`, `Tab`, `ctrl+q`), with a pause
    /// after each, so an Escape is not read as Alt with the next key: longer after Escape,
    /// which tmux holds for its `escape-time` (500 ms unless configured).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.xdotool(&["key", key]);
            let pause = if *key == "Escape" { 600 } else { 80 };
            std::thread::sleep(Duration::from_millis(pause));
        }
    }

    pub fn pointer_to(&self, x: u32, y: u32) {
        self.xdotool(&["mousemove", &x.to_string(), &y.to_string()]);
    }

    fn xdotool(&self, args: &[&str]) {
        let status = self.command("xdotool").args(args).status();
        assert!(status.is_ok_and(|s| s.success()), "xdotool {args:?} failed");
    }

    /// The whole screen, saved to `to` as well.
    pub fn shot(&self, to: &Path) -> RgbImage {
        let status = self
            .command("import")
            .args(["-window", "root"])
            .arg(to)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "import could not photograph {}",
            self.display
        );
        image::open(to)
            .unwrap_or_else(|e| panic!("{}: {e}", to.display()))
            .to_rgb8()
    }
}
