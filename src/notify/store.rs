//! The notification tables of the bot database (`outbox`, `reminders`, `follows`, `cursors`)
//! and the SQL that reads and writes them, for both engines.

use sqlx::{Any, Row, Transaction};

use crate::db::{Db, Engine, now_unix};

/// The notifier's cursor row.
pub const CURSOR: &str = "events";

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

/// A row to write to the outbox.
#[derive(Debug, Clone)]
pub struct NewRow<'a> {
    pub dedup: &'a str,
    pub chat_id: i64,
    pub code: Option<&'a str>,
    pub kind: &'a str,
    pub message: &'a str,
    pub event_at: i64,
    pub not_before: i64,
}

/// Writes an outbox row unless the same (dedup, chat) exists; true if written.
pub async fn enqueue(tx: &mut Tx<'_>, row: &NewRow<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO outbox (dedup, chat_id, dossier_code, kind, message, event_at, not_before, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (dedup, chat_id) DO NOTHING",
    )
    .bind(row.dedup)
    .bind(row.chat_id)
    .bind(row.code)
    .bind(row.kind)
    .bind(row.message)
    .bind(row.event_at)
    .bind(row.not_before)
    .bind(now_unix())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Drops the reminders of `code` not yet sent, of these kinds: unfired ones and those already
/// in the outbox but still pending.
pub async fn cancel_reminders(
    tx: &mut Tx<'_>,
    code: &str,
    kinds: &[&str],
) -> Result<u64, sqlx::Error> {
    let mut n = 0;
    for kind in kinds {
        n += sqlx::query(
            "DELETE FROM reminders WHERE dossier_code = $1 AND kind = $2 AND fired = 0",
        )
        .bind(code)
        .bind(*kind)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        n += sqlx::query(
            "UPDATE outbox SET state = 'dropped' WHERE dossier_code = $1 AND kind = $2 \
             AND state = 'pending'",
        )
        .bind(code)
        .bind(format!("reminder-{kind}"))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}

/// A reminder to schedule.
#[derive(Debug, Clone)]
pub struct NewReminder<'a> {
    pub code: &'a str,
    pub kind: &'a str,
    pub deadline: i64,
    pub fire_at: i64,
    pub chat_id: i64,
    pub event_id: i64,
    pub args: &'a str,
}

pub async fn schedule(tx: &mut Tx<'_>, r: &NewReminder<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reminders (dossier_code, kind, deadline, fire_at, chat_id, event_id, args) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (event_id, chat_id, kind, fire_at) DO NOTHING",
    )
    .bind(r.code)
    .bind(r.kind)
    .bind(r.deadline)
    .bind(r.fire_at)
    .bind(r.chat_id)
    .bind(r.event_id)
    .bind(r.args)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A reminder whose time has come.
#[derive(Debug, Clone)]
pub struct DueReminder {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub fire_at: i64,
    pub chat_id: i64,
    pub args: String,
    pub remind: bool,
}

/// Up to `limit` reminders due at `now`, earliest first.
pub async fn due_reminders(
    tx: &mut Tx<'_>,
    now: i64,
    limit: i64,
) -> Result<Vec<DueReminder>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.id, r.dossier_code, r.kind, r.fire_at, r.chat_id, r.args, \
         COALESCE(u.remind, 1) AS remind, COALESCE(u.blocked, 0) AS blocked \
         FROM reminders r LEFT JOIN users u ON u.telegram_user_id = r.chat_id \
         WHERE r.fired = 0 AND r.fire_at <= $1 ORDER BY r.fire_at, r.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueReminder {
                id: r.try_get("id")?,
                code: r.try_get("dossier_code")?,
                kind: r.try_get("kind")?,
                fire_at: r.try_get("fire_at")?,
                chat_id: r.try_get("chat_id")?,
                args: r.try_get("args")?,
                remind: r.try_get::<i64, _>("remind")? != 0 && r.try_get::<i64, _>("blocked")? == 0,
            })
        })
        .collect()
}

pub async fn mark_fired(tx: &mut Tx<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reminders SET fired = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reminders waiting whose time has come (a metric).
pub async fn reminders_due(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM reminders WHERE fired = 0 AND fire_at <= $1")
        .bind(now_unix())
        .fetch_one(&db.pool)
        .await?
        .try_get("n")
}

/// Whether the cursor exists (the notifier has run on this database before).
pub async fn has_cursor(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT position FROM cursors WHERE name = $1")
        .bind(CURSOR)
        .fetch_optional(&db.pool)
        .await?
        .is_some())
}

