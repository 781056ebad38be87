//! What the user is composing: the next prompt's attachments, a draft kept to be put back,
//! and an earlier prompt being edited.

use crate::conversation::{Blob, TurnId};

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
}

/// An earlier prompt being edited: sending it starts a branch beside it.
#[derive(Debug, Clone)]
pub struct EditTarget {
    pub turn: TurnId,
    pub parent: Option<TurnId>,
    /// The draft the editor held before, restored when editing stops.
    pub saved: Draft,
}
