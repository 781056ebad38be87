//! A small pool of preview threads taking jobs from one shared queue.
//!
//! The UI thread adds jobs with [`Pool::push`]; each thread takes the job that is due, the most
//! recently asked-for first (the [`Debouncer`] decides what is due and what is displaced). A job
//! that panics costs that job only: `crashed` is told and the thread goes on. Dropping the pool
//! ends its threads, each once it has finished the job it is on.
//!
//! Std threads rather than `spawn_blocking`: the previewer then works with or without a tokio
//! runtime (tests, examples, benches).

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::debounce::Debouncer;

/// A poisoned lock only means a panic elsewhere; what it guards is still consistent (every
/// change is a single insert or remove), so keep going rather than take the UI down.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Pool<T> {
    queue: Arc<Queue<T>>,
}

struct Queue<T> {
    waiting: Mutex<Waiting<T>>,
    /// Signalled when a job is added and when the pool closes.
    changed: Condvar,
}

struct Waiting<T> {
    debouncer: Debouncer<T>,
    open: bool,
}

impl<T: Send + 'static> Pool<T> {
    /// Starts `threads` threads (at least one) that run `work` on each job; `crashed` runs
    /// instead of the rest of `work` when it panics. A new size of a picture waits `settle`
    /// (see [`Debouncer`]); at most `capacity` jobs wait at once.
    pub fn start(
        threads: usize,
        settle: Duration,
        capacity: usize,
        work: impl Fn(&T) + Send + Sync + 'static,
        crashed: impl Fn(&T) + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let queue = Arc::new(Queue {
            waiting: Mutex::new(Waiting {
                debouncer: Debouncer::new(settle, capacity),
                open: true,
            }),
            changed: Condvar::new(),
        });
        let handlers = Arc::new((work, crashed));
        for index in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            let handlers = Arc::clone(&handlers);
            let spawned = thread::Builder::new()
                .name(format!("preview-{index}"))
                .spawn(move || {
                    crate::priority::lower_this_thread(PREVIEW_NICENESS);
                    let (work, crashed) = &*handlers;
                    while let Some(job) = queue.next() {
                        if catch_unwind(AssertUnwindSafe(|| work(&job))).is_err() {
                            crashed(&job);
                        }
                    }
                });
            // Fewer threads are slower, not wrong; none at all is an error.
            if let Err(error) = spawned
                && index == 0
            {
                return Err(error);
            }
        }
        Ok(Self { queue })
    }

    /// Adds a job for picture `id` at `size` (see [`Debouncer::observe`]); returns the job it
    /// displaced, which will not run.
    pub fn push(&self, id: u64, size: (u16, u16), job: T, now: Instant, urgent: bool) -> Option<T> {
        let displaced = lock(&self.queue.waiting)
            .debouncer
            .observe(id, size, job, now, urgent);
        self.queue.changed.notify_one();
        displaced
    }
}

/// Pictures are background work: the UI thread, the runtime that streams replies, and the
/// terminal that must read our output come first when the cores are busy. (Measured: a frame
/// waited 45 ms for tmux to read it while four 4K pictures decoded beside four streaming
/// replies; see BENCHMARKS.md.) Ten steps of nice: about a tenth of the CPU share of a normal
/// thread when both want a core.
const PREVIEW_NICENESS: i32 = 10;

