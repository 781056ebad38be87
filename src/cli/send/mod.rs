//! `banana-studio send`: one turn ([`one`]), or with `--n N` that many variations at once
//! ([`variations`]), headless. Both start from [`ready`] and end in an [`outcome`]; this module
//! only picks the path and prints what it ended with.

mod args;
mod one;
mod outcome;
mod progress;
mod ready;
mod variations;

use std::io::IsTerminal;

use crate::context::{Failure, GlobalArgs};
use crate::conversation::Blob;
use crate::emulator::ImageProtocol;
use crate::preview;
pub use args::SendArgs;

pub async fn run(global: &GlobalArgs, args: SendArgs) -> Result<(), Failure> {
    // Several replies at once are only told apart in JSON.
    let json_mode = args.json || args.n.is_some();
    let result = match args.n {
        Some(n) => variations::send_variations(global, args, n).await,
        None => one::send_one(global, args).await,
    };
    match result {
        Ok(outcome) => {
            if json_mode {
                crate::terminal_text::out_json(&outcome.json.to_string());
            }
            if !json_mode {
                for line in &outcome.files {
                    crate::errln!("{}", crate::terminal_text::sanitize_line(line));
                }
            }
            show_preview(&outcome.preview, outcome.protocol, outcome.preview_rows);
            if let Some(note) = &outcome.note {
                crate::errln!("{note}");
            }
            match outcome.code {
                0 => Ok(()),
                code => Err(Failure {
                    message: String::new(),
                    code,
                }),
            }
        }
        Err(failure) => {
            if json_mode {
                crate::terminal_text::out_json(&failure.json.to_string());
            }
            Err(Failure {
                message: failure.message,
                code: failure.code,
            })
        }
    }
}

/// `--preview`: prints the images with viuer, only to a terminal.
fn show_preview(images: &[Blob], protocol: ImageProtocol, rows: Option<u16>) {
    if images.is_empty() {
        return;
    }
    if !std::io::stdout().is_terminal() {
        crate::errln!("--preview needs a terminal: stdout is not one, so the image is not shown");
        return;
    }
    for blob in images {
        if let Err(e) = preview::print_inline(blob, protocol, rows) {
            crate::errln!("{e}");
        }
    }
}
