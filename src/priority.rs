//! Lower priorities for the studio's background threads, so that when the cores are busy the
//! UI thread (and the terminal that reads our output) get one first. Measured in BENCHMARKS.md
//! ("Event loop with four 4K replies streaming").

/// Lowers the calling thread's priority by `steps` of nice, from the process's own (the user
/// may have started it with `nice`); 19 is the lowest. On Linux a nice value is per thread;
/// elsewhere this does nothing. Failing leaves the thread as it was: slower for the UI, not
/// wrong.
pub fn lower_this_thread(steps: i32) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let thread = Some(rustix::thread::gettid());
        if let Ok(own) = getpriority_process(thread) {
            let _ = setpriority_process(thread, (own + steps).min(19));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = steps;
}
