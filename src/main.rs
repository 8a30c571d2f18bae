//! The `dvc-bot` command line: run | portal | sandbox | migrate. Every flag is also an
//! environment variable; errors are one line on stderr and a non-zero exit.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use dvc_bot::config::Settings;
use dvc_bot::db::Db;
use dvc_bot::say;

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
    Run {
        /// Register DVC_WEBHOOK_URL with Telegram at start (one replica; or use `webhook set`).
        /// The webhook is never deleted at stop.
        #[arg(long, env = "DVC_SET_WEBHOOK", value_parser = clap::builder::BoolishValueParser::new())]
        set_webhook: bool,
    },
    /// Register, remove or show the bot's webhook with the Bot API (TELOXIDE_TOKEN,
    /// TELOXIDE_API_URL; `set` uses DVC_WEBHOOK_URL and DVC_WEBHOOK_SECRET).
    Webhook {
        #[command(subcommand)]
        action: WebhookAction,
    },
    /// Run the reference portal alone (API and officer console).
    Portal,
    /// Run sandbox + portal + bot on loopback: no token, no internet.
    Sandbox {
        /// Serve only the Bot API and the control API (no portal, no bot), for other frameworks.
        #[arg(long, env = "DVC_SANDBOX_BOT_API_ONLY", value_parser = clap::builder::BoolishValueParser::new())]
        bot_api_only: bool,
        /// Enforce Telegram-like rate limits (about 30 messages/s, 1/s per chat) with 429s.
        #[arg(long, env = "DVC_SANDBOX_LIMITS", value_parser = clap::builder::BoolishValueParser::new())]
        limits: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Measure dvc-bot against a teloxide baseline through the sandbox and print one table.
    Bench(dvc_bot::bench::BenchArgs),
    /// The kill test: citizens on random journeys while the bot is killed with SIGKILL and
    /// restarted; checks that nothing is lost or doubled and prints a table.
    Killtest(dvc_bot::bench::kill::KillArgs),
    /// One bot under test in its own process (started by `bench`).
    #[command(hide = true)]
    BenchBot(dvc_bot::bench::ChildArgs),
}

#[derive(Debug, Subcommand)]
enum WebhookAction {
    /// setWebhook: Telegram posts updates to DVC_WEBHOOK_URL with DVC_WEBHOOK_SECRET.
    Set {
        /// Deliveries at once (1-100; Telegram's default is 40).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
        max_connections: Option<u8>,
        /// Drop the updates waiting for delivery.
        #[arg(long)]
        drop_pending_updates: bool,
    },
    /// deleteWebhook: updates wait for getUpdates (long polling) again.
    Delete {
        /// Drop the updates waiting for delivery.
        #[arg(long)]
        drop_pending_updates: bool,
    },
    /// getWebhookInfo: the URL, pending updates and the last delivery error.
    Info,
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
            eprintln!("dvc-bot: {}", one_line(&error));
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
            let portal_db = Db::connect(&settings.portal_database_url()).await?;
            dvc_bot::portal::server::migrate(&portal_db)
                .await
                .context("portal database")?;
            portal_db.close().await;
            say!("migrations applied");
            Ok(())
        }
        Command::Run { set_webhook } => {
            dvc_bot::app::run(settings, set_webhook, dvc_bot::shutdown::signal()).await
        }
        Command::Webhook { action } => webhook(&settings, action).await,
        Command::Bench(args) => dvc_bot::bench::run(args).await,
        Command::Killtest(args) => dvc_bot::bench::kill::run(args).await,
        Command::BenchBot(args) => dvc_bot::bench::child::run(args).await,
        Command::Portal => run_portal(&settings).await,
        Command::Sandbox {
            bot_api_only: true,
            limits,
        } => sandbox_bot_api_only(&settings, limits).await,
        Command::Sandbox {
            bot_api_only: false,
            limits,
        } => dvc_bot::app::sandbox(settings, limits, dvc_bot::shutdown::signal()).await,
    }
}

