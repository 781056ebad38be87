//! Builds the request body for the turn at the end of the active path.
//!
//! The whole path is sent every time — that is what lets the model keep editing the same
//! picture. Model parts go back byte for byte with their signatures; model images are sent as
//! the exact bytes received, never re-encoded, resized or reordered.
//!
//! **Thought parts are dropped** from the history we send. The API allows either sending them
//! back with `"thought": true` or dropping them; they carry no signatures, and the interim thought
//! images are full-size pictures, so dropping them keeps a long edit session well under the
//! request-size limit. They are never turned into plain text (which would need a signature).
//!
//! A reply without content (a blocked prompt, an empty answer) is skipped together with the
//! prompt that caused it: the API rejects an empty model content, and the exchange told the
//! model nothing.

use bytes::Bytes;

use super::part::{Part, PartContent};
use super::settings::{SettingsError, TurnSettings};
use super::tree::{Conversation, TurnBody, TurnId};
use crate::blob::Blob;
use crate::gemini::wire::{
    GenerateContentRequest, GenerationConfig, ImageConfig, RequestContent, RequestPart,
    RequestPartData, SearchTypes, SystemInstruction, TextOnly, ThinkingConfig, Tool,
};
use crate::models::listing::Listing;
use crate::models::{Catalog, ModelSpec};

/// Where a request goes and what that destination accepts.
#[derive(Debug, Clone, Copy)]
pub struct RequestTarget<'a> {
    pub catalog: &'a Catalog,
    /// The provider's name: model aliases are per provider.
    pub provider: &'a str,
    /// The largest body the provider accepts, in bytes.
    pub size_limit: u64,
    /// What the provider said it serves, once it has been asked.
    pub listing: Option<&'a Listing>,
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub model: String,
    pub body: Bytes,
    /// Images in the request (attachments and model images in the history).
    pub image_count: usize,
}

impl PreparedRequest {
    /// The same request with `generationConfig.seed` set: one of several variations sent at
    /// once. The body is written once per prompt; each variation is a copy with its seed put
    /// at the start of the top-level `generationConfig` (which serde writes after `contents`,
    /// so the last occurrence of the key is the top-level one: a key inside a JSON string
    /// would have its quotes escaped).
    pub fn with_seed(&self, seed: i32) -> PreparedRequest {
        const KEY: &[u8] = br#""generationConfig":{"#;
        let Some(at) = memchr::memmem::rfind(&self.body, KEY).map(|i| i + KEY.len()) else {
            return self.clone();
        };
        let seed = format!(r#""seed":{seed},"#);
        let mut body = Vec::with_capacity(self.body.len() + seed.len());
        body.extend_from_slice(&self.body[..at]);
        body.extend_from_slice(seed.as_bytes());
        body.extend_from_slice(&self.body[at..]);
        PreparedRequest {
            model: self.model.clone(),
            body: Bytes::from(body),
            image_count: self.image_count,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("Turn {0} is not a prompt waiting for a reply.")]
    NotAPrompt(TurnId),
    #[error("An image of this conversation cannot be read: {0}")]
    ImageUnavailable(std::io::Error),
    #[error(
        "The request would be {} ({image_count} images in the history), over this provider's limit of {}. \
         Start a new thread from the current image with /fresh (or `send --fresh`), drop attachments, or use a smaller image size.",
        human_bytes(*size), human_bytes(*limit)
    )]
    TooLarge {
        size: u64,
        limit: u64,
        image_count: usize,
    },
    #[error("Could not write the request: {0}")]
    Serialize(#[from] serde_json::Error),
}

pub fn human_bytes(bytes: u64) -> String {
    const MB: f64 = 1_000_000.0;
    if bytes as f64 >= MB {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1000.0).ceil())
    }
}

