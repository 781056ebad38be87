//! `banana-studio demo-server`: the built-in demo model as a process of its own.
//!
//! `--demo` runs the demo inside the client, so the client's memory and CPU figures include
//! the demo's painting and encoding. A separate server lets scripts (`scripts/bench-e2e.sh`)
//! and people measure `send` or the studio alone, through `BANANA_BASE_URL`.

use std::io::Write;

use crate::context::Failure;
use crate::demo::{DEMO_KEY, DemoOptions, DemoServer};

/// Serves until SIGTERM or SIGINT, then stops and returns.
pub async fn run(port: u16) -> Result<(), Failure> {
    let mut options = DemoOptions::from_env().map_err(Failure::input)?;
    // The server's stderr is its own here, so it can say what it answered.
    options.log_requests = true;
    // Listen for the signals before announcing the address: a caller may stop the server as
    // soon as it has read the line, and that must still be a clean exit.
    let mut stop = StopSignals::new()?;
    let server = DemoServer::start_at(options, port)
        .await
        .map_err(|e| Failure::input(format!("Cannot listen on 127.0.0.1:{port}: {e}")))?;
    announce(server.base_url())?;
    stop.recv().await;
    // Dropping the handle shuts the server down gracefully.
    drop(server);
    Ok(())
}

/// One line a shell can split into the two variables `send` needs: the demo's address and its
/// key (a public constant that the demo accepts, not a secret).
fn announce(base_url: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "BANANA_BASE_URL={base_url} GEMINI_API_KEY={DEMO_KEY}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure {
            message: format!("Cannot write the demo server's address to stdout: {e}"),
            code: 1,
        })?;
    crate::errln!("demo-server: listening on {base_url}; stop it with SIGTERM or Ctrl-C");
    Ok(())
}

/// SIGTERM (`kill`) and SIGINT (Ctrl-C).
struct StopSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn new() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| {
                signal(kind).map_err(|e| Failure {
                    message: format!("Cannot listen for signals: {e}"),
                    code: 1,
                })
            };
            Ok(Self {
                terminate: listen(SignalKind::terminate())?,
                interrupt: listen(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        {
            // Without a handler Ctrl-C would end the process at once; with one it is a clean
            // stop. An error means no handler could be installed: then wait for the default.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
