//! Sessions on disk.
//!
//! A session is a folder under `<data dir>/sessions/<name>/`:
//! - `session.json` — the versioned document (the conversation tree, parts verbatim);
//! - `images/<sha256>.<ext>` — every image as a real file a person can open;
//! - `session.lock` — held while a process has the session open.
//!
//! Images are written before the document that points at them, and the document is replaced
//! atomically, so a crash at any moment leaves the last saved state readable.

mod atomic;
pub mod shared;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::conversation::Conversation;
pub use atomic::{create_private_dir, write_atomic};

const DOCUMENT: &str = "session.json";
const LOCK: &str = "session.lock";
/// The prompt left unsent when the studio closed, put back in the editor when it opens.
const DRAFT: &str = "draft.txt";
/// A draft longer than this is not a prompt someone typed: it is left on disk, unread.
const MAX_DRAFT_BYTES: u64 = 1 << 20;
const FORMAT: &str = "banana-studio session";
/// Bumped whenever an older program could misread the document.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Invalid session name {0:?}: use letters, digits, '-', '_' and '.', at most 64, not starting with '.'."
    )]
    BadName(String),
    #[error("No session named {0:?}. `banana-studio sessions` lists them.")]
    NotFound(String),
    #[error("Session {name:?} is open in another banana-studio process{}. Close it there, or use another --session.", holder.as_deref().map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Locked {
        name: String,
        holder: Option<String>,
    },
    #[error("The session document {} is damaged ({detail}). It was left untouched; restore it from a backup or move it away.", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("The session {} was written by a newer banana-studio (format {found}, this one reads up to {FORMAT_VERSION}). Upgrade banana-studio to open it.", path.display())]
    TooNew { path: PathBuf, found: u32 },
    #[error("The session {} refers to {reference:?}, outside its folder. Refused: the document may have been tampered with.", path.display())]
    UnsafeReference { path: PathBuf, reference: String },
    #[error("Could not {action} {}: {source}. {}", path.display(), io_hint(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

fn io_hint(error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "The disk is full: free some space; nothing in memory was lost, save again after."
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "Check the folder's permissions (or set BANANA_STUDIO_HOME / --data-dir to a writable place); nothing in memory was lost."
        }
        _ => "Nothing in memory was lost; try again.",
    }
}

fn io_error<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> StoreError + 'p {
    move |source| StoreError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The on-disk document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    format: String,
    version: u32,
    name: String,
    created_at: String,
    updated_at: String,
    conversation: Conversation,
}

/// Just enough of the document to tell its version before trusting its shape.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    format: String,
    #[serde(default)]
    version: u32,
}

/// The sessions folder of a data directory.
#[derive(Debug, Clone)]
pub struct Store {
    sessions: PathBuf,
}

