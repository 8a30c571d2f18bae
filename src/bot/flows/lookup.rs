//! Anyone's lookup of a dossier by its code (`/status CODE`, "Tra cứu hồ sơ", a code sent from
//! the menu, deep link `/start status_<code>`): the public summary, never personal data; with
//! the last 4 digits of the applicant's CCCD also the history and what the dossier waits for.
//! A procedure code typed by mistake opens that procedure's card.

use crate::domain::DossierCode;
use crate::i18n::{format_date, format_datetime, format_money, local_date};
use crate::portal::client::PortalError;
use crate::portal::model::PublicDossier;

use super::procedures;
use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Arg, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{State, Step};

/// History entries shown at most (the newest).
const MAX_HISTORY: usize = 12;

/// What a typed text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entered {
    Dossier(DossierCode),
    /// A procedure code such as `1.001193`.
    Procedure(String),
    Malformed,
}

/// Reads a typed code: a dossier code, a procedure code, or neither.
pub fn entered(text: &str) -> Entered {
    let text = text.trim();
    if let Ok(code) = DossierCode::parse(text) {
        return Entered::Dossier(code);
    }
    match text.split_once('.') {
        Some((a, b))
            if (1..=2).contains(&a.len())
                && (3..=8).contains(&b.len())
                && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit()) =>
        {
            Entered::Procedure(text.to_owned())
        }
        _ => Entered::Malformed,
    }
}

/// `/status [code]` or the menu button: shows the code given, or asks for one.
pub async fn begin(state: State, arg: &str, ctx: &Ctx<'_>) -> Outcome<State> {
    if arg.trim().is_empty() {
        Outcome::new(State {
            step: Step::LookupCode,
            ..state
        })
        .send(Reply::msg("lookup-ask"))
    } else {
        receive_code(state, arg, ctx).await
    }
}

/// A code typed after "Tra cứu hồ sơ" (or after `/status`): a malformed one is explained and
/// asked again.
pub async fn receive_code(state: State, text: &str, ctx: &Ctx<'_>) -> Outcome<State> {
    match entered(text) {
        Entered::Dossier(code) => {
            let outcome = show(code.as_str(), ctx).await;
            outcome.map(|step| State { step, ..state })
        }
        Entered::Procedure(code) => {
            let state = State {
                step: Step::Idle,
                ..state
            };
            procedures::card(state, &code, ctx).await
        }
        Entered::Malformed => Outcome::new(State {
            step: Step::LookupCode,
            ..state
        })
        .send(Reply::msg("lookup-format")),
    }
}

/// Whether a text sent from the menu is a code to look up.
pub fn is_code(text: &str) -> bool {
    entered(text) != Entered::Malformed
}

/// The public summary of the dossier `code`, with the offer to see more or follow it.
pub async fn show(code: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let code = match DossierCode::parse(code) {
        Ok(code) => code,
        Err(_) => return Outcome::new(Step::Idle).send(Reply::msg("lookup-format")),
    };
    match ctx.services.portal.public_lookup(&code, None).await {
        Ok(dossier) => {
            let keyboard = Keyboard::Inline(vec![
                vec![(
                    Text::msg("lookup-more-button"),
                    Callback::LookupMore(code.clone()),
                )],
                vec![(Text::msg("follow-button"), Callback::Follow(code.clone()))],
            ]);
            Outcome::new(Step::Idle).send(Reply::new(summary(&dossier)).with(keyboard))
        }
        Err(error) => failed(&code, error),
    }
}

/// "Xem thêm": asks for the last 4 digits of the applicant's CCCD.
pub fn ask_last4(code: &DossierCode) -> Outcome<Step> {
    Outcome::new(Step::LookupLast4 {
        code: code.as_str().to_owned(),
    })
    .send(Reply::new(
        Text::msg("lookup-ask-last4").arg("code", code.as_str()),
    ))
}

/// The last 4 digits typed are exactly 4 digits.
pub fn last4_of(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The digits typed for dossier `code`: the full public view if they are right.
pub async fn receive_last4(code: String, text: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let stay = || Step::LookupLast4 { code: code.clone() };
    let (Some(last4), Ok(parsed)) = (last4_of(text), DossierCode::parse(&code)) else {
        return Outcome::new(stay()).send(Reply::msg("lookup-last4-format"));
    };
    match verified(&parsed, &last4, ctx).await {
        Ok(Some(dossier)) => Outcome::new(Step::Idle).send(Reply::new(details(&dossier)).with(
            Keyboard::Inline(vec![vec![(
                Text::msg("follow-button"),
                Callback::Follow(parsed.clone()),
            )]]),
        )),
        Ok(None) => Outcome::new(stay()).send(Reply::msg("lookup-last4-wrong")),
        Err(error) => failed(&parsed, error),
    }
}

/// The lookup with the second factor: `Some` when the digits were right.
pub async fn verified(
    code: &DossierCode,
    last4: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<PublicDossier>, PortalError> {
    let dossier = ctx
        .services
        .portal
        .public_lookup_as(code, Some(last4), &ctx.asker())
        .await?;
    Ok(dossier.history.is_some().then_some(dossier))
}

/// What a failed lookup tells: not found, too many wrong tries (and until when), or the
/// portal is down.
pub fn failed(code: &DossierCode, error: PortalError) -> Outcome<Step> {
    let reply = match error {
        PortalError::NotFound => {
            Reply::new(Text::msg("lookup-not-found").arg("code", code.as_str()))
        }
        PortalError::TooManyAttempts { until } => {
            Reply::new(Text::msg("lookup-too-many").arg("time", format_datetime(until)))
        }
        error => {
            tracing::warn!(%error, "public lookup failed");
            Reply::msg("error-portal-unreachable")
        }
    };
    Outcome::new(Step::Idle).send(reply.with(main_menu()))
}

/// The public summary: procedure, agency, status, dates.
pub fn summary(dossier: &PublicDossier) -> Text {
    let dash = || "—".to_owned();
    Text::msg("lookup-result")
        .arg("code", dossier.code.as_str())
        .arg("procedure", dossier.procedure_name.as_str())
        .arg("agency", dossier.agency_name.as_str())
        .arg(
            "status",
            Arg::msg(format!("status-{}", dossier.status.as_str())),
        )
        .arg(
            "received",
            dossier
                .received_at
                .map(|t| format_date(local_date(t)))
                .unwrap_or_else(dash),
        )
        .arg(
            "due",
            dossier.due_date.map(format_date).unwrap_or_else(dash),
        )
}

/// The summary, then what the dossier waits for and its history (second factor given).
pub fn details(dossier: &PublicDossier) -> Text {
    let mut text = summary(dossier);
    if let Some(pending) = &dossier.pending {
        if let Some(reason) = &pending.reason {
            text = text
                .then("lookup-pending-reason")
                .arg("reason", reason.as_str());
        }
        if let Some(amount) = pending.amount {
            text = text
                .then("lookup-pending-amount")
                .arg("amount", format_money(amount));
        }
        if let Some(deadline) = pending.deadline {
            text = text
                .then("lookup-pending-deadline")
                .arg("deadline", format_datetime(deadline));
        }
    }
    let history = dossier.history.as_deref().unwrap_or_default();
    text = text.then("lookup-history");
    for entry in &history[history.len().saturating_sub(MAX_HISTORY)..] {
        text = text
            .then("lookup-history-entry")
            .arg("at", format_datetime(entry.at))
            .arg(
                "status",
                Arg::msg(format!("status-{}", entry.status.as_str())),
            );
    }
    text
}
