//! `update` driven by events alone: no terminal, no network, no disk, no clock.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::conversation::{Conversation, TurnSettings};
use crate::conversation::{ImageSize, ModelTurn, UserTurn};
use crate::gemini::Transfer;
use crate::gemini::{ApiError, Mode};
use crate::models::Catalog;
use crate::tui::input::keymap::Keymap;
use crate::tui::state::fullview::ViewMode;
use crate::tui::state::images::{ImageKey, ImageKind};
use crate::tui::state::jobs::{JobKind, Phase};
use crate::tui::state::layout::{LayoutMode, Pane};
use crate::tui::test_support::*;
use crate::tui::theme::Theme;
use crate::turn::Progress;

mod followups;
mod image_reads;
mod jobs;
mod quitting;
mod region;

#[test]
fn send_adds_the_prompt_and_asks_for_a_streamed_generation() {
    let mut app = test_app();
    let effects = submit(&mut app, "an infographic about bananas");
    assert_eq!(effects.len(), 1, "{effects:?}");
    let Effect::Generate { request, mode, .. } = &effects[0] else {
        panic!("expected Generate, got {effects:?}");
    };
    assert_eq!(*mode, Mode::Streaming);
    assert_eq!(request.model, "gemini-3-pro-image");
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.contains("an infographic about bananas"), "{body}");
    assert_eq!(app.conversation.turns().len(), 1);
    assert!(app.input_text().is_empty(), "the editor is cleared");
    let generation = app.shown_job().expect("a generation runs");
    assert_eq!(app.selected, Some(generation.prepared.prompt_turn));
    assert!(app.animating());
}

#[test]
fn an_empty_prompt_is_refused_and_nothing_is_sent() {
    let mut app = test_app();
    let effects = press(&mut app, KeyCode::Enter);
    assert!(effects.is_empty());
    assert!(app.conversation.is_empty());
    assert!(notice(&app).contains("empty"), "{}", notice(&app));
}

#[test]
fn progress_streams_the_thinking_into_the_state() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bananas"));
    let t0 = Instant::now();
    let progress = |progress, at| Event::Progress { job, progress, at };
    update(
        &mut app,
        progress(
            Progress::Transfer(Transfer::Sending {
                attempt: 1,
                of: 4,
                bytes: 2048,
            }),
            t0,
        ),
        TEST_TIME,
    );
    let generation = app.shown_job().unwrap();
    assert_eq!(
        generation.phase,
        Phase::Sending {
            attempt: 1,
            of: 4,
            bytes: 2048
        }
    );
    assert_eq!(generation.started, Some(t0));

    update(
        &mut app,
        progress(
            Progress::Transfer(Transfer::Retrying {
                attempt: 1,
                of: 4,
                delay: Duration::from_secs(3),
                reason: "503".into(),
                rate_limited: false,
            }),
            t0 + Duration::from_secs(1),
        ),
        TEST_TIME,
    );
    assert!(matches!(
        app.shown_job().unwrap().phase,
        Phase::Retrying { attempt: 2, of: 4, until, .. } if until == t0 + Duration::from_secs(4)
    ));

    update(
        &mut app,
        progress(
            Progress::Transfer(Transfer::Receiving),
            t0 + Duration::from_secs(5),
        ),
        TEST_TIME,
    );
    update(
        &mut app,
        progress(
            Progress::Parts(vec![thought("**Planning**\n\nA layout.")]),
            t0 + Duration::from_secs(6),
        ),
        TEST_TIME,
    );
    update(
        &mut app,
        progress(
            Progress::Transfer(Transfer::Received { bytes: 3_000_000 }),
            t0 + Duration::from_secs(7),
        ),
        TEST_TIME,
    );
    let generation = app.shown_job().unwrap();
    assert_eq!(generation.phase, Phase::Receiving);
    assert_eq!(generation.received_bytes, 3_000_000);
    match app.selected_reply() {
        SelectedReply::Pending(partial) => {
            assert_eq!(
                partial.thoughts(),
                vec!["**Planning**\n\nA layout.".to_string()]
            )
        }
        _ => panic!("the selected prompt shows its reply as it streams"),
    }
    assert_eq!(app.now, Some(t0 + Duration::from_secs(7)));
}

#[test]
fn done_commits_the_reply_and_saves_at_once() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bananas"));
    let effects = done(&mut app, job, Ok(reply("Here it is.")));
    let [
        Effect::Save {
            revision,
            conversation,
        },
    ] = &effects[..]
    else {
        panic!("expected exactly one Save, got {effects:?}");
    };
    assert_eq!(*revision, 1);
    assert_eq!(conversation.turns().len(), 2);
    assert!(app.jobs.is_empty());
    assert!(!app.animating());
    let leaf = app.conversation.active_leaf();
    assert_eq!(app.selected, leaf);
    assert!(app.has_unsaved_changes());
    update(
        &mut app,
        Event::Saved {
            revision: 1,
            result: Ok(()),
        },
        TEST_TIME,
    );
    assert!(!app.has_unsaved_changes());
    // The newest final image is the one shown.
    let shown = app.selected_image().unwrap();
    assert_eq!(shown.kind, ImageKind::Final);
    assert_eq!(shown.blob.dimensions(), Some((8, 6)));
}

#[test]
fn cancel_aborts_abandons_and_gives_the_prompt_back() {
    let mut app = test_app();
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "ref.png".into(),
            result: Ok(png(2, 2)),
        },
        TEST_TIME,
    );
    let job = job_of(&submit(&mut app, "bananas"));
    assert!(app.attachments.is_empty(), "sent with the prompt");
    update(
        &mut app,
        Event::Progress {
            job,
            progress: Progress::Parts(vec![thought("half a thought")]),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    let effects = chord(&mut app, KeyCode::Char('x'), KeyModifiers::CONTROL);
    assert!(
        matches!(effects[..], [Effect::CancelGeneration(j)] if j == job),
        "{effects:?}"
    );
    assert!(app.conversation.is_empty(), "nothing half-done is kept");
    assert!(app.jobs.is_empty());
    assert_eq!(app.input_text(), "bananas");
    assert_eq!(app.attachments.len(), 1, "the attachment is back too");
    assert!(notice(&app).contains("Cancelled"));
    // A late report from the aborted task changes nothing.
    let late = done(&mut app, job, Ok(reply("too late")));
    assert!(late.is_empty());
    assert!(app.conversation.is_empty());
}

#[test]
fn a_failure_restores_the_prompt_and_explains_in_the_conversation() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let before = app.conversation.clone();
    let job = job_of(&submit(&mut app, "make it blue"));
    // Typed while waiting: kept below the restored prompt.
    type_text(&mut app, "and bigger");
    let effects = done(&mut app, job, Err(overloaded()));
    assert!(effects.is_empty(), "nothing to save: {effects:?}");
    assert_eq!(app.conversation, before, "the session is as it was");
    assert_eq!(app.input_text(), "make it blue\nand bigger");
    let failure = app.failure.clone().unwrap_or_default();
    assert!(failure.contains("overloaded"), "{failure}");
    assert!(failure.contains("back in the editor"), "{failure}");
    // Trying again clears the explanation.
    let _ = press(&mut app, KeyCode::Enter);
    assert!(app.failure.is_none());
}

