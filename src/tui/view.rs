//! Lays the panes out for the terminal's size and draws them and any overlay.
//!
//! Wide terminals (about 100×30 and up) show everything at once: conversation over the prompt
//! on the left, image over thinking and sources on the right; in the image-first layout (F8)
//! the picture takes most of the screen, over a strip with thinking and sources. Smaller ones keep conversation
//! and prompt and show one side pane at a time, chosen with tabs (focus switches them).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Overlay, Pane};
use super::components::image::ImagePreview;
use super::components::{
    banner, conversation, fullview, grid, help, image, input, jobs, model_picker, path_prompt,
    session_picker, sources, status, thinking, tree, wrap,
};

/// The smallest terminal the studio draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    /// Every pane visible.
    Wide,
    /// Conversation and prompt, one side pane beside them.
    Narrow,
    /// Conversation, one side pane, prompt, stacked.
    Stacked,
    TooSmall,
}

pub fn layout_kind(width: u16, height: u16) -> LayoutKind {
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        LayoutKind::TooSmall
    } else if width >= 100 && height >= 30 {
        LayoutKind::Wide
    } else if width >= 70 {
        LayoutKind::Narrow
    } else {
        LayoutKind::Stacked
    }
}

pub fn draw(frame: &mut Frame, app: &App, images: &mut dyn ImagePreview) {
    let area = frame.area();
    frame.render_widget(Block::new().style(app.theme.base()), area);
    let kind = layout_kind(area.width, area.height);
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
            LayoutKind::Wide if app.image_first => {
                // At least half of the screen's cells for the picture (at 120×40, 81×30 of
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
            LayoutKind::Wide => {
                let [left, right] =
                    Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                        .areas(body);
                draw_main_column(frame, left, app);
                let [image_area, thinking_area, sources_area] = Layout::vertical([
                    Constraint::Percentage(42),
                    Constraint::Percentage(32),
                    Constraint::Percentage(26),
                ])
                .areas(right);
                image::render(frame, image_area, app, images);
                thinking::render(frame, thinking_area, app);
                sources::render(frame, sources_area, app);
            }
            LayoutKind::Narrow => {
                let side_width = (body.width * 2 / 5).max(28);
                let [left, right] =
                    Layout::horizontal([Constraint::Min(30), Constraint::Length(side_width)])
                        .areas(body);
                draw_main_column(frame, left, app);
                draw_side_tabs(frame, right, app, images);
            }
            LayoutKind::Stacked => {
                let input_height = input_height(app, body.width);
                let [conversation_area, side_area, input_area] = Layout::vertical([
                    Constraint::Min(3),
                    Constraint::Percentage(35),
                    Constraint::Length(input_height),
                ])
                .areas(body);
                conversation::render(frame, conversation_area, app);
                draw_side_tabs(frame, side_area, app, images);
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
        Some(Overlay::Tree(view)) => tree::render(frame, body, app, view),
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
    let lines = app.input.lines().len().max(2) + app.attachments.len() + notice;
    (lines as u16 + 2).clamp(4, 12)
}

/// One side pane with a tab row naming the three.
fn draw_side_tabs(frame: &mut Frame, area: Rect, app: &App, images: &mut dyn ImagePreview) {
    let [tabs, pane] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" ", theme.base())];
    for (i, side) in [Pane::Image, Pane::Thinking, Pane::Sources]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.muted()));
        }
        let style = if side == app.side {
            theme
                .accent()
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            theme.muted()
        };
        spans.push(Span::styled(side.title(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), tabs);
    match app.side {
        Pane::Thinking => thinking::render(frame, pane, app),
        Pane::Sources => sources::render(frame, pane, app),
        _ => image::render(frame, pane, app, images),
    }
}
