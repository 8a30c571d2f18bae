//! `POST /sandbox/send`: a citizen's text, contact, document, photo or button press, decoded
//! and queued as the bot's update.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use base64::Engine;
use serde_json::json;

use super::{BotQuery, ControlError, ControlResult, json_body, pick};
use crate::sandbox::html;
use crate::sandbox::protocol::{
    CallbackInput, ContactInput, EditInput, OtherKind, SendRequest, SendResponse,
};
use crate::sandbox::state::{
    BotState, ChatState, Citizen, Content, PendingCallback, StoredMessage, clean_mime,
    image_dimensions, unix_now,
};
use crate::sandbox::{Counters, Inner, telegram};

fn decode(data: &str, what: &str) -> Result<Vec<u8>, ControlError> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| ControlError::BadRequest(format!("{what}.data_base64 is not base64: {e}")))
}

/// The phone number a citizen shares by default: `849` + 8 digits of the user id.
pub fn default_phone(user_id: i64) -> String {
    format!("849{:08}", user_id.unsigned_abs() % 100_000_000)
}

/// What a send carries, decoded before the state is locked.
enum Action {
    Text(String),
    Contact(ContactInput),
    Document {
        name: String,
        mime: String,
        data: Vec<u8>,
    },
    Photo {
        data: Vec<u8>,
        dims: (u32, u32),
    },
    Press(String),
    Callback(CallbackInput),
    Other(OtherKind),
    Edit(EditInput),
}

fn action(req: &SendRequest) -> Result<Action, ControlError> {
    let given = [
        req.text.is_some(),
        req.contact.is_some(),
        req.document.is_some(),
        req.photo.is_some(),
        req.press.is_some(),
        req.callback.is_some(),
        req.other.is_some(),
        req.edit.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ControlError::BadRequest(
            "give exactly one of \"text\", \"contact\", \"document\", \"photo\", \"press\", \"callback\", \"other\", \"edit\"".into(),
        ));
    }
    if let Some(kind) = req.other {
        return Ok(Action::Other(kind));
    }
    if let Some(edit) = &req.edit {
        if edit.text.is_empty() {
            return Err(ControlError::BadRequest(
                "\"edit\".\"text\" is empty".into(),
            ));
        }
        return Ok(Action::Edit(edit.clone()));
    }
    if let Some(callback) = &req.callback {
        // Telegram's limit on callback data.
        if callback.data.is_empty() || callback.data.len() > 64 {
            return Err(ControlError::BadRequest(
                "\"callback\".\"data\" must be 1 to 64 bytes".into(),
            ));
        }
        return Ok(Action::Callback(callback.clone()));
    }
    if let Some(text) = &req.text {
        if text.is_empty() {
            return Err(ControlError::BadRequest("\"text\" is empty".into()));
        }
        return Ok(Action::Text(text.clone()));
    }
    if let Some(contact) = &req.contact {
        return Ok(Action::Contact(contact.clone()));
    }
    if let Some(doc) = &req.document {
        let data = decode(&doc.data_base64, "document")?;
        let mime = clean_mime(Some(&doc.mime_type), Some(&doc.file_name));
        return Ok(Action::Document {
            name: doc.file_name.clone(),
            mime,
            data,
        });
    }
    if let Some(photo) = &req.photo {
        let data = decode(&photo.data_base64, "photo")?;
        let dims = image_dimensions(&data).ok_or_else(|| {
            ControlError::BadRequest("photo must be a PNG, JPEG or GIF image".into())
        })?;
        return Ok(Action::Photo { data, dims });
    }
    Ok(Action::Press(req.press.clone().unwrap_or_default()))
}

/// `POST /sandbox/send`.
pub async fn send(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<BotQuery>,
    body: Result<Json<SendRequest>, JsonRejection>,
) -> ControlResult<SendResponse> {
    let req = json_body(body)?;
    let slot = pick(&inner, req.bot.as_deref().or(query.bot.as_deref()))?;
    let action = action(&req)?;
    let response = {
        let mut bot = slot.lock();
        user_acts(&mut bot, &req, action)?
    };
    Counters::bump(&inner.counters.updates);
    slot.notify_chats();
    slot.notify_updates();
    Ok(Json(response))
}

