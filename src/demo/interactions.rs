//! The demo model's Interactions API (`POST /v1/interactions`, where Google's SDK and the
//! studio post, and `/v1beta/interactions`): as strict as its `generateContent` side, which
//! answers it.
//!
//! A request is checked field by field (a name the API does not have is refused), its input
//! steps become `generateContent` contents after the stored history of the interaction it
//! continues, and the model answers that. The answer goes back as the API streams it — a
//! `thought` step per summary, a `thought` step with the signature before each signed output,
//! `model_output` steps — and is stored under a new id, unless `store` is false. An unknown,
//! expired or unstored parent is a 404 that names it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::model::DemoReply;
use super::request::{DemoError, bad_request, error};

/// Fields of a create-interaction body the API knows (`CreateModelInteraction` in the SDK).
const REQUEST_FIELDS: &[&str] = &[
    "model",
    "input",
    "previous_interaction_id",
    "system_instruction",
    "generation_config",
    "response_format",
    "response_modalities",
    "response_mime_type",
    "tools",
    "stream",
    "store",
    "background",
    "safety_settings",
    "labels",
    "service_tier",
];
const CONFIG_FIELDS: &[&str] = &[
    "image_config",
    "max_output_tokens",
    "seed",
    "stop_sequences",
    "temperature",
    "thinking_level",
    "thinking_summaries",
    "top_p",
];

/// Interactions kept for later turns.
#[derive(Default)]
pub struct InteractionStore {
    kept: Mutex<HashMap<String, Kept>>,
    /// How long an interaction stays usable as a parent (Google: 55 days paid, 1 day free).
    ttl: Option<Duration>,
}

struct Kept {
    /// The interaction this one continued: its history comes first.
    parent: Option<String>,
    /// This interaction's input and answer, as `generateContent` contents (the history is
    /// its ancestors', so each turn is kept once, not once per later turn).
    own: Vec<Value>,
    stored: bool,
    created: Instant,
    /// Forgotten as expiry would (`expire_all`); kept as an ancestor of what came after.
    expired: bool,
}

/// A request read: the `generateContent` body the model answers, and what storing the answer
/// needs.
pub struct Translated {
    pub model: String,
    pub body: Vec<u8>,
    pub streaming: bool,
    parent: Option<String>,
    /// The new input, as contents.
    input: Vec<Value>,
    store: bool,
}

impl InteractionStore {
    pub fn new(ttl: Option<Duration>) -> Self {
        Self {
            kept: Mutex::default(),
            ttl,
        }
    }

