//! The sandbox's memory: bots by token, and for each its chats, messages, pending updates,
//! files, commands and webhook. Everything lives behind one short-held mutex per bot; waiters
//! (long-poll getUpdates, transcripts with `wait_ms`, webhook delivery) watch version counters.

use std::collections::{HashMap, VecDeque};

use axum::body::Bytes;
use serde_json::Value;
use tokio::sync::watch;

use super::html::Formatted;

/// Pending updates kept per bot before the oldest are dropped (Telegram keeps them for 24 h).
pub const MAX_PENDING_UPDATES: usize = 100_000;

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

/// A file the bot holds: uploaded by it or sent by a user.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub file_id: String,
    pub unique_id: String,
    pub path: String,
    pub file_name: Option<String>,
    pub mime_type: String,
    pub data: Bytes,
    /// Width and height, for photos.
    pub dimensions: Option<(u32, u32)>,
}

/// The webhook a bot set.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: Option<i64>,
    /// Distinguishes this webhook from an earlier one (its delivery task stops on change).
    pub generation: u64,
    pub last_error: Option<(i64, String)>,
}

/// A callback query the bot has not answered yet.
#[derive(Debug, Clone)]
pub struct PendingCallback {
    pub chat_id: i64,
    pub answered: bool,
}

/// The text of the latest answered callback query of a chat (a toast or an alert in the apps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Counts notices in the chat, so a page shows each once.
    pub id: u64,
    pub text: String,
    pub show_alert: bool,
}

/// One bot the sandbox serves (one token).
#[derive(Debug)]
pub struct BotState {
    pub id: i64,
    pub token: String,
    pub first_name: String,
    pub username: String,
    pub next_update_id: i64,
    /// Pending updates, oldest first: (update_id, update JSON).
    pub updates: VecDeque<(i64, Value)>,
    /// Counts getUpdates calls: a long poll ends with 409 when a newer one starts.
    pub poll_generation: u64,
    /// From getUpdates/setWebhook; empty = the default set.
    pub allowed_updates: Vec<String>,
    pub webhook: Option<Webhook>,
    pub webhook_generation: u64,
    pub chats: HashMap<i64, ChatState>,
    pub files: HashMap<String, StoredFile>,
    pub file_paths: HashMap<String, String>,
    pub next_file: u64,
    /// Commands by (scope JSON, language code).
    pub commands: HashMap<(String, String), Value>,
    pub callbacks: HashMap<String, PendingCallback>,
    pub next_callback: u64,
    /// Token buckets, used with `--limits`.
    pub limiter: super::limits::RateLimiter,
    /// Keeps update ids growing across restarts (with a data folder).
    pub numbering: Option<super::numbering::UpdateNumbering>,
}

impl BotState {
    pub fn new(id: i64, token: String) -> Self {
        Self {
            id,
            token,
            first_name: format!("Sandbox bot {id}"),
            username: format!("sandbox{id}_bot"),
            next_update_id: 1,
            updates: VecDeque::new(),
            poll_generation: 0,
            allowed_updates: Vec::new(),
            webhook: None,
            webhook_generation: 0,
            chats: HashMap::new(),
            files: HashMap::new(),
            file_paths: HashMap::new(),
            next_file: 1,
            commands: HashMap::new(),
            callbacks: HashMap::new(),
            next_callback: 1,
            limiter: super::limits::RateLimiter::default(),
            numbering: None,
        }
    }

