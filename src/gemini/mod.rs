//! The Gemini native REST protocol: wire types, the SSE reader, errors and the HTTP client.
//! Nothing here knows about conversations or sessions.

pub mod base64;
pub mod client;
pub mod error;
mod lenient;
mod skeleton;
pub mod sse;
pub mod wire;

pub use client::{ApiKey, ClientEvent, ClientOptions, GeminiClient, Mode, RetryPolicy, Transfer};
pub use error::ApiError;