    /// Makes every interaction kept so far unusable as a parent, as its expiry would.
    pub fn expire_all(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.values_mut().for_each(|k| k.expired = true);
        }
    }

    /// Reads a create-interaction body.
    pub fn translate(&self, body: &[u8]) -> Result<Translated, DemoError> {
        let request: Value = serde_json::from_slice(body)
            .map_err(|e| bad_request(format!("Invalid JSON payload received. {e}")))?;
        let request = request
            .as_object()
            .ok_or_else(|| bad_request("Invalid JSON payload received. Expected an object."))?;
        refuse_unknown(request, REQUEST_FIELDS, "")?;
        let model = request
            .get("model")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_request("Missing required field: model."))?
            .trim_start_matches("models/")
            .to_string();
        let parent = match request.get("previous_interaction_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => return Err(bad_request("previous_interaction_id must be a string.")),
        };
        let mut contents = match &parent {
            Some(id) => self.history(id)?,
            None => Vec::new(),
        };
        let input = input_contents(request.get("input"))?;
        contents.extend(input.iter().cloned());
        let config = generation_config(request)?;
        let mut gc = json!({"contents": contents, "generationConfig": config});
        if let Some(system) = request.get("system_instruction").and_then(Value::as_str) {
            gc["systemInstruction"] = json!({"parts": [{"text": system}]});
        }
        if let Some(tools) = request.get("tools") {
            gc["tools"] = search_tools(tools)?;
        }
        Ok(Translated {
            model,
            body: serde_json::to_vec(&gc).map_err(|e| bad_request(e.to_string()))?,
            streaming: request.get("stream").and_then(Value::as_bool) == Some(true),
            parent,
            input,
            store: request.get("store").and_then(Value::as_bool) != Some(false),
        })
    }

    /// The conversation up to and including interaction `id`'s answer: a 404 naming it when
    /// it is unknown, expired or was not stored.
    fn history(&self, id: &str) -> Result<Vec<Value>, DemoError> {
        let kept = self
            .kept
            .lock()
            .map_err(|_| bad_request("store poisoned"))?;
        let usable = |k: &&Kept| {
            k.stored && !k.expired && self.ttl.is_none_or(|ttl| k.created.elapsed() < ttl)
        };
        if kept.get(id).filter(usable).is_none() {
            return Err(error(
                404,
                "NOT_FOUND",
                &format!(
                    "Interaction {id} was not found. It may have expired, been deleted, or been created with store=false."
                ),
            ));
        }
        let mut chain = Vec::new();
        let mut next = Some(id);
        while let Some(at) = next.and_then(|id| kept.get(id)) {
            chain.push(&at.own);
            next = at.parent.as_deref();
        }
        Ok(chain.into_iter().rev().flatten().cloned().collect())
    }

    /// Keeps the answer to `request` and returns its new id.
    pub fn keep(&self, request: Translated, reply: &DemoReply) -> String {
        let id = format!("v1_demo{:016x}", fastrand::u64(..));
        let mut own = request.input;
        let parts: Vec<Value> = reply
            .thought_parts
            .iter()
            .chain(&reply.answer_parts)
            .cloned()
            .collect();
        if !parts.is_empty() {
            own.push(json!({"role": "model", "parts": parts}));
        }
        if !request.store {
            // Never a parent, so never an ancestor: nothing of it is needed.
            own.clear();
        }
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(
                id.clone(),
                Kept {
                    parent: request.parent,
                    own,
                    stored: request.store,
                    created: Instant::now(),
                    expired: false,
                },
            );
        }
        id
    }
}

fn refuse_unknown(object: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), DemoError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(name) => Err(bad_request(format!(
            "Invalid JSON payload received. Unknown name \"{name}\"{at}: Cannot find field."
        ))),
        None => Ok(()),
    }
}

/// The input as contents: a string, a list of contents (one prompt), or a list of steps.
fn input_contents(input: Option<&Value>) -> Result<Vec<Value>, DemoError> {
    let items = match input {
        None | Some(Value::Null) => return Err(bad_request("Missing required field: input.")),
        Some(Value::String(text)) => {
            return Ok(vec![json!({"role": "user", "parts": [{"text": text}]})]);
        }
        Some(Value::Array(items)) => items,
        Some(object @ Value::Object(_)) => std::slice::from_ref(object),
        Some(_) => return Err(bad_request("input must be a string, a content or a list.")),
    };
    let is_step = |item: &Value| {
        matches!(
            item.get("type").and_then(Value::as_str),
            Some("user_input" | "model_output" | "thought")
        )
    };
    if !items.iter().any(is_step) {
        let parts = items
            .iter()
            .map(|c| content_part(c, ""))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(vec![json!({"role": "user", "parts": parts})]);
    }
    let mut contents: Vec<Value> = Vec::new();
    let mut signature: Option<String> = None;
    for (index, step) in items.iter().enumerate() {
        let at = format!(" at 'input[{index}]'");
        let object = step
            .as_object()
            .ok_or_else(|| bad_request(format!("A step{at} is not an object.")))?;
        match object.get("type").and_then(Value::as_str) {
            Some("user_input") => {
                refuse_unknown(object, &["type", "content"], &at)?;
                let parts = list(object.get("content"))
                    .iter()
                    .map(|c| content_part(c, &at))
                    .collect::<Result<Vec<_>, _>>()?;
                contents.push(json!({"role": "user", "parts": parts}));
            }
            Some("thought") => {
                refuse_unknown(object, &["type", "signature", "summary"], &at)?;
                signature = object
                    .get("signature")
                    .and_then(Value::as_str)
                    .map(String::from);
            }
            Some("model_output") => {
                refuse_unknown(object, &["type", "content", "error"], &at)?;
                let mut parts = Vec::new();
                for content in list(object.get("content")) {
                    let mut part = content_part(content, &at)?;
                    if let Some(signature) = signature.take() {
                        part["thoughtSignature"] = json!(signature);
                    }
                    parts.push(part);
                }
                // Consecutive outputs of one answer are one model content.
                match contents.last_mut() {
                    Some(last) if last["role"] == "model" => {
                        if let Some(existing) = last["parts"].as_array_mut() {
                            existing.extend(parts);
                        }
                    }
                    _ => contents.push(json!({"role": "model", "parts": parts})),
                }
            }
            other => {
                return Err(bad_request(format!(
                    "Unsupported step type{at}: {}.",
                    other.unwrap_or("(none)")
                )));
            }
        }
    }
    Ok(contents)
}

fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn content_part(content: &Value, at: &str) -> Result<Value, DemoError> {
    let object = content
        .as_object()
        .ok_or_else(|| bad_request(format!("A content{at} is not an object.")))?;
    match object.get("type").and_then(Value::as_str) {
        Some("text") => {
            refuse_unknown(object, &["type", "text", "annotations"], at)?;
            Ok(json!({"text": object.get("text").and_then(Value::as_str).unwrap_or_default()}))
        }
        Some("image") => {
            refuse_unknown(
                object,
                &["type", "data", "mime_type", "resolution", "uri"],
                at,
            )?;
            let data = object.get("data").and_then(Value::as_str).ok_or_else(|| {
                bad_request(format!(
                    "An image{at} has no data (uri is not served by the demo)."
                ))
            })?;
            let mime = object
                .get("mime_type")
                .and_then(Value::as_str)
                .unwrap_or("image/png");
            Ok(json!({"inlineData": {"mimeType": mime, "data": data}}))
        }
        other => Err(bad_request(format!(
            "Unsupported content type{at}: {}.",
            other.unwrap_or("(none)")
        ))),
    }
}

/// `generation_config` and `response_format` as a `generateContent` generation config.
fn generation_config(request: &Map<String, Value>) -> Result<Value, DemoError> {
    let empty = Map::new();
    let config = match request.get("generation_config") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(config)) => config,
        Some(_) => return Err(bad_request("generation_config must be an object.")),
    };
    refuse_unknown(config, CONFIG_FIELDS, " at 'generation_config'")?;
    let mut image_config = config.get("image_config").cloned().unwrap_or(json!({}));
    let mut modalities = vec!["TEXT", "IMAGE"];
    if let Some(formats) = request.get("response_format") {
        let formats = match formats {
            Value::Array(list) => list.clone(),
            single => vec![single.clone()],
        };
        modalities.clear();
        for format in &formats {
            match format.get("type").and_then(Value::as_str) {
                Some("text") => modalities.push("TEXT"),
                Some("image") => {
                    modalities.push("IMAGE");
                    for key in ["aspect_ratio", "image_size"] {
                        if let Some(value) = format.get(key) {
                            image_config[key] = value.clone();
                        }
                    }
                }
                other => {
                    return Err(bad_request(format!(
                        "Unsupported response_format type: {}.",
                        other.unwrap_or("(none)")
                    )));
                }
            }
        }
    }
    let mut out = json!({"responseModalities": modalities, "imageConfig": image_config});
    let thinking_level = config.get("thinking_level");
    let summaries = config.get("thinking_summaries").and_then(Value::as_str);
    if thinking_level.is_some() || summaries.is_some() {
        let mut thinking = json!({"includeThoughts": summaries != Some("none")});
        if let Some(level) = thinking_level {
            thinking["thinkingLevel"] = level.clone();
        }
        out["thinkingConfig"] = thinking;
    }
    if let Some(seed) = config.get("seed") {
        out["seed"] = seed.clone();
    }
    Ok(out)
}

