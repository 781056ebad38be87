//! What is selected and shown: the turn, the image, and the versions of the picture along
//! the shown path (the active path, or the path of the watched job), and the moves between
//! them: turn by turn, branch by branch, image by image.

use crate::tui::state::images::{ImageEntry, ImageKey, ImageKind, SelectedReply, Version};

use crate::conversation::{Part, PartContent, Turn, TurnBody, TurnId};
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::event::Effect;
use crate::tui::state::jobs::Job;
use crate::tui::state::panes::ScrollView;
use crate::tui::state::panes::SourcesView;
use crate::turn;

impl App {
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
        self.path_images(self.display_path(), self.shown_job())
    }

    /// The images of `path`'s turns, in order, then those of `pending`'s reply so far.
    pub(super) fn path_images(&self, path: Vec<&Turn>, pending: Option<&Job>) -> Vec<ImageEntry> {
        let mut images = Vec::new();
        for turn in path {
            push_turn_images(&mut images, Some(turn.id), &turn.body);
        }
        if let Some(job) = pending {
            push_images(&mut images, None, &job.partial.parts, false);
        }
        images
    }

    /// An image anywhere in the conversation (or of the reply arriving on the shown path).
    pub fn image_by_key(&self, key: ImageKey) -> Option<ImageEntry> {
        let mut images = Vec::new();
        match key.turn {
            Some(turn) => {
                push_turn_images(&mut images, Some(turn), &self.conversation.get(turn)?.body)
            }
            None => push_images(&mut images, None, &self.shown_job()?.partial.parts, false),
        }
        images.into_iter().find(|e| e.key == key)
    }

    /// The final images of the shown path, oldest first, numbered as the tree numbers them.
    pub fn versions(&self) -> Vec<Version> {
        let numbers = self.conversation.version_numbers();
        let mut turn = None;
        let mut nth = 0;
        self.images()
            .into_iter()
            .filter(|e| e.kind == ImageKind::Final)
            .map(|entry| {
                // Images come turn by turn: count the finals within each.
                if turn != Some(entry.key.turn) {
                    turn = Some(entry.key.turn);
                    nth = 0;
                }
                let number = entry
                    .key
                    .turn
                    .and_then(|t| numbers.get(&t))
                    .and_then(|v| v.get(nth))
                    .copied();
                nth += 1;
                Version {
                    key: entry.key,
                    number,
                    blob: entry.blob,
                }
            })
            .collect()
    }

    /// The one name of an image, used everywhere it is shown: a final image is its version
    /// ("v7"), a thought image a draft of its reply's first version ("v7 draft 2"), an
    /// attachment belongs to its prompt.
    pub fn image_name(&self, entry: &ImageEntry) -> String {
        let Some(turn) = entry.key.turn else {
            return match entry.kind {
                ImageKind::Thought => "a draft of the new version".into(),
                _ => "the new version".into(),
            };
        };
        match entry.kind {
            ImageKind::Final => match self.version_number(entry.key) {
                Some(version) => format!("v{version}"),
                None => "the new version".into(),
            },
            ImageKind::Attachment => {
                format!("attachment {} of prompt #{turn}", entry.key.index + 1)
            }
            ImageKind::Raw => match self.conversation.version_name(turn) {
                Some(version) => format!("{version} as the model drew it"),
                None => format!("reply #{turn} as the model drew it"),
            },
            ImageKind::Thought => {
                let mut images = Vec::new();
                if let Some(body) = self.conversation.get(turn).map(|t| &t.body) {
                    push_turn_images(&mut images, Some(turn), body);
                }
                let draft = images
                    .iter()
                    .filter(|e| e.kind == ImageKind::Thought)
                    .position(|e| e.key == entry.key)
                    .map_or(1, |i| i + 1);
                let version = self
                    .conversation
                    .version_numbers()
                    .get(&turn)
                    .and_then(|v| v.first().copied());
                match version {
                    Some(version) => format!("v{version} draft {draft}"),
                    None => format!("draft {draft} of reply #{turn}"),
                }
            }
        }
    }

    /// The version number of a final image, as the tree numbers them.
    pub fn version_number(&self, key: ImageKey) -> Option<usize> {
        let turn = key.turn?;
        let mut images = Vec::new();
        push_turn_images(&mut images, Some(turn), &self.conversation.get(turn)?.body);
        let rank = images
            .iter()
            .filter(|e| e.kind == ImageKind::Final)
            .position(|e| e.key == key)?;
        self.conversation
            .version_numbers()
            .get(&turn)?
            .get(rank)
            .copied()
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
}

