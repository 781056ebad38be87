//! `banana-studio sessions`: what is in the data directory.

use crate::context::{Context, Failure, GlobalArgs};

pub fn run(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let context = Context::load(global)?;
    let sessions = context.store.list().map_err(Failure::input)?;
    if json {
        let text = serde_json::to_string_pretty(&sessions)
            .map_err(|e| Failure::input(format!("Cannot write JSON: {e}")))?;
        crate::terminal_text::out_json(&text);
        return Ok(());
    }
    if sessions.is_empty() {
        crate::outln!(
            "No sessions yet in {}. Start one with `banana-studio` or `banana-studio send PROMPT`.",
            context.env.data_dir.display()
        );
        return Ok(());
    }
    crate::outln!(
        "{:<24} {:>5} {:>6}  {:<20}  TITLE",
        "NAME",
        "TURNS",
        "IMAGES",
        "UPDATED"
    );
    for session in sessions {
        let updated: String = session.updated_at.chars().take(19).collect();
        let title = match &session.error {
            Some(error) => format!("(unreadable: {error})"),
            None => session.title.chars().take(60).collect(),
        };
        crate::outln!(
            "{:<24} {:>5} {:>6}  {:<20}  {title}",
            session.name,
            session.turns,
            session.images,
            updated
        );
    }
    Ok(())
}
