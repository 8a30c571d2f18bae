//! The bot's whole shape on one screen, as in teloxide's `purchase.rs`: each chat's updates
//! enter its dialogue, are read by the adapter (messages of private chats, buttons), and
//! `route` says who answers: the commands (`Command`), the main menu's buttons, the buttons
//! that work from any message, and last the current step. The adapter then persists the next
//! state and sends the replies.
//!
//! An async function's future is as large as its largest arm, and each update's future is
//! allocated and moved whole: so the arms whose steps hold much across their awaits (the
//! dossier, registration, submit and lookup flows: 1–6 KB each) are boxed, each allocated only
//! when taken. The update's future went from 19.7 KB to a few (`-Zprint-type-sizes`).

use std::sync::Arc;

use teloxide::dispatching::dialogue::ErasedStorage;
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

use crate::db::storage::SqlStorage;

use super::activity;
use super::adapter::{self, BotDialogue, HandlerResult, Incoming, Opened};
use super::callback::Callback;
use super::callback::DossierAction;
use super::command::Command;
use super::context::{Ctx, Services};
use super::flows::common::{hint, stale_button};
use super::flows::submit::{delivery, form, papers, send};
use super::flows::{
    account, again, ask, dossiers, drafts, follow, lookup, notifications, procedures, rate,
    register, start, submit,
};
use super::input::Input;
use super::menu::MenuItem;
use super::reply::{Outcome, Reply};
use super::state::{State, Step, Then};

pub fn schema() -> UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>> {
    dptree::entry()
        .enter_dialogue::<Update, ErasedStorage<State>, State>()
        .branch(dptree::filter_map(adapter::read).endpoint(on_update))
        .branch(Update::filter_callback_query().endpoint(adapter::answer_orphan))
        .branch(
            Update::filter_message()
                .filter(|msg: Message| !msg.chat.is_private())
                .endpoint(adapter::answer_outside_private),
        )
}

/// One update of a chat, in order: opened (skipped if seen before, its question asked again
/// if seen by another process), routed, closed (the next
/// state persisted before the replies go out).
async fn on_update(
    bot: Bot,
    dialogue: BotDialogue,
    state: State,
    services: Arc<Services>,
    storage: Arc<SqlStorage<State>>,
    incoming: Incoming,
) -> HandlerResult {
    let input = incoming.input.clone();
    let (turn, outcome) = match adapter::open(&bot, &state, &services, &storage, incoming).await? {
        Opened::Skip => return Ok(()),
        Opened::Again(turn, ctx) => {
            // Handled by a process that may have died before its replies went out: the step
            // is not done again, its question is asked again (once: this process saves it).
            (turn, again::asked_again(state, &ctx))
        }
        Opened::New(turn, ctx) => {
            // Saved by a bot process that is gone: its last replies may never have gone out.
            let restarted = state.writer != Some(adapter::instance());
            // What the step signals while it waits (typing…, sending a file…) is shown at once.
            let show = adapter::shower(&bot, &turn);
            let mut outcome = activity::scope(Box::pin(handle(state, input, &ctx)), show).await;
            if restarted && again::only_reminds(&outcome) {
                // An input repeated after a crash that lost its answer: the question it should
                // see.
                outcome = again::remind_again(outcome, &ctx);
            }
            (turn, outcome)
        }
    };
    Box::pin(adapter::close(
        bot, dialogue, &services, &storage, turn, outcome,
    ))
    .await
}

/// Handles one input. Drafts live beside the step and survive every route; logged in while a
/// procedure was waiting, the chat goes back to it.
pub async fn handle(state: State, input: Input, ctx: &Ctx<'_>) -> Outcome<State> {
    let mut outcome = route(state, input, ctx).await;
    if let Some(token) = outcome.session.clone()
        && let Some(code) = outcome.next.resume.take()
    {
        let next = std::mem::take(&mut outcome.next);
        let more = Box::pin(submit::start::start(next, &code, Some(token), ctx)).await;
        outcome.next = more.next;
        outcome.effects.extend(more.effects);
    }
    outcome
}

/// Leaving the registration (a command or a menu button) drops its waiting password; other
/// steps have none, and skip the database.
async fn forget_password(step: &Step, ctx: &Ctx<'_>) {
    if matches!(step, Step::Register { .. } | Step::RegisterReview { .. }) {
        ctx.services.passwords().forget(ctx.user_id).await;
    }
}