/// Appends a turn's images: a prompt's attachments, or a reply's thought and final images.
fn push_turn_images(images: &mut Vec<ImageEntry>, turn: Option<TurnId>, body: &TurnBody) {
    match body {
        TurnBody::User(user) => push_images(images, turn, &user.parts, true),
        TurnBody::Model(reply) => {
            let shown = reply.image_parts_shown().map(|(p, blob)| (p.thought, blob));
            push_blobs(images, turn, shown, false);
            // A region edit that kept the rest: the model's own pictures follow the versions
            // (its composites), keyed after all of its parts' images.
            if !reply.composites.is_empty() {
                let count = reply.image_parts_shown().count();
                for (i, blob) in reply.images().enumerate() {
                    images.push(ImageEntry {
                        key: ImageKey {
                            turn,
                            index: count + i,
                        },
                        kind: ImageKind::Raw,
                        blob: blob.clone(),
                    });
                }
            }
        }
    }
}

/// Appends the image parts of `parts`, keyed by their place among the turn's images.
fn push_images(images: &mut Vec<ImageEntry>, turn: Option<TurnId>, parts: &[Part], user: bool) {
    let blobs = parts.iter().filter_map(|part| match &part.content {
        PartContent::Image(blob) => Some((part.thought, blob)),
        _ => None,
    });
    push_blobs(images, turn, blobs, user);
}

/// Appends `blobs` (whether each is a thought, and the picture), keyed by their place.
fn push_blobs<'a>(
    images: &mut Vec<ImageEntry>,
    turn: Option<TurnId>,
    blobs: impl Iterator<Item = (bool, &'a crate::conversation::Blob)>,
    user: bool,
) {
    for (index, (thought, blob)) in blobs.enumerate() {
        let kind = if user {
            ImageKind::Attachment
        } else if thought {
            ImageKind::Thought
        } else {
            ImageKind::Final
        };
        images.push(ImageEntry {
            key: ImageKey { turn, index },
            kind,
            blob: blob.clone(),
        });
    }
}

pub(super) fn select_step(app: &mut App, step: isize) {
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

pub(super) fn select_edge(app: &mut App, last: bool) {
    let path: Vec<TurnId> = app.display_path().iter().map(|t| t.id).collect();
    let target = if last { path.last() } else { path.first() };
    if let Some(id) = target {
        app.selected = Some(*id);
        app.selection_changed();
    }
}

pub(super) fn switch_branch(app: &mut App, step: isize) -> Vec<Effect> {
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

pub(super) fn image_step(app: &mut App, step: isize) {
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
pub(super) fn version_step(app: &mut App, step: isize) {
    if let Some(entry) = version_step_target(app, step) {
        app.image = Some(entry.key);
    }
}

/// The final image before (`step` < 0) or after the selected one on the shown path.
pub(super) fn version_step_target(app: &App, step: isize) -> Option<ImageEntry> {
    let images = app.images();
    let current = app.selected_image_index(&images)?;
    let mut candidates = images
        .into_iter()
        .enumerate()
        .filter(|(_, e)| e.kind == ImageKind::Final);
    let found = if step < 0 {
        candidates.rfind(|(i, _)| *i < current)
    } else {
        candidates.find(|(i, _)| *i > current)
    };
    found.map(|(_, entry)| entry)
}

pub(super) fn image_edge(app: &mut App, last: bool) {
    let images = app.images();
    let target = if last { images.last() } else { images.first() };
    app.image = target.map(|e| e.key);
}
