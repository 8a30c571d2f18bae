//! The `documents` table: the papers attached to a dossier (their bytes live in the file store).

use sqlx::Row;

use super::super::AppState;
use super::super::error::{ApiError, ApiResult};
use super::to_time;
use crate::db::now_unix;
use crate::portal::model::Document;

/// A dossier's documents, oldest first.
pub async fn of_dossier(app: &AppState, id: i64) -> ApiResult<Vec<Document>> {
    let rows = sqlx::query(
        "SELECT id, paper_code, file_name, mime, size, sha256, uploaded_at FROM documents \
         WHERE dossier_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    documents(&rows)
}

/// The documents an upload with this idempotency key stored in the dossier (none: not seen).
pub async fn by_upload_key(app: &AppState, id: i64, key: &str) -> ApiResult<Vec<Document>> {
    let rows = sqlx::query(
        "SELECT id, paper_code, file_name, mime, size, sha256, uploaded_at FROM documents \
         WHERE dossier_id = $1 AND upload_key = $2 ORDER BY id",
    )
    .bind(id)
    .bind(key)
    .fetch_all(&app.db.pool)
    .await?;
    documents(&rows)
}

fn documents(rows: &[sqlx::any::AnyRow]) -> ApiResult<Vec<Document>> {
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

/// A stored file recorded as a document of a dossier.
pub struct NewDocument<'a> {
    pub dossier_id: i64,
    pub paper_code: &'a str,
    pub file_name: &'a str,
    pub mime: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    /// The upload's idempotency key, if it had one.
    pub upload_key: Option<&'a str>,
}

/// Records a document; its id.
pub async fn insert(app: &AppState, doc: NewDocument<'_>) -> ApiResult<i64> {
    let row = sqlx::query(
        "INSERT INTO documents (dossier_id, paper_code, file_name, mime, size, sha256, \
         uploaded_at, upload_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(doc.dossier_id)
    .bind(doc.paper_code)
    .bind(doc.file_name)
    .bind(doc.mime)
    .bind(doc.size)
    .bind(doc.sha256)
    .bind(now_unix())
    .bind(doc.upload_key)
    .fetch_one(&app.db.pool)
    .await?;
    row.try_get::<i64, _>("id").map_err(ApiError::from)
}
