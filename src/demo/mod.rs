//! The offline demo model: an HTTP server on 127.0.0.1 that speaks the same REST protocol as
//! Google (both endpoints, SSE included), validates thought signatures as strictly as the real
//! API, draws deterministic pictures that follow the conversation, and injects faults on request.
//!
//! `--demo` runs it in-process so a new user can try everything without a key; the tests use it
//! as the test double and read back what it received; `banana-studio demo-server` runs it as a
//! process of its own (scripts, and measuring the client without the server's memory).

pub mod faults;
pub mod interactions;
pub mod model;
pub mod painter;
mod region_edit;
pub mod request;
pub mod signature;

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub use faults::{Fault, TakeFault};
use model::{Outcome, ReplyShape};
use request::DemoError;

/// The key `--demo` sends; the demo accepts any non-empty key.
pub const DEMO_KEY: &str = "demo-key";
/// The demo enforces Google's request limit, like the real endpoint.
const MAX_REQUEST_BYTES: usize = crate::config::GOOGLE_REQUEST_LIMIT as usize;

#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Faults for the next requests, one each, in order.
    pub faults: Vec<Fault>,
    /// Faults for one take of every request, every time.
    pub take_faults: Vec<TakeFault>,
    /// Real pixel sizes instead of a quarter of each side.
    pub full_size: bool,
    /// Pause between streamed chunks, to make streaming visible.
    pub chunk_delay: Duration,
    /// Noise over the final picture, so it barely compresses: a full-size 4K reply of about
    /// 30 MB, the large response of `scripts/bench-e2e.sh`.
    pub grain: bool,
    /// One line on stderr per request: what was asked, the status and the body size (the
    /// `demo-server` command; in-process, stderr belongs to the studio or `send`).
    pub log_requests: bool,
    /// Ids served besides Google's own, each answered as the model it names: a relay that
    /// keeps a retired preview id, or serves a model under a name of its own.
    pub aliases: Vec<(String, String)>,
    /// How long an interaction stays usable as a parent (none: for the server's life).
    pub interaction_ttl: Option<Duration>,
    /// Answer 404 to the Interactions API, as relays do.
    pub no_interactions: bool,
}

impl DemoOptions {
    /// Options from `BANANA_DEMO_FAULTS`, `BANANA_DEMO_TAKE_FAULTS`, `BANANA_DEMO_FULL_SIZE`,
    /// `BANANA_DEMO_CHUNK_DELAY_MS`, `BANANA_DEMO_GRAIN`, `BANANA_DEMO_ALIASES`,
    /// `BANANA_DEMO_INTERACTION_TTL_SECS` and `BANANA_DEMO_NO_INTERACTIONS`.
    pub fn from_env() -> Result<Self, String> {
        let faults = match std::env::var("BANANA_DEMO_FAULTS") {
            Ok(list) => faults::parse_list(&list)?,
            Err(_) => Vec::new(),
        };
        let take_faults = match std::env::var("BANANA_DEMO_TAKE_FAULTS") {
            Ok(list) => faults::parse_take_list(&list)?,
            Err(_) => Vec::new(),
        };
        let full_size = std::env::var("BANANA_DEMO_FULL_SIZE").is_ok_and(|v| v == "1");
        let grain = std::env::var("BANANA_DEMO_GRAIN").is_ok_and(|v| v == "1");
        let aliases = match std::env::var("BANANA_DEMO_ALIASES") {
            Ok(list) => parse_aliases(&list)?,
            Err(_) => Vec::new(),
        };
        let chunk_delay = std::env::var("BANANA_DEMO_CHUNK_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_millis(150));
        let interaction_ttl = match std::env::var("BANANA_DEMO_INTERACTION_TTL_SECS") {
            Ok(secs) => Some(Duration::from_secs_f64(
                secs.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| {
                        format!(
                            "BANANA_DEMO_INTERACTION_TTL_SECS={secs:?} is not a number of seconds"
                        )
                    })?,
            )),
            Err(_) => None,
        };
        Ok(Self {
            faults,
            take_faults,
            full_size,
            chunk_delay,
            grain,
            log_requests: false,
            aliases,
            interaction_ttl,
            no_interactions: std::env::var("BANANA_DEMO_NO_INTERACTIONS").is_ok_and(|v| v == "1"),
        })
    }
}

