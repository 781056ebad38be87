//! The small runtime around [`update`]: one event channel fed by the terminal, a tick timer
//! that runs only while something animates, task results and signals; it runs the effects
//! `update` asks for — generations (aborted on cancel), saves off the UI thread, `$EDITOR`,
//! OSC 52 copies, file work — and redraws only when the state says something changed.
//!
//! The driver owns the open [`Session`] (and so its lock); `update` owns the conversation.
//! A save copies a snapshot of the conversation into the session and writes it on a blocking
//! thread; saves are queued so they never overlap, and the newest snapshot wins.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, EventStream};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use std::panic::AssertUnwindSafe;

use futures_util::{FutureExt, StreamExt};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::context::{Connection, Context, Failure, GlobalArgs};
use crate::conversation::attachment::load_attachment;
use crate::conversation::{Blob, Conversation, Part, PartContent};
use crate::emulator::ImageProtocol;
use crate::gemini::ApiError;
use crate::preview::{Crop, Previewer};
use crate::store::{Session, SharedSession};
use crate::tui::runtime::terminal_out::TerminalOut;
use crate::tui::state::app::App;
use crate::tui::state::event::{ConnectionInfo, Effect, Event, JobId};
use crate::tui::state::update::update;
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::view::pictures::ImagePreview;
use crate::turn;

type Backend = CrosstermBackend<TerminalOut>;

/// What the driver needs besides the app.
pub struct Parts {
    pub context: Context,
    pub global: GlobalArgs,
    pub connection: Option<Connection>,
    pub session: Session,
    pub user_themes: Option<PathBuf>,
    pub image_protocol: ImageProtocol,
    /// The user named a theme (flag or config): the terminal's background does not choose one.
    pub theme_named: bool,
}

struct Driver {
    tx: mpsc::UnboundedSender<Event>,
    context: Context,
    global: GlobalArgs,
    connection: Option<Connection>,
    session: SharedSession,
    user_themes: Option<PathBuf>,
    jobs: HashMap<JobId, AbortHandle>,
    save_running: bool,
    /// The newest snapshot waiting for the running save to finish.
    save_queued: Option<(u64, Conversation)>,
    /// Draws pictures; prepares them on its own thread and says when one is ready.
    previewer: Previewer,
}

/// Restores the terminal when dropped: on quit, on error, and while unwinding from a panic.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        enable_raw_mode()?;
        let guard = Self;
        enter_screen()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        crate::emulator::restore_terminal_options();
    }
}

/// Whether the studio's screen is up; restoring twice would move the cursor back to where
/// the studio started (that is what leaving the alternate screen does) and garble what was
/// printed in between, such as a panic message. Held by whoever writes to the terminal, so
/// nothing lands inside a frame [`TerminalOut`] is writing.
static SCREEN: Mutex<bool> = Mutex::new(false);

fn screen() -> std::sync::MutexGuard<'static, bool> {
    SCREEN.lock().unwrap_or_else(PoisonError::into_inner)
}

fn enter_screen() -> io::Result<()> {
    let mut up = screen();
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    *up = true;
    Ok(())
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut up = screen();
    if std::mem::replace(&mut *up, false) {
        let _ = execute!(
            io::stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
    }
}

/// A terminal whose frames are written by a thread of their own (see [`TerminalOut`]).
fn studio_terminal() -> io::Result<Terminal<Backend>> {
    Terminal::new(CrosstermBackend::new(TerminalOut::spawn(
        io::stdout(),
        &SCREEN,
    )?))
}

/// Makes a panic leave a usable terminal before the message is printed.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        crate::emulator::restore_terminal_options();
        previous(info);
    }));
}

