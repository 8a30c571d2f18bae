//! A typed client of the sandbox's control API, for end-to-end tests and benchmarks:
//!
//! ```no_run
//! # async fn demo(base: url::Url) -> Result<(), dvc_bot::sandbox::client::ClientError> {
//! use dvc_bot::sandbox::client::{Citizen, SandboxClient};
//! let sandbox = SandboxClient::new(base);
//! let lan = Citizen::new(1001).named("Lan").language("vi");
//! let sent = sandbox.send_text(lan.clone(), "/start").await?;
//! let reply = sandbox.transcript(lan.clone(), sent.message_id.unwrap_or(0), 5_000).await?;
//! if let Some(message) = reply.last_bot() {
//!     println!("{} {:?}", message.text, message.buttons);
//! }
//! sandbox.press(lan, "Thủ tục").await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use base64::Engine;
use serde::de::DeserializeOwned;

pub use super::protocol::{
    ActionView, Actions, BlockRequest, BotInfo, CallbackInput, ContactInput, ContactView,
    DocumentInput, DocumentView, EditInput, InlineButtonView, KeyButtonView, NoticeView, OtherKind,
    PhotoInput, PhotoView, SendRequest, SendResponse, Sender, Stats, TargetStats, Targets,
    TargetsRequest, Transcript, TranscriptMessage,
};

mod citizen;
mod transcript;

pub use citizen::Citizen;

/// Why a control call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the sandbox: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the sandbox answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("bad sandbox URL: {0}")]
    Url(#[from] url::ParseError),
}

impl ClientError {
    /// The HTTP status the sandbox answered, if it answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A control API client for one bot of a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxClient {
    http: reqwest::Client,
    base: url::Url,
    bot: Option<String>,
}

impl SandboxClient {
    /// A client of the sandbox at `base` (e.g. `http://127.0.0.1:8088/`), for its own bot.
    pub fn new(base: url::Url) -> Self {
        Self {
            http: reqwest::Client::new(),
            base,
            bot: None,
        }
    }

    /// Like [`SandboxClient::new`], from a string.
    pub fn parse(base: &str) -> Result<Self, ClientError> {
        Ok(Self::new(url::Url::parse(base)?))
    }

    /// The same sandbox, talking to the bot with this token.
    pub fn with_bot(&self, token: impl Into<String>) -> Self {
        Self {
            bot: Some(token.into()),
            ..self.clone()
        }
    }

    /// The sandbox's base URL (also the Bot API URL for `Bot::set_api_url`).
    pub fn base_url(&self) -> &url::Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<url::Url, ClientError> {
        let mut url = self.base.join(path)?;
        if let Some(bot) = &self.bot {
            url.query_pairs_mut().append_pair("bot", bot);
        }
        Ok(url)
    }

