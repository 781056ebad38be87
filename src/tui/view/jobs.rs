//! The jobs list: every generation in flight with its branch, phase and elapsed time; any of
//! them can be cancelled on its own, or all at once.

use crate::tui::state::panes::JobsList;

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::conversation::TurnBody;
use crate::conversation::request::human_bytes;
use crate::tui::state::app::App;
use crate::tui::state::jobs::{Job, Phase};
use crate::tui::view::widgets::{PickerRows, popup, truncate};

/// `3 s` / `1 min 05 s`.
pub fn elapsed(job: &Job, now: Option<std::time::Instant>) -> Duration {
    match (job.started, now) {
        (Some(started), Some(now)) => now.saturating_duration_since(started),
        _ => Duration::ZERO,
    }
}

/// What the job is doing, in a few words.
pub fn phase(job: &Job, now: Option<std::time::Instant>) -> String {
    match &job.phase {
        Phase::Queued => "queued".into(),
        Phase::Starting => "starting".into(),
        Phase::Sending { attempt, of, bytes } if *attempt > 1 => {
            format!("sending {} ({attempt}/{of})", human_bytes(*bytes as u64))
        }
        Phase::Sending { bytes, .. } => format!("sending {}", human_bytes(*bytes as u64)),
        Phase::Retrying {
            attempt, of, until, ..
        } => {
            let left = now
                .map(|now| until.saturating_duration_since(now))
                .unwrap_or_default();
            format!(
                "retrying in {}s ({attempt}/{of})",
                left.as_secs_f64().ceil() as u64
            )
        }
        Phase::Waiting => "thinking".into(),
        Phase::Receiving => {
            let answering = job.partial.parts.iter().any(|p| !p.thought);
            let verb = if answering { "receiving" } else { "thinking" };
            if job.received_bytes >= 100_000 {
                format!("{verb} · {}", human_bytes(job.received_bytes))
            } else {
                verb.into()
            }
        }
    }
}

/// The prompt the job answers, as the branch it is on: `#5 after #4: "make it blue"`.
fn branch(app: &App, job: &Job) -> String {
    let prompt = job.prepared.prompt_turn;
    let Some(turn) = app.conversation.get(prompt) else {
        return format!("#{prompt}");
    };
    let text = match &turn.body {
        TurnBody::User(user) => user.prompt(),
        TurnBody::Model(_) => String::new(),
    };
    let after = match turn.parent {
        Some(parent) => format!(" after #{parent}"),
        None => " (new thread)".into(),
    };
    format!(
        "#{prompt}{after}: {}",
        text.lines().next().unwrap_or_default()
    )
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, list: &JobsList) {
    let theme = &app.theme;
    let rows = app.jobs.len().max(1) as u16 * 2 + 3;
    let size = (
        90,
        rows.clamp(6, area.height.saturating_sub(2).clamp(6, 24)),
    );
    let hint = "↑↓ · Enter show · c cancel · C cancel all · Esc";
    let title = match (app.jobs.len(), app.jobs.queued()) {
        (n, 0) => format!("Jobs: {n}"),
        (n, q) => format!("Jobs: {n}, {q} queued"),
    };
    let Some(inner) = popup(frame, area, size, &title, hint, theme) else {
        return;
    };
    let width = inner.width as usize - 2;
    let mut rows = PickerRows::new(width);
    if app.jobs.is_empty() {
        rows.lines.push(Line::styled(
            "Nothing is running. Send a prompt, or /vary N for variations.",
            theme.muted(),
        ));
    }
    for (i, job) in app.jobs.iter().enumerate() {
        let selected = i == list.selected;
        let seconds = elapsed(job, app.now).as_secs();
        let head = format!("{:<16}", truncate(&job.kind.label(), 16));
        let status = format!("{:>5}s  {}", seconds, phase(job, app.now));
        let first = vec![
            Span::styled(head, theme.base().add_modifier(Modifier::BOLD)),
            Span::styled(status, theme.accent()),
        ];
        let second = vec![
            Span::raw("  "),
            Span::styled(
                truncate(&branch(app, job), width.saturating_sub(2)),
                theme.muted(),
            ),
        ];
        rows.row(first, second, selected, theme);
    }
    rows.render(frame, inner, theme);
}
