//! The conversation pane: the turns of the shown path — prompts with their settings and
//! attachments, replies with their text and image markers, why a reply has no image — the
//! selected turn highlighted, "branch 2/3" on turns that have siblings, and the reply being
//! generated as it streams in.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::conversation::explain::explain;
use crate::conversation::{ModelTurn, Turn, TurnBody, TurnSettings};
use crate::tui::input::keymap::Action;
use crate::tui::state::app::App;
use crate::tui::state::layout::Pane;
use crate::tui::theme::Theme;
use crate::tui::view::widgets::{describe_blob, draw_pane, keep_visible, pane_block, wrap};

/// The settings of a prompt in a few words: `16:9 · 2K · think high · search · gemini-3-pro-image`.
pub fn settings_summary(settings: &TurnSettings) -> String {
    let mut words = vec![
        settings
            .aspect_ratio
            .clone()
            .unwrap_or_else(|| "auto ratio".into()),
        settings
            .image_size
            .map(|s| s.to_string())
            .unwrap_or_else(|| "auto size".into()),
    ];
    if let Some(level) = settings.thinking_level {
        words.push(format!("think {level}"));
    }
    if settings.image_search {
        words.push("search+images".into());
    } else if settings.google_search {
        words.push("search".into());
    }
    if settings.image_only {
        words.push("image only".into());
    }
    if settings.system_instruction.is_some() {
        words.push("system".into());
    }
    words.push(settings.model.clone());
    words.join(" · ")
}

struct Block {
    lines: Vec<Line<'static>>,
    selected: bool,
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Pane::Conversation;
    let path = app.display_path();
    let extra = (!path.is_empty()).then(|| {
        Line::from(Span::styled(
            format!(" {} turns ", path.len()),
            theme.muted(),
        ))
    });
    let block = pane_block("Conversation", extra, focused, theme);
    let Some(inner) = draw_pane(frame, area, block, (4, 1)) else {
        return;
    };
    // One column for the selection marker, one of padding.
    let width = inner.width as usize - 2;
    let selected = app.selected_turn().map(|t| t.id);
    let shown_image = app.selected_image().map(|e| e.blob);

    // Found once a frame: a sibling search per turn is quadratic on a long path.
    let children = app.conversation.children_index();
    // Numbered once a frame, like the children: the markers name each picture by version.
    let versions = app.conversation.version_numbers();
    let mut blocks: Vec<Block> = Vec::new();
    if path.is_empty() && app.failure.is_none() {
        blocks.push(Block {
            lines: welcome(app, width),
            selected: false,
        });
    }
    for turn in &path {
        let siblings = children.get(&turn.parent).map_or(&[][..], Vec::as_slice);
        let lines = match &turn.body {
            TurnBody::User(user) => {
                let mut lines = header(app, turn, siblings, "You", theme.user(), width);
                let text = user.prompt();
                if !text.trim().is_empty() {
                    for line in wrap(&text, width) {
                        lines.push(Line::styled(line, theme.base()));
                    }
                }
                for (index, blob) in user.parts.iter().filter_map(|p| p.as_image()).enumerate() {
                    // A region edit's first image is the edited version with the region
                    // outlined: said so, with where the region is.
                    let (label, description) = match user.region {
                        Some(edit) if index == 0 => (
                            "▭ region".to_string(),
                            format!(
                                "{} on {}",
                                edit.region,
                                app.conversation
                                    .version_name(edit.on)
                                    .unwrap_or_else(|| format!("#{}", edit.on))
                            ),
                        ),
                        _ => ("+ attached".to_string(), describe_blob(blob)),
                    };
                    let shown = shown_image.as_ref() == Some(blob);
                    lines.extend(image_marker(&label, &description, shown, theme));
                }
                lines
            }
            TurnBody::Model(reply) => {
                let mut lines = header(app, turn, siblings, "Model", theme.model(), width);
                let numbers = versions.get(&turn.id).map_or(&[][..], Vec::as_slice);
                lines.extend(reply_lines(
                    reply,
                    numbers,
                    width,
                    shown_image.as_ref(),
                    theme,
                ));
                if let Some(why) = explain(reply) {
                    for line in wrap(&format!("! {why}"), width) {
                        lines.push(Line::styled(line, theme.warning()));
                    }
                }
                lines
            }
        };
        blocks.push(Block {
            lines,
            selected: Some(turn.id) == selected,
        });
    }
    if let Some(generation) = app.shown_job() {
        let mut lines = vec![Line::from(vec![
            Span::styled("Model", theme.model()),
            Span::styled(" · working…", theme.muted()),
        ])];
        lines.extend(reply_lines(
            &generation.partial,
            &[],
            width,
            shown_image.as_ref(),
            theme,
        ));
        if generation.partial.text().is_empty() && generation.partial.images().next().is_none() {
            for line in wrap(
                "(the reply appears here; the model's thinking streams into Thinking)",
                width,
            ) {
                lines.push(Line::styled(line, theme.muted()));
            }
        }
        blocks.push(Block {
            lines,
            selected: false,
        });
    }
    if let Some(followups) = &app.followups
        && path.iter().any(|t| t.id == followups.after)
    {
        let take_back = app.keymap.hint(Action::Cancel);
        for queued in &followups.queue {
            let mut lines = vec![Line::from(vec![
                Span::styled("You", theme.user()),
                Span::styled(" · queued", theme.muted()),
            ])];
            let note = format!("sent when the reply above lands; {take_back} takes it back");
            for line in wrap(&note, width) {
                lines.push(Line::styled(line, theme.muted()));
            }
            for line in wrap(&queued.draft.text, width) {
                lines.push(Line::styled(line, theme.base()));
            }
            for attachment in &queued.draft.attachments {
                lines.push(Line::styled(
                    format!("+ {}", attachment.name),
                    theme.muted(),
                ));
            }
            blocks.push(Block {
                lines,
                selected: false,
            });
        }
    }
    if let Some(failure) = &app.failure {
        let mut lines = Vec::new();
        for (i, line) in wrap(failure, width.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let prefix = if i == 0 { "✗ " } else { "  " };
            lines.push(Line::styled(format!("{prefix}{line}"), theme.error()));
        }
        blocks.push(Block {
            lines,
            selected: false,
        });
    }

