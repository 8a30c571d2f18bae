//! The officer console at `/officer`: server-rendered HTML from askama templates
//! (`templates/console/`, every value escaped), no scripts. Lists dossiers by status with
//! overdue ones flagged, and a form for each action the status machine allows.

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

use super::AppState;
use super::accounts::{OFFICER_COOKIE, Officer, console_cookie_value, same_secret};
use super::dossiers::{StatusFilter, parse_filter};
use super::error::{ApiError, ApiPath, ApiQuery};
use super::machine::{Action, next};
use super::officer;
use crate::i18n::{format_datetime, format_money};
use crate::portal::model::{
    ApiErrorBody, Delivery, Dossier, DossierStatus, OfficerAction, OfficerActionKind as O,
    OfficerDossier,
};

/// Longest text read from a console form field.
const MAX_FORM_TEXT: usize = 2000;

/// Each officer action, as the console names it.
const ACTIONS: [(O, &str); 10] = [
    (O::Accept, "Tiếp nhận"),
    (O::RequestSupplement, "Yêu cầu bổ sung"),
    (O::RequestFinancialObligation, "Nghĩa vụ tài chính"),
    (O::RequestFee, "Yêu cầu thanh toán phí"),
    (O::ConfirmPayment, "Xác nhận đã thanh toán"),
    (O::Pause, "Tạm dừng"),
    (O::Resume, "Tiếp tục"),
    (O::Complete, "Hoàn thành thụ lý, tải kết quả"),
    (O::ReturnResult, "Đã trả kết quả"),
    (O::Reject, "Từ chối"),
];

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    title: &'a str,
}

#[derive(Template)]
#[template(path = "console/list.html")]
struct ListPage<'a> {
    title: &'a str,
    filters: Vec<StatusLink>,
    rows: Vec<Row>,
}

/// A link to the list of one status.
struct StatusLink {
    status: &'static str,
    label: &'static str,
}

/// One dossier's line in the list.
struct Row {
    code: String,
    procedure_name: String,
    procedure_code: String,
    applicant_name: String,
    applicant_phone: String,
    status: &'static str,
    /// Reason, amount, deadline and papers a side state waits for, and the delivery.
    details: Vec<String>,
    /// The due date, dd/mm/yyyy.
    due: String,
    overdue: bool,
    documents: Vec<DocumentLink>,
    actions: Vec<ActionForm>,
}

struct DocumentLink {
    id: i64,
    paper_code: String,
    file_name: String,
}

/// The form of one action the dossier's status allows, with the fields that action needs.
struct ActionForm {
    label: &'static str,
    action: String,
    reason: bool,
    papers: Vec<PaperChoice>,
    amount: bool,
    deadline: bool,
    payment_ref: bool,
    result: bool,
}

struct PaperChoice {
    code: String,
    name: String,
}

/// A rendered template as a response with `status`.
fn html(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => ApiError::Internal(format!("console template: {error}")).into_response(),
    }
}

fn error_page(status: StatusCode, message: &str) -> Response {
    html(
        status,
        ErrorPage {
            title: "Lỗi",
            message,
        },
    )
}

fn login_page() -> Response {
    html(StatusCode::UNAUTHORIZED, LoginPage { title: "Cán bộ" })
}

/// The console: dossiers by status, overdue flagged, with action forms.
#[utoipa::path(get, path = "/officer", tag = "officer console", params(StatusFilter),
    responses((status = 200, description = "the console", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html"),
              (status = 400, description = "unknown status", content_type = "text/html")))]
