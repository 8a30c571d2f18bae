//! editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage and
//! deleteMessages: changes to messages the bot already sent.

use serde_json::json;

use super::super::error::{ApiError, ApiResult};
use super::super::params::Params;
use super::super::state::{BotSlot, Content, unix_now};
use super::super::telegram::{self, Markup};
use super::{MAX_CAPTION_LEN, MAX_TEXT_LEN, chat_id, format, markup, utf16_len};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edit {
    Text,
    Caption,
    Markup,
}

pub(super) fn edit(slot: &BotSlot, params: &Params, what: Edit) -> ApiResult {
    if params.has("inline_message_id") {
        return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
    }
    let chat_id = chat_id(params)?;
    let message_id = params.i64("message_id")?;
    let formatted = match what {
        Edit::Text => {
            let text = params.opt_str("text")?.unwrap_or_default();
            let f = format(&text, params)?;
            if f.text.trim().is_empty() {
                return Err(ApiError::bad_request("message text is empty"));
            }
            if utf16_len(&f.text) > MAX_TEXT_LEN {
                return Err(ApiError::bad_request("message is too long"));
            }
            Some(f)
        }
        Edit::Caption => {
            let f = format(&params.opt_str("caption")?.unwrap_or_default(), params)?;
            if utf16_len(&f.text) > MAX_CAPTION_LEN {
                return Err(ApiError::bad_request("message caption is too long"));
            }
            Some(f)
        }
        Edit::Markup => None,
    };
    // Without reply_markup an edit removes the inline keyboard, as on Telegram.
    let inline = match markup(params)? {
        Some(Markup::Inline(rows)) => Some(rows),
        None => None,
        Some(_) => return Err(ApiError::bad_request("inline keyboard expected")),
    };
    let result = {
        let mut bot = slot.lock();
        let bot_ref = &mut *bot;
        let chat = bot_ref
            .chats
            .get_mut(&chat_id)
            .ok_or_else(ApiError::chat_not_found)?;
        if chat.blocked {
            return Err(ApiError::blocked());
        }
        let message = chat
            .message_mut(message_id)
            .filter(|m| !m.deleted)
            .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
        if !message.from_bot {
            return Err(ApiError::bad_request("message can't be edited"));
        }
        match (what, &message.content) {
            (Edit::Text, Content::Text) => {}
            (Edit::Text, _) => {
                return Err(ApiError::bad_request(
                    "there is no text in the message to edit",
                ));
            }
            (Edit::Caption, Content::Text | Content::Contact { .. }) => {
                return Err(ApiError::bad_request(
                    "there is no caption in the message to edit",
                ));
            }
            _ => {}
        }
        let new_text = formatted.unwrap_or_else(|| message.formatted.clone());
        if new_text == message.formatted && inline == message.inline_keyboard {
            return Err(ApiError::bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            ));
        }
        message.formatted = new_text;
        message.inline_keyboard = inline;
        message.edit_date = Some(unix_now());
        chat.touch();
        telegram::message_by_id(bot_ref, chat_id, message_id)
    };
    slot.notify_chats();
    Ok(result)
}

fn delete_ids(slot: &BotSlot, chat_id: i64, ids: &[i64]) -> ApiResult<()> {
    {
        let mut bot = slot.lock();
        let chat = bot
            .chats
            .get_mut(&chat_id)
            .ok_or_else(ApiError::chat_not_found)?;
        let mut found = false;
        for id in ids {
            if let Some(m) = chat.message_mut(*id).filter(|m| !m.deleted) {
                // As in Telegram, nothing of a deleted message is left: not its text (a
                // password, say), its keyboard or its file.
                m.deleted = true;
                m.content = Content::Text;
                m.formatted = Default::default();
                m.inline_keyboard = None;
                m.reply_keyboard = None;
                found = true;
                if chat
                    .reply_keyboard
                    .as_ref()
                    .is_some_and(|k| k.message_id == *id)
                {
                    chat.reply_keyboard = None;
                }
            }
        }
        if !found {
            return Err(ApiError::bad_request("message to delete not found"));
        }
        chat.touch();
    }
    slot.notify_chats();
    Ok(())
}

pub(super) fn delete(slot: &BotSlot, params: &Params) -> ApiResult {
    let chat_id = chat_id(params)?;
    let message_id = params.i64("message_id")?;
    delete_ids(slot, chat_id, &[message_id])?;
    Ok(json!(true))
}

pub(super) fn delete_many(slot: &BotSlot, params: &Params) -> ApiResult {
    let chat_id = chat_id(params)?;
    let ids: Vec<i64> = params
        .opt_json("message_ids")?
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| ApiError::missing("message_ids"))?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(ApiError::bad_request("message_ids must have 1-100 ids"));
    }
    delete_ids(slot, chat_id, &ids)?;
    Ok(json!(true))
}
