//! Applies a parsed `/command` (or a key that does the same): settings for the next prompt,
//! attachments, sessions, saving and exporting.

use std::path::PathBuf;

use crate::conversation::settings::SettingsError;
use crate::conversation::{Blob, TurnSettings};
use crate::gemini::Transport;
use crate::tui::input::commands::Command;
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::compose::Attachment;
use crate::tui::state::event::Effect;
use crate::tui::state::images::{ImageEntry, ImageKind};
use crate::tui::state::lifecycle::send_prompt;
use crate::tui::state::overlays::Overlay;
use crate::tui::state::panes::ScrollView;
use crate::tui::state::path_prompt::{PathPrompt, PathPurpose};
use crate::tui::state::pickers::ModelPicker;
use crate::tui::state::pickers::SessionPicker;
use crate::tui::state::quitting::quit;
use crate::tui::state::variations;

pub(super) fn add_attachment(app: &mut App, name: String, blob: Blob) {
    if attachments_full(app) {
        return;
    }
    if app.attachments.iter().any(|a| a.blob == blob) {
        app.warn(format!("{name} is attached already."));
        return;
    }
    let size = blob
        .dimensions()
        .map(|(w, h)| format!("{w}×{h}"))
        .unwrap_or_else(|| "unknown size".into());
    app.notify(format!("Attached {name} ({size})."));
    app.attachments.push(Attachment { name, blob });
}

/// Takes `settings` for the next prompt if the model takes them; otherwise says why.
fn apply_settings(app: &mut App, settings: TurnSettings) -> bool {
    match settings.validate(&app.catalog, app.provider(), app.listed_models.as_ref()) {
        Ok(_) => {
            app.settings = settings;
            true
        }
        Err(error) => {
            app.warn(error.to_string());
            false
        }
    }
}

/// Moves the next prompt to `model`, dropping the options it does not take.
pub(super) fn switch_model(app: &mut App, model: &str) {
    let mut settings = app.settings.clone();
    settings.model = model.to_string();
    let spec = app.model_spec(model);
    let mut dropped = Vec::new();
    if settings
        .image_size
        .is_some_and(|size| !spec.sizes.contains(&size))
    {
        settings.image_size = None;
        dropped.push("the image size");
    }
    if settings
        .aspect_ratio
        .as_ref()
        .is_some_and(|ratio| spec.aspect_ratio(ratio).is_none())
    {
        settings.aspect_ratio = None;
        dropped.push("the aspect ratio");
    }
    if settings
        .thinking_level
        .is_some_and(|level| !spec.thinking_levels.contains(&level))
    {
        settings.thinking_level = None;
        dropped.push("the thinking level");
    }
    if settings.image_search && !spec.image_search {
        settings.image_search = false;
        dropped.push("image search");
    }
    if settings.google_search && !spec.google_search {
        settings.google_search = false;
        dropped.push("search");
    }
    let dropped = if dropped.is_empty() {
        String::new()
    } else {
        format!("; dropped {} (it does not take them)", dropped.join(", "))
    };
    let price = app
        .pricing()
        .per_image(&settings)
        .map(|p| {
            format!(
                " · {}/image",
                crate::cost::unit_price(p, app.pricing().currency())
            )
        })
        .unwrap_or_default();
    let unknown = if spec.known {
        ""
    } else {
        " (unknown capabilities: options are passed on unchecked)"
    };
    if apply_settings(app, settings) {
        app.notify(format!(
            "Model {model} ({}){price} for the next prompt{unknown}{dropped}.",
            spec.name
        ));
    }
}

/// Whether the model takes no more reference images (and says so).
fn attachments_full(app: &mut App) -> bool {
    let limit = app.reference_limit();
    if app.attachments.len() < limit {
        return false;
    }
    app.warn(format!(
        "{} takes at most {limit} images with one prompt; detach one first.",
        app.settings.model
    ));
    true
}

