//! Webhook delivery: while a bot has a webhook, its updates are POSTed to it with the
//! `X-Telegram-Bot-Api-Secret-Token` header; a non-2xx answer or a network error is recorded for
//! getWebhookInfo and retried with exponential backoff.
//!
//! To the webhook's own URL updates go one at a time, in order. With targets set
//! (`POST /sandbox/webhook/targets`, a load balancer in front of several replicas) they are
//! spread round-robin over the targets, several at once (up to the webhook's
//! `max_connections`, 40 by default) but never two of one chat at once, so a chat's updates
//! still arrive in order; a failed delivery is retried on the next target, as Telegram retries
//! a webhook whose replica died.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

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
/// Deliveries at once over targets when the webhook names no `max_connections` (Telegram's).
pub const DEFAULT_MAX_CONNECTIONS: usize = 40;

/// The chat an update belongs to, if any: deliveries of one chat never overlap.
fn chat_of(update: &Value) -> Option<i64> {
    let chat = |v: &Value| {
        v.get("chat")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_i64)
    };
    if let Some(message) = update
        .get("message")
        .or_else(|| update.get("edited_message"))
    {
        return chat(message);
    }
    let query = update.get("callback_query")?;
    query.get("message").and_then(chat).or_else(|| {
        query
            .get("from")
            .and_then(|f| f.get("id"))
            .and_then(Value::as_i64)
    })
}

/// One delivery to start.
struct Delivery {
    update_id: i64,
    chat: Option<i64>,
    update: Value,
    url: String,
    secret: Option<String>,
}

/// What became of one delivery.
struct Finished {
    update_id: i64,
    chat: Option<i64>,
    url: String,
    error: Option<String>,
}

