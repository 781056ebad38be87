//! Reads a streamed interaction as `generateContent` chunks, so that one reply builder, one
//! session format and one request builder serve both transports: a thought's summary becomes a
//! `thought` part, its signature goes on the output part after it (`thoughtSignature`), text
//! and images become parts, search calls and results and the text's citations become the
//! grounding metadata, and the final event's status and usage become the finish reason and the
//! usage metadata.

use std::borrow::Cow;

use super::wire::{
    Annotation, Candidate, Content, ErrorBody, GenerateContentResponse, GroundingChunk,
    GroundingMetadata, GroundingSupport, InlineData, InteractionEvent, InteractionHeader,
    SearchArguments, SearchEntryPoint, SearchResult, Segment, Source, Step, StepContent, WirePart,
};

/// The state one interaction's events need between them.
#[derive(Debug, Default)]
pub struct InteractionReader {
    /// A signature waiting for the output part it belongs to.
    pending_signature: Option<String>,
    id: Option<String>,
    saw_steps: bool,
    /// The searches and citations so far, sent whole with each chunk that changes them (a
    /// reply keeps the last grounding it is given).
    grounding: GroundingMetadata,
    grounding_changed: bool,
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
                        parts.extend(thought_part(*content));
                    }
                }
                "text" | "image" => {
                    if let Some(part) = self.output_part(delta) {
                        parts.push(part);
                    }
                }
                "text_annotation_delta" => self.cite(delta.annotations),
                "google_search_call" | "google_search_result" => {
                    self.search(&delta.kind, delta.arguments, None, delta.result)
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
        let grounding = std::mem::take(&mut self.grounding_changed).then(|| self.grounding.clone());
        if !parts.is_empty()
            || finish.is_some()
            || usage.is_some()
            || model_version.is_some()
            || grounding.is_some()
        {
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
                grounding_metadata: grounding,
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
            "google_search_call" | "google_search_result" => self.search(
                &step.kind,
                step.arguments,
                step.search_type.as_deref(),
                step.result,
            ),
            _ => {}
        }
    }

    /// A search's queries, or its results' suggestions.
    fn search(
        &mut self,
        kind: &str,
        arguments: Option<SearchArguments>,
        search_type: Option<&str>,
        result: Vec<SearchResult>,
    ) {
        let grounding = &mut self.grounding;
        if kind == "google_search_call" {
            let queries = arguments.map(|a| a.queries).unwrap_or_default();
            match search_type {
                Some("image_search") => grounding.image_search_queries.extend(queries),
                _ => grounding.web_search_queries.extend(queries),
            }
        }
        if let Some(html) = result.into_iter().find_map(|r| r.search_suggestions) {
            grounding.search_entry_point = Some(SearchEntryPoint {
                rendered_content: Some(html),
            });
        }
        self.grounding_changed = true;
    }

    /// The answer's sources: each cited page once, and the span of text it supports.
    fn cite(&mut self, annotations: Vec<Annotation>) {
        let grounding = &mut self.grounding;
        for annotation in annotations {
            let Some(url) = annotation.url.filter(|_| annotation.kind == "url_citation") else {
                continue;
            };
            let chunks = &mut grounding.grounding_chunks;
            let index = match chunks
                .iter()
                .position(|c| c.web.as_ref().and_then(|w| w.uri.as_deref()) == Some(&url))
            {
                Some(index) => index,
                None => {
                    chunks.push(GroundingChunk {
                        web: Some(Source {
                            uri: Some(url),
                            title: annotation.title,
                            image_uri: None,
                        }),
                        ..GroundingChunk::default()
                    });
                    chunks.len() - 1
                }
            };
            grounding.grounding_supports.push(GroundingSupport {
                segment: Some(Segment {
                    start_index: annotation.start_index,
                    end_index: annotation.end_index,
                    text: None,
                }),
                grounding_chunk_indices: vec![u32::try_from(index).unwrap_or(u32::MAX)],
            });
            self.grounding_changed = true;
        }
    }

    /// Text or an image of the answer, with the signature that came before it, and the
    /// sources its text cites.
    fn output_part<'a>(&mut self, mut content: StepContent<'a>) -> Option<WirePart<'a>> {
        self.cite(std::mem::take(&mut content.annotations));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply's parts in `generateContent` form, its finish reason and its id.
    type ReadBack = (Vec<WirePart<'static>>, Option<String>, Option<String>);

    /// Reads events as the client does.
    fn read_all(events: &[&str]) -> Result<ReadBack, ErrorBody> {
        let mut reader = InteractionReader::new();
        let mut parts = Vec::new();
        let mut finish = None;
        let mut id = None;
        for event in events {
            let event: InteractionEvent = serde_json::from_str(event).unwrap();
            let read = reader.read(event)?;
            id = read.new_id.or(id);
            if let Some(chunk) = read.chunk {
                for candidate in chunk.candidates {
                    finish = candidate.finish_reason.or(finish);
                    for part in candidate.content.map(|c| c.parts).unwrap_or_default() {
                        parts.push(WirePart {
                            text: part.text,
                            inline_data: part.inline_data.map(|i| InlineData {
                                mime_type: i.mime_type,
                                data: Cow::Owned(i.data.into_owned()),
                            }),
                            thought: part.thought,
                            thought_signature: part
                                .thought_signature
                                .map(|s| Cow::Owned(s.into_owned())),
                            ..WirePart::default()
                        });
                    }
                }
            }
        }
        Ok((parts, finish, id))
    }

    #[test]
    fn a_thoughts_signature_goes_on_the_output_after_it() {
        let (parts, finish, id) = read_all(&[
            r#"{"event_type":"interaction.created","interaction":{"id":"v1_a","status":"in_progress"}}"#,
            r#"{"event_type":"step.start","index":0,"step":{"type":"thought"}}"#,
            r#"{"event_type":"step.delta","index":0,"delta":{"type":"thought_summary","content":{"type":"text","text":"planning"}}}"#,
            r#"{"event_type":"step.delta","index":0,"delta":{"type":"thought_summary","content":{"type":"image","mime_type":"image/jpeg","data":"AAEC"}}}"#,
            r#"{"event_type":"step.stop","index":0}"#,
            r#"{"event_type":"step.start","index":1,"step":{"type":"thought","signature":"c2lnLXRleHQ="}}"#,
            r#"{"event_type":"step.start","index":2,"step":{"type":"model_output","content":[]}}"#,
            r#"{"event_type":"step.delta","index":2,"delta":{"type":"text","text":"Here it is."}}"#,
            r#"{"event_type":"step.delta","index":2,"delta":{"type":"text","text":" More."}}"#,
            r#"{"event_type":"step.start","index":3,"step":{"type":"thought"}}"#,
            r#"{"event_type":"step.delta","index":3,"delta":{"type":"thought_signature","signature":"c2lnLWltYWdl"}}"#,
            r#"{"event_type":"step.start","index":4,"step":{"type":"model_output"}}"#,
            r#"{"event_type":"step.delta","index":4,"delta":{"type":"image","mime_type":"image/jpeg","data":"/9j/"}}"#,
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_a","status":"completed","usage":{"total_tokens":9,"output_tokens_by_modality":[{"modality":"image","tokens":1120}]}}}"#,
        ])
        .unwrap();
        assert_eq!(id.as_deref(), Some("v1_a"));
        assert_eq!(finish.as_deref(), Some("STOP"));
        let summary: Vec<(bool, Option<&str>, Option<&str>)> = parts
            .iter()
            .map(|p| (p.thought, p.text.as_deref(), p.thought_signature.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (true, Some("planning"), None),
                (true, None, None),
                (false, Some("Here it is."), Some("c2lnLXRleHQ=")),
                (false, Some(" More."), None),
                (false, None, Some("c2lnLWltYWdl")),
            ]
        );
        assert_eq!(&parts[4].inline_data.as_ref().unwrap().data[..], b"/9j/");
    }

    #[test]
    fn usage_is_read_in_generate_content_terms() {
        let mut reader = InteractionReader::new();
        let event: InteractionEvent = serde_json::from_str(
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_b","status":"completed","usage":{"total_input_tokens":10,"total_output_tokens":1120,"total_thought_tokens":5,"total_tokens":1135,"output_tokens_by_modality":[{"modality":"image","tokens":1120}]}}}"#,
        )
        .unwrap();
        let chunk = reader.read(event).unwrap().chunk.unwrap();
        let usage = chunk.usage_metadata.unwrap();
        assert_eq!(usage.prompt_token_count, 10);
        assert_eq!(usage.thoughts_token_count, 5);
        assert_eq!(usage.image_output_tokens(), 1120);
    }

    #[test]
    fn a_signature_with_nothing_after_it_is_kept_on_an_empty_part() {
        let (parts, _, _) = read_all(&[
            r#"{"event_type":"step.start","index":0,"step":{"type":"thought","signature":"bG9uZQ=="}}"#,
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_c","status":"completed"}}"#,
        ])
        .unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text.as_deref(), Some(""));
        assert_eq!(parts[0].thought_signature.as_deref(), Some("bG9uZQ=="));
    }

    #[test]
    fn an_error_event_is_the_servers_error_and_other_statuses_end_the_reply() {
        let error = read_all(&[
            r#"{"event_type":"error","error":{"code":"RESOURCE_EXHAUSTED","message":"slow down"}}"#,
        ])
        .unwrap_err();
        assert_eq!(error.message, "slow down");
        assert_eq!(error.status, "RESOURCE_EXHAUSTED");
        assert_eq!(error.code, 429, "a code by name is its HTTP status");
        let (_, finish, _) = read_all(&[
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_d","status":"incomplete"}}"#,
        ])
        .unwrap();
        assert_eq!(finish.as_deref(), Some("INCOMPLETE"));
    }

    #[test]
    fn a_whole_interaction_is_read_from_its_steps() {
        let (parts, finish, id) = read_all(&[
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_e","status":"completed","steps":[{"type":"thought","signature":"cw=="},{"type":"model_output","content":[{"type":"text","text":"hi"}]}]}}"#,
        ])
        .unwrap();
        assert_eq!(id.as_deref(), Some("v1_e"));
        assert_eq!(finish.as_deref(), Some("STOP"));
        assert_eq!(parts[0].thought_signature.as_deref(), Some("cw=="));
        assert_eq!(parts[0].text.as_deref(), Some("hi"));
    }

    #[test]
    fn searches_and_citations_become_the_grounding() {
        let mut reader = InteractionReader::new();
        let mut grounding = None;
        for event in [
            r#"{"event_type":"step.start","index":0,"step":{"type":"google_search_call","id":"s1","search_type":"web_search","arguments":{"queries":["bananas","banana statistics"]}}}"#,
            r#"{"event_type":"step.start","index":1,"step":{"type":"google_search_result","call_id":"s1","result":[{"search_suggestions":"<div>chips</div>"}]}}"#,
            r#"{"event_type":"step.start","index":2,"step":{"type":"google_search_call","id":"s2","search_type":"image_search","arguments":{"queries":["banana photo"]}}}"#,
            r#"{"event_type":"step.start","index":3,"step":{"type":"model_output","content":[{"type":"text","text":"Bananas.","annotations":[{"type":"url_citation","url":"https://a.example","title":"A","start_index":0,"end_index":8}]}]}}"#,
            r#"{"event_type":"step.delta","index":3,"delta":{"type":"text_annotation_delta","annotations":[{"type":"url_citation","url":"https://b.example","title":"B","end_index":8},{"type":"url_citation","url":"https://a.example","start_index":2,"end_index":4}]}}"#,
        ] {
            let event: InteractionEvent = serde_json::from_str(event).unwrap();
            if let Some(chunk) = reader.read(event).unwrap().chunk {
                grounding = chunk.grounding_metadata.or(grounding);
            }
        }
        let grounding = grounding.expect("grounding");
        assert_eq!(
            grounding.web_search_queries,
            ["bananas", "banana statistics"]
        );
        assert_eq!(grounding.image_search_queries, ["banana photo"]);
        assert_eq!(
            grounding
                .search_entry_point
                .unwrap()
                .rendered_content
                .as_deref(),
            Some("<div>chips</div>")
        );
        let sources: Vec<_> = grounding
            .grounding_chunks
            .iter()
            .map(|c| c.web.as_ref().unwrap().uri.as_deref().unwrap())
            .collect();
        assert_eq!(
            sources,
            ["https://a.example", "https://b.example"],
            "each page once"
        );
        let supports: Vec<_> = grounding
            .grounding_supports
            .iter()
            .map(|s| {
                (
                    s.grounding_chunk_indices.clone(),
                    s.segment.as_ref().unwrap().start_index,
                )
            })
            .collect();
        assert_eq!(supports, [(vec![0], 0), (vec![1], 0), (vec![0], 2)]);
    }

    #[test]
    fn a_field_of_another_shape_in_a_step_we_do_not_read_fails_nothing() {
        let (parts, finish, _) = read_all(&[
            r#"{"event_type":"step.start","index":0,"step":{"type":"code_execution_result","result":"42","content":"x"}}"#,
            r#"{"event_type":"step.delta","index":0,"delta":{"type":"code_execution_result","result":"42","content":[1,2]}}"#,
            r#"{"event_type":"step.start","index":1,"step":{"type":"model_output","content":[{"type":"text","text":"ok"}]}}"#,
            r#"{"event_type":"interaction.completed","interaction":{"id":"v1_f","status":"completed"}}"#,
        ])
        .unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text.as_deref(), Some("ok"));
        assert_eq!(finish.as_deref(), Some("STOP"));
    }
}
