//! The prompt editor: pending attachments listed above a multi-line editor, the latest notice
//! (a command's outcome or a problem) between them, and what Enter will do in the title.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::layout::Pane;
use crate::tui::view::widgets::{describe_blob, draw_pane, pane_block, truncate, wrap};

/// The most lines a notice takes from the editor.
const NOTICE_LINES: usize = 3;
/// The most lines the marked region's line takes.
const REGION_LINES: usize = 2;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Input;
    // Where Enter sends the prompt, when that is not simply after the latest reply.
    let title = match (&app.editing, &app.region) {
        (_, Some(marked)) => format!("Prompt → edits a region of {}", version(app, marked.on)),
        (Some(edit), None) => format!("Editing prompt #{} → new branch", edit.turn),
        (None, None) if app.followups.is_some() || app.awaited_prompt().is_some() => {
            "Prompt → waits for this reply".to_string()
        }
        (None, None) => match app.branch_point() {
            Some(reply) => format!("Prompt → new branch from #{reply}"),
            None => "Prompt".to_string(),
        },
    };
    // How to get out of the prompt is said where the user types.
    let hint = match &app.editing {
        Some(_) => format!(
            " {} send · {} stop editing ",
            app.keymap.hint(Action::Send),
            app.keymap.hint(Action::Cancel)
        ),
        None => format!(
            " {} send · {} new line · {} picture keys ",
            app.keymap.hint(Action::Send),
            app.keymap.hint(Action::Newline),
            app.keymap.hint(Action::Back)
        ),
    };
    // The hint gives way to the title when both do not fit.
    let room = area.width as usize;
    let hint = (title.width() + hint.width() + 10 <= room)
        .then(|| Line::from(Span::styled(hint, theme.muted())));
    let block = pane_block(&title, hint, focused, theme);
    let Some(inner) = draw_pane(frame, area, block, (4, 1)) else {
        return;
    };
    let width = inner.width as usize - 1;

    let mut above: Vec<Line> = Vec::new();
    for (i, line) in region_lines(app, width.saturating_sub(3))
        .iter()
        .enumerate()
    {
        let mark = if i == 0 { " ▭ " } else { "   " };
        above.push(Line::from(vec![
            Span::styled(mark, theme.accent()),
            Span::styled(truncate(line, width.saturating_sub(3)), theme.base()),
        ]));
    }
    for (i, attachment) in app.attachments.iter().enumerate() {
        let text = format!("{}  {}", attachment.name, describe_blob(&attachment.blob));
        above.push(Line::from(vec![
            Span::styled(format!(" +{} ", i + 1), theme.accent()),
            Span::styled(truncate(&text, width.saturating_sub(4)), theme.base()),
        ]));
    }
    if let Some(notice) = &app.notice {
        let style = if notice.error {
            theme.error()
        } else {
            theme.success()
        };
        // Three columns go to the mark in front.
        let mut lines = wrap(&notice.text, (inner.width as usize).saturating_sub(3));
        if lines.len() > NOTICE_LINES {
            lines.truncate(NOTICE_LINES);
            if let Some(last) = lines.last_mut() {
                *last = truncate(
                    &format!("{last} …"),
                    (inner.width as usize).saturating_sub(3),
                );
            }
        }
        for (i, line) in lines.into_iter().enumerate() {
            let prefix = match (i, notice.error) {
                (0, true) => " ✗ ",
                (0, false) => " ✓ ",
                _ => "   ",
            };
            above.push(Line::styled(format!("{prefix}{line}"), style));
        }
    }
    // The editor keeps at least one line.
    let above_height = (above.len() as u16).min(inner.height.saturating_sub(1));
    let [top, editor_area] =
        Layout::vertical([Constraint::Length(above_height), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(above).style(theme.base()), top);

    let editor_area = editor_area.inner(ratatui::layout::Margin::new(1, 0));
    let mut editor = app.input.clone();
    editor.set_style(theme.base());
    editor.set_cursor_line_style(Style::default());
    editor.set_placeholder_style(theme.muted());
    if focused {
        editor.set_cursor_style(theme.base().add_modifier(Modifier::REVERSED));
    } else {
        // No cursor where nobody types.
        editor.set_cursor_style(theme.base());
    }
    frame.render_widget(&editor, editor_area);
}

/// The marked region as the prompt lists it, wrapped at `width` columns: two lines at most, so
/// a narrow column still shows where the region is.
pub fn region_lines(app: &App, width: usize) -> Vec<String> {
    let Some(marked) = &app.region else {
        return Vec::new();
    };
    let state = match &marked.annotated {
        None => "outlining…",
        Some(Err(_)) => "cannot be outlined",
        Some(Ok(_)) if app.keep_outside => "keeps the rest",
        Some(Ok(_)) => "the model may redraw the rest",
    };
    // What it is and how to drop it first: what is cut is the end.
    let text = format!(
        "region on {} ({} clears): {} · {state}",
        version(app, marked.on),
        app.keymap.hint(Action::ClearRegion),
        marked.region,
    );
    let mut lines = wrap(&text, width);
    lines.truncate(REGION_LINES);
    lines
}

/// The version name of the reply `turn`'s picture ("v4"), or its turn number.
fn version(app: &App, turn: crate::conversation::TurnId) -> String {
    app.conversation
        .version_name(turn)
        .unwrap_or_else(|| format!("#{turn}"))
}
