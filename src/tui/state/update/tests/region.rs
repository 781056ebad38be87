//! Marking a region in the full view and sending a prompt that edits just there: the keys,
//! the outlined copy the driver makes, the request, and the composites shown as the version.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::conversation::region::OutlineColour;
use crate::conversation::{Region, TurnBody};
use crate::tui::state::app::App;
use crate::tui::state::event::{Effect, Event};
use crate::tui::state::images::ImageKind;
use crate::tui::state::layout::Pane;
use crate::tui::state::update::update;
use crate::tui::test_support::{
    TEST_TIME, chord, done, exchange, job_of, png, png_colored, press, reply, submit, test_app,
};

/// A session with one picture (8×6 px), open in the full view at one pixel a cell.
fn viewing_v1() -> App {
    let mut app = test_app();
    exchange(&mut app, "an infographic", "Here it is.");
    app.cell_px = (1, 1);
    app.size = (120, 40);
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    assert!(app.full_view.is_some());
    app
}

fn marked(app: &App) -> Option<Region> {
    app.full_view.and_then(|v| v.marking)
}

#[test]
fn r_marks_a_region_that_moves_sizes_and_goes_to_the_prompt_with_enter() {
    let mut app = viewing_v1();
    press(&mut app, KeyCode::Char('r'));
    let start = marked(&app).expect("r starts marking");
    assert_eq!(
        (start.width, start.height),
        (2, 2),
        "a third of the 8×6 picture"
    );
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('j'));
    chord(&mut app, KeyCode::Char('L'), KeyModifiers::SHIFT);
    chord(&mut app, KeyCode::Right, KeyModifiers::SHIFT);
    let moved = marked(&app).unwrap();
    assert_eq!((moved.x, moved.y), (start.x + 1, start.y + 1));
    assert_eq!(moved.width, 4);
    // Esc drops the region and stays in the view; r again starts afresh.
    press(&mut app, KeyCode::Esc);
    assert!(marked(&app).is_none() && app.full_view.is_some());
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('h'));
    let region = marked(&app).unwrap();
    let effects = press(&mut app, KeyCode::Enter);
    assert!(app.full_view.is_none(), "back to the studio");
    assert_eq!(app.focus, Pane::Input);
    let kept = app.region.as_ref().expect("kept for the next prompt");
    assert_eq!(kept.region, region);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Annotate { region: r, .. }] if *r == region
    ));

    // Sending before the copy is made keeps the prompt and says why.
    let effects = submit(&mut app, "make it red");
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::Generate { .. }))
    );
    assert_eq!(app.input_text(), "make it red");

    // Ctrl-R forgets it.
    chord(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(app.region.is_none());
}

#[test]
fn a_region_prompt_sends_the_outlined_copy_and_shows_the_composite_as_the_version() {
    let mut app = viewing_v1();
    press(&mut app, KeyCode::Char('r'));
    let effects = press(&mut app, KeyCode::Enter);
    let Some(Effect::Annotate { picture, region }) = effects.into_iter().next() else {
        panic!("an outline is asked for");
    };
    let copy = png_colored(8, 6, 99);
    update(
        &mut app,
        Event::Annotated {
            picture: picture.id(),
            region,
            result: Ok((copy.clone(), OutlineColour::Cyan)),
        },
        TEST_TIME,
    );
    let on = app.region.as_ref().unwrap().on;
    let effects = submit(&mut app, "make it red");
    let Some(Effect::Generate { request, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Generate { .. }))
    else {
        panic!("sent: {effects:?}");
    };
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.contains("make it red"));
    assert!(
        body.contains("cyan rectangle"),
        "the instruction names the outline"
    );
    assert!(app.region.is_none(), "sent with this prompt");
    let prompt = app.selected.unwrap();
    let Some(TurnBody::User(user)) = app.conversation.get(prompt).map(|t| &t.body) else {
        panic!("the prompt");
    };
    assert_eq!(user.region.map(|r| r.on), Some(on));
    assert_eq!(
        user.prompt(),
        "make it red",
        "the instruction is not shown as typed"
    );

    // The reply lands: the composites are asked for, then shown as the version, the model's
    // own picture beside it.
    let job = job_of(&effects);
    let effects = done(&mut app, job, Ok(reply("Done.")));
    let Some(Effect::Composite { turn, raw, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Composite { .. }))
    else {
        panic!("no composite asked for: {effects:?}");
    };
    let (turn, raw) = (*turn, raw.clone());
    let composite = png(8, 6);
    let effects = update(
        &mut app,
        Event::Composited {
            turn,
            result: Ok(vec![composite.clone()]),
        },
        TEST_TIME,
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::Save { .. })));
    let images = app.images();
    let version = images.iter().rfind(|e| e.kind == ImageKind::Final).unwrap();
    assert_eq!(version.blob, composite);
    let own = images.iter().find(|e| e.kind == ImageKind::Raw).unwrap();
    assert_eq!(own.blob, raw[0]);
    assert_eq!(app.image_name(own), "v2 as the model drew it");
}

#[test]
fn a_region_that_cannot_be_composited_says_why_and_shows_the_models_picture() {
    let mut app = test_app();
    exchange(&mut app, "an infographic", "Here it is.");
    let reply_turn = app.conversation.active_leaf().unwrap();
    let effects = update(
        &mut app,
        Event::Composited {
            turn: reply_turn,
            result: Err("Not kept outside the region: another shape.".into()),
        },
        TEST_TIME,
    );
    assert!(effects.is_empty());
    assert!(crate::tui::test_support::notice(&app).contains("another shape"));
    assert!(app.images().iter().all(|e| e.kind != ImageKind::Raw));
}

#[test]
fn keep_outside_is_a_command() {
    let mut app = test_app();
    assert!(app.keep_outside);
    crate::tui::test_support::command(&mut app, "/keep-outside off");
    assert!(!app.keep_outside);
    crate::tui::test_support::command(&mut app, "/keep-outside on");
    assert!(app.keep_outside);
}
