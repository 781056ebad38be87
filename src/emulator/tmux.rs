//! tmux, when the studio runs inside it: what it is and carries (`tmux display -p`), and its
//! `allow-passthrough` option, switched on for the queries and the pictures and put back as
//! it was when the studio exits.

use std::process::{Command, Stdio};
use std::sync::Mutex;

use super::caps::{Tmux, Version};

/// What begins a sequence tmux passes through to the terminal outside it.
pub const PASSTHROUGH_START: &str = "\x1bPtmux;";
/// What ends it.
pub const PASSTHROUGH_END: &str = "\x1b\\";

/// The escape that begins a sequence: inside tmux's passthrough it is doubled.
pub fn escape(is_tmux: bool) -> &'static str {
    if is_tmux { "\x1b\x1b" } else { "\x1b" }
}

const FORMAT: &str = "#{version}\t#{client_termname}\t#{client_termfeatures}";

/// Asks the tmux server about itself and the client showing this pane.
pub fn info() -> Option<Tmux> {
    let output = tmux(&["display", "-p", FORMAT])?;
    Some(parse_info(&output))
}

fn parse_info(output: &str) -> Tmux {
    let mut fields = output.trim_end_matches('\n').split('\t');
    let version = fields.next().and_then(Version::find);
    let client_termname = fields.next().unwrap_or("").to_string();
    let sixel = fields
        .next()
        .unwrap_or("")
        .split(',')
        .any(|feature| feature == "sixel");
    Tmux {
        version,
        client_termname,
        sixel,
    }
}

/// The pane's own `allow-passthrough` before we changed it: `None` when it had none (it
/// inherited the window's or the global value).
static SAVED: Mutex<Option<Option<String>>> = Mutex::new(None);

/// Switches passthrough on for this pane, remembering what it was. Also call it before anything
/// else switches it on (ratatui-image does, whenever it sees tmux), so the first value is kept.
pub fn enable_passthrough() {
    let Ok(mut saved) = SAVED.lock() else {
        return;
    };
    if saved.is_some() {
        return;
    }
    let Some(own) = tmux(&["show", "-pv", "allow-passthrough"]) else {
        return;
    };
    let own = own.trim();
    *saved = Some((!own.is_empty()).then(|| own.to_string()));
    // "on" is enough for a visible pane; never lower an "all" the user chose.
    if own != "all" {
        let _ = tmux(&["set", "-p", "allow-passthrough", "on"]);
    }
}

/// Puts the pane's `allow-passthrough` back as [`enable_passthrough`] found it. Safe to call
/// more than once, and when it was never changed.
pub fn restore() {
    let Ok(mut saved) = SAVED.lock() else {
        return;
    };
    match saved.take() {
        Some(Some(value)) => {
            let _ = tmux(&["set", "-p", "allow-passthrough", &value]);
        }
        Some(None) => {
            let _ = tmux(&["set", "-pu", "allow-passthrough"]);
        }
        None => {}
    }
}

/// Runs a tmux command on the server this pane belongs to; its output, or `None` if it failed.
fn tmux(args: &[&str]) -> Option<String> {
    let output = Command::new("tmux")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_output_is_read_field_by_field() {
        let tmux = parse_info("3.3a\txterm\t256,RGB,title,bpaste,clipboard,ccolour\n");
        assert_eq!(tmux.version, Some(Version(3, 3, 0)));
        assert_eq!(tmux.client_termname, "xterm");
        assert!(!tmux.sixel);
        let tmux = parse_info("3.4\txterm-256color\t256,RGB,sixel,title\n");
        assert!(tmux.sixel);
        assert_eq!(parse_info("").version, None);
    }
}
