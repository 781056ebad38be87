//! The sixel encoder, decoded back with a decoder as small as the tests need.

use image::Rgba;

use super::*;

/// The picture alone, nothing around it.
fn encode(image: &RgbaImage) -> String {
    super::encode(&Pixels::of_rgba(image), image.dimensions(), "", false)
}

/// A sixel decoder as small as these tests need: the header, register definitions, `#`,
/// `!`, `$`, `-` and sixel characters. Undrawn pixels stay transparent.
pub(crate) fn decode(sixel: &str) -> RgbaImage {
    let body = sixel
        .strip_prefix("\x1bP9;1;0q\"1;1;")
        .and_then(|s| s.strip_suffix("\x1b\\"))
        .expect("a sixel image with raster attributes");
    let bytes = body.as_bytes();
    let mut at = 0;
    let number = |at: &mut usize| {
        let start = *at;
        while *at < bytes.len() && bytes[*at].is_ascii_digit() {
            *at += 1;
        }
        body[start..*at].parse::<u32>().expect("a number")
    };
    let width = number(&mut at);
    assert_eq!(bytes[at], b';');
    at += 1;
    let height = number(&mut at);
    let mut image = RgbaImage::new(width, height);
    let mut registers = vec![None; 256];
    let (mut x, mut band, mut register) = (0u32, 0u32, None);
    while at < bytes.len() {
        let byte = bytes[at];
        at += 1;
        match byte {
            b'#' => {
                let index = number(&mut at) as usize;
                if bytes.get(at) == Some(&b';') {
                    let mut parts = [0u32; 4];
                    for part in &mut parts {
                        at += 1;
                        *part = number(&mut at);
                    }
                    assert_eq!(parts[0], 2, "RGB colour");
                    let channel = |p: u32| {
                        assert!(p <= 100);
                        (p * 255 / 100) as u8
                    };
                    registers[index] = Some(Rgba([
                        channel(parts[1]),
                        channel(parts[2]),
                        channel(parts[3]),
                        255,
                    ]));
                }
                register = Some(registers[index].expect("a register defined before use"));
            }
            b'$' => x = 0,
            b'-' => {
                x = 0;
                band += 1;
            }
            b'!' | b'?'..=b'~' => {
                let count = if byte == b'!' { number(&mut at) } else { 1 };
                let character = if byte == b'!' {
                    at += 1;
                    bytes[at - 1]
                } else {
                    byte
                };
                let bits = character - b'?';
                for _ in 0..count {
                    assert!(x < width, "a line longer than the image");
                    for row in 0..6 {
                        let y = band * 6 + row;
                        if bits & (1 << row) != 0 {
                            assert!(y < height, "a pixel below the image");
                            image.put_pixel(x, y, register.expect("a register selected"));
                        }
                    }
                    x += 1;
                }
            }
            other => panic!("unexpected byte {other:#x} in the sixel body"),
        }
    }
    assert_eq!(band, height.div_ceil(6), "one `-` per band");
    image
}

fn distance(a: Rgba<u8>, b: Rgba<u8>) -> u32 {
    (0..3)
        .map(|c| u32::from(a[c].abs_diff(b[c])))
        .max()
        .unwrap_or(0)
}

#[test]
fn flat_colours_decode_back_close_to_the_source_and_alpha_stays_undrawn() {
    // Odd sizes: a last band of 5 rows, a width that no thread split divides.
    let mut source = RgbaImage::new(123, 47);
    for (x, y, pixel) in source.enumerate_pixels_mut() {
        *pixel = match (x * 4 / 123, y) {
            (_, 0..=9) => Rgba([0, 0, 0, 0]),
            (0, _) => Rgba([255, 255, 255, 255]),
            (1, _) => Rgba([0, 0, 0, 255]),
            (2, _) => Rgba([255, 0, 0, 255]),
            _ => Rgba([0, 85, 255, 255]),
        };
    }
    let decoded = decode(&encode(&source));
    for (x, y, pixel) in source.enumerate_pixels() {
        let got = decoded.get_pixel(x, y);
        if pixel[3] == 0 {
            assert_eq!(got[3], 0, "transparent at {x},{y}");
        } else {
            // Colours on the palette's levels come back exactly (up to percent rounding).
            assert!(distance(*pixel, *got) <= 3, "{x},{y}: {pixel:?} → {got:?}");
        }
    }
}

