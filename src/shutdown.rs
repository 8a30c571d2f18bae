//! The process's stop signal: SIGINT (Ctrl-C) or SIGTERM, whichever comes first, asks for a
//! clean stop; a second one while stopping exits at once.

/// Which signal came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// The exit code of a process ended by this signal (128 + its number), as shells report it.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The process's listeners of SIGINT and SIGTERM, made once and kept, so that no signal is
/// missed between the first and the second.
#[cfg(unix)]
struct Listeners {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Listeners {
    fn new() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(s) => Some(s),
            Err(error) => {
                tracing::error!(%error, "cannot listen for {name}");
                None
            }
        };
        Self {
            interrupt: listen(SignalKind::interrupt(), "SIGINT"),
            terminate: listen(SignalKind::terminate(), "SIGTERM"),
        }
    }

    /// Resolves with the next SIGINT or SIGTERM.
    async fn next(&mut self) -> Signal {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            () = recv(&mut self.interrupt) => Signal::Interrupt,
            () = recv(&mut self.terminate) => Signal::Terminate,
        }
    }
}

/// Elsewhere: Ctrl-C only.
#[cfg(not(unix))]
struct Listeners;

#[cfg(not(unix))]
impl Listeners {
    fn new() -> Self {
        Self
    }
    async fn next(&mut self) -> Signal {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        Signal::Interrupt
    }
}

/// Resolves when the process is asked to stop. The listeners are installed when this is
/// called (inside the runtime), so a signal that comes before the future is first polled is
/// not lost. From then on a second SIGINT or SIGTERM ends the process at once (exit code 128 +
/// the signal's number), without waiting for what is in flight: the operator's way out of a
/// stop that takes too long.
pub fn signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    let mut listeners = Listeners::new();
    async move {
        let first = listeners.next().await;
        tracing::info!(
            "{} received, stopping (updates in flight finish; a second signal exits at once)",
            first.name()
        );
        tokio::spawn(async move {
            let second = listeners.next().await;
            tracing::warn!("{} received again, exiting at once", second.name());
            // The log line above is written synchronously to stderr before the exit.
            std::process::exit(second.exit_code());
        });
    }
}
