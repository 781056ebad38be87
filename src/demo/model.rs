//! What the demo model answers: request validation as strict as the real API's (signatures
//! included), and a reply shaped like Nano Banana Pro's — thoughts, an interim thought image, a
//! signed text part, a signed final image, grounding when search is on, usage.
//!
//! Pure apart from painting: a request body in, an answer out. The HTTP side is in `mod.rs`.

use std::io::Cursor;

use serde_json::{Value, json};

use super::painter::{Scene, paint};
use super::request::{
    ConversationText, DemoError, GenerationSettings, bad_request, error, read_config,
    read_conversation, variant_of,
};
use super::signature::{Signed, sign};
use crate::gemini::base64;
use crate::models::{Catalog, ImageSize, ModelSpec};

/// The demo answers as Google does: the built-in catalog, as Google serves it. A user's
/// catalog overrides never loosen the demo.
pub static GOOGLE: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(Catalog::builtin);
/// The provider the demo impersonates.
pub const DEMO_PROVIDER: &str = "google";

/// A successful generation, before it is framed as one body or as SSE chunks.
#[derive(Debug, Default)]
pub struct DemoReply {
    pub thought_parts: Vec<Value>,
    pub answer_parts: Vec<Value>,
    pub finish_reason: Option<String>,
    pub finish_message: Option<String>,
    pub prompt_feedback: Option<Value>,
    pub grounding: Option<Value>,
    pub usage: Value,
    pub model_version: String,
    pub response_id: String,
}

/// What shapes the reply besides the request itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplyShape {
    /// Real pixel sizes (4K is 5504×3072); otherwise a quarter of each side, to stay quick.
    pub full_size: bool,
    /// Noise over the final picture (see `DemoOptions::grain`).
    pub grain: bool,
    pub outcome: Outcome,
    /// How many answers to this same request came before this one (its take, from 0): each
    /// take paints another variant.
    pub take: u32,
}

/// The content-level faults (transport faults are applied by the server).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Outcome {
    #[default]
    Normal,
    PromptBlocked,
    ImageSafety,
    NoImage,
    TextOnly,
}

/// Reads a request and answers it. `relayed`: a relay serves this id (see
/// `DemoOptions::aliases`), so a model Google retired is answered too.
pub fn answer(
    model: &str,
    relayed: bool,
    body: &[u8],
    shape: ReplyShape,
) -> Result<DemoReply, DemoError> {
    let spec = GOOGLE
        .find(DEMO_PROVIDER, model)
        .filter(|spec| relayed || !spec.is_retired())
        .ok_or_else(|| {
            error(
                404,
                "NOT_FOUND",
                &format!(
                    "models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
                ),
            )
        })?;
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("Invalid JSON payload received. {e}")))?;
    let conversation = read_conversation(&request, spec.thinking_config)?;
    if conversation.images_in_last_prompt > spec.reference_images.total {
        return Err(bad_request(format!(
            "Too many images in the request: {} were given, {model} accepts at most {}.",
            conversation.images_in_last_prompt, spec.reference_images.total
        )));
    }
    let config = read_config(&request, spec)?;
    Ok(generate(spec, &conversation, &config, shape))
}

