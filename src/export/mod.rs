//! Exporting a saved session to share it: a self-contained web page, Markdown with its images,
//! a contact sheet, or an animation of the versions.
//!
//! An export reads the session as saved ([`Store::read`](crate::store::Store::read)), never
//! takes its lock and never writes inside its folder: the studio may have it open. Images are
//! read one at a time and checked against their recorded hash; a missing or damaged one is
//! named in the export and in [`Exported::problems`], and the export still completes.

mod anim;
mod files;
mod html;
mod markdown;
mod outcome;
mod sheet;
mod story;

use std::path::PathBuf;

pub use outcome::{ExportError, Exported};
pub use story::{PathChoice, Story};

use crate::store::SavedSession;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    /// A PNG contact sheet of the versions.
    Sheet,
    /// An animated GIF of the versions, a second each.
    Anim,
}

impl Format {
    /// The file an export of `session` goes to when no `--out` is given.
    pub fn default_file_name(self, session: &str) -> String {
        match self {
            Format::Html => format!("{session}.html"),
            Format::Markdown => format!("{session}.md"),
            Format::Sheet => format!("{session}-sheet.png"),
            Format::Anim => format!("{session}.gif"),
        }
    }
}

/// Pages whose images add up to more than this keep them in a folder beside the page:
/// a page of data URIs that large opens slowly and is too big to mail.
pub const EMBED_LIMIT_BYTES: u64 = 24 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: Format,
    pub path: PathChoice,
    pub out: PathBuf,
    /// HTML: `Some(true)` images in a folder beside the page, `Some(false)` inside it as data
    /// URIs, `None` by their total size ([`EMBED_LIMIT_BYTES`]).
    pub images_beside: Option<bool>,
}

/// Writes the export of `session` described by `options`.
pub fn export(session: &SavedSession, options: &ExportOptions) -> Result<Exported, ExportError> {
    let story = Story::new(session, options.path).map_err(|depth| ExportError::TooDeep {
        session: session.name.clone(),
        depth,
    })?;
    if story.is_empty() {
        return Err(ExportError::Empty(session.name.clone()));
    }
    match options.format {
        Format::Html => {
            let beside = options
                .images_beside
                .unwrap_or_else(|| image_bytes(&story) > EMBED_LIMIT_BYTES);
            html::export(&story, &options.out, beside)
        }
        Format::Markdown => markdown::export(&story, &options.out),
        Format::Sheet => sheet::export(&story, &options.out),
        Format::Anim => anim::export(&story, &options.out),
    }
}

/// The recorded size of every image the story shows, attachments included.
fn image_bytes(story: &Story<'_>) -> u64 {
    let mut total = 0;
    story.thread.walk(&mut |exchange| {
        total += exchange
            .user
            .parts
            .iter()
            .filter_map(|p| p.as_image())
            .map(|b| b.size())
            .sum::<u64>();
        if let Some(reply) = &exchange.reply {
            total += reply.versions().map(|(_, b)| b.size()).sum::<u64>();
        }
    });
    total
}

/// Where an export of `session` goes when the caller names no file: the current folder.
pub fn default_out(format: Format, session: &str) -> PathBuf {
    PathBuf::from(format.default_file_name(session))
}
