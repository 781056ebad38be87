//! What happens to a job in the studio, from start to end: it is started from a prompt (or
//! queued), shown or not, and ends committed, failed or cancelled — each way leaving the
//! conversation whole and the prompt where the user can find it. Pure, like `update`, which
//! calls these.

use crate::conversation::region::RegionEdit;
use crate::tui::state::app::target;
use crate::tui::state::overlays::Overlay;
use crate::turn::{NewTurn, RegionInput};

use std::time::Instant;

use crate::conversation::unread_images;
use crate::conversation::{ModelTurn, TurnId};
use crate::gemini::Mode;
use crate::tui::state::app::{App, failure_advice, restore_draft};
use crate::tui::state::compose::WaitingSend;
use crate::tui::state::compose::{Draft, EditTarget};
use crate::tui::state::event::{Effect, JobId};
use crate::tui::state::grid::Candidate;
use crate::tui::state::jobs::{Job, JobKind, NewJob};
use crate::turn::{self, Prepared, Progress};
use crate::variations::CandidateFailure;

pub(super) fn start_job(
    app: &mut App,
    prepared: Prepared,
    previous_leaf: Option<TurnId>,
    kind: JobKind,
    restore: Option<Draft>,
    restore_edit: Option<EditTarget>,
) -> Vec<Effect> {
    app.selected = Some(prepared.prompt_turn);
    app.failure = None;
    let (job, effects) = app.jobs.add(
        NewJob {
            kind,
            request: prepared.request.clone(),
            prepared,
            previous_leaf,
            restore,
            restore_edit,
        },
        Mode::Streaming,
        app.now,
    );
    app.watching = Some(job);
    if effects.is_empty() {
        app.notify(format!(
            "Queued: {} generations are running (the provider's limit); this one starts when one ends.",
            app.jobs.len() - app.jobs.queued()
        ));
    }
    app.selection_changed();
    // Follow the images as they arrive.
    app.image = None;
    effects
}

/// Takes a job out and its prompt back out, unless another job still answers it; the
/// prompt text goes back to the editor with the last job of its prompt. Returns the job.
pub(super) fn abandon_job(app: &mut App, id: JobId) -> Option<Job> {
    let mut job = app.jobs.remove(id)?;
    let prompt = job.prepared.prompt_turn;
    let next_on_prompt = app.jobs.on_prompt(prompt).next().map(|j| j.id);
    match next_on_prompt {
        // A variation of a batch that goes on: the batch keeps the prompt (and its draft).
        Some(next) => {
            app.jobs.hand_over_restore(&mut job, next);
        }
        None => {
            let shown = app.conversation.active_leaf() == Some(prompt) || app.watching == Some(id);
            let removed = job.prepared.added_prompt && app.conversation.remove_leaf(prompt);
            if shown
                && let Some(previous) = job.previous_leaf
                && app.conversation.get(previous).is_some()
            {
                let _ = app.conversation.activate(previous);
            }
            if let Some(draft) = job.restore.take()
                && (removed || !job.prepared.added_prompt)
            {
                restore_draft(app, draft);
            }
            if let Some(edit) = job.restore_edit.take() {
                app.editing = Some(edit);
            }
        }
    }
    if app.watching == Some(id) {
        app.watching = next_on_prompt;
        app.selected = app.conversation.active_leaf();
        app.image = None;
        app.selection_changed();
    }
    Some(job)
}

/// Shows a running job's branch: its prompt, and its reply as it arrives.
pub(super) fn watch(app: &mut App, id: JobId) {
    let Some(prompt) = app.jobs.get(id).map(|j| j.prepared.prompt_turn) else {
        return;
    };
    app.watching = Some(id);
    app.editing = None;
    app.selected = Some(prompt);
    app.image = None;
    app.selection_changed();
}

/// Cancels jobs: each is aborted and its prompt taken back (and put in the editor once no
/// job answers it any more); queued jobs take the freed slots.
pub(super) fn cancel_jobs(app: &mut App, ids: &[JobId]) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut prompts_back = 0;
    for &id in ids {
        if let Some(job) = abandon_job(app, id) {
            if let Some(grid) = &mut app.grid {
                grid.resolve(
                    id,
                    Candidate::Failed(CandidateFailure::Cancelled.to_string()),
                );
            }
            // Sends and edits put their prompt back; a rerun or a variation had none to.
            if matches!(job.kind, JobKind::Send | JobKind::Edit) {
                prompts_back += 1;
            }
            effects.push(Effect::CancelGeneration(id));
        }
    }
    let back = match prompts_back {
        0 => "",
        1 if effects.len() == 1 => "; the prompt is back in the editor",
        _ => "; their prompts are back in the editor",
    };
    let text = match effects.len() {
        0 => return Vec::new(),
        1 => format!("Cancelled: nothing of the reply was kept{back}."),
        n => format!("Cancelled {n} generations: nothing of their replies was kept{back}."),
    };
    app.notify(text);
    effects.extend(app.jobs.start_ready(app.now));
    effects
}

