//! `dvc-bot bench`: one run measures dvc-bot against a teloxide + `InMemStorage` baseline and
//! an echo bot, through the sandbox, and prints one table.
//!
//! In this process: the sandbox (Bot API and control API only), the reference portal and the
//! load generator. Each bot runs in a child process of its own (`dvc-bot bench-bot`, this same
//! binary), so its CPU time (`/proc/<pid>/stat`, every thread) and peak memory (`VmHWM`) are its
//! own; PostgreSQL's share is read the same way from the server processes serving the bot's
//! database, when the server is on this machine. Every run has a fresh sandbox, a fresh bot
//! process and a fresh database (a SQLite file, or a PostgreSQL database created and dropped).

pub mod baseline;
pub mod child;
pub mod load;
pub mod measure;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::{Connection, Executor};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::config::Secret;
use crate::i18n::I18n;
use crate::portal::server::{self as portal_server, PortalConfig, RunningPortal};
use crate::sandbox::{self, SandboxConfig};

pub use child::{BotKind, ChildArgs};
use load::{Control, Labels, Script};

/// How long a bot process may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a bot process may take to stop once its stdin is closed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// Citizens that go through the script before the measurement (the bot is then polling and
/// warm); their user ids are below [`load::FIRST_CITIZEN`].
const WARM_UP_CITIZENS: i64 = 2;

/// `dvc-bot bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// How many citizens at once, one run per number (comma-separated), e.g. 100,1000,5000.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
    pub citizens: Vec<usize>,
    /// Also measure dvc-bot on PostgreSQL: a server URL whose user may create databases; each
    /// run creates its own database there and drops it afterwards.
    #[arg(long, env = "DVC_BENCH_POSTGRES_URL", hide_env_values = true)]
    pub postgres_url: Option<String>,
}

/// Which bot a run measures, and on which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Echo,
    Baseline,
    DvcSqlite,
    DvcPostgres,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Echo => "echo (generator ceiling)",
            Subject::Baseline => "teloxide + InMemStorage",
            Subject::DvcSqlite => "dvc-bot, SQLite",
            Subject::DvcPostgres => "dvc-bot, PostgreSQL",
        }
    }

    fn kind(self) -> BotKind {
        match self {
            Subject::Echo => BotKind::Echo,
            Subject::Baseline => BotKind::Baseline,
            Subject::DvcSqlite | Subject::DvcPostgres => BotKind::Dvc,
        }
    }

    fn script(self) -> Script {
        match self {
            Subject::Echo => Script::Echo,
            _ => Script::Citizen,
        }
    }

    /// Each bot its own token in the sandbox.
    fn token(self) -> &'static str {
        match self {
            Subject::Echo => "710001:bench-echo",
            Subject::Baseline => "710002:bench-baseline",
            Subject::DvcSqlite => "710003:bench-dvc-sqlite",
            Subject::DvcPostgres => "710004:bench-dvc-postgres",
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub subject: Subject,
    pub citizens: usize,
    /// Inputs answered in the measured phase.
    pub updates: usize,
    pub errors: Vec<String>,
    pub elapsed: Duration,
    /// Sorted latencies.
    pub latencies: Vec<Duration>,
    pub bot_cpu: Duration,
    /// CPU of the PostgreSQL server processes serving the bot, when measurable.
    pub db_cpu: Option<Duration>,
    /// CPU of this process (sandbox, portal, load generator).
    pub harness_cpu: Duration,
    pub peak_rss: u64,
}

impl RunResult {
    pub fn per_second(&self) -> f64 {
        self.updates as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn per_update(&self, d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0 / self.updates.max(1) as f64
    }
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    pub machine: String,
    pub load_before: Option<f64>,
    pub load_after: Option<f64>,
    pub runs: Vec<RunResult>,
}

/// Runs the benchmark and prints its table on stdout; fails if any run had errors.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let report = measure_all(&args).await?;
    crate::say!("{}", table(&report));
    let errors: usize = report.runs.iter().map(|r| r.errors.len()).sum();
    if errors > 0 {
        for run in &report.runs {
            for error in run.errors.iter().take(3) {
                eprintln!("{}: {error}", run.subject.name());
            }
        }
        anyhow::bail!("{errors} inputs were not answered");
    }
    Ok(())
}