#[test]
fn a_gradient_keeps_its_average_colour_in_every_tile() {
    // Big enough for several threads: each band's output must land in order.
    let source = RgbaImage::from_fn(1024, 600, |x, y| {
        Rgba([(x / 4) as u8, (y * 255 / 599) as u8, 90, 255])
    });
    let decoded = decode(&encode(&source));
    // The dither mixes neighbouring levels: an 8×8 tile averages close to the source.
    for tile_y in (0..600 - 8).step_by(48) {
        for tile_x in (0..1024 - 8).step_by(64) {
            for channel in 0..3 {
                let mean = |image: &RgbaImage| {
                    let mut sum = 0u32;
                    for y in tile_y..tile_y + 8 {
                        for x in tile_x..tile_x + 8 {
                            sum += u32::from(image.get_pixel(x, y)[channel]);
                        }
                    }
                    sum / 64
                };
                let (want, got) = (mean(&source), mean(&decoded));
                assert!(
                    want.abs_diff(got) <= 8,
                    "tile {tile_x},{tile_y} channel {channel}: {want} → {got}"
                );
            }
        }
    }
}

#[test]
fn empty_pictures_encode_to_an_empty_image() {
    for (width, height) in [(0, 0), (0, 7), (9, 0)] {
        let sixel = encode(&RgbaImage::new(width, height));
        assert_eq!(decode(&sixel).dimensions(), (width, height));
        assert!(
            !sixel.contains(";2;"),
            "no register for no pixel: {sixel:?}"
        );
    }
}

#[test]
fn runs_are_compressed_and_only_used_registers_are_defined() {
    let source = RgbaImage::from_pixel(1000, 12, Rgba([255, 0, 0, 255]));
    let sixel = encode(&source);
    // One register, two bands of one run each.
    assert_eq!(sixel.matches(";2;").count(), 1);
    assert_eq!(sixel.matches("!1000~").count(), 2);
    assert!(sixel.len() < 80, "{sixel:?}");
}

#[test]
fn a_large_flat_colour_off_the_cube_is_drawn_exactly_not_dithered() {
    // An infographic's panel: a colour no cube level matches, over a dithered gradient.
    let source = RgbaImage::from_fn(600, 120, |x, y| match y {
        0..=59 => Rgba([200, 121, 30, 255]),
        _ => Rgba([(x * 255 / 599) as u8, 40, 90, 255]),
    });
    let sixel = encode(&source);
    let decoded = decode(&sixel);
    for y in 0..60 {
        for x in 0..600 {
            let got = decoded.get_pixel(x, y);
            assert!(
                distance(Rgba([200, 121, 30, 255]), *got) <= 2,
                "{x},{y}: {got:?}"
            );
        }
    }
    // Ten bands of that colour alone: one full run each, ended by the band's `-`.
    assert_eq!(sixel.matches("!600~-").count(), 10);
}

#[test]
fn rgb_pixels_centred_on_a_canvas_encode_like_the_padded_rgba_picture() {
    // A gradient over a flat panel; the canvas pads 5 columns left (the dither's columns
    // are the canvas's, not the picture's) and 3 rows on top (a band split by the edge).
    let rgb = image::RgbImage::from_fn(301, 97, |x, y| match y {
        0..=40 => image::Rgb([200, 121, 30]),
        _ => image::Rgb([(x * 255 / 300) as u8, (y * 2) as u8, 90]),
    });
    let canvas = (311, 103);
    let padded = crate::preview::prepare::pad_to(
        image::DynamicImage::ImageRgb8(rgb.clone()).into_rgba8(),
        canvas,
    );
    let pixels = Pixels {
        stride: rgb.width() as usize * 3,
        size: rgb.dimensions(),
        bytes: std::borrow::Cow::Borrowed(rgb.as_raw()),
        layout: Layout::Rgb8,
    };
    assert_eq!(
        super::encode(&pixels, canvas, "", false),
        encode(&padded),
        "the same sixels"
    );
}

#[test]
fn the_protocol_clears_its_cells_and_wraps_for_tmux_like_ratatui_image() {
    let image = RgbaImage::from_pixel(20, 40, Rgba([9, 9, 9, 255]));
    let plain = protocol(&image, Size::new(2, 2), false);
    assert_eq!(plain.size, Size::new(2, 2));
    assert!(
        plain
            .data
            .starts_with("\x1b[2X\x1b[1B\x1b[2X\x1b[1B\x1b[2A\x1bP9;1;0q")
    );
    assert!(plain.data.ends_with("\x1b\\"));
    let tmux = protocol(&image, Size::new(2, 2), true);
    assert!(tmux.data.starts_with("\x1bPtmux;\x1b\x1b[2X"));
    assert!(tmux.data.contains("\x1b\x1bP9;1;0q"));
    assert!(tmux.data.ends_with("\x1b\x1b\\\x1b\\"));
    // Inside the passthrough every escape is doubled: no single one ends it early.
    let inner = &tmux.data["\x1bPtmux;".len()..tmux.data.len() - 2];
    assert!(inner.split("\x1b\x1b").all(|piece| !piece.contains('\x1b')));
}
