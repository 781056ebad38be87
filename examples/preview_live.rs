//! A real terminal, a bordered preview pane, a demo picture: resize the window to see the
//! debounce, q to quit.
//!
//! cargo run --example preview_live -- [auto|kitty|sixel|iterm2|halfblocks] [4k]

use std::io::Cursor;
use std::time::Duration;

use banana_studio::blob::Blob;
use banana_studio::demo::painter::{Scene, paint};
use banana_studio::emulator::ImageProtocol;
use banana_studio::preview::Previewer;
use bytes::Bytes;
use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use image::{DynamicImage, ImageFormat};
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Paragraph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let choice = match args.iter().find(|a| *a != "4k") {
        Some(choice) => choice.parse::<ImageProtocol>()?,
        None => ImageProtocol::Auto,
    };
    let (width, height) = if args.iter().any(|a| a == "4k") {
        (5504, 3072)
    } else {
        (1024, 1024)
    };
    let scene = Scene {
        subject: "a banana in a terminal",
        edits: &[],
        draft: None,
        variant: 0,
    };
    let mut jpeg = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(paint(&scene, width, height)).write_to(&mut jpeg, ImageFormat::Jpeg)?;
    let blob = Blob::from_bytes("image/jpeg", Bytes::from(jpeg.into_inner()));

    let mut terminal = ratatui::init();
    let (tx, mut ready) = tokio::sync::mpsc::unbounded_channel();
    // Before the loop reads any event: the terminal's answer arrives on stdin.
    let (mut previewer, _) = Previewer::detect(choice, tx);
    let mut redraws = 0u32;
    let result = loop {
        redraws += 1;
        terminal.draw(|f| {
            let [side, pane] =
                Layout::horizontal([Constraint::Length(30), Constraint::Fill(1)]).areas(f.area());
            f.render_widget(
                Paragraph::new(format!(
                    "protocol: {}\nframes: {redraws}\n\nq  quit",
                    previewer.protocol_name()
                ))
                .block(Block::bordered().title("demo")),
                side,
            );
            let block = Block::bordered().title("preview");
            let inner = block.inner(pane);
            f.render_widget(block, pane);
            previewer.render(f, inner, &blob);
        })?;
        // One loop for both sources, as the studio's event channel would do.
        let mut redraw = false;
        while !redraw {
            if ready.try_recv().is_ok() {
                redraw = true;
            } else if event::poll(Duration::from_millis(20))? {
                match event::read()? {
                    Event::Key(key)
                        if key.kind == KeyEventKind::Press && key.code == KeyCode::Char('q') =>
                    {
                        break;
                    }
                    Event::Resize(..) => redraw = true,
                    _ => {}
                }
            }
        }
        if !redraw {
            break Ok::<(), Box<dyn std::error::Error>>(());
        }
    };
    ratatui::restore();
    result
}
