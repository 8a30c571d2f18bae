//! Shared test helpers: a fresh database per test on each engine under test, waiting for what a
//! test expects, and the bot's messages named by their Fluent ids.
//!
//! # How to wait in a test
//!
//! Wait for the very thing the test expects, with a deadline: never sleep, never take a
//! stretch of silence as "the answer is complete".
//! - In a chat: `wait::wait_for(client, chat, after, &expect, deadline)` long-polls the
//!   sandbox transcript and returns the messages after `after` once `expect` holds; the bot
//!   tests' `System::say_until` / `press_until` / `send_until` / `wait_for` wrap it. An
//!   `Expect` names what is awaited: `Expect::said(vi("login-done"))` (a message by its Fluent
//!   id, see `said`), `Expect::button(label)`, `Expect::text(code)`, `Expect::message(id, ..)`
//!   for an edit, `Expect::notice(..)` for a callback answer, combined with `.and(..)`.
//!   Where the bot answers one input with several messages, wait for the last one you need
//!   (the one with the next button to press, say), not for the first.
//! - Elsewhere (a process, a poller, a webhook delivery): wait on the event itself (a channel,
//!   a join handle, the portal's `wait_ms` long poll) inside `tokio::time::timeout`, and make
//!   the failure say what was awaited.
//!
//! Assert on stable markers: message ids, buttons, data (codes, amounts, dates), or a Fluent
//! message rendered through the bot's bundle (`said::vi`, `said::en`, `said::label`); not on a
//! sentence copied from an `.ftl` file.

pub mod process;
pub mod said;
pub mod wait;

use std::sync::atomic::{AtomicU32, Ordering};

use dvc_bot::db::Db;

/// The engines the suite runs against: SQLite always, PostgreSQL when `DVC_TEST_POSTGRES_URL`
/// is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn engines() -> Vec<Engine> {
    let mut all = vec![Engine::Sqlite];
    if postgres_base().is_some() {
        all.push(Engine::Postgres);
    }
    all
}

fn postgres_base() -> Option<String> {
    std::env::var("DVC_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database of its own for one test; dropped (PostgreSQL) or deleted (SQLite) afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(engine: Engine) -> Self {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("db/test.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Engine::Postgres => {
                static N: AtomicU32 = AtomicU32::new(0);
                let base = postgres_base().expect("DVC_TEST_POSTGRES_URL");
                let name = format!(
                    "dvc_t_{}_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed),
                    rand::random::<u32>()
                );
                let admin = Db::connect(&base).await.expect("test PostgreSQL reachable");
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&admin.pool)
                    .await
                    .expect("create test database");
                admin.close().await;
                let mut url = url::Url::parse(&base).expect("DVC_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Self {
                    url: url.to_string(),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub async fn connect(&self) -> Db {
        Db::connect(&self.url).await.expect("connect test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(name), Some(base)) = (self.pg_name.take(), postgres_base()) else {
            return;
        };
        // Async work cannot run in Drop; a short-lived thread with its own runtime does it.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(admin) = Db::connect(&base).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&admin.pool)
                            .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}
