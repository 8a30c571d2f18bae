//! The notification tables of the bot database (`outbox`, `reminders`, `follows`, `cursors`)
//! and the SQL that reads and writes them, for both engines.
//!
//! Here: who a chat is and what it asked for (`users`, `follows`); the outbox, the reminders
//! and the cursors have a file each.

mod cursor;
mod outbox;
mod reminders;

use sqlx::{Any, Row, Transaction};

use crate::db::{Db, now_unix};

pub use cursor::{
    CURSOR, SENDER, create_cursor, has_cursor, hold, hold_cursor, move_cursor, release_cursor,
    release_row,
};
pub use outbox::{
    Claimed, NewRow, claim, depth, enqueue, finish, free_own_leases, mark_sent, release,
    retry_later,
};
pub use reminders::{
    DueReminder, NewReminder, cancel_reminders, due_reminders, mark_fired, reminders_due, schedule,
};

pub type Tx<'a> = Transaction<'a, Any>;

/// A chat to tell of an event, with what it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    pub chat_id: i64,
    pub status: bool,
    pub reminders: bool,
}

/// The chats linked to portal account `owner` that may be written to.
pub async fn owner_chats(tx: &mut Tx<'_>, owner: i64) -> Result<Vec<Recipient>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT telegram_user_id, notify, remind FROM users \
         WHERE portal_account_id = $1 AND blocked = 0 ORDER BY telegram_user_id",
    )
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                chat_id: r.try_get("telegram_user_id")?,
                status: r.try_get::<i64, _>("notify")? != 0,
                reminders: r.try_get::<i64, _>("remind")? != 0,
            })
        })
        .collect()
}

/// Chats following `code` (and not blocked, and not switched off).
pub async fn followers(tx: &mut Tx<'_>, code: &str) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT f.chat_id FROM follows f LEFT JOIN users u ON u.telegram_user_id = f.chat_id \
         WHERE f.dossier_code = $1 AND COALESCE(u.blocked, 0) = 0 AND COALESCE(u.notify, 1) = 1 \
         ORDER BY f.chat_id",
    )
    .bind(code)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| r.try_get("chat_id")).collect()
}

/// The chat blocked the bot: marked so, and everything pending for it dropped.
pub async fn chat_blocked(db: &Db, chat_id: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET blocked = 1, updated_at = $1 WHERE telegram_user_id = $2")
        .bind(now_unix())
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    let dropped = sqlx::query(
        "UPDATE outbox SET state = 'dropped', lease_until = NULL, \
         last_error = 'blocked by the user' WHERE chat_id = $1 AND state = 'pending'",
    )
    .bind(chat_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM reminders WHERE chat_id = $1 AND fired = 0")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(dropped)
}

/// What the sender needs to know of a chat when it sends.
#[derive(Debug, Clone, Default)]
pub struct ChatPrefs {
    pub locale: Option<String>,
    pub status: bool,
    pub reminders: bool,
    pub session_enc: Option<String>,
}

pub async fn chat_prefs(db: &Db, chat_id: i64) -> Result<ChatPrefs, sqlx::Error> {
    let row = sqlx::query(
        "SELECT locale, notify, remind, portal_session_enc FROM users WHERE telegram_user_id = $1",
    )
    .bind(chat_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some(r) => ChatPrefs {
            locale: r.try_get("locale")?,
            status: r.try_get::<i64, _>("notify")? != 0,
            reminders: r.try_get::<i64, _>("remind")? != 0,
            session_enc: r.try_get("portal_session_enc")?,
        },
        None => ChatPrefs {
            status: true,
            reminders: true,
            ..ChatPrefs::default()
        },
    })
}

/// A sealed session of a chat linked to account `owner`, to read the owner's dossier.
pub async fn owner_session(db: &Db, owner: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT portal_session_enc FROM users WHERE portal_account_id = $1 \
         AND portal_session_enc IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
    )
    .bind(owner)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| r.try_get("portal_session_enc")).transpose()
}
