//! The Telegram send/edit helpers of an update's replies, retried after Telegram's 429, and
//! the chat actions shown while a step runs.

use std::time::Duration;

use teloxide::RequestError;
use teloxide::payloads::{
    EditMessageReplyMarkupSetters, EditMessageTextSetters, SendDocumentSetters, SendMessageSetters,
    SendPhotoSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    ChatAction, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode,
    ReplyMarkup,
};

use crate::i18n::{I18n, Locale};

use super::activity::Activity;
use super::render::{fits_one, markup, parts, render};
use super::reply::Reply;

/// How many times a reply is retried after Telegram's 429 before it is given up.
const MAX_RETRIES: u32 = 3;

/// Where and how this update's replies go.
pub(super) struct Out<'a> {
    pub(super) bot: &'a Bot,
    pub(super) i18n: &'a I18n,
    pub(super) locale: Locale,
    pub(super) chat: ChatId,
}

impl Out<'_> {
    pub(super) async fn send(&self, reply: &Reply) -> Result<MessageId, RequestError> {
        send(self.bot, self.i18n, self.locale, self.chat, reply).await
    }
    pub(super) async fn edit(&self, id: MessageId, reply: &Reply) -> Result<(), RequestError> {
        edit(self.bot, self.i18n, self.locale, self.chat, id, reply).await
    }
    /// Removes the inline keyboard of message `id` (a used button).
    pub(super) async fn clear_buttons(&self, id: MessageId) -> Result<(), RequestError> {
        let empty = InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new());
        let result = with_retry("editMessageReplyMarkup", || {
            let request = self
                .bot
                .edit_message_reply_markup(self.chat, id)
                .reply_markup(empty.clone());
            async move { request.await.map(drop) }
        })
        .await;
        match result {
            // Already without buttons: nothing to do.
            Err(RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
            other => other,
        }
    }
    /// Sends a photo or a document with the caption's text and keyboard.
    pub(super) async fn send_file(
        &self,
        file: InputFile,
        caption: &Reply,
        photo: bool,
    ) -> Result<(), RequestError> {
        let text = render(self.i18n, self.locale, &caption.text);
        let markup = markup(self.i18n, self.locale, &caption.keyboard);
        let method = if photo { "sendPhoto" } else { "sendDocument" };
        with_retry(method, || {
            let file = file.clone();
            let text = text.clone();
            let markup = markup.clone();
            async move {
                if photo {
                    let mut request = self
                        .bot
                        .send_photo(self.chat, file)
                        .caption(text)
                        .parse_mode(ParseMode::Html);
                    if let Some(markup) = markup {
                        request = request.reply_markup(markup);
                    }
                    request.await.map(drop)
                } else {
                    let mut request = self
                        .bot
                        .send_document(self.chat, file)
                        .caption(text)
                        .parse_mode(ParseMode::Html);
                    if let Some(markup) = markup {
                        request = request.reply_markup(markup);
                    }
                    request.await.map(drop)
                }
            }
        })
        .await
    }
}

/// Shows what the bot is doing in the chat; a failure is only logged (it is a courtesy).
pub(super) async fn show_activity(bot: &Bot, chat: ChatId, activity: Activity) {
    let action = match activity {
        Activity::Typing => ChatAction::Typing,
        Activity::UploadDocument => ChatAction::UploadDocument,
        Activity::UploadPhoto => ChatAction::UploadPhoto,
    };
    let call = bot.send_chat_action(chat, action);
    if let Err(error) = crate::telemetry::telegram("sendChatAction", async { call.await }).await {
        tracing::debug!(%error, "chat action not shown");
    }
}

/// Sends, retrying after Telegram's 429 within `MAX_RETRIES`; answers the new message's id.
async fn send(
    bot: &Bot,
    i18n: &I18n,
    locale: Locale,
    chat: ChatId,
    reply: &Reply,
) -> Result<MessageId, RequestError> {
    let text = render(i18n, locale, &reply.text);
    let markup = markup(i18n, locale, &reply.keyboard);
    let mut parts = parts(&text);
    let last = parts.pop().unwrap_or_default();
    // Each request is built once and sent by reference, again after a 429.
    for part in parts {
        let request = bot.send_message(chat, part).parse_mode(ParseMode::Html);
        with_retry("sendMessage", || async {
            request.send_ref().await.map(drop)
        })
        .await?;
    }
    let mut request = bot.send_message(chat, last).parse_mode(ParseMode::Html);
    if let Some(markup) = markup {
        request = request.reply_markup(markup);
    }
    with_retry("sendMessage", || async {
        request.send_ref().await.map(|m| m.id)
    })
    .await
}

async fn edit(
    bot: &Bot,
    i18n: &I18n,
    locale: Locale,
    chat: ChatId,
    id: MessageId,
    reply: &Reply,
) -> Result<(), RequestError> {
    let text = render(i18n, locale, &reply.text);
    if !fits_one(&text) {
        // Too long for one message (a long search echoed back, say): Telegram cannot edit it
        // in place, so it is sent anew, cut in parts, its keyboard on the last.
        return send(bot, i18n, locale, chat, reply).await.map(drop);
    }
    let inline = match markup(i18n, locale, &reply.keyboard) {
        Some(ReplyMarkup::InlineKeyboard(k)) => k,
        _ => InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new()),
    };
    let request = bot
        .edit_message_text(chat, id, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(inline);
    let result = with_retry("editMessageText", || async {
        request.send_ref().await.map(drop)
    })
    .await;
    match result {
        // Pressing the same page twice edits to identical text: Telegram refuses, harmlessly.
        Err(RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
        other => other,
    }
}

/// Calls Telegram's `method`, each attempt timed (`telemetry::telegram`).
async fn with_retry<T, F, Fut>(method: &'static str, mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut tries = 0;
    loop {
        match crate::telemetry::telegram(method, call()).await {
            Err(RequestError::RetryAfter(wait)) if tries < MAX_RETRIES => {
                tries += 1;
                tokio::time::sleep(wait.duration().max(Duration::from_millis(100))).await;
            }
            other => return other,
        }
    }
}
