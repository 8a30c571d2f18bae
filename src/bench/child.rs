//! One bot under test in a process of its own (`dvc-bot bench-bot`), so that its CPU time and
//! peak memory are its own: dvc-bot on a database, the teloxide baseline, or the echo bot. It
//! says `ready` on stdout once built, answers `cpu` with its CPU time, and stops when its stdin
//! closes.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use teloxide::prelude::*;

use crate::bot::{self, BotConfig, Updates};
use crate::config::Secret;
use crate::i18n::I18n;
use crate::portal::client::{CATALOGUE_TTL, HttpPortal, Portal};

use super::baseline::{self, Baseline, Catalogue};

/// Which bot a child runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BotKind {
    /// dvc-bot itself, on `--database-url`.
    Dvc,
    /// teloxide + `InMemStorage`, the same texts and keyboards.
    Baseline,
    /// Sends every text back.
    Echo,
}

/// `dvc-bot bench-bot`: the arguments the benchmark gives its children.
#[derive(Debug, Clone, clap::Args)]
pub struct ChildArgs {
    #[arg(long, value_enum)]
    pub kind: BotKind,
    /// The sandbox's Bot API base URL.
    #[arg(long = "api")]
    pub api_url: url::Url,
    #[arg(long = "bot-token")]
    pub token: String,
    #[arg(long = "portal")]
    pub portal_url: String,
    /// dvc-bot's database (kind `dvc` only).
    #[arg(long = "db", default_value = "")]
    pub database_url: String,
    /// Where dvc-bot keeps its key file.
    #[arg(long = "dir")]
    pub data_dir: PathBuf,
}

/// Runs the bot until stdin closes.
pub async fn run(args: ChildArgs) -> anyhow::Result<()> {
    let token = Secret::new(args.token.clone());
    let telegram = bot::client(&token, Some(&args.api_url));
    // dvc-bot keeps the catalogue for a while, as `dvc-bot run` does; the baseline reads it
    // once at start.
    let portal: Arc<dyn Portal> =
        Arc::new(HttpPortal::new(&args.portal_url)?.with_catalogue_cache(CATALOGUE_TTL));
    let stop = async {
        // A blocking read on a thread of its own: EOF is the signal; a line `cpu` is answered
        // with this process's CPU time so far (`cpu MICROSECONDS`), precise where /proc counts
        // 10 ms ticks.
        let _ = tokio::task::spawn_blocking(|| {
            use std::io::BufRead;
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if line.trim() == "cpu" {
                    let cpu = super::measure::own_cpu_time().unwrap_or_default();
                    crate::say!("cpu {}", cpu.as_micros());
                }
            }
        })
        .await;
    };
    match args.kind {
        BotKind::Dvc => {
            let services =
                crate::app::services(&args.database_url, &args.data_dir, None, portal, telegram)
                    .await?;
            crate::say!("ready");
            bot::run(
                BotConfig {
                    token,
                    api_url: Some(args.api_url),
                    updates: Updates::Polling,
                    services,
                    chat_locks: crate::db::chat_lock::ChatLocks::none(),
                },
                stop,
            )
            .await?;
        }
        BotKind::Baseline => {
            let catalogue = Catalogue::load(portal.as_ref())
                .await
                .context("the baseline reads the catalogue")?;
            let app = Baseline::new(I18n::load()?, catalogue);
            crate::say!("ready");
            let dispatcher = Dispatcher::builder(telegram, baseline::schema())
                .dependencies(baseline::dependencies(app))
                .default_handler(|_| async {})
                .build();
            dispatch_until(dispatcher, stop).await;
        }
        BotKind::Echo => {
            crate::say!("ready");
            let dispatcher = Dispatcher::builder(telegram, baseline::echo_schema())
                .default_handler(|_| async {})
                .build();
            dispatch_until(dispatcher, stop).await;
        }
    }
    Ok(())
}

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn dispatch_until(
    mut dispatcher: Dispatcher<Bot, Error, teloxide::dispatching::DefaultKey>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        stop.await;
        while token.shutdown().is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    dispatcher.dispatch().await;
}
