//! `banana-studio export`: a saved session as a web page, Markdown, a contact sheet or an
//! animation. Reads the session as saved, without its lock: the studio may have it open.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::context::{Context, Failure, GlobalArgs};
use crate::export::{self, ExportOptions, Format, PathChoice};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Session to export [default: the most recently saved one]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// html: one offline web page; md: Markdown with an images folder; sheet: a PNG contact
    /// sheet; anim: an animated GIF, a second per version
    #[arg(long, value_enum, default_value_t = FormatArg::Html)]
    pub format: FormatArg,
    /// active: the path the studio shows; all: every branch too
    #[arg(long, value_enum, default_value_t = PathArg::Active)]
    pub path: PathArg,
    /// File (or folder) to write to [default: NAME.html, NAME.md, NAME-sheet.png or NAME.gif
    /// here]
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// html: put the images in a folder beside the page instead of inside it [default: when
    /// they add up to more than 24 MB]
    #[arg(long)]
    pub images_beside: bool,
    /// html: put the images inside the page however large they are
    #[arg(long, conflicts_with = "images_beside")]
    pub embed_images: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Html,
    #[value(alias = "markdown")]
    Md,
    Sheet,
    #[value(alias = "gif")]
    Anim,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathArg {
    Active,
    All,
}

pub fn run(global: &GlobalArgs, args: ExportArgs) -> Result<(), Failure> {
    let context = Context::load(global)?;
    let name = match args.session {
        Some(name) => name,
        None => latest_session(&context)?,
    };
    let session = context.store.read(&name).map_err(Failure::input)?;
    let format = match args.format {
        FormatArg::Html => Format::Html,
        FormatArg::Md => Format::Markdown,
        FormatArg::Sheet => Format::Sheet,
        FormatArg::Anim => Format::Anim,
    };
    let options = ExportOptions {
        format,
        path: match args.path {
            PathArg::Active => PathChoice::Active,
            PathArg::All => PathChoice::All,
        },
        out: match args.out {
            // A folder: the usual file name inside it.
            Some(dir) if dir.is_dir() => dir.join(format.default_file_name(&session.name)),
            Some(file) => file,
            None => export::default_out(format, &session.name),
        },
        images_beside: match (args.images_beside, args.embed_images) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    let exported = export::export(&session, &options).map_err(Failure::input)?;
    for problem in &exported.problems {
        crate::errln!("warning: {problem}");
    }
    if let Some(dir) = &exported.images_dir {
        crate::errln!("{} images in {}", exported.images, dir.display());
    }
    crate::outln!("{}", exported.file.display());
    Ok(())
}

/// The session saved most recently; damaged ones are skipped.
fn latest_session(context: &Context) -> Result<String, Failure> {
    let sessions = context.store.list().map_err(Failure::input)?;
    sessions
        .into_iter()
        .find(|s| s.error.is_none())
        .map(|s| s.name)
        .ok_or_else(|| {
            Failure::input(format!(
                "No sessions to export in {}. Make one with `banana-studio` or `banana-studio send PROMPT`, or pass --data-dir.",
                context.env.data_dir.display()
            ))
        })
}
