//! `/notifications`: what the chat hears of unasked — status messages and deadline reminders,
//! each switched on or off with a button; the message is redrawn in place.

use crate::db::users;

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::Step;

/// `/notifications`: the two switches as they are.
pub async fn show(step: Step, ctx: &Ctx<'_>) -> Outcome<Step> {
    match users::notifications(&ctx.services.db, ctx.user_id).await {
        Ok((status, reminders)) => Outcome::new(step).send(settings(status, reminders)),
        Err(error) => {
            tracing::error!(%error, "cannot read the notification settings");
            Outcome::new(step).send(Reply::msg("error-internal"))
        }
    }
}

/// A switch pressed: stored, and the message redrawn.
pub async fn switch(step: Step, reminders: bool, on: bool, ctx: &Ctx<'_>) -> Outcome<Step> {
    let db = &ctx.services.db;
    let stored = if reminders {
        users::set_remind(db, ctx.user_id, on).await
    } else {
        users::set_notify(db, ctx.user_id, on).await
    };
    let now = match stored {
        Ok(()) => users::notifications(db, ctx.user_id).await,
        Err(error) => Err(error),
    };
    match now {
        Ok((status, reminders)) => {
            Outcome::new(step).effect(Effect::EditOrigin(settings(status, reminders)))
        }
        Err(error) => {
            tracing::error!(%error, "cannot store the notification settings");
            Outcome::new(step).send(Reply::msg("error-internal"))
        }
    }
}

fn settings(status: bool, reminders: bool) -> Reply {
    let word = |on: bool| if on { "on" } else { "off" };
    let button = |id: &str, reminders: bool, on: bool| {
        vec![(
            Text::msg(id).arg("on", word(!on)),
            Callback::Notifications { reminders, on: !on },
        )]
    };
    Reply::new(
        Text::msg("notifications-settings")
            .arg("status", word(status))
            .arg("reminders", word(reminders)),
    )
    .with(Keyboard::Inline(vec![
        button("notifications-switch-status", false, status),
        button("notifications-switch-reminders", true, reminders),
    ]))
}
