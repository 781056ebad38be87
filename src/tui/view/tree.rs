//! The tree view: the whole session as a tree — every prompt and reply, the version number of
//! each final image, branches indented where they fork, jobs in flight marked, the active path
//! highlighted. Enter makes the chosen node's path active.
//!
//! A chain of single children stays at one indent (a 500-turn session without branches is a
//! flat list, not a staircase). The rows are built in one pass over the turns and only the
//! visible ones are drawn.

use crate::tui::state::tree::{TreeRow, TreeView, rows};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::conversation::TurnBody;
use crate::tui::state::app::App;
use crate::tui::view::pictures::ImagePreview;
use crate::tui::view::widgets::{keep_visible, popup, render_lines, truncate};

/// A node's thumbnail in cells, where the terminal draws graphics: the node takes as many
/// lines, its text on the first.
pub const THUMBNAIL: (u16, u16) = (6, 3);

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    view: &TreeView,
    images: &mut dyn ImagePreview,
) {
    let theme = &app.theme;
    let rows = rows(&app.conversation, &app.jobs);
    let size = (
        area.width.saturating_sub(6).min(110),
        area.height.saturating_sub(2),
    );
    let title = format!("Session tree · {} turns", rows.len());
    let hint = "↑↓ choose · Enter make its path active · Esc close";
    let Some(inner) = popup(frame, area, size, &title, hint, theme) else {
        return;
    };
    if rows.is_empty() {
        render_lines(
            frame,
            inner,
            vec![Line::styled("No turns yet.", theme.muted())],
            0,
            theme,
        );
        return;
    }
    // A thumbnail's column only where the rows keep room for their text beside it.
    let thumbnails = images.draws_graphics() && inner.width > 40;
    let lines = RowLines::new(&rows, thumbnails);
    let height = inner.height as usize;
    let selected = view.selected.min(rows.len() - 1);
    let (start, end) = lines.span(selected);
    let offset = keep_visible(0, start, end, height, lines.total());
    let thumbnail_column = if thumbnails { THUMBNAIL.0 + 1 } else { 0 };
    let width = inner.width.saturating_sub(2 + thumbnail_column) as usize;
    // Only the rows in view are drawn, and only their thumbnails asked for.
    let first = lines.row_at(offset);
    let mut text = Vec::with_capacity(height);
    let mut pictures = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(first) {
        let (start, end) = lines.span(i);
        if start >= offset + height {
            break;
        }
        text.push(line(row, i == selected, width, app));
        text.extend((start + 1..end).map(|_| Line::default()));
        if thumbnails && start >= offset && end > start + 1 {
            pictures.push((start - offset, row.turn));
        }
    }
    let skip = offset - lines.span(first).0;
    render_lines(frame, inner, text, skip, theme);
    for (y, turn) in pictures {
        let Some(TurnBody::Model(reply)) = app.conversation.get(turn).map(|t| &t.body) else {
            continue;
        };
        let Some(blob) = reply.shown_images().last() else {
            continue;
        };
        let y = inner.y + y as u16;
        let area = Rect::new(
            inner.right().saturating_sub(THUMBNAIL.0),
            y,
            THUMBNAIL.0,
            THUMBNAIL.1.min(inner.bottom().saturating_sub(y)),
        );
        images.draw_small(frame, area, blob, theme);
    }
}

/// Where each row's lines start when rows with images are as tall as a thumbnail.
struct RowLines {
    /// The first line of each row, then the total.
    starts: Vec<usize>,
}

impl RowLines {
    fn new(rows: &[TreeRow], thumbnails: bool) -> Self {
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut line = 0;
        for row in rows {
            starts.push(line);
            line += if thumbnails && !row.versions.is_empty() {
                THUMBNAIL.1 as usize
            } else {
                1
            };
        }
        starts.push(line);
        Self { starts }
    }

    /// Lines `start..end` of row `i`.
    fn span(&self, i: usize) -> (usize, usize) {
        (self.starts[i], self.starts[i + 1])
    }

    fn total(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// The row that line `line` belongs to.
    fn row_at(&self, line: usize) -> usize {
        self.starts
            .partition_point(|start| *start <= line)
            .saturating_sub(1)
            .min(self.starts.len().saturating_sub(2))
    }
}

fn line(row: &TreeRow, selected: bool, width: usize, app: &App) -> Line<'static> {
    let theme = &app.theme;
    let marker = if row.on_active_path { "● " } else { "○ " };
    let (who, who_style) = if row.prompt {
        ("You", theme.user())
    } else {
        ("Model", theme.model())
    };
    let mut spans = vec![
        Span::styled(row.prefix.clone(), theme.muted()),
        Span::styled(
            marker,
            if row.on_active_path {
                theme.accent()
            } else {
                theme.muted()
            },
        ),
        Span::styled(format!("#{} {who}", row.turn), who_style),
    ];
    if !row.versions.is_empty() {
        let versions: Vec<String> = row.versions.iter().map(|v| format!("v{v}")).collect();
        spans.push(Span::styled(
            format!(" ◆ {}", versions.join(" ")),
            theme.accent(),
        ));
    }
    if row.jobs > 0 {
        spans.push(Span::styled(
            format!(" ⟳ {} running", row.jobs),
            theme.warning(),
        ));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    if !row.text.is_empty() && used + 3 < width {
        spans.push(Span::styled(
            format!(": {}", truncate(&row.text, width - used - 2)),
            if row.on_active_path {
                theme.base()
            } else {
                theme.muted()
            },
        ));
    }
    if selected {
        for span in &mut spans {
            span.style = span
                .style
                .bg(theme.selection_bg)
                .add_modifier(Modifier::BOLD);
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Conversation;
    use crate::tui::state::jobs::Jobs;
    use crate::tui::state::tree::tests::{prompt, reply};

    #[test]
    fn rows_with_images_are_as_tall_as_a_thumbnail_where_graphics_show() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("tea"), String::new()).unwrap();
        let m1 = c.add_model(u1, reply("one", 1), String::new()).unwrap();
        let u2 = c.add_user(Some(m1), prompt("blue"), String::new()).unwrap();
        c.add_model(u2, reply("no picture", 0), String::new())
            .unwrap();
        let rows = rows(&c, &Jobs::new(4));
        let tall = RowLines::new(&rows, true);
        let h = THUMBNAIL.1 as usize;
        assert_eq!(tall.starts, vec![0, 1, 1 + h, 2 + h, 3 + h]);
        assert_eq!(tall.span(1), (1, 1 + h));
        assert_eq!(tall.row_at(0), 0);
        assert_eq!(tall.row_at(2), 1, "a thumbnail's lines belong to its row");
        assert_eq!(tall.row_at(1 + h), 2);
        assert_eq!(tall.row_at(100), 3);
        let flat = RowLines::new(&rows, false);
        assert_eq!(flat.starts, vec![0, 1, 2, 3, 4]);
    }
}