pub async fn run(mut app: App, parts: Parts) -> Result<(), Failure> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(Failure::input(
            "The studio needs a terminal. For scripts, use `banana-studio send PROMPT` (see --help).",
        ));
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    install_panic_hook();
    let guard = TerminalGuard::enter()
        .map_err(|e| Failure::input(format!("Cannot set up the terminal: {e}")))?;
    let mut terminal = studio_terminal()
        .map_err(|e| Failure::input(format!("Cannot set up the terminal: {e}")))?;
    let mut stats = LoopStats::from_env();
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    // Asking the terminal about graphics can take a second (tmux leaves some queries
    // unanswered until the timeout): show the studio first, picture areas empty until then.
    // A failed draw here is retried by the event loop's first draw.
    if terminal
        .draw(|frame| view::draw(frame, &app, &mut NoPictures))
        .is_ok()
        && let Some(stats) = &mut stats
    {
        stats.drawn();
    }
    // The protocol is asked of the terminal once, before anything else reads its input.
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let (previewer, startup) = Previewer::detect(parts.image_protocol, ready_tx);
    app.cell_px = previewer.cell_px();
    app.max_px = previewer.max_px();
    if !parts.theme_named && startup.light_background == Some(true) {
        app.theme = Theme::built_in("light").unwrap_or_else(Theme::default_dark);
    }
    let late_replies = startup
        .unanswered
        .then(crate::tui::input::typeahead::LateReplies::default);
    let typed_ahead: Vec<Event> = crate::tui::input::typeahead::events(&startup.typed)
        .into_iter()
        .filter_map(from_terminal)
        .collect();
    let preview_events = tx.clone();
    tokio::spawn(async move {
        while ready_rx.recv().await.is_some() {
            if preview_events.send(Event::PreviewReady).is_err() {
                break;
            }
        }
    });
    let mut driver = Driver {
        tx,
        context: parts.context,
        global: parts.global,
        connection: parts.connection,
        session: SharedSession::new(parts.session),
        user_themes: parts.user_themes,
        jobs: HashMap::new(),
        save_running: false,
        save_queued: None,
        previewer,
    };
    driver.list_models();
    driver.refresh_balance();
    warm_images(&app.conversation);
    // The terminal query above is start-up, not a stall of the loop.
    if let Some(stats) = &mut stats {
        stats.woke();
    }

    // A panic in the loop still ends here: the hook has restored the terminal, and what the
    // conversation holds is saved before the panic goes on.
    let outcome = AssertUnwindSafe(driver.event_loop(
        &mut app,
        &mut terminal,
        &mut rx,
        typed_ahead,
        late_replies,
        stats,
    ))
    .catch_unwind()
    .await;
    let (result, panic) = match outcome {
        Ok(result) => (result, None),
        Err(panic) => (Ok(()), Some(panic)),
    };

    for (_, job) in driver.jobs.drain() {
        job.abort();
    }
    // Nothing half-done is kept.
    crate::tui::state::lifecycle::abandon_running(&mut app);
    let saved = driver.final_save(&app).await;
    drop(terminal);
    drop(guard);
    if let Some(panic) = panic {
        if let Err(error) = &saved {
            crate::errln!("The session could not be saved: {error}");
        }
        std::panic::resume_unwind(panic);
    }
    if let Err(error) = &result {
        crate::errln!("{error}");
    }
    match saved {
        Ok(()) => {
            if !app.conversation.is_empty() {
                crate::errln!("Session {} saved.", app.session_name);
            }
            Ok(())
        }
        Err(error) => Err(Failure {
            message: format!("The session could not be saved on exit: {error}"),
            code: 1,
        }),
    }
}

