//! The admin server (`DVC_ADMIN_LISTEN`): `GET /healthz` and `GET /metrics`, run like every
//! other server with its stop signal passed in.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::db::Db;

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

/// The process's metrics recorder (Prometheus text), installed once.
fn metrics() -> Option<&'static PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .map_err(|error| tracing::warn!(%error, "metrics are off"))
                .ok()
        })
        .as_ref()
}

/// The routes: `/healthz` answers 200 "ok" while the bot database answers, 503 otherwise;
/// `/metrics` the bot's counters in Prometheus text (updates by kind, duplicates skipped,
/// replies that failed, seconds per update).
pub fn router(db: Db) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .route("/healthz", get(health))
        .with_state(db)
}

async fn render_metrics() -> (StatusCode, String) {
    match metrics() {
        Some(h) => (StatusCode::OK, h.render()),
        None => (StatusCode::NOT_FOUND, "metrics are off".to_owned()),
    }
}

async fn health(State(db): State<Db>) -> (StatusCode, &'static str) {
    match database_answers(&db).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Whether the database answers a trivial query.
async fn database_answers(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(&db.pool).await.map(|_| ())
}

/// Serves the admin routes on `listener` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    db: Db,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AdminError> {
    // Installed before serving, so counters recorded from now on are kept.
    let _ = metrics();
    axum::serve(listener, router(db))
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
pub async fn spawn(addr: SocketAddr, db: Db) -> Result<RunningAdmin, AdminError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| AdminError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run(listener, db, async {
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
        admin.stop().await.unwrap();
        // Stopped, not aborted: the listener is closed once `stop` returns.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        db.close().await;
    }
}
