//! The citizen's dossier routes: drafts, documents, submit, lists, withdraw, supplements, result.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::accounts::Citizen;
use super::checks::{
    check_delivery, check_values, clean_delivery, clean_values, idempotency_key, missing_items,
    procedure_of,
};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use super::files::content_disposition;
use super::machine::{Action, Applied, Effects, apply};
use super::store::dossiers::{self as dossier_store, NewDraft};
use super::store::{self, DossierRow};
use super::uploads;
use crate::portal::model::{
    ApiErrorBody, CreateDraft, Delivery, Document, Dossier, DossierStatus, MissingItem, UpdateDraft,
};

/// Creates a draft. With an `Idempotency-Key`, a retry returns the same draft.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retried create return the same draft")),
    responses((status = 201, body = Dossier),
              (status = 200, body = Dossier, description = "the draft already made with this Idempotency-Key"),
              (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("session" = [])))]
pub async fn create_draft(
    State(app): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    ApiJson(mut req): ApiJson<CreateDraft>,
) -> ApiResult<(StatusCode, Json<Dossier>)> {
    req.values = clean_values(req.values);
    req.delivery = clean_delivery(req.delivery);
    let key = idempotency_key(&headers)?;
    let procedure = procedure_of(&app, &req.procedure_code)?;
    check_values(procedure, &req.values)?;
    check_delivery(&req.delivery)?;
    if let Some(k) = &key
        && let Some(id) = dossier_store::draft_by_key(&app, citizen.account_id, k).await?
    {
        return Ok((StatusCode::OK, Json(store::view_id(&app, id).await?)));
    }
    let inserted = dossier_store::insert_draft(
        &app,
        NewDraft {
            owner: citizen.account_id,
            procedure_code: &procedure.summary.code,
            agency_code: &procedure.summary.agency_code,
            values: &req.values,
            delivery: req.delivery.as_ref(),
            create_key: key.as_deref(),
        },
    )
    .await?;
    let id = match (inserted, key) {
        (Some(id), _) => id,
        // A concurrent create with the same key won the race.
        (None, Some(k)) => dossier_store::draft_by_key(&app, citizen.account_id, &k)
            .await?
            .ok_or_else(|| ApiError::Internal("lost draft".into()))?,
        (None, None) => return Err(ApiError::Internal("draft not created".into())),
    };
    Ok((StatusCode::CREATED, Json(store::view_id(&app, id).await?)))
}

async fn own_draft(app: &AppState, citizen: &Citizen, key: &str) -> ApiResult<DossierRow> {
    let row = store::find(app, key, Some(citizen.account_id)).await?;
    if row.status != DossierStatus::Draft {
        return Err(ApiError::conflict(format!(
            "the dossier is no longer a draft (status {})",
            row.status
        )));
    }
    Ok(row)
}

/// Updates a draft's form values (merged; an empty value removes one) and delivery choice.
#[utoipa::path(patch, path = "/api/v1/dossiers/{dossier}", tag = "dossiers", request_body = UpdateDraft,
    params(("dossier" = String, Path, description = "dossier id or code")),
    responses((status = 200, body = Dossier), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("session" = [])))]
pub async fn update_draft(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
    ApiJson(mut req): ApiJson<UpdateDraft>,
) -> ApiResult<Json<Dossier>> {
    req.values = clean_values(req.values);
    req.delivery = clean_delivery(req.delivery);
    let row = own_draft(&app, &citizen, &key).await?;
    let procedure = procedure_of(&app, &row.procedure_code)?;
    check_values(procedure, &req.values)?;
    check_delivery(&req.delivery)?;
    let mut values = row.values.clone();
    for (k, v) in req.values {
        if v.trim().is_empty() {
            values.remove(&k);
        } else {
            values.insert(k, v.trim().to_owned());
        }
    }
    let delivery = req.delivery.or(row.delivery);
    dossier_store::update_draft(&app, row.id, &values, delivery.as_ref()).await?;
    Ok(Json(store::view_id(&app, row.id).await?))
}

/// Attaches papers to a draft: multipart, each part named by its paper code. With an
/// `Idempotency-Key`, a repeated upload answers the documents already stored with that key.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier}/documents", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id or code"),
           ("Idempotency-Key" = Option<String>, Header, description = "a repeated upload answers the documents it stored (e.g. the paper's slot and content hash)")),
    request_body(content_type = "multipart/form-data", description = "one part per file, named by the paper code"),
    responses((status = 201, body = Vec<Document>),
              (status = 200, body = Vec<Document>, description = "the documents already stored with this Idempotency-Key"),
              (status = 413, body = ApiErrorBody),
              (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)"),
              (status = 409, body = ApiErrorBody, description = "not allowed in the dossier's status")),
    security(("session" = [])))]
pub async fn upload_documents(
    State(app): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Vec<Document>>)> {
    let upload_key = idempotency_key(&headers)?;
    if let Some(k) = &upload_key {
        // A replay answers what it stored, even once the dossier is sent.
        let row = store::find(&app, &key, Some(citizen.account_id)).await?;
        let stored = store::documents::by_upload_key(&app, row.id, k).await?;
        if !stored.is_empty() {
            return Ok((StatusCode::OK, Json(stored)));
        }
    }
    let row = own_draft(&app, &citizen, &key).await?;
    let procedure = procedure_of(&app, &row.procedure_code)?;
    let files = uploads::read(procedure, multipart).await?;
    let ids = uploads::store(&app, row.id, files, upload_key.as_deref()).await?;
    let docs = store::documents::of_dossier(&app, row.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(docs.into_iter().filter(|d| ids.contains(&d.id)).collect()),
    ))
}

