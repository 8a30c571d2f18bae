//! The officer API: list dossiers by status (overdue flagged) and move them by action.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use super::AppState;
use super::accounts::Officer;
use super::dossiers::{StatusFilter, parse_filter};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use super::files::{check_file_name, content_disposition, sniff};
use super::machine::{Action, Effects, apply, today_vn};
use super::store;
use crate::domain::clean_text;
use crate::portal::model::{
    ApiErrorBody, Dossier, DossierStatus, EventData, OfficerAction, OfficerActionKind as O,
    OfficerDossier,
};

/// The largest amount an officer may ask for: 100 billion đồng, far above any fee, so that a
/// typo of extra digits is refused.
const MAX_AMOUNT_VND: i64 = 100_000_000_000;

/// Largest result document.
pub const MAX_RESULT_BYTES: usize = 10 * 1024 * 1024;
/// Largest action body: a result document in base64 and some room.
const MAX_ACTION_BYTES: usize = MAX_RESULT_BYTES / 3 * 4 + 64 * 1024;
/// Longest reason, in characters.
const MAX_REASON_CHARS: usize = 1000;
/// The latest deadline an officer may set, from now: far beyond any legal time limit, so that
/// only a typo (a wrong year) is refused.
const MAX_DEADLINE_AHEAD_DAYS: i64 = 5 * 366;

/// Whether a dossier still in the office's hands is past its due date.
pub fn overdue(d: &Dossier) -> bool {
    let open = !matches!(
        d.status,
        DossierStatus::Draft
            | DossierStatus::Completed
            | DossierStatus::ResultReturned
            | DossierStatus::Rejected
            | DossierStatus::Withdrawn
    );
    open && d.due_date.is_some_and(|due| due < today_vn())
}

pub async fn officer_view(app: &AppState, id: i64) -> ApiResult<OfficerDossier> {
    let row = store::row(app, id).await?;
    let owner = row.owner_id;
    let mut dossier = store::view(app, row).await?;
    let officers = store::events::officers(app, id).await?;
    for entry in &mut dossier.history {
        entry.officer = officers.get(&entry.event_id).cloned();
    }
    let (applicant_name, applicant_phone) = store::accounts::applicant(app, owner).await?;
    Ok(OfficerDossier {
        overdue: overdue(&dossier),
        dossier,
        applicant_name,
        applicant_phone,
    })
}

/// Submitted dossiers (drafts are the citizen's own), newest first, optionally by status.
pub async fn list(app: &AppState, status: Option<DossierStatus>) -> ApiResult<Vec<OfficerDossier>> {
    let mut out = Vec::new();
    for id in store::ids(app, None, status).await? {
        let d = officer_view(app, id).await?;
        if d.dossier.status != DossierStatus::Draft {
            out.push(d);
        }
    }
    Ok(out)
}

/// Dossiers for the officer, optionally by status; overdue ones are flagged.
#[utoipa::path(get, path = "/api/v1/officer/dossiers", tag = "officer", params(StatusFilter),
    responses((status = 200, body = Vec<OfficerDossier>), (status = 401, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value")),
    security(("officer" = [])))]
