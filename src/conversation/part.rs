//! One part of a turn, stored exactly as the model sent it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::blob::Blob;
use crate::gemini::wire::FileData;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub content: PartContent,
    /// A thought summary or interim "thought image", not part of the answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub thought: bool,
    /// The opaque signature, byte for byte as received. An empty string from a relay means
    /// "no signature" and is stored as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought_signature: Option<String>,
    /// Fields of the received part this program does not model, sent back verbatim.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PartContent {
    Text(String),
    Image(Blob),
    FileData(FileData),
    /// Content held entirely in `extra` (a function call, executable code, …).
    Other,
}

impl Part {
    pub fn text(text: impl Into<String>) -> Self {
        Self::plain(PartContent::Text(text.into()))
    }

    pub fn image(blob: Blob) -> Self {
        Self::plain(PartContent::Image(blob))
    }

    fn plain(content: PartContent) -> Self {
        Self {
            content,
            thought: false,
            thought_signature: None,
            extra: Map::new(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match &self.content {
            PartContent::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_image(&self) -> Option<&Blob> {
        match &self.content {
            PartContent::Image(blob) => Some(blob),
            _ => None,
        }
    }
}
