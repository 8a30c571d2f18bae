//! The composition root: builds the parts from settings and runs each mode (`run`, `sandbox`),
//! with the stop signal passed in, so `main` and the tests start the system the same way.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinHandle;

use crate::admin;
use crate::bot::telegram_files::TelegramFiles;
use crate::bot::webhook::WebhookServer;
use crate::bot::{self, BotConfig, Services, Updates};
use crate::config::{SANDBOX_TOKEN, Secret, Settings, WebhookSettingsError};
use crate::crypto::Cipher;
use crate::db::Db;
use crate::db::chat_lock::ChatLocks;
use crate::i18n::I18n;
use crate::notify;
use crate::portal::client::{CATALOGUE_TTL, HttpPortal, Portal};
use crate::portal::server::{self as portal_server, PortalConfig, RunningPortal};
use crate::sandbox::{self, SandboxConfig};
use crate::vietqr::BankAccount;

/// The bot's long-lived parts, built from its database, key and portal.
pub async fn services(
    database_url: &str,
    data_dir: &Path,
    secret_key: Option<&Secret>,
    portal: Arc<dyn Portal>,
    telegram: teloxide::Bot,
) -> anyhow::Result<Arc<Services>> {
    let db = Db::connect(database_url).await?;
    db.migrate_bot().await.context("bot database")?;
    let cipher = Cipher::load(secret_key, data_dir)?;
    Ok(Arc::new(Services {
        db,
        portal,
        files: Arc::new(TelegramFiles { bot: telegram }),
        cipher,
        i18n: I18n::load()?,
        bank: None,
        office_hours: Default::default(),
    }))
}

/// The notifier's settings from `settings`, reading the feed with `service_token`.
pub fn notify_config(settings: &Settings, service_token: &Secret) -> notify::NotifyConfig {
    notify::NotifyConfig {
        remind_before: settings.remind_before.clone(),
        quiet: settings.quiet_hours,
        send_rate: settings.send_rate,
        chat_interval: settings.send_chat_interval,
        ..notify::NotifyConfig::new(service_token.expose())
    }
}

/// Starts the notifier, the reminder pump and the sender on the bot's parts, with a plain `Bot`
/// of their own.
pub fn start_notify(
    config: notify::NotifyConfig,
    services: &Services,
    telegram: teloxide::Bot,
) -> notify::RunningNotify {
    notify::spawn(
        config,
        notify::Parts {
            db: services.db.clone(),
            portal: Arc::clone(&services.portal),
            cipher: services.cipher.clone(),
            i18n: services.i18n.clone(),
            bot: telegram,
        },
    )
}

/// The services with the account fees are paid to (VietQR), set before the bot starts.
pub fn with_bank(mut services: Arc<Services>, bank: Option<BankAccount>) -> Arc<Services> {
    match Arc::get_mut(&mut services) {
        Some(s) => s.bank = bank,
        None => tracing::error!("services already shared; the bank account is not set"),
    }
    services
}

/// The configured office hours, set on services just built (not shared yet).
fn with_office_hours(services: &mut Arc<Services>, settings: &Settings) {
    if let Some(services) = Arc::get_mut(services) {
        services.office_hours = settings.office_hours.clone();
    }
}

/// With `DVC_SECRET_KEY_OLD`: the cipher also opens what the old keys sealed, and every stored
/// session only they open is sealed again with the current key now (the rest on use).
async fn rotate_keys(services: &mut Arc<Services>, settings: &Settings) -> anyhow::Result<()> {
    let Some(old) = &settings.secret_key_old else {
        return Ok(());
    };
    let Some(s) = Arc::get_mut(services) else {
        anyhow::bail!("services already shared; DVC_SECRET_KEY_OLD is not applied");
    };
    s.cipher = s.cipher.clone().with_old_keys(old)?;
    let (resealed, unreadable) = crate::db::users::reseal_sessions(&s.db, &s.cipher)
        .await
        .context("sealing sessions again with DVC_SECRET_KEY")?;
    tracing::info!(
        resealed,
        unreadable,
        "DVC_SECRET_KEY_OLD: sessions sealed again with the current key"
    );
    Ok(())
}

/// The reference portal in this process on `listen` (port 0: any free loopback port).
pub async fn start_portal(
    settings: &Settings,
    listen: SocketAddr,
) -> anyhow::Result<RunningPortal> {
    let (config, _) = PortalConfig::from_settings(settings).context("DVC_OFFICERS")?;
    portal_server::spawn(config, listen)
        .await
        .context("reference portal")
}