#[test]
fn a_cut_stream_shows_the_partial_thoughts_commits_nothing_and_can_be_retried() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let before = app.conversation.clone();
    let job = job_of(&submit(&mut app, "make it blue"));
    update(
        &mut app,
        Event::Progress {
            job,
            progress: Progress::Parts(vec![thought("**Planning**\n\nHalf a thought")]),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    // While it streams, the thinking that arrived is shown…
    match app.selected_reply() {
        SelectedReply::Pending(partial) => {
            assert_eq!(
                partial.thoughts(),
                vec!["**Planning**\n\nHalf a thought".to_string()]
            )
        }
        _ => panic!("the partial thoughts are shown while streaming"),
    }
    // …but when the connection drops, the turn is not committed as a shorter one.
    let effects = done(
        &mut app,
        job,
        Err(ApiError::StreamBroken {
            detail: "connection reset".into(),
        }),
    );
    assert!(effects.is_empty(), "nothing to save: {effects:?}");
    assert_eq!(app.conversation, before, "no half turn");
    assert!(app.jobs.is_empty());
    assert_eq!(
        app.input_text(),
        "make it blue",
        "the prompt is back in the editor"
    );
    let failure = app.failure.clone().unwrap_or_default();
    assert!(failure.contains("broke off"), "{failure}");
    assert!(failure.contains("nothing of it was kept"), "{failure}");
    // Retrying sends the same prompt again.
    let job = job_of(&press(&mut app, KeyCode::Enter));
    done(&mut app, job, Ok(reply("v2")));
    assert_eq!(app.conversation.turns().len(), 4);
}

#[test]
fn cancel_works_in_every_phase_of_a_generation() {
    let phases = [
        None,
        Some(Progress::Transfer(Transfer::Sending {
            attempt: 1,
            of: 4,
            bytes: 10,
        })),
        Some(Progress::Transfer(Transfer::Retrying {
            attempt: 1,
            of: 4,
            delay: Duration::from_secs(30),
            reason: "503".into(),
            rate_limited: false,
        })),
        Some(Progress::Transfer(Transfer::Receiving)),
        Some(Progress::Parts(vec![thought("stalled mid-thought")])),
    ];
    for phase in phases {
        let mut app = test_app();
        exchange(&mut app, "bananas", "v1");
        let before = app.conversation.clone();
        let job = job_of(&submit(&mut app, "make it blue"));
        if let Some(progress) = phase.clone() {
            update(
                &mut app,
                Event::Progress {
                    job,
                    progress,
                    at: Instant::now(),
                },
                TEST_TIME,
            );
        }
        let effects = chord(&mut app, KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert!(
            matches!(effects[..], [Effect::CancelGeneration(j)] if j == job),
            "{phase:?}: {effects:?}"
        );
        assert_eq!(app.conversation, before, "{phase:?}");
        assert_eq!(app.input_text(), "make it blue", "{phase:?}");
        assert!(app.jobs.is_empty(), "{phase:?}");
    }
}

/// A reply with `promptFeedback.blockReason` and no candidates, as the demo's `blocked` fault.
fn blocked_reply() -> ModelTurn {
    ModelTurn {
        prompt_feedback: Some(crate::gemini::wire::PromptFeedback {
            block_reason: Some("PROHIBITED_CONTENT".into()),
            ..Default::default()
        }),
        ..ModelTurn::default()
    }
}

#[test]
fn a_blocked_prompt_is_kept_explained_and_can_be_rerun_or_edited() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "something"));
    let effects = done(&mut app, job, Ok(blocked_reply()));
    assert!(
        matches!(effects[..], [Effect::Save { .. }]),
        "the blocked exchange is kept and saved: {effects:?}"
    );
    assert_eq!(app.conversation.turns().len(), 2);
    let blocked = app.conversation.active_leaf().unwrap();
    assert_eq!(app.selected, Some(blocked));
    let TurnBody::Model(turn) = &app.conversation.get(blocked).unwrap().body else {
        panic!("a model turn");
    };
    let why = crate::conversation::explain::explain(turn).unwrap_or_default();
    assert!(why.contains("The prompt was blocked"), "{why}");

    // Rerun: a sibling reply under the same prompt.
    let job = job_of(&chord(&mut app, KeyCode::Char('r'), KeyModifiers::ALT));
    assert_eq!(app.shown_job().unwrap().kind, JobKind::Rerun);
    done(&mut app, job, Ok(reply("drawn this time")));
    let rerun = app.conversation.active_leaf().unwrap();
    assert_eq!(app.conversation.siblings(rerun), vec![blocked, rerun]);

    // Edit: the prompt comes back into the editor and goes out as a new branch.
    let prompt = app.conversation.turns()[0].id;
    app.focus = Pane::Conversation;
    while app.selected != Some(prompt) {
        press(&mut app, KeyCode::Up);
    }
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.input_text(), "something");
    type_text(&mut app, " else");
    let job = job_of(&press(&mut app, KeyCode::Enter));
    assert_eq!(app.shown_job().unwrap().kind, JobKind::Edit);
    done(&mut app, job, Ok(reply("v1")));
    assert_eq!(app.conversation.turns().len(), 5);
}

// --- Branches, reruns, edits ---------------------------------------------------------

#[test]
fn rerun_adds_a_sibling_reply() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let first_reply = app.conversation.active_leaf().unwrap();
    app.focus = Pane::Conversation;
    let effects = press(&mut app, KeyCode::Char('r'));
    let job = job_of(&effects);
    assert_eq!(app.conversation.turns().len(), 2, "a rerun adds no prompt");
    assert_eq!(app.shown_job().unwrap().kind, JobKind::Rerun);
    done(&mut app, job, Ok(reply("v1 again")));
    let second_reply = app.conversation.active_leaf().unwrap();
    assert_eq!(
        app.conversation.siblings(second_reply),
        vec![first_reply, second_reply]
    );
    assert_eq!(app.selected, Some(second_reply));
}

#[test]
fn a_failed_rerun_keeps_the_old_reply_active() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let leaf = app.conversation.active_leaf();
    let job = job_of(&chord(&mut app, KeyCode::Char('r'), KeyModifiers::ALT));
    done(&mut app, job, Err(overloaded()));
    assert_eq!(app.conversation.active_leaf(), leaf);
    assert_eq!(app.conversation.turns().len(), 2);
    assert!(
        app.failure
            .as_deref()
            .unwrap_or_default()
            .starts_with("The rerun failed")
    );
    assert!(
        app.input_text().is_empty(),
        "a rerun has no prompt to give back"
    );
}

#[test]
fn editing_an_earlier_prompt_sends_a_new_branch_beside_it() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    exchange(&mut app, "make the title bigger", "v2");
    exchange(&mut app, "use a blue palette", "v3");
    let second_prompt = app.conversation.turns()[2].id;
    let first_reply = app.conversation.turns()[1].id;
    app.focus = Pane::Conversation;
    // From the last reply up to the second prompt: reply 6, prompt 5, reply 4, prompt 3.
    for _ in 0..3 {
        press(&mut app, KeyCode::Up);
    }
    assert_eq!(app.selected, Some(second_prompt));
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.focus, Pane::Input);
    assert_eq!(app.input_text(), "make the title bigger");
    assert_eq!(app.editing.as_ref().map(|e| e.turn), Some(second_prompt));
    type_text(&mut app, " in the rain");
    let job = job_of(&press(&mut app, KeyCode::Enter));
    assert_eq!(app.shown_job().unwrap().kind, JobKind::Edit);
    done(&mut app, job, Ok(reply("v2b")));
    let path = app.conversation.active_path();
    assert_eq!(path.len(), 4, "root, first reply, the edit, its reply");
    let edited = path[2];
    assert_eq!(edited.parent, Some(first_reply));
    assert_eq!(
        app.conversation.siblings(edited.id),
        vec![second_prompt, edited.id]
    );
    assert!(app.editing.is_none());
}

