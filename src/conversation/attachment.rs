//! Images the user brings: read from disk, recognised by their content (not their name).

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::blob::Blob;

/// One attachment larger than this cannot fit a request anyway (base64 grows it by a third).
pub const MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("{}: no such file. Check the path (attachments are read when you send).", .0.display())]
    Missing(PathBuf),
    #[error("{}: cannot be read ({source}).", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is empty.", .0.display())]
    Empty(PathBuf),
    #[error("{}: {found} is not an image the API accepts; attach a PNG, JPEG, WebP, HEIC or HEIF.", path.display())]
    NotAnImage { path: PathBuf, found: String },
    #[error("{}: {} is too large (the most is {} MB); shrink or re-encode it as JPEG first.", path.display(), super::request::human_bytes(*size), MAX_ATTACHMENT_BYTES / 1024 / 1024)]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{}: is a folder, not an image file.", .0.display())]
    Directory(PathBuf),
}

/// Reads an image file and checks it is something the API takes.
pub fn load_attachment(path: &Path) -> Result<Blob, AttachmentError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AttachmentError::Missing(path.to_path_buf()));
        }
        Err(source) => {
            return Err(AttachmentError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if metadata.is_dir() {
        return Err(AttachmentError::Directory(path.to_path_buf()));
    }
    if metadata.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge {
            path: path.to_path_buf(),
            size: metadata.len(),
        });
    }
    let bytes =
        crate::blob::read_regular_file(path).map_err(|source| AttachmentError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.is_empty() {
        return Err(AttachmentError::Empty(path.to_path_buf()));
    }
    let mime_type = sniff_image_mime(&bytes).ok_or_else(|| AttachmentError::NotAnImage {
        path: path.to_path_buf(),
        found: infer::get(&bytes)
            .map(|kind| format!("a {} file", kind.mime_type()))
            .unwrap_or_else(|| "its content".to_string()),
    })?;
    Ok(Blob::from_bytes(mime_type, Bytes::from(bytes)))
}

/// The MIME type of an image the API accepts, from the first bytes.
pub fn sniff_image_mime(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        "image/png" => Some("image/png"),
        "image/jpeg" => Some("image/jpeg"),
        "image/webp" => Some("image/webp"),
        "image/heif" => Some("image/heif"),
        "image/heic" => Some("image/heic"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_not_name_decides() {
        let dir = tempfile::tempdir().unwrap();
        let png_named_jpg = dir.path().join("photo.jpg");
        let mut png = Vec::new();
        image::RgbImage::new(2, 2)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        std::fs::write(&png_named_jpg, &png).unwrap();
        let blob = load_attachment(&png_named_jpg).unwrap();
        assert_eq!(blob.mime_type(), "image/png");
        assert_eq!(blob.dimensions(), Some((2, 2)));

        let text = dir.path().join("notes.png");
        std::fs::write(&text, b"just some text").unwrap();
        assert!(matches!(
            load_attachment(&text),
            Err(AttachmentError::NotAnImage { .. })
        ));
        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(
            load_attachment(&empty),
            Err(AttachmentError::Empty(_))
        ));
        assert!(matches!(
            load_attachment(&dir.path().join("nope.png")),
            Err(AttachmentError::Missing(_))
        ));
        assert!(matches!(
            load_attachment(dir.path()),
            Err(AttachmentError::Directory(_))
        ));
    }

    #[test]
    fn a_60_mb_file_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("huge.png");
        // Sparse: the size is real, the disk use is not.
        std::fs::File::create(&big)
            .unwrap()
            .set_len(60 * 1024 * 1024)
            .unwrap();
        let error = load_attachment(&big).unwrap_err();
        assert!(matches!(error, AttachmentError::TooLarge { .. }));
        assert!(
            error.to_string().contains("at most 50 MB")
                || error.to_string().contains("the most is 50 MB"),
            "{error}"
        );
    }
}