fn generate(
    spec: &ModelSpec,
    conversation: &ConversationText,
    settings: &GenerationSettings,
    shape: ReplyShape,
) -> DemoReply {
    let subject = conversation
        .prompts
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let edits: Vec<&str> = conversation
        .prompts
        .iter()
        .skip(1)
        .map(String::as_str)
        .collect();
    let last_edit = edits.last().copied();
    let model = spec.id.as_str();
    let variant = variant_of(conversation.variant, shape.take);
    let variant_note = match variant {
        0 => String::new(),
        v => format!(" (variant {v})"),
    };
    // Models that think sign their parts and answer in JPEG; 2.5 Flash Image does neither.
    let gemini3 = spec.thinking_config;
    let version = conversation.prompts.len();
    let (width, height) = if shape.full_size {
        (settings.width, settings.height)
    } else {
        ((settings.width / 4).max(16), (settings.height / 4).max(16))
    };
    let mut reply = DemoReply {
        model_version: model.to_string(),
        response_id: format!("demo-{:016x}", fastrand::u64(..)),
        ..DemoReply::default()
    };

    if shape.outcome == Outcome::PromptBlocked {
        reply.prompt_feedback = Some(json!({"blockReason": "PROHIBITED_CONTENT"}));
        reply.usage = json!({"promptTokenCount": prompt_tokens(conversation), "totalTokenCount": prompt_tokens(conversation)});
        return reply;
    }

    let planning = format!(
        "**Planning the composition**\n\nThe request is for {}. I'm laying out a {width}×{height} canvas: a bold title band, three data panels and a caption area.",
        quote(subject)
    );
    let second = match last_edit {
        Some(edit) => format!(
            "**Applying the edit**\n\nKeeping everything from the picture before and changing only what was asked: {}.",
            quote(edit)
        ),
        None if settings.search => "**Checking the facts**\n\nI searched the web so the numbers on the panels are current, and I'll cite the sources.".to_string(),
        None => "**Choosing a palette**\n\nA clear, high-contrast palette keeps the panels readable at small sizes.".to_string(),
    };
    let thought_count_tokens = (planning.len() + second.len()) as u64 / 4;
    if gemini3 && settings.include_thoughts {
        reply
            .thought_parts
            .push(json!({"text": planning, "thought": true}));
        reply
            .thought_parts
            .push(json!({"text": second, "thought": true}));
        let draft = paint(
            &Scene {
                subject,
                edits: &edits,
                draft: Some(1),
                variant,
            },
            (width / 2).max(8),
            (height / 2).max(8),
        );
        reply.thought_parts.push(json!({
            "inlineData": {"mimeType": "image/jpeg", "data": encode(&draft, "image/jpeg")},
            "thought": true
        }));
    }

    let mut text_tokens = 0;
    let mut image_tokens = 0;
    let answer_text = match last_edit {
        Some(edit) => format!(
            "Done: I kept the previous picture and applied {} (edit {}){variant_note}.",
            quote(edit),
            version - 1
        ),
        None => format!("Here is the infographic: {}{variant_note}.", quote(subject)),
    };
    let signed_text =
        |text: &str| json!({"text": text, "thoughtSignature": sign(Signed::Text(text))});
    match shape.outcome {
        Outcome::ImageSafety => {
            reply.finish_reason = Some("IMAGE_SAFETY".into());
            reply.finish_message = Some(
                "Unable to show the generated image. The image was filtered out because it violated Google's Generative AI Prohibited Use policy.".into(),
            );
        }
        Outcome::NoImage => {
            reply.finish_reason = Some("NO_IMAGE".into());
            reply.thought_parts.clear();
        }
        Outcome::TextOnly => {
            let text = "I can describe it, but I did not draw an image this time.";
            text_tokens += text.len() as u64 / 4;
            reply.answer_parts.push(if gemini3 {
                signed_text(text)
            } else {
                json!({"text": text})
            });
            reply.finish_reason = Some("STOP".into());
        }
        Outcome::Normal | Outcome::PromptBlocked => {
            if !settings.image_only {
                text_tokens += answer_text.len() as u64 / 4;
                reply.answer_parts.push(if gemini3 {
                    signed_text(&answer_text)
                } else {
                    json!({"text": answer_text})
                });
            }
            let mut picture = paint(
                &Scene {
                    subject,
                    edits: &edits,
                    draft: None,
                    variant,
                },
                width,
                height,
            );
            if let Some(edit) = last_edit {
                super::region_edit::apply(&mut picture, &conversation.last_prompt_images, edit);
            }
            if shape.grain {
                add_grain(&mut picture);
            }
            let mime = if gemini3 { "image/jpeg" } else { "image/png" };
            let data = encode(&picture, mime);
            let mut part = json!({"inlineData": {"mimeType": mime, "data": data}});
            if gemini3 {
                let bytes = base64::decode(data.as_bytes()).unwrap_or_default();
                part["thoughtSignature"] = Value::String(sign(Signed::Image(&bytes)));
            }
            reply.answer_parts.push(part);
            image_tokens = spec
                .price
                .as_ref()
                .and_then(|p| {
                    let size = Some(settings.image_size).filter(|_| spec.takes_image_size());
                    p.image_tokens.get(&size.unwrap_or(ImageSize::K1)).copied()
                })
                .unwrap_or(1120);
            reply.finish_reason = Some("STOP".into());
        }
    }
    if settings.search {
        reply.grounding = Some(grounding(subject, &answer_text, settings.image_search));
    }
    let prompt = prompt_tokens(conversation);
    let thoughts = if gemini3 { thought_count_tokens } else { 0 };
    let mut details = vec![];
    if text_tokens > 0 {
        details.push(json!({"modality": "TEXT", "tokenCount": text_tokens}));
    }
    if image_tokens > 0 {
        details.push(json!({"modality": "IMAGE", "tokenCount": image_tokens}));
    }
    reply.usage = json!({
        "promptTokenCount": prompt,
        "candidatesTokenCount": text_tokens + image_tokens,
        "thoughtsTokenCount": thoughts,
        "totalTokenCount": prompt + text_tokens + image_tokens + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": conversation.text_chars as u64 / 4},
                                {"modality": "IMAGE", "tokenCount": conversation.images_in_request as u64 * 560}],
        "candidatesTokensDetails": details,
    });
    reply
}