/// `ALIAS=MODEL,…`: each alias answered as MODEL, one of the models Google serves.
pub fn parse_aliases(list: &str) -> Result<Vec<(String, String)>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (alias, target) = entry.split_once('=').ok_or_else(|| {
                format!(
                    "BANANA_DEMO_ALIASES: {entry:?} is not ALIAS=MODEL (e.g. gemini-3-pro-image-preview=gemini-3-pro-image)."
                )
            })?;
            // A relay may keep serving a model Google retired: any model the catalog knows.
            if model::GOOGLE
                .find(model::DEMO_PROVIDER, target.trim())
                .is_none()
            {
                return Err(format!(
                    "BANANA_DEMO_ALIASES: {target:?} is not a model the demo knows: name one of {}.",
                    model::GOOGLE.served_ids(model::DEMO_PROVIDER).join(", ")
                ));
            }
            Ok((alias.trim().to_string(), target.trim().to_string()))
        })
        .collect()
}

/// A request as the demo received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The model named in the path; for an interaction, `interactions`.
    pub model: String,
    pub streaming: bool,
    pub body: Bytes,
}

impl RecordedRequest {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

struct DemoState {
    faults: Mutex<VecDeque<Fault>>,
    take_faults: Vec<TakeFault>,
    takes: Mutex<Takes>,
    requests: Mutex<Vec<RecordedRequest>>,
    full_size: bool,
    chunk_delay: Duration,
    grain: bool,
    log_requests: bool,
    aliases: HashMap<String, String>,
    interactions: interactions::InteractionStore,
    no_interactions: bool,
}

/// A running demo server; dropping it stops it.
pub struct DemoServer {
    base_url: String,
    state: Arc<DemoState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl DemoServer {
    /// Binds 127.0.0.1 on a free port and serves on the current tokio runtime.
    pub async fn start(options: DemoOptions) -> io::Result<Self> {
        Self::start_at(options, 0).await
    }

    /// Like [`DemoServer::start`] on a chosen port of 127.0.0.1 (0: any free one).
    pub async fn start_at(options: DemoOptions, port: u16) -> io::Result<Self> {
        let state = Arc::new(DemoState {
            faults: Mutex::new(options.faults.into()),
            take_faults: options.take_faults,
            takes: Mutex::new(Takes::default()),
            requests: Mutex::new(Vec::new()),
            full_size: options.full_size,
            grain: options.grain,
            chunk_delay: options.chunk_delay,
            log_requests: options.log_requests,
            aliases: options.aliases.into_iter().collect(),
            interactions: interactions::InteractionStore::new(options.interaction_ttl),
            no_interactions: options.no_interactions,
        });
        let app = Router::new()
            .route("/v1beta/models", get(list_models))
            .route("/v1beta/models/{*call}", post(handle))
            // v1 since the API's general availability (where Google's SDK and the studio post),
            // v1beta where it began.
            .route("/v1/interactions", post(handle_interaction))
            .route("/v1beta/interactions", post(handle_interaction))
            .layer(DefaultBodyLimit::disable())
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            base_url,
            state,
            shutdown: Some(shutdown),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Forgets every interaction, as their expiry would: the next turn that names one gets a
    /// not-found.
    pub fn expire_interactions(&self) {
        self.state.interactions.expire_all();
    }

    /// Queues faults for the next requests.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        if let Ok(mut queue) = self.state.faults.lock() {
            queue.extend(faults);
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn handle(
    State(state): State<Arc<DemoState>>,
    Path(call): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let log = state.log_requests.then(|| call.clone());
    let (model, method) = call.split_once(':').unwrap_or((call.as_str(), ""));
    let response = match method {
        "generateContent" | "streamGenerateContent" => {
            let call = Call::GenerateContent {
                model: model.to_string(),
                streaming: method == "streamGenerateContent",
            };
            respond(state, call, query, headers, body).await
        }
        _ => error_response(request::error(404, "NOT_FOUND", "Method not found.")),
    };
    log_request(log, &response);
    response
}

async fn handle_interaction(
    State(state): State<Arc<DemoState>>,
    query: RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let log = state.log_requests.then(|| "interactions".to_string());
    let response = if state.no_interactions {
        // A relay that does not know the endpoint, as they answer today.
        raw_404()
    } else {
        respond(state, Call::Interaction, query, headers, body).await
    };
    log_request(log, &response);
    response
}

fn raw_404() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "404 page not found",
    )
        .into_response()
}

/// What a request asks for.
enum Call {
    GenerateContent { model: String, streaming: bool },
    Interaction,
}

fn log_request(log: Option<String>, response: &Response) {
    if let Some(call) = log {
        // Whole bodies know their size; streamed ones carry the sum of their pieces.
        let bytes = response
            .body()
            .size_hint()
            .exact()
            .or_else(|| response.extensions().get::<BodyBytes>().map(|b| b.0 as u64));
        let size = bytes.map_or_else(|| "unknown".to_string(), |b| b.to_string());
        eprintln!(
            "demo-server: POST {} -> {}, {size} body bytes",
            // The path comes from the client: no control characters reach the terminal.
            call.escape_debug(),
            response.status().as_u16()
        );
    }
}

/// ListModels, paged three models at a time so that clients must follow `nextPageToken`. Like
/// Google's, the list holds text, embedding, Imagen and Veo models beside the image ones.
async fn list_models(
    State(state): State<Arc<DemoState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let has_key = headers.get("x-goog-api-key").is_some_and(|k| !k.is_empty());
    if !has_key {
        return error_response(request::error(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ));
    }
    let mut all: Vec<Value> = model::GOOGLE
        .served_ids(model::DEMO_PROVIDER)
        .into_iter()
        .map(|id| {
            let name = model::GOOGLE
                .find(model::DEMO_PROVIDER, &id)
                .map(|m| m.name.clone())
                .unwrap_or_else(|| id.clone());
            json!({"name": format!("models/{id}"), "displayName": name,
                   "supportedGenerationMethods": ["generateContent", "countTokens"]})
        })
        .collect();
    let mut aliases: Vec<_> = state.aliases.iter().collect();
    aliases.sort();
    all.extend(aliases.into_iter().map(|(alias, target)| {
        let name = model::GOOGLE
            .find(model::DEMO_PROVIDER, target)
            .map_or_else(|| target.clone(), |m| m.name.clone());
        json!({"name": format!("models/{alias}"), "displayName": name,
               "supportedGenerationMethods": ["generateContent", "countTokens"]})
    }));
    all.extend([
        json!({"name": "models/gemini-3-pro", "displayName": "Gemini 3 Pro",
               "supportedGenerationMethods": ["generateContent", "countTokens"]}),
        json!({"name": "models/gemini-embedding-001", "displayName": "Gemini Embedding",
               "supportedGenerationMethods": ["embedContent"]}),
        json!({"name": "models/imagen-4.0-generate-001", "displayName": "Imagen 4",
               "supportedGenerationMethods": ["predict"]}),
        json!({"name": "models/veo-3.1-generate-001", "displayName": "Veo 3.1",
               "supportedGenerationMethods": ["predictLongRunning"]}),
    ]);
    const PAGE: usize = 3;
    let start: usize = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("pageToken="))
        .and_then(|token| token.strip_prefix("page-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = (start + PAGE).min(all.len());
    let mut body = json!({"models": all.get(start..end).unwrap_or_default()});
    if end < all.len() {
        body["nextPageToken"] = json!(format!("page-{end}"));
    }
    raw_response("application/json", body.to_string().into())
}

/// The body size of a streamed response, for the request log.
#[derive(Debug, Clone, Copy)]
struct BodyBytes(usize);

async fn respond(
    state: Arc<DemoState>,
    call: Call,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (model, streaming) = match &call {
        Call::GenerateContent { model, streaming } => (model.as_str(), *streaming),
        Call::Interaction => ("interactions", true),
    };
    let has_key = headers.get("x-goog-api-key").is_some_and(|k| !k.is_empty())
        || query.as_deref().is_some_and(|q| q.contains("key="));
    if !has_key {
        return error_response(request::error(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ));
    }
    if body.len() > MAX_REQUEST_BYTES {
        return error_response(request::error(
            400,
            "INVALID_ARGUMENT",
            &format!("Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes."),
        ));
    }
    if let Ok(mut requests) = state.requests.lock() {
        requests.push(RecordedRequest {
            model: model.to_string(),
            streaming,
            body: body.clone(),
        });
    }
    let take = state
        .takes
        .lock()
        .map(|mut takes| takes.take(model, &body))
        .unwrap_or(0);
    let take_fault = state
        .take_faults
        .iter()
        .find(|f| f.take == take + 1)
        .map(|f| f.fault.clone());
    let fault = take_fault
        .or_else(|| state.faults.lock().ok().and_then(|mut f| f.pop_front()))
        .unwrap_or(Fault::None);
    let outcome = match fault {
        Fault::RateLimited { retry_delay } => {
            return error_response(DemoError {
                status: 429,
                body: json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                    "message": "You exceeded your current quota, please check your plan and billing details.",
                    "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                 "retryDelay": format!("{}s", retry_delay.as_secs_f64())}]}}),
            });
        }
        Fault::Internal => {
            return error_response(request::error(
                500,
                "INTERNAL",
                "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
            ));
        }
        Fault::Overloaded => {
            return error_response(request::error(
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
            ));
        }
        Fault::DeadlineExceeded => {
            return error_response(request::error(
                504,
                "DEADLINE_EXCEEDED",
                "Deadline expired before operation could complete.",
            ));
        }
        Fault::BadKey => {
            return error_response(DemoError {
                status: 400,
                body: json!({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                    "message": "API key not valid. Please pass a valid API key.",
                    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}}),
            });
        }
        Fault::NotJson => {
            return raw_response(
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
            );
        }
        Fault::WrongShape => {
            let body = r#"{"candidates": "this is not a list"}"#;
            return if streaming {
                sse_response(
                    vec![Bytes::from(format!("data: {body}\r\n\r\n"))],
                    Duration::ZERO,
                    None,
                )
            } else {
                raw_response("application/json", body.into())
            };
        }
        Fault::PromptBlocked => Outcome::PromptBlocked,
        Fault::ImageSafety => Outcome::ImageSafety,
        Fault::NoImage => Outcome::NoImage,
        Fault::TextOnly => Outcome::TextOnly,
        Fault::None | Fault::CutAfterThoughts | Fault::Stall(_) => Outcome::Normal,
    };
    let shape = ReplyShape {
        full_size: state.full_size,
        grain: state.grain,
        outcome,
        take,
    };
    // A relay's alias is answered as the model it stands for, even one Google retired.
    if let Call::Interaction = call {
        return interact(state, body, shape, fault).await;
    }
    let relayed = state.aliases.get(model);
    let model_name = relayed.map_or(model, String::as_str).to_string();
    let relayed = relayed.is_some();
    // Painting and encoding a 4K picture takes a while: keep it off the async workers.
    let answer =
        tokio::task::spawn_blocking(move || model::answer(&model_name, relayed, &body, shape))
            .await;
    let reply = match answer {
        Ok(Ok(reply)) => reply,
        Ok(Err(error)) => return error_response(error),
        Err(_) => return error_response(request::error(500, "INTERNAL", "The demo model failed.")),
    };
    let interruption = interruption(&fault).map(|kind| (reply.thought_chunks(), kind));
    if streaming {
        let events = reply
            .chunks()
            .iter()
            .map(|chunk| Bytes::from(format!("data: {chunk}\r\n\r\n")))
            .collect();
        sse_response(events, state.chunk_delay, interruption)
    } else {
        unary_response(Bytes::from(reply.unary().to_string()), interruption)
    }
}

fn interruption(fault: &Fault) -> Option<Interruption> {
    match fault {
        Fault::CutAfterThoughts => Some(Interruption::Cut),
        Fault::Stall(duration) => Some(Interruption::Stall(*duration)),
        _ => None,
    }
}

fn unary_response(body: Bytes, interruption: Option<(usize, Interruption)>) -> Response {
    match interruption {
        // A unary body cut or stalled half-way.
        Some((_, kind)) => {
            let half = body.len() / 2;
            streamed_response(
                "application/json",
                vec![body.slice(..half), body.slice(half..)],
                Duration::ZERO,
                Some((1, kind)),
            )
        }
        None => raw_response("application/json", body),
    }
}

/// An Interactions API call: read against the stored history, answered by the same model,
/// kept under a new id, and sent back as the API's events.
async fn interact(state: Arc<DemoState>, body: Bytes, shape: ReplyShape, fault: Fault) -> Response {
    let store = state.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let translated = store.interactions.translate(&body)?;
        let relayed = store.aliases.get(&translated.model);
        let model_name = relayed.unwrap_or(&translated.model).clone();
        let reply = model::answer(&model_name, relayed.is_some(), &translated.body, shape)?;
        let streaming = translated.streaming;
        let id = store.interactions.keep(translated, &reply);
        Ok::<_, DemoError>((interactions::events(&reply, &id), streaming))
    })
    .await;
    let ((events, before_output), streaming) = match answer {
        Ok(Ok(answer)) => answer,
        Ok(Err(error)) => return error_response(error),
        Err(_) => return error_response(request::error(500, "INTERNAL", "The demo model failed.")),
    };
    let interruption = interruption(&fault).map(|kind| (before_output, kind));
    if streaming {
        let events = events
            .iter()
            .map(|event| {
                let kind = event["event_type"].as_str().unwrap_or("message");
                Bytes::from(format!("event: {kind}\r\ndata: {event}\r\n\r\n"))
            })
            .collect();
        sse_response(events, state.chunk_delay, interruption)
    } else {
        unary_response(
            Bytes::from(interactions::unary(&events).to_string()),
            interruption,
        )
    }
}

