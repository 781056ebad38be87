//! The overlays (help, pickers, the path prompt, the jobs list, the tree, confirmations) and
//! their keys: while one is open, it takes every key.

use crate::tui::state::overlays::Overlay;

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::input::commands::Command;
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::apply_command::{run_command, switch_model};
use crate::tui::state::event::Effect;
use crate::tui::state::lifecycle::{cancel_jobs, watch};
use crate::tui::state::path_prompt::PathPurpose;
use crate::tui::state::quitting::{quit, quit_now, quit_when_done};
use crate::tui::state::tree::{self};
use crate::tui::state::variations;

pub(super) fn on_overlay_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.lookup(&key, false);
    if action == Some(Action::Quit)
        && !matches!(
            app.overlay,
            Some(Overlay::PathPrompt(_) | Overlay::ConfirmQuit)
        )
    {
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
            crate::tui::state::path_prompt::Outcome::Pending(effects) => effects,
            crate::tui::state::path_prompt::Outcome::Cancelled => {
                app.overlay = None;
                Vec::new()
            }
            crate::tui::state::path_prompt::Outcome::Submitted(purpose, path) => {
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
        Overlay::ConfirmQuit => match (key.code, action) {
            // The same quit key again confirms.
            (KeyCode::Enter | KeyCode::Char('y' | 'Y' | 'q'), _) | (_, Some(Action::Quit)) => {
                quit_now(app)
            }
            // Waiting for generations that have finished meanwhile is quitting.
            (KeyCode::Char('w' | 'W'), _) if app.jobs.is_empty() => quit_now(app),
            (KeyCode::Char('w' | 'W'), _) => {
                quit_when_done(app);
                Vec::new()
            }
            (KeyCode::Esc | KeyCode::Char('n' | 'N'), _) | (_, Some(Action::Cancel)) => {
                app.overlay = None;
                app.notify("Staying.");
                Vec::new()
            }
            _ => Vec::new(),
        },
        Overlay::ConfirmBatch { count, prompt } => {
            let (count, prompt) = (*count, *prompt);
            match key.code {
                KeyCode::Enter | KeyCode::Char('y' | 'Y') => {
                    variations::send_batch(app, prompt, count)
                }
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