/// Who answers an input, in order: commands, menu buttons, buttons of any message, the step.
async fn route(state: State, input: Input, ctx: &Ctx<'_>) -> Outcome<State> {
    let step = state.step.clone();
    // Steps that see only their own step leave the rest of the state as it was.
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    match input {
        Input::Command(command) => {
            forget_password(&step, ctx).await;
            match command {
                Command::Start(payload) if let Some(code) = start::procedure_link(&payload) => {
                    if let Err(error) =
                        crate::db::users::ensure(&ctx.services.db, ctx.user_id).await
                    {
                        tracing::error!(%error, "cannot store user");
                    }
                    let state = State {
                        step: Step::Idle,
                        ..state
                    };
                    procedures::card(state, &code, ctx).await
                }
                Command::Start(payload) => lift(start::start(&payload, ctx).await, state),
                Command::Register => lift(account::begin(Then::Register, None, ctx), state),
                Command::Login => {
                    let last_kind = state.last_kind;
                    lift(account::begin(Then::Login, last_kind, ctx), state)
                }
                Command::Procedures => procedures::open(state, ctx).await,
                Command::Submit(code) if code.is_empty() => procedures::open(state, ctx).await,
                Command::Submit(code) => {
                    Box::pin(submit::start::start(state, &code, None, ctx)).await
                }
                Command::MyDossiers => Box::pin(dossiers::list::groups(state, false, ctx)).await,
                Command::Drafts => Box::pin(drafts::list(state, ctx)).await,
                Command::Status(code) => Box::pin(lookup::begin(state, &code, ctx)).await,
                Command::Follow(code) => lift(follow::begin(&code, ctx).await, state),
                Command::Unfollow(code) => lift(follow::unfollow(&code, ctx).await, state),
                Command::Ask => lift(ask::begin(None, ctx), state),
                Command::Language => lift(start::ask_language(), state),
                Command::Account => follow::with_list(lift(account::show(ctx), state), ctx).await,
                Command::MyData => {
                    let outcome = account::my_data(&state, ctx);
                    follow::with_list(lift(outcome, state), ctx).await
                }
                Command::Notifications => lift(notifications::show(step, ctx).await, state),
                Command::Cancel => lift(start::cancel(step), state),
                Command::Logout => lift(account::logout(ctx).await, state),
                Command::DeleteMe => lift(account::ask_delete(), state),
                Command::Help => lift(start::help(ctx), state),
            }
        }
        Input::UnknownCommand(_) => {
            forget_password(&step, ctx).await;
            Outcome::new(state).send(Reply::msg("unknown-command"))
        }
        Input::Text(text) if let Some(item) = MenuItem::from_label(&text, &ctx.services.i18n) => {
            forget_password(&step, ctx).await;
            match item {
                MenuItem::Services => procedures::open(state, ctx).await,
                MenuItem::MyDossiers => Box::pin(dossiers::list::groups(state, false, ctx)).await,
                MenuItem::Lookup => Box::pin(lookup::begin(state, "", ctx)).await,
                MenuItem::Account => follow::with_list(lift(account::show(ctx), state), ctx).await,
                MenuItem::Help => lift(start::help(ctx), state),
            }
        }
        Input::Callback(callback) => on_button(state, step, callback, ctx).await,
        input => on_step(state, step, input, ctx).await,
    }
}

/// A pressed button: those that work from any message, then those of the current step.
async fn on_button(state: State, step: Step, callback: Callback, ctx: &Ctx<'_>) -> Outcome<State> {
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    match (&step, callback) {
        (_, Callback::Language(locale)) => lift(start::receive_language(locale, ctx).await, state),
        (_, Callback::Menu) => lift(start::show_menu(Step::Idle), state),
        (_, Callback::Account(action)) => {
            let last_kind = state.last_kind;
            lift(account::menu_action(action, last_kind, ctx).await, state)
        }
        (_, Callback::Notifications { reminders, on }) => lift(
            notifications::switch(step.clone(), reminders, on, ctx).await,
            state,
        ),
        (_, Callback::FieldsPage(page)) => procedures::fields_page(state, page, ctx).await,
        (_, Callback::Field { index, page }) => {
            procedures::field_page(state, index, page, ctx).await
        }
        (Step::Procedures { query: Some(q) }, Callback::SearchPage(page)) => {
            let q = q.clone();
            procedures::search_page(state, q, page, ctx).await
        }
        (_, Callback::Procedure(code)) => procedures::card(state, &code, ctx).await,
        (_, Callback::Submit(code)) => {
            Box::pin(submit::start::start(state, &code, None, ctx)).await
        }
        (_, Callback::Drafts) => Box::pin(drafts::list(state, ctx)).await,
        (_, Callback::ResumeDraft(key)) => Box::pin(submit::start::resume(state, &key, ctx)).await,
        (_, Callback::ResumePortalDraft(id)) => {
            Box::pin(drafts::resume_portal(state, id, ctx)).await
        }
        (_, Callback::SaveDraft(key)) => Box::pin(send::save(state, &key, ctx)).await,
        (_, Callback::SendDraft(key)) => Box::pin(send::send(state, &key, ctx)).await,
        (_, Callback::EditDraft(key)) => Box::pin(send::edit(state, &key, ctx)).await,
        (_, Callback::DiscardDraft(key)) => send::discard(state, &key),
        // Anyone's lookup and following.
        (_, Callback::LookupMore(code)) => lift(lookup::ask_last4(&code), state),
        (_, Callback::Follow(code)) => lift(follow::ask_last4(&code, ctx).await, state),
        (_, Callback::Unfollow(code)) => lift(follow::stop(&code, ctx).await, state),
        // Rating after the result, and asking an officer.
        (_, Callback::Dossier(DossierAction::Rate, code)) => lift(rate::begin(&code, ctx), state),
        (_, Callback::Rate(stars, code)) => lift(rate::receive_stars(stars, &code), state),
        (Step::RateComment { code, stars }, Callback::RateNoComment) => {
            let (code, stars) = (code.clone(), *stars);
            lift(rate::receive_comment(code, stars, None, ctx).await, state)
        }
        (_, Callback::Dossier(DossierAction::Ask, code)) => {
            lift(ask::begin(Some(&code), ctx), state)
        }
        // A dossier's buttons (notifications, cards, lists) and the answer to a supplement.
        (_, Callback::Dossier(action, code)) => {
            Box::pin(dossiers::on_button(state, action, code, ctx)).await
        }
        (_, Callback::MyDossiers) => Box::pin(dossiers::list::groups(state, true, ctx)).await,
        (_, Callback::MyGroup { group, page }) => {
            Box::pin(dossiers::list::group(state, group, page, ctx)).await
        }
        (Step::Consent { then }, Callback::Consent(yes)) => {
            let (then, last_kind) = (*then, state.last_kind);
            let outcome = account::receive_consent(then, yes, false, last_kind, ctx).await;
            lift(outcome, state)
        }
        (Step::Consent { then }, Callback::ConsentQr) => {
            let (then, last_kind) = (*then, state.last_kind);
            let outcome = account::receive_consent(then, true, true, last_kind, ctx).await;
            lift(outcome, state)
        }
        (Step::ConfirmDelete, Callback::DeleteMe(yes)) => {
            lift(Box::pin(account::receive_delete(yes, ctx)).await, state)
        }
        // The other buttons belong to a step, which sees them as its input.
        (_, callback) => on_step(state, step, Input::Callback(callback), ctx).await,
    }
}

