//! Reading a request as strictly as the real API: the history and its signatures, then the
//! generation settings against the model's spec. Any breach is a 400 with Google's envelope.

use serde_json::{Map, Value, json};

use super::signature::{Signed, verify};
use crate::gemini::base64;
use crate::models::{ImageSize, ModelSpec};

/// An HTTP error with Google's error envelope.
#[derive(Debug)]
pub struct DemoError {
    pub status: u16,
    pub body: Value,
}

pub fn error(status: u16, status_text: &str, message: &str) -> DemoError {
    DemoError {
        status,
        body: json!({"error": {"code": status, "message": message, "status": status_text}}),
    }
}

pub(super) fn bad_request(message: impl AsRef<str>) -> DemoError {
    error(400, "INVALID_ARGUMENT", message.as_ref())
}

/// The user prompts of a validated request.
pub(super) struct ConversationText {
    pub(super) prompts: Vec<String>,
    /// The variant the latest reply in the history was, so an edit keeps its look.
    pub(super) variant: u64,
    pub(super) text_chars: usize,
    pub(super) images_in_request: usize,
    /// Images the user attached to the prompt being answered.
    pub(super) images_in_last_prompt: usize,
    /// Their bytes, to find a region outlined on one.
    pub(super) last_prompt_images: Vec<Vec<u8>>,
}

fn parts_of(content: &Value) -> &[Value] {
    content
        .get("parts")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn field<'v>(part: &'v Value, camel: &str, snake: &str) -> Option<&'v Value> {
    part.get(camel).or_else(|| part.get(snake))
}

/// Checks the history the way the real API does for image models, and collects the prompts.
pub(super) fn read_conversation(
    request: &Value,
    check_signatures: bool,
) -> Result<ConversationText, DemoError> {
    let contents = request
        .get("contents")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            bad_request("* GenerateContentRequest.contents: contents is not specified")
        })?;
    let mut text = ConversationText {
        prompts: Vec::new(),
        variant: 0,
        text_chars: 0,
        images_in_request: 0,
        images_in_last_prompt: 0,
        last_prompt_images: Vec::new(),
    };
    for (index, content) in contents.iter().enumerate() {
        let position = index + 1;
        let role = content
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or("user");
        let parts = parts_of(content);
        if parts.is_empty() {
            return Err(bad_request(format!(
                "* GenerateContentRequest.contents[{index}].parts: contents.parts must not be empty."
            )));
        }
        let mut prompt = String::new();
        // Signature rule: the first non-thought text part before any image, and every
        // non-thought image, must carry the signature the model gave it.
        let mut first_text_seen = false;
        let mut image_seen = false;
        let mut user_text_seen = false;
        for (part_index, part) in parts.iter().enumerate() {
            let part_position = part_index + 1;
            let thought = part
                .get("thought")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let signature =
                field(part, "thoughtSignature", "thought_signature").and_then(Value::as_str);
            if let Some(t) = part.get("text").and_then(Value::as_str) {
                text.text_chars += t.len();
                if t.is_empty() && signature.is_none() {
                    return Err(bad_request(
                        "Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.",
                    ));
                }
                // A prompt's first text is what the user asked; a later one is context (a
                // region edit's instruction), read as a model reads it, not as more edits.
                if role == "user" {
                    if !user_text_seen {
                        prompt.push_str(t);
                    }
                    user_text_seen = true;
                } else if let Some(variant) = variant_named_in(t) {
                    text.variant = variant;
                }
                if role != "user" && check_signatures && !thought {
                    let required = !first_text_seen && !image_seen;
                    first_text_seen = true;
                    check_signature(
                        signature,
                        Signed::Text(t),
                        required,
                        "Text",
                        position,
                        part_position,
                    )?;
                }
            } else if let Some(inline) = field(part, "inlineData", "inline_data") {
                text.images_in_request += 1;
                if role == "user" && index + 1 == contents.len() {
                    text.images_in_last_prompt += 1;
                }
                let data = inline
                    .get("data")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let bytes = base64::decode(data.as_bytes()).ok_or_else(|| {
                    bad_request(format!(
                        "Invalid value at 'contents[{index}].parts[{part_index}].inline_data.data' (TYPE_BYTES), Base64 decoding failed"
                    ))
                })?;
                if role == "user" && index + 1 == contents.len() {
                    text.last_prompt_images.push(bytes.clone());
                }
                if role != "user" && check_signatures && !thought {
                    image_seen = true;
                    check_signature(
                        signature,
                        Signed::Image(&bytes),
                        true,
                        "Image",
                        position,
                        part_position,
                    )?;
                }
            }
        }
        if role == "user" {
            text.prompts.push(prompt);
        }
        if index + 1 == contents.len() && role != "user" {
            return Err(bad_request(
                "Please ensure that the last content in the request is from the user role.",
            ));
        }
    }
    Ok(text)
}

