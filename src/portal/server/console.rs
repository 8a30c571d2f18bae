//! The officer console at `/officer`: server-rendered HTML, no scripts. Lists dossiers by
//! status with overdue ones flagged, and a form for each action the status machine allows.

use std::fmt::Write as _;

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
use crate::i18n::format_money;
use crate::portal::model::{DossierStatus, OfficerAction, OfficerActionKind as O, OfficerDossier};

/// Longest text read from a console form field.
const MAX_FORM_TEXT: usize = 2000;

const ACTIONS: [(O, &str); 10] = [
    (O::Accept, "Tiếp nhận (accept)"),
    (O::RequestSupplement, "Yêu cầu bổ sung (request supplement)"),
    (
        O::RequestFinancialObligation,
        "Nghĩa vụ tài chính (financial obligation)",
    ),
    (O::RequestFee, "Yêu cầu thanh toán phí (request fee)"),
    (
        O::ConfirmPayment,
        "Xác nhận đã thanh toán (confirm payment)",
    ),
    (O::Pause, "Tạm dừng (pause)"),
    (O::Resume, "Tiếp tục (resume)"),
    (
        O::Complete,
        "Hoàn thành thụ lý, tải kết quả (complete with result)",
    ),
    (O::ReturnResult, "Đã trả kết quả (result returned)"),
    (O::Reject, "Từ chối (reject)"),
];

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page_html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>body{{font-family:sans-serif;margin:1em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px;vertical-align:top}}\
         .overdue{{background:#fdd}}.flag{{color:#b00;font-weight:bold}}\
         details{{margin:2px 0}}</style></head><body>{body}</body></html>",
        escape(title)
    ))
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Lỗi / Error</h1><p>{}</p><p><a href=\"/officer\">← /officer</a></p>",
        escape(message)
    );
    (status, page_html("Lỗi", &body)).into_response()
}

fn login_page() -> Response {
    let body = "<h1>Cán bộ / Officer</h1><form method=\"post\" action=\"/officer/login\">\
        <label>Officer token <input type=\"password\" name=\"token\" required></label> \
        <button>Đăng nhập</button></form>";
    (StatusCode::UNAUTHORIZED, page_html("Officer", body)).into_response()
}

