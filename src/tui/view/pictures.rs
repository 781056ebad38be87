//! What the panes draw pictures through: the `Previewer` in the studio, a fixed placeholder in
//! the snapshot tests. A trait of its own, so the image pane and the versions strip under it
//! both use it without importing each other.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::theme::Theme;

use crate::conversation::Blob;
use crate::preview::Crop;

/// Draws an image's preview into an area.
pub trait ImagePreview {
    fn draw(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme);
    /// Draws one picture among several (a variations candidate, a thumbnail): like
    /// [`ImagePreview::draw`], but it need not be ready for the full view.
    fn draw_small(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, theme: &Theme);
    /// Draws `crop` of the full-resolution image, scaled to fill `area` (the full view), with
    /// `mark` (a region being marked, in the image's pixels) outlined; `neighbours` are the
    /// pictures `[` and `]` step to, worth preparing meanwhile.
    fn draw_crop(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        picture: (&Blob, &[&Blob]),
        crop_and_mark: (Crop, Option<Crop>),
        theme: &Theme,
    );
    /// Draws what changed from `older` to `newer` in `crop`, over the dimmed newer picture.
    fn draw_difference(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        pair: (&Blob, &Blob),
        crop: Crop,
        theme: &Theme,
    );
    /// The share of pixels that changed from `older` to `newer`, once known.
    fn changed_share(&self, newer: &Blob, older: &Blob) -> Option<f64>;
    /// The protocol it draws with and why, for one dim line under the picture.
    fn description(&self) -> String;
    /// Whether it draws real pictures (kitty, sixel, iTerm2), not halfblocks: small
    /// thumbnails are worth drawing only then.
    fn draws_graphics(&self) -> bool;
}

impl ImagePreview for crate::preview::Previewer {
    fn draw(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, _theme: &Theme) {
        self.render(frame, area, blob);
    }

    fn draw_small(&mut self, frame: &mut Frame, area: Rect, blob: &Blob, _theme: &Theme) {
        self.render_small(frame, area, blob);
    }

    fn draw_crop(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        (blob, neighbours): (&Blob, &[&Blob]),
        (crop, mark): (Crop, Option<Crop>),
        _: &Theme,
    ) {
        self.render_crop(frame, area, (blob, mark), crop, neighbours);
    }

    fn draw_difference(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        pair: (&Blob, &Blob),
        crop: Crop,
        _: &Theme,
    ) {
        self.render_difference(frame, area, pair.0, pair.1, crop);
    }

    fn changed_share(&self, newer: &Blob, older: &Blob) -> Option<f64> {
        crate::preview::Previewer::changed_share(self, newer, older)
    }

    fn description(&self) -> String {
        crate::preview::Previewer::description(self).to_string()
    }

    fn draws_graphics(&self) -> bool {
        crate::preview::Previewer::draws_graphics(self)
    }
}
