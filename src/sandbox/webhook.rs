//! Webhook delivery: while a bot has a webhook, its updates are POSTed to it one at a time, in
//! order, with the `X-Telegram-Bot-Api-Secret-Token` header; a non-2xx answer or a network error
//! is recorded for getWebhookInfo and retried with exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use super::state::{BotSlot, unix_now};
use super::{Counters, Inner};

/// How long one delivery may take before it counts as failed.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(60);
/// First wait after a failed delivery (Telegram waits longer; tests want quick retries).
pub const RETRY_INITIAL: Duration = Duration::from_millis(100);
/// Longest wait between retries.
pub const RETRY_MAX: Duration = Duration::from_secs(5);
/// The header that carries the webhook's secret token.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Starts delivering to the webhook of `generation`; the task ends when that webhook is
/// replaced or deleted, or when the sandbox stops.
pub fn start(inner: Arc<Inner>, slot: Arc<BotSlot>, generation: u64) {
    tokio::spawn(async move {
        let mut backoff = RETRY_INITIAL;
        loop {
            let mut changes = slot.updates_changed.subscribe();
            let next = {
                let bot = slot.lock();
                let Some(hook) = bot.webhook.as_ref().filter(|h| h.generation == generation) else {
                    return;
                };
                bot.updates.front().map(|(id, update)| {
                    (
                        *id,
                        update.clone(),
                        hook.url.clone(),
                        hook.secret_token.clone(),
                    )
                })
            };
            let Some((update_id, update, url, secret)) = next else {
                tokio::select! {
                    _ = changes.changed() => continue,
                    () = inner.stopping() => return,
                }
            };
            let mut request = inner.http.post(&url).json(&update);
            if let Some(secret) = &secret {
                request = request.header(SECRET_HEADER, secret);
            }
            let outcome = tokio::select! {
                r = request.send() => r,
                () = inner.stopping() => return,
            };
            let error = match outcome {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => {
                    let status = response.status();
                    Some(format!(
                        "Wrong response from the webhook: {} {}",
                        status.as_u16(),
                        status.canonical_reason().unwrap_or("")
                    ))
                }
                Err(e) if e.is_timeout() => Some("Read timeout expired".to_owned()),
                Err(e) if e.is_connect() => Some("Connection refused".to_owned()),
                Err(e) => Some(format!("Failed to deliver: {e}")),
            };
            {
                let mut bot = slot.lock();
                let current = bot
                    .webhook
                    .as_ref()
                    .is_some_and(|h| h.generation == generation);
                if !current {
                    return;
                }
                match &error {
                    None => {
                        if bot.updates.front().is_some_and(|(id, _)| *id == update_id) {
                            bot.updates.pop_front();
                        }
                    }
                    Some(message) => {
                        if let Some(hook) = bot.webhook.as_mut() {
                            hook.last_error = Some((unix_now(), message.clone()));
                        }
                    }
                }
            }
            match error {
                None => {
                    Counters::bump(&inner.counters.webhook_deliveries);
                    backoff = RETRY_INITIAL;
                }
                Some(message) => {
                    Counters::bump(&inner.counters.webhook_failures);
                    tracing::debug!(%message, update_id, "webhook delivery failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = inner.stopping() => return,
                    }
                    backoff = (backoff * 2).min(RETRY_MAX);
                }
            }
        }
    });
}