fn search_tools(tools: &Value) -> Result<Value, DemoError> {
    let mut out = Vec::new();
    for tool in list(Some(tools)) {
        match tool.get("type").and_then(Value::as_str) {
            Some("google_search") => {
                let types = list(tool.get("search_types"));
                let image = types.iter().any(|t| t == "image_search");
                out.push(if image {
                    json!({"googleSearch": {"searchTypes": {"webSearch": {}, "imageSearch": {}}}})
                } else {
                    json!({"googleSearch": {}})
                });
            }
            other => {
                return Err(bad_request(format!(
                    "Unsupported tool type: {}.",
                    other.unwrap_or("(none)")
                )));
            }
        }
    }
    Ok(Value::Array(out))
}

/// The answer as the API streams it, and how many events come before the first output (where
/// the cut and stall faults strike).
pub fn events(reply: &DemoReply, id: &str) -> (Vec<Value>, usize) {
    let header = |status: &str| {
        let mut interaction = json!({"id": id, "status": status, "model": reply.model_version, "object": "interaction"});
        if status != "in_progress" {
            interaction["usage"] = usage(&reply.usage);
        }
        interaction
    };
    let mut events =
        vec![json!({"event_type": "interaction.created", "interaction": header("in_progress")})];
    let mut index = 0;
    let mut step = |events: &mut Vec<Value>, start: Value, deltas: Vec<Value>| {
        events.push(json!({"event_type": "step.start", "index": index, "step": start}));
        for delta in deltas {
            events.push(json!({"event_type": "step.delta", "index": index, "delta": delta}));
        }
        events.push(json!({"event_type": "step.stop", "index": index}));
        index += 1;
    };
    let grounding = reply.grounding.as_ref();
    if let Some(grounding) = grounding {
        // The searches the model ran, with Google's suggestions as the result.
        for (n, (queries, search_type)) in [
            (&grounding["webSearchQueries"], "web_search"),
            (&grounding["imageSearchQueries"], "image_search"),
        ]
        .into_iter()
        .filter(|(queries, _)| queries.is_array())
        .enumerate()
        {
            let call = format!("search_{}", n + 1);
            step(
                &mut events,
                json!({"type": "google_search_call", "id": call, "search_type": search_type,
                       "arguments": {"queries": queries}}),
                vec![],
            );
            let html = &grounding["searchEntryPoint"]["renderedContent"];
            let result = if html.is_string() && n == 0 {
                json!([{"search_suggestions": html}])
            } else {
                json!([])
            };
            step(
                &mut events,
                json!({"type": "google_search_result", "call_id": call, "result": result}),
                vec![],
            );
        }
    }
    for part in &reply.thought_parts {
        step(
            &mut events,
            json!({"type": "thought"}),
            vec![json!({"type": "thought_summary", "content": content_of(part)})],
        );
    }
    let thought_events = events.len();
    for part in &reply.answer_parts {
        let delta = content_of(part);
        // An empty text has no output step; its signature, if any, would land on the next.
        if delta["type"] == "text" && delta["text"] == "" {
            continue;
        }
        if let Some(signature) = part.get("thoughtSignature") {
            step(
                &mut events,
                json!({"type": "thought"}),
                vec![json!({"type": "thought_signature", "signature": signature})],
            );
        }
        let mut deltas = vec![delta];
        // Every source cites the whole answer, as the generateContent side supports it.
        if let (Some(grounding), Some(text)) = (grounding, part.get("text").and_then(Value::as_str))
        {
            let annotations: Vec<Value> = list(grounding.get("groundingChunks"))
                .iter()
                .filter_map(|chunk| {
                    let source = chunk.get("web").or_else(|| chunk.get("image"))?;
                    let url = source.get("uri").or_else(|| source.get("sourceUri"))?;
                    Some(
                        json!({"type": "url_citation", "url": url, "title": source["title"],
                                "start_index": 0, "end_index": text.len()}),
                    )
                })
                .collect();
            deltas.push(json!({"type": "text_annotation_delta", "annotations": annotations}));
        }
        step(
            &mut events,
            json!({"type": "model_output", "content": []}),
            deltas,
        );
    }
    let status = match reply.finish_reason.as_deref() {
        Some("STOP") => "completed",
        Some(_) => "incomplete",
        None => "failed",
    };
    events.push(json!({"event_type": "interaction.completed", "interaction": header(status)}));
    (events, thought_events)
}

