//! The one place that touches Telegram: turns an update into an `Input`, runs the step,
//! persists the next state, then sends its replies (rendered by `render.rs` in the user's
//! language), within Telegram's limits. Steps never see `Bot`.

use std::time::Duration;

use chrono::Utc;
use teloxide::RequestError;
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage};
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, CallbackQueryId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId,
    ParseMode, ReplyMarkup,
};

use crate::db::storage::SqlStorage;
use crate::db::users;
use crate::i18n::{I18n, Locale, local_date};

use super::callback::Callback;
use super::context::{Ctx, Services};
use super::input::Input;
use super::menu::main_menu;
use super::render::{markup, parts, render, render_plain};
use super::reply::{Effect, Keyboard, Outcome, Reply, Text};
use super::state::State;

pub type BotDialogue = Dialogue<State, ErasedStorage<State>>;
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How many times a reply is retried after Telegram's 429 before it is given up.
const MAX_RETRIES: u32 = 3;

/// An update as the bot reads it: its input and what it carries beside (who, which chat,
/// which message or button), read by `from_message` / `from_callback` in the schema.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub input: Input,
    update_id: u32,
    chat_id: ChatId,
    user_id: i64,
    first_name: String,
    language_code: Option<String>,
    /// The user's message (to delete a password).
    input_message: Option<MessageId>,
    /// The message whose button was pressed, and the callback to answer.
    origin: Option<MessageId>,
    callback_id: Option<CallbackQueryId>,
}

