//! The full view's state: zoom and position over the selected image, pure geometry.
//!
//! The position is kept as a fraction of the image, so stepping to another version (`[`/`]`)
//! keeps the same detail in view even when the versions differ in size. What is drawn is a
//! [`Crop`] of the full-resolution image, computed from the state, the image's size and the
//! screen's size in pixels; the preview worker cuts and scales it.

/// The most a screen pixel may magnify: 16 screen pixels per image pixel.
const MAX_SCALE: f64 = 16.0;
/// One `+` or `-`.
const ZOOM_STEP: f64 = 1.5;
/// One pan step, as a share of what is visible.
const PAN_STEP: f64 = 0.25;

use crate::conversation::region::Region;
pub use crate::preview::Crop;

/// Sizes the view needs: the image's and the screen area's, both in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub image: (u32, u32),
    pub screen: (u32, u32),
}

impl Geometry {
    /// Screen pixels per image pixel when the whole image fits.
    pub fn fit_scale(&self) -> f64 {
        let (iw, ih) = (self.image.0.max(1) as f64, self.image.1.max(1) as f64);
        let (sw, sh) = (self.screen.0.max(1) as f64, self.screen.1.max(1) as f64);
        (sw / iw).min(sh / ih)
    }
}

/// What the full view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    /// The selected image.
    #[default]
    Single,
    /// The partner version on the left, the selected on the right, zoomed and panned together.
    SideBySide,
    /// What changed from the partner to the selected version.
    Difference,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FullView {
    /// Screen pixels per image pixel; `None` fits the whole image.
    scale: Option<f64>,
    /// The centre of the view, as a fraction of the image's width and height.
    centre: (f64, f64),
    pub mode: ViewMode,
    /// A region being marked on the picture (`r`), in its pixels.
    pub marking: Option<Region>,
}

impl Default for FullView {
    fn default() -> Self {
        Self {
            scale: None,
            centre: (0.5, 0.5),
            mode: ViewMode::Single,
            marking: None,
        }
    }
}

/// What a key does to a region being marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionChange {
    /// Steps left/right and up/down.
    Move(i8, i8),
    /// Steps narrower/wider and shorter/taller.
    Resize(i8, i8),
}

/// One step of moving or resizing a region: a fortieth of what is on screen, so it is fine at
/// 1:1 and quick when the whole picture shows.
const REGION_STEPS: u32 = 40;

/// What a key does to the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewChange {
    ZoomIn,
    ZoomOut,
    Actual,
    Fit,
    /// Columns and rows of pan steps: -1 left/up, 1 right/down.
    Pan(i8, i8),
}

impl FullView {
    pub fn scale(&self, geometry: &Geometry) -> f64 {
        self.scale.unwrap_or_else(|| geometry.fit_scale())
    }

    pub fn is_fit(&self) -> bool {
        self.scale.is_none()
    }

    pub fn apply(&mut self, change: ViewChange, geometry: &Geometry) {
        let fit = geometry.fit_scale();
        match change {
            ViewChange::ZoomIn => {
                let next = (self.scale(geometry) * ZOOM_STEP).min(MAX_SCALE.max(fit));
                self.scale = Some(next);
            }
            ViewChange::ZoomOut => {
                let next = self.scale(geometry) / ZOOM_STEP;
                // Out past the whole picture is just the whole picture.
                self.scale = (next > fit * 1.0001).then_some(next);
            }
            ViewChange::Actual => self.scale = Some(1.0),
            ViewChange::Fit => {
                self.scale = None;
                self.centre = (0.5, 0.5);
            }
            ViewChange::Pan(dx, dy) => {
                let (vw, vh) = self.visible_fraction(geometry);
                self.centre.0 += f64::from(dx) * vw * PAN_STEP;
                self.centre.1 += f64::from(dy) * vh * PAN_STEP;
            }
        }
        self.clamp(geometry);
    }

    /// The share of the image's width and height on screen, each at most 1.
    fn visible_fraction(&self, geometry: &Geometry) -> (f64, f64) {
        let scale = self.scale(geometry);
        let (iw, ih) = (
            geometry.image.0.max(1) as f64,
            geometry.image.1.max(1) as f64,
        );
        (
            (geometry.screen.0 as f64 / scale / iw).min(1.0),
            (geometry.screen.1 as f64 / scale / ih).min(1.0),
        )
    }

    /// Keeps the view inside the image: the centre never lets an edge show past the picture.
    fn clamp(&mut self, geometry: &Geometry) {
        let (vw, vh) = self.visible_fraction(geometry);
        self.centre.0 = self.centre.0.clamp(vw / 2.0, 1.0 - vw / 2.0);
        self.centre.1 = self.centre.1.clamp(vh / 2.0, 1.0 - vh / 2.0);
    }

