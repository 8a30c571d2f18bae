//! The `cursors` rows: the notifier's position in the events and the leases that let one
//! replica at a time hold a row.

use sqlx::Row;

use super::Tx;
use crate::db::{Db, now_unix};

/// The notifier's cursor row.
pub const CURSOR: &str = "events";

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