    // Lay the blocks out with a blank line between them, remembering where the selected one is.
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_range = None;
    for (i, block) in blocks.into_iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        let start = lines.len();
        for line in block.lines {
            lines.push(decorate(line, block.selected, width, theme));
        }
        if block.selected {
            selected_range = Some((start, lines.len()));
        }
    }
    let viewport = inner.height as usize;
    let content = lines.len();
    let view = &app.conversation_view;
    let selected_is_last = selected.is_some() && selected == path.last().map(|t| t.id);
    let offset = match view.scroll {
        Some(offset) => offset.min(content.saturating_sub(viewport)),
        // The newest turn, and what streams or failed after it, stays in view at the bottom.
        None if selected_is_last || selected_range.is_none() => content.saturating_sub(viewport),
        None => {
            let (start, end) = selected_range.unwrap_or_default();
            keep_visible(view.last_offset.get(), start, end, viewport, content)
        }
    };
    view.last_offset.set(offset);
    view.last_page.set(viewport);
    let visible: Vec<Line> = lines.into_iter().skip(offset).take(viewport).collect();
    frame.render_widget(Paragraph::new(visible).style(theme.base()), inner);
}

/// `You #3 · 16:9 · 2K · search · model` with `branch 2/3` on the right; the settings go to
/// a second line when they do not fit.
fn header(
    app: &App,
    turn: &Turn,
    siblings: &[&Turn],
    who: &str,
    style: Style,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let branch = (siblings.len() > 1).then(|| {
        let position = siblings.iter().position(|t| t.id == turn.id).unwrap_or(0);
        format!("branch {}/{}", position + 1, siblings.len())
    });
    let label = format!("{who} #{}", turn.id);
    let detail = match &turn.body {
        TurnBody::User(user) => Some(settings_summary(&user.settings)),
        TurnBody::Model(reply) => reply
            .usage
            .as_ref()
            .map(|u| format!("{} tokens", u.total_token_count)),
    };
    let branch_width = branch.as_ref().map(|b| b.width() + 1).unwrap_or(0);
    let mut first = vec![Span::styled(label.clone(), style)];
    let mut second = None;
    if let Some(detail) = detail {
        let fits = label.width() + 3 + detail.width() + branch_width <= width;
        if fits {
            first.push(Span::styled(format!(" · {detail}"), theme.muted()));
        } else {
            second = Some(detail);
        }
    }
    if let Some(branch) = branch {
        let used: usize = first.iter().map(|s| s.content.width()).sum();
        let pad = width.saturating_sub(used + branch.width()).max(1);
        first.push(Span::raw(" ".repeat(pad)));
        first.push(Span::styled(
            branch,
            theme.accent().add_modifier(Modifier::BOLD),
        ));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(detail) = second {
        for line in wrap(&detail, width) {
            lines.push(Line::styled(line, theme.muted()));
        }
    }
    lines
}

/// A reply's text and its pictures, each final image named by its version (`numbers`, in
/// order; none yet while it arrives).
fn reply_lines(
    reply: &ModelTurn,
    numbers: &[usize],
    width: usize,
    shown: Option<&crate::conversation::Blob>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let text = reply.text();
    if !text.trim().is_empty() {
        for line in wrap(text.trim(), width) {
            lines.push(crate::tui::view::widgets::styled_markdown(
                &line,
                theme.base(),
            ));
        }
    }
    let thoughts = reply.thoughts().len();
    if thoughts > 0 && text.trim().is_empty() && reply.images().next().is_none() {
        lines.push(Line::styled(
            format!(
                "thinking… ({thoughts} thought{})",
                if thoughts == 1 { "" } else { "s" }
            ),
            theme.thought(),
        ));
    }
    let mut finals = numbers.iter();
    let mut drafts = 0;
    // A region edit that kept the rest shows its composite as the version.
    for (part, blob) in reply.image_parts_shown() {
        let label = if part.thought {
            drafts += 1;
            match numbers.first() {
                Some(version) => format!("◇ v{version} draft {drafts}"),
                None => format!("◇ draft {drafts}"),
            }
        } else {
            match finals.next() {
                Some(version) => format!("◆ v{version}"),
                None => "◆ new version".to_string(),
            }
        };
        lines.extend(image_marker(
            &label,
            &describe_blob(blob),
            shown == Some(blob),
            theme,
        ));
    }
    lines
}

fn image_marker(label: &str, description: &str, shown: bool, theme: &Theme) -> Vec<Line<'static>> {
    let mut spans = vec![
        Span::styled(label.to_string(), theme.accent()),
        Span::styled(format!(" {description}"), theme.muted()),
    ];
    if shown {
        spans.push(Span::styled(" ◂ shown", theme.accent()));
    }
    vec![Line::from(spans)]
}

