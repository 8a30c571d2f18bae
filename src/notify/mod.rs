//! Notifications and reminders after sending (DESIGN.md, "After sending"): the `notifier`
//! turns the portal's events into outbox rows and reminders, the reminder pump moves due
//! reminders to the outbox, the `sender` drains it within Telegram's limits. `spawn` starts
//! the three as tasks that stop together.

pub mod message;
pub mod notifier;
pub mod schedule;
pub mod sender;
pub mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::crypto::Cipher;
use crate::db::Db;
use crate::i18n::I18n;
use crate::portal::client::{Portal, PortalError};

pub use schedule::{Interval, QuietHours, RemindBefore, SendRate};

/// The notifier's and sender's settings (see the README, "Notifications and reminders").
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The portal's event-feed token (`DVC_SERVICE_TOKEN`).
    pub service_token: String,
    pub remind_before: RemindBefore,
    pub quiet: QuietHours,
    pub send_rate: SendRate,
    pub chat_interval: Interval,
    /// How often due reminders are looked for.
    pub reminder_tick: Duration,
}

impl NotifyConfig {
    pub fn new(service_token: impl Into<String>) -> Self {
        Self {
            service_token: service_token.into(),
            remind_before: RemindBefore::default(),
            quiet: schedule::DEFAULT_QUIET_HOURS.parse().unwrap_or_default(),
            send_rate: SendRate(30.0),
            chat_interval: Interval(Duration::from_secs(1)),
            reminder_tick: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("bot database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("portal: {0}")]
    Portal(#[from] PortalError),
    #[error("message: {0}")]
    Json(#[from] serde_json::Error),
}

/// What the three tasks share.
pub struct Shared {
    pub db: Db,
    pub portal: Arc<dyn Portal>,
    pub cipher: Cipher,
    pub i18n: I18n,
    /// A plain `Bot` of its own (no Throttle): bulk sends never slow the conversations.
    pub bot: teloxide::Bot,
    /// Who holds the cursor and the sender's leases: the host's name, so a replica that
    /// restarts takes back what it held at once.
    pub replica: String,
    /// Signalled when rows are written, so the sender starts at once.
    pub outbox_written: Notify,
    stop: AtomicBool,
    stop_signal: Notify,
}

impl Shared {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
    /// Resolves once `stop` was asked.
    pub async fn stopped(&self) {
        loop {
            let signal = self.stop_signal.notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            if self.stopping() {
                return;
            }
            signal.await;
        }
    }
    /// Sleeps, waking early on stop.
    pub async fn sleep(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.stopped() => {}
        }
    }
}

/// The notifier, the reminder pump and the sender, running.
pub struct RunningNotify {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningNotify {
    /// Stops the tasks: sends in flight finish and are recorded.
    pub async fn stop(mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.stop_signal.notify_waiters();
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
    /// Kills the tasks where they are, as a crash would (for tests).
    pub fn abort(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Drop for RunningNotify {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.stop_signal.notify_waiters();
    }
}

/// The parts the tasks run on.
pub struct Parts {
    pub db: Db,
    pub portal: Arc<dyn Portal>,
    pub cipher: Cipher,
    pub i18n: I18n,
    pub bot: teloxide::Bot,
}

/// This replica's name: `HOSTNAME`, else the kernel's host name, else `dvc-bot`.
fn replica_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "dvc-bot".to_owned())
}

/// Starts the notifier, the reminder pump and the sender.
pub fn spawn(config: NotifyConfig, parts: Parts) -> RunningNotify {
    let shared = Arc::new(Shared {
        db: parts.db,
        portal: parts.portal,
        cipher: parts.cipher,
        i18n: parts.i18n,
        bot: parts.bot,
        replica: replica_name(),
        outbox_written: Notify::new(),
        stop: AtomicBool::new(false),
        stop_signal: Notify::new(),
    });
    let tasks = vec![
        tokio::spawn(notifier::run(Arc::clone(&shared), config.clone())),
        tokio::spawn(notifier::run_reminders(Arc::clone(&shared), config.clone())),
        tokio::spawn(sender::run(Arc::clone(&shared), config)),
    ];
    RunningNotify { shared, tasks }
}
