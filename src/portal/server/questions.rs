//! Questions to officers: a citizen asks (optionally about one of their dossiers), the officer
//! inbox lists them open or answered, and the answer becomes a `question_answered` event on the
//! feed (with the question's id and the answer), so that it reaches the asker's chats.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::accounts::{Citizen, Officer};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use super::store;
use crate::domain::clean_text;
use crate::portal::model::{AnswerRequest, ApiErrorBody, AskRequest, Question, QuestionCreated};

/// Longest question or answer, in characters.
const MAX_TEXT_CHARS: usize = 2000;

/// A question or an answer as it is stored: see [`clean_text`].
fn text_of(field: &str, text: &str) -> ApiResult<String> {
    let text = clean_text(text);
    if text.is_empty() {
        return Err(ApiError::field(field, "required"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::field(field, "text-too-long"));
    }
    Ok(text)
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
    let id = store::questions::insert(&app, citizen.account_id, dossier, &text).await?;
    Ok((StatusCode::CREATED, Json(QuestionCreated { id })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionFilter {
    /// `open` (default) or `answered`.
    pub status: Option<String>,
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
    Ok(Json(store::questions::list(&app, answered).await?))
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
    officer: Officer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<Json<Question>> {
    Ok(Json(answer(&app, id, &req.answer, &officer).await?))
}

/// Answers question `id` as `officer` (the API's and the console's way).
pub async fn answer(app: &AppState, id: i64, text: &str, officer: &Officer) -> ApiResult<Question> {
    let answer = text_of("answer", text)?;
    let question = store::questions::answer(app, id, &answer, &officer.name).await?;
    // The answer is on the feed (committed): wake the long polls.
    super::machine::EVENT_WRITTEN.notify_waiters();
    Ok(question)
}
