//! The shape of `src/` stays as `ARCHITECTURE.md` describes it: `scripts/check-imports.py`
//! finds no import circle between files or folders, no file over 800 lines and the layers in
//! order. The checker itself is tested on copies of `src/` with a rule broken on purpose.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the checker on `src`: its exit status and what it printed.
fn check(src: &Path) -> (bool, String) {
    let output = Command::new("python3")
        .arg(repo().join("scripts/check-imports.py"))
        .arg("--root")
        .arg(src)
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// A copy of `src/` to break.
fn copy_of_src() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("src"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What the checker says of a copy of `src/` with `(file, text)` appended to each file named:
/// it must fail.
fn broken(additions: &[(&str, &str)]) -> String {
    let src = copy_of_src();
    for (file, text) in additions {
        let path = src.path().join(file);
        let mut content = std::fs::read_to_string(&path).unwrap();
        content.push_str(text);
        std::fs::write(&path, content).unwrap();
    }
    let (ok, text) = check(src.path());
    assert!(!ok, "the checker passed a broken copy: {text}");
    text
}

#[test]
fn src_has_no_import_circle_no_long_file_and_its_layers_in_order() {
    let (ok, text) = check(&repo().join("src"));
    assert!(ok, "{text}");
    assert!(text.starts_with("ok: "), "{text}");
}

#[test]
fn a_new_circle_between_top_level_modules_is_caught() {
    // The protocol layer reaching up into the studio.
    let text = broken(&[(
        "gemini/sse.rs",
        "\nfn reaches_up() { let _ = crate::tui::theme::DEFAULT_THEME; }\n",
    )]);
    let circle = text
        .lines()
        .find(|line| line.starts_with("FAIL: circle inside crate/: "))
        .unwrap_or_else(|| panic!("no circle between top-level modules reported: {text}"));
    assert!(circle.contains("gemini → tui"), "{circle}");
}

#[test]
fn a_circle_between_sibling_folders_of_the_studio_is_caught() {
    // The state importing a view: the direction the studio forbids.
    let text = broken(&[(
        "tui/state/layout.rs",
        "\nuse crate::tui::view::widgets::truncate;\n",
    )]);
    assert!(
        text.contains("circle inside tui/: tui/state → tui/view → tui/state"),
        "{text}"
    );
}

#[test]
fn a_circle_through_a_parent_module_is_caught_but_test_code_is_not_counted() {
    let text = broken(&[
        // A child that uses its parent while the parent uses it.
        (
            "export/outcome.rs",
            "\nfn back() { let _ = super::EMBED_LIMIT_BYTES; }\n",
        ),
        // The same reach from test code is fine: tests may use anything.
        (
            "emulator/tmux.rs",
            "\n#[cfg(test)]\nmod reaches_up {\n    use crate::tui::theme::DEFAULT_THEME;\n}\n",
        ),
    ]);
    assert!(
        text.contains("circle between files: export → export/outcome → export"),
        "{text}"
    );
    assert!(!text.contains("emulator/tmux"), "{text}");
}

#[test]
fn a_layer_importing_one_above_it_and_a_long_file_are_caught() {
    let filler = "// filler\n".repeat(800);
    let text = broken(&[(
        "blob.rs",
        &format!(
            "\nfn above() {{ let _ = crate::emulator::ImageProtocol::Halfblocks; }}\n{filler}"
        ),
    )]);
    assert!(text.contains("blob imports emulator"), "{text}");
    assert!(text.contains("blob.rs has"), "{text}");
    assert!(text.contains("split it"), "{text}");
}
