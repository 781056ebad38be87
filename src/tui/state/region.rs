//! Marking a region in the full view and editing just there: the keys that move and size
//! it, keeping it for the next prompt, and the outlined copy and composites the driver makes.
//! Pure, like `update`, which calls these.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::conversation::{TurnBody, TurnId};
use crate::tui::state::app::App;
use crate::tui::state::compose::MarkedRegion;
use crate::tui::state::event::Effect;
use crate::tui::state::fullview::RegionChange;
use crate::tui::state::images::ImageKind;
use crate::tui::state::layout::Pane;

/// `r` in the full view: starts marking on the viewed version.
pub(super) fn start_marking(app: &mut App) {
    let is_version = app
        .view_image()
        .is_some_and(|e| e.kind == ImageKind::Final && e.key.turn.is_some());
    if !is_version {
        app.warn("Mark a region on a version (a final picture), not on a draft or an attachment.");
        return;
    }
    if let (Some(geometry), Some(view)) = (app.view_geometry(), app.full_view.as_mut()) {
        view.start_marking(&geometry);
    }
}

/// A key while a region is being marked: hjkl or arrows move it, capitals or Shift+arrows size
/// it, Enter keeps it for the next prompt, Esc drops it. `None` for keys it leaves to the view
/// (zoom).
pub(super) fn on_marking_key(app: &mut App, key: KeyEvent) -> Option<Vec<Effect>> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let change = match key.code {
        KeyCode::Char('h') => RegionChange::Move(-1, 0),
        KeyCode::Char('l') => RegionChange::Move(1, 0),
        KeyCode::Char('k') => RegionChange::Move(0, -1),
        KeyCode::Char('j') => RegionChange::Move(0, 1),
        KeyCode::Char('H') => RegionChange::Resize(-1, 0),
        KeyCode::Char('L') => RegionChange::Resize(1, 0),
        KeyCode::Char('K') => RegionChange::Resize(0, -1),
        KeyCode::Char('J') => RegionChange::Resize(0, 1),
        KeyCode::Left if shift => RegionChange::Resize(-1, 0),
        KeyCode::Right if shift => RegionChange::Resize(1, 0),
        KeyCode::Up if shift => RegionChange::Resize(0, -1),
        KeyCode::Down if shift => RegionChange::Resize(0, 1),
        KeyCode::Left => RegionChange::Move(-1, 0),
        KeyCode::Right => RegionChange::Move(1, 0),
        KeyCode::Up => RegionChange::Move(0, -1),
        KeyCode::Down => RegionChange::Move(0, 1),
        KeyCode::Enter => return Some(keep(app)),
        KeyCode::Esc => {
            if let Some(view) = app.full_view.as_mut() {
                view.marking = None;
            }
            return Some(Vec::new());
        }
        _ => return None,
    };
    if let (Some(geometry), Some(view)) = (app.view_geometry(), app.full_view.as_mut()) {
        view.change_marking(change, &geometry);
    }
    Some(Vec::new())
}

/// Enter: the region goes with the next prompt; back to the prompt, while the driver outlines
/// it on a copy.
fn keep(app: &mut App) -> Vec<Effect> {
    let marked = app.full_view.and_then(|v| v.marking);
    let viewed = app.view_image();
    let (Some(region), Some(entry)) = (marked, viewed) else {
        return Vec::new();
    };
    let Some(on) = entry.key.turn else {
        return Vec::new();
    };
    let image = final_index(app, on, entry.key.index);
    app.region = Some(MarkedRegion {
        on,
        image,
        region,
        picture: entry.blob.clone(),
        annotated: None,
    });
    app.full_view = None;
    app.view_pinned = None;
    app.focus = Pane::Input;
    app.notify("Region kept: type what to change there, and send.");
    vec![Effect::Annotate {
        picture: entry.blob,
        region,
    }]
}

/// Which of the reply `turn`'s final pictures the image at `index` among its images is.
fn final_index(app: &App, turn: TurnId, index: usize) -> usize {
    match app.conversation.get(turn).map(|t| &t.body) {
        Some(TurnBody::Model(reply)) => {
            let finals = reply
                .parts
                .iter()
                .filter(|p| p.as_image().is_some())
                .take(index + 1);
            finals.filter(|p| !p.thought).count().saturating_sub(1)
        }
        _ => 0,
    }
}

/// Ctrl-R: forget the marked region.
pub(super) fn clear(app: &mut App) {
    if app.region.take().is_some() {
        app.notify("Region cleared: the next prompt edits the whole picture.");
    }
}

/// The outlined copy arrived: kept if it is for the region still marked.
pub(super) fn on_annotated(
    app: &mut App,
    picture: u64,
    region: crate::conversation::Region,
    result: Result<
        (
            crate::conversation::Blob,
            crate::conversation::region::OutlineColour,
        ),
        String,
    >,
) {
    if let Some(marked) = app.region.as_mut()
        && marked.picture.id() == picture
        && marked.region == region
    {
        if let Err(why) = &result {
            app.failure = Some(format!("The region cannot be outlined: {why}"));
        }
        marked.annotated = Some(result);
    }
}

/// After a region edit's reply is committed: the composites to make, if it keeps the rest.
pub(super) fn composite_effect(app: &App, reply: TurnId) -> Option<Effect> {
    let prompt = app.conversation.get(reply)?.parent?;
    let (edit, base) = crate::region::kept_outside(&app.conversation, prompt)?;
    let TurnBody::Model(model) = &app.conversation.get(reply)?.body else {
        return None;
    };
    let raw: Vec<_> = model.images().cloned().collect();
    (!raw.is_empty()).then_some(Effect::Composite {
        turn: reply,
        edit,
        base,
        raw,
    })
}

/// The composites arrived: the reply shows them from now on, and is saved.
pub(super) fn on_composited(
    app: &mut App,
    turn: TurnId,
    result: Result<Vec<crate::conversation::Blob>, String>,
) -> Vec<Effect> {
    match result {
        Ok(composites) => match app.conversation.set_composites(turn, composites) {
            Ok(()) => {
                app.dirty = true;
                vec![app.save_effect()]
            }
            // The turn is gone (another session was opened meanwhile): nothing to show.
            Err(_) => Vec::new(),
        },
        Err(why) => {
            app.warn(why);
            Vec::new()
        }
    }
}
