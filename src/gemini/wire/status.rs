//! Error envelopes and ListModels pages: what the API says besides replies.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::gemini::lenient::null_as_default;

/// Google's error envelope: `{"error": {"code", "message", "status", "details"}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: u16,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: Vec<Value>,
}

impl ErrorBody {
    /// `RetryInfo.retryDelay` (`"34.4s"`), if the server said how long to wait.
    pub fn retry_delay(&self) -> Option<std::time::Duration> {
        self.detail_field("RetryInfo", "retryDelay")
            .and_then(parse_duration)
    }

    /// `ErrorInfo.reason`, e.g. `API_KEY_INVALID`.
    pub fn reason(&self) -> Option<&str> {
        self.detail_field("ErrorInfo", "reason")
    }

    fn detail_field(&self, type_suffix: &str, field: &str) -> Option<&str> {
        self.details
            .iter()
            .filter(|d| {
                d.get("@type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.ends_with(type_suffix))
            })
            .find_map(|d| d.get(field).and_then(Value::as_str))
    }
}

/// One page of `GET /v1beta/models` (ListModels).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListModelsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub models: Vec<ListedModel>,
    #[serde(default, alias = "next_page_token")]
    pub next_page_token: Option<String>,
}

/// A model as ListModels describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedModel {
    /// `models/gemini-3-pro-image`.
    #[serde(default)]
    pub name: String,
    #[serde(default, alias = "display_name")]
    pub display_name: String,
    #[serde(
        default,
        alias = "supported_generation_methods",
        deserialize_with = "null_as_default"
    )]
    pub supported_generation_methods: Vec<String>,
}

impl ListedModel {
    /// The id used in URLs: the name without `models/`.
    pub fn id(&self) -> &str {
        self.name.strip_prefix("models/").unwrap_or(&self.name)
    }
}

/// A protobuf JSON duration: `"34.4s"`, `"2s"`.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let seconds: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    // The server chose this number: one too long for a Duration ("1e20s") is the longest
    // one, which the retry loop then refuses to wait for.
    (seconds >= 0.0).then(|| {
        std::time::Duration::try_from_secs_f64(seconds).unwrap_or(std::time::Duration::MAX)
    })
}

/// Turns a JSON error for a streamed or unary body into a short human reason.
pub fn describe_json_error(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Eof => "the body ended in the middle of the JSON".into(),
        serde_json::error::Category::Syntax => format!("the body is not JSON ({error})"),
        serde_json::error::Category::Data => format!("the JSON has an unexpected shape ({error})"),
        serde_json::error::Category::Io => format!("reading failed ({error})"),
    }
}

/// The error envelope in `body`, if that is what it is.
pub fn error_envelope(body: &[u8]) -> Option<ErrorEnvelope> {
    let envelope: ErrorEnvelope = serde_json::from_slice(body).ok()?;
    (envelope.error.code != 0 || !envelope.error.status.is_empty()).then_some(envelope)
}
