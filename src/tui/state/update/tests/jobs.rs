//! Several generations at once, driven through `update` alone: each fault of the list
//! ends with nothing lost, and a failure never touches another job.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};

use crate::conversation::{TurnBody, TurnId};
use crate::gemini::ApiError;
use crate::gemini::Transfer;
use crate::tui::state::app::App;
use crate::tui::state::event::{Effect, Event, JobId};
use crate::tui::state::update::update;
use crate::tui::test_support::{
    TEST_TIME, chord, done, job_count, job_of, notice, press, reply, submit, test_app, thought,
};
use crate::turn::Progress;

/// A first exchange, then four prompts sent one after another, each from the first reply
/// (selected again before each: the explicit way to branch while a reply is coming): four
/// jobs on four sibling branches after the first reply.
fn four_jobs(app: &mut App) -> Vec<JobId> {
    let first = job_of(&submit(app, "an infographic"));
    done(app, first, Ok(reply("v1")));
    let reply_id = app.conversation.active_leaf().unwrap();
    ["red", "green", "blue", "gold"]
        .iter()
        .map(|colour| job_of(&branch_from(app, reply_id, &format!("make it {colour}"))))
        .collect()
}

/// Selects the reply `from` (as Up in the conversation pane does) and sends `text` from it.
fn branch_from(app: &mut App, from: TurnId, text: &str) -> Vec<Effect> {
    app.selected = Some(from);
    submit(app, text)
}

fn saves(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Save { .. }))
        .count()
}

fn prompts(app: &App) -> Vec<String> {
    app.conversation
        .turns()
        .iter()
        .filter_map(|t| match &t.body {
            TurnBody::User(user) => Some(user.prompt()),
            TurnBody::Model(_) => None,
        })
        .collect()
}

fn server_500() -> ApiError {
    ApiError::Server {
        status: 500,
        status_text: "INTERNAL".into(),
        message: "An internal error has occurred.".into(),
    }
}

#[test]
fn four_jobs_run_at_once_on_four_branches() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    assert_eq!(app.jobs.len(), 4);
    let mut unique = jobs.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4);
    let parents: Vec<_> = app
        .jobs
        .iter()
        .map(|j| app.conversation.get(j.prepared.prompt_turn).unwrap().parent)
        .collect();
    assert!(
        parents.iter().all(|p| *p == parents[0]),
        "siblings after the first reply"
    );
}

#[test]
fn one_of_four_jobs_failing_with_500_touches_no_other() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    done(&mut app, jobs[1], Err(server_500()));
    assert_eq!(app.jobs.len(), 3);
    assert!(!prompts(&app).contains(&"make it green".to_string()));
    assert!(
        app.input_text().contains("make it green"),
        "the prompt is back"
    );
    assert!(app.failure.as_deref().unwrap_or_default().contains("500"));
    for (n, &job) in [jobs[0], jobs[2], jobs[3]].iter().enumerate() {
        let effects = done(&mut app, job, Ok(reply(&format!("v{n}"))));
        assert_eq!(saves(&effects), 1, "each job saves its own turn");
    }
    assert!(app.jobs.is_empty());
    // The first exchange, and three prompts each with its reply.
    assert_eq!(app.conversation.turns().len(), 2 + 3 * 2);
    assert!(app.conversation.check().is_ok());
}

#[test]
fn a_job_cut_mid_stream_keeps_no_half_turn_and_the_others_go_on() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    update(
        &mut app,
        Event::Progress {
            job: jobs[2],
            progress: Progress::Parts(vec![thought("**Planning**")]),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    done(
        &mut app,
        jobs[2],
        Err(ApiError::StreamBroken {
            detail: "connection reset".into(),
        }),
    );
    assert!(!prompts(&app).contains(&"make it blue".to_string()));
    assert!(app.conversation.turns().iter().all(|t| match &t.body {
        TurnBody::Model(m) => m.finish_reason.is_some(),
        TurnBody::User(_) => true,
    }));
    done(&mut app, jobs[3], Ok(reply("gold")));
    assert_eq!(app.jobs.len(), 2);
    assert_eq!(app.conversation.turns().len(), 2 + 3 + 1);
}

#[test]
fn a_429_on_one_job_holds_the_queued_ones_until_the_delay_has_passed() {
    let mut app = test_app();
    app.jobs.limit = 2;
    let t0 = Instant::now();
    app.now = Some(t0);
    let start = job_of(&submit(&mut app, "an infographic"));
    done(&mut app, start, Ok(reply("v1")));
    let reply_id = app.conversation.active_leaf().unwrap();
    let first = job_of(&branch_from(&mut app, reply_id, "make it red"));
    let second = job_of(&branch_from(&mut app, reply_id, "make it green"));
    let third = branch_from(&mut app, reply_id, "make it blue");
    assert_eq!(job_count(&third), 0, "over the limit: queued");
    assert!(notice(&app).contains("Queued"), "{}", notice(&app));
    update(
        &mut app,
        Event::Progress {
            job: first,
            progress: Progress::Transfer(Transfer::Retrying {
                attempt: 1,
                of: 4,
                delay: Duration::from_secs(10),
                reason: "Quota exhausted (429)".into(),
                rate_limited: true,
            }),
            at: t0,
        },
        TEST_TIME,
    );
    // The second job ends, a slot is free, but the provider said to wait.
    let effects = done(&mut app, second, Ok(reply("ok")));
    assert_eq!(job_count(&effects), 0, "{effects:?}");
    assert_eq!(
        job_count(&update(
            &mut app,
            Event::Tick(t0 + Duration::from_secs(9)),
            TEST_TIME
        )),
        0
    );
    assert_eq!(
        job_count(&update(
            &mut app,
            Event::Tick(t0 + Duration::from_secs(10)),
            TEST_TIME
        )),
        1
    );
    assert_eq!(app.jobs.queued(), 0);
}

#[test]
fn the_user_cancels_one_job_then_all_of_them_from_the_jobs_list() {
    let mut app = test_app();
    let before = {
        let job = job_of(&submit(&mut app, "an infographic"));
        done(&mut app, job, Ok(reply("v1")));
        app.conversation.clone()
    };
    let reply_id = app.conversation.active_leaf().unwrap();
    let jobs: Vec<JobId> = ["red", "green", "blue"]
        .iter()
        .map(|c| job_of(&branch_from(&mut app, reply_id, &format!("make it {c}"))))
        .collect();
    chord(&mut app, KeyCode::Char('j'), KeyModifiers::ALT);
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Char('c'));
    assert!(
        matches!(effects[..], [Effect::CancelGeneration(j)] if j == jobs[1]),
        "{effects:?}"
    );
    assert_eq!(app.jobs.len(), 2);
    assert!(app.input_text().contains("make it green"));
    let effects = press(&mut app, KeyCode::Char('C'));
    assert_eq!(
        effects
            .iter()
            .filter(|e| matches!(e, Effect::CancelGeneration(_)))
            .count(),
        2
    );
    assert!(app.jobs.is_empty());
    assert_eq!(
        app.conversation.turns(),
        before.turns(),
        "nothing half done is kept"
    );
    for colour in ["red", "green", "blue"] {
        assert!(app.input_text().contains(colour), "{}", app.input_text());
    }
}

