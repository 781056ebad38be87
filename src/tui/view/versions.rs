//! The versions strip under the picture: the shown path's final images in order, the selected
//! one highlighted, so stepping with `[` and `]` is visual.
//!
//! Where the terminal draws graphics each version is a small thumbnail, drawn through the same
//! [`ImagePreview`] as the pane (prepared on its worker and cached like any picture), over its
//! number. With halfblocks only the numbers show, on one row: a thumbnail of 8×4 cells would be
//! 8×8 coloured pixels, a smear that tells versions apart no better than their numbers, and it
//! would take four rows from the picture. A pane too short for thumbnails shows the numbers
//! too.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::state::app::App;
use crate::tui::state::images::Version;
use crate::tui::theme::Theme;
use crate::tui::view::pictures::ImagePreview;
use crate::tui::view::widgets::keep_visible;

/// A thumbnail's size in cells: about square in a terminal's 1:2 cells.
pub const THUMBNAIL: (u16, u16) = (8, 4);
/// Columns of one number where only numbers show ("v12" and a space either side).
const NUMBER_WIDTH: u16 = 5;

/// What the strip shows: the versions and which is selected.
#[derive(Debug, Clone)]
pub struct Strip {
    pub versions: Vec<Version>,
    /// The selected image's place in `versions`, if the selected image is a version (not an
    /// attachment or a thought image).
    pub selected: Option<usize>,
}

impl Strip {
    pub fn of(app: &App) -> Self {
        let versions = app.versions();
        let images = app.images();
        let selected_key = app
            .selected_image_index(&images)
            .and_then(|i| images.get(i))
            .map(|e| e.key);
        let selected = versions.iter().position(|v| Some(v.key) == selected_key);
        Self { versions, selected }
    }

    /// Rows the strip takes: none for fewer than two versions (nothing to step through).
    pub fn height(&self, thumbnails: bool) -> u16 {
        match (self.versions.len() >= 2, thumbnails) {
            (false, _) => 0,
            (true, true) => THUMBNAIL.1 + 1,
            (true, false) => 1,
        }
    }

    /// Columns one version takes, with the gap after it.
    fn slot_width(thumbnails: bool) -> u16 {
        if thumbnails {
            THUMBNAIL.0 + 1
        } else {
            NUMBER_WIDTH
        }
    }

    /// The versions that fit `width` columns: the newest, moved as little as needed to keep
    /// the selected one in view.
    pub fn window(&self, width: u16, thumbnails: bool) -> Range<usize> {
        let len = self.versions.len();
        // The last slot needs no gap after it.
        let slots = ((width + 1) / Self::slot_width(thumbnails)).max(1) as usize;
        let newest = len.saturating_sub(slots);
        let start = match self.selected {
            Some(i) => keep_visible(newest, i, i + 1, slots, len),
            None => newest,
        };
        start..(start + slots).min(len)
    }
}

fn label(version: &Version) -> String {
    match version.number {
        Some(n) => format!("v{n}"),
        None => "new".to_string(),
    }
}

fn label_style(selected: bool, theme: &Theme) -> Style {
    if selected {
        theme.selected().add_modifier(Modifier::BOLD)
    } else {
        theme.muted()
    }
}

/// Draws the strip in `area` (as tall as [`Strip::height`]): `thumbnails` or the numbers.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    strip: &Strip,
    thumbnails: bool,
    theme: &Theme,
    images: &mut dyn ImagePreview,
) {
    let slot = Strip::slot_width(thumbnails);
    let window = strip.window(area.width, thumbnails);
    if !thumbnails {
        let spans: Vec<Span> = window
            .map(|i| {
                let selected = strip.selected == Some(i);
                Span::styled(
                    format!(
                        "{:^width$}",
                        label(&strip.versions[i]),
                        width = slot as usize
                    ),
                    label_style(selected, theme),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
        return;
    }
    for (place, i) in window.enumerate() {
        let x = area.x + place as u16 * slot;
        let width = THUMBNAIL.0.min(area.right().saturating_sub(x));
        if width == 0 {
            break;
        }
        let version = &strip.versions[i];
        let picture = Rect::new(x, area.y, width, THUMBNAIL.1.min(area.height));
        images.draw_small(frame, picture, &version.blob, theme);
        if area.height > THUMBNAIL.1 {
            let selected = strip.selected == Some(i);
            let text = format!("{:^width$}", label(version), width = width as usize);
            frame.render_widget(
                Paragraph::new(Span::styled(text, label_style(selected, theme))),
                Rect::new(x, area.y + THUMBNAIL.1, width, 1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::state::images::ImageKey;

    fn strip(len: usize, selected: Option<usize>) -> Strip {
        let blob = crate::conversation::Blob::from_bytes("image/png", bytes::Bytes::new());
        let versions = (0..len)
            .map(|i| Version {
                key: ImageKey {
                    turn: Some(crate::conversation::TurnId(i as u32 * 2 + 2)),
                    index: 0,
                },
                number: Some(i + 1),
                blob: blob.clone(),
            })
            .collect();
        Strip { versions, selected }
    }

    #[test]
    fn one_version_needs_no_strip() {
        assert_eq!(strip(1, Some(0)).height(true), 0);
        assert_eq!(strip(2, Some(0)).height(true), THUMBNAIL.1 + 1);
        assert_eq!(strip(2, Some(0)).height(false), 1);
    }

    #[test]
    fn the_window_shows_the_newest_and_follows_the_selection() {
        // 9 columns a thumbnail: 4 fit in 35 (the last without its gap).
        assert_eq!(strip(10, None).window(35, true), 6..10);
        assert_eq!(strip(10, Some(9)).window(35, true), 6..10);
        assert_eq!(strip(10, Some(7)).window(35, true), 6..10);
        // Stepping back past the left edge moves the window one at a time.
        assert_eq!(strip(10, Some(5)).window(35, true), 5..9);
        assert_eq!(strip(10, Some(0)).window(35, true), 0..4);
        // All fit: all shown.
        assert_eq!(strip(3, Some(0)).window(80, true), 0..3);
        // Numbers only: 5 columns each.
        assert_eq!(strip(10, Some(0)).window(20, false), 0..4);
        // Too narrow for one: still one, the selected.
        assert_eq!(strip(10, Some(4)).window(3, true), 4..5);
    }
}