impl Driver {
    async fn event_loop(
        &mut self,
        app: &mut App,
        terminal: &mut Terminal<Backend>,
        rx: &mut mpsc::UnboundedReceiver<Event>,
        typed_ahead: Vec<Event>,
        mut late_replies: Option<crate::tui::input::typeahead::LateReplies>,
        mut stats: Option<LoopStats>,
    ) -> io::Result<()> {
        let mut terminal_events = EventStream::new();
        // Keys typed during start-up detection go first, in the order they were typed.
        for event in typed_ahead {
            self.handle(app, event, terminal, &mut terminal_events)
                .await;
        }
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut signals = Signals::new();
        loop {
            if app.dirty {
                terminal.draw(|frame| view::draw(frame, app, &mut self.previewer))?;
                app.dirty = false;
                if let Some(stats) = &mut stats {
                    stats.drawn();
                }
            }
            if app.quit {
                return match stats {
                    Some(stats) => stats.write(),
                    None => Ok(()),
                };
            }
            if let Some(stats) = &mut stats {
                stats.waiting();
            }
            let event = tokio::select! {
                Some(event) = rx.recv() => event,
                terminal_event = terminal_events.next() => match terminal_event {
                    Some(Ok(crossterm::event::Event::Key(key)))
                        if late_replies.as_mut().is_some_and(|late| late.swallow(&key)) =>
                    {
                        continue;
                    }
                    Some(Ok(event)) => match from_terminal(event) {
                        Some(event) => event,
                        None => continue,
                    },
                    // The terminal is gone (e.g. the SSH connection dropped).
                    Some(Err(_)) | None => Event::Terminate,
                },
                _ = tick.tick(), if app.animating() => Event::Tick(Instant::now()),
                () = signals.recv() => Event::Terminate,
            };
            if let Some(stats) = &mut stats {
                stats.woke();
            }
            self.handle(app, event, terminal, &mut terminal_events)
                .await;
            // Take whatever else is waiting before drawing again: a fast stream is drawn
            // once per batch, not once per chunk.
            for _ in 0..256 {
                match rx.try_recv() {
                    Ok(event) => {
                        self.handle(app, event, terminal, &mut terminal_events)
                            .await
                    }
                    Err(_) => break,
                }
            }
        }
    }

    async fn handle(
        &mut self,
        app: &mut App,
        event: Event,
        terminal: &mut Terminal<Backend>,
        terminal_events: &mut EventStream,
    ) {
        match &event {
            Event::Saved { .. } => {
                self.save_running = false;
                if let Some((revision, conversation)) = self.save_queued.take() {
                    self.start_save(revision, conversation);
                }
            }
            Event::GenerationDone { job, .. } => {
                self.jobs.remove(job);
            }
            Event::SessionOpened { conversation, .. } => warm_images(conversation),
            _ => {}
        }
        for effect in update(app, event, &crate::store::now_rfc3339()) {
            self.run_effect(app, effect, terminal, terminal_events)
                .await;
        }
    }

