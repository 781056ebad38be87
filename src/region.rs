//! The pixels of a region edit: the copy of the edited picture with the region outlined in a
//! colour that stands out from what is around it, and the composite that keeps the picture
//! outside the region exactly as it was. What a region is, and what the model is told, is
//! [`crate::conversation::region`]'s.

use std::io::Cursor;

use bytes::Bytes;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder, RgbImage};

use crate::blob::Blob;
use crate::conversation::region::{OutlineColour, Region, RegionEdit, RegionError};
use crate::conversation::{Conversation, ModelTurn, TurnBody, TurnId};
use crate::preview::prepare;
use crate::turn::RegionInput;

/// Pixels of feathering inside the region's edge: the model's picture fades in over them, so
/// its edit meets the kept picture without a hard seam. Outside the region nothing changes.
pub const FEATHER: u32 = 4;

/// The annotated copy is at most this wide or high: large enough for the outline to sit on
/// the right pixels, small enough not to double a 4K request.
const ANNOTATED_SIDE: u32 = 2048;

#[derive(Debug, thiserror::Error)]
pub enum RegionPixelsError {
    #[error("cannot read the picture the region was drawn on: {0}")]
    Unreadable(String),
    #[error(
        "the reply's picture is {}×{} px and the edited one {}×{} px, a different shape: it is shown as the model drew it, not kept outside the region",
        raw.0, raw.1, base.0, base.1
    )]
    OtherShape { raw: (u32, u32), base: (u32, u32) },
    #[error("cannot encode the picture: {0}")]
    Encode(String),
}

#[derive(Debug, thiserror::Error)]
pub enum RegionInputError {
    #[error(
        "There is no picture on this path to mark a region on: generate one first, or name the reply whose picture to edit with --from."
    )]
    NoPicture,
    #[error(transparent)]
    Region(#[from] RegionError),
    #[error(transparent)]
    Pixels(#[from] RegionPixelsError),
}

/// The picture an edit after `parent` changes: the last final picture on the path to it (as
/// shown: a composite if it was one), with the reply that made it and its place among that
/// reply's pictures.
pub fn edited_picture(
    conversation: &Conversation,
    parent: Option<TurnId>,
) -> Option<(TurnId, usize, Blob)> {
    let path = conversation.path_to(parent?);
    path.iter().rev().find_map(|turn| match &turn.body {
        TurnBody::Model(reply) => {
            let count = reply.shown_images().count();
            let last = reply.shown_images().last()?.clone();
            Some((turn.id, count - 1, last))
        }
        TurnBody::User(_) => None,
    })
}

/// A region edit of the picture `on` (a reply) shows at `image`, ready to send: the region
/// checked against the picture, the outlined copy made.
pub fn region_input(
    picture: &Blob,
    on: TurnId,
    image: usize,
    region: Region,
    keep_outside: bool,
) -> Result<RegionInput, RegionInputError> {
    let size = picture
        .dimensions()
        .ok_or_else(|| RegionPixelsError::Unreadable("its size cannot be read".into()))?;
    let region = region.check_within(size)?;
    let (annotated, outline) = annotate(picture, region)?;
    Ok(RegionInput {
        edit: RegionEdit {
            on,
            image,
            region,
            keep_outside,
            outline,
        },
        annotated,
        size,
    })
}

/// The region edit that `prompt_turn` made and the picture it edited, when it keeps the rest
/// of that picture: what [`composite_reply`] needs.
pub fn kept_outside(
    conversation: &Conversation,
    prompt_turn: TurnId,
) -> Option<(RegionEdit, Blob)> {
    let TurnBody::User(user) = &conversation.get(prompt_turn)?.body else {
        return None;
    };
    let edit = user.region.filter(|edit| edit.keep_outside)?;
    let TurnBody::Model(on) = &conversation.get(edit.on)?.body else {
        return None;
    };
    let base = on.shown_images().nth(edit.image)?.clone();
    Some((edit, base))
}

/// Each of `raws` (a reply's final pictures) kept outside `region` over `base`; when one
/// cannot be (another shape, an unreadable picture), none are, and the reason says why, to
/// tell the user: the model's pictures are then shown as they are.
pub fn composites<'a>(
    base: &Blob,
    raws: impl IntoIterator<Item = &'a Blob>,
    region: Region,
) -> Result<Vec<Blob>, String> {
    let why = |error: RegionPixelsError| format!("Not kept outside the region: {error}.");
    // Decoded once for all of the reply's pictures.
    let base = decode(base).map_err(why)?.to_rgb8();
    raws.into_iter()
        .map(|raw| keep_outside(&base, raw, region))
        .collect::<Result<Vec<_>, _>>()
        .map_err(why)
}

