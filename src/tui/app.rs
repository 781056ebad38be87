//! The studio's state and [`update`]: the one place where events change the state. `update` is
//! pure — no IO, no clock, no terminal — so every behaviour is tested by feeding events and
//! looking at the state and the effects it returns.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::commands::{self, Command};
use super::components::ScrollView;
use super::components::conversation::ConversationView;
use super::components::jobs::JobsList;
use super::components::model_picker::ModelPicker;
use super::components::path_prompt::{PathPrompt, PathPurpose};
use super::components::session_picker::SessionPicker;
use super::components::sources::SourcesView;
use super::components::tree::{self, TreeView};
use super::compose::{Attachment, Draft, EditTarget};
use super::event::{ConnectionInfo, Effect, Event, JobId};
use super::fullview::{FullView, Geometry, ViewChange, ViewMode};
use super::jobs::{Job, JobKind, Jobs};
use super::keymap::{Action, Keymap};
use super::lifecycle::{abandon_job, cancel_jobs, on_done, on_progress, start_job, watch};
use super::theme::Theme;
use super::vary::{self, BatchSettings, VaryGrid};
use crate::config::DEFAULT_CONCURRENT_REQUESTS;
use crate::conversation::RequestTarget;
use crate::conversation::settings::SettingsError;
use crate::conversation::{
    Blob, Conversation, ModelTurn, Part, PartContent, Turn, TurnBody, TurnId, TurnSettings,
};
use crate::cost::Pricing;
use crate::models::listing::{self, ImageModel};
use crate::models::{Catalog, ModelSpec};
use crate::turn::{self, NewTurn};

/// Jobs in flight at most, whatever the provider's limit: each holds a request in memory.
pub(super) const MAX_JOBS: usize = 16;

/// The panes that can have the focus, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Input,
    Conversation,
    Image,
    Thinking,
    Sources,
}

impl Pane {
    const ORDER: [Pane; 5] = [
        Pane::Input,
        Pane::Conversation,
        Pane::Image,
        Pane::Thinking,
        Pane::Sources,
    ];

    pub fn is_side(self) -> bool {
        matches!(self, Pane::Image | Pane::Thinking | Pane::Sources)
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Input => "Prompt",
            Pane::Conversation => "Conversation",
            Pane::Image => "Image",
            Pane::Thinking => "Thinking",
            Pane::Sources => "Sources",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

#[derive(Debug)]
pub enum Overlay {
    Help(ScrollView),
    Sessions(SessionPicker),
    Models(ModelPicker),
    PathPrompt(PathPrompt),
    MissingKey,
    Jobs(JobsList),
    Tree(TreeView),
    /// A batch of variations over the price threshold, waiting for a yes.
    ConfirmBatch {
        count: u8,
        prompt: TurnId,
    },
}

/// Which image of the conversation is selected: the `index`-th image part of a turn (`None`:
/// the reply being generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageKey {
    pub turn: Option<TurnId>,
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Attachment,
    Thought,
    Final,
}

impl ImageKind {
    pub fn label(self) -> &'static str {
        match self {
            ImageKind::Attachment => "attachment",
            ImageKind::Thought => "thought image",
            ImageKind::Final => "final image",
        }
    }
}

