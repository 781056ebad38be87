//! The state of a batch of variations: its settings and the grid of candidates it fills (a
//! cell per candidate: running, a reply, or failed). `variations` acts on them.

use crate::conversation::TurnId;
use crate::tui::state::event::JobId;
use crate::variations::Seeds;

/// How many variations `/vary` sends, when to ask before sending, and the next batch's seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSettings {
    pub count: u8,
    /// Ask before a batch that costs more than this (the provider's currency).
    pub confirm_over: f64,
    /// Where the next batch's seeds start: the studio draws a random start when it opens
    /// (`update` draws nothing), and each batch goes on from the last.
    pub seeds: Seeds,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self {
            count: 4,
            confirm_over: 1.0,
            seeds: Seeds::starting_at(0),
        }
    }
}

/// One cell of the grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    Running(JobId),
    Reply(TurnId),
    Failed(String),
}

/// The grid of one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct VaryGrid {
    pub prompt: TurnId,
    pub candidates: Vec<Candidate>,
    pub selected: usize,
}

impl VaryGrid {
    /// Columns for `n` candidates: 2×1, 2×2, 3×2, 4×2.
    pub fn columns(n: usize) -> usize {
        match n {
            0..=4 => 2.min(n.max(1)),
            5 | 6 => 3,
            _ => 4,
        }
    }

    /// A job of the batch ended: its cell shows the reply or why it failed.
    pub fn resolve(&mut self, job: JobId, to: Candidate) {
        for candidate in &mut self.candidates {
            if *candidate == Candidate::Running(job) {
                *candidate = to;
                return;
            }
        }
    }

    pub(crate) fn step(&mut self, dx: isize, dy: isize) {
        let n = self.candidates.len();
        if n == 0 {
            return;
        }
        let columns = Self::columns(n) as isize;
        let next = self.selected as isize + dx + dy * columns;
        if (0..n as isize).contains(&next) {
            self.selected = next as usize;
        }
    }
}
