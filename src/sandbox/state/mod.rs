//! The sandbox's memory: bots by token, and for each its chats, messages, pending updates,
//! files, commands and webhook. Everything lives behind one short-held mutex per bot; waiters
//! (long-poll getUpdates, transcripts with `wait_ms`, webhook delivery) watch version counters.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;
use tokio::sync::watch;

mod chat;
mod files;

pub use chat::{
    ChatState, Citizen, Content, InlineButton, KeyButton, Notice, ShownKeyboard, StoredMessage,
};
pub use files::{StoredFile, clean_mime, image_dimensions};

pub use super::protocol::TargetStats;

/// Pending updates kept per bot before the oldest are dropped (Telegram keeps them for 24 h).
pub const MAX_PENDING_UPDATES: usize = 100_000;

/// The webhook a bot set.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: Option<i64>,
    /// Distinguishes this webhook from an earlier one (its delivery task stops on change).
    pub generation: u64,
    pub last_error: Option<(i64, String)>,
}

/// A callback query the bot has not answered yet.
#[derive(Debug, Clone)]
pub struct PendingCallback {
    pub chat_id: i64,
    pub answered: bool,
}

/// One bot the sandbox serves (one token).
#[derive(Debug)]
pub struct BotState {
    pub id: i64,
    pub token: String,
    pub first_name: String,
    pub username: String,
    pub next_update_id: i64,
    /// Pending updates, oldest first: (update_id, update JSON).
    pub updates: VecDeque<(i64, Value)>,
    /// Counts getUpdates calls: a long poll ends with 409 when a newer one starts.
    pub poll_generation: u64,
    /// From getUpdates/setWebhook; empty = the default set.
    pub allowed_updates: Vec<String>,
    pub webhook: Option<Webhook>,
    pub webhook_generation: u64,
    /// Where webhook deliveries really go, spread over them like a load balancer in front of
    /// several replicas (`POST /sandbox/webhook/targets`); empty = the webhook's own URL.
    pub webhook_targets: Vec<String>,
    /// Deliveries per target URL (in flight, delivered, failed).
    pub target_stats: std::collections::BTreeMap<String, TargetStats>,
    pub chats: HashMap<i64, ChatState>,
    pub files: HashMap<String, StoredFile>,
    pub file_paths: HashMap<String, String>,
    pub next_file: u64,
    /// Commands by (scope JSON, language code).
    pub commands: HashMap<(String, String), Value>,
    pub callbacks: HashMap<String, PendingCallback>,
    pub next_callback: u64,
    /// Token buckets, used with `--limits`.
    pub limiter: super::limits::RateLimiter,
    /// Keeps update ids growing across restarts (with a data folder).
    pub numbering: Option<super::numbering::UpdateNumbering>,
}

/// The username the sandbox gives the bot with this id (its getMe answer).
pub fn username_of(id: i64) -> String {
    format!("sandbox{id}_bot")
}

impl BotState {
    pub fn new(id: i64, token: String) -> Self {
        Self {
            id,
            token,
            first_name: format!("Sandbox bot {id}"),
            username: username_of(id),
            next_update_id: 1,
            updates: VecDeque::new(),
            poll_generation: 0,
            allowed_updates: Vec::new(),
            webhook: None,
            webhook_generation: 0,
            webhook_targets: Vec::new(),
            target_stats: Default::default(),
            chats: HashMap::new(),
            files: HashMap::new(),
            file_paths: HashMap::new(),
            next_file: 1,
            commands: HashMap::new(),
            callbacks: HashMap::new(),
            next_callback: 1,
            limiter: super::limits::RateLimiter::default(),
            numbering: None,
        }
    }

    /// Queues an update of `kind` (`message`, `callback_query`) unless allowed_updates
    /// excludes it; returns its id either way.
    pub fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        if let Some(numbering) = &mut self.numbering {
            numbering.reserve(id);
        }
        if !self.allowed_updates.is_empty() && !self.allowed_updates.iter().any(|k| k == kind) {
            return id;
        }
        let mut update = serde_json::Map::new();
        update.insert("update_id".into(), Value::from(id));
        update.insert(kind.into(), payload);
        self.updates.push_back((id, Value::Object(update)));
        while self.updates.len() > MAX_PENDING_UPDATES {
            self.updates.pop_front();
        }
        id
    }
}

/// A bot's state and the signals its waiters watch.
#[derive(Debug)]
pub struct BotSlot {
    pub state: std::sync::Mutex<BotState>,
    /// Bumped when an update is queued or the webhook changes.
    pub updates_changed: watch::Sender<u64>,
    /// Bumped when any chat of this bot changes (waiters for a chat that does not exist yet
    /// watch it; the others watch their chat's own `changes`).
    pub chats_changed: watch::Sender<u64>,
}

impl BotSlot {
    pub fn new(state: BotState) -> Self {
        Self {
            state: std::sync::Mutex::new(state),
            updates_changed: watch::Sender::new(0),
            chats_changed: watch::Sender::new(0),
        }
    }

    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, BotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn notify_updates(&self) {
        self.updates_changed.send_modify(|v| *v += 1);
    }

    pub fn notify_chats(&self) {
        self.chats_changed.send_modify(|v| *v += 1);
    }
}

/// Seconds since the Unix epoch, as Telegram dates are.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