/// How many times each distinct request was answered, to tell takes apart: the same request
/// answered again is another take (another picture, as a real model samples anew). Requests
/// that differ only in `generationConfig.seed` are variations of one request: each seed is a
/// take of its own, kept for good, so a retry of a variation is the same take (and meets the
/// same take fault).
#[derive(Default)]
struct Takes {
    requests: HashMap<u64, RequestTakes>,
}

#[derive(Default)]
struct RequestTakes {
    next: u32,
    by_seed: HashMap<u64, u32>,
}

impl Takes {
    /// The take (from 0) this request is.
    fn take(&mut self, model: &str, body: &[u8]) -> u32 {
        const SEED: &[u8] = br#""seed":"#;
        let (key, seed) = match memchr::memmem::rfind(body, SEED) {
            Some(at) => {
                let digits_at = at + SEED.len();
                let digits = body[digits_at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit() || **b == b'-')
                    .count();
                let seed = std::str::from_utf8(&body[digits_at..digits_at + digits])
                    .ok()
                    .and_then(|d| d.parse::<i64>().ok());
                let rest = &body[digits_at + digits..];
                let rest = rest.strip_prefix(b",").unwrap_or(rest);
                (request_key(model, &[&body[..at], rest]), seed)
            }
            None => (request_key(model, &[body]), None),
        };
        let takes = self.requests.entry(key).or_default();
        let fresh = |takes: &mut RequestTakes| {
            takes.next += 1;
            takes.next - 1
        };
        match seed {
            Some(seed) => match takes.by_seed.get(&(seed as u64)) {
                Some(take) => *take,
                None => {
                    let take = fresh(takes);
                    takes.by_seed.insert(seed as u64, take);
                    take
                }
            },
            None => fresh(takes),
        }
    }
}

