//! Snapshots of every pane, overlay and layout, drawn with ratatui's `TestBackend` at 80×24
//! and 120×40 in the light and dark themes. Each snapshot is the screen's text, then the same
//! grid with one letter per distinct style and the legend of those styles, so a colour that
//! goes missing shows up as clearly as a word.
//!
//! Everything is deterministic: no clock (times are fixed offsets), fixed file paths.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::conversation::{Part, PartContent, TurnBody};
use crate::gemini::Transfer;
use crate::store::SessionSummary;
use crate::tui::state::app::App;
use crate::tui::state::event::{Event, JobId};
use crate::tui::state::layout::{LayoutMode, Pane};
use crate::tui::state::overlays::Overlay;
use crate::tui::state::panes::JobsList;
use crate::tui::state::path_prompt::{PathPrompt, PathPurpose};
use crate::tui::state::pickers::SessionPicker;
use crate::tui::state::update::update;
use crate::tui::test_support::{TEST_TIME, exchange, listed_models, png, reply, test_app};
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::view::placeholder::Placeholder;
use crate::turn::Progress;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const THEMES: [&str; 2] = ["dark", "light"];

/// The screen as text, then as styles, as a terminal with graphics draws it.
fn render(app: &App, width: u16, height: u16) -> String {
    render_with(app, width, height, &mut Placeholder::default())
}

/// Pictures as a terminal without graphics draws them.
fn in_halfblocks() -> Placeholder {
    Placeholder {
        halfblocks: true,
        ..Placeholder::default()
    }
}

/// The screen as text, then as styles, with pictures drawn by `preview`.
fn render_with(app: &App, width: u16, height: u16, preview: &mut Placeholder) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| view::draw(frame, app, preview))
        .expect("drawing to a test backend");
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    let mut styles = String::new();
    let mut legend: Vec<String> = Vec::new();
    let mut letters: HashMap<String, char> = HashMap::new();
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for y in 0..height {
        let mut skip = 0;
        for x in 0..width {
            let cell = &buffer[(x, y)];
            let style = format!("fg={:?} bg={:?} {:?}", cell.fg, cell.bg, cell.modifier);
            let next = letters.len();
            let letter = *letters.entry(style.clone()).or_insert_with(|| {
                legend.push(style);
                LETTERS.chars().nth(next).unwrap_or('?')
            });
            styles.push(letter);
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = cell.symbol();
            text.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        text.push('\n');
        styles.push('\n');
    }
    let mut out = text;
    out.push_str("--- styles ---\n");
    out.push_str(&styles);
    for (i, style) in legend.iter().enumerate() {
        let letter = LETTERS.chars().nth(i).unwrap_or('?');
        let _ = writeln!(out, "{letter}: {style}");
    }
    out
}

fn with_theme(mut app: App, theme: &str) -> App {
    app.theme = Theme::built_in(theme).expect("a built-in theme");
    app
}

fn press(app: &mut App, code: KeyCode) {
    update(
        app,
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        TEST_TIME,
    );
}

/// Gives every image a file path, as after a save.
fn place_images(app: &App) {
    for part in app.conversation.parts() {
        if let PartContent::Image(blob) = &part.content {
            blob.set_path(
                format!(
                    "/home/ana/.local/share/banana-studio/sessions/{}/images/{}.png",
                    app.session_name,
                    &blob.sha256()[..16]
                )
                .into(),
            );
        }
    }
}

