//! The `ratings` table: one rating per dossier after its result.

use sqlx::Row;

use super::super::AppState;
use super::super::error::ApiResult;
use super::to_time;
use crate::portal::model::Rating;

/// A rating's columns.
pub struct NewRating<'a> {
    pub dossier_id: i64,
    pub account_id: i64,
    pub procedure_code: &'a str,
    pub agency_code: &'a str,
    pub stars: u8,
    pub comment: Option<&'a str>,
    pub at: i64,
}

/// Stores a rating; false when the dossier has one already.
pub async fn insert(app: &AppState, r: NewRating<'_>) -> ApiResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO ratings (dossier_id, account_id, procedure_code, agency_code, stars, \
         comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (dossier_id) DO NOTHING",
    )
    .bind(r.dossier_id)
    .bind(r.account_id)
    .bind(r.procedure_code)
    .bind(r.agency_code)
    .bind(i64::from(r.stars))
    .bind(r.comment)
    .bind(r.at)
    .execute(&app.db.pool)
    .await?;
    Ok(inserted.rows_affected() > 0)
}

/// Every rating, newest first.
pub async fn all(app: &AppState) -> ApiResult<Vec<Rating>> {
    let rows = sqlx::query(
        "SELECT d.code, r.procedure_code, r.agency_code, r.stars, r.comment, r.created_at \
         FROM ratings r JOIN dossiers d ON d.id = r.dossier_id \
         ORDER BY r.created_at DESC, r.dossier_id DESC",
    )
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Rating {
                dossier: r.try_get::<Option<String>, _>("code")?.unwrap_or_default(),
                procedure_code: r.try_get("procedure_code")?,
                agency_code: r.try_get("agency_code")?,
                stars: u8::try_from(r.try_get::<i64, _>("stars")?).unwrap_or(0),
                comment: r.try_get("comment")?,
                at: to_time(r.try_get("created_at")?),
            })
        })
        .collect()
}
