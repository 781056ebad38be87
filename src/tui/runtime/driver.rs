//! The small runtime around [`update`]: one event channel fed by the terminal, a tick timer
//! that runs only while something animates, task results and signals; it runs the effects
//! `update` asks for — generations (aborted on cancel), saves off the UI thread, `$EDITOR`,
//! OSC 52 copies, file work — and redraws only when the state says something changed.
//!
//! The driver owns the open [`Session`] (and so its lock); `update` owns the conversation.
//! A save copies a snapshot of the conversation into the session and writes it on a blocking
//! thread; saves are queued so they never overlap, and the newest snapshot wins.

use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::EventStream;
use futures_util::{FutureExt, StreamExt};
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::context::{Connection, Context, Failure, GlobalArgs};
use crate::conversation::{Blob, Conversation};
use crate::emulator::ImageProtocol;
use crate::preview::{Crop, Previewer};
use crate::store::Session;
use crate::store::shared::SharedSession;
use crate::tui::runtime::files::warm_images;
use crate::tui::runtime::loop_stats::LoopStats;
use crate::tui::runtime::signals::Signals;
use crate::tui::runtime::terminal::{Backend, TerminalGuard, install_panic_hook, studio_terminal};
use crate::tui::state::app::App;
use crate::tui::state::event::{ConnectionInfo, Event, JobId};
use crate::tui::state::update::update;
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::view::pictures::ImagePreview;

/// What the driver needs besides the app: the connection, the open session and how to draw.
pub struct DriverSetup {
    pub context: Context,
    pub global: GlobalArgs,
    pub connection: Option<Connection>,
    pub session: Session,
    pub user_themes: Option<PathBuf>,
    pub image_protocol: ImageProtocol,
    /// The user named a theme (flag or config): the terminal's background does not choose one.
    pub theme_named: bool,
}

pub(super) struct Driver {
    pub(super) tx: mpsc::UnboundedSender<Event>,
    pub(super) context: Context,
    pub(super) global: GlobalArgs,
    pub(super) connection: Option<Connection>,
    pub(super) session: SharedSession,
    pub(super) user_themes: Option<PathBuf>,
    pub(super) jobs: HashMap<JobId, AbortHandle>,
    pub(super) save_running: bool,
    /// The newest snapshot waiting for the running save to finish.
    pub(super) save_queued: Option<(u64, Conversation)>,
    /// Draws pictures; prepares them on its own thread and says when one is ready.
    pub(super) previewer: Previewer,
}

pub async fn run(mut app: App, setup: DriverSetup) -> Result<(), Failure> {
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
    let (previewer, startup) = Previewer::detect(setup.image_protocol, ready_tx);
    app.cell_px = previewer.cell_px();
    if !setup.theme_named && startup.light_background == Some(true) {
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
        context: setup.context,
        global: setup.global,
        connection: setup.connection,
        session: SharedSession::new(setup.session),
        user_themes: setup.user_themes,
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
    crate::tui::state::quitting::abandon_all(&mut app);
    let saved = driver.final_save(&app).await;
    let draft = app.draft_text();
    let (draft_kept, session_dir) = {
        let session = driver.session.lock();
        (session.save_draft(&draft), session.dir.clone())
    };
    let store = driver.context.store.clone();
    // The lock goes with the driver; a session left with nothing in it goes too.
    drop(driver);
    if app.conversation.is_empty() && draft.trim().is_empty() {
        store.remove_if_empty(&session_dir);
    }
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
    if !draft.trim().is_empty() {
        match draft_kept {
            Ok(()) => crate::errln!(
                "Your unsent prompt is kept as the draft of session {0}: `banana-studio --session {0}` puts it back in the editor.",
                app.session_name
            ),
            // Nothing typed is lost: the text goes to the terminal instead.
            Err(error) => crate::errln!(
                "Your unsent prompt could not be kept ({error}); here it is:\n{}",
                crate::terminal_text::sanitize(&draft)
            ),
        }
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

    /// Puts an event on the loop's own channel: how effects report back.
    pub(super) fn report(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    pub(super) fn notice(&self, text: impl Into<String>, error: bool) {
        self.report(Event::Notice {
            text: text.into(),
            error,
        });
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
        transport: connection.transport,
    }
}

fn from_terminal(event: crossterm::event::Event) -> Option<Event> {
    match event {
        crossterm::event::Event::Key(key) => Some(Event::Key(key)),
        crossterm::event::Event::Paste(text) => Some(Event::Paste(text)),
        crossterm::event::Event::Resize(width, height) => Some(Event::Resize(width, height)),
        _ => None,
    }
}

/// Draws nothing where a picture goes: for the one frame drawn before the previewer exists.
struct NoPictures;

impl ImagePreview for NoPictures {
    fn draw(&mut self, _: &mut Frame, _: Rect, _: &Blob, _: &Theme) {}

    fn draw_small(&mut self, _: &mut Frame, _: Rect, _: &Blob, _: &Theme) {}

    fn draw_crop(
        &mut self,
        _: &mut Frame,
        _: Rect,
        _: (&Blob, &[&Blob]),
        _: (Crop, Option<Crop>),
        _: &Theme,
    ) {
    }

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