/// Three turns with search on, an edited second prompt (branch 2/2), an attachment waiting
/// with a draft.
fn mid_session() -> App {
    let mut app = test_app();
    app.session_name = "bananas".into();
    for c in "/search on".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    exchange(
        &mut app,
        "An infographic about bananas",
        "Here is the infographic: “An infographic about bananas”.",
    );
    exchange(
        &mut app,
        "Make the title bigger",
        "Done: I kept the picture and made the title bigger (version 2).",
    );
    // Edit the second prompt: a branch beside it.
    app.focus = Pane::Conversation;
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('e'));
    for c in " and yellow".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let effects = {
        press(&mut app, KeyCode::Enter);
        app.watching
    };
    let job = effects.expect("the edit is sent");
    update(
        &mut app,
        Event::GenerationDone {
            job,
            result: Ok(Box::new(crate::tui::test_support::reply(
                "Done: the title is bigger and yellow now (version 2).",
            ))),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    place_images(&app);
    update(
        &mut app,
        Event::AttachmentLoaded {
            name: "palette.png".into(),
            result: Ok(png(16, 16)),
        },
        TEST_TIME,
    );
    for c in "Use the palette of the attached image".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    app.notice = None;
    app
}

/// The mid-session app with `prompt` typed and sent; returns the running job.
fn start_generation(app: &mut App, prompt: &str) -> JobId {
    app.set_input_text("");
    app.attachments.clear();
    for c in prompt.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
    app.watching.expect("running")
}

fn generating() -> App {
    let mut app = mid_session();
    let job = start_generation(&mut app, "Add a caption in French");
    let t0 = Instant::now();
    let mut thought = Part::text(
        "**Planning the caption**\n\nA short French caption under the title: « Tout sur la banane ».",
    );
    thought.thought = true;
    let mut thought_image = Part::image(png(4, 3));
    thought_image.thought = true;
    for (progress, at) in [
        (
            Progress::Transfer(Transfer::Sending {
                attempt: 1,
                of: 4,
                bytes: 60_000,
            }),
            0,
        ),
        (Progress::Transfer(Transfer::Receiving), 2),
        (Progress::Parts(vec![thought, thought_image]), 5),
        (
            Progress::Transfer(Transfer::Received { bytes: 3_400_000 }),
            11,
        ),
    ] {
        update(
            &mut app,
            Event::Progress {
                job,
                progress,
                at: t0 + Duration::from_secs(at),
            },
            TEST_TIME,
        );
    }
    update(
        &mut app,
        Event::Tick(t0 + Duration::from_millis(12_300)),
        TEST_TIME,
    );
    app
}

fn snapshot_all(name: &str, make: impl Fn() -> App) {
    for theme in THEMES {
        for (width, height) in SIZES {
            let mut app = with_theme(make(), theme);
            app.size = (width, height);
            let screen = render(&app, width, height);
            insta::assert_snapshot!(format!("{name}_{width}x{height}_{theme}"), screen);
        }
    }
}

#[test]
fn layout_start() {
    snapshot_all("start", test_app);
}

#[test]
fn layout_mid_session() {
    snapshot_all("mid_session", mid_session);
}

#[test]
fn layout_generating() {
    snapshot_all("generating", generating);
}

/// The narrow layout shows one side pane; each of the three, in both themes.
#[test]
fn narrow_side_panes() {
    for side in [Pane::Thinking, Pane::Sources] {
        for theme in THEMES {
            let mut app = with_theme(mid_session(), theme);
            app.focus = side;
            app.side = side;
            let screen = render(&app, 80, 24);
            insta::assert_snapshot!(
                format!("narrow_{}_{theme}", side.title().to_lowercase()),
                screen
            );
        }
    }
}

#[test]
fn failure_in_the_conversation() {
    snapshot_all("failure", || {
        let mut app = mid_session();
        app.set_input_text("");
        app.attachments.clear();
        for c in "Add a caption".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Enter);
        let job = app.watching.expect("running");
        update(
            &mut app,
            Event::GenerationDone {
                job,
                result: Err(crate::gemini::ApiError::Overloaded {
                    status: 503,
                    message: "The model is overloaded.".into(),
                }),
                at: Instant::now(),
            },
            TEST_TIME,
        );
        app
    });
}

#[test]
fn overlay_help() {
    snapshot_all("help", || {
        let mut app = mid_session();
        update(
            &mut app,
            Event::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
            TEST_TIME,
        );
        app
    });
}