/// The console: dossiers by status, overdue flagged, with action forms.
#[utoipa::path(get, path = "/officer", tag = "officer console", params(StatusFilter),
    responses((status = 200, description = "the console", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html")))]
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
    let mut body = String::from("<h1>Hồ sơ / Dossiers</h1><p>");
    let _ = write!(body, "<a href=\"/officer\">Tất cả</a>");
    for s in DossierStatus::ALL
        .iter()
        .filter(|s| **s != DossierStatus::Draft)
    {
        let _ = write!(
            body,
            " · <a href=\"/officer?status={}\">{}</a>",
            s.as_str(),
            escape(s.label_vi())
        );
    }
    body.push_str(
        "</p><table><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Người nộp</th>\
        <th>Trạng thái</th><th>Hạn</th><th>Thao tác</th></tr>",
    );
    for d in &list {
        render_row(&app, d, &mut body);
    }
    body.push_str("</table>");
    if list.is_empty() {
        body.push_str("<p>Không có hồ sơ.</p>");
    }
    page_html("Officer console", &body).into_response()
}

/// What a side state waits for, and the delivery choice, as HTML.
fn pending_html(x: &crate::portal::model::Dossier) -> String {
    let mut out = String::new();
    if let Some(p) = &x.pending {
        if let Some(r) = &p.reason {
            let _ = write!(out, "<br>Lý do: {}", escape(r));
        }
        if let Some(a) = p.amount {
            let _ = write!(out, "<br>{}", escape(&format_money(a)));
        }
        if let Some(d) = p.deadline {
            let _ = write!(out, "<br>Hạn: {}", escape(&crate::i18n::format_datetime(d)));
        }
        if !p.missing_papers.is_empty() {
            let _ = write!(out, "<br>Thiếu: {}", escape(&p.missing_papers.join(", ")));
        }
    }
    match &x.delivery {
        Some(crate::portal::model::Delivery::Post { address }) => {
            let _ = write!(out, "<br>Trả qua bưu điện: {}", escape(address));
        }
        Some(crate::portal::model::Delivery::Online) => out.push_str("<br>Trả trực tuyến"),
        None => {}
    }
    out
}

fn render_row(app: &AppState, d: &OfficerDossier, out: &mut String) {
    let x = &d.dossier;
    let code = x.code.clone().unwrap_or_default();
    let return_to = x
        .history
        .iter()
        .rev()
        .map(|h| h.status)
        .find(|s| matches!(s, DossierStatus::New | DossierStatus::Processing));
    let _ = write!(
        out,
        "<tr{}><td>{}</td><td>{} <small>({})</small></td><td>{}<br>{}</td><td>{}{}</td><td>{}{}</td><td>",
        if d.overdue { " class=\"overdue\"" } else { "" },
        escape(&code),
        escape(&x.procedure_name),
        escape(&x.procedure_code),
        escape(&d.applicant_name),
        escape(&d.applicant_phone),
        escape(x.status.label_vi()),
        pending_html(x),
        x.due_date
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        if d.overdue {
            " <span class=\"flag\">QUÁ HẠN</span>"
        } else {
            ""
        },
    );
    if !x.documents.is_empty() {
        out.push_str("<details><summary>Giấy tờ</summary>");
        for doc in &x.documents {
            let _ = write!(
                out,
                "<a href=\"/officer/dossiers/{}/documents/{}\">{}: {}</a><br>",
                escape(&code),
                doc.id,
                escape(&doc.paper_code),
                escape(&doc.file_name)
            );
        }
        out.push_str("</details>");
    }
    let papers = app
        .catalogue
        .get(&x.procedure_code)
        .map(|p| p.papers.clone())
        .unwrap_or_default();
    for (action, label) in ACTIONS {
        if next(x.status, return_to, Action::Officer(action)).is_err() {
            continue;
        }
        let _ = write!(
            out,
            "<details><summary>{}</summary><form method=\"post\" enctype=\"multipart/form-data\" \
             action=\"/officer/dossiers/{}/actions\"><input type=\"hidden\" name=\"action\" value=\"{}\">",
            escape(label),
            escape(&code),
            serde_json::to_value(action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        );
        if matches!(action, O::RequestSupplement | O::Reject | O::Pause) {
            out.push_str("<label>Lý do <input name=\"reason\" required></label><br>");
        }
        if action == O::RequestSupplement {
            out.push_str("Giấy tờ còn thiếu:<br>");
            for p in &papers {
                let _ = write!(
                    out,
                    "<label><input type=\"checkbox\" name=\"missing_papers\" value=\"{}\"> {}</label><br>",
                    escape(&p.code),
                    escape(&p.name_vi)
                );
            }
        }
        if matches!(action, O::RequestFinancialObligation | O::RequestFee) {
            out.push_str("<label>Số tiền (VND) <input type=\"number\" name=\"amount\" min=\"1\" required></label><br>");
        }
        if matches!(
            action,
            O::RequestSupplement | O::RequestFinancialObligation | O::RequestFee
        ) {
            out.push_str("<label>Hạn <input type=\"date\" name=\"deadline\" required></label><br>");
        }
        if action == O::ConfirmPayment {
            out.push_str("<label>Mã thanh toán <input name=\"payment_ref\"></label><br>");
        }
        if action == O::Complete {
            out.push_str("<label>Kết quả (PDF/JPEG/PNG) <input type=\"file\" name=\"result\" required></label><br>");
        }
        out.push_str("<button>OK</button></form></details>");
    }
    out.push_str("</td></tr>");
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
              (status = 401, description = "no valid bearer token", content_type = "text/html"),
              (status = 404, description = "no such dossier (or not yours)", content_type = "text/html"),
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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_html() {
        assert_eq!(
            super::escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}

/// One document of a dossier, opened from the console (the console's cookie).
#[utoipa::path(get, path = "/officer/dossiers/{dossier}/documents/{document}", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code"),
           ("document" = i64, Path, description = "document id")),
    responses((status = 200, description = "the file", content_type = "application/pdf"),
              (status = 401, description = "not logged in"),
              (status = 400, description = "malformed request: body, query or path value", content_type = "text/html"),
              (status = 404, description = "no such dossier (or not yours)", content_type = "text/html"),
              (status = 410, description = "the stored file is no longer on disk", content_type = "text/html")))]
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
