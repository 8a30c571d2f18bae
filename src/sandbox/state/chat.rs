//! A chat's memory: its citizen, messages, keyboards and notices, and the version counter its
//! transcript waiters watch.

use serde_json::Value;
use tokio::sync::watch;

use crate::sandbox::html::Formatted;

/// A Telegram user of the sandbox (a test citizen). Private chats: chat id = user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: i64,
    pub first_name: String,
    pub language_code: Option<String>,
}

/// One inline keyboard button.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineButton {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
    /// The button as the bot sent it (echoed back in Message.reply_markup).
    pub raw: Value,
}

/// One reply keyboard button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyButton {
    pub text: String,
    pub request_contact: bool,
}

/// What a message carries besides text.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text,
    Document {
        file_id: String,
    },
    Photo {
        file_id: String,
    },
    Contact {
        phone_number: String,
        first_name: String,
        user_id: Option<i64>,
    },
    /// A sticker, a location, a poll…: `payload` under the Message field `field`.
    Other {
        field: &'static str,
        payload: Value,
    },
}

/// One message of a chat, from the bot or from the user.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: i64,
    pub from_bot: bool,
    pub date: i64,
    pub edit_date: Option<i64>,
    pub content: Content,
    /// Text, or caption of a document or photo.
    pub formatted: Formatted,
    pub inline_keyboard: Option<Vec<Vec<InlineButton>>>,
    /// The reply keyboard the bot attached to this message.
    pub reply_keyboard: Option<Vec<Vec<KeyButton>>>,
    pub deleted: bool,
}

/// The reply keyboard currently shown in a chat and the message that attached it.
#[derive(Debug, Clone)]
pub struct ShownKeyboard {
    pub message_id: i64,
    pub rows: Vec<Vec<KeyButton>>,
}

/// A chat between a bot and one citizen: private (chat id = user id), or a group (negative id)
/// where `user` is whoever wrote last.
#[derive(Debug)]
pub struct ChatState {
    pub id: i64,
    pub user: Citizen,
    pub messages: Vec<StoredMessage>,
    pub next_message_id: i64,
    pub blocked: bool,
    pub reply_keyboard: Option<ShownKeyboard>,
    pub notice: Option<Notice>,
    /// Bumped on every change (new, edited or deleted message, keyboard, notice).
    pub version: u64,
    /// Carries `version` to the transcript waiters of this chat only.
    pub changes: watch::Sender<u64>,
    /// Chat actions the bot sent (typing, upload_document, …) with their Unix time in ms.
    pub actions: Vec<(String, u64)>,
    /// Button presses (callback queries) of this chat not answered by the bot yet.
    pub callbacks_unanswered: u64,
}

impl ChatState {
    /// The private chat with `user`.
    pub fn new(user: Citizen) -> Self {
        Self::in_chat(user.id, user)
    }

    /// Chat `id` (a group when negative) where `user` writes.
    pub fn in_chat(id: i64, user: Citizen) -> Self {
        Self {
            id,
            user,
            messages: Vec::new(),
            next_message_id: 1,
            blocked: false,
            reply_keyboard: None,
            notice: None,
            version: 0,
            changes: watch::Sender::new(0),
            actions: Vec::new(),
            callbacks_unanswered: 0,
        }
    }

    /// Records a change and wakes this chat's waiters (call it with the bot's lock held).
    pub fn touch(&mut self) {
        self.version += 1;
        self.changes.send_replace(self.version);
    }

    /// Appends a message with the next id and returns that id.
    pub fn push(&mut self, mut message: StoredMessage) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        message.id = id;
        self.messages.push(message);
        self.touch();
        id
    }

    /// A message by id (deleted ones included).
    pub fn message_mut(&mut self, id: i64) -> Option<&mut StoredMessage> {
        // Ids are dense and start at 1, so the index is a good first guess.
        let index = usize::try_from(id - 1).ok()?;
        match self.messages.get(index) {
            Some(m) if m.id == id => self.messages.get_mut(index),
            _ => self.messages.iter_mut().find(|m| m.id == id),
        }
    }
}

/// The text of the latest answered callback query of a chat (a toast or an alert in the apps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Counts notices in the chat, so a page shows each once.
    pub id: u64,
    pub text: String,
    pub show_alert: bool,
}
