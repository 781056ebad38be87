//! The signals that end the studio.

/// SIGTERM, SIGHUP (the SSH connection dropped) and SIGINT all end the studio cleanly.
pub(super) struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    pub(super) fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::interrupt(),
            ]
            .into_iter()
            .filter_map(|kind| signal(kind).ok())
            .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        Self {}
    }

    pub(super) async fn recv(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let futures = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_util::future::select_all(futures).await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