pub(super) fn on_progress(
    app: &mut App,
    job: JobId,
    progress: Progress,
    at: Instant,
) -> Vec<Effect> {
    let final_image = matches!(&progress, Progress::Parts(parts)
        if parts.iter().any(|p| !p.thought && p.as_image().is_some()));
    if let Progress::Fallback { to, notice } = &progress {
        // The provider refused the Interactions API: later prompts are written for
        // generateContent from the start, and the status bar says so.
        if *to == crate::gemini::Transport::GenerateContent
            && let Some(connection) = app.connection.as_mut()
        {
            connection.transport = *to;
        }
        app.notify(crate::terminal_text::sanitize_line(notice));
    }
    if app.jobs.progress(job, progress, at) {
        app.now = Some(at);
        if final_image && app.watching == Some(job) {
            bring_the_picture_forward(app);
        }
    }
    Vec::new()
}

/// A new picture on the branch in view shows: where the side panes are tabs, the image's tab
/// comes forward, unless the user is working in one of them.
fn bring_the_picture_forward(app: &mut App) {
    if !app.focus.is_side() {
        app.side = crate::tui::state::layout::Pane::Image;
    }
}

pub(super) fn on_done(
    app: &mut App,
    id: JobId,
    result: Result<Box<ModelTurn>, crate::gemini::ApiError>,
    at: Instant,
) -> Vec<Effect> {
    let Some(job) = app.jobs.get(id) else {
        return Vec::new();
    };
    app.now = Some(at);
    let prompt = job.prepared.prompt_turn;
    let active_before = app.conversation.active_leaf();
    // The reply is shown if the user is still looking at this job's branch.
    let follow = app.watching == Some(id) || active_before == Some(prompt);
    let mut effects = match result {
        Ok(reply) => match turn::commit(
            &mut app.conversation,
            &job.prepared,
            ModelTurn {
                // A candidate keeps its place and seed: versions are numbered by them.
                variation: match job.kind {
                    JobKind::Variation(variation) => Some(variation),
                    _ => reply.variation,
                },
                ..*reply
            },
            app.event_time.clone(),
        ) {
            Ok(reply_id) => {
                app.jobs.remove(id);
                if let Some(grid) = &mut app.grid {
                    grid.resolve(id, Candidate::Reply(reply_id));
                }
                if follow {
                    app.watching = app.jobs.on_prompt(prompt).next().map(|j| j.id);
                    app.selected = Some(reply_id);
                    app.selection_changed();
                    // Show the newest final image.
                    app.image = None;
                    bring_the_picture_forward(app);
                } else if let Some(active) = active_before {
                    // Finished elsewhere: the user's branch stays where it is.
                    let _ = app.conversation.activate(active);
                }
                let mut effects = vec![app.save_effect()];
                effects.extend(crate::tui::state::region::composite_effect(app, reply_id));
                if app.connection.as_ref().is_some_and(|c| c.balance) {
                    effects.push(Effect::RefreshBalance);
                }
                effects
            }
            Err(error) => {
                failed(app, id, CandidateFailure::Internal(error.to_string()));
                Vec::new()
            }
        },
        Err(error) => {
            let note = failure_advice(app, &job.prepared.request.model, &error);
            failed(app, id, CandidateFailure::Api { error, note });
            Vec::new()
        }
    };
    effects.extend(app.jobs.start_ready(app.now));
    effects
}

/// A job ended without a reply; a variation's cell in the grid says why, as `send --n` does.
pub(super) fn failed(app: &mut App, id: JobId, failure: CandidateFailure) {
    let Some(job) = abandon_job(app, id) else {
        return;
    };
    let error = failure.to_string();
    if let Some(grid) = &mut app.grid {
        grid.resolve(id, Candidate::Failed(error.clone()));
    }
    let gave_back = app
        .jobs
        .on_prompt(job.prepared.prompt_turn)
        .next()
        .is_none()
        && job.prepared.added_prompt;
    app.failure = Some(match job.kind {
        JobKind::Rerun => format!("The rerun failed: {error}"),
        JobKind::Variation(v) if !gave_back => {
            format!("Variation {}/{} failed: {error}", v.number, v.of)
        }
        JobKind::Send | JobKind::Edit | JobKind::Variation(_) => format!(
            "The generation failed: {error}\nYour prompt is back in the editor: press Enter to try again."
        ),
    });
}

