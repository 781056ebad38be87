//! Variations: `/vary N` sends the selected prompt N times at once with the same history and
//! settings (each request with its own seed, from [`crate::variations`] as for `send --n`), and
//! the grid view shows the candidates side by side until one is picked. Each reply is a sibling
//! branch under the prompt, whatever is picked; Esc leaves the grid and every candidate stays.

use crate::tui::state::compose::WaitingSend;
use crate::tui::state::grid::{Candidate, VaryGrid};
use crate::tui::state::lifecycle::{read_first, still_reading};

use crossterm::event::{KeyCode, KeyEvent};

use crate::conversation::{TurnBody, TurnId};
use crate::gemini::Mode;
use crate::tui::input::keymap::{Action, ViewAction};
use crate::tui::state::app::{App, target};
use crate::tui::state::event::Effect;
use crate::tui::state::fullview::{FullView, ViewMode};
use crate::tui::state::images::ImageKey;
use crate::tui::state::jobs::{JobKind, NewJob};
use crate::tui::state::overlays::Overlay;
use crate::turn;

/// The price of a batch of `count` images with the prompt's settings, if the price is known.
fn batch_price(app: &App, prompt: TurnId, count: u8) -> Option<f64> {
    let settings = match &app.conversation.get(prompt)?.body {
        TurnBody::User(user) => &user.settings,
        TurnBody::Model(_) => return None,
    };
    app.pricing()
        .per_image(settings)
        .map(|each| each * f64::from(count))
}

/// `4 × $0.134 = $0.54`, for the status bar and the confirmation.
pub fn describe_batch(app: &App, prompt: TurnId, count: u8) -> String {
    let currency = app.pricing().currency().to_string();
    match batch_price(app, prompt, count) {
        Some(total) => format!(
            "{count} × {} = {}",
            crate::cost::unit_price(total / f64::from(count), &currency),
            crate::cost::money(total, &currency)
        ),
        None => format!("{count} images, price unknown"),
    }
}

/// The prompt `/vary` sends: the selected prompt, or the one the selected reply answers.
pub fn prompt_to_vary(app: &App) -> Option<TurnId> {
    let turn = app.selected_turn()?;
    match &turn.body {
        TurnBody::User(_) => Some(turn.id),
        TurnBody::Model(_) => turn.parent,
    }
}

/// `/vary [N]` or its key: asks first when the batch costs more than the threshold.
pub fn request(app: &mut App, count: Option<u8>) -> Vec<Effect> {
    let count = count.unwrap_or(app.batch.count);
    let Some(prompt) = prompt_to_vary(app) else {
        app.warn("Nothing to vary yet: send a prompt first, then /vary.");
        return Vec::new();
    };
    if batch_price(app, prompt, count).is_some_and(|price| price > app.batch.confirm_over) {
        app.overlay = Some(Overlay::ConfirmBatch { count, prompt });
        return Vec::new();
    }
    send_batch(app, prompt, count)
}

/// Sends the batch: one job per variation, each with its own seed, queued in candidate order
/// behind the provider's limit.
pub fn send_batch(app: &mut App, prompt: TurnId, count: u8) -> Vec<Effect> {
    let Some(connection) = app.connection.clone() else {
        app.overlay = Some(Overlay::MissingKey);
        return Vec::new();
    };
    if app.jobs.len() + usize::from(count) > crate::tui::state::app::MAX_JOBS {
        app.warn(format!(
            "{count} more generations would be over {} in flight: wait for some, or cancel them ({}).",
            crate::tui::state::app::MAX_JOBS,
            app.keymap.hint(Action::Jobs)
        ));
        return Vec::new();
    }
    if still_reading(app) {
        return Vec::new();
    }
    if let Some(effects) = read_first(app, Some(prompt), WaitingSend::Batch { prompt, count }) {
        return effects;
    }
    let prepared = match turn::prepare_rerun(
        &app.conversation,
        prompt,
        &target(&app.catalog, &connection, app.listed_models.as_ref()),
    ) {
        Ok(prepared) => prepared,
        Err(error) => {
            app.warn(error.to_string());
            return Vec::new();
        }
    };
    let previous_leaf = app.conversation.active_leaf();
    let mut candidates = Vec::new();
    let mut effects = Vec::new();
    let batch = app.batch.seeds.next_batch(count);
    for candidate in batch.requests(&prepared.request) {
        let (job, started) = app.jobs.add(
            NewJob {
                kind: JobKind::Variation(candidate.variation),
                request: candidate.request,
                prepared: prepared.clone(),
                previous_leaf,
                restore: None,
                restore_edit: None,
            },
            Mode::Streaming,
            app.now,
        );
        candidates.push(Candidate::Running(job));
        effects.extend(started);
    }
    app.failure = None;
    app.overlay = None;
    app.grid = Some(VaryGrid {
        prompt,
        candidates,
        selected: 0,
    });
    app.notify(format!(
        "Sent {} of prompt #{prompt}; ←→↑↓ choose, Enter continues from one, Esc leaves the grid.",
        describe_batch(app, prompt, count)
    ));
    effects
}

