//! Telegram's JSON shapes (User, Chat, Message, Document, PhotoSize, Contact, File) built from
//! the sandbox's state, and reply markups parsed and validated as Telegram does.

use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::state::{
    BotState, ChatState, Citizen, Content, InlineButton, KeyButton, StoredFile, StoredMessage,
};

/// Longest `callback_data` Telegram accepts, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// The bot as a User.
pub fn bot_user(bot: &BotState) -> Value {
    json!({
        "id": bot.id,
        "is_bot": true,
        "first_name": bot.first_name,
        "username": bot.username,
    })
}

/// A citizen as a User.
pub fn user(citizen: &Citizen) -> Value {
    let mut v = json!({ "id": citizen.id, "is_bot": false, "first_name": citizen.first_name });
    if let Some(lang) = &citizen.language_code {
        v["language_code"] = json!(lang);
    }
    v
}

/// A Chat: the private chat with its citizen, or a group.
pub fn chat(chat: &ChatState) -> Value {
    if chat.id < 0 {
        json!({ "id": chat.id, "type": "group", "title": format!("Sandbox group {}", -chat.id) })
    } else {
        json!({ "id": chat.id, "type": "private", "first_name": chat.user.first_name })
    }
}

/// File metadata shared by Document, PhotoSize and File.
fn file_meta(file: &StoredFile) -> Value {
    json!({
        "file_id": file.file_id,
        "file_unique_id": file.unique_id,
        "file_size": file.data.len(),
    })
}

/// A File, as getFile answers.
pub fn file(file: &StoredFile) -> Value {
    let mut v = file_meta(file);
    v["file_path"] = json!(file.path);
    v
}

/// A Document.
pub fn document(file: &StoredFile) -> Value {
    let mut v = file_meta(file);
    if let Some(name) = &file.file_name {
        v["file_name"] = json!(name);
    }
    v["mime_type"] = json!(file.mime_type);
    v
}

/// A photo as its list of sizes (the sandbox keeps one size).
pub fn photo(file: &StoredFile) -> Value {
    let (width, height) = file.dimensions.unwrap_or((1, 1));
    let mut v = file_meta(file);
    v["width"] = json!(width);
    v["height"] = json!(height);
    json!([v])
}

/// A Message of `chat`.
pub fn message(bot: &BotState, chat: &ChatState, m: &StoredMessage) -> Value {
    let from = if m.from_bot {
        bot_user(bot)
    } else {
        user(&chat.user)
    };
    let mut v = json!({
        "message_id": m.id,
        "from": from,
        "chat": self::chat(chat),
        "date": m.date,
    });
    if let Some(edit_date) = m.edit_date {
        v["edit_date"] = json!(edit_date);
    }
    let entities: Vec<Value> = m.formatted.entities.iter().map(|e| e.to_json()).collect();
    let (text_key, entities_key) = match &m.content {
        Content::Text => ("text", "entities"),
        _ => ("caption", "caption_entities"),
    };
    let has_text = matches!(m.content, Content::Text) || !m.formatted.text.is_empty();
    if has_text {
        v[text_key] = json!(m.formatted.text);
        if !entities.is_empty() {
            v[entities_key] = json!(entities);
        }
    }
    match &m.content {
        Content::Text => {}
        Content::Document { file_id } => {
            if let Some(f) = bot.files.get(file_id) {
                v["document"] = document(f);
            }
        }
        Content::Photo { file_id } => {
            if let Some(f) = bot.files.get(file_id) {
                v["photo"] = photo(f);
            }
        }
        Content::Contact {
            phone_number,
            first_name,
            user_id,
        } => {
            let mut c = json!({ "phone_number": phone_number, "first_name": first_name });
            if let Some(id) = user_id {
                c["user_id"] = json!(id);
            }
            v["contact"] = c;
        }
        Content::Other { field, payload } => v[*field] = payload.clone(),
    }
    if let Some(rows) = &m.inline_keyboard {
        let rows: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| r.iter().map(|b| b.raw.clone()).collect())
            .collect();
        v["reply_markup"] = json!({ "inline_keyboard": rows });
    }
    v
}

