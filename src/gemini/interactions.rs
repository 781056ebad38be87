//! Reads a streamed interaction as `generateContent` chunks, so that one reply builder, one
//! session format and one request builder serve both transports: a thought's summary becomes a
//! `thought` part, its signature goes on the output part after it (`thoughtSignature`), text
//! and images become parts, and the final event's status and usage become the finish reason
//! and the usage metadata.

use std::borrow::Cow;

use super::wire::{
    Candidate, Content, ErrorBody, GenerateContentResponse, InlineData, InteractionEvent,
    InteractionHeader, Step, StepContent, WirePart,
};

/// The state one interaction's events need between them.
#[derive(Debug, Default)]
pub struct InteractionReader {
    /// A signature waiting for the output part it belongs to.
    pending_signature: Option<String>,
    id: Option<String>,
    saw_steps: bool,
}

/// What one event adds.
#[derive(Debug, Default)]
pub struct InteractionRead<'a> {
    /// The interaction's id, the first time an event names it.
    pub new_id: Option<String>,
    /// Parts, usage or the end, as a `generateContent` chunk.
    pub chunk: Option<GenerateContentResponse<'a>>,
}

impl InteractionReader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Reads one event. A whole interaction (a body that is not a stream) is read as an
    /// `interaction.completed` event carrying it. An `error` event is the server's error.
    pub fn read<'a>(
        &mut self,
        event: InteractionEvent<'a>,
    ) -> Result<InteractionRead<'a>, ErrorBody> {
        let mut read = InteractionRead::default();
        if let Some(error) = event.error {
            return Err(error.as_error_body());
        }
        let mut parts = Vec::new();
        let mut finish = None;
        let mut usage = None;
        let mut model_version = None;
        if let Some(step) = event.step {
            self.saw_steps = true;
            self.step(step, &mut parts);
        }
        if let Some(delta) = event.delta {
            self.saw_steps = true;
            match delta.kind.as_str() {
                "thought_signature" => {
                    if let Some(signature) = delta.signature.filter(|s| !s.is_empty()) {
                        self.pending_signature = Some(signature.into_owned());
                    }
                }
                "thought_summary" => {
                    if let Some(content) = delta.content {
                        parts.extend(thought_part(content));
                    }
                }
                "text" | "image" => {
                    let content = StepContent {
                        kind: delta.kind,
                        text: delta.text,
                        mime_type: delta.mime_type,
                        data: delta.data,
                    };
                    if let Some(part) = self.output_part(content) {
                        parts.push(part);
                    }
                }
                // Tool calls, annotations and what comes later: not parts of a picture's turn.
                _ => {}
            }
        }
        if let Some(header) = event.interaction {
            let InteractionHeader {
                id,
                status,
                model,
                steps,
                usage: header_usage,
            } = header;
            if self.id.is_none() && !id.is_empty() {
                self.id = Some(id.clone());
                read.new_id = Some(id);
            }
            model_version = model;
            // A whole interaction, or a final event that repeats the steps when none streamed.
            if !self.saw_steps {
                for step in steps {
                    self.step(step, &mut parts);
                }
            }
            usage = header_usage.map(|u| u.as_usage_metadata());
            if event.event_type == "interaction.completed" || is_final(&status) {
                finish = Some(match status.as_str() {
                    "completed" | "" => "STOP".to_string(),
                    other => other.to_ascii_uppercase(),
                });
                // A signature with no output after it stays with the turn, on an empty part.
                if let Some(signature) = self.pending_signature.take() {
                    parts.push(WirePart {
                        text: Some(String::new()),
                        thought_signature: Some(Cow::Owned(signature)),
                        ..WirePart::default()
                    });
                }
            }
        }
        if !parts.is_empty() || finish.is_some() || usage.is_some() || model_version.is_some() {
            read.chunk = Some(GenerateContentResponse {
                candidates: vec![Candidate {
                    content: Some(Content {
                        role: Some("model".into()),
                        parts,
                    }),
                    finish_reason: finish,
                    ..Candidate::default()
                }],
                usage_metadata: usage,
                model_version,
                ..GenerateContentResponse::default()
            });
        }
        Ok(read)
    }

    fn step<'a>(&mut self, step: Step<'a>, parts: &mut Vec<WirePart<'a>>) {
        match step.kind.as_str() {
            "thought" => {
                parts.extend(step.summary.into_iter().filter_map(thought_part));
                if let Some(signature) = step.signature.filter(|s| !s.is_empty()) {
                    self.pending_signature = Some(signature.into_owned());
                }
            }
            "model_output" => {
                for content in step.content {
                    if let Some(part) = self.output_part(content) {
                        parts.push(part);
                    }
                }
            }
            _ => {}
        }
    }

    /// Text or an image of the answer, with the signature that came before it.
    fn output_part<'a>(&mut self, content: StepContent<'a>) -> Option<WirePart<'a>> {
        let mut part = content_part(content)?;
        part.thought_signature = self.pending_signature.take().map(Cow::Owned);
        Some(part)
    }
}

fn is_final(status: &str) -> bool {
    matches!(
        status,
        "completed" | "failed" | "cancelled" | "incomplete" | "budget_exceeded"
    )
}

fn thought_part(content: StepContent<'_>) -> Option<WirePart<'_>> {
    let mut part = content_part(content)?;
    part.thought = true;
    Some(part)
}

fn content_part(content: StepContent<'_>) -> Option<WirePart<'_>> {
    match content.kind.as_str() {
        "text" => Some(WirePart {
            text: Some(content.text.unwrap_or_default()),
            ..WirePart::default()
        }),
        "image" => Some(WirePart {
            inline_data: Some(InlineData {
                mime_type: content.mime_type.unwrap_or_else(|| "image/png".into()),
                data: match content.data? {
                    Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                    Cow::Owned(text) => Cow::Owned(text.into_bytes()),
                },
            }),
            ..WirePart::default()
        }),
        _ => None,
    }
}