/// A line of `banana-studio sessions`.
#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub name: String,
    pub dir: PathBuf,
    pub turns: usize,
    pub images: usize,
    pub updated_at: String,
    /// The first prompt, as a title.
    pub title: String,
    /// Set when the document could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Store {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            sessions: data_dir.join("sessions"),
        }
    }

    pub fn session_dir(&self, name: &str) -> PathBuf {
        self.sessions.join(name)
    }

    /// Opens the session, creating it if it does not exist.
    pub fn open_or_create(&self, name: &str) -> Result<Session, StoreError> {
        check_name(name)?;
        if self.session_dir(name).join(DOCUMENT).exists() {
            self.open(name)
        } else {
            self.create(name)
        }
    }

    /// Opens an existing session and locks it.
    pub fn open(&self, name: &str) -> Result<Session, StoreError> {
        let dir = self.existing_dir(name)?;
        let lock = SessionLock::acquire(&dir, name)?;
        let document = read_document(&dir)?;
        Ok(Session {
            name: name.to_string(),
            dir,
            created_at: document.created_at,
            conversation: document.conversation,
            _lock: lock,
        })
    }

    /// Reads a session as last saved, without its lock and without writing anything: the
    /// studio may have it open. Its document is swapped atomically, so this sees one whole save.
    pub fn read(&self, name: &str) -> Result<SavedSession, StoreError> {
        let dir = self.existing_dir(name)?;
        let document = read_document(&dir)?;
        Ok(SavedSession {
            name: name.to_string(),
            dir,
            created_at: document.created_at,
            updated_at: document.updated_at,
            conversation: document.conversation,
        })
    }

    fn existing_dir(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        let dir = self.session_dir(name);
        if dir.join(DOCUMENT).exists() {
            Ok(dir)
        } else {
            Err(StoreError::NotFound(name.to_string()))
        }
    }

    /// Creates a new, empty session (saved on its first turn).
    pub fn create(&self, name: &str) -> Result<Session, StoreError> {
        check_name(name)?;
        let dir = self.session_dir(name);
        create_private_dir(&dir).map_err(io_error("create", &dir))?;
        let lock = SessionLock::acquire(&dir, name)?;
        if dir.join(DOCUMENT).exists() {
            // Someone created it between our check and the lock: open theirs, never overwrite.
            drop(lock);
            return self.open(name);
        }
        Ok(Session {
            name: name.to_string(),
            dir,
            created_at: now_rfc3339(),
            conversation: Conversation::new(),
            _lock: lock,
        })
    }

    /// Removes the session folder `dir` when it holds nothing but its lock: a studio that
    /// closed without a turn or a draft leaves no empty session behind. Anything else in it,
    /// or any error, leaves it as it is.
    pub fn remove_if_empty(&self, dir: &Path) {
        if !dir.starts_with(&self.sessions) || dir == self.sessions {
            return;
        }
        let only_the_lock = std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .map(|entry| entry.map(|e| e.file_name()))
                .all(|name| name.is_ok_and(|name| name == LOCK))
        });
        if only_the_lock {
            let _ = std::fs::remove_file(dir.join(LOCK));
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// A name for a new session that is not taken: the date and time, e.g. `2026-11-23-2110`.
    pub fn fresh_name(&self) -> String {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]-[hour][minute]"
            ))
            .unwrap_or_else(|_| "session".to_string());
        let mut name = stamp.clone();
        let mut n = 2;
        while self.session_dir(&name).exists() {
            name = format!("{stamp}-{n}");
            n += 1;
        }
        name
    }

    /// Every session, newest first. Damaged ones are listed with their error.
    pub fn list(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let entries = match std::fs::read_dir(&self.sessions) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error("read", &self.sessions)(e)),
        };
        let mut summaries = Vec::new();
        for entry in entries.flatten() {
            let dir = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if check_name(&name).is_err() || !dir.join(DOCUMENT).exists() {
                continue;
            }
            summaries.push(match read_document(&dir) {
                Ok(document) => summarize(name, dir, &document),
                Err(error) => SessionSummary {
                    name,
                    dir,
                    turns: 0,
                    images: 0,
                    updated_at: String::new(),
                    title: String::new(),
                    error: Some(error.to_string()),
                },
            });
        }
        summaries.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.name.cmp(&b.name)));
        Ok(summaries)
    }
}

fn summarize(name: String, dir: PathBuf, document: &Document) -> SessionSummary {
    let conversation = &document.conversation;
    let title = conversation
        .turns()
        .iter()
        .find_map(|t| match &t.body {
            crate::conversation::TurnBody::User(user) => Some(user.prompt()),
            _ => None,
        })
        .unwrap_or_default();
    SessionSummary {
        name,
        dir,
        turns: conversation.turns().len(),
        // The pictures the model made: not its thought drafts, not the user's attachments.
        images: conversation
            .turns()
            .iter()
            .map(|t| match &t.body {
                crate::conversation::TurnBody::Model(reply) => reply.images().count(),
                crate::conversation::TurnBody::User(_) => 0,
            })
            .sum(),
        updated_at: document.updated_at.clone(),
        title: title.lines().next().unwrap_or_default().to_string(),
        error: None,
    }
}

/// A session as saved, read without taking its lock ([`Store::read`]).
#[derive(Debug)]
pub struct SavedSession {
    pub name: String,
    pub dir: PathBuf,
    pub created_at: String,
    pub updated_at: String,
    pub conversation: Conversation,
}

/// An open session. Holding it holds the lock; dropping it releases the lock.
#[derive(Debug)]
pub struct Session {
    pub name: String,
    pub dir: PathBuf,
    pub created_at: String,
    pub conversation: Conversation,
    _lock: SessionLock,
}

impl Session {
    pub fn document_path(&self) -> PathBuf {
        self.dir.join(DOCUMENT)
    }