/// Applies a `/command` (or a key that does the same).
pub(super) fn run_command(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::Aspect(None) => {
            app.settings.aspect_ratio = None;
            app.notify("Aspect ratio: auto (the model chooses) for the next prompt.");
        }
        Command::Aspect(Some(ratio)) => {
            let spec = app.model_spec(&app.settings.model);
            match spec.aspect_ratio(&ratio) {
                Some(ratio) => {
                    app.settings.aspect_ratio = Some(ratio.to_string());
                    app.notify(format!("Aspect ratio {ratio} for the next prompt."));
                }
                None => app.warn(
                    SettingsError::AspectRatio {
                        ratio: ratio.trim().to_string(),
                        model: app.settings.model.clone(),
                        accepted: spec.aspect_ratio_list(),
                    }
                    .to_string(),
                ),
            }
        }
        Command::Size(None) => {
            app.settings.image_size = None;
            app.notify("Image size: auto for the next prompt.");
        }
        Command::Size(Some(size)) => {
            let mut settings = app.settings.clone();
            settings.image_size = Some(size);
            if apply_settings(app, settings) {
                app.notify(format!("Image size {size} for the next prompt."));
            }
        }
        Command::Thinking(level) => {
            let mut settings = app.settings.clone();
            settings.thinking_level = level;
            if apply_settings(app, settings) {
                app.notify(match level {
                    Some(level) => format!("Thinking level {level} for the next prompt."),
                    None => "Thinking level: the model's default.".to_string(),
                });
            }
        }
        Command::ImageSearch(on) => {
            let mut settings = app.settings.clone();
            settings.image_search = on;
            settings.google_search |= on;
            if apply_settings(app, settings) {
                app.notify(if on {
                    "Image search on: the next image is grounded in web and image search."
                } else {
                    "Image search off."
                });
            }
        }
        Command::Transport(asked) => {
            let Some(connection) = app.connection.as_mut() else {
                app.warn("No provider yet: set a key, or /demo.");
                return Vec::new();
            };
            if let Some(transport) = asked {
                connection.transport = transport;
            }
            let transport = connection.transport;
            app.notify(match transport {
                Transport::Interactions => "Transport: interactions. The next turns upload only their prompt; the server keeps the rest (a provider without it gets generate-content, with a notice).",
                Transport::GenerateContent => "Transport: generate-content. Every turn sends the whole history.",
            });
        }
        Command::KeepOutside(on) => {
            app.keep_outside = on;
            app.notify(if on {
                "Region edits keep the picture outside the region exactly as it was."
            } else {
                "Region edits show the model's picture as it drew it, outside the region too."
            });
        }
        Command::Search(on) => {
            app.settings.google_search = on;
            app.settings.image_search &= on;
            app.notify(if on {
                "Google Search grounding on: the next image is grounded in search results."
            } else {
                "Google Search grounding off."
            });
        }
        Command::Model(None) => {
            app.overlay = Some(Overlay::Models(ModelPicker::new(
                app.offered_models(),
                &app.settings.model,
            )));
        }
        Command::Model(Some(model)) => switch_model(app, model.trim()),
        Command::UseReplacement => {
            let replacement = app
                .catalog
                .replacement_for(app.provider(), &app.settings.model)
                .map(|m| m.id.clone());
            let Some(replacement) = replacement else {
                app.warn(format!(
                    "The catalog names no replacement for {}: pick another model with {}.",
                    app.settings.model,
                    app.keymap.hint(Action::PickModel)
                ));
                return Vec::new();
            };
            switch_model(app, &replacement);
            if app.settings.model == replacement && !app.input_text().trim().is_empty() {
                let prompt = app.input_text();
                return send_prompt(app, prompt);
            }
        }
        Command::System(None) => match &app.settings.system_instruction {
            Some(text) => app.notify(format!("System instruction: {text}")),
            None => app.notify("No system instruction. /system TEXT sets one."),
        },
        Command::System(Some(None)) => {
            app.settings.system_instruction = None;
            app.notify("System instruction removed.");
        }
        Command::System(Some(Some(text))) => {
            app.settings.system_instruction = Some(text);
            app.notify("System instruction set for the next prompts.");
        }
        Command::Attach(Some(path)) => {
            if !attachments_full(app) {
                return vec![Effect::LoadAttachment(PathBuf::from(path))];
            }
        }
        Command::Attach(None) => {
            app.overlay = Some(Overlay::PathPrompt(PathPrompt::new(
                PathPurpose::Attach,
                String::new(),
            )));
        }
        Command::Detach(which) => {
            if app.attachments.is_empty() {
                app.warn("There is nothing attached.");
            } else {
                let index = which.map(|n| n - 1).unwrap_or(app.attachments.len() - 1);
                if index < app.attachments.len() {
                    let removed = app.attachments.remove(index);
                    app.notify(format!("Detached {}.", removed.name));
                } else {
                    app.warn(format!(
                        "There is no attachment {}: {} attached.",
                        index + 1,
                        app.attachments.len()
                    ));
                }
            }
        }
        Command::New => {
            if !app.jobs_in_flight() {
                return vec![Effect::NewSession {
                    from_image: None,
                    draft: app.draft_text(),
                }];
            }
        }
        Command::Open(Some(name)) => {
            if app.jobs_in_flight() {
                return Vec::new();
            }
            if name == app.session_name {
                app.overlay = None;
                app.notify(format!("Session {name} is the one open."));
            } else {
                return vec![Effect::OpenSession {
                    name,
                    draft: app.draft_text(),
                }];
            }
        }
        Command::Open(None) => {
            app.overlay = Some(Overlay::Sessions(SessionPicker::loading()));
            return vec![Effect::ListSessions];
        }
        Command::Save(path) => match app.selected_image() {
            Some(entry) => match path {
                Some(path) => {
                    return vec![Effect::SaveImage {
                        blob: entry.blob,
                        to: PathBuf::from(path),
                    }];
                }
                None => {
                    let suggestion = suggested_file_name(app, &entry);
                    app.overlay = Some(Overlay::PathPrompt(PathPrompt::new(
                        PathPurpose::SaveImage(entry.blob),
                        suggestion,
                    )));
                }
            },
            None => app.warn("No image to save yet."),
        },
        Command::Vary(count) => return variations::request(app, count),
        Command::Fresh => {
            if app.jobs_in_flight() {
                return Vec::new();
            }
            match app.selected_image() {
                Some(entry) => {
                    return vec![Effect::NewSession {
                        from_image: Some(entry.blob),
                        draft: app.draft_text(),
                    }];
                }
                None => app.warn(
                    "/fresh starts a new session from the selected image, and there is no image yet.",
                ),
            }
        }
        Command::Theme(name) => return vec![Effect::LoadTheme(name)],
        Command::Export(format, path) => {
            return vec![Effect::Export {
                session: app.session_name.clone(),
                format,
                path,
            }];
        }
        Command::Help => app.overlay = Some(Overlay::Help(ScrollView::default())),
        Command::Demo => {
            if app.is_demo() {
                app.notify("The demo model is in use already.");
            } else if !app.jobs_in_flight() {
                return vec![Effect::SwitchToDemo];
            }
        }
        Command::Quit => return quit(app),
    }
    Vec::new()
}

/// `session-turn4.jpg` for the selected image (`-thought1`, `-attachment2` for the others).
fn suggested_file_name(app: &App, entry: &ImageEntry) -> String {
    let extension = crate::blob::extension_for(entry.blob.mime_type());
    let turn = entry
        .key
        .turn
        .map(|t| format!("-turn{t}"))
        .unwrap_or_default();
    // Which of its kind in its turn it is.
    let ordinal = app
        .images()
        .iter()
        .filter(|e| e.key.turn == entry.key.turn && e.kind == entry.kind)
        .position(|e| e.key == entry.key)
        .unwrap_or(0)
        + 1;
    let kind = match (entry.kind, ordinal) {
        (ImageKind::Final, 1) => String::new(),
        (ImageKind::Final, n) => format!("-{n}"),
        (ImageKind::Thought, n) => format!("-thought{n}"),
        (ImageKind::Attachment, n) => format!("-attachment{n}"),
        (ImageKind::Raw, n) => format!("-raw{n}"),
    };
    format!("{}{turn}{kind}.{extension}", app.session_name)
}
