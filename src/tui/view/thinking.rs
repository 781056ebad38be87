//! The thinking pane: the thought summaries of the selected reply, streamed live while it is
//! being generated, with the interim thought images listed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::conversation::ModelTurn;
use crate::tui::state::app::App;
use crate::tui::state::images::SelectedReply;
use crate::tui::state::layout::Pane;
use crate::tui::view::widgets::{
    describe_blob, draw_pane, pane_block, render_lines, styled_markdown, wrap,
};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Thinking;
    let (reply, extra, live) = match app.selected_reply() {
        SelectedReply::Done(id, reply) => (Some(reply), Some(format!(" turn #{id} ")), false),
        SelectedReply::Pending(reply) => (Some(reply), Some(" live ".to_string()), true),
        SelectedReply::None => (None, None, false),
    };
    let extra_style = if live { theme.thought() } else { theme.muted() };
    let block = pane_block(
        "Thinking",
        extra.map(|e| Line::from(Span::styled(e, extra_style))),
        focused,
        theme,
    );
    let Some(inner) = draw_pane(frame, area, block, (3, 1)) else {
        return;
    };
    let width = inner.width as usize - 2;
    let lines = match reply {
        Some(reply) => thought_lines(reply, width, live, app),
        None => wrap(
            "The model's thought summaries for the selected turn appear here.",
            width,
        )
        .into_iter()
        .map(|l| Line::styled(l, theme.muted()))
        .collect(),
    };
    let offset = app
        .thinking_view
        .offset_for(lines.len(), inner.height as usize);
    render_lines(frame, inner, lines, offset, theme);
}

fn thought_lines(reply: &ModelTurn, width: usize, live: bool, app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let thoughts = reply.thoughts();
    for (i, thought) in thoughts.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        for line in wrap(thought.trim(), width) {
            lines.push(styled_markdown(&line, theme.thought()));
        }
    }
    let images: Vec<_> = reply.thought_images().collect();
    if !images.is_empty() {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        for (i, blob) in images.iter().enumerate() {
            for line in wrap(
                &format!("◇ draft {}: {}", i + 1, describe_blob(blob)),
                width,
            ) {
                lines.push(Line::styled(line, theme.accent()));
            }
        }
    }
    if lines.is_empty() {
        let text = if live {
            "Waiting for the model's first thoughts…"
        } else {
            "No thoughts were shared for this turn (Gemini 3 image models share them; 2.5 Flash does not)."
        };
        for line in wrap(text, width) {
            lines.push(Line::styled(line, theme.muted()));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Part;

    #[test]
    fn joined_thoughts_are_split_at_their_headings() {
        let mut first = Part::text("**Planning**\n\nA layout with **bold** words.");
        first.thought = true;
        let mut second = Part::text("**Checking**\n\nFacts.");
        second.thought = true;
        let reply = ModelTurn {
            parts: vec![first, second],
            ..ModelTurn::default()
        };
        assert_eq!(
            reply.thoughts(),
            vec![
                "**Planning**\n\nA layout with **bold** words.".to_string(),
                "**Checking**\n\nFacts.".to_string()
            ]
        );
    }
}
