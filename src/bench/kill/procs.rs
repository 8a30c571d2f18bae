//! The kill test's processes, each this same binary: the sandbox (`sandbox --bot-api-only`),
//! the reference portal (`portal`), and the bot (`run`) that is killed with SIGKILL and started
//! again. The sandbox and the portal say their address on stdout; the bot is ready when its
//! health check answers.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a process may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A started process (killed when dropped).
pub struct Proc {
    pub child: Child,
    pub pid: u32,
}

impl Proc {
    /// SIGKILL, then the exit reaped.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill().context("SIGKILL")?;
        self.child
            .wait()
            .await
            .context("reaping a killed process")?;
        Ok(())
    }

    /// SIGTERM, then the exit, killed if it takes longer than a minute.
    pub async fn terminate(mut self) -> anyhow::Result<std::process::ExitStatus> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        match tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => {
                self.child.start_kill()?;
                anyhow::bail!("process {} did not stop on SIGTERM", self.pid)
            }
        }
    }
}

fn exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe().context("cannot find this program to start its parts")
}

/// The variables of ours a child must not inherit from the caller's environment.
const OURS: &[&str] = &[
    "DATABASE_URL",
    "TELOXIDE_TOKEN",
    "TELOXIDE_API_URL",
    "DVC_PORTAL_URL",
    "DVC_PORTAL_LISTEN",
    "DVC_PORTAL_DATABASE_URL",
    "DVC_WEBHOOK_URL",
    "DVC_SANDBOX_TOKENS",
    "DVC_SANDBOX_BOT_API_ONLY",
    "DVC_SANDBOX_LIMITS",
];

fn command(data_dir: &Path) -> anyhow::Result<Command> {
    let mut command = Command::new(exe()?);
    for name in OURS {
        command.env_remove(name);
    }
    command
        .env("DVC_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    Ok(command)
}

/// Starts `command` and reads its stdout until a line starting with `prefix`; the rest of
/// that line, up to the first space, is its address.
async fn start_saying(
    mut command: Command,
    prefix: &str,
    what: &str,
) -> anyhow::Result<(Proc, String)> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start the {what}"))?;
    let pid = child.id().context("the process ended at once")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.trim().strip_prefix(prefix) {
                return Ok(Some(
                    rest.split_whitespace().next().unwrap_or("").to_owned(),
                ));
            }
        }
        Ok::<_, std::io::Error>(None)
    })
    .await;
    // The rest of its output is read and dropped, so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    match found {
        Ok(Ok(Some(address))) => Ok((Proc { child, pid }, address)),
        Ok(Ok(None)) => anyhow::bail!("the {what} stopped before saying its address"),
        Ok(Err(error)) => Err(error.into()),
        Err(_) => anyhow::bail!("the {what} did not start in {START_TIMEOUT:?}"),
    }
}

/// `dvc-bot sandbox --bot-api-only` on a free port: the process and its base URL.
pub async fn sandbox(dir: &Path, token: &str) -> anyhow::Result<(Proc, url::Url)> {
    let mut command = command(dir)?;
    command
        .args(["sandbox", "--bot-api-only"])
        .env("DVC_SANDBOX_LISTEN", "127.0.0.1:0")
        .env("DVC_SANDBOX_TOKENS", token)
        .env("DVC_ADMIN_LISTEN", "127.0.0.1:0");
    let (proc, address) = start_saying(command, "sandbox Bot API and web chat:", "sandbox").await?;
    let url = url::Url::parse(&address).with_context(|| format!("sandbox address {address:?}"))?;
    Ok((proc, url))
}

/// `dvc-bot portal` on a free port with the given tokens: the process and its base URL.
pub async fn portal(
    dir: &Path,
    database_url: &str,
    officer_token: &str,
    service_token: &str,
) -> anyhow::Result<(Proc, String)> {
    let mut command = command(dir)?;
    command
        .arg("portal")
        .env("DVC_PORTAL_LISTEN", "127.0.0.1:0")
        .env("DVC_PORTAL_DATABASE_URL", database_url)
        .env("DVC_OFFICER_TOKEN", officer_token)
        .env("DVC_SERVICE_TOKEN", service_token);
    let (proc, address) = start_saying(command, "portal:", "portal").await?;
    Ok((proc, address.trim_end_matches('/').to_owned()))
}

/// How the bot is started, the same each time.
#[derive(Debug, Clone)]
pub struct BotSpec {
    pub dir: PathBuf,
    pub token: String,
    pub api_url: url::Url,
    pub portal_url: String,
    pub service_token: String,
    pub database_url: String,
    pub secret_key: String,
    /// The bot's stderr, appended to by every start.
    pub log: PathBuf,
}

/// A free loopback port (bound and released).
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// `dvc-bot run` as `spec` says, ready once its health check answers 200.
pub async fn bot(spec: &BotSpec, http: &reqwest::Client) -> anyhow::Result<Proc> {
    let admin = format!("127.0.0.1:{}", free_port()?);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&spec.log)
        .with_context(|| format!("cannot open {}", spec.log.display()))?;
    let mut command = command(&spec.dir)?;
    command
        .arg("--quiet-hours=")
        .arg("run")
        .env("TELOXIDE_TOKEN", &spec.token)
        .env("TELOXIDE_API_URL", spec.api_url.as_str())
        .env("DVC_PORTAL_URL", &spec.portal_url)
        .env("DVC_SERVICE_TOKEN", &spec.service_token)
        .env("DATABASE_URL", &spec.database_url)
        .env("DVC_SECRET_KEY", &spec.secret_key)
        .env("DVC_ADMIN_LISTEN", &admin)
        .env("DVC_SEND_CHAT_INTERVAL", "200ms")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    let mut child = command.spawn().context("cannot start the bot")?;
    let pid = child.id().context("the bot ended at once")?;
    let health = format!("http://{admin}/healthz");
    let ready = tokio::time::timeout(START_TIMEOUT, async {
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                anyhow::bail!(
                    "the bot stopped at start ({status}); see {}",
                    spec.log.display()
                );
            }
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    match ready {
        Ok(Ok(())) => Ok(Proc { child, pid }),
        Ok(Err(error)) => Err(error),
        Err(_) => {
            let _ = child.start_kill();
            anyhow::bail!("the bot was not healthy in {START_TIMEOUT:?}")
        }
    }
}
