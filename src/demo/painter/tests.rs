//! The demo painter: every edit word changes the picture, and the same scene paints the same.

use super::*;
use image::GenericImageView;

const COFFEE: &str = "Infographic about how coffee is made";
const ALL: [u32; 4] = [0, 0, u32::MAX, u32::MAX];

fn render(subject: &str, edits: &[&str], draft: Option<u8>, w: u32, h: u32) -> RgbImage {
    paint(
        &Scene {
            subject,
            edits,
            draft,
            variant: 0,
        },
        w,
        h,
    )
}

fn coffee(edits: &[&str]) -> RgbImage {
    render(COFFEE, edits, None, 1376, 768)
}

/// Share of pixels that differ inside `[x0, y0, x1, y1)`.
fn changed(a: &RgbImage, b: &RgbImage, [x0, y0, x1, y1]: [u32; 4]) -> f64 {
    let (x1, y1) = (x1.min(a.width()), y1.min(a.height()));
    let area = (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y)));
    let diff = area
        .clone()
        .filter(|&(x, y)| a.get_pixel(x, y) != b.get_pixel(x, y));
    diff.count() as f64 / area.count().max(1) as f64
}

fn mean(img: &RgbImage) -> [f64; 3] {
    let n = f64::from(img.width() * img.height());
    [0, 1, 2].map(|i| img.pixels().map(|p| f64::from(p[i])).sum::<f64>() / n)
}

/// Mean gap between a pixel's strongest and weakest channel: 0 for pure grey.
fn chroma(img: &RgbImage) -> f64 {
    let spread = |p: &image::Rgb<u8>| p.0.iter().max().zip(p.0.iter().min()).map(|(a, b)| a - b);
    let total: f64 = img
        .pixels()
        .map(|p| f64::from(spread(p).unwrap_or(0)))
        .sum();
    total / f64::from(img.width() * img.height())
}

#[test]
fn same_scene_same_pixels() {
    let edits = ["add a legend", "dark", "a note about beans"];
    let a = render(COFFEE, &edits, None, 640, 400);
    assert_eq!(a.as_raw(), render(COFFEE, &edits, None, 640, 400).as_raw());
    assert_eq!(a.dimensions(), (640, 400));
    let tea = render("Infographic about tea", &edits, None, 640, 400);
    assert!(changed(&a, &tea, ALL) > 0.05, "the subject must show");
}

#[test]
fn every_kind_of_edit_changes_the_picture() {
    let steps = [
        "bigger title",
        "add a legend",
        "add a thick border",
        "show grid lines",
        "add steam rising from the cup",
        "a longer caption about roasting the green beans at 200 degrees for twelve minutes",
        "make the title smaller",
        "purple palette",
    ];
    for k in 1..=steps.len() {
        // The version badge alone changes well under 1% of the pixels.
        let share = changed(&coffee(&steps[..k - 1]), &coffee(&steps[..k]), ALL);
        assert!(share > 0.01, "{:?} changed only {share}", steps[k - 1]);
    }
}

#[test]
fn edits_land_where_asked() {
    let base = coffee(&[]);
    let framed = coffee(&["add a frame"]);
    assert_ne!(base.get_pixel(3, 384), framed.get_pixel(3, 384));
    assert_eq!(framed.get_pixel(3, 384), framed.get_pixel(1372, 10));
    let titled = coffee(&["make the title huge"]);
    assert!(changed(&base, &titled, [0, 20, 1376, 150]) > 0.1);
    let noted = coffee(&["add steam rising from the cup"]);
    assert!(
        changed(&base, &noted, [0, 700, 1376, 740]) > 0.3,
        "card at the bottom"
    );
    // The legend's outline and labels are in the ink colour, which the charts don't use.
    let ink = Palette::new(&Look::default(), fnv1a(COFFEE)).ink;
    let inked = |img: &RgbImage| {
        img.view(1010, 215, 366, 200)
            .pixels()
            .filter(|p| p.2.0 == ink)
            .count()
    };
    assert_eq!(inked(&base), 0);
    assert!(
        inked(&coffee(&["add a legend"])) > 2000,
        "legend at the right"
    );
    let gridded = coffee(&["grid please"]);
    assert!(
        changed(&base, &gridded, [0, 0, 1376, 20]) > 0.02,
        "grid in the margin"
    );
}

#[test]
fn version_badge_tells_repeated_edits_apart() {
    let (a, b) = (coffee(&["blue"]), coffee(&["blue", "blue"]));
    assert_ne!(a.as_raw(), b.as_raw());
    assert!(changed(&a, &b, ALL) < 0.01, "only the badge should change");
}

#[test]
fn colour_words_set_the_dominant_channel() {
    for subject in [COFFEE, "Tea", "Solar system planets poster"] {
        for (edit, channel) in [("blue palette", 2), ("make it red", 0), ("green", 1)] {
            let m = mean(&render(subject, &[edit], None, 300, 200));
            let other = (0..3)
                .filter(|&i| i != channel)
                .map(|i| m[i])
                .fold(0.0, f64::max);
            assert!(m[channel] > other + 5.0, "{subject} / {edit}: {m:?}");
        }
    }
    let m = mean(&render(
        COFFEE,
        &["make it red", "no, blue"],
        None,
        300,
        200,
    ));
    assert!(m[2] > m[0] + 5.0, "the latest colour wins: {m:?}");
}

