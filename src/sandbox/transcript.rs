//! `GET /sandbox/chats/{user_id}`: a chat as the citizen sees it, waiting (without polling) for
//! the bot's next message or, with `version`, for any change.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::control::{ControlResult, pick};
use super::protocol::{
    ContactView, DocumentView, InlineButtonView, KeyButtonView, NoticeView, PhotoView, Sender,
    Transcript, TranscriptMessage,
};
use super::state::{BotState, ChatState, Content, StoredMessage};
use super::{Inner, MAX_WAIT_MS};

#[derive(Debug, Default, Deserialize)]
pub struct TranscriptQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    wait_ms: u64,
    version: Option<u64>,
    bot: Option<String>,
}

/// `GET /sandbox/chats/{user_id}`.
pub async fn transcript(
    State(inner): State<Arc<Inner>>,
    Path(user_id): Path<i64>,
    Query(q): Query<TranscriptQuery>,
) -> ControlResult<Transcript> {
    let slot = pick(&inner, q.bot.as_deref())?.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(q.wait_ms.min(MAX_WAIT_MS));
    // Until the chat exists, any chat change of the bot may be its creation; then only the
    // chat's own changes matter, so many waiting citizens do not wake each other.
    let mut changes = slot.chats_changed.subscribe();
    let mut watching_chat = false;
    loop {
        {
            let bot = slot.lock();
            let chat = bot.chats.get(&user_id);
            if let Some(chat) = chat.filter(|_| !watching_chat) {
                changes = chat.changes.subscribe();
                watching_chat = true;
            }
            let ready = match (chat, q.version) {
                (None, _) => false,
                (Some(chat), Some(v)) => chat.version > v,
                (Some(chat), None) => chat.messages.iter().any(|m| m.from_bot && m.id > q.after),
            };
            if ready || q.wait_ms == 0 || tokio::time::Instant::now() >= deadline {
                return Ok(Json(
                    chat.map(|c| view(&bot, c, q.after)).unwrap_or_default(),
                ));
            }
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            () = tokio::time::sleep_until(deadline) => {}
            () = inner.stopping() => break,
        }
    }
    let bot = slot.lock();
    Ok(Json(
        bot.chats
            .get(&user_id)
            .map(|c| view(&bot, c, q.after))
            .unwrap_or_default(),
    ))
}

fn view(bot: &BotState, chat: &ChatState, after: i64) -> Transcript {
    let messages = chat
        .messages
        .iter()
        .filter(|m| m.id > after)
        .map(|m| view_message(bot, m))
        .collect();
    let reply_keyboard = chat.reply_keyboard.as_ref().map(|k| {
        k.rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|b| KeyButtonView {
                        text: b.text.clone(),
                        request_contact: b.request_contact,
                    })
                    .collect()
            })
            .collect()
    });
    Transcript {
        messages,
        reply_keyboard,
        version: chat.version,
        notice: chat.notice.as_ref().map(|n| NoticeView {
            id: n.id,
            text: n.text.clone(),
            show_alert: n.show_alert,
        }),
        callbacks_unanswered: chat.callbacks_unanswered,
    }
}

fn view_message(bot: &BotState, m: &StoredMessage) -> TranscriptMessage {
    let inline = m.inline_keyboard.clone().unwrap_or_default();
    let mut out = TranscriptMessage {
        message_id: m.id,
        from: if m.from_bot {
            Sender::Bot
        } else {
            Sender::User
        },
        text: m.formatted.text.clone(),
        html: m.formatted.html.clone(),
        buttons: inline
            .iter()
            .map(|r| r.iter().map(|b| b.text.clone()).collect())
            .collect(),
        keyboard: m
            .reply_keyboard
            .iter()
            .flatten()
            .map(|r| r.iter().map(|b| b.text.clone()).collect())
            .collect(),
        inline_keyboard: inline
            .iter()
            .map(|r| {
                r.iter()
                    .map(|b| InlineButtonView {
                        text: b.text.clone(),
                        url: b.url.clone(),
                    })
                    .collect()
            })
            .collect(),
        document: None,
        photo: None,
        contact: None,
        edited: m.edit_date.is_some(),
        deleted: m.deleted,
        date: m.date,
    };
    match &m.content {
        Content::Text => {}
        Content::Document { file_id } => {
            let file = bot.files.get(file_id);
            out.document = Some(DocumentView {
                file_name: file.and_then(|f| f.file_name.clone()),
                file_id: file_id.clone(),
                mime_type: file.map(|f| f.mime_type.clone()).unwrap_or_default(),
                file_size: file.map(|f| f.data.len()).unwrap_or(0),
            });
        }
        Content::Photo { file_id } => {
            let (width, height) = bot
                .files
                .get(file_id)
                .and_then(|f| f.dimensions)
                .unwrap_or((1, 1));
            out.photo = Some(PhotoView {
                file_id: file_id.clone(),
                width,
                height,
            });
        }
        Content::Contact {
            phone_number,
            user_id,
            ..
        } => {
            out.contact = Some(ContactView {
                phone_number: phone_number.clone(),
                user_id: *user_id,
            });
        }
        Content::Other { .. } => {}
    }
    out
}