/// A message from a user in a private chat; `None` for anything else (groups, channels).
pub fn from_message(update: Update, msg: Message, state: State) -> Option<Incoming> {
    let from = msg.from.as_ref()?;
    if !msg.chat.is_private() {
        return None;
    }
    // Telegram never sends a private chat's message from someone else; a forged one is refused,
    // or it would act for one citizen in another's chat.
    if from.id.0 as i64 != msg.chat.id.0 {
        refused(
            &update,
            "message whose sender is not the private chat's user",
        );
        return None;
    }
    Some(Incoming {
        input: Input::from_message(&msg, state.step.expects_secret()),
        update_id: update.id.0,
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
pub fn from_callback(update: Update, query: CallbackQuery) -> Option<Incoming> {
    let message = query.message.as_ref()?;
    // A button in a private chat is pressed by that chat's user only (see `from_message`);
    // refused, it is answered as an orphan.
    if !message.chat().is_private() || query.from.id.0 as i64 != message.chat().id.0 {
        refused(&update, "button press outside its own private chat");
        return None;
    }
    Some(Incoming {
        input: Input::Callback(Callback::parse(query.data.as_deref().unwrap_or(""))),
        update_id: update.id.0,
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
fn refused(update: &Update, what: &str) {
    metrics::counter!("dvc_updates_refused_total").increment(1);
    tracing::warn!(update_id = update.id.0, "{what} refused");
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
    bot.answer_callback_query(query.id).await?;
    Ok(())
}

/// An update under way: opened with its context, closed with the step's outcome.
pub struct Turn {
    incoming: Incoming,
    locale: Locale,
    was_reset: bool,
    checklist: Option<i32>,
    started: std::time::Instant,
}

/// Opens an update: skipped (`None`) if handled already, else its context for the steps.
pub async fn open<'a>(
    bot: &Bot,
    state: &State,
    services: &'a Services,
    storage: &SqlStorage<State>,
    incoming: Incoming,
) -> Result<Option<(Turn, Ctx<'a>)>, Box<dyn std::error::Error + Send + Sync>> {
    // Telegram delivers at least once: an update already handled in this chat is skipped.
    if state.handled(incoming.update_id) {
        metrics::counter!("dvc_updates_duplicate_total").increment(1);
        tracing::info!(update_id = incoming.update_id, "duplicate update skipped");
        if let Some(id) = &incoming.callback_id {
            let _ = bot.answer_callback_query(id.clone()).await;
        }
        return Ok(None);
    }
    let user = users::get(&services.db, incoming.user_id).await?;
    // Writing again means the bot is no longer blocked: notifications may resume.
    if user.as_ref().is_some_and(|u| u.blocked != 0) {
        users::set_blocked(&services.db, incoming.user_id, false).await?;
    }
    let locale = Locale::resolve(
        user.as_ref().and_then(|u| u.locale.as_deref()),
        incoming.language_code.as_deref(),
    );
    let was_reset = storage.take_reset(incoming.chat_id) || state.step_lost;
    let ctx = Ctx {
        services,
        user_id: incoming.user_id,
        first_name: incoming.first_name.clone(),
        locale,
        user,
        today: local_date(Utc::now()),
    };
    let kind = incoming.input.kind();
    tracing::debug!(update_id = incoming.update_id, kind, "update");
    metrics::counter!("dvc_updates_total", "kind" => kind).increment(1);
    let turn = Turn {
        incoming,
        locale,
        was_reset,
        checklist: state.checklist_message,
        started: std::time::Instant::now(),
    };
    Ok(Some((turn, ctx)))
}

/// Closes an update: the next state persisted, then the replies rendered and sent.
pub async fn close(
    bot: Bot,
    dialogue: BotDialogue,
    services: &Services,
    turn: Turn,
    mut outcome: Outcome<State>,
) -> HandlerResult {
    let Turn {
        incoming: meta,
        locale,
        was_reset,
        checklist,
        started,
    } = turn;
    outcome.next.mark_handled(meta.update_id);
    if was_reset {
        outcome.effects.insert(
            0,
            Effect::Send(Reply::new(Text::msg("state-reset")).with(main_menu())),
        );
    }
    // The state is saved before the replies go out: a crash in between repeats no step.
    if outcome.erase {
        dialogue.exit().await?;
    } else {
        dialogue.update(outcome.next.clone()).await?;
    }
    let locale = outcome.locale.unwrap_or(locale);
    let mut toast = None;
    let mut new_checklist = None;
    let mut failed = None;
    let out = Out {
        bot: &bot,
        i18n: &services.i18n,
        locale,
        chat: meta.chat_id,
    };
    for effect in outcome.effects {
        // One failed message does not silence the rest: it is logged, the others go out.
        let result = match effect {
            Effect::Send(reply) => out.send(&reply).await.map(drop),
            Effect::EditOrigin(reply) => match meta.origin {
                Some(id) if matches!(reply.keyboard, Keyboard::Inline(_) | Keyboard::None) => {
                    out.edit(id, &reply).await
                }
                _ => out.send(&reply).await.map(drop),
            },
            Effect::DeleteInput => {
                // Not worth an apology if it fails (a message too old, say): logged only.
                if let Some(id) = meta.input_message
                    && let Err(error) = bot.delete_message(meta.chat_id, id).await
                {
                    tracing::warn!(%error, "the user's message could not be deleted");
                }
                Ok(())
            }
            Effect::Toast(text) => {
                toast = Some(render_plain(&services.i18n, locale, &text));
                Ok(())
            }
            Effect::EditChecklist(reply) if checklist.is_some() => {
                let id = MessageId(checklist.unwrap_or_default());
                match out.edit(id, &reply).await {
                    Ok(()) => Ok(()),
                    Err(error) => {
                        tracing::warn!(%error, "checklist could not be edited; sending it anew");
                        out.send(&reply)
                            .await
                            .map(|sent| new_checklist = Some(sent.0))
                    }
                }
            }
            Effect::SendChecklist(reply) | Effect::EditChecklist(reply) => out
                .send(&reply)
                .await
                .map(|sent| new_checklist = Some(sent.0)),
        };
        if let Err(error) = result {
            metrics::counter!("dvc_replies_failed_total").increment(1);
            tracing::warn!(%error, chat_id = meta.chat_id.0, "a reply did not go out");
            failed = Some(error);
        }
    }
    match failed {
        Some(RequestError::Api(teloxide::ApiError::BotBlocked)) => {
            // The citizen blocked the bot: nothing more to say; remembered for notifications.
            if let Err(error) = users::set_blocked(&services.db, meta.user_id, true).await {
                tracing::error!(%error, "cannot mark the user as blocked");
            }
        }
        Some(_) => {
            let sorry = Reply::new(Text::msg("error-internal"));
            if let Err(error) = out.send(&sorry).await {
                tracing::warn!(%error, "even the apology did not go out");
            }
        }
        None => {}
    }
    // The checklist's message id is known only once sent: remembered for the next edits.
    if let Some(id) = new_checklist
        && !outcome.erase
    {
        outcome.next.checklist_message = Some(id);
        dialogue.update(outcome.next).await?;
    }
    if let Some(id) = meta.callback_id {
        let mut answer = bot.answer_callback_query(id);
        if let Some(text) = toast {
            answer = answer.text(text);
        }
        answer.await?;
    }
    metrics::histogram!("dvc_update_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// Where and how this update's replies go.
struct Out<'a> {
    bot: &'a Bot,
    i18n: &'a I18n,
    locale: Locale,
    chat: ChatId,
}

impl Out<'_> {
    async fn send(&self, reply: &Reply) -> Result<MessageId, RequestError> {
        send(self.bot, self.i18n, self.locale, self.chat, reply).await
    }
    async fn edit(&self, id: MessageId, reply: &Reply) -> Result<(), RequestError> {
        edit(self.bot, self.i18n, self.locale, self.chat, id, reply).await
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
    for part in parts {
        with_retry(|| {
            let request = bot
                .send_message(chat, part.clone())
                .parse_mode(ParseMode::Html);
            async move { request.await.map(drop) }
        })
        .await?;
    }
    with_retry(|| {
        let mut request = bot
            .send_message(chat, last.clone())
            .parse_mode(ParseMode::Html);
        if let Some(markup) = markup.clone() {
            request = request.reply_markup(markup);
        }
        async move { request.await.map(|m| m.id) }
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
    let inline = match markup(i18n, locale, &reply.keyboard) {
        Some(ReplyMarkup::InlineKeyboard(k)) => k,
        _ => InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new()),
    };
    let result = with_retry(|| {
        let request = bot
            .edit_message_text(chat, id, text.clone())
            .parse_mode(ParseMode::Html)
            .reply_markup(inline.clone());
        async move { request.await.map(|_| ()) }
    })
    .await;
    match result {
        // Pressing the same page twice edits to identical text: Telegram refuses, harmlessly.
        Err(RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
        other => other,
    }
}

async fn with_retry<T, F, Fut>(mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut tries = 0;
    loop {
        match call().await {
            Err(RequestError::RetryAfter(wait)) if tries < MAX_RETRIES => {
                tries += 1;
                tokio::time::sleep(wait.duration().max(Duration::from_millis(100))).await;
            }
            other => return other,
        }
    }
}
