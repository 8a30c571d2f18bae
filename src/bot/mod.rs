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
pub mod webhook;

use std::future::Future;
use std::sync::Arc;

use teloxide::dispatching::dialogue::Storage;
use teloxide::prelude::*;
use teloxide::types::BotCommand;

use crate::config::Secret;
use crate::db::chat_lock::{ChatLock, ChatLocks};
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
    /// Telegram POSTs updates to our route (`server`), checked against its secret;
    /// setWebhook to `set` at start only when given (`--set-webhook`), never deleteWebhook.
    Webhook {
        server: webhook::WebhookServer,
        set: Option<url::Url>,
    },
}

/// Everything the bot needs to run.
pub struct BotConfig {
    pub token: Secret,
    /// Bot API base URL (the sandbox's, or None for Telegram's).
    pub api_url: Option<url::Url>,
    pub updates: Updates,
    pub services: Arc<Services>,
    /// One chat's updates at a time across replicas (PostgreSQL); none for one process.
    pub chat_locks: ChatLocks,
}

/// What every update carries through the handler: its chat's lock and the webhook delivery
/// waiting for it.
struct Turns {
    locks: ChatLocks,
    in_flight: Option<Arc<webhook::InFlight>>,
}

/// An update under way. Dropped when the update's handling ends (the dispatcher drops its
/// dependencies then): the chat's lock is released and the delivery answered.
struct TurnGuard {
    update_id: u32,
    lock: std::sync::Mutex<Option<ChatLock>>,
    in_flight: Option<Arc<webhook::InFlight>>,
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        if let Ok(mut lock) = self.lock.lock() {
            drop(lock.take());
        }
        if let Some(in_flight) = &self.in_flight {
            in_flight.done(self.update_id, true);
        }
    }
}

/// Takes the update's chat lock before anything of the chat is read; an update whose lock
/// cannot be taken is not handled (its delivery is answered with an error, so it comes again).
async fn begin_turn(update: Update, turns: Arc<Turns>) -> Option<Arc<TurnGuard>> {
    let lock = match update.chat().map(|c| c.id.0) {
        Some(chat_id) if turns.locks.enabled() => match turns.locks.lock(chat_id).await {
            Ok(lock) => Some(lock),
            Err(error) => {
                tracing::error!(%error, chat_id, "the chat's lock was not taken; update refused");
                metrics::counter!("dvc_updates_unlocked_total").increment(1);
                if let Some(in_flight) = &turns.in_flight {
                    in_flight.done(update.id.0, false);
                }
                return None;
            }
        },
        _ => None,
    };
    Some(Arc::new(TurnGuard {
        update_id: update.id.0,
        lock: std::sync::Mutex::new(lock),
        in_flight: turns.in_flight.clone(),
    }))
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
    let in_flight = match &config.updates {
        Updates::Webhook { .. } => Some(Arc::new(webhook::InFlight::default())),
        Updates::Polling => None,
    };
    let turns = Arc::new(Turns {
        locks: config.chat_locks.clone(),
        in_flight: in_flight.clone(),
    });
    // A turn (a chat's lock, a webhook delivery to answer) only where there is one to keep:
    // with long polling and no locks, nothing (no copy of each update for it).
    let handler = if config.chat_locks.enabled() || in_flight.is_some() {
        dptree::entry()
            .filter_map_async(begin_turn)
            .chain(schema::schema())
    } else {
        schema::schema()
    };
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler)
        .dependencies(dptree::deps![
            Arc::clone(&config.services),
            Arc::clone(&storage),
            erased,
            turns
        ])
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
        Updates::Webhook { server, set } => {
            let in_flight = in_flight.unwrap_or_default();
            let (listener, addr) = webhook::listen(&server, in_flight).await.map_err(|e| {
                BotError::Webhook(format!(
                    "cannot listen on {}: {e} (set DVC_WEBHOOK_LISTEN)",
                    server.listen
                ))
            })?;
            tracing::info!(%addr, path = %server.path, "bot: webhook");
            match set {
                Some(url) => {
                    webhook::set(&bot, &url, &server.secret, &webhook::SetOptions::default())
                        .await?;
                    tracing::info!(%url, "webhook set");
                }
                None => tracing::info!(
                    "the webhook is not registered from here (`dvc-bot webhook set`, or \
                     --set-webhook on one replica)"
                ),
            }
            dispatcher
                .dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("update listener"),
                )
                .await;
        }
    }
    config.chat_locks.close().await;
    storage.close().await;
    Ok(())
}
