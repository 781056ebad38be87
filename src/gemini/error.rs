//! What can go wrong talking to the API, in terms a person can act on.

use std::time::Duration;

use super::wire::{ErrorBody, error_envelope};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error(
        "The API key was not accepted: {message} Set a valid key for this provider (or run with --demo)."
    )]
    BadKey { status: u16, message: String },

    #[error(
        "Permission denied: {message} Check that the key's project has the Generative Language API enabled and may use this model."
    )]
    PermissionDenied { message: String },

    #[error(
        "Unknown model: {message} Pick a model this provider offers (`banana-studio models` lists them; use --model, or F2 in the studio)."
    )]
    UnknownModel { message: String },

    #[error("Quota exhausted (429): {message}{}", retry_hint(*retry_after))]
    Quota {
        message: String,
        retry_after: Option<Duration>,
    },

    #[error("The model is overloaded ({status}): {message} Try again in a minute.")]
    Overloaded { status: u16, message: String },

    #[error(
        "The server failed ({status} {status_text}): {message} Try again; if it persists, the service has a problem."
    )]
    Server {
        status: u16,
        status_text: String,
        message: String,
    },

    #[error("The request was refused (400): {message}")]
    BadRequest { message: String },

    #[error("The server answered {status}: {message}")]
    Http { status: u16, message: String },

    #[error(
        "Could not reach {base_url}: {detail}. Check the base URL (--base-url, BANANA_BASE_URL, or the provider in the config) and your network."
    )]
    Connect { base_url: String, detail: String },

    #[error(
        "No data from {base_url} for {}s; gave up waiting. The server may be stuck: try again, or raise idle_timeout_secs in the config.",
        after.as_secs()
    )]
    Timeout { base_url: String, after: Duration },

    #[error(
        "The reply broke off before the model finished ({detail}); nothing of it was kept. Send again to retry."
    )]
    StreamBroken { detail: String },

    #[error("The server's reply could not be read: {detail}. It began: {first_bytes:?}")]
    InvalidBody { detail: String, first_bytes: String },

    #[error(
        "The server answered {status}, redirecting to {location}. banana-studio follows no redirect, so the key and the prompt go nowhere but the configured base URL: if the provider has moved, set its new base URL (--base-url, BANANA_BASE_URL, or the provider in the config)."
    )]
    Redirected { status: u16, location: String },

    #[error(
        "The reply grew past {} MB without finishing, and was dropped: nothing of it was kept. An image reply is a few tens of MB, so the server is broken or hostile; if it is right, raise max_reply_mb in the config.",
        limit / 1_000_000
    )]
    ReplyTooLarge { limit: u64 },

    #[error("{why}, and the turn cannot be sent another way: {detail}")]
    ResendFailed { why: String, detail: String },

    #[error(
        "{error} The server asks to wait {}s before another attempt, past what retry.max_total_secs allows ({}s): not waiting. Try again later.",
        wait.as_secs(),
        limit.as_secs()
    )]
    WaitTooLong {
        error: Box<ApiError>,
        wait: Duration,
        limit: Duration,
    },
}

fn retry_hint(after: Option<Duration>) -> String {
    match after {
        Some(delay) => format!(
            " The server asks to wait {:.1}s before retrying.",
            delay.as_secs_f64()
        ),
        None => " Wait a while, or check your plan's limits.".into(),
    }
}

