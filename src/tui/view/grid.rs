//! The variations grid: one cell per candidate of a `/vary` batch, each with its number,
//! status (thinking…, receiving 3.1 MB, done, failed: why) and cost, and the picture drawn
//! through the pane's [`ImagePreview`] (the terminal's graphics protocol in the studio).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::conversation::TurnBody;
use crate::cost;
use crate::tui::state::app::App;
use crate::tui::state::grid::{Candidate, VaryGrid};
use crate::tui::state::variations::{candidate_image, describe_batch};
use crate::tui::view::jobs;
use crate::tui::view::pictures::ImagePreview;
use crate::tui::view::widgets::{draw_pane, pane_block, popup, render_lines, wrap};
use unicode_width::UnicodeWidthStr;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    grid: &VaryGrid,
    images: &mut dyn ImagePreview,
) {
    let theme = &app.theme;
    frame.render_widget(Clear, area);
    let title = format!("Variations of prompt #{}", grid.prompt);
    // The longest hint that fits beside the title (" ▸ title ", the two corners and a column
    // between them); none when even the shortest would cover the title (`?` lists every key).
    let room = usize::from(area.width).saturating_sub(title.width() + 6);
    let hint = [
        " ←→↑↓ choose · Enter continue from it · f full view · m mark · c/d compare · Esc leave ",
        " ←→↑↓ · Enter continue · f full view · c/d compare · Esc ",
        " ←→↑↓ · Enter · f · c/d · Esc ",
    ]
    .into_iter()
    .find(|hint| hint.width() < room)
    .map(|hint| Line::from(Span::styled(hint, theme.muted())));
    let Some(inner) = draw_pane(frame, area, pane_block(&title, hint, true, theme), (4, 2)) else {
        return;
    };
    let n = grid.candidates.len();
    let columns = VaryGrid::columns(n);
    let rows = n.div_ceil(columns).max(1);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows as u32); rows]).split(inner);
    // The selected candidate is drawn last: the preview threads take the most recently asked
    // for picture first, so the one under the cursor is decoded first.
    let order = (0..n)
        .filter(|&index| index != grid.selected)
        .chain((grid.selected < n).then_some(grid.selected));
    for index in order {
        let candidate = &grid.candidates[index];
        let cell_row = row_areas[index / columns];
        let cells =
            Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(cell_row);
        render_cell(
            frame,
            cells[index % columns],
            app,
            index,
            candidate,
            index == grid.selected,
            images,
        );
    }
}

fn render_cell(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    index: usize,
    candidate: &Candidate,
    selected: bool,
    images: &mut dyn ImagePreview,
) {
    let theme = &app.theme;
    let pricing = app.pricing();
    let (status, cost, image, error) = match candidate {
        Candidate::Running(job) => match app.jobs.get(*job) {
            Some(job) => (
                format!(
                    "{} · {}s",
                    jobs::phase(job, app.now),
                    jobs::elapsed(job, app.now).as_secs()
                ),
                None,
                job.partial.images().last().cloned(),
                None,
            ),
            None => ("ended".to_string(), None, None, None),
        },
        Candidate::Reply(id) => match app.conversation.get(*id) {
            Some(turn) => match &turn.body {
                TurnBody::Model(reply) => {
                    let price = cost::settings_of_reply(&app.conversation, turn.parent)
                        .and_then(|settings| pricing.reply(settings, reply))
                        .map(|amount| cost::money(amount, pricing.currency()));
                    let status = match app.conversation.version_name(*id) {
                        Some(version) => format!("{version} · done"),
                        None => "done, no image".to_string(),
                    };
                    (status, price, reply.shown_images().last().cloned(), None)
                }
                TurnBody::User(_) => ("?".into(), None, None, None),
            },
            None => ("gone".into(), None, None, None),
        },
        Candidate::Failed(why) => ("failed".into(), None, None, Some(why.clone())),
    };
    let mut title = match &cost {
        Some(cost) => format!("{} · {status} · {cost}", index + 1),
        None => format!("{} · {status}", index + 1),
    };
    if app.compare_mark.is_some() && candidate_image(app, index) == app.compare_mark {
        title.push_str(" · marked");
    }
    let Some(inner) = draw_pane(
        frame,
        area,
        pane_block(&title, None, selected, theme),
        (2, 1),
    ) else {
        return;
    };
    match (image, error) {
        // The selected candidate as the pane's picture is drawn, ready for `f`; the others
        // decode smaller, so that four arriving at once show sooner.
        (Some(blob), _) if selected => images.draw(frame, inner, &blob, theme),
        (Some(blob), _) => images.draw_small(frame, inner, &blob, theme),
        (None, Some(why)) => {
            let lines = wrap(&why, inner.width.saturating_sub(2) as usize)
                .into_iter()
                .map(|line| Line::styled(line, theme.error()))
                .collect();
            render_lines(frame, inner, lines, 0, theme);
        }
        (None, None) => frame.render_widget(
            Paragraph::new(Line::styled(" waiting for the picture…", theme.muted())),
            inner,
        ),
    }
}

/// Asks before sending a batch over the price threshold.
pub fn render_confirm(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    count: u8,
    prompt: crate::conversation::TurnId,
) {
    let theme = &app.theme;
    let Some(inner) = popup(
        frame,
        area,
        (64, 7),
        "Send this batch?",
        "Enter/y send · Esc/n cancel",
        theme,
    ) else {
        return;
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{count} variations of prompt #{prompt}: "),
                theme.base(),
            ),
            Span::styled(describe_batch(app, prompt, count), theme.accent()),
        ]),
        Line::styled(
            format!(
                "This is over your confirm_batch_over of {}.",
                cost::money(app.batch.confirm_over, app.pricing().currency())
            ),
            theme.muted(),
        ),
    ];
    render_lines(frame, inner, lines, 0, theme);
}