    fn send(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    fn notice(&self, text: impl Into<String>, error: bool) {
        self.send(Event::Notice {
            text: text.into(),
            error,
        });
    }

    async fn run_effect(
        &mut self,
        app: &mut App,
        effect: Effect,
        terminal: &mut Terminal<Backend>,
        terminal_events: &mut EventStream,
    ) {
        match effect {
            Effect::Generate { job, request, mode } => {
                let tx = self.tx.clone();
                let Some(connection) = &self.connection else {
                    self.send(Event::GenerationDone {
                        job,
                        result: Err(ApiError::Connect {
                            base_url: String::new(),
                            detail: "no provider is connected (set a key, or /demo)".into(),
                        }),
                        at: Instant::now(),
                    });
                    return;
                };
                let client = connection.client.clone();
                let task = tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    let mut on_progress = move |progress: turn::Progress| {
                        // Saving names image files by SHA-256: hash each image here, on a
                        // runtime worker, so nothing on the UI thread ever hashes a 30 MB
                        // image (that once stalled the event loop for tens of ms).
                        if let turn::Progress::Parts(parts) = &progress {
                            for blob in parts.iter().filter_map(Part::as_image) {
                                blob.sha256();
                            }
                        }
                        let _ = progress_tx.send(Event::Progress {
                            job,
                            progress,
                            at: Instant::now(),
                        });
                    };
                    let result = turn::generate(&client, &request, mode, &mut on_progress)
                        .await
                        .map(Box::new);
                    if let Ok(reply) = &result {
                        for blob in reply.parts.iter().filter_map(Part::as_image) {
                            blob.sha256();
                        }
                    }
                    let _ = tx.send(Event::GenerationDone {
                        job,
                        result,
                        at: Instant::now(),
                    });
                });
                self.jobs.insert(job, task.abort_handle());
            }
            Effect::CancelGeneration(job) => {
                if let Some(task) = self.jobs.remove(&job) {
                    task.abort();
                }
            }
            Effect::Save {
                revision,
                conversation,
            } => {
                if self.save_running {
                    self.save_queued = Some((revision, conversation));
                } else {
                    self.start_save(revision, conversation);
                }
            }
            Effect::LoadAttachment(path) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let path = expand_home(&path);
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string());
                    let result = load_attachment(&path).map_err(|e| e.to_string());
                    let _ = tx.send(Event::AttachmentLoaded { name, result });
                });
            }
            Effect::Complete(text) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let entries = list_folder(&text);
                    let _ = tx.send(Event::Completions {
                        for_text: text,
                        entries,
                    });
                });
            }
            Effect::Export {
                session,
                format,
                path,
            } => {
                let tx = self.tx.clone();
                let store = self.context.store.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Event::Exported(export_saved(
                        &store, &session, format, path,
                    )));
                });
            }
            Effect::ListSessions => {
                let tx = self.tx.clone();
                let store = self.context.store.clone();
                tokio::task::spawn_blocking(move || {
                    let result = store.list().map_err(|e| e.to_string());
                    let _ = tx.send(Event::SessionsListed(result));
                });
            }
            Effect::OpenSession(name) => {
                let store = self.context.store.clone();
                self.switch_session(move || {
                    let session = store.open(&name).map_err(|e| e.to_string())?;
                    Ok((session, Vec::new()))
                });
            }
            Effect::NewSession { from_image } => {
                let store = self.context.store.clone();
                let from = app.session_name.clone();
                self.switch_session(move || {
                    // A fresh copy: the new session must write the image into its own folder.
                    let attachments = match from_image {
                        Some(blob) => {
                            let bytes = blob
                                .bytes()
                                .map_err(|e| format!("Cannot read the image: {e}"))?;
                            vec![(
                                format!("image from {from}"),
                                Blob::from_bytes(blob.mime_type(), bytes),
                            )]
                        }
                        None => Vec::new(),
                    };
                    let session = store
                        .create(&store.fresh_name())
                        .map_err(|e| e.to_string())?;
                    Ok((session, attachments))
                });
            }
            Effect::OpenEditor(text) => {
                let result = run_editor(&text, terminal, terminal_events).await;
                app.dirty = true;
                self.send(Event::EditorDone(result));
            }
            Effect::Copy { text, what } => {
                let result = {
                    let _between_frames = screen();
                    execute!(
                        io::stdout(),
                        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
                    )
                };
                match result {
                    Ok(()) => self.notice(
                        format!(
                            "Copied {what} to the clipboard (OSC 52): {}",
                            crate::tui::view::widgets::truncate(&text, 60)
                        ),
                        false,
                    ),
                    Err(e) => self.notice(format!("Could not copy: {e}"), true),
                }
            }
            Effect::OpenViewer(path) => self.open_viewer(path),
            Effect::SaveImage { blob, to } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let (text, error) = match save_image(&blob, &to) {
                        Ok(path) => (format!("Saved the image to {}.", path.display()), false),
                        Err(e) => (e, true),
                    };
                    let _ = tx.send(Event::Notice { text, error });
                });
            }
            Effect::LoadTheme(name) => {
                let tx = self.tx.clone();
                let dir = self.user_themes.clone();
                tokio::task::spawn_blocking(move || {
                    let result = Theme::load(&name, dir.as_deref()).map_err(|e| e.to_string());
                    let _ = tx.send(Event::ThemeLoaded(result));
                });
            }
            Effect::RefreshBalance => self.refresh_balance(),
            Effect::SaveSetting { key, value } => {
                let tx = self.tx.clone();
                let path = self.context.env.config_path.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(error) = crate::config::set_top_level(&path, key, &value) {
                        let _ = tx.send(Event::Notice {
                            text: format!("Could not save {key} in the config: {error}"),
                            error: true,
                        });
                    }
                });
            }
            Effect::SwitchToDemo => {
                let mut global = self.global.clone();
                global.demo = true;
                let result = match self.context.connect(&global).await {
                    Ok(connection) => {
                        let info = connection_info(&connection, true);
                        self.connection = Some(connection);
                        Ok(info)
                    }
                    Err(failure) => Err(failure.message),
                };
                self.send(Event::DemoConnected(result));
                self.list_models();
            }
            // `update` has set `app.quit`; the loop ends after this batch and saves.
            Effect::Quit => {}
        }
    }

    /// Asks a relay configured with `balance = true` for its balance, in the background. A
    /// relay without the endpoints costs one line in the log, never an error on screen.
    fn refresh_balance(&self) {
        let Some(connection) = &self.connection else {
            return;
        };
        if connection.balance_currency.is_none() {
            return;
        }
        let client = connection.client.clone();
        let currency = connection.balance_currency.clone().unwrap_or_default();
        let log = self.context.env.data_dir.join("studio.log");
        let tx = self.tx.clone();
        tokio::spawn(async move {
            match crate::balance::fetch(client.base_url(), client.key(), &currency).await {
                Ok(balance) => {
                    let _ = tx.send(Event::Balance(balance));
                }
                Err(error) => log_line(&log, &error.to_string()),
            }
        });
    }

    /// Asks the provider which image models it serves, in the background: from the day-old
    /// cache when there is one, else ListModels (then cached). A failure is only logged in the
    /// event (the catalog stands in), never shown as an error.
    fn list_models(&self) {
        let Some(connection) = &self.connection else {
            return;
        };
        let client = connection.client.clone();
        let provider = connection.provider_name.clone();
        let cache = connection.listing_cache(&self.context.env.data_dir);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = crate::context::list_models(&client, cache, true)
                .await
                .map_err(|error| error.to_string());
            let _ = tx.send(Event::ModelsListed { provider, result });
        });
    }

    fn start_save(&mut self, revision: u64, conversation: Conversation) {
        self.save_running = true;
        let session = self.session.clone();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = session
                .replace_and_save(conversation)
                .map_err(|e| e.to_string());
            let _ = tx.send(Event::Saved { revision, result });
        });
    }

    /// Swaps the open session for the one `open` returns, after writing any queued save into
    /// the old one. The old lock is released only once the new session is open.
    fn switch_session<F>(&mut self, open: F)
    where
        F: FnOnce() -> Result<(Session, Vec<(String, Blob)>), String> + Send + 'static,
    {
        let session = self.session.clone();
        let queued = self.save_queued.take();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let mut current = session.lock();
            if let Some((revision, conversation)) = queued {
                current.conversation = conversation;
                let result = current.save().map_err(|e| e.to_string());
                let failed = result.is_err();
                let _ = tx.send(Event::Saved { revision, result });
                if failed {
                    let _ = tx.send(Event::SessionOpenFailed(
                        "The current session could not be saved, so it stays open.".into(),
                    ));
                    return;
                }
            }
            match open() {
                Ok((next, attachments)) => {
                    let event = Event::SessionOpened {
                        name: next.name.clone(),
                        conversation: next.conversation.clone(),
                        attachments,
                    };
                    *current = next;
                    let _ = tx.send(event);
                }
                Err(error) => {
                    let _ = tx.send(Event::SessionOpenFailed(error));
                }
            }
        });
    }

    fn open_viewer(&self, path: PathBuf) {
        if std::env::var_os("SSH_CONNECTION").is_some() || std::env::var_os("SSH_TTY").is_some() {
            self.notice(
                "This is an SSH session: a desktop viewer would open on the remote machine. Copy the path (y) or save the image (w) instead.",
                true,
            );
            return;
        }
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let spawned = viewer_command(std::ffi::OsStr::new(opener), &path).spawn();
        match spawned {
            Ok(mut child) => {
                tokio::task::spawn_blocking(move || {
                    let _ = child.wait();
                });
                self.notice(format!("Opened {} with {opener}.", path.display()), false);
            }
            Err(e) => self.notice(
                format!(
                    "Could not start {opener} to open the image: {e}. Copy its path with y instead."
                ),
                true,
            ),
        }
    }

    /// Writes whatever the session does not have yet, when the studio closes.
    async fn final_save(&mut self, app: &App) -> Result<(), String> {
        if app.conversation.is_empty() && !app.has_unsaved_changes() {
            return Ok(());
        }
        let session = self.session.clone();
        let conversation = app.conversation.clone();
        tokio::task::spawn_blocking(move || {
            session
                .replace_and_save(conversation)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

pub fn connection_info(connection: &Connection, demo: bool) -> ConnectionInfo {
    ConnectionInfo {
        provider: connection.provider_name.clone(),
        demo,
        max_request_bytes: connection.max_request_bytes,
        concurrent_requests: connection.concurrent_requests,
        per_call: connection.per_call.clone(),
        balance: connection.balance_currency.is_some(),
    }
}

/// Appends one line to the studio's log (the screen belongs to the studio). Losing a log line
/// is not worth an error.
fn log_line(path: &std::path::Path, text: &str) {
    use std::io::Write;
    let line = format!("{} {text}\n", crate::store::now_rfc3339());
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
}

fn from_terminal(event: crossterm::event::Event) -> Option<Event> {
    match event {
        crossterm::event::Event::Key(key) => Some(Event::Key(key)),
        crossterm::event::Event::Paste(text) => Some(Event::Paste(text)),
        crossterm::event::Event::Resize(width, height) => Some(Event::Resize(width, height)),
        _ => None,
    }
}

/// Opt-in timing of the event loop, for `scripts/bench-e2e.sh`: with
/// `BANANA_STUDIO_LOOP_STATS=path` set, the longest time the loop was busy between two waits
/// for events (handling a batch and drawing: while busy, a key waits) and the wall-clock time
/// of the first drawn frame are written to `path` when the studio quits. Unset, the loop pays
/// one branch on a `None` per step.
struct LoopStats {
    path: PathBuf,
    busy_since: Option<Instant>,
    max_busy: Duration,
    iterations: u64,
    /// Since the Unix epoch, so a script can subtract the moment it launched the process.
    first_frame: Option<Duration>,
}

impl LoopStats {
    fn from_env() -> Option<Self> {
        let path = std::env::var_os("BANANA_STUDIO_LOOP_STATS")?;
        Some(Self {
            path: PathBuf::from(path),
            busy_since: None,
            max_busy: Duration::ZERO,
            iterations: 0,
            first_frame: None,
        })
    }

    fn drawn(&mut self) {
        if self.first_frame.is_none() {
            self.first_frame = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok();
        }
    }

    fn waiting(&mut self) {
        if let Some(since) = self.busy_since.take() {
            self.max_busy = self.max_busy.max(since.elapsed());
            self.iterations += 1;
        }
    }

    fn woke(&mut self) {
        self.busy_since = Some(Instant::now());
    }

    fn write(self) -> io::Result<()> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let text = format!(
            "max_busy_ms={:.3}\niterations={}\nfirst_frame_unix_ms={:.3}\n",
            ms(self.max_busy),
            self.iterations,
            self.first_frame.map_or(0.0, ms),
        );
        std::fs::write(&self.path, text).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot write loop stats to {}: {e}", self.path.display()),
            )
        })
    }
}

