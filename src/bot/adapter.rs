//! The one place that touches Telegram: opens an update read by `incoming.rs` (skipped if
//! handled already), then closes it — the next state persisted, then its replies rendered by
//! `render.rs` in the user's language and sent by `outgoing.rs`. Steps never see `Bot`.
//!
//! The dialogue is written only when the step changed it: then once, with the update's id (and
//! the ids of the steps before it that changed nothing), before any reply goes out. A step that
//! changes nothing writes nothing; its id is kept by the storage in memory until the next write.

use chrono::Utc;
use teloxide::RequestError;
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage};
use teloxide::payloads::AnswerCallbackQuerySetters;
use teloxide::prelude::*;
use teloxide::types::{InputFile, MessageId};

use crate::db::storage::SqlStorage;
use crate::db::users;
use crate::i18n::{Locale, local_date};
use crate::telemetry::telegram;

use super::activity::Activity;
use super::context::{Ctx, Services};
use super::menu::main_menu;
use super::outgoing::{Out, show_activity};
use super::render::render_plain;
use super::reply::{Effect, Keyboard, Outcome, Reply, Text};
use super::state::{REDELIVERY_WINDOW_SECS, State};

pub use super::incoming::{Incoming, answer_orphan, answer_outside_private, read};

pub type BotDialogue = Dialogue<State, ErasedStorage<State>>;
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// This bot process, as stored in each state it saves (`State::writer`).
pub fn instance() -> u64 {
    static INSTANCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *INSTANCE.get_or_init(rand::random)
}

/// An update under way: opened with its context, closed with the step's outcome.
pub struct Turn {
    incoming: Incoming,
    /// The state as read, to tell whether the step changed it.
    before: State,
    locale: Locale,
    was_reset: bool,
    checklist: Option<i32>,
    started: std::time::Instant,
}

/// What `open` makes of an update.
pub enum Opened<'a> {
    /// Handled already here (this process saved the chat's state after it, or holds its id in
    /// memory): skipped in silence.
    Skip,
    /// Handled already by another bot process (a replica, or this bot before a restart), which
    /// may have died after saving the state and before its replies went out: the current
    /// step's question is asked once more (`flows::again::asked_again`), and the state saved
    /// by this process, so a further delivery is skipped.
    Again(Turn, Ctx<'a>),
    /// New: the step answers it.
    New(Turn, Ctx<'a>),
}

/// Opens an update: skipped if handled already here, asked again if handled by another
/// process, else its context for the steps.
pub async fn open<'a>(
    bot: &Bot,
    state: &State,
    services: &'a Services,
    storage: &SqlStorage<State>,
    incoming: Incoming,
) -> Result<Opened<'a>, Box<dyn std::error::Error + Send + Sync>> {
    // Telegram delivers at least once: an update already handled in this chat is skipped.
    let now = Utc::now().timestamp();
    let handled_here_lately = storage
        .pending_handled(incoming.chat_id)
        .iter()
        .any(|&(id, at)| id == incoming.update_id && now - at < REDELIVERY_WINDOW_SECS);
    let handled = handled_here_lately || state.handled_at(incoming.update_id, now);
    // Saved by another process: the update may be delivered again because that process died
    // between saving the state and sending the replies (or before answering the delivery).
    let again = handled && !handled_here_lately && state.writer != Some(instance());
    if handled && !again {
        metrics::counter!("dvc_updates_duplicate_total").increment(1);
        tracing::info!(update_id = incoming.update_id, "duplicate update skipped");
        if let Some(id) = &incoming.callback_id {
            let _ = telegram(
                "answerCallbackQuery",
                bot.answer_callback_query(id.clone()).into_future(),
            )
            .await;
        }
        return Ok(Opened::Skip);
    }
    if again {
        metrics::counter!("dvc_updates_asked_again_total").increment(1);
        tracing::info!(
            update_id = incoming.update_id,
            writer = ?state.writer,
            "update handled by another process: its question asked again"
        );
    }
    // Read with the dialogue when the chat is the user's own (a private chat), else now.
    let user = match storage.take_user(incoming.chat_id) {
        Some(user) if incoming.chat_id.0 == incoming.user_id => user,
        _ => users::get(&services.db, incoming.user_id).await?,
    };
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
        before: state.clone(),
        locale,
        was_reset,
        checklist: state.checklist_message,
        started: std::time::Instant::now(),
    };
    Ok(if again {
        Opened::Again(turn, ctx)
    } else {
        Opened::New(turn, ctx)
    })
}