#[test]
fn ctrl_x_stops_editing_and_brings_the_draft_back() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    type_text(&mut app, "my draft");
    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.input_text(), "bananas");
    app.settings.google_search = true;
    chord(&mut app, KeyCode::Char('x'), KeyModifiers::CONTROL);
    assert!(app.editing.is_none());
    assert_eq!(app.input_text(), "my draft");
    assert!(
        !app.settings.google_search,
        "the edit's settings go with it"
    );
}

#[test]
fn branches_are_switched_on_the_selected_turn() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    exchange(&mut app, "blue", "v2");
    // A second branch after the first reply.
    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('e'));
    app.set_input_text("red");
    let job = job_of(&press(&mut app, KeyCode::Enter));
    done(&mut app, job, Ok(reply("v2 red")));
    let red_prompt = app.conversation.active_path()[2].id;
    let blue_prompt = app.conversation.turns()[2].id;

    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Up);
    assert_eq!(app.selected, Some(red_prompt));
    let effects = press(&mut app, KeyCode::Left);
    assert!(
        matches!(effects[..], [Effect::Save { .. }]),
        "the active branch is saved"
    );
    assert_eq!(app.selected, Some(blue_prompt));
    assert_eq!(app.conversation.active_path()[2].id, blue_prompt);
    let effects = press(&mut app, KeyCode::Left);
    assert!(effects.is_empty());
    assert!(notice(&app).contains("branch 1/2"), "{}", notice(&app));
    chord(&mut app, KeyCode::Right, KeyModifiers::ALT);
    assert_eq!(app.conversation.active_path()[2].id, red_prompt);

    // A turn without siblings says how to make one.
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Right);
    assert!(notice(&app).contains("no other branch"), "{}", notice(&app));
}

#[test]
fn a_generation_running_does_not_stop_edits_and_reruns_elsewhere() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    submit(&mut app, "again");
    app.focus = Pane::Conversation;
    app.selected = app.conversation.turns().first().map(|t| t.id);
    assert_eq!(job_count(&press(&mut app, KeyCode::Char('r'))), 1);
    assert_eq!(app.jobs.len(), 2);
    press(&mut app, KeyCode::Char('e'));
    assert!(app.editing.is_some());
    // A change of session must wait for them.
    app.editing = None;
    app.set_input_text("");
    submit(&mut app, "/new");
    assert!(
        notice(&app).contains("2 generation(s) running"),
        "{}",
        notice(&app)
    );
}

// --- Attachments -------------------------------------------------------------------------

#[test]
fn attachments_are_loaded_by_the_driver_listed_and_detached() {
    let mut app = test_app();
    let effects = submit(&mut app, "/attach ~/photo.png");
    assert!(
        matches!(&effects[..], [Effect::LoadAttachment(p)] if p == std::path::Path::new("~/photo.png")),
        "{effects:?}"
    );
    assert!(app.input_text().is_empty());
    let blob = png(3, 3);
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "photo.png".into(),
            result: Ok(blob.clone()),
        },
        TEST_TIME,
    );
    assert_eq!(app.attachments.len(), 1);
    assert!(notice(&app).contains("Attached photo.png (3×3)"));
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "copy.png".into(),
            result: Ok(blob),
        },
        TEST_TIME,
    );
    assert_eq!(app.attachments.len(), 1, "the same image once");
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "notes.txt".into(),
            result: Err("notes.txt: is not an image".into()),
        },
        TEST_TIME,
    );
    assert!(notice_is_error(&app));

    // Sent with the prompt.
    let job = job_of(&submit(&mut app, "like this"));
    done(&mut app, job, Ok(reply("ok")));
    let prompt = &app.conversation.turns()[0];
    let TurnBody::User(user) = &prompt.body else {
        panic!("a prompt");
    };
    assert_eq!(
        user.parts.iter().filter(|p| p.as_image().is_some()).count(),
        1
    );
    assert!(app.attachments.is_empty());

    // Detaching.
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "a.png".into(),
            result: Ok(png(5, 5)),
        },
        TEST_TIME,
    );
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "b.png".into(),
            result: Ok(png(6, 6)),
        },
        TEST_TIME,
    );
    submit(&mut app, "/detach 1");
    assert_eq!(app.attachments.len(), 1);
    assert_eq!(app.attachments[0].name, "b.png");
    submit(&mut app, "/detach 5");
    assert!(notice_is_error(&app));
    assert_eq!(
        app.input_text(),
        "/detach 5",
        "a failed command stays to be fixed"
    );
    app.set_input_text("");
    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Char('x'));
    assert!(app.attachments.is_empty());
}

#[test]
fn the_attach_key_opens_a_path_prompt_that_completes_and_submits() {
    let mut app = test_app();
    chord(&mut app, KeyCode::Char('a'), KeyModifiers::ALT);
    assert!(matches!(app.overlay, Some(Overlay::PathPrompt(_))));
    type_text(&mut app, "img/ba");
    let effects = press(&mut app, KeyCode::Tab);
    assert!(matches!(&effects[..], [Effect::Complete(t)] if t == "img/ba"));
    update(
        &mut app,
        Event::Completions {
            for_text: "img/ba".into(),
            entries: vec![("banana.png".into(), false), ("apple.png".into(), false)],
        },
        TEST_TIME,
    );
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::LoadAttachment(p)] if p == std::path::Path::new("img/banana.png")),
        "{effects:?}"
    );
    assert!(app.overlay.is_none());
}

// --- Commands and settings -----------------------------------------------------------

#[test]
fn settings_commands_change_the_next_prompt() {
    let mut app = test_app();
    submit(&mut app, "/aspect 16:9");
    assert_eq!(app.settings.aspect_ratio.as_deref(), Some("16:9"));
    submit(&mut app, "/size 4K");
    assert_eq!(app.settings.image_size, Some(ImageSize::K4));
    submit(&mut app, "/search on");
    assert!(app.settings.google_search);
    submit(&mut app, "/system Flat vector style");
    assert_eq!(
        app.settings.system_instruction.as_deref(),
        Some("Flat vector style")
    );
    assert!(!notice_is_error(&app));
    job_of(&submit(&mut app, "bananas"));
    let TurnBody::User(user) = &app.conversation.turns()[0].body else {
        panic!("a prompt");
    };
    assert_eq!(user.settings.aspect_ratio.as_deref(), Some("16:9"));
    assert_eq!(user.settings.image_size, Some(ImageSize::K4));
    assert!(user.settings.google_search);
}

#[test]
fn bad_command_arguments_are_explained_and_change_nothing() {
    let mut app = test_app();
    submit(&mut app, "/size 3K");
    assert!(notice_is_error(&app));
    assert!(notice(&app).contains("1K, 2K or 4K"), "{}", notice(&app));
    assert_eq!(app.settings.image_size, None);
    assert_eq!(app.input_text(), "/size 3K", "kept to be corrected");

    app.set_input_text("");
    submit(&mut app, "/aspect 7:5");
    assert!(
        notice(&app).contains("16:9"),
        "lists what is accepted: {}",
        notice(&app)
    );
    assert_eq!(app.settings.aspect_ratio, None);

    app.set_input_text("");
    submit(&mut app, "/search maybe");
    assert!(notice(&app).contains("on or off"));

    app.set_input_text("");
    submit(&mut app, "/model ../../etc");
    assert!(
        notice(&app).contains("Invalid model name"),
        "{}",
        notice(&app)
    );
    assert_eq!(app.settings.model, "gemini-3-pro-image");

    app.set_input_text("");
    submit(&mut app, "/frobnicate");
    assert!(notice(&app).contains("Unknown command"));
    assert!(
        app.conversation.is_empty(),
        "a command is never sent as a prompt"
    );
}