/// Adds the selection marker column and highlight.
fn decorate(line: Line<'static>, selected: bool, width: usize, theme: &Theme) -> Line<'static> {
    if !selected {
        let mut spans = vec![Span::styled("  ", theme.base())];
        spans.extend(line.spans);
        return Line::from(spans);
    }
    let used: usize = line.spans.iter().map(|s| s.content.width()).sum();
    let mut spans = vec![Span::styled("▌ ", theme.accent().bg(theme.selection_bg))];
    spans.extend(line.spans.into_iter().map(|s| {
        let style = s.style.bg(theme.selection_bg);
        Span::styled(s.content, style)
    }));
    spans.push(Span::styled(
        " ".repeat(width.saturating_sub(used)),
        theme.selected(),
    ));
    Line::from(spans)
}

fn welcome(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let send = app.keymap.hint(Action::Send);
    let help = app.keymap.hint(Action::Help);
    let back = app.keymap.hint(Action::Back);
    let full = app.keymap.hint(Action::FullScreen);
    let mut text = vec![
        (
            "Welcome to banana-studio.".to_string(),
            theme.accent().add_modifier(Modifier::BOLD),
        ),
        (String::new(), theme.base()),
        (
            format!(
                "Describe an image below and press {send}. Then keep refining it, one edit per turn."
            ),
            theme.base(),
        ),
        (
            format!(
                "{back} leaves the prompt for the picture's keys ({full} full view, [ ] versions) and comes back."
            ),
            theme.muted(),
        ),
        (
            "Attach reference images with /attach; set the aspect ratio, size and search with /aspect, /size, /search.".to_string(),
            theme.muted(),
        ),
        (
            format!("{help} lists every key and /command."),
            theme.muted(),
        ),
    ];
    if app.is_demo() {
        text.push((String::new(), theme.base()));
        text.push((
            "This is the offline demo model: it draws simple deterministic pictures, no key needed.".into(),
            theme.warning(),
        ));
    }
    let mut lines = Vec::new();
    for (paragraph, style) in text {
        for line in wrap(&paragraph, width) {
            lines.push(Line::styled(line, style));
        }
    }
    lines
}
