//! Responses: `generateContent` replies and stream chunks, read tolerantly and borrowing the
//! long fields from the body.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::gemini::lenient::null_as_default;
use crate::gemini::skeleton::Skeleton;
use crate::gemini::wire::status::ErrorBody;

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
