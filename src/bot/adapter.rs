//! The one place that touches Telegram: turns an update into an `Input`, runs the step, renders
//! its replies in the user's language (Fluent, HTML-escaped data), sends them, and persists the
//! next state. Steps never see `Bot`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use teloxide::RequestError;
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage};
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, CallbackQuery, CallbackQueryId, InlineKeyboardButton, InlineKeyboardMarkup,
    KeyboardButton, KeyboardMarkup, KeyboardRemove, MessageId, ParseMode, ReplyMarkup,
};

use crate::db::storage::SqlStorage;
use crate::db::users;
use crate::i18n::{Args, FluentValue, I18n, Locale, local_date};

use super::callback::Callback;
use super::flows::{self, Ctx, Input, Services};
use super::reply::{Arg, Effect, Keyboard, Piece, Reply, ReplyButton, Text};
use super::state::State;

pub type BotDialogue = Dialogue<State, ErasedStorage<State>>;
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How many times a reply is retried after Telegram's 429 before it is given up.
const MAX_RETRIES: u32 = 3;

/// What an update carries beside its input.
struct Meta {
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

/// A message from the user.
pub async fn on_message(
    bot: Bot,
    dialogue: BotDialogue,
    state: State,
    services: Arc<Services>,
    storage: Arc<SqlStorage<State>>,
    update: Update,
    msg: Message,
) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    if !msg.chat.is_private() {
        storage.take_user(msg.chat.id);
        return Ok(());
    }
    let meta = Meta {
        update_id: update.id.0,
        chat_id: msg.chat.id,
        user_id: from.id.0 as i64,
        first_name: from.first_name.clone(),
        language_code: from.language_code.clone(),
        input_message: Some(msg.id),
        origin: None,
        callback_id: None,
    };
    let input = input_of(&msg, state.step.expects_secret());
    handle(bot, dialogue, state, services, storage, meta, input).await
}

/// A pressed inline button.
pub async fn on_callback(
    bot: Bot,
    dialogue: BotDialogue,
    state: State,
    services: Arc<Services>,
    storage: Arc<SqlStorage<State>>,
    update: Update,
    query: CallbackQuery,
) -> HandlerResult {
    let Some(message) = query.message.as_ref() else {
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    let meta = Meta {
        update_id: update.id.0,
        chat_id: message.chat().id,
        user_id: query.from.id.0 as i64,
        first_name: query.from.first_name.clone(),
        language_code: query.from.language_code.clone(),
        input_message: None,
        origin: Some(message.id()),
        callback_id: Some(query.id.clone()),
    };
    let input = Input::Callback(Callback::parse(query.data.as_deref().unwrap_or("")));
    handle(bot, dialogue, state, services, storage, meta, input).await
}

/// Commands that still work while a password is expected; any other text starting with `/` is
/// then the password itself (and is deleted like one).
const COMMANDS_DURING_SECRET: [&str; 3] = ["/cancel", "/start", "/help"];

/// The user's message as a step input.
fn input_of(msg: &Message, expects_secret: bool) -> Input {
    if let Some(raw) = msg.text() {
        let text = raw.trim();
        if expects_secret && !COMMANDS_DURING_SECRET.contains(&text) {
            // As typed: a password may begin or end with a space.
            return Input::Text(raw.to_owned());
        }
        if let Some(rest) = text.strip_prefix('/') {
            let (head, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let name = head.split('@').next().unwrap_or("").to_ascii_lowercase();
            return Input::Command {
                name,
                arg: arg.trim().to_owned(),
            };
        }
        return Input::Text(text.to_owned());
    }
    if let Some(contact) = msg.contact() {
        return Input::Contact {
            phone: contact.phone_number.clone(),
            user_id: contact.user_id.map(|id| id.0 as i64),
        };
    }
    if let Some(doc) = msg.document() {
        return Input::Document {
            file_id: doc.file.id.0.clone(),
            file_name: doc.file_name.clone(),
            mime: doc.mime_type.as_ref().map(|m| m.to_string()),
            size: doc.file.size,
        };
    }
    if let Some(photo) = msg
        .photo()
        .and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height))
    {
        return Input::Photo {
            file_id: photo.file.id.0.clone(),
            size: photo.file.size,
        };
    }
    Input::Other
}

