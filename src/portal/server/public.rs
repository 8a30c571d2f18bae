//! What anyone may read: the public lookup (no personal data) and, with the service token,
//! the event feed.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::accounts::{Service, same_secret};
use super::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use super::store::{self, to_time};
use crate::portal::model::{ApiErrorBody, Event, PublicDossier, PublicHistoryEntry};

/// Most events per page of the feed.
pub const MAX_EVENTS_PER_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The last 4 digits of the applicant's CCCD: adds the status history.
    pub cccd_last4: Option<String>,
}

/// A dossier's public status: procedure, agency, received and due dates; no personal data.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, description = "dossier code"), LookupParams),
    responses((status = 200, body = PublicDossier), (status = 404, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value")))]
pub async fn lookup(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(params): ApiQuery<LookupParams>,
) -> ApiResult<Json<PublicDossier>> {
    if code.trim().parse::<i64>().is_ok() {
        return Err(ApiError::not_found("dossier"));
    }
    let row = store::find(&app, &code, None).await?;
    let Some(code) = row.code.clone() else {
        return Err(ApiError::not_found("dossier"));
    };
    let last4 = params.cccd_last4.as_deref().map(str::trim);
    if last4.is_some_and(|l| l.len() != 4 || !l.chars().all(|c| c.is_ascii_digit())) {
        return Err(ApiError::bad_request(
            "cccd_last4 must be the last 4 digits of the CCCD",
        ));
    }
    let history = match last4 {
        Some(last4) if last4.len() == 4 => {
            let login = store::accounts::login_of(&app, row.owner_id).await?;
            let tail = &login[login.len().saturating_sub(4)..];
            if same_secret(tail, last4) {
                Some(
                    store::events::history(&app, row.id)
                        .await?
                        .into_iter()
                        .map(|h| PublicHistoryEntry {
                            kind: h.kind,
                            status: h.status,
                            at: h.at,
                        })
                        .collect(),
                )
            } else {
                None
            }
        }
        _ => None,
    };
    let p = app.catalogue.get(&row.procedure_code);
    Ok(Json(PublicDossier {
        code,
        procedure_code: row.procedure_code.clone(),
        procedure_name: p.map(|p| p.summary.name_vi.clone()).unwrap_or_default(),
        agency_code: p.map(|p| p.summary.agency_code.clone()).unwrap_or_default(),
        agency_name: p.map(|p| p.summary.agency_name.clone()).unwrap_or_default(),
        status: row.status,
        received_at: row.submitted_at.map(to_time),
        due_date: row.due_date,
        history,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Events with ids greater than this (0 = from the start).
    pub after: Option<i64>,
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
    /// Long poll: wait up to this many milliseconds (at most 30000) for an event after `after`
    /// when there is none yet; answered as soon as one is written. 0 or absent: answer at once.
    pub wait_ms: Option<u64>,
}

/// Longest wait of the feed's long poll.
pub const MAX_WAIT_MS: u64 = 30_000;
/// A waiting long poll looks at the table again this often, for events written by another
/// process on the same database (this process's own wake it at once).
const RECHECK: std::time::Duration = std::time::Duration::from_millis(2_000);

/// The event feed, oldest first: every transition with a strictly increasing id. With
/// `wait_ms`, a long poll: it answers as soon as an event after `after` exists, or `[]` when
/// the wait is over.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(FeedParams),
    responses((status = 200, body = Vec<Event>), (status = 401, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value")),
    security(("service" = [])))]
pub async fn events(
    State(app): State<AppState>,
    _service: Service,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> ApiResult<Json<Vec<Event>>> {
    let after = params.after.unwrap_or(0);
    let limit = params.limit.unwrap_or(100).clamp(1, MAX_EVENTS_PER_PAGE);
    let wait = std::time::Duration::from_millis(params.wait_ms.unwrap_or(0).min(MAX_WAIT_MS));
    let until = tokio::time::Instant::now() + wait;
    loop {
        // Registered before the query, so an event committed in between still wakes us.
        let written = super::machine::EVENT_WRITTEN.notified();
        tokio::pin!(written);
        written.as_mut().enable();
        let events = store::events::after(&app, after, limit).await?;
        let now = tokio::time::Instant::now();
        if !events.is_empty() || now >= until {
            return Ok(Json(events));
        }
        let _ = tokio::time::timeout((until - now).min(RECHECK), written).await;
    }
}
