//! A test double for [`ImagePreview`], built for tests only: a box with the picture's size where
//! the picture would be, the same every time, for snapshot tests.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::pictures::ImagePreview;
use crate::blob::Blob;
use crate::preview::Crop;
use crate::tui::theme::Theme;

/// A box with the picture's size where the picture would be: deterministic, for tests. As a
/// terminal with graphics, unless `halfblocks`.
#[derive(Debug, Default)]
pub struct Placeholder {
    pub halfblocks: bool,
    /// The pictures asked for, in order (by [`Blob::id`]).
    pub asked: Vec<u64>,
}

impl ImagePreview for Placeholder {
    fn draw(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme) {
        self.asked.push(blob.id());
        let (w, h) = blob.dimensions().unwrap_or((0, 0));
        draw_placeholder(frame, area, &format!("{w}×{h}"), theme);
    }

    fn draw_small(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme) {
        self.draw(frame, area, blob, theme);
    }

    fn draw_crop(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        _: (&Blob, &[&Blob]),
        (crop, mark): (Crop, Option<Crop>),
        theme: &Theme,
    ) {
        let mut text = format!(
            "{}×{} px from {},{}",
            crop.width, crop.height, crop.x, crop.y
        );
        if let Some(mark) = mark {
            text.push_str(&format!(
                ", region {}×{} at {},{} outlined",
                mark.width, mark.height, mark.x, mark.y
            ));
        }
        draw_placeholder(frame, area, &text, theme);
    }

    fn draw_difference(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        _: (&Blob, &Blob),
        crop: Crop,
        theme: &Theme,
    ) {
        let text = format!(
            "difference, {}×{} px from {},{}",
            crop.width, crop.height, crop.x, crop.y
        );
        draw_placeholder(frame, area, &text, theme);
    }

    fn changed_share(&self, _: &Blob, _: &Blob) -> Option<f64> {
        Some(0.25)
    }

    fn description(&self) -> String {
        "placeholder · snapshot tests".into()
    }

    fn draws_graphics(&self) -> bool {
        !self.halfblocks
    }
}

fn draw_placeholder(frame: &mut Frame, area: Rect, size: &str, theme: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Plain)
        .border_style(theme.muted())
        .style(theme.base());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = vec![
        Line::styled("preview", theme.muted()),
        Line::styled(size.to_string(), theme.muted()),
    ];
    let top = inner.height.saturating_sub(text.len() as u16) / 2;
    let [_, middle] = Layout::vertical([Constraint::Length(top), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .style(theme.base()),
        middle,
    );
}
