//! The image pane: the selected image of the conversation — which one ("image 3/7"), final,
//! thought image or attachment, pixel size, type, file — above the preview.
//!
//! The picture itself is drawn through [`ImagePreview`]: the studio passes the preview module's
//! `Previewer` (ratatui-image, prepared off the UI thread); snapshot tests pass a placeholder
//! (`placeholder.rs`, built for tests only), which draws the same box every time. The pane
//! knows nothing of terminal image protocols.

use crate::tui::view::pictures::ImagePreview;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::conversation::request::human_bytes;
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::images::ImageKind;
use crate::tui::state::layout::Pane;
use crate::tui::view::versions::{self, Strip};
use crate::tui::view::widgets::{draw_pane, pane_block, truncate, truncate_left};

pub fn render(frame: &mut Frame, area: Rect, app: &App, preview: &mut dyn ImagePreview) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Image;
    let images = app.images();
    let index = app.selected_image_index(&images);
    let extra = index.and_then(|i| images.get(i)).map(|entry| {
        Line::from(Span::styled(
            format!(" {} ", app.image_name(entry)),
            theme.accent(),
        ))
    });
    let block = pane_block("Image", extra, focused, theme);
    let Some(inner) = draw_pane(frame, area, block, (4, 2)) else {
        return;
    };
    let Some(entry) = index.and_then(|i| images.get(i)) else {
        let prev = app.keymap.hint(Action::PrevImage);
        let next = app.keymap.hint(Action::NextImage);
        let text = format!(
            "No image yet. Images of the conversation show here; {prev} and {next} step through them."
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.muted())
                .wrap(Wrap { trim: true }),
            inner.inner(ratatui::layout::Margin::new(1, 0)),
        );
        return;
    };
    let blob = &entry.blob;
    let width = inner.width as usize - 1;
    let kind_style = match entry.kind {
        ImageKind::Final => theme.success(),
        ImageKind::Thought | ImageKind::Raw => theme.thought(),
        ImageKind::Attachment => theme.user(),
    };
    let turn = entry
        .key
        .turn
        .map(|t| format!(" of turn #{t}"))
        .unwrap_or_else(|| " (arriving)".into());
    let size = blob
        .dimensions()
        .map(|(w, h)| format!("{w}×{h} px"))
        .unwrap_or_else(|| "size unknown".into());
    let format = blob
        .mime_type()
        .strip_prefix("image/")
        .unwrap_or(blob.mime_type())
        .to_ascii_uppercase();
    let path = blob
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "not saved yet".into());
    let mut info = vec![
        Line::from(vec![
            Span::raw(" "),
            Span::styled(entry.kind.label(), kind_style),
            Span::styled(
                truncate(&turn, width.saturating_sub(entry.kind.label().len())),
                theme.muted(),
            ),
        ]),
        Line::from(vec![
            Span::raw(" "),
            Span::styled(size, theme.base()),
            Span::styled(
                truncate(
                    &format!(" · {format} · {}", human_bytes(blob.size())),
                    width.saturating_sub(12),
                ),
                theme.muted(),
            ),
        ]),
        Line::from(vec![
            Span::raw(" "),
            Span::styled(truncate_left(&path, width.saturating_sub(1)), theme.link()),
        ]),
        Line::styled(
            format!(
                " {}",
                truncate(&preview.description(), width.saturating_sub(1))
            ),
            // The theme's muted colour, not the DIM attribute: that would break the contrast.
            theme.muted(),
        ),
    ];
    // The picture's keys act outside the prompt: from the prompt, say how to get to them.
    let step: (&[Action], &str) = (&[Action::PrevImage, Action::NextImage], "step");
    let full: (&[Action], &str) = (&[Action::FullScreen], "full screen");
    let keys = if focused {
        Some(app.keymap.hints(&[
            step,
            full,
            (&[Action::SaveImage], "save"),
            (&[Action::Copy], "copy path"),
            (&[Action::OpenViewer], "open"),
            (&[Action::Back], "back to the prompt"),
        ]))
    } else if app.focus == Pane::Input {
        Some(format!(
            "{} for the picture's keys ({})",
            app.keymap.hint(Action::Back),
            app.keymap.hints(&[step, full])
        ))
    } else {
        None
    };
    if let Some(keys) = keys {
        for line in crate::tui::view::widgets::wrap(&keys, width.saturating_sub(1)) {
            info.push(Line::styled(format!(" {line}"), theme.muted()));
        }
    }
    let info_height = (info.len() as u16).min(inner.height);
    let strip = Strip::of(app);
    let room = inner.height.saturating_sub(info_height);
    // Thumbnails where the picture keeps three times their height, else the numbers alone.
    let thumbnails = preview.draws_graphics() && room >= 4 * strip.height(true);
    let strip_height = Some(strip.height(thumbnails))
        .filter(|h| room >= h + 3)
        .unwrap_or(0);
    let [picture, versions_area, text] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(strip_height),
        Constraint::Length(info_height),
    ])
    .areas(inner);
    if picture.height >= 3 {
        preview.draw(frame, picture, blob, theme);
    }
    if strip_height > 0 {
        versions::render(
            frame,
            versions_area.inner(ratatui::layout::Margin::new(1, 0)),
            &strip,
            thumbnails,
            theme,
            preview,
        );
    }
    frame.render_widget(Paragraph::new(info).style(theme.base()), text);
}
