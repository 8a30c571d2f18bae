//! The question the current step waits for, asked again. Used by the router (it imports the
//! flows whose questions it repeats, as the router does) when a chat whose state was written by
//! a bot process that is gone gets only a reminder: a stale button's toast, or a step's hint.
//! A kill between saving the state and sending the replies loses the question with its
//! buttons; the citizen, seeing no answer, presses the old button again or types the answer
//! again, and a toast or a "press a button above" alone would leave the chat with nothing to
//! answer. Also used by the router when the update itself comes again after its handling by
//! another process (a webhook redelivering to another replica the update whose replica died,
//! or Telegram after a restart): `asked_again`.

use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Outcome, Piece, Reply};
use crate::bot::state::{State, Step, Then};

use super::common::hint;
use super::submit::ask::ask_field;
use super::submit::next::{After, go_on};
use super::{account, register, start};

/// Whether `outcome` only reminds: toasts (a stale button, a dossier already sent) and the
/// step's hint (`hint-*`), no question and no other message.
pub fn only_reminds(outcome: &Outcome<State>) -> bool {
    !outcome.effects.is_empty()
        && outcome.effects.iter().all(|effect| match effect {
            Effect::Toast(_) => true,
            Effect::Send(reply) => matches!(
                reply.text.0.as_slice(),
                [Piece::Msg { id, .. }] if id.starts_with("hint-")
            ),
            _ => false,
        })
}

/// The question of `state`'s step with its buttons, if it is one a button answers; `None` for
/// steps that wait for typed text or for nothing (their hint or the menu serves).
pub fn question(state: State, ctx: &Ctx<'_>) -> Option<Outcome<State>> {
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    match state.step.clone() {
        Step::ChooseLanguage => Some(lift(start::ask_language(), state)),
        Step::Consent { then } => Some(lift(account::ask_consent(then), state)),
        Step::LoginKind => Some(lift(account::first_question(Then::Login, None), state)),
        Step::Register { form, field } => Some(lift(
            register::ask_field(Step::Register { form, field }, field, false),
            state,
        )),
        Step::RegisterReview { form } => Some(lift(register::review(form), state)),
        Step::Fill { key, index } => Some(ask_field(state, &key, index, false, ctx)),
        Step::Papers { key } | Step::Delivery { key } | Step::Review { key } => {
            Some(go_on(state, &key, After::Resume, ctx))
        }
        _ => None,
    }
}

/// The reminder, then the step's question again; with no question to ask, each toast also as
/// a message (a toast is easily missed, and it may carry a dossier code).
pub fn remind_again(outcome: Outcome<State>, ctx: &Ctx<'_>) -> Outcome<State> {
    let Outcome {
        next,
        effects,
        locale,
        erase,
        session,
        forget_password,
    } = outcome;
    match question(next.clone(), ctx) {
        Some(mut again) => {
            let mut all = effects;
            all.append(&mut again.effects);
            again.effects = all;
            again.locale = locale;
            again.erase = erase;
            again.session = session;
            again.forget_password = forget_password;
            again
        }
        None => {
            let said: Vec<Effect> = effects
                .iter()
                .filter_map(|effect| match effect {
                    Effect::Toast(text) => Some(Effect::Send(Reply::new(text.clone()))),
                    _ => None,
                })
                .collect();
            let mut effects = effects;
            effects.extend(said);
            Outcome {
                next,
                effects,
                locale,
                erase,
                session,
                forget_password,
            }
        }
    }
}

/// What an update handled already by another process gets (see `adapter::Opened::Again`): the
/// current step's question; at the main menu, the menu; at a step that waits for typed text,
/// its hint (what to type). Never the step itself again, so nothing is done twice.
pub fn asked_again(state: State, ctx: &Ctx<'_>) -> Outcome<State> {
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    match question(state.clone(), ctx) {
        Some(outcome) => outcome,
        None if state.step == Step::Idle => lift(start::show_menu(Step::Idle), state),
        None => {
            let step = state.step.clone();
            lift(hint(step), state)
        }
    }
}
