//! Following a dossier without an account: `/follow CODE`, then the last 4 digits of the
//! applicant's CCCD (checked with the portal); the chat then gets that dossier's status
//! messages, without personal data and without action buttons. `/unfollow` lists the codes
//! followed as buttons; `/account` lists them too. Several codes per chat.

use crate::db::follows;
use crate::domain::DossierCode;

use super::lookup::{self, Entered};
use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Keyboard, Outcome, Reply, Text};
use crate::bot::state::Step;

/// `/follow [code]` or the button under a lookup.
pub async fn begin(arg: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    if arg.trim().is_empty() {
        return Outcome::new(Step::FollowCode).send(Reply::msg("follow-ask-code"));
    }
    receive_code(arg, ctx).await
}

/// The code to follow: asked again while malformed.
pub async fn receive_code(text: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    match lookup::entered(text) {
        Entered::Dossier(code) => ask_last4(&code, ctx).await,
        Entered::Procedure(_) | Entered::Malformed => {
            Outcome::new(Step::FollowCode).send(Reply::msg("lookup-format"))
        }
    }
}

/// Asks for the last 4 digits, unless the chat follows the code already or follows too many.
pub async fn ask_last4(code: &DossierCode, ctx: &Ctx<'_>) -> Outcome<Step> {
    let followed = match follows::of_chat(&ctx.services.db, ctx.user_id).await {
        Ok(codes) => codes,
        Err(error) => return internal(error),
    };
    if followed.contains(code) {
        return Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("follow-already").arg("code", code.as_str())).with(main_menu()),
        );
    }
    if followed.len() >= follows::MAX_PER_CHAT {
        return Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("follow-too-many").arg("max", follows::MAX_PER_CHAT as i64))
                .with(main_menu()),
        );
    }
    Outcome::new(Step::FollowLast4 {
        code: code.as_str().to_owned(),
    })
    .send(Reply::new(
        Text::msg("follow-ask-last4").arg("code", code.as_str()),
    ))
}

/// The last 4 digits for `code`: checked with the portal, then the follow is stored.
pub async fn receive_last4(code: String, text: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let stay = || Step::FollowLast4 { code: code.clone() };
    let (Some(last4), Ok(parsed)) = (lookup::last4_of(text), DossierCode::parse(&code)) else {
        return Outcome::new(stay()).send(Reply::msg("lookup-last4-format"));
    };
    match lookup::verified(&parsed, &last4, ctx).await {
        Ok(Some(dossier)) => match follows::add(&ctx.services.db, ctx.user_id, &parsed).await {
            Ok(_) => Outcome::new(Step::Idle).send(
                Reply::new(
                    Text::msg("follow-done")
                        .arg("code", parsed.as_str())
                        .then("lookup-status")
                        .arg(
                            "status",
                            crate::bot::reply::Arg::msg(format!(
                                "status-{}",
                                dossier.status.as_str()
                            )),
                        ),
                )
                .with(main_menu()),
            ),
            Err(error) => internal(error),
        },
        Ok(None) => Outcome::new(stay()).send(Reply::msg("lookup-last4-wrong")),
        Err(error) => lookup::failed(&parsed, error),
    }
}

/// `/unfollow [code]`: stops following that code, or lists the codes followed as buttons.
pub async fn unfollow(arg: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    if let Ok(code) = DossierCode::parse(arg) {
        return stop(&code, ctx).await;
    }
    let followed = match follows::of_chat(&ctx.services.db, ctx.user_id).await {
        Ok(codes) => codes,
        Err(error) => return internal(error),
    };
    if followed.is_empty() {
        return Outcome::new(Step::Idle).send(Reply::msg("follow-none").with(main_menu()));
    }
    let rows = followed
        .into_iter()
        .map(|code| vec![(Text::literal(code.as_str()), Callback::Unfollow(code))])
        .collect();
    Outcome::new(Step::Idle).send(Reply::msg("unfollow-choose").with(Keyboard::Inline(rows)))
}

/// A code's "stop following" button.
pub async fn stop(code: &DossierCode, ctx: &Ctx<'_>) -> Outcome<Step> {
    match follows::remove(&ctx.services.db, ctx.user_id, code).await {
        Ok(true) => Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("unfollow-done").arg("code", code.as_str())).with(main_menu()),
        ),
        Ok(false) => Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("unfollow-not-followed").arg("code", code.as_str()))
                .with(main_menu()),
        ),
        Err(error) => internal(error),
    }
}

/// The codes this chat follows, as a message of its own (for `/account`); none if it follows
/// nothing.
pub async fn list(ctx: &Ctx<'_>) -> Option<Reply> {
    let followed = match follows::of_chat(&ctx.services.db, ctx.user_id).await {
        Ok(codes) => codes,
        Err(error) => {
            tracing::error!(%error, "cannot read follows");
            return None;
        }
    };
    if followed.is_empty() {
        return None;
    }
    let mut text = Text::msg("follow-list").arg("count", followed.len() as i64);
    for code in &followed {
        text = text.then_literal(code.as_str());
    }
    Some(Reply::new(text.then("follow-list-hint")))
}

fn internal(error: sqlx::Error) -> Outcome<Step> {
    tracing::error!(%error, "follows");
    Outcome::new(Step::Idle).send(Reply::msg("error-internal").with(main_menu()))
}

/// `/account`, its menu button and `/mydata`: the outcome, then the codes this chat follows.
pub async fn with_list<S>(mut outcome: Outcome<S>, ctx: &Ctx<'_>) -> Outcome<S> {
    if let Some(list) = list(ctx).await {
        outcome = outcome.send(list);
    }
    outcome
}
