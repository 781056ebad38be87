//! What the panes and overlays share to draw: bordered panes, popups, picker rows, wrapping and
//! cutting text to a width.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::tui::theme::Theme;

/// The offset that keeps lines `start..end` visible, moving as little as possible from
/// `previous`.
/// A picker's list: a few lines of its own (errors, "loading…"), then two-line rows, the
/// selected row highlighted and kept in view.
pub struct PickerRows {
    pub lines: Vec<Line<'static>>,
    selected: (usize, usize),
    width: usize,
}

impl PickerRows {
    pub fn new(width: usize) -> Self {
        Self {
            lines: Vec::new(),
            selected: (0, 0),
            width,
        }
    }

    pub fn row(
        &mut self,
        mut first: Vec<Span<'static>>,
        mut second: Vec<Span<'static>>,
        selected: bool,
        theme: &Theme,
    ) {
        let start = self.lines.len();
        if selected {
            highlight(&mut first, self.width, theme);
            highlight(&mut second, self.width, theme);
        }
        self.lines.push(Line::from(first));
        self.lines.push(Line::from(second));
        if selected {
            self.selected = (start, self.lines.len());
        }
    }

    pub fn render(self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let offset = keep_visible(
            0,
            self.selected.0,
            self.selected.1,
            area.height as usize,
            self.lines.len(),
        );
        render_lines(frame, area, self.lines, offset, theme);
    }
}

/// Marks a picker's row as selected: its spans on the selection colour, filled to `width`.
fn highlight(line: &mut Vec<Span<'_>>, width: usize, theme: &Theme) {
    let used: usize = line.iter().map(|s| s.content.width()).sum();
    for span in line.iter_mut() {
        span.style = span.style.bg(theme.selection_bg);
    }
    line.push(Span::styled(
        " ".repeat(width.saturating_sub(used)),
        theme.selected(),
    ));
}

pub fn keep_visible(
    previous: usize,
    start: usize,
    end: usize,
    viewport: usize,
    content: usize,
) -> usize {
    let max = content.saturating_sub(viewport);
    let mut offset = previous.min(max);
    if end.saturating_sub(start) > viewport || start < offset {
        offset = start;
    } else if end > offset + viewport {
        offset = end - viewport;
    }
    offset.min(max)
}

/// A pane's frame: rounded, highlighted when focused, title left and `extra` right.
pub fn pane_block<'a>(
    title: &'a str,
    extra: Option<Line<'a>>,
    focused: bool,
    theme: &Theme,
) -> Block<'a> {
    let marker = if focused { "▸ " } else { "" };
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .style(theme.base())
        .title(Line::from(vec![Span::styled(
            format!(" {marker}{title} "),
            theme.title(focused),
        )]));
    if let Some(extra) = extra {
        block = block.title_top(extra.right_aligned());
    }
    block
}

/// Draws `block` over `area` and returns the space inside it, or `None` when that is smaller
/// than `min` (width, height): a pane squeezed that far shows only its frame.
pub fn draw_pane(frame: &mut Frame, area: Rect, block: Block, min: (u16, u16)) -> Option<Rect> {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    (inner.width >= min.0 && inner.height >= min.1).then_some(inner)
}

