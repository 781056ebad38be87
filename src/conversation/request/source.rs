//! A turn's request before it is written: the path, the model's spec and which replies need
//! the signature bypass. Owned (the parts' images are shared, not copied), so a fallback can
//! write the same turn again over the other transport after the conversation has moved on.

use bytes::Bytes;

use super::super::part::{Part, PartContent};
use super::super::settings::TurnSettings;
use super::super::tree::{Turn, TurnBody};
use super::body::{RequestError, RequestTarget, SIGNATURE_BYPASS};
use crate::models::{Catalog, ModelSpec};

#[derive(Debug)]
pub struct RequestSource {
    /// From a root to the prompt being answered.
    pub(super) path: Vec<Turn>,
    /// The settings of the prompt being answered (the last turn of `path`).
    pub(super) settings: TurnSettings,
    pub(super) spec: ModelSpec,
    /// Per turn of `path`: a reply from a model that does not sign, sent to one that does,
    /// gets the documented bypass where a signature is required.
    fill_missing: Vec<bool>,
    pub(super) size_limit: u64,
}

impl RequestSource {
    pub(super) fn new(
        path: Vec<Turn>,
        settings: TurnSettings,
        spec: ModelSpec,
        target: &RequestTarget<'_>,
    ) -> Self {
        let fill_missing = path
            .iter()
            .map(|turn| {
                let turn_signed = match &turn.body {
                    TurnBody::Model(model) => {
                        model.model_version.as_deref().is_none_or(|version| {
                            model_signs(target.catalog, target.provider, version)
                        })
                    }
                    TurnBody::User(_) => true,
                };
                spec.thinking_config && !turn_signed
            })
            .collect();
        Self {
            path,
            settings,
            spec,
            fill_missing,
            size_limit: target.size_limit,
        }
    }

    /// The interaction the prompt continues: that of the reply it follows, when the reply was
    /// carried by the Interactions API and has content.
    pub fn parent_interaction(&self) -> Option<&str> {
        let parent = self.path.len().checked_sub(2).map(|i| &self.path[i])?;
        match &parent.body {
            TurnBody::Model(model) if model.has_content() => model.interaction_id.as_deref(),
            _ => None,
        }
    }

    /// The turns to send from `first` on, with the signature rule of each, skipping a reply
    /// without content together with the prompt that caused it (the API rejects an empty
    /// model content, and the exchange told the model nothing).
    pub(super) fn turns_from(&self, first: usize) -> Vec<(&Turn, SignatureRule)> {
        let mut turns: Vec<(&Turn, SignatureRule)> = Vec::with_capacity(self.path.len());
        for (turn, &fill_missing) in self.path.iter().zip(&self.fill_missing).skip(first) {
            if let TurnBody::Model(model) = &turn.body
                && !model.has_content()
            {
                turns.pop();
                continue;
            }
            turns.push((turn, SignatureRule::new(fill_missing)));
        }
        turns
    }
}

/// The images of `turns`' sent parts, read (from disk if need be) in the order they are sent.
pub(super) fn load_images(turns: &[(&Turn, SignatureRule)]) -> Result<Vec<Bytes>, RequestError> {
    let mut loaded = Vec::new();
    for (turn, _) in turns {
        for part in sent_parts(&turn.body) {
            if let PartContent::Image(blob) = &part.content {
                loaded.push(blob.bytes().map_err(RequestError::ImageUnavailable)?);
            }
        }
    }
    Ok(loaded)
}

/// Which parts of a model turn must carry a signature when sent to a Gemini 3 model: the first
/// non-thought text part before any image, and every non-thought image. A reply from a model
/// that does not sign (Gemini 2.5 Flash Image, when the user switches model mid-conversation)
/// has none to give; for those parts the documented bypass value is sent instead. A reply from
/// a signing model is always sent exactly as received, so a lost signature is never masked.
pub(super) struct SignatureRule {
    fill_missing: bool,
    first_text_seen: bool,
    image_seen: bool,
}

impl SignatureRule {
    fn new(fill_missing: bool) -> Self {
        Self {
            fill_missing,
            first_text_seen: false,
            image_seen: false,
        }
    }

    pub(super) fn signature_for<'a>(&mut self, part: &'a Part) -> Option<&'a str> {
        let required = match (&part.content, part.thought) {
            (PartContent::Text(_), false) => {
                let first = !self.first_text_seen && !self.image_seen;
                self.first_text_seen = true;
                first
            }
            (PartContent::Image(_), false) => {
                self.image_seen = true;
                true
            }
            _ => false,
        };
        match part.thought_signature.as_deref() {
            None if required && self.fill_missing => Some(SIGNATURE_BYPASS),
            signature => signature,
        }
    }
}

/// The parts of a turn that go on the wire: all of a prompt's, a reply's minus its thoughts
/// and minus empty text parts that carry nothing (the API refuses an empty text parameter; an
/// empty part that carries a signature is kept, it is what carries it).
pub(super) fn sent_parts(body: &TurnBody) -> Box<dyn Iterator<Item = &Part> + '_> {
    match body {
        TurnBody::User(user) => Box::new(user.parts.iter()),
        TurnBody::Model(model) if !model.has_content() => Box::new(std::iter::empty()),
        TurnBody::Model(model) => Box::new(
            model
                .parts
                .iter()
                .filter(|p| !p.thought && !is_empty_filler(p)),
        ),
    }
}

fn is_empty_filler(part: &Part) -> bool {
    part.as_text() == Some("") && part.thought_signature.is_none() && part.extra.is_empty()
}

/// Whether the model that wrote a reply signs its parts. `modelVersion` may carry a dated
/// suffix the catalog does not list (`gemini-3-pro-image-preview-11-2025`): the longest
/// catalog id it starts with decides, and a model the catalog does not know is assumed to sign
/// (so a lost signature is never masked).
fn model_signs(catalog: &Catalog, provider: &str, version: &str) -> bool {
    let spec = catalog.find(provider, version).or_else(|| {
        catalog
            .models()
            .filter(|m| version.starts_with(m.id.as_str()))
            .max_by_key(|m| m.id.len())
    });
    spec.is_none_or(|spec| spec.thinking_config || !spec.known)
}
