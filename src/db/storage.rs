//! teloxide's dialogue `Storage` on our pool: one JSON row per chat in `dialogues`.
//!
//! The read also brings the chat's `users` row (in a private chat the chat id is the user id),
//! kept aside until the adapter takes it: one round trip instead of two per update.
//!
//! Update ids handled by a step that changed nothing else are not written at once: they are kept
//! here in memory (`note_handled`) and go into the dialogue with its next write. So a step that
//! changes the state writes it once, together with its update id (durable before its replies),
//! and a step that changes nothing writes nothing; a crash can then repeat only the replies of
//! such steps, whose redelivered updates meet the same stored state.
//!
//! A stored state that no longer deserialises (an older shape after an upgrade) is treated as
//! absent: the row is removed, the event is logged, and the chat is remembered as reset so the
//! bot can say so; it never blocks the chat.
//!
//! Its queries run on connections of its own, not the pool's: on SQLite one connection called
//! inline (`InlineSqlite`: no thread hand-off), on PostgreSQL a few taken without sqlx's pool
//! (`HotConnections`: no ping after each query).
//!
//! With a cipher (`SqlStorage::sealed`), fields marked `#[serde(with = "crate::sealed")]` are
//! written encrypted and opened on read.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;
use thiserror::Error;

use super::hot::HotConnections;
use super::inline::InlineSqlite;
use super::users::User;
use super::{Db, now_unix};
use crate::crypto::Cipher;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("dialogue storage: {0}")]
    Db(#[from] sqlx::Error),
    #[error("dialogue storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("dialogue storage: cannot encode state: {0}")]
    Encode(#[from] serde_json::Error),
}

/// At most this many users rows wait to be taken (one per chat being handled, normally).
const USERS_KEPT_MAX: usize = 10_000;
/// At most this many chats have update ids handled but not yet written; past it the older half
/// is forgotten (such an update, redelivered, is handled again: never dropped).
const PENDING_CHATS_MAX: usize = 20_000;
/// At most this many unwritten update ids per chat (the dialogue's own window is no larger).
const PENDING_PER_CHAT: usize = 32;

/// An update id handled in a chat and when (Unix seconds), not written yet.
pub type Handled = (u32, i64);

/// Dialogue storage over the bot database, for any serde state type `D`.
pub struct SqlStorage<D> {
    conns: Conns,
    reset: Mutex<HashSet<ChatId>>,
    /// The users row read with each chat's dialogue, until the update's handler takes it.
    users: Mutex<HashMap<ChatId, Option<User>>>,
    /// Seals and opens the state's sealed fields (see `crate::sealed`).
    cipher: Option<Cipher>,
    /// Update ids handled since each chat's dialogue was last written, oldest first.
    pending: Mutex<HashMap<ChatId, Vec<Handled>>>,
    _state: PhantomData<fn() -> D>,
}

impl<D> SqlStorage<D> {
    pub fn new(db: Db) -> Arc<Self> {
        Self::build(db, None)
    }

    /// A storage that seals the state's sealed fields with `cipher`.
    pub fn sealed(db: Db, cipher: Cipher) -> Arc<Self> {
        Self::build(db, Some(cipher))
    }

    fn build(db: Db, cipher: Option<Cipher>) -> Arc<Self> {
        let conns = match &db.sqlite_path {
            Some(path) => Conns::Inline(InlineSqlite::new(path)),
            None => Conns::Hot(HotConnections::postgres(db)),
        };
        Arc::new(Self {
            conns,
            reset: Mutex::new(HashSet::new()),
            users: Mutex::new(HashMap::new()),
            cipher,
            pending: Mutex::new(HashMap::new()),
            _state: PhantomData,
        })
    }

    /// Closes its connections (at the end of the bot's run).
    pub async fn close(&self) {
        match &self.conns {
            Conns::Inline(conn) => conn.close().await,
            Conns::Hot(hot) => hot.close().await,
        }
    }

    /// The dialogue and the users row of this id.
    async fn read(&self, chat_id: ChatId) -> Result<JoinedRow, StorageError> {
        match &self.conns {
            Conns::Inline(conn) => Ok(conn
                .run(|c| {
                    c.prepare_cached(JOINED)?
                        .query_row([chat_id.0], JoinedRow::from_sqlite)
                })
                .await?),
            Conns::Hot(hot) => {
                let mut conn = hot.take().await?;
                let row = sqlx::query_as(JOINED)
                    .bind(chat_id.0)
                    .fetch_one(conn.conn())
                    .await;
                conn.done(&row);
                Ok(row?)
            }
        }
    }

    /// Stores this chat's dialogue.
    async fn write(&self, chat_id: ChatId, json: &str) -> Result<(), StorageError> {
        let now = now_unix();
        match &self.conns {
            Conns::Inline(conn) => {
                conn.run(|c| {
                    c.prepare_cached(UPSERT)?
                        .execute(rusqlite::params![chat_id.0, json, now])
                })
                .await?;
            }
            Conns::Hot(hot) => {
                let query = sqlx::query(UPSERT).bind(chat_id.0).bind(json).bind(now);
                hot.execute(query).await?;
            }
        }
        Ok(())
    }

    /// Removes this chat's dialogue.
    async fn delete(&self, chat_id: ChatId) -> Result<(), StorageError> {
        match &self.conns {
            Conns::Inline(conn) => {
                conn.run(|c| c.prepare_cached(DELETE)?.execute([chat_id.0]))
                    .await?;
            }
            Conns::Hot(hot) => {
                hot.execute(sqlx::query(DELETE).bind(chat_id.0)).await?;
            }
        }
        Ok(())
    }

    /// Runs a (de)serialisation with the storage's key, if it has one.
    fn with_key<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.cipher {
            Some(cipher) => crate::sealed::with_cipher(cipher, f),
            None => f(),
        }
    }

    /// The users row whose id is this chat's, as read with the dialogue of the update being
    /// handled (None inside: no such user); None if the dialogue was not read here.
    pub fn take_user(&self, chat_id: ChatId) -> Option<Option<User>> {
        self.users.lock().ok()?.remove(&chat_id)
    }

    /// Remembers that update `id` was handled in this chat at `at` without writing its dialogue.
    pub fn note_handled(&self, chat_id: ChatId, id: u32, at: i64) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.len() >= PENDING_CHATS_MAX && !pending.contains_key(&chat_id) {
            // The older half goes: the chats whose newest unwritten id is the oldest.
            let mut newest: Vec<i64> = pending
                .values()
                .map(|ids| ids.last().map(|h| h.1).unwrap_or(i64::MIN))
                .collect();
            let middle = newest.len() / 2;
            let (_, cut, _) = newest.select_nth_unstable(middle);
            let cut = *cut;
            pending.retain(|_, ids| ids.last().is_some_and(|h| h.1 > cut));
        }
        let ids = pending.entry(chat_id).or_default();
        ids.retain(|h| h.0 != id);
        ids.push((id, at));
        let excess = ids.len().saturating_sub(PENDING_PER_CHAT);
        ids.drain(..excess);
    }

    /// The update ids handled in this chat and not written yet, oldest first.
    pub fn pending_handled(&self, chat_id: ChatId) -> Vec<Handled> {
        self.pending
            .lock()
            .ok()
            .and_then(|pending| pending.get(&chat_id).cloned())
            .unwrap_or_default()
    }

    /// Forgets the unwritten ids of this chat once they are written with its dialogue.
    pub fn written(&self, chat_id: ChatId) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.remove(&chat_id);
        }
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
        Box::pin(async move { self.delete(chat_id).await })
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
            let json = self.with_key(|| serde_json::to_string(&dialogue))?;
            self.write(chat_id, &json).await
        })
    }

    fn get_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            // One row always (the id itself), with the dialogue and the user if they exist.
            let row = self.read(chat_id).await?;
            let (state, user) = row.split();
            if let Ok(mut users) = self.users.lock() {
                // Rows of chats the handler skips (groups) would stay: a hint, so it is bounded.
                if users.len() >= USERS_KEPT_MAX {
                    users.clear();
                }
                users.insert(chat_id, user);
            }
            let Some(json) = state else { return Ok(None) };
            match self.with_key(|| serde_json::from_str(&json)) {
                Ok(state) => Ok(Some(state)),
                Err(error) => {
                    tracing::warn!(chat_id = chat_id.0, %error,
                        "stored dialogue state no longer reads; the chat starts again");
                    self.delete(chat_id).await?;
                    if let Ok(mut set) = self.reset.lock() {
                        set.insert(chat_id);
                    }
                    Ok(None)
                }
            }
        })
    }
}

