//! How the demo model answers a region edit: it finds the box outlined on the copy that came
//! with the prompt and draws the edit inside it, at the size of the picture it answers with.
//! Like a real model it also redraws the rest (the whole scene is painted again, its edit
//! badge moved on), so what the studio keeps outside the box is visible in tests.

use image::RgbImage;

use crate::region::find_outline;

/// Colours an edit can name, and how they are drawn.
const COLOURS: [(&str, [u8; 3]); 8] = [
    ("red", [220, 30, 40]),
    ("blue", [30, 80, 220]),
    ("green", [30, 160, 60]),
    ("yellow", [240, 200, 20]),
    ("orange", [240, 130, 20]),
    ("purple", [130, 50, 170]),
    ("black", [10, 10, 10]),
    ("white", [250, 250, 250]),
];

/// Applies `edit` inside the region outlined on one of `attached` (encoded pictures) to
/// `picture`. Returns whether a region was found.
pub(super) fn apply(picture: &mut RgbImage, attached: &[Vec<u8>], edit: &str) -> bool {
    let found = attached.iter().find_map(|bytes| {
        let copy = image::load_from_memory(bytes).ok()?.to_rgb8();
        let (region, _) = find_outline(&copy)?;
        Some(region.scaled(copy.dimensions(), picture.dimensions()))
    });
    let Some(region) = found else {
        return false;
    };
    let lower = edit.to_lowercase();
    let colour = COLOURS
        .iter()
        .find(|(name, _)| {
            lower
                .split(|c: char| !c.is_alphabetic())
                .any(|w| w == *name)
        })
        .map(|(_, rgb)| *rgb);
    for y in region.y..region.y + region.height {
        for x in region.x..region.x + region.width {
            let pixel = picture.get_pixel_mut(x, y);
            let [r, g, b] = pixel.0;
            pixel.0 = match colour {
                // Ink takes the colour in proportion to how dark it is; paper stays paper.
                Some(ink) => {
                    let luminance =
                        (u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000;
                    let dark = 255 - luminance;
                    std::array::from_fn(|c| {
                        let old = u32::from(pixel.0[c]);
                        ((u32::from(ink[c]) * dark + old * luminance) / 255) as u8
                    })
                }
                None => [255 - r, 255 - g, 255 - b],
            };
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use image::Rgb;

    use super::*;
    use crate::conversation::region::Region;
    use crate::region::draw_outline;

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_edit_is_drawn_inside_the_outlined_box_at_the_answers_size() {
        let mut copy = RgbImage::from_pixel(200, 100, Rgb([240, 240, 230]));
        let region = Region {
            x: 40,
            y: 20,
            width: 60,
            height: 30,
        };
        draw_outline(&mut copy, region, [255, 0, 255], 3);
        // The answer is twice the copy's size; black ink everywhere.
        let mut picture = RgbImage::from_pixel(400, 200, Rgb([0, 0, 0]));
        assert!(apply(&mut picture, &[png(&copy)], "make this label red"));
        assert_eq!(
            picture.get_pixel(100, 60).0,
            [220, 30, 40],
            "inside: red ink"
        );
        assert_eq!(picture.get_pixel(70, 60).0, [0, 0, 0], "outside: untouched");
        assert_eq!(picture.get_pixel(200, 99).0, [0, 0, 0], "below: untouched");
        let mut plain = RgbImage::from_pixel(400, 200, Rgb([0, 0, 0]));
        assert!(!apply(&mut plain, &[png(&RgbImage::new(20, 20))], "red"));
    }
}
