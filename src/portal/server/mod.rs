//! The reference portal: the dossier backend the bot calls over HTTP (axum + its own sqlx
//! database + files on disk). `build` then `PortalApp::serve`, or `spawn` for a running one.

mod accounts;
pub mod catalogue;
mod checks;
mod console;
mod dossiers;
mod error;
pub mod files;
mod headers;
pub mod machine;
mod officer;
pub mod officers;
mod openapi;
mod ops;
mod public;
mod questions;
mod ratings;
mod second_factor;
mod store;
mod throttle;
mod uploads;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use sqlx::migrate::Migrator;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use catalogue::Catalogue;
pub use error::ApiError;
pub use files::FileStore;
pub use officers::{OfficerDirectory, Officers, SHARED_OFFICER_NAME};

use crate::db::{Db, DbError};
use crate::secret::Secret;

/// The portal's migrations, one folder per engine.
pub static PORTAL_SQLITE: Migrator = sqlx::migrate!("migrations/portal/sqlite");
pub static PORTAL_POSTGRES: Migrator = sqlx::migrate!("migrations/portal/postgres");

/// Largest request body: the largest paper (20 MB) plus multipart overhead.
pub const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

/// What the portal needs to run.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    pub database_url: String,
    /// Where uploaded papers and results are stored (content-addressed).
    pub files_dir: PathBuf,
    /// The shared officer token (`DVC_OFFICER_TOKEN`; the sandbox's).
    pub officer_token: Secret,
    /// Named officers (`DVC_OFFICERS`), each action recorded with its officer's name.
    pub officers: Officers,
    pub service_token: Secret,
    /// The bot's Telegram username, for the console's QR codes (`DVC_BOT_USERNAME`).
    pub bot_username: Option<String>,
}

impl PortalConfig {
    /// The portal's settings in every mode (`portal`, and in-process in `run` and `sandbox`),
    /// so that one data folder serves them all: database `DVC_PORTAL_DATABASE_URL`, files in
    /// `$DVC_DATA_DIR/portal-files`, tokens as configured or generated (then `true`), named
    /// officers from `DVC_OFFICERS` (refused when malformed).
    pub fn from_settings(
        settings: &crate::config::Settings,
    ) -> Result<(Self, TokensGenerated), officers::OfficersError> {
        let or_generate = |given: &Option<Secret>| match given {
            Some(s) => (s.clone(), false),
            None => (Secret::generate(), true),
        };
        let (officer_token, officer) = or_generate(&settings.officer_token);
        let (service_token, service) = or_generate(&settings.service_token);
        let config = Self {
            database_url: settings.portal_database_url(),
            files_dir: settings.data_dir.join(FILES_FOLDER),
            officer_token,
            officers: Officers::from_settings(settings)?,
            service_token,
            bot_username: settings
                .bot_username
                .as_deref()
                .map(|u| u.trim().trim_start_matches('@').to_owned())
                .filter(|u| !u.is_empty()),
        };
        Ok((config, TokensGenerated { officer, service }))
    }
}

/// The folder of `$DVC_DATA_DIR` where the portal keeps papers and results.
pub const FILES_FOLDER: &str = "portal-files";

/// Which tokens were generated at start (and so are worth printing once).
#[derive(Debug, Clone, Copy)]
pub struct TokensGenerated {
    pub officer: bool,
    pub service: bool,
}

#[derive(Debug, Error)]
pub enum PortalServerError {
    #[error("portal database: {0}")]
    Db(#[from] DbError),
    #[error(transparent)]
    Seed(#[from] catalogue::SeedError),
    #[error("portal: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot listen on {addr} (set DVC_PORTAL_LISTEN): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Everything a handler reads.
pub struct Ctx {
    pub db: Db,
    pub catalogue: Catalogue,
    pub files: FileStore,
    /// Every officer token (shared and named) with the officer's name.
    pub officers: OfficerDirectory,
    pub service_token: Secret,
    /// The bot's Telegram username, for deep links (`t.me/<username>?start=…`).
    pub bot_username: Option<String>,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Requests by route and status, served at `/metrics`.
    pub metrics: Arc<ops::PortalMetrics>,
}

pub type AppState = Arc<Ctx>;

/// The portal, built and migrated, not yet listening.
pub struct PortalApp {
    router: axum::Router,
    state: AppState,
}

/// Opens (and migrates) the database, loads the catalogue and builds the router.
pub async fn build(config: PortalConfig) -> Result<PortalApp, PortalServerError> {
    let db = Db::connect(&config.database_url).await?;
    migrate(&db).await?;
    crate::private_files::create_dir_all(&config.files_dir)?;
    let (routes, doc) = openapi::router_and_doc();
    let metrics = ops::PortalMetrics::new();
    metrics.keep_up();
    let state = Arc::new(Ctx {
        db,
        catalogue: Catalogue::seed()?,
        files: FileStore::new(config.files_dir),
        officers: OfficerDirectory::new(&config.officer_token, &config.officers),
        service_token: config.service_token,
        bot_username: config.bot_username,
        openapi: Arc::new(doc),
        metrics,
    });
    let router = routes
        .merge(ops::routes())
        .fallback(error::fallback)
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::time_requests,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state.clone());
    Ok(PortalApp { router, state })
}

/// Applies the portal's migrations to `db` (used by `build` and `dvc-bot migrate`).
pub async fn migrate(db: &Db) -> Result<(), DbError> {
    db.migrate_with(&PORTAL_SQLITE, &PORTAL_POSTGRES).await
}

impl PortalApp {
    /// The router, for serving it some other way.
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// Serves on `listener` until `shutdown` resolves, then closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), PortalServerError> {
        // With each client's address: failed logins are also counted per client.
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        self.state.db.close().await;
        served.map_err(PortalServerError::Io)
    }
}

/// A portal running in a tokio task; stopped by `stop` (or on drop).
pub struct RunningPortal {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    pub addr: SocketAddr,
    pub officer_token: Secret,
    pub service_token: Secret,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), PortalServerError>>>,
}

impl RunningPortal {
    /// Stops the portal and waits for it to finish.
    pub async fn stop(mut self) -> Result<(), PortalServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(handle) => handle
                .await
                .map_err(|e| PortalServerError::Io(std::io::Error::other(e)))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningPortal {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Builds the portal, binds `addr` (port 0 = any free port) and serves in a tokio task.
pub async fn spawn(
    config: PortalConfig,
    addr: SocketAddr,
) -> Result<RunningPortal, PortalServerError> {
    let officer_token = config.officer_token.clone();
    let service_token = config.service_token.clone();
    let app = build(config).await?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| PortalServerError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));
    Ok(RunningPortal {
        url: format!("http://{addr}"),
        addr,
        officer_token,
        service_token,
        stop: Some(stop),
        handle: Some(handle),
    })
}
