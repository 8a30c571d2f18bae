//! The `follows` table: chats that follow a dossier code without owning it (verified once with
//! the last 4 digits of the applicant's CCCD). The notifier reads `followers`.

use crate::domain::DossierCode;

use super::{Db, now_unix};

/// Codes one chat may follow at once.
pub const MAX_PER_CHAT: usize = 20;

/// Starts following `code` in `chat_id`; false if it was followed already.
pub async fn add(db: &Db, chat_id: i64, code: &DossierCode) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO follows (chat_id, dossier_code, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (chat_id, dossier_code) DO NOTHING",
    )
    .bind(chat_id)
    .bind(code.as_str())
    .bind(now_unix())
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Stops following `code` in `chat_id`; false if it was not followed.
pub async fn remove(db: &Db, chat_id: i64, code: &DossierCode) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM follows WHERE chat_id = $1 AND dossier_code = $2")
        .bind(chat_id)
        .bind(code.as_str())
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The codes `chat_id` follows, oldest first.
pub async fn of_chat(db: &Db, chat_id: i64) -> Result<Vec<DossierCode>, sqlx::Error> {
    let codes: Vec<(String,)> = sqlx::query_as(
        "SELECT dossier_code FROM follows WHERE chat_id = $1 ORDER BY created_at, dossier_code",
    )
    .bind(chat_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(codes
        .into_iter()
        .filter_map(|(c,)| DossierCode::parse(&c).ok())
        .collect())
}

/// The chats following `code`.
pub async fn followers(db: &Db, code: &DossierCode) -> Result<Vec<i64>, sqlx::Error> {
    let chats: Vec<(i64,)> =
        sqlx::query_as("SELECT chat_id FROM follows WHERE dossier_code = $1 ORDER BY chat_id")
            .bind(code.as_str())
            .fetch_all(&db.pool)
            .await?;
    Ok(chats.into_iter().map(|(c,)| c).collect())
}

/// Forgets everything `chat_id` follows (`/deleteme`).
pub async fn forget_chat(db: &Db, chat_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM follows WHERE chat_id = $1")
        .bind(chat_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
