//! The HTTP client: unary `:generateContent`, streaming `:streamGenerateContent?alt=sse` and
//! streamed interactions (`/v1/interactions`, or `v1beta`), with bounded retries. It knows the
//! wire format and nothing of conversations: every parsed response (or chunk) is handed to the
//! caller as it arrives.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;

use super::error::ApiError;
use super::interactions::InteractionReader;
use super::key::ApiKey;
use super::sse::{SseDecoder, SseEvent};
use super::wire::{
    GenerateContentResponse, InteractionEvent, InteractionHeader, ListModelsResponse, ListedModel,
    describe_json_error,
};

/// The most a unary reply's buffer is sized for up front; a larger body still grows past it.
const MAX_PRESIZE: u64 = 256 * 1024 * 1024;

/// How hard to try before giving up on a transient failure.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// No retry is started that would end later than this after the first attempt.
    pub max_total: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total: Duration::from_secs(300),
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with jitter (50–100 % of the step), or the server's own delay.
    pub fn delay(&self, retry_number: u32, asked: Option<Duration>) -> Duration {
        if let Some(asked) = asked {
            // A little jitter on top so that many clients told the same delay do not return at
            // once. The server chose `asked`: nothing here may overflow on it.
            let jitter = Duration::try_from_secs_f64(asked.as_secs_f64() * fastrand::f64() * 0.1)
                .unwrap_or_default();
            return asked.saturating_add(jitter);
        }
        let step = self
            .base_delay
            .saturating_mul(1u32 << retry_number.min(16))
            .min(self.max_delay);
        step.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Longest silence allowed while waiting for or reading a reply. Generations take minutes,
    /// so there is deliberately no limit on the whole request.
    pub idle_timeout: Duration,
    pub retry: RetryPolicy,
    /// The largest reply read, in bytes: past it the call fails and nothing is kept.
    pub max_reply_bytes: u64,
}

/// 256 MB: a 4K reply with two thought images is under 40 MB.
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 256_000_000;

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
        }
    }
}

/// Where a call stands on the wire. The one account of it: the client reports it, a turn's
/// progress passes it on, `send` prints it and the studio's jobs show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Transfer {
    /// A request is going out: attempt `attempt` of at most `of`.
    Sending { attempt: u32, of: u32, bytes: usize },
    /// A transient failure (`reason`); the next attempt starts after `delay`.
    Retrying {
        attempt: u32,
        of: u32,
        delay: Duration,
        reason: String,
        /// The provider said "too many requests" and how long to wait (RetryInfo).
        rate_limited: bool,
    },
    /// The server accepted the request and the reply is coming in.
    Receiving,
    /// Total body bytes received so far.
    Received { bytes: u64 },
}

/// What happens during one call, reported as it happens.
#[derive(Debug)]
pub enum ClientEvent<'a> {
    Transfer(Transfer),
    /// A complete response (unary) or chunk (streaming); an interaction's events are read
    /// into chunks too.
    Response(Box<GenerateContentResponse<'a>>),
    /// The id the server gave the interaction (Interactions API only), as soon as it is known.
    InteractionId(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Unary,
    Streaming,
}

/// Where a body goes.
#[derive(Debug, Clone, Copy)]
enum Endpoint<'a> {
    GenerateContent {
        model: &'a str,
        mode: Mode,
    },
    /// Always streamed: the body says `"stream": true`. `v1` where Google's SDK posts since
    /// the API's general availability, `v1beta` where it began (and where a relay that has
    /// it may serve it).
    Interactions {
        version: &'static str,
    },
}

#[derive(Debug, Clone)]
pub struct GeminiClient {
    http: reqwest::Client,
    base_url: String,
    /// The base URL as messages show it: a password in it masked.
    shown_url: String,
    key: ApiKey,
    options: ClientOptions,
    /// Shared by every clone: a 429 with a retry delay holds back every call to this
    /// provider, not only the one that got it.
    backoff: Arc<ProviderBackoff>,
    /// Shared by every clone: set once the provider answered 404 to the Interactions endpoint
    /// itself, so the rest of the run goes over `generateContent`.
    interactions_refused: Arc<AtomicBool>,
    /// Shared by every clone: which version of the Interactions path answered (0: none yet,
    /// then 1 + its index in `interact`'s list).
    interactions_version: Arc<AtomicU8>,
    /// Shared by every clone: interactions the provider said it no longer has, so variations
    /// of one prompt learn it once (one notice) and no turn names them again.
    forgotten: Arc<Mutex<std::collections::HashSet<String>>>,
}

