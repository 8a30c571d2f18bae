//! Questions to officers: a citizen asks (optionally about one of their dossiers), the officer
//! inbox lists them open or answered, and the answer becomes a `question_answered` event on the
//! feed (with the question's id and the answer), so that it reaches the asker's chats.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sqlx::Row;
use utoipa::IntoParams;

use super::AppState;
use super::accounts::{Citizen, Officer};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use super::store::{self, to_time};
use crate::db::now_unix;
use crate::portal::model::{
    AnswerRequest, ApiErrorBody, AskRequest, EventData, Question, QuestionCreated,
};

/// Longest question or answer, in characters.
const MAX_TEXT_CHARS: usize = 2000;
/// The event kind an answer writes.
pub const ANSWERED: &str = "question_answered";

fn text_of(field: &str, text: &str) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::field(field, "required"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::field(field, "text-too-long"));
    }
    Ok(text.to_owned())
}

/// Asks the officers a question, optionally about one of the asker's own dossiers.
#[utoipa::path(post, path = "/api/v1/questions", tag = "questions", request_body = AskRequest,
    responses((status = 201, body = QuestionCreated), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("session" = [])))]
pub async fn ask(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiJson(req): ApiJson<AskRequest>,
) -> ApiResult<(StatusCode, Json<QuestionCreated>)> {
    let text = text_of("text", &req.text)?;
    let dossier = match req
        .dossier
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(key) => Some(store::find(&app, key, Some(citizen.account_id)).await?.id),
        None => None,
    };
    let row = sqlx::query(
        "INSERT INTO questions (account_id, dossier_id, text, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(citizen.account_id)
    .bind(dossier)
    .bind(text)
    .bind(now_unix())
    .fetch_one(&app.db.pool)
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(QuestionCreated {
            id: row.try_get("id")?,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionFilter {
    /// `open` (default) or `answered`.
    pub status: Option<String>,
}

/// The questions, open ones oldest first (the queue), answered ones newest first.
pub async fn list(app: &AppState, answered: bool) -> ApiResult<Vec<Question>> {
    let order = if answered {
        "q.answered_at IS NOT NULL ORDER BY q.answered_at DESC, q.id DESC"
    } else {
        "q.answered_at IS NULL ORDER BY q.id"
    };
    let rows = sqlx::query(&format!(
        "SELECT q.id, d.code, a.full_name, q.text, q.answer, q.created_at, q.answered_at \
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
            })
        })
        .collect()
}

/// The officers' inbox: open questions (the default) or answered ones.
#[utoipa::path(get, path = "/api/v1/officer/questions", tag = "officer", params(QuestionFilter),
    responses((status = 200, body = Vec<Question>), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)),
    security(("officer" = [])))]
pub async fn list_questions(
    State(app): State<AppState>,
    _officer: Officer,
    ApiQuery(filter): ApiQuery<QuestionFilter>,
) -> ApiResult<Json<Vec<Question>>> {
    let answered = match filter.status.as_deref() {
        None | Some("open") => false,
        Some("answered") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "status must be open or answered, not {other:?}"
            )));
        }
    };
    Ok(Json(list(&app, answered).await?))
}

/// Answers a question once: the answer is stored and written to the event feed as
/// `question_answered`, in one transaction with the event counter (so ids stay in order).
pub async fn answer(app: &AppState, id: i64, answer: &str) -> ApiResult<Question> {
    let answer = text_of("answer", answer)?;
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
    sqlx::query("UPDATE questions SET answer = $1, answered_at = $2 WHERE id = $3")
        .bind(&answer)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let data = EventData {
        question: Some(id),
        answer: Some(answer),
        ..EventData::default()
    };
    let data = serde_json::to_string(&data).map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO events (id, dossier_id, code, owner_id, kind, status, at, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event_id)
    .bind(question.try_get::<Option<i64>, _>("dossier_id")?)
    .bind(question.try_get::<Option<String>, _>("code")?)
    .bind(question.try_get::<i64, _>("account_id")?)
    .bind(ANSWERED)
    .bind(question.try_get::<Option<String>, _>("status")?)
    .bind(now)
    .bind(data)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    list(app, true)
        .await?
        .into_iter()
        .find(|q| q.id == id)
        .ok_or_else(|| ApiError::not_found("question"))
}

/// Answers a question; the answer reaches the asker through the event feed.
#[utoipa::path(post, path = "/api/v1/officer/questions/{id}/answer", tag = "officer",
    params(("id" = i64, Path, description = "question id")),
    request_body = AnswerRequest,
    responses((status = 200, body = Question), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody, description = "answered already"),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("officer" = [])))]
pub async fn post_answer(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<Json<Question>> {
    Ok(Json(answer(&app, id, &req.answer).await?))
}
