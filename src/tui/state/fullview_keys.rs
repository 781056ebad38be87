//! Inspecting a picture in the full view: which picture it shows (the selected one, or a
//! grid candidate pinned by its key), what it is compared with, and its keys (zoom, pan,
//! versions, side by side, difference, mark).

use crossterm::event::KeyEvent;

use crate::tui::input::keymap::{Action, ViewAction};
use crate::tui::state::app::App;
use crate::tui::state::event::Effect;
use crate::tui::state::fullview::{Geometry, ViewChange, ViewMode};
use crate::tui::state::images::{ImageEntry, ImageKey, ImageKind};
use crate::tui::state::quitting::quit;
use crate::tui::state::region;
use crate::tui::state::selection::{version_step, version_step_target};
use crate::tui::state::variations;

impl App {
    /// The full view's sizes for the selected image: the image's pixels and the screen's
    /// between the view's header and key lines. `None` without an image or its size.
    pub fn view_geometry(&self) -> Option<Geometry> {
        let image = self.view_image()?.blob.dimensions()?;
        let (cols, rows) = (self.size.0, self.size.1.saturating_sub(2));
        // Side by side, each version gets half, with a column between.
        let cols = match self.full_view.map(|v| v.mode) {
            Some(ViewMode::SideBySide) => cols.saturating_sub(1) / 2,
            _ => cols,
        };
        Some(Geometry {
            image,
            screen: (
                u32::from(cols) * u32::from(self.cell_px.0.max(1)),
                u32::from(rows) * u32::from(self.cell_px.1.max(1)),
            ),
        })
    }

    /// The image the full view shows: a pinned one (a grid candidate), else the selected one.
    pub fn view_image(&self) -> Option<ImageEntry> {
        match self.view_pinned {
            Some(key) => self.image_by_key(key),
            None => self.selected_image(),
        }
    }

    /// The images `[` and `]` would show from the viewed one: prepared while the user looks.
    pub fn step_targets(&self) -> Vec<ImageEntry> {
        if self.view_pinned.is_some() && self.grid.is_some() {
            return [-1, 1]
                .into_iter()
                .filter_map(|step| variations::candidate_step(self, step))
                .filter_map(|(_, key)| self.image_by_key(key))
                .collect();
        }
        [-1, 1]
            .into_iter()
            .filter_map(|step| version_step_target(self, step))
            .collect()
    }

    /// The version the viewed one is compared with: the marked one (on any branch), else the
    /// final image before it on its path.
    pub fn compare_partner(&self) -> Option<ImageEntry> {
        let (images, current) = match self.view_pinned {
            Some(key) => {
                let turn = key.turn?;
                let images = self.path_images(self.conversation.path_to(turn), None);
                let current = images.iter().position(|e| e.key == key)?;
                (images, current)
            }
            None => {
                let images = self.images();
                let current = self.selected_image_index(&images)?;
                (images, current)
            }
        };
        if let Some(mark) = self.compare_mark
            && images.get(current).map(|e| e.key) != Some(mark)
            && let Some(marked) = self.image_by_key(mark)
        {
            return Some(marked);
        }
        images[..current]
            .iter()
            .rev()
            .find(|e| e.kind == ImageKind::Final)
            .cloned()
    }

    /// Marks `key` as the version to compare with, or unmarks it if it is the marked one.
    pub(super) fn toggle_mark(&mut self, key: Option<ImageKey>) {
        self.compare_mark = if self.compare_mark == key { None } else { key };
    }
}

/// Keys in the full view: zoom, pan, step versions (keeping zoom and position), back.
pub(super) fn on_view_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.full_view.is_some_and(|v| v.marking.is_some())
        && let Some(effects) = region::on_marking_key(app, key)
    {
        return effects;
    }
    let change = match app.keymap.lookup_in_view(&key) {
        Some(Action::View(ViewAction::ZoomIn)) => ViewChange::ZoomIn,
        Some(Action::View(ViewAction::ZoomOut)) => ViewChange::ZoomOut,
        Some(Action::View(ViewAction::ZoomActual)) => ViewChange::Actual,
        Some(Action::View(ViewAction::ZoomFit)) => ViewChange::Fit,
        Some(Action::View(ViewAction::PanLeft)) => ViewChange::Pan(-1, 0),
        Some(Action::View(ViewAction::PanRight)) => ViewChange::Pan(1, 0),
        Some(Action::View(ViewAction::PanUp)) => ViewChange::Pan(0, -1),
        Some(Action::View(ViewAction::PanDown)) => ViewChange::Pan(0, 1),
        Some(Action::View(ViewAction::CloseView) | Action::FullScreen | Action::Cancel) => {
            app.full_view = None;
            app.view_pinned = None;
            return Vec::new();
        }
        Some(Action::PrevImage) => {
            step_viewed(app, -1);
            return Vec::new();
        }
        Some(Action::NextImage) => {
            step_viewed(app, 1);
            return Vec::new();
        }
        Some(Action::Quit) => return quit(app),
        Some(
            action @ (Action::View(ViewAction::Compare) | Action::View(ViewAction::Difference)),
        ) => {
            if app.compare_partner().is_none() {
                app.warn("No earlier version to compare with: mark one with m, or step with [.");
            } else if let Some(view) = app.full_view.as_mut() {
                view.toggle(if action == Action::View(ViewAction::Compare) {
                    ViewMode::SideBySide
                } else {
                    ViewMode::Difference
                });
            }
            return Vec::new();
        }
        Some(Action::View(ViewAction::MarkRegion)) => {
            region::start_marking(app);
            return Vec::new();
        }
        Some(Action::View(ViewAction::MarkCompare)) => {
            let viewed = app.view_image().map(|e| e.key);
            app.toggle_mark(viewed);
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    if let (Some(geometry), Some(view)) = (app.view_geometry(), app.full_view.as_mut()) {
        view.apply(change, &geometry);
    }
    Vec::new()
}

/// `[`/`]` in the full view: a grid candidate steps to the next candidate, anything else to
/// the next version on the path; the zoom and position stay.
fn step_viewed(app: &mut App, step: isize) {
    if app.view_pinned.is_some() && app.grid.is_some() {
        variations::step_viewed_candidate(app, step);
        return;
    }
    app.view_pinned = None;
    version_step(app, step);
}
