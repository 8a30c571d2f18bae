//! Rating a dossier after its result ("Đánh giá", the national portal's satisfaction scale):
//! 1–5 stars as buttons, then an optional comment, sent to the portal once per dossier.

use crate::domain::DossierCode;
use crate::portal::client::PortalError;
use crate::portal::model::RateRequest;

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Keyboard, Outcome, Reply, Text};
use crate::bot::state::Step;

/// Longest comment, in characters (the portal's limit).
const MAX_COMMENT_CHARS: usize = 1000;

/// The rating button: the stars, for a logged-in owner.
pub fn begin(code: &DossierCode, ctx: &Ctx<'_>) -> Outcome<Step> {
    if ctx.session().is_none() {
        return Outcome::new(Step::Idle).send(Reply::msg("rate-login-needed").with(main_menu()));
    }
    let stars = (1..=5u8)
        .map(|n| {
            (
                Text::literal(format!("{n} ⭐")),
                Callback::Rate(n, code.clone()),
            )
        })
        .collect();
    Outcome::new(Step::Idle).send(
        Reply::new(Text::msg("rate-ask").arg("code", code.as_str()))
            .with(Keyboard::Inline(vec![stars])),
    )
}

/// A star button: the comment is asked, or skipped with a button.
pub fn receive_stars(stars: u8, code: &DossierCode) -> Outcome<Step> {
    Outcome::new(Step::RateComment {
        code: code.as_str().to_owned(),
        stars,
    })
    .send(
        Reply::new(Text::msg("rate-ask-comment").arg("stars", i64::from(stars))).with(
            Keyboard::Inline(vec![vec![(
                Text::msg("rate-no-comment"),
                Callback::RateNoComment,
            )]]),
        ),
    )
}

/// The comment (or none): the rating goes to the portal.
pub async fn receive_comment(
    code: String,
    stars: u8,
    comment: Option<&str>,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Outcome::new(Step::RateComment { code, stars }).send(Reply::new(
            Text::msg("rate-comment-too-long").arg("max", MAX_COMMENT_CHARS as i64),
        ));
    }
    let Some(token) = ctx.session() else {
        return Outcome::new(Step::Idle).send(Reply::msg("rate-login-needed").with(main_menu()));
    };
    let Ok(dossier) = DossierCode::parse(&code) else {
        return Outcome::new(Step::Idle).send(Reply::msg("lookup-format").with(main_menu()));
    };
    let request = RateRequest {
        stars,
        comment: comment.map(str::to_owned),
    };
    let id = match ctx.services.portal.rate(&token, &dossier, &request).await {
        Ok(_) => "rate-thanks",
        Err(PortalError::Duplicate { .. }) => "rate-already",
        Err(PortalError::Conflict { .. }) => "rate-not-yet",
        Err(PortalError::NotFound) => "rate-not-yours",
        Err(PortalError::Unauthorized) => {
            ctx.forget_session().await;
            "rate-login-needed"
        }
        Err(error) => {
            tracing::warn!(%error, "rating failed");
            return Outcome::new(Step::RateComment { code, stars })
                .send(Reply::msg("error-portal-unreachable"));
        }
    };
    Outcome::new(Step::Idle)
        .send(Reply::new(Text::msg(id).arg("code", code.as_str())).with(main_menu()))
}