    /// The prompt left unsent last time, if any (control characters other than line breaks
    /// and tabs removed: the editor draws it on the terminal).
    pub fn read_draft(&self) -> Option<String> {
        let path = self.dir.join(DRAFT);
        let too_long = std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_DRAFT_BYTES);
        if too_long {
            return None;
        }
        let bytes = crate::blob::read_regular_file(&path).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        let clean: String = text
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
            .collect();
        (!clean.trim().is_empty()).then_some(clean)
    }

    /// Keeps `text` as the unsent prompt, or forgets the old one when `text` is blank.
    pub fn save_draft(&self, text: &str) -> Result<(), StoreError> {
        let path = self.dir.join(DRAFT);
        if text.trim().is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error("remove", &path)(e)),
                _ => Ok(()),
            };
        }
        create_private_dir(&self.dir).map_err(io_error("create", &self.dir))?;
        write_atomic(&path, text.as_bytes()).map_err(io_error("write", &path))
    }

    /// Writes new images, then atomically replaces the document. On error the session in memory
    /// is unchanged and a later save writes everything still missing.
    pub fn save(&self) -> Result<(), StoreError> {
        create_private_dir(&self.dir.join("images"))
            .map_err(io_error("create", &self.dir.join("images")))?;
        for blob in self.conversation.blobs() {
            if blob.path().is_some() {
                continue;
            }
            let path = self.dir.join(blob.file_name());
            if !path.exists() {
                let bytes = blob.bytes().map_err(io_error("read", &path))?;
                write_atomic(&path, &bytes).map_err(io_error("write", &path))?;
            }
            blob.set_path(path);
        }
        let document = Document {
            format: FORMAT.to_string(),
            version: FORMAT_VERSION,
            name: self.name.clone(),
            created_at: self.created_at.clone(),
            updated_at: now_rfc3339(),
            conversation: self.conversation.clone(),
        };
        let path = self.document_path();
        let json = serde_json::to_vec_pretty(&document).map_err(|e| StoreError::Io {
            action: "write",
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        write_atomic(&path, &json).map_err(io_error("write", &path))
    }
}

fn read_document(dir: &Path) -> Result<Document, StoreError> {
    let path = dir.join(DOCUMENT);
    let bytes = crate::blob::read_regular_file(&path).map_err(io_error("read", &path))?;
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.clone(),
        detail,
    };
    let probe: VersionProbe = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if probe.format != FORMAT {
        return Err(corrupt(format!("not a {FORMAT} document")));
    }
    if probe.version > FORMAT_VERSION {
        return Err(StoreError::TooNew {
            path,
            found: probe.version,
        });
    }
    let document: Document = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    document
        .conversation
        .check()
        .map_err(|e| corrupt(e.to_string()))?;
    for blob in document.conversation.blobs() {
        let reference = &blob.file_name();
        let resolved =
            resolve_inside(dir, reference).ok_or_else(|| StoreError::UnsafeReference {
                path: path.clone(),
                reference: reference.clone(),
            })?;
        blob.set_path(resolved);
    }
    Ok(document)
}

/// `reference` joined to `dir` if it is a plain relative path that stays inside `dir` (no `..`,
/// no root, no symlink leading out).
fn resolve_inside(dir: &Path, reference: &str) -> Option<PathBuf> {
    let relative = Path::new(reference);
    let plain = relative.components().count() > 0
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return None;
    }
    let joined = dir.join(relative);
    // If the file exists, follow links and make sure it is still inside.
    if let (Ok(real), Ok(root)) = (joined.canonicalize(), dir.canonicalize())
        && !real.starts_with(root)
    {
        return None;
    }
    Some(joined)
}

