//! The studio's state, `App`: the conversation, the prompt being composed, the jobs, the panes'
//! and overlays' state. It changes only in `update` (update.rs); the concerns that act on it
//! have modules of their own beside this one.

use std::path::PathBuf;
use std::time::Instant;

use ratatui_textarea::TextArea;

use crate::config::DEFAULT_CONCURRENT_REQUESTS;
use crate::conversation::RequestTarget;
use crate::conversation::{Conversation, TurnBody, TurnId, TurnSettings};
use crate::cost::Pricing;
use crate::models::listing::{self, ImageModel, Listing};
use crate::models::{Catalog, ModelSpec};
use crate::tui::input::keymap::{Action, Keymap};
use crate::tui::state::compose::{Attachment, Draft, EditTarget};
use crate::tui::state::event::{ConnectionInfo, Effect, JobId};
use crate::tui::state::fullview::FullView;
use crate::tui::state::grid::{BatchSettings, VaryGrid};
use crate::tui::state::images::ImageKey;
use crate::tui::state::jobs::{Job, Jobs};
use crate::tui::state::layout::{LayoutMode, Pane};
use crate::tui::state::overlays::Overlay;
use crate::tui::state::panes::ConversationView;
use crate::tui::state::panes::ScrollView;
use crate::tui::state::panes::SourcesView;
use crate::tui::theme::Theme;
use crate::turn::{self};

/// Jobs in flight at most, whatever the provider's limit: each holds a request in memory.
pub(super) const MAX_JOBS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Whether the session on disk is up to date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveState {
    /// Bumped on every change worth saving.
    pub revision: u64,
    pub saved_revision: u64,
    pub error: Option<String>,
}

/// Everything the studio is showing and doing.
pub struct App {
    pub conversation: Conversation,
    pub session_name: String,
    pub save: SaveState,
    pub connection: Option<ConnectionInfo>,
    /// Why there is no connection (names the variables to set).
    pub missing_key: Option<String>,
    pub defaults: TurnSettings,
    /// Settings for the next prompt.
    pub settings: TurnSettings,
    /// The generations in flight.
    pub jobs: Jobs,
    /// The variations grid, while it is shown.
    pub grid: Option<VaryGrid>,
    pub batch: BatchSettings,
    /// The job whose branch is shown while it runs (the one just started, or picked in the
    /// jobs list); others run unseen.
    pub watching: Option<JobId>,
    /// Why the last generation failed, shown at the end of the conversation.
    pub failure: Option<String>,
    pub notice: Option<Notice>,
    /// The file the last `/export` wrote, for the key that copies its path.
    pub last_export: Option<PathBuf>,
    pub editing: Option<EditTarget>,
    /// Prompts sent while the reply they follow was still coming (see `followups`).
    pub followups: Option<crate::tui::state::compose::FollowUps>,
    /// The user chose to quit once the running generations have finished.
    pub quit_when_done: bool,
    pub selected: Option<TurnId>,
    pub image: Option<ImageKey>,
    pub focus: Pane,
    /// The side pane shown when there is room for only one.
    pub side: Pane,
    /// The layout chosen with F8 (saved in the config).
    pub layout: LayoutMode,
    pub overlay: Option<Overlay>,
    /// The selected image over the whole terminal, zoomed and panned (`f`).
    pub full_view: Option<FullView>,
    /// The version marked to compare with (`m` in the full view).
    pub compare_mark: Option<ImageKey>,
    /// A send waiting for the driver to read its history's images.
    pub waiting_for_images: Option<crate::tui::state::compose::WaitingSend>,
    /// A picture off the shown path for the full view (a candidate of the variation grid).
    pub view_pinned: Option<ImageKey>,
    pub size: (u16, u16),
    /// A cell's size in pixels, as the terminal reported it: zoom levels are in real pixels.
    pub cell_px: (u16, u16),
    pub now: Option<Instant>,
    /// When the event being handled came (RFC 3339): the time new turns are stamped with,
    /// handed to `update` by the driver.
    pub event_time: String,
    pub theme: Theme,
    pub keymap: Keymap,
    /// What the studio knows of models: the catalog, plus what the provider lists.
    pub catalog: Catalog,
    /// The provider's image models (ListModels, fetched at start), once known.
    pub listed_models: Option<Listing>,
    /// The relay's remaining balance, where it tells it.
    pub balance: Option<crate::balance::Balance>,
    pub input: TextArea<'static>,
    pub attachments: Vec<Attachment>,
    /// The region the next prompt edits (marked with `r` in the full view).
    pub region: Option<crate::tui::state::compose::MarkedRegion>,
    /// Whether a region edit keeps the picture outside the region as it was (`/keep-outside`).
    pub keep_outside: bool,
    pub conversation_view: ConversationView,
    pub thinking_view: ScrollView,
    pub sources_view: SourcesView,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
}