    /// The part of the image on screen.
    pub fn crop(&self, geometry: &Geometry) -> Crop {
        if geometry.image.0 == 0 || geometry.image.1 == 0 {
            return Crop::all(geometry.image);
        }
        let mut view = *self;
        // Another version may be smaller or the screen may have changed since the last key.
        view.clamp(geometry);
        let (vw, vh) = view.visible_fraction(geometry);
        let (iw, ih) = (geometry.image.0 as f64, geometry.image.1 as f64);
        let width = (vw * iw).round().clamp(1.0, iw.max(1.0));
        let height = (vh * ih).round().clamp(1.0, ih.max(1.0));
        let x = (view.centre.0 * iw - width / 2.0)
            .round()
            .clamp(0.0, iw - width);
        let y = (view.centre.1 * ih - height / 2.0)
            .round()
            .clamp(0.0, ih - height);
        Crop {
            x: x as u32,
            y: y as u32,
            width: width as u32,
            height: height as u32,
        }
    }

    /// Starts marking a region: a third of what is on screen, in its middle.
    pub fn start_marking(&mut self, geometry: &Geometry) {
        let crop = self.crop(geometry);
        let (width, height) = ((crop.width / 3).max(1), (crop.height / 3).max(1));
        self.marking = Some(Region {
            x: crop.x + (crop.width - width) / 2,
            y: crop.y + (crop.height - height) / 2,
            width,
            height,
        });
    }

    /// Moves or resizes the region being marked by steps that scale with the zoom, kept
    /// inside the picture; the view follows a region moved off screen.
    pub fn change_marking(&mut self, change: RegionChange, geometry: &Geometry) {
        let crop = self.crop(geometry);
        let Some(region) = self.marking.as_mut() else {
            return;
        };
        let step = (
            (crop.width / REGION_STEPS).max(1),
            (crop.height / REGION_STEPS).max(1),
        );
        let shifted = |value: u32, by: i8, step: u32| {
            let delta = i64::from(by) * i64::from(step);
            u32::try_from((i64::from(value) + delta).max(0)).unwrap_or(value)
        };
        let (iw, ih) = (geometry.image.0.max(1), geometry.image.1.max(1));
        match change {
            RegionChange::Move(dx, dy) => {
                region.x = shifted(region.x, dx, step.0).min(iw.saturating_sub(region.width));
                region.y = shifted(region.y, dy, step.1).min(ih.saturating_sub(region.height));
            }
            RegionChange::Resize(dw, dh) => {
                region.width = shifted(region.width, dw, step.0).clamp(1, iw - region.x);
                region.height = shifted(region.height, dh, step.1).clamp(1, ih - region.y);
            }
        }
        let region = *region;
        let outside = region.x + region.width <= crop.x
            || region.x >= crop.x + crop.width
            || region.y + region.height <= crop.y
            || region.y >= crop.y + crop.height;
        if outside {
            self.centre = (
                (f64::from(region.x) + f64::from(region.width) / 2.0) / f64::from(iw),
                (f64::from(region.y) + f64::from(region.height) / 2.0) / f64::from(ih),
            );
            self.clamp(geometry);
        }
    }

    /// Switches to `mode`, or back to the single image if it is on already.
    pub fn toggle(&mut self, mode: ViewMode) {
        self.mode = if self.mode == mode {
            ViewMode::Single
        } else {
            mode
        };
    }

