//! A prompt typed while the selected turn's reply is still coming waits for that reply, and
//! is sent as its follow-up — with the reply's signed parts in its history — once it lands.
//! Sending it at once would branch from the turn before: a paid turn that edits nothing.
//!
//! The queue is settled after every event ([`settle`]): when the awaited prompt has its reply,
//! the first follow-up goes out; when the prompt's generation failed or was cancelled, every
//! queued text goes back to the editor. The cancel key takes the newest one back to edit.

use crate::conversation::{TurnBody, TurnId, unread_images};
use crate::tui::input::keymap::Action;
use crate::tui::state::app::{App, restore_draft, target};
use crate::tui::state::compose::Draft;
use crate::tui::state::compose::{FollowUps, QueuedPrompt};
use crate::tui::state::event::Effect;
use crate::tui::state::jobs::JobKind;
use crate::tui::state::layout::Pane;
use crate::tui::state::lifecycle::{send_prompt, start_job};
use crate::turn::{self, NewTurn};

/// Sends the editor's prompt, or queues it behind the reply it follows when that reply is
/// still coming.
pub(super) fn send_or_queue(app: &mut App, prompt: String) -> Vec<Effect> {
    let empty = prompt.trim().is_empty() && app.attachments.is_empty();
    if app.editing.is_some() || empty {
        return send_prompt(app, prompt);
    }
    let after = match &app.followups {
        Some(followups) => followups.after,
        None => match app.awaited_prompt() {
            Some(prompt_turn) => prompt_turn,
            None => return send_prompt(app, prompt),
        },
    };
    let variations = app
        .jobs
        .on_prompt(after)
        .any(|job| matches!(job.kind, JobKind::Variation(_)));
    if variations && app.followups.is_none() {
        app.warn(
            "The variations of this prompt are still coming: pick one in the grid (Enter), then send your follow-up. Your text stays here.",
        );
        return Vec::new();
    }
    let queued = QueuedPrompt {
        prompt,
        draft: Draft {
            text: app.input_text(),
            attachments: std::mem::take(&mut app.attachments),
            region: None,
        },
        settings: app.settings.clone(),
    };
    app.set_input_text("");
    let followups = app.followups.get_or_insert(FollowUps {
        after,
        queue: Vec::new(),
    });
    followups.queue.push(queued);
    let count = followups.queue.len();
    let key = app.keymap.hint(Action::Cancel);
    app.notify(if count == 1 {
        format!("Queued until the reply lands. {key} takes it back.")
    } else {
        format!(
            "Queued: {count} follow-ups, each after the reply before it. {key} takes the last back."
        )
    });
    Vec::new()
}

/// Puts the newest queued follow-up back in the editor; `false` when none is queued.
pub(super) fn take_back(app: &mut App) -> bool {
    let Some(followups) = &mut app.followups else {
        return false;
    };
    let Some(queued) = followups.queue.pop() else {
        app.followups = None;
        return false;
    };
    if followups.queue.is_empty() {
        app.followups = None;
    }
    // Before what the editor holds: taken back newest first, they read in the order typed.
    restore_draft(app, queued.draft);
    app.notify("Took the queued follow-up back: edit it and send it again, or clear it.");
    true
}

/// Puts every queued follow-up back in the editor (the studio is closing, or will once its
/// generations finish: no new paid generation starts).
pub(super) fn give_back_all(app: &mut App) {
    if let Some(followups) = app.followups.take() {
        give_back(app, followups.queue);
    }
}

/// After each event: sends the first follow-up once its reply has landed, or gives every
/// queued text back when there will be no reply.
pub(super) fn settle(app: &mut App) -> Vec<Effect> {
    let Some(after) = app.followups.as_ref().map(|f| f.after) else {
        return Vec::new();
    };
    if app.jobs.on_prompt(after).next().is_some() {
        return Vec::new();
    }
    if app.quit_when_done {
        give_back_all(app);
        return Vec::new();
    }
    let queue = app.followups.take().map(|f| f.queue).unwrap_or_default();
    match newest_reply(app, after) {
        Some(reply) => send_first(app, reply, queue),
        None => {
            give_back(app, queue);
            app.warn(
                "The reply your follow-up waited for did not come (it failed or was cancelled): your follow-up was not sent and is back in the editor.",
            );
            Vec::new()
        }
    }
}

/// The newest reply with content under the prompt `prompt`.
fn newest_reply(app: &App, prompt: TurnId) -> Option<TurnId> {
    app.conversation
        .children(Some(prompt))
        .filter(|t| matches!(&t.body, TurnBody::Model(reply) if reply.has_content()))
        .map(|t| t.id)
        .max()
}

/// Sends the first of `queue` after `reply`; the rest wait for its reply in turn.
fn send_first(app: &mut App, reply: TurnId, mut queue: Vec<QueuedPrompt>) -> Vec<Effect> {
    if queue.is_empty() {
        return Vec::new();
    }
    let first = queue.remove(0);
    let Some(connection) = app.connection.clone() else {
        queue.insert(0, first);
        give_back(app, queue);
        return Vec::new();
    };
    // The history was sent a moment ago and the reply is in memory; an image only on disk
    // would have to be read here, so rather give the text back than read in `update`.
    if !unread_images(&app.conversation, Some(reply)).is_empty() {
        queue.insert(0, first);
        give_back(app, queue);
        app.warn("Your follow-up is back in the editor: press Enter to send it.");
        return Vec::new();
    }
    let active_before = app.conversation.active_leaf();
    let following = active_before == Some(reply);
    let (selected, watching) = (app.selected, app.watching);
    let new_turn = NewTurn {
        parent: Some(reply),
        prompt: first.prompt.clone(),
        attachments: first
            .draft
            .attachments
            .iter()
            .map(|a| a.blob.clone())
            .collect(),
        settings: first.settings.clone(),
        created_at: app.event_time.clone(),
        region: None,
    };
    let target = target(&app.catalog, &connection, app.listed_models.as_ref());
    let prepared = match turn::prepare(&mut app.conversation, new_turn, &target) {
        Ok(prepared) => prepared,
        Err(error) => {
            queue.insert(0, first);
            give_back(app, queue);
            app.warn(format!(
                "Your follow-up could not be sent: {error} It is back in the editor."
            ));
            return Vec::new();
        }
    };
    let prompt_turn = prepared.prompt_turn;
    let after = app
        .conversation
        .version_name(reply)
        .unwrap_or_else(|| format!("reply #{reply}"));
    app.notify(format!("Sent your queued follow-up after {after}."));
    let effects = start_job(
        app,
        prepared,
        Some(reply),
        JobKind::Send,
        Some(first.draft),
        None,
    );
    if !following {
        // The user is looking at another branch: it stays in view.
        if let Some(active) = active_before {
            let _ = app.conversation.activate(active);
        }
        app.selected = selected;
        app.watching = watching;
        app.image = None;
        app.selection_changed();
    }
    if !queue.is_empty() {
        app.followups = Some(FollowUps {
            after: prompt_turn,
            queue,
        });
    }
    effects
}

/// Puts the texts (and attachments) of `queue` after what the editor holds.
fn give_back(app: &mut App, queue: Vec<QueuedPrompt>) {
    let mut texts = vec![app.input_text()];
    for queued in queue {
        texts.push(queued.draft.text);
        for attachment in queued.draft.attachments {
            if !app.attachments.iter().any(|a| a.blob == attachment.blob) {
                app.attachments.push(attachment);
            }
        }
    }
    texts.retain(|text| !text.trim().is_empty());
    app.set_input_text(&texts.join("\n"));
    app.focus = Pane::Input;
}
