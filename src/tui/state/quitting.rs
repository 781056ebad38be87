//! Leaving the studio without losing paid work or typed intent. With generations running
//! or a prompt unsent, the first quit key asks ([`Overlay::ConfirmQuit`]): quit now, wait for
//! the generations and then quit, or stay. A prompt left in the editor (running ones and
//! queued follow-ups go back there first) is kept as the session's draft by the driver.
//! SIGTERM and SIGHUP do not ask: they save and go.

use crate::tui::state::app::App;
use crate::tui::state::event::Effect;
use crate::tui::state::followups;
use crate::tui::state::lifecycle::abandon_job;
use crate::tui::state::overlays::Overlay;

/// The quit keys and `/quit`: asks first when something would be lost or left behind.
pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    let unsent = !app.draft_text().trim().is_empty() || app.followups.is_some();
    if app.jobs.is_empty() && !unsent {
        return quit_now(app);
    }
    app.overlay = Some(Overlay::ConfirmQuit);
    Vec::new()
}

/// Quits at once: running generations are cancelled (their prompts go back to the editor).
pub(super) fn quit_now(app: &mut App) -> Vec<Effect> {
    let effects = app
        .jobs
        .ids()
        .into_iter()
        .map(Effect::CancelGeneration)
        .collect::<Vec<_>>();
    abandon_all(app);
    app.overlay = None;
    app.quit = true;
    effects.into_iter().chain([Effect::Quit]).collect()
}

/// Waits for the running generations, then quits (see [`settle`]).
pub(super) fn quit_when_done(app: &mut App) {
    app.overlay = None;
    app.quit_when_done = true;
    app.notify(format!(
        "Quitting when {} finished. {} stays.",
        match app.jobs.len() {
            1 => "the generation has".to_string(),
            n => format!("the {n} generations have"),
        },
        app.keymap.hint(crate::tui::input::keymap::Action::Cancel)
    ));
}

/// Stops waiting to quit; `false` when the studio was not waiting.
pub(super) fn stay(app: &mut App) -> bool {
    let waiting = std::mem::take(&mut app.quit_when_done);
    if waiting {
        app.notify("Staying: the studio does not quit when the generations finish.");
    }
    waiting
}

/// After each event: quits once the generations the user waited for have finished.
pub(super) fn settle(app: &mut App) -> Vec<Effect> {
    if app.quit_when_done && app.jobs.is_empty() && !app.quit {
        quit_now(app)
    } else {
        Vec::new()
    }
}

/// Takes every running job's prompt back out, and every queued follow-up back to the editor
/// (the studio is closing: the editor becomes the session's draft).
pub fn abandon_all(app: &mut App) {
    for id in app.jobs.ids() {
        abandon_job(app, id);
    }
    followups::give_back_all(app);
}
