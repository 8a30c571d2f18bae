//! What a step answers, as data: Fluent message ids with arguments, keyboards, and the few
//! side effects on the chat a step may ask for. The adapter renders and sends them.

use serde::{Deserialize, Serialize};

use super::callback::Callback;
use crate::i18n::Locale;

/// A Fluent argument value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    Str(String),
    Num(i64),
    /// Another message, rendered in the same language (a status label, say).
    Msg(String),
}

impl Arg {
    pub fn msg(id: impl Into<String>) -> Self {
        Arg::Msg(id.into())
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Str(value.to_owned())
    }
}
impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Str(value)
    }
}
impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Num(value)
    }
}

/// One piece of text: a message id with its arguments, or literal text from data (a procedure
/// name, a dossier code), which the adapter HTML-escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Msg {
        id: String,
        args: Vec<(String, Arg)>,
    },
    Literal(String),
}

/// A message's text: pieces joined by blank lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub Vec<Piece>);

impl Text {
    pub fn msg(id: &str) -> Self {
        Text(vec![Piece::Msg {
            id: id.to_owned(),
            args: Vec::new(),
        }])
    }
    pub fn literal(text: impl Into<String>) -> Self {
        Text(vec![Piece::Literal(text.into())])
    }
    /// Adds an argument to the last message piece.
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        if let Some(Piece::Msg { args, .. }) = self.0.last_mut() {
            args.push((name.to_owned(), value.into()));
        }
        self
    }
    /// Appends another message as a new paragraph.
    pub fn then(mut self, id: &str) -> Self {
        self.0.push(Piece::Msg {
            id: id.to_owned(),
            args: Vec::new(),
        });
        self
    }
    pub fn then_literal(mut self, text: impl Into<String>) -> Self {
        self.0.push(Piece::Literal(text.into()));
        self
    }
    /// The message ids in this text (for tests).
    pub fn ids(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter_map(|p| match p {
                Piece::Msg { id, .. } => Some(id.as_str()),
                Piece::Literal(_) => None,
            })
            .collect()
    }
}

/// A button on a reply keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyButton {
    Text(Text),
    /// "Share my phone number": Telegram sends the user's own contact.
    RequestContact(Text),
}

/// The keyboard under a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keyboard {
    #[default]
    None,
    Inline(Vec<Vec<(Text, Callback)>>),
    Reply(Vec<Vec<ReplyButton>>),
    Remove,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: Text,
    pub keyboard: Keyboard,
}

impl Reply {
    pub fn new(text: Text) -> Self {
        Self {
            text,
            keyboard: Keyboard::None,
        }
    }
    pub fn msg(id: &str) -> Self {
        Self::new(Text::msg(id))
    }
    pub fn with(mut self, keyboard: Keyboard) -> Self {
        self.keyboard = keyboard;
        self
    }
}

/// Something a step asks the adapter to do in the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Reply),
    /// Replace the text and inline keyboard of the message whose button was pressed (a menu
    /// paged in place); sent as a new message when there is none.
    EditOrigin(Reply),
    /// Delete the user's message that carried this input (a password).
    DeleteInput,
    /// A short notice on the pressed button (answerCallbackQuery text).
    Toast(Text),
    /// Send the papers checklist as a new message and remember it.
    SendChecklist(Reply),
    /// Update the remembered checklist in place (sent anew if there is none).
    EditChecklist(Reply),
    /// Remove the inline buttons of the message whose button was pressed (a used action).
    ClearOriginButtons,
    /// Send a PNG image as a photo (the "upload_photo" chat action first), with a caption.
    SendPhoto {
        png: Vec<u8>,
        caption: Reply,
    },
    /// Send a file as a document (the "upload_document" chat action first), with a caption.
    SendDocument {
        file_name: String,
        bytes: Vec<u8>,
        caption: Reply,
    },
}

/// What a step returns: the next state's step and the effects, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<S> {
    pub next: S,
    pub effects: Vec<Effect>,
    /// Set when the step changed the user's language: render in this one.
    pub locale: Option<Locale>,
    /// The user asked to be forgotten: the adapter stores nothing more for this chat.
    pub erase: bool,
    /// A portal session token obtained by this step (login or registration).
    pub session: Option<String>,
    /// The registration's waiting password goes, once the next state is saved (dropped before,
    /// a confirmation whose process died in between would find it gone when delivered again).
    pub forget_password: bool,
}

impl<S> Outcome<S> {
    pub fn new(next: S) -> Self {
        Self {
            next,
            effects: Vec::new(),
            locale: None,
            erase: false,
            session: None,
            forget_password: false,
        }
    }
    pub fn in_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }
    pub fn send(mut self, reply: Reply) -> Self {
        self.effects.push(Effect::Send(reply));
        self
    }
    pub fn effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }
    /// The same effects with another next state.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Outcome<T> {
        Outcome {
            next: f(self.next),
            effects: self.effects,
            locale: self.locale,
            erase: self.erase,
            session: self.session,
            forget_password: self.forget_password,
        }
    }

    /// Message ids of everything sent or edited (for tests).
    pub fn message_ids(&self) -> Vec<&str> {
        self.effects
            .iter()
            .flat_map(|e| match e {
                Effect::Send(r)
                | Effect::EditOrigin(r)
                | Effect::SendChecklist(r)
                | Effect::EditChecklist(r)
                | Effect::SendPhoto { caption: r, .. }
                | Effect::SendDocument { caption: r, .. } => r.text.ids(),
                Effect::Toast(t) => t.ids(),
                Effect::DeleteInput | Effect::ClearOriginButtons => Vec::new(),
            })
            .collect()
    }
}
