//! The portal's own operations routes, outside the API and its OpenAPI document: `/healthz`
//! (the process answers), `/readyz` (its database answers) and `/metrics` (requests by route
//! template and status, a histogram in Prometheus text), and the middleware that times them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use crate::telemetry::{LocalMetrics, PORTAL};

/// How long `/readyz` waits for the database.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

/// The portal's metrics: a recorder of its own, so an in-process portal's numbers never mix
/// with the bot's.
pub struct PortalMetrics(LocalMetrics);

impl PortalMetrics {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(LocalMetrics::new(PORTAL)))
    }
    /// Keeps the recorder's memory bounded when nobody scrapes (every 5 s while `self` lives).
    pub fn keep_up(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(metrics) => metrics.0.upkeep(),
                    None => return,
                }
            }
        });
    }
}

/// The three routes, merged into the portal's router.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(render))
}

async fn ready(State(ctx): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let query = sqlx::query("SELECT 1").execute(&ctx.db.pool);
    let database = match tokio::time::timeout(DB_TIMEOUT, query).await {
        Ok(Ok(_)) => "ok".to_owned(),
        Ok(Err(error)) => format!("database error: {error}"),
        Err(_) => format!("no answer within {} s", DB_TIMEOUT.as_secs()),
    };
    let ok = database == "ok";
    let status = if ok {
        StatusCode::OK
    } else {
        tracing::warn!(%database, "portal not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({"ready": ok, "database": database})),
    )
}

async fn render(State(ctx): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ctx.metrics.0.render(),
    )
}

/// Times each request: `dvc_portal_http_request_seconds{route, status}`, the route being the
/// router's template (`/api/v1/dossiers/{dossier}`), `unmatched` for unknown paths.
pub async fn time_requests(State(ctx): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    ctx.metrics.0.with(|| {
        metrics::histogram!(
            "dvc_portal_http_request_seconds",
            "route" => route,
            "status" => status
        )
        .record(seconds)
    });
    response
}
