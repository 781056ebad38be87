//! The one entry point, `update(&mut App, Event, time) -> Vec<Effect>`: what each event and
//! key does to the state, and the effects it asks the driver to run. Pure: no IO, no clock.

use crate::conversation::{Part, Turn, TurnBody};
use crate::models::listing::Listing;
use crate::tui::input::commands::{self, Command};
use crate::tui::input::keymap::Action;
use crate::tui::state::app::*;
use crate::tui::state::apply_command::{add_attachment, run_command};
use crate::tui::state::compose::WaitingSend;
use crate::tui::state::compose::{Attachment, Draft, EditTarget};
use crate::tui::state::event::{Effect, Event};
use crate::tui::state::followups;
use crate::tui::state::fullview::FullView;
use crate::tui::state::fullview_keys::on_view_key;
use crate::tui::state::images::SelectedReply;
use crate::tui::state::layout::{LayoutMode, Pane};
use crate::tui::state::lifecycle::{cancel_jobs, on_done, on_progress};
use crate::tui::state::lifecycle::{rerun, send_prompt};
use crate::tui::state::overlay_keys::on_overlay_key;
use crate::tui::state::overlays::Overlay;
use crate::tui::state::panes::JobsList;
use crate::tui::state::quitting::{self, quit, quit_now};
use crate::tui::state::region;
use crate::tui::state::selection::{
    image_edge, image_step, select_edge, select_step, switch_branch, version_step,
    version_step_target,
};
use crate::tui::state::tree::{self, TreeView};
use crate::tui::state::variations::{self};
use crate::turn::{self};
use crate::variations::in_flight_limit;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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
            draft,
        } => {
            let turns = conversation.turns().len();
            app.conversation = conversation;
            app.session_name = name.clone();
            app.save = SaveState::default();
            app.editing = None;
            app.failure = None;
            app.overlay = None;
            // The editor's text was kept as the old session's draft; this one's comes back.
            app.set_input_text(draft.as_deref().unwrap_or_default());
            // A send waiting for the old conversation's images goes with it, and so does a
            // region marked on one of its pictures.
            app.waiting_for_images = None;
            app.region = None;
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
        Event::ImagesRead(result) => on_images_read(app, result),
        Event::Annotated {
            picture,
            region: marked,
            result,
        } => {
            region::on_annotated(app, picture, marked, result);
            Vec::new()
        }
        Event::Composited { turn, result } => region::on_composited(app, turn, result),
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
        Event::Terminate => quit_now(app),
    };
    let mut effects = effects;
    effects.extend(followups::settle(app));
    effects.extend(quitting::settle(app));
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
            // Readline's Ctrl-U deletes to the start of the line; the editor's undo, which
            // had Ctrl-U, moves to Ctrl-Z (raw mode: it suspends nothing).
            let ctrl = key.modifiers == KeyModifiers::CONTROL;
            match key.code {
                KeyCode::Char('u') if ctrl => {
                    app.input.delete_line_by_head();
                }
                KeyCode::Char('z') if ctrl => {
                    app.input.undo();
                }
                _ => {
                    app.input.input(key);
                }
            }
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
/// view and quit, and Esc then `f` in the prompt must still reach the picture's full view. In
/// the prompt, other Alt chords with a plain key are the editor's own (Alt-B moves back a
/// word): only those whose key acts outside the prompt, and Alt-Ctrl chords, are split there.
fn esc_then(app: &App, key: &KeyEvent) -> Option<KeyEvent> {
    if !key.modifiers.contains(KeyModifiers::ALT) || app.keymap.binds(key) {
        return None;
    }
    let in_editor = app.focus == Pane::Input
        && app.overlay.is_none()
        && app.full_view.is_none()
        && app.grid.is_none();
    let mut second = *key;
    second.modifiers.remove(KeyModifiers::ALT);
    let acts_outside = app.keymap.lookup(&second, false).is_some();
    if in_editor && !key.modifiers.contains(KeyModifiers::CONTROL) && !acts_outside {
        return None;
    }
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
                followups::send_or_queue(app, commands::unescape_prompt(&text))
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
        Action::ClearRegion => {
            if app.region.is_some() {
                region::clear(app);
            } else {
                app.input.redo();
            }
            Vec::new()
        }
        Action::Back => {
            back(app);
            Vec::new()
        }
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
        Action::Rerun => rerun_selected(app),
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
        // Versions, as in the full view; ↑↓ in the Image pane step every image, drafts too.
        Action::PrevImage => {
            pane_version_step(app, -1);
            Vec::new()
        }
        Action::NextImage => {
            pane_version_step(app, 1);
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
        Action::View(_) => Vec::new(),
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

/// Answers the selected prompt again (a reply is rerun by answering its prompt).
fn rerun_selected(app: &mut App) -> Vec<Effect> {
    match app.selected_turn().map(|t| t.id) {
        Some(turn) => rerun(app, turn),
        None if app.connection.is_none() => {
            app.overlay = Some(Overlay::MissingKey);
            Vec::new()
        }
        None => {
            app.warn("Nothing to rerun yet: send a prompt first.");
            Vec::new()
        }
    }
}

/// `[` and `]` outside the full view: the version before or after, or a word at either end.
fn pane_version_step(app: &mut App, step: isize) {
    if version_step_target(app, step).is_some() {
        version_step(app, step);
    } else if app.images().is_empty() {
        app.warn("No images in this conversation yet.");
    } else if step < 0 {
        app.notify("This is the first version on this branch.");
    } else {
        app.notify("This is the newest version on this branch.");
    }
}

/// Esc: from the prompt to the picture, whose keys then act (`f`, `[`, `]`, `w`…); from any
/// other pane back to the prompt.
fn back(app: &mut App) {
    if app.focus == Pane::Input {
        app.focus = Pane::Image;
        app.side = Pane::Image;
        let keys = app.keymap.hints(&[
            (&[Action::PrevImage, Action::NextImage], "step"),
            (&[Action::FullScreen], "full view"),
            (&[Action::SaveImage], "save"),
            (&[Action::Help], "all keys"),
        ]);
        app.notify(format!(
            "The picture's keys: {keys}. {} goes back to the prompt.",
            app.keymap.hint(Action::Back)
        ));
    } else {
        app.focus = Pane::Input;
    }
}

fn cancel(app: &mut App) -> Vec<Effect> {
    // The newest thing first: waiting to quit is called off, a queued follow-up comes back
    // before its reply is cancelled.
    if quitting::stay(app) || followups::take_back(app) {
        return Vec::new();
    }
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
    app.notify("Nothing to cancel: no generation is running here and nothing is queued.");
    Vec::new()
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
            region: None,
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
mod tests;

/// The images a send waited for are read: it goes on, or says why it cannot.
fn on_images_read(app: &mut App, result: Result<(), String>) -> Vec<Effect> {
    let Some(waiting) = app.waiting_for_images.take() else {
        return Vec::new();
    };
    if let Err(error) = result {
        app.warn(format!(
            "An image of this conversation cannot be read: {error}. Nothing was sent; your prompt is still in the editor. Start a new thread from an image that can be read (/fresh)."
        ));
        return Vec::new();
    }
    match waiting {
        WaitingSend::Prompt(prompt) => send_prompt(app, prompt),
        WaitingSend::Rerun(turn) => rerun(app, turn),
        WaitingSend::Batch { prompt, count } => variations::send_batch(app, prompt, count),
    }
}
