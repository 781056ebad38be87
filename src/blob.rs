//! Image bytes, held once and shared.
//!
//! A [`Blob`] is cheap to clone (an `Arc`): the conversation, the store and the preview all
//! point at the same bytes. A blob read back from a session knows only its file and loads the
//! bytes on first use, so opening a session with fifty 4K images reads no image.
//! It sits below both the conversation model (which re-exports it) and the preview, so the
//! picture pipeline needs nothing of conversations.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Blob {
    inner: Arc<BlobInner>,
}

struct BlobInner {
    id: u64,
    mime_type: String,
    size: u64,
    dimensions: Option<(u32, u32)>,
    /// Hex SHA-256, computed on first use: hashing a 4K image costs more than decoding it, and
    /// only storage needs the hash.
    sha256: OnceLock<String>,
    /// The file's name inside the session folder: as the document recorded it, or
    /// content-addressed for a new image.
    file: OnceLock<String>,
    bytes: OnceLock<Bytes>,
    /// Absolute path of the stored file, once written or when read back from a session.
    path: OnceLock<PathBuf>,
}

/// What the session document records about an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobMeta {
    /// Path of the image file, relative to the session folder.
    pub file: String,
    pub mime_type: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl Blob {
    /// Wraps bytes already in memory (a decoded reply, a read attachment).
    pub fn from_bytes(mime_type: &str, bytes: Bytes) -> Self {
        let blob = Self::new(
            mime_type.to_string(),
            bytes.len() as u64,
            image_dimensions(&bytes),
        );
        // Cannot fail: the cell is new.
        let _ = blob.inner.bytes.set(bytes);
        blob
    }

    /// A blob whose bytes are in a file, read on first use.
    pub fn stored(meta: BlobMeta, path: PathBuf) -> Self {
        let blob = Self::from_meta(meta);
        let _ = blob.inner.path.set(path);
        blob
    }

    fn from_meta(meta: BlobMeta) -> Self {
        let blob = Self::new(meta.mime_type, meta.size, meta.width.zip(meta.height));
        let _ = blob.inner.sha256.set(meta.sha256);
        let _ = blob.inner.file.set(meta.file);
        blob
    }

    fn new(mime_type: String, size: u64, dimensions: Option<(u32, u32)>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Self {
            inner: Arc::new(BlobInner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                mime_type,
                size,
                dimensions,
                sha256: OnceLock::new(),
                file: OnceLock::new(),
                bytes: OnceLock::new(),
                path: OnceLock::new(),
            }),
        }
    }

    /// The record for the session document.
    pub fn meta(&self) -> BlobMeta {
        let (width, height) = self.dimensions().unzip();
        BlobMeta {
            file: self.file_name(),
            mime_type: self.inner.mime_type.clone(),
            sha256: self.sha256().to_string(),
            size: self.inner.size,
            width,
            height,
        }
    }

    /// Where the image is stored inside a session folder (relative).
    pub fn file_name(&self) -> String {
        self.inner
            .file
            .get_or_init(|| {
                format!(
                    "images/{}.{}",
                    self.sha256(),
                    extension_for(&self.inner.mime_type)
                )
            })
            .clone()
    }

    /// A number no other blob in this process has (clones share it). The preview cache is
    /// keyed by it: telling pictures apart needs no SHA-256 of 40 MB of PNG.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    pub fn mime_type(&self) -> &str {
        &self.inner.mime_type
    }

    pub fn sha256(&self) -> &str {
        self.inner.sha256.get_or_init(|| {
            // A stored blob always has its hash; one in memory always has its bytes.
            self.inner
                .bytes
                .get()
                .map(|bytes| hex(&Sha256::digest(bytes)))
                .unwrap_or_default()
        })
    }

    pub fn size(&self) -> u64 {
        self.inner.size
    }

    pub fn dimensions(&self) -> Option<(u32, u32)> {
        self.inner.dimensions
    }

    /// Where the image is on disk, once it is.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.get().map(PathBuf::as_path)
    }

    /// Records where the store wrote the bytes.
    pub fn set_path(&self, path: PathBuf) {
        let _ = self.inner.path.set(path);
    }

    /// The bytes if they are in memory already.
    pub fn loaded(&self) -> Option<&Bytes> {
        self.inner.bytes.get()
    }

    /// The bytes, read from disk on first use and checked against the recorded hash.
    pub fn bytes(&self) -> io::Result<Bytes> {
        if let Some(bytes) = self.inner.bytes.get() {
            return Ok(bytes.clone());
        }
        let data = self.read_file()?;
        Ok(self.inner.bytes.get_or_init(|| Bytes::from(data)).clone())
    }

    /// The stored file's bytes, checked against the recorded hash, without keeping them: an
    /// export walks fifty images and must hold one at a time.
    pub fn read_file(&self) -> io::Result<Vec<u8>> {
        let path = self.inner.path.get().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "image has neither bytes nor a file",
            )
        })?;
        let data = read_regular_file(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot read image {}: {e}", path.display()),
            )
        })?;
        if hex(&Sha256::digest(&data)) != self.sha256() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "image {} was changed on disk (its SHA-256 no longer matches the session); restore it or start a /fresh thread",
                    path.display()
                ),
            ));
        }
        Ok(data)
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blob")
            .field("mime_type", &self.inner.mime_type)
            .field("size", &self.inner.size)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (self.inner.mime_type == other.inner.mime_type && self.sha256() == other.sha256())
    }
}

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.meta().serialize(serializer)
    }
}