/// Keys while the grid is shown.
pub fn on_grid_key(app: &mut App, key: KeyEvent, action: Option<Action>) -> Vec<Effect> {
    let Some(grid) = app.grid.as_mut() else {
        return Vec::new();
    };
    match (key.code, action) {
        (KeyCode::Esc, _) | (_, Some(Action::Cancel)) => {
            app.grid = None;
            app.notify("Left the grid; every candidate stays as a branch (←→ on the reply).");
        }
        (KeyCode::Left | KeyCode::Char('h'), _) => grid.step(-1, 0),
        (KeyCode::Right | KeyCode::Char('l'), _) => grid.step(1, 0),
        (KeyCode::Up | KeyCode::Char('k'), _) => grid.step(0, -1),
        (KeyCode::Down | KeyCode::Char('j'), _) => grid.step(0, 1),
        (KeyCode::Enter, _) => return pick(app),
        (_, Some(Action::FullScreen)) => view_candidate(app, ViewMode::Single),
        (_, Some(Action::Jobs)) => {
            app.overlay = Some(Overlay::Jobs(Default::default()));
        }
        (_, Some(Action::Quit)) => return crate::tui::state::quitting::quit(app),
        _ => match app.keymap.lookup_in_view(&key) {
            Some(Action::View(ViewAction::Compare)) => view_candidate(app, ViewMode::SideBySide),
            Some(Action::View(ViewAction::Difference)) => view_candidate(app, ViewMode::Difference),
            Some(Action::View(ViewAction::MarkCompare)) => mark_candidate(app),
            _ => {}
        },
    }
    Vec::new()
}

/// The picture of candidate `index`, once its reply has one: the reply's last final image.
pub fn candidate_image(app: &App, index: usize) -> Option<ImageKey> {
    let Candidate::Reply(id) = app.grid.as_ref()?.candidates.get(index)? else {
        return None;
    };
    let TurnBody::Model(reply) = &app.conversation.get(*id)?.body else {
        return None;
    };
    // Its place among the reply's images, thought images included (as `ImageKey` counts).
    let index = reply
        .parts
        .iter()
        .filter(|part| part.as_image().is_some())
        .enumerate()
        .filter(|(_, part)| !part.thought)
        .last()?
        .0;
    Some(ImageKey {
        turn: Some(*id),
        index,
    })
}

/// `f`, `c` or `d` on a candidate: the full view of its picture (off the shown path), alone,
/// beside or against the marked version or the one it varies.
fn view_candidate(app: &mut App, mode: ViewMode) {
    let Some(selected) = app.grid.as_ref().map(|g| g.selected) else {
        return;
    };
    let Some(key) = candidate_image(app, selected) else {
        app.warn(format!("Variation {} has no picture yet.", selected + 1));
        return;
    };
    app.view_pinned = Some(key);
    let mut view = FullView::default();
    if mode != ViewMode::Single {
        if app.compare_partner().is_some() {
            view.toggle(mode);
        } else {
            app.warn("Nothing to compare with: mark a variation with m first.");
        }
    }
    app.full_view = Some(view);
}

