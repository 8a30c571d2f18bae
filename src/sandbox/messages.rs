//! Bot API methods on messages: sendMessage, sendDocument, sendPhoto, editMessageText,
//! editMessageCaption, editMessageReplyMarkup, deleteMessage(s), answerCallbackQuery,
//! sendChatAction — validated like Telegram, limited with `--limits`, blocked chats refused.

use std::time::Instant;

use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::html::{self, Formatted};
use super::params::{FileParam, Params};
use super::state::{
    BotSlot, BotState, Content, Notice, ShownKeyboard, StoredMessage, clean_mime, image_dimensions,
    unix_now,
};
use super::telegram::{self, Markup};
use super::{Counters, Inner};

/// Longest message text, in UTF-16 code units.
pub const MAX_TEXT_LEN: usize = 4096;
/// Longest caption, in UTF-16 code units.
pub const MAX_CAPTION_LEN: usize = 1024;

pub fn call(inner: &Inner, slot: &BotSlot, method: &str, params: &Params) -> ApiResult {
    let result = match method {
        "sendmessage" => send(inner, slot, params, Kind::Text),
        "senddocument" => send(inner, slot, params, Kind::Document),
        "sendphoto" => send(inner, slot, params, Kind::Photo),
        "editmessagetext" => edit(slot, params, Edit::Text),
        "editmessagecaption" => edit(slot, params, Edit::Caption),
        "editmessagereplymarkup" => edit(slot, params, Edit::Markup),
        "deletemessage" => delete(slot, params),
        "deletemessages" => delete_many(slot, params),
        "answercallbackquery" => answer_callback(slot, params),
        "sendchataction" => chat_action(slot, params),
        _ => Err(ApiError::not_found()),
    };
    if result.is_ok() && matches!(method, "sendmessage" | "senddocument" | "sendphoto") {
        Counters::bump(&inner.counters.messages_sent);
    }
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Document,
    Photo,
}

/// The chat id of a call: only private chats exist, so `@username` is never found.
fn chat_id(params: &Params) -> ApiResult<i64> {
    if !params.has("chat_id") {
        return Err(ApiError::missing("chat_id"));
    }
    params
        .opt_i64("chat_id")
        .ok()
        .flatten()
        .ok_or_else(ApiError::chat_not_found)
}