/// Sends a draft: a dossier code and a due date. Idempotent on `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier}/submit", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id"),
           ("Idempotency-Key" = Option<String>, Header, description = "a retried submit returns the same dossier")),
    responses((status = 200, body = Dossier), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody, description = "names the missing fields and papers"),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)")),
    security(("session" = [])))]
pub async fn submit(
    State(app): State<AppState>,
    citizen: Citizen,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Dossier>> {
    let idem = idempotency_key(&headers)?;
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    let procedure = procedure_of(&app, &row.procedure_code)?.clone();
    if row.status == DossierStatus::Draft {
        let docs = store::documents::of_dossier(&app, row.id).await?;
        let missing = missing_items(&procedure, &row, &docs);
        if !missing.is_empty() {
            return Err(ApiError::Invalid {
                message: format!(
                    "the dossier is missing: {}",
                    missing
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                missing,
                fields: Vec::new(),
            });
        }
        if row.delivery.is_none() {
            dossier_store::set_delivery(&app, row.id, &Delivery::Online).await?;
        }
    }
    let effects = Effects {
        submit_key: idem,
        processing_days: procedure.summary.processing_days,
        ..Effects::default()
    };
    match apply(
        &app.db,
        row.id,
        Some(citizen.account_id),
        Action::Submit,
        effects,
    )
    .await?
    {
        Applied::Moved(_) | Applied::AlreadyDone => Ok(Json(store::view_id(&app, row.id).await?)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusFilter {
    /// Only dossiers in this status.
    pub status: Option<String>,
}

pub fn parse_filter(filter: &StatusFilter) -> ApiResult<Option<DossierStatus>> {
    match filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(s) => DossierStatus::parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("unknown status {s:?}"))),
    }
}

/// My dossiers, newest first, optionally by status (`draft` lists the drafts).
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(StatusFilter),
    responses((status = 200, body = Vec<Dossier>),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token")), security(("session" = [])))]
pub async fn list_mine(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> ApiResult<Json<Vec<Dossier>>> {
    let status = parse_filter(&filter)?;
    let mut out = Vec::new();
    for id in store::ids(&app, Some(citizen.account_id), status).await? {
        out.push(store::view_id(&app, id).await?);
    }
    Ok(Json(out))
}

/// One of my dossiers, by id or code, with documents and history.
#[utoipa::path(get, path = "/api/v1/dossiers/{dossier}", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id or code")),
    responses((status = 200, body = Dossier), (status = 404, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token")),
    security(("session" = [])))]
pub async fn get_mine(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Dossier>> {
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    Ok(Json(store::view(&app, row).await?))
}

/// Withdraws a dossier before it is accepted.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier}/withdraw", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id or code")),
    responses((status = 200, body = Dossier), (status = 409, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)")),
    security(("session" = [])))]
pub async fn withdraw(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Dossier>> {
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    apply(
        &app.db,
        row.id,
        Some(citizen.account_id),
        Action::Withdraw,
        Effects::default(),
    )
    .await?;
    Ok(Json(store::view_id(&app, row.id).await?))
}

/// Answers a supplement request with new papers (multipart, parts named by paper code); the
/// dossier returns to where it was. Every paper the request named must be sent.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier}/supplements", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id or code")),
    request_body(content_type = "multipart/form-data", description = "one part per file, named by the paper code"),
    responses((status = 200, body = Dossier), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 404, body = ApiErrorBody, description = "no such dossier (or not yours)"),
              (status = 413, body = ApiErrorBody, description = "a file or the body is too large"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("session" = [])))]
pub async fn answer_supplement(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
    multipart: Multipart,
) -> ApiResult<Json<Dossier>> {
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    if row.status != DossierStatus::SupplementRequired {
        return Err(ApiError::conflict(format!(
            "no supplement was requested (status {})",
            row.status
        )));
    }
    let procedure = procedure_of(&app, &row.procedure_code)?;
    let files = uploads::read(procedure, multipart).await?;
    let asked = row.pending.clone().unwrap_or_default().missing_papers;
    let missing: Vec<MissingItem> = procedure
        .papers
        .iter()
        .filter(|p| asked.contains(&p.code) && !files.iter().any(|f| f.paper.code == p.code))
        .map(|p| MissingItem {
            kind: crate::domain::MissingKind::Paper,
            code: p.code.clone(),
            name: p.name_vi.clone(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::Invalid {
            message: format!(
                "the supplement is missing: {}",
                missing
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            missing,
            fields: Vec::new(),
        });
    }
    uploads::store(&app, row.id, files, None).await?;
    apply(
        &app.db,
        row.id,
        Some(citizen.account_id),
        Action::AnswerSupplement,
        Effects::default(),
    )
    .await?;
    Ok(Json(store::view_id(&app, row.id).await?))
}

/// The result document, once the dossier is completed.
#[utoipa::path(get, path = "/api/v1/dossiers/{dossier}/result", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier id or code")),
    responses((status = 200, description = "the document", content_type = "application/pdf"),
              (status = 404, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody, description = "no valid bearer token"),
              (status = 410, body = ApiErrorBody, description = "the stored file is no longer on disk")),
    security(("session" = [])))]
pub async fn result(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Response> {
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    let Some((sha, name, mime)) = row.result else {
        return Err(ApiError::not_found("result"));
    };
    let bytes = app.files.get(&sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CONTENT_DISPOSITION,
                content_disposition("attachment", &name),
            ),
        ],
        bytes,
    )
        .into_response())
}
