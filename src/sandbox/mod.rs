//! The sandbox: a local Telegram Bot API server, a control API and a web chat, so the whole
//! system runs offline and teloxide talks to it unchanged through `Bot::set_api_url`.
//!
//! # Bot API (`/bot<token>/<method>`, `/file/bot<token>/<path>`)
//! Method names are matched case-insensitively; parameters come as query string, JSON, form or
//! multipart (files as parts, `attach://<part>` references, JSON fields as strings). Answers are
//! `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description", "parameters"?}`
//! with a 4xx, never a 5xx for a client mistake. Methods: getMe, getUpdates, setWebhook,
//! deleteWebhook, getWebhookInfo, setMyCommands, getMyCommands, deleteMyCommands, sendMessage,
//! editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage, deleteMessages,
//! answerCallbackQuery, sendDocument, sendPhoto, getFile, sendChatAction, logOut, close.
//! `parse_mode` HTML is checked like Telegram (see [`html`]); MarkdownV2 and Markdown are
//! accepted and shown as plain text. Text limits are counted in UTF-16 code units.
//! URLs given as files cannot be fetched offline and answer 400. A chat exists once its
//! citizen wrote (or was blocked) through the control API; sending elsewhere is `chat not found`.
//! `allowed_updates` (getUpdates, setWebhook) filters new updates like Telegram. With a webhook
//! (http allowed, it is all local) updates are POSTed in order with the secret-token header and
//! retried with backoff (see `webhook`), and getUpdates answers 409.
//! `--limits` ([`limits`]): about 30 sends/s per bot and 1/s per chat with a burst of 3, else
//! 429 `Too Many Requests: retry after N` with `parameters.retry_after`.
//!
//! # Control API (DESIGN.md, "Contracts")
//! - `POST /sandbox/send` `{"user_id", "first_name"?, "language_code"?, "bot"?}` plus one of
//!   `"text"`, `"contact": {"phone_number", "user_id"?}`, `"document": {"file_name",
//!   "mime_type", "data_base64"}`, `"photo": {"data_base64"}`, `"press": "<label>"` →
//!   `{"update_id", "message_id"}` (`message_id`, an addition, is the user's new message, null
//!   for an inline press). A press finds the newest inline or shown reply-keyboard button with
//!   that label (only on message `"message_id"` if given, an addition); an inline press makes
//!   a callback_query, a reply press a text message (or the user's own contact when the button
//!   has `request_contact`; its number is `"phone_number"` if given, an addition, else one made
//!   from the user id). A missing label is a 404. A user who writes unblocks the bot.
//!   `"group_id"` (negative, an addition) puts the message in that group chat instead.
//! - `GET /sandbox/chats/{user_id}?after=&wait_ms=&bot=` → `{"messages": [{"message_id",
//!   "from": "bot"|"user", "text", "buttons", "keyboard", "document"?, "edited", "deleted",
//!   …}]}`, waiting up to `wait_ms` (at most [`MAX_WAIT_MS`]) for a new bot message. Additions:
//!   per message `"html"` (safe HTML of the text), `"date"`, `"photo"?: {"file_id", "width",
//!   "height"}`, `"contact"?: {"phone_number", "user_id"?}`, `"document"` also has `"file_id"`,
//!   `"mime_type"`, `"file_size"`, `"inline_keyboard"`: `[[{"text", "url"?}]]`; top level
//!   `"reply_keyboard"`: the keyboard shown now `[[{"text", "request_contact"}]]` or null, and
//!   `"version"`, a counter of the chat's changes (edits and deletions included); with the query
//!   `version=<v>` the wait is for any change after `v` instead of a new bot message; and
//!   `"notice"`: the text of the latest answered callback query `{"id", "text", "show_alert"}`
//!   or null (the toast the apps show). A deleted message keeps nothing but its id, date and
//!   `"deleted": true` (as in Telegram: no text, keyboard or file).
//! - `GET /sandbox/stats` → counts of calls, messages sent, 429s given and more ([`Stats`]).
//! - `POST /sandbox/block` `{"user_id", "blocked"?: true, "bot"?}`: sends to that chat answer
//!   403 (`"blocked": false` unblocks; an addition).
//! - `POST /sandbox/send` also takes `"callback": {"data", "message_id"?}`: a press with any
//!   callback data (1 to 64 bytes) on that bot message (default: the newest), as a forged or
//!   stale client sends it. `GET /sandbox/chats/{user_id}/actions?bot=` → `{"actions":
//!   [{"action", "at_ms"}]}`: the chat actions the bot sent (sendChatAction), oldest first.
//! - Additions: `GET /sandbox/bots` (tokens served, for the web chat) and
//!   `GET /sandbox/files/{file_id}?bot=` (download a file of a chat).
//!
//! Errors of the control API are `{"error": "<what>"}` with a 4xx.
//!
//! # Web chat
//! `GET /` serves one static page (no build step, no external resources); query
//! `?user=&name=&lang=&bot=&send=` picks the citizen and sends a first message on load, and
//! `&stop=reply` stops polling after the bot's first answer (for `chromium --dump-dom`).
//!
//! # Library
//! [`build`] a [`Sandbox`] from a [`SandboxConfig`], then [`Sandbox::router`] (to merge into
//! another server) or [`Sandbox::serve`] with a shutdown future; [`spawn`] binds an address
//! (port 0 allowed) and serves in a task. [`client::SandboxClient`] drives the control API.
//! With [`SandboxConfig::with_data_dir`] (as `dvc-bot sandbox` does with `DVC_DATA_DIR`), update
//! ids keep growing across restarts (see `numbering.rs`).

