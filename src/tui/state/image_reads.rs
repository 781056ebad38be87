//! `update` never reads the disk: a send, rerun or batch whose history holds images not yet in
//! memory (a session opened from disk reads them lazily) waits as a [`WaitingSend`] while the
//! driver reads them off the UI thread (`lifecycle::read_first`), then goes on as if it had
//! just been asked for (`update` replays it on
//! [`Event::ImagesRead`](crate::tui::state::event::Event::ImagesRead)).

use crate::conversation::TurnId;

/// What was asked for while the images it needs were being read.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitingSend {
    /// The editor's prompt.
    Prompt(String),
    /// The prompt turn to answer again.
    Rerun(TurnId),
    /// Variations of the prompt turn.
    Batch { prompt: TurnId, count: u8 },
}