#[test]
fn tone_words_set_brightness_and_mono_drops_colour() {
    let luma = |edits: &[&str]| {
        mean(&render(COFFEE, edits, None, 300, 200))
            .iter()
            .sum::<f64>()
            / 3.0
    };
    assert!(luma(&["dark mode"]) < 80.0);
    assert!(luma(&["night", "pastel"]) > 170.0);
    assert!(luma(&["black and white"]) > 120.0, "not read as 'black'");
    assert!(chroma(&render(COFFEE, &["red", "black and white"], None, 300, 200)) < 1.0);
    assert!(chroma(&coffee(&[])) > 3.0, "finals have colour");
}

#[test]
fn drafts_are_grey_sketches_distinct_from_the_final() {
    let at = |draft| render(COFFEE, &["add a legend", "red"], draft, 800, 600);
    let (fin, d1, d2) = (at(None), at(Some(1)), at(Some(2)));
    assert_eq!((chroma(&d1), chroma(&d2)), (0.0, 0.0));
    assert!(changed(&fin, &d2, ALL) > 0.3);
    assert!(changed(&d1, &d2, ALL) > 0.01);
}

#[test]
fn tiny_odd_and_huge_sizes_paint() {
    let edits = [
        "add a legend",
        "bigger title",
        "border",
        "grid",
        "a caption",
        "dark",
    ];
    let sizes = [
        (1, 1),
        (3, 2),
        (2, 3),
        (1, 40),
        (40, 1),
        (8, 8),
        (64, 64),
        (17, 300),
    ];
    for (w, h) in sizes {
        for draft in [None, Some(1), Some(2)] {
            assert_eq!(render(COFFEE, &edits, draft, w, h).dimensions(), (w, h));
        }
    }
    assert_eq!(render(COFFEE, &[], None, 0, 5).width(), 0);
    for (w, h) in [(5504, 3072), (6336, 2688), (3072, 5504), (768, 1376)] {
        let img = render(COFFEE, &edits, None, w, h);
        assert_eq!(img.dimensions(), (w, h));
        assert_ne!(img.get_pixel(w / 2, h / 2), img.get_pixel(w / 2, 0));
    }
}

#[test]
fn non_ascii_prompts_do_not_panic() {
    let subject = "Café ☕ für alle — 東京の天気 👩‍👩‍👧 🇯🇵";
    let long = "ß".repeat(300);
    let edits = [
        "ajoute une légende 🎨",
        "bigger title ✨✨✨",
        long.as_str(),
    ];
    let img = render(subject, &edits, None, 500, 300);
    assert_eq!(
        img.as_raw(),
        render(subject, &edits, None, 500, 300).as_raw()
    );
    assert_eq!(
        render(subject, &edits, Some(2), 64, 64).dimensions(),
        (64, 64)
    );
}

/// The edits a newcomer tries first, at the demo's usual size (a quarter of 1K 16:9): each
/// shows on the picture.
#[test]
fn a_newcomers_first_edits_show_at_the_demos_size() {
    const PHOTO: &str = "Create an infographic about photosynthesis";
    let at = |edits: &[&str]| render(PHOTO, edits, None, 344, 192);
    let base = at(&[]);
    // The title band (the top third) changes when the title grows.
    let bigger = at(&["Make the title bigger"]);
    assert!(
        changed(&base, &bigger, [0, 0, 344, 64]) > 0.05,
        "a bigger title shows"
    );
    // A warm brown palette: red over green over blue, and far from the picture before.
    let brown = at(&["use a warm brown palette"]);
    let m = mean(&brown);
    assert!(m[0] > m[1] && m[1] > m[2], "brownish: {m:?}");
    assert!(changed(&base, &brown, ALL) > 0.5, "the palette changed");
    // A legend in, then out again.
    let legend = at(&["add a legend"]);
    assert!(changed(&base, &legend, ALL) > 0.02);
    let removed = at(&["add a legend", "remove the legend"]);
    let plain = at(&["add a legend", "blue"]);
    assert!(
        changed(&removed, &base, ALL) < changed(&legend, &base, ALL),
        "removing the legend takes it out"
    );
    assert_ne!(removed.as_raw(), plain.as_raw());
}

#[test]
fn legend_labels_are_shortened_to_fit_never_cut() {
    let labels = legend_labels("Create an infographic about photosynthesis", 7, 5);
    assert_eq!(labels[0].split(' ').next(), Some("Photo"), "{labels:?}");
    assert!(
        labels.iter().all(|l| l.ends_with('%')),
        "each keeps its share: {labels:?}"
    );
    assert!(
        !labels.iter().any(|l| l.starts_with("Create")),
        "{labels:?}"
    );
}