/// Text or caption with its parse_mode applied.
fn format(text: &str, params: &Params) -> ApiResult<Formatted> {
    match params
        .opt_str("parse_mode")?
        .map(|m| m.to_ascii_lowercase())
    {
        Some(mode) if mode == "html" => html::parse(text)
            .map_err(|e| ApiError::bad_request(format!("can't parse entities: {e}"))),
        Some(mode) if mode.is_empty() || mode == "markdownv2" || mode == "markdown" => {
            Ok(html::plain(text))
        }
        None => Ok(html::plain(text)),
        Some(_) => Err(ApiError::bad_request("unsupported parse_mode")),
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn markup(params: &Params) -> ApiResult<Option<Markup>> {
    params
        .opt_json("reply_markup")?
        .map(|v| telegram::parse_markup(&v))
        .transpose()
}

/// Checks that the bot may write to `chat_id` now: chat known, not blocked, within limits.
fn check_chat(inner: &Inner, bot: &mut BotState, chat_id: i64, limited: bool) -> ApiResult<()> {
    let chat = bot
        .chats
        .get(&chat_id)
        .ok_or_else(ApiError::chat_not_found)?;
    if chat.blocked {
        return Err(ApiError::blocked());
    }
    if limited && inner.limits {
        bot.limiter
            .try_send(chat_id, Instant::now())
            .map_err(ApiError::too_many_requests)?;
    }
    Ok(())
}

fn send(inner: &Inner, slot: &BotSlot, params: &Params, kind: Kind) -> ApiResult {
    let chat_id = chat_id(params)?;
    let formatted = match kind {
        Kind::Text => {
            let text = params.opt_str("text")?.unwrap_or_default();
            let f = format(&text, params)?;
            if f.text.trim().is_empty() {
                return Err(ApiError::bad_request("message text is empty"));
            }
            if utf16_len(&f.text) > MAX_TEXT_LEN {
                return Err(ApiError::bad_request("message is too long"));
            }
            f
        }
        Kind::Document | Kind::Photo => {
            let caption = params.opt_str("caption")?.unwrap_or_default();
            let f = format(&caption, params)?;
            if utf16_len(&f.text) > MAX_CAPTION_LEN {
                return Err(ApiError::bad_request("message caption is too long"));
            }
            f
        }
    };
    let markup = markup(params)?;
    let file = match kind {
        Kind::Text => None,
        Kind::Document => Some(
            params
                .file("document")?
                .ok_or_else(|| ApiError::bad_request("there is no document in the request"))?,
        ),
        Kind::Photo => Some(
            params
                .file("photo")?
                .ok_or_else(|| ApiError::bad_request("there is no photo in the request"))?,
        ),
    };
    if let Some(FileParam::Upload(upload)) = &file
        && kind == Kind::Photo
        && image_dimensions(&upload.data).is_none()
    {
        return Err(ApiError::bad_request("IMAGE_PROCESS_FAILED"));
    }
    let result = {
        let mut bot = slot.lock();
        check_chat(inner, &mut bot, chat_id, true)?;
        let content = match (kind, file) {
            (Kind::Text, _) | (_, None) => Content::Text,
            (_, Some(FileParam::Existing(id))) => {
                // A photo by id must be a photo: Telegram refuses a document's id there.
                let usable = bot
                    .files
                    .get(&id)
                    .is_some_and(|f| kind != Kind::Photo || f.dimensions.is_some());
                if !usable {
                    return Err(ApiError::bad_request(
                        "wrong file identifier/HTTP URL specified",
                    ));
                }
                match kind {
                    Kind::Photo => Content::Photo { file_id: id },
                    _ => Content::Document { file_id: id },
                }
            }
            (Kind::Document, Some(FileParam::Upload(up))) => {
                let mime = clean_mime(up.content_type.as_deref(), up.file_name.as_deref());
                let file_name = up.file_name.or_else(|| Some("document".to_owned()));
                let id = bot.store_file("documents", file_name, mime, up.data, None);
                Content::Document { file_id: id }
            }
            (Kind::Photo, Some(FileParam::Upload(up))) => {
                let dims = image_dimensions(&up.data);
                let id = bot.store_file("photos", None, "image/jpeg".into(), up.data, dims);
                Content::Photo { file_id: id }
            }
        };
        let (inline_keyboard, reply_keyboard, remove) = match markup {
            Some(Markup::Inline(rows)) => (Some(rows), None, false),
            Some(Markup::Reply(rows)) => (None, Some(rows), false),
            Some(Markup::Remove) => (None, None, true),
            Some(Markup::ForceReply) | None => (None, None, false),
        };
        let bot_ref = &mut *bot;
        let Some(chat) = bot_ref.chats.get_mut(&chat_id) else {
            return Err(ApiError::chat_not_found());
        };
        let id = chat.push(StoredMessage {
            id: 0,
            from_bot: true,
            date: unix_now(),
            edit_date: None,
            content,
            formatted,
            inline_keyboard,
            reply_keyboard: reply_keyboard.clone(),
            deleted: false,
        });
        if let Some(rows) = reply_keyboard {
            chat.reply_keyboard = Some(ShownKeyboard {
                message_id: id,
                rows,
            });
        } else if remove {
            chat.reply_keyboard = None;
        }
        telegram::message_by_id(bot_ref, chat_id, id)
    };
    slot.notify_chats();
    Ok(result)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Text,
    Caption,
    Markup,
}

fn edit(slot: &BotSlot, params: &Params, what: Edit) -> ApiResult {
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

fn delete(slot: &BotSlot, params: &Params) -> ApiResult {
    let chat_id = chat_id(params)?;
    let message_id = params.i64("message_id")?;
    delete_ids(slot, chat_id, &[message_id])?;
    Ok(json!(true))
}

fn delete_many(slot: &BotSlot, params: &Params) -> ApiResult {
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

fn answer_callback(slot: &BotSlot, params: &Params) -> ApiResult {
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
        if let (Some(text), Some(chat)) =
            (text.filter(|t| !t.is_empty()), bot.chats.get_mut(&chat_id))
        {
            let id = chat.notice.as_ref().map_or(1, |n| n.id + 1);
            chat.notice = Some(Notice {
                id,
                text,
                show_alert,
            });
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

fn chat_action(slot: &BotSlot, params: &Params) -> ApiResult {
    let chat_id = chat_id(params)?;
    let action = params.str("action")?;
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::bad_request("wrong parameter action in request"));
    }
    let bot = slot.lock();
    let chat = bot
        .chats
        .get(&chat_id)
        .ok_or_else(ApiError::chat_not_found)?;
    if chat.blocked {
        return Err(ApiError::blocked());
    }
    Ok(json!(true))
}