    /// "fit (23%)", "100% (1:1)", "340%".
    pub fn zoom_label(&self, geometry: &Geometry) -> String {
        let percent = (self.scale(geometry) * 100.0).round();
        match self.scale {
            None => format!("fit ({percent}%)"),
            Some(scale) if (scale - 1.0).abs() < 1e-9 => "100% (1:1)".into(),
            Some(_) => format!("{percent}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4K picture on 200×60 cells of 10×20 px.
    const FOUR_K: Geometry = Geometry {
        image: (3840, 2160),
        screen: (2000, 1200),
    };

    #[test]
    fn fit_shows_the_whole_image() {
        let view = FullView::default();
        assert_eq!(
            view.crop(&FOUR_K),
            Crop {
                x: 0,
                y: 0,
                width: 3840,
                height: 2160
            }
        );
        assert!((view.scale(&FOUR_K) - 2000.0 / 3840.0).abs() < 1e-9);
        assert_eq!(view.zoom_label(&FOUR_K), "fit (52%)");
    }

    #[test]
    fn one_to_one_shows_a_screen_of_pixels_from_the_centre() {
        let mut view = FullView::default();
        view.apply(ViewChange::Actual, &FOUR_K);
        assert_eq!(
            view.crop(&FOUR_K),
            Crop {
                x: 920,
                y: 480,
                width: 2000,
                height: 1200
            }
        );
        assert_eq!(view.zoom_label(&FOUR_K), "100% (1:1)");
    }

    #[test]
    fn panning_moves_a_quarter_of_the_view_and_stops_at_the_edges() {
        let mut view = FullView::default();
        view.apply(ViewChange::Actual, &FOUR_K);
        view.apply(ViewChange::Pan(1, 0), &FOUR_K);
        assert_eq!(view.crop(&FOUR_K).x, 920 + 500);
        for _ in 0..20 {
            view.apply(ViewChange::Pan(1, 1), &FOUR_K);
        }
        let crop = view.crop(&FOUR_K);
        assert_eq!((crop.x + crop.width, crop.y + crop.height), (3840, 2160));
        for _ in 0..20 {
            view.apply(ViewChange::Pan(-1, -1), &FOUR_K);
        }
        assert_eq!((view.crop(&FOUR_K).x, view.crop(&FOUR_K).y), (0, 0));
    }

    #[test]
    fn zooming_in_narrows_the_crop_and_out_returns_to_fit() {
        let mut view = FullView::default();
        view.apply(ViewChange::ZoomIn, &FOUR_K);
        let crop = view.crop(&FOUR_K);
        assert!(crop.width < 3840 && crop.height < 2160, "{crop:?}");
        view.apply(ViewChange::ZoomOut, &FOUR_K);
        assert!(view.is_fit());
        view.apply(ViewChange::ZoomOut, &FOUR_K);
        assert!(view.is_fit(), "never smaller than the whole picture");
        for _ in 0..30 {
            view.apply(ViewChange::ZoomIn, &FOUR_K);
        }
        // 16 screen pixels per image pixel: 125×75 image pixels on a 2000×1200 screen.
        assert_eq!(view.crop(&FOUR_K).width, 125);
    }

    #[test]
    fn a_detail_stays_in_view_across_versions_of_another_size() {
        let mut view = FullView::default();
        view.apply(ViewChange::Actual, &FOUR_K);
        for _ in 0..3 {
            view.apply(ViewChange::Pan(1, 1), &FOUR_K);
        }
        let big = view.crop(&FOUR_K);
        let half = Geometry {
            image: (1920, 1080),
            screen: FOUR_K.screen,
        };
        // The smaller version is narrower than the screen at 1:1: all of its width shows.
        let small = view.crop(&half);
        assert_eq!(small.width, 1920);
        assert!(small.y + small.height <= 1080);
        // The same version again: exactly the same region.
        assert_eq!(view.crop(&FOUR_K), big);
    }

    #[test]
    fn a_region_moves_and_grows_in_steps_that_follow_the_zoom_and_stays_inside() {
        let mut view = FullView::default();
        view.start_marking(&FOUR_K);
        assert_eq!(
            view.marking,
            Some(Region {
                x: 1280,
                y: 720,
                width: 1280,
                height: 720
            })
        );
        // Fitted, a step is 96×54 picture pixels; at 1:1 it is 50×30.
        view.change_marking(RegionChange::Move(1, 0), &FOUR_K);
        assert_eq!(view.marking.unwrap().x, 1280 + 96);
        view.apply(ViewChange::Actual, &FOUR_K);
        view.change_marking(RegionChange::Resize(-1, 1), &FOUR_K);
        let region = view.marking.unwrap();
        assert_eq!((region.width, region.height), (1230, 750));
        for _ in 0..200 {
            view.change_marking(RegionChange::Move(1, 1), &FOUR_K);
            view.change_marking(RegionChange::Resize(1, 1), &FOUR_K);
        }
        let region = view.marking.unwrap();
        assert!(region.x + region.width <= 3840 && region.y + region.height <= 2160);
        // Moved to the corner, off the 1:1 view's first place: the view followed.
        let crop = view.crop(&FOUR_K);
        assert!(crop.x + crop.width > region.x && crop.y + crop.height > region.y);
        for _ in 0..400 {
            view.change_marking(RegionChange::Resize(-1, -1), &FOUR_K);
        }
        let region = view.marking.unwrap();
        assert_eq!((region.width, region.height), (1, 1), "never empty");
    }

    #[test]
    fn tiny_or_empty_sizes_do_not_panic() {
        let view = FullView::default();
        let odd = Geometry {
            image: (0, 0),
            screen: (0, 0),
        };
        let crop = view.crop(&odd);
        assert_eq!((crop.x, crop.y), (0, 0));
        let mut view = FullView::default();
        view.apply(ViewChange::ZoomIn, &odd);
        view.apply(ViewChange::Pan(1, 1), &odd);
        let _ = view.crop(&odd);
    }
}
