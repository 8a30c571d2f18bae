//! The webhook for several replicas behind one URL: our own axum route feeding the dispatcher.
//!
//! Unlike teloxide's `webhooks::axum`, it never calls setWebhook at start (only when asked,
//! `--set-webhook` or `dvc-bot webhook set`) and never deleteWebhook at stop: one replica
//! stopping in a rolling restart must not cut the others off. Its path is configurable (a
//! reverse proxy may route by it) and its secret is the one every replica shares.
//!
//! An update is answered 200 only once it has been handled (the dialogue written, the replies
//! sent): a replica killed mid-update never answered, so Telegram (or the sandbox) delivers it
//! again, to a live replica. An update that could not even start (its chat's lock not taken)
//! is answered 503, for the same reason. Answers wait at most `HANDLE_WAIT`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures::Stream;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{Update, UpdateKind};
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::{mpsc, oneshot};

use teloxide::RequestError;
use teloxide::prelude::*;

use crate::config::{Settings, WebhookSettingsError};
use crate::secret::Secret;

/// Longest an update's delivery waits for its handling before it is answered 200 anyway (the
/// update is still being handled; a redelivery would be skipped as already seen). Below
/// Telegram's own timeout for a webhook answer.
pub const HANDLE_WAIT: Duration = Duration::from_secs(50);
/// The header Telegram sends the secret token in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Largest update body accepted (Telegram's updates are a few kilobytes).
const MAX_BODY: usize = 1024 * 1024;

/// Deliveries waiting for their update to be handled, by update id.
#[derive(Default)]
pub struct InFlight {
    waiting: Mutex<HashMap<u32, Vec<oneshot::Sender<bool>>>>,
}

impl InFlight {
    fn register(&self, update_id: u32) -> oneshot::Receiver<bool> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.entry(update_id).or_default().push(tx);
        }
        rx
    }

    /// The update `update_id` is done: `handled` (answered 200) or not (answered 503).
    pub fn done(&self, update_id: u32, handled: bool) {
        let senders = self
            .waiting
            .lock()
            .ok()
            .and_then(|mut waiting| waiting.remove(&update_id));
        for tx in senders.into_iter().flatten() {
            let _ = tx.send(handled);
        }
    }
}

/// Where the webhook listens and what it checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookServer {
    pub listen: SocketAddr,
    /// The route's path, e.g. `/telegram` (a reverse proxy may put replicas under one path).
    pub path: String,
    pub secret: Secret,
}

impl WebhookServer {
    /// This replica's webhook server from its settings: `None` without `DVC_WEBHOOK_URL`
    /// (long polling).
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, WebhookSettingsError> {
        let Some(url) = &settings.webhook_url else {
            return Ok(None);
        };
        let path = settings
            .webhook_path
            .clone()
            .unwrap_or_else(|| url.path().to_owned());
        if !path.starts_with('/') {
            return Err(WebhookSettingsError::BadPath(path));
        }
        Ok(Some(WebhookServer {
            listen: settings.webhook_listen,
            path,
            secret: settings.webhook_secret()?,
        }))
    }
}

#[derive(Clone)]
struct RouteState {
    tx: Arc<Mutex<Option<mpsc::UnboundedSender<Update>>>>,
    flag: StopFlag,
    secret: Secret,
    in_flight: Arc<InFlight>,
}

/// The updates the route received, as a stream for the dispatcher.
pub struct Received(mpsc::UnboundedReceiver<Update>);

impl Stream for Received {
    type Item = Result<Update, Infallible>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|u| u.map(Ok))
    }
}

fn received(state: &mut (Received, StopToken)) -> &mut Received {
    &mut state.0
}

fn stop_token(state: &mut (Received, StopToken)) -> StopToken {
    state.1.clone()
}

/// Binds `server.listen` and serves the route until the dispatcher stops the listener; returns
/// the listener and the address bound (port 0: a free one).
pub async fn listen(
    server: &WebhookServer,
    in_flight: Arc<InFlight>,
) -> std::io::Result<(impl UpdateListener<Err = Infallible> + use<>, SocketAddr)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let (token, flag) = mk_stop_token();
    let state = RouteState {
        tx: Arc::new(Mutex::new(Some(tx))),
        flag: flag.clone(),
        secret: server.secret.clone(),
        in_flight,
    };
    let app = Router::new()
        .route(&server.path, post(receive))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state);
    let tcp = tokio::net::TcpListener::bind(server.listen).await?;
    let addr = tcp.local_addr()?;
    tokio::spawn(async move {
        // Answers under way finish first (their updates are handled before the dispatcher
        // stops); then the route's sender is dropped and the stream ends.
        if let Err(error) = axum::serve(tcp, app).with_graceful_shutdown(flag).await {
            tracing::error!(%error, "webhook server");
        }
    });
    let listener = StatefulListener::new((Received(rx), token), received, stop_token);
    Ok((listener, addr))
}