/// Where the storage's statements run.
enum Conns {
    /// SQLite: one connection, inline.
    Inline(InlineSqlite),
    /// PostgreSQL: a few connections, outside the pool.
    Hot(HotConnections),
}

const UPSERT: &str = "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";

const DELETE: &str = "DELETE FROM dialogues WHERE chat_id = $1";

/// The dialogue and the users row of one id, read together.
const JOINED: &str = "SELECT d.state, u.telegram_user_id, u.locale, u.portal_account, \
     u.portal_session_enc, u.consent_at, u.notify, u.blocked, u.created_at, u.updated_at \
     FROM (SELECT CAST($1 AS BIGINT) AS id) k \
     LEFT JOIN dialogues d ON d.chat_id = k.id \
     LEFT JOIN users u ON u.telegram_user_id = k.id";

#[derive(sqlx::FromRow)]
struct JoinedRow {
    state: Option<String>,
    telegram_user_id: Option<i64>,
    locale: Option<String>,
    portal_account: Option<String>,
    portal_session_enc: Option<String>,
    consent_at: Option<i64>,
    notify: Option<i64>,
    blocked: Option<i64>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
}

impl JoinedRow {
    /// The row as read on the inline SQLite connection (the columns of `JOINED`, in order).
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            state: row.get(0)?,
            telegram_user_id: row.get(1)?,
            locale: row.get(2)?,
            portal_account: row.get(3)?,
            portal_session_enc: row.get(4)?,
            consent_at: row.get(5)?,
            notify: row.get(6)?,
            blocked: row.get(7)?,
            created_at: row.get(8)?,
            updated_at: row.get(9)?,
        })
    }

    fn split(self) -> (Option<String>, Option<User>) {
        let user = self.telegram_user_id.map(|telegram_user_id| User {
            telegram_user_id,
            locale: self.locale,
            portal_account: self.portal_account,
            portal_session_enc: self.portal_session_enc,
            consent_at: self.consent_at,
            notify: self.notify.unwrap_or_default(),
            blocked: self.blocked.unwrap_or_default(),
            created_at: self.created_at.unwrap_or_default(),
            updated_at: self.updated_at.unwrap_or_default(),
        });
        (self.state, user)
    }
}