/// When the provider may be called again after it said "too many requests".
#[derive(Debug, Default)]
struct ProviderBackoff {
    until: Mutex<Option<Instant>>,
}

impl ProviderBackoff {
    fn hold_until(&self, until: Instant) {
        if let Ok(mut current) = self.until.lock() {
            *current = Some(current.map_or(until, |c| c.max(until)));
        }
    }

    /// How long a new attempt must wait.
    fn wait(&self) -> Option<Duration> {
        let until = (*self.until.lock().ok()?)?;
        until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }
}

impl GeminiClient {
    pub fn new(base_url: &str, key: ApiKey, options: ClientOptions) -> Result<Self, ApiError> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.idle_timeout)
            // The key and the body go to the configured origin and nowhere else: a redirect is
            // an error naming its target (see `refuse_redirect`).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("banana-studio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Connect {
                base_url: without_password(base_url),
                detail: key.redact(&e.to_string()),
            })?;
        Ok(Self {
            http,
            shown_url: without_password(base_url.trim_end_matches('/')),
            base_url: base_url.trim_end_matches('/').to_string(),
            key,
            options,
            backoff: Arc::default(),
            interactions_refused: Arc::default(),
            interactions_version: Arc::default(),
            forgotten: Arc::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Whether the provider answered 404 to the Interactions endpoint during this run.
    pub fn interactions_refused(&self) -> bool {
        self.interactions_refused.load(Ordering::Relaxed)
    }

    /// Notes that the provider does not serve the Interactions API; true the first time, so
    /// the notice is given once per run.
    pub fn refuse_interactions(&self) -> bool {
        !self.interactions_refused.swap(true, Ordering::Relaxed)
    }

    /// Notes that the provider no longer has interaction `id`; true the first time.
    pub fn forget_interaction(&self, id: &str) -> bool {
        self.forgotten
            .lock()
            .map(|mut forgotten| forgotten.insert(id.to_string()))
            .unwrap_or(true)
    }

    /// Whether the provider said it no longer has interaction `id`.
    pub fn forgot_interaction(&self, id: &str) -> bool {
        self.forgotten
            .lock()
            .is_ok_and(|forgotten| forgotten.contains(id))
    }

    fn url(&self, endpoint: Endpoint<'_>) -> String {
        match endpoint {
            Endpoint::GenerateContent {
                model,
                mode: Mode::Unary,
            } => format!("{}/v1beta/models/{model}:generateContent", self.base_url),
            Endpoint::GenerateContent {
                model,
                mode: Mode::Streaming,
            } => format!(
                "{}/v1beta/models/{model}:streamGenerateContent?alt=sse",
                self.base_url
            ),
            Endpoint::Interactions { version } => {
                format!("{}/{version}/interactions", self.base_url)
            }
        }
    }

    /// Sends `body` and hands every parsed response to `on_event`, retrying transient failures
    /// that happen before the reply starts. A reply that breaks off is an error, never retried
    /// behind the caller's back: the caller decides whether to pay for another generation.
    pub async fn generate(
        &self,
        model: &str,
        body: Bytes,
        mode: Mode,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        self.call(Endpoint::GenerateContent { model, mode }, body, on_event)
            .await
    }

    /// Creates an interaction from `body` (streamed) and hands its events to `on_event` as
    /// `generateContent` chunks, with the same retries as [`GeminiClient::generate`]. Posted
    /// to `/v1/interactions`, as Google's SDK does; a 404 there is tried once on
    /// `/v1beta/interactions`, and the version that answered is used from then on.
    pub async fn interact(
        &self,
        body: Bytes,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        const VERSIONS: [&str; 2] = ["v1", "v1beta"];
        let endpoint = |version| Endpoint::Interactions { version };
        let known = self.interactions_version.load(Ordering::Relaxed);
        if let Some(version) = usize::from(known)
            .checked_sub(1)
            .and_then(|i| VERSIONS.get(i))
        {
            return self.call(endpoint(version), body, on_event).await;
        }
        let mut result = Ok(());
        for (index, version) in VERSIONS.into_iter().enumerate() {
            result = self.call(endpoint(version), body.clone(), on_event).await;
            match &result {
                Ok(()) => {
                    self.interactions_version
                        .store(index as u8 + 1, Ordering::Relaxed);
                    break;
                }
                Err(error) if error.status() == Some(404) => continue,
                Err(_) => break,
            }
        }
        result
    }

    async fn call(
        &self,
        endpoint: Endpoint<'_>,
        body: Bytes,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        let policy = &self.options.retry;
        let started = Instant::now();
        let of = policy.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            // Another call was told to wait: so is this one.
            if let Some(wait) = self.backoff.wait() {
                tokio::time::sleep(wait).await;
            }
            on_event(ClientEvent::Transfer(Transfer::Sending {
                attempt,
                of,
                bytes: body.len(),
            }))?;
            let error = match self.send_once(endpoint, body.clone()).await {
                Ok(response) => return self.read_reply(response, endpoint, on_event).await,
                Err(error) => error,
            };
            if !error.is_retryable() || attempt >= of {
                return Err(error);
            }
            let delay = policy.delay(attempt - 1, error.retry_after());
            if started.elapsed().saturating_add(delay) > policy.max_total {
                return Err(match error.retry_after() {
                    // The server's own delay is past the limit: say so, rather than a bare 429.
                    Some(wait) => ApiError::WaitTooLong {
                        error: Box::new(error),
                        wait,
                        limit: policy.max_total,
                    },
                    None => error,
                });
            }
            if error.retry_after().is_some()
                && let Some(until) = Instant::now().checked_add(delay)
            {
                self.backoff.hold_until(until);
            }
            on_event(ClientEvent::Transfer(Transfer::Retrying {
                attempt,
                of,
                delay,
                reason: error.to_string(),
                rate_limited: error.retry_after().is_some(),
            }))?;
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Every model the provider lists (ListModels), following `nextPageToken`. Bounded: a
    /// provider that keeps handing out tokens is cut off after 50 pages.
    pub async fn list_models(&self) -> Result<Vec<ListedModel>, ApiError> {
        let mut models = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..50 {
            let mut url = format!("{}/v1beta/models?pageSize=1000", self.base_url);
            if let Some(token) = &token {
                url.push_str("&pageToken=");
                url.push_str(&percent_encode(token));
            }
            let response = self
                .http
                .get(url)
                .header("x-goog-api-key", self.key.expose())
                .timeout(self.options.connect_timeout.saturating_mul(2))
                .send()
                .await
                .map_err(|e| self.reqwest_error(&e, false))?;
            refuse_redirect(&response)?;
            let status = response.status();
            let body = read_capped(response, 8 << 20).await;
            if !status.is_success() {
                return Err(ApiError::from_http(status.as_u16(), &body, &|t: &str| {
                    self.key.redact(t)
                }));
            }
            let body = self.key.scrub(&body);
            let page: ListModelsResponse =
                serde_json::from_slice(&body).map_err(|error| ApiError::InvalidBody {
                    detail: describe_json_error(&error),
                    first_bytes: self.opening(&body),
                })?;
            models.extend(page.models);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return Ok(models),
            }
        }
        Ok(models)
    }

    async fn send_once(
        &self,
        endpoint: Endpoint<'_>,
        body: Bytes,
    ) -> Result<reqwest::Response, ApiError> {
        let response = self
            .http
            .post(self.url(endpoint))
            .header("x-goog-api-key", self.key.expose())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.reqwest_error(&e, false))?;
        refuse_redirect(&response)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = read_capped(response, 1 << 20).await;
        Err(ApiError::from_http(status.as_u16(), &body, &|t: &str| {
            self.key.redact(t)
        }))
    }

    async fn read_reply(
        &self,
        response: reqwest::Response,
        endpoint: Endpoint<'_>,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        let mode = match endpoint {
            Endpoint::GenerateContent { mode, .. } => mode,
            Endpoint::Interactions { .. } => Mode::Streaming,
        };
        let mut interaction =
            matches!(endpoint, Endpoint::Interactions { .. }).then(InteractionReader::new);
        on_event(ClientEvent::Transfer(Transfer::Receiving))?;
        // Sized once from Content-Length (bounded: the header is the server's word), so a
        // 12 MB body is not copied through a series of doubling buffers.
        let expected = match mode {
            Mode::Unary => response.content_length().unwrap_or(0).min(MAX_PRESIZE),
            Mode::Streaming => 0,
        };
        let mut whole = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        let mut stream = response.bytes_stream();
        let mut received: u64 = 0;
        let mut sse = SseDecoder::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.reqwest_error(&e, true))?;
            received += chunk.len() as u64;
            // Checked as it streams, so memory stays bounded whatever the server sends.
            if received > self.options.max_reply_bytes {
                return Err(ApiError::ReplyTooLarge {
                    limit: self.options.max_reply_bytes,
                });
            }
            on_event(ClientEvent::Transfer(Transfer::Received {
                bytes: received,
            }))?;
            match mode {
                Mode::Unary => {
                    let needed = whole.len() + chunk.len();
                    if needed > whole.capacity() {
                        // Eight times what is needed, never past the limit: a body without a
                        // length grows in a few copies, not a series of doublings (whose old and
                        // new buffers together are three times the body).
                        let limit = usize::try_from(self.options.max_reply_bytes).unwrap_or(needed);
                        let target = needed.saturating_mul(8).min(limit).max(needed);
                        whole.reserve_exact(target - whole.len());
                    }
                    whole.extend_from_slice(&chunk);
                }
                Mode::Streaming => {
                    for event in sse.push(chunk) {
                        match event {
                            SseEvent::Data(data) => {
                                self.deliver(&data, interaction.as_mut(), on_event)?
                            }
                            SseEvent::Done => return Ok(()),
                        }
                    }
                }
            }
        }
        if mode == Mode::Streaming {
            let saw_events = sse.saw_data();
            let (last, rest) = sse.finish();
            match last {
                Some(SseEvent::Data(data)) => {
                    self.deliver(&data, interaction.as_mut(), on_event)?
                }
                Some(SseEvent::Done) => {}
                None if !saw_events => whole = rest,
                None => {}
            }
            if saw_events {
                return Ok(());
            }
        }
        // A unary body, or a streaming call answered with one plain JSON body (an error
        // envelope, a relay that ignored `alt=sse`, or a whole interaction).
        match interaction.as_mut() {
            Some(reader) => self.deliver_interaction(&whole, reader, true, on_event),
            None => self.deliver(&whole, None, on_event),
        }
    }

    fn deliver(
        &self,
        data: &[u8],
        interaction: Option<&mut InteractionReader>,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        if let Some(reader) = interaction {
            return self.deliver_interaction(data, reader, false, on_event);
        }
        let data = self.key.scrub(data);
        match GenerateContentResponse::from_slice(&data) {
            Ok(mut response) => match response.take_error() {
                // An error envelope with a success status: a streamed call answered by a plain
                // error body, or an error event mid-stream.
                Some(error) => Err(ApiError::from_error_body(200, &error, &|t: &str| {
                    self.key.redact(t)
                })),
                None => on_event(ClientEvent::Response(Box::new(response))),
            },
            Err(error) => Err(ApiError::InvalidBody {
                detail: describe_json_error(&error),
                first_bytes: self.opening(&data),
            }),
        }
    }

    /// One event of an interaction, or (`whole`) a body that is the interaction itself or an
    /// error envelope.
    fn deliver_interaction(
        &self,
        data: &[u8],
        reader: &mut InteractionReader,
        whole: bool,
        on_event: &mut (dyn FnMut(ClientEvent<'_>) -> Result<(), ApiError> + Send),
    ) -> Result<(), ApiError> {
        let data = self.key.scrub(data);
        let invalid = |error: serde_json::Error| ApiError::InvalidBody {
            detail: describe_json_error(&error),
            first_bytes: self.opening(&data),
        };
        let redact = |t: &str| self.key.redact(t);
        let event = if whole {
            if let Some(envelope) = super::wire::error_envelope(&data) {
                return Err(ApiError::from_error_body(200, &envelope.error, &redact));
            }
            let interaction: InteractionHeader = serde_json::from_slice(&data).map_err(invalid)?;
            InteractionEvent {
                event_type: "interaction.completed".into(),
                interaction: Some(interaction),
                ..InteractionEvent::default()
            }
        } else {
            serde_json::from_slice(&data).map_err(invalid)?
        };
        let read = reader
            .read(event)
            .map_err(|error| ApiError::from_error_body(200, &error, &redact))?;
        if let Some(id) = read.new_id {
            on_event(ClientEvent::InteractionId(id))?;
        }
        match read.chunk {
            Some(chunk) => on_event(ClientEvent::Response(Box::new(chunk))),
            None => Ok(()),
        }
    }

    /// The first 120 characters of a body for an error message, the key redacted before the
    /// cut (a key cut in two would slip through).
    fn opening(&self, data: &[u8]) -> String {
        let window = &data[..data.len().min(120 + self.key.expose().len())];
        self.key
            .redact(&String::from_utf8_lossy(window))
            .chars()
            .take(120)
            .collect()
    }

    /// A reqwest failure: before the reply started it is a connection problem (retryable),
    /// during the body the reply broke off.
    fn reqwest_error(&self, error: &reqwest::Error, in_body: bool) -> ApiError {
        let detail = self.key.redact(&error_chain(error));
        match (error.is_timeout(), in_body) {
            (true, _) => ApiError::Timeout {
                base_url: self.shown_url.clone(),
                after: self.options.idle_timeout,
            },
            (false, false) => ApiError::Connect {
                base_url: self.shown_url.clone(),
                detail,
            },
            (false, true) => ApiError::StreamBroken { detail },
        }
    }
}

/// The error and its causes on one line: reqwest's top-level message alone ("error sending
/// request") does not say whether DNS, TLS or the connection failed.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

async fn read_capped(response: reqwest::Response, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        body.extend_from_slice(&chunk[..chunk.len().min(cap - body.len())]);
        if body.len() >= cap {
            break;
        }
    }
    body
}