#[test]
fn switching_to_a_model_drops_what_it_cannot_take() {
    let mut app = test_app();
    submit(&mut app, "/size 2K");
    submit(&mut app, "/model gemini-2.5-flash-image");
    assert_eq!(app.settings.model, "gemini-2.5-flash-image");
    assert_eq!(app.settings.image_size, None);
    assert!(
        notice(&app).contains("dropped the image size"),
        "{}",
        notice(&app)
    );
    submit(&mut app, "/size 4K");
    assert!(
        notice(&app).contains("its size is fixed"),
        "{}",
        notice(&app)
    );
    app.set_input_text("");
    submit(&mut app, "/model");
    let Some(Overlay::Models(picker)) = &app.overlay else {
        panic!("/model opens the picker");
    };
    let ids: Vec<&str> = picker.models.iter().map(|m| m.id.as_str()).collect();
    assert!(ids.contains(&"gemini-3-pro-image"), "{ids:?}");
    assert!(
        !ids.contains(&"gemini-3-pro-image-preview"),
        "retired ids are not offered: {ids:?}"
    );
    assert_eq!(
        picker.chosen(),
        Some("gemini-2.5-flash-image"),
        "starts on the one in use"
    );
}

#[test]
fn each_model_takes_its_own_options() {
    let mut app = test_app();
    command(&mut app, "/thinking minimal");
    assert!(notice_is_error(&app));
    assert!(notice(&app).contains("low high"), "{}", notice(&app));
    command(&mut app, "/thinking high");
    assert_eq!(
        app.settings.thinking_level,
        Some(crate::models::ThinkingLevel::High)
    );
    command(&mut app, "/size 512");
    assert!(notice(&app).contains("1K 2K 4K"), "{}", notice(&app));
    command(&mut app, "/aspect 1:8");
    assert!(notice_is_error(&app));
    command(&mut app, "/thinking low");
    command(&mut app, "/model gemini-3.1-flash-image");
    assert_eq!(
        app.settings.thinking_level, None,
        "Flash takes minimal or high"
    );
    assert!(
        notice(&app).contains("dropped the thinking level"),
        "{}",
        notice(&app)
    );
    command(&mut app, "/size 512");
    command(&mut app, "/aspect 1:8");
    command(&mut app, "/imagesearch on");
    assert_eq!(app.settings.image_size, Some(ImageSize::Px512));
    assert_eq!(app.settings.aspect_ratio.as_deref(), Some("1:8"));
    assert!(app.settings.image_search && app.settings.google_search);
    let effects = submit(&mut app, "a tall banana poster");
    let Some(Effect::Generate { request, .. }) = effects.first() else {
        panic!("expected Generate, got {effects:?}");
    };
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["generationConfig"]["imageConfig"]["imageSize"], "512");
    assert_eq!(
        body["tools"][0]["googleSearch"]["searchTypes"]["imageSearch"],
        serde_json::json!({})
    );
}

#[test]
fn a_session_saved_on_an_old_id_moves_only_when_the_provider_no_longer_lists_it() {
    let mut old = test_app();
    old.settings.model = "gemini-3-pro-image-preview".into();
    let conversation = {
        // Build the history as an older studio saved it: prompts on the preview id.
        let mut c = Conversation::new();
        let settings = TurnSettings {
            model: "gemini-3-pro-image-preview".into(),
            ..TurnSettings::default()
        };
        let u = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("bees")],
                    settings,
                    region: None,
                },
                "t".into(),
            )
            .unwrap();
        c.add_model(u, reply("Here are bees."), "t".into()).unwrap();
        c
    };
    drop(old);
    let mut app = App::new(
        "old".into(),
        conversation,
        TurnSettings::default(),
        Some(demo_connection()),
        Theme::default_dark(),
        Keymap::default(),
        Catalog::builtin(),
    );
    assert_eq!(
        app.settings.model, "gemini-3-pro-image-preview",
        "the catalog alone moves nothing: a relay may serve the id"
    );
    assert_eq!(app.offered_models()[0].id, "gemini-3-pro-image-preview");
    let provider = app.provider().to_string();
    update(
        &mut app,
        Event::ModelsListed {
            provider,
            result: Ok(listed_models(&[
                "gemini-3-pro-image",
                "gemini-3.1-flash-image",
            ])),
        },
        TEST_TIME,
    );
    assert_eq!(app.settings.model, "gemini-3-pro-image");
    assert!(notice(&app).contains("no longer lists"), "{}", notice(&app));
    let effects = submit(&mut app, "bigger title");
    let Some(Effect::Generate { request, .. }) = effects.first() else {
        panic!("expected Generate, got {effects:?}");
    };
    assert_eq!(request.model, "gemini-3-pro-image");
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body["contents"][1]["parts"][0]["thoughtSignature"], "sig-text",
        "the history keeps its signatures"
    );
}

#[test]
fn a_404_names_the_way_forward_and_one_key_resends_on_the_replacement() {
    let mut app = test_app();
    app.settings.model = "gemini-3-pro-image-preview".into();
    app.catalog = {
        // The catalog of a release that did not know the preview was retired.
        let entry = crate::models::ModelEntry {
            id: "gemini-3-pro-image-preview".into(),
            status: Some(crate::models::ModelStatus::Ga),
            ..crate::models::ModelEntry::default()
        };
        Catalog::with_overrides(&[entry]).unwrap()
    };
    let job = job_of(&submit(&mut app, "an infographic about bees"));
    // The catalog learns the truth (a newer release) before the 404 comes back.
    app.catalog = Catalog::builtin();
    done(
        &mut app,
        job,
        Err(ApiError::UnknownModel {
            message: "models/gemini-3-pro-image-preview is not found for API version v1beta."
                .into(),
        }),
    );
    let failure = app.failure.clone().unwrap_or_default();
    assert!(failure.contains("gemini-3.1-flash-image"), "{failure}");
    assert!(
        failure.contains("Its replacement is gemini-3-pro-image"),
        "{failure}"
    );
    assert!(failure.contains("F7"), "{failure}");
    assert_eq!(app.input_text(), "an infographic about bees");
    let effects = press(&mut app, KeyCode::F(7));
    let Some(Effect::Generate { request, .. }) = effects.first() else {
        panic!("expected Generate, got {effects:?}");
    };
    assert_eq!(request.model, "gemini-3-pro-image");
    assert_eq!(app.settings.model, "gemini-3-pro-image");
}

#[test]
fn models_the_provider_lists_are_offered_even_when_the_catalog_lacks_them() {
    let mut app = test_app();
    let listed = listed_models(&[
        "gemini-3-pro-image",
        "gemini-4-flash-image",
        "gemini-embedding-001",
    ]);
    update(
        &mut app,
        Event::ModelsListed {
            provider: "demo".into(),
            result: Ok(listed),
        },
        TEST_TIME,
    );
    let offered: Vec<String> = app.offered_models().into_iter().map(|m| m.id).collect();
    assert_eq!(offered, ["gemini-3-pro-image", "gemini-4-flash-image"]);
    submit(&mut app, "/model gemini-4-flash-image");
    assert_eq!(app.settings.model, "gemini-4-flash-image");
    assert!(
        notice(&app).contains("unknown capabilities"),
        "{}",
        notice(&app)
    );
}