/// `m` on a candidate: marks its picture to compare the others with (again: unmarks).
fn mark_candidate(app: &mut App) {
    let Some(selected) = app.grid.as_ref().map(|g| g.selected) else {
        return;
    };
    let Some(key) = candidate_image(app, selected) else {
        app.warn(format!("Variation {} has no picture yet.", selected + 1));
        return;
    };
    app.toggle_mark(Some(key));
    let number = selected + 1;
    if app.compare_mark.is_some() {
        app.notify(format!(
            "Variation {number} marked: c or d on another compares it with this one."
        ));
    } else {
        app.notify(format!("Variation {number} unmarked."));
    }
}

/// `[`/`]` in the full view of a candidate: the previous or next candidate with a picture,
/// at the same zoom and position.
pub fn step_viewed_candidate(app: &mut App, step: isize) {
    if let Some((index, key)) = candidate_step(app, step) {
        app.view_pinned = Some(key);
        if let Some(grid) = &mut app.grid {
            grid.selected = index;
        }
    }
}

/// The nearest candidate with an image `step`'s way from the selected one, and that image.
pub fn candidate_step(app: &App, step: isize) -> Option<(usize, ImageKey)> {
    let grid = app.grid.as_ref()?;
    let mut index = grid.selected;
    while let Some(next) = index
        .checked_add_signed(step)
        .filter(|i| *i < grid.candidates.len())
    {
        index = next;
        if let Some(key) = candidate_image(app, index) {
            return Some((index, key));
        }
    }
    None
}

