//! Opt-in timing of the event loop (`BANANA_STUDIO_LOOP_STATS`).

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Opt-in timing of the event loop, for `scripts/bench-e2e.sh`: with
/// `BANANA_STUDIO_LOOP_STATS=path` set, the longest time the loop was busy between two waits
/// for events (handling a batch and drawing: while busy, a key waits), every busy stretch (in
/// µs, for a histogram over runs) and the wall-clock time of the first drawn frame are written
/// to `path` when the studio quits. Unset, the loop pays one branch on a `None` per step.
pub(super) struct LoopStats {
    path: PathBuf,
    busy_since: Option<Instant>,
    max_busy: Duration,
    iterations: u64,
    /// Every busy stretch, in microseconds.
    busy: Vec<u32>,
    /// Since the Unix epoch, so a script can subtract the moment it launched the process.
    first_frame: Option<Duration>,
}

impl LoopStats {
    pub(super) fn from_env() -> Option<Self> {
        let path = std::env::var_os("BANANA_STUDIO_LOOP_STATS")?;
        Some(Self {
            path: PathBuf::from(path),
            busy_since: None,
            max_busy: Duration::ZERO,
            iterations: 0,
            busy: Vec::new(),
            first_frame: None,
        })
    }

    pub(super) fn drawn(&mut self) {
        if self.first_frame.is_none() {
            self.first_frame = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok();
        }
    }

    pub(super) fn waiting(&mut self) {
        if let Some(since) = self.busy_since.take() {
            let busy = since.elapsed();
            self.max_busy = self.max_busy.max(busy);
            self.iterations += 1;
            self.busy
                .push(u32::try_from(busy.as_micros()).unwrap_or(u32::MAX));
        }
    }

    pub(super) fn woke(&mut self) {
        self.busy_since = Some(Instant::now());
    }

    pub(super) fn write(self) -> io::Result<()> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let busy: Vec<String> = self.busy.iter().map(u32::to_string).collect();
        let text = format!(
            "max_busy_ms={:.3}\niterations={}\nfirst_frame_unix_ms={:.3}\nbusy_us={}\n",
            ms(self.max_busy),
            self.iterations,
            self.first_frame.map_or(0.0, ms),
            busy.join(","),
        );
        std::fs::write(&self.path, text).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot write loop stats to {}: {e}", self.path.display()),
            )
        })
    }
}
