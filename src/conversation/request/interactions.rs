//! The Interactions API body. Continuing an interaction the server keeps, it holds only the
//! new prompt (its words, attachments and a region's outlined copy); otherwise the whole path
//! goes as input steps: a prompt is a `user_input` step, and each signed part of a reply a
//! `thought` step with its signature followed by a `model_output` step with the part (the
//! pairing [`crate::gemini::interactions`] reads back). Settings go with every turn: the
//! server does not carry them over.

use super::super::part::PartContent;
use super::super::tree::TurnBody;
use super::body::{RequestError, Written, picture_shape};
use super::source::{RequestSource, load_images, sent_parts};
use crate::gemini::wire::{
    InputContent, InputStep, InteractionConfig, InteractionRequest, InteractionTool, ResponseFormat,
};

/// `previous`: the interaction this turn continues; `None` sends the whole path.
pub(super) fn write(
    source: &RequestSource,
    previous: Option<&str>,
) -> Result<Written, RequestError> {
    let first = match previous {
        Some(_) => source.path.len().saturating_sub(1),
        None => 0,
    };
    let turns = source.turns_from(first);
    let loaded = load_images(&turns)?;
    let mut images = loaded.iter();
    let mut input: Vec<InputStep<'_>> = Vec::new();
    for (turn, mut signature_rule) in turns {
        let is_user = matches!(turn.body, TurnBody::User(_));
        let mut content = Vec::new();
        for part in sent_parts(&turn.body) {
            let item = match &part.content {
                PartContent::Text(text) => InputContent::Text { text },
                PartContent::Image(blob) => InputContent::Image {
                    mime_type: blob.mime_type(),
                    data: images.next().map(|b| &b[..]).unwrap_or_default(),
                },
                // Neither a file reference nor an unmodelled part has an Interactions form;
                // image models' turns hold neither.
                PartContent::FileData(_) | PartContent::Other => continue,
            };
            if is_user {
                content.push(item);
                continue;
            }
            match signature_rule.signature_for(part) {
                Some(signature) => {
                    if !content.is_empty() {
                        input.push(InputStep::ModelOutput {
                            content: std::mem::take(&mut content),
                        });
                    }
                    input.push(InputStep::Thought { signature });
                    content.push(item);
                }
                None => content.push(item),
            }
        }
        if is_user {
            input.push(InputStep::UserInput { content });
        } else if !content.is_empty() {
            input.push(InputStep::ModelOutput { content });
        }
    }
    let settings = &source.settings;
    let spec = &source.spec;
    let (aspect_ratio, image_size) = picture_shape(settings, spec);
    let mut response_format = Vec::with_capacity(2);
    if !settings.image_only {
        response_format.push(ResponseFormat::Text);
    }
    response_format.push(ResponseFormat::Image {
        aspect_ratio,
        image_size,
    });
    let request = InteractionRequest {
        model: &settings.model,
        input,
        previous_interaction_id: previous,
        system_instruction: settings.system_instruction.as_deref(),
        generation_config: InteractionConfig {
            thinking_level: spec
                .thinking_config
                .then(|| settings.thinking_level.map(|l| l.as_str()))
                .flatten(),
            thinking_summaries: spec
                .thinking_config
                .then_some(if settings.include_thoughts {
                    "auto"
                } else {
                    "none"
                }),
        },
        response_format,
        tools: if settings.google_search || settings.image_search {
            let mut search_types = Vec::new();
            if settings.image_search {
                search_types.extend(["web_search", "image_search"]);
            }
            vec![InteractionTool::GoogleSearch { search_types }]
        } else {
            Vec::new()
        },
        stream: true,
        store: true,
    };
    Written::serialize(&request, &loaded)
}
