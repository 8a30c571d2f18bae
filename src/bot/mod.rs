//! The Telegram bot: a teloxide dispatcher over persisted dialogues (`state`), whose shape reads
//! in `schema` (commands in `command`, the menu in `menu`); flows are steps returning replies as
//! data (`flows`, `reply`) with a `context`, rendered by `render` and sent by one `adapter`.

pub mod activity;
pub mod adapter;
pub mod callback;
pub mod command;
pub mod context;
pub mod flows;
mod incoming;
pub mod input;
pub mod menu;
mod outgoing;
pub mod render;
pub mod reply;
pub mod schema;
pub mod state;
pub mod telegram_files;

use std::future::Future;
use std::sync::Arc;

use teloxide::dispatching::dialogue::Storage;
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::update_listeners::webhooks;

use crate::config::Secret;
use crate::db::storage::SqlStorage;
use crate::i18n::Locale;

use command::Command;
pub use context::Services;
use state::State;

/// How the bot receives updates.
#[derive(Debug, Clone)]
pub enum Updates {
    /// getUpdates long polling.
    Polling,
    /// Telegram POSTs updates to `url`, served on `listen`, checked against `secret`.
    Webhook {
        url: url::Url,
        listen: std::net::SocketAddr,
        secret: Secret,
    },
}

/// Everything the bot needs to run.
pub struct BotConfig {
    pub token: Secret,
    /// Bot API base URL (the sandbox's, or None for Telegram's).
    pub api_url: Option<url::Url>,
    pub updates: Updates,
    pub services: Arc<Services>,
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("Telegram Bot API: {0}")]
    Api(#[from] teloxide::RequestError),
    #[error("webhook: {0}")]
    Webhook(String),
}

/// Builds the `Bot` client for `config`.
pub fn client(token: &Secret, api_url: Option<&url::Url>) -> Bot {
    let bot = Bot::new(token.expose());
    match api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// Registers the commands in both languages (Vietnamese as the default list).
pub async fn register_commands(
    bot: &Bot,
    services: &Services,
) -> Result<(), teloxide::RequestError> {
    for locale in Locale::ALL {
        let commands: Vec<BotCommand> = Command::all()
            .iter()
            .map(|c| {
                BotCommand::new(
                    c.name(),
                    services.i18n.text(locale, &c.description_id(), None),
                )
            })
            .collect();
        let request = bot.set_my_commands(commands);
        match locale {
            Locale::Vi => request.await?,
            Locale::En => request.language_code("en").await?,
        };
    }
    Ok(())
}

/// Runs the bot until `shutdown` resolves; updates in flight finish first.
pub async fn run(
    config: BotConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    let bot = client(&config.token, config.api_url.as_ref());
    register_commands(&bot, &config.services).await?;
    let storage =
        SqlStorage::<State>::sealed(config.services.db.clone(), config.services.cipher.clone());
    let erased = Arc::clone(&storage).erase();
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::schema())
        .dependencies(dptree::deps![Arc::clone(&config.services), storage, erased])
        .default_handler(|_| async {})
        .build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        shutdown.await;
        // Before the dispatcher is running, shutdown() answers an error: try until it takes.
        while let Err(_idle) = token.shutdown() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    match config.updates {
        Updates::Polling => {
            tracing::info!("bot: long polling");
            dispatcher.dispatch().await;
        }
        Updates::Webhook {
            url,
            listen,
            secret,
        } => {
            tracing::info!(%url, %listen, "bot: webhook");
            let options =
                webhooks::Options::new(listen, url).secret_token(secret.expose().to_owned());
            let listener = webhooks::axum(bot, options).await.map_err(|e| {
                BotError::Webhook(format!(
                    "cannot serve the webhook on {listen} (set DVC_WEBHOOK_LISTEN): {e}"
                ))
            })?;
            dispatcher
                .dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("update listener"),
                )
                .await;
        }
    }
    Ok(())
}