impl ApiError {
    /// A stable machine-readable name, used in `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::BadKey { .. } => "bad_key",
            ApiError::PermissionDenied { .. } => "permission_denied",
            ApiError::UnknownModel { .. } => "unknown_model",
            ApiError::Quota { .. } => "quota",
            ApiError::Overloaded { .. } => "overloaded",
            ApiError::Server { .. } => "server",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Http { .. } => "http",
            ApiError::Connect { .. } => "connect",
            ApiError::Timeout { .. } => "timeout",
            ApiError::StreamBroken { .. } => "stream_broken",
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::Redirected { .. } => "redirect",
            ApiError::ReplyTooLarge { .. } => "reply_too_large",
            ApiError::ResendFailed { .. } => "resend_failed",
            ApiError::WaitTooLong { error, .. } => error.kind(),
        }
    }

    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::BadKey { status, .. }
            | ApiError::Overloaded { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::Http { status, .. }
            | ApiError::Redirected { status, .. } => Some(*status),
            ApiError::WaitTooLong { error, .. } => error.status(),
            ApiError::PermissionDenied { .. } => Some(403),
            ApiError::UnknownModel { .. } => Some(404),
            ApiError::Quota { .. } => Some(429),
            ApiError::BadRequest { .. } => Some(400),
            ApiError::Connect { .. }
            | ApiError::Timeout { .. }
            | ApiError::StreamBroken { .. }
            | ApiError::InvalidBody { .. }
            | ApiError::ReplyTooLarge { .. }
            | ApiError::ResendFailed { .. } => None,
        }
    }

    /// Whether trying the same request again may succeed (429, 500, 503, 504, no connection).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Quota { .. } | ApiError::Overloaded { .. } | ApiError::Connect { .. } => true,
            ApiError::Server { status, .. } => matches!(status, 500 | 503 | 504),
            _ => false,
        }
    }

    /// How long the server asked us to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Quota { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Maps a non-success HTTP answer to an error. `redact` scrubs the API key from anything the
    /// server echoed (Google's debug details do quote the key).
    pub fn from_http(status: u16, body: &[u8], redact: &dyn Fn(&str) -> String) -> Self {
        match error_envelope(body) {
            Some(envelope) => Self::from_error_body(status, &envelope.error, redact),
            None => {
                // Redacted whole, then cut: a key cut in two by the cut would slip through.
                let text = redact(&String::from_utf8_lossy(body));
                let text = text.trim();
                let message = if text.is_empty() {
                    "(empty body)".to_string()
                } else {
                    text.chars().take(300).collect()
                };
                Self::from_parts(status, "", None, None, message)
            }
        }
    }

    /// Maps Google's error envelope (also seen with status 200 as a streamed body).
    pub fn from_error_body(
        http_status: u16,
        body: &ErrorBody,
        redact: &dyn Fn(&str) -> String,
    ) -> Self {
        let status = if body.code != 0 {
            body.code
        } else {
            http_status
        };
        Self::from_parts(
            status,
            &redact(&body.status),
            body.reason(),
            body.retry_delay(),
            redact(body.message.trim()),
        )
    }

    fn from_parts(
        status: u16,
        status_text: &str,
        reason: Option<&str>,
        retry_after: Option<Duration>,
        message: String,
    ) -> Self {
        let key_reason = matches!(
            reason,
            Some("API_KEY_INVALID" | "API_KEY_EXPIRED" | "API_KEY_SERVICE_BLOCKED")
        );
        match status {
            400 if key_reason => ApiError::BadKey { status, message },
            401 => ApiError::BadKey { status, message },
            400 => ApiError::BadRequest { message },
            403 if key_reason => ApiError::BadKey { status, message },
            403 => ApiError::PermissionDenied { message },
            404 => ApiError::UnknownModel { message },
            429 => ApiError::Quota {
                message,
                retry_after,
            },
            503 => ApiError::Overloaded { status, message },
            500..=599 => ApiError::Server {
                status,
                status_text: if status_text.is_empty() {
                    default_status_text(status).to_string()
                } else {
                    status_text.to_string()
                },
                message,
            },
            _ => ApiError::Http { status, message },
        }
    }
}

fn default_status_text(status: u16) -> &'static str {
    match status {
        500 => "INTERNAL",
        502 => "BAD_GATEWAY",
        504 => "DEADLINE_EXCEEDED",
        _ => "SERVER_ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn quota_error_carries_retry_delay() {
        let body = br#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}"#;
        let error = ApiError::from_http(429, body, &keep);
        assert_eq!(error.retry_after(), Some(Duration::from_millis(34_400)));
        assert!(error.is_retryable());
        assert!(error.to_string().contains("34.4s"), "{error}");
    }

    #[test]
    fn non_json_error_body_is_quoted() {
        let error = ApiError::from_http(502, b"<html>Bad gateway</html>", &keep);
        assert_eq!(error.status(), Some(502));
        assert!(error.to_string().contains("<html>Bad gateway"), "{error}");
    }

    #[test]
    fn the_redactor_is_applied_to_server_text() {
        let body = br#"{"error":{"code":400,"message":"Invalid API key: sk-SECRET","status":"INVALID_ARGUMENT"}}"#;
        let error = ApiError::from_http(400, body, &|t: &str| t.replace("sk-SECRET", "[key]"));
        assert!(!error.to_string().contains("sk-SECRET"));
        assert!(error.to_string().contains("[key]"));
    }

    #[test]
    fn a_key_at_the_cut_is_redacted_whole() {
        let key = "AIzaSy-SECRET-KEY";
        let body = format!("{}{key} tail", "x".repeat(290));
        let error = ApiError::from_http(502, body.as_bytes(), &|t: &str| {
            t.replace(key, "[redacted key]")
        });
        assert!(!error.to_string().contains("AIzaSy-SECRET"), "{error}");
    }

    #[test]
    fn only_transient_statuses_are_retryable() {
        for (status, retry) in [
            (400, false),
            (403, false),
            (404, false),
            (429, true),
            (500, true),
            (503, true),
            (504, true),
            (501, false),
        ] {
            let error = ApiError::from_http(status, b"{}", &keep);
            assert_eq!(error.is_retryable(), retry, "status {status}: {error:?}");
        }
    }
}
