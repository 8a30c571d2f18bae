//! The console's dossiers: the list (search by code or applicant's name, a status filter,
//! pages of `PAGE_SIZE`), a dossier's page (details, papers by name, the history with who did
//! what, the lookup's QR code, a form for each action its status allows), and the actions.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::AppState;
use super::super::accounts::Officer;
use super::super::dossiers::{StatusFilter, parse_filter};
use super::super::error::{ApiError, ApiPath, ApiQuery};
use super::super::machine::{Action, next, today_vn};
use super::super::officer;
use super::super::store;
use super::dates::parse_deadline;
use super::{
    MAX_FORM_TEXT, Nav, bot_username, deep_link, error_page, explain, html, login_page,
    png_response, qr_png, query_value,
};
use crate::domain::fold;
use crate::i18n::{format_datetime, format_money};
use crate::portal::model::{
    ApiErrorBody, Delivery, DossierStatus, FieldKind, OfficerAction, OfficerActionKind as O,
    OfficerDossier,
};

/// Dossiers per page of the list.
pub const PAGE_SIZE: usize = 20;

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
#[template(path = "console/list.html")]
struct ListPage {
    title: &'static str,
    nav: Nav,
    q: String,
    filters: Vec<StatusOption>,
    total: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    rows: Vec<Row>,
}

/// One choice of the status filter.
struct StatusOption {
    status: &'static str,
    label: &'static str,
    selected: bool,
}

/// One dossier's card in the list.
struct Row {
    code: String,
    procedure_name: String,
    applicant_name: String,
    status: &'static str,
    /// The due date, dd/mm/yyyy.
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "console/dossier.html")]
struct DossierPage {
    title: String,
    nav: Nav,
    code: String,
    procedure_name: String,
    procedure_code: String,
    agency_name: String,
    applicant_name: String,
    applicant_phone: String,
    status: &'static str,
    received: String,
    due: String,
    overdue: bool,
    /// Reason, amount, deadline and papers a side state waits for, and the delivery.
    details: Vec<String>,
    /// The form's values, labelled as the procedure names its fields.
    values: Vec<(String, String)>,
    documents: Vec<DocumentLink>,
    history: Vec<HistoryLine>,
    actions: Vec<ActionForm>,
    /// Whether the lookup's QR code can be drawn (the bot's username is known).
    qr: bool,
    lookup_link: String,
}

struct DocumentLink {
    id: i64,
    paper_name: String,
    file_name: String,
}

/// One move of the history: when, to which status, by whom, and why.
struct HistoryLine {
    at: String,
    status: &'static str,
    officer: String,
    note: String,
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only dossiers in this status.
    pub status: Option<String>,
    /// Words of the dossier code or of the applicant's name (case and diacritics ignored).
    pub q: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
}

/// The list's link to another page with the same search.
fn list_href(q: &str, status: &str, page: usize) -> String {
    let mut href = format!("/officer?page={page}");
    if !q.is_empty() {
        href.push_str(&format!("&q={}", query_value(q)));
    }
    if !status.is_empty() {
        href.push_str(&format!("&status={status}"));
    }
    href
}

/// The console's home: submitted dossiers, newest first, searched and paged.
#[utoipa::path(get, path = "/officer", operation_id = "console_dossiers", tag = "officer console", params(ListQuery),
    responses((status = 200, description = "the console", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html"),
              (status = 400, description = "unknown status", content_type = "text/html")))]
