//! The Gemini native REST protocol: wire types, the SSE reader, errors and the HTTP client.
//! Nothing here knows about conversations or sessions.

pub mod base64;
pub mod client;
pub mod error;
pub mod interactions;
pub mod key;
mod lenient;
mod skeleton;
pub mod sse;
pub mod transport;
pub mod wire;

pub use client::{ClientEvent, ClientOptions, GeminiClient, Mode, RetryPolicy, Transfer};
pub use error::ApiError;
pub use key::ApiKey;
pub use transport::Transport;
