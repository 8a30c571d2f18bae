//! The console's questions inbox: open questions first (oldest first, each with an answer
//! form), then the latest answered ones with who answered. An answer reaches the asker's chat
//! as a `question_answered` event, like the API's.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::AppState;
use super::super::accounts::Officer;
use super::super::error::{ApiError, ApiPath};
use super::super::questions;
use super::super::store;
use super::{Nav, error_page, explain, html, login_page};
use crate::i18n::format_datetime;
use crate::portal::model::{ApiErrorBody, Question};

/// Answered questions shown under the open ones.
const ANSWERED_SHOWN: usize = 50;

#[derive(Template)]
#[template(path = "console/questions.html")]
struct InboxPage {
    title: &'static str,
    nav: Nav,
    open: Vec<QuestionView>,
    answered: Vec<QuestionView>,
}

struct QuestionView {
    id: i64,
    dossier: String,
    asker: String,
    text: String,
    asked_at: String,
    answer: String,
    answered_by: String,
    answered_at: String,
}

fn view(q: Question) -> QuestionView {
    QuestionView {
        id: q.id,
        dossier: q.dossier.unwrap_or_default(),
        asker: q.asker_name,
        text: q.text,
        asked_at: format_datetime(q.asked_at),
        answer: q.answer.unwrap_or_default(),
        answered_by: q.answered_by.unwrap_or_default(),
        answered_at: q.answered_at.map(format_datetime).unwrap_or_default(),
    }
}

/// The questions inbox.
#[utoipa::path(get, path = "/officer/questions", operation_id = "console_questions", tag = "officer console",
    responses((status = 200, description = "the inbox", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html")))]
pub async fn page(State(app): State<AppState>, officer: Result<Officer, ApiError>) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let (open, answered) = match (
        store::questions::list(&app, false).await,
        store::questions::list(&app, true).await,
    ) {
        (Ok(o), Ok(a)) => (o, a),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    html(
        StatusCode::OK,
        InboxPage {
            title: "Câu hỏi của người dân",
            nav: Nav::new(&officer, "/officer/questions"),
            open: open.into_iter().map(view).collect(),
            answered: answered
                .into_iter()
                .take(ANSWERED_SHOWN)
                .map(view)
                .collect(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    answer: String,
}

/// Answers a question from the inbox's form, as the logged-in officer.
#[utoipa::path(post, path = "/officer/questions/{id}/answer", tag = "officer console",
    operation_id = "console_answer",
    params(("id" = i64, Path, description = "question id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "answer=<text>"),
    responses((status = 303, description = "back to the inbox"),
              (status = 400, description = "malformed request: body or path value", content_type = "text/html"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 404, description = "no such question", content_type = "text/html"),
              (status = 409, description = "answered already", content_type = "text/html"),
              (status = 415, description = "wrong content type", content_type = "text/html"),
              (status = 422, description = "an empty or too long answer", content_type = "text/html")))]
pub async fn answer(
    State(app): State<AppState>,
    officer: Officer,
    ApiPath(id): ApiPath<i64>,
    form: Result<Form<AnswerForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let back = "/officer/questions";
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => return error_page(e.status(), "Biểu mẫu không hợp lệ.", back),
    };
    match questions::answer(&app, id, &form.answer, &officer).await {
        Ok(_) => Redirect::to(back).into_response(),
        Err(ApiError::Client { status, .. }) if status == StatusCode::CONFLICT => error_page(
            StatusCode::CONFLICT,
            "Câu hỏi này đã được trả lời rồi.",
            back,
        ),
        Err(e) => explain(e, back),
    }
}