mod bot_api;
pub mod client;
mod control;
pub mod error;
pub mod html;
pub mod limits;
mod messages;
mod numbering;
mod params;
pub mod protocol;
mod state;
mod telegram;
mod transcript;
mod web;
mod webhook;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use protocol::{
    BlockRequest, BotInfo, ContactInput, ContactView, DocumentInput, DocumentView, EditInput,
    InlineButtonView, KeyButtonView, NoticeView, OtherKind, PhotoInput, PhotoView, SendRequest,
    SendResponse, Sender, Stats, TargetStats, Targets, TargetsRequest, Transcript,
    TranscriptMessage,
};
use state::{BotSlot, BotState};

/// Longest a transcript waits (`wait_ms`).
pub const MAX_WAIT_MS: u64 = 60_000;
/// Longest a getUpdates long poll waits (`timeout`, in seconds).
pub const MAX_POLL_TIMEOUT_SECS: u64 = 60;

/// What the sandbox serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Bot tokens, each its own bot: the sandbox's own token first (the default bot of the
    /// control API), then `DVC_SANDBOX_TOKENS`. A token is `<numeric bot id>:<secret>`.
    pub tokens: Vec<String>,
    /// Enforce Telegram-like rate limits (429 with `retry_after`).
    pub limits: bool,
    /// The officer console to send `GET /officer` to (in `dvc-bot sandbox`, the portal's).
    pub officer_url: Option<String>,
    /// Where each bot's update-id mark is kept (`$DVC_DATA_DIR/sandbox`), so a restart numbers
    /// updates above those given before; none: ids start at 1 each time.
    pub data_dir: Option<std::path::PathBuf>,
}

impl SandboxConfig {
    /// The sandbox's own token and the given extra ones, without duplicates.
    pub fn new(extra_tokens: impl IntoIterator<Item = String>, limits: bool) -> Self {
        let mut tokens = vec![crate::config::SANDBOX_TOKEN.to_owned()];
        for t in extra_tokens {
            let t = t.trim().to_owned();
            if !t.is_empty() && !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        Self {
            tokens,
            limits,
            officer_url: None,
            data_dir: None,
        }
    }

    /// With `GET /officer` sent on to this officer console.
    pub fn with_officer(mut self, url: impl Into<String>) -> Self {
        self.officer_url = Some(url.into());
        self
    }

    /// With update ids kept growing across restarts in this data folder.
    pub fn with_data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self::new(Vec::new(), false)
    }
}

/// Why a sandbox cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no bot token to serve")]
    NoToken,
    #[error("bot token {0:?} must look like <numeric id>:<secret>")]
    BadToken(String),
    #[error("bot tokens {0:?} and {1:?} have the same bot id")]
    SameBotId(String, String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("cannot keep update ids in {dir}: {source}")]
    Numbering {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Counters behind `GET /sandbox/stats`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub calls: AtomicU64,
    pub messages_sent: AtomicU64,
    pub too_many_requests: AtomicU64,
    pub forbidden: AtomicU64,
    pub bad_requests: AtomicU64,
    pub updates: AtomicU64,
    pub webhook_deliveries: AtomicU64,
    pub webhook_failures: AtomicU64,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) struct Inner {
    bots: HashMap<String, Arc<BotSlot>>,
    own_token: String,
    tokens: Vec<String>,
    limits: bool,
    counters: Counters,
    shutdown: watch::Sender<bool>,
    http: reqwest::Client,
    officer_url: Option<String>,
}

impl Inner {
    fn bot(&self, token: &str) -> Option<&Arc<BotSlot>> {
        self.bots.get(token)
    }

