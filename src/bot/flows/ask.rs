//! Asking an officer (`/ask`, "Hỏi cán bộ" on a dossier): the question, optionally about one of
//! the user's dossiers, goes to the portal's officer inbox; outside office hours the asker is
//! told when to expect the answer. The answer comes back through the event feed.

use chrono::Utc;

use crate::domain::DossierCode;
use crate::i18n::format_datetime;
use crate::portal::client::PortalError;
use crate::portal::model::AskRequest;

use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Outcome, Reply, Text};
use crate::bot::state::Step;

/// Longest question, in characters (the portal's limit).
const MAX_QUESTION_CHARS: usize = 2000;

/// `/ask` or "Hỏi cán bộ": asks for the question, for a logged-in user.
pub fn begin(dossier: Option<&DossierCode>, ctx: &Ctx<'_>) -> Outcome<Step> {
    if ctx.session().is_none() {
        return Outcome::new(Step::Idle).send(Reply::msg("ask-login-needed").with(main_menu()));
    }
    let text = match dossier {
        Some(code) => Text::msg("ask-prompt-dossier").arg("code", code.as_str()),
        None => Text::msg("ask-prompt"),
    };
    Outcome::new(Step::AskText {
        dossier: dossier.map(|c| c.as_str().to_owned()),
    })
    .send(Reply::new(text))
}

/// The question: sent to the officers; when to expect the answer.
pub async fn receive_text(dossier: Option<String>, text: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let stay = || Step::AskText {
        dossier: dossier.clone(),
    };
    let text = text.trim();
    if text.chars().count() > MAX_QUESTION_CHARS {
        return Outcome::new(stay()).send(Reply::new(
            Text::msg("ask-too-long").arg("max", MAX_QUESTION_CHARS as i64),
        ));
    }
    let Some(token) = ctx.session() else {
        return Outcome::new(Step::Idle).send(Reply::msg("ask-login-needed").with(main_menu()));
    };
    let request = AskRequest {
        text: text.to_owned(),
        dossier: dossier.clone(),
    };
    match ctx.services.portal.ask(&token, &request).await {
        Ok(created) => {
            let mut reply = Text::msg("ask-sent").arg("id", created.id);
            reply = match ctx.services.office_hours.next_open(Utc::now()) {
                None => reply.then("ask-answer-soon"),
                Some(opens) => reply
                    .then("ask-answer-after")
                    .arg("time", format_datetime(opens)),
            };
            Outcome::new(Step::Idle).send(Reply::new(reply).with(main_menu()))
        }
        Err(PortalError::Unauthorized) => {
            ctx.forget_session().await;
            Outcome::new(Step::Idle).send(Reply::msg("ask-login-needed").with(main_menu()))
        }
        Err(PortalError::NotFound) => {
            Outcome::new(Step::Idle).send(Reply::msg("ask-not-yours").with(main_menu()))
        }
        Err(PortalError::Invalid { .. }) => Outcome::new(stay()).send(Reply::msg("ask-prompt")),
        Err(error) => {
            tracing::warn!(%error, "question not sent");
            Outcome::new(stay()).send(Reply::msg("error-portal-unreachable"))
        }
    }
}