/// The portal to talk to: `DVC_PORTAL_URL`, else the reference portal started in-process.
async fn portal_for(
    settings: &Settings,
) -> anyhow::Result<(Arc<dyn Portal>, Option<RunningPortal>)> {
    match &settings.portal_url {
        Some(url) => {
            let mut client = HttpPortal::new(url)?.with_catalogue_cache(CATALOGUE_TTL);
            if let Some(token) = &settings.service_token {
                client = client.with_service_token(token.clone());
            }
            Ok((Arc::new(client), None))
        }
        None => {
            let listen = settings
                .portal_listen
                .unwrap_or((Ipv4Addr::LOCALHOST, 0).into());
            let running = start_portal(settings, listen).await?;
            tracing::info!(url = %running.url, "reference portal started in-process");
            let client = HttpPortal::new(&running.url)?
                .with_service_token(running.service_token.clone())
                .with_catalogue_cache(CATALOGUE_TTL);
            Ok((Arc::new(client), Some(running)))
        }
    }
}

/// Longest wait for getMe when the bot's username is looked up at start.
const GET_ME_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The bot's username as Telegram's getMe gives it, for the console's QR codes; `None` (with
/// a warning) when Telegram does not answer in time.
async fn bot_username_from_telegram(telegram: &teloxide::Bot) -> Option<String> {
    use teloxide::requests::Requester;
    match tokio::time::timeout(GET_ME_DEADLINE, telegram.get_me()).await {
        Ok(Ok(me)) => me.user.username.clone(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "getMe failed: set DVC_BOT_USERNAME for the console's QR codes");
            None
        }
        Err(_) => {
            tracing::warn!("getMe timed out: set DVC_BOT_USERNAME for the console's QR codes");
            None
        }
    }
}

/// `dvc-bot run`: the bot against Telegram (or `TELOXIDE_API_URL`) until `shutdown`; with
/// `set_webhook`, it registers the webhook at start (never deletes it at stop).
pub async fn run(
    settings: Settings,
    set_webhook: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // The recorder first, so that nothing recorded at start is lost.
    let _ = crate::telemetry::bot();
    let token = settings
        .teloxide_token
        .clone()
        .context("TELOXIDE_TOKEN is required (or try `dvc-bot sandbox`, which needs none)")?;
    let api_url = match &settings.teloxide_api_url {
        Some(u) => Some(
            url::Url::parse(u).with_context(|| format!("TELOXIDE_API_URL {u:?} is not a URL"))?,
        ),
        None => None,
    };
    let database_url = settings.bot_database_url();
    // Said before anything starts: a replica without the shared secret would refuse every update.
    WebhookServer::from_settings(&settings)?;
    if database_url.starts_with("postgres") && settings.secret_key.is_none() {
        // Replicas share the database: each must open the sessions the others sealed.
        anyhow::bail!(
            "DVC_SECRET_KEY is required with PostgreSQL, so that every bot replica seals and \
             opens portal sessions with the same key (64 hex characters)"
        );
    }
    crate::portal::server::Officers::from_settings(&settings).context("DVC_OFFICERS")?;
    let in_process = settings.portal_url.is_none();
    let no_officer = settings.officer_token.is_none() && settings.officers.is_none();
    if in_process && no_officer {
        // A generated token is never shown outside the sandbox: nobody could use the console.
        anyhow::bail!(
            "DVC_OFFICERS (named officers: `Name=token,…`) or DVC_OFFICER_TOKEN is required \
             to start the in-process portal, whose officer console needs a token"
        );
    }
    let telegram = bot::client(&token, api_url.as_ref());
    let mut settings = settings;
    if in_process && settings.bot_username.is_none() {
        settings.bot_username = bot_username_from_telegram(&telegram).await;
    }
    let (portal, running_portal) = portal_for(&settings).await?;
    let services = services(
        &database_url,
        &settings.data_dir,
        settings.secret_key.as_ref(),
        portal,
        telegram.clone(),
    )
    .await?;
    let mut services = with_bank(services, settings.bank(false).context("DVC_BANK_*")?);
    with_office_hours(&mut services, &settings);
    rotate_keys(&mut services, &settings).await?;
    let service_token = running_portal
        .as_ref()
        .map(|p| p.service_token.clone())
        .or_else(|| settings.service_token.clone());
    let notifier = match service_token {
        Some(t) => Some(start_notify(
            notify_config(&settings, &t),
            &services,
            telegram,
        )),
        None => {
            tracing::warn!("DVC_SERVICE_TOKEN is not set: no notifications or reminders");
            None
        }
    };
    let portal_url = running_portal
        .as_ref()
        .map(|p| p.url.clone())
        .or_else(|| settings.portal_url.clone());
    let mut checks = admin::Checks::new(services.db.clone());
    if let Some(url) = portal_url {
        checks = checks.with_portal(url);
    }
    let admin = admin::spawn(settings.admin_listen, checks).await?;
    tracing::info!(
        admin_addr = %admin.addr,
        "health at /healthz, readiness at /readyz, metrics at /metrics"
    );
    let updates = match WebhookServer::from_settings(&settings)? {
        Some(server) => Updates::Webhook {
            server,
            set: set_webhook.then(|| settings.webhook_url.clone()).flatten(),
        },
        None if set_webhook => anyhow::bail!(WebhookSettingsError::NoUrl),
        None => Updates::Polling,
    };
    let db = services.db.clone();
    // Behind a webhook several replicas may take one chat's updates: they take turns. Long
    // polling is one replica by nature (Telegram serves getUpdates to one client).
    let chat_locks = match &updates {
        Updates::Webhook { .. } => ChatLocks::connect(&database_url, services.db.engine).await?,
        Updates::Polling => ChatLocks::none(),
    };
    // The first signal: no new updates; the handlers in flight finish (their replies go out).
    bot::run(
        BotConfig {
            token,
            api_url,
            updates,
            services,
            chat_locks,
        },
        shutdown,
    )
    .await?;
    tracing::info!("bot stopped: no update in flight");
    // The sender finishes and records the sends it has started; the notifier its event.
    if let Some(notifier) = notifier {
        notifier.stop().await;
        tracing::info!("notifier and sender stopped");
    }
    admin.stop().await?;
    if let Some(portal) = running_portal {
        portal.stop().await?;
    }
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// A bot running in a task, as the sandbox mode and the tests start it.
pub struct RunningBot {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), bot::BotError>>,
}

