//! The full view: the selected image over the whole terminal, at the zoom and position of
//! [`FullView`], with one line saying what is shown and which keys move. Side by side, the
//! partner version (left) and the selected one (right) share zoom and position; the
//! difference view shows what changed between them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::conversation::Blob;
use crate::tui::input::keymap::{Action, ViewAction};
use crate::tui::state::app::App;
use crate::tui::state::fullview::{Crop, FullView, Geometry, ViewMode};
use crate::tui::state::images::ImageEntry;
use crate::tui::view::pictures::ImagePreview;
use crate::tui::view::widgets::truncate;

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
    let hint = |action| app.keymap.hint(action);
    let help = format!(
        " {} back · {}/{} zoom · {} 1:1 · {} fit · {}{}{}{} pan · {}/{} versions · {} side by side · {} difference · {} mark · {} region",
        hint(Action::View(ViewAction::CloseView)),
        hint(Action::View(ViewAction::ZoomIn)),
        hint(Action::View(ViewAction::ZoomOut)),
        hint(Action::View(ViewAction::ZoomActual)),
        hint(Action::View(ViewAction::ZoomFit)),
        hint(Action::View(ViewAction::PanLeft)),
        hint(Action::View(ViewAction::PanDown)),
        hint(Action::View(ViewAction::PanUp)),
        hint(Action::View(ViewAction::PanRight)),
        hint(Action::PrevImage),
        hint(Action::NextImage),
        hint(Action::View(ViewAction::Compare)),
        hint(Action::View(ViewAction::Difference)),
        hint(Action::View(ViewAction::MarkCompare)),
        hint(Action::View(ViewAction::MarkRegion)),
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
    let scale = view.scale(&geometry);
    let partner = match view.mode {
        ViewMode::Single => None,
        _ => app.compare_partner(),
    };
    let name = |entry: &ImageEntry| app.image_name(entry);
    let mut place = match (&app.view_pinned, &app.grid) {
        (Some(_), Some(grid)) => format!(" candidate {} · ", grid.selected + 1),
        _ => " ".to_string(),
    };
    let marked = |e: &ImageEntry| {
        if app.compare_mark == Some(e.key) {
            " (marked)"
        } else {
            ""
        }
    };
    match (&partner, view.mode) {
        (Some(partner), ViewMode::Difference) => {
            place.push_str(&format!(
                "{} vs {}{}",
                name(entry),
                name(partner),
                marked(partner)
            ));
            if let Some(share) = images.changed_share(&entry.blob, &partner.blob) {
                place.push_str(&format!(" · {:.1}% changed", share * 100.0));
            }
        }
        // Each half named where it is: the partner on the left, the viewed one on the right.
        (Some(partner), _) => place.push_str(&format!(
            "left {}{} · right {}",
            name(partner),
            marked(partner),
            name(entry)
        )),
        (None, _) => place.push_str(&format!("{}{}", name(entry), marked(entry))),
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
    // Marking: where the region is, and its keys, first, where they are seen.
    if let Some(region) = view.marking {
        place = format!(
            " region {},{} {}×{} px · hjkl move · HJKL size · Enter keep · Esc drop ·{place}",
            region.x, region.y, region.width, region.height
        );
    }
    let line = Line::from(Span::styled(
        truncate(&place, header.width as usize),
        theme.status().fg(theme.accent),
    ));
    frame.render_widget(Paragraph::new(line).style(theme.status()), header);

    let targets = app.step_targets();
    let neighbours: Vec<&Blob> = targets.iter().map(|e| &e.blob).collect();
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
                let partner_geometry = Geometry {
                    image: size,
                    screen: geometry.screen,
                };
                let partner_crop = view.crop(&partner_geometry);
                let partner_scale = view.scale(&partner_geometry);
                let left = at_scale(left, partner_crop, partner_scale, app.cell_px);
                let crop = (partner_crop, None);
                images.draw_crop(frame, left, (&partner.blob, &[]), crop, theme);
            }
            let right = at_scale(right, crop, scale, app.cell_px);
            images.draw_crop(
                frame,
                right,
                (&entry.blob, &neighbours),
                (crop, None),
                theme,
            );
        }
        (ViewMode::Difference, Some(partner)) => {
            let picture = at_scale(picture, crop, scale, app.cell_px);
            images.draw_difference(frame, picture, (&entry.blob, &partner.blob), crop, theme);
        }
        _ => {
            let picture = at_scale(picture, crop, scale, app.cell_px);
            let mark = view.marking.map(|r| Crop {
                x: r.x,
                y: r.y,
                width: r.width,
                height: r.height,
            });
            images.draw_crop(
                frame,
                picture,
                (&entry.blob, &neighbours),
                (crop, mark),
                theme,
            );
        }
    }
}

/// Where `crop` goes in `area`: its size at the view's scale (to the nearest cell), centred.
/// Zoomed in, that is the whole area; at 1:1 a picture smaller than the screen keeps its own
/// size instead of being blown up to fill the screen like fit.
fn at_scale(area: Rect, crop: Crop, scale: f64, cell_px: (u16, u16)) -> Rect {
    let cells = |px: u32, cell: u16, room: u16| {
        let wanted = (f64::from(px) * scale / f64::from(cell.max(1))).round();
        (wanted.min(f64::from(room)) as u16).max(1).min(room)
    };
    let width = cells(crop.width, cell_px.0, area.width);
    let height = cells(crop.height, cell_px.1, area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Columns of one side when side by side (as `App::view_geometry` counts them).
fn geometry_cols(app: &App) -> u16 {
    app.size.0.saturating_sub(1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect::new(0, 1, 120, 38);

    fn crop(width: u32, height: u32) -> Crop {
        Crop::all((width, height))
    }

    #[test]
    fn at_one_to_one_a_small_picture_keeps_its_size() {
        // 256 px at 10×20 px cells: 26×13 cells, centred.
        assert_eq!(
            at_scale(AREA, crop(256, 256), 1.0, (10, 20)),
            Rect::new(47, 13, 26, 13)
        );
    }

    #[test]
    fn fitted_or_zoomed_in_the_picture_fills_the_area() {
        // Fit: 1200×760 px of screen for a 256×256 picture is 2.97 px per pixel; the height
        // decides.
        let fit = 760.0 / 256.0;
        let fitted = at_scale(AREA, crop(256, 256), fit, (10, 20));
        assert_eq!((fitted.width, fitted.height), (76, 38));
        // Zoomed in on a 4K picture: the crop is the screen's size at that scale.
        assert_eq!(at_scale(AREA, crop(600, 380), 2.0, (10, 20)), AREA);
        // Rounding up past the area is cut to it.
        assert_eq!(at_scale(AREA, crop(5504, 3072), 1.0, (10, 20)), AREA);
    }
}
