//! Waiting for what a test expects in a chat: `wait_for(chat, expectation, deadline)` on the
//! sandbox transcript's long poll (it wakes on every change of the chat: a new, edited or
//! deleted message, a keyboard, a callback answer). No fixed sleep, no stretch of silence taken
//! as "done"; a wait that runs out fails and says what it awaited and what the chat showed.

use std::sync::Arc;
use std::time::Duration;

use dvc_bot::sandbox::client::{Citizen, SandboxClient, Transcript, TranscriptMessage};

use super::said::Phrase;

/// How long a wait may last by default: far longer than any answer takes, so it is reached
/// only by a test that is about to fail (and then it says what it waited for).
pub const DEADLINE: Duration = Duration::from_secs(30);

type Test = dyn Fn(&Transcript) -> bool + Send + Sync;

/// What a test waits for in a chat: a description (for the failure message) and a test over
/// the chat's messages after a given message id.
#[derive(Clone)]
pub struct Expect {
    what: String,
    test: Arc<Test>,
}

impl std::fmt::Debug for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

impl Expect {
    /// Any condition on the transcript, described by `what`.
    pub fn new(
        what: impl Into<String>,
        test: impl Fn(&Transcript) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            what: what.into(),
            test: Arc::new(test),
        }
    }

    /// A condition on one bot message of the transcript.
    pub fn bot_message(
        what: impl Into<String>,
        test: impl Fn(&TranscriptMessage) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(what, move |t| t.bot_messages().any(&test))
    }

    /// At least one bot message. Enough only where the bot answers with one message.
    pub fn reply() -> Self {
        Self::bot_message("a bot message", |_| true)
    }

    /// A bot message offering this inline button or this reply-keyboard button.
    pub fn button(label: impl Into<String>) -> Self {
        let label = label.into();
        Self::bot_message(format!("a button {label:?}"), move |m| {
            m.buttons
                .iter()
                .chain(m.keyboard.iter())
                .flatten()
                .any(|b| *b == label)
        })
    }

    /// A bot message whose text contains `fragment` (data: a code, a name, an amount).
    #[allow(dead_code)] // part of the vocabulary
    pub fn text(fragment: impl Into<String>) -> Self {
        let fragment = fragment.into();
        Self::bot_message(format!("a bot message with {fragment:?}"), move |m| {
            m.text.contains(&fragment)
        })
    }

    /// A bot message saying the Fluent message `phrase`, whatever its current wording.
    pub fn said(phrase: Phrase) -> Self {
        Self::bot_message(format!("the message {phrase}"), move |m| {
            phrase.is_in(&m.text)
        })
    }

    /// One bot message saying `phrase` and offering the button `label` (the message the next
    /// press needs).
    pub fn said_with(phrase: Phrase, label: impl Into<String>) -> Self {
        let label = label.into();
        Self::bot_message(
            format!("the message {phrase} with a button {label:?}"),
            move |m| {
                phrase.is_in(&m.text)
                    && m.buttons
                        .iter()
                        .chain(m.keyboard.iter())
                        .flatten()
                        .any(|b| *b == label)
            },
        )
    }

    /// A callback answer (toast) other than the one with id `seen` (the one shown before).
    pub fn notice(seen: Option<u64>) -> Self {
        Self::new("a new answer to the button press", move |t| {
            t.notice.as_ref().is_some_and(|n| Some(n.id) != seen)
        })
    }

    /// Message `message_id` (wait with `after` below it) satisfies `test`.
    pub fn message(
        message_id: i64,
        what: impl Into<String>,
        test: impl Fn(&TranscriptMessage) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(format!("message {message_id} {}", what.into()), move |t| {
            t.message(message_id).is_some_and(&test)
        })
    }

    /// Both this and `other`.
    pub fn and(self, other: Expect) -> Self {
        let (a, b) = (self.test, other.test);
        Self {
            what: format!("{} and {}", self.what, other.what),
            test: Arc::new(move |t| a(t) && b(t)),
        }
    }

    /// This or `other` (the answer a test expects, or the wrong one it must not wait out).
    pub fn or(self, other: Expect) -> Self {
        let (a, b) = (self.test, other.test);
        Self {
            what: format!("{} or {}", self.what, other.what),
            test: Arc::new(move |t| a(t) || b(t)),
        }
    }

    /// With the reason the test waits for it, for the failure message.
    pub fn why(mut self, reason: &str) -> Self {
        self.what = format!("{} ({reason})", self.what);
        self
    }

    /// What is awaited, for messages.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// Whether the transcript shows it now.
    pub fn matches(&self, t: &Transcript) -> bool {
        (self.test)(t)
    }
}

/// Waits until the chat's messages after `after` satisfy `expect`, at most `deadline`; answers
/// those messages (with the chat's current keyboard, notice and version). Panics when the
/// deadline passes, naming what was awaited and showing the chat.
pub async fn wait_for(
    client: &SandboxClient,
    chat: &Citizen,
    after: i64,
    expect: &Expect,
    deadline: Duration,
) -> Transcript {
    let until = tokio::time::Instant::now() + deadline;
    let mut seen = client
        .transcript(chat.clone(), after, 0)
        .await
        .unwrap_or_else(|e| panic!("reading chat {} while waiting for {expect:?}: {e}", chat.id));
    loop {
        if expect.matches(&seen) {
            return seen;
        }
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            panic!(
                "waited {deadline:?} in chat {} for {}; after message {after} it shows:\n{}",
                chat.id,
                expect.what(),
                describe(&seen)
            );
        }
        // Returns as soon as the chat changes after the version seen (or when `left` runs out).
        let wait_ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut now = client
            .changes(chat.clone(), seen.version, wait_ms)
            .await
            .unwrap_or_else(|e| {
                panic!("reading chat {} while waiting for {expect:?}: {e}", chat.id)
            });
        now.messages.retain(|m| m.message_id > after);
        seen = now;
    }
}

/// A transcript, one line per message, for failure messages.
pub fn describe(t: &Transcript) -> String {
    let mut out = String::new();
    for m in &t.messages {
        let first = m.text.lines().next().unwrap_or("");
        out.push_str(&format!(
            "  #{} {:?}{}{}: {first:?} buttons {:?} keyboard {:?}\n",
            m.message_id,
            m.from,
            if m.edited { " (edited)" } else { "" },
            if m.deleted { " (deleted)" } else { "" },
            m.buttons,
            m.keyboard
        ));
    }
    if let Some(n) = &t.notice {
        out.push_str(&format!("  notice #{}: {:?}\n", n.id, n.text));
    }
    if out.is_empty() {
        out.push_str("  (nothing)\n");
    }
    out
}