pub async fn page(
    State(app): State<AppState>,
    officer: Result<Officer, ApiError>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Response {
    if officer.is_err() {
        return login_page();
    }
    let status = match parse_filter(&filter) {
        Ok(s) => s,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let list = match officer::list(&app, status).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let filters = DossierStatus::ALL
        .iter()
        .filter(|s| **s != DossierStatus::Draft)
        .map(|s| StatusLink {
            status: s.as_str(),
            label: s.label_vi(),
        })
        .collect();
    let rows = list.iter().map(|d| row(&app, d)).collect();
    html(
        StatusCode::OK,
        ListPage {
            title: "Hồ sơ — cán bộ",
            filters,
            rows,
        },
    )
}

/// What a side state waits for, and the delivery choice, one line each.
fn details(x: &Dossier) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &x.pending {
        if let Some(r) = &p.reason {
            out.push(format!("Lý do: {r}"));
        }
        if let Some(a) = p.amount {
            out.push(format_money(a));
        }
        if let Some(d) = p.deadline {
            out.push(format!("Hạn: {}", format_datetime(d)));
        }
        if !p.missing_papers.is_empty() {
            out.push(format!("Thiếu: {}", p.missing_papers.join(", ")));
        }
    }
    match &x.delivery {
        Some(Delivery::Post { address }) => out.push(format!("Trả qua bưu điện: {address}")),
        Some(Delivery::Online) => out.push("Trả trực tuyến".to_owned()),
        None => {}
    }
    out
}

fn row(app: &AppState, d: &OfficerDossier) -> Row {
    let x = &d.dossier;
    let return_to = x
        .history
        .iter()
        .rev()
        .map(|h| h.status)
        .find(|s| matches!(s, DossierStatus::New | DossierStatus::Processing));
    let papers = app
        .catalogue
        .get(&x.procedure_code)
        .map(|p| p.papers.clone())
        .unwrap_or_default();
    let actions = ACTIONS
        .into_iter()
        .filter(|(action, _)| next(x.status, return_to, Action::Officer(*action)).is_ok())
        .map(|(action, label)| ActionForm {
            label,
            action: serde_json::to_value(action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            reason: matches!(action, O::RequestSupplement | O::Reject | O::Pause),
            papers: if action == O::RequestSupplement {
                papers
                    .iter()
                    .map(|p| PaperChoice {
                        code: p.code.clone(),
                        name: p.name_vi.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            amount: matches!(action, O::RequestFinancialObligation | O::RequestFee),
            deadline: matches!(
                action,
                O::RequestSupplement | O::RequestFinancialObligation | O::RequestFee
            ),
            payment_ref: action == O::ConfirmPayment,
            result: action == O::Complete,
        })
        .collect();
    Row {
        code: x.code.clone().unwrap_or_default(),
        procedure_name: x.procedure_name.clone(),
        procedure_code: x.procedure_code.clone(),
        applicant_name: d.applicant_name.clone(),
        applicant_phone: d.applicant_phone.clone(),
        status: x.status.label_vi(),
        details: details(x),
        due: x
            .due_date
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        overdue: d.overdue,
        documents: x
            .documents
            .iter()
            .map(|doc| DocumentLink {
                id: doc.id,
                paper_code: doc.paper_code.clone(),
                file_name: doc.file_name.clone(),
            })
            .collect(),
        actions,
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
}

/// Logs the officer into the console (an HttpOnly, SameSite=Strict cookie).
#[utoipa::path(post, path = "/officer/login", tag = "officer console", operation_id = "console_login",
    request_body(content_type = "application/x-www-form-urlencoded", description = "token=<officer token>"),
    responses((status = 303, description = "to /officer"), (status = 401, description = "wrong token"),
              (status = 400, description = "malformed request: body, query or path value", content_type = "text/html")))]
pub async fn login(
    State(app): State<AppState>,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "the form is not valid");
    };
    if !same_secret(form.token.trim(), app.officer_token.expose()) {
        return error_page(StatusCode::UNAUTHORIZED, "wrong officer token");
    }
    let cookie = format!(
        "{OFFICER_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/officer",
        console_cookie_value(app.officer_token.expose())
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/officer")).into_response()
}

/// The end of a deadline day in Vietnam.
fn end_of_day_vn(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = day.and_hms_opt(23, 59, 59)?;
    chrono_tz::Asia::Ho_Chi_Minh
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Applies an action from the console's form and goes back to the list.
#[utoipa::path(post, path = "/officer/dossiers/{dossier}/actions", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code")),
    request_body(content_type = "multipart/form-data", description = "action, reason, deadline (date), amount, missing_papers, payment_ref, result (file)"),
    responses((status = 303, description = "back to /officer"), (status = 409, description = "forbidden move", content_type = "text/html"),
              (status = 400, description = "malformed request: body, query or path value", content_type = "text/html"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 404, description = "no such dossier", content_type = "text/html"),
              (status = 422, description = "values refused", content_type = "text/html")))]
pub async fn action(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath(key): ApiPath<String>,
    mut form: Multipart,
) -> Response {
    let mut action = OfficerAction {
        action: O::Accept,
        reason: None,
        deadline: None,
        amount: None,
        missing_papers: Vec::new(),
        payment_ref: None,
        result: None,
    };
    let mut kind = None;
    let mut result: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return error_page(e.status(), &e.body_text()),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "result" {
            let file_name = field.file_name().unwrap_or("result.pdf").to_owned();
            match field.bytes().await {
                Ok(b) if !b.is_empty() => result = Some((file_name, b.to_vec())),
                Ok(_) => {}
                Err(e) => return error_page(e.status(), &e.body_text()),
            }
            continue;
        }
        let text = match field.text().await {
            Ok(t) => t.trim().chars().take(MAX_FORM_TEXT).collect::<String>(),
            Err(e) => return error_page(e.status(), &e.body_text()),
        };
        match name.as_str() {
            "action" => kind = serde_json::from_value::<O>(serde_json::Value::String(text)).ok(),
            "reason" if !text.is_empty() => action.reason = Some(text),
            "amount" if !text.is_empty() => action.amount = text.parse().ok().or(Some(-1)),
            "deadline" if !text.is_empty() => {
                action.deadline = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .ok()
                    .and_then(end_of_day_vn)
            }
            "missing_papers" => action.missing_papers.push(text),
            "payment_ref" if !text.is_empty() => action.payment_ref = Some(text),
            _ => {}
        }
    }
    let Some(kind) = kind else {
        return error_page(StatusCode::BAD_REQUEST, "unknown action");
    };
    action.action = kind;
    if let Some((name, bytes)) = result {
        use base64::Engine as _;
        action.result = Some(crate::portal::model::InlineFile {
            file_name: name,
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        });
    }
    match officer::act(&app, &key, &action).await {
        Ok(d) => {
            Redirect::to(&format!("/officer?status={}", d.dossier.status.as_str())).into_response()
        }
        Err(ApiError::Client {
            status, message, ..
        }) => error_page(status, &message),
        Err(ApiError::Invalid { message, .. }) => {
            error_page(StatusCode::UNPROCESSABLE_ENTITY, &message)
        }
        Err(e) => e.into_response(),
    }
}

/// One document of a dossier, opened from the console (the console's cookie).
#[utoipa::path(get, path = "/officer/dossiers/{dossier}/documents/{document}", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code"),
           ("document" = i64, Path, description = "document id")),
    responses((status = 200, description = "the file", content_type = "application/pdf"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 400, body = ApiErrorBody, description = "malformed path value"),
              (status = 404, body = ApiErrorBody, description = "no such dossier or document"),
              (status = 410, body = ApiErrorBody, description = "the stored file is no longer on disk")))]
pub async fn document(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath((key, id)): ApiPath<(String, i64)>,
) -> Response {
    match officer::document(&app, &key, id).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