/// A centred rectangle of at most `width`×`height` inside `area`.
/// Draws `lines` from `offset`, as many as fit, each indented by one column.
pub fn render_lines(
    frame: &mut Frame,
    inner: Rect,
    lines: Vec<Line<'static>>,
    offset: usize,
    theme: &Theme,
) {
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(inner.height as usize)
        .map(|line| {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(line.spans);
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(visible).style(theme.base()), inner);
}

/// Opens an overlay: clears a centred box of at most `width`×`height`, frames it with `title`
/// and a key `hint`, and returns its inside — `None` when it is too small to use.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    (width, height): (u16, u16),
    title: &str,
    hint: &str,
    theme: &Theme,
) -> Option<Rect> {
    let outer = centered(area, width, height);
    frame.render_widget(Clear, outer);
    let block = pane_block(
        title,
        Some(Line::from(Span::styled(format!(" {hint} "), theme.muted()))),
        true,
        theme,
    );
    draw_pane(frame, outer, block, (10, 1))
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Word-wraps `text` to `width` columns; hard newlines are kept, words longer than a line are
/// cut. Never returns an empty vector for non-empty input.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    // Server and file text: control characters shown as stand-ins, the same sanitiser as
    // every other print (ratatui would drop them silently).
    let text = crate::terminal_text::sanitize(&text.replace("\r\n", "\n")).into_owned();
    for raw in text.split('\n') {
        if raw.trim().is_empty() {
            lines.push(String::new());
            continue;
        }
        let mut line = String::new();
        let mut line_width = 0;
        for word in raw.split(' ') {
            let word_width = word.width();
            if line_width > 0 && line_width + 1 + word_width > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            if line_width > 0 {
                line.push(' ');
                line_width += 1;
            }
            if word_width <= width - line_width.min(width) {
                line.push_str(word);
                line_width += word_width;
                continue;
            }
            // A word longer than the line: cut it.
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if line_width + w > width {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0;
                }
                line.push(c);
                line_width += w;
            }
        }
        lines.push(line);
    }
    lines
}

/// `text` cut to `width` columns with an ellipsis.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `…/end/of/a/long/path` within `width` columns.
pub fn truncate_left(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut used = 1;
    let mut start = chars.len();
    while start > 0 {
        let w = chars[start - 1].width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        start -= 1;
    }
    format!("…{}", chars[start..].iter().collect::<String>())
}

/// `256×256 JPEG, 12 KB`
pub fn describe_blob(blob: &crate::conversation::Blob) -> String {
    let size = blob
        .dimensions()
        .map(|(w, h)| format!("{w}×{h}"))
        .unwrap_or_else(|| "?×?".into());
    let format = blob
        .mime_type()
        .strip_prefix("image/")
        .unwrap_or(blob.mime_type())
        .to_ascii_uppercase();
    format!(
        "{size} {format}, {}",
        crate::conversation::request::human_bytes(blob.size())
    )
}

/// Renders markdown-ish model text: `**bold**` spans become bold, the markers go.
pub fn styled_markdown(line: &str, base: ratatui::style::Style) -> Line<'static> {
    let mut spans = Vec::new();
    let mut bold = false;
    for (i, piece) in line.split("**").enumerate() {
        if i > 0 {
            bold = !bold;
        }
        if piece.is_empty() {
            continue;
        }
        let style = if bold {
            base.add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            base
        };
        spans.push(Span::styled(piece.to_string(), style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::state::panes::ScrollView;

    #[test]
    fn wrap_breaks_at_words_and_cuts_long_ones() {
        assert_eq!(
            wrap("a banana for scale", 8),
            vec!["a banana", "for", "scale"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one\n\ntwo", 10), vec!["one", "", "two"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("x", 0), vec!["x"]);
    }

    #[test]
    fn truncation_keeps_the_informative_end() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate_left("/a/b/c/image.png", 10), "…image.png");
    }

    #[test]
    fn keep_visible_moves_as_little_as_possible() {
        // Already visible: stays.
        assert_eq!(keep_visible(5, 6, 8, 10, 100), 5);
        // Above: scrolls up to it.
        assert_eq!(keep_visible(20, 6, 8, 10, 100), 6);
        // Below: scrolls just far enough.
        assert_eq!(keep_visible(0, 12, 15, 10, 100), 5);
        // Never past the end.
        assert_eq!(keep_visible(0, 95, 100, 10, 100), 90);
    }

    #[test]
    fn scroll_view_follows_until_scrolled_up() {
        let mut view = ScrollView::following();
        assert_eq!(view.offset_for(30, 10), 20);
        view.scroll_up(3);
        assert_eq!(view.offset_for(30, 10), 17);
        assert_eq!(
            view.offset_for(40, 10),
            17,
            "new text does not pull it down"
        );
        view.scroll_down(100);
        assert_eq!(
            view.offset_for(50, 10),
            40,
            "back at the bottom it follows again"
        );
    }
}
