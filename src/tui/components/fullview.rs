//! The full view: the selected image over the whole terminal, at the zoom and position of
//! [`FullView`], with one line saying what is shown and which keys move. Side by side, the
//! partner version (left) and the selected one (right) share zoom and position; the
//! difference view shows what changed between them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::image::ImagePreview;
use super::truncate;
use crate::tui::app::App;
use crate::tui::fullview::{FullView, Geometry, ViewMode};
use crate::tui::keymap::Action;
use crate::tui::selection::ImageEntry;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    view: &FullView,
    images: &mut dyn ImagePreview,
) {
    let theme = &app.theme;
    frame.render_widget(Block::new().style(theme.base()), area);
    // The keys go on a line of their own at the bottom: a picture reaching the last row would
    // make a sixel terminal scroll the whole screen.
    let [header, picture, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let all = app.images();
    let hint = |action| app.keymap.hint(action);
    let help = format!(
        " {} back · {}/{} zoom · {} 1:1 · {} fit · {}{}{}{} pan · {}/{} versions · {} side by side · {} difference · {} mark",
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
        hint(Action::Compare),
        hint(Action::Difference),
        hint(Action::MarkCompare),
    );
    let viewed = app.view_image();
    let entry = viewed.as_ref();
    frame.render_widget(
        Paragraph::new(truncate(&help, footer.width as usize)).style(theme.status()),
        footer,
    );
    let (Some(entry), Some(geometry)) = (entry, app.view_geometry()) else {
        frame.render_widget(
            Paragraph::new(" No image to show.").style(theme.status()),
            header,
        );
        return;
    };
    let crop = view.crop(&geometry);
    let partner = match view.mode {
        ViewMode::Single => None,
        _ => app.compare_partner(),
    };
    let number = |entry: &ImageEntry| name(app, &all, entry);
    let mut place = match (&app.view_pinned, &app.grid) {
        (Some(_), Some(grid)) => format!(" variation {} · {}", grid.selected + 1, number(entry)),
        _ => format!(" {}", number(entry)),
    };
    if let Some(partner) = &partner {
        let marked = if app.compare_mark == Some(partner.key) {
            " (marked)"
        } else {
            ""
        };
        match view.mode {
            ViewMode::Difference => {
                place.push_str(&format!(" vs {}{marked}", number(partner)));
                if let Some(share) = images.changed_share(&entry.blob, &partner.blob) {
                    place.push_str(&format!(" · {:.1}% changed", share * 100.0));
                }
            }
            _ => place.push_str(&format!(" beside {}{marked}", number(partner))),
        }
    } else if app.compare_mark == Some(entry.key) {
        place.push_str(" (marked)");
    }
    place.push_str(&format!(
        " · {}×{} px · zoom {} · {}×{} from {},{} ",
        geometry.image.0,
        geometry.image.1,
        view.zoom_label(&geometry),
        crop.width,
        crop.height,
        crop.x,
        crop.y,
    ));
    let line = Line::from(Span::styled(
        truncate(&place, header.width as usize),
        theme.status().fg(theme.accent),
    ));
    frame.render_widget(Paragraph::new(line).style(theme.status()), header);

    match (view.mode, partner) {
        (ViewMode::SideBySide, Some(partner)) => {
            let [left, _, right] = Layout::horizontal([
                Constraint::Length(geometry_cols(app)),
                Constraint::Length(1),
                Constraint::Length(geometry_cols(app)),
            ])
            .areas(picture);
            // The partner's crop from its own size: the same place even if sizes differ.
            if let Some(size) = partner.blob.dimensions() {
                let partner_crop = view.crop(&Geometry {
                    image: size,
                    screen: geometry.screen,
                });
                images.draw_crop(frame, left, &partner.blob, partner_crop, theme);
            }
            images.draw_crop(frame, right, &entry.blob, crop, theme);
        }
        (ViewMode::Difference, Some(partner)) => {
            images.draw_difference(frame, picture, (&entry.blob, &partner.blob), crop, theme);
        }
        _ => images.draw_crop(frame, picture, &entry.blob, crop, theme),
    }
}

/// How the header names an image: its place among the shown path's images ("image 3/7"),
/// or off that path its version and turn ("v5 of turn #9").
fn name(app: &App, shown: &[ImageEntry], entry: &ImageEntry) -> String {
    if let Some(i) = shown.iter().position(|e| e.key == entry.key) {
        return format!("image {}/{}", i + 1, shown.len());
    }
    match (app.version_number(entry.key), entry.key.turn) {
        (Some(version), Some(turn)) => format!("v{version} of turn #{turn}"),
        _ => "an image of another branch".to_string(),
    }
}

/// Columns of one side when side by side (as `App::view_geometry` counts them).
fn geometry_cols(app: &App) -> u16 {
    app.size.0.saturating_sub(1) / 2
}
