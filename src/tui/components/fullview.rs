//! The full view: the selected image over the whole terminal, at the zoom and position of
//! [`FullView`](crate::tui::fullview::FullView), with one line saying where we are and which
//! keys move.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::image::ImagePreview;
use super::truncate;
use crate::tui::app::App;
use crate::tui::fullview::FullView;
use crate::tui::keymap::Action;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    view: &FullView,
    images: &mut dyn ImagePreview,
) {
    let theme = &app.theme;
    frame.render_widget(Block::new().style(theme.base()), area);
    let [header, picture] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let all = app.images();
    let index = app.selected_image_index(&all);
    let entry = index.and_then(|i| all.get(i));
    let hint = |action| app.keymap.hint(action);
    let help = format!(
        " │ {} back · {}/{} zoom · {} 1:1 · {} fit · {}{}{}{} pan · {}/{} versions",
        hint(Action::CloseView),
        hint(Action::ZoomIn),
        hint(Action::ZoomOut),
        hint(Action::ZoomActual),
        hint(Action::ZoomFit),
        hint(Action::PanLeft),
        hint(Action::PanDown),
        hint(Action::PanUp),
        hint(Action::PanRight),
        hint(Action::PrevImage),
        hint(Action::NextImage),
    );
    let (Some(entry), Some(geometry)) = (entry, app.view_geometry()) else {
        let text = format!(" No image to show.{help}");
        frame.render_widget(Paragraph::new(text).style(theme.status()), header);
        return;
    };
    let crop = view.crop(&geometry);
    let place = format!(
        " image {}/{} · {}×{} px · zoom {} · showing {}×{} from {},{} ",
        index.map_or(0, |i| i + 1),
        all.len(),
        geometry.image.0,
        geometry.image.1,
        view.zoom_label(&geometry),
        crop.width,
        crop.height,
        crop.x,
        crop.y,
    );
    let width = header.width as usize;
    let rest = width.saturating_sub(place.chars().count());
    let line = Line::from(vec![
        Span::styled(place, theme.status().fg(theme.accent)),
        Span::styled(truncate(&help, rest), theme.status()),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.status()), header);
    images.draw_crop(frame, picture, &entry.blob, crop, theme);
}
