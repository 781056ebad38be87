//! `$EDITOR` for a long prompt: the studio steps aside while it runs.

use std::io::Write;

use crossterm::event::EventStream;
use ratatui::Terminal;

use crate::tui::runtime::terminal::{Backend, resume, suspend};

/// Suspends the studio, edits `text` in `$VISUAL`/`$EDITOR` (vi if neither is set), and
/// returns the edited text.
pub(super) async fn run_editor(
    text: &str,
    terminal: &mut Terminal<Backend>,
    terminal_events: &mut EventStream,
) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut words = editor.split_whitespace().map(str::to_string);
    let program = words.next().unwrap_or_else(|| "vi".into());
    let args: Vec<String> = words.collect();
    let mut file = tempfile::Builder::new()
        .prefix("banana-prompt-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| format!("Cannot create a file for the editor: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("Cannot write the prompt for the editor: {e}"))?;
    let path = file.path().to_path_buf();

    suspend(terminal_events);
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&program)
            .args(&args)
            .arg(&path)
            .status()
            .map_err(|e| format!("Cannot start the editor {program:?} ($VISUAL/$EDITOR): {e}"))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    resume(terminal);

    let status = status?;
    if !status.success() {
        return Err(format!(
            "The editor exited with {status}; the prompt was left as it was."
        ));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("Cannot read the edited prompt: {e}"))
}