/// Three generations in flight on three branches: one receiving, one retrying, one queued.
fn three_jobs() -> App {
    let mut app = mid_session();
    app.jobs.limit = 2;
    let t0 = Instant::now();
    app.now = Some(t0);
    // Each from reply #6, selected again before each: the explicit way to branch while a
    // reply is coming (a prompt sent otherwise waits for it).
    let reply = app.conversation.active_leaf();
    let receiving = start_generation(&mut app, "Add a caption in French");
    app.selected = reply;
    let retrying = start_generation(&mut app, "Make the background a deep night blue");
    app.selected = reply;
    start_generation(&mut app, "Turn it into a poster, 3:4");
    for (job, progress, at) in [
        (receiving, Progress::Transfer(Transfer::Receiving), 2),
        (
            receiving,
            Progress::Transfer(Transfer::Received { bytes: 3_400_000 }),
            14,
        ),
        (
            retrying,
            Progress::Transfer(Transfer::Retrying {
                attempt: 1,
                of: 4,
                delay: Duration::from_secs(20),
                reason: "The model is overloaded.".into(),
                rate_limited: false,
            }),
            9,
        ),
    ] {
        update(
            &mut app,
            Event::Progress {
                job,
                progress,
                at: t0 + Duration::from_secs(at),
            },
            TEST_TIME,
        );
    }
    app.now = Some(t0 + Duration::from_secs(15));
    app
}

#[test]
fn a_follow_up_typed_while_the_reply_streams_is_shown_queued_under_it() {
    snapshot_all("queued_follow_up", || {
        let mut app = generating();
        for c in "Make the title bigger".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.followups.as_ref().map(|f| f.queue.len()), Some(1));
        app
    });
}

#[test]
fn a_quit_key_with_a_generation_running_and_a_prompt_typed_asks_first() {
    snapshot_all("confirm_quit", || {
        let mut app = generating();
        for c in "Make the title".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        update(
            &mut app,
            Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            TEST_TIME,
        );
        assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
        app
    });
}

#[test]
fn help_lists_each_section_once_and_cuts_no_line_at_any_width() {
    use unicode_width::UnicodeWidthStr;
    let app = mid_session();
    for width in [40, 76, 116, 146] {
        let lines = crate::tui::view::help::lines(&app, width);
        let texts: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        for group in [
            "Prompt",
            "Generation",
            "Turns and branches",
            "Panes and scrolling",
            "Images and sources",
            "Settings for the next prompt",
            "Sessions",
        ] {
            assert_eq!(
                texts.iter().filter(|t| t.as_str() == group).count(),
                1,
                "{group} at {width}"
            );
        }
        for text in &texts {
            assert!(text.width() <= width, "cut at {width}: {text:?}");
        }
        let all = texts.join("\n");
        assert!(all.contains("(all:"), "{all}");
        assert!(all.contains("Letters act outside the prompt only"), "{all}");
    }
}

#[test]
fn the_status_bar_drops_whole_items_by_priority_and_never_cuts_a_word() {
    let status = |app: &App, width: u16| -> String {
        let screen = render(app, width, 40);
        screen
            .lines()
            .nth(39)
            .unwrap_or_default()
            .trim_end()
            .to_string()
    };
    let mut app = mid_session();
    for width in [60, 80, 100, 120, 200] {
        let line = status(&app, width);
        assert!(
            line.contains("gemini-3-pro-image"),
            "the model whole at {width}: {line:?}"
        );
        assert!(!line.contains('…'), "nothing cut at {width}: {line:?}");
    }
    // Wide, everything; narrow, the cost outlives the request size and the ratio.
    let wide = status(&app, 200);
    assert!(
        wide.contains("auto ratio") && wide.contains("req "),
        "{wide}"
    );
    let narrow = status(&app, 60);
    assert!(narrow.contains('$') && !narrow.contains("KB/"), "{narrow}");
    // With generations running, their progress comes first and the cost stays whole or goes.
    let reply = app.conversation.active_leaf();
    start_generation(&mut app, "Add a caption in French");
    app.selected = reply;
    start_generation(&mut app, "Make it night");
    for width in [80, 120] {
        let line = status(&app, width);
        assert!(
            line.contains("jobs") || line.contains("s · "),
            "{width}: {line:?}"
        );
        assert!(!line.contains('…'), "{width}: {line:?}");
        assert!(
            !line.contains(" to") || line.contains("tok"),
            "{width}: {line:?}"
        );
    }
}

#[test]
fn overlay_jobs() {
    snapshot_all("jobs", || {
        let mut app = three_jobs();
        let mut list = JobsList::default();
        list.down(app.jobs.len());
        app.overlay = Some(Overlay::Jobs(list));
        app
    });
}