#[test]
fn session_and_app_commands_ask_the_driver() {
    let mut app = test_app();
    assert!(matches!(
        submit(&mut app, "/new")[..],
        [Effect::NewSession {
            from_image: None,
            ..
        }]
    ));
    assert!(
        matches!(&submit(&mut app, "/open old")[..], [Effect::OpenSession { name: n, .. }] if n == "old")
    );
    let effects = submit(&mut app, "/open");
    assert!(matches!(effects[..], [Effect::ListSessions]));
    assert!(matches!(app.overlay, Some(Overlay::Sessions(_))));
    app.overlay = None;
    assert!(
        matches!(&submit(&mut app, "/theme light")[..], [Effect::LoadTheme(n)] if n == "light")
    );
    submit(&mut app, "/help");
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    submit(&mut app, "/demo");
    assert!(notice(&app).contains("already"));
    // No image yet: /save and /fresh say so.
    assert!(submit(&mut app, "/save /tmp/x.png").is_empty());
    assert!(notice(&app).contains("No image"));
    app.set_input_text("");
    assert!(submit(&mut app, "/fresh").is_empty());
    assert!(notice(&app).contains("no image yet"));
    app.set_input_text("");
    let effects = submit(&mut app, "/quit");
    assert!(matches!(effects[..], [Effect::Quit]));
    assert!(app.quit);
}

#[test]
fn image_commands_act_on_the_selected_image() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let shown = app.selected_image().unwrap().blob;
    let effects = submit(&mut app, "/save ~/out.png");
    assert!(
        matches!(&effects[..], [Effect::SaveImage { blob, to }] if *blob == shown && to == std::path::Path::new("~/out.png")),
        "{effects:?}"
    );
    let effects = submit(&mut app, "/fresh");
    assert!(
        matches!(&effects[..], [Effect::NewSession { from_image: Some(b), .. }] if *b == shown),
        "{effects:?}"
    );
    // The save key asks where, suggesting a name.
    chord(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    match &app.overlay {
        Some(Overlay::PathPrompt(prompt)) => assert_eq!(prompt.text, "test-session-turn2.png"),
        _ => panic!("a path prompt"),
    }
    press(&mut app, KeyCode::Esc);
    app.focus = Pane::Image;
    assert!(press(&mut app, KeyCode::Char('f')).is_empty());
    assert!(app.full_view.is_some(), "f opens the full view");
    press(&mut app, KeyCode::Esc);
    assert!(app.full_view.is_none(), "Esc closes it");
    // Not on disk yet: copying the path explains.
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert!(notice(&app).contains("not on disk"));
    shown.set_path("/data/sessions/test/images/x.png".into());
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(&effects[..], [Effect::Copy { text, .. }] if text == "/data/sessions/test/images/x.png"),
        "{effects:?}"
    );
    assert!(matches!(
        press(&mut app, KeyCode::Char('o'))[..],
        [Effect::OpenViewer(_)]
    ));
}

#[test]
fn settings_keys_cycle_and_toggle() {
    let mut app = test_app();
    press(&mut app, KeyCode::F(5));
    assert!(app.settings.google_search);
    press(&mut app, KeyCode::F(5));
    assert!(!app.settings.google_search);
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.settings.aspect_ratio.as_deref(), Some("1:1"));
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.settings.aspect_ratio.as_deref(), Some("2:3"));
    press(&mut app, KeyCode::F(4));
    assert_eq!(app.settings.image_size, Some(ImageSize::K1));
    press(&mut app, KeyCode::F(4));
    press(&mut app, KeyCode::F(4));
    assert_eq!(app.settings.image_size, Some(ImageSize::K4));
    press(&mut app, KeyCode::F(4));
    assert_eq!(app.settings.image_size, None);
    press(&mut app, KeyCode::F(2));
    assert!(matches!(app.overlay, Some(Overlay::Models(_))));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.settings.model, "gemini-3.1-flash-image");
    assert!(notice(&app).contains("$0.067/image"), "{}", notice(&app));
    press(&mut app, KeyCode::F(6));
    assert_eq!(app.input_text(), "/system ");
    assert_eq!(app.focus, Pane::Input);
    // Typing 's' in the editor types, it does not toggle search.
    app.set_input_text("");
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.input_text(), "s");
    assert!(!app.settings.google_search);
}

#[test]
fn settings_follow_the_branch_they_continue() {
    let mut app = test_app();
    submit(&mut app, "/aspect 16:9");
    exchange(&mut app, "wide bananas", "v1");
    assert_eq!(
        app.settings.aspect_ratio.as_deref(),
        Some("16:9"),
        "kept after sending"
    );
    // A session opened afresh takes its settings from the active path.
    let conversation = app.conversation.clone();
    let mut reopened = test_app();
    update(
        &mut reopened,
        Event::SessionOpened {
            name: "other".into(),
            conversation,
            attachments: Vec::new(),
            draft: None,
        },
        TEST_TIME,
    );
    assert_eq!(reopened.settings.aspect_ratio.as_deref(), Some("16:9"));
    assert_eq!(reopened.session_name, "other");
    assert_eq!(reopened.selected, reopened.conversation.active_leaf());
}

// --- Panes, overlays, the rest ---------------------------------------------------------

#[test]
fn focus_cycles_and_typing_elsewhere_goes_to_the_editor() {
    let mut app = test_app();
    assert_eq!(app.focus, Pane::Input);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Conversation);
    press(&mut app, KeyCode::Tab);
    assert_eq!((app.focus, app.side), (Pane::Image, Pane::Image));
    press(&mut app, KeyCode::Tab);
    assert_eq!((app.focus, app.side), (Pane::Thinking, Pane::Thinking));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Sources);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Input);
    chord(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.focus, Pane::Sources);
    // A letter with no binding while browsing is typed into the prompt.
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(app.focus, Pane::Input);
    assert_eq!(app.input_text(), "b");
    // A pasted text lands in the editor with its newlines.
    update(&mut app, Event::Paste("anana\r\nsplit".into()), TEST_TIME);
    assert_eq!(app.input_text(), "banana\nsplit");
    chord(&mut app, KeyCode::Enter, KeyModifiers::ALT);
    assert_eq!(app.input.lines().len(), 3, "Alt-Enter adds a line");
}

#[test]
fn esc_goes_from_the_prompt_to_the_pictures_keys_and_back() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    exchange(&mut app, "bigger title", "v2");
    type_text(&mut app, "make it f");
    press(&mut app, KeyCode::Esc);
    assert_eq!((app.focus, app.side), (Pane::Image, Pane::Image));
    assert!(notice(&app).contains("full view"), "{}", notice(&app));
    assert_eq!(
        app.input_text(),
        "make it f",
        "the text waits in the editor"
    );
    // Now the picture's letters act: [ steps back a version, f opens the full view.
    let before = app.selected_image().map(|e| e.key);
    press(&mut app, KeyCode::Char('['));
    assert_ne!(app.selected_image().map(|e| e.key), before);
    press(&mut app, KeyCode::Char('f'));
    assert!(app.full_view.is_some());
    // Esc leaves the full view first, then goes back to the prompt.
    press(&mut app, KeyCode::Esc);
    assert!(app.full_view.is_none());
    assert_eq!(app.focus, Pane::Image);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Input);
    type_text(&mut app, "un");
    assert_eq!(app.input_text(), "make it fun");
    // From any other pane too.
    app.focus = Pane::Sources;
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Input);
}

