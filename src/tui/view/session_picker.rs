//! The session picker: the saved sessions, newest first, to open one or start a new one.

use crate::tui::state::pickers::SessionPicker;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::tui::state::app::App;
use crate::tui::view::widgets::{PickerRows, popup, truncate, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App, picker: &SessionPicker) {
    let theme = &app.theme;
    let rows = picker.sessions.len() as u16 * 2 + u16::from(picker.error.is_some()) * 2 + 3;
    let size = (
        90,
        rows.clamp(6, area.height.saturating_sub(2).clamp(6, 24)),
    );
    let hint = "↑↓ choose · Enter open · n new · Esc close";
    let Some(inner) = popup(frame, area, size, "Open a session", hint, theme) else {
        return;
    };
    let width = inner.width as usize - 2;
    let mut rows = PickerRows::new(width);
    if let Some(error) = &picker.error {
        for line in wrap(error, width) {
            rows.lines.push(Line::styled(line, theme.error()));
        }
    }
    if picker.loading {
        rows.lines
            .push(Line::styled("Reading the sessions…", theme.muted()));
    } else if picker.sessions.is_empty() && picker.error.is_none() {
        rows.lines.push(Line::styled(
            "No saved sessions yet. Press n for a new one.",
            theme.muted(),
        ));
    }
    for (i, session) in picker.sessions.iter().enumerate() {
        let selected = i == picker.selected;
        let open = session.name == picker.current;
        let name = format!("{}{}", session.name, if open { " (open)" } else { "" });
        let detail = match &session.error {
            Some(_) => "damaged".to_string(),
            None => format!(
                "{} turns · {} images · {}",
                session.turns,
                session.images,
                session
                    .updated_at
                    .get(..16)
                    .unwrap_or(&session.updated_at)
                    .replace('T', " ")
            ),
        };
        let name_width = 28.min(width / 2);
        let spans = vec![
            Span::styled(
                format!("{:<name_width$} ", truncate(&name, name_width)),
                theme.base().add_modifier(Modifier::BOLD),
            ),
            Span::styled(detail, theme.muted()),
        ];
        let title = match &session.error {
            Some(error) => truncate(error, width.saturating_sub(2)),
            None if session.title.is_empty() => "(no prompt yet)".into(),
            None => truncate(&session.title, width.saturating_sub(2)),
        };
        let title_style = if session.error.is_some() {
            theme.error()
        } else {
            theme.base()
        };
        let second = vec![Span::raw("  "), Span::styled(title, title_style)];
        rows.row(spans, second, selected, theme);
    }
    rows.render(frame, inner, theme);
}
