//! Database access: one `Db` over SQLite or PostgreSQL chosen by URL scheme, with migrations.
//!
//! Both engines go through sqlx's `Any` driver, so repository SQL is written once with `$1`
//! placeholders. Times are stored as Unix seconds (BIGINT) and flags as 0/1 integers, which both
//! engines and the `Any` driver agree on.

pub mod chat_lock;
pub mod follows;
pub mod hot;
pub mod inline;
pub mod storage;
pub mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection, Executor};
use thiserror::Error;

pub use sqlx::AnyPool;

/// How long a query waits for a locked SQLite database before giving up.
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// How long we wait for a connection at start before calling the database unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per pool. SQLite serialises writers anyway; PostgreSQL replicas share a server.
const MAX_CONNECTIONS: u32 = 8;

/// The bot's migrations, one folder per engine.
pub static BOT_SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
pub static BOT_POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, Error)]
pub enum DbError {
    #[error("database URL {0:?} is not valid: expected sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the database file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database at {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

/// A connection pool and the engine behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    /// How the pool's connections are opened, for connections kept outside it (`hot`).
    options: AnyConnectOptions,
    /// The database file, on SQLite (for the storage's inline connection, `inline`).
    pub sqlite_path: Option<PathBuf>,
}

impl Db {
    /// Opens the database at `url`: SQLite (file and folder created if missing; WAL journal,
    /// synchronous NORMAL, a busy timeout, foreign keys on) or PostgreSQL.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let engine = engine_of(url)?;
        let target = redact_url(url);
        let mut file = None;
        let options: AnyConnectOptions = match engine {
            Engine::Sqlite => {
                let path = sqlite_path(url)?;
                file = Some(path.clone());
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    crate::private_files::create_dir_all(parent).map_err(|source| {
                        DbError::Folder {
                            path: parent.to_path_buf(),
                            source,
                        }
                    })?;
                }
                // A new database file is private (0600), and so its WAL after it.
                crate::private_files::touch(&path).map_err(|source| DbError::File {
                    path: path.clone(),
                    source,
                })?;
                let with_mode = if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                with_mode
                    .parse()
                    .map_err(|_| DbError::BadUrl(target.clone()))?
            }
            Engine::Postgres => url.parse().map_err(|_| DbError::BadUrl(target.clone()))?,
        };
        // One connection first, tried once: its error is the real cause (refused, not a
        // database, no such folder), said at once instead of after the pool's retries.
        let mut probe = AnyConnection::connect_with(&options)
            .await
            .map_err(|source| DbError::Connect {
                target: target.clone(),
                source,
            })?;
        let check = match engine {
            Engine::Sqlite => "PRAGMA journal_mode = WAL",
            Engine::Postgres => "SELECT 1",
        };
        probe
            .execute(check)
            .await
            .map_err(|source| DbError::Connect {
                target: target.clone(),
                source,
            })?;
        let _ = probe.close().await;
        let pool = AnyPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(CONNECT_TIMEOUT)
            // No ping before each use: a broken connection fails its query, which is said
            // anyway; the ping was a round trip on every update (a thread hand-off on SQLite, a
            // loopback exchange on PostgreSQL).
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| Box::pin(prepare(conn, engine)))
            .connect_with(options.clone())
            .await
            .map_err(|source| DbError::Connect {
                target: target.clone(),
                source,
            })?;
        Ok(Self {
            pool,
            engine,
            options,
            sqlite_path: file,
        })
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting for it up to the busy timeout): a deferred transaction that reads before it
    /// writes fails at its first write, without waiting, whenever another connection wrote
    /// in between (its snapshot is stale: `SQLITE_BUSY_SNAPSHOT`, or `SQLITE_BUSY` while that
    /// write is under way). On PostgreSQL a plain `BEGIN`.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// A connection of its own, outside the pool, set up as the pool's are.
    pub async fn open_connection(&self) -> Result<AnyConnection, sqlx::Error> {
        let mut conn =
            tokio::time::timeout(CONNECT_TIMEOUT, AnyConnection::connect_with(&self.options))
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)??;
        prepare(&mut conn, self.engine).await?;
        Ok(conn)
    }

    /// Applies the bot's migrations for this engine.
    pub async fn migrate_bot(&self) -> Result<(), DbError> {
        self.migrate_with(&BOT_SQLITE, &BOT_POSTGRES).await
    }

    /// Applies the migrator matching this engine.
    pub async fn migrate_with(
        &self,
        sqlite: &Migrator,
        postgres: &Migrator,
    ) -> Result<(), DbError> {
        let migrator = match self.engine {
            Engine::Sqlite => sqlite,
            Engine::Postgres => postgres,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Sets up a new connection: on SQLite the WAL journal, synchronous NORMAL, a busy timeout and
/// foreign keys.
async fn prepare(conn: &mut AnyConnection, engine: Engine) -> Result<(), sqlx::Error> {
    if engine == Engine::Sqlite {
        conn.execute("PRAGMA journal_mode = WAL").await?;
        conn.execute("PRAGMA synchronous = NORMAL").await?;
        conn.execute(&*format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"))
            .await?;
        conn.execute("PRAGMA foreign_keys = ON").await?;
    }
    Ok(())
}

fn engine_of(url: &str) -> Result<Engine, DbError> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    match scheme {
        "sqlite" => Ok(Engine::Sqlite),
        "postgres" | "postgresql" => {
            url::Url::parse(url).map_err(|_| DbError::BadUrl(redact_url(url)))?;
            Ok(Engine::Postgres)
        }
        _ => Err(DbError::BadUrl(redact_url(url))),
    }
}

/// The file path of a `sqlite:` URL (`sqlite://rel/path`, `sqlite:///abs/path`, `sqlite:path`).
fn sqlite_path(url: &str) -> Result<PathBuf, DbError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| DbError::BadUrl(url.to_owned()))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Err(DbError::BadUrl(url.to_owned()));
    }
    Ok(Path::new(path).to_path_buf())
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Seconds since the Unix epoch, the time representation of every table.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_by_scheme() {
        assert_eq!(engine_of("sqlite://data/x.db").unwrap(), Engine::Sqlite);
        assert_eq!(engine_of("postgres://u@h/db").unwrap(), Engine::Postgres);
        assert!(matches!(engine_of("mysql://x"), Err(DbError::BadUrl(_))));
        assert!(matches!(engine_of("not a url"), Err(DbError::BadUrl(_))));
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/x.db").unwrap(),
            Path::new("data/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?a=b").unwrap(),
            Path::new("/tmp/x.db")
        );
        assert!(sqlite_path("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
    }
}
