//! The `dossiers` table: rows found by id or code, drafts created and updated, and the full
//! view of a dossier (its documents and history included).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::Row;

use super::super::AppState;
use super::super::error::{ApiError, ApiResult};
use super::super::machine::parse_status;
use super::{documents, events, json_or_default, to_time};
use crate::db::now_unix;
use crate::portal::model::{Delivery, Dossier, DossierStatus, EventData};

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

/// A submitted dossier as the console's list searches it.
pub struct IndexRow {
    pub id: i64,
    pub code: String,
    pub applicant: String,
}

/// Every submitted dossier (optionally in one status), newest first, with its applicant's
/// name: the console searches and pages these.
pub async fn officer_index(
    app: &AppState,
    status: Option<DossierStatus>,
) -> ApiResult<Vec<IndexRow>> {
    let rows = sqlx::query(
        "SELECT d.id, d.code, a.full_name FROM dossiers d JOIN accounts a ON a.id = d.owner_id \
         WHERE d.code IS NOT NULL AND d.status <> 'draft' AND ($1 = '' OR d.status = $1) \
         ORDER BY d.id DESC",
    )
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(IndexRow {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                applicant: r.try_get("full_name")?,
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
        documents: documents::of_dossier(app, row.id).await?,
        created_at: to_time(row.created_at),
        submitted_at: row.submitted_at.map(to_time),
        due_date: row.due_date,
        pending: row.pending,
        result_available: row.result.is_some(),
        history: events::history(app, row.id).await?,
    })
}

pub async fn view_id(app: &AppState, id: i64) -> ApiResult<Dossier> {
    let r = row(app, id).await?;
    view(app, r).await
}

/// The draft `owner` already created with this Idempotency-Key, if any.
pub async fn draft_by_key(app: &AppState, owner: i64, key: &str) -> ApiResult<Option<i64>> {
    let row = sqlx::query("SELECT id FROM dossiers WHERE owner_id = $1 AND create_key = $2")
        .bind(owner)
        .bind(key)
        .fetch_optional(&app.db.pool)
        .await?;
    row.map(|r| r.try_get::<i64, _>("id"))
        .transpose()
        .map_err(ApiError::from)
}

/// A new draft's columns.
pub struct NewDraft<'a> {
    pub owner: i64,
    pub procedure_code: &'a str,
    pub agency_code: &'a str,
    pub values: &'a BTreeMap<String, String>,
    pub delivery: Option<&'a Delivery>,
    pub create_key: Option<&'a str>,
}

/// Inserts a draft; `None` when a draft with the same owner and Idempotency-Key exists.
pub async fn insert_draft(app: &AppState, draft: NewDraft<'_>) -> ApiResult<Option<i64>> {
    let inserted = sqlx::query(
        "INSERT INTO dossiers (owner_id, procedure_code, agency_code, status, form_values, \
         delivery, create_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (owner_id, create_key) DO NOTHING RETURNING id",
    )
    .bind(draft.owner)
    .bind(draft.procedure_code)
    .bind(draft.agency_code)
    .bind(DossierStatus::Draft.as_str())
    .bind(to_json(draft.values)?)
    .bind(draft.delivery.map(to_json).transpose()?)
    .bind(draft.create_key)
    .bind(now_unix())
    .fetch_optional(&app.db.pool)
    .await?;
    inserted
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()
        .map_err(ApiError::from)
}

/// Replaces a draft's form values and delivery choice (only while it is a draft).
pub async fn update_draft(
    app: &AppState,
    id: i64,
    values: &BTreeMap<String, String>,
    delivery: Option<&Delivery>,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE dossiers SET form_values = $1, delivery = $2 WHERE id = $3 AND status = 'draft'",
    )
    .bind(to_json(values)?)
    .bind(delivery.map(to_json).transpose()?)
    .bind(id)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// Sets a dossier's delivery choice.
pub async fn set_delivery(app: &AppState, id: i64, delivery: &Delivery) -> ApiResult<()> {
    sqlx::query("UPDATE dossiers SET delivery = $1 WHERE id = $2")
        .bind(to_json(delivery)?)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}
