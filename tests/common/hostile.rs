//! A hostile or broken server, beside the demo: each request gets the next crafted reply from a
//! queue (escape sequences in every field, redirects, absurd retry delays, endless bodies), and
//! every request is recorded. It binds 127.0.0.1 only and stops when dropped.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use tokio::sync::oneshot;

/// One crafted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status, a content type, extra headers and a body, sent in one piece.
    Whole {
        status: u16,
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// `head`, then `fill` again and again up to `total` bytes in all, then `tail`: made as it
    /// is sent, so a gigabyte costs the test no memory.
    Endless {
        content_type: &'static str,
        head: Vec<u8>,
        fill: Vec<u8>,
        total: u64,
        tail: Vec<u8>,
    },
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Reply::Whole {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
        }
    }

    /// One SSE event per value.
    pub fn sse(events: &[serde_json::Value]) -> Self {
        let body: String = events
            .iter()
            .map(|e| format!("data: {e}\r\n\r\n"))
            .collect();
        Reply::Whole {
            status: 200,
            content_type: "text/event-stream",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Reply::Whole {
            status,
            content_type: "text/plain",
            headers: vec![("location", location.to_string())],
            body: b"moved".to_vec(),
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    /// Answered when the queue is empty.
    otherwise: Reply,
    seen: Mutex<Vec<Seen>>,
}

pub struct Hostile {
    base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Hostile {
    /// Serves `replies` in order, then `otherwise` to every further request.
    pub async fn start(replies: Vec<Reply>, otherwise: Reply) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            replies: Mutex::new(replies.into()),
            otherwise,
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            base_url,
            shared,
            shutdown: Some(shutdown),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.seen.lock().unwrap().push(Seen {
        path: uri.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    });
    let reply = shared
        .replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| shared.otherwise.clone());
    match reply {
        Reply::Whole {
            status,
            content_type,
            headers,
            body,
        } => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            let map = response.headers_mut();
            map.insert("content-type", HeaderValue::from_static(content_type));
            for (name, value) in headers {
                map.insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).unwrap(),
                );
            }
            response
        }
        Reply::Endless {
            content_type,
            head,
            fill,
            total,
            tail,
        } => {
            const PIECE: usize = 1 << 20;
            let block: Bytes = fill.repeat(PIECE / fill.len().max(1)).into();
            let middle = total.saturating_sub((head.len() + tail.len()) as u64);
            let pieces = middle / block.len() as u64;
            let stream = futures_util::stream::iter(
                std::iter::once(Bytes::from(head))
                    .chain((0..pieces).map(move |_| block.clone()))
                    .chain(std::iter::once(Bytes::from(tail)))
                    .map(Ok::<_, Infallible>),
            );
            let mut response = Response::new(Body::from_stream(stream));
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static(content_type));
            response
        }
    }
}
