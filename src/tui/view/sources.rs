//! The sources pane: what grounded the selected reply — the search queries, then the sources
//! numbered with title and URI. One is selected; the copy key copies its URI.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::images::SelectedReply;
use crate::tui::state::layout::Pane;
use crate::tui::view::widgets::{draw_pane, keep_visible, pane_block, render_lines, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Sources;
    let grounding = match app.selected_reply() {
        SelectedReply::Done(_, reply) => reply.grounding.as_ref(),
        _ => None,
    };
    let count = grounding.map(|g| g.sources().count()).unwrap_or(0);
    let extra = (count > 0).then(|| Line::from(Span::styled(format!(" {count} "), theme.muted())));
    let block = pane_block("Sources", extra, focused, theme);
    let Some(inner) = draw_pane(frame, area, block, (6, 1)) else {
        return;
    };
    let width = inner.width as usize - 2;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_range = (0, 0);
    match grounding.filter(|g| !g.is_empty()) {
        None => {
            let search = app.keymap.hint(Action::ToggleSearch);
            let text = if app.settings.google_search {
                "No sources for the selected turn. Search is on for the next prompt.".to_string()
            } else {
                format!(
                    "No sources for the selected turn. Turn Google Search on ({search} or /search on) to ground images in current facts."
                )
            };
            for line in wrap(&text, width) {
                lines.push(Line::styled(line, theme.muted()));
            }
        }
        Some(grounding) => {
            let searches = [
                ("Searched", &grounding.web_search_queries),
                ("Image search", &grounding.image_search_queries),
            ];
            for (label, queries) in searches.into_iter().filter(|(_, q)| !q.is_empty()) {
                let queries = queries
                    .iter()
                    .map(|q| format!("“{q}”"))
                    .collect::<Vec<_>>()
                    .join(", ");
                for line in wrap(&format!("{label} {queries}"), width) {
                    lines.push(Line::styled(line, theme.muted()));
                }
            }
            let selected = app.sources_view.selected.min(count.saturating_sub(1));
            let number_width = count.to_string().len();
            for (i, source) in grounding.sources().enumerate() {
                let start = lines.len();
                let is_selected = i == selected && count > 0;
                let number = format!("{:>number_width$}. ", i + 1);
                let indent = " ".repeat(number.width());
                let title = source.title.clone().unwrap_or_else(|| "(untitled)".into());
                let title = match source.image_uri {
                    Some(_) => format!("{title} · image"),
                    None => title,
                };
                let text_width = width.saturating_sub(number.width()).max(1);
                for (j, line) in wrap(&title, text_width).into_iter().enumerate() {
                    let prefix = if j == 0 {
                        number.clone()
                    } else {
                        indent.clone()
                    };
                    lines.push(Line::from(vec![
                        Span::styled(prefix, theme.accent()),
                        Span::styled(line, theme.base().add_modifier(Modifier::BOLD)),
                    ]));
                }
                if let Some(uri) = &source.uri {
                    for line in wrap(uri, text_width) {
                        lines.push(Line::from(vec![
                            Span::raw(indent.clone()),
                            Span::styled(line, theme.link()),
                        ]));
                    }
                }
                if is_selected {
                    selected_range = (start, lines.len());
                    for line in &mut lines[start..] {
                        let used: usize = line.spans.iter().map(|s| s.content.width()).sum();
                        for span in &mut line.spans {
                            span.style = span.style.bg(theme.selection_bg);
                        }
                        line.spans.push(Span::styled(
                            " ".repeat(width.saturating_sub(used)),
                            theme.selected(),
                        ));
                    }
                }
            }
            if focused && count > 0 {
                let copy = app.keymap.hint(Action::Copy);
                lines.push(Line::styled(
                    format!("{copy} copies the selected URI"),
                    theme.muted(),
                ));
            }
        }
    }
    let viewport = inner.height as usize;
    let view = &app.sources_view;
    let offset = keep_visible(
        view.last_offset.get(),
        selected_range.0,
        selected_range.1,
        viewport,
        lines.len(),
    );
    view.last_offset.set(offset);
    render_lines(frame, inner, lines, offset, theme);
}