fn user_acts(
    bot: &mut BotState,
    req: &SendRequest,
    action: Action,
) -> Result<SendResponse, ControlError> {
    let user_id = req.user_id;
    if user_id <= 0 {
        return Err(ControlError::BadRequest(
            "user_id must be a positive integer".into(),
        ));
    }
    let chat_id = match req.group_id {
        None => user_id,
        Some(group) if group < 0 && !matches!(action, Action::Press(_)) => group,
        Some(_) => {
            return Err(ControlError::BadRequest(
                "group_id must be negative, and buttons are pressed in private chats only".into(),
            ));
        }
    };
    let chat = bot.chats.entry(chat_id).or_insert_with(|| {
        ChatState::in_chat(
            chat_id,
            Citizen {
                id: user_id,
                first_name: format!("Citizen {user_id}"),
                language_code: None,
            },
        )
    });
    if chat.user.id != user_id {
        // A group: the message is from whoever writes now.
        chat.user = Citizen {
            id: user_id,
            first_name: format!("Citizen {user_id}"),
            language_code: None,
        };
    }
    if let Some(name) = req.first_name.as_ref().filter(|n| !n.trim().is_empty()) {
        chat.user.first_name = name.clone();
    }
    if let Some(lang) = req.language_code.as_ref().filter(|l| !l.is_empty()) {
        chat.user.language_code = Some(lang.clone());
    }
    // Writing to a bot one blocked means restarting it.
    chat.blocked = false;
    let first_name = chat.user.first_name.clone();
    let (content, text) = match action {
        Action::Text(text) => (Content::Text, text),
        Action::Contact(c) => (
            Content::Contact {
                phone_number: c.phone_number,
                first_name,
                user_id: c.user_id,
            },
            String::new(),
        ),
        Action::Document { name, mime, data } => {
            let id = bot.store_file("documents", Some(name), mime, data.into(), None);
            (Content::Document { file_id: id }, String::new())
        }
        Action::Photo { data, dims } => {
            let id = bot.store_file("photos", None, "image/jpeg".into(), data.into(), Some(dims));
            (Content::Photo { file_id: id }, String::new())
        }
        Action::Other(kind) => (
            Content::Other {
                field: kind.field(),
                payload: other_payload(kind),
            },
            String::new(),
        ),
        Action::Press(label) => return press(bot, req, &label),
        Action::Callback(callback) => return forged_press(bot, user_id, callback),
        Action::Edit(edit) => return edited(bot, chat_id, edit),
    };
    Ok(user_message(bot, chat_id, content, &text))
}

/// Adds a message from the user to chat `chat_id` and queues its update.
fn user_message(bot: &mut BotState, chat_id: i64, content: Content, text: &str) -> SendResponse {
    let formatted = html::plain(text);
    let Some(chat) = bot.chats.get_mut(&chat_id) else {
        return SendResponse {
            update_id: 0,
            message_id: None,
        };
    };
    let id = chat.push(StoredMessage {
        id: 0,
        from_bot: false,
        date: unix_now(),
        edit_date: None,
        content,
        formatted,
        inline_keyboard: None,
        reply_keyboard: None,
        deleted: false,
    });
    let payload = telegram::message_by_id(bot, chat_id, id);
    let update_id = bot.push_update("message", payload);
    SendResponse {
        update_id,
        message_id: Some(id),
    }
}

/// What Telegram puts under the Message field of each kind the bot has no step for.
fn other_payload(kind: OtherKind) -> serde_json::Value {
    match kind {
        OtherKind::Sticker => json!({
            "file_id": "sandbox-sticker", "file_unique_id": "sandbox-sticker-u",
            "type": "regular", "width": 512, "height": 512,
            "is_animated": false, "is_video": false, "emoji": "👍",
        }),
        OtherKind::Location => json!({"latitude": 21.3256, "longitude": 103.9188}),
        OtherKind::Poll => json!({
            "id": "sandbox-poll", "question": "<b>?</b>",
            "options": [{"text": "A", "voter_count": 0}, {"text": "B", "voter_count": 0}],
            "total_voter_count": 0, "is_closed": false, "is_anonymous": true,
            "type": "regular", "allows_multiple_answers": false,
        }),
        OtherKind::Dice => json!({"emoji": "🎲", "value": 3}),
    }
}

/// The citizen edits their own text message: its new text, and an `edited_message` update.
fn edited(bot: &mut BotState, chat_id: i64, edit: EditInput) -> Result<SendResponse, ControlError> {
    let message = bot
        .chats
        .get_mut(&chat_id)
        .and_then(|chat| chat.message_mut(edit.message_id))
        .filter(|m| !m.from_bot && !m.deleted && matches!(m.content, Content::Text))
        .ok_or_else(|| {
            ControlError::NotFound(format!(
                "no text message {} of the citizen in chat {chat_id}",
                edit.message_id
            ))
        })?;
    message.formatted = html::plain(&edit.text);
    message.edit_date = Some(unix_now());
    if let Some(chat) = bot.chats.get_mut(&chat_id) {
        chat.touch();
    }
    let payload = telegram::message_by_id(bot, chat_id, edit.message_id);
    let update_id = bot.push_update("edited_message", payload);
    Ok(SendResponse {
        update_id,
        message_id: Some(edit.message_id),
    })
}

