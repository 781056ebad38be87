//! The question a quit key asks when leaving would cost something: what is running (paid
//! replies that would be lost), what is unsent (kept as the session's draft), and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::view::widgets::{popup, render_lines, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(72);
    let text_width = usize::from(width.saturating_sub(4)).max(10);
    let mut said: Vec<(String, bool)> = Vec::new();
    match app.jobs.len() {
        0 => {}
        1 => said.push((
            "1 generation is running: its reply, already paid for, would be lost.".into(),
            true,
        )),
        n => said.push((
            format!("{n} generations are running: their replies, already paid for, would be lost."),
            true,
        )),
    }
    let queued = app.followups.as_ref().map_or(0, |f| f.queue.len());
    if queued > 0 || !app.draft_text().trim().is_empty() {
        said.push((
            format!(
                "Your unsent prompt{} kept as this session's draft: it is back in the editor when you open the session again.",
                if queued > 0 { "s (queued ones too) are" } else { " is" }
            ),
            false,
        ));
    }
    if said.is_empty() {
        said.push((
            "Nothing is running or unsent any more: nothing would be lost.".to_string(),
            false,
        ));
    }
    let quit_keys: Vec<String> = app
        .keymap
        .keys_for(Action::Quit)
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut keys = format!("{} again or Enter: quit now", quit_keys.join("/"));
    match app.jobs.len() {
        0 => {}
        1 => keys.push_str(" · w: wait for it, then quit"),
        _ => keys.push_str(" · w: wait for them, then quit"),
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (text, warning) in said {
        let style = if warning {
            theme.warning()
        } else {
            theme.base()
        };
        lines.extend(
            wrap(&text, text_width)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    }
    lines.push(Line::default());
    lines.extend(
        wrap(&keys, text_width)
            .into_iter()
            .map(|l| Line::styled(l, theme.accent())),
    );
    let height = lines.len() as u16 + 2;
    let Some(inner) = popup(frame, area, (width, height), "Quit?", "Esc stays", theme) else {
        return;
    };
    render_lines(frame, inner, lines, 0, theme);
}