/// Creates the cursor at `position` unless it exists.
pub async fn create_cursor(db: &Db, position: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cursors (name, position, held_until, updated_at) VALUES ($1, $2, 0, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(CURSOR)
    .bind(position)
    .bind(now_unix())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The sender's row in `cursors`: one replica sends at a time, so the limits hold overall.
pub const SENDER: &str = "sender";

/// Takes (or keeps) the cursor for `holder` until `until`; answers its position, or None when
/// another replica holds it.
pub async fn hold_cursor(db: &Db, holder: &str, until: i64) -> Result<Option<i64>, sqlx::Error> {
    hold(db, CURSOR, holder, until).await
}

/// Takes (or keeps) the row `name` of `cursors` for `holder` until `until`.
pub async fn hold(
    db: &Db,
    name: &str,
    holder: &str,
    until: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let now = now_unix();
    sqlx::query(
        "INSERT INTO cursors (name, position, held_until, updated_at) VALUES ($1, 0, 0, $2) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(now)
    .execute(&db.pool)
    .await?;
    let taken = sqlx::query(
        "UPDATE cursors SET holder = $1, held_until = $2 \
         WHERE name = $3 AND (holder = $1 OR holder IS NULL OR held_until < $4)",
    )
    .bind(holder)
    .bind(until)
    .bind(name)
    .bind(now)
    .execute(&db.pool)
    .await?;
    if taken.rows_affected() == 0 {
        return Ok(None);
    }
    let position = sqlx::query("SELECT position FROM cursors WHERE name = $1")
        .bind(name)
        .fetch_one(&db.pool)
        .await?
        .try_get("position")?;
    Ok(Some(position))
}

/// Moves the cursor to `to` inside the event's transaction; false if `holder` lost it.
pub async fn move_cursor(tx: &mut Tx<'_>, holder: &str, to: i64) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE cursors SET position = $1, updated_at = $2 \
         WHERE name = $3 AND holder = $4 AND position < $1",
    )
    .bind(to)
    .bind(now_unix())
    .bind(CURSOR)
    .bind(holder)
    .execute(&mut **tx)
    .await?;
    Ok(moved.rows_affected() > 0)
}

/// Lets the cursor go (a clean stop), so another replica takes it at once.
pub async fn release_cursor(db: &Db, holder: &str) -> Result<(), sqlx::Error> {
    release_row(db, CURSOR, holder).await
}

/// Lets the row `name` of `cursors` go.
pub async fn release_row(db: &Db, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cursors SET holder = NULL, held_until = 0 WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// An outbox row claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub chat_id: i64,
    pub kind: String,
    pub message: String,
    pub event_at: i64,
    pub attempts: i64,
    pub created_at: i64,
}

/// Claims up to `limit` due rows, oldest first, until `lease_until` (rows another sender
/// holds are skipped: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).
pub async fn claim(
    db: &Db,
    replica: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let lock = match db.engine {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET lease_until = $1, claimed_by = $4 WHERE id IN (SELECT id FROM outbox \
         WHERE state = 'pending' AND not_before <= $2 \
         AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3{lock}) \
         RETURNING id, chat_id, kind, message, event_at, attempts, created_at"
    ))
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .bind(replica)
    .fetch_all(&db.pool)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                chat_id: r.try_get("chat_id")?,
                kind: r.try_get("kind")?,
                message: r.try_get("message")?,
                event_at: r.try_get("event_at")?,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    out.sort_by_key(|c| c.id);
    Ok(out)
}

/// Frees the leases this replica held before it restarted (a crash): what it had claimed but
/// not sent goes out at once instead of after the lease.
pub async fn free_own_leases(db: &Db, replica: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE outbox SET lease_until = NULL WHERE claimed_by = $1 AND state = 'pending'",
    )
    .bind(replica)
    .execute(&db.pool)
    .await?
    .rows_affected())
}

/// Gives claimed rows back (their chat was not ready), to be claimed again.
pub async fn release(db: &Db, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "UPDATE outbox SET lease_until = NULL WHERE state = 'pending' AND id IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(&db.pool).await?;
    Ok(())
}

pub async fn mark_sent(db: &Db, id: i64, message_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET state = 'sent', telegram_message_id = $1, sent_at = $2, \
         lease_until = NULL, attempts = attempts + 1 WHERE id = $3",
    )
    .bind(message_id)
    .bind(now_unix())
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Back to pending, not before `not_before`; `attempt` counts a failed try.
pub async fn retry_later(
    db: &Db,
    id: i64,
    not_before: i64,
    attempt: bool,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET not_before = $1, lease_until = NULL, attempts = attempts + $2, \
         last_error = $3 WHERE id = $4",
    )
    .bind(not_before)
    .bind(i64::from(attempt))
    .bind(error)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Ends a row without sending it: `failed` or `dropped`.
pub async fn finish(db: &Db, id: i64, state: &str, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET state = $1, lease_until = NULL, last_error = $2 WHERE id = $3")
        .bind(state)
        .bind(error)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The chat blocked the bot: marked so, and everything pending for it dropped.
pub async fn chat_blocked(db: &Db, chat_id: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
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

/// Rows waiting to go out (a metric, and what tests wait on).
pub async fn depth(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")
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