#[test]
fn a_new_picture_brings_the_image_tab_forward_unless_the_user_works_in_another() {
    let mut app = test_app();
    app.side = Pane::Sources;
    exchange(&mut app, "bananas", "v1");
    assert_eq!(app.side, Pane::Image, "the reply's picture shows");
    // Reading the sources while the next one comes: they stay.
    app.focus = Pane::Sources;
    app.side = Pane::Sources;
    let job = job_of(&submit(&mut app, "bigger title"));
    assert_eq!(app.focus, Pane::Input, "sending focuses the prompt");
    app.focus = Pane::Sources;
    done(&mut app, job, Ok(reply("v2")));
    assert_eq!(app.side, Pane::Sources);
}

#[test]
fn esc_then_f_joined_into_alt_f_by_tmux_still_opens_the_full_view() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    type_text(&mut app, "bigger");
    // tmux's escape-time joins a quick Esc and f into one Alt-f.
    chord(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
    assert_eq!(app.focus, Pane::Image);
    assert!(app.full_view.is_some(), "Esc, then f: the full view");
    assert_eq!(app.input_text(), "bigger");
    // Alt-b, which acts nowhere outside the prompt, is still the editor's word move.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Pane::Input);
    chord(&mut app, KeyCode::Char('b'), KeyModifiers::ALT);
    assert_eq!(app.focus, Pane::Input);
    assert_eq!(app.input_text(), "bigger");
}

#[test]
fn every_action_has_a_key_without_alt() {
    let keymap = Keymap::default();
    for info in crate::tui::input::keymap::ACTIONS {
        let keys = keymap.keys_for(info.action);
        assert!(
            keys.iter()
                .any(|k| !k.modifiers.contains(KeyModifiers::ALT)),
            "{} is reachable only with Alt: {keys:?}",
            info.name
        );
    }
}

#[test]
fn ctrl_u_deletes_to_the_start_of_the_line_and_ctrl_z_undoes() {
    let mut app = test_app();
    type_text(&mut app, "first line");
    chord(&mut app, KeyCode::Char('j'), KeyModifiers::CONTROL);
    type_text(&mut app, "second line");
    chord(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(app.input_text(), "first line\n");
    chord(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.input_text(), "first line\nsecond line");
}

#[test]
fn sources_are_selected_and_their_uri_copied() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    app.focus = Pane::Sources;
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.sources_view.selected, 1, "stops at the last source");
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(&effects[..], [Effect::Copy { text, .. }] if text == "https://data.example.com/bananas"),
        "{effects:?}"
    );
}

#[test]
fn images_are_stepped_through_across_the_conversation() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    exchange(&mut app, "blue", "v2");
    let images = app.images();
    let kinds: Vec<ImageKind> = images.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ImageKind::Thought,
            ImageKind::Final,
            ImageKind::Thought,
            ImageKind::Final
        ]
    );
    assert_eq!(app.selected_image_index(&images), Some(3));
    app.focus = Pane::Image;
    // [ and ] step versions (final images), as the full view does, and say when at an end.
    press(&mut app, KeyCode::Char('['));
    assert_eq!(app.selected_image_index(&app.images()), Some(1));
    press(&mut app, KeyCode::Char('['));
    assert_eq!(app.selected_image_index(&app.images()), Some(1));
    assert!(notice(&app).contains("first version"), "{}", notice(&app));
    chord(&mut app, KeyCode::Char('.'), KeyModifiers::ALT);
    assert_eq!(app.selected_image_index(&app.images()), Some(3));
    // ↑ in the Image pane steps every image, the drafts too.
    press(&mut app, KeyCode::Up);
    assert_eq!(app.selected_image_index(&app.images()), Some(2));
    press(&mut app, KeyCode::Home);
    assert_eq!(app.selected_image_index(&app.images()), Some(0));
    // Selecting a turn shows its image.
    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Char('G'));
    let shown = app.selected_image().unwrap();
    assert_eq!(shown.key.turn, app.selected);
}

#[test]
fn without_a_key_sending_offers_the_demo() {
    let mut app = test_app();
    app.connection = None;
    let mut app = app.with_missing_key("No API key for provider google. Set GEMINI_API_KEY".into());
    assert!(matches!(app.overlay, Some(Overlay::MissingKey)));
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    assert!(submit(&mut app, "bananas").is_empty());
    assert!(matches!(app.overlay, Some(Overlay::MissingKey)));
    assert!(app.conversation.is_empty());
    let effects = press(&mut app, KeyCode::Char('d'));
    assert!(matches!(effects[..], [Effect::SwitchToDemo]));
    update(
        &mut app,
        Event::DemoConnected(Ok(demo_connection())),
        TEST_TIME,
    );
    assert!(app.overlay.is_none());
    assert!(app.is_demo());
    assert_eq!(app.input_text(), "bananas", "the prompt waited");
    assert!(matches!(
        press(&mut app, KeyCode::Enter)[..],
        [Effect::Generate { .. }]
    ));
}

#[test]
fn a_failed_save_is_shown_and_the_next_save_writes_everything() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    update(
        &mut app,
        Event::Saved {
            revision: 1,
            result: Err("No space left on device".into()),
        },
        TEST_TIME,
    );
    assert!(notice_is_error(&app));
    assert!(notice(&app).contains("kept in memory"));
    assert!(app.save.error.is_some());
    assert!(app.has_unsaved_changes());
    let job = job_of(&submit(&mut app, "blue"));
    let effects = done(&mut app, job, Ok(reply("v2")));
    let [Effect::Save { conversation, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(conversation.turns().len(), 4, "the retry writes both turns");
    update(
        &mut app,
        Event::Saved {
            revision: 2,
            result: Ok(()),
        },
        TEST_TIME,
    );
    assert!(app.save.error.is_none());
    assert!(!app.has_unsaved_changes());
}

#[test]
fn terminate_during_a_generation_keeps_nothing_half_done_and_quits() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let job = job_of(&submit(&mut app, "blue"));
    let effects = update(&mut app, Event::Terminate, TEST_TIME);
    assert!(
        matches!(effects[..], [Effect::CancelGeneration(j), Effect::Quit] if j == job),
        "{effects:?}"
    );
    assert_eq!(app.conversation.turns().len(), 2);
    assert!(app.quit);
}

#[test]
fn the_session_picker_opens_the_chosen_session() {
    let mut app = test_app();
    chord(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    update(
        &mut app,
        Event::SessionsListed(Ok(vec![
            session_summary("test-session"),
            session_summary("older"),
        ])),
        TEST_TIME,
    );
    let Some(Overlay::Sessions(picker)) = &app.overlay else {
        panic!("the picker");
    };
    assert_eq!(
        picker.selected, 1,
        "starts on a session that is not the open one"
    );
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::OpenSession { name: n, .. }] if n == "older"),
        "{effects:?}"
    );
    update(
        &mut app,
        Event::SessionOpenFailed("locked".into()),
        TEST_TIME,
    );
    assert!(notice_is_error(&app));
}

#[test]
fn the_theme_and_notices_from_the_driver_are_shown() {
    let mut app = test_app();
    update(
        &mut app,
        Event::ThemeLoaded(Ok(Theme::built_in("light").unwrap())),
        TEST_TIME,
    );
    assert_eq!(app.theme.name, "light");
    update(
        &mut app,
        Event::ThemeLoaded(Err("No theme named \"x\"".into())),
        TEST_TIME,
    );
    assert_eq!(app.theme.name, "light");
    assert!(notice_is_error(&app));
    update(
        &mut app,
        Event::Notice {
            text: "Copied".into(),
            error: false,
        },
        TEST_TIME,
    );
    assert_eq!(notice(&app), "Copied");
    // The next key press clears it.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.notice.is_none());
}

