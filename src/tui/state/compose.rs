//! What the user is composing: the next prompt's attachments, a draft kept to be put back,
//! an earlier prompt being edited, follow-ups waiting for the reply they follow, and a send
//! waiting for its images to be read.

use crate::conversation::region::{OutlineColour, Region};
use crate::conversation::{Blob, TurnId, TurnSettings};

/// An image file to send with the next prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub blob: Blob,
}

/// What was in the editor, kept to be put back.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub text: String,
    pub attachments: Vec<Attachment>,
    pub region: Option<MarkedRegion>,
}

/// A region marked on a version in the full view: the next prompt edits just there.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedRegion {
    /// The reply whose picture it was drawn on, and which of its final pictures.
    pub on: TurnId,
    pub image: usize,
    pub region: Region,
    /// The picture it was drawn on.
    pub picture: Blob,
    /// The copy with the region outlined, once the driver has made it (or why it could not).
    pub annotated: Option<Result<(Blob, OutlineColour), String>>,
}

/// An earlier prompt being edited: sending it starts a branch beside it.
#[derive(Debug, Clone)]
pub struct EditTarget {
    pub turn: TurnId,
    pub parent: Option<TurnId>,
    /// The draft the editor held before, restored when editing stops.
    pub saved: Draft,
}

/// A prompt sent while the reply it follows was still coming: it waits, and goes out as that
/// reply's follow-up once the reply lands.
#[derive(Debug, Clone)]
pub struct QueuedPrompt {
    /// What is sent (a `//` escape already undone).
    pub prompt: String,
    /// What goes back in the editor when it is taken back or cannot be sent.
    pub draft: Draft,
    /// The settings it was sent with.
    pub settings: TurnSettings,
}

/// Follow-ups in the order they were typed: the first goes out when the prompt `after` has
/// its reply; each next one follows the reply to the one before.
#[derive(Debug, Clone)]
pub struct FollowUps {
    pub after: TurnId,
    pub queue: Vec<QueuedPrompt>,
}

/// What was asked for while the images it needs were being read. `update` never reads the
/// disk: a send, rerun or batch whose history holds images only on disk waits as this while
/// the driver reads them (`lifecycle::read_first`), then `update` replays it at
/// [`Event::ImagesRead`](crate::tui::state::event::Event::ImagesRead).
#[derive(Debug, Clone, PartialEq)]
pub enum WaitingSend {
    /// The editor's prompt.
    Prompt(String),
    /// The prompt turn to answer again.
    Rerun(TurnId),
    /// Variations of the prompt turn.
    Batch { prompt: TurnId, count: u8 },
}
