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

/// `dvc-bot sandbox` as a citizen starts it (no token, free ports, everything under `data`),
/// with the addresses it prints read up to its "health, metrics" line.
pub struct SandboxProcess {
    pub child: Child,
    printed: Vec<String>,
    /// The rest of its standard output (kept open: a closed pipe would fail its next print).
    _stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl SandboxProcess {
    /// Starts it with `RUST_LOG=rust_log`, its log going to `stderr`.
    pub fn start(data: &std::path::Path, rust_log: &str, stderr: std::process::Stdio) -> Self {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
            .arg("sandbox")
            .env("DVC_DATA_DIR", data)
            .env("DVC_SANDBOX_LISTEN", "127.0.0.1:0")
            .env("DVC_ADMIN_LISTEN", "127.0.0.1:0")
            .env_remove("DATABASE_URL")
            .env_remove("DVC_PORTAL_URL")
            .env_remove("DVC_PORTAL_DATABASE_URL")
            .env_remove("TELOXIDE_TOKEN")
            .env("RUST_LOG", rust_log)
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("run dvc-bot");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut printed = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("a line");
            printed.push(line.clone());
            if line.contains("health, metrics") {
                break;
            }
        }
        Self {
            child,
            printed,
            _stdout: lines,
        }
    }

    /// The last word of the printed line with `label` ("web chat:", "officer token:", …).
    pub fn printed(&self, label: &str) -> String {
        self.printed
            .iter()
            .find(|l| l.contains(label))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_else(|| panic!("{label} is printed: {:?}", self.printed))
            .to_owned()
    }

    /// The printed address that ends with `suffix` ("/metrics", "/healthz").
    pub fn printed_url(&self, suffix: &str) -> String {
        self.printed
            .iter()
            .flat_map(|l| l.split_whitespace())
            .find(|w| w.starts_with("http") && w.ends_with(suffix))
            .unwrap_or_else(|| panic!("an address ending {suffix} is printed: {:?}", self.printed))
            .to_owned()
    }
}