pub async fn page(
    State(app): State<AppState>,
    officer: Result<Officer, ApiError>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let status = match parse_filter(&StatusFilter {
        status: query.status.clone(),
    }) {
        Ok(s) => s,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Trạng thái không có trong danh sách.",
                "/officer",
            );
        }
    };
    let q = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(100)
        .collect::<String>();
    let index = match store::dossiers::officer_index(&app, status).await {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let words: Vec<String> = fold(&q).split(' ').map(str::to_owned).collect();
    let found: Vec<i64> = index
        .iter()
        .filter(|r| {
            let hay = format!("{} {}", fold(&r.code), fold(&r.applicant));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|r| r.id)
        .collect();
    let total = found.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let mut rows = Vec::new();
    for id in found.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
        match officer::officer_view(&app, *id).await {
            Ok(d) => rows.push(row(&d)),
            Err(e) => return e.into_response(),
        }
    }
    let status_text = status.map(|s| s.as_str()).unwrap_or("").to_owned();
    let filters = DossierStatus::ALL
        .iter()
        .filter(|s| **s != DossierStatus::Draft)
        .map(|s| StatusOption {
            status: s.as_str(),
            label: s.label_vi(),
            selected: Some(*s) == status,
        })
        .collect();
    html(
        StatusCode::OK,
        ListPage {
            title: "Hồ sơ — cán bộ",
            nav: Nav::new(&officer, "/officer"),
            prev: (page > 1).then(|| list_href(&q, &status_text, page - 1)),
            next: (page < pages).then(|| list_href(&q, &status_text, page + 1)),
            q,
            filters,
            total,
            page,
            pages,
            rows,
        },
    )
}

fn due_text(d: &OfficerDossier) -> String {
    d.dossier
        .due_date
        .map(crate::i18n::format_date)
        .unwrap_or_default()
}

fn row(d: &OfficerDossier) -> Row {
    Row {
        code: d.dossier.code.clone().unwrap_or_default(),
        procedure_name: d.dossier.procedure_name.clone(),
        applicant_name: d.applicant_name.clone(),
        status: d.dossier.status.label_vi(),
        due: due_text(d),
        overdue: d.overdue,
    }
}

