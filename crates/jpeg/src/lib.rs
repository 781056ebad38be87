//! A JPEG's reduced-size decode (½, ¼ or ⅛ straight from the DCT blocks), by libjpeg-turbo
//! where its SIMD code was built in, else by jpeg-decoder; behind non-generic functions, so it
//! is compiled here, not in the caller (see Cargo.toml).

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use jpeg_decoder::{Decoder, PixelFormat};

/// A JPEG whose headers have been read.
pub struct Jpeg<'a> {
    bytes: &'a [u8],
    decoder: Decoder<Cursor<&'a [u8]>>,
    size: (u16, u16),
    format: PixelFormat,
}

/// Decoded pixels: 8-bit RGB, or 8-bit grey.
pub struct Pixels {
    pub bytes: Vec<u8>,
    pub size: (u16, u16),
    pub grey: bool,
}

/// Which decoder does the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// libjpeg-turbo, as the mozjpeg crate builds it.
    Turbo,
    /// The pure-Rust jpeg-decoder.
    JpegDecoder,
}

impl Backend {
    /// libjpeg-turbo when its SIMD code was built in and this CPU runs it; else jpeg-decoder,
    /// which is as fast as libjpeg-turbo's plain C at the ½ the full view needs.
    pub fn preferred() -> Backend {
        if turbo_has_simd() {
            Backend::Turbo
        } else {
            Backend::JpegDecoder
        }
    }
}

unsafe extern "C" {
    // libjpeg-turbo's own test (jsimd.c, or jsimd_none.c when it was built without SIMD) of
    // its SIMD colour conversion, which most of its lead over plain C comes from.
    fn jsimd_can_ycc_rgb() -> std::os::raw::c_int;
}

/// Whether the libjpeg-turbo linked in has its SIMD code (nasm was installed when it was built)
/// and this CPU can run it.
pub fn turbo_has_simd() -> bool {
    // Keeps mozjpeg-sys's static library, which holds the symbol, linked in.
    use mozjpeg_sys as _;
    static SIMD: OnceLock<bool> = OnceLock::new();
    // SAFETY: takes nothing and only reads the CPU's features, once, under libjpeg-turbo's own
    // initialisation; both of its variants are always compiled in.
    *SIMD.get_or_init(|| unsafe { jsimd_can_ycc_rgb() } != 0)
}

impl<'a> Jpeg<'a> {
    /// Reads the headers (up to the frame header); `None` if they cannot be read.
    pub fn open(bytes: &'a [u8]) -> Option<Jpeg<'a>> {
        let mut decoder = Decoder::new(Cursor::new(bytes));
        decoder.read_info().ok()?;
        let info = decoder.info()?;
        Some(Jpeg {
            bytes,
            size: (info.width, info.height),
            format: info.pixel_format,
            decoder,
        })
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// The EXIF segment, which comes before the frame header.
    pub fn exif(&self) -> Option<&[u8]> {
        self.decoder.exif_data()
    }

    /// The picture decoded at the smallest of the scales ½, ¼ and ⅛ (or whole) that still covers
    /// `wanted` pixels, by [`Backend::preferred`]; `None` for CMYK and 16-bit pictures (rare:
    /// left to a full decoder) or on an error.
    pub fn decode_scaled(self, wanted: (u16, u16)) -> Option<Pixels> {
        self.decode_scaled_with(wanted, Backend::preferred())
    }

    /// [`Jpeg::decode_scaled`] by `backend`.
    pub fn decode_scaled_with(self, wanted: (u16, u16), backend: Backend) -> Option<Pixels> {
        let grey = match self.format {
            PixelFormat::RGB24 => false,
            PixelFormat::L8 => true,
            _ => return None,
        };
        let n = eighths(self.size, wanted);
        match backend {
            Backend::Turbo => decode_turbo(self.bytes, n, grey),
            Backend::JpegDecoder => {
                let mut decoder = self.decoder;
                // jpeg-decoder takes the smallest scale that covers either side asked for:
                // asked for the sizes of scale `n` itself, it takes `n`.
                let side = |side: u16| u16::try_from((u32::from(side) * u32::from(n)).div_ceil(8));
                let size = decoder
                    .scale(side(self.size.0).ok()?, side(self.size.1).ok()?)
                    .ok()?;
                let bytes = decoder.decode().ok()?;
                Some(Pixels { bytes, size, grey })
            }
        }
    }
}

/// The scale, in eighths, of the smallest of ⅛, ¼ and ½ that still covers both sides of
/// `wanted`; 8 if none. Both decoders then make each side `ceil(side × n / 8)`.
fn eighths(size: (u16, u16), wanted: (u16, u16)) -> u8 {
    let covers =
        |side: u16, wanted: u16, n: u32| (u32::from(side) * n).div_ceil(8) >= u32::from(wanted);
    [1u8, 2, 4]
        .into_iter()
        .find(|&n| covers(size.0, wanted.0, n.into()) && covers(size.1, wanted.1, n.into()))
        .unwrap_or(8)
}

/// libjpeg-turbo's decode at `n`/8; `None` on any error it reports (mozjpeg unwinds them out
/// of the C code: caught here, so a bad file costs one decode).
fn decode_turbo(bytes: &[u8], n: u8, grey: bool) -> Option<Pixels> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut decompress = mozjpeg::Decompress::new_mem(bytes).ok()?;
        decompress.scale(n);
        let mut started = if grey {
            decompress.grayscale()
        } else {
            decompress.rgb()
        }
        .ok()?;
        let size = (
            u16::try_from(started.width()).ok()?,
            u16::try_from(started.height()).ok()?,
        );
        let bytes: Vec<u8> = started.read_scanlines().ok()?;
        let channels = if grey { 1 } else { 3 };
        let complete = bytes.len() == usize::from(size.0) * usize::from(size.1) * channels;
        (complete && started.finish().is_ok()).then_some(Pixels { bytes, size, grey })
    }))
    .ok()
    .flatten()
}
