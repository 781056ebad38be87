//! The tree view: the whole session as a tree — every prompt and reply, the version number of
//! each final image, branches indented where they fork, jobs in flight marked, the active path
//! highlighted. Enter makes the chosen node's path active.
//!
//! A chain of single children stays at one indent (a 500-turn session without branches is a
//! flat list, not a staircase). The rows are built in one pass over the turns and only the
//! visible ones are drawn.

use std::collections::{HashMap, HashSet};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::conversation::{Conversation, TurnBody, TurnId};
use crate::tui::state::app::App;
use crate::tui::state::jobs::Jobs;
use crate::tui::view::image::ImagePreview;
use crate::tui::view::widgets::{keep_visible, popup, render_lines, truncate};

/// The view's state: the selected row.
#[derive(Debug, Default)]
pub struct TreeView {
    pub selected: usize,
}

impl TreeView {
    /// Opens on the active leaf.
    pub fn at_active(rows: &[TreeRow], active: Option<TurnId>) -> Self {
        Self {
            selected: rows
                .iter()
                .position(|r| Some(r.turn) == active)
                .unwrap_or(0),
        }
    }

    pub fn step(&mut self, by: isize, len: usize) {
        self.selected = self
            .selected
            .saturating_add_signed(by)
            .min(len.saturating_sub(1));
    }
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeRow {
    pub turn: TurnId,
    /// Branch glyphs before the node, e.g. `│ ├─ `.
    pub prefix: String,
    pub prompt: bool,
    /// The first line of a prompt, or of a reply's text.
    pub text: String,
    /// Version numbers (in the order the images were made) of the reply's final images.
    pub versions: Vec<usize>,
    pub on_active_path: bool,
    /// Jobs answering this prompt now.
    pub jobs: usize,
}

/// Every turn as a row, depth first, oldest branch first.
pub fn rows(conversation: &Conversation, jobs: &Jobs) -> Vec<TreeRow> {
    let turns = conversation.turns();
    let mut children: HashMap<Option<TurnId>, Vec<TurnId>> = HashMap::with_capacity(turns.len());
    for turn in turns {
        children.entry(turn.parent).or_default().push(turn.id);
    }
    let active: HashSet<TurnId> = conversation.active_path().iter().map(|t| t.id).collect();
    let mut versions = conversation.version_numbers();
    let mut jobs_on: HashMap<TurnId, usize> = HashMap::new();
    for job in jobs.iter() {
        *jobs_on.entry(job.prepared.prompt_turn).or_default() += 1;
    }

    let mut rows = Vec::with_capacity(turns.len());
    // (turn, the indent of its branch, its own glyph).
    let mut stack: Vec<(TurnId, String, &str)> = Vec::new();
    push_children(&mut stack, children.get(&None), "");
    while let Some((id, indent, glyph)) = stack.pop() {
        let Some(turn) = conversation.get(id) else {
            continue;
        };
        let (prompt, text) = match &turn.body {
            TurnBody::User(user) => (true, user.prompt()),
            TurnBody::Model(reply) => (false, reply.text()),
        };
        rows.push(TreeRow {
            turn: id,
            prefix: format!("{indent}{glyph}"),
            prompt,
            text: text.lines().next().unwrap_or_default().to_string(),
            versions: versions.remove(&id).unwrap_or_default(),
            on_active_path: active.contains(&id),
            jobs: jobs_on.get(&id).copied().unwrap_or(0),
        });
        // Children of a fork are drawn one level in; a single child stays in line.
        let below = match glyph {
            "├─ " => format!("{indent}│  "),
            "└─ " => format!("{indent}   "),
            _ => indent,
        };
        push_children(&mut stack, children.get(&Some(id)), &below);
    }
    rows
}

/// Pushes `ids` so the oldest is popped first; a fork's children get branch glyphs.
fn push_children(stack: &mut Vec<(TurnId, String, &str)>, ids: Option<&Vec<TurnId>>, indent: &str) {
    let Some(ids) = ids else {
        return;
    };
    let fork = ids.len() > 1;
    for (i, id) in ids.iter().enumerate().rev() {
        let glyph = match (fork, i + 1 == ids.len()) {
            (false, _) => "",
            (true, false) => "├─ ",
            (true, true) => "└─ ",
        };
        stack.push((*id, indent.to_string(), glyph));
    }
}

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
        let Some(blob) = reply.images().last() else {
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
    use crate::conversation::{ModelTurn, Part, TurnSettings, UserTurn};

    fn prompt(text: &str) -> UserTurn {
        UserTurn {
            parts: vec![Part::text(text)],
            settings: TurnSettings::default(),
        }
    }

    fn reply(text: &str, images: usize) -> ModelTurn {
        let mut parts = vec![Part::text(text)];
        for i in 0..images {
            parts.push(Part::image(crate::conversation::Blob::from_bytes(
                "image/png",
                bytes::Bytes::from(vec![i as u8; 4]),
            )));
        }
        ModelTurn {
            parts,
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        }
    }

    #[test]
    fn forks_are_indented_chains_are_not_and_versions_count_images() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("tea"), String::new()).unwrap();
        let m1 = c.add_model(u1, reply("one", 1), String::new()).unwrap();
        let m2 = c.add_model(u1, reply("two", 1), String::new()).unwrap();
        let u2 = c.add_user(Some(m1), prompt("blue"), String::new()).unwrap();
        let m3 = c.add_model(u2, reply("three", 1), String::new()).unwrap();
        c.activate(m3).unwrap();
        let rows = rows(&c, &Jobs::new(4));
        let summary: Vec<(TurnId, &str, Vec<usize>, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.turn,
                    r.prefix.as_str(),
                    r.versions.clone(),
                    r.on_active_path,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (u1, "", vec![], true),
                (m1, "├─ ", vec![1], true),
                (u2, "│  ", vec![], true),
                (m3, "│  ", vec![3], true),
                (m2, "└─ ", vec![2], false),
            ]
        );
    }

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

    #[test]
    fn a_long_chain_stays_flat() {
        let mut c = Conversation::new();
        let mut parent = None;
        for i in 0..250 {
            let u = c
                .add_user(parent, prompt(&format!("edit {i}")), String::new())
                .unwrap();
            parent = Some(c.add_model(u, reply("ok", 1), String::new()).unwrap());
        }
        let rows = rows(&c, &Jobs::new(4));
        assert_eq!(rows.len(), 500);
        assert!(rows.iter().all(|r| r.prefix.is_empty()));
        assert_eq!(rows.last().unwrap().versions, vec![250]);
    }
}
