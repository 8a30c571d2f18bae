//! Notifications end to end: the real portal's officer actions, the notifier and the sender
//! against the sandbox's Bot API, with seconds-scale settings. `Notified` is the harness.

mod console;
mod crash;
mod events;
mod feed;
mod followers;
mod limits;
mod reminders;

use std::sync::Arc;
use std::time::Duration;

use dvc_bot::app;
use dvc_bot::bot::context::Services;
use dvc_bot::config::{SANDBOX_TOKEN, Secret};
use dvc_bot::db::{Db, users};
use dvc_bot::notify::{NotifyConfig, QuietHours, RunningNotify};
use dvc_bot::portal::HttpPortal;
use dvc_bot::portal::model::Session;
use dvc_bot::sandbox::client::{Citizen, SandboxClient, Sender, TranscriptMessage};
use dvc_bot::sandbox::{RunningSandbox, SandboxConfig};

use crate::portal::{TestPortal, cccd, spawn_portal};
use crate::support::{Engine, TestDb};

/// How long a test waits for what it expects before failing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Sandbox + portal + the bot's database and services + the notifier and sender (and the
/// bot's dispatcher when a test talks to it).
pub struct Notified {
    pub sandbox: RunningSandbox,
    pub client: SandboxClient,
    pub tp: TestPortal,
    _bot_db: TestDb,
    pub db: Db,
    pub services: Arc<Services>,
    pub config: NotifyConfig,
    pub notify: Option<RunningNotify>,
    pub bot: Option<app::RunningBot>,
    _data: tempfile::TempDir,
}

impl Notified {
    /// Everything but the dispatcher; `limits` turns the sandbox's rate limits on.
    pub async fn start(engine: Engine, limits: bool, tune: impl FnOnce(&mut NotifyConfig)) -> Self {
        let sandbox = dvc_bot::sandbox::spawn(
            SandboxConfig::new(Vec::<String>::new(), limits),
            "127.0.0.1:0".parse().expect("addr"),
        )
        .await
        .expect("sandbox starts");
        let client = sandbox.client();
        let tp = spawn_portal(engine).await;
        let data = tempfile::tempdir().expect("temp dir");
        let bot_db = TestDb::new(engine).await;
        let telegram = dvc_bot::bot::client(&Secret::new(SANDBOX_TOKEN), Some(&sandbox.base_url));
        let services = app::services(
            &bot_db.url,
            data.path(),
            Some(&Secret::generate()),
            Arc::new(HttpPortal::new(&tp.url).expect("portal client")),
            telegram,
        )
        .await
        .expect("services");
        let mut config = NotifyConfig::new(tp.service_token.clone());
        config.quiet = QuietHours(None);
        config.reminder_tick = Duration::from_millis(200);
        tune(&mut config);
        let db = bot_db.connect().await;
        let mut me = Self {
            sandbox,
            client,
            tp,
            _bot_db: bot_db,
            db,
            services,
            config,
            notify: None,
            bot: None,
            _data: data,
        };
        me.start_notify();
        me.wait_started().await;
        me
    }

