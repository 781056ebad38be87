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
        " {} back · {}/{} zoom · {} 1:1 · {} fit · {}{}{}{} pan · {}/{} versions · {} side by side · {} difference · {} mark",
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
                for (area, part) in tiles(left, partner_crop, app) {
                    images.draw_crop(frame, area, (&partner.blob, &[]), part, theme);
                }
            }
            let right = at_scale(right, crop, scale, app.cell_px);
            for (area, part) in tiles(right, crop, app) {
                images.draw_crop(frame, area, (&entry.blob, &neighbours), part, theme);
            }
        }
        (ViewMode::Difference, Some(partner)) => {
            let picture = at_scale(picture, crop, scale, app.cell_px);
            for (area, part) in tiles(picture, crop, app) {
                images.draw_difference(frame, area, (&entry.blob, &partner.blob), part, theme);
            }
        }
        _ => {
            let picture = at_scale(picture, crop, scale, app.cell_px);
            for (area, part) in tiles(picture, crop, app) {
                images.draw_crop(frame, area, (&entry.blob, &neighbours), part, theme);
            }
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

/// `crop` drawn in `area` as pictures no larger than the terminal draws (xterm's sixel limit
/// is 1000×1000 px): one where it fits, else a grid of tiles side by side, each with its part
/// of the crop, so a zoomed picture fills the screen instead of leaving bands.
fn tiles(area: Rect, crop: Crop, app: &App) -> Vec<(Rect, Crop)> {
    let Some((max_w, max_h)) = app.max_px else {
        return vec![(area, crop)];
    };
    let (cell_w, cell_h) = (
        u32::from(app.cell_px.0.max(1)),
        u32::from(app.cell_px.1.max(1)),
    );
    // A cell of slack per tile: its cells are rounded to the picture's own pixels.
    let across = (u32::from(area.width) * cell_w)
        .div_ceil(max_w.saturating_sub(cell_w).max(1))
        .max(1);
    let down = (u32::from(area.height) * cell_h)
        .div_ceil(max_h.saturating_sub(cell_h).max(1))
        .max(1);
    if across == 1 && down == 1 {
        return vec![(area, crop)];
    }
    // The crop cut at whole picture pixels, and each cut's place in cells (rounded), so every
    // tile shows its pixels at the same scale.
    let cuts = |start: u32, length: u32, cells: u16, parts: u32| -> Vec<(u32, u16)> {
        (0..=parts)
            .map(|i| {
                let offset = u64::from(length) * u64::from(i) / u64::from(parts);
                let cell =
                    (offset * u64::from(cells) + u64::from(length) / 2) / u64::from(length.max(1));
                (start + offset as u32, cell.min(u64::from(cells)) as u16)
            })
            .collect()
    };
    let columns = cuts(crop.x, crop.width, area.width, across);
    let rows = cuts(crop.y, crop.height, area.height, down);
    let mut tiles = Vec::new();
    for ys in rows.windows(2) {
        for xs in columns.windows(2) {
            let ((px0, x0), (px1, x1)) = (xs[0], xs[1]);
            let ((py0, y0), (py1, y1)) = (ys[0], ys[1]);
            if x1 <= x0 || y1 <= y0 || px1 <= px0 || py1 <= py0 {
                continue;
            }
            tiles.push((
                Rect::new(area.x + x0, area.y + y0, x1 - x0, y1 - y0),
                Crop {
                    x: px0,
                    y: py0,
                    width: px1 - px0,
                    height: py1 - py0,
                },
            ));
        }
    }
    tiles
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
    fn tiles_cover_the_area_and_the_crop_each_within_the_terminals_limit() {
        let mut app = crate::tui::test_support::test_app();
        app.cell_px = (10, 20);
        app.max_px = Some((1000, 1000));
        let cases = [
            (Rect::new(0, 1, 200, 58), Crop::all((5504, 3072))),
            (
                Rect::new(3, 2, 187, 51),
                Crop {
                    x: 1201,
                    y: 333,
                    width: 641,
                    height: 180,
                },
            ),
            (Rect::new(0, 1, 90, 40), Crop::all((1024, 1024))),
        ];
        for (area, crop) in cases {
            let tiles = tiles(area, crop, &app);
            let cells: u32 = tiles
                .iter()
                .map(|(r, _)| u32::from(r.width) * u32::from(r.height))
                .sum();
            let pixels: u64 = tiles
                .iter()
                .map(|(_, c)| u64::from(c.width) * u64::from(c.height))
                .sum();
            assert_eq!(
                cells,
                u32::from(area.width) * u32::from(area.height),
                "{area:?}"
            );
            assert_eq!(pixels, u64::from(crop.width) * u64::from(crop.height));
            for (r, c) in &tiles {
                assert!(u32::from(r.width) * 10 <= 1000 && u32::from(r.height) * 20 <= 1000);
                assert!(area.contains(r.as_position()) && c.x >= crop.x && c.y >= crop.y);
                assert!(c.x + c.width <= crop.x + crop.width);
            }
        }
        // 900×800 px fits in one picture.
        assert_eq!(
            tiles(Rect::new(0, 1, 90, 40), crop(1024, 1024), &app).len(),
            1
        );
        // Without a limit, always one.
        app.max_px = None;
        assert_eq!(
            tiles(Rect::new(0, 1, 200, 58), crop(5504, 3072), &app).len(),
            1
        );
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
