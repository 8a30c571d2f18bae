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
pub mod kill;
pub mod load;
pub mod measure;
pub mod notify;
mod postgres;
mod process;
mod run_one;
mod table;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::config::Secret;
use crate::i18n::I18n;
use crate::portal::server::{self as portal_server, PortalConfig};

pub use child::{BotKind, ChildArgs};
use load::{Labels, Script};
use run_one::run_one;
pub use table::table;

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
    /// Dialogues stored in dvc-bot's database before each of its runs (chats that are not in
    /// the run): memory must not grow with them.
    #[arg(long, default_value_t = 0)]
    pub stored_dialogues: usize,
    /// Officer actions timed from the portal to the chat (the notifier's latency); 0: none.
    #[arg(long, default_value_t = 50)]
    pub notify_samples: usize,
    /// Messages queued at once for the sender (its achieved rate ÷ the limit); 0: none.
    #[arg(long, default_value_t = 1000)]
    pub notify_messages: usize,
}

/// Which bot a run measures, and on which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Echo,
    Baseline,
    DvcSqlite,
    DvcPostgres,
    /// The same on a database whose commits do not wait for the WAL flush
    /// (`synchronous_commit = off`): what that durability costs.
    DvcPostgresAsyncCommit,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Echo => "echo (generator ceiling)",
            Subject::Baseline => "teloxide + InMemStorage",
            Subject::DvcSqlite => "dvc-bot, SQLite",
            Subject::DvcPostgres => "dvc-bot, PostgreSQL",
            Subject::DvcPostgresAsyncCommit => "dvc-bot, PostgreSQL, synchronous_commit off",
        }
    }

    fn kind(self) -> BotKind {
        match self {
            Subject::Echo => BotKind::Echo,
            Subject::Baseline => BotKind::Baseline,
            Subject::DvcSqlite | Subject::DvcPostgres | Subject::DvcPostgresAsyncCommit => {
                BotKind::Dvc
            }
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
            Subject::DvcPostgresAsyncCommit => "710005:bench-dvc-postgres-async",
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
    pub stored_dialogues: usize,
    pub runs: Vec<RunResult>,
    /// The notifier's and the sender's figures, when measured.
    pub notify: Option<notify::NotifyResult>,
}

/// Runs the benchmark and prints its table on stdout; fails if any run had errors.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    raise_open_files_limit();
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
    let notify = match result {
        Ok(_) if args.notify_samples > 0 || args.notify_messages > 0 => {
            let dir = work.join("notify");
            std::fs::create_dir_all(&dir)?;
            Some(
                notify::measure(&dir, args.notify_samples, args.notify_messages)
                    .await
                    .context("the notifier and the sender"),
            )
        }
        _ => None,
    };
    let _ = std::fs::remove_dir_all(&work);
    let runs = result?;
    let notify = notify.transpose()?;
    Ok(Report {
        machine: measure::machine(),
        load_before,
        load_after: measure::load_average(),
        stored_dialogues: args.stored_dialogues,
        runs,
        notify,
    })
}

async fn measure_in(args: &BenchArgs, work: &Path) -> anyhow::Result<Vec<RunResult>> {
    let portal = portal_server::spawn(
        PortalConfig {
            database_url: format!("sqlite://{}", work.join("portal.db").display()),
            files_dir: work.join("portal-files"),
            officer_token: Secret::generate(),
            service_token: Secret::generate(),
            officers: Default::default(),
            bot_username: None,
        },
        (Ipv4Addr::LOCALHOST, 0).into(),
    )
    .await
    .context("reference portal")?;
    let labels = Labels::new(&I18n::load()?);
    let mut subjects = vec![Subject::Echo, Subject::Baseline, Subject::DvcSqlite];
    if args.postgres_url.is_some() {
        subjects.push(Subject::DvcPostgres);
        subjects.push(Subject::DvcPostgresAsyncCommit);
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
                args.stored_dialogues,
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

/// Thousands of citizens at once hold about four sockets each in this process (the generator's
/// and the sandbox's ends of a send and of a wait): the soft limit on open files is raised to
/// the hard one, and past it where the system allows it (root with CAP_SYS_RESOURCE). Children
/// (the bots) inherit it.
fn raise_open_files_limit() {
    const WANTED: libc::rlim_t = 262_144;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_cur >= WANTED {
            return;
        }
        let raised = libc::rlimit {
            rlim_cur: WANTED,
            rlim_max: limit.rlim_max.max(WANTED),
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
            // Not allowed past the hard limit: up to it.
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
