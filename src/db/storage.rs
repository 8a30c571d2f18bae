//! teloxide's dialogue `Storage` on our pool: one JSON row per chat in `dialogues`.
//!
//! A stored state that no longer deserialises (an older shape after an upgrade) is treated as
//! absent: the row is removed, the event is logged, and the chat is remembered as reset so the
//! bot can say so; it never blocks the chat.

use std::collections::HashSet;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;
use thiserror::Error;

use super::{Db, now_unix};

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("dialogue storage: {0}")]
    Db(#[from] sqlx::Error),
    #[error("dialogue storage: cannot encode state: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Dialogue storage over the bot database, for any serde state type `D`.
pub struct SqlStorage<D> {
    db: Db,
    reset: Mutex<HashSet<ChatId>>,
    _state: PhantomData<fn() -> D>,
}

impl<D> SqlStorage<D> {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self {
            db,
            reset: Mutex::new(HashSet::new()),
            _state: PhantomData,
        })
    }

    /// True once after this chat's stored state was found unreadable and dropped.
    pub fn take_reset(&self, chat_id: ChatId) -> bool {
        self.reset
            .lock()
            .map(|mut set| set.remove(&chat_id))
            .unwrap_or(false)
    }
}

impl<D> Storage<D> for SqlStorage<D>
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = StorageError;

    fn remove_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
                .bind(chat_id.0)
                .execute(&self.db.pool)
                .await?;
            Ok(())
        })
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
        dialogue: D,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let json = serde_json::to_string(&dialogue)?;
            sqlx::query(
                "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, \
                 updated_at = excluded.updated_at",
            )
            .bind(chat_id.0)
            .bind(json)
            .bind(now_unix())
            .execute(&self.db.pool)
            .await?;
            Ok(())
        })
    }

    fn get_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT state FROM dialogues WHERE chat_id = $1")
                    .bind(chat_id.0)
                    .fetch_optional(&self.db.pool)
                    .await?;
            let Some((json,)) = row else { return Ok(None) };
            match serde_json::from_str(&json) {
                Ok(state) => Ok(Some(state)),
                Err(error) => {
                    tracing::warn!(chat_id = chat_id.0, %error,
                        "stored dialogue state no longer reads; the chat starts again");
                    sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
                        .bind(chat_id.0)
                        .execute(&self.db.pool)
                        .await?;
                    if let Ok(mut set) = self.reset.lock() {
                        set.insert(chat_id);
                    }
                    Ok(None)
                }
            }
        })
    }
}
