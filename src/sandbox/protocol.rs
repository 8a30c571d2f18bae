//! The control API's JSON types, shared by the server (`control`) and the typed
//! client ([`super::client`]). Field names are the contract of DESIGN.md ("Contracts").

use serde::{Deserialize, Serialize};

/// `POST /sandbox/send`: a citizen does one thing in the chat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SendRequest {
    pub user_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoInput>,
    /// Label of a button to press.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub press: Option<String>,
    /// A button press with arbitrary callback data, as a forged or stale client sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackInput>,
    /// With `press`: look for the label on this bot message only (an addition; the web chat
    /// uses it for inline buttons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// Phone number shared when the pressed button has `request_contact` (an addition;
    /// default: a number made from the user id, `849` + 8 digits, without `+` as Telegram's
    /// apps often send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Token of the bot to talk to (default: the sandbox's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<String>,
    /// Write in this group chat (a negative id) instead of the private chat (an addition; not
    /// with `press`). Its transcript is `GET /sandbox/chats/<group id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// A message of a kind the bot does not read as text or a file (an addition): `"sticker"`,
    /// `"location"`, `"poll"` or `"dice"`, with a fixed payload of Telegram's shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<OtherKind>,
    /// The citizen edits one of their own text messages (an addition): Telegram's
    /// `edited_message` update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<EditInput>,
}

/// `"other"` of `POST /sandbox/send`: a kind of message the bot has no step for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherKind {
    Sticker,
    Location,
    Poll,
    Dice,
}

impl OtherKind {
    pub const ALL: [OtherKind; 4] = [Self::Sticker, Self::Location, Self::Poll, Self::Dice];

    /// The Message field that carries it.
    pub fn field(self) -> &'static str {
        match self {
            Self::Sticker => "sticker",
            Self::Location => "location",
            Self::Poll => "poll",
            Self::Dice => "dice",
        }
    }
}

/// `"edit"` of `POST /sandbox/send`: the new text of the citizen's message `message_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditInput {
    pub message_id: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInput {
    pub file_name: String,
    pub mime_type: String,
    pub data_base64: String,
}

/// `"callback"` of `POST /sandbox/send`: `data` up to 64 bytes, on the bot message
/// `message_id` (default: the chat's newest bot message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackInput {
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
}

/// `GET /sandbox/chats/{user_id}/actions`: the chat actions the bot sent, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actions {
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    /// `typing`, `upload_document`, `upload_photo`, …
    pub action: String,
    /// Unix time in milliseconds.
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInput {
    pub data_base64: String,
}

/// The answer to a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    pub update_id: i64,
    /// The user's new message (none for an inline button press).
    #[serde(default)]
    pub message_id: Option<i64>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    Bot,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub file_name: Option<String>,
    #[serde(default)]
    pub file_id: String,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub file_size: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    pub file_id: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub phone_number: String,
    #[serde(default)]
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineButtonView {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyButtonView {
    pub text: String,
    #[serde(default)]
    pub request_contact: bool,
}

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptMessage {
    pub message_id: i64,
    pub from: Sender,
    /// Text or caption, as Telegram stores it (tags removed).
    pub text: String,
    /// The text as safe HTML (only Telegram's tags).
    #[serde(default)]
    pub html: String,
    /// Labels of the inline keyboard, by row.
    #[serde(default)]
    pub buttons: Vec<Vec<String>>,
    /// Labels of the reply keyboard attached to this message, by row.
    #[serde(default)]
    pub keyboard: Vec<Vec<String>>,
    #[serde(default)]
    pub inline_keyboard: Vec<Vec<InlineButtonView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    #[serde(default)]
    pub edited: bool,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub date: i64,
}

/// `GET /sandbox/chats/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    pub messages: Vec<TranscriptMessage>,
    /// The reply keyboard shown now.
    #[serde(default)]
    pub reply_keyboard: Option<Vec<Vec<KeyButtonView>>>,
    /// Counter of the chat's changes.
    #[serde(default)]
    pub version: u64,
    /// The text of the latest answered callback query (answerCallbackQuery `text`).
    #[serde(default)]
    pub notice: Option<NoticeView>,
    /// Button presses of this chat the bot has not answered (answerCallbackQuery) yet: an app
    /// shows a spinner on the button until it is answered (an addition).
    #[serde(default)]
    pub callbacks_unanswered: u64,
}

/// A callback query answer's text, as the apps show it (a toast, or an alert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    /// Counts notices in the chat, so a page shows each once.
    pub id: u64,
    pub text: String,
    #[serde(default)]
    pub show_alert: bool,
}

/// `GET /sandbox/stats`: counters since the sandbox started, all bots together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Bot API calls.
    pub calls: u64,
    /// Messages the bots sent (sendMessage, sendDocument, sendPhoto that succeeded).
    pub messages_sent: u64,
    /// 429 answers given.
    pub too_many_requests: u64,
    /// 403 answers given (blocked chats).
    #[serde(default)]
    pub forbidden: u64,
    /// Other 4xx answers.
    #[serde(default)]
    pub bad_requests: u64,
    /// Updates made by the control API.
    #[serde(default)]
    pub updates: u64,
    #[serde(default)]
    pub webhook_deliveries: u64,
    #[serde(default)]
    pub webhook_failures: u64,
}

/// `POST /sandbox/block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRequest {
    pub user_id: i64,
    /// `false` unblocks.
    #[serde(default = "yes")]
    pub blocked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<String>,
}

fn yes() -> bool {
    true
}

/// A bot in `GET /sandbox/bots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotInfo {
    pub token: String,
    pub id: i64,
    pub username: String,
    pub first_name: String,
}

/// `POST /sandbox/webhook/targets`: where a bot's webhook deliveries really go, spread
/// round-robin (a load balancer in front of replicas); an empty list = the webhook's own URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetsRequest {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<String>,
}

/// The answer of `GET`/`POST /sandbox/webhook/targets`: the targets and deliveries per URL
/// (every URL delivered to so far, the webhook's own included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub urls: Vec<String>,
    pub stats: std::collections::BTreeMap<String, TargetStats>,
}

/// Deliveries to one webhook target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetStats {
    pub in_flight: u64,
    pub delivered: u64,
    pub failed: u64,
}
