//! Lays the panes out for the terminal's size and the chosen [`LayoutMode`], and draws them
//! and any overlay.
//!
//! Wide terminals (100×30 and up) give the picture over half of the screen: in the
//! image-first layout (the default) conversation and prompt are on the left and the image on
//! the right over a strip with thinking and sources; in the focus layout (F8) the image takes
//! the whole height beside a narrow column with the conversation, thinking and sources as
//! tabs, and the prompt. Smaller terminals keep conversation and prompt and show one side
//! pane at a time, chosen with tabs (focus switches them); the focus layout gives those tabs
//! the larger share.

pub mod banner;
pub mod conversation;
pub mod fullview;
pub mod grid;
pub mod help;
pub mod image;
pub mod input;
pub mod jobs;
pub mod model_picker;
pub mod path_prompt;
pub mod pictures;
#[cfg(test)]
pub mod placeholder;
pub mod quit;
pub mod session_picker;
pub mod sources;
pub mod status;
pub mod thinking;
pub mod tree;
pub mod versions;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::tui::state::app::App;
use crate::tui::state::layout::{LayoutKind, LayoutMode, MIN_HEIGHT, MIN_WIDTH, Pane, layout_kind};
use crate::tui::state::overlays::Overlay;
use crate::tui::view::pictures::ImagePreview;
use crate::tui::view::widgets::wrap;

/// The side panes, as tabs where only one fits.
const SIDE_PANES: [Pane; 3] = [Pane::Image, Pane::Thinking, Pane::Sources];
/// The text panes the focus layout keeps beside the picture, as tabs.
const TEXT_PANES: [Pane; 2] = [Pane::Thinking, Pane::Sources];

