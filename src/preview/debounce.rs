//! Waits for a pane size to settle before preparing a picture for it.
//!
//! Dragging a terminal edge sends a resize for every column; preparing a 4K picture for each
//! one would keep the worker busy with sizes nobody sees any more. Each picture has at most one
//! pending size per kind of place (the pane, a thumbnail); a new size there replaces it and
//! restarts its wait. Pure: the caller passes the time, so tests need no clock.

use std::time::{Duration, Instant};

/// Whether `to` cells are the picture of `from` cells at a new size, as when a pane is
/// resized: a quarter to four times the cells. A thumbnail and the pane's picture of one
/// version are not resizes of each other; both are wanted at once.
pub fn is_resize(from: (u16, u16), to: (u16, u16)) -> bool {
    let cells = |c: (u16, u16)| u32::from(c.0) * u32::from(c.1);
    cells(from) * 4 >= cells(to) && cells(to) * 4 >= cells(from)
}

struct Pending<T> {
    id: u64,
    size: (u16, u16),
    due: Instant,
    job: T,
}

pub struct Debouncer<T> {
    delay: Duration,
    capacity: usize,
    /// Oldest first.
    pending: Vec<Pending<T>>,
}

impl<T> Debouncer<T> {
    /// `capacity` bounds how many pictures can wait at once: scrolling quickly through a long
    /// conversation must not queue every picture it passed.
    pub fn new(delay: Duration, capacity: usize) -> Self {
        Self {
            delay,
            capacity: capacity.max(1),
            pending: Vec::new(),
        }
    }

    /// Records that picture `id` is wanted at `size` as of `now`.
    ///
    /// `urgent` means nothing of this picture is on screen yet, so there is nothing to keep
    /// showing while we wait: the job is due at once unless it replaces a pending size.
    /// Returns a job this one displaced (a replaced size, or the oldest picture when over
    /// capacity), so the caller can forget it was asked for. A new job at the pending size
    /// (another crop of the picture, in the full view) replaces the pending one but keeps its
    /// due time: asking again every frame must not postpone a picture.
    pub fn observe(
        &mut self,
        id: u64,
        size: (u16, u16),
        job: T,
        now: Instant,
        urgent: bool,
    ) -> Option<T> {
        if let Some(pending) = self
            .pending
            .iter_mut()
            .find(|p| p.id == id && is_resize(p.size, size))
        {
            if pending.size != size {
                pending.size = size;
                pending.due = now + self.delay;
            }
            return Some(std::mem::replace(&mut pending.job, job));
        }
        let due = if urgent { now } else { now + self.delay };
        self.pending.push(Pending { id, size, due, job });
        if self.pending.len() > self.capacity {
            return Some(self.pending.remove(0).job);
        }
        None
    }

    /// When the next job becomes due, if any is pending.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.due).min()
    }

    /// The job that has been due longest, if any is due at `now`. When several are due the
    /// most recently asked-for comes first: that is the picture the user is looking at.
    pub fn take_due(&mut self, now: Instant) -> Option<T> {
        let index = self.pending.iter().rposition(|p| p.due <= now)?;
        Some(self.pending.remove(index).job)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAY: Duration = Duration::from_millis(100);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_resize_waits_until_the_size_is_stable() {
        let t0 = Instant::now();
        let mut debouncer = Debouncer::new(DELAY, 4);
        assert_eq!(debouncer.observe(1, (80, 24), 1, t0, false), None);
        assert_eq!(debouncer.take_due(t0 + ms(50)), None);
        // The size changes again before it settled: the wait starts over.
        assert_eq!(
            debouncer.observe(1, (81, 24), 2, t0 + ms(60), false),
            Some(1)
        );
        assert_eq!(debouncer.take_due(t0 + ms(120)), None);
        assert_eq!(debouncer.next_due(), Some(t0 + ms(160)));
        assert_eq!(debouncer.take_due(t0 + ms(160)), Some(2));
        assert!(debouncer.is_empty());
        assert_eq!(debouncer.next_due(), None);
    }

    #[test]
    fn a_thumbnail_and_the_pane_picture_of_one_version_wait_side_by_side() {
        let t0 = Instant::now();
        let mut debouncer = Debouncer::new(DELAY, 4);
        // Each frame asks for both, the pane's picture and the strip's thumbnail.
        for frame in 0..10 {
            let now = t0 + Duration::from_millis(frame * 16);
            // Asking again replaces the same place's request, never the other place's.
            let displaced = debouncer.observe(1, (80, 24), "pane", now, true);
            assert_ne!(displaced, Some("thumb"));
            let displaced = debouncer.observe(1, (8, 4), "thumb", now, true);
            assert_ne!(displaced, Some("pane"));
        }
        assert_eq!(debouncer.len(), 2);
        let mut due = [debouncer.take_due(t0), debouncer.take_due(t0)];
        due.sort();
        assert_eq!(
            due,
            [Some("pane"), Some("thumb")],
            "neither waits on the other"
        );
        assert!(is_resize((80, 24), (40, 12)) && !is_resize((80, 24), (8, 4)));
    }

    #[test]
    fn asking_again_for_the_same_size_does_not_restart_the_wait() {
        let t0 = Instant::now();
        let mut debouncer = Debouncer::new(DELAY, 4);
        debouncer.observe(1, (80, 24), 1, t0, false);
        // Every frame asks again; that must not postpone the picture forever. The newer job
        // (another crop at the same size) is the one that runs.
        assert_eq!(
            debouncer.observe(1, (80, 24), 9, t0 + ms(90), false),
            Some(1)
        );
        assert_eq!(debouncer.take_due(t0 + ms(100)), Some(9));
    }

    #[test]
    fn a_first_picture_is_due_at_once() {
        let t0 = Instant::now();
        let mut debouncer = Debouncer::new(DELAY, 4);
        debouncer.observe(1, (80, 24), 1, t0, true);
        assert_eq!(debouncer.take_due(t0), Some(1));
    }

    #[test]
    fn the_latest_due_picture_goes_first_and_capacity_drops_the_oldest() {
        let t0 = Instant::now();
        let mut debouncer = Debouncer::new(DELAY, 2);
        debouncer.observe(1, (10, 10), 1, t0, true);
        debouncer.observe(2, (10, 10), 2, t0, true);
        assert_eq!(debouncer.observe(3, (10, 10), 3, t0, true), Some(1));
        assert_eq!(debouncer.len(), 2);
        assert_eq!(debouncer.take_due(t0), Some(3));
        assert_eq!(debouncer.take_due(t0), Some(2));
        assert_eq!(debouncer.take_due(t0), None);
    }
}