/// `/vary 4` on the latest prompt: two candidates done, one failed, one still thinking.
fn variations() -> App {
    let mut app = mid_session();
    app.batch.confirm_over = f64::INFINITY;
    let t0 = Instant::now();
    app.now = Some(t0);
    app.set_input_text("");
    app.attachments.clear();
    for c in "/vary 4".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let jobs: Vec<JobId> = app.jobs.ids();
    assert_eq!(jobs.len(), 4, "{:?}", app.notice);
    let finish = |app: &mut App, job, result| {
        update(
            app,
            Event::GenerationDone {
                job,
                result,
                at: t0 + Duration::from_secs(20),
            },
            TEST_TIME,
        )
    };
    finish(&mut app, jobs[0], Ok(Box::new(reply("first take"))));
    finish(&mut app, jobs[2], Ok(Box::new(reply("third take"))));
    finish(
        &mut app,
        jobs[3],
        Err(crate::gemini::ApiError::Server {
            status: 500,
            status_text: "INTERNAL".into(),
            message: "An internal error has occurred.".into(),
        }),
    );
    update(
        &mut app,
        Event::Progress {
            job: jobs[1],
            progress: Progress::Transfer(Transfer::Receiving),
            at: t0 + Duration::from_secs(3),
        },
        TEST_TIME,
    );
    app.now = Some(t0 + Duration::from_secs(24));
    if let Some(grid) = &mut app.grid {
        grid.selected = 2;
    }
    app
}

#[test]
fn variations_grid() {
    snapshot_all("variations", variations);
}

/// The preview threads take the most recently asked-for picture first: the grid asks for the
/// selected candidate last, so it is the first decoded.
#[test]
fn the_grid_asks_for_the_selected_candidate_last() {
    let mut app = variations();
    // The first candidate: drawn in the grid's order, it would be asked for first.
    if let Some(grid) = &mut app.grid {
        grid.selected = 0;
    }
    let grid = app.grid.as_ref().expect("the grid");
    let picture = |index: usize| {
        crate::tui::state::variations::candidate_image(&app, index)
            .and_then(|key| app.image_by_key(key))
            .map(|entry| entry.blob.id())
    };
    let selected = picture(grid.selected).expect("the selected candidate has a picture");
    let other = picture(2).expect("candidate 3 has a picture");
    let mut preview = Placeholder::default();
    render_with(&app, 120, 40, &mut preview);
    let at = |id: u64| {
        preview
            .asked
            .iter()
            .rposition(|&asked| asked == id)
            .expect("both pictures are asked for")
    };
    assert!(
        at(other) < at(selected),
        "asked {:?}: candidate 3 {other}, the selected {selected}",
        preview.asked
    );
}

#[test]
fn overlay_tree() {
    snapshot_all("tree", || {
        let mut app = three_jobs();
        update(
            &mut app,
            Event::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::ALT)),
            TEST_TIME,
        );
        assert!(matches!(app.overlay, Some(Overlay::Tree(_))));
        app
    });
}

/// With halfblocks the versions strip is one row of numbers and the tree has no thumbnails;
/// with graphics both show small pictures (the placeholder's boxes).
#[test]
fn thumbnails_only_where_the_terminal_draws_graphics() {
    let mut app = mid_session();
    let boxes = |screen: &str| screen.matches("┌──────┐").count();
    let graphics = render(&app, 120, 40);
    assert_eq!(
        boxes(&graphics),
        2,
        "a thumbnail each for v1 and v3:\n{graphics}"
    );
    assert!(graphics.contains("   v1       v3  "), "{graphics}");
    let halfblocks = render_with(&app, 120, 40, &mut in_halfblocks());
    assert_eq!(boxes(&halfblocks), 0, "{halfblocks}");
    assert!(halfblocks.contains("  v1   v3  "), "{halfblocks}");

    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::ALT)),
        TEST_TIME,
    );
    let tree_boxes = |screen: &str| screen.matches("┌────┐").count();
    assert_eq!(tree_boxes(&render(&app, 120, 40)), 3, "v1, v2 and v3");
    let halfblocks = render_with(&app, 120, 40, &mut in_halfblocks());
    assert_eq!(tree_boxes(&halfblocks), 0, "{halfblocks}");
    assert!(halfblocks.contains("◆ v2"), "{halfblocks}");
}

