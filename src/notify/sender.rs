//! The sender: drains the outbox oldest first within Telegram's limits (`DVC_SEND_RATE`
//! overall, `DVC_SEND_CHAT_INTERVAL` per chat), with its own plain `Bot` so the citizens' own
//! conversations never wait behind it. A row is marked sent only after Telegram accepted it;
//! 429 waits `retry_after`; 403 marks the chat blocked and drops its rows; other errors retry
//! with backoff for about 4 hours, then the row is `failed`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use teloxide::RequestError;
use teloxide::payloads::{SendDocumentSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::message::Notice;
use super::store::{self, Claimed};
use super::{NotifyConfig, Shared};
use crate::bot::callback::DossierAction;
use crate::bot::render::{markup, render};
use crate::db::now_unix;
use crate::i18n::Locale;
use crate::portal::client::PortalError;
use crate::telemetry::telegram;

/// How long a claimed row is ours before another sender may take it (a crash in between
/// repeats at most the message in flight).
const LEASE_SECS: i64 = 15;
/// Sends in flight at once (Telegram answers in ~100 ms; 30/s needs a few in parallel).
const IN_FLIGHT: usize = 16;
/// How long failures are retried before a row is `failed`.
const RETRY_WINDOW_SECS: i64 = 4 * 3_600;
/// First pause after a failure; doubled each attempt, at most `MAX_BACKOFF_SECS`.
const FIRST_BACKOFF_SECS: i64 = 5;
const MAX_BACKOFF_SECS: i64 = 30 * 60;
/// How long the sending replica holds its lease, and how often it renews it.
/// A replica that died is replaced within the lease and `STANDBY_LOOK`.
const SENDER_LEASE_SECS: i64 = 10;
const SENDER_RENEW: Duration = Duration::from_secs(3);
/// How often a replica that does not send looks whether the sender's lease is free.
const STANDBY_LOOK: Duration = Duration::from_secs(2);
/// Send slots missed that may be caught up (a burst well inside Telegram's tolerance).
const CATCH_UP: u32 = 5;
/// Idle: look at the outbox again this often (rows deferred, or written by another replica).
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The pause before attempt `attempts + 1`.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    FIRST_BACKOFF_SECS
        .saturating_mul(1_i64 << exp)
        .min(MAX_BACKOFF_SECS)
}