impl<T> Queue<T> {
    /// The next job that is due, waiting for one; `None` once the pool is closed.
    fn next(&self) -> Option<T> {
        let mut waiting = lock(&self.waiting);
        loop {
            if !waiting.open {
                return None;
            }
            if let Some(job) = waiting.debouncer.take_due(Instant::now()) {
                return Some(job);
            }
            waiting = match waiting.debouncer.next_due() {
                None => self
                    .changed
                    .wait(waiting)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(due) => {
                    let timeout = due.saturating_duration_since(Instant::now());
                    self.changed
                        .wait_timeout(waiting, timeout)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

impl<T> Drop for Pool<T> {
    fn drop(&mut self) {
        lock(&self.queue.waiting).open = false;
        self.queue.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{self, Receiver, Sender};

    use super::*;

    const SETTLE: Duration = Duration::from_millis(100);
    const PATIENCE: Duration = Duration::from_secs(10);

    /// A job of the tests: its number, and whether it should wait for `gate` first.
    struct TestJob {
        number: u32,
        gate: Option<Receiver<()>>,
    }

    fn job(number: u32) -> TestJob {
        TestJob { number, gate: None }
    }

    /// A pool whose work reports each job's number on `done` (after waiting at its gate, and
    /// panicking on job 13); `crashed` reports the number negated.
    fn pool(threads: usize) -> (Pool<TestJob>, Receiver<i64>) {
        let (done, results) = mpsc::channel::<i64>();
        let crashed_done = done.clone();
        let pool = Pool::start(
            threads,
            SETTLE,
            8,
            move |job: &TestJob| {
                if let Some(gate) = &job.gate {
                    let _ = gate.recv_timeout(PATIENCE);
                }
                assert_ne!(job.number, 13, "the decoder crashed");
                let _ = done.send(i64::from(job.number));
            },
            move |job: &TestJob| {
                let _ = crashed_done.send(-i64::from(job.number));
            },
        )
        .unwrap();
        (pool, results)
    }

    fn push(pool: &Pool<TestJob>, id: u64, job: TestJob) {
        assert!(pool.push(id, (80, 24), job, Instant::now(), true).is_none());
    }

    /// A job that holds a thread until the returned sender is used or dropped.
    fn blocker(number: u32) -> (TestJob, Sender<()>) {
        let (open, gate) = mpsc::channel();
        (
            TestJob {
                number,
                gate: Some(gate),
            },
            open,
        )
    }

    #[test]
    fn the_newest_waiting_job_runs_first() {
        let (pool, results) = pool(1);
        let (busy, release) = blocker(1);
        push(&pool, 1, busy);
        // The one thread is busy with job 1 while three more arrive.
        std::thread::sleep(Duration::from_millis(50));
        for number in 2..=4 {
            push(&pool, u64::from(number), job(number));
        }
        drop(release);
        let order: Vec<i64> = (0..4)
            .map(|_| results.recv_timeout(PATIENCE).unwrap())
            .collect();
        assert_eq!(order, [1, 4, 3, 2]);
    }

    #[test]
    fn two_threads_prepare_two_pictures_at_once() {
        let (pool, results) = pool(2);
        let (first, release_first) = blocker(1);
        let (second, release_second) = blocker(2);
        push(&pool, 1, first);
        push(&pool, 2, second);
        // Each job waits at its gate: the second finishes only if it runs beside the first.
        release_second.send(()).unwrap();
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), 2);
        release_first.send(()).unwrap();
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), 1);
    }

    #[test]
    fn a_job_that_panics_costs_that_job_only() {
        let (pool, results) = pool(1);
        push(&pool, 13, job(13));
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), -13);
        // The one thread is still there for the next picture.
        push(&pool, 14, job(14));
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), 14);
    }

    #[test]
    fn dropping_the_pool_ends_its_threads() {
        let (pool, results) = pool(2);
        push(&pool, 1, job(1));
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), 1);
        drop(pool);
        // The threads held the only senders left (in `work` and `crashed`): when every thread
        // has ended and dropped them, the channel disconnects.
        assert_eq!(
            results.recv_timeout(PATIENCE),
            Err(mpsc::RecvTimeoutError::Disconnected)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn pool_threads_run_below_the_ui_threads_priority() {
        let (done, niceness) = mpsc::channel();
        let pool = Pool::start(
            1,
            SETTLE,
            8,
            move |_: &TestJob| {
                let thread = rustix::thread::gettid();
                let _ = done.send(rustix::process::getpriority_process(Some(thread)));
            },
            |_: &TestJob| {},
        )
        .unwrap();
        push(&pool, 1, job(1));
        let own = rustix::process::getpriority_process(None).unwrap();
        let theirs = niceness.recv_timeout(PATIENCE).unwrap().unwrap();
        // Already at the lowest priority (nice 19), a process cannot go lower.
        assert_eq!(theirs, (own + PREVIEW_NICENESS).min(19));
    }

    #[test]
    fn a_resize_waits_to_settle_on_a_pool_thread_too() {
        let (pool, results) = pool(2);
        let asked = Instant::now();
        assert!(pool.push(7, (80, 24), job(7), asked, false).is_none());
        assert_eq!(results.recv_timeout(PATIENCE).unwrap(), 7);
        assert!(asked.elapsed() >= SETTLE);
    }
}
