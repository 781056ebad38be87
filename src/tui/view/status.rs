//! The title bar (session, provider, demo) and the status bar (settings for the next prompt,
//! request size against the provider's limit, tokens and cost, and what a running generation
//! is doing).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::conversation::request::human_bytes;
use crate::conversation::{PartContent, TurnBody};
use crate::cost;
use crate::gemini::Transport;
use crate::tui::input::commands::{self, Command};
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::variations;
use crate::tui::view::jobs;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render_title(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let style = theme.status();
    let mut left = vec![
        Span::styled(
            " banana-studio ",
            style.fg(theme.accent).add_modifier(Modifier::BOLD),
        ),
        Span::styled("│ session ", style),
        Span::styled(app.session_name.clone(), style.add_modifier(Modifier::BOLD)),
        Span::styled(" │ ", style),
    ];
    let right = format!("{} help ", app.keymap.hint(Action::Help));
    // The long label where it fits, a short one where it would be cut.
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(used + right.width() + 1);
    let demo_label = if room >= 30 {
        " DEMO MODEL · offline, no key "
    } else {
        " DEMO "
    };
    match &app.connection {
        Some(connection) if connection.demo => left.push(Span::styled(
            demo_label,
            style
                .fg(theme.status_bg)
                .bg(theme.warning)
                .add_modifier(Modifier::BOLD),
        )),
        Some(connection) => left.push(Span::styled(
            format!("provider {}", connection.provider),
            style,
        )),
        None => left.push(Span::styled(
            " NO API KEY · /demo ",
            style
                .fg(theme.status_bg)
                .bg(theme.error)
                .add_modifier(Modifier::BOLD),
        )),
    }
    if app.save.error.is_some() {
        left.push(Span::styled(
            " │ not saved",
            style.fg(theme.error).add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(
        Paragraph::new(fill(left, &right, area.width as usize, style)),
        area,
    );
}

pub fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let style = theme.status();
    let settings = &app.settings;
    // Below 110 columns the same facts, shorter; what still does not fit is dropped whole,
    // least important first, and nothing is cut mid-word.
    let compact = area.width < 110;
    let ratio = settings.aspect_ratio.clone();
    let size = settings.image_size.map(|s| s.to_string());
    // (priority: higher stays longer, text, style), in the order they are shown.
    let mut items: Vec<(u8, String, ratatui::style::Style)> = vec![(
        10,
        settings.model.clone(),
        style.add_modifier(Modifier::BOLD),
    )];
    if compact {
        items.push((
            5,
            format!(
                "{}/{}",
                ratio.as_deref().unwrap_or("auto"),
                size.as_deref().unwrap_or("auto")
            ),
            style,
        ));
    } else {
        items.push((5, ratio.unwrap_or_else(|| "auto ratio".into()), style));
        items.push((5, size.unwrap_or_else(|| "auto size".into()), style));
    }
    if let Some(level) = settings.thinking_level {
        items.push((3, format!("think {level}"), style));
    }
    items.push(if settings.google_search {
        (
            6,
            if settings.image_search {
                "search+images"
            } else {
                "search on"
            }
            .to_string(),
            style.fg(theme.success).add_modifier(Modifier::BOLD),
        )
    } else {
        (6, "search off".to_string(), style)
    });
    if settings.system_instruction.is_some() {
        items.push((2, "system".to_string(), style));
    }
    if let Some(connection) = &app.connection {
        // Which endpoint carries the next turn; the default only where there is room.
        match connection.transport {
            Transport::Interactions => items.push((4, "interactions".to_string(), style)),
            Transport::GenerateContent if !compact => {
                items.push((1, "generate-content".to_string(), style))
            }
            Transport::GenerateContent => {}
        }
        let estimate = request_estimate(app);
        let limit = connection.max_request_bytes;
        let near = estimate.saturating_mul(10) >= limit.saturating_mul(8);
        let label = if compact { "" } else { "req " };
        let text = format!("{label}{}/{}", human_bytes(estimate), human_bytes(limit));
        items.push(if near {
            // Near the limit it is what the user must know.
            (9, text, style.fg(theme.error).add_modifier(Modifier::BOLD))
        } else {
            (4, text, style)
        });
    }
    if let Some(balance) = &app.balance {
        let label = if compact { "" } else { "balance " };
        items.push((
            3,
            format!(
                "{label}{}",
                cost::money(balance.remaining(), &balance.currency)
            ),
            style,
        ));
    }
    let cost = cost::session_cost(&app.conversation, &app.pricing());
    items.push((8, cost::describe(&cost), style));
    // Typing /vary: the price of the whole batch before it is sent.
    if let Ok(Command::Vary(count)) = commands::parse(&app.input_text())
        && let Some(prompt) = variations::prompt_to_vary(app)
    {
        items.push((
            9,
            format!(
                "vary {}",
                variations::describe_batch(app, prompt, count.unwrap_or(app.batch.count))
            ),
            style.fg(theme.accent).add_modifier(Modifier::BOLD),
        ));
    }

    let width = area.width as usize;
    // The running generation is what matters most while it runs: it gets its room first,
    // in its shortest form if need be.
    let right = progress_variants(app)
        .into_iter()
        .map(|p| format!("{p} "))
        .find(|p| p.width() + items[0].1.width() + 2 <= width)
        .unwrap_or_default();
    let room = width.saturating_sub(right.width() + usize::from(!right.is_empty()));
    let kept = keep_by_priority(&items, room, SEP.width());
    let mut left = Vec::new();
    for (n, (_, text, item_style)) in kept.into_iter().enumerate() {
        left.push(Span::styled(
            if n == 0 { " " } else { SEP },
            if n == 0 { style } else { style.fg(theme.muted) },
        ));
        left.push(Span::styled(text.clone(), *item_style));
    }
    let mut line = fill(left, &right, width, style);
    // The activity is what matters most while it runs.
    if !app.jobs.is_empty()
        && let Some(last) = line.spans.last_mut()
    {
        last.style = style.fg(theme.accent).add_modifier(Modifier::BOLD);
    }
    frame.render_widget(Paragraph::new(line), area);
}

const SEP: &str = " │ ";

/// The items that fit in `room` columns (each after a separator, the first after a space),
/// dropping the lowest priority first (the later of two equals first); in their order.
fn keep_by_priority<T>(
    items: &[(u8, String, T)],
    room: usize,
    sep: usize,
) -> Vec<&(u8, String, T)> {
    let mut kept: Vec<bool> = vec![true; items.len()];
    let used = |kept: &[bool]| -> usize {
        items
            .iter()
            .zip(kept)
            .filter(|(_, k)| **k)
            .map(|((_, text, _), _)| text.width() + sep)
            .sum::<usize>()
            .saturating_sub(sep - 1)
    };
    while used(&kept) > room {
        let Some(drop) = items
            .iter()
            .enumerate()
            .filter(|(i, _)| kept[*i] && *i != 0)
            .min_by_key(|(i, (priority, _, _))| (*priority, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
        else {
            break;
        };
        kept[drop] = false;
    }
    items
        .iter()
        .zip(kept)
        .filter(|(_, k)| *k)
        .map(|(item, _)| item)
        .collect()
}

/// `⠹ 12s · receiving 3.4 MB` while a generation runs (the watched one, else the oldest),
/// from its longest to its shortest form: with the other jobs, without them, the time alone.
fn progress_variants(app: &App) -> Vec<String> {
    let Some(job) = app.shown_job().or_else(|| app.jobs.iter().next()) else {
        return Vec::new();
    };
    let elapsed = jobs::elapsed(job, app.now);
    let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
    let what = jobs::phase(job, app.now);
    let seconds = elapsed.as_secs();
    let mut variants = Vec::new();
    if app.jobs.len() > 1 {
        variants.push(format!(
            "{frame} {seconds}s · {what} · {} jobs ({})",
            app.jobs.len(),
            app.keymap.hint(Action::Jobs)
        ));
        variants.push(format!("{frame} {seconds}s · {} jobs", app.jobs.len()));
    } else {
        variants.push(format!("{frame} {seconds}s · {what}"));
    }
    variants.push(format!("{frame} {seconds}s"));
    variants
}

/// About how large the next request is: the shown history as it would be sent (thoughts
/// dropped, images base64), plus the pending attachments and the editor's text. Over the
/// Interactions API, after a reply the server keeps, the history stays on the server.
pub fn request_estimate(app: &App) -> u64 {
    let base64 = |bytes: u64| bytes.div_ceil(3) * 4;
    let mut total: u64 = 512;
    let parts_size = |parts: &[crate::conversation::Part]| -> u64 {
        parts
            .iter()
            .filter(|p| !p.thought)
            .map(|p| {
                let signature = p.thought_signature.as_ref().map_or(0, |s| s.len() as u64);
                signature
                    + match &p.content {
                        PartContent::Text(text) => text.len() as u64 + 16,
                        PartContent::Image(blob) => base64(blob.size()) + 64,
                        _ => 64,
                    }
            })
            .sum()
    };
    let path = app.conversation.active_path();
    let kept_on_server = app
        .connection
        .as_ref()
        .is_some_and(|c| c.transport == Transport::Interactions)
        && path.last().is_some_and(|turn| match &turn.body {
            TurnBody::Model(reply) => reply.interaction_id.is_some() && reply.has_content(),
            TurnBody::User(_) => false,
        });
    for turn in path.iter().filter(|_| !kept_on_server) {
        total += match &turn.body {
            TurnBody::User(user) => parts_size(&user.parts),
            TurnBody::Model(reply) => parts_size(&reply.parts),
        };
    }
    total += app
        .attachments
        .iter()
        .map(|a| base64(a.blob.size()) + 64)
        .sum::<u64>();
    total + app.input_text().len() as u64
}

/// `left` then `right` aligned to the right edge, in `style`; the left part is cut when it
/// does not fit.
fn fill<'a>(
    left: Vec<Span<'a>>,
    right: &str,
    width: usize,
    style: ratatui::style::Style,
) -> Line<'a> {
    let right_width = right.width();
    // One column keeps the two parts apart.
    let room = width.saturating_sub(right_width + usize::from(right_width > 0));
    let mut spans = Vec::new();
    let mut used = 0;
    for span in left {
        let w = span.content.width();
        if used + w > room {
            let cut = crate::tui::view::widgets::truncate(&span.content, room.saturating_sub(used));
            used += cut.width();
            spans.push(Span::styled(cut, span.style));
            break;
        }
        used += w;
        spans.push(span);
    }
    spans.push(Span::styled(
        " ".repeat(width.saturating_sub(used + right_width)),
        style,
    ));
    spans.push(Span::styled(right.to_string(), style));
    Line::from(spans)
}