pub fn check_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadName(name.to_string()))
    }
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An exclusive advisory lock on the session folder, released when dropped (or when the
/// process dies, so a crash never leaves a session locked).
#[derive(Debug)]
struct SessionLock {
    _file: File,
}

impl SessionLock {
    fn acquire(dir: &Path, name: &str) -> Result<Self, StoreError> {
        let path = dir.join(LOCK);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(io_error("open", &path))?;
        match file.try_lock() {
            Ok(()) => {
                // The pid is only for the other process's message.
                let _ = file.set_len(0);
                let _ = write!(file, "{}", std::process::id());
                Ok(Self { _file: file })
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked {
                name: name.to_string(),
                holder: std::fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error("lock", &path)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Blob, ModelTurn, Part, TurnSettings, UserTurn};
    use bytes::Bytes;

    fn session_with_image(store: &Store, name: &str) -> Session {
        let mut session = store.open_or_create(name).unwrap();
        let u = session
            .conversation
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("draw")],
                    settings: TurnSettings::default(),
                    region: None,
                },
                now_rfc3339(),
            )
            .unwrap();
        let mut part = Part::image(Blob::from_bytes("image/png", Bytes::from_static(b"pixels")));
        part.thought_signature = Some("c2lnbmF0dXJl".into());
        session
            .conversation
            .add_model(
                u,
                ModelTurn {
                    parts: vec![part],
                    finish_reason: Some("STOP".into()),
                    ..ModelTurn::default()
                },
                now_rfc3339(),
            )
            .unwrap();
        session
    }

    #[test]
    fn a_session_left_with_only_its_lock_is_removed_and_one_with_anything_else_is_not() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let empty = store.open_or_create("empty").unwrap();
        let dir = empty.dir.clone();
        drop(empty);
        store.remove_if_empty(&dir);
        assert!(!dir.exists(), "nothing but the lock: removed");
        let kept = store.open_or_create("kept").unwrap();
        kept.save_draft("a draft").unwrap();
        let dir = kept.dir.clone();
        drop(kept);
        store.remove_if_empty(&dir);
        assert!(dir.join(DRAFT).exists(), "a draft keeps the session");
        // Never outside the sessions folder.
        let outside = home.path().join("elsewhere");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join(LOCK), b"").unwrap();
        store.remove_if_empty(&outside);
        assert!(outside.exists());
    }

    #[test]
    fn the_listing_counts_the_pictures_the_model_made_only() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let mut session = session_with_image(&store, "counted");
        let attachment = Blob::from_bytes("image/png", Bytes::from_static(b"attached"));
        let prompt = session
            .conversation
            .add_user(
                session.conversation.active_leaf(),
                UserTurn {
                    parts: vec![Part::text("like this"), Part::image(attachment)],
                    settings: TurnSettings::default(),
                    region: None,
                },
                now_rfc3339(),
            )
            .unwrap();
        let mut thought = Part::image(Blob::from_bytes("image/png", Bytes::from_static(b"draft")));
        thought.thought = true;
        let last = Part::image(Blob::from_bytes("image/png", Bytes::from_static(b"final")));
        session
            .conversation
            .add_model(
                prompt,
                ModelTurn {
                    parts: vec![thought, last],
                    finish_reason: Some("STOP".into()),
                    ..ModelTurn::default()
                },
                now_rfc3339(),
            )
            .unwrap();
        session.save().unwrap();
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].images, 2,
            "two final images; no draft, no attachment"
        );
    }

    #[test]
    fn an_unsent_prompt_is_kept_as_the_draft_and_forgotten_when_blank() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let session = store.open_or_create("drafty").unwrap();
        assert_eq!(session.read_draft(), None);
        session
            .save_draft("make the title bigger\nand blue\x1b[31m")
            .unwrap();
        drop(session);
        let session = store.open_or_create("drafty").unwrap();
        assert_eq!(
            session.read_draft().as_deref(),
            Some("make the title bigger\nand blue[31m"),
            "kept across a reopen, without the escape"
        );
        session.save_draft("  \n").unwrap();
        assert_eq!(session.read_draft(), None);
        assert!(!session.dir.join(DRAFT).exists());
        // Blank with no draft on disk is fine too.
        session.save_draft("").unwrap();
        // A huge file is not read into the editor.
        std::fs::write(session.dir.join(DRAFT), vec![b'a'; 2 << 20]).unwrap();
        assert_eq!(session.read_draft(), None);
    }

    #[test]
    fn save_and_reopen_round_trips_verbatim() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let session = session_with_image(&store, "demo");
        session.save().unwrap();
        let saved = session.conversation.clone();
        drop(session);

        let reopened = store.open("demo").unwrap();
        assert_eq!(reopened.conversation, saved);
        let blob = reopened
            .conversation
            .parts()
            .find_map(|p| p.as_image())
            .unwrap();
        assert!(blob.loaded().is_none(), "images load lazily");
        assert_eq!(&blob.bytes().unwrap()[..], b"pixels");
        let model = reopened.conversation.turns()[1].clone();
        match model.body {
            crate::conversation::TurnBody::Model(m) => {
                assert_eq!(
                    m.parts[0].thought_signature.as_deref(),
                    Some("c2lnbmF0dXJl")
                )
            }
            _ => panic!("expected the model turn"),
        }
    }

    /// The studio keeps the session in memory when a save fails (disk full, read-only) and
    /// saves it again later: the failed save must leave the document as it was, and the next
    /// one must write every image still missing. The failure is forced with a file where the
    /// images folder should be, which fails even for root (unlike chmod).
    #[test]
    fn a_failed_save_leaves_the_document_and_the_next_save_writes_everything() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let session = session_with_image(&store, "retry");
        let images = session.dir.join("images");
        std::fs::write(&images, b"in the way").unwrap();
        let error = session.save().unwrap_err();
        assert!(matches!(error, StoreError::Io { .. }), "{error}");
        assert!(
            error
                .to_string()
                .to_lowercase()
                .contains("nothing in memory was lost"),
            "{error}"
        );
        assert!(
            !session.document_path().exists(),
            "no document pointing at missing images"
        );
        let in_memory = session.conversation.clone();

        std::fs::remove_file(&images).unwrap();
        session.save().unwrap();
        drop(session);
        let reopened = store.open("retry").unwrap();
        assert_eq!(reopened.conversation, in_memory);
        let blob = reopened
            .conversation
            .parts()
            .find_map(|p| p.as_image())
            .unwrap();
        assert_eq!(&blob.bytes().unwrap()[..], b"pixels");
    }

    #[test]
    fn a_second_opener_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let first = store.open_or_create("busy").unwrap();
        first.save().unwrap();
        let error = store.open("busy").unwrap_err();
        assert!(matches!(error, StoreError::Locked { .. }), "{error}");
        assert!(error.to_string().contains(&std::process::id().to_string()));
        drop(first);
        assert!(store.open("busy").is_ok());
    }

    #[test]
    fn a_locked_session_can_be_read_without_its_lock() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let session = session_with_image(&store, "open");
        session.save().unwrap();
        let saved = store.read("open").unwrap();
        assert_eq!(saved.conversation, session.conversation);
        assert!(
            store.open("open").is_err(),
            "the studio still holds the lock"
        );
        assert!(matches!(
            store.read("nope"),
            Err(StoreError::NotFound(name)) if name == "nope"
        ));
    }

    #[test]
    fn corrupt_document_is_reported_and_left_alone() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let dir = store.session_dir("broken");
        create_private_dir(&dir).unwrap();
        std::fs::write(
            dir.join(DOCUMENT),
            b"{\"format\": \"banana-studio session\", ",
        )
        .unwrap();
        let error = store.open_or_create("broken").unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
        assert_eq!(
            std::fs::read(dir.join(DOCUMENT)).unwrap(),
            b"{\"format\": \"banana-studio session\", "
        );
    }

    #[test]
    fn newer_format_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let dir = store.session_dir("future");
        create_private_dir(&dir).unwrap();
        std::fs::write(
            dir.join(DOCUMENT),
            br#"{"format":"banana-studio session","version":99}"#,
        )
        .unwrap();
        assert!(matches!(
            store.open("future"),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn references_outside_the_folder_are_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let session = session_with_image(&store, "evil");
        session.save().unwrap();
        drop(session);
        let path = store.session_dir("evil").join(DOCUMENT);
        let text = std::fs::read_to_string(&path).unwrap();
        let file_ref = text
            .lines()
            .find(|l| l.contains("\"file\""))
            .unwrap()
            .to_string();
        let tampered = text.replace(&file_ref, r#"            "file": "../../etc/passwd","#);
        std::fs::write(&path, &tampered).unwrap();
        let error = store.open("evil").unwrap_err();
        assert!(
            matches!(error, StoreError::UnsafeReference { .. }),
            "{error}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            tampered,
            "never overwritten"
        );
    }

    #[test]
    fn names_are_checked() {
        for bad in ["", "../x", ".hidden", "a/b", "a b"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name("2026-11-23-2110.v2").is_ok());
    }
}