/// Enter: the selected candidate's reply becomes the active branch, and editing goes on
/// from it.
fn pick(app: &mut App) -> Vec<Effect> {
    let Some(grid) = &app.grid else {
        return Vec::new();
    };
    let number = grid.selected + 1;
    match grid.candidates.get(grid.selected) {
        Some(Candidate::Reply(id)) => {
            let id = *id;
            if app.conversation.activate(id).is_err() {
                return Vec::new();
            }
            app.grid = None;
            app.watching = None;
            app.reset_to_active_path();
            app.notify(format!(
                "Continuing from variation {number} (turn #{id}): type the next change."
            ));
            vec![app.save_effect()]
        }
        Some(Candidate::Running(_)) => {
            app.warn(format!("Variation {number} is still running."));
            Vec::new()
        }
        Some(Candidate::Failed(_)) | None => {
            app.warn(format!("Variation {number} failed: pick another."));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::state::event::Event;
    use crate::tui::state::jobs::tests::started;
    use crate::tui::state::update::update;
    use crate::tui::test_support::{TEST_TIME, done, notice, press, reply, submit, test_app};
    use crate::variations::Seeds;

    /// A first exchange, then `/vary 4` on it, never asking about the price.
    fn varied() -> (App, Vec<Effect>) {
        let mut app = test_app();
        app.batch.confirm_over = f64::INFINITY;
        let first = match &submit(&mut app, "an infographic")[..] {
            [Effect::Generate { job, .. }] => *job,
            other => panic!("{other:?}"),
        };
        done(&mut app, first, Ok(reply("v1")));
        let effects = submit(&mut app, "/vary 4");
        (app, effects)
    }

    #[test]
    fn vary_sends_the_prompt_n_times_with_its_history_and_a_seed_each() {
        let (app, effects) = varied();
        let mut seeds = Vec::new();
        let mut bodies = Vec::new();
        for effect in &effects {
            let Effect::Generate { request, .. } = effect else {
                panic!("{effect:?}");
            };
            let mut body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            seeds.push(body["generationConfig"]["seed"].clone());
            body["generationConfig"]
                .as_object_mut()
                .unwrap()
                .remove("seed");
            bodies.push(body);
        }
        assert_eq!(seeds.len(), 4);
        seeds.dedup();
        assert_eq!(seeds.len(), 4, "a seed each");
        assert!(
            bodies.iter().all(|b| *b == bodies[0]),
            "the same history and settings"
        );
        let grid = app.grid.as_ref().expect("the grid is shown");
        assert_eq!(grid.candidates.len(), 4);
        assert_eq!(
            app.conversation.turns().len(),
            2,
            "no new prompt: the replies go under it"
        );
        assert!(
            notice(&app).contains("4 ×"),
            "the batch price: {}",
            notice(&app)
        );
    }

    /// The seeds a batch's effects send, in the order its jobs start.
    fn seeds_sent(effects: &[Effect]) -> Vec<i64> {
        effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Generate { request, .. } => {
                    let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
                    body["generationConfig"]["seed"].as_i64()
                }
                _ => None,
            })
            .collect()
    }

    /// The studio takes its seeds from the same engine as `send --n`: consecutive, in
    /// candidate order, and the next batch goes on from the last.
    #[test]
    fn a_batch_takes_its_seeds_in_candidate_order_and_the_next_goes_on() {
        let (mut app, _) = varied();
        app.jobs.limit = 16;
        app.batch.seeds = Seeds::starting_at(100);
        press(&mut app, KeyCode::Esc);
        let effects = submit(&mut app, "/vary 3");
        assert_eq!(seeds_sent(&effects), [100, 101, 102]);
        let numbers: Vec<_> = started(&effects)
            .into_iter()
            .map(|job| app.jobs.get(job).map(|j| j.kind))
            .collect();
        assert_eq!(
            numbers,
            (1..=3)
                .map(
                    |number| Some(JobKind::Variation(crate::conversation::Variation {
                        number,
                        of: 3,
                        seed: 99 + i32::from(number),
                    }))
                )
                .collect::<Vec<_>>()
        );
        press(&mut app, KeyCode::Esc);
        assert_eq!(seeds_sent(&submit(&mut app, "/vary 2")), [103, 104]);
    }

    #[test]
    fn candidates_arrive_fail_and_the_third_is_picked_to_continue_from() {
        let (mut app, effects) = varied();
        let jobs = started(&effects);
        done(&mut app, jobs[0], Ok(reply("a")));
        done(
            &mut app,
            jobs[1],
            Err(crate::gemini::ApiError::Server {
                status: 500,
                status_text: "INTERNAL".into(),
                message: "An internal error has occurred.".into(),
            }),
        );
        done(&mut app, jobs[2], Ok(reply("c")));
        done(&mut app, jobs[3], Ok(reply("d")));
        let grid = app.grid.clone().unwrap();
        assert!(matches!(grid.candidates[1], Candidate::Failed(ref why) if why.contains("500")));
        let Candidate::Reply(third) = grid.candidates[2] else {
            panic!("{grid:?}");
        };
        // Right, then down-left: the third cell of a 2×2 grid.
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Left);
        assert_eq!(app.grid.as_ref().unwrap().selected, 2);
        let effects = press(&mut app, KeyCode::Enter);
        assert!(matches!(effects[..], [Effect::Save { .. }]), "{effects:?}");
        assert!(app.grid.is_none());
        assert_eq!(app.conversation.active_leaf(), Some(third));
        let prompt = grid.prompt;
        assert_eq!(app.conversation.children(Some(prompt)).count(), 1 + 3);
        // Editing goes on from the picked one.
        let next = submit(&mut app, "now in blue");
        assert_eq!(started(&next).len(), 1);
        let new_prompt = app.conversation.active_leaf().unwrap();
        assert_eq!(
            app.conversation.get(new_prompt).unwrap().parent,
            Some(third)
        );
    }

    #[test]
    fn esc_leaves_the_grid_and_the_candidates_stay() {
        let (mut app, effects) = varied();
        let jobs = started(&effects);
        press(&mut app, KeyCode::Esc);
        assert!(app.grid.is_none());
        assert_eq!(app.jobs.len(), 4, "leaving the grid cancels nothing");
        for job in jobs {
            done(&mut app, job, Ok(reply("x")));
        }
        assert_eq!(app.conversation.turns().len(), 2 + 4);
    }

    #[test]
    fn a_batch_over_the_threshold_asks_first() {
        let mut app = test_app();
        app.batch.confirm_over = 0.0;
        let first = match &submit(&mut app, "an infographic")[..] {
            [Effect::Generate { job, .. }] => *job,
            other => panic!("{other:?}"),
        };
        done(&mut app, first, Ok(reply("v1")));
        assert!(submit(&mut app, "/vary 3").is_empty());
        assert!(matches!(
            app.overlay,
            Some(Overlay::ConfirmBatch { count: 3, .. })
        ));
        press(&mut app, KeyCode::Char('n'));
        assert!(app.overlay.is_none() && app.jobs.is_empty());
        update(
            &mut app,
            Event::Key(KeyEvent::new(
                KeyCode::Char('v'),
                crossterm::event::KeyModifiers::ALT,
            )),
            TEST_TIME,
        );
        assert!(matches!(
            app.overlay,
            Some(Overlay::ConfirmBatch { count: 4, .. })
        ));
        assert_eq!(started(&press(&mut app, KeyCode::Char('y'))).len(), 4);
    }

    /// `f`, `m`, `c`, `d` and `[`/`]` on the candidates: the full view of a candidate's
    /// picture, compared with a marked one, stepping between candidates at the same zoom.
    #[test]
    fn full_view_and_compare_work_on_a_candidate() {
        use crate::tui::state::fullview::ViewMode;
        let (mut app, effects) = varied();
        app.size = (120, 40);
        let jobs = started(&effects);
        done(&mut app, jobs[0], Ok(reply("a")));
        done(&mut app, jobs[2], Ok(reply("c")));
        let grid = app.grid.clone().unwrap();
        let reply_of = |i: usize| match grid.candidates[i] {
            Candidate::Reply(id) => id,
            ref other => panic!("{other:?}"),
        };
        let (first, third) = (reply_of(0), reply_of(2));
        let image_of = |turn| ImageKey {
            turn: Some(turn),
            index: 1,
        };

        // A candidate still running has nothing to show.
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Char('f'));
        assert!(app.full_view.is_none());
        assert!(notice(&app).contains("no picture yet"), "{}", notice(&app));

        // f on the first: its final image (after its thought image), off the shown path.
        press(&mut app, KeyCode::Left);
        press(&mut app, KeyCode::Char('f'));
        assert_eq!(app.view_pinned, Some(image_of(first)));
        let TurnBody::Model(first_reply) = &app.conversation.get(first).unwrap().body else {
            panic!("a reply");
        };
        assert_eq!(
            app.view_image().map(|e| e.blob),
            first_reply.shown_images().last().cloned()
        );
        // Nothing before it on its path to compare with, until one is marked.
        press(&mut app, KeyCode::Char('c'));
        assert_eq!(app.full_view.unwrap().mode, ViewMode::Single);
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(app.compare_mark, Some(image_of(first)));
        press(&mut app, KeyCode::Char('+'));
        let zoomed = app.full_view.unwrap();

        // ] skips the running second and shows the third, at the same zoom.
        press(&mut app, KeyCode::Char(']'));
        assert_eq!(app.grid.as_ref().unwrap().selected, 2);
        assert_eq!(app.view_pinned, Some(image_of(third)));
        assert_eq!(app.full_view, Some(zoomed));
        press(&mut app, KeyCode::Char('c'));
        assert_eq!(app.full_view.unwrap().mode, ViewMode::SideBySide);
        assert_eq!(
            app.compare_partner().map(|e| e.key),
            Some(image_of(first)),
            "beside the marked candidate"
        );
        press(&mut app, KeyCode::Char(']'));
        assert_eq!(app.grid.as_ref().unwrap().selected, 2, "no candidate after");

        // Esc goes back to the grid; d there opens the difference with the marked one.
        press(&mut app, KeyCode::Esc);
        assert!(app.full_view.is_none() && app.view_pinned.is_none());
        assert!(app.grid.is_some());
        press(&mut app, KeyCode::Char('d'));
        assert_eq!(app.full_view.unwrap().mode, ViewMode::Difference);
        assert_eq!(app.view_pinned, Some(image_of(third)));
    }

    #[test]
    fn arrows_move_within_the_grid() {
        let mut grid = VaryGrid {
            prompt: TurnId(1),
            candidates: (0..6).map(Candidate::Running).collect(),
            selected: 0,
        };
        assert_eq!(VaryGrid::columns(6), 3);
        grid.step(0, 1);
        assert_eq!(grid.selected, 3);
        grid.step(1, 0);
        assert_eq!(grid.selected, 4);
        grid.step(0, 1);
        assert_eq!(grid.selected, 4, "no row below");
        grid.step(-1, -1);
        assert_eq!(grid.selected, 0);
    }
}
