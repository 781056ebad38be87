//! The studio's state and [`update`]: the one place where events change the state. `update` is
//! pure — no IO, no clock, no terminal — so every behaviour is tested by feeding events and
//! looking at the state and the effects it returns.
//!
//! The state's concerns have modules of their own: [`selection`](super::selection) (the
//! selected turn and image, the versions), [`inspect`](super::inspect) (the full view and
//! compare), [`overlays`](super::overlays), [`apply_command`](super::apply_command)
//! (`/commands`), [`layout`](super::layout), and for jobs [`lifecycle`](super::lifecycle)
//! and [`vary`](super::vary).

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::config::DEFAULT_CONCURRENT_REQUESTS;
use crate::conversation::RequestTarget;
use crate::conversation::{Conversation, Part, Turn, TurnBody, TurnId, TurnSettings};
use crate::cost::Pricing;
use crate::models::listing::{self, ImageModel, Listing};
use crate::models::{Catalog, ModelSpec};
use crate::tui::input::commands::{self, Command};
use crate::tui::input::keymap::{Action, Keymap};
use crate::tui::state::apply_command::{add_attachment, run_command};
use crate::tui::state::compose::{Attachment, Draft, EditTarget};
use crate::tui::state::event::{ConnectionInfo, Effect, Event, JobId};
use crate::tui::state::fullview::FullView;
use crate::tui::state::fullview_keys::on_view_key;
use crate::tui::state::jobs::{Job, JobKind, Jobs};
use crate::tui::state::layout::{LayoutMode, Pane};
use crate::tui::state::lifecycle::{abandon_job, cancel_jobs, on_done, on_progress, start_job};
use crate::tui::state::overlays::{Overlay, on_overlay_key};
use crate::tui::state::panes::ConversationView;
use crate::tui::state::panes::JobsList;
use crate::tui::state::panes::ScrollView;
use crate::tui::state::panes::SourcesView;
use crate::tui::state::selection::{
    ImageKey, SelectedReply, image_edge, image_step, select_edge, select_step, switch_branch,
};
use crate::tui::state::tree::{self, TreeView};
use crate::tui::state::variations::{self, BatchSettings, VaryGrid};
use crate::tui::theme::Theme;
use crate::turn::{self, NewTurn};
use crate::variations::in_flight_limit;

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
    /// A picture off the shown path for the full view (a candidate of the variation grid).
    pub view_pinned: Option<ImageKey>,
    pub size: (u16, u16),
    /// A cell's size in pixels, as the terminal reported it: zoom levels are in real pixels.
    pub cell_px: (u16, u16),
    /// The largest picture the terminal draws (xterm's sixel: 1000×1000), if it has a limit:
    /// the full view shows no more than that, so 1:1 stays one pixel per pixel.
    pub max_px: Option<(u32, u32)>,
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
            layout: LayoutMode::default(),
            overlay: None,
            full_view: None,
            compare_mark: None,
            view_pinned: None,
            size: (120, 40),
            cell_px: (10, 20),
            max_px: None,
            now: None,
            event_time: String::new(),
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

    pub(crate) fn set_input_text(&mut self, text: &str) {
        let mut editor = new_editor();
        editor.insert_str(text);
        self.input = editor;
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
        self.move_off_unserved();
        self.conversation_view = ConversationView::default();
        self.thinking_view = ScrollView::default();
        self.sources_view = SourcesView::default();
    }

    /// Moves the next prompt off a model the provider's list no longer names, to the catalog's
    /// replacement it does name; says so.
    fn move_off_unserved(&mut self) {
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

    /// Takes every running job's prompt back out (the studio is closing).
    pub fn abandon_running(&mut self) {
        for id in self.jobs.ids() {
            abandon_job(self, id);
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

fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    // Short enough for the prompt pane beside a picture that takes over half the screen.
    editor.set_placeholder_text("Describe an image or edit; /help");
    editor
}

/// The one entry point: applies an event that came at `event_time` (RFC 3339; the driver
/// reads the clock, `update` never does), returns what the driver should do.
pub fn update(app: &mut App, event: Event, event_time: &str) -> Vec<Effect> {
    event_time.clone_into(&mut app.event_time);
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
                let listing = Listing::new(&listed, &app.catalog, &provider);
                app.catalog.learn(&provider, listing.image_ids());
                app.listed_models = Some(listing);
                app.move_off_unserved();
            }
            Vec::new()
        }
        Event::DemoConnected(result) => {
            match result {
                Ok(info) => {
                    app.jobs.limit = in_flight_limit(info.concurrent_requests);
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
    if let Some(second) = esc_then(app, &key) {
        let mut effects = on_key(app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        if !app.quit {
            effects.extend(on_key(app, second));
        }
        return effects;
    }
    app.notice = None;
    if app.overlay.is_some() {
        return on_overlay_key(app, key);
    }
    if app.full_view.is_some() {
        return on_view_key(app, key);
    }
    if app.grid.is_some() {
        let action = app.keymap.lookup(&key, false);
        return variations::on_grid_key(app, key, action);
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

/// The key after an Esc, when `key` is an Alt chord bound to nothing. A terminal sends Alt-x as
/// Esc then x, so tmux (within its `escape-time`, 500 ms unless set) and a slow SSH link join
/// an Esc and a quick next key into one Alt chord: Esc then Ctrl-Q must still leave the full
/// view and quit. In the prompt, Alt with a plain key is the editor's own (Alt-B and Alt-F move
/// by words): only Alt-Ctrl chords are split there.
fn esc_then(app: &App, key: &KeyEvent) -> Option<KeyEvent> {
    if !key.modifiers.contains(KeyModifiers::ALT) || app.keymap.binds(key) {
        return None;
    }
    let in_editor = app.focus == Pane::Input
        && app.overlay.is_none()
        && app.full_view.is_none()
        && app.grid.is_none();
    if in_editor && !key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    let mut second = *key;
    second.modifiers.remove(KeyModifiers::ALT);
    Some(second)
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
        Action::Vary => variations::request(app, None),
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
            app.layout = app.layout.toggled();
            app.notify(match app.layout {
                LayoutMode::Focus => "Focus layout: the picture larger, thinking and sources as tabs beside it (F8 switches back; saved in the config).",
                LayoutMode::ImageFirst => "Image-first layout: the picture over half the screen, thinking and sources under it (saved in the config).",
            });
            vec![Effect::SaveSetting {
                key: "layout",
                value: app.layout.config_value().to_string(),
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
    listing: Option<&'a Listing>,
) -> RequestTarget<'a> {
    RequestTarget {
        catalog,
        provider: &connection.provider,
        size_limit: connection.max_request_bytes,
        listing,
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
pub(super) fn send(app: &mut App, prompt: String) -> Vec<Effect> {
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
        created_at: app.event_time.clone(),
    };
    let target = target(&app.catalog, &connection, app.listed_models.as_ref());
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
    match turn::prepare_rerun(
        &app.conversation,
        turn,
        &target(&app.catalog, &connection, app.listed_models.as_ref()),
    ) {
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
            // The server chose the URI: only a plain web address reaches the clipboard.
            Some(uri) if crate::terminal_text::is_web_uri(&uri) => vec![Effect::Copy {
                text: uri,
                what: "the source's URI".into(),
            }],
            Some(uri) => {
                app.warn(format!(
                    "Not copied: the source's address is not a plain http(s) address ({}).",
                    crate::terminal_text::sanitize_line(&uri)
                        .chars()
                        .take(60)
                        .collect::<String>()
                ));
                Vec::new()
            }
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

#[cfg(test)]
#[path = "app_tests.rs"]
pub(crate) mod tests;
