//! `dvc-bot killtest`: the kill test of issue 13. A sandbox (Bot API only) and the reference
//! portal run as processes of their own; the bot runs alone (`dvc-bot run` against them) and
//! is killed with SIGKILL at random moments and started again, while simulated citizens go
//! through random journeys (register; submit a dossier with papers; answer an officer's
//! supplement request; some stay idle). Afterwards it checks, and prints as a table: every
//! journey finished from where it stood, every dossier exists once at the portal with each
//! paper once, every event gave one status message per chat (a repeat of the one in flight at
//! a kill is counted apart), nothing panicked. A violation makes it fail.

mod check;
pub mod citizen;
pub mod phrases;
mod procs;
pub mod words;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::config::{SANDBOX_TOKEN, Secret};
use crate::i18n::I18n;
use crate::sandbox::client::SandboxClient;
pub use check::Figures;
use citizen::{Journey, SUPPLEMENT_PAPER};
use procs::{BotSpec, Proc};
use words::Words;

/// How long the whole set of journeys may take before the unfinished count as failures.
const JOURNEYS_DEADLINE: Duration = Duration::from_secs(600);
/// How long the status messages may take to arrive once the journeys are over.
const MESSAGES_DEADLINE: Duration = Duration::from_secs(90);
/// The user ids of the citizens start here.
const FIRST_USER: i64 = 8_800_000;

/// `dvc-bot killtest`.
#[derive(Debug, Clone, clap::Args)]
pub struct KillArgs {
    /// Simulated citizens, each on a random journey.
    #[arg(long, default_value_t = 100)]
    pub citizens: usize,
    /// How many times the bot is killed with SIGKILL and started again.
    #[arg(long, default_value_t = 20)]
    pub kills: usize,
    /// The bot's database on PostgreSQL: a server URL whose user may create databases (one is
    /// created for the run and dropped after it). Default: a SQLite file.
    #[arg(long, env = "DVC_KILLTEST_POSTGRES_URL", hide_env_values = true)]
    pub postgres: Option<String>,
    /// Seed of the journeys and of the kill moments (default: random, printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The longest time between a start of the bot and its kill, in milliseconds (each kill
    /// comes at a random moment up to this).
    #[arg(long, default_value_t = 4_000)]
    pub max_interval_ms: u64,
}

/// What the citizens share: the sandbox, the officer, the recognisers, whether the bot is up.
pub struct World {
    pub client: SandboxClient,
    pub words: Words,
    http: reqwest::Client,
    portal_url: String,
    officer_token: String,
    /// When the bot last became healthy; `None` while it is down.
    bot_up: Mutex<Option<Instant>>,
    /// Officer actions the portal refused (a violation each).
    pub officer_errors: Mutex<Vec<String>>,
}

