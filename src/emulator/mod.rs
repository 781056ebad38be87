//! What the terminal is and which graphics protocol to draw with, apart from drawing: the
//! picture pipeline (`preview`) asks this module, never the other way round.
//!
//! Layout: `caps` (what the terminal is and the pure protocol table), `probe` (the start-up
//! queries and their replies, keys typed meanwhile kept), `tmux` (tmux's version, features and
//! `allow-passthrough`), `choice` (the user's `--image-protocol`), `protocol` (`detect`, which
//! runs them once at start-up).

pub mod caps;
mod choice;
pub mod probe;
pub(crate) mod protocol;
pub(crate) mod tmux;

pub use choice::{ImageProtocol, UnknownProtocol};

/// What start-up detection learnt that is not about pictures.
#[derive(Debug, Default)]
pub struct Startup {
    /// Bytes typed while the terminal was asked, in order: replay them as keys.
    pub typed: Vec<u8>,
    /// The terminal's background is light (`Some(false)`: dark; `None`: it did not say).
    pub light_background: Option<bool>,
    /// The terminal was asked and had not finished answering when detection stopped waiting:
    /// its replies may still arrive, mixed with keys.
    pub unanswered: bool,
}

/// Puts back terminal settings detection changed (tmux's `allow-passthrough`). Call on exit,
/// also after a panic; harmless to call twice.
pub fn restore_terminal_options() {
    tmux::restore();
}