/// The full view of a grid candidate names it, and compares it with the marked one.
#[test]
fn a_candidate_in_the_full_view_beside_the_marked_one() {
    let mut app = variations();
    app.size = (120, 40);
    app.cell_px = (1, 1);
    if let Some(grid) = &mut app.grid {
        grid.selected = 0;
    }
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Down);
    let grid = render(&app, 120, 40);
    assert!(grid.contains("1 · v4 · done · $0.15 · marked"), "{grid}");
    assert!(!grid.contains("3 · v5 · done · $0.15 · marked"), "{grid}");
    press(&mut app, KeyCode::Char('c'));
    let screen = render(&app, 120, 40);
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("candidate 3 · left v4 (marked) · right v5"),
        "{header:?}"
    );
    assert_eq!(screen.matches("preview").count(), 2, "{screen}");
}

#[test]
fn overlay_session_picker() {
    snapshot_all("session_picker", || {
        let mut app = mid_session();
        let mut picker = SessionPicker::loading();
        let summary =
            |name: &str, turns, images, title: &str, error: Option<&str>| SessionSummary {
                name: name.into(),
                dir: format!("/home/ana/.local/share/banana-studio/sessions/{name}").into(),
                turns,
                images,
                updated_at: "2026-11-23T21:10:00Z".into(),
                title: title.into(),
                error: error.map(str::to_string),
            };
        picker.listed(
            Ok(vec![
                summary("bananas", 6, 6, "An infographic about bananas", None),
                summary(
                    "2026-11-22-1804",
                    12,
                    14,
                    "A poster for the village fête, in the style of a 1930s travel poster",
                    None,
                ),
                summary("logo-ideas", 2, 2, "A minimal logo for a bakery", None),
                summary(
                    "broken",
                    0,
                    0,
                    "",
                    Some("The session document is damaged (expected value at line 1 column 1)."),
                ),
            ]),
            "bananas",
        );
        app.overlay = Some(Overlay::Sessions(picker));
        app
    });
}

#[test]
fn overlay_model_picker_with_a_relay_balance() {
    snapshot_all("model_picker", || {
        let mut app = mid_session();
        // The provider lists a model newer than the catalog.
        let listed = listed_models(&[
            "gemini-3-pro-image",
            "gemini-3.1-flash-image",
            "gemini-4-image",
        ]);
        update(
            &mut app,
            Event::ModelsListed {
                provider: "demo".into(),
                result: Ok(listed),
            },
            TEST_TIME,
        );
        update(
            &mut app,
            Event::Balance(crate::balance::Balance {
                limit: 100.0,
                used: 12.34,
                currency: "CNY".into(),
            }),
            TEST_TIME,
        );
        press(&mut app, KeyCode::F(2));
        app
    });
}

/// The image pane's size in cells, from its frame: the row that starts "╭ Image" (or
/// "╭ ▸ Image") down to its bottom corner.
fn image_pane_cells(screen: &str, height: usize) -> usize {
    let rows: Vec<Vec<char>> = screen
        .lines()
        .take(height)
        .map(|r| r.chars().collect())
        .collect();
    let Some((top, column)) = rows.iter().enumerate().find_map(|(y, row)| {
        let text: String = row.iter().collect();
        let at = text.find("╭ Image").or_else(|| text.find("╭ ▸ Image"))?;
        Some((y, text[..at].chars().count()))
    }) else {
        return 0;
    };
    let width = rows[top][column..]
        .iter()
        .position(|c| *c == '╮')
        .map_or(0, |w| w + 1);
    let height = rows[top..]
        .iter()
        .position(|r| r.get(column) == Some(&'╰'))
        .map_or(0, |h| h + 1);
    width * height
}

/// At 120×40 and larger the picture gets at least half of the screen's cells, in both
/// layouts; the focus layout gives it more still.
#[test]
fn the_picture_gets_half_the_screen_in_both_layouts() {
    for (width, height) in [(120, 40), (200, 60)] {
        let mut cells = Vec::new();
        for mode in [LayoutMode::ImageFirst, LayoutMode::Focus] {
            let mut app = mid_session();
            app.layout = mode;
            app.size = (width, height);
            let screen = render(&app, width, height);
            let image = image_pane_cells(&screen, height as usize);
            assert!(
                image * 2 >= width as usize * height as usize,
                "{mode:?} at {width}×{height}: the image pane is {image} cells\n{screen}"
            );
            cells.push(image);
        }
        assert!(cells[1] > cells[0], "{cells:?}");
    }
}

