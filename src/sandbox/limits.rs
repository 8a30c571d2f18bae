//! Telegram-like rate limits for `--limits`: token buckets for all messages of a bot and for
//! each chat. A refused send answers 429 with `retry_after` (whole seconds, at least 1).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Messages per second a bot may send overall (Telegram: "about 30 messages per second").
pub const GLOBAL_PER_SECOND: f64 = 30.0;
/// Burst allowed on top of the overall rate.
pub const GLOBAL_BURST: f64 = 30.0;
/// Messages per second a bot may send to one chat (Telegram: "one message per second").
pub const CHAT_PER_SECOND: f64 = 1.0;
/// Short burst allowed to one chat before 429s start (Telegram tolerates a few quick replies).
pub const CHAT_BURST: f64 = 3.0;
/// Per-chat buckets idle this long are forgotten.
const IDLE_BUCKET: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Self {
        Self {
            tokens: capacity,
            at: now,
        }
    }

    fn refill(&mut self, rate: f64, capacity: f64, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
        self.at = now;
    }

    /// Seconds until one token is available (0 when one is).
    fn wait(&self, rate: f64) -> f64 {
        if self.tokens >= 1.0 {
            0.0
        } else {
            (1.0 - self.tokens) / rate
        }
    }
}

/// The buckets of one bot.
#[derive(Debug, Default)]
pub struct RateLimiter {
    global: Option<Bucket>,
    chats: HashMap<i64, Bucket>,
}

impl RateLimiter {
    /// Takes one message from the overall and the chat's bucket, or says how many seconds to
    /// wait (nothing is taken then).
    pub fn try_send(&mut self, chat_id: i64, now: Instant) -> Result<(), u64> {
        let mut global = self
            .global
            .unwrap_or_else(|| Bucket::full(GLOBAL_BURST, now));
        global.refill(GLOBAL_PER_SECOND, GLOBAL_BURST, now);
        let mut chat = self
            .chats
            .get(&chat_id)
            .copied()
            .unwrap_or_else(|| Bucket::full(CHAT_BURST, now));
        chat.refill(CHAT_PER_SECOND, CHAT_BURST, now);
        let wait = global
            .wait(GLOBAL_PER_SECOND)
            .max(chat.wait(CHAT_PER_SECOND));
        if wait > 0.0 {
            self.global = Some(global);
            self.chats.insert(chat_id, chat);
            // Whole seconds, rounded up, never 0: what a well-behaved client sleeps.
            return Err((wait.ceil() as u64).max(1));
        }
        global.tokens -= 1.0;
        chat.tokens -= 1.0;
        self.global = Some(global);
        self.chats.insert(chat_id, chat);
        if self.chats.len() > 10_000 {
            self.chats
                .retain(|_, b| now.saturating_duration_since(b.at) < IDLE_BUCKET);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_gets_its_burst_then_one_per_second() {
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..CHAT_BURST as usize {
            assert!(limiter.try_send(1, t0).is_ok());
        }
        assert_eq!(limiter.try_send(1, t0), Err(1));
        // Another chat is not affected.
        assert!(limiter.try_send(2, t0).is_ok());
        assert!(
            limiter
                .try_send(1, t0 + Duration::from_millis(1001))
                .is_ok()
        );
    }

    #[test]
    fn all_chats_share_the_overall_rate() {
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        let mut refused = 0;
        for chat in 0..(GLOBAL_BURST as i64 + 5) {
            if limiter.try_send(chat, t0).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 5);
    }
}
