//! The `generateContent` body: the whole path as `contents`, model parts byte for byte with
//! their signatures.

use super::super::part::PartContent;
use super::super::settings::TurnSettings;
use super::super::tree::TurnBody;
use super::body::{RequestError, Written, picture_shape};
use super::source::{RequestSource, load_images, sent_parts};
use crate::gemini::wire::{
    GenerateContentRequest, GenerationConfig, ImageConfig, RequestContent, RequestPart,
    RequestPartData, SearchTypes, SystemInstruction, TextOnly, ThinkingConfig, Tool,
};
use crate::models::ModelSpec;

pub(super) fn write(source: &RequestSource) -> Result<Written, RequestError> {
    let turns = source.turns_from(0);
    // Images loaded from disk must stay alive while the body borrows them.
    let loaded = load_images(&turns)?;
    let mut images = loaded.iter();
    let mut contents: Vec<RequestContent<'_>> = Vec::with_capacity(turns.len());
    for (turn, mut signature_rule) in turns {
        let role = match &turn.body {
            TurnBody::User(_) => "user",
            TurnBody::Model(_) => "model",
        };
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
    let settings = &source.settings;
    let request = GenerateContentRequest {
        contents,
        system_instruction: settings
            .system_instruction
            .as_deref()
            .map(|text| SystemInstruction {
                parts: [TextOnly { text }],
            }),
        generation_config: generation_config(settings, &source.spec),
        tools: if settings.google_search || settings.image_search {
            vec![Tool {
                google_search: SearchTypes::new(settings.image_search),
            }]
        } else {
            Vec::new()
        },
    };
    Written::serialize(&request, &loaded)
}

pub(super) fn generation_config(settings: &TurnSettings, spec: &ModelSpec) -> GenerationConfig {
    let (aspect_ratio, image_size) = picture_shape(settings, spec);
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
