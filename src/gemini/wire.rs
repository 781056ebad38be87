//! Typed serde models of the `generateContent` wire format.
//!
//! Responses are read tolerantly (camelCase or snake_case, unknown fields, `null` for objects and
//! lists, missing `parts`/`candidates`) and *borrow* the two fields that can be megabytes long —
//! `inlineData.data` and `thoughtSignature` — from the body, so that parsing a 10 MB image reply
//! copies nothing until the base64 is decoded. Requests are written in camelCase only, because
//! relays may not accept anything else.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::lenient::null_as_default;
use super::skeleton::Skeleton;

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// One `generateContent` response, or one chunk of a streamed one.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse<'a> {
    #[serde(default, deserialize_with = "null_as_default", borrow)]
    pub candidates: Vec<Candidate<'a>>,
    #[serde(default, alias = "prompt_feedback")]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default, alias = "usage_metadata")]
    pub usage_metadata: Option<UsageMetadata>,
    /// The relay documents grounding at the top level; Google puts it on the candidate.
    #[serde(default, alias = "grounding_metadata")]
    pub grounding_metadata: Option<GroundingMetadata>,
    #[serde(default, alias = "model_version")]
    pub model_version: Option<String>,
    #[serde(default, alias = "response_id")]
    pub response_id: Option<String>,
    /// Set when the body is Google's error envelope (also sent as an event mid-stream), so
    /// that telling a reply from an error takes one parse, not two.
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

impl<'a> GenerateContentResponse<'a> {
    /// Parses a response body, borrowing large strings from `body`. Long strings are found
    /// with a fast scan and kept out of serde's way ([`Skeleton`]); whenever that shortcut
    /// cannot account for every one of them, the body is parsed as it is.
    pub fn from_slice(body: &'a [u8]) -> serde_json::Result<Self> {
        if let Some(skeleton) = Skeleton::of(body)
            && let Ok(response) = serde_json::from_slice::<GenerateContentResponse>(skeleton.text())
            && let Some(response) = response.rebind(&mut Rebinder::new(&skeleton))
        {
            return Ok(response);
        }
        serde_json::from_slice(body)
    }

    /// The same response with every borrowed string moved from the skeleton to the body.
    fn rebind<'b>(self, to: &mut Rebinder<'_, 'b>) -> Option<GenerateContentResponse<'b>> {
        let candidates = self
            .candidates
            .into_iter()
            .map(|candidate| candidate.rebind(to))
            .collect::<Option<_>>()?;
        // A lifted string that no borrowed field took was copied as `""` into some owned
        // field (a very long text, an unmodelled field): the skeleton's reading is wrong.
        to.all_found()?;
        Some(GenerateContentResponse {
            candidates,
            prompt_feedback: self.prompt_feedback,
            usage_metadata: self.usage_metadata,
            grounding_metadata: self.grounding_metadata,
            model_version: self.model_version,
            response_id: self.response_id,
            error: self.error,
        })
    }

    /// Google's error, if the body is an error envelope (`code` or `status` set).
    pub fn take_error(&mut self) -> Option<ErrorBody> {
        self.error
            .take()
            .filter(|error| error.code != 0 || !error.status.is_empty())
    }
}

/// Moves strings that serde borrowed from a [`Skeleton`] to the body it was made from, and
/// counts the lifted ones it meets.
struct Rebinder<'s, 'b> {
    skeleton: &'s Skeleton<'b>,
    lifted_found: usize,
}

impl<'s, 'b> Rebinder<'s, 'b> {
    fn new(skeleton: &'s Skeleton<'b>) -> Self {
        Self {
            skeleton,
            lifted_found: 0,
        }
    }

