//! The panes' own state, kept by the `App` and drawn by `view`: scroll offsets and
//! selections. What depends on the drawn size (how far a pane can scroll) is recorded while
//! drawing, in `Cell`s, so drawing stays `&App` and `update` can page by what was on screen.

use std::cell::Cell;

/// A vertical scroll position. `follow` sticks to the bottom (for text that streams in).
#[derive(Debug, Default)]
pub struct ScrollView {
    offset: usize,
    follow: bool,
    /// The largest offset and the page height at the last draw.
    max: Cell<usize>,
    page: Cell<usize>,
}

impl ScrollView {
    pub fn following() -> Self {
        Self {
            follow: true,
            ..Self::default()
        }
    }

    /// The offset to draw `content` lines in a `viewport` of lines; records both.
    pub fn offset_for(&self, content: usize, viewport: usize) -> usize {
        let max = content.saturating_sub(viewport);
        self.max.set(max);
        self.page.set(viewport.max(1));
        if self.follow {
            max
        } else {
            self.offset.min(max)
        }
    }

    fn current(&self) -> usize {
        if self.follow {
            self.max.get()
        } else {
            self.offset.min(self.max.get())
        }
    }

    pub fn scroll_up(&mut self, lines: usize) {
        self.offset = self.current().saturating_sub(lines);
        self.follow = false;
    }

    pub fn scroll_down(&mut self, lines: usize) {
        self.offset = self.current().saturating_add(lines);
        self.follow = false;
        if self.offset >= self.max.get() {
            self.follow = true;
        }
    }

    pub fn page_up(&mut self) {
        self.scroll_up(self.page.get().saturating_sub(1).max(1));
    }

    pub fn page_down(&mut self) {
        self.scroll_down(self.page.get().saturating_sub(1).max(1));
    }

    pub fn top(&mut self) {
        self.offset = 0;
        self.follow = false;
    }

    pub fn bottom(&mut self) {
        self.follow = true;
    }
}

/// Scroll state: `None` follows the selection; paging sets an explicit offset.
#[derive(Debug, Default)]
pub struct ConversationView {
    pub(crate) scroll: Option<usize>,
    pub(crate) last_offset: Cell<usize>,
    pub(crate) last_page: Cell<usize>,
}

impl ConversationView {
    pub fn follow_selection(&mut self) {
        self.scroll = None;
    }

    pub fn page_up(&mut self) {
        let page = self.last_page.get().saturating_sub(1).max(1);
        self.scroll = Some(self.last_offset.get().saturating_sub(page));
    }

    pub fn page_down(&mut self) {
        let page = self.last_page.get().saturating_sub(1).max(1);
        self.scroll = Some(self.last_offset.get() + page);
    }
}

#[derive(Debug, Default)]
pub struct SourcesView {
    pub selected: usize,
    pub(crate) last_offset: Cell<usize>,
}

impl SourcesView {
    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self, count: usize) {
        if self.selected + 1 < count {
            self.selected += 1;
        }
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self, count: usize) {
        self.selected = count.saturating_sub(1);
    }
}

/// The list's view state: which row is selected.
#[derive(Debug, Default)]
pub struct JobsList {
    pub selected: usize,
}

impl JobsList {
    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self, len: usize) {
        if self.selected + 1 < len {
            self.selected += 1;
        }
    }

    /// After jobs ended: stay on a row that exists.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }
}