/// Draws nothing where a picture goes: for the one frame drawn before the previewer exists.
struct NoPictures;

impl ImagePreview for NoPictures {
    fn draw(&mut self, _: &mut Frame, _: Rect, _: &Blob, _: &Theme) {}

    fn draw_small(&mut self, _: &mut Frame, _: Rect, _: &Blob, _: &Theme) {}

    fn draw_crop(&mut self, _: &mut Frame, _: Rect, _: (&Blob, &[&Blob]), _: Crop, _: &Theme) {}

    fn draw_difference(&mut self, _: &mut Frame, _: Rect, _: (&Blob, &Blob), _: Crop, _: &Theme) {}

    fn changed_share(&self, _: &Blob, _: &Blob) -> Option<f64> {
        None
    }

    fn description(&self) -> String {
        "asking the terminal what it can draw…".into()
    }

    fn draws_graphics(&self) -> bool {
        false
    }
}

/// SIGTERM, SIGHUP (the SSH connection dropped) and SIGINT all end the studio cleanly.
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::interrupt(),
            ]
            .into_iter()
            .filter_map(|kind| signal(kind).ok())
            .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let futures = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_util::future::select_all(futures).await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

/// Reads the images of a session in the background, so a prompt sent later (which builds its
/// request in `update`) finds their bytes in memory instead of on disk.
fn warm_images(conversation: &Conversation) {
    let blobs: Vec<Blob> = conversation
        .active_path()
        .iter()
        .flat_map(|turn| match &turn.body {
            crate::conversation::TurnBody::User(user) => user.parts.iter(),
            crate::conversation::TurnBody::Model(reply) => reply.parts.iter(),
        })
        .filter(|part| !part.thought)
        .filter_map(|part| match &part.content {
            PartContent::Image(blob) if blob.loaded().is_none() => Some(blob.clone()),
            _ => None,
        })
        .collect();
    if !blobs.is_empty() {
        tokio::task::spawn_blocking(move || {
            for blob in blobs {
                let _ = blob.bytes();
            }
        });
    }
}

