//! Bot API methods on messages: sendMessage, sendDocument, sendPhoto, editMessageText,
//! editMessageCaption, editMessageReplyMarkup, deleteMessage(s), answerCallbackQuery,
//! sendChatAction — validated like Telegram, limited with `--limits`, blocked chats refused.
mod edit;
mod feedback;
mod send;

use std::time::Instant;

use super::error::{ApiError, ApiResult};
use super::html::{self, Formatted};
use super::params::Params;
use super::state::{BotSlot, BotState};
use super::telegram::{self, Markup};
use super::{Counters, Inner};
use edit::{Edit, delete, delete_many, edit};
use feedback::{answer_callback, chat_action};
use send::{Kind, send};

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
