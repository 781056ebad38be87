//! Printing a picture straight to the terminal with viuer: `send --preview`. (The studio's
//! full view draws inside the studio, with the pane's protocol: see `tui::fullview`.)
//!
//! viuer resizes with the `image` crate, which takes seconds on a 4K picture in a debug build,
//! so the picture is shrunk to the terminal's pixel size with fast_image_resize first and viuer
//! only has to print it.

use std::io::{self, IsTerminal, Write};

use crossterm::terminal;
use image::DynamicImage;
use ratatui_image::picker::ProtocolType;

use super::prepare::{self, PrepareError};
use crate::blob::Blob;
use crate::emulator::ImageProtocol;
use crate::emulator::protocol::detect;

/// Where a picture goes on screen and at which resolution to hand it to viuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Cells the picture covers.
    pub cells: (u16, u16),
    /// Pixel size to pre-resize to.
    pub pixels: (u32, u32),
    /// Top-left cell that centres it on `screen`.
    pub offset: (u16, u16),
}

/// Lays a picture of `image` pixels out on a `screen` of cells.
///
/// With a graphics protocol (`font` = the cell size in pixels) the terminal scales the picture
/// to the cells we give it, so the pixels never exceed the picture's own. Without one, viuer
/// prints blocks: a cell is one pixel wide and two tall, and the pixels are exactly the cells.
pub fn place(image: (u32, u32), screen: (u16, u16), font: Option<(u16, u16)>) -> Placement {
    let screen = (screen.0.max(1), screen.1.max(1));
    let (cells, pixels) = match font {
        Some((fw, fh)) => {
            let (fw, fh) = (fw.max(1), fh.max(1));
            let bounds = (
                u32::from(screen.0) * u32::from(fw),
                u32::from(screen.1) * u32::from(fh),
            );
            let shown = prepare::scale_to_fit(image, bounds);
            let cells = prepare::cells_for(shown, (fw, fh));
            (cells, prepare::fit_within(image, bounds))
        }
        None => {
            let pixels =
                prepare::scale_to_fit(image, (u32::from(screen.0), u32::from(screen.1) * 2));
            let cells = prepare::cells_for(pixels, (1, 2));
            (cells, pixels)
        }
    };
    let cells = (cells.0.min(screen.0), cells.1.min(screen.1));
    Placement {
        cells,
        pixels,
        offset: ((screen.0 - cells.0) / 2, (screen.1 - cells.1) / 2),
    }
}

fn invalid(error: PrepareError) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("cannot preview: {error}"),
    )
}

fn viuer_error(error: viuer::ViuError) -> io::Error {
    match error {
        viuer::ViuError::Io(e) => e,
        other => io::Error::other(format!("cannot print the image: {other}")),
    }
}

/// viuer's settings for a picture of `placement.cells`, with the protocols it may use.
fn viuer_config(placement: &Placement, kitty: bool, iterm: bool) -> viuer::Config {
    viuer::Config {
        width: Some(u32::from(placement.cells.0)),
        height: Some(u32::from(placement.cells.1)),
        use_kitty: kitty,
        use_iterm: iterm,
        ..viuer::Config::default()
    }
}

/// Where the picture goes on a screen of `cells`, and the picture shrunk to fit there (the
/// full-size one is dropped before anything is printed).
fn shrink_to_screen(
    image: image::DynamicImage,
    cells: (u16, u16),
    font: Option<(u16, u16)>,
) -> io::Result<(Placement, image::RgbaImage)> {
    let placement = place((image.width(), image.height()), cells, font);
    let small = prepare::downscale(&image, placement.pixels).map_err(invalid)?;
    Ok((placement, small))
}

/// The rows `send --preview` uses by default: a third of the terminal, so the reply printed
/// before it stays in view.
pub fn default_preview_rows(terminal_rows: u16) -> u16 {
    (terminal_rows / 3).max(4)
}

/// Prints a picture at the cursor, as wide as the terminal and `rows` tall at most (default a
/// third of the terminal: see [`default_preview_rows`]) — `send --preview`. Needs stdout to be
/// a terminal.
///
/// The protocol comes from our own detection (the same table as the studio's pane): sixel is
/// encoded with the studio's own encoder (`preview::sixel`), since viuer's needs libsixel; kitty and
/// iTerm2 are printed by viuer only outside tmux, where its own kitty probe cannot become the
/// pane's title; everything else gets viuer's coloured blocks, which ask the terminal nothing.
pub fn print_inline(blob: &Blob, choice: ImageProtocol, rows: Option<u16>) -> io::Result<()> {
    if !io::stdout().is_terminal() {
        return Err(io::Error::other("preview needs a terminal"));
    }
    let bytes = blob.bytes()?;
    let image = prepare::decode(&bytes).map_err(invalid)?;
    let (cols, terminal_rows) = terminal::size()?;
    let rows = rows
        .unwrap_or_else(|| default_preview_rows(terminal_rows))
        .clamp(1, terminal_rows.saturating_sub(1).max(1));
    let detection = detect(choice);
    crate::emulator::tmux::restore();
    let in_tmux = detection.caps.tmux.is_some();
    let font = detection.picker.font_size();
    let font = (font.width.max(1), font.height.max(1));
    let mut out = io::stdout();
    match detection.picker.protocol_type() {
        ProtocolType::Sixel => {
            let (placement, small) = shrink_to_screen(image, (cols, rows), Some(font))?;
            let size = ratatui::layout::Size::new(placement.cells.0, placement.cells.1);
            let sixel = super::sixel::protocol(&small, size, in_tmux);
            out.write_all(sixel.data.as_bytes())?;
            out.write_all(b"\r\n")?;
            out.flush()
        }
        protocol => {
            let graphics =
                !in_tmux && matches!(protocol, ProtocolType::Kitty | ProtocolType::Iterm2);
            let kitty = graphics && protocol == ProtocolType::Kitty;
            let iterm = graphics && protocol == ProtocolType::Iterm2;
            let (placement, small) =
                shrink_to_screen(image, (cols, rows), graphics.then_some(font))?;
            let config = viuer::Config {
                absolute_offset: false,
                ..viuer_config(&placement, kitty, iterm)
            };
            viuer::print(&DynamicImage::ImageRgba8(small), &config).map_err(viuer_error)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_fill_the_screen_with_two_pixels_a_cell() {
        // 16:9 on 120×39 cells = 120×78 half-cell pixels: the width decides.
        let placement = place((5504, 3072), (120, 39), None);
        assert_eq!(placement.pixels, (120, 67));
        assert_eq!(placement.cells, (120, 34));
        assert_eq!(placement.offset, (0, 2));
        // A tall picture is limited by the height and centred horizontally.
        let tall = place((1000, 2000), (120, 39), None);
        assert_eq!(tall.pixels, (39, 78));
        assert_eq!(tall.cells, (39, 39));
        assert_eq!(tall.offset, (40, 0));
    }

    #[test]
    fn graphics_never_upscale_the_pixels_but_fill_the_cells() {
        // 120×40 cells of 10×20 px: 1200×800 px of screen.
        let big = place((5504, 3072), (120, 40), Some((10, 20)));
        assert_eq!(big.pixels, (1200, 670));
        assert_eq!(big.cells, (120, 34));
        // A small picture is sent as it is; the terminal scales it up to the cells.
        let small = place((600, 400), (120, 40), Some((10, 20)));
        assert_eq!(small.pixels, (600, 400));
        assert_eq!(small.cells, (120, 40));
        assert_eq!(small.offset, (0, 0));
    }
}