/// The Message `message_id` of the chat with `chat_id`, or null if there is none.
pub fn message_by_id(bot: &BotState, chat_id: i64, message_id: i64) -> Value {
    bot.chats
        .get(&chat_id)
        .and_then(|chat| {
            chat.messages
                .iter()
                .rev()
                .find(|m| m.id == message_id)
                .map(|m| message(bot, chat, m))
        })
        .unwrap_or(Value::Null)
}

/// A reply_markup parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Markup {
    Inline(Vec<Vec<InlineButton>>),
    Reply(Vec<Vec<KeyButton>>),
    Remove,
    ForceReply,
}

/// Parses and validates a reply_markup.
pub fn parse_markup(value: &Value) -> ApiResult<Markup> {
    let bad = || ApiError::bad_request("can't parse reply keyboard markup JSON object");
    if let Some(rows) = value.get("inline_keyboard") {
        return parse_inline(rows).map(Markup::Inline);
    }
    if let Some(rows) = value.get("keyboard") {
        let rows = rows.as_array().ok_or_else(bad)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let row = row.as_array().ok_or_else(bad)?;
            let mut buttons = Vec::with_capacity(row.len());
            for b in row {
                let button = match b {
                    Value::String(text) => KeyButton {
                        text: text.clone(),
                        request_contact: false,
                    },
                    Value::Object(o) => KeyButton {
                        text: o
                            .get("text")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                ApiError::bad_request("can't parse keyboard button: Field \"text\" must be of type String")
                            })?
                            .to_owned(),
                        request_contact: o
                            .get("request_contact")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                    },
                    _ => return Err(bad()),
                };
                if button.text.is_empty() {
                    return Err(ApiError::bad_request("keyboard button text is empty"));
                }
                buttons.push(button);
            }
            out.push(buttons);
        }
        return Ok(Markup::Reply(out));
    }
    if value.get("remove_keyboard").is_some() {
        return Ok(Markup::Remove);
    }
    if value.get("force_reply").is_some() {
        return Ok(Markup::ForceReply);
    }
    Err(bad())
}

/// Parses and validates an inline keyboard (`inline_keyboard` rows).
pub fn parse_inline(rows: &Value) -> ApiResult<Vec<Vec<InlineButton>>> {
    let bad = || {
        ApiError::bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object",
        )
    };
    let rows = rows.as_array().ok_or_else(|| {
        ApiError::bad_request(
            "can't parse inline keyboard: field \"inline_keyboard\" must be an Array",
        )
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let row = row.as_array().ok_or_else(bad)?;
        let mut buttons = Vec::with_capacity(row.len());
        for b in row {
            let o = b.as_object().ok_or_else(bad)?;
            let text = o
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "can't parse inline keyboard button: Field \"text\" must be of type String",
                    )
                })?
                .to_owned();
            let callback_data = o
                .get("callback_data")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let url = o.get("url").and_then(Value::as_str).map(str::to_owned);
            if let Some(data) = &callback_data
                && (data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES)
            {
                return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
            }
            if let Some(u) = &url
                && url::Url::parse(u).is_err()
            {
                return Err(ApiError::bad_request(format!(
                    "inline keyboard button URL '{u}' is invalid: Wrong HTTP URL"
                )));
            }
            const KINDS: [&str; 9] = [
                "callback_data",
                "url",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "callback_game",
                "pay",
                "web_app",
            ];
            if !KINDS.iter().any(|k| o.contains_key(*k)) && !o.contains_key("copy_text") {
                return Err(ApiError::bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                ));
            }
            buttons.push(InlineButton {
                text,
                callback_data,
                url,
                raw: b.clone(),
            });
        }
        out.push(buttons);
    }
    Ok(out)
}