impl App {
    pub fn new(
        session_name: String,
        conversation: Conversation,
        defaults: TurnSettings,
        connection: Option<ConnectionInfo>,
        theme: Theme,
        keymap: Keymap,
        catalog: Catalog,
    ) -> Self {
        let concurrent_requests = connection
            .as_ref()
            .map_or(DEFAULT_CONCURRENT_REQUESTS, |c| c.concurrent_requests);
        let mut app = Self {
            conversation,
            session_name,
            save: SaveState::default(),
            connection,
            missing_key: None,
            settings: defaults.clone(),
            defaults,
            jobs: Jobs::new(concurrent_requests),
            watching: None,
            grid: None,
            batch: BatchSettings::default(),
            failure: None,
            notice: None,
            last_export: None,
            editing: None,
            followups: None,
            quit_when_done: false,
            selected: None,
            image: None,
            focus: Pane::Input,
            side: Pane::Image,
            layout: LayoutMode::default(),
            overlay: None,
            full_view: None,
            compare_mark: None,
            waiting_for_images: None,
            view_pinned: None,
            size: (120, 40),
            cell_px: (10, 20),
            now: None,
            event_time: String::new(),
            theme,
            keymap,
            catalog,
            listed_models: None,
            balance: None,
            input: new_editor(),
            attachments: Vec::new(),
            region: None,
            keep_outside: true,
            conversation_view: ConversationView::default(),
            thinking_view: ScrollView::following(),
            sources_view: SourcesView::default(),
            quit: false,
            dirty: true,
        };
        app.reset_to_active_path();
        app
    }

    /// No key: the studio opens anyway and says what to set.
    pub fn with_missing_key(mut self, message: String) -> Self {
        self.missing_key = Some(message);
        self.overlay = Some(Overlay::MissingKey);
        self
    }

    /// The provider prompts go to (model aliases are per provider).
    pub fn provider(&self) -> &str {
        self.connection
            .as_ref()
            .map_or("google", |c| c.provider.as_str())
    }

    /// What the catalog (or the provider's list) knows of `model`.
    pub fn model_spec(&self, model: &str) -> ModelSpec {
        self.catalog.find_or_unknown(self.provider(), model)
    }

    /// How replies are charged.
    pub fn pricing(&self) -> Pricing<'_> {
        Pricing {
            catalog: &self.catalog,
            provider: self.provider(),
            per_call: self.connection.as_ref().and_then(|c| c.per_call.as_ref()),
        }
    }

    /// The image models to offer: the provider's list when it has come, else the catalog's.
    pub fn offered_models(&self) -> Vec<ImageModel> {
        match &self.listed_models {
            Some(listing) => listing.image_models.clone(),
            None => {
                // Until the provider has spoken, the model in use is offered whatever the
                // catalog says of it (a relay may serve an id Google retired).
                let mut models = listing::catalog_models(&self.catalog, self.provider());
                if !models.iter().any(|m| m.id == self.settings.model) {
                    let spec = self.model_spec(&self.settings.model);
                    models.insert(
                        0,
                        ImageModel {
                            id: self.settings.model.clone(),
                            display_name: spec.name.clone(),
                            spec,
                        },
                    );
                }
                models
            }
        }
    }

    pub(super) fn reference_limit(&self) -> usize {
        self.model_spec(&self.settings.model).reference_images.total
    }

    pub fn is_demo(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| c.demo)
    }

    /// Whether the driver should send ticks (something on screen moves with time).
    pub fn animating(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// The running job whose branch is shown.
    pub fn shown_job(&self) -> Option<&Job> {
        self.watching.and_then(|id| self.jobs.get(id))
    }

    pub fn input_text(&self) -> String {
        self.input.lines().join("\n")
    }

    /// What the editor holds that is worth keeping as the session's draft: a prompt, not a
    /// `/command` being run.
    pub(crate) fn draft_text(&self) -> String {
        let text = self.input_text();
        if crate::tui::input::commands::is_command(&text) {
            String::new()
        } else {
            text
        }
    }

    pub(crate) fn set_input_text(&mut self, text: &str) {
        let mut editor = new_editor();
        editor.insert_str(text);
        self.input = editor;
    }

    /// Where the next prompt continues from: the active reply (a prompt without one is
    /// continued from its parent). While the active prompt's reply is being made, a prompt
    /// waits for it (see `followups`) unless the user selected a reply to branch from.
    pub(crate) fn continue_from(&self) -> Option<TurnId> {
        if let Some(reply) = self.branch_point() {
            return Some(reply);
        }
        let leaf = self.conversation.active_leaf()?;
        match self.conversation.get(leaf).map(|t| (&t.body, t.parent)) {
            Some((TurnBody::Model(_), _)) => Some(leaf),
            Some((TurnBody::User(_), parent)) => parent,
            None => None,
        }
    }

    /// The prompt at the end of the active path whose reply is being made, when the next
    /// prompt should wait for it: the user has not selected a reply to branch from.
    pub(crate) fn awaited_prompt(&self) -> Option<TurnId> {
        let leaf = self.in_flight_leaf()?;
        self.branch_point().is_none().then_some(leaf)
    }

    /// A reply the user selected while the active prompt's reply is being made: the next
    /// prompt branches from it at once (the explicit way to branch).
    pub(crate) fn branch_point(&self) -> Option<TurnId> {
        self.in_flight_leaf()?;
        let selected = self.selected_turn()?;
        matches!(selected.body, TurnBody::Model(_)).then_some(selected.id)
    }

    /// The active leaf when it is a prompt with a generation answering it.
    fn in_flight_leaf(&self) -> Option<TurnId> {
        let leaf = self.conversation.active_leaf()?;
        let is_prompt = matches!(
            self.conversation.get(leaf).map(|t| &t.body),
            Some(TurnBody::User(_))
        );
        (is_prompt && self.jobs.on_prompt(leaf).next().is_some()).then_some(leaf)
    }

    /// After the active path changed under us: select its end, take its settings.
    pub(super) fn reset_to_active_path(&mut self) {
        self.selected = self.conversation.active_leaf();
        self.image = None;
        self.settings = turn::inherited_settings(
            &self.conversation,
            self.conversation.active_leaf(),
            &self.defaults,
        );
        self.move_off_unserved();
        self.conversation_view = ConversationView::default();
        self.thinking_view = ScrollView::default();
        self.sources_view = SourcesView::default();
    }

    /// Moves the next prompt off a model the provider's list no longer names, to the catalog's
    /// replacement it does name; says so.
    pub(crate) fn move_off_unserved(&mut self) {
        let provider = self.provider().to_string();
        if let Some(old) =
            self.settings
                .move_off_unserved(&self.catalog, &provider, self.listed_models.as_ref())
        {
            self.notify(format!(
                "{provider} no longer lists {old}: this session continues on {} with its whole history.",
                self.settings.model
            ));
        }
    }

    pub(super) fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// Marks the conversation changed and returns the save to run.
    pub(super) fn save_effect(&mut self) -> Effect {
        self.save.revision += 1;
        Effect::Save {
            revision: self.save.revision,
            conversation: self.conversation.clone(),
        }
    }

    pub fn has_unsaved_changes(&self) -> bool {
        self.save.revision > self.save.saved_revision
    }

    /// Whether jobs are running, which a change of session or provider must wait for.
    pub(super) fn jobs_in_flight(&mut self) -> bool {
        if self.jobs.is_empty() {
            return false;
        }
        self.warn(format!(
            "{} generation(s) running: wait for them, or cancel them in the jobs list ({}).",
            self.jobs.len(),
            self.keymap.hint(Action::Jobs)
        ));
        true
    }

    /// Whether another job would be one too many.
    pub(crate) fn busy(&mut self) -> bool {
        if self.jobs.len() >= MAX_JOBS {
            self.warn(format!(
                "{MAX_JOBS} generations are in flight already: wait for one, or cancel one in the jobs list ({}).",
                self.keymap.hint(Action::Jobs)
            ));
            true
        } else {
            false
        }
    }
}

fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    // Short enough for the prompt pane beside a picture that takes over half the screen.
    editor.set_placeholder_text("Describe an image or edit; /help");
    editor
}

/// Where requests over `connection` go.
pub(super) fn target<'a>(
    catalog: &'a Catalog,
    connection: &'a ConnectionInfo,
    listing: Option<&'a Listing>,
) -> RequestTarget<'a> {
    RequestTarget {
        catalog,
        provider: &connection.provider,
        size_limit: connection.max_request_bytes,
        listing,
        transport: connection.transport,
    }
}

/// Puts a prompt back into the editor, keeping anything typed since above it.
pub(super) fn restore_draft(app: &mut App, draft: Draft) {
    let typed = app.input_text();
    let text = if typed.trim().is_empty() {
        draft.text
    } else {
        format!("{}\n{typed}", draft.text)
    };
    app.set_input_text(&text);
    let mut attachments = draft.attachments;
    for extra in std::mem::take(&mut app.attachments) {
        if !attachments.iter().any(|a| a.blob == extra.blob) {
            attachments.push(extra);
        }
    }
    app.attachments = attachments;
    if draft.region.is_some() && app.region.is_none() {
        app.region = draft.region;
    }
    app.focus = Pane::Input;
}

/// The way forward after a failure the user can act on: for a model the provider does not
/// serve, the served ones and the replacement (one key away); for signatures a new model
/// refuses, a fresh thread.
pub(super) fn failure_advice(app: &App, model: &str, error: &crate::gemini::ApiError) -> String {
    use crate::gemini::ApiError;
    match error {
        ApiError::UnknownModel { .. } => {
            let provider = app.provider();
            let way =
                listing::way_forward(&app.catalog, provider, model, app.listed_models.as_ref());
            let mut text = format!(" {}", way.describe(provider));
            if let Some(replacement) = &way.replacement {
                text.push_str(&format!(
                    " Press {} (or /replacement) to switch this session to {replacement} and send again.",
                    app.keymap.hint(Action::UseReplacement)
                ));
            }
            text
        }
        ApiError::BadRequest { message } if message.contains("signature") => format!(
            " {model} did not accept the signatures of earlier turns (made by another model): /fresh ({}) starts a new thread from the latest image.",
            app.keymap.hint(Action::FreshThread)
        ),
        _ => String::new(),
    }
}
