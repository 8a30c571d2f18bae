//! The `questions` table, and the `question_answered` event an answer writes.

use sqlx::Row;

use super::super::AppState;
use super::super::error::{ApiError, ApiResult};
use super::to_time;
use crate::db::now_unix;
use crate::portal::model::{EventData, Question};

/// The event kind an answer writes.
pub const ANSWERED: &str = "question_answered";

/// Stores a question; its id.
pub async fn insert(
    app: &AppState,
    account_id: i64,
    dossier_id: Option<i64>,
    text: &str,
) -> ApiResult<i64> {
    let row = sqlx::query(
        "INSERT INTO questions (account_id, dossier_id, text, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(dossier_id)
    .bind(text)
    .bind(now_unix())
    .fetch_one(&app.db.pool)
    .await?;
    Ok(row.try_get("id")?)
}

/// The questions, open ones oldest first (the queue), answered ones newest first.
pub async fn list(app: &AppState, answered: bool) -> ApiResult<Vec<Question>> {
    let order = if answered {
        "q.answered_at IS NOT NULL ORDER BY q.answered_at DESC, q.id DESC"
    } else {
        "q.answered_at IS NULL ORDER BY q.id"
    };
    let rows = sqlx::query(&format!(
        "SELECT q.id, d.code, a.full_name, q.text, q.answer, q.created_at, q.answered_at, \
                q.answered_by \
         FROM questions q JOIN accounts a ON a.id = q.account_id \
         LEFT JOIN dossiers d ON d.id = q.dossier_id WHERE {order}"
    ))
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Question {
                id: r.try_get("id")?,
                dossier: r.try_get("code")?,
                asker_name: r.try_get("full_name")?,
                text: r.try_get("text")?,
                answer: r.try_get("answer")?,
                asked_at: to_time(r.try_get("created_at")?),
                answered_at: r.try_get::<Option<i64>, _>("answered_at")?.map(to_time),
                answered_by: r.try_get("answered_by")?,
            })
        })
        .collect()
}

/// Answers question `id` once (`answer` already checked) as `officer`: the answer is stored
/// with the officer's name and written to the event feed as `question_answered`, in one
/// transaction with the event counter (so ids stay in order).
pub async fn answer(app: &AppState, id: i64, answer: &str, officer: &str) -> ApiResult<Question> {
    let mut tx = app.db.pool.begin().await?;
    let event_id: i64 =
        sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'event' RETURNING value")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
    let question = sqlx::query(
        "SELECT q.account_id, q.dossier_id, q.answered_at, d.code, d.status \
         FROM questions q LEFT JOIN dossiers d ON d.id = q.dossier_id WHERE q.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found("question"))?;
    if question.try_get::<Option<i64>, _>("answered_at")?.is_some() {
        return Err(ApiError::conflict("this question is answered already"));
    }
    let now = now_unix();
    sqlx::query(
        "UPDATE questions SET answer = $1, answered_at = $2, answered_by = $3 WHERE id = $4",
    )
    .bind(answer)
    .bind(now)
    .bind(officer)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let data = EventData {
        question: Some(id),
        answer: Some(answer.to_owned()),
        ..EventData::default()
    };
    let data = serde_json::to_string(&data).map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO events (id, dossier_id, code, owner_id, kind, status, at, data, officer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event_id)
    .bind(question.try_get::<Option<i64>, _>("dossier_id")?)
    .bind(question.try_get::<Option<String>, _>("code")?)
    .bind(question.try_get::<i64, _>("account_id")?)
    .bind(ANSWERED)
    .bind(question.try_get::<Option<String>, _>("status")?)
    .bind(now)
    .bind(data)
    .bind(officer)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    list(app, true)
        .await?
        .into_iter()
        .find(|q| q.id == id)
        .ok_or_else(|| ApiError::not_found("question"))
}