/// Encodes a query value: everything but unreserved characters as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `url` with the password of its user part masked (`http://user:***@host`), for messages.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// A redirect is refused, never followed: following it would hand the key and the prompt to
/// whatever origin the server names.
fn refuse_redirect(response: &reqwest::Response) -> Result<(), ApiError> {
    let status = response.status();
    if !status.is_redirection() {
        return Ok(());
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
        .unwrap_or_else(|| "(no Location given)".into());
    Err(ApiError::Redirected {
        status: status.as_u16(),
        location: crate::terminal_text::sanitize_line(&location)
            .chars()
            .take(200)
            .collect(),
    })
}

/// rustls needs one process-wide crypto provider; ring is the one compiled in. Called by
/// [`GeminiClient::new`]; anything else building a reqwest client calls it first.
pub fn install_crypto_provider() {
    // Err means one is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_in_the_base_url_is_masked() {
        use super::without_password;
        assert_eq!(
            without_password("http://banana:hunter2@127.0.0.1:8080/v1"),
            "http://banana:***@127.0.0.1:8080/v1"
        );
        assert_eq!(
            without_password("https://relay.example"),
            "https://relay.example"
        );
        assert_eq!(
            without_password("https://relay.example/a@b"),
            "https://relay.example/a@b",
            "an @ in the path is no user part"
        );
    }

    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let policy = RetryPolicy {
            max_attempts: 10,
            max_total: Duration::from_secs(600),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
        };
        for _ in 0..50 {
            let first = policy.delay(0, None);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
            let third = policy.delay(2, None);
            assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(4));
            let late = policy.delay(9, None);
            assert!(late <= Duration::from_secs(8), "capped: {late:?}");
        }
    }

    #[test]
    fn server_delay_wins_over_backoff() {
        let policy = RetryPolicy::default();
        let delay = policy.delay(0, Some(Duration::from_secs(34)));
        assert!(delay >= Duration::from_secs(34) && delay <= Duration::from_millis(37_400));
    }
}
