//! sendMessage, sendDocument and sendPhoto: a new bot message with its text or caption, file
//! and keyboard.

use super::super::Inner;
use super::super::error::{ApiError, ApiResult};
use super::super::params::{FileParam, Params};
use super::super::state::{
    BotSlot, Content, ShownKeyboard, StoredMessage, clean_mime, image_dimensions, unix_now,
};
use super::super::telegram::{self, Markup};
use super::{MAX_CAPTION_LEN, MAX_TEXT_LEN, chat_id, check_chat, format, markup, utf16_len};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Document,
    Photo,
}

pub(super) fn send(inner: &Inner, slot: &BotSlot, params: &Params, kind: Kind) -> ApiResult {
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