/// A blob read from a document has no file path yet: the store checks `meta.file` and then
/// calls [`Blob::set_path`].
impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::from_meta(BlobMeta::deserialize(deserializer)?))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Pixel size from the image header; `None` for bytes that are no image we can read.
pub fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    // image's JPEG decoder copies the whole file into a buffer of its own before it reads the
    // header: a second copy of every reply's image (26 MB for a grainy 4K one), at the moment
    // the response and its decoded bytes are both still held. jpeg-decoder reads the header in
    // place; image remains the fallback for the JPEGs it refuses and for other formats.
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        && let Some(size) = jpeg_dimensions(bytes)
    {
        return Some(size);
    }
    image::ImageReader::new(io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// Reads up to the frame header only (`read_info` stops there).
fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut decoder = jpeg_decoder::Decoder::new(io::Cursor::new(bytes));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    Some((u32::from(info.width), u32::from(info.height)))
}

pub fn extension_for(mime_type: &str) -> &'static str {
    match mime_type {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "image/heif" => "heif",
        "image/gif" => "gif",
        _ => "bin",
    }
}

/// Reads a file that must be a regular one. It is opened without blocking and checked before a
/// byte is read, so a FIFO or a device put where an image belongs (a session folder is only a
/// folder of files) fails at once instead of hanging the read, or reading forever.
pub fn read_regular_file(path: &std::path::Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let mut file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device stands where a file belongs)",
        ));
    }
    let mut data = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut data)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_blob_loads_and_verifies_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let original = Blob::from_bytes("image/png", Bytes::from_static(b"not really a png"));
        let path = dir.path().join("x.png");
        std::fs::write(&path, b"not really a png").unwrap();
        let lazy = Blob::stored(original.meta(), path.clone());
        assert!(lazy.loaded().is_none());
        assert_eq!(&lazy.bytes().unwrap()[..], b"not really a png");

        std::fs::write(&path, b"tampered").unwrap();
        let tampered = Blob::stored(original.meta(), path);
        let error = tampered.bytes().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn jpeg_dimensions_come_from_the_header_alone() {
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(37, 21, image::Rgb([200, 120, 40]))
            .write_to(&mut io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert_eq!(image_dimensions(&jpeg), Some((37, 21)));
        // Everything after the frame header is never read.
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        assert_eq!(image_dimensions(&jpeg[..sof + 19]), Some((37, 21)));
        assert_eq!(image_dimensions(b"\xFF\xD8\xFFnot a jpeg"), None);
    }

    #[test]
    fn file_name_is_content_addressed() {
        let a = Blob::from_bytes("image/jpeg", Bytes::from_static(b"abc"));
        assert_eq!(
            a.file_name(),
            "images/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg"
        );
    }
}
