//! The Interactions API (`POST {base}/v1/interactions`, or `v1beta`): the request and the streamed
//! events, with the field names of Google's own SDK (`google-genai`,
//! `google/genai/_gaos/types/interactions/`): snake_case throughout, and a `type` on every
//! step, content and delta.
//!
//! A model's answer comes as steps: `thought` steps (a summary, and the signature) and
//! `model_output` steps (text and images). A thought's signature belongs to the output that
//! follows it, as `thoughtSignature` belongs to its part in `generateContent`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::serialize_base64;
use super::response::UsageMetadata;
use super::status::ErrorBody;
use crate::gemini::lenient::{null_as_default, other_shape_as_default};

/// The body of a create-interaction call. Image bytes are base64-encoded while it is written.
#[derive(Debug, Serialize)]
pub struct InteractionRequest<'a> {
    pub model: &'a str,
    pub input: Vec<InputStep<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_interaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<&'a str>,
    /// Not inherited from the previous interaction: sent with every turn.
    pub generation_config: InteractionConfig,
    /// Text and image, or image alone, with the picture's shape and size.
    pub response_format: Vec<ResponseFormat>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<InteractionTool>,
    pub stream: bool,
    /// Kept on the server (55 days on paid tiers, 1 on free), so the next turn can name it.
    pub store: bool,
}

