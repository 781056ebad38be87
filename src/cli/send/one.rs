//! `banana-studio send` without `--n`: one turn.
//!
//! On failure the session is left exactly as it was before the call: the prompt is not kept
//! (it is still in the caller's command line). A reply that arrives but holds no image
//! (blocked, filtered, text only) is kept, so it can be edited or rerun, and exits with 3.

use std::path::Path;

use super::args::SendArgs;
use super::outcome::{Outcome, SendFailure, absolute, copy_images, reply_json, rescue};
use super::progress::ProgressPrinter;
use super::ready::{Ready, ready};
use crate::context::{Connection, GlobalArgs};
use crate::conversation::explain::explain;
use crate::conversation::{Blob, TurnBody, TurnSettings};
use crate::emulator::ImageProtocol;
use crate::gemini::ApiError;
use crate::models::Catalog;
use crate::models::listing::{self, Listing};
use crate::region;
use crate::turn;

pub(super) async fn send_one(global: &GlobalArgs, args: SendArgs) -> Result<Outcome, SendFailure> {
    let Ready {
        context,
        mut session,
        connection,
        prepared,
        previous_leaf,
        settings,
        catalog,
        mode,
    } = ready(global, &args).await?;
    let mut printer = ProgressPrinter::new(args.json, None);
    let result = turn::generate(&connection.client, &prepared.request, mode, &mut |p| {
        printer.show(p)
    })
    .await;
    printer.finish();
    let mut reply = match result {
        Ok(reply) => reply,
        Err(error) => {
            turn::abandon(&mut session.conversation, &prepared, previous_leaf);
            let mut note = printer.gave_up();
            note.push_str(
                &way_forward(
                    &error,
                    &settings,
                    &catalog,
                    &connection,
                    &context.env.data_dir,
                )
                .await,
            );
            note.push_str(" The session is unchanged (nothing of this prompt was kept).");
            return Err(SendFailure::from(error).with_note(&note));
        }
    };
    if let Some((edit, base)) = region::kept_outside(&session.conversation, prepared.prompt_turn)
        && let Some(notice) = region::composite_reply(&edit, &base, &mut reply)
    {
        crate::errln!("{notice}");
    }
    let reply_id = turn::commit(
        &mut session.conversation,
        &prepared,
        reply,
        crate::store::now_rfc3339(),
    )
    .map_err(|e| SendFailure::input("session", e))?;
    let saved = session.save();

    let Some(TurnBody::Model(model_turn)) = session.conversation.get(reply_id).map(|t| &t.body)
    else {
        return Err(SendFailure::input("session", "the reply was not stored"));
    };
    if let Err(error) = saved {
        // The reply was paid for and cannot be asked for again identically: never drop it.
        return Err(rescue(
            model_turn,
            &error,
            args.out.as_deref(),
            &session.name,
            reply_id,
        ));
    }
    let mut files: Vec<String> = model_turn
        .shown_images()
        .filter_map(|blob| blob.path())
        .map(|path| format!("saved {}", absolute(path).display()))
        .collect();
    if let Some(dir) = &args.out {
        let copies = copy_images(model_turn, dir, &session.name, reply_id)
            .map_err(|e| SendFailure::new("output", None, e, 1))?;
        files.extend(
            copies
                .iter()
                .map(|path| format!("copied to {}", absolute(path).display())),
        );
    }
    let has_image = model_turn.has_picture();
    let preview: Vec<Blob> = if args.preview {
        model_turn.shown_images().cloned().collect()
    } else {
        Vec::new()
    };
    let protocol = if preview.is_empty() {
        ImageProtocol::Auto
    } else {
        preview_protocol(context.config.image_protocol.as_deref())
    };
    Ok(Outcome {
        json: reply_json(
            &session,
            reply_id,
            model_turn,
            &settings,
            &connection.pricing(&catalog),
        ),
        note: explain(model_turn),
        files,
        code: if has_image { 0 } else { 3 },
        preview,
        preview_rows: args.preview_rows,
        protocol,
    })
}

/// More to say about a failed generation: for an unknown model, the served ones and the
/// replacement; for refused signatures after a model change, the way to a fresh thread.
async fn way_forward(
    error: &ApiError,
    settings: &TurnSettings,
    catalog: &Catalog,
    connection: &Connection,
    data_dir: &Path,
) -> String {
    let provider = connection.provider_name.as_str();
    match error {
        ApiError::UnknownModel { .. } => {
            // Asked afresh, and cached: the next send knows the model is gone.
            let listed: Option<Listing> = connection
                .list_models(data_dir, false)
                .await
                .ok()
                .map(|listed| Listing::new(&listed, catalog, provider));
            let way = listing::way_forward(catalog, provider, &settings.model, listed.as_ref());
            match &way.replacement {
                Some(replacement) => format!(
                    " {} Send again with --model {replacement}.",
                    way.describe(provider)
                ),
                None => format!(" {}", way.describe(provider)),
            }
        }
        ApiError::BadRequest { message } if message.contains("signature") => format!(
            " {} did not accept the signatures of earlier turns (made by another model). Start a new thread from the latest image: /fresh in the studio, or a new --session with the image attached.",
            settings.model
        ),
        _ => String::new(),
    }
}

/// The config's `image_protocol`. The turn is saved already, so a bad value is a warning.
fn preview_protocol(config: Option<&str>) -> ImageProtocol {
    ImageProtocol::from_settings(None, config).unwrap_or_else(|e| {
        crate::errln!("{e}; using auto");
        ImageProtocol::Auto
    })
}