/// One image of the shown conversation.
#[derive(Debug, Clone)]
pub struct ImageEntry {
    pub key: ImageKey,
    pub kind: ImageKind,
    pub blob: Blob,
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
    pub selected: Option<TurnId>,
    pub image: Option<ImageKey>,
    pub focus: Pane,
    /// The side pane shown when there is room for only one.
    pub side: Pane,
    /// The image-first layout (F8): the picture takes most of a wide screen.
    pub image_first: bool,
    pub overlay: Option<Overlay>,
    /// The selected image over the whole terminal, zoomed and panned (`f`).
    pub full_view: Option<FullView>,
    /// The version marked to compare with (`m` in the full view).
    pub compare_mark: Option<ImageKey>,
    /// A picture off the shown path for the full view (a candidate of the variation grid).
    pub view_pinned: Option<Blob>,
    pub size: (u16, u16),
    /// A cell's size in pixels, as the terminal reported it: zoom levels are in real pixels.
    pub cell_px: (u16, u16),
    /// The largest picture the terminal draws (xterm's sixel: 1000×1000), if it has a limit:
    /// the full view shows no more than that, so 1:1 stays one pixel per pixel.
    pub max_px: Option<(u32, u32)>,
    pub now: Option<Instant>,
    pub theme: Theme,
    pub keymap: Keymap,
    /// What the studio knows of models: the catalog, plus what the provider lists.
    pub catalog: Catalog,
    /// The provider's image models (ListModels, fetched at start), once known.
    pub listed_models: Option<Vec<ImageModel>>,
    /// The relay's remaining balance, where it tells it.
    pub balance: Option<crate::balance::Balance>,
    pub input: TextArea<'static>,
    pub attachments: Vec<Attachment>,
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
            selected: None,
            image: None,
            focus: Pane::Input,
            side: Pane::Image,
            image_first: false,
            overlay: None,
            full_view: None,
            compare_mark: None,
            view_pinned: None,
            size: (120, 40),
            cell_px: (10, 20),
            max_px: None,
            now: None,
            theme,
            keymap,
            catalog,
            listed_models: None,
            balance: None,
            input: new_editor(),
            attachments: Vec::new(),
            conversation_view: ConversationView::default(),
            thinking_view: ScrollView::following(),
            sources_view: SourcesView::default(),
            quit: false,
            dirty: true,
        };
        app.reset_to_active_path();
        app
    }

    /// The full view's sizes for the selected image: the image's pixels and the screen's
    /// between the view's header and key lines. `None` without an image or its size.
    pub fn view_geometry(&self) -> Option<Geometry> {
        let image = self.view_image()?.blob.dimensions()?;
        let (cols, rows) = (self.size.0, self.size.1.saturating_sub(2));
        // Side by side, each version gets half, with a column between.
        let cols = match self.full_view.map(|v| v.mode) {
            Some(ViewMode::SideBySide) => cols.saturating_sub(1) / 2,
            _ => cols,
        };
        let (max_w, max_h) = self.max_px.unwrap_or((u32::MAX, u32::MAX));
        Some(Geometry {
            image,
            screen: (
                (u32::from(cols) * u32::from(self.cell_px.0.max(1))).min(max_w),
                (u32::from(rows) * u32::from(self.cell_px.1.max(1))).min(max_h),
            ),
        })
    }

    /// The image the full view shows: a pinned one (a grid candidate), else the selected one.
    pub fn view_image(&self) -> Option<ImageEntry> {
        match &self.view_pinned {
            Some(blob) => Some(ImageEntry {
                key: ImageKey {
                    turn: None,
                    index: 0,
                },
                kind: ImageKind::Final,
                blob: blob.clone(),
            }),
            None => self.selected_image(),
        }
    }

    /// The version the selected one is compared with: the marked one, else the final image
    /// before it in the conversation.
    pub fn compare_partner(&self) -> Option<ImageEntry> {
        let images = self.images();
        let current = self.selected_image_index(&images)?;
        if let Some(mark) = self.compare_mark
            && images.get(current).map(|e| e.key) != Some(mark)
            && let Some(marked) = images.iter().find(|e| e.key == mark)
        {
            return Some(marked.clone());
        }
        images[..current]
            .iter()
            .rev()
            .find(|e| e.kind == ImageKind::Final)
            .cloned()
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
        self.listed_models
            .clone()
            .unwrap_or_else(|| listing::catalog_models(&self.catalog, self.provider()))
    }

    fn reference_limit(&self) -> usize {
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

    pub(crate) fn set_input_text(&mut self, text: &str) {
        let mut editor = new_editor();
        editor.insert_str(text);
        self.input = editor;
    }

    /// The turns shown: the active path, or while a watched job runs the path to its prompt.
    pub fn display_path(&self) -> Vec<&Turn> {
        match self.shown_job() {
            Some(job) => self.conversation.path_to(job.prepared.prompt_turn),
            None => self.conversation.active_path(),
        }
    }

    /// The selected turn, falling back to the last shown one.
    pub fn selected_turn(&self) -> Option<&Turn> {
        let path = self.display_path();
        self.selected
            .and_then(|id| path.iter().find(|t| t.id == id).copied())
            .or_else(|| path.last().copied())
    }

    /// The reply the Thinking and Sources panes show: the selected reply, or the reply to the
    /// selected prompt on the shown path; `Pending` while the selected prompt is being
    /// answered.
    pub fn selected_reply(&self) -> SelectedReply<'_> {
        let Some(turn) = self.selected_turn() else {
            return SelectedReply::None;
        };
        match &turn.body {
            TurnBody::Model(reply) => SelectedReply::Done(turn.id, reply),
            TurnBody::User(_) => {
                if let Some(job) = self.shown_job()
                    && job.prepared.prompt_turn == turn.id
                {
                    return SelectedReply::Pending(&job.partial);
                }
                let path = self.display_path();
                let next = path
                    .iter()
                    .position(|t| t.id == turn.id)
                    .and_then(|i| path.get(i + 1));
                match next {
                    Some(next) => match &next.body {
                        TurnBody::Model(reply) => SelectedReply::Done(next.id, reply),
                        TurnBody::User(_) => SelectedReply::None,
                    },
                    None => SelectedReply::None,
                }
            }
        }
    }

    /// Every image of the shown conversation, in order, with the reply being generated last.
    pub fn images(&self) -> Vec<ImageEntry> {
        let mut images = Vec::new();
        let mut push_parts = |turn: Option<TurnId>, parts: &[Part], user: bool| {
            let mut index = 0;
            for part in parts {
                if let PartContent::Image(blob) = &part.content {
                    let kind = if user {
                        ImageKind::Attachment
                    } else if part.thought {
                        ImageKind::Thought
                    } else {
                        ImageKind::Final
                    };
                    images.push(ImageEntry {
                        key: ImageKey { turn, index },
                        kind,
                        blob: blob.clone(),
                    });
                    index += 1;
                }
            }
        };
        for turn in self.display_path() {
            match &turn.body {
                TurnBody::User(user) => push_parts(Some(turn.id), &user.parts, true),
                TurnBody::Model(reply) => push_parts(Some(turn.id), &reply.parts, false),
            }
        }
        if let Some(job) = self.shown_job() {
            push_parts(None, &job.partial.parts, false);
        }
        images
    }

    /// The position of the selected image in `images`: the chosen one, else the newest final
    /// image, else the newest image.
    pub fn selected_image_index(&self, images: &[ImageEntry]) -> Option<usize> {
        if let Some(key) = self.image
            && let Some(i) = images.iter().position(|e| e.key == key)
        {
            return Some(i);
        }
        images
            .iter()
            .rposition(|e| e.kind == ImageKind::Final)
            .or_else(|| images.len().checked_sub(1))
    }

    pub fn selected_image(&self) -> Option<ImageEntry> {
        let images = self.images();
        self.selected_image_index(&images)
            .and_then(|i| images.get(i).cloned())
    }

    /// Where the next prompt continues from: the active reply (a prompt without one is
    /// continued from its parent).
    fn continue_from(&self) -> Option<TurnId> {
        let leaf = self.conversation.active_leaf()?;
        match self.conversation.get(leaf).map(|t| (&t.body, t.parent)) {
            Some((TurnBody::Model(_), _)) => Some(leaf),
            Some((TurnBody::User(_), parent)) => parent,
            None => None,
        }
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
        if let Some(old) = self.settings.move_off_retired(
            &self.catalog,
            self.connection
                .as_ref()
                .map_or("google", |c| c.provider.as_str()),
        ) {
            self.notify(format!(
                "{old} is retired: this session continues on {} with its whole history.",
                self.settings.model
            ));
        }
        self.conversation_view = ConversationView::default();
        self.thinking_view = ScrollView::default();
        self.sources_view = SourcesView::default();
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

    /// Takes every running job's prompt back out (the studio is closing).
    pub fn abandon_running(&mut self) {
        for id in self.jobs.ids() {
            abandon_job(self, id);
        }
    }

    pub fn has_unsaved_changes(&self) -> bool {
        self.save.revision > self.save.saved_revision
    }

    pub(super) fn selection_changed(&mut self) {
        // Thoughts being streamed are followed at the bottom; finished ones read from the top.
        self.thinking_view = if matches!(self.selected_reply(), SelectedReply::Pending(_)) {
            ScrollView::following()
        } else {
            ScrollView::default()
        };
        self.sources_view = SourcesView::default();
        self.conversation_view.follow_selection();
        // Show the selected turn's newest image, if it has one.
        if let Some(id) = self.selected {
            let images = self.images();
            if let Some(entry) = images.iter().rev().find(|e| e.key.turn == Some(id)) {
                self.image = Some(entry.key);
            }
        }
    }

    /// Whether jobs are running, which a change of session or provider must wait for.
    fn jobs_in_flight(&mut self) -> bool {
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
    fn busy(&mut self) -> bool {
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

pub enum SelectedReply<'a> {
    None,
    Done(TurnId, &'a ModelTurn),
    Pending(&'a ModelTurn),
}

fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    editor.set_placeholder_text("Describe an image or an edit, or type /help");
    editor
}

/// The one entry point: applies an event, returns what the driver should do.
pub fn update(app: &mut App, event: Event) -> Vec<Effect> {
    let effects = match event {
        Event::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return Vec::new();
            }
            on_key(app, key)
        }
        Event::Paste(text) => on_paste(app, &text),
        Event::Resize(width, height) => {
            app.size = (width, height);
            Vec::new()
        }
        Event::Tick(at) => {
            app.now = Some(at);
            if !app.animating() {
                // Nothing on screen moves with time: no redraw.
                return Vec::new();
            }
            // A back-off may have passed: start what waited for it.
            app.jobs.start_ready(Some(at))
        }
        Event::PreviewReady => Vec::new(),
        Event::Progress { job, progress, at } => on_progress(app, job, progress, at),
        Event::GenerationDone { job, result, at } => on_done(app, job, result, at),
        Event::Saved { revision, result } => {
            match result {
                Ok(()) => {
                    app.save.saved_revision = app.save.saved_revision.max(revision);
                    app.save.error = None;
                }
                Err(error) => {
                    app.warn(format!(
                        "Could not save the session: {error} The conversation is kept in memory; the next save tries again."
                    ));
                    app.save.error = Some(error);
                }
            }
            Vec::new()
        }
        Event::AttachmentLoaded { name, result } => {
            match result {
                Ok(blob) => add_attachment(app, name, blob),
                Err(error) => app.warn(error),
            }
            Vec::new()
        }
        Event::Completions { for_text, entries } => {
            if let Some(Overlay::PathPrompt(prompt)) = &mut app.overlay {
                prompt.completed(&for_text, entries);
            }
            Vec::new()
        }
        Event::SessionsListed(result) => {
            if let Some(Overlay::Sessions(picker)) = &mut app.overlay {
                picker.listed(result, &app.session_name);
            }
            Vec::new()
        }
        Event::SessionOpened {
            name,
            conversation,
            attachments,
        } => {
            let turns = conversation.turns().len();
            app.conversation = conversation;
            app.session_name = name.clone();
            app.save = SaveState::default();
            app.editing = None;
            app.failure = None;
            app.overlay = None;
            app.set_input_text("");
            app.attachments = attachments
                .into_iter()
                .map(|(name, blob)| Attachment { name, blob })
                .collect();
            app.reset_to_active_path();
            app.focus = Pane::Input;
            if app.attachments.is_empty() {
                app.notify(format!("Session {name}: {turns} turns."));
            } else {
                app.notify(format!(
                    "New session {name}, starting from the selected image (attached): describe the next change."
                ));
            }
            Vec::new()
        }
        Event::SessionOpenFailed(error) => {
            if let Some(Overlay::Sessions(picker)) = &mut app.overlay {
                picker.error = Some(error.clone());
            }
            app.warn(error);
            Vec::new()
        }
        Event::EditorDone(result) => {
            match result {
                Ok(text) => {
                    app.set_input_text(text.trim_end_matches('\n'));
                    app.focus = Pane::Input;
                }
                Err(error) => app.warn(error),
            }
            Vec::new()
        }
        Event::ThemeLoaded(result) => {
            match result {
                Ok(theme) => {
                    app.notify(format!("Theme {}.", theme.name));
                    app.theme = theme;
                }
                Err(error) => app.warn(error),
            }
            Vec::new()
        }
        Event::Balance(balance) => {
            app.balance = Some(balance);
            Vec::new()
        }
        Event::ModelsListed { provider, result } => {
            // A list for another provider (the user switched to the demo meanwhile) is stale;
            // a failed one leaves the catalog's view in place.
            if let Ok(listed) = result
                && provider == app.provider()
            {
                let models = listing::image_models(&listed, &app.catalog, &provider);
                app.catalog
                    .learn(&provider, models.iter().map(|m| m.id.clone()));
                app.listed_models = Some(models);
            }
            Vec::new()
        }
        Event::DemoConnected(result) => {
            match result {
                Ok(info) => {
                    app.jobs.limit = info.concurrent_requests.max(1);
                    app.connection = Some(info);
                    app.missing_key = None;
                    if matches!(app.overlay, Some(Overlay::MissingKey)) {
                        app.overlay = None;
                    }
                    app.notify("Now using the offline demo model: no key needed, nothing leaves this machine.");
                }
                Err(error) => app.warn(error),
            }
            Vec::new()
        }
        Event::Notice { text, error } => {
            app.notice = Some(Notice { text, error });
            Vec::new()
        }
        Event::Exported(result) => {
            match result {
                Ok(exported) => {
                    let done = format!(
                        "Exported to {} ({} copies its path).",
                        exported.file.display(),
                        app.keymap.hint(Action::CopyExportPath)
                    );
                    match exported.problems.as_slice() {
                        [] => app.notify(done),
                        problems => app.warn(format!("{done} Left out: {}", problems.join(" "))),
                    }
                    app.last_export = Some(exported.file);
                }
                Err(error) => app.warn(error),
            }
            Vec::new()
        }
        Event::Terminate => quit(app),
    };
    app.dirty = true;
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.notice = None;
    if app.overlay.is_some() {
        return on_overlay_key(app, key);
    }
    if app.full_view.is_some() {
        return on_view_key(app, key);
    }
    if app.grid.is_some() {
        let action = app.keymap.lookup(&key, false);
        return vary::on_grid_key(app, key, action);
    }
    let in_editor = app.focus == Pane::Input;
    match app.keymap.lookup(&key, in_editor) {
        Some(action) => perform(app, action),
        None if in_editor => {
            app.input.input(key);
            Vec::new()
        }
        None => {
            // A letter typed while browsing: go back to the editor and type it there, so
            // nobody types a prompt into the void.
            if let KeyCode::Char(_) = key.code
                && !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            {
                app.focus = Pane::Input;
                app.input.input(key);
            }
            Vec::new()
        }
    }
}

/// Keys in the full view: zoom, pan, step versions (keeping zoom and position), back.
fn on_view_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let change = match app.keymap.lookup_in_view(&key) {
        Some(Action::ZoomIn) => ViewChange::ZoomIn,
        Some(Action::ZoomOut) => ViewChange::ZoomOut,
        Some(Action::ZoomActual) => ViewChange::Actual,
        Some(Action::ZoomFit) => ViewChange::Fit,
        Some(Action::PanLeft) => ViewChange::Pan(-1, 0),
        Some(Action::PanRight) => ViewChange::Pan(1, 0),
        Some(Action::PanUp) => ViewChange::Pan(0, -1),
        Some(Action::PanDown) => ViewChange::Pan(0, 1),
        Some(Action::CloseView | Action::FullScreen | Action::Cancel) => {
            app.full_view = None;
            app.view_pinned = None;
            return Vec::new();
        }
        Some(Action::PrevImage) => {
            app.view_pinned = None;
            version_step(app, -1);
            return Vec::new();
        }
        Some(Action::NextImage) => {
            app.view_pinned = None;
            version_step(app, 1);
            return Vec::new();
        }
        Some(Action::Quit) => return quit(app),
        Some(action @ (Action::Compare | Action::Difference)) => {
            if app.compare_partner().is_none() {
                app.warn("No earlier version to compare with: mark one with m, or step with [.");
            } else if let Some(view) = app.full_view.as_mut() {
                view.toggle(if action == Action::Compare {
                    ViewMode::SideBySide
                } else {
                    ViewMode::Difference
                });
            }
            return Vec::new();
        }
        Some(Action::MarkCompare) => {
            let selected = app.selected_image().map(|e| e.key);
            app.compare_mark = if app.compare_mark == selected {
                None
            } else {
                selected
            };
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    if let (Some(geometry), Some(view)) = (app.view_geometry(), app.full_view.as_mut()) {
        view.apply(change, &geometry);
    }
    Vec::new()
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match &mut app.overlay {
        Some(Overlay::PathPrompt(prompt)) => prompt.paste(text),
        Some(_) => {}
        None => {
            app.focus = Pane::Input;
            // Terminals send CR for newlines in pastes.
            app.input
                .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
        }
    }
    Vec::new()
}

fn on_overlay_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.lookup(&key, false);
    if action == Some(Action::Quit) && !matches!(app.overlay, Some(Overlay::PathPrompt(_))) {
        return quit(app);
    }
    let Some(overlay) = app.overlay.as_mut() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Help(scroll) => {
            match (key.code, action) {
                (KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q'), _)
                | (_, Some(Action::Help | Action::Cancel)) => app.overlay = None,
                (_, Some(Action::Up)) => scroll.scroll_up(1),
                (_, Some(Action::Down)) => scroll.scroll_down(1),
                (_, Some(Action::PageUp)) => scroll.page_up(),
                (_, Some(Action::PageDown)) => scroll.page_down(),
                (_, Some(Action::Top)) => scroll.top(),
                (_, Some(Action::Bottom)) => scroll.bottom(),
                _ => {}
            }
            Vec::new()
        }
        Overlay::Sessions(picker) => match (key.code, action) {
            (_, _) if is_close(key.code, action) => {
                app.overlay = None;
                Vec::new()
            }
            (_, Some(Action::Up)) => {
                picker.up();
                Vec::new()
            }
            (_, Some(Action::Down)) => {
                picker.down();
                Vec::new()
            }
            (KeyCode::Char('n'), _) => {
                app.overlay = None;
                run_command(app, Command::New)
            }
            (KeyCode::Enter, _) => match picker.chosen() {
                Some(name) => {
                    let name = name.to_string();
                    run_command(app, Command::Open(Some(name)))
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        },
        Overlay::Models(picker) => {
            match (key.code, action) {
                (_, _) if is_close(key.code, action) => app.overlay = None,
                (_, Some(Action::Up)) => picker.up(),
                (_, Some(Action::Down)) => picker.down(),
                (KeyCode::Enter, _) => {
                    let chosen = picker.chosen().map(str::to_string);
                    app.overlay = None;
                    if let Some(model) = chosen {
                        switch_model(app, &model);
                    }
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::PathPrompt(prompt) => match prompt.key(key) {
            super::components::path_prompt::Outcome::Pending(effects) => effects,
            super::components::path_prompt::Outcome::Cancelled => {
                app.overlay = None;
                Vec::new()
            }
            super::components::path_prompt::Outcome::Submitted(purpose, path) => {
                app.overlay = None;
                match purpose {
                    PathPurpose::Attach => vec![Effect::LoadAttachment(path)],
                    PathPurpose::SaveImage(blob) => vec![Effect::SaveImage { blob, to: path }],
                }
            }
        },
        Overlay::Jobs(list) => {
            let ids = app.jobs.ids();
            let chosen = ids.get(list.selected).copied();
            match (key.code, action) {
                (KeyCode::Esc | KeyCode::Char('q'), _) | (_, Some(Action::Jobs)) => {
                    app.overlay = None;
                    Vec::new()
                }
                (_, Some(Action::Up)) => {
                    list.up();
                    Vec::new()
                }
                (_, Some(Action::Down)) => {
                    list.down(ids.len());
                    Vec::new()
                }
                (KeyCode::Enter, _) => {
                    if let Some(id) = chosen {
                        app.overlay = None;
                        watch(app, id);
                    }
                    Vec::new()
                }
                (KeyCode::Char('c' | 'x') | KeyCode::Delete, _) => {
                    let effects = chosen.map_or_else(Vec::new, |id| cancel_jobs(app, &[id]));
                    if let Some(Overlay::Jobs(list)) = &mut app.overlay {
                        list.clamp(app.jobs.len());
                    }
                    effects
                }
                (KeyCode::Char('C'), _) => cancel_jobs(app, &ids),
                _ => Vec::new(),
            }
        }
        Overlay::Tree(view) => {
            let rows = tree::rows(&app.conversation, &app.jobs);
            let page = (app.size.1 as isize - 6).max(1);
            match (key.code, action) {
                (KeyCode::Esc | KeyCode::Char('q'), _) | (_, Some(Action::Tree)) => {
                    app.overlay = None
                }
                (_, Some(Action::Up)) => view.step(-1, rows.len()),
                (_, Some(Action::Down)) => view.step(1, rows.len()),
                (_, Some(Action::PageUp)) => view.step(-page, rows.len()),
                (_, Some(Action::PageDown)) => view.step(page, rows.len()),
                (_, Some(Action::Top)) => view.selected = 0,
                (_, Some(Action::Bottom)) => view.step(isize::MAX, rows.len()),
                (KeyCode::Enter, _) => {
                    if let Some(row) = rows.get(view.selected)
                        && app.conversation.activate(row.turn).is_ok()
                    {
                        let turn = row.turn;
                        app.overlay = None;
                        app.watching = None;
                        app.editing = None;
                        app.reset_to_active_path();
                        app.notify(format!("The path through #{turn} is active."));
                        return vec![app.save_effect()];
                    }
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::ConfirmBatch { count, prompt } => {
            let (count, prompt) = (*count, *prompt);
            match key.code {
                KeyCode::Enter | KeyCode::Char('y' | 'Y') => vary::send(app, prompt, count),
                KeyCode::Esc | KeyCode::Char('n' | 'N') => {
                    app.overlay = None;
                    app.notify("Not sent.");
                    Vec::new()
                }
                _ => Vec::new(),
            }
        }
        Overlay::MissingKey => match key.code {
            KeyCode::Char('d') | KeyCode::Char('D') => {
                vec![Effect::SwitchToDemo]
            }
            KeyCode::Char('q') => quit(app),
            KeyCode::Esc => {
                app.overlay = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

/// Esc, q or the cancel key close a picker.
fn is_close(code: KeyCode, action: Option<Action>) -> bool {
    matches!(code, KeyCode::Esc | KeyCode::Char('q')) || action == Some(Action::Cancel)
}

fn perform(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Send => {
            let text = app.input_text();
            if commands::is_command(&text) {
                match commands::parse(&text) {
                    Ok(command) => {
                        let effects = run_command(app, command);
                        // A command that failed left its explanation; keep the text to fix.
                        if !app.notice.as_ref().is_some_and(|n| n.error) {
                            app.set_input_text("");
                        }
                        effects
                    }
                    Err(error) => {
                        app.warn(error);
                        Vec::new()
                    }
                }
            } else {
                send(app, commands::unescape_prompt(&text))
            }
        }
        Action::Newline => {
            app.focus = Pane::Input;
            app.input.insert_newline();
            Vec::new()
        }
        Action::ExternalEditor => vec![Effect::OpenEditor(app.input_text())],
        Action::Attach => run_command(app, Command::Attach(None)),
        Action::Detach => run_command(app, Command::Detach(None)),
        Action::Cancel => cancel(app),
        Action::Vary => vary::request(app, None),
        Action::Tree => {
            let rows = tree::rows(&app.conversation, &app.jobs);
            let view = TreeView::at_active(&rows, app.conversation.active_leaf());
            app.overlay = Some(Overlay::Tree(view));
            Vec::new()
        }
        Action::Jobs => {
            app.overlay = Some(Overlay::Jobs(JobsList::default()));
            Vec::new()
        }
        Action::Rerun => rerun(app),
        Action::EditPrompt => edit_selected(app),
        Action::SelectPrevTurn => {
            select_step(app, -1);
            Vec::new()
        }
        Action::SelectNextTurn => {
            select_step(app, 1);
            Vec::new()
        }
        Action::PrevBranch => switch_branch(app, -1),
        Action::NextBranch => switch_branch(app, 1),
        Action::FocusNext => {
            focus_step(app, 1);
            Vec::new()
        }
        Action::FocusPrev => {
            focus_step(app, -1);
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            navigate(app, action);
            Vec::new()
        }
        Action::PrevImage => {
            image_step(app, -1);
            Vec::new()
        }
        Action::NextImage => {
            image_step(app, 1);
            Vec::new()
        }
        Action::ToggleLayout => {
            app.image_first = !app.image_first;
            app.notify(if app.image_first {
                "Image-first layout: the picture takes most of the screen (F8 switches back; saved in the config)."
            } else {
                "Balanced layout: every pane at its usual size (saved in the config)."
            });
            vec![Effect::SaveSetting {
                key: "layout",
                value: if app.image_first {
                    "image-first"
                } else {
                    "balanced"
                }
                .to_string(),
            }]
        }
        Action::FullScreen => {
            match app.selected_image() {
                Some(_) => app.full_view = Some(FullView::default()),
                None => app.warn("No image to show yet."),
            }
            Vec::new()
        }
        // The full view's own keys do nothing outside it.
        Action::ZoomIn
        | Action::ZoomOut
        | Action::ZoomActual
        | Action::ZoomFit
        | Action::PanLeft
        | Action::PanRight
        | Action::PanUp
        | Action::PanDown
        | Action::CloseView
        | Action::Compare
        | Action::Difference
        | Action::MarkCompare => Vec::new(),
        Action::SaveImage => run_command(app, Command::Save(None)),
        Action::Copy => copy(app),
        Action::CopyExportPath => match &app.last_export {
            Some(path) => vec![Effect::Copy {
                text: path.display().to_string(),
                what: "the export's path".into(),
            }],
            None => {
                app.warn("Nothing exported yet: /export writes this session as a web page.");
                Vec::new()
            }
        },
        Action::OpenViewer => match app.selected_image() {
            Some(entry) => match entry.blob.path() {
                Some(path) => vec![Effect::OpenViewer(path.to_path_buf())],
                None => {
                    app.warn(
                        "This image is not on disk yet (it is saved when the turn completes).",
                    );
                    Vec::new()
                }
            },
            None => {
                app.warn("No image to open yet.");
                Vec::new()
            }
        },
        Action::FreshThread => run_command(app, Command::Fresh),
        Action::PickModel => run_command(app, Command::Model(None)),
        Action::UseReplacement => run_command(app, Command::UseReplacement),
        Action::CycleAspect => {
            let ratios = app.model_spec(&app.settings.model).aspect_ratios;
            let next = cycle(&ratios, app.settings.aspect_ratio.as_ref());
            run_command(app, Command::Aspect(next))
        }
        Action::CycleSize => {
            let sizes = app.model_spec(&app.settings.model).sizes;
            let next = cycle(&sizes, app.settings.image_size.as_ref());
            run_command(app, Command::Size(next))
        }
        Action::ToggleSearch => {
            let on = !app.settings.google_search;
            run_command(app, Command::Search(on))
        }
        Action::SystemInstruction => {
            let current = app.settings.system_instruction.clone().unwrap_or_default();
            app.set_input_text(&format!("/system {current}"));
            app.focus = Pane::Input;
            app.notify("Type the system instruction and press Enter (/system off removes it).");
            Vec::new()
        }
        Action::SessionPicker => run_command(app, Command::Open(None)),
        Action::Help => run_command(app, Command::Help),
        Action::Quit => quit(app),
    }
}

/// Where requests over `connection` go.
pub(super) fn target<'a>(
    catalog: &'a Catalog,
    connection: &'a ConnectionInfo,
) -> RequestTarget<'a> {
    RequestTarget {
        catalog,
        provider: &connection.provider,
        size_limit: connection.max_request_bytes,
    }
}

/// The option after `current` in `options`, then none (auto), then the first again.
fn cycle<T: Clone + PartialEq>(options: &[T], current: Option<&T>) -> Option<T> {
    match current {
        None => options.first().cloned(),
        Some(current) => options
            .iter()
            .position(|o| o == current)
            .and_then(|i| options.get(i + 1))
            .cloned(),
    }
}

pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    for id in app.jobs.ids() {
        abandon_job(app, id);
        effects.push(Effect::CancelGeneration(id));
    }
    app.quit = true;
    effects.push(Effect::Quit);
    effects
}

/// Sends the editor's prompt (a new turn, or a new branch when editing an earlier prompt).
fn send(app: &mut App, prompt: String) -> Vec<Effect> {
    if app.busy() {
        return Vec::new();
    }
    let Some(connection) = app.connection.clone() else {
        app.overlay = Some(Overlay::MissingKey);
        return Vec::new();
    };
    let (parent, kind) = match &app.editing {
        Some(edit) => (edit.parent, JobKind::Edit),
        None => (app.continue_from(), JobKind::Send),
    };
    let previous_leaf = app.conversation.active_leaf();
    let new_turn = NewTurn {
        parent,
        prompt,
        attachments: app.attachments.iter().map(|a| a.blob.clone()).collect(),
        settings: app.settings.clone(),
    };
    let target = target(&app.catalog, &connection);
    match turn::prepare(&mut app.conversation, new_turn, &target) {
        Err(error) => {
            app.warn(error.to_string());
            Vec::new()
        }
        Ok(prepared) => {
            let draft = Draft {
                text: app.input_text(),
                attachments: std::mem::take(&mut app.attachments),
            };
            app.set_input_text("");
            let restore_edit = app.editing.take();
            start_job(
                app,
                prepared,
                previous_leaf,
                kind,
                Some(draft),
                restore_edit,
            )
        }
    }
}

fn rerun(app: &mut App) -> Vec<Effect> {
    if app.busy() {
        return Vec::new();
    }
    let Some(connection) = app.connection.clone() else {
        app.overlay = Some(Overlay::MissingKey);
        return Vec::new();
    };
    let Some(turn) = app.selected_turn().map(|t| t.id) else {
        app.warn("Nothing to rerun yet: send a prompt first.");
        return Vec::new();
    };
    let previous_leaf = app.conversation.active_leaf();
    match turn::prepare_rerun(&app.conversation, turn, &target(&app.catalog, &connection)) {
        Ok(prepared) => start_job(app, prepared, previous_leaf, JobKind::Rerun, None, None),
        Err(error) => {
            app.warn(error.to_string());
            Vec::new()
        }
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
    app.focus = Pane::Input;
}

fn cancel(app: &mut App) -> Vec<Effect> {
    if let Some(id) = app.watching.filter(|id| app.jobs.get(*id).is_some()) {
        return cancel_jobs(app, &[id]);
    }
    if let Some(edit) = app.editing.take() {
        app.set_input_text(&edit.saved.text);
        app.attachments = edit.saved.attachments;
        app.settings = turn::inherited_settings(
            &app.conversation,
            app.conversation.active_leaf(),
            &app.defaults,
        );
        app.notify("Stopped editing; your draft is back.");
        return Vec::new();
    }
    if app.focus != Pane::Input {
        app.focus = Pane::Input;
    }
    Vec::new()
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
                listing::way_forward(&app.catalog, provider, model, app.listed_models.as_deref());
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

fn select_step(app: &mut App, step: isize) {
    let path: Vec<TurnId> = app.display_path().iter().map(|t| t.id).collect();
    if path.is_empty() {
        return;
    }
    let current = app
        .selected_turn()
        .and_then(|t| path.iter().position(|id| *id == t.id))
        .unwrap_or(path.len() - 1);
    let next = current.saturating_add_signed(step).min(path.len() - 1);
    if next != current || app.selected != Some(path[next]) {
        app.selected = Some(path[next]);
        app.selection_changed();
    }
}

fn select_edge(app: &mut App, last: bool) {
    let path: Vec<TurnId> = app.display_path().iter().map(|t| t.id).collect();
    let target = if last { path.last() } else { path.first() };
    if let Some(id) = target {
        app.selected = Some(*id);
        app.selection_changed();
    }
}

fn switch_branch(app: &mut App, step: isize) -> Vec<Effect> {
    let Some(turn) = app.selected_turn().map(|t| t.id) else {
        return Vec::new();
    };
    let siblings = app.conversation.siblings(turn);
    if siblings.len() < 2 {
        let rerun = app.keymap.hint(Action::Rerun);
        let edit = app.keymap.hint(Action::EditPrompt);
        app.warn(format!(
            "Turn #{turn} has no other branch. Rerun it ({rerun}) or edit a prompt ({edit}) to make one."
        ));
        return Vec::new();
    }
    let Some(position) = siblings.iter().position(|id| *id == turn) else {
        return Vec::new();
    };
    let Some(&target) = position
        .checked_add_signed(step)
        .and_then(|i| siblings.get(i))
    else {
        app.notify(format!(
            "Already on branch {}/{}.",
            position + 1,
            siblings.len()
        ));
        return Vec::new();
    };
    if app.conversation.activate(target).is_err() {
        return Vec::new();
    }
    // The user moves away from the job they watched; it runs on.
    app.watching = None;
    app.editing = None;
    app.failure = None;
    app.settings = turn::inherited_settings(
        &app.conversation,
        app.conversation.active_leaf(),
        &app.defaults,
    );
    app.selected = Some(target);
    app.image = None;
    app.selection_changed();
    // Which branch is active is part of the session.
    vec![app.save_effect()]
}

fn edit_selected(app: &mut App) -> Vec<Effect> {
    let Some(turn) = app.selected_turn() else {
        app.warn("Nothing to edit yet: send a prompt first.");
        return Vec::new();
    };
    // A selected reply edits the prompt it answered.
    let prompt = match &turn.body {
        TurnBody::User(_) => Some(turn),
        TurnBody::Model(_) => turn.parent.and_then(|p| app.conversation.get(p)),
    };
    let Some(Turn {
        id,
        parent,
        body: TurnBody::User(user),
        ..
    }) = prompt
    else {
        return Vec::new();
    };
    let (id, parent) = (*id, *parent);
    let text = user.prompt();
    let settings = user.settings.clone();
    let attachments: Vec<Attachment> = user
        .parts
        .iter()
        .filter_map(Part::as_image)
        .enumerate()
        .map(|(i, blob)| Attachment {
            name: format!("image {} of prompt #{id}", i + 1),
            blob: blob.clone(),
        })
        .collect();
    let saved = match app.editing.take() {
        // Switching from one edit to another keeps the original draft.
        Some(previous) => previous.saved,
        None => Draft {
            text: app.input_text(),
            attachments: std::mem::take(&mut app.attachments),
        },
    };
    app.editing = Some(EditTarget {
        turn: id,
        parent,
        saved,
    });
    app.set_input_text(&text);
    app.attachments = attachments;
    app.settings = settings;
    app.focus = Pane::Input;
    let cancel = app.keymap.hint(Action::Cancel);
    app.notify(format!(
        "Editing prompt #{id}: Enter sends it as a new branch beside it; {cancel} stops editing."
    ));
    Vec::new()
}

fn focus_step(app: &mut App, step: isize) {
    let order = Pane::ORDER;
    let current = order.iter().position(|p| *p == app.focus).unwrap_or(0);
    let next = (current as isize + step).rem_euclid(order.len() as isize) as usize;
    app.focus = order[next];
    if app.focus.is_side() {
        app.side = app.focus;
    }
}

fn navigate(app: &mut App, action: Action) {
    let pane = if app.focus == Pane::Input {
        Pane::Conversation
    } else {
        app.focus
    };
    match (pane, action) {
        (Pane::Conversation, Action::Up) => select_step(app, -1),
        (Pane::Conversation, Action::Down) => select_step(app, 1),
        (Pane::Conversation, Action::Top) => select_edge(app, false),
        (Pane::Conversation, Action::Bottom) => select_edge(app, true),
        (Pane::Conversation, Action::PageUp) => app.conversation_view.page_up(),
        (Pane::Conversation, Action::PageDown) => app.conversation_view.page_down(),
        (Pane::Image, Action::Up) => image_step(app, -1),
        (Pane::Image, Action::Down) => image_step(app, 1),
        (Pane::Image, Action::Top) => image_edge(app, false),
        (Pane::Image, Action::Bottom) => image_edge(app, true),
        (Pane::Sources, Action::Up) => app.sources_view.up(),
        (Pane::Sources, Action::Down) => {
            let count = source_count(app);
            app.sources_view.down(count);
        }
        (Pane::Sources, Action::Top) => app.sources_view.top(),
        (Pane::Sources, Action::Bottom) => {
            let count = source_count(app);
            app.sources_view.bottom(count);
        }
        (Pane::Sources, Action::PageUp) => app.sources_view.top(),
        (Pane::Sources, Action::PageDown) => {
            let count = source_count(app);
            app.sources_view.bottom(count);
        }
        (Pane::Thinking, Action::Up) => app.thinking_view.scroll_up(1),
        (Pane::Thinking, Action::Down) => app.thinking_view.scroll_down(1),
        (Pane::Thinking, Action::PageUp) => app.thinking_view.page_up(),
        (Pane::Thinking, Action::PageDown) => app.thinking_view.page_down(),
        (Pane::Thinking, Action::Top) => app.thinking_view.top(),
        (Pane::Thinking, Action::Bottom) => app.thinking_view.bottom(),
        _ => {}
    }
}

fn source_count(app: &App) -> usize {
    match app.selected_reply() {
        SelectedReply::Done(_, reply) => reply
            .grounding
            .as_ref()
            .map(|g| g.sources().count())
            .unwrap_or(0),
        _ => 0,
    }
}

fn image_step(app: &mut App, step: isize) {
    let images = app.images();
    let Some(current) = app.selected_image_index(&images) else {
        app.warn("No images in this conversation yet.");
        return;
    };
    let next = current
        .saturating_add_signed(step)
        .min(images.len().saturating_sub(1));
    app.image = images.get(next).map(|e| e.key);
}

/// The full view steps through versions: final images only, not thought images or
/// attachments, so `[` lands on the previous version of the picture.
fn version_step(app: &mut App, step: isize) {
    let images = app.images();
    let Some(current) = app.selected_image_index(&images) else {
        return;
    };
    let mut candidates = images
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == ImageKind::Final);
    let found = if step < 0 {
        candidates.rfind(|(i, _)| *i < current)
    } else {
        candidates.find(|(i, _)| *i > current)
    };
    if let Some((_, entry)) = found {
        app.image = Some(entry.key);
    }
}

fn image_edge(app: &mut App, last: bool) {
    let images = app.images();
    let target = if last { images.last() } else { images.first() };
    app.image = target.map(|e| e.key);
}

fn copy(app: &mut App) -> Vec<Effect> {
    if app.focus == Pane::Sources {
        let uri = match app.selected_reply() {
            SelectedReply::Done(_, reply) => reply.grounding.as_ref().and_then(|g| {
                g.sources()
                    .nth(app.sources_view.selected)
                    .and_then(|s| s.uri.clone())
            }),
            _ => None,
        };
        return match uri {
            Some(uri) => vec![Effect::Copy {
                text: uri,
                what: "the source's URI".into(),
            }],
            None => {
                app.warn("No source selected: this turn has no sources (turn search on with F5 or /search on).");
                Vec::new()
            }
        };
    }
    match app.selected_image() {
        Some(entry) => match entry.blob.path() {
            Some(path) => vec![Effect::Copy {
                text: path.display().to_string(),
                what: "the image's path".into(),
            }],
            None => {
                app.warn("This image is not on disk yet (it is saved when the turn completes).");
                Vec::new()
            }
        },
        None => {
            app.warn(
                "Nothing to copy: no image yet, and no source selected (focus Sources with Tab).",
            );
            Vec::new()
        }
    }
}

fn add_attachment(app: &mut App, name: String, blob: Blob) {
    if attachments_full(app) {
        return;
    }
    if app.attachments.iter().any(|a| a.blob == blob) {
        app.warn(format!("{name} is attached already."));
        return;
    }
    let size = blob
        .dimensions()
        .map(|(w, h)| format!("{w}×{h}"))
        .unwrap_or_else(|| "unknown size".into());
    app.notify(format!("Attached {name} ({size})."));
    app.attachments.push(Attachment { name, blob });
}

/// Takes `settings` for the next prompt if the model takes them; otherwise says why.
fn apply_settings(app: &mut App, settings: TurnSettings) -> bool {
    match settings.validate(&app.catalog, app.provider()) {
        Ok(_) => {
            app.settings = settings;
            true
        }
        Err(error) => {
            app.warn(error.to_string());
            false
        }
    }
}

/// Moves the next prompt to `model`, dropping the options it does not take.
fn switch_model(app: &mut App, model: &str) {
    let mut settings = app.settings.clone();
    settings.model = model.to_string();
    let spec = app.model_spec(model);
    let mut dropped = Vec::new();
    if settings
        .image_size
        .is_some_and(|size| !spec.sizes.contains(&size))
    {
        settings.image_size = None;
        dropped.push("the image size");
    }
    if settings
        .aspect_ratio
        .as_ref()
        .is_some_and(|ratio| spec.aspect_ratio(ratio).is_none())
    {
        settings.aspect_ratio = None;
        dropped.push("the aspect ratio");
    }
    if settings
        .thinking_level
        .is_some_and(|level| !spec.thinking_levels.contains(&level))
    {
        settings.thinking_level = None;
        dropped.push("the thinking level");
    }
    if settings.image_search && !spec.image_search {
        settings.image_search = false;
        dropped.push("image search");
    }
    if settings.google_search && !spec.google_search {
        settings.google_search = false;
        dropped.push("search");
    }
    let dropped = if dropped.is_empty() {
        String::new()
    } else {
        format!("; dropped {} (it does not take them)", dropped.join(", "))
    };
    let price = app
        .pricing()
        .per_image(&settings)
        .map(|p| {
            format!(
                " · {}/image",
                crate::cost::unit_price(p, app.pricing().currency())
            )
        })
        .unwrap_or_default();
    let unknown = if spec.known {
        ""
    } else {
        " (unknown capabilities: options are passed on unchecked)"
    };
    if apply_settings(app, settings) {
        app.notify(format!(
            "Model {model} ({}){price} for the next prompt{unknown}{dropped}.",
            spec.name
        ));
    }
}

/// Whether the model takes no more reference images (and says so).
fn attachments_full(app: &mut App) -> bool {
    let limit = app.reference_limit();
    if app.attachments.len() < limit {
        return false;
    }
    app.warn(format!(
        "{} takes at most {limit} images with one prompt; detach one first.",
        app.settings.model
    ));
    true
}

/// Applies a `/command` (or a key that does the same).
fn run_command(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::Aspect(None) => {
            app.settings.aspect_ratio = None;
            app.notify("Aspect ratio: auto (the model chooses) for the next prompt.");
        }
        Command::Aspect(Some(ratio)) => {
            let spec = app.model_spec(&app.settings.model);
            match spec.aspect_ratio(&ratio) {
                Some(ratio) => {
                    app.settings.aspect_ratio = Some(ratio.to_string());
                    app.notify(format!("Aspect ratio {ratio} for the next prompt."));
                }
                None => app.warn(
                    SettingsError::AspectRatio {
                        ratio: ratio.trim().to_string(),
                        model: app.settings.model.clone(),
                        accepted: spec.aspect_ratio_list(),
                    }
                    .to_string(),
                ),
            }
        }
        Command::Size(None) => {
            app.settings.image_size = None;
            app.notify("Image size: auto for the next prompt.");
        }
        Command::Size(Some(size)) => {
            let mut settings = app.settings.clone();
            settings.image_size = Some(size);
            if apply_settings(app, settings) {
                app.notify(format!("Image size {size} for the next prompt."));
            }
        }
        Command::Thinking(level) => {
            let mut settings = app.settings.clone();
            settings.thinking_level = level;
            if apply_settings(app, settings) {
                app.notify(match level {
                    Some(level) => format!("Thinking level {level} for the next prompt."),
                    None => "Thinking level: the model's default.".to_string(),
                });
            }
        }
        Command::ImageSearch(on) => {
            let mut settings = app.settings.clone();
            settings.image_search = on;
            settings.google_search |= on;
            if apply_settings(app, settings) {
                app.notify(if on {
                    "Image search on: the next image is grounded in web and image search."
                } else {
                    "Image search off."
                });
            }
        }
        Command::Search(on) => {
            app.settings.google_search = on;
            app.settings.image_search &= on;
            app.notify(if on {
                "Google Search grounding on: the next image is grounded in search results."
            } else {
                "Google Search grounding off."
            });
        }
        Command::Model(None) => {
            app.overlay = Some(Overlay::Models(ModelPicker::new(
                app.offered_models(),
                &app.settings.model,
            )));
        }
        Command::Model(Some(model)) => switch_model(app, model.trim()),
        Command::UseReplacement => {
            let replacement = app
                .catalog
                .replacement_for(app.provider(), &app.settings.model)
                .map(|m| m.id.clone());
            let Some(replacement) = replacement else {
                app.warn(format!(
                    "The catalog names no replacement for {}: pick another model with {}.",
                    app.settings.model,
                    app.keymap.hint(Action::PickModel)
                ));
                return Vec::new();
            };
            switch_model(app, &replacement);
            if app.settings.model == replacement && !app.input_text().trim().is_empty() {
                let prompt = app.input_text();
                return send(app, prompt);
            }
        }
        Command::System(None) => match &app.settings.system_instruction {
            Some(text) => app.notify(format!("System instruction: {text}")),
            None => app.notify("No system instruction. /system TEXT sets one."),
        },
        Command::System(Some(None)) => {
            app.settings.system_instruction = None;
            app.notify("System instruction removed.");
        }
        Command::System(Some(Some(text))) => {
            app.settings.system_instruction = Some(text);
            app.notify("System instruction set for the next prompts.");
        }
        Command::Attach(Some(path)) => {
            if !attachments_full(app) {
                return vec![Effect::LoadAttachment(PathBuf::from(path))];
            }
        }
        Command::Attach(None) => {
            app.overlay = Some(Overlay::PathPrompt(PathPrompt::new(
                PathPurpose::Attach,
                String::new(),
            )));
        }
        Command::Detach(which) => {
            if app.attachments.is_empty() {
                app.warn("There is nothing attached.");
            } else {
                let index = which.map(|n| n - 1).unwrap_or(app.attachments.len() - 1);
                if index < app.attachments.len() {
                    let removed = app.attachments.remove(index);
                    app.notify(format!("Detached {}.", removed.name));
                } else {
                    app.warn(format!(
                        "There is no attachment {}: {} attached.",
                        index + 1,
                        app.attachments.len()
                    ));
                }
            }
        }
        Command::New => {
            if !app.jobs_in_flight() {
                return vec![Effect::NewSession { from_image: None }];
            }
        }
        Command::Open(Some(name)) => {
            if app.jobs_in_flight() {
                return Vec::new();
            }
            if name == app.session_name {
                app.overlay = None;
                app.notify(format!("Session {name} is the one open."));
            } else {
                return vec![Effect::OpenSession(name)];
            }
        }
        Command::Open(None) => {
            app.overlay = Some(Overlay::Sessions(SessionPicker::loading()));
            return vec![Effect::ListSessions];
        }
        Command::Save(path) => match app.selected_image() {
            Some(entry) => match path {
                Some(path) => {
                    return vec![Effect::SaveImage {
                        blob: entry.blob,
                        to: PathBuf::from(path),
                    }];
                }
                None => {
                    let suggestion = suggested_file_name(app, &entry);
                    app.overlay = Some(Overlay::PathPrompt(PathPrompt::new(
                        PathPurpose::SaveImage(entry.blob),
                        suggestion,
                    )));
                }
            },
            None => app.warn("No image to save yet."),
        },
        Command::Vary(count) => return vary::request(app, count),
        Command::Fresh => {
            if app.jobs_in_flight() {
                return Vec::new();
            }
            match app.selected_image() {
                Some(entry) => {
                    return vec![Effect::NewSession {
                        from_image: Some(entry.blob),
                    }];
                }
                None => app.warn(
                    "/fresh starts a new session from the selected image, and there is no image yet.",
                ),
            }
        }
        Command::Theme(name) => return vec![Effect::LoadTheme(name)],
        Command::Export(format, path) => {
            return vec![Effect::Export {
                session: app.session_name.clone(),
                format,
                path,
            }];
        }
        Command::Help => app.overlay = Some(Overlay::Help(ScrollView::default())),
        Command::Demo => {
            if app.is_demo() {
                app.notify("The demo model is in use already.");
            } else if !app.jobs_in_flight() {
                return vec![Effect::SwitchToDemo];
            }
        }
        Command::Quit => return quit(app),
    }
    Vec::new()
}

/// `session-turn4.jpg` for the selected image (`-thought1`, `-attachment2` for the others).
fn suggested_file_name(app: &App, entry: &ImageEntry) -> String {
    let extension = crate::conversation::blob::extension_for(entry.blob.mime_type());
    let turn = entry
        .key
        .turn
        .map(|t| format!("-turn{t}"))
        .unwrap_or_default();
    // Which of its kind in its turn it is.
    let ordinal = app
        .images()
        .iter()
        .filter(|e| e.key.turn == entry.key.turn && e.kind == entry.kind)
        .position(|e| e.key == entry.key)
        .unwrap_or(0)
        + 1;
    let kind = match (entry.kind, ordinal) {
        (ImageKind::Final, 1) => String::new(),
        (ImageKind::Final, n) => format!("-{n}"),
        (ImageKind::Thought, n) => format!("-thought{n}"),
        (ImageKind::Attachment, n) => format!("-attachment{n}"),
    };
    format!("{}{turn}{kind}.{extension}", app.session_name)
}

#[cfg(test)]
#[path = "app_tests.rs"]
pub(crate) mod tests;
