//! The two JPEG decoders behind the previews (crates/jpeg): libjpeg-turbo, used where its SIMD
//! code was built in, and jpeg-decoder, used elsewhere, decode alike at every scale, survive
//! damaged files, and the SIMD code is there wherever nasm is.

use banana_studio_jpeg::{Backend, Jpeg, Pixels, turbo_has_simd};
use image::{ImageEncoder, codecs::jpeg::JpegEncoder};

/// A JPEG of soft gradients and a few sharp edges, `width`×`height`.
fn jpeg(width: u32, height: u32, grey: bool) -> Vec<u8> {
    let pixel = |x: u32, y: u32| {
        let edge = if (x / 37 + y / 23).is_multiple_of(2) {
            60
        } else {
            0
        };
        [
            ((x * 255 / width) as u8).saturating_add(edge),
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ]
    };
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, 90);
    if grey {
        let pixels: Vec<u8> = (0..height)
            .flat_map(|y| (0..width).map(move |x| pixel(x, y)[0]))
            .collect();
        encoder
            .write_image(&pixels, width, height, image::ExtendedColorType::L8)
            .unwrap();
    } else {
        let pixels: Vec<u8> = (0..height)
            .flat_map(|y| (0..width).flat_map(move |x| pixel(x, y)))
            .collect();
        encoder
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
    }
    out
}

fn decode(bytes: &[u8], wanted: (u16, u16), backend: Backend) -> Option<Pixels> {
    Jpeg::open(bytes)?.decode_scaled_with(wanted, backend)
}

#[test]
fn both_decoders_give_the_same_size_and_nearly_the_same_pixels_at_every_scale() {
    for grey in [false, true] {
        let bytes = jpeg(803, 517, grey);
        // The smallest of ½, ¼ and ⅛ that covers the size wanted, odd sides rounded up.
        for (wanted, size) in [
            ((803, 517), (803, 517)),
            ((402, 260), (803, 517)),
            ((402, 259), (402, 259)),
            ((201, 130), (201, 130)),
            ((202, 130), (402, 259)),
            ((101, 65), (101, 65)),
            ((60, 40), (101, 65)),
        ] {
            let turbo = decode(&bytes, wanted, Backend::Turbo).unwrap();
            let rust = decode(&bytes, wanted, Backend::JpegDecoder).unwrap();
            assert_eq!((turbo.size, rust.size), (size, size), "{wanted:?}");
            assert_eq!((turbo.grey, rust.grey), (grey, grey));
            assert_eq!(turbo.bytes.len(), rust.bytes.len());
            // Their IDCTs and chroma upsampling differ by a few levels, not more.
            let total: u64 = turbo
                .bytes
                .iter()
                .zip(&rust.bytes)
                .map(|(a, b)| u64::from(a.abs_diff(*b)))
                .sum();
            let mean = total as f64 / turbo.bytes.len() as f64;
            assert!(
                mean < 4.0,
                "{wanted:?}, grey {grey}: mean difference {mean:.2}"
            );
        }
    }
}

#[test]
fn a_damaged_file_is_an_error_from_either_decoder_never_a_panic() {
    let good = jpeg(320, 200, false);
    let mut damaged = Vec::new();
    // Cut short, bytes flipped in the entropy-coded data, and a scan of garbage.
    damaged.push(good[..good.len() / 2].to_vec());
    for step in [7, 31, 101] {
        let mut flipped = good.clone();
        let start = good.len() / 3;
        for i in (start..good.len() - 2).step_by(step) {
            flipped[i] ^= 0x5A;
        }
        damaged.push(flipped);
    }
    let mut garbage = good[..good.len() / 4].to_vec();
    garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    garbage.extend([0xFF, 0xD9]);
    damaged.push(garbage);
    for bytes in &damaged {
        for backend in [Backend::Turbo, Backend::JpegDecoder] {
            // Either answer is fine (a decoder may conceal damage); unwinding out is not.
            let _ = decode(bytes, (160, 100), backend);
        }
    }
    assert!(decode(b"\xFF\xD8\xFF\xD9", (1, 1), Backend::Turbo).is_none());
}

/// Where nasm is installed (as `.ci/run` installs it), libjpeg-turbo must have been built
/// with its SIMD code, and then it is the decoder used.
#[test]
fn libjpeg_turbo_has_its_simd_where_nasm_is_installed() {
    let nasm = std::process::Command::new("nasm")
        .arg("-v")
        .output()
        .is_ok_and(|out| out.status.success());
    if nasm {
        assert!(
            turbo_has_simd(),
            "nasm is installed, yet libjpeg-turbo has no SIMD"
        );
        assert_eq!(Backend::preferred(), Backend::Turbo);
    } else {
        assert_eq!(Backend::preferred(), Backend::JpegDecoder);
    }
}
