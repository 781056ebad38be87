//! What an export wrote, and why one failed.

use std::io;
use std::path::PathBuf;

/// How deep branches may nest in an export. Sessions the studio makes nest a handful deep;
/// the renderers walk branches by recursion, so a crafted file nesting thousands deep is
/// refused with a clear error rather than overflowing the stack. Chains of any length are flat.
pub const MAX_BRANCH_DEPTH: usize = 500;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub file: PathBuf,
    /// The folder of images beside the file, if any were written there.
    pub images_dir: Option<PathBuf>,
    /// Images in the export.
    pub images: usize,
    /// Images that could not be read and were left out, one sentence each.
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Nothing to export: session {0:?} has no turns yet. Send a prompt first.")]
    Empty(String),
    #[error(
        "Nothing to put in the {what}: session {session:?} has no readable image on this path. {hint}"
    )]
    NoImages {
        what: &'static str,
        session: String,
        hint: &'static str,
    },
    #[error("Refusing to write {} inside the session folder {}: an export never changes a session. Choose an --out outside it.", path.display(), session.display())]
    InsideSession { path: PathBuf, session: PathBuf },
    #[error("Cannot write {}: {source}. Choose another --out, in a folder that exists and you can write to.", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("Cannot encode the {what}: {detail}")]
    Encode { what: &'static str, detail: String },
    #[error(
        "Session {session:?} has branches nested {depth} deep; an export takes at most {}. Export the active path alone (without --all).",
        MAX_BRANCH_DEPTH
    )]
    TooDeep { session: String, depth: usize },
}