/// Sends the editor's prompt (a new turn, or a new branch when editing an earlier prompt).
pub(super) fn send_prompt(app: &mut App, prompt: String) -> Vec<Effect> {
    if app.busy() {
        return Vec::new();
    }
    let Some(connection) = app.connection.clone() else {
        app.overlay = Some(Overlay::MissingKey);
        return Vec::new();
    };
    let (mut parent, kind) = match &app.editing {
        Some(edit) => (edit.parent, JobKind::Edit),
        None => (app.continue_from(), JobKind::Send),
    };
    let region = match region_input(app) {
        Ok(region) => region,
        Err(why) => {
            app.warn(why);
            return Vec::new();
        }
    };
    // A region edit edits the version the region was drawn on.
    if let Some(region) = &region {
        parent = Some(region.edit.on);
    }
    if still_reading(app) {
        return Vec::new();
    }
    if let Some(effects) = read_first(app, parent, WaitingSend::Prompt(prompt.clone())) {
        return effects;
    }
    let previous_leaf = app.conversation.active_leaf();
    let new_turn = NewTurn {
        parent,
        prompt,
        attachments: app.attachments.iter().map(|a| a.blob.clone()).collect(),
        settings: app.settings.clone(),
        created_at: app.event_time.clone(),
        region,
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
                region: app.region.take(),
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
/// The marked region as the next prompt sends it, once its outlined copy is made.
fn region_input(app: &App) -> Result<Option<RegionInput>, String> {
    let Some(marked) = &app.region else {
        return Ok(None);
    };
    match &marked.annotated {
        None => Err(
            "Still outlining the region on a copy of the picture: send again in a moment.".into(),
        ),
        Some(Err(why)) => Err(format!(
            "The region cannot be sent: {why}. Ctrl-R clears it; your prompt stays here."
        )),
        Some(Ok((annotated, outline))) => Ok(Some(RegionInput {
            edit: RegionEdit {
                on: marked.on,
                image: marked.image,
                region: marked.region,
                keep_outside: app.keep_outside,
                outline: *outline,
            },
            annotated: annotated.clone(),
            size: marked.picture.dimensions().unwrap_or_default(),
        })),
    }
}

/// Answers the prompt `turn` (or the prompt of the reply `turn`) again: a sibling reply.
pub(super) fn rerun(app: &mut App, turn: TurnId) -> Vec<Effect> {
    if app.busy() || still_reading(app) {
        return Vec::new();
    }
    let Some(connection) = app.connection.clone() else {
        app.overlay = Some(Overlay::MissingKey);
        return Vec::new();
    };
    if let Some(effects) = read_first(app, Some(turn), WaitingSend::Rerun(turn)) {
        return effects;
    }
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

/// When the request for `leaf` needs images that are not in memory, asks for them to be read
/// and keeps `then` to do once they are; `None` when nothing needs reading.
pub(super) fn read_first(
    app: &mut App,
    leaf: Option<TurnId>,
    then: WaitingSend,
) -> Option<Vec<Effect>> {
    let mut unread = unread_images(&app.conversation, leaf);
    if matches!(then, WaitingSend::Prompt(_)) {
        // An earlier prompt's images, attached again by editing it, may be on disk only.
        unread.extend(
            app.attachments
                .iter()
                .filter(|a| a.blob.loaded().is_none())
                .map(|a| a.blob.clone()),
        );
    }
    if unread.is_empty() {
        return None;
    }
    app.notify(format!(
        "Reading {} of this conversation's images before sending…",
        if unread.len() == 1 {
            "one".to_string()
        } else {
            unread.len().to_string()
        }
    ));
    app.waiting_for_images = Some(then);
    Some(vec![Effect::ReadImages(unread)])
}

/// Whether a send is waiting for images already (a second one waits its turn: say so).
pub(super) fn still_reading(app: &mut App) -> bool {
    if app.waiting_for_images.is_some() {
        app.warn("Still reading this conversation's images for the last send: a moment.");
        true
    } else {
        false
    }
}