/// The focus layout: the picture over the whole height, thinking and sources as tabs under a
/// narrow conversation; smaller terminals give the tabs the larger share.
#[test]
fn focus_layout() {
    snapshot_all("focus", || {
        let mut app = mid_session();
        app.layout = LayoutMode::Focus;
        app
    });
    // Sources focused: its tab is the one shown.
    let mut app = mid_session();
    app.layout = LayoutMode::Focus;
    app.focus = Pane::Sources;
    app.side = Pane::Sources;
    let screen = render(&app, 120, 40);
    assert!(screen.contains("2. data.example.com"), "{screen}");
    assert!(!screen.contains("Planning the composition"), "{screen}");
}

#[test]
fn overlay_path_prompt() {
    snapshot_all("path_prompt", || {
        let mut app = mid_session();
        let mut prompt = PathPrompt::new(PathPurpose::Attach, "~/Pictures/ba".into());
        prompt.completed(
            "~/Pictures/ba",
            vec![
                ("banana-bread.jpg".into(), false),
                ("banana-split.png".into(), false),
                ("bananas".into(), true),
                ("apple.png".into(), false),
            ],
        );
        prompt.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        app.overlay = Some(Overlay::PathPrompt(prompt));
        app
    });
}

#[test]
fn overlay_missing_key() {
    snapshot_all("missing_key", || {
        let mut app = test_app();
        app.connection = None;
        app.with_missing_key(
            "No API key for provider google. Set GEMINI_API_KEY or GOOGLE_API_KEY, or `api_key_cmd` under [providers.google] in /home/ana/.config/banana-studio/config.toml; or try the offline demo with --demo.".into(),
        )
    });
}

/// Narrower terminals stack the panes; tiny ones say what they need.
#[test]
fn stacked_and_too_small() {
    let mut app = mid_session();
    app.size = (60, 30);
    insta::assert_snapshot!("stacked_60x30_dark", render(&app, 60, 30));
    insta::assert_snapshot!("too_small_30x10_dark", render(&app, 30, 10));
}

/// Each pane on its own at an odd size, so a pane that ignores its area shows up.
#[test]
fn panes_alone() {
    use crate::tui::view::{conversation, image, input, sources, status, thinking};
    let app = mid_session();
    let draw = |f: &dyn Fn(&mut ratatui::Frame, ratatui::layout::Rect, &App), w, h| {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        terminal
            .draw(|frame| f(frame, frame.area(), &app))
            .expect("drawing");
        format!("{}", terminal.backend())
    };
    insta::assert_snapshot!("pane_conversation", draw(&conversation::render, 50, 18));
    insta::assert_snapshot!("pane_thinking", draw(&thinking::render, 40, 12));
    insta::assert_snapshot!("pane_sources", draw(&sources::render, 40, 12));
    let image_pane = |f: &mut ratatui::Frame, a: ratatui::layout::Rect, app: &App| {
        image::render(f, a, app, &mut Placeholder::default())
    };
    insta::assert_snapshot!("pane_image", draw(&image_pane, 40, 14));
    insta::assert_snapshot!("pane_input", draw(&input::render, 60, 6));
    insta::assert_snapshot!("pane_status", draw(&status::render_status, 120, 1));
    insta::assert_snapshot!("pane_title", draw(&status::render_title, 120, 1));
    // The prompt turn of the edit has a sibling: its header says so.
    let path = app.conversation.active_path();
    let TurnBody::User(_) = &path[2].body else {
        panic!("a prompt");
    };
    assert_eq!(app.conversation.siblings(path[2].id).len(), 2);
}

