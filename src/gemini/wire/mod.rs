//! Typed serde models of the `generateContent` wire format.
//!
//! Responses are read tolerantly (camelCase or snake_case, unknown fields, `null` for objects and
//! lists, missing `parts`/`candidates`) and *borrow* the two fields that can be megabytes long —
//! `inlineData.data` and `thoughtSignature` — from the body, so that parsing a 10 MB image reply
//! copies nothing until the base64 is decoded. Requests are written in camelCase only, because
//! relays may not accept anything else.

mod interactions;
mod request;
mod response;
mod status;

pub use interactions::*;
pub use request::*;
pub use response::*;
pub use status::*;

#[cfg(test)]
mod tests;
