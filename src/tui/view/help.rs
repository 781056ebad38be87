//! The `?` overlay: every key, grouped, from the keymap table itself, then the `/commands`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::tui::input::commands::COMMANDS;
use crate::tui::input::keymap::{ACTIONS, Action, Group};
use crate::tui::state::app::App;
use crate::tui::state::panes::ScrollView;
use crate::tui::view::widgets::{popup, render_lines, wrap};

pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let key_width = 24.min(width / 3);
    let heading = |text: String| -> Vec<Line<'static>> {
        let style = theme
            .accent()
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        wrap(&text, width)
            .into_iter()
            .map(|line| Line::styled(line, style))
            .collect()
    };
    // Each group once, in the table's group order, whatever order the actions are listed in.
    let mut groups: Vec<Group> = ACTIONS.iter().map(|a| a.group).collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.extend(heading(group.title().to_string()));
        for info in ACTIONS.iter().filter(|a| a.group == group) {
            let keys = app
                .keymap
                .keys_for(info.action)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            let keys = if keys.is_empty() {
                "(unbound)".to_string()
            } else {
                keys
            };
            lines.extend(row(&keys, info.description, key_width, width, app));
        }
    }
    lines.push(Line::default());
    lines.extend(heading(
        "Commands (type in the prompt, Enter runs; // sends a literal slash)".to_string(),
    ));
    for (usage, description) in COMMANDS {
        lines.extend(row(usage, description, key_width, width, app));
    }
    lines.push(Line::default());
    let note = format!(
        "Letters act outside the prompt only: {} goes from the prompt to the picture's keys and back. Every key can be changed: [keys] in the config file, e.g. send = \"ctrl-s\".",
        app.keymap.hint(Action::Back)
    );
    for line in wrap(&note, width) {
        lines.push(Line::styled(line, theme.muted()));
    }
    lines
}

/// A key (or command) and its description, wrapped in the columns; a key wider than its
/// column gets a line of its own, so nothing is cut.
fn row(
    cell: &str,
    description: &str,
    key_width: usize,
    width: usize,
    app: &App,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let text_width = width.saturating_sub(key_width + 1).max(10);
    let mut lines = Vec::new();
    let own_line = cell.chars().count() > key_width;
    if own_line {
        for part in wrap(cell, width) {
            lines.push(Line::styled(part, theme.key()));
        }
    }
    for (i, text) in wrap(description, text_width).into_iter().enumerate() {
        let key_cell = if i == 0 && !own_line {
            format!("{cell:<key_width$}")
        } else {
            " ".repeat(key_width)
        };
        lines.push(Line::from(vec![
            Span::styled(key_cell, theme.key()),
            Span::raw(" "),
            Span::styled(text, theme.base()),
        ]));
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, scroll: &ScrollView) {
    let theme = &app.theme;
    // The screen's width, less a margin: long descriptions wrap less on a wide terminal.
    let size = (
        area.width.saturating_sub(4).clamp(40, 150),
        area.height.saturating_sub(2).max(10),
    );
    let hint = "↑↓ PgUp PgDn scroll · Esc closes";
    let Some(inner) = popup(frame, area, size, "Keys and commands", hint, theme) else {
        return;
    };
    let lines = lines(app, inner.width as usize - 2);
    let offset = scroll.offset_for(lines.len(), inner.height as usize);
    render_lines(frame, inner, lines, offset, theme);
}
