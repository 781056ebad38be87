//! A turn's id, apart from the tree so what refers to turns (a region edit) needs no tree.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Ids count from 1 in the order turns were added, and are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TurnId(pub u32);

impl fmt::Display for TurnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
