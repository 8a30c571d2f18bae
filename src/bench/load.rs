//! The load generator: N citizens at once, each sending its next input as soon as the bot has
//! answered the previous one (a closed loop), through the sandbox's control API. An input's
//! latency runs from the moment it is sent until the chat shows the whole answer.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::i18n::{I18n, Locale};
use crate::sandbox::{SendRequest, SendResponse, Transcript, TranscriptMessage};

/// How long one answer may take before the input counts as an error.
const ANSWER_DEADLINE: Duration = Duration::from_secs(60);
/// The longest single transcript wait asked of the sandbox.
const WAIT_MS: u64 = 30_000;

/// The user ids of the measured citizens start here (below: warm-up citizens).
pub const FIRST_CITIZEN: i64 = 100_000;

/// Which conversation each citizen has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// /start, the language, Help, then "Dịch vụ công" → the largest field → its next page →
    /// a procedure's card: 7 inputs.
    Citizen,
    /// 7 texts, each echoed: what the sandbox and this generator carry on their own.
    Echo,
}

/// How many inputs a script sends.
pub const INPUTS: usize = 7;

/// The labels a citizen presses, as the bot shows them in Vietnamese.
#[derive(Debug, Clone)]
pub struct Labels {
    language: String,
    help: String,
    services: String,
    next: String,
}

impl Labels {
    pub fn new(i18n: &I18n) -> Self {
        let t = |id: &str| i18n.text(Locale::Vi, id, None);
        Self {
            language: t("language-vi"),
            help: t("menu-help"),
            services: t("menu-services"),
            next: t("button-next"),
        }
    }
}

/// What one citizen measured.
#[derive(Debug, Default)]
pub struct CitizenResult {
    pub latencies: Vec<Duration>,
    pub errors: Vec<String>,
}

/// A control API client for one bot, shared by all citizens (one connection pool).
#[derive(Clone)]
pub struct Control {
    http: reqwest::Client,
    base: url::Url,
    token: String,
}

impl Control {
    pub fn new(base: url::Url, token: String) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(usize::MAX)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_default();
        Self { http, base, token }
    }

    async fn json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, String> {
        let status = response.status();
        if status.is_success() {
            response.json().await.map_err(|e| e.to_string())
        } else {
            Err(format!(
                "sandbox answered {status}: {}",
                response.text().await.unwrap_or_default()
            ))
        }
    }

    async fn send(&self, request: &SendRequest) -> Result<SendResponse, String> {
        let url = self.base.join("sandbox/send").map_err(|e| e.to_string())?;
        let response = self
            .http
            .post(url)
            .json(request)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Self::json(response).await
    }

    /// The chat after message `after`: once a bot message newer than `after` exists, or with
    /// `version`, once anything changed after it.
    async fn transcript(
        &self,
        user: i64,
        after: i64,
        version: Option<u64>,
        wait_ms: u64,
    ) -> Result<Transcript, String> {
        let mut url = self
            .base
            .join(&format!("sandbox/chats/{user}"))
            .map_err(|e| e.to_string())?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("after", &after.to_string())
                .append_pair("wait_ms", &wait_ms.to_string())
                .append_pair("bot", &self.token);
            if let Some(v) = version {
                q.append_pair("version", &v.to_string());
            }
        }
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        Self::json(response).await
    }
}

/// What an input waits for.
enum Expect<'a> {
    /// `n` new bot messages, the last of them with an inline button labelled as given (any
    /// inline button if empty).
    Messages { n: usize, button: Option<&'a str> },
    /// Message `id` edited: its buttons no longer `before`.
    Edit { id: i64, before: &'a [Vec<String>] },
}

/// One citizen's chat as the generator follows it.
struct Chat<'a> {
    control: &'a Control,
    user: i64,
    /// The newest message id seen.
    last: i64,
    /// The chat's version last seen.
    version: u64,
    result: CitizenResult,
}

