//! The session picker: the saved sessions, newest first, to open one or start a new one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::store::SessionSummary;
use crate::tui::state::app::App;
use crate::tui::view::widgets::{PickerRows, popup, truncate, wrap};

#[derive(Debug, Default)]
pub struct SessionPicker {
    pub loading: bool,
    pub sessions: Vec<SessionSummary>,
    pub selected: usize,
    pub error: Option<String>,
    current: String,
}

impl SessionPicker {
    pub fn loading() -> Self {
        Self {
            loading: true,
            ..Self::default()
        }
    }

    pub fn listed(&mut self, result: Result<Vec<SessionSummary>, String>, current: &str) {
        self.loading = false;
        self.current = current.to_string();
        match result {
            Ok(sessions) => {
                // Start on the newest session that is not the open one.
                self.selected = sessions.iter().position(|s| s.name != current).unwrap_or(0);
                self.sessions = sessions;
            }
            Err(error) => self.error = Some(error),
        }
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.selected + 1 < self.sessions.len() {
            self.selected += 1;
        }
    }

    /// The session to open; a damaged one cannot be.
    pub fn chosen(&self) -> Option<&str> {
        self.sessions
            .get(self.selected)
            .filter(|s| s.error.is_none())
            .map(|s| s.name.as_str())
    }
}

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
