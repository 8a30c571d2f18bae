//! A bot process under test: started as `dvc-bot bench-bot`, ready when it says so, asked for
//! its CPU time by a line on its stdin, stopped by closing its stdin.

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use super::{BotKind, ChildArgs};

/// How long a bot process may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a bot process may take to stop once its stdin is closed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// A bot process under test.
pub(super) struct BotProcess {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    pub(super) pid: u32,
}

impl BotProcess {
    pub(super) async fn start(args: &ChildArgs) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find this program to run its bots")?;
        let kind = match args.kind {
            BotKind::Dvc => "dvc",
            BotKind::Baseline => "baseline",
            BotKind::Echo => "echo",
        };
        // `DVC_BENCH_WRAP` (e.g. `valgrind --tool=callgrind`) runs each bot under a profiler.
        let wrap = std::env::var("DVC_BENCH_WRAP").unwrap_or_default();
        let mut wrap = wrap.split_whitespace();
        let mut command = match wrap.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(wrap).arg(exe);
                command
            }
            None => Command::new(exe),
        };
        let mut child = command
            .arg("bench-bot")
            .args(["--kind", kind])
            .args(["--api", args.api_url.as_str()])
            .args(["--bot-token", &args.token])
            .args(["--portal", &args.portal_url])
            .args(["--db", &args.database_url])
            .arg("--dir")
            .arg(&args.data_dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start a bot process")?;
        let pid = child.id().context("the bot process ended at once")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if line.trim() == "ready" {
                    return Ok(true);
                }
            }
            Ok::<_, std::io::Error>(false)
        })
        .await;
        match ready {
            Ok(Ok(true)) => Ok(Self { child, lines, pid }),
            Ok(Ok(false)) => anyhow::bail!("the bot process stopped before it was ready"),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => anyhow::bail!("the bot process was not ready in {START_TIMEOUT:?}"),
        }
    }

    /// The CPU time the process has used so far (user + system, every thread), as it reads it
    /// itself with `getrusage`: microseconds, where `/proc` counts 10 ms ticks.
    pub(super) async fn cpu(&mut self) -> anyhow::Result<Duration> {
        let stdin = self
            .child
            .stdin
            .as_mut()
            .context("the bot's stdin is closed")?;
        stdin.write_all(b"cpu\n").await?;
        stdin.flush().await?;
        let answer = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = self.lines.next_line().await? {
                if let Some(micros) = line.trim().strip_prefix("cpu ") {
                    return Ok(micros.parse::<u64>().ok());
                }
            }
            Ok::<_, std::io::Error>(None)
        })
        .await;
        match answer {
            Ok(Ok(Some(micros))) => Ok(Duration::from_micros(micros)),
            Ok(Ok(None)) => anyhow::bail!("the bot process did not say its CPU time"),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => anyhow::bail!("the bot process did not say its CPU time in time"),
        }
    }

    /// Closes its stdin and waits for it to stop (killed if it does not in time).
    pub(super) async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.child.stdin.take());
        match tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                anyhow::ensure!(status.success(), "the bot process ended with {status}");
                Ok(())
            }
            Err(_) => {
                self.child.kill().await?;
                anyhow::bail!("the bot process did not stop in {STOP_TIMEOUT:?}")
            }
        }
    }
}