/// Makes `reply`'s composites ([`composites`]); the reason when there are none.
pub fn composite_reply(edit: &RegionEdit, base: &Blob, reply: &mut ModelTurn) -> Option<String> {
    match composites(base, reply.images(), edit.region) {
        Ok(composites) => {
            reply.composites = composites;
            None
        }
        Err(why) => {
            reply.composites.clear();
            Some(why)
        }
    }
}

/// The colour among [`OutlineColour::ALL`] furthest from every pixel in a band around the
/// region's edge (where the outline will be drawn), so it is seen, and found, there.
pub fn outline_colour(image: &RgbImage, region: Region) -> OutlineColour {
    let band = band_width(image.dimensions());
    let (w, h) = image.dimensions();
    let x0 = region.x.saturating_sub(band * 2);
    let y0 = region.y.saturating_sub(band * 2);
    let x1 = (region.x + region.width + band * 2).min(w);
    let y1 = (region.y + region.height + band * 2).min(h);
    let step = ((x1 - x0).max(y1 - y0) / 256).max(1) as usize;
    let near_edge = |x: u32, y: u32| {
        let inside_inner = x >= region.x + band
            && x + band < region.x + region.width
            && y >= region.y + band
            && y + band < region.y + region.height;
        !inside_inner
    };
    let mut closest = [u32::MAX; OutlineColour::ALL.len()];
    for y in (y0..y1).step_by(step) {
        for x in (x0..x1).step_by(step) {
            if !near_edge(x, y) {
                continue;
            }
            let pixel = image.get_pixel(x, y).0;
            for (colour, closest) in OutlineColour::ALL.iter().zip(&mut closest) {
                *closest = (*closest).min(distance(pixel, colour.rgb()));
            }
        }
    }
    // Reversed, so the first of equals wins (max_by_key keeps the last).
    OutlineColour::ALL
        .into_iter()
        .zip(closest)
        .rev()
        .max_by_key(|&(_, d)| d)
        .map_or(OutlineColour::Magenta, |(colour, _)| colour)
}

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    (0..3).map(|c| u32::from(a[c].abs_diff(b[c])).pow(2)).sum()
}

/// How thick the outline is on a picture of `size`: visible at a glance, a few pixels even on
/// a small one.
fn band_width(size: (u32, u32)) -> u32 {
    (size.0.max(size.1) / 300).max(3)
}

/// Draws the outline of `region` on `image`, just outside its edge (inside where the edge is
/// the picture's), `band` pixels thick.
pub fn draw_outline(image: &mut RgbImage, region: Region, colour: [u8; 3], band: u32) {
    let (w, h) = image.dimensions();
    let x0 = region.x.saturating_sub(band);
    let y0 = region.y.saturating_sub(band);
    let x1 = (region.x + region.width + band).min(w);
    let y1 = (region.y + region.height + band).min(h);
    let inner = (
        region.x.max(band),
        region.y.max(band),
        (region.x + region.width).min(w.saturating_sub(band)),
        (region.y + region.height).min(h.saturating_sub(band)),
    );
    for y in y0..y1 {
        for x in x0..x1 {
            let inside = x >= inner.0 && x < inner.2 && y >= inner.1 && y < inner.3;
            if !inside {
                image.put_pixel(x, y, image::Rgb(colour));
            }
        }
    }
}

