//! Work cut into parts, one thread each: the sixel encoder's bands, kitty's PNG strips.

use std::thread;

/// `work(part)` for each of `parts` parts, each on its own thread, in order; `None` if one
/// panicked (only a bug does that). One part runs here. This thread only waits: doing the
/// first part here measured 3 ms slower in the full view's zoom step (18.7 → 21.6 ms; it runs
/// on a preview thread), for a reason not found.
pub(super) fn split<T: Send>(parts: usize, work: impl Fn(usize) -> T + Sync) -> Option<Vec<T>> {
    if parts <= 1 {
        return Some(vec![work(0)]);
    }
    let work = &work;
    thread::scope(|scope| {
        let workers: Vec<_> = (0..parts)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().ok())
            .collect()
    })
}
