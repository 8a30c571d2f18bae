//! answerCallbackQuery and sendChatAction: what the bot shows besides messages (a toast, a
//! "typing…").

use serde_json::json;

use super::super::error::{ApiError, ApiResult};
use super::super::params::Params;
use super::super::state::{BotSlot, Notice};
use super::chat_id;

pub(super) fn answer_callback(slot: &BotSlot, params: &Params) -> ApiResult {
    let id = params.str("callback_query_id")?;
    let text = params.opt_str("text")?;
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    let show_alert = params.bool("show_alert")?;
    {
        let mut bot = slot.lock();
        let chat_id = match bot.callbacks.get_mut(&id) {
            Some(query) if !query.answered => {
                query.answered = true;
                query.chat_id
            }
            _ => {
                return Err(ApiError::bad_request(
                    "query is too old and response timeout expired or query id is invalid",
                ));
            }
        };
        if let Some(chat) = bot.chats.get_mut(&chat_id) {
            chat.callbacks_unanswered = chat.callbacks_unanswered.saturating_sub(1);
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                let id = chat.notice.as_ref().map_or(1, |n| n.id + 1);
                chat.notice = Some(Notice {
                    id,
                    text,
                    show_alert,
                });
            }
            chat.touch();
        }
    }
    slot.notify_chats();
    Ok(json!(true))
}

/// Chat actions Telegram knows.
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

pub(super) fn chat_action(slot: &BotSlot, params: &Params) -> ApiResult {
    let chat_id = chat_id(params)?;
    let action = params.str("action")?;
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::bad_request("wrong parameter action in request"));
    }
    let mut bot = slot.lock();
    let chat = bot
        .chats
        .get_mut(&chat_id)
        .ok_or_else(ApiError::chat_not_found)?;
    if chat.blocked {
        return Err(ApiError::blocked());
    }
    // Kept for the control API (`GET /sandbox/chats/{id}/actions`), the latest ones only.
    if chat.actions.len() >= MAX_ACTIONS {
        chat.actions.remove(0);
    }
    chat.actions.push((action, unix_ms()));
    Ok(json!(true))
}

/// How many chat actions a chat remembers.
const MAX_ACTIONS: usize = 1000;

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