fn prompt_tokens(conversation: &ConversationText) -> u64 {
    conversation.text_chars as u64 / 4 + conversation.images_in_request as u64 * 560
}

/// Quotes a prompt for the model's prose, shortened.
fn quote(text: &str) -> String {
    let single_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = single_line.chars().take(80).collect();
    if short.len() < single_line.len() {
        format!("\u{201c}{short}…\u{201d}")
    } else {
        format!("\u{201c}{short}\u{201d}")
    }
}

fn grounding(subject: &str, answer: &str, image_search: bool) -> Value {
    let topic: String = subject
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    let slug: String = topic
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut metadata = json!({
        "webSearchQueries": [topic.clone(), format!("{topic} statistics")],
        "searchEntryPoint": {"renderedContent": format!("<div class=\"chip\">{topic}</div>")},
        "groundingChunks": [
            {"web": {"uri": format!("https://en.example.org/wiki/{slug}"), "title": "example.org"}},
            {"web": {"uri": format!("https://data.example.com/{slug}/statistics"), "title": "data.example.com"}},
            {"web": {"uri": format!("https://news.example.net/explainers/{slug}"), "title": "news.example.net"}}
        ],
        "groundingSupports": [
            {"segment": {"endIndex": answer.len(), "text": answer}, "groundingChunkIndices": [0, 1]}
        ]
    });
    if image_search {
        metadata["imageSearchQueries"] = json!([format!("{topic} photo")]);
        if let Some(chunks) = metadata["groundingChunks"].as_array_mut() {
            chunks.push(json!({"image": {
                "sourceUri": format!("https://photos.example.org/{slug}"),
                "imageUri": format!("https://photos.example.org/{slug}/1.jpg"),
                "title": format!("{topic} (photo)"),
                "domain": "photos.example.org"
            }}));
        }
    }
    metadata
}

/// Strong noise on every channel: JPEG and PNG can hardly compress it.
fn add_grain(picture: &mut image::RgbImage) {
    let mut rng = fastrand::Rng::new();
    for value in picture.iter_mut() {
        *value = *value / 4 + rng.u8(..192);
    }
}

fn encode(picture: &image::RgbImage, mime: &str) -> String {
    let mut bytes = Vec::new();
    let result = if mime == "image/png" {
        picture.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 88).encode_image(picture)
    };
    // Encoding an in-memory RGB buffer cannot fail short of running out of memory.
    if result.is_err() {
        bytes.clear();
    }
    base64_simd::STANDARD.encode_to_string(&bytes)
}

impl DemoReply {
    /// The whole reply as one `generateContent` body.
    pub fn unary(&self) -> Value {
        let parts: Vec<&Value> = self
            .thought_parts
            .iter()
            .chain(&self.answer_parts)
            .collect();
        let mut response = self.envelope();
        if self.finish_reason.is_some() {
            let mut candidate = json!({"content": {"role": "model", "parts": parts}, "index": 0});
            self.finish(&mut candidate);
            response["candidates"] = json!([candidate]);
        }
        response
    }