/// `~/x` → `$HOME/x`.
pub fn expand_home(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

/// The entries of the folder named by a partly typed path (`dir/pre` lists `dir`).
fn list_folder(text: &str) -> Vec<(String, bool)> {
    let folder = match text.rfind('/') {
        Some(0) => PathBuf::from("/"),
        Some(i) => expand_home(Path::new(&text[..i])),
        None => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .take(5000)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Follows links: a link to a folder completes like a folder.
            let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            (name, is_dir)
        })
        .collect()
}

/// Writes the image's bytes to `to` (a file, or a folder to put it in); never overwrites.
fn save_image(blob: &Blob, to: &Path) -> Result<PathBuf, String> {
    let mut target = expand_home(to);
    if target.is_dir() {
        let extension = crate::blob::extension_for(blob.mime_type());
        let short = blob.sha256().get(..12).unwrap_or(blob.sha256());
        target = target.join(format!("banana-{short}.{extension}"));
    }
    if target.exists() {
        return Err(format!(
            "{} exists already; choose another name (nothing was overwritten).",
            target.display()
        ));
    }
    let bytes = blob
        .bytes()
        .map_err(|e| format!("Cannot read the image: {e}"))?;
    std::fs::write(&target, &bytes)
        .map_err(|e| format!("Cannot write {}: {e}", target.display()))?;
    Ok(target)
}

