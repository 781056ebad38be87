//! What a `send` ends with: the JSON and exit code of a success ([`Outcome`]) or of a failure
//! ([`SendFailure`]), the reply as JSON, and the rescue of a reply that could not be saved.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::context::Failure;
use crate::conversation::{Blob, ModelTurn, TurnId, TurnSettings};
use crate::cost::Pricing;
use crate::emulator::ImageProtocol;
use crate::gemini::ApiError;
use crate::store::Session;

pub(super) struct Outcome {
    pub json: Value,
    pub note: Option<String>,
    /// Where the images went, said on stderr without `--json` (which has them).
    pub files: Vec<String>,
    /// 0 with an image, 3 for replies without one, 1 when every variation failed.
    pub code: i32,
    /// The images to show, when `--preview` asked for them.
    pub preview: Vec<Blob>,
    pub preview_rows: Option<u16>,
    pub protocol: ImageProtocol,
}

pub(super) struct SendFailure {
    pub message: String,
    pub code: i32,
    pub json: Value,
}

impl SendFailure {
    pub fn new(kind: &str, status: Option<u16>, message: String, code: i32) -> Self {
        Self {
            json: json!({"error": {"kind": kind, "status": status, "message": message}}),
            message,
            code,
        }
    }

    /// Appends `note` to the message, on stderr and in `--json` alike.
    pub fn with_note(mut self, note: &str) -> Self {
        self.message.push_str(note);
        self.json["error"]["message"] = json!(self.message);
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn input(kind: &str, message: impl ToString) -> Self {
        Self::new(kind, None, message.to_string(), 2)
    }
}

impl From<Failure> for SendFailure {
    fn from(failure: Failure) -> Self {
        Self::new("input", None, failure.message, failure.code)
    }
}

impl From<ApiError> for SendFailure {
    fn from(error: ApiError) -> Self {
        Self::new(error.kind(), error.status(), error.to_string(), 1)
    }
}

fn image_json(blob: &Blob, version: Option<usize>) -> Value {
    json!({
        "version": version.map(|n| format!("v{n}")),
        "path": blob.path().map(Path::to_path_buf),
        "mime_type": blob.mime_type(),
        "width": blob.dimensions().map(|d| d.0),
        "height": blob.dimensions().map(|d| d.1),
        "sha256": blob.sha256(),
    })
}

pub(super) fn reply_json(
    session: &Session,
    turn: TurnId,
    reply: &ModelTurn,
    settings: &TurnSettings,
    pricing: &Pricing<'_>,
) -> Value {
    let grounding = reply.grounding.as_ref();
    let cost = pricing.reply(settings, reply);
    let versions = session
        .conversation
        .version_numbers()
        .remove(&turn)
        .unwrap_or_default();
    let currency = pricing.currency();
    json!({
        "session": session.name,
        "session_dir": absolute(&session.dir),
        "turn": turn.0,
        "model": settings.model,
        "finish_reason": reply.finish_reason.clone().or_else(|| reply.block_reason().map(|r| format!("BLOCKED_{r}"))),
        "text": reply.text(),
        "thoughts": reply.thoughts(),
        // The picture's one name, as the studio and exports show it ("v7"): its last version.
        "version": session.conversation.version_name(turn),
        "images": reply.shown_images().enumerate().map(|(i, blob)| image_json(blob, versions.get(i).copied())).collect::<Vec<_>>(),
        // A region edit kept outside its region: `images` are the composites, these the
        // model's own pictures.
        "raw_images": (!reply.composites.is_empty()).then(|| reply.images().map(|blob| image_json(blob, None)).collect::<Vec<_>>()),
        "region": region_json(session, turn),
        "thought_images": reply.thought_images().map(|blob| image_json(blob, None)).collect::<Vec<_>>(),
        "sources": grounding.map(|g| g.sources().map(|s| json!({"title": s.title, "uri": s.uri, "image_uri": s.image_uri})).collect::<Vec<_>>()).unwrap_or_default(),
        "search_queries": grounding.map(|g| g.web_search_queries.clone()).unwrap_or_default(),
        "image_search_queries": grounding.map(|g| g.image_search_queries.clone()).unwrap_or_default(),
        "usage": reply.usage,
        "cost_usd": cost.filter(|_| currency.eq_ignore_ascii_case("USD")),
        "cost": cost.map(|amount| json!({"amount": amount, "currency": currency})),
        "request_bytes": reply.request_bytes,
        "transport": reply.transport,
        "interaction_id": reply.interaction_id,
    })
}

/// The region the prompt of `turn` (a reply) edited, if it marked one.
fn region_json(session: &Session, turn: TurnId) -> Value {
    let conversation = &session.conversation;
    let prompt = conversation.get(turn).and_then(|t| t.parent);
    let edit = prompt
        .and_then(|p| conversation.get(p))
        .and_then(|t| match &t.body {
            crate::conversation::TurnBody::User(user) => user.region,
            crate::conversation::TurnBody::Model(_) => None,
        });
    match edit {
        Some(edit) => json!({
            "x": edit.region.x,
            "y": edit.region.y,
            "width": edit.region.width,
            "height": edit.region.height,
            "on": conversation.version_name(edit.on),
            "keep_outside": edit.keep_outside,
            "outline": edit.outline.name(),
        }),
        None => Value::Null,
    }
}

pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The session could not be saved after the reply arrived: writes the reply's images to `--out`
/// (or a new private temp folder) and explains the cause and where they went. Exit code 1.
pub(super) fn rescue(
    reply: &ModelTurn,
    error: &crate::store::StoreError,
    out: Option<&Path>,
    session: &str,
    turn: TurnId,
) -> SendFailure {
    // The store's own hint ("save again after") is for the studio, which keeps the turn in
    // memory; here the process ends, so say what happened and where the images went.
    let cause = match error {
        crate::store::StoreError::Io {
            action,
            path,
            source,
        } => {
            let why = match source.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    " (the disk is full)"
                }
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                    " (the folder is read-only or not writable)"
                }
                _ => "",
            };
            format!("could not {action} {}: {source}{why}", path.display())
        }
        other => other.to_string(),
    };
    let mut message = format!(
        "The reply arrived, but the session could not be saved: {cause}. The session on disk still ends at the previous turn; free some space or fix the folder, then send again."
    );
    let folder = match out {
        Some(dir) => Ok(dir.to_path_buf()),
        None => tempfile::Builder::new()
            .prefix("banana-studio-rescue-")
            .tempdir()
            .map(tempfile::TempDir::keep)
            .map_err(|e| format!("Cannot create a rescue folder in the temp dir: {e}")),
    };
    let written = folder.and_then(|dir| copy_images(reply, &dir, session, turn));
    let rescued = match written {
        Ok(paths) if paths.is_empty() => {
            message.push_str("\nThe reply had no image to rescue.");
            paths
        }
        Ok(paths) => {
            message.push_str("\nThe reply's image(s) were written to:");
            for path in &paths {
                message.push_str(&format!("\n  {}", path.display()));
            }
            paths
        }
        Err(e) => {
            message.push_str(&format!("\nRescuing the image(s) failed too: {e}"));
            Vec::new()
        }
    };
    let mut failure = SendFailure::new("storage", None, message, 1);
    failure.json["error"]["rescued"] =
        json!(rescued.iter().map(|p| absolute(p)).collect::<Vec<_>>());
    failure
}

/// Writes the reply's final images into `dir`; returns their paths.
pub(super) fn copy_images(
    reply: &ModelTurn,
    dir: &Path,
    session: &str,
    turn: TurnId,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (index, blob) in reply.shown_images().enumerate() {
        let extension = crate::blob::extension_for(blob.mime_type());
        let target = dir.join(format!("{session}-turn{turn}-{}.{extension}", index + 1));
        let bytes = blob
            .bytes()
            .map_err(|e| format!("Cannot read the image: {e}"))?;
        std::fs::write(&target, &bytes)
            .map_err(|e| format!("Cannot write {}: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}
