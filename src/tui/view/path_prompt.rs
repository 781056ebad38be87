//! A one-line path prompt with Tab completion, for attaching an image or saving one. The
//! folder listing comes from the driver ([`Effect::Complete`]); choosing among the entries is
//! here, and pure.

use crate::tui::state::path_prompt::{PathPrompt, PathPurpose};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::tui::state::app::App;
use crate::tui::view::widgets::{popup, render_lines, truncate_left, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App, prompt: &PathPrompt) {
    let theme = &app.theme;
    let list_rows = prompt.completions.len().min(8) as u16;
    let message_rows = prompt.message.as_ref().map_or(0, |_| 2);
    let height = 5 + list_rows + message_rows;
    let title = match prompt.purpose {
        PathPurpose::Attach => "Attach an image",
        PathPurpose::SaveImage(_) => "Save the image to",
    };
    let hint = "Tab complete · Enter ok · Esc cancel";
    let Some(inner) = popup(frame, area, (80, height), title, hint, theme) else {
        return;
    };
    let width = inner.width as usize - 2;
    let shown = truncate_left(&prompt.text, width.saturating_sub(3));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", theme.accent()),
            Span::styled(shown, theme.base()),
            Span::styled(" ", theme.base().add_modifier(Modifier::REVERSED)),
        ]),
        Line::default(),
    ];
    if let Some(message) = &prompt.message {
        for line in wrap(message, width) {
            lines.push(Line::styled(line, theme.warning()));
        }
    }
    // A window of the completions around the highlighted one.
    let start = prompt
        .highlighted
        .map(|h| h.saturating_sub(list_rows.saturating_sub(1) as usize))
        .unwrap_or(0);
    for (i, (name, folder)) in prompt
        .completions
        .iter()
        .enumerate()
        .skip(start)
        .take(list_rows as usize)
    {
        let label = format!("{name}{}", if *folder { "/" } else { "" });
        let style = if *folder { theme.link() } else { theme.base() };
        if prompt.highlighted == Some(i) {
            let pad = width.saturating_sub(label.width() + 2);
            lines.push(Line::from(vec![
                Span::styled("▸ ", theme.accent().bg(theme.selection_bg)),
                Span::styled(label, style.bg(theme.selection_bg)),
                Span::styled(" ".repeat(pad), theme.selected()),
            ]));
        } else {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(label, style),
            ]));
        }
    }
    if prompt.completions.len() > list_rows as usize {
        lines.push(Line::styled(
            format!("{} matches; type more to narrow", prompt.completions.len()),
            theme.muted(),
        ));
    } else if prompt.completions.is_empty() && prompt.message.is_none() {
        lines.push(Line::styled(
            match prompt.purpose {
                PathPurpose::Attach => "PNG, JPEG, WebP, HEIC or HEIF; ~ is your home folder.",
                PathPurpose::SaveImage(_) => {
                    "A file name, or a folder to save into; ~ is your home folder."
                }
            },
            theme.muted(),
        ));
    }
    render_lines(frame, inner, lines, 0, theme);
}