    /// Resolves when the sandbox is stopping (at once if it already is).
    async fn stopping(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// The username the sandbox's getMe gives the bot of `token` (`123456:…` → `sandbox123456_bot`).
pub fn bot_username(token: &str) -> Option<String> {
    let id = token.split_once(':')?.0.parse::<i64>().ok()?;
    Some(state::username_of(id))
}

/// A built sandbox: its router and its state. Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

/// Builds a sandbox from its configuration.
pub fn build(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
    let Some(own) = config.tokens.first().cloned() else {
        return Err(SandboxError::NoToken);
    };
    let mut bots = HashMap::new();
    let mut ids: HashMap<i64, String> = HashMap::new();
    for token in &config.tokens {
        let id = token
            .split_once(':')
            .filter(|(_, secret)| !secret.is_empty() && !secret.contains('/'))
            .and_then(|(id, _)| id.parse::<i64>().ok())
            .filter(|id| *id > 0)
            .ok_or_else(|| SandboxError::BadToken(token.clone()))?;
        if let Some(other) = ids.insert(id, token.clone()) {
            if other == *token {
                continue;
            }
            return Err(SandboxError::SameBotId(other, token.clone()));
        }
        let mut state = BotState::new(id, token.clone());
        if let Some(dir) = &config.data_dir {
            let (numbering, first) =
                numbering::UpdateNumbering::open(dir, id).map_err(|source| {
                    SandboxError::Numbering {
                        dir: dir.clone(),
                        source,
                    }
                })?;
            state.next_update_id = first;
            state.numbering = Some(numbering);
        }
        bots.insert(token.clone(), Arc::new(BotSlot::new(state)));
    }
    let http = reqwest::Client::builder()
        .timeout(webhook::WEBHOOK_TIMEOUT)
        .build()
        .unwrap_or_default();
    let mut tokens = config.tokens.clone();
    tokens.dedup();
    Ok(Sandbox {
        inner: Arc::new(Inner {
            bots,
            own_token: own,
            tokens,
            limits: config.limits,
            counters: Counters::default(),
            shutdown: watch::Sender::new(false),
            http,
            officer_url: config.officer_url.clone(),
        }),
    })
}

impl Sandbox {
    /// The tokens served, the sandbox's own first.
    pub fn tokens(&self) -> &[String] {
        &self.inner.tokens
    }

    /// The Bot API, the control API and the web chat. It has a fallback (Telegram's JSON 404),
    /// so merge only routers without a fallback of their own into it.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(web::page))
            .route("/officer", get(web::officer))
            .route("/sandbox/send", post(control::send))
            .route("/sandbox/chats/{user_id}", get(transcript::transcript))
            .route("/sandbox/chats/{user_id}/actions", get(control::actions))
            .route("/sandbox/stats", get(control::stats))
            .route("/sandbox/block", post(control::block))
            .route(
                "/sandbox/webhook/targets",
                get(control::targets).post(control::set_targets),
            )
            .route("/sandbox/bots", get(control::bots))
            .route("/sandbox/files/{file_id}", get(control::file))
            .route("/{bot}/{method}", any(bot_api::call))
            .route("/file/{bot}/{*path}", get(bot_api::download))
            .fallback(bot_api::not_found)
            .layer(DefaultBodyLimit::max(params::MAX_UPLOAD_BYTES))
            .with_state(self.inner.clone())
    }

    /// Serves on `listener` until `shutdown` resolves; long polls end at once then.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), SandboxError> {
        let inner = self.inner.clone();
        let stop = async move {
            shutdown.await;
            inner.shutdown.send_replace(true);
        };
        axum::serve(listener, self.router())
            .with_graceful_shutdown(stop)
            .await
            .map_err(SandboxError::Serve)
    }

    /// Stops long polls, transcript waits and webhook deliveries (serve's shutdown does it too).
    pub fn stop(&self) {
        self.inner.shutdown.send_replace(true);
    }
}

/// A sandbox serving in a background task.
pub struct RunningSandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://<addr>/`: give it to `Bot::set_api_url` and to [`client::SandboxClient::new`].
    pub base_url: url::Url,
    /// The sandbox's own bot token (the control API's default bot).
    pub token: String,
    /// All tokens served.
    pub tokens: Vec<String>,
    sandbox: Sandbox,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), SandboxError>>>,
}

impl RunningSandbox {
    /// A control API client for this sandbox (its own bot).
    pub fn client(&self) -> client::SandboxClient {
        client::SandboxClient::new(self.base_url.clone())
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.sandbox.stop();
    }
}

/// Builds a sandbox, binds `addr` (port 0 picks a free port) and serves in a task.
pub async fn spawn(
    config: SandboxConfig,
    addr: SocketAddr,
) -> Result<RunningSandbox, SandboxError> {
    let sandbox = build(config)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SandboxError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { addr, source })?;
    let base_url = base_url(addr);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(sandbox.clone().serve(listener, async move {
        let _ = stopped.await;
    }));
    Ok(RunningSandbox {
        addr,
        base_url,
        token: sandbox.inner.own_token.clone(),
        tokens: sandbox.inner.tokens.clone(),
        sandbox,
        stop: Some(stop),
        handle: Some(handle),
    })
}

/// `http://<addr>/` for a listening address.
pub fn base_url(addr: SocketAddr) -> url::Url {
    let text = format!("http://{addr}/");
    url::Url::parse(&text).unwrap_or_else(|_| {
        // A SocketAddr always formats as a valid authority; keep a sane fallback regardless.
        url::Url::parse("http://127.0.0.1/").expect("static URL")
    })
}
