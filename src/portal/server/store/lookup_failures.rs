//! The `lookup_failures` table: wrong second factors of the public lookup, kept for a window.

use sqlx::Row;

use super::super::AppState;
use super::super::error::ApiResult;

/// Forgets failures at or before `before`.
pub async fn forget_before(app: &AppState, before: i64) -> ApiResult<()> {
    sqlx::query("DELETE FROM lookup_failures WHERE at <= $1")
        .bind(before)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Which column a count is by.
#[derive(Debug, Clone, Copy)]
pub enum By {
    Code,
    Client,
}

/// The times of the newest `limit` failures after `since` with this code or client, newest
/// first.
pub async fn recent(
    app: &AppState,
    by: By,
    value: &str,
    since: i64,
    limit: i64,
) -> ApiResult<Vec<i64>> {
    let column = match by {
        By::Code => "code",
        By::Client => "client",
    };
    let rows = sqlx::query(&format!(
        "SELECT at FROM lookup_failures WHERE {column} = $1 AND at > $2 \
         ORDER BY at DESC LIMIT $3"
    ))
    .bind(value)
    .bind(since)
    .bind(limit)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>("at")?))
        .collect()
}

/// Records one failure.
pub async fn insert(app: &AppState, code: &str, client: &str, at: i64) -> ApiResult<()> {
    sqlx::query("INSERT INTO lookup_failures (code, client, at) VALUES ($1, $2, $3)")
        .bind(code)
        .bind(client)
        .bind(at)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}
