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
use super::sixel::{self, Tile};

/// A picture encoded for the terminal, ready to draw.
pub(crate) enum Encoded {
    Protocol(Protocol),
    KittyPng(KittyPng),
    /// A picture larger than the terminal draws at once (xterm's sixels: 1000×1000 px), cut
    /// at cell boundaries into pieces it does draw, each at its offset in cells.
    Tiles(Vec<((u16, u16), Protocol)>),
}

impl Encoded {
    /// The cells it fills.
    pub(crate) fn size(&self) -> Size {
        match self {
            Encoded::Protocol(protocol) => protocol.size(),
            Encoded::KittyPng(kitty) => kitty.size(),
            Encoded::Tiles(tiles) => tiles.iter().fold(Size::new(0, 0), |all, (at, tile)| {
                Size::new(
                    all.width.max(at.0 + tile.size().width),
                    all.height.max(at.1 + tile.size().height),
                )
            }),
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
            Encoded::Tiles(tiles) => {
                for ((x, y), tile) in tiles {
                    let at = Rect::new(area.x + x, area.y + y, area.width, area.height)
                        .intersection(area);
                    Image::new(tile).render(at, buf);
                }
            }
        }
    }
}

/// The picker (protocol, font size, and whether we are in tmux) and the largest sixel picture
/// the terminal draws.
#[derive(Clone)]
pub(crate) struct Encoder {
    pub picker: Picker,
    pub max_px: Option<(u32, u32)>,
}

impl Encoder {
    pub(crate) fn new(picker: Picker) -> Encoder {
        Encoder {
            picker,
            max_px: None,
        }
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
            ProtocolType::Sixel => Ok(match self.tiles(canvas, cells) {
                Some(tiles) => Encoded::Tiles(
                    sixel::tiled(pixels, canvas, self.font_px(), &tiles, is_tmux)
                        .into_iter()
                        .map(|(at, tile)| (at, Protocol::Sixel(tile)))
                        .collect(),
                ),
                None => Encoded::Protocol(Protocol::Sixel(sixel::centred(
                    pixels, canvas, size, is_tmux,
                ))),
            }),
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

impl Encoder {
    /// A cell's size in pixels (never zero): canvases are whole cells of it.
    pub(crate) fn font(&self) -> (u16, u16) {
        let font = self.picker.font_size();
        (font.width.max(1), font.height.max(1))
    }

    /// [`Encoder::font`], for pixel arithmetic.
    fn font_px(&self) -> (u32, u32) {
        let (width, height) = self.font();
        (u32::from(width), u32::from(height))
    }

    /// Where a canvas of `cells` (`canvas` pixels) larger than the terminal draws at once is
    /// cut: as few tiles as fit, of near-equal whole cells, each as `(at, cells)`. `None`
    /// when it draws all of it at once.
    fn tiles(&self, canvas: (u32, u32), cells: (u16, u16)) -> Option<Vec<Tile>> {
        let (max_w, max_h) = self.max_px?;
        if canvas.0 <= max_w && canvas.1 <= max_h {
            return None;
        }
        let font = self.font_px();
        let across = split_cells(cells.0, font.0, max_w);
        let down = split_cells(cells.1, font.1, max_h);
        let mut tiles = Vec::with_capacity(across.len() * down.len());
        for &(y, rows) in &down {
            for &(x, cols) in &across {
                tiles.push(((x, y), (cols, rows)));
            }
        }
        Some(tiles)
    }
}

/// `cells` cells of `font` pixels cut into as few runs of near-equal length as keep each
/// within `max` pixels (at least a cell each): `(start, length)` in cells.
fn split_cells(cells: u16, font: u32, max: u32) -> Vec<(u16, u16)> {
    let per_run = u16::try_from((max / font.max(1)).max(1)).unwrap_or(u16::MAX);
    let runs = cells.div_ceil(per_run).max(1);
    let (base, longer) = (cells / runs, cells % runs);
    let mut start = 0;
    (0..runs)
        .map(|run| {
            let length = base + u16::from(run < longer);
            let at = start;
            start += length;
            (at, length)
        })
        .collect()
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

    #[test]
    fn a_sixel_larger_than_the_terminal_draws_is_tiled_without_seams() {
        // Stripes of cube colours 7 px wide, so tile edges fall inside stripes, and an orange
        // off the cube: all of the left third, one line across the rest. The whole picture's
        // palette gives the orange a register of its own everywhere; a tile's own palette
        // would dither the line where it is rare. On a canvas of 31×7 cells of 10×20 px.
        let colours = [
            [255, 0, 0],
            [0, 0, 255],
            [0, 255, 0],
            [255, 255, 255],
            [0, 0, 0],
        ];
        let image = RgbaImage::from_fn(300, 130, |x, y| {
            let [r, g, b] = if x < 100 || y == 60 {
                [190, 115, 45]
            } else {
                colours[((x / 7 + y / 11) % 5) as usize]
            };
            Rgba([r, g, b, 255])
        });
        let (canvas, cells) = ((310, 140), (31, 7));
        let whole = encoder(ProtocolType::Sixel)
            .encode(&Pixels::of_rgba(&image), canvas, cells)
            .expect("encodes");
        let Encoded::Protocol(Protocol::Sixel(whole)) = whole else {
            panic!("one sixel picture without a limit");
        };
        let expected =
            super::sixel::tests::decode(&whole.data[whole.data.find("\x1bP").unwrap()..]);

        let mut limited = encoder(ProtocolType::Sixel);
        limited.max_px = Some((100, 100));
        let tiled = limited
            .encode(&Pixels::of_rgba(&image), canvas, cells)
            .expect("encodes");
        assert_eq!(tiled.size(), Size::new(31, 7));
        let Encoded::Tiles(tiles) = tiled else {
            panic!("tiles where the terminal draws at most 100×100 px");
        };
        // Four across (8, 8, 8, 7 cells) and two down (4, 3 rows): as few as fit.
        assert_eq!(tiles.len(), 8);
        let mut stitched = RgbaImage::new(canvas.0, canvas.1);
        let mut covered = 0;
        for ((x, y), tile) in &tiles {
            let Protocol::Sixel(sixel) = tile else {
                panic!("sixel tiles");
            };
            let size = tile.size();
            covered += u32::from(size.width) * u32::from(size.height);
            let decoded =
                super::sixel::tests::decode(&sixel.data[sixel.data.find("\x1bP").unwrap()..]);
            assert!(decoded.width() <= 100 && decoded.height() <= 100);
            assert_eq!(
                decoded.dimensions(),
                (u32::from(size.width) * 10, u32::from(size.height) * 20)
            );
            image::imageops::replace(
                &mut stitched,
                &decoded,
                i64::from(*x) * 10,
                i64::from(*y) * 20,
            );
        }
        assert_eq!(covered, 31 * 7, "the tiles cover the cells once");
        assert!(
            stitched == expected,
            "the tiles show exactly what one picture would"
        );
    }
}
