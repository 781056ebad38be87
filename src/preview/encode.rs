//! The last step of preparing a picture: pixels that fill whole cells, encoded for the
//! terminal's protocol. Sixel goes through our own encoder ([`super::sixel`]); kitty is
//! deflated (`o=z`) when the terminal said it can inflate; the rest is ratatui-image's.

use image::{DynamicImage, RgbaImage};
use ratatui::layout::Size;
use ratatui_image::Resize;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::kitty::Kitty;

use super::sixel;

/// The picker (protocol, font size, tmux) and what else detection learnt about encoding.
#[derive(Clone)]
pub(crate) struct Encoder {
    pub picker: Picker,
    /// The terminal answered the kitty query sent deflated: kitty images may be sent `o=z`.
    pub kitty_zlib: bool,
}

impl Encoder {
    pub(crate) fn new(picker: Picker) -> Encoder {
        Encoder {
            picker,
            kitty_zlib: false,
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
