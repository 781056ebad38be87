//! A quit key never throws away paid work or a typed prompt without asking: running
//! generations can be waited for, an unsent prompt is kept as the session's draft.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::tui::state::event::{Effect, Event};
use crate::tui::state::overlays::Overlay;
use crate::tui::state::update::update;
use crate::tui::test_support::{
    TEST_TIME, chord, command, done, exchange, job_of, notice, press, reply, session_summary,
    submit, test_app, type_text,
};

fn ctrl(app: &mut crate::tui::state::app::App, c: char) -> Vec<Effect> {
    chord(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn cancels(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::CancelGeneration(_)))
        .count()
}

#[test]
fn ctrl_c_with_a_generation_running_asks_and_a_second_ctrl_c_quits() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    submit(&mut app, "make it blue");
    let effects = ctrl(&mut app, 'c');
    assert!(effects.is_empty(), "nothing cancelled yet: {effects:?}");
    assert!(!app.quit);
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    let effects = ctrl(&mut app, 'c');
    assert_eq!(cancels(&effects), 1);
    assert!(effects.iter().any(|e| matches!(e, Effect::Quit)));
    assert!(app.quit);
    // The cancelled prompt is back in the editor: the driver keeps it as the draft.
    assert_eq!(app.draft_text(), "make it blue");
}

#[test]
fn waiting_lets_the_paid_reply_land_and_be_saved_then_quits() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let job = job_of(&submit(&mut app, "make it blue"));
    ctrl(&mut app, 'q');
    let effects = press(&mut app, KeyCode::Char('w'));
    assert!(effects.is_empty());
    assert!(app.quit_when_done && !app.quit && app.overlay.is_none());
    assert!(notice(&app).contains("Quitting when"), "{}", notice(&app));
    let effects = done(&mut app, job, Ok(reply("blue")));
    assert!(app.quit, "quits once the reply has landed");
    assert_eq!(app.conversation.turns().len(), 4, "the reply was kept");
    assert!(effects.iter().any(|e| matches!(e, Effect::Save { .. })));
    assert!(effects.iter().any(|e| matches!(e, Effect::Quit)));
    assert_eq!(cancels(&effects), 0);
}

#[test]
fn the_cancel_key_while_waiting_to_quit_stays_and_the_job_goes_on() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bananas"));
    ctrl(&mut app, 'q');
    press(&mut app, KeyCode::Char('w'));
    let effects = ctrl(&mut app, 'x');
    assert_eq!(
        cancels(&effects),
        0,
        "Ctrl-X calls the quit off, not the job"
    );
    assert!(!app.quit_when_done);
    done(&mut app, job, Ok(reply("v1")));
    assert!(!app.quit);
}

#[test]
fn a_half_typed_prompt_asks_first_and_esc_keeps_it() {
    let mut app = test_app();
    type_text(&mut app, "an infographic about");
    ctrl(&mut app, 'q');
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    assert!(!app.quit);
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    assert_eq!(app.input_text(), "an infographic about");
    // Confirmed, it quits with the text still there for the draft.
    ctrl(&mut app, 'q');
    press(&mut app, KeyCode::Enter);
    assert!(app.quit);
    assert_eq!(app.draft_text(), "an infographic about");
}

#[test]
fn queued_follow_ups_count_as_unsent_and_come_back_to_the_editor_on_quit() {
    let mut app = test_app();
    submit(&mut app, "bananas");
    submit(&mut app, "bigger title");
    ctrl(&mut app, 'c');
    ctrl(&mut app, 'c');
    assert!(app.quit);
    assert!(app.followups.is_none());
    assert_eq!(app.draft_text(), "bananas\nbigger title");
}

#[test]
fn waiting_to_quit_sends_no_queued_follow_up() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bananas"));
    submit(&mut app, "bigger title");
    ctrl(&mut app, 'q');
    press(&mut app, KeyCode::Char('w'));
    let effects = done(&mut app, job, Ok(reply("v1")));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Generate { .. })),
        "no new paid generation while quitting: {effects:?}"
    );
    assert!(app.quit);
    assert_eq!(app.draft_text(), "bigger title");
}

#[test]
fn with_nothing_running_or_typed_the_quit_keys_and_quit_command_go_at_once() {
    let mut app = test_app();
    exchange(&mut app, "bananas", "v1");
    let effects = ctrl(&mut app, 'q');
    assert!(app.quit && matches!(effects[..], [Effect::Quit]));
    let mut app = test_app();
    command(&mut app, "/quit");
    assert!(app.quit, "{}", notice(&app));
}

#[test]
fn quit_command_with_a_generation_running_asks_too_but_a_signal_does_not() {
    let mut app = test_app();
    submit(&mut app, "bananas");
    command(&mut app, "/quit");
    assert!(!app.quit);
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    let effects = update(&mut app, Event::Terminate, TEST_TIME);
    assert!(app.quit);
    assert_eq!(cancels(&effects), 1);
}

#[test]
fn switching_sessions_keeps_the_editor_as_the_old_sessions_draft_and_brings_the_new_ones_back() {
    let mut app = test_app();
    type_text(&mut app, "half a prompt");
    ctrl(&mut app, 'o');
    update(
        &mut app,
        Event::SessionsListed(Ok(vec![session_summary("older")])),
        TEST_TIME,
    );
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::OpenSession { name, draft }] if name == "older" && draft == "half a prompt"),
        "{effects:?}"
    );
    update(
        &mut app,
        Event::SessionOpened {
            name: "older".into(),
            conversation: crate::conversation::Conversation::new(),
            attachments: Vec::new(),
            draft: Some("where I left off".into()),
        },
        TEST_TIME,
    );
    assert_eq!(app.input_text(), "where I left off");
}

#[test]
fn a_generation_that_finishes_while_asked_leaves_nothing_to_wait_for() {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "bananas"));
    ctrl(&mut app, 'c');
    done(&mut app, job, Ok(reply("v1")));
    assert!(
        matches!(app.overlay, Some(Overlay::ConfirmQuit)),
        "still asking"
    );
    assert!(!app.quit);
    // "Wait for it" with nothing left to wait for: quits.
    let effects = press(&mut app, KeyCode::Char('w'));
    assert!(app.quit && effects.iter().any(|e| matches!(e, Effect::Quit)));
    assert_eq!(app.conversation.turns().len(), 2, "the reply was kept");
}