/// The variant a reply's text names, "(variant 7)"; none names the first.
fn variant_named_in(text: &str) -> Option<u64> {
    let start = text.rfind("(variant ")? + "(variant ".len();
    let digits = text[start..].split(')').next()?;
    digits.parse().ok()
}

/// The variant this answer paints: the history's, or for a later take a new one derived
/// from it (the same request answered again must look different, like a real model's).
pub(super) fn variant_of(history: u64, take: u32) -> u64 {
    if take == 0 {
        return history;
    }
    let mixed =
        (history ^ u64::from(take).wrapping_mul(0x2545_f491_4f6c_dd1d)).wrapping_mul(0x9e37_79b9);
    // Short enough to read in the reply text; never 0, which is the first variant.
    mixed % 9_999 + 1
}

fn check_signature(
    signature: Option<&str>,
    content: Signed<'_>,
    required: bool,
    kind: &str,
    position: usize,
    part_position: usize,
) -> Result<(), DemoError> {
    match signature {
        None if required => Err(bad_request(format!(
            "{kind} part is missing a thought_signature in content position {position}, part position {part_position}."
        ))),
        None => Ok(()),
        Some(signature) if verify(signature, content) => Ok(()),
        Some(_) => Err(bad_request("Corrupted thought signature.")),
    }
}

pub(super) struct GenerationSettings {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) image_size: ImageSize,
    pub(super) search: bool,
    pub(super) image_search: bool,
    pub(super) include_thoughts: bool,
    pub(super) image_only: bool,
}