async fn handle(
    bot: Bot,
    dialogue: BotDialogue,
    state: State,
    services: Arc<Services>,
    storage: Arc<SqlStorage<State>>,
    meta: Meta,
    input: Input,
) -> HandlerResult {
    // Telegram delivers at least once: an update already handled in this chat is skipped.
    if state.handled(meta.update_id) {
        metrics::counter!("dvc_updates_duplicate_total").increment(1);
        tracing::info!(update_id = meta.update_id, "duplicate update skipped");
        if let Some(id) = &meta.callback_id {
            let _ = bot.answer_callback_query(id.clone()).await;
        }
        return Ok(());
    }
    // Read with the dialogue when the chat is the user's own (a private chat), else now.
    let user = match storage.take_user(meta.chat_id) {
        Some(user) if meta.chat_id.0 == meta.user_id => user,
        _ => users::get(&services.db, meta.user_id).await?,
    };
    let locale = Locale::resolve(
        user.as_ref().and_then(|u| u.locale.as_deref()),
        meta.language_code.as_deref(),
    );
    let was_reset = storage.take_reset(meta.chat_id) || state.step_lost;
    let ctx = Ctx {
        services: &services,
        user_id: meta.user_id,
        first_name: meta.first_name.clone(),
        locale,
        user,
        today: local_date(Utc::now()),
    };
    let kind = input_kind(&input);
    tracing::debug!(update_id = meta.update_id, kind, "update");
    metrics::counter!("dvc_updates_total", "kind" => kind).increment(1);
    let started = std::time::Instant::now();
    let checklist = state.checklist_message;
    let mut outcome = flows::handle(state, input, &ctx).await;
    outcome.next.mark_handled(meta.update_id);
    if was_reset {
        outcome.effects.insert(
            0,
            Effect::Send(Reply::new(Text::msg("state-reset")).with(flows::main_menu())),
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

fn input_kind(input: &Input) -> &'static str {
    match input {
        Input::Command { .. } => "command",
        Input::Text(_) => "text",
        Input::Callback(_) => "callback",
        Input::Contact { .. } => "contact",
        Input::Document { .. } => "document",
        Input::Photo { .. } => "photo",
        Input::Other => "other",
    }
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

/// Telegram's longest message is 4096 characters; a longer text goes out in parts, cut
/// between lines, with the keyboard under the last part.
const MESSAGE_MAX: usize = 4000;

/// Cuts `text` into parts of at most `MESSAGE_MAX` characters, between lines where it can.
fn parts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > MESSAGE_MAX && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if line.chars().count() > MESSAGE_MAX {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(MESSAGE_MAX) {
                out.push(chunk.iter().collect());
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
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

/// Papers sent in the chat, fetched with getFile and the file download URL.
pub struct TelegramFiles {
    pub bot: Bot,
}

#[async_trait::async_trait]
impl flows::FileSource for TelegramFiles {
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, String> {
        use teloxide::net::Download;
        let file = self
            .bot
            .get_file(teloxide::types::FileId(file_id.to_owned()))
            .await
            .map_err(|e| e.to_string())?;
        let mut bytes = Vec::with_capacity(file.size as usize);
        self.bot
            .download_file(&file.path, &mut bytes)
            .await
            .map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

/// Renders a text as Telegram HTML: messages from Fluent as written, data escaped.
pub fn render(i18n: &I18n, locale: Locale, text: &Text) -> String {
    render_with(i18n, locale, text, html_escape)
}

/// Renders a text for places without formatting (button labels, callback answers).
pub fn render_plain(i18n: &I18n, locale: Locale, text: &Text) -> String {
    render_with(i18n, locale, text, |s| s.to_owned())
}

fn render_with(i18n: &I18n, locale: Locale, text: &Text, escape: fn(&str) -> String) -> String {
    text.0
        .iter()
        .map(|piece| match piece {
            Piece::Literal(s) => escape(s),
            Piece::Msg { id, args } => {
                let mut fluent = Args::new();
                for (name, value) in args {
                    let value = match value {
                        Arg::Str(s) => FluentValue::from(escape(s)),
                        Arg::Num(n) => FluentValue::from(*n),
                        Arg::Msg(m) => FluentValue::from(i18n.text(locale, m, None)),
                    };
                    fluent.set(name.clone(), value);
                }
                i18n.text(locale, id, Some(&fluent))
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Renders a text as Telegram HTML, failing on any Fluent error (for tests and checks).
pub fn try_render(i18n: &I18n, locale: Locale, text: &Text) -> Result<String, String> {
    let mut parts = Vec::new();
    for piece in &text.0 {
        match piece {
            Piece::Literal(s) => parts.push(html_escape(s)),
            Piece::Msg { id, args } => {
                let mut fluent = Args::new();
                for (name, value) in args {
                    let value = match value {
                        Arg::Str(s) => FluentValue::from(html_escape(s)),
                        Arg::Num(n) => FluentValue::from(*n),
                        Arg::Msg(m) => FluentValue::from(i18n.try_text(locale, m, None)?),
                    };
                    fluent.set(name.clone(), value);
                }
                parts.push(i18n.try_text(locale, id, Some(&fluent))?);
            }
        }
    }
    Ok(parts.join("\n\n"))
}

/// Escapes `<`, `>`, `&` and `"` for Telegram's HTML parse mode.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn markup(i18n: &I18n, locale: Locale, keyboard: &Keyboard) -> Option<ReplyMarkup> {
    let label = |t: &Text| render_plain(i18n, locale, t);
    match keyboard {
        Keyboard::None => None,
        Keyboard::Remove => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
        Keyboard::Inline(rows) => Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
            rows.iter().map(|row| {
                row.iter()
                    .map(|(text, cb)| InlineKeyboardButton::callback(label(text), cb.to_string()))
                    .collect::<Vec<_>>()
            }),
        ))),
        Keyboard::Reply(rows) => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new(rows.iter().map(|row| {
                row.iter()
                    .map(|button| match button {
                        ReplyButton::Text(t) => KeyboardButton::new(label(t)),
                        ReplyButton::RequestContact(t) => {
                            KeyboardButton::new(label(t)).request(ButtonRequest::Contact)
                        }
                    })
                    .collect::<Vec<_>>()
            }))
            .resize_keyboard(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_go_out_in_parts_cut_between_lines() {
        let line = format!("{}\n", "á".repeat(99));
        let text = line.repeat(100);
        let cut = parts(&text);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|p| p.chars().count() <= MESSAGE_MAX));
        assert!(cut.iter().all(|p| p.ends_with('\n')), "cut between lines");
        assert_eq!(cut.concat(), text);
        assert_eq!(parts("ngắn"), vec!["ngắn".to_owned()]);
        assert!(
            parts(&"x".repeat(9000))
                .iter()
                .all(|p| p.chars().count() <= MESSAGE_MAX)
        );
    }

    #[test]
    fn data_is_escaped_but_messages_keep_their_tags() {
        let i18n = I18n::load().unwrap();
        let text = Text::msg("lookup-not-found").arg("code", "<b>&x</b>");
        let html = render(&i18n, Locale::En, &text);
        assert!(html.contains("&lt;b&gt;&amp;x&lt;/b&gt;"), "{html}");
        let summary = render(&i18n, Locale::Vi, &Text::msg("help"));
        assert!(summary.starts_with("<b>"), "{summary}");
        let status = Text::msg("lookup-result").arg("status", Arg::msg("status-new"));
        let html = render(&i18n, Locale::Vi, &status);
        assert!(html.contains("Trạng thái: Hồ sơ mới"), "{html}");
    }
}
