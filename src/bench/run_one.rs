//! One run: a fresh sandbox, bot process and database for one bot, warmed up, then measured
//! with a number of citizens at once.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use super::postgres::FreshPostgres;
use super::process::BotProcess;
use super::{ChildArgs, RunResult, Subject, load, measure};
use crate::portal::server::RunningPortal;
use crate::sandbox::{self, SandboxConfig};
use load::{Control, Labels};

/// Citizens that go through the script before the measurement (the bot is then polling and
/// warm); their user ids are below [`load::FIRST_CITIZEN`].
const WARM_UP_CITIZENS: i64 = 2;

#[allow(clippy::too_many_arguments)]
pub(super) async fn run_one(
    subject: Subject,
    citizens: usize,
    portal: &RunningPortal,
    labels: &Labels,
    dir: &Path,
    postgres_url: Option<&str>,
    stored_dialogues: usize,
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
        (Subject::DvcPostgres, Some(url)) => Some(FreshPostgres::create(url, seq, true).await?),
        (Subject::DvcPostgresAsyncCommit, Some(url)) => {
            Some(FreshPostgres::create(url, seq, false).await?)
        }
        _ => None,
    };
    let database_url = match (&postgres, subject) {
        (Some(pg), _) => pg.url.clone(),
        (None, Subject::DvcSqlite) => format!("sqlite://{}", dir.join("bot.db").display()),
        _ => String::new(),
    };
    if !database_url.is_empty() && stored_dialogues > 0 {
        store_dialogues(&database_url, stored_dialogues).await?;
    }
    let child_args = ChildArgs {
        kind: subject.kind(),
        api_url: sandbox.base_url.clone(),
        token: token.clone(),
        portal_url: portal.url.clone(),
        database_url,
        data_dir: PathBuf::from(dir),
    };
    let mut bot = BotProcess::start(&child_args).await?;
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
    let bot_before = bot.cpu().await?;
    let own_before = measure::own_cpu_time().unwrap_or_default();
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
    // Asked before anything else is stopped; its error is said once everything is.
    let bot_after = bot.cpu().await;
    let harness_cpu = measure::own_cpu_time()
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
    let bot_cpu = bot_after?.saturating_sub(bot_before);
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

/// Fills dvc-bot's new database with `n` dialogues of chats outside the run (ids far above the
/// citizens'), each a main-menu state with a few update ids, as an idle chat leaves it.
async fn store_dialogues(database_url: &str, n: usize) -> anyhow::Result<()> {
    const BATCH: usize = 500;
    let db = crate::db::Db::connect(database_url).await?;
    db.migrate_bot().await?;
    let now = crate::db::now_unix();
    let mut tx = db.pool.begin().await?;
    let mut chat: i64 = 1_000_000_000;
    let mut left = n;
    while left > 0 {
        let count = left.min(BATCH);
        let rows: Vec<String> = (0..count)
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO dialogues (chat_id, state, updated_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for _ in 0..count {
            let state = format!(
                r#"{{"step":"Idle","recent_updates":[{{"id":{},"at":{now}}}],"drafts":[],"resume":null,"checklist_message":null,"sent":[]}}"#,
                chat
            );
            query = query.bind(chat).bind(state).bind(now);
            chat += 1;
        }
        query.execute(&mut *tx).await?;
        left -= count;
    }
    tx.commit().await?;
    db.close().await;
    Ok(())
}
