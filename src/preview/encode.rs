//! The last step of preparing a picture: pixels that fill whole cells, encoded for the
//! terminal's protocol. Sixel goes through our own encoder ([`super::sixel`]); kitty is
//! deflated (`o=z`) when the terminal said it can inflate; the rest is ratatui-image's.

use image::{DynamicImage, RgbaImage};
use ratatui::layout::Size;
use ratatui_image::Resize;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::kitty::Kitty;

use super::caps::Capabilities;
use super::sixel;

/// The picker (protocol, font size, tmux) and what else detection learnt about encoding.
#[derive(Clone)]
pub(crate) struct Encoder {
    pub picker: Picker,
    /// The terminal answered the kitty query sent deflated: kitty images may be sent `o=z`.
    pub kitty_zlib: bool,
}

impl Encoder {
    /// Deflates kitty images only where the terminal answered the deflated query: one that
    /// draws kitty graphics but cannot inflate would show nothing at all.
    pub(crate) fn new(picker: Picker, caps: &Capabilities) -> Encoder {
        Encoder {
            picker,
            kitty_zlib: caps.kitty_zlib,
        }
    }

    /// `image` encoded to fill `cells` (its size must be the cells' pixels already).
    pub(crate) fn protocol(&self, image: RgbaImage, cells: (u16, u16)) -> Result<Protocol, String> {
        let size = Size::new(cells.0, cells.1);
        let is_tmux = self.picker.tmux_detected();
        match self.picker.protocol_type() {
            ProtocolType::Sixel => Ok(Protocol::Sixel(sixel::protocol(&image, size, is_tmux))),
            ProtocolType::Kitty => {
                // Any id but 0; ratatui-image draws it in the cells' colour and diacritics.
                let id = fastrand::u32(1..);
                Kitty::new(
                    DynamicImage::ImageRgba8(image),
                    size,
                    id,
                    is_tmux,
                    self.kitty_zlib,
                )
                .map(Protocol::Kitty)
                .map_err(|e| format!("cannot encode for kitty: {e}"))
            }
            protocol => self
                .picker
                .new_protocol(DynamicImage::ImageRgba8(image), size, Resize::Fit(None))
                .map_err(|e| format!("cannot encode for {protocol:?}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use image::Rgba;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget;
    use ratatui_image::FontSize;
    use ratatui_image::Image;

    use super::*;
    use crate::preview::caps::Reply;
    use crate::preview::protocol::with_font_size;

    /// What the terminal is sent the first time the picture is drawn.
    fn drawn(encoder: &Encoder, image: RgbaImage, cells: (u16, u16)) -> String {
        let protocol = encoder.protocol(image, cells).expect("encodes");
        let area = Rect::new(0, 0, cells.0, cells.1);
        let mut buffer = Buffer::empty(area);
        Image::new(&protocol).render(area, &mut buffer);
        buffer.content().iter().map(|cell| cell.symbol()).collect()
    }

    fn picker(protocol: ProtocolType) -> Picker {
        let mut picker = with_font_size(FontSize::new(10, 20));
        picker.set_protocol_type(protocol);
        picker
    }

    #[test]
    fn kitty_images_are_deflated_only_when_the_terminal_inflated_the_query() {
        // Flat colour: deflate shrinks it to almost nothing.
        let image = RgbaImage::from_pixel(200, 100, Rgba([250, 200, 0, 255]));
        let mut caps = Capabilities::default();
        caps.apply(Reply::KittyGraphics(true));
        caps.apply(Reply::KittyZlib(false));
        let raw = drawn(
            &Encoder::new(picker(ProtocolType::Kitty), &caps),
            image.clone(),
            (20, 5),
        );
        assert!(!raw.contains("o=z"));
        caps.apply(Reply::KittyZlib(true));
        let deflated = drawn(
            &Encoder::new(picker(ProtocolType::Kitty), &caps),
            image,
            (20, 5),
        );
        assert!(deflated.contains(",f=32,o=z,t=d,s=200,v=100,"));
        assert!(
            deflated.len() * 20 < raw.len(),
            "{} vs {} bytes",
            deflated.len(),
            raw.len()
        );
    }

    #[test]
    fn sixel_goes_through_our_encoder_and_fills_the_cells() {
        let image = RgbaImage::from_pixel(200, 100, Rgba([0, 0, 255, 255]));
        let encoder = Encoder::new(picker(ProtocolType::Sixel), &Capabilities::default());
        let protocol = encoder.protocol(image, (20, 5)).expect("encodes");
        assert_eq!(protocol.size(), Size::new(20, 5));
        let Protocol::Sixel(sixel) = protocol else {
            panic!("a sixel protocol");
        };
        // A large flat colour gets the first register after our fixed cube (icy_sixel numbers
        // its palette from 0).
        assert!(sixel.data.contains("\x1bP9;1;0q\"1;1;200;100"));
        assert_eq!(sixel.data.matches(";2;").count(), 1);
        assert!(sixel.data.contains("#216;2;0;0;100"));
    }
}