    fn bytes(&mut self, text: Cow<'_, [u8]>) -> Option<Cow<'b, [u8]>> {
        self.rebind(text, Skeleton::body_bytes)
    }

    fn str(&mut self, text: Cow<'_, str>) -> Option<Cow<'b, str>> {
        self.rebind(text, Skeleton::body_str)
    }

    /// An owned string stays as it is; a borrowed one is looked up with `in_body`.
    fn rebind<T: ?Sized + ToOwned>(
        &mut self,
        text: Cow<'_, T>,
        in_body: impl Fn(&Skeleton<'b>, &T) -> Option<(&'b T, bool)>,
    ) -> Option<Cow<'b, T>> {
        Some(match text {
            Cow::Owned(owned) => Cow::Owned(owned),
            Cow::Borrowed(borrowed) => {
                let (text, lifted) = in_body(self.skeleton, borrowed)?;
                self.lifted_found += usize::from(lifted);
                Cow::Borrowed(text)
            }
        })
    }

    fn all_found(&self) -> Option<()> {
        (self.lifted_found == self.skeleton.lifted_count()).then_some(())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate<'a> {
    #[serde(default, borrow)]
    pub content: Option<Content<'a>>,
    #[serde(default, alias = "finish_reason")]
    pub finish_reason: Option<String>,
    #[serde(default, alias = "finish_message")]
    pub finish_message: Option<String>,
    #[serde(
        default,
        alias = "safety_ratings",
        deserialize_with = "null_as_default"
    )]
    pub safety_ratings: Vec<SafetyRating>,
    #[serde(default, alias = "grounding_metadata")]
    pub grounding_metadata: Option<GroundingMetadata>,
}

impl Candidate<'_> {
    fn rebind<'b>(self, to: &mut Rebinder<'_, 'b>) -> Option<Candidate<'b>> {
        let content = match self.content {
            Some(content) => Some(Content {
                role: content.role,
                parts: content
                    .parts
                    .into_iter()
                    .map(|part| part.rebind(to))
                    .collect::<Option<_>>()?,
            }),
            None => None,
        };
        Some(Candidate {
            content,
            finish_reason: self.finish_reason,
            finish_message: self.finish_message,
            safety_ratings: self.safety_ratings,
            grounding_metadata: self.grounding_metadata,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Content<'a> {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "null_as_default", borrow)]
    pub parts: Vec<WirePart<'a>>,
}

/// One part of a content as it came over the wire. Fields this program does not model
/// (`functionCall`, `executableCode`, …) are kept in `other` so they can be sent back verbatim.
#[derive(Debug, Default)]
pub struct WirePart<'a> {
    pub text: Option<String>,
    pub inline_data: Option<InlineData<'a>>,
    pub file_data: Option<FileData>,
    pub thought: bool,
    pub thought_signature: Option<Cow<'a, str>>,
    /// Unmodelled fields, keys normalised to camelCase.
    pub other: Map<String, Value>,
}

impl WirePart<'_> {
    fn rebind<'b>(self, to: &mut Rebinder<'_, 'b>) -> Option<WirePart<'b>> {
        let inline_data = match self.inline_data {
            Some(inline) => Some(InlineData {
                mime_type: inline.mime_type,
                data: to.bytes(inline.data)?,
            }),
            None => None,
        };
        let thought_signature = match self.thought_signature {
            Some(signature) => Some(to.str(signature)?),
            None => None,
        };
        Some(WirePart {
            text: self.text,
            inline_data,
            file_data: self.file_data,
            thought: self.thought,
            thought_signature,
            other: self.other,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlineData<'a> {
    #[serde(default, alias = "mime_type")]
    pub mime_type: String,
    /// Base64 text, borrowed from the body when it holds no JSON escapes. Bytes, not `str`:
    /// the base64 decoder rejects anything outside its alphabet, so checking 10 MB for UTF-8
    /// first would only cost time.
    #[serde(borrow, deserialize_with = "borrowed_bytes")]
    pub data: Cow<'a, [u8]>,
}

fn borrowed_bytes<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Cow<'a, [u8]>, D::Error> {
    Ok(match BorrowedStr::deserialize(deserializer)?.0 {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileData {
    #[serde(default, alias = "mime_type", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, alias = "file_uri")]
    pub file_uri: String,
}

/// A `Cow<str>` that borrows: serde's own `Cow` impl always allocates.
#[derive(Deserialize)]
#[serde(transparent)]
struct BorrowedStr<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for WirePart<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(WirePartVisitor(PhantomData))
    }
}

struct WirePartVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for WirePartVisitor<'a> {
    type Value = WirePart<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a content part object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut part = WirePart::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "text" => part.text = map.next_value()?,
                "inlineData" | "inline_data" => part.inline_data = map.next_value()?,
                "fileData" | "file_data" => part.file_data = map.next_value()?,
                "thought" => part.thought = map.next_value::<Option<bool>>()?.unwrap_or(false),
                "thoughtSignature" | "thought_signature" => {
                    part.thought_signature =
                        map.next_value::<Option<BorrowedStr<'a>>>()?.map(|s| s.0);
                }
                other => {
                    let value: Value = map.next_value()?;
                    if !value.is_null() {
                        part.other.insert(snake_to_camel(other), value);
                    }
                }
            }
        }
        Ok(part)
    }
}

