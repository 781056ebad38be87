//! Follow-ups typed while the reply they follow is coming: they wait, then go out with the
//! reply in their history; nothing typed is ever lost.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::tui::state::app::App;
use crate::tui::state::event::Effect;
use crate::tui::test_support::{
    chord, done, job_count, job_of, notice, overloaded, press, reply, submit, test_app,
};

/// The JSON body of the one generation `effects` start.
fn body(effects: &[Effect]) -> serde_json::Value {
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Generate { request, .. } => Some(request),
            _ => None,
        })
        .expect("a Generate effect");
    serde_json::from_slice(&request.body).unwrap()
}

fn roles(body: &serde_json::Value) -> Vec<String> {
    body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap().to_string())
        .collect()
}

fn texts(body: &serde_json::Value) -> Vec<String> {
    body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["parts"].as_array().unwrap().iter())
        .filter_map(|p| p["text"].as_str().map(str::to_string))
        .collect()
}

fn queued_texts(app: &App) -> Vec<String> {
    app.followups
        .as_ref()
        .map(|f| f.queue.iter().map(|q| q.draft.text.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn a_prompt_sent_while_the_reply_streams_waits_and_goes_out_as_its_follow_up() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic about photosynthesis"));
    let effects = submit(&mut app, "make the title bigger");
    assert_eq!(job_count(&effects), 0, "nothing goes out before the reply");
    assert_eq!(queued_texts(&app), ["make the title bigger"]);
    assert_eq!(app.input_text(), "", "the editor is free for the next one");
    assert!(notice(&app).contains("Queued"), "{}", notice(&app));
    assert_eq!(
        app.conversation.turns().len(),
        1,
        "no sibling prompt was added"
    );

    let effects = done(&mut app, first, Ok(reply("v1")));
    assert_eq!(
        job_count(&effects),
        1,
        "the follow-up went out when the reply landed"
    );
    let body = body(&effects);
    assert_eq!(roles(&body), ["user", "model", "user"]);
    assert_eq!(
        body["contents"][1]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["thoughtSignature"].as_str())
            .collect::<Vec<_>>(),
        ["sig-text", "sig-image"],
        "the reply's signed parts are in the follow-up's history"
    );
    assert_eq!(texts(&body).last().unwrap(), "make the title bigger");
    assert!(app.followups.is_none());
    // The follow-up's prompt hangs under the reply: one branch, three turns.
    let path = app.conversation.active_path();
    assert_eq!(path.len(), 3);
}

#[test]
fn follow_ups_chain_each_after_the_reply_before_it() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    submit(&mut app, "bigger title");
    submit(&mut app, "blue palette");
    assert_eq!(queued_texts(&app), ["bigger title", "blue palette"]);
    let second = job_of(&done(&mut app, first, Ok(reply("v1"))));
    assert_eq!(queued_texts(&app), ["blue palette"]);
    let effects = done(&mut app, second, Ok(reply("v2")));
    let body = body(&effects);
    assert_eq!(roles(&body), ["user", "model", "user", "model", "user"]);
    assert_eq!(
        texts(&body)
            .iter()
            .filter(|t| !t.starts_with('v'))
            .collect::<Vec<_>>(),
        ["an infographic", "bigger title", "blue palette"]
    );
    assert!(app.followups.is_none());
}

#[test]
fn when_the_awaited_reply_fails_every_queued_text_is_back_in_the_editor() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    submit(&mut app, "bigger title");
    submit(&mut app, "blue palette");
    let effects = done(&mut app, first, Err(overloaded()));
    assert_eq!(
        job_count(&effects),
        0,
        "no follow-up goes out without its reply"
    );
    assert!(app.followups.is_none());
    assert_eq!(
        app.input_text(),
        "an infographic\nbigger title\nblue palette",
        "the failed prompt, then the follow-ups in order"
    );
    assert!(app.conversation.turns().is_empty());
}

#[test]
fn the_cancel_key_takes_the_newest_follow_up_back_before_it_cancels_the_reply() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    submit(&mut app, "bigger title");
    submit(&mut app, "blue palette");
    let cancel = |app: &mut App| {
        let key = app
            .keymap
            .hint(crate::tui::input::keymap::Action::Cancel)
            .to_lowercase();
        assert_eq!(key, "ctrl-x", "the test presses the default cancel key");
        chord(app, KeyCode::Char('x'), KeyModifiers::CONTROL)
    };
    let effects = cancel(&mut app);
    assert!(
        effects.is_empty(),
        "the reply is not cancelled: {effects:?}"
    );
    assert_eq!(app.input_text(), "blue palette");
    assert_eq!(queued_texts(&app), ["bigger title"]);
    // Edited and sent again, it queues again.
    app.set_input_text("green palette");
    press(&mut app, KeyCode::Enter);
    assert_eq!(queued_texts(&app), ["bigger title", "green palette"]);
    cancel(&mut app);
    cancel(&mut app);
    assert!(app.followups.is_none());
    assert_eq!(app.input_text(), "bigger title\ngreen palette");
    // Then the reply itself.
    let effects = cancel(&mut app);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CancelGeneration(job) if *job == first))
    );
}

#[test]
fn a_prompt_typed_after_leaving_the_variations_grid_follows_the_reply_on_screen() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    done(&mut app, first, Ok(reply("v1")));
    let effects = crate::tui::test_support::command(&mut app, "/vary 2");
    assert_eq!(job_count(&effects), 2);
    press(&mut app, KeyCode::Esc);
    assert!(app.grid.is_none());
    let effects = submit(&mut app, "make it blue");
    assert_eq!(job_count(&effects), 1, "{}", notice(&app));
    assert_eq!(roles(&body(&effects)), ["user", "model", "user"]);
}

#[test]
fn branching_from_an_earlier_turn_stays_explicit_and_is_not_queued() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    done(&mut app, first, Ok(reply("v1")));
    // Editing the first prompt while nothing is in flight, then sending: a branch at once.
    let second = job_of(&submit(&mut app, "bigger title"));
    app.focus = crate::tui::state::layout::Pane::Conversation;
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Char('e'));
    assert!(app.editing.is_some());
    app.set_input_text("an infographic about bananas");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        job_count(&effects),
        1,
        "an edit is sent at once, as a branch"
    );
    assert!(app.followups.is_none());
    done(&mut app, second, Ok(reply("v2")));
}
