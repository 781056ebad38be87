//! `banana-studio send --n N`: the prompt sent N times at once, with the same history and
//! settings (each request differs only in its `generationConfig.seed`). The batch, its seeds
//! and the in-flight limit come from [`crate::variations`], as for the studio's `/vary`.
//! The replies become N siblings under the one prompt, each committed and saved as it arrives
//! through the one [`SharedSession`]; a failure touches no other variation.
//!
//! Prints one JSON object: `session`, `session_dir` and `candidates`, each the object a single
//! `send --json` prints, or `{"error": …}`. Exit 0 if any image came back (and was saved), 3
//! if replies were saved but without an image, 1 if none was kept (every variation failed, or
//! no reply could be saved: their images are rescued like a single `send`'s).

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::args::SendArgs;
use super::outcome::{Outcome, SendFailure, absolute, reply_json, rescue};
use super::progress::ProgressPrinter;
use super::ready::{Ready, ready};
use crate::context::GlobalArgs;
use crate::conversation::{ModelTurn, TurnBody, TurnId};
use crate::emulator::ImageProtocol;
use crate::region;
use crate::store::StoreError;
use crate::store::shared::SharedSession;
use crate::turn;
use crate::variations::{CandidateFailure, Seeds, in_flight_limit};

/// How one variation ended.
enum Ending {
    Reply {
        turn: TurnId,
        saved: Result<(), StoreError>,
    },
    Failed(CandidateFailure),
}

pub(super) async fn send_variations(
    global: &GlobalArgs,
    args: SendArgs,
    n: u8,
) -> Result<Outcome, SendFailure> {
    let Ready {
        context: _,
        session,
        connection,
        prepared,
        previous_leaf,
        settings,
        catalog,
        mode,
    } = ready(global, &args).await?;
    let shared = SharedSession::new(session);
    let prepared = Arc::new(prepared);
    let limit = Arc::new(Semaphore::new(in_flight_limit(
        connection.concurrent_requests,
    )));
    let batch = Seeds::at_random().next_batch(n);
    // In candidate order, so are the endings awaited below and the JSON's candidates.
    let tasks: Vec<_> = batch
        .requests(&prepared.request)
        .into_iter()
        .map(|candidate| {
            let (client, shared, prepared, limit) = (
                connection.client.clone(),
                shared.clone(),
                prepared.clone(),
                limit.clone(),
            );
            let label = format!("[{}]", candidate.position());
            tokio::spawn(async move {
                let permit = limit.acquire_owned().await;
                let mut printer = ProgressPrinter::new(true, Some(label));
                let result =
                    turn::generate(&client, &candidate.request, mode, &mut |p| printer.show(p))
                        .await;
                drop(permit);
                let reply = match result {
                    Ok(reply) => ModelTurn {
                        variation: Some(candidate.variation),
                        ..reply
                    },
                    Err(error) => {
                        return Ending::Failed(CandidateFailure::Api {
                            error,
                            note: printer.gave_up(),
                        });
                    }
                };
                let committed = tokio::task::spawn_blocking(move || {
                    let mut reply = reply;
                    let kept =
                        region::kept_outside(&shared.lock().conversation, prepared.prompt_turn);
                    if let Some((edit, base)) = kept
                        && let Some(notice) = region::composite_reply(&edit, &base, &mut reply)
                    {
                        crate::errln!("{notice}");
                    }
                    shared.change_and_save(|conversation| {
                        turn::commit(conversation, &prepared, reply, crate::store::now_rfc3339())
                    })
                })
                .await;
                match committed {
                    Ok((Ok(turn), saved)) => Ending::Reply { turn, saved },
                    Ok((Err(error), _)) => internal(error),
                    Err(error) => internal(error),
                }
            })
        })
        .collect();
    let mut endings = Vec::with_capacity(tasks.len());
    for task in tasks {
        endings.push(task.await.unwrap_or_else(internal));
    }

    let any_reply = endings.iter().any(|e| matches!(e, Ending::Reply { .. }));
    let shared_for_save = shared.clone();
    let retried_save = if !any_reply {
        // Nothing of this prompt is kept; nothing was saved, so the disk is unchanged.
        turn::abandon(&mut shared.lock().conversation, &prepared, previous_leaf);
        Ok(())
    } else if endings
        .iter()
        .any(|e| matches!(e, Ending::Reply { saved: Err(_), .. }))
    {
        // A reply whose own save failed is written by any later save; try once more.
        tokio::task::spawn_blocking(move || shared_for_save.lock().save())
            .await
            .unwrap_or_else(|e| {
                Err(StoreError::Io {
                    action: "save",
                    path: std::path::PathBuf::new(),
                    source: std::io::Error::other(e.to_string()),
                })
            })
    } else {
        Ok(())
    };

    let pricing = connection.pricing(&catalog);
    let session = shared.lock();
    let mut has_image = false;
    // Replies that are in the session on disk (not only rescued).
    let mut kept_reply = false;
    let candidates: Vec<Value> = endings
        .into_iter()
        .map(|ending| match ending {
            Ending::Reply { turn, saved } => {
                let Some(TurnBody::Model(reply)) = session.conversation.get(turn).map(|t| &t.body)
                else {
                    return error_json("session", None, "the reply was not stored".into());
                };
                match (saved, &retried_save) {
                    (Err(error), Err(_)) => {
                        rescued(reply, &error, args.out.as_deref(), &session.name, turn)
                    }
                    _ => {
                        kept_reply = true;
                        has_image |= reply.has_picture();
                        reply_json(&session, turn, reply, &settings, &pricing)
                    }
                }
            }
            Ending::Failed(failure) => {
                error_json(failure.kind(), failure.status(), failure.to_string())
            }
        })
        .collect();
    let code = match (has_image, kept_reply) {
        (true, _) => 0,
        (false, true) => 3,
        (false, false) => 1,
    };
    let note = match code {
        1 if any_reply => Some(
            "No reply could be saved (their images were rescued, see above); the session on disk is unchanged."
                .to_string(),
        ),
        1 => Some(
            "Every variation failed. The session is unchanged (nothing of this prompt was kept)."
                .to_string(),
        ),
        3 => Some("Replies came back, but none with an image.".to_string()),
        _ => None,
    };
    Ok(Outcome {
        json: json!({
            "session": session.name,
            "session_dir": absolute(&session.dir),
            "prompt_turn": prepared.prompt_turn.0,
            "candidates": candidates,
        }),
        note,
        // Always JSON, which names every candidate's files.
        files: Vec::new(),
        code,
        preview: Vec::new(),
        preview_rows: None,
        protocol: ImageProtocol::Auto,
    })
}

/// A variation that went wrong inside: its reply could not be added, or its task ended early.
fn internal(error: impl ToString) -> Ending {
    Ending::Failed(CandidateFailure::Internal(error.to_string()))
}

fn error_json(kind: &str, status: Option<u16>, message: String) -> Value {
    json!({"error": {"kind": kind, "status": status, "message": message}})
}

/// A reply that could not be saved: its images go to `--out` or a temp folder.
fn rescued(
    reply: &ModelTurn,
    error: &StoreError,
    out: Option<&std::path::Path>,
    session: &str,
    turn: TurnId,
) -> Value {
    let failure = rescue(reply, error, out, session, turn);
    crate::errln!("{}", failure.message());
    failure.json
}
