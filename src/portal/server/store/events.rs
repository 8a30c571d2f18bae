//! The `events` table read back: a dossier's history, and the feed of every transition.

use std::collections::HashMap;

use sqlx::Row;

use super::super::AppState;
use super::super::error::ApiResult;
use super::super::machine::parse_status;
use super::{json_or_default, to_time};
use crate::portal::model::{DossierStatus, Event, HistoryEntry};

/// A dossier's transitions, oldest first (answers to questions about it are not among them).
pub async fn history(app: &AppState, id: i64) -> ApiResult<Vec<HistoryEntry>> {
    let rows = sqlx::query(
        "SELECT id, kind, status, at, data FROM events \
         WHERE dossier_id = $1 AND kind <> 'question_answered' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                event_id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                status: parse_status(&r.try_get::<String, _>("status")?)?,
                at: to_time(r.try_get("at")?),
                data: json_or_default(r.try_get("data")?),
                officer: None,
            })
        })
        .collect()
}

/// Who made each officer move of a dossier: event id → the officer's name.
pub async fn officers(app: &AppState, id: i64) -> ApiResult<HashMap<i64, String>> {
    let rows =
        sqlx::query("SELECT id, officer FROM events WHERE dossier_id = $1 AND officer IS NOT NULL")
            .bind(id)
            .fetch_all(&app.db.pool)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("officer")?)))
        .collect()
}

/// At most `limit` events with ids greater than `after`, oldest first.
pub async fn after(app: &AppState, after: i64, limit: i64) -> ApiResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT id, dossier_id, code, owner_id, kind, status, at, data FROM events \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let status: Option<DossierStatus> = r
                .try_get::<Option<String>, _>("status")?
                .map(|s| parse_status(&s))
                .transpose()?;
            Ok(Event {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                dossier_id: r.try_get("dossier_id")?,
                owner: r.try_get("owner_id")?,
                kind: r.try_get("kind")?,
                status,
                at: to_time(r.try_get("at")?),
                data: serde_json::from_str(&r.try_get::<String, _>("data")?).unwrap_or_default(),
            })
        })
        .collect()
}
