//! Finish and block reasons in words a person understands.

use super::tree::ModelTurn;

/// Why a reply has no image (or was cut short), or `None` for a normal finish.
pub fn explain(turn: &ModelTurn) -> Option<String> {
    if let Some(reason) = turn.block_reason() {
        let detail = turn
            .prompt_feedback
            .as_ref()
            .and_then(|f| f.block_reason_message.as_deref());
        return Some(with_detail(
            &format!(
                "The prompt was blocked ({reason}): {}. Rephrase it and send again, or edit the prompt to branch.",
                block_reason_words(reason)
            ),
            detail,
        ));
    }
    if !turn.has_picture()
        && let Some(fake) = turn.images().next()
    {
        return Some(with_detail(
            &format!(
                "The reply's image part is not an image: it came as {:?} and does not decode as a picture, so nothing was drawn. It is kept in the session as it came; rerun the turn.",
                fake.mime_type()
            ),
            turn.finish_message.as_deref(),
        ));
    }
    let reason = turn.finish_reason.as_deref()?;
    let words = match reason {
        "STOP" if turn.images().next().is_none() => {
            "The model answered with text only and drew no image. Ask again explicitly for an image, or rerun the turn."
        }
        "STOP" => return None,
        "MAX_TOKENS" => {
            "The reply hit the output token limit and was cut short. Rerun the turn, or ask for less."
        }
        "SAFETY" => {
            "The reply was stopped by the safety filter. Rephrase the prompt and send again."
        }
        "RECITATION" => {
            "The reply was stopped because it recited copyrighted material too closely. Rephrase and try again."
        }
        "PROHIBITED_CONTENT" => "The reply was stopped for prohibited content.",
        "BLOCKLIST" => "The reply was stopped because it contained a blocked term.",
        "SPII" => "The reply was stopped because it may contain sensitive personal information.",
        "IMAGE_SAFETY" => {
            "The image was withheld by the image safety filter. Rephrase the prompt and rerun."
        }
        "IMAGE_PROHIBITED_CONTENT" => "The image was withheld for prohibited content.",
        "IMAGE_RECITATION" => {
            "The image was withheld because it resembled protected material too closely. Change the description and rerun."
        }
        "IMAGE_OTHER" => {
            "The image could not be produced for an unspecified reason. Rerun the turn."
        }
        "NO_IMAGE" => {
            "The model produced no image this time. Rerun the turn, or ask more explicitly for a picture."
        }
        "OTHER" => "The model stopped for an unspecified reason. Rerun the turn.",
        _ => "The model stopped early. Rerun the turn.",
    };
    Some(with_detail(
        &format!("{words} (finish reason {reason})"),
        turn.finish_message.as_deref(),
    ))
}

fn with_detail(text: &str, detail: Option<&str>) -> String {
    match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(detail) => format!("{text}\nThe server said: {detail}"),
        None => text.to_string(),
    }
}

fn block_reason_words(reason: &str) -> &'static str {
    match reason {
        "SAFETY" => "the safety filter flagged it",
        "BLOCKLIST" => "it contains a blocked term",
        "PROHIBITED_CONTENT" => "it asks for prohibited content",
        "IMAGE_SAFETY" => "an attached image was flagged by the safety filter",
        _ => "for a reason the server did not name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemini::wire::PromptFeedback;

    #[test]
    fn explains_blocks_and_missing_images_with_the_servers_message() {
        let blocked = ModelTurn {
            prompt_feedback: Some(PromptFeedback {
                block_reason: Some("PROHIBITED_CONTENT".into()),
                ..PromptFeedback::default()
            }),
            ..ModelTurn::default()
        };
        assert!(explain(&blocked).unwrap().contains("prohibited content"));
        let safety = ModelTurn {
            finish_reason: Some("IMAGE_SAFETY".into()),
            finish_message: Some("Unable to show the generated image.".into()),
            ..ModelTurn::default()
        };
        let text = explain(&safety).unwrap();
        assert!(
            text.contains("image safety filter") && text.contains("Unable to show"),
            "{text}"
        );
        let text_only = ModelTurn {
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        };
        assert!(explain(&text_only).unwrap().contains("text only"));
    }
}
