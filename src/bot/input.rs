//! What the user sent, as the steps see it, read from a Telegram message at the edge.

use teloxide::types::Message;

use super::callback::Callback;
use super::command::Command;

/// What the user sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One of the bot's commands (see `Command`).
    Command(Command),
    /// `/something` the bot does not know.
    UnknownCommand(String),
    Text(String),
    Callback(Callback),
    /// A shared contact; `user_id` is whose contact it is, if Telegram says.
    Contact {
        phone: String,
        user_id: Option<i64>,
    },
    Document {
        file_id: String,
        file_name: Option<String>,
        mime: Option<String>,
        size: u32,
    },
    Photo {
        file_id: String,
        size: u32,
    },
    /// Anything else (a sticker, a location…).
    Other,
}

/// Commands that still work while a password is expected; any other text starting with `/` is
/// then the password itself (and is deleted like one).
const COMMANDS_DURING_SECRET: [&str; 3] = ["/cancel", "/start", "/help"];

impl Input {
    /// A text starting with `/`: a command of the bot, or an unknown one.
    pub fn command(text: &str) -> Input {
        match Command::read(text) {
            Some(command) => Input::Command(command),
            None => {
                let rest = text.trim().trim_start_matches('/');
                let name = rest.split(char::is_whitespace).next().unwrap_or("");
                Input::UnknownCommand(name.split('@').next().unwrap_or("").to_ascii_lowercase())
            }
        }
    }

    /// The user's message as a step input; with `expects_secret`, a text is taken as typed.
    pub fn from_message(msg: &Message, expects_secret: bool) -> Input {
        if let Some(raw) = msg.text() {
            let text = raw.trim();
            if expects_secret && !COMMANDS_DURING_SECRET.contains(&text) {
                // As typed: a password may begin or end with a space.
                return Input::Text(raw.to_owned());
            }
            if text.starts_with('/') {
                return Input::command(text);
            }
            return Input::Text(text.to_owned());
        }
        if let Some(contact) = msg.contact() {
            return Input::Contact {
                phone: contact.phone_number.clone(),
                user_id: contact.user_id.map(|id| id.0 as i64),
            };
        }
        if let Some(doc) = msg.document() {
            return Input::Document {
                file_id: doc.file.id.0.clone(),
                file_name: doc.file_name.clone(),
                mime: doc.mime_type.as_ref().map(|m| m.to_string()),
                size: doc.file.size,
            };
        }
        if let Some(photo) = msg
            .photo()
            .and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height))
        {
            return Input::Photo {
                file_id: photo.file.id.0.clone(),
                size: photo.file.size,
            };
        }
        Input::Other
    }

    /// A short name for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Command(_) | Input::UnknownCommand(_) => "command",
            Input::Text(_) => "text",
            Input::Callback(_) => "callback",
            Input::Contact { .. } => "contact",
            Input::Document { .. } => "document",
            Input::Photo { .. } => "photo",
            Input::Other => "other",
        }
    }
}