/// Starts delivering to the webhook of `generation`; the task ends when that webhook is
/// replaced or deleted, or when the sandbox stops.
pub fn start(inner: Arc<Inner>, slot: Arc<BotSlot>, generation: u64) {
    tokio::spawn(async move {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Finished>();
        let mut in_flight: HashSet<i64> = HashSet::new();
        let mut busy_chats: HashSet<i64> = HashSet::new();
        // Per update: when it may be tried again, and the wait after its next failure.
        let mut retry: HashMap<i64, (Instant, Duration)> = HashMap::new();
        let mut turn = 0usize;
        loop {
            let mut changes = slot.updates_changed.subscribe();
            let now = Instant::now();
            let starts = {
                let mut bot = slot.lock();
                let Some(hook) = bot.webhook.as_ref().filter(|h| h.generation == generation) else {
                    return;
                };
                let secret = hook.secret_token.clone();
                let spread = !bot.webhook_targets.is_empty();
                let targets = if spread {
                    bot.webhook_targets.clone()
                } else {
                    vec![hook.url.clone()]
                };
                let limit = if spread {
                    hook.max_connections
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .unwrap_or(DEFAULT_MAX_CONNECTIONS)
                } else {
                    1
                };
                let mut starts = Vec::new();
                // A chat with an update waiting (in flight or backing off) holds its later ones.
                let mut held: HashSet<i64> = busy_chats.clone();
                for (update_id, update) in &bot.updates {
                    if in_flight.len() + starts.len() >= limit {
                        break;
                    }
                    if in_flight.contains(update_id) {
                        if !spread {
                            break;
                        }
                        continue;
                    }
                    let chat = chat_of(update);
                    if chat.is_some_and(|c| held.contains(&c)) {
                        continue;
                    }
                    if retry.get(update_id).is_some_and(|(at, _)| *at > now) {
                        if !spread {
                            break;
                        }
                        if let Some(c) = chat {
                            held.insert(c);
                        }
                        continue;
                    }
                    if let Some(c) = chat {
                        held.insert(c);
                    }
                    let url = targets[turn % targets.len()].clone();
                    turn = turn.wrapping_add(1);
                    starts.push(Delivery {
                        update_id: *update_id,
                        chat,
                        update: update.clone(),
                        url,
                        secret: secret.clone(),
                    });
                }
                for d in &starts {
                    bot.target_stats.entry(d.url.clone()).or_default().in_flight += 1;
                }
                starts
            };
            for d in starts {
                in_flight.insert(d.update_id);
                if let Some(c) = d.chat {
                    busy_chats.insert(c);
                }
                let inner = Arc::clone(&inner);
                let done = done_tx.clone();
                tokio::spawn(async move {
                    let error = deliver(&inner, &d).await;
                    let _ = done.send(Finished {
                        update_id: d.update_id,
                        chat: d.chat,
                        url: d.url,
                        error,
                    });
                });
            }
            let next_retry = retry
                .iter()
                .filter(|(id, _)| !in_flight.contains(id))
                .map(|(_, (at, _))| *at)
                .min();
            let finished = tokio::select! {
                _ = changes.changed() => None,
                f = done_rx.recv() => f,
                () = sleep_until(next_retry) => None,
                () = inner.stopping() => return,
            };
            let Some(finished) = finished else { continue };
            in_flight.remove(&finished.update_id);
            if let Some(c) = finished.chat {
                busy_chats.remove(&c);
            }
            let current = {
                let mut bot = slot.lock();
                let stats = bot.target_stats.entry(finished.url.clone()).or_default();
                stats.in_flight = stats.in_flight.saturating_sub(1);
                match &finished.error {
                    None => stats.delivered += 1,
                    Some(_) => stats.failed += 1,
                }
                let current = bot
                    .webhook
                    .as_ref()
                    .is_some_and(|h| h.generation == generation);
                if current {
                    match &finished.error {
                        None => {
                            if let Some(at) = bot
                                .updates
                                .iter()
                                .position(|(id, _)| *id == finished.update_id)
                            {
                                bot.updates.remove(at);
                            }
                        }
                        Some(message) => {
                            if let Some(hook) = bot.webhook.as_mut() {
                                hook.last_error = Some((unix_now(), message.clone()));
                            }
                        }
                    }
                }
                current
            };
            if !current {
                return;
            }
            match finished.error {
                None => {
                    retry.remove(&finished.update_id);
                    Counters::bump(&inner.counters.webhook_deliveries);
                }
                Some(message) => {
                    Counters::bump(&inner.counters.webhook_failures);
                    tracing::debug!(%message, update_id = finished.update_id, url = %finished.url,
                        "webhook delivery failed; retrying");
                    let wait = retry
                        .get(&finished.update_id)
                        .map_or(RETRY_INITIAL, |(_, wait)| *wait);
                    retry.insert(
                        finished.update_id,
                        (Instant::now() + wait, (wait * 2).min(RETRY_MAX)),
                    );
                }
            }
        }
    });
}

/// Sleeps until `at`, or forever without one.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// POSTs one update; None when the target answered 2xx, else what went wrong.
async fn deliver(inner: &Inner, d: &Delivery) -> Option<String> {
    let mut request = inner.http.post(&d.url).json(&d.update);
    if let Some(secret) = &d.secret {
        request = request.header(SECRET_HEADER, secret);
    }
    let outcome = tokio::select! {
        r = request.send() => r,
        () = inner.stopping() => return Some("The sandbox is stopping".to_owned()),
    };
    match outcome {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chats_of_updates() {
        let message = json!({"update_id": 1, "message": {"chat": {"id": 7}}});
        let press = json!({"update_id": 2, "callback_query": {"from": {"id": 9},
            "message": {"chat": {"id": 8}}}});
        let orphan = json!({"update_id": 3, "callback_query": {"from": {"id": 9}}});
        assert_eq!(chat_of(&message), Some(7));
        assert_eq!(chat_of(&press), Some(8));
        assert_eq!(chat_of(&orphan), Some(9));
        assert_eq!(chat_of(&json!({"update_id": 4})), None);
    }
}