/// A paper's name in the procedure's catalogue entry (its code if the catalogue lost it).
fn paper_name(app: &AppState, procedure: &str, code: &str) -> String {
    app.catalogue
        .get(procedure)
        .and_then(|p| p.papers.iter().find(|paper| paper.code == code))
        .map(|p| p.name_vi.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// What a side state waits for, and the delivery choice, one line each.
fn details(app: &AppState, d: &OfficerDossier) -> Vec<String> {
    let x = &d.dossier;
    let mut out = Vec::new();
    if let Some(p) = &x.pending {
        if let Some(r) = &p.reason {
            out.push(format!("Lý do: {r}"));
        }
        if let Some(a) = p.amount {
            out.push(format!("Số tiền: {}", format_money(a)));
        }
        if let Some(deadline) = p.deadline {
            out.push(format!("Hạn: {}", format_datetime(deadline)));
        }
        if !p.missing_papers.is_empty() {
            let names: Vec<String> = p
                .missing_papers
                .iter()
                .map(|c| paper_name(app, &x.procedure_code, c))
                .collect();
            out.push(format!("Giấy tờ còn thiếu: {}", names.join("; ")));
        }
    }
    match &x.delivery {
        Some(Delivery::Post { address }) => out.push(format!("Trả qua bưu điện: {address}")),
        Some(Delivery::Online) => out.push("Trả kết quả trực tuyến".to_owned()),
        None => {}
    }
    out
}

/// The action forms the dossier's status allows.
fn action_forms(app: &AppState, d: &OfficerDossier) -> Vec<ActionForm> {
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
    ACTIONS
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
        .collect()
}

/// The officer's view of a submitted dossier, by code.
async fn submitted(app: &AppState, key: &str) -> Result<OfficerDossier, ApiError> {
    let row = store::find(app, key, None).await?;
    if row.status == DossierStatus::Draft {
        return Err(ApiError::not_found("dossier"));
    }
    officer::officer_view(app, row.id).await
}

/// A dossier's page: details, papers, history with the officers' names, the lookup's QR
/// code, and the actions its status allows.
#[utoipa::path(get, path = "/officer/dossiers/{dossier}", operation_id = "console_dossier", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code")),
    responses((status = 200, description = "the dossier's page", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html"),
              (status = 400, body = ApiErrorBody, description = "malformed path value"),
              (status = 404, description = "no such dossier", content_type = "text/html")))]
pub async fn dossier(
    State(app): State<AppState>,
    officer: Result<Officer, ApiError>,
    ApiPath(key): ApiPath<String>,
) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let d = match submitted(&app, &key).await {
        Ok(d) => d,
        Err(e) => return explain(e, "/officer"),
    };
    let x = &d.dossier;
    let code = x.code.clone().unwrap_or_default();
    let form = app.catalogue.get(&x.procedure_code).map(|p| p.form.clone());
    let values = x
        .values
        .iter()
        .map(|(key, value)| {
            let field = form
                .as_ref()
                .and_then(|f| f.iter().find(|field| &field.key == key));
            let label = field
                .map(|field| field.label_vi.clone())
                .unwrap_or_else(|| key.clone());
            // Dates are stored `YYYY-MM-DD` and shown as Vietnamese write them.
            let value = match field.map(|f| f.kind) {
                Some(FieldKind::Date) => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map(crate::i18n::format_date)
                    .unwrap_or_else(|_| value.clone()),
                _ => value.clone(),
            };
            (label, value)
        })
        .collect();
    let history = x
        .history
        .iter()
        .map(|h| {
            let mut note = Vec::new();
            if let Some(r) = &h.data.reason {
                note.push(format!("Lý do: {r}"));
            }
            if let Some(a) = h.data.amount {
                note.push(format!("Số tiền: {}", format_money(a)));
            }
            if let Some(deadline) = h.data.deadline {
                note.push(format!("Hạn: {}", format_datetime(deadline)));
            }
            HistoryLine {
                at: format_datetime(h.at),
                status: h.status.label_vi(),
                officer: h.officer.clone().unwrap_or_default(),
                note: note.join(" · "),
            }
        })
        .collect();
    let lookup_link = app
        .bot_username
        .as_deref()
        .map(|bot| deep_link(bot, "status_", &code))
        .unwrap_or_default();
    html(
        StatusCode::OK,
        DossierPage {
            title: format!("Hồ sơ {code}"),
            nav: Nav::new(&officer, "/officer"),
            procedure_name: x.procedure_name.clone(),
            procedure_code: x.procedure_code.clone(),
            agency_name: x.agency_name.clone(),
            applicant_name: d.applicant_name.clone(),
            applicant_phone: d.applicant_phone.clone(),
            status: x.status.label_vi(),
            received: x.submitted_at.map(format_datetime).unwrap_or_default(),
            due: due_text(&d),
            overdue: d.overdue,
            details: details(&app, &d),
            values,
            documents: x
                .documents
                .iter()
                .map(|doc| DocumentLink {
                    id: doc.id,
                    paper_name: paper_name(&app, &x.procedure_code, &doc.paper_code),
                    file_name: doc.file_name.clone(),
                })
                .collect(),
            history,
            actions: action_forms(&app, &d),
            qr: app.bot_username.is_some(),
            lookup_link,
            code,
        },
    )
}

/// The dossier code as a QR code that opens the bot's lookup of it
/// (`https://t.me/<bot>?start=status_<code>`), for the receipt.
#[utoipa::path(get, path = "/officer/dossiers/{dossier}/qr.png", operation_id = "console_receipt_qr", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code")),
    responses((status = 200, description = "the QR code", content_type = "image/png"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 400, body = ApiErrorBody, description = "malformed path value"),
              (status = 404, body = ApiErrorBody, description = "no such dossier"),
              (status = 409, body = ApiErrorBody, description = "the bot's username is not configured")))]
pub async fn receipt_qr(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath(key): ApiPath<String>,
) -> Result<Response, ApiError> {
    let row = store::find(&app, &key, None).await?;
    let code = row
        .code
        .filter(|_| row.status != DossierStatus::Draft)
        .ok_or_else(|| ApiError::not_found("dossier"))?;
    let link = deep_link(bot_username(&app)?, "status_", &code);
    Ok(png_response(qr_png(&link)?))
}