impl Chat<'_> {
    fn request(&self) -> SendRequest {
        SendRequest {
            user_id: self.user,
            first_name: Some(format!("Công dân {}", self.user)),
            language_code: Some("vi".to_owned()),
            bot: Some(self.control.token.clone()),
            ..SendRequest::default()
        }
    }

    /// Sends `request`, waits for `expect`, records the latency; answers the newest bot message
    /// concerned (the new last one, or the edited one).
    async fn step(
        &mut self,
        request: SendRequest,
        expect: Expect<'_>,
    ) -> Result<TranscriptMessage, String> {
        let started = Instant::now();
        let deadline = started + ANSWER_DEADLINE;
        let sent = self.control.send(&request).await?;
        let after = sent.message_id.unwrap_or(0).max(self.last);
        let found = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(format!("no answer in {ANSWER_DEADLINE:?}"));
            }
            let wait_ms = (remaining.as_millis() as u64).min(WAIT_MS);
            let transcript = match &expect {
                Expect::Messages { .. } => {
                    self.control
                        .transcript(self.user, after, None, wait_ms)
                        .await?
                }
                Expect::Edit { id, .. } => {
                    self.control
                        .transcript(self.user, id - 1, Some(self.version), wait_ms)
                        .await?
                }
            };
            self.version = self.version.max(transcript.version);
            if let Some(id) = transcript.last_id() {
                self.last = self.last.max(id);
            }
            let bot: Vec<&TranscriptMessage> = transcript.bot_messages().collect();
            let done = match &expect {
                Expect::Messages { n, button } => {
                    let new: Vec<&&TranscriptMessage> =
                        bot.iter().filter(|m| m.message_id > after).collect();
                    new.len() >= *n
                        && new.last().is_some_and(|m| match button {
                            None => true,
                            Some("") => !m.buttons.is_empty(),
                            Some(label) => m.has_button(label),
                        })
                }
                Expect::Edit { id, before } => bot
                    .iter()
                    .any(|m| m.message_id == *id && m.buttons.as_slice() != *before),
            };
            if done {
                let message = match &expect {
                    Expect::Messages { .. } => bot.last().copied(),
                    Expect::Edit { id, .. } => bot.iter().find(|m| m.message_id == *id).copied(),
                };
                break message.cloned();
            }
        };
        self.result.latencies.push(started.elapsed());
        found.ok_or_else(|| "the answer vanished".to_owned())
    }

    fn text(&self, text: &str) -> SendRequest {
        SendRequest {
            text: Some(text.to_owned()),
            ..self.request()
        }
    }

    fn press(&self, label: &str, on: Option<i64>) -> SendRequest {
        SendRequest {
            press: Some(label.to_owned()),
            message_id: on,
            ..self.request()
        }
    }
}

/// Runs one citizen's script to its end (or its first error).
pub async fn citizen(
    control: &Control,
    labels: &Labels,
    user: i64,
    script: Script,
) -> CitizenResult {
    let mut chat = Chat {
        control,
        user,
        last: 0,
        version: 0,
        result: CitizenResult::default(),
    };
    let outcome = match script {
        Script::Citizen => citizen_script(&mut chat, labels).await,
        Script::Echo => echo_script(&mut chat).await,
    };
    if let Err(error) = outcome {
        chat.result.errors.push(format!("citizen {user}: {error}"));
    }
    chat.result
}

async fn echo_script(chat: &mut Chat<'_>) -> Result<(), String> {
    for i in 0..INPUTS {
        let request = chat.text(&format!("xin chào {i}"));
        chat.step(request, Expect::Messages { n: 1, button: None })
            .await?;
    }
    Ok(())
}

async fn citizen_script(chat: &mut Chat<'_>, labels: &Labels) -> Result<(), String> {
    // The menu: greeting and the language question, the language, then Help.
    let start = chat.text("/start");
    chat.step(
        start,
        Expect::Messages {
            n: 2,
            button: Some(&labels.language),
        },
    )
    .await?;
    let language = chat.press(&labels.language, None);
    chat.step(language, Expect::Messages { n: 1, button: None })
        .await?;
    let help = chat.press(&labels.help, None);
    chat.step(help, Expect::Messages { n: 1, button: None })
        .await?;
    // The catalogue: the fields (after the search hint), the largest field, its next page, a
    // procedure's card — each edited in place.
    let services = chat.press(&labels.services, None);
    let fields = chat
        .step(
            services,
            Expect::Messages {
                n: 2,
                button: Some(""),
            },
        )
        .await?;
    let largest = fields
        .button_labels()
        .max_by_key(|l| count_in_label(l))
        .ok_or("no field to choose")?
        .to_owned();
    let list = chat
        .step(
            chat.press(&largest, Some(fields.message_id)),
            Expect::Edit {
                id: fields.message_id,
                before: &fields.buttons,
            },
        )
        .await?;
    if !list.has_button(&labels.next) {
        return Err(format!("field {largest:?} has no second page"));
    }
    let page = chat
        .step(
            chat.press(&labels.next, Some(list.message_id)),
            Expect::Edit {
                id: list.message_id,
                before: &list.buttons,
            },
        )
        .await?;
    let procedure = page
        .buttons
        .first()
        .and_then(|row| row.first())
        .ok_or("an empty page")?
        .clone();
    chat.step(
        chat.press(&procedure, Some(page.message_id)),
        Expect::Edit {
            id: page.message_id,
            before: &page.buttons,
        },
    )
    .await?;
    Ok(())
}

/// The count in a label like "Hộ tịch (9)".
fn count_in_label(label: &str) -> u32 {
    label
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_field_labels() {
        assert_eq!(count_in_label("Hộ tịch (9)"), 9);
        assert_eq!(count_in_label("Đất (đai) (12)"), 12);
        assert_eq!(count_in_label("Sau ▶"), 0);
    }
}
