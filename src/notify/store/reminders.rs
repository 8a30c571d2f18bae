//! The reminders: scheduled per deadline, cancelled when the dossier moves on, fired when due.

use sqlx::Row;

use super::Tx;
use crate::db::{Db, now_unix};

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
