//! The control API: what tests, benchmarks and the web chat use to play citizens — send
//! messages, contacts, files and button presses to a bot, read a chat's transcript (waiting for
//! the bot's answer), block a chat, and read counters. Request and response types are shared
//! with [`super::client`] (see [`super::protocol`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::html;
use super::protocol::{BlockRequest, BotInfo, ContactInput, SendRequest, SendResponse, Stats};
use super::state::{
    BotSlot, BotState, ChatState, Citizen, Content, PendingCallback, StoredMessage, clean_mime,
    image_dimensions, unix_now,
};
use super::{Counters, Inner, telegram};

/// Why a control call failed; answered as `{"error": "<message>"}`.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("unknown bot token (the sandbox serves the tokens listed by GET /sandbox/bots)")]
    UnknownBot,
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self {
            ControlError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ControlError::NotFound(_) | ControlError::UnknownBot => StatusCode::NOT_FOUND,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

pub(super) type ControlResult<T> = Result<Json<T>, ControlError>;

#[derive(Debug, Default, Deserialize)]
pub struct BotQuery {
    bot: Option<String>,
}

pub(super) fn pick<'a>(
    inner: &'a Inner,
    token: Option<&str>,
) -> Result<&'a Arc<BotSlot>, ControlError> {
    let token = token.filter(|t| !t.is_empty()).unwrap_or(&inner.own_token);
    inner.bot(token).ok_or(ControlError::UnknownBot)
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ControlError> {
    body.map(|Json(v)| v)
        .map_err(|e| ControlError::BadRequest(e.body_text()))
}

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
}

fn action(req: &SendRequest) -> Result<Action, ControlError> {
    let given = [
        req.text.is_some(),
        req.contact.is_some(),
        req.document.is_some(),
        req.photo.is_some(),
        req.press.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ControlError::BadRequest(
            "give exactly one of \"text\", \"contact\", \"document\", \"photo\", \"press\"".into(),
        ));
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
        Action::Press(label) => return press(bot, req, &label),
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
        }) => {
            let n = bot.next_callback;
            bot.next_callback += 1;
            let query_id = format!("{}{n:08}", bot.id);
            let message = telegram::message_by_id(bot, user_id, message_id);
            let payload = json!({
                "id": query_id,
                "from": telegram::user(&chat.user),
                "message": message,
                "chat_instance": format!("{}{}", bot.id, user_id),
                "data": data,
            });
            bot.callbacks.insert(
                query_id,
                PendingCallback {
                    chat_id: user_id,
                    answered: false,
                },
            );
            let update_id = bot.push_update("callback_query", payload);
            Ok(SendResponse {
                update_id,
                message_id: None,
            })
        }
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

/// `GET /sandbox/stats`.
pub async fn stats(State(inner): State<Arc<Inner>>) -> Json<Stats> {
    let c = &inner.counters;
    let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Json(Stats {
        calls: get(&c.calls),
        messages_sent: get(&c.messages_sent),
        too_many_requests: get(&c.too_many_requests),
        forbidden: get(&c.forbidden),
        bad_requests: get(&c.bad_requests),
        updates: get(&c.updates),
        webhook_deliveries: get(&c.webhook_deliveries),
        webhook_failures: get(&c.webhook_failures),
    })
}

/// `POST /sandbox/block`.
pub async fn block(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<BotQuery>,
    body: Result<Json<BlockRequest>, JsonRejection>,
) -> ControlResult<BlockRequest> {
    let req = json_body(body)?;
    let slot = pick(&inner, req.bot.as_deref().or(query.bot.as_deref()))?;
    {
        let mut bot = slot.lock();
        let chat = bot.chats.entry(req.user_id).or_insert_with(|| {
            ChatState::new(Citizen {
                id: req.user_id,
                first_name: format!("Citizen {}", req.user_id),
                language_code: None,
            })
        });
        chat.blocked = req.blocked;
        chat.touch();
    }
    slot.notify_chats();
    Ok(Json(BlockRequest { bot: None, ..req }))
}

/// `GET /sandbox/bots`.
pub async fn bots(State(inner): State<Arc<Inner>>) -> Json<serde_json::Value> {
    let bots: Vec<BotInfo> = inner
        .tokens
        .iter()
        .filter_map(|t| inner.bot(t))
        .map(|slot| {
            let bot = slot.lock();
            BotInfo {
                token: bot.token.clone(),
                id: bot.id,
                username: bot.username.clone(),
                first_name: bot.first_name.clone(),
            }
        })
        .collect();
    Json(json!({ "bots": bots }))
}

/// `GET /sandbox/files/{file_id}`: a file of a chat, as an attachment.
pub async fn file(
    State(inner): State<Arc<Inner>>,
    Path(file_id): Path<String>,
    Query(query): Query<BotQuery>,
) -> Result<Response, ControlError> {
    let slot = pick(&inner, query.bot.as_deref())?;
    let bot = slot.lock();
    let file = bot
        .files
        .get(&file_id)
        .ok_or_else(|| ControlError::NotFound(format!("no file {file_id:?}")))?;
    let name = file
        .file_name
        .clone()
        .unwrap_or_else(|| file.path.rsplit('/').next().unwrap_or("file").to_owned());
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987: attribute characters stay, every other byte is %XX.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (header::CONTENT_TYPE, file.mime_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.data.clone(),
    )
        .into_response())
}