/// `function_call` → `functionCall`; camelCase input is returned unchanged.
pub fn snake_to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for ch in key.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    #[serde(
        default,
        alias = "block_reason",
        skip_serializing_if = "Option::is_none"
    )]
    pub block_reason: Option<String>,
    #[serde(
        default,
        alias = "block_reason_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub block_reason_message: Option<String>,
    #[serde(
        default,
        alias = "safety_ratings",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub safety_ratings: Vec<SafetyRating>,
}

/// Every field optional: real responses contain `{}` entries here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetyRating {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    #[serde(default, alias = "prompt_token_count")]
    pub prompt_token_count: u64,
    #[serde(default, alias = "candidates_token_count")]
    pub candidates_token_count: u64,
    #[serde(default, alias = "thoughts_token_count")]
    pub thoughts_token_count: u64,
    #[serde(default, alias = "total_token_count")]
    pub total_token_count: u64,
    #[serde(default, alias = "cached_content_token_count")]
    pub cached_content_token_count: u64,
    #[serde(
        default,
        alias = "prompt_tokens_details",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub prompt_tokens_details: Vec<ModalityTokenCount>,
    #[serde(
        default,
        alias = "candidates_tokens_details",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub candidates_tokens_details: Vec<ModalityTokenCount>,
}

impl UsageMetadata {
    /// Output tokens spent on images (what image pricing is based on).
    pub fn image_output_tokens(&self) -> u64 {
        self.candidates_tokens_details
            .iter()
            .filter(|d| d.modality.as_deref() == Some("IMAGE"))
            .map(|d| d.token_count)
            .sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModalityTokenCount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modality: Option<String>,
    #[serde(default, alias = "token_count")]
    pub token_count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingMetadata {
    #[serde(
        default,
        alias = "web_search_queries",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub web_search_queries: Vec<String>,
    /// Image search queries (models with image-search grounding).
    #[serde(
        default,
        alias = "image_search_queries",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub image_search_queries: Vec<String>,
    #[serde(
        default,
        alias = "search_entry_point",
        skip_serializing_if = "Option::is_none"
    )]
    pub search_entry_point: Option<SearchEntryPoint>,
    #[serde(
        default,
        alias = "grounding_chunks",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub grounding_chunks: Vec<GroundingChunk>,
    #[serde(
        default,
        alias = "grounding_supports",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub grounding_supports: Vec<GroundingSupport>,
}

impl GroundingMetadata {
    pub fn is_empty(&self) -> bool {
        self.web_search_queries.is_empty()
            && self.image_search_queries.is_empty()
            && self.grounding_chunks.is_empty()
            && self.grounding_supports.is_empty()
            && self.search_entry_point.is_none()
    }

