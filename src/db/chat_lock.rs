//! One chat's updates at a time across bot replicas on one PostgreSQL.
//!
//! In one process teloxide's dispatcher already runs a chat's updates in order. With several
//! replicas behind one webhook two of them could read the same dialogue, each handle an update
//! and write: one write lost. So on PostgreSQL, behind a webhook, each update of a chat first
//! takes the session-level `pg_advisory_lock(chat_id)` on a connection of a small pool kept
//! for locks only (the handler's reads and writes use the main pool, so a chat waiting for its
//! lock never holds a connection its handler needs), and keeps it until the update is handled
//! (read, step, write, replies): two round trips per update. A replica that dies loses its
//! connections and PostgreSQL releases their locks at once. A lock waited for longer than
//! `LOCK_WAIT` (a replica hung, not dead) fails the update, which the webhook then answers
//! with an error so that it is delivered again. A lock connection whose unlock failed is
//! closed, never handed out again still holding a lock.
//!
//! Long polling needs none (Telegram serves getUpdates to one client at a time), nor SQLite
//! (one process).

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};

use super::{DbError, Engine, redact_url};

/// Updates of different chats that may hold or wait for their lock at once, per replica; more
/// wait for a lock connection (bounded: the server's connections are shared by replicas).
pub const LOCK_CONNECTIONS: u32 = 16;
/// Longest wait for a chat's lock (or for a lock connection) before the update fails.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The per-chat locks of one replica: none on SQLite.
#[derive(Clone, Debug)]
pub struct ChatLocks {
    pool: Option<AnyPool>,
}

/// A chat's lock, held until dropped (or `release`d).
pub struct ChatLock {
    held: Option<(PoolConnection<Any>, i64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("chat lock: {0}")]
    Db(#[from] sqlx::Error),
}

impl ChatLocks {
    /// No locks: one process (SQLite, or tests of one replica).
    pub fn none() -> Self {
        Self { pool: None }
    }

    /// Locks for the database at `url`: a pool of its own on PostgreSQL, none on SQLite.
    pub async fn connect(url: &str, engine: Engine) -> Result<Self, DbError> {
        if engine != Engine::Postgres {
            return Ok(Self::none());
        }
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(LOCK_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(LOCK_WAIT)
            .test_before_acquire(false)
            // A replica hung while holding a lock must not stall that chat forever.
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(&*format!(
                        "SET lock_timeout = '{}ms'",
                        LOCK_WAIT.as_millis()
                    ))
                    .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|source| DbError::Connect {
                target: redact_url(url),
                source,
            })?;
        Ok(Self { pool: Some(pool) })
    }

    /// Whether updates take a lock here (PostgreSQL).
    pub fn enabled(&self) -> bool {
        self.pool.is_some()
    }

    /// Waits for `chat_id`'s lock (at once without a pool).
    pub async fn lock(&self, chat_id: i64) -> Result<ChatLock, LockError> {
        let Some(pool) = &self.pool else {
            return Ok(ChatLock { held: None });
        };
        let mut conn = pool.acquire().await?;
        let taken = sqlx::query("SELECT CAST(pg_advisory_lock($1) AS TEXT)")
            .bind(chat_id)
            .execute(&mut *conn)
            .await;
        if let Err(error) = taken {
            conn.close_on_drop();
            return Err(error.into());
        }
        Ok(ChatLock {
            held: Some((conn, chat_id)),
        })
    }

    /// Closes the lock pool.
    pub async fn close(&self) {
        if let Some(pool) = &self.pool {
            pool.close().await;
        }
    }
}

impl ChatLock {
    /// Releases the lock now.
    pub async fn release(mut self) {
        if let Some((conn, chat_id)) = self.held.take() {
            unlock(conn, chat_id).await;
        }
    }
}

/// Unlocks `chat_id` and gives the connection back, or closes it (and so releases the lock)
/// if the unlock did not answer true.
async fn unlock(mut conn: PoolConnection<Any>, chat_id: i64) {
    let unlocked: Result<Option<bool>, _> = sqlx::query_scalar("SELECT pg_advisory_unlock($1)")
        .bind(chat_id)
        .fetch_optional(&mut *conn)
        .await;
    if !matches!(unlocked, Ok(Some(true))) {
        tracing::warn!(
            chat_id,
            ?unlocked,
            "chat lock not released; its connection is closed"
        );
        let _ = conn.close().await;
    }
}

impl Drop for ChatLock {
    fn drop(&mut self) {
        // Released in a task of its own; with no runtime left, the connection is closed.
        if let Some((mut conn, chat_id)) = self.held.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(unlock(conn, chat_id));
                }
                Err(_) => conn.close_on_drop(),
            }
        }
    }
}