#[test]
fn the_disk_filling_while_two_jobs_save_loses_nothing() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    let revision = |effects: &[Effect]| match effects {
        [Effect::Save { revision, .. }] => *revision,
        other => panic!("{other:?}"),
    };
    let first = revision(&done(&mut app, jobs[0], Ok(reply("a"))));
    let second = revision(&done(&mut app, jobs[1], Ok(reply("b"))));
    assert!(second > first);
    for rev in [first, second] {
        update(
            &mut app,
            Event::Saved {
                revision: rev,
                result: Err("No space left on device".into()),
            },
            TEST_TIME,
        );
    }
    assert!(app.has_unsaved_changes());
    assert!(notice(&app).contains("kept in memory"));
    // The next save (the next job's) writes everything, both earlier replies included.
    let effects = done(&mut app, jobs[2], Ok(reply("c")));
    let [
        Effect::Save {
            revision,
            conversation,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(conversation.turns().len(), 2 + 4 + 3);
    update(
        &mut app,
        Event::Saved {
            revision: *revision,
            result: Ok(()),
        },
        TEST_TIME,
    );
    assert!(!app.has_unsaved_changes());
}

#[test]
fn sigterm_with_three_jobs_in_flight_keeps_the_completed_turns_and_no_half_turn() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    done(&mut app, jobs[0], Ok(reply("kept")));
    let effects = update(&mut app, Event::Terminate, TEST_TIME);
    let cancelled: Vec<JobId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::CancelGeneration(j) => Some(*j),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled, jobs[1..].to_vec());
    assert!(matches!(effects.last(), Some(Effect::Quit)));
    assert!(app.quit);
    // The first exchange and the completed one; no prompt without its reply.
    assert_eq!(app.conversation.turns().len(), 4);
    assert!(app.conversation.turns().iter().all(|t| match &t.body {
        TurnBody::User(_) => app.conversation.children(Some(t.id)).next().is_some(),
        TurnBody::Model(_) => true,
    }));
}

#[test]
fn a_job_finishing_on_another_branch_leaves_the_users_branch_alone() {
    let mut app = test_app();
    let jobs = four_jobs(&mut app);
    let watched = app.watching;
    assert_eq!(watched, Some(jobs[3]));
    let active = app.conversation.active_leaf();
    done(&mut app, jobs[0], Ok(reply("red")));
    assert_eq!(app.conversation.active_leaf(), active);
    assert_eq!(app.watching, watched);
}

#[test]
fn enter_in_the_tree_makes_that_nodes_path_active() {
    let mut app = test_app();
    let first = job_of(&submit(&mut app, "an infographic"));
    done(&mut app, first, Ok(reply("v1")));
    let branch = job_of(&submit(&mut app, "make it red"));
    done(&mut app, branch, Ok(reply("red")));
    let red = app.conversation.active_leaf();
    // Back to the first reply, and a second branch from it.
    chord(&mut app, KeyCode::Char('t'), KeyModifiers::ALT);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(matches!(effects[..], [Effect::Save { .. }]), "{effects:?}");
    assert!(app.overlay.is_none());
    // The first reply's newest leaf is the red one: its path is active again.
    assert_eq!(app.conversation.active_leaf(), red);
    chord(&mut app, KeyCode::Char('t'), KeyModifiers::ALT);
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.conversation.active_leaf(), red, "a root's newest leaf");
}