/// The current step receives the input: submitting in the order of the conversation, then
/// registration, login and lookup; anything else gets the step's hint.
async fn on_step(state: State, step: Step, input: Input, ctx: &Ctx<'_>) -> Outcome<State> {
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    match (step, input) {
        (Step::Procedures { .. }, Input::Text(text)) => {
            Box::pin(procedures::search(state, &text, ctx)).await
        }
        (Step::Fill { key, index }, input) => {
            Box::pin(form::receive_value(state, key, index, input, ctx)).await
        }
        (Step::Papers { key }, input) => {
            Box::pin(papers::receive_paper(state, key, input, ctx)).await
        }
        (Step::Delivery { key }, input) => {
            Box::pin(delivery::receive_delivery(state, key, input, ctx)).await
        }
        (Step::PostAddress { key }, input) => {
            Box::pin(delivery::receive_address(state, key, input, ctx)).await
        }
        (Step::Supplement { code, papers }, input) => {
            Box::pin(dossiers::supplement::receive_paper(
                state, code, papers, input, ctx,
            ))
            .await
        }
        (Step::Register { form, field }, input) => lift(
            Box::pin(register::receive_field(form, field, input, ctx)).await,
            state,
        ),
        (Step::RegisterReview { form }, input) => {
            let kind = form.kind;
            let mut outcome = lift(
                Box::pin(register::receive_review(form, input, ctx)).await,
                state,
            );
            if outcome.session.is_some() {
                outcome.next.last_kind = kind;
            }
            outcome
        }
        (Step::LoginKind, input) => lift(account::receive_login_kind(input, ctx), state),
        (Step::LoginUsername { kind }, input) => {
            lift(account::receive_login_username(kind, input), state)
        }
        (Step::LoginPassword { kind, username }, input) => {
            let outcome =
                Box::pin(account::receive_login_password(kind, username, input, ctx)).await;
            let mut outcome = lift(outcome, state);
            // Remembered, so the next login does not ask it.
            if outcome.session.is_some() {
                outcome.next.last_kind = Some(kind);
            }
            outcome
        }
        (Step::LookupCode, Input::Text(text)) => {
            Box::pin(lookup::receive_code(state, &text, ctx)).await
        }
        (Step::Idle, Input::Text(text)) if lookup::is_code(&text) => {
            Box::pin(lookup::receive_code(state, &text, ctx)).await
        }
        (Step::LookupLast4 { code }, Input::Text(text)) => {
            lift(lookup::receive_last4(code, &text, ctx).await, state)
        }
        (Step::FollowCode, Input::Text(text)) => {
            lift(follow::receive_code(&text, ctx).await, state)
        }
        (Step::FollowLast4 { code }, Input::Text(text)) => {
            lift(follow::receive_last4(code, &text, ctx).await, state)
        }
        (Step::RateComment { code, stars }, Input::Text(text)) => lift(
            rate::receive_comment(code, stars, Some(&text), ctx).await,
            state,
        ),
        (Step::AskText { dossier }, Input::Text(text)) => {
            lift(ask::receive_text(dossier, &text, ctx).await, state)
        }
        (step, Input::Callback(_)) => lift(stale_button(step), state),
        (step, _) => lift(hint(step), state),
    }
}