/// `dvc-bot webhook set|delete|info`.
async fn webhook(settings: &Settings, action: WebhookAction) -> anyhow::Result<()> {
    use dvc_bot::bot::{self, webhook};
    let token = settings
        .teloxide_token
        .clone()
        .context("TELOXIDE_TOKEN is required")?;
    let api_url = match &settings.teloxide_api_url {
        Some(u) => Some(
            url::Url::parse(u).with_context(|| format!("TELOXIDE_API_URL {u:?} is not a URL"))?,
        ),
        None => None,
    };
    let telegram = bot::client(&token, api_url.as_ref());
    match action {
        WebhookAction::Set {
            max_connections,
            drop_pending_updates,
        } => {
            let url = settings
                .webhook_url
                .clone()
                .context(dvc_bot::config::WebhookSettingsError::NoUrl)?;
            let secret = settings.webhook_secret()?;
            let options = webhook::SetOptions {
                max_connections,
                drop_pending_updates,
            };
            webhook::set(&telegram, &url, &secret, &options)
                .await
                .context("setWebhook")?;
            say!("webhook set: {url}");
        }
        WebhookAction::Delete {
            drop_pending_updates,
        } => {
            webhook::delete(&telegram, drop_pending_updates)
                .await
                .context("deleteWebhook")?;
            say!("webhook deleted: updates wait for long polling");
        }
        WebhookAction::Info => {
            for (name, value) in webhook::info(&telegram).await.context("getWebhookInfo")? {
                say!("{name}: {value}");
            }
        }
    }
    Ok(())
}

/// Where `dvc-bot portal` listens unless `DVC_PORTAL_LISTEN` says otherwise.
const DEFAULT_PORTAL_LISTEN: &str = "127.0.0.1:8081";

/// `dvc-bot portal`: the reference portal alone, until SIGINT or SIGTERM.
async fn run_portal(settings: &Settings) -> anyhow::Result<()> {
    use dvc_bot::portal::server::{PortalConfig, build};
    let (config, generated) = PortalConfig::from_settings(settings).context("DVC_OFFICERS")?;
    let (officer_token, service_token) =
        (config.officer_token.clone(), config.service_token.clone());
    let addr = match settings.portal_listen {
        Some(addr) => addr,
        None => DEFAULT_PORTAL_LISTEN.parse()?,
    };
    let app = build(config).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (set DVC_PORTAL_LISTEN)"))?;
    let addr = listener.local_addr()?;
    say!("portal: http://{addr}  officer console: http://{addr}/officer");
    // With named officers the generated shared token stays unknown: nobody needs it.
    if generated.officer && settings.officers.is_none() {
        say!(
            "officer token (generated, shown once): {}",
            officer_token.expose()
        );
    }
    if generated.service {
        say!(
            "service token (generated, shown once): {}",
            service_token.expose()
        );
    }
    app.serve(listener, dvc_bot::shutdown::signal()).await?;
    Ok(())
}

/// `dvc-bot sandbox --bot-api-only`: the Bot API, control API and web chat, nothing else.
async fn sandbox_bot_api_only(settings: &Settings, limits: bool) -> anyhow::Result<()> {
    use dvc_bot::sandbox;
    let config = sandbox::SandboxConfig::new(settings.sandbox_tokens.iter().cloned(), limits)
        .with_data_dir(&settings.data_dir);
    let sandbox = sandbox::build(config)?;
    let listener = tokio::net::TcpListener::bind(settings.sandbox_listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (set DVC_SANDBOX_LISTEN)",
                settings.sandbox_listen
            )
        })?;
    let addr = listener.local_addr().context("listening address")?;
    let base = sandbox::base_url(addr);
    say!("sandbox Bot API and web chat: {base}");
    say!("set TELOXIDE_API_URL={base} and one of these bot tokens:");
    for token in sandbox.tokens() {
        say!("  {token}");
    }
    if limits {
        say!("rate limits on: about 30 messages/s overall, 1/s per chat");
    }
    sandbox.serve(listener, dvc_bot::shutdown::signal()).await?;
    say!("sandbox stopped");
    Ok(())
}

/// The error and its causes on one line, each cause once (many errors already quote theirs).
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    // Colour codes only for a person at a terminal, never in a journal or a collector's file.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
