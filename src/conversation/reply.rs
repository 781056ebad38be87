//! Builds a model turn from the responses (or streamed chunks) of one call.

use bytes::Bytes;

use super::part::{Part, PartContent};
use super::tree::ModelTurn;
use crate::blob::Blob;
use crate::gemini::wire::{GenerateContentResponse, WirePart};
use crate::gemini::{ApiError, base64};

/// Accumulates a reply. Parts are appended exactly as they arrive — a streamed text delta stays
/// its own part, so each signature stays on the part that carried it; joining deltas is the
/// views' business ([`ModelTurn::text`], [`ModelTurn::thoughts`]).
#[derive(Debug, Default)]
pub struct ReplyBuilder {
    turn: ModelTurn,
}

impl ReplyBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The reply so far, for live display.
    pub fn partial(&self) -> &ModelTurn {
        &self.turn
    }

    /// Takes in one response or chunk; returns how many parts it added.
    pub fn absorb(&mut self, response: GenerateContentResponse<'_>) -> Result<usize, ApiError> {
        let before = self.turn.parts.len();
        let turn = &mut self.turn;
        if turn.model_version.is_none() {
            turn.model_version = response.model_version;
        }
        if turn.response_id.is_none() {
            turn.response_id = response.response_id;
        }
        if response.usage_metadata.is_some() {
            turn.usage = response.usage_metadata;
        }
        if let Some(feedback) = response.prompt_feedback {
            turn.prompt_feedback = Some(feedback);
        }
        let mut grounding = response.grounding_metadata;
        // We ask for one candidate; any others are not part of this conversation.
        if let Some(candidate) = response.candidates.into_iter().next() {
            if let Some(content) = candidate.content {
                for part in content.parts {
                    turn.parts.push(convert_part(part)?);
                }
            }
            if candidate.finish_reason.is_some() {
                turn.finish_reason = candidate.finish_reason;
            }
            if candidate.finish_message.is_some() {
                turn.finish_message = candidate.finish_message;
            }
            if !candidate.safety_ratings.is_empty() {
                turn.safety_ratings = candidate.safety_ratings;
            }
            if candidate.grounding_metadata.is_some() {
                grounding = candidate.grounding_metadata;
            }
        }
        if let Some(grounding) = grounding.filter(|g| !g.is_empty()) {
            turn.grounding = Some(grounding);
        }
        Ok(self.turn.parts.len() - before)
    }

    /// The finished turn. A reply with neither a finish reason nor a refused prompt was cut off:
    /// that is an error, never a silently shorter turn. A refusal may come as a `blockReason`
    /// or only as a `blockReasonMessage`.
    pub fn finish(self, request_bytes: u64) -> Result<ModelTurn, ApiError> {
        let mut turn = self.turn;
        let refused = turn.prompt_feedback.as_ref().is_some_and(|feedback| {
            feedback.block_reason.is_some() || feedback.block_reason_message.is_some()
        });
        if turn.finish_reason.is_none() && !refused {
            return Err(ApiError::StreamBroken {
                detail: format!(
                    "the reply ended without a finish reason after {} part(s)",
                    turn.parts.len()
                ),
            });
        }
        turn.request_bytes = request_bytes;
        Ok(turn)
    }
}

