//! What happens to the studio ([`Event`]) and what it asks the world to do ([`Effect`]).
//!
//! `update` turns events into state changes and effects and never does IO itself; the driver
//! runs the effects and reports their outcome as more events. Times come in with the events
//! (`Instant`s stamped by the driver) so `update` never reads a clock.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::KeyEvent;

use crate::conversation::request::PreparedRequest;
use crate::conversation::{Blob, Conversation, ModelTurn};
use crate::gemini::{ApiError, Mode};
use crate::store::SessionSummary;
use crate::tui::theme::Theme;
use crate::turn::Progress;

/// Identifies one generation, so late reports from a cancelled one are ignored.
pub type JobId = u64;

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The animation clock, only while something animates.
    Tick(Instant),
    /// The preview module finished preparing a picture: draw again to show it.
    PreviewReady,
    Progress {
        job: JobId,
        progress: Progress,
        at: Instant,
    },
    GenerationDone {
        job: JobId,
        result: Result<Box<ModelTurn>, ApiError>,
        at: Instant,
    },
    /// A save finished; `revision` is the conversation revision it wrote.
    Saved {
        revision: u64,
        result: Result<(), String>,
    },
    AttachmentLoaded {
        name: String,
        result: Result<Blob, String>,
    },
    /// Completions for the path prompt's text `for_text`: (name, is folder) in the folder it
    /// names.
    Completions {
        for_text: String,
        entries: Vec<(String, bool)>,
    },
    SessionsListed(Result<Vec<SessionSummary>, String>),
    /// The relay's remaining balance, newly asked.
    Balance(crate::balance::Balance),
    /// The provider's models (ListModels, or its day-old cache).
    ModelsListed {
        provider: String,
        result: Result<Vec<crate::gemini::wire::ListedModel>, String>,
    },
    /// Another session is open now (the driver holds its lock).
    SessionOpened {
        name: String,
        conversation: Conversation,
        /// Attachments to start with (`/fresh`).
        attachments: Vec<(String, Blob)>,
        /// The prompt left unsent in it last time.
        draft: Option<String>,
    },
    SessionOpenFailed(String),
    /// The images asked for by [`Effect::ReadImages`] are in memory now, or one could not be
    /// read.
    ImagesRead(Result<(), String>),
    EditorDone(Result<String, String>),
    ThemeLoaded(Result<Theme, String>),
    /// The studio now talks to the demo model.
    DemoConnected(Result<ConnectionInfo, String>),
    /// The outlined copy of a marked region is made (for `region` on `picture`), or why not.
    Annotated {
        picture: u64,
        region: crate::conversation::Region,
        result: Result<(Blob, crate::conversation::region::OutlineColour), String>,
    },
    /// The composites of a region edit's reply `turn` (see [`Effect::Composite`]), or why
    /// there are none.
    Composited {
        turn: crate::conversation::TurnId,
        result: Result<Vec<Blob>, String>,
    },
    /// `/export` wrote this file, or could not.
    Exported(Result<crate::export::Exported, String>),
    /// A one-line outcome of an effect (copied, saved, opened), or a problem.
    Notice {
        text: String,
        error: bool,
    },
    /// SIGTERM, SIGHUP, SIGINT: save and leave.
    Terminate,
}

/// What the studio knows about where prompts go.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionInfo {
    pub provider: String,
    pub demo: bool,
    pub max_request_bytes: u64,
    /// Generations sent at once; more wait.
    pub concurrent_requests: usize,
    /// Set when the provider bills per call.
    pub per_call: Option<crate::config::CallPrice>,
    /// Whether the provider tells its remaining balance (`balance = true`).
    pub balance: bool,
    /// Which endpoint carries turns: as configured, until the provider refuses the
    /// Interactions API.
    pub transport: crate::gemini::Transport,
}

#[derive(Debug)]
pub enum Effect {
    Generate {
        job: JobId,
        request: PreparedRequest,
        mode: Mode,
    },
    CancelGeneration(JobId),
    /// Save this snapshot of the conversation into the open session, off the UI thread.
    Save {
        revision: u64,
        conversation: Conversation,
    },
    LoadAttachment(PathBuf),
    /// Read these images of the conversation into memory, so a request can be built from them
    /// without touching the disk in `update`.
    ReadImages(Vec<Blob>),
    /// List the folder named by the path prompt's text.
    Complete(String),
    ListSessions,
    /// Open the session `name`; `draft` (what the editor holds) is kept in the one closing.
    OpenSession {
        name: String,
        draft: String,
    },
    /// A new empty session, or (with an image) one that starts from it: `/fresh`.
    NewSession {
        from_image: Option<Blob>,
        draft: String,
    },
    /// Edit text in `$VISUAL`/`$EDITOR`.
    OpenEditor(String),
    /// Copy text to the clipboard with OSC 52.
    Copy {
        text: String,
        what: String,
    },
    OpenViewer(PathBuf),
    SaveImage {
        blob: Blob,
        to: PathBuf,
    },
    LoadTheme(String),
    /// Write `key = "value"` into the user's config file, keeping the rest of it.
    SaveSetting {
        key: &'static str,
        value: String,
    },
    /// Export the session as saved (read without its lock) into the current folder.
    Export {
        session: String,
        format: crate::export::Format,
        path: crate::export::PathChoice,
    },
    /// Outline `region` on a copy of `picture`, for the model ([`crate::region::annotate`]).
    Annotate {
        picture: Blob,
        region: crate::conversation::Region,
    },
    /// Keep `base` outside the region of `edit` in each of the reply `turn`'s pictures
    /// ([`crate::region::composites`]).
    Composite {
        turn: crate::conversation::TurnId,
        edit: crate::conversation::RegionEdit,
        base: Blob,
        raw: Vec<Blob>,
    },
    /// Ask the relay for its remaining balance.
    RefreshBalance,
    SwitchToDemo,
    Quit,
}
