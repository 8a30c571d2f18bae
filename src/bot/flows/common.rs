//! Answers every flow gives alike: a stale button, the reminder of what a step waits for, a
//! dash for a value not given.

use std::fmt::Display;

use crate::bot::reply::{Effect, Outcome, Reply, Text};
use crate::bot::state::Step;

/// A button from an older message that the current step does not expect.
pub fn stale_button(step: Step) -> Outcome<Step> {
    Outcome::new(step).effect(Effect::Toast(Text::msg("stale-button")))
}

/// The reminder of what the current step waits for. (Registration re-asks its own question:
/// `register::receive_field` answers every input of its step.)
pub fn hint(step: Step) -> Outcome<Step> {
    let id = match &step {
        Step::Idle => "hint-idle",
        Step::ChooseLanguage => "hint-language",
        Step::Consent { .. } => "hint-consent",
        Step::Register { .. } => "hint-unexpected",
        Step::RegisterReview { .. } => "hint-review",
        Step::LoginKind => "hint-kind",
        Step::LoginUsername { .. } => "hint-login-username",
        Step::LoginPassword { .. } => "hint-login-password",
        Step::LookupCode => "hint-lookup",
        Step::ConfirmDelete => "hint-confirm-delete",
        Step::Procedures { .. } => "hint-procedures",
        Step::Fill { .. }
        | Step::Papers { .. }
        | Step::Delivery { .. }
        | Step::PostAddress { .. } => "hint-submit",
        Step::Review { .. } => "hint-submit-review",
    };
    Outcome::new(step).send(Reply::msg(id))
}

/// A value as shown in a summary, or a dash for one not given.
pub fn or_dash(value: Option<&impl Display>) -> String {
    value.map_or_else(|| "—".to_owned(), ToString::to_string)
}
