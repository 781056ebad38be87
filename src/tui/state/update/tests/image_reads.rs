//! `update` reads no file: a send whose history holds images that are only on disk asks the
//! driver to read them (`ReadImages`), then goes on when they are in memory.

use sha2::{Digest, Sha256};

use crate::blob::{BlobMeta, hex};
use crate::conversation::{Blob, Part, TurnBody};
use crate::tui::state::app::App;
use crate::tui::state::event::{Effect, Event};
use crate::tui::state::update::update;
use crate::tui::test_support::{
    TEST_TIME, done, job_count, job_of, notice, notice_is_error, png, press, reply, submit,
    test_app, type_text,
};
use crossterm::event::{KeyCode, KeyModifiers};

/// A session's image as a session opened from disk holds it: its file only, unread.
fn stored_image(dir: &std::path::Path) -> (Blob, Vec<u8>) {
    let bytes = png(9, 7).bytes().unwrap().to_vec();
    let path = dir.join("image.png");
    std::fs::write(&path, &bytes).unwrap();
    let meta = BlobMeta {
        file: "image.png".into(),
        mime_type: "image/png".into(),
        sha256: hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        width: Some(9),
        height: Some(7),
    };
    (Blob::stored(meta, path), bytes)
}

/// One exchange whose reply's final image is `image`.
fn app_with_reply_image(image: Blob) -> App {
    let mut app = test_app();
    let job = job_of(&submit(&mut app, "an infographic"));
    let mut answer = reply("v1");
    let last = answer.parts.len() - 1;
    let mut part = Part::image(image);
    part.thought_signature = Some("sig-image".into());
    answer.parts[last] = part;
    done(&mut app, job, Ok(answer));
    app
}

fn read_images(effects: &[Effect]) -> Option<&Vec<Blob>> {
    effects.iter().find_map(|e| match e {
        Effect::ReadImages(blobs) => Some(blobs),
        _ => None,
    })
}

fn generated_body(effects: &[Effect]) -> String {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Generate { request, .. } => {
                Some(String::from_utf8_lossy(&request.body).into_owned())
            }
            _ => None,
        })
        .expect("a Generate effect")
}

#[test]
fn a_send_over_unread_images_asks_the_driver_to_read_them_then_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (image, bytes) = stored_image(dir.path());
    let mut app = app_with_reply_image(image.clone());
    let turns = app.conversation.turns().len();

    let effects = submit(&mut app, "make the title bigger");
    assert_eq!(
        job_count(&effects),
        0,
        "nothing is sent before the image is read"
    );
    let asked = read_images(&effects).expect("the driver is asked to read the image");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].id(), image.id());
    assert!(image.loaded().is_none(), "update read nothing itself");
    assert_eq!(app.conversation.turns().len(), turns, "no turn added yet");
    assert_eq!(app.input_text(), "make the title bigger");
    // A second send while waiting is refused with a word, not queued twice.
    assert!(read_images(&press(&mut app, KeyCode::Enter)).is_none());
    assert!(notice(&app).contains("Still reading"), "{}", notice(&app));

    // What the driver does, then its report.
    image.bytes().unwrap();
    let effects = update(&mut app, Event::ImagesRead(Ok(())), TEST_TIME);
    assert_eq!(job_count(&effects), 1);
    let body = generated_body(&effects);
    let base64 = base64_simd::STANDARD.encode_to_string(&bytes);
    assert!(body.contains(&base64), "the image read is in the request");
    assert!(body.contains("make the title bigger"));
    assert_eq!(app.input_text(), "", "the prompt went out");
    assert_eq!(app.conversation.turns().len(), turns + 1);
}

#[test]
fn an_image_that_cannot_be_read_sends_nothing_and_keeps_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let (image, _) = stored_image(dir.path());
    let mut app = app_with_reply_image(image);
    let turns = app.conversation.turns().len();
    let effects = submit(&mut app, "make it blue");
    assert!(read_images(&effects).is_some());
    let effects = update(
        &mut app,
        Event::ImagesRead(Err("image.png: no such file".into())),
        TEST_TIME,
    );
    assert!(effects.is_empty());
    assert!(notice_is_error(&app));
    assert!(
        notice(&app).contains("image.png: no such file"),
        "{}",
        notice(&app)
    );
    assert!(
        notice(&app).contains("Nothing was sent"),
        "{}",
        notice(&app)
    );
    assert_eq!(app.input_text(), "make it blue");
    assert_eq!(app.conversation.turns().len(), turns);
    // And the next send works once the file is back (here: read again, this time fine).
    assert!(read_images(&press(&mut app, KeyCode::Enter)).is_some());
}