    /// The notifier starts at the feed's head: waits until it has looked, so no event of the
    /// test comes before it.
    pub async fn wait_started(&self) {
        let until = tokio::time::Instant::now() + DEADLINE;
        while !dvc_bot::notify::store::has_cursor(&self.db)
            .await
            .expect("cursor")
        {
            assert!(
                tokio::time::Instant::now() < until,
                "the notifier did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn start_notify(&mut self) {
        let telegram =
            dvc_bot::bot::client(&Secret::new(SANDBOX_TOKEN), Some(&self.sandbox.base_url));
        self.notify = Some(app::start_notify(
            self.config.clone(),
            &self.services,
            telegram,
        ));
    }

    /// The bot's dispatcher too, for chats that log in and press buttons.
    pub fn start_bot(&mut self) {
        self.bot = Some(app::spawn_bot(
            Secret::new(SANDBOX_TOKEN),
            self.sandbox.base_url.clone(),
            Arc::clone(&self.services),
        ));
    }

    /// A citizen account with a submitted dossier: (session, dossier code).
    pub async fn citizen_with_dossier(&self, tail: &str) -> (Session, String) {
        let session = self.tp.citizen(&cccd(tail)).await;
        let dossier = self.tp.submitted(&session.token).await;
        (
            session,
            dossier.code.expect("a submitted dossier has a code"),
        )
    }

    /// A chat that said hello (so the sandbox knows it) linked to `account` in `locale`,
    /// as a login would leave it.
    pub async fn link(&self, chat: i64, account: &Session, locale: &str) -> Citizen {
        let who = Citizen::new(chat).language(locale);
        self.client
            .send_text(who.clone(), "hello")
            .await
            .expect("the chat opens");
        let sealed = self.services.cipher.seal(&account.token);
        users::set_portal_link(
            &self.db,
            chat,
            Some((account.account.login.as_str(), sealed.as_str())),
        )
        .await
        .expect("link");
        users::set_portal_account_id(&self.db, chat, account.account.id, locale)
            .await
            .expect("account id");
        who
    }

    /// An officer action that the status machine allows.
    pub async fn officer(&self, code: &str, action: serde_json::Value) {
        let (status, body) = self.tp.officer(code, action.clone()).await;
        assert_eq!(status, 200, "{action}: {body}");
    }

    /// Waits until the chat has `n` bot messages after `after`; answers them.
    pub async fn wait_bot(&self, who: &Citizen, after: i64, n: usize) -> Vec<TranscriptMessage> {
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let t = self
                .client
                .transcript(who.clone(), after, 0)
                .await
                .expect("transcript");
            let bot: Vec<TranscriptMessage> = t
                .messages
                .into_iter()
                .filter(|m| m.from == Sender::Bot)
                .collect();
            if bot.len() >= n {
                return bot;
            }
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            assert!(
                !left.is_zero(),
                "chat {} got {} of {n} messages: {bot:#?}",
                who.id,
                bot.len()
            );
            // Long poll: answers as soon as the bot writes (or after the wait).
            let last = bot.last().map(|m| m.message_id).unwrap_or(after);
            let wait = left.min(Duration::from_secs(5)).as_millis() as u64;
            let _ = self.client.transcript(who.clone(), last, wait).await;
        }
    }

    /// Waits for a bot message after `after` for which `want` holds.
    pub async fn wait_for(
        &self,
        who: &Citizen,
        after: i64,
        want: impl Fn(&TranscriptMessage) -> bool,
    ) -> TranscriptMessage {
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let t = self
                .client
                .transcript(who.clone(), after, 0)
                .await
                .expect("transcript");
            if let Some(m) = t.messages.iter().find(|m| m.from == Sender::Bot && want(m)) {
                return m.clone();
            }
            assert!(
                tokio::time::Instant::now() < until,
                "no such message: {t:#?}"
            );
            let last = t.last_id().unwrap_or(after);
            let _ = self.client.transcript(who.clone(), last, 2_000).await;
        }
    }

    /// Every bot message of the chat.
    pub async fn bot_messages(&self, who: &Citizen) -> Vec<TranscriptMessage> {
        self.client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("transcript")
            .messages
            .into_iter()
            .filter(|m| m.from == Sender::Bot)
            .collect()
    }

    /// Waits until the notifier has read every event of the feed and no outbox row is pending.
    pub async fn drained(&self) {
        use dvc_bot::portal::client::Portal;
        let until = tokio::time::Instant::now() + DEADLINE * 2;
        loop {
            let last = self
                .tp
                .client
                .events(&self.tp.service_token, 0, 500, 0)
                .await
                .expect("feed")
                .last()
                .map(|e| e.id)
                .unwrap_or(0);
            let (position,): (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(position), 0) FROM cursors")
                    .fetch_one(&self.db.pool)
                    .await
                    .expect("cursor");
            let pending = dvc_bot::notify::store::depth(&self.db)
                .await
                .expect("depth");
            if position >= last && pending == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "not drained: cursor {position} of {last}, {pending} rows pending"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The outbox rows' states, counted.
    pub async fn states(&self) -> Vec<(String, i64)> {
        sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
            .fetch_all(&self.db.pool)
            .await
            .expect("states")
    }

    pub async fn stop(mut self) {
        if let Some(n) = self.notify.take() {
            n.stop().await;
        }
        if let Some(b) = self.bot.take() {
            let _ = b.stop().await;
        }
        self.db.close().await;
    }
}

/// The buttons' labels of a message, flattened.
pub fn labels(m: &TranscriptMessage) -> Vec<&str> {
    m.buttons.iter().flatten().map(String::as_str).collect()
}

/// An RFC 3339 time `secs` from now.
pub fn in_secs(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339()
}
