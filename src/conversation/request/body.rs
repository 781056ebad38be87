//! What every body shares: where it goes, how it can fail, and how it is written.

use bytes::Bytes;

use super::super::settings::{SettingsError, TurnSettings};
use super::super::tree::TurnId;
use crate::gemini::Transport;
use crate::models::listing::Listing;
use crate::models::{Catalog, ModelSpec};

/// Where a request goes and what that destination accepts.
#[derive(Debug, Clone, Copy)]
pub struct RequestTarget<'a> {
    pub catalog: &'a Catalog,
    /// The provider's name: model aliases are per provider.
    pub provider: &'a str,
    /// The largest body the provider accepts, in bytes.
    pub size_limit: u64,
    /// What the provider said it serves, once it has been asked.
    pub listing: Option<&'a Listing>,
    /// Which endpoint carries the turn.
    pub transport: Transport,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("Turn {0} is not a prompt waiting for a reply.")]
    NotAPrompt(TurnId),
    #[error("An image of this conversation cannot be read: {0}")]
    ImageUnavailable(std::io::Error),
    #[error(
        "The request would be {} ({image_count} images in the history), over this provider's limit of {}. \
         Start a new thread from the current image with /fresh (or `send --fresh`), drop attachments, or use a smaller image size.",
        human_bytes(*size), human_bytes(*limit)
    )]
    TooLarge {
        size: u64,
        limit: u64,
        image_count: usize,
    },
    #[error("Could not write the request: {0}")]
    Serialize(#[from] serde_json::Error),
}

pub fn human_bytes(bytes: u64) -> String {
    const MB: f64 = 1_000_000.0;
    if bytes as f64 >= MB {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1000.0).ceil())
    }
}

/// A body as written, and how many images it carries.
pub(super) struct Written {
    pub(super) body: Vec<u8>,
    pub(super) image_count: usize,
}

impl Written {
    /// Writes `request`, sized up front from the images it carries so the body is written
    /// once, without regrowing (and copying) it.
    pub(super) fn serialize(
        request: &impl serde::Serialize,
        images: &[Bytes],
    ) -> Result<Self, RequestError> {
        let estimate = images
            .iter()
            .map(|b| b.len().div_ceil(3) * 4 + 64)
            .sum::<usize>()
            + 4096;
        let mut body = Vec::with_capacity(estimate);
        serde_json::to_writer(&mut body, request)?;
        Ok(Self {
            body,
            image_count: images.len(),
        })
    }
}

/// The picture's aspect ratio and size as the model takes them (either may be left to it).
pub(super) fn picture_shape(
    settings: &TurnSettings,
    spec: &ModelSpec,
) -> (Option<String>, Option<&'static str>) {
    let aspect_ratio = settings
        .aspect_ratio
        .as_deref()
        .and_then(|r| spec.aspect_ratio(r))
        .map(str::to_string);
    let image_size = settings
        .image_size
        .filter(|_| spec.takes_image_size())
        .map(|s| s.as_str());
    (aspect_ratio, image_size)
}

/// What the API accepts in place of a signature for model turns it did not produce.
pub const SIGNATURE_BYPASS: &str = "skip_thought_signature_validator";