/// Builds the body for the prompt `leaf`, refusing settings the model does not take and a body
/// above the target's size limit.
pub fn build_request(
    conversation: &Conversation,
    leaf: TurnId,
    target: &RequestTarget<'_>,
) -> Result<PreparedRequest, RequestError> {
    let path = conversation.path_to(leaf);
    let settings = match path.last().map(|t| &t.body) {
        Some(TurnBody::User(user)) => &user.settings,
        _ => return Err(RequestError::NotAPrompt(leaf)),
    };
    let spec = settings.validate(target.catalog, target.provider, target.listing)?;

    // Images loaded from disk must stay alive while the body borrows them.
    let mut loaded: Vec<Bytes> = Vec::new();
    for part in path.iter().flat_map(|t| sent_parts(&t.body)) {
        if let PartContent::Image(blob) = &part.content {
            loaded.push(blob.bytes().map_err(RequestError::ImageUnavailable)?);
        }
    }
    let mut images = loaded.iter();

    let target_signs = spec.thinking_config;
    let mut contents: Vec<RequestContent<'_>> = Vec::with_capacity(path.len());
    for turn in &path {
        let role = match &turn.body {
            TurnBody::User(_) => "user",
            TurnBody::Model(model) if !model.has_content() => {
                contents.pop();
                continue;
            }
            TurnBody::Model(_) => "model",
        };
        let mut signature_rule = SignatureRule::for_turn(&turn.body, target_signs, target);
        let parts = sent_parts(&turn.body)
            .map(|part| RequestPart {
                thought_signature: signature_rule.signature_for(part),
                data: match &part.content {
                    PartContent::Text(text) => RequestPartData::Text(text),
                    PartContent::Image(blob) => RequestPartData::InlineData {
                        mime_type: blob.mime_type(),
                        data: images.next().map(|b| &b[..]).unwrap_or_default(),
                    },
                    PartContent::FileData(file) => RequestPartData::FileData(file),
                    PartContent::Other => RequestPartData::Other,
                },
                thought: part.thought,
                other: &part.extra,
            })
            .collect();
        contents.push(RequestContent { role, parts });
    }

    let request = GenerateContentRequest {
        contents,
        system_instruction: settings
            .system_instruction
            .as_deref()
            .map(|text| SystemInstruction {
                parts: [TextOnly { text }],
            }),
        generation_config: generation_config(settings, &spec),
        tools: if settings.google_search || settings.image_search {
            vec![Tool {
                google_search: SearchTypes::new(settings.image_search),
            }]
        } else {
            Vec::new()
        },
    };
    // Sized up front so the body is written once, without regrowing (and copying) it.
    let estimate = loaded
        .iter()
        .map(|b| b.len().div_ceil(3) * 4 + 64)
        .sum::<usize>()
        + 4096;
    let mut body = Vec::with_capacity(estimate);
    serde_json::to_writer(&mut body, &request)?;
    let size = body.len() as u64;
    if size > target.size_limit {
        return Err(RequestError::TooLarge {
            size,
            limit: target.size_limit,
            image_count: loaded.len(),
        });
    }
    Ok(PreparedRequest {
        model: settings.model.clone(),
        body: Bytes::from(body),
        image_count: loaded.len(),
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

/// What the API accepts in place of a signature for model turns it did not produce.
pub const SIGNATURE_BYPASS: &str = "skip_thought_signature_validator";

/// Which parts of a model turn must carry a signature when sent to a Gemini 3 model: the first
/// non-thought text part before any image, and every non-thought image. A reply from a model
/// that does not sign (Gemini 2.5 Flash Image, when the user switches model mid-conversation)
/// has none to give; for those parts the documented bypass value is sent instead. A reply from
/// a signing model is always sent exactly as received, so a lost signature is never masked.
struct SignatureRule {
    fill_missing: bool,
    first_text_seen: bool,
    image_seen: bool,
}

impl SignatureRule {
    fn for_turn(body: &TurnBody, target_signs: bool, target: &RequestTarget<'_>) -> Self {
        let turn_signed = match body {
            TurnBody::Model(model) => model
                .model_version
                .as_deref()
                .is_none_or(|version| model_signs(target.catalog, target.provider, version)),
            TurnBody::User(_) => true,
        };
        Self {
            fill_missing: target_signs && !turn_signed,
            first_text_seen: false,
            image_seen: false,
        }
    }

    fn signature_for<'a>(&mut self, part: &'a Part) -> Option<&'a str> {
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
fn sent_parts(body: &TurnBody) -> Box<dyn Iterator<Item = &Part> + '_> {
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

fn generation_config(settings: &TurnSettings, spec: &ModelSpec) -> GenerationConfig {
    let aspect_ratio = settings
        .aspect_ratio
        .as_deref()
        .and_then(|r| spec.aspect_ratio(r))
        .map(str::to_string);
    let image_size = settings
        .image_size
        .filter(|_| spec.takes_image_size())
        .map(|s| s.as_str());
    GenerationConfig {
        response_modalities: if settings.image_only {
            vec!["IMAGE"]
        } else {
            vec!["TEXT", "IMAGE"]
        },
        image_config: (aspect_ratio.is_some() || image_size.is_some()).then_some(ImageConfig {
            aspect_ratio,
            image_size,
        }),
        thinking_config: spec.thinking_config.then_some(ThinkingConfig {
            include_thoughts: settings.include_thoughts,
            thinking_level: settings.thinking_level.map(|l| l.as_str()),
        }),
    }
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::settings::ImageSize;
    use crate::conversation::{Blob, ModelTurn, UserTurn};
    use serde_json::{Value, json};

    use super::test_target::{CATALOG, to};

    const NOW: &str = "2026-01-01T00:00:00Z";

    fn signed(mut part: Part, signature: &str) -> Part {
        part.thought_signature = Some(signature.into());
        part
    }

    fn thought(text: &str) -> Part {
        let mut part = Part::text(text);
        part.thought = true;
        part
    }

    fn two_turns() -> (Conversation, TurnId) {
        let mut c = Conversation::new();
        let attachment = Blob::from_bytes("image/png", Bytes::from_static(b"\x89PNGfake"));
        let u1 = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("make an infographic"), Part::image(attachment)],
                    settings: TurnSettings::default(),
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        let image = Blob::from_bytes("image/jpeg", Bytes::from_static(&[1, 2, 3, 4]));
        let m1 = c
            .add_model(
                u1,
                ModelTurn {
                    parts: vec![
                        thought("**Planning**"),
                        signed(Part::text("Here it is."), "sig-text"),
                        signed(Part::image(image), "sig-image"),
                    ],
                    finish_reason: Some("STOP".into()),
                    ..ModelTurn::default()
                },
                NOW.into(),
            )
            .unwrap();
        let u2 = c
            .add_user(
                Some(m1),
                UserTurn {
                    parts: vec![Part::text("bigger title")],
                    settings: TurnSettings {
                        aspect_ratio: Some("16:9".into()),
                        image_size: Some(ImageSize::K2),
                        google_search: true,
                        ..TurnSettings::default()
                    },
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        (c, u2)
    }

    #[test]
    fn full_history_with_signatures_and_without_thoughts() {
        let (c, leaf) = two_turns();
        let prepared = build_request(&c, leaf, &to(u64::MAX)).unwrap();
        let body: Value = serde_json::from_slice(&prepared.body).unwrap();
        assert_eq!(
            body["contents"],
            json!([
                {"role":"user","parts":[{"text":"make an infographic"},
                    {"inlineData":{"mimeType":"image/png","data":"iVBOR2Zha2U="}}]},
                {"role":"model","parts":[
                    {"text":"Here it is.","thoughtSignature":"sig-text"},
                    {"inlineData":{"mimeType":"image/jpeg","data":"AQIDBA=="},"thoughtSignature":"sig-image"}]},
                {"role":"user","parts":[{"text":"bigger title"}]}
            ])
        );
        assert_eq!(
            body["generationConfig"],
            json!({"responseModalities":["TEXT","IMAGE"],
                   "imageConfig":{"aspectRatio":"16:9","imageSize":"2K"},
                   "thinkingConfig":{"includeThoughts":true}})
        );
        assert_eq!(body["tools"], json!([{"googleSearch":{}}]));
        assert_eq!(prepared.image_count, 2);
    }

    #[test]
    fn too_large_is_refused_with_a_way_out() {
        let (c, leaf) = two_turns();
        let error = build_request(&c, leaf, &to(100)).unwrap_err();
        assert!(matches!(error, RequestError::TooLarge { limit: 100, .. }));
        assert!(error.to_string().contains("/fresh"), "{error}");
    }

    #[test]
    fn blocked_exchange_is_skipped() {
        let mut c = Conversation::new();
        let u1 = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("bad")],
                    settings: TurnSettings::default(),
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        let m1 = c.add_model(u1, ModelTurn::default(), NOW.into()).unwrap();
        let u2 = c
            .add_user(
                Some(m1),
                UserTurn {
                    parts: vec![Part::text("good")],
                    settings: TurnSettings::default(),
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        let body: Value =
            serde_json::from_slice(&build_request(&c, u2, &to(u64::MAX)).unwrap().body).unwrap();
        assert_eq!(
            body["contents"],
            json!([{"role":"user","parts":[{"text":"good"}]}])
        );
    }

    #[test]
    fn no_image_size_or_thinking_for_2_5_flash() {
        let settings = TurnSettings {
            model: "gemini-2.5-flash-image".into(),
            aspect_ratio: Some("4:3".into()),
            image_only: true,
            ..TurnSettings::default()
        };
        let spec = settings.validate(&CATALOG, "google", None).unwrap();
        let config = serde_json::to_value(generation_config(&settings, &spec)).unwrap();
        assert_eq!(
            config,
            json!({"responseModalities":["IMAGE"],"imageConfig":{"aspectRatio":"4:3"}})
        );
    }

    #[test]
    fn a_variation_carries_its_seed_in_the_top_level_generation_config() {
        let mut conversation = Conversation::new();
        let user = UserTurn {
            parts: vec![Part::text(r#"say "generationConfig":{ twice"#)],
            settings: TurnSettings::default(),
            region: None,
        };
        let prompt = conversation.add_user(None, user, String::new()).unwrap();
        let request = build_request(&conversation, prompt, &to(u64::MAX)).unwrap();
        let varied = request.with_seed(7);
        let json: serde_json::Value = serde_json::from_slice(&varied.body).unwrap();
        let original: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(json["generationConfig"]["seed"], 7);
        assert_eq!(json["contents"], original["contents"]);
        let mut without = json.clone();
        without["generationConfig"]
            .as_object_mut()
            .unwrap()
            .remove("seed");
        assert_eq!(without, original);
    }

    #[test]
    fn flash_options_reach_the_wire() {
        let settings = TurnSettings {
            model: "gemini-3.1-flash-image".into(),
            aspect_ratio: Some("1:8".into()),
            image_size: Some(ImageSize::Px512),
            thinking_level: Some(crate::models::ThinkingLevel::High),
            image_search: true,
            ..TurnSettings::default()
        };
        let mut c = Conversation::new();
        let u1 = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("a tall poster")],
                    settings,
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        let body: Value =
            serde_json::from_slice(&build_request(&c, u1, &to(u64::MAX)).unwrap().body).unwrap();
        assert_eq!(
            body["generationConfig"],
            json!({"responseModalities":["TEXT","IMAGE"],
                   "imageConfig":{"aspectRatio":"1:8","imageSize":"512"},
                   "thinkingConfig":{"includeThoughts":true,"thinkingLevel":"high"}})
        );
        assert_eq!(
            body["tools"],
            json!([{"googleSearch":{"searchTypes":{"webSearch":{},"imageSearch":{}}}}])
        );
    }

    #[test]
    fn options_a_model_does_not_take_are_refused_before_sending() {
        let mut c = Conversation::new();
        let u1 = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("x")],
                    settings: TurnSettings {
                        image_size: Some(ImageSize::Px512),
                        ..TurnSettings::default()
                    },
                    region: None,
                },
                NOW.into(),
            )
            .unwrap();
        let error = build_request(&c, u1, &to(u64::MAX)).unwrap_err();
        assert!(error.to_string().contains("1K 2K 4K"), "{error}");
    }
}