async fn receive(State(state): State<RouteState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, state.secret.expose().as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let tx = match state.tx.lock() {
        // Stopping: another replica takes it (the sender retries).
        Ok(mut tx) if state.flag.is_stopped() => {
            tx.take();
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        Ok(tx) => tx.clone(),
        Err(_) => None,
    };
    let Some(tx) = tx else {
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    let mut update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(error) => {
            // Answered 200: Telegram would send the same body again and again.
            tracing::error!(%error, "webhook: an update that does not read; skipped");
            return StatusCode::OK;
        }
    };
    if let UpdateKind::Error(value) = &mut update.kind {
        *value = serde_json::from_slice(&body).unwrap_or_default();
    }
    let done = state.in_flight.register(update.id.0);
    if tx.send(update).is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match tokio::time::timeout(HANDLE_WAIT, done).await {
        Ok(Ok(true)) | Err(_) => StatusCode::OK,
        Ok(Ok(false)) | Ok(Err(_)) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// What `setWebhook` is asked beside the URL and the secret.
#[derive(Debug, Clone, Default)]
pub struct SetOptions {
    /// Deliveries at once (1–100; Telegram's default 40).
    pub max_connections: Option<u8>,
    pub drop_pending_updates: bool,
}

/// Registers `url` as the bot's webhook, with the shared `secret`.
pub async fn set(
    bot: &Bot,
    url: &url::Url,
    secret: &Secret,
    options: &SetOptions,
) -> Result<(), RequestError> {
    let mut request = bot
        .set_webhook(url.clone())
        .secret_token(secret.expose().to_owned());
    if let Some(n) = options.max_connections {
        request = request.max_connections(n);
    }
    if options.drop_pending_updates {
        request = request.drop_pending_updates(true);
    }
    request.await?;
    Ok(())
}

/// Removes the bot's webhook (updates then wait for getUpdates).
pub async fn delete(bot: &Bot, drop_pending_updates: bool) -> Result<(), RequestError> {
    let mut request = bot.delete_webhook();
    if drop_pending_updates {
        request = request.drop_pending_updates(true);
    }
    request.await?;
    Ok(())
}

/// The webhook as Telegram sees it, one `name: value` line each (what `dvc-bot webhook info`
/// prints).
pub async fn info(bot: &Bot) -> Result<Vec<(&'static str, String)>, RequestError> {
    let info = bot.get_webhook_info().await?;
    let mut lines = vec![
        (
            "url",
            info.url
                .map(|u| u.to_string())
                .unwrap_or_else(|| "(none: long polling)".into()),
        ),
        ("pending updates", info.pending_update_count.to_string()),
    ];
    if let Some(n) = info.max_connections {
        lines.push(("max connections", n.to_string()));
    }
    if let Some(at) = info.last_error_date {
        lines.push(("last error at", at.to_rfc3339()));
    }
    if let Some(message) = info.last_error_message {
        lines.push(("last error", message));
    }
    Ok(lines)
}

/// Compares two byte strings in time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::WebhookServer;
    use crate::config::{Settings, WebhookSettingsError};

    #[test]
    fn webhook_settings() {
        use clap::Parser;
        #[derive(Parser)]
        struct T {
            #[command(flatten)]
            s: Settings,
        }
        let parse = |args: &[&str]| {
            WebhookServer::from_settings(&T::parse_from([&["x"][..], args].concat()).s)
        };
        assert_eq!(parse(&[]), Ok(None));
        let url = "--webhook-url=https://bot.example/tg/hook";
        assert_eq!(parse(&[url]).unwrap_err(), WebhookSettingsError::NoSecret);
        assert_eq!(
            parse(&[url, "--webhook-secret=a b"]).unwrap_err(),
            WebhookSettingsError::BadSecret
        );
        let server = parse(&[url, "--webhook-secret=s3cret_-X"])
            .unwrap()
            .unwrap();
        assert_eq!(server.path, "/tg/hook");
        let server = parse(&[url, "--webhook-secret=s", "--webhook-path=/replica"])
            .unwrap()
            .unwrap();
        assert_eq!(server.path, "/replica");
        assert_eq!(
            parse(&[url, "--webhook-secret=s", "--webhook-path=x"]).unwrap_err(),
            WebhookSettingsError::BadPath("x".into())
        );
    }
    use super::*;

    #[test]
    fn secrets_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[tokio::test]
    async fn done_answers_every_delivery_of_an_update() {
        let in_flight = InFlight::default();
        let first = in_flight.register(7);
        let again = in_flight.register(7);
        let other = in_flight.register(8);
        in_flight.done(7, true);
        assert_eq!(first.await, Ok(true));
        assert_eq!(again.await, Ok(true));
        in_flight.done(8, false);
        assert_eq!(other.await, Ok(false));
    }
}
