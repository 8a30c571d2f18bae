//! The `dvc-bot` command line: run | portal | sandbox | migrate. Every flag is also an
//! environment variable; errors are one line on stderr and a non-zero exit.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use dvc_bot::config::Settings;
use dvc_bot::db::Db;

#[derive(Debug, Parser)]
#[command(
    name = "dvc-bot",
    version,
    about = "Telegram assistant for online public services (dịch vụ công trực tuyến)"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the bot (long polling, or a webhook with --webhook-url), the notifier and the sender.
    Run,
    /// Run the reference portal alone (API and officer console).
    Portal,
    /// Run sandbox + portal + bot on loopback: no token, no internet.
    Sandbox {
        /// Serve only the Bot API and the control API (no portal, no bot), for other frameworks.
        #[arg(long, env = "DVC_SANDBOX_BOT_API_ONLY")]
        bot_api_only: bool,
        /// Enforce Telegram-like rate limits (about 30 messages/s, 1/s per chat) with 429s.
        #[arg(long, env = "DVC_SANDBOX_LIMITS")]
        limits: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.settings.log_json);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("dvc-bot: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dvc-bot: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command {
        Command::Migrate => {
            let db = Db::connect(&settings.bot_database_url()).await?;
            db.migrate_bot().await.context("bot database")?;
            db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Run => anyhow::bail!("`run` is not built yet (issue 4)"),
        Command::Portal => anyhow::bail!("`portal` is not built yet (issue 3)"),
        Command::Sandbox {
            bot_api_only: true,
            limits,
        } => sandbox_bot_api_only(&settings, limits).await,
        Command::Sandbox {
            bot_api_only: false,
            ..
        } => anyhow::bail!(
            "full `sandbox` mode (sandbox + portal + bot) needs the bot, which is not built yet; \
             `dvc-bot sandbox --bot-api-only` serves the Bot API and the control API alone"
        ),
    }
}

/// `dvc-bot sandbox --bot-api-only`: the Bot API, control API and web chat, nothing else.
async fn sandbox_bot_api_only(settings: &Settings, limits: bool) -> anyhow::Result<()> {
    use dvc_bot::sandbox;
    let config = sandbox::SandboxConfig::new(settings.sandbox_tokens.iter().cloned(), limits);
    let sandbox = sandbox::build(config)?;
    let listener = tokio::net::TcpListener::bind(settings.sandbox_listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.sandbox_listen))?;
    let addr = listener.local_addr().context("listening address")?;
    let base = sandbox::base_url(addr);
    println!("sandbox Bot API and web chat: {base}");
    println!("set TELOXIDE_API_URL={base} and one of these bot tokens:");
    for token in sandbox.tokens() {
        println!("  {token}");
    }
    if limits {
        println!("rate limits on: about 30 messages/s overall, 1/s per chat");
    }
    sandbox.serve(listener, dvc_bot::shutdown::signal()).await?;
    println!("sandbox stopped");
    Ok(())
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
