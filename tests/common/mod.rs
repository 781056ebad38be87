//! Helpers shared by the integration tests: a throwaway HTTP server on 127.0.0.1 that answers
//! every request with one canned response and records what it was sent, and a client set up
//! to talk to it with short timeouts and no retries.
//!
//! Each test file uses only some of these, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod harness;
pub mod hostile;
pub mod tmux;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use banana_studio::gemini::{ApiKey, ClientOptions, GeminiClient, RetryPolicy};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The key every test client sends; the server records it so tests can check the header.
pub const TEST_KEY: &str = "test-key-123456";

/// What the server answers to every request.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// The body is sent as a stream of pieces of this many bytes (0: in one piece), so the
    /// client sees it arrive in parts the way a real event stream does.
    pub piece: usize,
}

impl Canned {
    /// A JSON body (a unary reply, or an error) with the given status.
    pub fn json(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            content_type: "application/json; charset=UTF-8",
            body: body.to_vec(),
            piece: 0,
        }
    }

    /// An event stream (`text/event-stream`), status 200, sent in `piece`-byte parts.
    pub fn sse(body: &[u8], piece: usize) -> Self {
        Self {
            status: 200,
            content_type: "text/event-stream",
            body: body.to_vec(),
            piece,
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub api_key: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

struct Shared {
    canned: Canned,
    requests: Mutex<Vec<Recorded>>,
}

/// A server bound to `127.0.0.1:0`, running on the current tokio runtime until [`stop`].
///
/// [`stop`]: FixtureServer::stop
pub struct FixtureServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl FixtureServer {
    pub async fn start(canned: Canned) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            canned,
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await
                .expect("fixture server failed");
        });
        Self {
            addr,
            shared,
            shutdown,
            task,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Shuts the server down and waits until it has stopped.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("fixture server did not stop within 10 s")
            .expect("fixture server task panicked");
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    shared.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        api_key: header_text("x-goog-api-key"),
        content_type: header_text("content-type"),
        body: body.to_vec(),
    });
    let canned = &shared.canned;
    let body = if canned.piece == 0 {
        Body::from(canned.body.clone())
    } else {
        let pieces: Vec<Bytes> = canned
            .body
            .chunks(canned.piece)
            .map(Bytes::copy_from_slice)
            .collect();
        Body::from_stream(futures_util::stream::iter(
            pieces.into_iter().map(Ok::<_, Infallible>),
        ))
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(canned.status).expect("valid status");
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(canned.content_type),
    );
    response
}

/// A client for `server` with [`TEST_KEY`], short timeouts and a single attempt per call.
pub fn test_client(server: &FixtureServer) -> GeminiClient {
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 1,
            max_total: Duration::from_secs(1),
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
        },
        ..ClientOptions::default()
    };
    GeminiClient::new(&server.base_url(), ApiKey::new(TEST_KEY), options)
        .expect("client for the fixture server")
}

/// A fresh single-threaded runtime for one synchronous `#[test]`.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
