//! The `?` overlay: every key, grouped, from the keymap table itself, then the `/commands`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::tui::input::commands::COMMANDS;
use crate::tui::input::keymap::{ACTIONS, Group};
use crate::tui::state::app::App;
use crate::tui::state::panes::ScrollView;
use crate::tui::view::widgets::{popup, render_lines, wrap};

pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let key_width = 24.min(width / 3);
    let text_width = width.saturating_sub(key_width + 1).max(10);
    let mut groups: Vec<Group> = ACTIONS.iter().map(|a| a.group).collect();
    groups.dedup();
    for group in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(
            group.title().to_string(),
            theme
                .accent()
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ));
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
            let described = wrap(info.description, text_width);
            for (i, text) in described.into_iter().enumerate() {
                let key_cell = if i == 0 {
                    format!("{keys:<key_width$}")
                } else {
                    " ".repeat(key_width)
                };
                lines.push(Line::from(vec![
                    Span::styled(key_cell, theme.key()),
                    Span::raw(" "),
                    Span::styled(text, theme.base()),
                ]));
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Commands (type in the prompt, Enter runs; // sends a literal slash)".to_string(),
        theme
            .accent()
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ));
    for (usage, description) in COMMANDS {
        for (i, text) in wrap(description, text_width).into_iter().enumerate() {
            let usage_cell = if i == 0 {
                format!("{usage:<key_width$}")
            } else {
                " ".repeat(key_width)
            };
            lines.push(Line::from(vec![
                Span::styled(usage_cell, theme.key()),
                Span::raw(" "),
                Span::styled(text, theme.base()),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Keys are configurable: [keys] in the config file, e.g. send = \"ctrl-s\". Letters act outside the prompt editor only.".to_string(),
        theme.muted(),
    ));
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, scroll: &ScrollView) {
    let theme = &app.theme;
    let size = (96, area.height.saturating_sub(2).max(10));
    let hint = "↑↓ PgUp PgDn scroll · Esc closes";
    let Some(inner) = popup(frame, area, size, "Keys and commands", hint, theme) else {
        return;
    };
    let lines = lines(app, inner.width as usize - 2);
    let offset = scroll.offset_for(lines.len(), inner.height as usize);
    render_lines(frame, inner, lines, offset, theme);
}