    /// The reply as streamed chunks: one per thought, the answer text in two deltas (the
    /// signature on the first), the image whole in one chunk, and a final `{"text": ""}` chunk
    /// carrying finishReason, grounding and usage — as recorded from the real API.
    pub fn chunks(&self) -> Vec<Value> {
        let mut chunks = Vec::new();
        let chunk = |parts: Vec<Value>| {
            let mut response =
                json!({"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}]});
            response["modelVersion"] = json!(self.model_version);
            response["responseId"] = json!(self.response_id);
            response
        };
        for part in &self.thought_parts {
            chunks.push(chunk(vec![part.clone()]));
        }
        for part in &self.answer_parts {
            match part.get("text").and_then(Value::as_str) {
                Some(text) if text.len() > 8 => {
                    // The first space after the middle (the prompt may put a multi-byte
                    // character there, so the middle is found by characters).
                    let middle = (text.len() / 2..text.len())
                        .find(|i| text.is_char_boundary(*i))
                        .unwrap_or(text.len());
                    let cut = text[middle..]
                        .find(' ')
                        .map(|i| middle + i)
                        .unwrap_or(text.len());
                    // Signed as streamed: the signature covers the part that carries it.
                    let mut first = part.clone();
                    first["text"] = json!(&text[..cut]);
                    if first.get("thoughtSignature").is_some() {
                        first["thoughtSignature"] = json!(sign(Signed::Text(&text[..cut])));
                    }
                    chunks.push(chunk(vec![first]));
                    if cut < text.len() {
                        chunks.push(chunk(vec![json!({"text": &text[cut..]})]));
                    }
                }
                _ => chunks.push(chunk(vec![part.clone()])),
            }
        }
        let mut last = self.envelope();
        if self.finish_reason.is_some() {
            let mut candidate =
                json!({"content": {"role": "model", "parts": [{"text": ""}]}, "index": 0});
            if self.answer_parts.is_empty() {
                candidate["content"] = json!({});
            }
            self.finish(&mut candidate);
            last["candidates"] = json!([candidate]);
        }
        chunks.push(last);
        chunks
    }

    /// How many leading chunks are thoughts (where the cut and stall faults strike).
    pub fn thought_chunks(&self) -> usize {
        self.thought_parts.len()
    }

    fn envelope(&self) -> Value {
        let mut response = json!({"usageMetadata": self.usage, "modelVersion": self.model_version, "responseId": self.response_id});
        if let Some(feedback) = &self.prompt_feedback {
            response["promptFeedback"] = feedback.clone();
        }
        response
    }

    fn finish(&self, candidate: &mut Value) {
        candidate["finishReason"] = json!(self.finish_reason);
        if let Some(message) = &self.finish_message {
            candidate["finishMessage"] = json!(message);
        }
        if let Some(grounding) = &self.grounding {
            candidate["groundingMetadata"] = grounding.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "gemini-3-pro-image";

    fn request(contents: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"contents": contents, "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "thinkingConfig": {"includeThoughts": true}}})).unwrap()
    }

    fn reply_to(contents: Value) -> DemoReply {
        match answer(MODEL, false, &request(contents), ReplyShape::default()) {
            Ok(reply) => reply,
            Err(error) => panic!("unexpected error {}", error.body),
        }
    }

    fn error_message(contents: Value) -> String {
        match answer(MODEL, false, &request(contents), ReplyShape::default()) {
            Err(error) => error.body["error"]["message"].as_str().unwrap().to_string(),
            Ok(_) => panic!("expected an error"),
        }
    }

    /// The first turn's answer parts, as a client would send them back.
    fn first_turn() -> (Value, Vec<Value>) {
        let user = json!({"role": "user", "parts": [{"text": "an infographic about bees"}]});
        let reply = reply_to(json!([user.clone()]));
        (user, reply.answer_parts)
    }

    #[test]
    fn a_reply_has_thoughts_a_signed_text_and_a_signed_image() {
        let (_, answer_parts) = first_turn();
        let reply =
            reply_to(json!([{"role": "user", "parts": [{"text": "an infographic about bees"}]}]));
        assert_eq!(reply.thought_parts.len(), 3);
        assert!(reply.thought_parts[2]["inlineData"].is_object());
        assert!(answer_parts[0]["thoughtSignature"].is_string());
        assert!(answer_parts[1]["thoughtSignature"].is_string());
        assert_eq!(reply.finish_reason.as_deref(), Some("STOP"));
    }

    #[test]
    fn history_with_signatures_intact_is_accepted() {
        let (user, answer_parts) = first_turn();
        let contents = json!([user, {"role": "model", "parts": answer_parts}, {"role": "user", "parts": [{"text": "bigger title"}]}]);
        reply_to(contents);
    }

    /// The error for sending the first turn back with part `index`'s signature removed.
    fn refusal_without_signature(index: usize) -> String {
        let (user, mut answer_parts) = first_turn();
        answer_parts[index]
            .as_object_mut()
            .unwrap()
            .remove("thoughtSignature");
        error_message(
            json!([user, {"role": "model", "parts": answer_parts}, {"role": "user", "parts": [{"text": "x"}]}]),
        )
    }

    #[test]
    fn a_dropped_signature_is_refused_like_the_real_api() {
        assert_eq!(
            refusal_without_signature(1),
            "Image part is missing a thought_signature in content position 2, part position 2."
        );
        assert_eq!(
            refusal_without_signature(0),
            "Text part is missing a thought_signature in content position 2, part position 1."
        );
    }

    #[test]
    fn an_altered_signature_or_image_is_corrupted() {
        let (user, answer_parts) = first_turn();
        let mut swapped = answer_parts.clone();
        let text_signature = swapped[0]["thoughtSignature"].clone();
        swapped[1]["thoughtSignature"] = text_signature;
        let contents = json!([user, {"role": "model", "parts": swapped}, {"role": "user", "parts": [{"text": "x"}]}]);
        assert_eq!(error_message(contents), "Corrupted thought signature.");

        let mut reencoded = answer_parts;
        reencoded[1]["inlineData"]["data"] = json!("AAAA");
        let contents = json!([user, {"role": "model", "parts": reencoded}, {"role": "user", "parts": [{"text": "x"}]}]);
        assert_eq!(error_message(contents), "Corrupted thought signature.");
    }

    #[test]
    fn a_seed_must_be_an_int32() {
        let (user, _) = first_turn();
        let mut body: Value = serde_json::from_slice(&request(json!([user]))).unwrap();
        body["generationConfig"]["seed"] = json!(12);
        let ok = serde_json::to_vec(&body).unwrap();
        assert!(answer(MODEL, false, &ok, ReplyShape::default()).is_ok());
        for bad in [json!("12"), json!(1.5), json!(1u64 << 40)] {
            body["generationConfig"]["seed"] = bad;
            let refused = serde_json::to_vec(&body).unwrap();
            let error = answer(MODEL, false, &refused, ReplyShape::default()).unwrap_err();
            assert_eq!(error.status, 400);
            assert!(error.body.to_string().contains("generation_config.seed"));
        }
    }

    #[test]
    fn lowercase_size_and_unknown_model_are_refused() {
        let body = serde_json::to_vec(
            &json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
            "generationConfig": {"imageConfig": {"imageSize": "2k"}}}),
        )
        .unwrap();
        assert!(matches!(
            answer(MODEL, false, &body, ReplyShape::default()),
            Err(DemoError { status: 400, .. })
        ));
        assert!(matches!(
            answer("gemini-9", false, &body, ReplyShape::default()),
            Err(DemoError { status: 404, .. })
        ));
    }

    #[test]
    fn prompts_with_wide_characters_stream_without_panicking() {
        for prompt in ["a tall poster of bees", "“quoted” ünïcödé 🐝🐝🐝 text"] {
            let reply = reply_to(json!([{"role": "user", "parts": [{"text": prompt}]}]));
            let streamed: String = reply
                .chunks()
                .iter()
                .filter_map(|c| c["candidates"][0]["content"]["parts"][0]["text"].as_str())
                .collect();
            assert!(streamed.contains(prompt), "{streamed}");
        }
    }

    #[test]
    fn streamed_chunks_carry_the_same_parts() {
        let reply =
            reply_to(json!([{"role": "user", "parts": [{"text": "an infographic about bees"}]}]));
        let chunks = reply.chunks();
        let last = chunks.last().unwrap();
        assert_eq!(last["candidates"][0]["finishReason"], "STOP");
        assert_eq!(last["candidates"][0]["content"]["parts"][0]["text"], "");
        let texts: String = chunks
            .iter()
            .flat_map(|c| {
                c["candidates"][0]["content"]["parts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|p| p["thought"] != json!(true))
            .filter_map(|p| p["text"].as_str().map(str::to_string))
            .collect();
        assert_eq!(texts, reply.answer_parts[0]["text"].as_str().unwrap());
    }
}