pub(super) fn read_config(
    request: &Value,
    spec: &ModelSpec,
) -> Result<GenerationSettings, DemoError> {
    let model = spec.id.as_str();
    let empty = Map::new();
    let config = request
        .get("generationConfig")
        .or_else(|| request.get("generation_config"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let image_config = config
        .get("imageConfig")
        .or_else(|| config.get("image_config"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let ratio = match image_config
        .get("aspectRatio")
        .or_else(|| image_config.get("aspect_ratio"))
        .and_then(Value::as_str)
    {
        None => "1:1".to_string(),
        Some(ratio) => spec
            .aspect_ratio(ratio)
            .map(str::to_string)
            .ok_or_else(|| bad_request(format!("Unsupported aspect ratio: {ratio}")))?,
    };
    let image_size = match image_config
        .get("imageSize")
        .or_else(|| image_config.get("image_size"))
        .and_then(Value::as_str)
    {
        None => ImageSize::K1,
        Some(_) if !spec.takes_image_size() => {
            return Err(bad_request("Image size is not supported for this model."));
        }
        Some(size) => spec
            .sizes
            .iter()
            .copied()
            .find(|s| s.as_str() == size)
            .ok_or_else(|| {
                let supported: Vec<String> =
                    spec.sizes.iter().map(|s| format!("\"{s}\"")).collect();
                bad_request(format!(
                    "Invalid value at 'generation_config.image_config.image_size': {size:?}. Supported values are {}.",
                    supported.join(", ")
                ))
            })?,
    };
    // An int32 field: anything else is refused, as by the real API.
    if let Some(seed) = config.get("seed")
        && seed.as_i64().and_then(|s| i32::try_from(s).ok()).is_none()
    {
        return Err(bad_request(format!(
            "Invalid value at 'generation_config.seed' (TYPE_INT32), {seed}"
        )));
    }
    let thinking = config
        .get("thinkingConfig")
        .or_else(|| config.get("thinking_config"))
        .and_then(Value::as_object);
    if let Some(thinking) = thinking {
        if !spec.thinking_config {
            return Err(bad_request(format!(
                "Thinking is not enabled for models/{model}"
            )));
        }
        let level = thinking
            .get("thinkingLevel")
            .or_else(|| thinking.get("thinking_level"));
        let budget = thinking
            .get("thinkingBudget")
            .or_else(|| thinking.get("thinking_budget"));
        if level.is_some() && budget.is_some() {
            return Err(bad_request(
                "You can only set only one of thinking budget and thinking level.",
            ));
        }
        if let Some(level) = level {
            let name = level.as_str().unwrap_or_default();
            let taken = spec
                .thinking_levels
                .iter()
                .any(|l| l.as_str().eq_ignore_ascii_case(name));
            if !taken {
                return Err(bad_request(format!(
                    "Thinking level {} is not supported for this model. Please retry with other thinking level.",
                    name.to_ascii_uppercase()
                )));
            }
        }
    }
    let include_thoughts = thinking
        .and_then(|t| {
            t.get("includeThoughts")
                .or_else(|| t.get("include_thoughts"))
        })
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let modalities: Vec<&str> = config
        .get("responseModalities")
        .or_else(|| config.get("response_modalities"))
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_else(|| vec!["TEXT", "IMAGE"]);
    let search_tool = request
        .get("tools")
        .and_then(Value::as_array)
        .and_then(|tools| {
            tools
                .iter()
                .find_map(|t| t.get("googleSearch").or_else(|| t.get("google_search")))
        });
    if search_tool.is_some() && !spec.google_search {
        return Err(bad_request(format!(
            "Search as tool is not enabled for models/{model}"
        )));
    }
    let image_search = search_tool
        .and_then(|tool| tool.get("searchTypes").or_else(|| tool.get("search_types")))
        .is_some_and(|types| {
            types.get("imageSearch").is_some() || types.get("image_search").is_some()
        });
    if image_search && !spec.image_search {
        return Err(bad_request(format!(
            "Image search is not supported for models/{model}"
        )));
    }
    let (width, height) = pixel_size(&ratio, image_size);
    Ok(GenerationSettings {
        width,
        height,
        image_size,
        search: search_tool.is_some(),
        image_search,
        include_thoughts: include_thoughts && spec.thinking_config,
        image_only: !modalities.contains(&"TEXT"),
    })
}

/// Output sizes of Gemini 3 Pro Image by aspect ratio and size.
pub fn pixel_size(ratio: &str, size: ImageSize) -> (u32, u32) {
    let (w, h) = match ratio {
        "2:3" => (848, 1264),
        "3:2" => (1264, 848),
        "3:4" => (896, 1200),
        "4:3" => (1200, 896),
        "4:5" => (928, 1152),
        "5:4" => (1152, 928),
        "9:16" => (768, 1376),
        "16:9" => (1376, 768),
        "21:9" => (1584, 672),
        "1:4" => (512, 2048),
        "4:1" => (2048, 512),
        "1:8" => (384, 3072),
        "8:1" => (3072, 384),
        _ => (1024, 1024),
    };
    match size {
        ImageSize::Px512 => (w / 2, h / 2),
        ImageSize::K1 => (w, h),
        ImageSize::K2 => (w * 2, h * 2),
        ImageSize::K4 => (w * 4, h * 4),
    }
}