    /// Queues an update of `kind` (`message`, `callback_query`) unless allowed_updates
    /// excludes it; returns its id either way.
    pub fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        if let Some(numbering) = &mut self.numbering {
            numbering.reserve(id);
        }
        if !self.allowed_updates.is_empty() && !self.allowed_updates.iter().any(|k| k == kind) {
            return id;
        }
        let mut update = serde_json::Map::new();
        update.insert("update_id".into(), Value::from(id));
        update.insert(kind.into(), payload);
        self.updates.push_back((id, Value::Object(update)));
        while self.updates.len() > MAX_PENDING_UPDATES {
            self.updates.pop_front();
        }
        id
    }

    /// Stores a file and returns its id.
    pub fn store_file(
        &mut self,
        folder: &str,
        file_name: Option<String>,
        mime_type: String,
        data: Bytes,
        dimensions: Option<(u32, u32)>,
    ) -> String {
        let n = self.next_file;
        self.next_file += 1;
        let file_id = format!("{}-{}-{n:06}", folder_prefix(folder), self.id);
        let ext = extension(file_name.as_deref(), &mime_type);
        let path = format!("{folder}/file_{n}.{ext}");
        self.file_paths.insert(path.clone(), file_id.clone());
        self.files.insert(
            file_id.clone(),
            StoredFile {
                file_id: file_id.clone(),
                unique_id: format!("AgAD{}x{n}", self.id),
                path,
                file_name,
                mime_type,
                data,
                dimensions,
            },
        );
        file_id
    }
}

fn folder_prefix(folder: &str) -> &'static str {
    match folder {
        "photos" => "AgAC",
        _ => "BQAC",
    }
}

fn extension(file_name: Option<&str>, mime_type: &str) -> String {
    if let Some(ext) = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return ext;
    }
    match mime_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
    .into()
}

/// The MIME type Telegram would report for a file name.
pub fn guess_mime(file_name: Option<&str>) -> String {
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "txt" => "text/plain",
        "json" => "application/json",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
    .into()
}

/// A MIME type safe to store and serve: the given one if it looks like `type/subtype`
/// (and says more than `application/octet-stream`), else a guess from the file name.
pub fn clean_mime(given: Option<&str>, file_name: Option<&str>) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
    };
    match given.map(|m| m.trim().to_ascii_lowercase()) {
        Some(m)
            if m != "application/octet-stream"
                && m.split_once('/').is_some_and(|(t, s)| token(t) && token(s)) =>
        {
            m
        }
        _ => guess_mime(file_name),
    }
}

/// Width and height of a PNG, GIF or JPEG image, read from its header.
pub fn image_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    let be16 = |b: &[u8]| u32::from(u16::from_be_bytes([b[0], b[1]]));
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        return Some((w, h));
    }
    if data.len() >= 10 && data.starts_with(b"GIF8") {
        let w = u32::from(u16::from_le_bytes([data[6], data[7]]));
        let h = u32::from(u16::from_le_bytes([data[8], data[9]]));
        return Some((w, h));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = data[i + 1];
            let len = be16(&data[i + 2..i + 4]) as usize;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let h = be16(&data[i + 5..i + 7]);
                let w = be16(&data[i + 7..i + 9]);
                return Some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

/// A bot's state and the signals its waiters watch.
#[derive(Debug)]
pub struct BotSlot {
    pub state: std::sync::Mutex<BotState>,
    /// Bumped when an update is queued or the webhook changes.
    pub updates_changed: watch::Sender<u64>,
    /// Bumped when any chat of this bot changes (waiters for a chat that does not exist yet
    /// watch it; the others watch their chat's own `changes`).
    pub chats_changed: watch::Sender<u64>,
}

impl BotSlot {
    pub fn new(state: BotState) -> Self {
        Self {
            state: std::sync::Mutex::new(state),
            updates_changed: watch::Sender::new(0),
            chats_changed: watch::Sender::new(0),
        }
    }

    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, BotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn notify_updates(&self) {
        self.updates_changed.send_modify(|v| *v += 1);
    }

    pub fn notify_chats(&self) {
        self.chats_changed.send_modify(|v| *v += 1);
    }
}

/// Seconds since the Unix epoch, as Telegram dates are.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_and_jpeg_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x20, 0x00, 0x40, 0x03, 0x00, 0x00,
        ];
        assert_eq!(image_dimensions(&jpeg), Some((64, 32)));
        assert_eq!(image_dimensions(b"nope"), None);
    }
}
