//! The driver's file work, always off the UI thread: images read ahead, folder listings for
//! completion, saving and exporting, the desktop viewer's command line and the studio's log.

use std::path::{Path, PathBuf};

use crate::conversation::{Blob, Conversation, PartContent};

/// Appends one line to the studio's log (the screen belongs to the studio). Losing a log line
/// is not worth an error.
pub(super) fn log_line(path: &std::path::Path, text: &str) {
    use std::io::Write;
    let line = format!("{} {text}\n", crate::store::now_rfc3339());
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
}

/// Reads the images of a session's active path in the background, so a prompt sent later
/// rarely has to wait for them (`update` never reads the disk: it asks for `ReadImages`).
pub(super) fn warm_images(conversation: &Conversation) {
    let blobs: Vec<Blob> = conversation
        .active_path()
        .iter()
        .flat_map(|turn| match &turn.body {
            crate::conversation::TurnBody::User(user) => user.parts.iter(),
            crate::conversation::TurnBody::Model(reply) => reply.parts.iter(),
        })
        .filter(|part| !part.thought)
        .filter_map(|part| match &part.content {
            PartContent::Image(blob) if blob.loaded().is_none() => Some(blob.clone()),
            _ => None,
        })
        .collect();
    if !blobs.is_empty() {
        tokio::task::spawn_blocking(move || {
            for blob in blobs {
                let _ = blob.bytes();
            }
        });
    }
}

/// `~/x` → `$HOME/x`.
pub(super) fn expand_home(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

/// The entries of the folder named by a partly typed path (`dir/pre` lists `dir`).
pub(super) fn list_folder(text: &str) -> Vec<(String, bool)> {
    let folder = match text.rfind('/') {
        Some(0) => PathBuf::from("/"),
        Some(i) => expand_home(Path::new(&text[..i])),
        None => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .take(5000)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Follows links: a link to a folder completes like a folder.
            let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            (name, is_dir)
        })
        .collect()
}

/// Writes the image's bytes to `to` (a file, or a folder to put it in); never overwrites.
pub(super) fn save_image(blob: &Blob, to: &Path) -> Result<PathBuf, String> {
    let mut target = expand_home(to);
    if target.is_dir() {
        let extension = crate::blob::extension_for(blob.mime_type());
        let short = blob.sha256().get(..12).unwrap_or(blob.sha256());
        target = target.join(format!("banana-{short}.{extension}"));
    }
    if target.exists() {
        return Err(format!(
            "{} exists already; choose another name (nothing was overwritten).",
            target.display()
        ));
    }
    let bytes = blob
        .bytes()
        .map_err(|e| format!("Cannot read the image: {e}"))?;
    std::fs::write(&target, &bytes)
        .map_err(|e| format!("Cannot write {}: {e}", target.display()))?;
    Ok(target)
}

/// `/export`: the session as last saved (read without its lock, which this process holds)
/// into the current folder. A session with nothing saved yet says so.
pub(super) fn export_saved(
    store: &crate::store::Store,
    session: &str,
    format: crate::export::Format,
    path: crate::export::PathChoice,
) -> Result<crate::export::Exported, String> {
    use crate::export::{self, ExportOptions};
    let saved = store.read(session).map_err(|error| match error {
        crate::store::StoreError::NotFound(_) => {
            "Nothing to export yet: the session is saved after its first reply.".to_string()
        }
        other => other.to_string(),
    })?;
    let out = std::env::current_dir()
        .map_err(|e| format!("Cannot tell the current folder to export into: {e}"))?
        .join(format.default_file_name(session));
    let options = ExportOptions {
        format,
        path,
        out,
        images_beside: None,
    };
    export::export(&saved, &options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_an_image_never_overwrites_and_fills_in_folder_targets() {
        let dir = tempfile::tempdir().unwrap();
        let blob = Blob::from_bytes("image/png", bytes::Bytes::from_static(b"png bytes"));
        let saved = save_image(&blob, dir.path()).unwrap();
        assert!(saved.starts_with(dir.path()));
        assert!(saved.to_string_lossy().ends_with(".png"));
        assert_eq!(std::fs::read(&saved).unwrap(), b"png bytes");
        let error = save_image(&blob, &saved).unwrap_err();
        assert!(error.contains("exists already"), "{error}");
    }

    #[test]
    fn folders_are_listed_for_completion() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        let text = format!("{}/", dir.path().display());
        let mut entries = list_folder(&text);
        entries.sort();
        assert_eq!(
            entries,
            vec![("a.png".to_string(), false), ("sub".to_string(), true)]
        );
        assert!(list_folder("/no/such/folder/x").is_empty());
    }
}

/// The desktop viewer's command line: the image path is one argument, never a shell word, so a
/// file named `$(rm -rf ~).png` is only a strange name.
pub(super) fn viewer_command(
    opener: &std::ffi::OsStr,
    path: &std::path::Path,
) -> std::process::Command {
    let mut command = std::process::Command::new(opener);
    command
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

#[cfg(all(test, unix))]
mod viewer_tests {
    use super::viewer_command;

    #[test]
    fn the_viewer_gets_the_path_as_one_argument_never_through_a_shell() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A stand-in viewer that records its arguments, one per line.
        let viewer = dir.path().join("viewer");
        let record = dir.path().join("args");
        std::fs::write(
            &viewer,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > '{}'\n",
                record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&viewer, std::fs::Permissions::from_mode(0o700)).unwrap();
        let pwned = dir.path().join("pwned");
        let path = dir.path().join(format!(
            "a b; touch {} $(touch {}).png",
            pwned.display(),
            pwned.display()
        ));
        let status = viewer_command(viewer.as_os_str(), &path).status().unwrap();
        assert!(status.success());
        let args = std::fs::read_to_string(&record).unwrap();
        assert_eq!(
            args,
            format!("1\n{}\n", path.display()),
            "one argument, verbatim"
        );
        assert!(!pwned.exists(), "no shell ran the file name");
    }
}
