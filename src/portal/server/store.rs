//! Reading dossiers from the database into the contract's views, and finding them by id or code.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::machine::parse_status;
use crate::portal::model::{Delivery, Document, Dossier, DossierStatus, EventData, HistoryEntry};

pub fn to_time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn json_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// A dossier row with what views and transitions need.
#[derive(Debug, Clone)]
pub struct DossierRow {
    pub id: i64,
    pub code: Option<String>,
    pub owner_id: i64,
    pub procedure_code: String,
    pub status: DossierStatus,
    pub values: BTreeMap<String, String>,
    pub delivery: Option<Delivery>,
    pub pending: Option<EventData>,
    pub result: Option<(String, String, String)>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub due_date: Option<NaiveDate>,
}

const COLUMNS: &str = "id, code, owner_id, procedure_code, status, form_values, delivery, \
    pending, result_sha256, result_name, result_mime, created_at, submitted_at, due_date";

fn row_of(row: &sqlx::any::AnyRow) -> ApiResult<DossierRow> {
    let result = match (
        row.try_get::<Option<String>, _>("result_sha256")?,
        row.try_get::<Option<String>, _>("result_name")?,
        row.try_get::<Option<String>, _>("result_mime")?,
    ) {
        (Some(a), Some(b), Some(c)) => Some((a, b, c)),
        _ => None,
    };
    Ok(DossierRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        owner_id: row.try_get("owner_id")?,
        procedure_code: row.try_get("procedure_code")?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        values: json_or_default(row.try_get("form_values")?),
        delivery: row
            .try_get::<Option<String>, _>("delivery")?
            .and_then(|s| serde_json::from_str(&s).ok()),
        pending: row
            .try_get::<Option<String>, _>("pending")?
            .and_then(|s| serde_json::from_str(&s).ok()),
        result,
        created_at: row.try_get("created_at")?,
        submitted_at: row.try_get("submitted_at")?,
        due_date: row
            .try_get::<Option<String>, _>("due_date")?
            .and_then(|d| d.parse().ok()),
    })
}

pub async fn row(app: &AppState, id: i64) -> ApiResult<DossierRow> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM dossiers WHERE id = $1"))
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("dossier"))?;
    row_of(&row)
}

/// The dossier named by `key` (an id, or a dossier code), owned by `owner` if given.
pub async fn find(app: &AppState, key: &str, owner: Option<i64>) -> ApiResult<DossierRow> {
    let key = key.trim();
    let found = if let Ok(id) = key.parse::<i64>() {
        sqlx::query(&format!("SELECT {COLUMNS} FROM dossiers WHERE id = $1"))
            .bind(id)
            .fetch_optional(&app.db.pool)
            .await?
    } else {
        let code =
            crate::domain::DossierCode::parse(key).map_err(|_| ApiError::not_found("dossier"))?;
        sqlx::query(&format!("SELECT {COLUMNS} FROM dossiers WHERE code = $1"))
            .bind(code.as_str())
            .fetch_optional(&app.db.pool)
            .await?
    };
    let row = row_of(&found.ok_or_else(|| ApiError::not_found("dossier"))?)?;
    if owner.is_some_and(|o| o != row.owner_id) {
        return Err(ApiError::not_found("dossier"));
    }
    Ok(row)
}

/// Ids of dossiers, newest first, by owner and/or status.
pub async fn ids(
    app: &AppState,
    owner: Option<i64>,
    status: Option<DossierStatus>,
) -> ApiResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM dossiers WHERE ($1 = 0 OR owner_id = $2) AND ($3 = '' OR status = $3) \
         ORDER BY id DESC",
    )
    .bind(i64::from(owner.is_some()))
    .bind(owner.unwrap_or(0))
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>("id").map_err(ApiError::from))
        .collect()
}

pub async fn documents(app: &AppState, id: i64) -> ApiResult<Vec<Document>> {
    let rows = sqlx::query(
        "SELECT id, paper_code, file_name, mime, size, sha256, uploaded_at FROM documents \
         WHERE dossier_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Document {
                id: r.try_get("id")?,
                paper_code: r.try_get("paper_code")?,
                file_name: r.try_get("file_name")?,
                mime: r.try_get("mime")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                uploaded_at: to_time(r.try_get("uploaded_at")?),
            })
        })
        .collect()
}

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
            })
        })
        .collect()
}

/// The full view of a dossier: documents and history included.
pub async fn view(app: &AppState, row: DossierRow) -> ApiResult<Dossier> {
    let procedure = app.catalogue.get(&row.procedure_code);
    let (name, agency_code, agency_name) = procedure
        .map(|p| {
            (
                p.summary.name_vi.clone(),
                p.summary.agency_code.clone(),
                p.summary.agency_name.clone(),
            )
        })
        .unwrap_or_default();
    Ok(Dossier {
        id: row.id,
        code: row.code,
        procedure_code: row.procedure_code,
        procedure_name: name,
        agency_code,
        agency_name,
        status: row.status,
        values: row.values,
        delivery: row.delivery,
        documents: documents(app, row.id).await?,
        created_at: to_time(row.created_at),
        submitted_at: row.submitted_at.map(to_time),
        due_date: row.due_date,
        pending: row.pending,
        result_available: row.result.is_some(),
        history: history(app, row.id).await?,
    })
}

pub async fn view_id(app: &AppState, id: i64) -> ApiResult<Dossier> {
    let r = row(app, id).await?;
    view(app, r).await
}
