//! A PostgreSQL database made for one run, and the CPU time of the server processes serving it.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use sqlx::{Connection, Executor};

use super::measure;

/// A PostgreSQL database made for one run, dropped afterwards.
pub(super) struct FreshPostgres {
    admin_url: String,
    name: String,
    pub(super) url: String,
    /// The server runs on this machine: its processes' CPU can be read.
    pub(super) local: bool,
}

impl FreshPostgres {
    /// A new database; with `synchronous_commit` false its sessions commit without waiting
    /// for the WAL flush (`ALTER DATABASE … SET synchronous_commit = off`).
    pub(super) async fn create(
        admin_url: &str,
        seq: usize,
        synchronous_commit: bool,
    ) -> anyhow::Result<Self> {
        let name = format!("dvc_bench_{}_{seq}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("cannot reach {}", crate::db::redact_url(admin_url)))?;
        admin.execute(&*format!("CREATE DATABASE {name}")).await?;
        if !synchronous_commit {
            admin
                .execute(&*format!(
                    "ALTER DATABASE {name} SET synchronous_commit = off"
                ))
                .await?;
        }
        let _ = admin.close().await;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        let local = matches!(
            url.host_str(),
            Some("localhost" | "127.0.0.1" | "::1" | "[::1]")
        ) || url.host_str().is_none();
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
            local,
        })
    }

    /// CPU time of each server process now serving this database.
    pub(super) async fn backends(&self) -> HashMap<u32, Duration> {
        let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await else {
            return HashMap::new();
        };
        let pids: Vec<(i32,)> =
            sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = $1")
                .bind(&self.name)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
        let _ = conn.close().await;
        pids.into_iter()
            .filter_map(|(pid,)| {
                let pid = u32::try_from(pid).ok()?;
                Some((pid, measure::cpu_time(pid)?))
            })
            .collect()
    }

    pub(super) async fn drop_database(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if let Err(error) = admin.execute(&*sql).await {
                tracing::warn!(%error, "cannot drop the benchmark database");
            }
            let _ = admin.close().await;
        }
    }
}
