//! An update as the bot reads it (`Incoming`), read from a message or a pressed button, and
//! the answers to updates the bot does not handle as a step (groups, orphan buttons).

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, CallbackQueryId, MessageId, ParseMode, UpdateId, UpdateKind};

use crate::db::users;
use crate::i18n::Locale;

use super::adapter::HandlerResult;
use super::callback::Callback;
use super::context::Services;
use super::input::Input;
use super::render::render;
use super::reply::Text;
use super::state::State;

/// An update as the bot reads it: its input and what it carries beside (who, which chat,
/// which message or button), read by `read` in the schema.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub input: Input,
    pub(super) update_id: u32,
    pub(super) chat_id: ChatId,
    pub(super) user_id: i64,
    pub(super) first_name: String,
    pub(super) language_code: Option<String>,
    /// The user's message (to delete a password).
    pub(super) input_message: Option<MessageId>,
    /// The message whose button was pressed, and the callback to answer.
    pub(super) origin: Option<MessageId>,
    pub(super) callback_id: Option<CallbackQueryId>,
}

/// A message or a pressed button in a private chat, read from the update as it is (one copy of
/// the update for the whole schema, where a filter per kind copied it again each); `None` for
/// anything else.
pub fn read(update: Update, state: State) -> Option<Incoming> {
    match &update.kind {
        UpdateKind::Message(msg) => from_message(update.id, msg, &state),
        UpdateKind::CallbackQuery(query) => from_callback(update.id, query),
        _ => None,
    }
}

/// A message from a user in a private chat; `None` for anything else (groups, channels).
fn from_message(update: UpdateId, msg: &Message, state: &State) -> Option<Incoming> {
    let from = msg.from.as_ref()?;
    if !msg.chat.is_private() {
        return None;
    }
    // Telegram never sends a private chat's message from someone else; a forged one is refused,
    // or it would act for one citizen in another's chat.
    if from.id.0 as i64 != msg.chat.id.0 {
        refused(
            update,
            "message whose sender is not the private chat's user",
        );
        return None;
    }
    Some(Incoming {
        input: Input::from_message(msg, state.step.expects_secret()),
        update_id: update.0,
        chat_id: msg.chat.id,
        user_id: from.id.0 as i64,
        first_name: from.first_name.clone(),
        language_code: from.language_code.clone(),
        input_message: Some(msg.id),
        origin: None,
        callback_id: None,
    })
}

/// A pressed inline button on a message the bot can still see.
fn from_callback(update: UpdateId, query: &CallbackQuery) -> Option<Incoming> {
    let message = query.message.as_ref()?;
    // A button in a private chat is pressed by that chat's user only (see `from_message`);
    // refused, it is answered as an orphan.
    if !message.chat().is_private() || query.from.id.0 as i64 != message.chat().id.0 {
        refused(update, "button press outside its own private chat");
        return None;
    }
    Some(Incoming {
        input: Input::Callback(Callback::parse(query.data.as_deref().unwrap_or(""))),
        update_id: update.0,
        chat_id: message.chat().id,
        user_id: query.from.id.0 as i64,
        first_name: query.from.first_name.clone(),
        language_code: query.from.language_code.clone(),
        input_message: None,
        origin: Some(message.id()),
        callback_id: Some(query.id.clone()),
    })
}

/// Counts and logs an update Telegram would never send.
fn refused(update: UpdateId, what: &str) {
    metrics::counter!("dvc_updates_refused_total").increment(1);
    tracing::warn!(update_id = update.0, "{what} refused");
}

/// A message in a group: one sentence saying the bot works in private chats only (in a
/// group, with privacy mode on, the bot sees only commands meant for it), nothing else done.
pub async fn answer_outside_private(
    bot: Bot,
    services: std::sync::Arc<Services>,
    msg: Message,
) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    let user = users::get(&services.db, from.id.0 as i64).await?;
    let locale = Locale::resolve(
        user.as_ref().and_then(|u| u.locale.as_deref()),
        from.language_code.as_deref(),
    );
    let text = render(&services.i18n, locale, &Text::msg("private-only"));
    if let Err(error) = bot
        .send_message(msg.chat.id, text)
        .parse_mode(ParseMode::Html)
        .await
    {
        tracing::warn!(%error, "the private-only answer did not go out");
    }
    Ok(())
}

/// A button on a message too old for Telegram to show the bot: answered, nothing more.
pub async fn answer_orphan(bot: Bot, query: CallbackQuery) -> HandlerResult {
    crate::telemetry::telegram(
        "answerCallbackQuery",
        bot.answer_callback_query(query.id).into_future(),
    )
    .await?;
    Ok(())
}