    async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or(body);
        Err(ClientError::Status {
            status: status.as_u16(),
            message,
        })
    }

    /// `POST /sandbox/send` with a request built by hand.
    pub async fn send(&self, mut request: SendRequest) -> Result<SendResponse, ClientError> {
        if request.bot.is_none() {
            request.bot = self.bot.clone();
        }
        let response = self
            .http
            .post(self.base.join("sandbox/send")?)
            .json(&request)
            .send()
            .await?;
        Self::answer(response).await
    }

    fn request(user: impl Into<Citizen>) -> SendRequest {
        let user = user.into();
        SendRequest {
            user_id: user.id,
            first_name: user.first_name,
            language_code: user.language_code,
            ..SendRequest::default()
        }
    }

    /// The citizen types `text` (a leading `/command` gets its bot_command entity).
    pub async fn send_text(
        &self,
        user: impl Into<Citizen>,
        text: &str,
    ) -> Result<SendResponse, ClientError> {
        self.send(SendRequest {
            text: Some(text.to_owned()),
            ..Self::request(user)
        })
        .await
    }

    /// The citizen shares their own contact with this phone number.
    pub async fn send_contact(
        &self,
        user: impl Into<Citizen>,
        phone_number: &str,
    ) -> Result<SendResponse, ClientError> {
        let request = Self::request(user);
        let user_id = request.user_id;
        self.send(SendRequest {
            contact: Some(ContactInput {
                phone_number: phone_number.to_owned(),
                user_id: Some(user_id),
            }),
            ..request
        })
        .await
    }

    /// The citizen uploads a document.
    pub async fn send_document(
        &self,
        user: impl Into<Citizen>,
        file_name: &str,
        mime_type: &str,
        data: &[u8],
    ) -> Result<SendResponse, ClientError> {
        self.send(SendRequest {
            document: Some(DocumentInput {
                file_name: file_name.to_owned(),
                mime_type: mime_type.to_owned(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(data),
            }),
            ..Self::request(user)
        })
        .await
    }

    /// The citizen sends a photo (PNG, JPEG or GIF bytes).
    pub async fn send_photo(
        &self,
        user: impl Into<Citizen>,
        data: &[u8],
    ) -> Result<SendResponse, ClientError> {
        self.send(SendRequest {
            photo: Some(PhotoInput {
                data_base64: base64::engine::general_purpose::STANDARD.encode(data),
            }),
            ..Self::request(user)
        })
        .await
    }

    /// The citizen presses the newest button labelled `label` (inline or reply keyboard);
    /// a missing label is `ClientError::Status { status: 404, .. }`.
    pub async fn press(
        &self,
        user: impl Into<Citizen>,
        label: &str,
    ) -> Result<SendResponse, ClientError> {
        self.send(SendRequest {
            press: Some(label.to_owned()),
            ..Self::request(user)
        })
        .await
    }

    /// The citizen's app sends a button press with any `data` (a forged or stale button) on
    /// the chat's newest bot message.
    pub async fn press_data(
        &self,
        user: impl Into<Citizen>,
        data: &str,
    ) -> Result<SendResponse, ClientError> {
        self.send(SendRequest {
            callback: Some(CallbackInput {
                data: data.to_owned(),
                message_id: None,
            }),
            ..Self::request(user)
        })
        .await
    }

    /// The chat actions the bot sent in this chat (typing, upload_document, …), oldest first.
    pub async fn actions(&self, user: impl Into<Citizen>) -> Result<Vec<ActionView>, ClientError> {
        let user = user.into();
        let url = self.url(&format!("sandbox/chats/{}/actions", user.id))?;
        let response = self.http.get(url).send().await?;
        Ok(Self::answer::<Actions>(response).await?.actions)
    }

    /// The chat's messages after message `after`, waiting up to `wait_ms` for at least one new
    /// bot message (0: answer at once).
    pub async fn transcript(
        &self,
        user: impl Into<Citizen>,
        after: i64,
        wait_ms: u64,
    ) -> Result<Transcript, ClientError> {
        let user = user.into();
        let mut url = self.url(&format!("sandbox/chats/{}", user.id))?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string())
            .append_pair("wait_ms", &wait_ms.to_string());
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_millis(wait_ms) + Duration::from_secs(30))
            .send()
            .await?;
        Self::answer(response).await
    }

    /// The bot's messages after `after`, waiting up to `wait` for the first one; empty if the
    /// bot said nothing in time.
    pub async fn bot_replies(
        &self,
        user: impl Into<Citizen>,
        after: i64,
        wait: Duration,
    ) -> Result<Vec<TranscriptMessage>, ClientError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let transcript = self.transcript(user, after, wait_ms).await?;
        Ok(transcript
            .messages
            .into_iter()
            .filter(|m| m.from == Sender::Bot)
            .collect())
    }

    /// The citizen types `text`; answers the bot's replies to it, waiting up to `wait` for the
    /// first (later ones may still come: read on with [`SandboxClient::transcript`]).
    pub async fn ask(
        &self,
        user: impl Into<Citizen>,
        text: &str,
        wait: Duration,
    ) -> Result<Vec<TranscriptMessage>, ClientError> {
        let user = user.into();
        let sent = self.send_text(user.clone(), text).await?;
        self.bot_replies(user, sent.message_id.unwrap_or(0), wait)
            .await
    }

    /// The whole chat once it has changed after `version` (a new, edited or deleted message, a
    /// keyboard, a notice), waiting up to `wait_ms`: how to see the edit a button press causes.
    pub async fn changes(
        &self,
        user: impl Into<Citizen>,
        version: u64,
        wait_ms: u64,
    ) -> Result<Transcript, ClientError> {
        let user = user.into();
        let mut url = self.url(&format!("sandbox/chats/{}", user.id))?;
        url.query_pairs_mut()
            .append_pair("after", "0")
            .append_pair("version", &version.to_string())
            .append_pair("wait_ms", &wait_ms.to_string());
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_millis(wait_ms) + Duration::from_secs(30))
            .send()
            .await?;
        Self::answer(response).await
    }

    /// `changes`, answering only the messages after message `after` (a long chat's recent
    /// part).
    pub async fn changes_after(
        &self,
        user: impl Into<Citizen>,
        after: i64,
        version: u64,
        wait_ms: u64,
    ) -> Result<Transcript, ClientError> {
        let user = user.into();
        let mut url = self.url(&format!("sandbox/chats/{}", user.id))?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string())
            .append_pair("version", &version.to_string())
            .append_pair("wait_ms", &wait_ms.to_string());
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_millis(wait_ms) + Duration::from_secs(30))
            .send()
            .await?;
        Self::answer(response).await
    }

    /// `GET /sandbox/stats`.
    pub async fn stats(&self) -> Result<Stats, ClientError> {
        let response = self
            .http
            .get(self.base.join("sandbox/stats")?)
            .send()
            .await?;
        Self::answer(response).await
    }

    /// `POST /sandbox/webhook/targets`: spread webhook deliveries over `urls` (empty: the
    /// webhook's own URL again).
    pub async fn set_webhook_targets(&self, urls: &[String]) -> Result<Targets, ClientError> {
        let response = self
            .http
            .post(self.base.join("sandbox/webhook/targets")?)
            .json(&TargetsRequest {
                urls: urls.to_vec(),
                bot: self.bot.clone(),
            })
            .send()
            .await?;
        Self::answer(response).await
    }

    /// `GET /sandbox/webhook/targets`: the targets and deliveries per URL.
    pub async fn webhook_targets(&self) -> Result<Targets, ClientError> {
        let response = self
            .http
            .get(self.url("sandbox/webhook/targets")?)
            .send()
            .await?;
        Self::answer(response).await
    }

    /// The citizen blocks the bot: its sends to the chat answer 403.
    pub async fn block(&self, user: impl Into<Citizen>) -> Result<(), ClientError> {
        self.set_blocked(user.into().id, true).await
    }

    /// The citizen unblocks the bot.
    pub async fn unblock(&self, user: impl Into<Citizen>) -> Result<(), ClientError> {
        self.set_blocked(user.into().id, false).await
    }

    async fn set_blocked(&self, user_id: i64, blocked: bool) -> Result<(), ClientError> {
        let response = self
            .http
            .post(self.base.join("sandbox/block")?)
            .json(&BlockRequest {
                user_id,
                blocked,
                bot: self.bot.clone(),
            })
            .send()
            .await?;
        let _: BlockRequest = Self::answer(response).await?;
        Ok(())
    }

    /// The bytes of a file seen in a chat (a document's or photo's `file_id`).
    pub async fn download(&self, file_id: &str) -> Result<Vec<u8>, ClientError> {
        let response = self
            .http
            .get(self.url(&format!("sandbox/files/{file_id}"))?)
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::Status {
                status: status.as_u16(),
                message: response.text().await.unwrap_or_default(),
            });
        }
        Ok(response.bytes().await?.to_vec())
    }

    /// The bots the sandbox serves.
    pub async fn bots(&self) -> Result<Vec<BotInfo>, ClientError> {
        #[derive(serde::Deserialize)]
        struct Bots {
            bots: Vec<BotInfo>,
        }
        let response = self
            .http
            .get(self.base.join("sandbox/bots")?)
            .send()
            .await?;
        let bots: Bots = Self::answer(response).await?;
        Ok(bots.bots)
    }
}