/// Hands the terminal to something else (an editor, the full-screen view): the studio's
/// reader is replaced so it cannot steal keys, and the screen is restored.
fn suspend(terminal_events: &mut EventStream) {
    *terminal_events = EventStream::new();
    restore_terminal();
}

/// Takes the terminal back after [`suspend`].
fn resume(terminal: &mut Terminal<Backend>) {
    let _ = enable_raw_mode();
    let _ = enter_screen();
    // A fresh terminal has no memory of the old screen, so the next draw repaints all of it.
    // (`Terminal::clear` would ask the terminal for the cursor position first, which can
    // time out right after another program had the terminal.)
    if let Ok(fresh) = studio_terminal() {
        *terminal = fresh;
    }
}

/// Suspends the studio, edits `text` in `$VISUAL`/`$EDITOR` (vi if neither is set), and
/// returns the edited text.
async fn run_editor(
    text: &str,
    terminal: &mut Terminal<Backend>,
    terminal_events: &mut EventStream,
) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut words = editor.split_whitespace().map(str::to_string);
    let program = words.next().unwrap_or_else(|| "vi".into());
    let args: Vec<String> = words.collect();
    let mut file = tempfile::Builder::new()
        .prefix("banana-prompt-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| format!("Cannot create a file for the editor: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("Cannot write the prompt for the editor: {e}"))?;
    let path = file.path().to_path_buf();

    suspend(terminal_events);
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&program)
            .args(&args)
            .arg(&path)
            .status()
            .map_err(|e| format!("Cannot start the editor {program:?} ($VISUAL/$EDITOR): {e}"))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    resume(terminal);

    let status = status?;
    if !status.success() {
        return Err(format!(
            "The editor exited with {status}; the prompt was left as it was."
        ));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("Cannot read the edited prompt: {e}"))
}

