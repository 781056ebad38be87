//! What names a picture of the conversation: which turn's which image, of what kind, with
//! its version number; and the selected reply. `selection` moves between them.

use crate::conversation::{Blob, ModelTurn, TurnId};

/// Which image of the conversation is selected: the `index`-th image part of a turn (`None`:
/// the reply being generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageKey {
    pub turn: Option<TurnId>,
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Attachment,
    Thought,
    Final,
    /// The model's own picture of a region edit whose final image is a composite that kept
    /// the rest: viewable beside it, not a version.
    Raw,
}

impl ImageKind {
    pub fn label(self) -> &'static str {
        match self {
            ImageKind::Attachment => "attachment",
            ImageKind::Thought => "thought image",
            ImageKind::Final => "final image",
            ImageKind::Raw => "the model's own picture (the version keeps the rest)",
        }
    }
}

/// One image of the shown conversation.
#[derive(Debug, Clone)]
pub struct ImageEntry {
    pub key: ImageKey,
    pub kind: ImageKind,
    pub blob: Blob,
}

/// A version of the picture on the shown path: a final image and its number.
#[derive(Debug, Clone)]
pub struct Version {
    pub key: ImageKey,
    /// Its number over the whole session, as the tree shows it; `None` while it arrives.
    pub number: Option<usize>,
    pub blob: Blob,
}

pub enum SelectedReply<'a> {
    None,
    Done(TurnId, &'a ModelTurn),
    Pending(&'a ModelTurn),
}
