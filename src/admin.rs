//! The admin server (`DVC_ADMIN_LISTEN`): `GET /healthz` (the process and its database
//! answer), `GET /readyz` (the database and the portal answer) and `GET /metrics`, run like
//! every other server with its stop signal passed in.

use std::future::Future;
use std::net::SocketAddr;

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::routing::get;
use axum::{Json, Router};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::db::Db;
use crate::telemetry;

#[derive(Debug, Error)]
pub enum AdminError {
    #[error("cannot listen on {addr} (set DVC_ADMIN_LISTEN): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("admin server: {0}")]
    Io(#[from] std::io::Error),
    #[error("admin server task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What `/readyz` checks: the bot database, and the portal when one is named.
#[derive(Clone)]
pub struct Checks {
    pub db: Db,
    /// The portal's base URL; ready means its `/healthz` answers 200 within [`PORTAL_TIMEOUT`].
    pub portal: Option<String>,
    http: reqwest::Client,
}

impl Checks {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            portal: None,
            http: reqwest::Client::new(),
        }
    }
    /// Also checks the portal at `base_url`.
    pub fn with_portal(mut self, base_url: impl Into<String>) -> Self {
        self.portal = Some(base_url.into());
        self
    }
}

impl From<Db> for Checks {
    fn from(db: Db) -> Self {
        Self::new(db)
    }
}

/// How long `/readyz` waits for the database and for the portal, each.
pub const DB_TIMEOUT: Duration = Duration::from_secs(2);
pub const PORTAL_TIMEOUT: Duration = Duration::from_secs(2);

/// The routes: `/healthz` answers 200 "ok" while the bot database answers, 503 otherwise;
/// `/readyz` 200 when the database and the portal answer, else 503 naming what failed;
/// `/metrics` every metric of [`telemetry::BOT`] in Prometheus text.
pub fn router(checks: Checks) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .with_state(checks)
}

async fn render_metrics() -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    let content_type = [(
        header::CONTENT_TYPE,
        "text/plain; version=0.0.4; charset=utf-8",
    )];
    match telemetry::bot() {
        Some(m) => (StatusCode::OK, content_type, m.render()),
        None => (
            StatusCode::NOT_FOUND,
            content_type,
            "metrics are off".to_owned(),
        ),
    }
}

async fn health(State(checks): State<Checks>) -> (StatusCode, &'static str) {
    match database_answers(&checks.db).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Each check's result: `{"ready": bool, "database": "ok" | why, "portal": "ok" | why}`.
async fn ready(State(checks): State<Checks>) -> (StatusCode, Json<serde_json::Value>) {
    let database = async {
        match tokio::time::timeout(DB_TIMEOUT, database_answers(&checks.db)).await {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(error)) => format!("database error: {error}"),
            Err(_) => format!("no answer within {} s", DB_TIMEOUT.as_secs()),
        }
    };
    let portal = async {
        let Some(base) = &checks.portal else {
            return None;
        };
        let url = format!("{}/healthz", base.trim_end_matches('/'));
        let answer = checks.http.get(&url).timeout(PORTAL_TIMEOUT).send().await;
        Some(match answer {
            Ok(r) if r.status().is_success() => "ok".to_owned(),
            Ok(r) => format!("{url} answered {}", r.status()),
            Err(e) if e.is_timeout() => {
                format!("{url}: no answer within {} s", PORTAL_TIMEOUT.as_secs())
            }
            Err(e) => format!("{url}: {e}"),
        })
    };
    let (database, portal) = tokio::join!(database, portal);
    let ok = database == "ok" && portal.as_deref().is_none_or(|p| p == "ok");
    if !ok {
        tracing::warn!(%database, portal = ?portal, "not ready");
    }
    let mut body = serde_json::json!({"ready": ok, "database": database});
    if let Some(portal) = portal {
        body["portal"] = portal.into();
    }
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// Whether the database answers a trivial query.
async fn database_answers(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(&db.pool).await.map(|_| ())
}

/// Serves the admin routes on `listener` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    checks: Checks,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AdminError> {
    // Installed before serving, so counters recorded from now on are kept.
    let _ = telemetry::bot();
    axum::serve(listener, router(checks))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// An admin server running in a task; stopped by `stop` (or on drop).
pub struct RunningAdmin {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), AdminError>>>,
}

impl RunningAdmin {
    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) -> Result<(), AdminError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningAdmin {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` (a taken address is an error at start, not later) and serves in a task.
pub async fn spawn(
    addr: SocketAddr,
    checks: impl Into<Checks>,
) -> Result<RunningAdmin, AdminError> {
    let checks = checks.into();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| AdminError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run(listener, checks, async {
        let _ = stopped.await;
    }));
    Ok(RunningAdmin {
        addr,
        stop: Some(stop),
        handle: Some(handle),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_health_then_stops_on_its_signal() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bot.db").display());
        let db = Db::connect(&url).await.unwrap();
        let admin = spawn((std::net::Ipv4Addr::LOCALHOST, 0).into(), db.clone())
            .await
            .unwrap();
        let addr = admin.addr;
        let health = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(health.text().await.unwrap(), "ok");
        // A taken address is an error at start.
        assert!(matches!(
            spawn(addr, db.clone()).await,
            Err(AdminError::Bind { .. })
        ));
        // Ready needs the portal too: one that does not answer is named in a 503.
        let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200, "no portal named: the database alone");
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let nobody = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let not_ready = spawn(
            (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            Checks::new(db.clone()).with_portal(nobody.clone()),
        )
        .await
        .unwrap();
        let answer = reqwest::get(format!("http://{}/readyz", not_ready.addr))
            .await
            .unwrap();
        assert_eq!(answer.status(), 503);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["ready"], false);
        assert_eq!(body["database"], "ok");
        assert!(body["portal"].as_str().unwrap().contains(&nobody), "{body}");
        not_ready.stop().await.unwrap();
        admin.stop().await.unwrap();
        // Stopped, not aborted: the listener is closed once `stop` returns.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        db.close().await;
    }
}
