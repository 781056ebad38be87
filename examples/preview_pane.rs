//! Renders a demo picture in the preview pane on a ratatui TestBackend and prints the result
//! with ANSI colours, to look at the halfblocks output without the studio.
//!
//! cargo run --example preview_pane -- [COLUMNS ROWS] [4k] [detect]
//!
//! `detect` first asks the real terminal which protocol it supports and prints the answer
//! (the rendering itself always uses halfblocks, so it can be printed as text).

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use banana_studio::blob::Blob;
use banana_studio::demo::painter::{Scene, paint};
use banana_studio::emulator::ImageProtocol;
use banana_studio::preview::Previewer;
use bytes::Bytes;
use image::{DynamicImage, ImageFormat};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let columns = args.first().and_then(|a| a.parse().ok()).unwrap_or(60);
    let rows = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let (width, height) = if args.iter().any(|a| a == "4k") {
        (5504, 3072)
    } else {
        (1024, 1024)
    };

    if args.iter().any(|a| a == "detect") {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        let (detected, _) = Previewer::detect(ImageProtocol::Auto, tx);
        eprintln!(
            "this terminal: {} (asked in {:?})",
            detected.description(),
            started.elapsed()
        );
    }

    let scene = Scene {
        subject: "a banana in a terminal",
        edits: &["make it glow"],
        draft: None,
        variant: 0,
    };
    let started = Instant::now();
    let mut jpeg = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(paint(&scene, width, height)).write_to(&mut jpeg, ImageFormat::Jpeg)?;
    let blob = Blob::from_bytes("image/jpeg", Bytes::from(jpeg.into_inner()));
    eprintln!(
        "painted and encoded {width}×{height} in {:?}",
        started.elapsed()
    );

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut previewer = Previewer::halfblocks((10, 20), tx);
    let mut terminal = Terminal::new(TestBackend::new(columns, rows))?;

    let asked = Instant::now();
    terminal.draw(|f| previewer.render(f, f.area(), &blob))?;
    let placeholder = plain(terminal.backend().buffer());
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Ok(ready) = rx.try_recv() {
            break ready;
        }
        if Instant::now() > deadline {
            return Err("the preview worker did not answer in 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    eprintln!(
        "first frame: {:?}; ready for {:?} cells after {:?}",
        placeholder.trim(),
        ready.cells,
        asked.elapsed()
    );
    terminal.draw(|f| previewer.render(f, f.area(), &blob))?;
    print_coloured(terminal.backend().buffer())?;
    Ok(())
}

fn plain(buffer: &Buffer) -> String {
    buffer.content().iter().map(|c| c.symbol()).collect()
}

/// Writes the buffer as truecolor ANSI, one line a row.
fn print_coloured(buffer: &Buffer) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if let Color::Rgb(r, g, b) = cell.fg {
                write!(out, "\x1b[38;2;{r};{g};{b}m")?;
            }
            if let Color::Rgb(r, g, b) = cell.bg {
                write!(out, "\x1b[48;2;{r};{g};{b}m")?;
            }
            write!(out, "{}\x1b[0m", cell.symbol())?;
        }
        writeln!(out)?;
    }
    out.flush()
}
