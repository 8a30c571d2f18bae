//! The connections of the dialogue storage, taken without sqlx's pool.
//!
//! Every update reads its chat's dialogue, and a step that changed it writes it: the bot's
//! hottest queries. sqlx 0.8's pool tests every connection given back to it with a ping (not
//! switchable: a hand-off to the connection's worker thread on SQLite, a round trip to the
//! server on PostgreSQL, each in a task spawned for it), so every such query cost two
//! exchanges. Here a connection goes back to the idle list as it is — unless its query did not
//! end (the future was dropped mid-way) or ended in an error below SQL (I/O, protocol, a
//! crashed worker): then it is closed, never handed out again. Connections are opened when first
//! needed, with the settings of the database's pool (`Db::open_connection`), and at most
//! `limit` at once; a caller past it waits for one to come back.

use std::sync::Mutex;

use sqlx::AnyConnection;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::Db;

/// How many connections the storage keeps on PostgreSQL (SQLite has its inline one, see
/// `inline`): commits of different chats wait for the WAL flush together.
pub const POSTGRES_CONNECTIONS: usize = 8;

/// Connections for the dialogue storage.
pub struct HotConnections {
    db: Db,
    idle: Mutex<Vec<AnyConnection>>,
    permits: Semaphore,
}

/// One connection, taken until `done` gives it back (or dropped: closed).
pub struct HotConnection<'a> {
    conn: Option<AnyConnection>,
    owner: &'a HotConnections,
    _permit: SemaphorePermit<'a>,
}

impl HotConnections {
    /// At most `limit` connections to `db`, none opened yet.
    pub fn new(db: Db, limit: usize) -> Self {
        Self {
            db,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(limit.max(1)),
        }
    }

    /// `POSTGRES_CONNECTIONS` of them.
    pub fn postgres(db: Db) -> Self {
        Self::new(db, POSTGRES_CONNECTIONS)
    }

    /// An idle connection, or a new one when none is idle and fewer than the limit are out.
    pub async fn take(&self) -> Result<HotConnection<'_>, sqlx::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.db.open_connection().await?,
        };
        Ok(HotConnection {
            conn: Some(conn),
            owner: self,
            _permit: permit,
        })
    }

    /// Runs one statement on a connection taken and given back.
    pub async fn execute<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<(), sqlx::Error> {
        let mut conn = self.take().await?;
        let result = query.execute(conn.conn()).await.map(drop);
        conn.done(&result);
        result
    }

    /// Closes the idle connections and takes no more (those out are closed when dropped).
    pub async fn close(&self) {
        self.permits.close();
        let idle = self
            .idle
            .lock()
            .map(|mut idle| std::mem::take(&mut *idle))
            .unwrap_or_default();
        for conn in idle {
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

impl HotConnection<'_> {
    /// The connection, for one query.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a hot connection is used only until it is given back")
    }

    /// Gives the connection back after its query ended with `result`: kept for the next
    /// caller, unless the error says the connection itself is broken.
    pub fn done<T>(mut self, result: &Result<T, sqlx::Error>) {
        let Some(conn) = self.conn.take() else { return };
        let broken = matches!(
            result,
            Err(sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::PoolClosed
                | sqlx::Error::PoolTimedOut)
        );
        if broken || self.owner.permits.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.owner.idle.lock() {
            idle.push(conn);
        }
    }
}