/// A `generateContent` part as Interactions content.
fn content_of(part: &Value) -> Value {
    match (part.get("text"), part.get("inlineData")) {
        (Some(text), _) => json!({"type": "text", "text": text}),
        (None, Some(inline)) => {
            json!({"type": "image", "mime_type": inline["mimeType"], "data": inline["data"]})
        }
        _ => json!({"type": "text", "text": ""}),
    }
}

/// `usageMetadata` in the Interactions API's words.
fn usage(gc: &Value) -> Value {
    let count = |key: &str| gc.get(key).and_then(Value::as_u64).unwrap_or(0);
    let by_modality = |key: &str| -> Vec<Value> {
        list(gc.get(key))
            .iter()
            .map(|d| json!({"modality": d["modality"].as_str().unwrap_or("").to_ascii_lowercase(), "tokens": d["tokenCount"]}))
            .collect()
    };
    json!({
        "total_input_tokens": count("promptTokenCount"),
        "total_output_tokens": count("candidatesTokenCount"),
        "total_thought_tokens": count("thoughtsTokenCount"),
        "total_tokens": count("totalTokenCount"),
        "input_tokens_by_modality": by_modality("promptTokensDetails"),
        "output_tokens_by_modality": by_modality("candidatesTokensDetails"),
    })
}

