//! jpeg-decoder's reduced-size decode (½, ¼ or ⅛ straight from the DCT blocks) behind
//! non-generic functions, so it is compiled here, not in the caller (see Cargo.toml).

use std::io::Cursor;

use jpeg_decoder::{Decoder, PixelFormat};

/// A JPEG whose headers have been read.
pub struct Jpeg<'a> {
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

impl<'a> Jpeg<'a> {
    /// Reads the headers (up to the frame header); `None` if they cannot be read.
    pub fn open(bytes: &'a [u8]) -> Option<Jpeg<'a>> {
        let mut decoder = Decoder::new(Cursor::new(bytes));
        decoder.read_info().ok()?;
        let info = decoder.info()?;
        Some(Jpeg {
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

    /// The picture decoded at the smallest of jpeg-decoder's scales that still covers `wanted`
    /// pixels; `None` for CMYK and 16-bit pictures (rare: left to a full decoder) or on an
    /// error.
    pub fn decode_scaled(mut self, wanted: (u16, u16)) -> Option<Pixels> {
        let grey = match self.format {
            PixelFormat::RGB24 => false,
            PixelFormat::L8 => true,
            _ => return None,
        };
        let size = self.decoder.scale(wanted.0, wanted.1).ok()?;
        let bytes = self.decoder.decode().ok()?;
        Some(Pixels { bytes, size, grey })
    }
}
