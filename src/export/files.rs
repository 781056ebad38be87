//! Where an export writes: the output file (a temporary file beside it, renamed into place
//! when complete, so a failed export leaves no half page), the folder of images beside it,
//! and reading each image from the session, one at a time.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::blob::extension_for;
use crate::conversation::Blob;

use super::outcome::ExportError;

/// The export's own file, written in full before it replaces anything at `path`.
pub struct OutputFile {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl OutputFile {
    pub fn create(path: &Path, session_dir: &Path) -> Result<Self, ExportError> {
        let folder = parent_of(path);
        refuse_inside(session_dir, path, folder)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".banana-export-");
        // A file to share, readable like any other (a temporary file would be private).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let temp = builder.tempfile_in(folder).map_err(write_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 20, temp),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<NamedTempFile> {
        &mut self.writer
    }

    /// Flushes and moves the finished file into place.
    pub fn commit(self) -> Result<PathBuf, ExportError> {
        let path = self.path;
        let temp = self
            .writer
            .into_inner()
            .map_err(|e| write_error(&path)(e.into_error()))?;
        temp.as_file().sync_all().map_err(write_error(&path))?;
        let file = temp
            .persist(&path)
            .map_err(|e| write_error(&path)(e.error))?;
        drop::<File>(file);
        Ok(path)
    }
}

/// A folder of image files beside the export (`story-images/` for `story.html`), linked
/// relatively so the pair can be moved together.
pub struct ImagesFolder {
    dir: PathBuf,
    link_prefix: String,
    written: usize,
}

impl ImagesFolder {
    pub fn beside(out: &Path, session_dir: &Path) -> Result<Self, ExportError> {
        let stem = out
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into());
        let name = format!("{stem}-images");
        let dir = parent_of(out).join(&name);
        refuse_inside(session_dir, &dir, parent_of(out))?;
        Ok(Self {
            dir,
            link_prefix: format!("{}/", percent_encode(&name)),
            written: 0,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn written(&self) -> usize {
        self.written
    }

    /// Writes `bytes` as `name` (plus the extension for `blob`'s type) and returns the
    /// relative link to it.
    pub fn store(&mut self, name: &str, blob: &Blob, bytes: &[u8]) -> Result<String, ExportError> {
        if self.written == 0 {
            std::fs::create_dir_all(&self.dir).map_err(write_error(&self.dir))?;
        }
        let file = format!("{name}.{}", extension_for(blob.mime_type()));
        let path = self.dir.join(&file);
        std::fs::write(&path, bytes).map_err(write_error(&path))?;
        self.written += 1;
        Ok(format!("{}{}", self.link_prefix, percent_encode(&file)))
    }
}

/// Reads one image of the session, checked against its recorded hash. A missing or changed
/// file becomes a sentence for the export and its report, never a failed export.
pub fn read_image(blob: &Blob, what: &str, problems: &mut Vec<String>) -> Result<Vec<u8>, String> {
    blob.read_file().map_err(|error| {
        let problem = format!("{what} ({}) was left out: {error}.", blob.file_name());
        problems.push(problem.clone());
        problem
    })
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// An export must never write inside the session folder: the studio may have it open, and
/// it holds nothing but what the session saved. `path` itself counts if it exists (an images
/// folder that is a link into the session), else the folder it would be made in.
fn refuse_inside(session_dir: &Path, path: &Path, folder: &Path) -> Result<(), ExportError> {
    let folder = match path.canonicalize() {
        Ok(existing) if existing.is_dir() => existing,
        _ => folder.canonicalize().map_err(write_error(path))?,
    };
    let session = session_dir
        .canonicalize()
        .unwrap_or_else(|_| session_dir.to_path_buf());
    if folder.starts_with(&session) {
        return Err(ExportError::InsideSession {
            path: path.to_path_buf(),
            session: session_dir.to_path_buf(),
        });
    }
    Ok(())
}

pub fn write_error(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// A file name as one URL path segment: letters, digits and `-._~` stay, the rest is
/// percent-encoded, so a name with spaces or `#` still links.
pub fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Writes `bytes` as base64 in pieces, so a 20 MB image never needs a second, encoded copy.
pub fn write_base64(writer: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    const PIECE: usize = 3 * 64 * 1024;
    let base64 = base64_simd::STANDARD;
    let mut buffer = vec![0u8; base64.encoded_length(PIECE)];
    for piece in bytes.chunks(PIECE) {
        let encoded = base64.encode(piece, base64_simd::Out::from_slice(&mut buffer));
        writer.write_all(encoded)?;
    }
    Ok(())
}