#[test]
fn a_prepared_preview_asks_for_a_redraw_and_nothing_else() {
    let mut app = test_app();
    app.dirty = false;
    assert!(update(&mut app, Event::PreviewReady, TEST_TIME).is_empty());
    assert!(app.dirty);
}

#[test]
fn the_full_view_fills_the_screen_between_its_lines() {
    let mut app = test_app();
    exchange(&mut app, "a chart", "Here is the chart.");
    app.size = (120, 40);
    app.cell_px = (10, 20);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('f'));
    // All 120 columns and the 38 rows between the header and the keys, however large a
    // picture the terminal draws at once (xterm's sixels are tiled, see preview::encode).
    assert_eq!(app.view_geometry().unwrap().screen, (1200, 760));
}

#[test]
fn the_full_view_zooms_pans_and_keeps_its_place_across_versions() {
    let mut app = test_app();
    exchange(&mut app, "a chart", "Here is the chart.");
    exchange(&mut app, "bigger title", "Done (version 2).");
    // One pixel a cell, so the 8×6 test pictures are larger than the screen when zoomed.
    app.cell_px = (1, 1);
    app.size = (120, 40);
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    let geometry = app.view_geometry().expect("an image with a size");
    let fit = app
        .full_view
        .expect("f opens the full view")
        .crop(&geometry);
    assert_eq!((fit.width, fit.height), (8, 6), "the whole picture first");

    press(&mut app, KeyCode::Char('+'));
    let zoomed = app.full_view.unwrap().crop(&geometry);
    assert!(zoomed.height < 6, "{zoomed:?}");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    let panned = app.full_view.unwrap().crop(&geometry);
    assert_eq!(
        panned.y + panned.height,
        6,
        "panned to the bottom edge: {panned:?}"
    );

    // The previous version, same zoom, same place.
    let shown = app.image;
    press(&mut app, KeyCode::Char('['));
    assert_ne!(app.image, shown, "another image");
    let view = app.full_view.expect("still in the full view");
    assert_eq!(view.crop(&app.view_geometry().unwrap()), panned);

    // Arrows pan here instead of moving the selection; 0 fits again.
    press(&mut app, KeyCode::Up);
    assert!(app.full_view.unwrap().crop(&geometry).y < panned.y);
    press(&mut app, KeyCode::Char('0'));
    assert!(app.full_view.unwrap().is_fit());

    // Letters do not leak into the prompt while the view is up.
    assert_eq!(app.input_text(), "");
    press(&mut app, KeyCode::Char('q'));
    assert!(app.full_view.is_none(), "q returns");
    press(&mut app, KeyCode::Char('f'));
    assert!(
        chord(&mut app, KeyCode::Char('q'), KeyModifiers::CONTROL)
            .iter()
            .any(|e| matches!(e, Effect::Quit))
    );
}

#[test]
fn an_alt_chord_bound_to_nothing_is_esc_then_the_key() {
    // tmux joins an Esc and a Ctrl-Q typed within its escape-time into Alt-Ctrl-Q.
    let mut app = test_app();
    exchange(&mut app, "a chart", "Here is the chart.");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('f'));
    assert!(app.full_view.is_some());
    let effects = chord(
        &mut app,
        KeyCode::Char('q'),
        KeyModifiers::ALT | KeyModifiers::CONTROL,
    );
    assert!(app.full_view.is_none(), "the Esc left the full view");
    assert!(matches!(effects[..], [Effect::Quit]), "{effects:?}");

    // Esc then a letter joined the same way, outside the prompt: the Esc leaves the full view.
    let mut app = test_app();
    exchange(&mut app, "a chart", "Here is the chart.");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('f'));
    chord(&mut app, KeyCode::Char('z'), KeyModifiers::ALT);
    assert!(app.full_view.is_none());

    // In the prompt, Alt with a letter is the editor's (Alt-B: a word back), not Esc then B:
    // nothing is typed and nothing else happens.
    let mut app = test_app();
    app.input.insert_str("two words");
    let effects = chord(&mut app, KeyCode::Char('b'), KeyModifiers::ALT);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.input_text(), "two words");
    assert_eq!(app.focus, Pane::Input);

    // A bound Alt chord keeps its own meaning: Alt-Enter is a new line, not Esc then Enter
    // (which would send).
    let mut app = test_app();
    app.input.insert_str("two");
    let effects = chord(&mut app, KeyCode::Enter, KeyModifiers::ALT);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.input_text(), "two\n");
}

#[test]
fn export_runs_off_the_ui_thread_and_its_path_can_be_copied() {
    let mut app = test_app();
    // Nothing exported yet: the copy key explains.
    assert!(chord(&mut app, KeyCode::Char('y'), KeyModifiers::CONTROL).is_empty());
    assert!(
        notice(&app).contains("Nothing exported yet"),
        "{}",
        notice(&app)
    );

    let effects = submit(&mut app, "/export md all");
    assert!(
        matches!(
            &effects[..],
            [Effect::Export { session, format: crate::export::Format::Markdown, path: crate::export::PathChoice::All }]
                if session == "test-session"
        ),
        "{effects:?}"
    );
    update(
        &mut app,
        Event::Exported(Ok(crate::export::Exported {
            file: "/home/me/test-session.md".into(),
            images_dir: None,
            images: 2,
            problems: Vec::new(),
        })),
        TEST_TIME,
    );
    assert_eq!(
        notice(&app),
        "Exported to /home/me/test-session.md (Ctrl-Y copies its path)."
    );
    assert!(!notice_is_error(&app));
    let effects = chord(&mut app, KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert!(
        matches!(&effects[..], [Effect::Copy { text, .. }] if text == "/home/me/test-session.md"),
        "{effects:?}"
    );

    update(
        &mut app,
        Event::Exported(Err(
            "Nothing to export yet: the session is saved after its first reply.".into(),
        )),
        TEST_TIME,
    );
    assert!(notice_is_error(&app));
    assert_eq!(
        app.last_export.as_deref(),
        Some(std::path::Path::new("/home/me/test-session.md"))
    );
}

#[test]
fn a_relay_balance_is_asked_again_after_each_turn() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bees"));
    let effects = done(&mut app, job, Ok(reply("ok")));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::RefreshBalance)),
        "not for a provider without balance = true"
    );
    if let Some(connection) = &mut app.connection {
        connection.balance = true;
    }
    let job = job_of(&submit(&mut app, "more bees"));
    let effects = done(&mut app, job, Ok(reply("ok")));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::RefreshBalance)),
        "{effects:?}"
    );
}

#[test]
fn refused_signatures_after_a_model_change_point_at_a_fresh_thread() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bees"));
    done(
        &mut app,
        job,
        Err(ApiError::BadRequest {
            message:
                "Image part is missing a thought_signature in content position 2, part position 1."
                    .into(),
        }),
    );
    let failure = app.failure.clone().unwrap_or_default();
    assert!(failure.contains("/fresh"), "{failure}");
    assert!(failure.contains("latest image"), "{failure}");
}

/// Three versions, the full view open on the last; their final images' keys.
fn three_versions_in_the_full_view() -> (App, Vec<ImageKey>) {
    let mut app = test_app();
    exchange(&mut app, "a chart", "Here is the chart.");
    exchange(&mut app, "bigger title", "Done (version 2).");
    exchange(&mut app, "blue palette", "Done (version 3).");
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    let finals = app
        .images()
        .into_iter()
        .filter(|e| e.kind == ImageKind::Final)
        .map(|e| e.key)
        .collect();
    (app, finals)
}