/// The region outlined on an annotated copy (by [`annotate`]): the rectangle inside the
/// largest run of pixels of one outline colour, as a model finds the box it is asked to edit
/// in. `None` when no outline colour covers the edges of a rectangle.
pub fn find_outline(copy: &RgbImage) -> Option<(Region, OutlineColour)> {
    let (w, h) = copy.dimensions();
    OutlineColour::ALL.into_iter().find_map(|colour| {
        let rgb = colour.rgb();
        let is = |x: u32, y: u32| {
            let p = copy.get_pixel(x, y).0;
            (0..3).all(|c| p[c].abs_diff(rgb[c]) <= 24)
        };
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        let mut count = 0u64;
        for y in 0..h {
            for x in 0..w {
                if is(x, y) {
                    (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                    count += 1;
                }
            }
        }
        // An outline covers the perimeter of its bounding box, not a scattered few pixels.
        if count == 0 || x1 - x0 < 2 || y1 - y0 < 2 {
            return None;
        }
        let perimeter = 2 * u64::from(x1 - x0 + y1 - y0);
        if count < perimeter {
            return None;
        }
        // The band's thickness, from the left edge along the middle row.
        let mid = (y0 + y1) / 2;
        let band = (x0..=x1).take_while(|&x| is(x, mid)).count() as u32;
        let inner = Region {
            x: x0 + band,
            y: y0 + band,
            width: (x1 + 1).saturating_sub(x0 + 2 * band),
            height: (y1 + 1).saturating_sub(y0 + 2 * band),
        };
        (inner.width > 0 && inner.height > 0).then_some((inner, colour))
    })
}

/// The copy of `picture` sent with a region edit: scaled to at most [`ANNOTATED_SIDE`], the
/// region outlined in the colour that stands out there. Returns it (PNG) and the colour.
pub fn annotate(
    picture: &Blob,
    region: Region,
) -> Result<(Blob, OutlineColour), RegionPixelsError> {
    let image = decode(picture)?;
    let size = (image.width(), image.height());
    let shown = prepare::fit_within(size, (ANNOTATED_SIDE, ANNOTATED_SIDE));
    let mut copy = if shown == size {
        image.to_rgb8()
    } else {
        DynamicImage::ImageRgba8(
            prepare::downscale(&image, shown)
                .map_err(|e| RegionPixelsError::Unreadable(e.to_string()))?,
        )
        .into_rgb8()
    };
    let region = region.scaled(size, shown);
    let colour = outline_colour(&copy, region);
    draw_outline(&mut copy, region, colour.rgb(), band_width(shown));
    Ok((png(&copy)?, colour))
}

/// The picture shown for a region edit that keeps the rest: `raw` (the model's) inside
/// `region`, faded in over [`FEATHER`] pixels from its edge, over `base` (the edited
/// version) everywhere else, pixel for pixel. A reply of another size but the same shape is
/// scaled to the base's size first; one of another shape is refused.
fn keep_outside(base: &RgbImage, raw: &Blob, region: Region) -> Result<Blob, RegionPixelsError> {
    let raw = decode(raw)?;
    let (bw, bh) = base.dimensions();
    let (rw, rh) = (raw.width(), raw.height());
    // The same shape within 1 %.
    let cross = u64::from(rw) * u64::from(bh);
    let other = u64::from(bw) * u64::from(rh);
    if cross.abs_diff(other) > u64::from(bw.max(bh)) * u64::from(rw.max(rh)) / 100 {
        return Err(RegionPixelsError::OtherShape {
            raw: (rw, rh),
            base: (bw, bh),
        });
    }
    let raw = if (rw, rh) == (bw, bh) {
        raw.to_rgb8()
    } else {
        DynamicImage::ImageRgba8(
            prepare::downscale(&raw, (bw, bh))
                .map_err(|e| RegionPixelsError::Unreadable(e.to_string()))?,
        )
        .into_rgb8()
    };
    let mut out = base.clone();
    let right = region.x + region.width;
    let bottom = region.y + region.height;
    for y in region.y..bottom.min(bh) {
        for x in region.x..right.min(bw) {
            // Distance in from the nearest edge of the region, 0 on the edge itself.
            let inward = (x - region.x)
                .min(right - 1 - x)
                .min(y - region.y)
                .min(bottom - 1 - y);
            let weight = (inward + 1).min(FEATHER + 1);
            let from = raw.get_pixel(x, y).0;
            let pixel = out.get_pixel_mut(x, y);
            for (kept, new) in pixel.0.iter_mut().zip(from) {
                let mixed = (u32::from(new) * weight
                    + u32::from(*kept) * (FEATHER + 1 - weight)
                    + FEATHER.div_ceil(2))
                    / (FEATHER + 1);
                *kept = mixed as u8;
            }
        }
    }
    png(&out)
}

fn decode(blob: &Blob) -> Result<DynamicImage, RegionPixelsError> {
    let bytes = blob
        .bytes()
        .map_err(|e| RegionPixelsError::Unreadable(e.to_string()))?;
    prepare::decode(&bytes).map_err(|e| RegionPixelsError::Unreadable(e.to_string()))
}

/// Lossless, so the kept pixels stay exactly the edited version's; fast compression, since a
/// 4K picture is encoded while the user waits.
fn png(image: &RgbImage) -> Result<Blob, RegionPixelsError> {
    let mut out = Cursor::new(Vec::new());
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| RegionPixelsError::Encode(e.to_string()))?;
    Ok(Blob::from_bytes("image/png", Bytes::from(out.into_inner())))
}

#[cfg(test)]
mod tests {
    use image::Rgb;

    use super::*;

    fn jpeg(image: &RgbImage) -> Blob {
        let mut out = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(image)
            .unwrap();
        Blob::from_bytes("image/jpeg", Bytes::from(out.into_inner()))
    }

