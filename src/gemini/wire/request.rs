//! Requests, written in camelCase only (relays may accept nothing else); image bytes are
//! base64-encoded while the body is written.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::gemini::wire::response::FileData;

/// The body of a `generateContent` call. Contents borrow the conversation's parts; image bytes
/// are base64-encoded one at a time while the body is written, so the body is the only full copy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest<'a> {
    pub contents: Vec<RequestContent<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<SystemInstruction<'a>>,
    pub generation_config: GenerationConfig,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
}

#[derive(Debug, Serialize)]
pub struct RequestContent<'a> {
    pub role: &'static str,
    pub parts: Vec<RequestPart<'a>>,
}

/// One part of a request. Written by hand (not derived) so that the verbatim fields of a
/// received part sit beside the modelled ones without serde's slow `flatten` buffering.
#[derive(Debug)]
pub struct RequestPart<'a> {
    pub data: RequestPartData<'a>,
    pub thought: bool,
    pub thought_signature: Option<&'a str>,
    /// Fields kept verbatim from a received part.
    pub other: &'a Map<String, Value>,
}

#[derive(Debug)]
pub enum RequestPartData<'a> {
    Text(&'a str),
    InlineData {
        mime_type: &'a str,
        data: &'a [u8],
    },
    FileData(&'a FileData),
    /// The part's content lives entirely in `other` (a function call, code, …).
    Other,
}

impl Serialize for RequestPart<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match &self.data {
            RequestPartData::Text(text) => map.serialize_entry("text", text)?,
            RequestPartData::InlineData { mime_type, data } => {
                map.serialize_entry("inlineData", &InlineDataOut { mime_type, data })?
            }
            RequestPartData::FileData(file) => map.serialize_entry("fileData", file)?,
            RequestPartData::Other => {}
        }
        if self.thought {
            map.serialize_entry("thought", &true)?;
        }
        if let Some(signature) = self.thought_signature {
            map.serialize_entry("thoughtSignature", signature)?;
        }
        for (key, value) in self.other {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InlineDataOut<'a> {
    mime_type: &'a str,
    #[serde(serialize_with = "serialize_base64")]
    data: &'a [u8],
}

/// Writes the bytes as a base64 JSON string. It goes in as a pre-quoted raw value: base64 never
/// needs escaping, and serde_json's escape check would otherwise read every byte of every
/// image in the history once more.
pub(super) fn serialize_base64<S: Serializer>(
    bytes: &&[u8],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error;
    let mut quoted = String::with_capacity(bytes.len().div_ceil(3) * 4 + 2);
    quoted.push('"');
    base64_simd::STANDARD.encode_append(bytes, &mut quoted);
    quoted.push('"');
    serde_json::value::RawValue::from_string(quoted)
        .map_err(S::Error::custom)?
        .serialize(serializer)
}

#[derive(Debug, Serialize)]
pub struct SystemInstruction<'a> {
    pub parts: [TextOnly<'a>; 1],
}

#[derive(Debug, Serialize)]
pub struct TextOnly<'a> {
    pub text: &'a str,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    pub response_modalities: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_config: Option<ThinkingConfig>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_size: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    pub include_thoughts: bool,
    /// Never sent together with `thinkingBudget` (that is a 400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub google_search: SearchTypes,
}

/// `{}` for web search alone; `{"searchTypes": {"webSearch": {}, "imageSearch": {}}}` with
/// image search.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchTypes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_types: Option<WebAndImageSearch>,
}

impl SearchTypes {
    pub fn new(image_search: bool) -> Self {
        Self {
            search_types: image_search.then_some(WebAndImageSearch {
                web_search: Empty {},
                image_search: Empty {},
            }),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAndImageSearch {
    pub web_search: Empty,
    pub image_search: Empty,
}

#[derive(Debug, Serialize)]
pub struct Empty {}