/// A callback query with any data, on a bot message of the chat (the newest by default).
fn forged_press(
    bot: &mut BotState,
    user_id: i64,
    callback: CallbackInput,
) -> Result<SendResponse, ControlError> {
    let chat = bot
        .chats
        .get(&user_id)
        .ok_or_else(|| ControlError::NotFound(format!("no chat with user {user_id}")))?;
    let message_id = chat
        .messages
        .iter()
        .rev()
        .filter(|m| m.from_bot && !m.deleted)
        .find(|m| callback.message_id.is_none_or(|id| id == m.id))
        .map(|m| m.id)
        .ok_or_else(|| {
            ControlError::NotFound(format!(
                "no such bot message in the chat with user {user_id}"
            ))
        })?;
    Ok(callback_query(bot, user_id, message_id, callback.data))
}

/// Queues a callback_query update for a press on `message_id` carrying `data`.
fn callback_query(bot: &mut BotState, user_id: i64, message_id: i64, data: String) -> SendResponse {
    let n = bot.next_callback;
    bot.next_callback += 1;
    let query_id = format!("{}{n:08}", bot.id);
    let message = telegram::message_by_id(bot, user_id, message_id);
    let from = bot
        .chats
        .get(&user_id)
        .map(|c| telegram::user(&c.user))
        .unwrap_or_default();
    let payload = json!({
        "id": query_id,
        "from": from,
        "message": message,
        "chat_instance": format!("{}{}", bot.id, user_id),
        "data": data,
    });
    if let Some(chat) = bot.chats.get_mut(&user_id) {
        chat.callbacks_unanswered += 1;
    }
    bot.callbacks.insert(
        query_id,
        PendingCallback {
            chat_id: user_id,
            answered: false,
        },
    );
    let update_id = bot.push_update("callback_query", payload);
    SendResponse {
        update_id,
        message_id: None,
    }
}

fn press(bot: &mut BotState, req: &SendRequest, label: &str) -> Result<SendResponse, ControlError> {
    let user_id = req.user_id;
    let Some(chat) = bot.chats.get(&user_id) else {
        return Err(ControlError::NotFound(format!(
            "no chat with user {user_id}"
        )));
    };
    enum Found {
        Inline {
            message_id: i64,
            data: Option<String>,
            url: Option<String>,
        },
        Reply {
            request_contact: bool,
        },
    }
    let mut found = None;
    for m in chat
        .messages
        .iter()
        .rev()
        .filter(|m| m.from_bot && !m.deleted)
        .filter(|m| req.message_id.is_none_or(|id| id == m.id))
    {
        if let Some(b) = m
            .inline_keyboard
            .iter()
            .flatten()
            .flatten()
            .find(|b| b.text == label)
        {
            found = Some(Found::Inline {
                message_id: m.id,
                data: b.callback_data.clone(),
                url: b.url.clone(),
            });
            break;
        }
        if let Some(shown) = chat
            .reply_keyboard
            .as_ref()
            .filter(|k| k.message_id == m.id)
            && let Some(b) = shown.rows.iter().flatten().find(|b| b.text == label)
        {
            found = Some(Found::Reply {
                request_contact: b.request_contact,
            });
            break;
        }
    }
    match found {
        None => Err(ControlError::NotFound(format!(
            "no button labelled {label:?} in the chat with user {user_id}"
        ))),
        Some(Found::Inline {
            url: Some(url),
            data: None,
            ..
        }) => Err(ControlError::BadRequest(format!(
            "the button {label:?} opens {url}; nothing is sent to the bot"
        ))),
        Some(Found::Inline { data: None, .. }) => Err(ControlError::BadRequest(format!(
            "the button {label:?} has no callback_data; the sandbox cannot press it"
        ))),
        Some(Found::Inline {
            message_id,
            data: Some(data),
            ..
        }) => Ok(callback_query(bot, user_id, message_id, data)),
        Some(Found::Reply {
            request_contact: true,
        }) => {
            let first_name = chat.user.first_name.clone();
            let phone_number = req
                .phone_number
                .clone()
                .unwrap_or_else(|| default_phone(user_id));
            let content = Content::Contact {
                phone_number,
                first_name,
                user_id: Some(user_id),
            };
            Ok(user_message(bot, user_id, content, ""))
        }
        Some(Found::Reply {
            request_contact: false,
        }) => Ok(user_message(bot, user_id, Content::Text, label)),
    }
}