/// One step of the input: the new prompt, or a turn of the history when the server has none.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputStep<'a> {
    UserInput { content: Vec<InputContent<'a>> },
    Thought { signature: &'a str },
    ModelOutput { content: Vec<InputContent<'a>> },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputContent<'a> {
    Text {
        text: &'a str,
    },
    Image {
        mime_type: &'a str,
        #[serde(serialize_with = "serialize_base64")]
        data: &'a [u8],
    },
}

#[derive(Debug, Default, Serialize)]
pub struct InteractionConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<&'static str>,
    /// `auto` shows the thinking; `none` keeps it to the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_summaries: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    Text,
    Image {
        #[serde(skip_serializing_if = "Option::is_none")]
        aspect_ratio: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        image_size: Option<&'static str>,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InteractionTool {
    GoogleSearch {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        search_types: Vec<&'static str>,
    },
}

/// One server-sent event of a streamed interaction (or, with `steps`, a whole one).
#[derive(Debug, Default, Deserialize)]
pub struct InteractionEvent<'a> {
    #[serde(default)]
    pub event_type: String,
    /// `interaction.created` / `interaction.completed`, and a unary answer's own fields.
    #[serde(default)]
    pub interaction: Option<InteractionHeader<'a>>,
    /// `step.start`.
    #[serde(default, borrow)]
    pub step: Option<Step<'a>>,
    /// `step.delta`.
    #[serde(default, borrow)]
    pub delta: Option<StepContent<'a>>,
    /// `error`.
    #[serde(default)]
    pub error: Option<InteractionError>,
}

/// What an event says of the interaction as a whole.
#[derive(Debug, Default, Deserialize)]
pub struct InteractionHeader<'a> {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default, deserialize_with = "null_as_default", borrow)]
    pub steps: Vec<Step<'a>>,
    #[serde(default)]
    pub usage: Option<InteractionUsage>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Step<'a> {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, borrow)]
    pub signature: Option<Cow<'a, str>>,
    /// A thought's summary.
    #[serde(default, deserialize_with = "other_shape_as_default", borrow)]
    pub summary: Vec<StepContent<'a>>,
    /// A model output's content.
    #[serde(default, deserialize_with = "other_shape_as_default", borrow)]
    pub content: Vec<StepContent<'a>>,
    /// A `google_search_call`'s queries.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub arguments: Option<SearchArguments>,
    /// `web_search` or `image_search`.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub search_type: Option<String>,
    /// A `google_search_result`'s results.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub result: Vec<SearchResult>,
}

/// Text or an image, in a step or a delta; a delta may instead be a thought's signature, or
/// its summary (`content`).
#[derive(Debug, Default, Deserialize)]
pub struct StepContent<'a> {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default, borrow)]
    pub data: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub signature: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "other_shape_as_default")]
    pub content: Option<Box<StepContent<'a>>>,
    /// A text's sources (`url_citation`), on a text or in a `text_annotation_delta`.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub annotations: Vec<Annotation>,
    /// A `google_search_call` delta's queries.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub arguments: Option<SearchArguments>,
    /// A `google_search_result` delta's results.
    #[serde(default, deserialize_with = "other_shape_as_default")]
    pub result: Vec<SearchResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchArguments {
    #[serde(default, deserialize_with = "null_as_default")]
    pub queries: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchResult {
    /// Google's search suggestions, as HTML to show beside the answer.
    #[serde(default)]
    pub search_suggestions: Option<String>,
}

/// A source of a span of the answer's text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Annotation {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub start_index: u64,
    #[serde(default)]
    pub end_index: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InteractionError {
    /// A number in Google's envelope, a name in the SDK's error event.
    #[serde(default)]
    pub code: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: Vec<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InteractionUsage {
    #[serde(default)]
    pub total_input_tokens: u64,
    #[serde(default)]
    pub total_output_tokens: u64,
    #[serde(default)]
    pub total_thought_tokens: u64,
    #[serde(default)]
    pub total_tokens: u64,
    #[serde(default)]
    pub total_cached_tokens: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub input_tokens_by_modality: Vec<ModalityTokens>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_tokens_by_modality: Vec<ModalityTokens>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ModalityTokens {
    #[serde(default)]
    pub modality: Option<String>,
    #[serde(default)]
    pub tokens: u64,
}

impl InteractionUsage {
    /// The same counts as `generateContent` reports them, so prices and the usage line read one
    /// shape.
    pub fn as_usage_metadata(&self) -> UsageMetadata {
        let details = |list: &[ModalityTokens]| {
            list.iter()
                .map(|m| super::response::ModalityTokenCount {
                    modality: m.modality.as_ref().map(|m| m.to_ascii_uppercase()),
                    token_count: m.tokens,
                })
                .collect()
        };
        UsageMetadata {
            prompt_token_count: self.total_input_tokens,
            candidates_token_count: self.total_output_tokens,
            thoughts_token_count: self.total_thought_tokens,
            total_token_count: self.total_tokens,
            cached_content_token_count: self.total_cached_tokens,
            prompt_tokens_details: details(&self.input_tokens_by_modality),
            candidates_tokens_details: details(&self.output_tokens_by_modality),
        }
    }
}

impl InteractionError {
    /// Google's error shape, so the studio's errors read the same over both transports. A
    /// code given by name (`NOT_FOUND`, as the stream's error event may) is its HTTP status.
    pub fn as_error_body(&self) -> ErrorBody {
        let code = match &self.code {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Some(Value::String(s)) => s.parse().ok().or_else(|| http_status_of(s)),
            _ => None,
        }
        .or_else(|| self.status.as_deref().and_then(http_status_of));
        ErrorBody {
            code: code.unwrap_or(500),
            message: self.message.clone().unwrap_or_default(),
            status: match (&self.status, &self.code) {
                (Some(status), _) => status.clone(),
                (None, Some(Value::String(s))) if s.parse::<u16>().is_err() => s.clone(),
                _ => String::new(),
            },
            details: self.details.clone(),
        }
    }
}

/// The HTTP status of a `google.rpc.Code` name.
fn http_status_of(name: &str) -> Option<u16> {
    Some(match name.to_ascii_uppercase().as_str() {
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "NOT_FOUND" => 404,
        "ALREADY_EXISTS" | "ABORTED" => 409,
        "RESOURCE_EXHAUSTED" => 429,
        "CANCELLED" => 499,
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => 500,
        "UNIMPLEMENTED" => 501,
        "UNAVAILABLE" => 503,
        "DEADLINE_EXCEEDED" => 504,
        _ => return None,
    })
}