pub fn draw(frame: &mut Frame, app: &App, images: &mut dyn ImagePreview) {
    let area = frame.area();
    frame.render_widget(Block::new().style(app.theme.base()), area);
    let kind = layout_kind(area.width, area.height, app.layout);
    if kind == LayoutKind::TooSmall {
        let text = format!(
            "The terminal is {}×{}; banana-studio needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Make it larger (Ctrl-Q quits).",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.warning())
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    if let Some(view) = &app.full_view {
        fullview::render(frame, area, app, view, images);
        return;
    }
    let [title, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    status::render_title(frame, title, app);
    status::render_status(frame, bottom, app);

    // The grid takes the whole body: no pane's picture is prepared underneath it.
    if let Some(variations) = &app.grid {
        grid::render(frame, body, app, variations, images);
    } else {
        match kind {
            LayoutKind::ImageFirst => {
                // At least half of the screen's cells for the picture (at 120×40, 82×30 of
                // 4800); thinking and sources share a strip under it.
                let [left, right] =
                    Layout::horizontal([Constraint::Percentage(32), Constraint::Percentage(68)])
                        .areas(body);
                draw_main_column(frame, left, app);
                let [image_area, strip] =
                    Layout::vertical([Constraint::Min(0), Constraint::Length(8)]).areas(right);
                let [thinking_area, sources_area] =
                    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                        .areas(strip);
                image::render(frame, image_area, app, images);
                thinking::render(frame, thinking_area, app);
                sources::render(frame, sources_area, app);
            }
            LayoutKind::Focus => {
                // The picture over the whole height (at 120×40, 90×38); the conversation in
                // a column just wide enough to read.
                let column = (body.width / 4).max(30);
                let [left, right] =
                    Layout::horizontal([Constraint::Length(column), Constraint::Min(0)])
                        .areas(body);
                let input_height = input_height(app, left.width);
                let [conversation_area, tabs_area, input_area] = Layout::vertical([
                    Constraint::Min(3),
                    Constraint::Percentage(40),
                    Constraint::Length(input_height),
                ])
                .areas(left);
                conversation::render(frame, conversation_area, app);
                draw_tabs(frame, tabs_area, app, &TEXT_PANES, images);
                input::render(frame, input_area, app);
                image::render(frame, right, app, images);
            }
            LayoutKind::Narrow => {
                let share = match app.layout {
                    LayoutMode::ImageFirst => 2,
                    LayoutMode::Focus => 3,
                };
                let side_width = (body.width * share / 5).max(28);
                let [left, right] =
                    Layout::horizontal([Constraint::Min(30), Constraint::Length(side_width)])
                        .areas(body);
                draw_main_column(frame, left, app);
                draw_tabs(frame, right, app, &SIDE_PANES, images);
            }
            LayoutKind::Stacked => {
                let input_height = input_height(app, body.width);
                let side_share = match app.layout {
                    LayoutMode::ImageFirst => 35,
                    LayoutMode::Focus => 55,
                };
                let [conversation_area, side_area, input_area] = Layout::vertical([
                    Constraint::Min(3),
                    Constraint::Percentage(side_share),
                    Constraint::Length(input_height),
                ])
                .areas(body);
                conversation::render(frame, conversation_area, app);
                draw_tabs(frame, side_area, app, &SIDE_PANES, images);
                input::render(frame, input_area, app);
            }
            LayoutKind::TooSmall => {}
        }
    }

    match &app.overlay {
        Some(Overlay::Help(scroll)) => help::render(frame, body, app, scroll),
        Some(Overlay::Sessions(picker)) => session_picker::render(frame, body, app, picker),
        Some(Overlay::Models(picker)) => model_picker::render(frame, body, app, picker),
        Some(Overlay::PathPrompt(prompt)) => path_prompt::render(frame, body, app, prompt),
        Some(Overlay::MissingKey) => banner::render(frame, body, app),
        Some(Overlay::Jobs(list)) => jobs::render(frame, body, app, list),
        Some(Overlay::Tree(view)) => tree::render(frame, body, app, view, images),
        Some(Overlay::ConfirmQuit) => quit::render(frame, body, app),
        Some(Overlay::ConfirmBatch { count, prompt }) => {
            grid::render_confirm(frame, body, app, *count, *prompt)
        }
        None => {}
    }
}

fn draw_main_column(frame: &mut Frame, area: Rect, app: &App) {
    let input_height = input_height(app, area.width);
    let [conversation_area, input_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(input_height)]).areas(area);
    conversation::render(frame, conversation_area, app);
    input::render(frame, input_area, app);
}

/// Tall enough for the prompt's lines, the attachments and a notice, within limits.
fn input_height(app: &App, width: u16) -> u16 {
    let text_width = width.saturating_sub(5).max(1) as usize;
    let notice = app
        .notice
        .as_ref()
        .map(|n| wrap(&n.text, text_width.saturating_sub(1)).len().min(3))
        .unwrap_or(0);
    let region = input::region_lines(app, text_width.saturating_sub(1)).len();
    let lines = app.input.lines().len().max(2) + app.attachments.len() + region + notice;
    (lines as u16 + 2).clamp(4, 12)
}

/// One of `panes` with a tab row naming them: the side pane last shown if it is one of them,
/// else the first.
fn draw_tabs(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    panes: &[Pane],
    images: &mut dyn ImagePreview,
) {
    let [tabs, pane] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let theme = &app.theme;
    let shown = if panes.contains(&app.side) {
        app.side
    } else {
        panes.first().copied().unwrap_or(Pane::Image)
    };
    let mut spans = vec![Span::styled(" ", theme.base())];
    for (i, side) in panes.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.muted()));
        }
        let style = if *side == shown {
            theme
                .accent()
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            theme.muted()
        };
        spans.push(Span::styled(side.title(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), tabs);
    match shown {
        Pane::Thinking => thinking::render(frame, pane, app),
        Pane::Sources => sources::render(frame, pane, app),
        _ => image::render(frame, pane, app, images),
    }
}

#[cfg(test)]
mod tests;