fn request_key(model: &str, pieces: &[&[u8]]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    model.hash(&mut hasher);
    for piece in pieces {
        hasher.write(piece);
    }
    hasher.finish()
}

#[derive(Debug, Clone, Copy)]
enum Interruption {
    /// The connection drops.
    Cut,
    /// Nothing more is sent for this long.
    Stall(Duration),
}

fn error_response(error: DemoError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = [(header::CONTENT_TYPE, "application/json")];
    (status, headers, error.body.to_string()).into_response()
}

fn raw_response(content_type: &'static str, body: Bytes) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn sse_response(
    events: Vec<Bytes>,
    delay: Duration,
    interruption: Option<(usize, Interruption)>,
) -> Response {
    streamed_response("text/event-stream", events, delay, interruption)
}

/// Sends `pieces` one by one, pausing `delay` between them; after `interruption.0` pieces the
/// connection is cut or stalls.
fn streamed_response(
    content_type: &'static str,
    pieces: Vec<Bytes>,
    delay: Duration,
    interruption: Option<(usize, Interruption)>,
) -> Response {
    let total = pieces.iter().map(Bytes::len).sum();
    let stream = futures_util::stream::unfold(
        (pieces.into_iter(), 0usize),
        move |(mut pieces, sent)| async move {
            if let Some((after, kind)) = interruption
                && sent == after
            {
                match kind {
                    Interruption::Cut => {
                        // Let what was sent reach the client first: a cut mid-reply, not a
                        // refused connection.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let error = io::Error::new(
                            io::ErrorKind::ConnectionReset,
                            "demo fault: connection cut",
                        );
                        return Some((Err(error), (pieces, usize::MAX)));
                    }
                    Interruption::Stall(duration) => tokio::time::sleep(duration).await,
                }
            }
            if sent == usize::MAX {
                return None;
            }
            let piece = pieces.next()?;
            if sent > 0 && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Some((Ok::<_, io::Error>(piece), (pieces, sent + 1)))
        },
    );
    let mut response = Response::new(Body::from_stream(stream));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.extensions_mut().insert(BodyBytes(total));
    response
}
