//! Helpers to read a [`Transcript`] and its messages: the bot's messages, buttons, ids.

use super::{Sender, Transcript, TranscriptMessage};

impl Transcript {
    /// The bot's messages, oldest first.
    pub fn bot_messages(&self) -> impl Iterator<Item = &TranscriptMessage> {
        self.messages.iter().filter(|m| m.from == Sender::Bot)
    }

    /// The bot's newest message.
    pub fn last_bot(&self) -> Option<&TranscriptMessage> {
        self.bot_messages().last()
    }

    /// The newest message id in this transcript (use it as the next `after`).
    pub fn last_id(&self) -> Option<i64> {
        self.messages.iter().map(|m| m.message_id).max()
    }

    /// A message by id.
    pub fn message(&self, message_id: i64) -> Option<&TranscriptMessage> {
        self.messages.iter().find(|m| m.message_id == message_id)
    }
}

impl TranscriptMessage {
    /// Every inline button label, row by row.
    pub fn button_labels(&self) -> impl Iterator<Item = &str> {
        self.buttons.iter().flatten().map(String::as_str)
    }

    /// Whether the message has an inline button with this label.
    pub fn has_button(&self, label: &str) -> bool {
        self.button_labels().any(|b| b == label)
    }
}