/// How a send ended.
enum Sent {
    Ok(i64),
    Err(RequestError),
    /// The chat switched this kind off, or the row no longer reads: dropped without a send.
    Skip(&'static str),
    /// The portal could not give the result document now.
    PortalDown(String),
}

pub async fn run(shared: Arc<Shared>, config: NotifyConfig) {
    let mut pace = Pace {
        spacing: Duration::from_secs_f64(1.0 / config.send_rate.0),
        next_slot: Instant::now(),
        paused_until: Instant::now(),
        chat_ready: HashMap::new(),
        busy: HashSet::new(),
    };
    let mut in_flight: JoinSet<(i64, Option<Duration>)> = JoinSet::new();
    match store::free_own_leases(&shared.db, &shared.replica).await {
        Ok(n) if n > 0 => tracing::info!(rows = n, "sender: rows claimed before a restart freed"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "sender: cannot free old leases"),
    }
    let mut last_depth = Instant::now() - Duration::from_secs(10);
    let mut held_at: Option<Instant> = None;
    while !shared.stopping() {
        // One replica sends at a time (a lease in `cursors`), so the limits hold overall.
        if held_at.is_none_or(|t| t.elapsed() >= SENDER_RENEW) {
            match store::hold(
                &shared.db,
                store::SENDER,
                &shared.replica,
                now_unix() + SENDER_LEASE_SECS,
            )
            .await
            {
                Ok(Some(_)) => held_at = Some(Instant::now()),
                Ok(None) => {
                    held_at = None;
                    shared.sleep(STANDBY_LOOK).await;
                    continue;
                }
                Err(error) => {
                    tracing::warn!(%error, "sender: cannot take the sender's lease");
                    shared.sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        if last_depth.elapsed() >= Duration::from_secs(1) {
            last_depth = Instant::now();
            if let Ok(n) = store::depth(&shared.db).await {
                metrics::gauge!("dvc_outbox_depth").set(n as f64);
            }
            if let Ok(n) = store::reminders_due(&shared.db).await {
                metrics::gauge!("dvc_reminders_due").set(n as f64);
            }
        }
        // Finished sends first: their chats become free, a 429 pauses everything.
        while let Some(done) = in_flight.try_join_next() {
            pace.done(done);
        }
        let now = Instant::now();
        if pace.paused_until > now {
            shared.sleep(pace.paused_until - now).await;
            continue;
        }
        let room = IN_FLIGHT.saturating_sub(in_flight.len());
        if room == 0 {
            if let Some(done) = in_flight.join_next().await {
                pace.done(done);
            }
            continue;
        }
        let batch = match store::claim(
            &shared.db,
            &shared.replica,
            now_unix(),
            now_unix() + LEASE_SECS,
            (room as i64)
                .max(config.send_rate.0.ceil() as i64)
                .clamp(1, 200),
        )
        .await
        {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "sender: cannot claim");
                shared.sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut give_back = Vec::new();
        let mut skipped = HashSet::new();
        let mut taken = 0;
        for row in batch {
            let now = Instant::now();
            let ready = pace.chat_ready.get(&row.chat_id).is_none_or(|t| *t <= now);
            if !ready
                || pace.busy.contains(&row.chat_id)
                || skipped.contains(&row.chat_id)
                || taken >= room
            {
                // Later rows of this chat wait for this one, in order.
                skipped.insert(row.chat_id);
                give_back.push(row.id);
                continue;
            }
            if pace.next_slot > now {
                tokio::time::sleep_until(pace.next_slot).await;
            }
            // A slot missed (a claim, a full pipeline) may be caught up, a few at most, so the
            // long-run rate is the configured one and never above it.
            let floor = Instant::now() - pace.spacing * CATCH_UP;
            pace.next_slot = pace.next_slot.max(floor) + pace.spacing;
            pace.chat_ready
                .insert(row.chat_id, Instant::now() + config.chat_interval.0);
            pace.busy.insert(row.chat_id);
            taken += 1;
            let shared = Arc::clone(&shared);
            // Recorded by the task itself the moment Telegram answers: a crash then repeats
            // only a send whose answer was not yet written down.
            in_flight.spawn(async move {
                let sent = send(&shared, &row).await;
                let pause = settle(&shared, &row, sent).await;
                (row.chat_id, pause)
            });
        }
        if !give_back.is_empty()
            && let Err(error) = store::release(&shared.db, &give_back).await
        {
            tracing::warn!(%error, "sender: cannot give rows back");
        }
        if taken == 0 {
            // Nothing to send now: wait for a send to end, a new row, a chat to be ready.
            let soonest = pace
                .chat_ready
                .values()
                .filter(|t| **t > Instant::now())
                .min()
                .map(|t| *t - Instant::now())
                .unwrap_or(IDLE_POLL)
                .min(IDLE_POLL);
            tokio::select! {
                Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                    pace.done(done);
                }
                () = shared.outbox_written.notified(), if give_back.is_empty() => {}
                () = tokio::time::sleep(soonest) => {}
                () = shared.stopped() => {}
            }
        }
        let horizon = Instant::now() - Duration::from_secs(60);
        pace.chat_ready.retain(|_, t| *t > horizon);
    }
    // A clean stop: what is in flight finishes and is recorded; another replica may send.
    while let Some(done) = in_flight.join_next().await {
        pace.done(done);
    }
    if let Err(error) = store::release_row(&shared.db, store::SENDER, &shared.replica).await {
        tracing::warn!(%error, "sender: lease not released");
    }
}

/// The sender's limits in memory: the overall spacing, a 429's pause, each chat's next slot.
struct Pace {
    spacing: Duration,
    next_slot: Instant,
    paused_until: Instant,
    chat_ready: HashMap<i64, Instant>,
    /// Chats with a send in flight.
    busy: HashSet<i64>,
}

impl Pace {
    fn done(&mut self, done: Result<(i64, Option<Duration>), tokio::task::JoinError>) {
        let Ok((chat_id, pause)) = done else { return };
        self.busy.remove(&chat_id);
        if let Some(wait) = pause {
            let until = Instant::now() + wait;
            self.paused_until = self.paused_until.max(until);
            self.chat_ready.insert(chat_id, until);
        }
    }
}

/// Records how a send ended; answers the pause Telegram asked for (429).
async fn settle(shared: &Shared, row: &Claimed, sent: Sent) -> Option<Duration> {
    let db = &shared.db;
    let result = match sent {
        Sent::Ok(message_id) => {
            metrics::counter!("dvc_outbox_sent_total").increment(1);
            metrics::histogram!("dvc_event_to_chat_seconds")
                .record((now_unix() - row.event_at).max(0) as f64);
            store::mark_sent(db, row.id, message_id).await
        }
        Sent::Skip(why) => {
            metrics::counter!("dvc_outbox_dropped_total").increment(1);
            store::finish(db, row.id, "dropped", why).await
        }
        Sent::Err(RequestError::RetryAfter(after)) => {
            metrics::counter!("dvc_telegram_429_total").increment(1);
            let wait = after.duration().max(Duration::from_millis(100));
            let at = now_unix() + wait.as_secs().max(1) as i64;
            if let Err(error) = store::retry_later(db, row.id, at, false, "429").await {
                tracing::error!(%error, "sender: cannot record a 429");
            }
            return Some(wait);
        }
        Sent::Err(RequestError::Api(ref api)) if blocked(api) => {
            metrics::counter!("dvc_outbox_dropped_total").increment(1);
            tracing::info!(
                chat_id = row.chat_id,
                "the chat blocked the bot; its rows dropped"
            );
            store::chat_blocked(db, row.chat_id).await.map(drop)
        }
        Sent::Err(error) => retry_or_fail(db, row, &error.to_string()).await,
        Sent::PortalDown(error) => retry_or_fail(db, row, &error).await,
    };
    if let Err(error) = result {
        tracing::error!(%error, row = row.id, "sender: cannot record a send");
    }
    None
}

async fn retry_or_fail(db: &crate::db::Db, row: &Claimed, error: &str) -> Result<(), sqlx::Error> {
    if now_unix() - row.created_at >= RETRY_WINDOW_SECS {
        metrics::counter!("dvc_outbox_failed_total").increment(1);
        tracing::error!(row = row.id, chat_id = row.chat_id, %error, "notification failed");
        store::finish(db, row.id, "failed", error).await
    } else {
        metrics::counter!("dvc_outbox_retried_total").increment(1);
        tracing::warn!(row = row.id, %error, "notification will be retried");
        let at = now_unix() + backoff_secs(row.attempts);
        store::retry_later(db, row.id, at, true, error).await
    }
}

/// Telegram's 403s: the chat cannot be written to any more.
fn blocked(error: &teloxide::ApiError) -> bool {
    use teloxide::ApiError as E;
    matches!(
        error,
        E::BotBlocked
            | E::BotKicked
            | E::BotKickedFromSupergroup
            | E::UserDeactivated
            | E::CantInitiateConversation
            | E::CantTalkWithBots
    )
}

/// Renders the row in the chat's language now and sends it.
async fn send(shared: &Shared, row: &Claimed) -> Sent {
    let prefs = match store::chat_prefs(&shared.db, row.chat_id).await {
        Ok(p) => p,
        Err(error) => return Sent::PortalDown(error.to_string()),
    };
    let wanted = if row.kind.starts_with("reminder") {
        prefs.reminders
    } else {
        prefs.status
    };
    if !wanted {
        return Sent::Skip("switched off in /notifications");
    }
    let Ok(mut notice) = serde_json::from_str::<Notice>(&row.message) else {
        return Sent::Skip("unreadable message");
    };
    let locale = Locale::resolve(prefs.locale.as_deref(), None);
    let chat = ChatId(row.chat_id);
    if let Some(code) = notice.result_of.clone() {
        let token = prefs
            .session_enc
            .as_deref()
            .and_then(|s| shared.cipher.open(s).ok());
        let dossier = crate::domain::DossierCode::parse(&code).ok();
        let file = match (token, dossier) {
            (Some(token), Some(dossier)) => {
                match shared.portal.result(&token, &dossier.into()).await {
                    Ok(file) => Some(file),
                    Err(PortalError::Unreachable(e)) => return Sent::PortalDown(e),
                    Err(error) => {
                        tracing::info!(%error, "result not fetched with the chat's session");
                        None
                    }
                }
            }
            _ => None,
        };
        match file {
            Some(file) => {
                let caption = render(&shared.i18n, locale, &notice.text());
                let mut request = shared
                    .bot
                    .send_document(
                        chat,
                        InputFile::memory(file.bytes).file_name(file.file_name),
                    )
                    .caption(caption)
                    .parse_mode(ParseMode::Html);
                if let Some(k) = markup(&shared.i18n, locale, &notice.keyboard()) {
                    request = request.reply_markup(k);
                }
                return match telegram("sendDocument", request.into_future()).await {
                    Ok(m) => Sent::Ok(i64::from(m.id.0)),
                    Err(e) => Sent::Err(e),
                };
            }
            None => {
                // No session to fetch it with: say so, with a button to get it.
                notice.id = "notify-result-fetch".into();
                if let Ok(code) = crate::domain::DossierCode::parse(&code) {
                    let rate = std::mem::take(&mut notice.buttons);
                    notice = notice.button(DossierAction::Result, &code);
                    notice.buttons.extend(rate);
                }
            }
        }
    }
    let text = render(&shared.i18n, locale, &notice.text());
    let mut request = shared
        .bot
        .send_message(chat, text)
        .parse_mode(ParseMode::Html);
    if let Some(k) = markup(&shared.i18n, locale, &notice.keyboard()) {
        request = request.reply_markup(k);
    }
    match telegram("sendMessage", request.into_future()).await {
        Ok(m) => Sent::Ok(i64::from(m.id.0)),
        Err(e) => Sent::Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_half_an_hour() {
        assert_eq!(backoff_secs(0), 5);
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(12), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(1_000), MAX_BACKOFF_SECS);
        // About 4 hours of retries before `failed`: a dozen attempts or so.
        let mut total = 0;
        let mut n = 0;
        while total < RETRY_WINDOW_SECS {
            total += backoff_secs(n);
            n += 1;
        }
        assert!((10..=20).contains(&n), "{n}");
    }
}