    fn region(x: u32, y: u32, width: u32, height: u32) -> Region {
        Region {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn the_outline_takes_the_colour_furthest_from_what_is_around_it() {
        let magenta_picture = RgbImage::from_pixel(200, 100, Rgb([250, 10, 240]));
        let colour = outline_colour(&magenta_picture, region(50, 20, 60, 30));
        assert_ne!(colour, OutlineColour::Magenta);
        // Magenta and cyan around the region: neither.
        let both = RgbImage::from_fn(200, 100, |x, _| {
            if x < 80 {
                Rgb([255, 0, 255])
            } else {
                Rgb([0, 255, 255])
            }
        });
        let colour = outline_colour(&both, region(50, 20, 60, 30));
        assert!(
            ![OutlineColour::Magenta, OutlineColour::Cyan].contains(&colour),
            "{colour:?}"
        );
    }

    #[test]
    fn the_annotated_copy_outlines_the_region_where_it_is_and_leaves_its_inside() {
        let picture = RgbImage::from_pixel(4096, 2048, Rgb([200, 200, 190]));
        let (annotated, colour) = annotate(&jpeg(&picture), region(1200, 340, 640, 180)).unwrap();
        let copy = prepare::decode(&annotated.bytes().unwrap())
            .unwrap()
            .to_rgb8();
        assert_eq!(copy.dimensions(), (2048, 1024), "scaled down to 2048 px");
        // At half size the region is 320×90 at 600,170; the outline is just outside it.
        assert_eq!(copy.get_pixel(598, 200).0, colour.rgb());
        assert_eq!(copy.get_pixel(700, 168).0, colour.rgb());
        assert_eq!(copy.get_pixel(921, 200).0, colour.rgb());
        assert_ne!(
            copy.get_pixel(700, 200).0,
            colour.rgb(),
            "the inside is the picture"
        );
        assert_ne!(copy.get_pixel(590, 200).0, colour.rgb(), "so is the rest");
        let (found, found_colour) = find_outline(&copy).expect("the outline is found");
        assert_eq!(found_colour, colour);
        assert_eq!(
            found,
            region(1200, 340, 640, 180).scaled((4096, 2048), (2048, 1024))
        );
        assert!(find_outline(&picture).is_none(), "no outline, no region");
    }

    #[test]
    fn keeping_outside_changes_only_the_inside_of_the_region() {
        let base = RgbImage::from_fn(400, 200, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let base_blob = jpeg(&base);
        let base_decoded = prepare::decode(&base_blob.bytes().unwrap())
            .unwrap()
            .to_rgb8();
        // The model redrew everything: darker all over, red inside.
        let raw = RgbImage::from_fn(800, 400, |x, y| {
            if (200..400).contains(&x) && (100..200).contains(&y) {
                Rgb([230, 20, 20])
            } else {
                Rgb([10, 10, 10])
            }
        });
        let kept = region(100, 50, 100, 50);
        let out = composites(&base_blob, [&jpeg(&raw)], kept)
            .unwrap()
            .remove(0);
        assert_eq!(out.mime_type(), "image/png");
        let out = prepare::decode(&out.bytes().unwrap()).unwrap().to_rgb8();
        assert_eq!(out.dimensions(), (400, 200), "the edited version's size");
        let mut changed_outside = 0;
        for (x, y, pixel) in out.enumerate_pixels() {
            let inside = (100..200).contains(&x) && (50..100).contains(&y);
            if !inside && pixel != base_decoded.get_pixel(x, y) {
                changed_outside += 1;
            }
        }
        assert_eq!(changed_outside, 0);
        let centre = out.get_pixel(150, 75).0;
        assert!(
            centre[0] > 200 && centre[1] < 60,
            "{centre:?}: the model's red inside"
        );
        // The edge is feathered: between the kept and the new.
        let edge = out.get_pixel(100, 75).0;
        let kept_edge = base_decoded.get_pixel(100, 75).0;
        assert_ne!(edge, centre);
        assert_ne!(edge, kept_edge);
    }

    #[test]
    fn a_reply_of_another_shape_is_not_composited() {
        let base = jpeg(&RgbImage::from_pixel(400, 200, Rgb([1, 2, 3])));
        let square = jpeg(&RgbImage::from_pixel(300, 300, Rgb([1, 2, 3])));
        let error = composites(&base, [&square], region(0, 0, 10, 10)).unwrap_err();
        assert!(error.contains("a different shape"), "{error}");
        assert!(error.contains("300×300"), "{error}");
    }
}