/// A 429 with retryDelay or a 503: the status bar shows how long until the retry and which
/// attempt comes next, counting down with the clock.
#[test]
fn retrying_shows_the_wait_and_the_attempt() {
    let mut app = mid_session();
    let job = start_generation(&mut app, "Add a caption");
    let t0 = Instant::now();
    update(
        &mut app,
        Event::Progress {
            job,
            progress: Progress::Transfer(Transfer::Retrying {
                attempt: 1,
                of: 4,
                delay: Duration::from_secs(34),
                reason: "quota".into(),
                rate_limited: false,
            }),
            at: t0,
        },
        TEST_TIME,
    );
    update(
        &mut app,
        Event::Tick(t0 + Duration::from_millis(4_200)),
        TEST_TIME,
    );
    let screen = render(&app, 120, 40);
    assert!(screen.contains("retrying in 30s (2/4)"), "{screen}");
}

/// A blocked prompt is explained on screen in words, under the kept exchange.
#[test]
fn a_blocked_prompt_is_explained_on_screen() {
    let mut app = test_app();
    for c in "something".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let job = app.watching.expect("running");
    let blocked = crate::conversation::ModelTurn {
        prompt_feedback: Some(crate::gemini::wire::PromptFeedback {
            block_reason: Some("PROHIBITED_CONTENT".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    update(
        &mut app,
        Event::GenerationDone {
            job,
            result: Ok(Box::new(blocked)),
            at: Instant::now(),
        },
        TEST_TIME,
    );
    let screen = render(&app, 120, 40);
    assert!(screen.contains("The prompt was blocked"), "{screen}");
    assert!(screen.contains("something"), "the prompt is kept: {screen}");
}

#[test]
fn full_view() {
    for theme in THEMES {
        let mut app = with_theme(mid_session(), theme);
        app.size = (120, 40);
        app.cell_px = (1, 1);
        app.focus = Pane::Image;
        press(&mut app, KeyCode::Char('f'));
        press(&mut app, KeyCode::Char('+'));
        press(&mut app, KeyCode::Char('l'));
        let screen = render(&app, 120, 40);
        insta::assert_snapshot!(format!("full_view_120x40_{theme}"), screen);
    }
}

#[test]
fn full_view_compared() {
    let mut app = with_theme(mid_session(), "dark");
    app.size = (120, 40);
    app.cell_px = (1, 1);
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('c'));
    insta::assert_snapshot!("full_view_side_by_side", render(&app, 120, 40));
    press(&mut app, KeyCode::Char('d'));
    insta::assert_snapshot!("full_view_difference", render(&app, 120, 40));
}

#[test]
fn marking_a_region_and_the_prompt_that_edits_it() {
    let mut app = mid_session();
    app.size = (120, 40);
    app.cell_px = (1, 1);
    app.focus = Pane::Image;
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('l'));
    insta::assert_snapshot!("full_view_marking_a_region", render(&app, 120, 40));
    press(&mut app, KeyCode::Enter);
    let Some(marked) = app.region.as_mut() else {
        panic!("Enter keeps the region");
    };
    marked.annotated = Some(Ok((
        png(8, 6),
        crate::conversation::region::OutlineColour::Magenta,
    )));
    crate::tui::test_support::type_text(&mut app, "make this label red");
    for (width, height) in [(80, 24), (120, 40)] {
        app.size = (width, height);
        insta::assert_snapshot!(
            format!("prompt_with_a_region_{width}x{height}"),
            render(&app, width, height)
        );
    }
}

#[test]
fn over_interactions_the_status_says_so_and_counts_only_the_prompt() {
    use crate::tui::test_support::{done, job_of, submit};
    use crate::tui::view::status;
    let mut app = test_app();
    exchange(&mut app, "An infographic", "Here it is.");
    let whole = status::request_estimate(&app);
    if let Some(connection) = app.connection.as_mut() {
        connection.transport = crate::gemini::Transport::Interactions;
    }
    assert_eq!(
        status::request_estimate(&app),
        whole,
        "a reply the server does not keep goes up again"
    );
    let effects = submit(&mut app, "Bigger title");
    let job = job_of(&effects);
    let mut kept = reply("Bigger.");
    kept.interaction_id = Some("v1_kept".into());
    done(&mut app, job, Ok(kept));
    assert!(status::request_estimate(&app) < 1024);
    let mut terminal = Terminal::new(TestBackend::new(80, 1)).expect("a test terminal");
    terminal
        .draw(|frame| status::render_status(frame, frame.area(), &app))
        .expect("drawing");
    assert!(format!("{}", terminal.backend()).contains("interactions"));
}