/// The whole interaction as one body (`stream` false).
pub fn unary(events: &[Value]) -> Value {
    let mut interaction = events
        .last()
        .and_then(|e| e.get("interaction"))
        .cloned()
        .unwrap_or(json!({}));
    let mut steps: Vec<Value> = Vec::new();
    for event in events {
        match event["event_type"].as_str() {
            Some("step.start") => steps.push(event["step"].clone()),
            Some("step.delta") => {
                let Some(step) = steps.last_mut() else {
                    continue;
                };
                let delta = &event["delta"];
                match delta["type"].as_str() {
                    Some("thought_signature") => step["signature"] = delta["signature"].clone(),
                    Some("thought_summary") => step["summary"] = json!([delta["content"]]),
                    // A text's sources go on the text.
                    Some("text_annotation_delta") => {
                        step["content"][0]["annotations"] = delta["annotations"].clone()
                    }
                    _ => step["content"] = json!([delta]),
                }
            }
            _ => {}
        }
    }
    interaction["steps"] = Value::Array(steps);
    // `object` belongs to the streamed events' interaction, not to the Interaction resource.
    if let Some(fields) = interaction.as_object_mut() {
        fields.remove("object");
    }
    interaction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(error: DemoError) -> (u16, String) {
        (
            error.status,
            error.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    }

    fn translate(store: &InteractionStore, body: Value) -> Result<Translated, DemoError> {
        store.translate(body.to_string().as_bytes())
    }

    #[test]
    fn names_the_api_does_not_have_are_refused() {
        let store = InteractionStore::default();
        let body = json!({"model": "gemini-3-pro-image", "input": "hi", "generationConfig": {}});
        let (status, text) = message(translate(&store, body).err().unwrap());
        assert_eq!(status, 400);
        assert!(text.contains("Unknown name \"generationConfig\""), "{text}");
        let body = json!({"model": "m", "input": "hi", "generation_config": {"image_size": "4K"}});
        let (_, text) = message(translate(&store, body).err().unwrap());
        assert!(
            text.contains("\"image_size\" at 'generation_config'"),
            "{text}"
        );
        let body = json!({"model": "m", "input": [{"type": "user_input", "content": [{"type": "text", "text": "x", "thought_signature": "s"}]}]});
        let (_, text) = message(translate(&store, body).err().unwrap());
        assert!(
            text.contains("\"thought_signature\" at 'input[0]'"),
            "{text}"
        );
    }

    #[test]
    fn steps_become_contents_with_each_signature_on_the_output_after_it() {
        let store = InteractionStore::default();
        let body = json!({"model": "gemini-3-pro-image", "input": [
            {"type": "user_input", "content": [{"type": "text", "text": "draw"}]},
            {"type": "thought", "signature": "s1"},
            {"type": "model_output", "content": [{"type": "text", "text": "Here."}]},
            {"type": "thought", "signature": "s2"},
            {"type": "model_output", "content": [{"type": "image", "mime_type": "image/jpeg", "data": "AAEC"}]},
            {"type": "user_input", "content": [{"type": "text", "text": "bigger"}]}
        ], "response_format": [{"type": "image", "aspect_ratio": "16:9"}], "generation_config": {"seed": 3}});
        let translated = translate(&store, body).unwrap();
        let gc: Value = serde_json::from_slice(&translated.body).unwrap();
        assert_eq!(
            gc["contents"],
            json!([
                {"role": "user", "parts": [{"text": "draw"}]},
                {"role": "model", "parts": [{"text": "Here.", "thoughtSignature": "s1"},
                    {"inlineData": {"mimeType": "image/jpeg", "data": "AAEC"}, "thoughtSignature": "s2"}]},
                {"role": "user", "parts": [{"text": "bigger"}]}
            ])
        );
        assert_eq!(
            gc["generationConfig"]["responseModalities"],
            json!(["IMAGE"])
        );
        assert_eq!(
            gc["generationConfig"]["imageConfig"]["aspect_ratio"],
            "16:9"
        );
        assert_eq!(gc["generationConfig"]["seed"], 3);
    }

    #[test]
    fn unknown_expired_and_unstored_parents_are_not_found() {
        let store = InteractionStore::default();
        let first = translate(&store, json!({"model": "m", "input": "a", "store": false})).unwrap();
        let unstored = store.keep(first, &DemoReply::default());
        let kept = translate(&store, json!({"model": "m", "input": "a"})).unwrap();
        let kept = store.keep(kept, &DemoReply::default());
        let continue_from = |id: &str| {
            translate(
                &store,
                json!({"model": "m", "input": "b", "previous_interaction_id": id}),
            )
        };
        let history = |t: Translated| {
            let body: Value = serde_json::from_slice(&t.body).unwrap();
            body["contents"].as_array().unwrap().len()
        };
        assert_eq!(history(continue_from(&kept).unwrap()), 2, "a and b");
        let second = store.keep(continue_from(&kept).unwrap(), &DemoReply::default());
        assert_eq!(
            history(continue_from(&second).unwrap()),
            3,
            "a, b and the new b: each ancestor once"
        );
        for id in [unstored.as_str(), "v1_never"] {
            let (status, text) = message(continue_from(id).err().unwrap());
            assert_eq!(status, 404);
            assert!(text.contains(id), "{text}");
        }
        store.expire_all();
        assert_eq!(message(continue_from(&kept).err().unwrap()).0, 404);

        let short = InteractionStore::new(Some(Duration::ZERO));
        let first = translate(&short, json!({"model": "m", "input": "a"})).unwrap();
        let id = short.keep(first, &DemoReply::default());
        let later = short.translate(
            json!({"model": "m", "input": "b", "previous_interaction_id": id})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(
            message(later.err().unwrap()).0,
            404,
            "past its time to live"
        );
    }
}