#[test]
fn compare_pairs_the_previous_version_unless_one_is_marked() {
    let (mut app, finals) = three_versions_in_the_full_view();
    let selected = |app: &App| app.selected_image().map(|e| e.key);
    assert_eq!(
        selected(&app),
        Some(finals[2]),
        "the latest version is selected"
    );
    assert_eq!(app.compare_partner().map(|e| e.key), Some(finals[1]));

    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::SideBySide);
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::Difference);
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::Single);

    // Mark the first version, go back to the last: that pair, across the middle one.
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('['));
    assert_eq!(selected(&app), Some(finals[0]));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.compare_mark, Some(finals[0]));
    assert!(
        app.compare_partner().is_none(),
        "the first version has nothing before it and is itself the mark"
    );
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::Single);
    assert!(notice(&app).contains("mark one with m"), "{}", notice(&app));
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.compare_partner().map(|e| e.key), Some(finals[0]));
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::SideBySide);
}

#[test]
fn the_images_prepared_beside_the_full_view_are_the_ones_brackets_step_to() {
    let (mut app, finals) = three_versions_in_the_full_view();
    let targets = |app: &App| -> Vec<_> { app.step_targets().iter().map(|e| e.key).collect() };
    assert_eq!(
        targets(&app),
        vec![finals[1]],
        "the latest has only one before it"
    );
    press(&mut app, KeyCode::Char('['));
    assert_eq!(targets(&app), vec![finals[0], finals[2]]);
    // Each is where `[` and `]` go.
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.selected_image().map(|e| e.key), Some(finals[2]));
}

#[test]
fn f8_switches_between_image_first_and_focus_and_saves_it() {
    let mut app = test_app();
    assert_eq!(app.layout, LayoutMode::ImageFirst, "image-first by default");
    let effects = press(&mut app, KeyCode::F(8));
    assert_eq!(app.layout, LayoutMode::Focus);
    assert!(
        matches!(&effects[..], [Effect::SaveSetting { key: "layout", value }] if value == "focus"),
        "{effects:?}"
    );
    let effects = press(&mut app, KeyCode::F(8));
    assert_eq!(app.layout, LayoutMode::ImageFirst);
    assert!(
        matches!(&effects[..], [Effect::SaveSetting { key: "layout", value }] if value == "image-first"),
        "{effects:?}"
    );
}

/// The shown path's versions are numbered as the tree numbers them (over the whole session),
/// a reply arriving is a version without a number yet, and a version marked on one branch is
/// compared from another.
#[test]
fn versions_are_numbered_across_branches_and_a_mark_crosses_them() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "one");
    exchange(&mut app, "bigger", "two");
    let job = job_of(&chord(&mut app, KeyCode::Char('r'), KeyModifiers::ALT));
    done(&mut app, job, Ok(reply("three")));
    let numbers = |app: &App| app.versions().iter().map(|v| v.number).collect::<Vec<_>>();
    assert_eq!(numbers(&app), vec![Some(1), Some(3)]);

    // Mark v3 in the full view, then go to the other branch: v1 and v2.
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('m'));
    let marked = app.compare_mark.expect("v3 is marked");
    press(&mut app, KeyCode::Esc);
    chord(&mut app, KeyCode::Left, KeyModifiers::ALT);
    assert_eq!(numbers(&app), vec![Some(1), Some(2)]);
    assert!(
        app.images().iter().all(|e| e.key != marked),
        "v3 is off the path"
    );
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.full_view.unwrap().mode, ViewMode::SideBySide);
    assert_eq!(app.compare_partner().map(|e| e.key), Some(marked));
    press(&mut app, KeyCode::Esc);

    // A reply arriving with its picture: a version without a number yet.
    app.focus = Pane::Input;
    let job = job_of(&submit(&mut app, "in blue"));
    update(
        &mut app,
        Event::Progress {
            job,
            progress: Progress::Parts(vec![Part::image(png(8, 6))]),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    assert_eq!(numbers(&app), vec![Some(1), Some(2), None]);
}

#[test]
fn turns_are_stamped_with_the_time_the_driver_gave_update() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "a lighthouse"));
    let prompt = app.conversation.active_leaf().unwrap();
    assert_eq!(app.conversation.get(prompt).unwrap().created_at, TEST_TIME);
    let later = "2026-11-30T09:05:00Z";
    update(
        &mut app,
        Event::GenerationDone {
            job,
            result: Ok(Box::new(reply("A lighthouse."))),
            at: Instant::now(),
        },
        later,
    );
    let answer = app.conversation.active_leaf().unwrap();
    assert_ne!(answer, prompt);
    assert_eq!(app.conversation.get(answer).unwrap().created_at, later);
}

fn generated(effects: &[Effect]) -> &crate::conversation::PreparedRequest {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Generate { request, .. } => Some(request),
            _ => None,
        })
        .expect("a generation")
}

#[test]
fn over_interactions_an_edit_names_the_kept_reply_and_a_refusal_switches_the_run() {
    use crate::gemini::Transport;
    let mut app = test_app();
    if let Some(connection) = app.connection.as_mut() {
        connection.transport = Transport::Interactions;
    }
    let effects = submit(&mut app, "An infographic");
    assert_eq!(generated(&effects).transport, Transport::Interactions);
    let job = job_of(&effects);
    let mut kept = reply("Here it is.");
    kept.interaction_id = Some("v1_first".into());
    done(&mut app, job, Ok(kept));

    let effects = submit(&mut app, "Bigger title");
    let request = generated(&effects);
    assert_eq!(request.previous_interaction.as_deref(), Some("v1_first"));
    assert_eq!(request.image_count, 0, "the history stays on the server");

    // The provider turns out not to serve the endpoint: the notice shows, and the next
    // prompt is written for generateContent from the start.
    let job = job_of(&effects);
    update(
        &mut app,
        Event::Progress {
            job,
            progress: Progress::Fallback {
                to: Transport::GenerateContent,
                notice: "This provider does not serve the Interactions API (404): using generateContent for this run.".into(),
            },
            at: Instant::now(),
        },
        TEST_TIME,
    );
    let notice = notice_text(&app);
    assert!(
        notice.contains("does not serve the Interactions API"),
        "{notice}"
    );
    done(&mut app, job, Ok(reply("Bigger.")));
    let effects = submit(&mut app, "Blue palette");
    let request = generated(&effects);
    assert_eq!(request.transport, Transport::GenerateContent);
    assert_eq!(request.image_count, 2, "the whole history goes up");
}

/// The notice the studio shows, or "" when there is none.
fn notice_text(app: &App) -> String {
    app.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn slash_transport_switches_the_next_turns() {
    use crate::gemini::Transport;
    let mut app = test_app();
    command(&mut app, "/transport interactions");
    let notice = notice_text(&app);
    assert!(notice.starts_with("Transport: interactions"), "{notice}");
    let effects = submit(&mut app, "An infographic");
    assert_eq!(generated(&effects).transport, Transport::Interactions);
    done(&mut app, job_of(&effects), Ok(reply("Here.")));
    command(&mut app, "/transport generate-content");
    let effects = submit(&mut app, "Bigger");
    assert_eq!(generated(&effects).transport, Transport::GenerateContent);
    command(&mut app, "/transport");
    let notice = notice_text(&app);
    assert!(
        notice.starts_with("Transport: generate-content"),
        "{notice}"
    );
}
