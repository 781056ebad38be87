//! The last step of preparing a picture: pixels that fill whole cells, encoded for the
//! terminal's protocol. Sixel goes through our own encoder ([`super::sixel`]), kitty is sent as
//! PNG ([`super::kitty`]); the rest is ratatui-image's.

use image::DynamicImage;
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::widgets::Widget;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};

use super::kitty::KittyPng;
use super::prepare::{self, Pixels};
use super::sixel;

/// A picture encoded for the terminal, ready to draw.
pub(crate) enum Encoded {
    Protocol(Protocol),
    KittyPng(KittyPng),
}

impl Encoded {
    /// The cells it fills.
    pub(crate) fn size(&self) -> Size {
        match self {
            Encoded::Protocol(protocol) => protocol.size(),
            Encoded::KittyPng(kitty) => kitty.size(),
        }
    }

    /// Whether a part of it can be drawn in a smaller area (sixel cannot).
    pub(crate) fn can_clip(&self) -> bool {
        matches!(
            self,
            Encoded::Protocol(Protocol::Halfblocks(_) | Protocol::Kitty(_)) | Encoded::KittyPng(_)
        )
    }
}

/// Draws it from the area's top left; a picture larger than the area is clipped where the
/// protocol can be, and otherwise not drawn.
impl Widget for &Encoded {
    fn render(self, area: Rect, buf: &mut Buffer) {
        match self {
            Encoded::Protocol(protocol) => {
                Image::new(protocol).allow_clipping(true).render(area, buf)
            }
            Encoded::KittyPng(kitty) => kitty.render(area, buf),
        }
    }
}

/// The picker: protocol, font size, and whether we are in tmux.
#[derive(Clone)]
pub(crate) struct Encoder {
    pub picker: Picker,
}

impl Encoder {
    pub(crate) fn new(picker: Picker) -> Encoder {
        Encoder { picker }
    }

    /// `pixels` centred on a transparent canvas of `canvas` pixels, encoded to fill `cells`
    /// (the canvas is the cells' pixels).
    pub(crate) fn encode(
        &self,
        pixels: &Pixels,
        canvas: (u32, u32),
        cells: (u16, u16),
    ) -> Result<Encoded, String> {
        let size = Size::new(cells.0, cells.1);
        let is_tmux = self.picker.tmux_detected();
        match self.picker.protocol_type() {
            ProtocolType::Sixel => Ok(Encoded::Protocol(Protocol::Sixel(sixel::centred(
                pixels, canvas, size, is_tmux,
            )))),
            // Any ids but 0 (one a strip); the placeholders carry them in their colour and
            // diacritics.
            ProtocolType::Kitty => {
                let id = fastrand::u32(1..u32::MAX - 256);
                KittyPng::centred(pixels, canvas, size, id, is_tmux).map(Encoded::KittyPng)
            }
            protocol => {
                let image = prepare::pad_to(pixels.to_rgba(), canvas);
                self.picker
                    .new_protocol(DynamicImage::ImageRgba8(image), size, Resize::Fit(None))
                    .map(Encoded::Protocol)
                    .map_err(|e| format!("cannot encode for {protocol:?}: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use image::{Rgba, RgbaImage};
    use ratatui_image::FontSize;

    use super::*;
    use crate::emulator::protocol::with_font_size;

    fn encoder(protocol: ProtocolType) -> Encoder {
        let mut picker = with_font_size(FontSize::new(10, 20));
        picker.set_protocol_type(protocol);
        Encoder::new(picker)
    }

    #[test]
    fn kitty_images_are_sent_as_png_and_drawn_as_placeholders() {
        let image = RgbaImage::from_pixel(200, 100, Rgba([250, 200, 0, 255]));
        let encoded = encoder(ProtocolType::Kitty)
            .encode(&Pixels::of_rgba(&image), (200, 100), (20, 5))
            .expect("encodes");
        assert_eq!(encoded.size(), Size::new(20, 5));
        assert!(encoded.can_clip());
        let area = Rect::new(0, 0, 20, 5);
        let mut buffer = Buffer::empty(area);
        encoded.render(area, &mut buffer);
        assert!(
            buffer[(0, 0)]
                .symbol()
                .contains(",a=T,U=1,f=100,t=d,c=20,r=5,")
        );
    }

    #[test]
    fn sixel_goes_through_our_encoder_and_fills_the_cells() {
        let image = RgbaImage::from_pixel(200, 100, Rgba([0, 0, 255, 255]));
        let encoded = encoder(ProtocolType::Sixel)
            .encode(&Pixels::of_rgba(&image), (200, 100), (20, 5))
            .expect("encodes");
        assert_eq!(encoded.size(), Size::new(20, 5));
        assert!(!encoded.can_clip());
        let Encoded::Protocol(Protocol::Sixel(sixel)) = encoded else {
            panic!("a sixel protocol");
        };
        // A large flat colour gets the first register after our fixed cube (icy_sixel numbers
        // its palette from 0).
        assert!(sixel.data.contains("\x1bP9;1;0q\"1;1;200;100"));
        assert_eq!(sixel.data.matches(";2;").count(), 1);
        assert!(sixel.data.contains("#216;2;0;0;100"));
    }
}
