//! The outbox: rows written for each chat to tell, claimed, sent, retried or ended.

use sqlx::Row;

use super::Tx;
use crate::db::{Db, Engine, now_unix};

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

/// Rows waiting to go out (a metric, and what tests wait on).
pub async fn depth(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")
}