fn convert_part(part: WirePart<'_>) -> Result<Part, ApiError> {
    let content = if let Some(inline) = part.inline_data {
        let bytes = base64::decode(&inline.data).ok_or_else(|| ApiError::InvalidBody {
            detail: format!(
                "the {} data of a part is not valid base64",
                inline.mime_type
            ),
            first_bytes: String::from_utf8_lossy(&inline.data[..inline.data.len().min(60)])
                .into_owned(),
        })?;
        PartContent::Image(Blob::from_bytes(&inline.mime_type, Bytes::from(bytes)))
    } else if let Some(text) = part.text {
        PartContent::Text(text)
    } else if let Some(file) = part.file_data {
        PartContent::FileData(file)
    } else {
        PartContent::Other
    };
    Ok(Part {
        content,
        thought: part.thought,
        thought_signature: part
            .thought_signature
            .filter(|s| !s.is_empty())
            .map(|s| s.into_owned()),
        extra: part.other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn absorb_all(chunks: &[&str]) -> Result<ModelTurn, ApiError> {
        let mut builder = ReplyBuilder::new();
        for chunk in chunks {
            builder.absorb(GenerateContentResponse::from_slice(chunk.as_bytes()).unwrap())?;
        }
        builder.finish(0)
    }

    #[test]
    fn parts_and_signatures_are_kept_where_they_arrived() {
        let turn = absorb_all(&[
            r#"{"candidates":[{"content":{"parts":[{"text":"plan","thought":true}]}}]}"#,
            r#"{"candidates":[{"content":{"parts":[{"text":"Here","thoughtSignature":"c2ln"}]}}]}"#,
            r#"{"candidates":[{"content":{"parts":[{"text":" it is"}]}}]}"#,
            r#"{"candidates":[{"content":{"parts":[{"inline_data":{"mime_type":"image/png","data":"AAEC"},"thought_signature":"aW1n"}]},"finishReason":"STOP"}]}"#,
        ])
        .unwrap();
        assert_eq!(turn.parts.len(), 4);
        assert_eq!(turn.text(), "Here it is");
        assert_eq!(turn.thoughts(), vec!["plan".to_string()]);
        assert_eq!(turn.parts[1].thought_signature.as_deref(), Some("c2ln"));
        assert_eq!(turn.parts[2].thought_signature, None);
        let image = turn.images().next().unwrap();
        assert_eq!(&image.loaded().unwrap()[..], &[0, 1, 2]);
        assert_eq!(turn.parts[3].thought_signature.as_deref(), Some("aW1n"));
    }

    #[test]
    fn a_reply_without_finish_reason_is_broken() {
        let error = absorb_all(&[
            r#"{"candidates":[{"content":{"parts":[{"text":"a","thought":true}]}}]}"#,
        ])
        .unwrap_err();
        assert_eq!(error.kind(), "stream_broken");
    }

    #[test]
    fn blocked_prompt_is_a_complete_reply_without_content() {
        let turn =
            absorb_all(&[r#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}"#]).unwrap();
        assert_eq!(turn.block_reason(), Some("PROHIBITED_CONTENT"));
        assert!(!turn.has_content());
    }

    #[test]
    fn prompt_feedback_with_only_a_message_is_a_complete_refusal() {
        let turn =
            absorb_all(&[r#"{"candidates":[],"promptFeedback":{"blockReasonMessage":"Message"}}"#])
                .unwrap();
        assert_eq!(turn.block_reason(), None);
        assert!(!turn.has_content());
    }

    #[test]
    fn prompt_feedback_without_a_refusal_does_not_end_a_reply() {
        let error = absorb_all(&[
            r#"{"promptFeedback":{"safetyRatings":[{"category":"HARM_CATEGORY_HATE_SPEECH","probability":"NEGLIGIBLE"}]}}"#,
            r#"{"candidates":[{"content":{"parts":[{"text":"a"}]}}]}"#,
        ])
        .unwrap_err();
        assert_eq!(error.kind(), "stream_broken");
    }

    #[test]
    fn invalid_base64_is_an_error_not_a_panic() {
        let error = absorb_all(&[
            r#"{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/jpeg","data":"<redacted; length=4>"}}]},"finishReason":"STOP"}]}"#,
        ])
        .unwrap_err();
        assert_eq!(error.kind(), "invalid_body");
    }

    #[test]
    fn empty_signature_means_none() {
        let turn = absorb_all(&[
            r#"{"candidates":[{"content":{"parts":[{"text":"x","thoughtSignature":""}]},"finishReason":"STOP"}]}"#,
        ])
        .unwrap();
        assert_eq!(turn.parts[0].thought_signature, None);
    }
}