impl RunningBot {
    /// Stops the bot (updates in flight finish first) and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.handle).await??;
        Ok(())
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the bot with long polling against `api_url` in a task.
pub fn spawn_bot(token: Secret, api_url: url::Url, services: Arc<Services>) -> RunningBot {
    spawn_bot_with(token, api_url, Updates::Polling, services)
}

/// Starts the bot against `api_url` in a task, receiving updates as `updates` says.
pub fn spawn_bot_with(
    token: Secret,
    api_url: url::Url,
    updates: Updates,
    services: Arc<Services>,
) -> RunningBot {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = BotConfig {
        token,
        api_url: Some(api_url),
        updates,
        services,
        chat_locks: ChatLocks::none(),
    };
    let handle = tokio::spawn(bot::run(config, async move {
        let _ = stopped.await;
    }));
    RunningBot {
        stop: Some(stop),
        handle,
    }
}

/// `dvc-bot sandbox`: sandbox + reference portal + bot on loopback until `shutdown`.
pub async fn sandbox(
    settings: Settings,
    limits: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let _ = crate::telemetry::bot();
    let portal_listen = settings
        .portal_listen
        .unwrap_or((Ipv4Addr::LOCALHOST, 0).into());
    // The console's QR codes open the sandbox's own bot unless told otherwise.
    let mut settings = settings;
    if settings.bot_username.is_none() {
        settings.bot_username = sandbox::bot_username(SANDBOX_TOKEN);
    }
    let portal = start_portal(&settings, portal_listen).await?;
    // The sandbox's `/officer` leads to the console, so one address is enough to remember.
    let config = SandboxConfig::new(settings.sandbox_tokens.clone(), limits)
        .with_officer(format!("{}/officer", portal.url))
        .with_data_dir(&settings.data_dir);
    let sandbox = sandbox::spawn(config, settings.sandbox_listen)
        .await
        .context("sandbox")?;
    let token = Secret::new(SANDBOX_TOKEN);
    let telegram = bot::client(&token, Some(&sandbox.base_url));
    let services = services(
        &settings.bot_database_url(),
        &settings.data_dir,
        settings.secret_key.as_ref(),
        Arc::new(
            HttpPortal::new(&portal.url)?
                .with_service_token(portal.service_token.clone())
                .with_catalogue_cache(CATALOGUE_TTL),
        ),
        telegram.clone(),
    )
    .await?;
    let mut services = with_bank(services, settings.bank(true).context("DVC_BANK_*")?);
    with_office_hours(&mut services, &settings);
    rotate_keys(&mut services, &settings).await?;
    let notifier = start_notify(
        notify_config(&settings, &portal.service_token),
        &services,
        telegram,
    );
    // The sandbox is for trying things out: a taken admin port is worth a warning, not a stop.
    let checks = admin::Checks::new(services.db.clone()).with_portal(portal.url.clone());
    let admin = match admin::spawn(settings.admin_listen, checks).await {
        Ok(started) => Some(started),
        Err(error) => {
            tracing::warn!("{error:#}; health checks are off");
            None
        }
    };
    let db = services.db.clone();
    let bot = spawn_bot(token, sandbox.base_url.clone(), services);
    say!("dvc-bot sandbox is running (Ctrl-C to stop)");
    say!("  web chat:        {}", sandbox.base_url);
    say!("  officer console: {}/officer", portal.url);
    say!("  officer token:   {}", portal.officer_token.expose());
    say!("  portal API:      {}/api/v1/openapi.json", portal.url);
    if let Some(addr) = admin.as_ref().map(|a| a.addr) {
        say!("  health, metrics: http://{addr}/healthz  http://{addr}/metrics");
    }
    shutdown.await;
    if let Some(admin) = admin {
        admin.stop().await?;
    }
    bot.stop().await?;
    notifier.stop().await;
    portal.stop().await?;
    sandbox.shutdown().await?;
    db.close().await;
    Ok(())
}