    /// The cited sources in order, whatever kind of grounding produced them.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.grounding_chunks
            .iter()
            .filter_map(GroundingChunk::source)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntryPoint {
    #[serde(
        default,
        alias = "rendered_content",
        skip_serializing_if = "Option::is_none"
    )]
    pub rendered_content: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingChunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maps: Option<Source>,
    #[serde(
        default,
        alias = "retrieved_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub retrieved_context: Option<Source>,
    /// An image search result: `sourceUri` is the page, `imageUri` the picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Source>,
}

impl GroundingChunk {
    pub fn source(&self) -> Option<&Source> {
        self.web
            .as_ref()
            .or(self.maps.as_ref())
            .or(self.retrieved_context.as_ref())
            .or(self.image.as_ref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    #[serde(
        default,
        alias = "sourceUri",
        alias = "source_uri",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// For an image source: the picture itself.
    #[serde(default, alias = "image_uri", skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingSupport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    #[serde(
        default,
        alias = "grounding_chunk_indices",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub grounding_chunk_indices: Vec<u32>,
}

/// `startIndex` is omitted by the server when it is 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    #[serde(default, alias = "start_index")]
    pub start_index: u64,
    #[serde(default, alias = "end_index")]
    pub end_index: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

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
fn serialize_base64<S: Serializer>(bytes: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The example response on the relay's documentation page: snake_case part fields, a
    /// signature string, grounding at the top level.
    #[test]
    fn reads_the_relays_documented_example() {
        let body = br#"{"candidates":[{"content":{"role":"user","parts":[{"text":"Create a picture",
            "inline_data":{"mime_type":"image/jpeg","data":"AAEC"},"thought":true,"thought_signature":"string"}]},
            "finishReason":"STOP","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"}]}],
            "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":1290,"totalTokenCount":1390},
            "groundingMetadata":{"searchEntryPoint":{"renderedContent":"string"},
            "groundingChunks":[{"web":{"uri":"https://example.com/article","title":"Example Article Title"}}]}}"#;
        let response = GenerateContentResponse::from_slice(body).unwrap();
        let part = &response.candidates[0].content.as_ref().unwrap().parts[0];
        assert_eq!(part.inline_data.as_ref().unwrap().mime_type, "image/jpeg");
        assert!(matches!(
            part.thought_signature,
            Some(Cow::Borrowed("string"))
        ));
        assert!(part.thought);
        let grounding = response.grounding_metadata.unwrap();
        assert_eq!(
            grounding.sources().next().unwrap().title.as_deref(),
            Some("Example Article Title")
        );
    }

    #[test]
    fn nulls_and_missing_fields_are_empty() {
        let body = br#"{"candidates":null,"usageMetadata":null,"promptFeedback":{"blockReason":"OTHER","safetyRatings":null}}"#;
        let response = GenerateContentResponse::from_slice(body).unwrap();
        assert!(response.candidates.is_empty());
        let body =
            br#"{"candidates":[{"content":{"role":"model","parts":null},"safetyRatings":null}]}"#;
        let response = GenerateContentResponse::from_slice(body).unwrap();
        assert!(
            response.candidates[0]
                .content
                .as_ref()
                .unwrap()
                .parts
                .is_empty()
        );
    }

    #[test]
    fn unknown_part_fields_are_kept_in_camel_case() {
        let body = br#"{"candidates":[{"content":{"parts":[{"function_call":{"name":"now"},"thought_signature":"c2ln","video_metadata":null}]}}]}"#;
        let response = GenerateContentResponse::from_slice(body).unwrap();
        let part = &response.candidates[0].content.as_ref().unwrap().parts[0];
        assert_eq!(part.other.keys().collect::<Vec<_>>(), vec!["functionCall"]);
    }

    #[test]
    fn durations_parse_like_protobuf_json() {
        assert_eq!(
            parse_duration("34.4s"),
            Some(std::time::Duration::from_millis(34_400))
        );
        assert_eq!(
            parse_duration("2s"),
            Some(std::time::Duration::from_secs(2))
        );
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("soon"), None);
    }

    /// A reply whose image, signature and (optionally) other strings are `len` bytes long.
    fn long_reply(len: usize, text: &str, extra: &str) -> (String, String, String) {
        let data = "QUJD".repeat(len / 4);
        let signature = "c2ln".repeat(len / 4);
        let body = format!(
            r#"{{"candidates":[{{"content":{{"role":"model","parts":[
              {{"text":"{text}","thoughtSignature":"c2ln"}},
              {{"inlineData":{{"mimeType":"image/png","data":"{data}"}},
                "thoughtSignature":"{signature}"{extra}}}]}},
              "finishReason":"STOP"}}],"modelVersion":"gemini-3-pro-image-preview"}}"#
        );
        (body, data, signature)
    }

    fn parts<'a>(response: &'a GenerateContentResponse<'_>) -> &'a [WirePart<'a>] {
        &response.candidates[0].content.as_ref().unwrap().parts
    }

    #[test]
    fn long_strings_are_borrowed_from_the_body_itself() {
        let (body, data, signature) = long_reply(1 << 20, "hi", "");
        let response = GenerateContentResponse::from_slice(body.as_bytes()).unwrap();
        let image = &parts(&response)[1];
        let inline = image.inline_data.as_ref().unwrap();
        assert_eq!(&*inline.data, data.as_bytes());
        assert_eq!(image.thought_signature.as_deref(), Some(&*signature));
        let data_at = body.find(&data).unwrap();
        match &inline.data {
            Cow::Borrowed(bytes) => assert_eq!(bytes.as_ptr(), body[data_at..].as_ptr()),
            Cow::Owned(_) => panic!("the image was copied"),
        }
        assert_eq!(parts(&response)[0].text.as_deref(), Some("hi"));
        assert_eq!(
            response.model_version.as_deref(),
            Some("gemini-3-pro-image-preview")
        );
        assert_eq!(
            response.candidates[0].finish_reason.as_deref(),
            Some("STOP")
        );
    }

    #[test]
    fn long_strings_in_fields_that_own_their_text_are_kept_whole() {
        let long_text = "word ".repeat(10_000);
        let long_unmodelled = "x".repeat(50_000);
        let extra = format!(r#","videoMetadata":{{"note":"{long_unmodelled}"}}"#);
        let (body, data, _) = long_reply(1 << 16, &long_text, &extra);
        let response = GenerateContentResponse::from_slice(body.as_bytes()).unwrap();
        assert_eq!(parts(&response)[0].text.as_deref(), Some(&*long_text));
        let image = &parts(&response)[1];
        assert_eq!(image.other["videoMetadata"]["note"], long_unmodelled);
        assert_eq!(&*image.inline_data.as_ref().unwrap().data, data.as_bytes());
    }

    #[test]
    fn a_long_signature_with_a_raw_control_character_is_refused_as_serde_would() {
        let (body, _, signature) = long_reply(1 << 16, "hi", "");
        let broken = body.replacen(&signature, &format!("{signature}\u{1}"), 1);
        let error = GenerateContentResponse::from_slice(broken.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("control character"), "{error}");
    }

    #[test]
    fn an_error_envelope_is_read_in_the_same_parse() {
        let mut response = GenerateContentResponse::from_slice(
            br#"{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}"#,
        )
        .unwrap();
        let error = response.take_error().unwrap();
        assert_eq!(
            (error.code, error.status.as_str()),
            (429, "RESOURCE_EXHAUSTED")
        );
        let mut empty = GenerateContentResponse::from_slice(br#"{"error":{}}"#).unwrap();
        assert!(empty.take_error().is_none());
    }
}