/// Every run of the benchmark, in the table's order.
pub async fn measure_all(args: &BenchArgs) -> anyhow::Result<Report> {
    anyhow::ensure!(
        !args.citizens.is_empty() && args.citizens.iter().all(|n| *n > 0),
        "--citizens takes positive numbers"
    );
    let load_before = measure::load_average();
    let work = std::env::temp_dir().join(format!("dvc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let result = measure_in(args, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    let runs = result?;
    Ok(Report {
        machine: measure::machine(),
        load_before,
        load_after: measure::load_average(),
        runs,
    })
}

async fn measure_in(args: &BenchArgs, work: &Path) -> anyhow::Result<Vec<RunResult>> {
    let portal = portal_server::spawn(
        PortalConfig {
            database_url: format!("sqlite://{}", work.join("portal.db").display()),
            files_dir: work.join("portal-files"),
            officer_token: Secret::generate(),
            service_token: Secret::generate(),
        },
        (Ipv4Addr::LOCALHOST, 0).into(),
    )
    .await
    .context("reference portal")?;
    let labels = Labels::new(&I18n::load()?);
    let mut subjects = vec![Subject::Echo, Subject::Baseline, Subject::DvcSqlite];
    if args.postgres_url.is_some() {
        subjects.push(Subject::DvcPostgres);
    }
    let mut runs = Vec::new();
    let mut seq = 0;
    for &citizens in &args.citizens {
        for &subject in &subjects {
            seq += 1;
            let dir = work.join(format!("run-{seq}"));
            std::fs::create_dir_all(&dir)?;
            let run = run_one(
                subject,
                citizens,
                &portal,
                &labels,
                &dir,
                args.postgres_url.as_deref(),
                seq,
            )
            .await
            .with_context(|| format!("{} with {citizens} citizens", subject.name()))?;
            runs.push(run);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    portal.stop().await?;
    Ok(runs)
}

/// A PostgreSQL database made for one run, dropped afterwards.
struct FreshPostgres {
    admin_url: String,
    name: String,
    url: String,
    /// The server runs on this machine: its processes' CPU can be read.
    local: bool,
}

impl FreshPostgres {
    async fn create(admin_url: &str, seq: usize) -> anyhow::Result<Self> {
        let name = format!("dvc_bench_{}_{seq}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("cannot reach {}", crate::db::redact_url(admin_url)))?;
        admin.execute(&*format!("CREATE DATABASE {name}")).await?;
        let _ = admin.close().await;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        let local = matches!(
            url.host_str(),
            Some("localhost" | "127.0.0.1" | "::1" | "[::1]")
        ) || url.host_str().is_none();
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
            local,
        })
    }

    /// CPU time of each server process now serving this database.
    async fn backends(&self) -> HashMap<u32, Duration> {
        let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await else {
            return HashMap::new();
        };
        let pids: Vec<(i32,)> =
            sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = $1")
                .bind(&self.name)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
        let _ = conn.close().await;
        pids.into_iter()
            .filter_map(|(pid,)| {
                let pid = u32::try_from(pid).ok()?;
                Some((pid, measure::cpu_time(pid)?))
            })
            .collect()
    }

    async fn drop_database(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if let Err(error) = admin.execute(&*sql).await {
                tracing::warn!(%error, "cannot drop the benchmark database");
            }
            let _ = admin.close().await;
        }
    }
}

/// A bot process under test.
struct BotProcess {
    child: Child,
    pid: u32,
}

impl BotProcess {
    async fn start(args: &ChildArgs) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find this program to run its bots")?;
        let kind = match args.kind {
            BotKind::Dvc => "dvc",
            BotKind::Baseline => "baseline",
            BotKind::Echo => "echo",
        };
        let mut child = Command::new(exe)
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
            Ok(Ok(true)) => Ok(Self { child, pid }),
            Ok(Ok(false)) => anyhow::bail!("the bot process stopped before it was ready"),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => anyhow::bail!("the bot process was not ready in {START_TIMEOUT:?}"),
        }
    }

    /// Closes its stdin and waits for it to stop (killed if it does not in time).
    async fn stop(mut self) -> anyhow::Result<()> {
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

#[allow(clippy::too_many_arguments)]
async fn run_one(
    subject: Subject,
    citizens: usize,
    portal: &RunningPortal,
    labels: &Labels,
    dir: &Path,
    postgres_url: Option<&str>,
    seq: usize,
) -> anyhow::Result<RunResult> {
    let token = subject.token().to_owned();
    let sandbox = sandbox::spawn(
        SandboxConfig::new([token.clone()], false),
        (Ipv4Addr::LOCALHOST, 0).into(),
    )
    .await
    .context("sandbox")?;
    let postgres = match (subject, postgres_url) {
        (Subject::DvcPostgres, Some(url)) => Some(FreshPostgres::create(url, seq).await?),
        _ => None,
    };
    let database_url = match (&postgres, subject) {
        (Some(pg), _) => pg.url.clone(),
        (None, Subject::DvcSqlite) => format!("sqlite://{}", dir.join("bot.db").display()),
        _ => String::new(),
    };
    let child_args = ChildArgs {
        kind: subject.kind(),
        api_url: sandbox.base_url.clone(),
        token: token.clone(),
        portal_url: portal.url.clone(),
        database_url,
        data_dir: PathBuf::from(dir),
    };
    let bot = BotProcess::start(&child_args).await?;
    let control = Arc::new(Control::new(sandbox.base_url.clone(), token));
    let labels = Arc::new(labels.clone());
    let script = subject.script();
    // Warm-up: the bot is polling and each part has answered once before anything is counted.
    for user in 1..=WARM_UP_CITIZENS {
        let warm = load::citizen(&control, &labels, user, script).await;
        if let Some(error) = warm.errors.first() {
            anyhow::bail!("warm-up failed: {error}");
        }
    }
    let db_before = match &postgres {
        Some(pg) if pg.local => Some(pg.backends().await),
        _ => None,
    };
    let bot_before = measure::cpu_time(bot.pid).unwrap_or_default();
    let own_before = measure::cpu_time(measure::own_pid()).unwrap_or_default();
    let started = Instant::now();
    let tasks: Vec<_> = (0..citizens as i64)
        .map(|i| {
            let control = Arc::clone(&control);
            let labels = Arc::clone(&labels);
            tokio::spawn(async move {
                load::citizen(&control, &labels, load::FIRST_CITIZEN + i, script).await
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(citizens * load::INPUTS);
    let mut errors = Vec::new();
    for task in futures::future::join_all(tasks).await {
        match task {
            Ok(result) => {
                latencies.extend(result.latencies);
                errors.extend(result.errors);
            }
            Err(error) => errors.push(format!("a citizen's task failed: {error}")),
        }
    }
    let elapsed = started.elapsed();
    let bot_cpu = measure::cpu_time(bot.pid)
        .unwrap_or_default()
        .saturating_sub(bot_before);
    let harness_cpu = measure::cpu_time(measure::own_pid())
        .unwrap_or_default()
        .saturating_sub(own_before);
    let peak_rss = measure::peak_rss(bot.pid).unwrap_or(0);
    let db_cpu = match (&postgres, db_before) {
        (Some(pg), Some(before)) => {
            let after = pg.backends().await;
            Some(
                after
                    .iter()
                    .map(|(pid, cpu)| {
                        cpu.saturating_sub(before.get(pid).copied().unwrap_or_default())
                    })
                    .sum(),
            )
        }
        _ => None,
    };
    let stopped = bot.stop().await;
    let _ = sandbox.shutdown().await;
    if let Some(pg) = postgres {
        pg.drop_database().await;
    }
    stopped?;
    latencies.sort_unstable();
    Ok(RunResult {
        subject,
        citizens,
        updates: latencies.len(),
        errors,
        elapsed,
        latencies,
        bot_cpu,
        db_cpu,
        harness_cpu,
        peak_rss,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The report as one Markdown table, ready for the README.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let load = |l: Option<f64>| l.map(|l| format!("{l:.2}")).unwrap_or("?".into());
    let _ = writeln!(
        out,
        "machine: {}; load average (1 min) before {}, after {}",
        report.machine,
        load(report.load_before),
        load(report.load_after)
    );
    let _ = writeln!(
        out,
        "each citizen sends {} inputs, the next as soon as the previous is answered\n",
        load::INPUTS
    );
    let _ = writeln!(
        out,
        "| citizens | bot | updates | errors | updates/s | p50 ms | p95 ms | p99 ms | bot CPU ms/update | DB server CPU ms/update | peak RSS MB | harness CPU ms/update | ÷ baseline: updates/s, CPU, RSS |"
    );
    let _ = writeln!(
        out,
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for run in &report.runs {
        let baseline = report
            .runs
            .iter()
            .find(|r| r.subject == Subject::Baseline && r.citizens == run.citizens);
        let ratio = match (run.subject, baseline) {
            (Subject::DvcSqlite | Subject::DvcPostgres, Some(b)) => format!(
                "{:.2}, {:.2}, {:.2}",
                run.per_second() / b.per_second().max(1e-9),
                run.bot_cpu.as_secs_f64()
                    / run.updates.max(1) as f64
                    / (b.bot_cpu.as_secs_f64() / b.updates.max(1) as f64).max(1e-12),
                run.peak_rss as f64 / (b.peak_rss as f64).max(1.0)
            ),
            (Subject::Baseline, _) => "1".to_owned(),
            _ => "—".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.3} | {} | {:.1} | {:.3} | {} |",
            run.citizens,
            run.subject.name(),
            run.updates,
            run.errors.len(),
            run.per_second(),
            ms(measure::quantile(&run.latencies, 0.50)),
            ms(measure::quantile(&run.latencies, 0.95)),
            ms(measure::quantile(&run.latencies, 0.99)),
            run.per_update(run.bot_cpu),
            run.db_cpu
                .map(|d| format!("{:.3}", run.per_update(d)))
                .unwrap_or_else(|| "—".to_owned()),
            run.peak_rss as f64 / 1024.0 / 1024.0,
            run.per_update(run.harness_cpu),
            ratio
        );
    }
    // The notifier and the sender (event → chat latency, achieved send rate ÷ limit) get their
    // rows here once they exist; until then the table says so instead of leaving them out.
    let _ = writeln!(
        out,
        "\nnotifier/sender (event → chat latency, send rate ÷ limit): not measured by this version"
    );
    out
}
