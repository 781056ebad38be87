//! Builds the request for the turn at the end of the active path, over either transport.
//!
//! With `generateContent` the whole path is sent every time: that is what lets the model keep
//! editing the same picture. Over the Interactions API the server keeps the path, and a turn
//! names the interaction it continues. Either way, model parts go back byte for byte with their
//! signatures; model images are sent as the exact bytes received, never re-encoded, resized or
//! reordered.
//!
//! **Thought parts are dropped** from the history we send. The API allows either sending them
//! back with `"thought": true` or dropping them; they carry no signatures, and the interim thought
//! images are full-size pictures, so dropping them keeps a long edit session well under the
//! request-size limit. They are never turned into plain text (which would need a signature).
//!
//! A reply without content (a blocked prompt, an empty answer) is skipped together with the
//! prompt that caused it: the API rejects an empty model content, and the exchange told the
//! model nothing.

mod body;
mod generate_content;
mod interactions;
mod source;

use std::sync::Arc;

use bytes::Bytes;

use super::part::PartContent;
use super::tree::{Conversation, TurnBody, TurnId};
use crate::blob::Blob;
use crate::gemini::Transport;
pub use body::{RequestError, RequestTarget, SIGNATURE_BYPASS, human_bytes};
use source::{RequestSource, sent_parts};

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub model: String,
    pub body: Bytes,
    /// Images in the request (attachments, and model images in the history it carries).
    pub image_count: usize,
    pub transport: Transport,
    /// The interaction this request continues (Interactions API, when the server keeps the
    /// path); `None` when the body carries the whole path.
    pub previous_interaction: Option<String>,
    /// Set when the request is one of several variations sent at once.
    pub seed: Option<i32>,
    /// What the body was written from, to write the same turn again for a fallback.
    source: Arc<RequestSource>,
}

/// How a request's body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyForm {
    /// `generateContent`, the whole path.
    GenerateContent,
    /// The Interactions API; `continued`: only the new prompt, naming the interaction the
    /// prompt's reply came from; otherwise the whole path.
    Interactions { continued: bool },
}

impl PreparedRequest {
    /// The same request with its seed set: one of several variations sent at once. The body is
    /// written once per prompt; each variation is a copy with its seed put at the start of the
    /// top-level generation config (which serde writes after the contents, so the last
    /// occurrence of the key is the top-level one: a key inside a JSON string would have its
    /// quotes escaped).
    pub fn with_seed(&self, seed: i32) -> PreparedRequest {
        let key: &[u8] = match self.transport {
            Transport::GenerateContent => br#""generationConfig":{"#,
            Transport::Interactions => br#""generation_config":{"#,
        };
        let mut varied = self.clone();
        varied.seed = Some(seed);
        let Some(at) = memchr::memmem::rfind(&self.body, key).map(|i| i + key.len()) else {
            return varied;
        };
        let seed = format!(r#""seed":{seed}"#);
        let comma = if self.body.get(at) == Some(&b'}') {
            ""
        } else {
            ","
        };
        let mut body = Vec::with_capacity(self.body.len() + seed.len() + 1);
        body.extend_from_slice(&self.body[..at]);
        body.extend_from_slice(seed.as_bytes());
        body.extend_from_slice(comma.as_bytes());
        body.extend_from_slice(&self.body[at..]);
        varied.body = Bytes::from(body);
        varied
    }

    /// The same turn written in another form (a fallback), its seed kept. The whole path may
    /// now be over the provider's limit: that is [`RequestError::TooLarge`].
    pub fn rewritten(&self, form: BodyForm) -> Result<PreparedRequest, RequestError> {
        let request = write(&self.source, form)?;
        Ok(match self.seed {
            Some(seed) => request.with_seed(seed),
            None => request,
        })
    }
}

/// Builds the request for the prompt `leaf` over the target's transport, refusing settings the
/// model does not take and a body above the target's size limit. Over the Interactions API a
/// prompt after a reply the server keeps sends only itself.
pub fn build_request(
    conversation: &Conversation,
    leaf: TurnId,
    target: &RequestTarget<'_>,
) -> Result<PreparedRequest, RequestError> {
    let path = conversation.path_to(leaf);
    let settings = match path.last().map(|t| &t.body) {
        Some(TurnBody::User(user)) => user.settings.clone(),
        _ => return Err(RequestError::NotAPrompt(leaf)),
    };
    let spec = settings.validate(target.catalog, target.provider, target.listing)?;
    let path = path.into_iter().cloned().collect();
    let source = Arc::new(RequestSource::new(
        path,
        settings,
        spec.into_owned(),
        target,
    ));
    let form = match target.transport {
        Transport::GenerateContent => BodyForm::GenerateContent,
        Transport::Interactions => BodyForm::Interactions {
            continued: source.parent_interaction().is_some(),
        },
    };
    write(&source, form)
}

fn write(source: &Arc<RequestSource>, form: BodyForm) -> Result<PreparedRequest, RequestError> {
    let (written, transport, previous) = match form {
        BodyForm::GenerateContent => (
            generate_content::write(source)?,
            Transport::GenerateContent,
            None,
        ),
        BodyForm::Interactions { continued } => {
            let previous = continued.then(|| source.parent_interaction()).flatten();
            (
                interactions::write(source, previous)?,
                Transport::Interactions,
                previous.map(str::to_string),
            )
        }
    };
    let size = written.body.len() as u64;
    if size > source.size_limit {
        return Err(RequestError::TooLarge {
            size,
            limit: source.size_limit,
            image_count: written.image_count,
        });
    }
    Ok(PreparedRequest {
        model: source.settings.model.clone(),
        body: Bytes::from(written.body),
        image_count: written.image_count,
        transport,
        previous_interaction: previous,
        seed: None,
        source: source.clone(),
    })
}

/// The images a request for `leaf` would send that are not in memory yet (read from disk on
/// first use). The studio has them read off its UI thread before it builds the request.
pub fn unread_images(conversation: &Conversation, leaf: Option<TurnId>) -> Vec<Blob> {
    let Some(leaf) = leaf else {
        return Vec::new();
    };
    let mut unread: Vec<Blob> = Vec::new();
    for turn in conversation.path_to(leaf) {
        for part in sent_parts(&turn.body) {
            if let PartContent::Image(blob) = &part.content
                && blob.loaded().is_none()
                && !unread.iter().any(|b| b.id() == blob.id())
            {
                unread.push(blob.clone());
            }
        }
    }
    unread
}

/// A target for unit tests: the built-in catalog, as Google serves it.
#[cfg(test)]
pub(crate) mod test_target {
    use std::sync::LazyLock;

    use super::RequestTarget;
    use crate::models::Catalog;

    pub static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

    pub fn to(size_limit: u64) -> RequestTarget<'static> {
        RequestTarget {
            catalog: &CATALOG,
            provider: "google",
            size_limit,
            listing: None,
            transport: crate::gemini::Transport::GenerateContent,
        }
    }
}

#[cfg(test)]
mod tests;
