//! The studio's output to the terminal, written by a thread of its own.
//!
//! Writing a frame blocks until the terminal has read it, and a terminal reads at its own pace:
//! tmux or an emulator short of a core, or an SSH link. A frame of four halfblock pictures is
//! several hundred kilobytes, and the event loop once waited 45–98 ms in `write` for one (see
//! BENCHMARKS.md). Here each flushed frame is handed over whole and the loop goes on; the thread
//! writes the frames in order. At most [`FRAMES_AHEAD`] wait, so a terminal that stops reading
//! holds the loop back instead of growing a queue.
//!
//! Everything else written to the terminal (entering and leaving the screen, OSC 52) takes the
//! same `screen` lock the thread holds for each frame, so nothing lands inside a frame; and a
//! frame waiting while the screen is down (after a panic, or while an editor has the terminal)
//! is dropped rather than printed over the user's shell.

use std::io::{self, Write};
use std::mem;
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// Frames that may wait for the terminal before a flush blocks.
const FRAMES_AHEAD: usize = 2;

pub struct TerminalOut {
    frame: Vec<u8>,
    frames: Option<SyncSender<Vec<u8>>>,
    /// The last write error, reported by the next flush.
    failed: Arc<Mutex<Option<io::Error>>>,
    writer: Option<JoinHandle<()>>,
}

impl TerminalOut {
    /// Starts the thread that writes to `out` while `screen` holds `true`.
    pub fn spawn<W: Write + Send + 'static>(
        mut out: W,
        screen: &'static Mutex<bool>,
    ) -> io::Result<Self> {
        let (frames, queue) = mpsc::sync_channel::<Vec<u8>>(FRAMES_AHEAD);
        let failed = Arc::new(Mutex::new(None));
        let report = Arc::clone(&failed);
        let writer = thread::Builder::new()
            .name("terminal-out".into())
            .spawn(move || {
                for frame in queue {
                    let up = screen.lock().unwrap_or_else(PoisonError::into_inner);
                    if !*up {
                        continue;
                    }
                    if let Err(error) = out.write_all(&frame).and_then(|()| out.flush()) {
                        *report.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
                    }
                }
            })?;
        Ok(Self {
            frame: Vec::new(),
            frames: Some(frames),
            failed,
            writer: Some(writer),
        })
    }
}

impl Write for TerminalOut {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.frame.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(error) = self
            .failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            return Err(error);
        }
        if self.frame.is_empty() {
            return Ok(());
        }
        let frame = mem::take(&mut self.frame);
        let stopped = || io::Error::other("the terminal writer stopped");
        self.frames
            .as_ref()
            .ok_or_else(stopped)?
            .send(frame)
            .map_err(|_| stopped())
    }
}

impl Drop for TerminalOut {
    /// Waits until every frame is written: the screen is left only after the last one.
    fn drop(&mut self) {
        drop(self.frames.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Receiver, Sender};
    use std::time::Duration;

    use super::*;

    const PATIENCE: Duration = Duration::from_secs(10);

    /// A terminal that reads one write at a time, when the test lets it; what it read is in
    /// `read`.
    struct SlowTerminal {
        allowed: Receiver<()>,
        read: Arc<Mutex<Vec<u8>>>,
        fail: bool,
    }

    impl Write for SlowTerminal {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let _ = self.allowed.recv_timeout(PATIENCE);
            if self.fail {
                return Err(io::Error::other("the terminal is gone"));
            }
            self.read.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn slow(
        screen: &'static Mutex<bool>,
        fail: bool,
    ) -> (TerminalOut, Sender<()>, Arc<Mutex<Vec<u8>>>) {
        let (allow, allowed) = mpsc::channel();
        let read = Arc::new(Mutex::new(Vec::new()));
        let terminal = SlowTerminal {
            allowed,
            read: Arc::clone(&read),
            fail,
        };
        (TerminalOut::spawn(terminal, screen).unwrap(), allow, read)
    }

    /// What ratatui does for a frame: write it, then flush.
    fn frame(out: &mut TerminalOut, bytes: &[u8]) {
        out.write_all(bytes).unwrap();
        out.flush().unwrap();
    }

    #[test]
    fn a_frame_is_handed_over_without_waiting_for_the_terminal() {
        static SCREEN: Mutex<bool> = Mutex::new(true);
        let (mut out, allow, read) = slow(&SCREEN, false);
        // The terminal reads nothing yet: both flushes return at once all the same.
        frame(&mut out, b"frame one,");
        frame(&mut out, b" frame two");
        assert!(read.lock().unwrap().is_empty());
        allow.send(()).unwrap();
        allow.send(()).unwrap();
        // Dropping waits until everything is written, in order.
        drop(out);
        assert_eq!(read.lock().unwrap().as_slice(), b"frame one, frame two");
    }

    #[test]
    fn frames_waiting_while_the_screen_is_down_are_dropped() {
        static SCREEN: Mutex<bool> = Mutex::new(true);
        let (mut out, allow, read) = slow(&SCREEN, false);
        frame(&mut out, b"shown");
        allow.send(()).unwrap();
        // Taking the screen lock waits for the frame being written.
        while read.lock().unwrap().is_empty() {
            thread::sleep(Duration::from_millis(1));
        }
        *SCREEN.lock().unwrap() = false;
        frame(&mut out, b"stale");
        drop(out);
        assert_eq!(read.lock().unwrap().as_slice(), b"shown");
    }

    #[test]
    fn a_write_error_is_reported_by_the_next_flush() {
        static SCREEN: Mutex<bool> = Mutex::new(true);
        let (mut out, allow, _) = slow(&SCREEN, true);
        frame(&mut out, b"lost");
        allow.send(()).unwrap();
        let deadline = std::time::Instant::now() + PATIENCE;
        let error = loop {
            match out.flush() {
                Err(error) => break error,
                Ok(()) => {
                    assert!(std::time::Instant::now() < deadline, "no error reported");
                    thread::sleep(Duration::from_millis(1));
                }
            }
        };
        assert_eq!(error.to_string(), "the terminal is gone");
    }
}