impl World {
    /// Since when the bot has been up, if it is.
    pub fn bot_up_since(&self) -> Option<Instant> {
        *self.bot_up.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_up(&self, up: Option<Instant>) {
        *self.bot_up.lock().unwrap_or_else(|e| e.into_inner()) = up;
    }

    async fn officer(&self, code: &str, action: serde_json::Value) {
        let url = format!("{}/api/v1/officer/dossiers/{code}/actions", self.portal_url);
        let mut last = String::new();
        for _ in 0..5 {
            match self
                .http
                .post(&url)
                .bearer_auth(&self.officer_token)
                .json(&action)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => {
                    last = format!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                    break;
                }
                Err(e) => {
                    last = e.to_string();
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        self.officer_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{code} {action}: {last}"));
    }

    /// The officer accepts a dossier just sent and asks for a supplement.
    pub async fn officer_after_submit(&self, code: &str) {
        self.officer(code, json!({"action": "accept"})).await;
        let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
        self.officer(
            code,
            json!({"action": "request_supplement", "reason": "Giấy tờ bị mờ",
                   "deadline": deadline, "missing_papers": [SUPPLEMENT_PAPER]}),
        )
        .await;
    }

    /// The officer completes a dossier whose supplement came.
    pub async fn officer_after_supplement(&self, code: &str) {
        use base64::Engine;
        let result = citizen::pdf(&format!("ket qua {code}"));
        self.officer(
            code,
            json!({"action": "complete", "result": {
                "file_name": "ket-qua.pdf",
                "data_base64": base64::engine::general_purpose::STANDARD.encode(result),
            }}),
        )
        .await;
    }
}

/// Runs the kill test, prints its table; fails on any violation.
pub async fn run(args: KillArgs) -> anyhow::Result<()> {
    let figures = kill_test(&args).await?;
    crate::say!("{}", figures.table());
    let violations = figures.violations();
    if !violations.is_empty() {
        for v in violations.iter().take(20) {
            eprintln!("violation: {v}");
        }
        anyhow::bail!("{} violations", violations.len());
    }
    Ok(())
}

/// Runs the kill test in a fresh temporary folder and answers its figures.
pub async fn kill_test(args: &KillArgs) -> anyhow::Result<Figures> {
    anyhow::ensure!(args.citizens > 0, "--citizens must be positive");
    let work = std::env::temp_dir().join(format!(
        "dvc-killtest-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let result = run_in(args, &work).await;
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        eprintln!("killtest: files kept in {}", work.display());
    }
    result
}

async fn run_in(args: &KillArgs, work: &Path) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let token = SANDBOX_TOKEN.to_owned();
    let officer_token = Secret::generate().expose().to_owned();
    let service_token = Secret::generate().expose().to_owned();
    let dirs: Vec<PathBuf> = ["sandbox", "portal", "bot"]
        .iter()
        .map(|d| work.join(d))
        .collect();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    let (sandbox, api_url) = procs::sandbox(&dirs[0], &token).await?;
    let portal_db = format!("sqlite://{}", dirs[1].join("portal.db").display());
    let (portal, portal_url) =
        procs::portal(&dirs[1], &portal_db, &officer_token, &service_token).await?;
    let postgres = match &args.postgres {
        Some(url) => Some(super::postgres::FreshPostgres::create(url, 0, true).await?),
        None => None,
    };
    let database_url = match &postgres {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}", dirs[2].join("dvc-bot.db").display()),
    };
    let spec = BotSpec {
        dir: dirs[2].clone(),
        token: token.clone(),
        api_url: api_url.clone(),
        portal_url: portal_url.clone(),
        service_token,
        database_url,
        secret_key: hex::encode(rand::random::<[u8; 32]>()),
        log: work.join("bot-stderr.log"),
    };
    let http = reqwest::Client::new();
    let world = Arc::new(World {
        client: SandboxClient::new(api_url).with_bot(token),
        words: Words::new(&I18n::load()?),
        http: http.clone(),
        portal_url: portal_url.clone(),
        officer_token,
        bot_up: Mutex::new(None),
        officer_errors: Mutex::new(Vec::new()),
    });
    let outcome = drive(args, &spec, &world, &mut rng, &http).await;
    let figures = match outcome {
        Ok((reports, kills, bot)) => {
            let figures = check::check(
                &world,
                &spec,
                &reports,
                kills,
                seed,
                args,
                MESSAGES_DEADLINE,
            )
            .await;
            let stopped = bot.terminate().await;
            figures.map(|mut f| {
                if let Err(e) = stopped {
                    f.extra.push(format!("the bot did not stop cleanly: {e}"));
                }
                f.panics = check::panics(&spec.log);
                f.elapsed = started.elapsed();
                f
            })
        }
        Err(e) => Err(e),
    };
    let _ = portal.terminate().await;
    let _ = sandbox.terminate().await;
    if let Some(pg) = postgres {
        pg.drop_database().await;
    }
    figures
}

/// Starts the bot, runs the citizens while the bot is killed `args.kills` times, and answers
/// the citizens' reports, the kills done and the bot as it runs at the end.
async fn drive(
    args: &KillArgs,
    spec: &BotSpec,
    world: &Arc<World>,
    rng: &mut rand::rngs::StdRng,
    http: &reqwest::Client,
) -> anyhow::Result<(Vec<citizen::CitizenReport>, usize, Proc)> {
    let mut bot = procs::bot(spec, http).await?;
    world.set_up(Some(Instant::now()));
    let deadline = Instant::now() + JOURNEYS_DEADLINE;
    let mut tasks = Vec::new();
    for i in 0..args.citizens {
        let journey = match rng.gen_range(0..10) {
            0 => Journey::Idle,
            1 | 2 => Journey::Register,
            _ => Journey::Full,
        };
        let delay = Duration::from_millis(rng.gen_range(0..3_000));
        let world = Arc::clone(world);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            citizen::run(&world, FIRST_USER + i as i64, i, journey, deadline).await
        }));
    }
    let all = futures::future::join_all(tasks);
    tokio::pin!(all);
    let mut kills = 0;
    let mut results = None;
    while kills < args.kills {
        let wait =
            Duration::from_millis(rng.gen_range(args.max_interval_ms / 4..=args.max_interval_ms));
        tokio::select! {
            done = &mut all => { results = Some(done); break; }
            _ = tokio::time::sleep(wait) => {}
        }
        world.set_up(None);
        bot.kill().await?;
        kills += 1;
        // Down for a moment, as a supervisor restarts it.
        let down = Duration::from_millis(rng.gen_range(0..1_000));
        tokio::time::sleep(down).await;
        bot = procs::bot(spec, http).await?;
        world.set_up(Some(Instant::now()));
    }
    // Kills left over once every journey ended are done now, between idle moments.
    while kills < args.kills {
        tokio::time::sleep(Duration::from_millis(
            rng.gen_range(100..args.max_interval_ms.max(101)),
        ))
        .await;
        world.set_up(None);
        bot.kill().await?;
        kills += 1;
        bot = procs::bot(spec, http).await?;
        world.set_up(Some(Instant::now()));
    }
    let results = match results {
        Some(r) => r,
        None => all.await,
    };
    let mut reports = Vec::new();
    for r in results {
        reports.push(r.context("a citizen's task failed")?);
    }
    Ok((reports, kills, bot))
}