pub async fn list_dossiers(
    State(app): State<AppState>,
    _officer: Officer,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> ApiResult<Json<Vec<OfficerDossier>>> {
    let status = parse_filter(&filter)?;
    Ok(Json(list(&app, status).await?))
}

/// Checks an action's data and turns it into the transition's effects (storing a result).
pub async fn effects_of(
    app: &AppState,
    action: &OfficerAction,
    procedure: &str,
) -> ApiResult<Effects> {
    let reason = action
        .reason
        .as_deref()
        .map(clean_text)
        .filter(|r| !r.is_empty());
    let reason = reason.as_deref();
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::field("reason", "text-too-long"));
    }
    let need_reason = matches!(action.action, O::RequestSupplement | O::Reject | O::Pause);
    if need_reason && reason.is_none() {
        return Err(ApiError::field("reason", "required"));
    }
    let needs_deadline = matches!(
        action.action,
        O::RequestSupplement | O::RequestFinancialObligation | O::RequestFee
    );
    if needs_deadline && action.deadline.is_none() {
        return Err(ApiError::field("deadline", "required"));
    }
    if let Some(deadline) = action.deadline {
        let now = chrono::Utc::now();
        if deadline <= now {
            return Err(ApiError::field_because(
                "deadline",
                "past",
                format!("the deadline {deadline} has already passed"),
            ));
        }
        if deadline > now + chrono::Duration::days(MAX_DEADLINE_AHEAD_DAYS) {
            return Err(ApiError::field_because(
                "deadline",
                "too-far",
                format!("the deadline {deadline} is more than 5 years away"),
            ));
        }
    }
    let needs_amount = matches!(action.action, O::RequestFinancialObligation | O::RequestFee);
    match action.amount {
        None if needs_amount => return Err(ApiError::field("amount", "required")),
        Some(a) if a <= 0 || a > MAX_AMOUNT_VND => return Err(ApiError::field("amount", "money")),
        _ => {}
    }
    if action.action == O::RequestSupplement {
        let papers = app
            .catalogue
            .get(procedure)
            .map(|p| p.papers.clone())
            .unwrap_or_default();
        if action.missing_papers.is_empty() {
            return Err(ApiError::field("missing_papers", "required"));
        }
        if let Some(bad) = action
            .missing_papers
            .iter()
            .find(|c| !papers.iter().any(|p| &p.code == *c))
        {
            return Err(ApiError::invalid(format!(
                "{bad:?} is not a paper of procedure {procedure}"
            )));
        }
    }
    let result = match (&action.result, action.action) {
        (Some(file), O::Complete) => {
            let name = check_file_name(&file.file_name)
                .ok_or_else(|| ApiError::field("result.file_name", "file-name"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(file.data_base64.as_bytes())
                .map_err(|_| ApiError::field("result.data_base64", "base64"))?;
            Some(store_result(app, &name, &bytes).await?)
        }
        (None, O::Complete) => return Err(ApiError::field("result", "required")),
        _ => None,
    };
    Ok(Effects {
        data: EventData {
            reason: reason.map(str::to_owned),
            deadline: action.deadline,
            amount: action.amount,
            missing_papers: action.missing_papers.clone(),
            payment_ref: action
                .payment_ref
                .as_deref()
                .map(clean_text)
                .filter(|r| !r.is_empty()),
            ..EventData::default()
        },
        result,
        ..Effects::default()
    })
}

/// Stores a result document after checking its size and type; (sha256, name, mime).
pub async fn store_result(
    app: &AppState,
    name: &str,
    bytes: &[u8],
) -> ApiResult<(String, String, String)> {
    if bytes.len() > MAX_RESULT_BYTES {
        return Err(ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            "the result is larger than 10 MB",
        ));
    }
    let kind = sniff(bytes).ok_or_else(|| {
        ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "wrong_file_type",
            "the result must be a PDF, JPEG or PNG file",
        )
    })?;
    let sha = app.files.put(bytes).await?;
    Ok((sha, name.to_owned(), kind.mime().to_owned()))
}

/// Moves a dossier (by code or id) as `officer`, recorded with the event, and returns it.
pub async fn act(
    app: &AppState,
    key: &str,
    action: &OfficerAction,
    officer: &Officer,
) -> ApiResult<OfficerDossier> {
    let row = store::find(app, key, None).await?;
    if row.status == DossierStatus::Draft {
        return Err(ApiError::not_found("dossier"));
    }
    let mut effects = effects_of(app, action, &row.procedure_code).await?;
    effects.officer = Some(officer.name.clone());
    apply(
        &app.db,
        row.id,
        None,
        Action::Officer(action.action),
        effects,
    )
    .await?;
    officer_view(app, row.id).await
}

/// Applies an officer action; a move the status machine forbids is a 409.
#[utoipa::path(post, path = "/api/v1/officer/dossiers/{dossier}/actions", tag = "officer",
    params(("dossier" = String, Path, description = "dossier code (or id)")),
    request_body = OfficerAction,
    responses((status = 200, body = OfficerDossier), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)"),
              (status = 413, body = ApiErrorBody, description = "a file or the body is too large"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("officer" = [])))]
pub async fn post_action(
    State(app): State<AppState>,
    officer: Officer,
    ApiPath(key): ApiPath<String>,
    ApiJson(action): ApiJson<OfficerAction, MAX_ACTION_BYTES>,
) -> ApiResult<Json<OfficerDossier>> {
    Ok(Json(act(&app, &key, &action, &officer).await?))
}

/// The bytes of one of a dossier's documents, for the officer to read.
pub async fn document(app: &AppState, key: &str, document: i64) -> ApiResult<Response> {
    let row = store::find(app, key, None).await?;
    if row.status == DossierStatus::Draft {
        return Err(ApiError::not_found("dossier"));
    }
    let doc = store::documents::of_dossier(app, row.id)
        .await?
        .into_iter()
        .find(|d| d.id == document)
        .ok_or_else(|| ApiError::not_found("document"))?;
    let bytes = app.files.get(&doc.sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, doc.mime),
            (
                header::CONTENT_DISPOSITION,
                content_disposition("inline", &doc.file_name),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// One document of a dossier (officer token).
#[utoipa::path(get, path = "/api/v1/officer/dossiers/{dossier}/documents/{document}", tag = "officer",
    params(("dossier" = String, Path, description = "dossier code (or id)"),
           ("document" = i64, Path, description = "document id")),
    responses((status = 200, description = "the file", content_type = "application/pdf"),
              (status = 404, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 410, body = ApiErrorBody, description = "the stored file is no longer on disk")),
    security(("officer" = [])))]
pub async fn get_document(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath((key, id)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    document(&app, &key, id).await
}