#[test]
fn reruns_and_variations_wait_for_unread_images_too() {
    let dir = tempfile::tempdir().unwrap();
    let (image, _) = stored_image(dir.path());
    let mut app = app_with_reply_image(image.clone());
    let replies = |app: &App| {
        app.conversation
            .turns()
            .iter()
            .filter(|t| matches!(t.body, TurnBody::Model(_)))
            .count()
    };
    // Rerun (Alt-R by default) of the selected reply.
    app.focus = crate::tui::state::layout::Pane::Conversation;
    let effects = crate::tui::test_support::chord(&mut app, KeyCode::Char('r'), KeyModifiers::ALT);
    assert!(read_images(&effects).is_some(), "{effects:?}");
    image.bytes().unwrap();
    let effects = update(&mut app, Event::ImagesRead(Ok(())), TEST_TIME);
    assert_eq!(job_count(&effects), 1, "the rerun went on");
    done(&mut app, job_of(&effects), Ok(reply("v1 again")));
    assert_eq!(replies(&app), 2);

    // Variations of a prompt whose attached image is on disk only, in a session just opened.
    let (image, _) = stored_image(dir.path());
    let mut conversation = crate::conversation::Conversation::new();
    let prompt = conversation
        .add_user(
            None,
            crate::conversation::UserTurn {
                parts: vec![Part::text("restyle this photo"), Part::image(image.clone())],
                settings: Default::default(),
                region: None,
            },
            TEST_TIME.into(),
        )
        .unwrap();
    conversation
        .add_model(prompt, reply("v1"), TEST_TIME.into())
        .unwrap();
    let mut app = test_app();
    update(
        &mut app,
        Event::SessionOpened {
            name: "opened".into(),
            conversation,
            attachments: Vec::new(),
            draft: None,
        },
        TEST_TIME,
    );
    let effects = crate::tui::test_support::command(&mut app, "/vary 2");
    assert_eq!(job_count(&effects), 0, "{effects:?}");
    let asked = read_images(&effects).expect("the attached image is read first");
    assert_eq!(asked[0].id(), image.id());
    image.bytes().unwrap();
    let effects = update(&mut app, Event::ImagesRead(Ok(())), TEST_TIME);
    assert_eq!(job_count(&effects), 2, "both variations went out");
}

#[test]
fn an_attachment_on_disk_only_is_read_before_its_prompt_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (image, _) = stored_image(dir.path());
    let mut app = test_app();
    app.attachments = vec![crate::tui::state::compose::Attachment {
        name: "photo.png".into(),
        blob: image.clone(),
    }];
    let effects = submit(&mut app, "make it a watercolour");
    let asked = read_images(&effects).expect("the attachment is read first");
    assert_eq!(asked[0].id(), image.id());
    image.bytes().unwrap();
    let effects = update(&mut app, Event::ImagesRead(Ok(())), TEST_TIME);
    assert_eq!(job_count(&effects), 1);
}

#[test]
fn opening_another_session_drops_a_send_waiting_for_the_old_ones_images() {
    let dir = tempfile::tempdir().unwrap();
    let (image, _) = stored_image(dir.path());
    let mut app = app_with_reply_image(image);
    assert!(read_images(&submit(&mut app, "bigger title")).is_some());
    update(
        &mut app,
        Event::SessionOpened {
            name: "other".into(),
            conversation: crate::conversation::Conversation::new(),
            attachments: Vec::new(),
            draft: None,
        },
        TEST_TIME,
    );
    let effects = update(&mut app, Event::ImagesRead(Ok(())), TEST_TIME);
    assert!(effects.is_empty());
    assert!(app.conversation.turns().is_empty());
    type_text(&mut app, "a fresh start");
    assert_eq!(job_count(&press(&mut app, KeyCode::Enter)), 1);
}