/// Reads an action's form (multipart: the result is a file).
async fn read_action(
    form: &mut Multipart,
) -> Result<(Option<O>, OfficerAction, Option<String>), Response> {
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
    let mut deadline_text = None;
    let back = "/officer";
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(error_page(e.status(), "Biểu mẫu không hợp lệ.", back)),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "result" {
            let file_name = field.file_name().unwrap_or("result.pdf").to_owned();
            match field.bytes().await {
                Ok(b) if !b.is_empty() => {
                    use base64::Engine as _;
                    action.result = Some(crate::portal::model::InlineFile {
                        file_name,
                        data_base64: base64::engine::general_purpose::STANDARD.encode(b),
                    });
                }
                Ok(_) => {}
                Err(e) => return Err(error_page(e.status(), "Không đọc được tệp.", back)),
            }
            continue;
        }
        let text = match field.text().await {
            Ok(t) => t.trim().chars().take(MAX_FORM_TEXT).collect::<String>(),
            Err(e) => return Err(error_page(e.status(), "Biểu mẫu không hợp lệ.", back)),
        };
        match name.as_str() {
            "action" => kind = serde_json::from_value::<O>(serde_json::Value::String(text)).ok(),
            "reason" if !text.is_empty() => action.reason = Some(text),
            "amount" if !text.is_empty() => {
                // Typed as Vietnamese write money: `1.250.000`, `1 250 000 đ`.
                let digits: String = text
                    .chars()
                    .filter(|c| !matches!(c, '.' | ' ' | ',' | 'đ' | '₫'))
                    .collect();
                action.amount = digits.parse().ok().or(Some(-1));
            }
            "deadline" if !text.is_empty() => deadline_text = Some(text),
            "missing_papers" => action.missing_papers.push(text),
            "payment_ref" if !text.is_empty() => action.payment_ref = Some(text),
            _ => {}
        }
    }
    Ok((kind, action, deadline_text))
}

/// Applies an action from a dossier page's form, as the logged-in officer, and goes back to
/// that page.
#[utoipa::path(post, path = "/officer/dossiers/{dossier}/actions", operation_id = "console_action", tag = "officer console",
    params(("dossier" = String, Path, description = "dossier code")),
    request_body(content_type = "multipart/form-data", description = "action, reason, deadline (dd/mm/yyyy), amount, missing_papers, payment_ref, result (file)"),
    responses((status = 303, description = "back to the dossier's page"), (status = 409, description = "forbidden move", content_type = "text/html"),
              (status = 400, description = "malformed request: body, query or path value", content_type = "text/html"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 404, description = "no such dossier", content_type = "text/html"),
              (status = 413, description = "the result is too large", content_type = "text/html"),
              (status = 415, description = "the result is not a PDF, JPEG or PNG", content_type = "text/html"),
              (status = 422, description = "values refused", content_type = "text/html")))]
pub async fn action(
    State(app): State<AppState>,
    officer: Officer,
    ApiPath(key): ApiPath<String>,
    mut form: Multipart,
) -> Response {
    let back = format!("/officer/dossiers/{}", query_value(&key));
    let (kind, mut action, deadline) = match read_action(&mut form).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let Some(kind) = kind else {
        return error_page(StatusCode::BAD_REQUEST, "Thao tác không có.", &back);
    };
    action.action = kind;
    if let Some(text) = deadline {
        match parse_deadline(&text, today_vn()) {
            Ok(at) => action.deadline = Some(at),
            Err(e) => return error_page(StatusCode::UNPROCESSABLE_ENTITY, &e.sentence(), &back),
        }
    }
    match officer::act(&app, &key, &action, &officer).await {
        Ok(d) => {
            let code = d.dossier.code.unwrap_or_default();
            Redirect::to(&format!("/officer/dossiers/{}", query_value(&code))).into_response()
        }
        Err(e) => explain(e, &back),
    }
}

/// One document of a dossier, opened from the console (the console's cookie).
#[utoipa::path(get, path = "/officer/dossiers/{dossier}/documents/{document}", operation_id = "console_document", tag = "officer console",
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
