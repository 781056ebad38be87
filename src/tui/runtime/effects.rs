//! What the driver does for each [`Effect`] `update` asks for: generations on the runtime,
//! saves queued so they never overlap, session switches, fetches, file work and the editor.

use std::io;
use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::EventStream;
use crossterm::execute;
use ratatui::Terminal;

use crate::conversation::attachment::load_attachment;
use crate::conversation::{Blob, Conversation, Part};
use crate::gemini::ApiError;
use crate::store::Session;
use crate::tui::runtime::driver::{Driver, connection_info};
use crate::tui::runtime::editor::run_editor;
use crate::tui::runtime::files::{
    expand_home, export_saved, list_folder, log_line, save_image, viewer_command,
};
use crate::tui::runtime::terminal::{Backend, screen};
use crate::tui::state::app::App;
use crate::tui::state::event::{Effect, Event};
use crate::tui::theme::Theme;
use crate::turn;

impl Driver {
    pub(super) async fn run_effect(
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
                    self.report(Event::GenerationDone {
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
            Effect::Annotate { picture, region } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result =
                        crate::region::annotate(&picture, region).map_err(|e| e.to_string());
                    let _ = tx.send(Event::Annotated {
                        picture: picture.id(),
                        region,
                        result,
                    });
                });
            }
            Effect::Composite {
                turn,
                edit,
                base,
                raw,
            } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::region::composites(&base, &raw, edit.region);
                    // Named by their hash when saved: hashed here, off the UI thread.
                    if let Ok(composites) = &result {
                        composites.iter().for_each(|blob| {
                            blob.sha256();
                        });
                    }
                    let _ = tx.send(Event::Composited { turn, result });
                });
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
            Effect::ReadImages(blobs) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    // Each blob keeps what it read: the request is built from memory after.
                    let result = blobs.iter().try_for_each(|blob| {
                        blob.bytes().map(drop).map_err(|error| match blob.path() {
                            Some(path) => format!("{}: {error}", path.display()),
                            None => error.to_string(),
                        })
                    });
                    let _ = tx.send(Event::ImagesRead(result));
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
            Effect::OpenSession { name, draft } => {
                let store = self.context.store.clone();
                self.switch_session(draft, move || {
                    let session = store.open(&name).map_err(|e| e.to_string())?;
                    Ok((session, Vec::new()))
                });
            }
            Effect::NewSession { from_image, draft } => {
                let store = self.context.store.clone();
                let from = app.session_name.clone();
                self.switch_session(draft, move || {
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
                self.report(Event::EditorDone(result));
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
                self.report(Event::DemoConnected(result));
                self.list_models();
            }
            // `update` has set `app.quit`; the loop ends after this batch and saves.
            Effect::Quit => {}
        }
    }

    /// Asks a relay configured with `balance = true` for its balance, in the background. A
    /// relay without the endpoints costs one line in the log, never an error on screen.
    pub(super) fn refresh_balance(&self) {
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
    pub(super) fn list_models(&self) {
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

    pub(super) fn start_save(&mut self, revision: u64, conversation: Conversation) {
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

    /// Swaps the open session for the one `open` returns, after writing any queued save and
    /// the editor's `draft` into the old one. The old lock is released only once the new
    /// session is open.
    fn switch_session<F>(&mut self, draft: String, open: F)
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
            if let Err(error) = current.save_draft(&draft) {
                let _ = tx.send(Event::SessionOpenFailed(format!(
                    "Your unsent prompt could not be kept in this session ({error}), so it stays open."
                )));
                return;
            }
            match open() {
                Ok((next, attachments)) => {
                    let event = Event::SessionOpened {
                        name: next.name.clone(),
                        conversation: next.conversation.clone(),
                        attachments,
                        draft: next.read_draft(),
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
    pub(super) async fn final_save(&mut self, app: &App) -> Result<(), String> {
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