/// `/export`: the session as last saved (read without its lock, which this process holds)
/// into the current folder. A session with nothing saved yet says so.
fn export_saved(
    store: &crate::store::Store,
    session: &str,
    format: crate::export::Format,
    path: crate::export::PathChoice,
) -> Result<crate::export::Exported, String> {
    use crate::export::{self, ExportOptions};
    let saved = store.read(session).map_err(|error| match error {
        crate::store::StoreError::NotFound(_) => {
            "Nothing to export yet: the session is saved after its first reply.".to_string()
        }
        other => other.to_string(),
    })?;
    let out = std::env::current_dir()
        .map_err(|e| format!("Cannot tell the current folder to export into: {e}"))?
        .join(format.default_file_name(session));
    let options = ExportOptions {
        format,
        path,
        out,
        images_beside: None,
    };
    export::export(&saved, &options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_an_image_never_overwrites_and_fills_in_folder_targets() {
        let dir = tempfile::tempdir().unwrap();
        let blob = Blob::from_bytes("image/png", bytes::Bytes::from_static(b"png bytes"));
        let saved = save_image(&blob, dir.path()).unwrap();
        assert!(saved.starts_with(dir.path()));
        assert!(saved.to_string_lossy().ends_with(".png"));
        assert_eq!(std::fs::read(&saved).unwrap(), b"png bytes");
        let error = save_image(&blob, &saved).unwrap_err();
        assert!(error.contains("exists already"), "{error}");
    }

    #[test]
    fn folders_are_listed_for_completion() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        let text = format!("{}/", dir.path().display());
        let mut entries = list_folder(&text);
        entries.sort();
        assert_eq!(
            entries,
            vec![("a.png".to_string(), false), ("sub".to_string(), true)]
        );
        assert!(list_folder("/no/such/folder/x").is_empty());
    }
}

/// The desktop viewer's command line: the image path is one argument, never a shell word, so a
/// file named `$(rm -rf ~).png` is only a strange name.
fn viewer_command(opener: &std::ffi::OsStr, path: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(opener);
    command
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

#[cfg(all(test, unix))]
mod viewer_tests {
    use super::viewer_command;

    #[test]
    fn the_viewer_gets_the_path_as_one_argument_never_through_a_shell() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A stand-in viewer that records its arguments, one per line.
        let viewer = dir.path().join("viewer");
        let record = dir.path().join("args");
        std::fs::write(
            &viewer,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > '{}'\n",
                record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&viewer, std::fs::Permissions::from_mode(0o700)).unwrap();
        let pwned = dir.path().join("pwned");
        let path = dir.path().join(format!(
            "a b; touch {} $(touch {}).png",
            pwned.display(),
            pwned.display()
        ));
        let status = viewer_command(viewer.as_os_str(), &path).status().unwrap();
        assert!(status.success());
        let args = std::fs::read_to_string(&record).unwrap();
        assert_eq!(
            args,
            format!("1\n{}\n", path.display()),
            "one argument, verbatim"
        );
        assert!(!pwned.exists(), "no shell ran the file name");
    }
}