/// Closes an update: the next state persisted, then the replies rendered and sent.
pub async fn close(
    bot: Bot,
    dialogue: BotDialogue,
    services: &Services,
    storage: &SqlStorage<State>,
    turn: Turn,
    mut outcome: Outcome<State>,
) -> HandlerResult {
    let Turn {
        incoming: meta,
        before,
        locale,
        was_reset,
        checklist,
        started,
    } = turn;
    let now = Utc::now().timestamp();
    outcome.next.writer = Some(instance());
    if was_reset {
        outcome.effects.insert(
            0,
            Effect::Send(Reply::new(Text::msg("state-reset")).with(main_menu())),
        );
    }
    // The state is saved before the replies go out: a crash in between repeats no step. A
    // step that changed nothing has nothing to save: its update id waits in memory for the
    // next write (a crash can repeat its replies, from the same stored state).
    if outcome.erase {
        dialogue.exit().await?;
        storage.written(meta.chat_id);
        storage.note_handled(meta.chat_id, meta.update_id, now);
    } else if !was_reset && outcome.next.unchanged_since(&before) {
        metrics::counter!("dvc_dialogue_writes_skipped_total").increment(1);
        outcome.next.mark_handled_at(meta.update_id, now);
        storage.note_handled(meta.chat_id, meta.update_id, now);
    } else {
        for (seen, at) in storage.pending_handled(meta.chat_id) {
            outcome.next.mark_handled_at(seen, at);
        }
        outcome.next.mark_handled_at(meta.update_id, now);
        dialogue.update(outcome.next.clone()).await?;
        storage.written(meta.chat_id);
    }
    // Only now that the next state is saved (see `Outcome::forget_password`).
    if outcome.forget_password {
        services.passwords().forget(meta.user_id).await;
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
                    && let Err(error) = telegram(
                        "deleteMessage",
                        bot.delete_message(meta.chat_id, id).into_future(),
                    )
                    .await
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
            Effect::ClearOriginButtons => match meta.origin {
                Some(id) => out.clear_buttons(id).await,
                None => Ok(()),
            },
            Effect::SendPhoto { png, caption } => {
                show_activity(&bot, meta.chat_id, Activity::UploadPhoto).await;
                out.send_file(
                    InputFile::memory(png).file_name("vietqr.png"),
                    &caption,
                    true,
                )
                .await
            }
            Effect::SendDocument {
                file_name,
                bytes,
                caption,
            } => {
                show_activity(&bot, meta.chat_id, Activity::UploadDocument).await;
                out.send_file(
                    InputFile::memory(bytes).file_name(file_name),
                    &caption,
                    false,
                )
                .await
            }
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
        for (seen, at) in storage.pending_handled(meta.chat_id) {
            outcome.next.mark_handled_at(seen, at);
        }
        dialogue.update(outcome.next).await?;
        storage.written(meta.chat_id);
    }
    if let Some(id) = meta.callback_id {
        let mut answer = bot.answer_callback_query(id);
        if let Some(text) = toast {
            answer = answer.text(text);
        }
        telegram("answerCallbackQuery", answer.into_future()).await?;
    }
    metrics::histogram!("dvc_update_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// What a step signals while it runs, shown in the chat of `turn` (see `activity::scope`).
pub fn shower(
    bot: &Bot,
    turn: &Turn,
) -> impl Fn(Activity) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + 'static
{
    let bot = bot.clone();
    let chat = turn.incoming.chat_id;
    move |activity| {
        let bot = bot.clone();
        Box::pin(async move { show_activity(&bot, chat, activity).await })
    }
}
