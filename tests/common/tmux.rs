//! A private tmux server for one test: its own socket and no user config, killed when dropped
//! (even when the test fails), with the socket file tmux leaves behind removed.

use std::process::{Command, Output};

pub struct PrivateTmux {
    socket: String,
}

impl PrivateTmux {
    /// A server named after the test process and `name`; the first `new-session` starts it.
    pub fn new(name: &str) -> Self {
        Self {
            socket: format!("banana-{}-{name}", std::process::id()),
        }
    }

    /// The `-L` name, for a tmux started by another program (inside a terminal).
    pub fn socket(&self) -> &str {
        &self.socket
    }

    /// Runs `tmux ARGS` against this server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The text of the pane `target`.
    pub fn screen(&self, target: &str) -> String {
        let output = self.run(&["capture-pane", "-p", "-t", target]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for PrivateTmux {
    fn drop(&mut self) {
        let socket = self.run(&["display-message", "-p", "#{socket_path}"]);
        let _ = self.run(&["kill-server"]);
        let socket = String::from_utf8_lossy(&socket.stdout).trim().to_string();
        if !socket.is_empty() {
            let _ = std::fs::remove_file(socket);
        }
    }
}
