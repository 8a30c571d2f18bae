//! Child processes of the suite (the `dvc-bot` binary): stopped with SIGTERM, waiting for the
//! exit itself, with a deadline.

use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

/// How long a process may take to stop cleanly: a safety net, not a timing assertion.
pub const STOP_DEADLINE: Duration = Duration::from_secs(60);

/// Sends SIGTERM and waits for the exit. A process that ignores SIGTERM is killed and fails
/// the test instead of hanging it.
pub async fn stop_with_sigterm(mut child: Child) -> ExitStatus {
    let pid = child.id().to_string();
    let signalled = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(signalled.success(), "SIGTERM sent to {pid}");
    let exit = tokio::task::spawn_blocking(move || child.wait());
    match tokio::time::timeout(STOP_DEADLINE, exit).await {
        Ok(waited) => waited.expect("the wait task").expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("dvc-bot (pid {pid}) did not stop within {STOP_DEADLINE:?} of SIGTERM");
        }
    }
}
