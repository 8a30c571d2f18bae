//! The dialogue storage's own SQLite connection, called inline on the update's thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own: every query is a hand-off
//! to that thread and back (two thread switches), and an update waiting for a free connection
//! stays suspended, holding its memory, behind every other update that waits. A read of one
//! row (or the write of one) on a warm WAL database takes microseconds, less than the
//! hand-off, so the storage runs its statements here directly, one at a time (an async mutex:
//! a step waiting for it holds no thread), on a connection opened with the pool's settings.
//!
//! SQLite has one writer at a time. The connection waits for no lock inline: when another
//! connection (the pool's: the notifier, a user's row) holds the write lock, the statement is
//! tried again after short async pauses (1 ms, doubling up to 50 ms) until the busy timeout, so
//! no thread ever sleeps on a lock — not even the only thread of a single-threaded runtime,
//! where a blocking wait would stop the very task that holds the lock. Meanwhile the other
//! chats' statements wait for this one (one at a time): milliseconds, as the bot's other
//! writers hold the lock only while their statements run (`Db::begin_write`, never across a
//! call to the portal or Telegram). A commit is as durable as the pool's (WAL, synchronous
//! NORMAL): done before the replies go out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use tokio::sync::Mutex;

use super::SQLITE_BUSY_TIMEOUT_MS;

/// A SQLite connection used inline, opened when first needed.
pub struct InlineSqlite {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl InlineSqlite {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            conn: Mutex::new(None),
        }
    }

    /// Runs `f` on the connection (opened first if need be). `f` may run twice: again with the
    /// busy timeout when the first try met another connection's write lock.
    pub async fn run<T>(
        &self,
        f: impl Fn(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut guard = self.conn.lock().await;
        let conn = match &mut *guard {
            Some(conn) => conn,
            empty => empty.insert(open(&self.path)?),
        };
        let mut result = f(conn);
        if matches!(&result, Err(error) if is_busy(error)) {
            metrics::counter!("dvc_dialogue_lock_waits_total").increment(1);
            let deadline = Instant::now() + Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS.into());
            let mut pause = Duration::from_millis(1);
            while matches!(&result, Err(error) if is_busy(error)) && Instant::now() < deadline {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
                result = f(conn);
            }
        }
        result
    }

    /// Closes the connection (the next use opens it again).
    pub async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            let _ = conn.close();
        }
    }
}

/// Opens the database file as the pool does (it exists: the pool created and migrated it),
/// waiting for no lock.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::ZERO)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}
