//! The missing-key overlay: which variables to set, and the offer to use the demo model.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

use crate::tui::state::app::App;
use crate::tui::view::widgets::{centered, pane_block, render_lines, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let width: u16 = 74;
    let text_width = width.min(area.width).saturating_sub(4) as usize;
    let message = app
        .missing_key
        .clone()
        .unwrap_or_else(|| "No API key is set.".into());
    let mut lines: Vec<Line> = Vec::new();
    for line in wrap(&message, text_width) {
        lines.push(Line::styled(line, theme.base()));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("d", theme.key()),
        Span::styled(
            "  use the offline demo model now (no key; simple pictures)",
            theme.base(),
        ),
    ]));
    lines.push(Line::from(vec![
        Span::styled("q", theme.key()),
        Span::styled("  quit, set the key, and start again", theme.base()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Esc", theme.key()),
        Span::styled(
            " look around first (sending needs a key or /demo)",
            theme.base(),
        ),
    ]));
    let height = lines.len() as u16 + 2;
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = pane_block("No API key", None, true, theme).border_style(
        theme
            .border(true)
            .fg(theme.warning)
            .add_modifier(Modifier::BOLD),
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    render_lines(frame, inner, lines, 0, theme);
}
