//! What the dossier flows share: the portal call with "typing…" and a deadline, the owner's
//! dossier fetched by code (another's is refused without a word about it), the groups of
//! "Hồ sơ của tôi", and the card of one dossier with the actions its status allows.

use std::future::Future;
use std::time::Duration;

use crate::domain::DossierCode;
use crate::i18n::{Locale, format_date, format_datetime, format_money, local_date};
use crate::portal::client::{PortalError, PortalResult};
use crate::portal::model::{Dossier, DossierStatus, Procedure};

use crate::bot::activity::{self, Activity};
use crate::bot::callback::{AccountAction, Callback, DossierAction};
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Arg, Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{State, Step};

/// How long the citizen waits on the portal before being told it is slow (the work is kept).
pub const PORTAL_DEADLINE: Duration = Duration::from_secs(8);

pub type Out = Outcome<State>;

/// The groups of "Hồ sơ của tôi" in the portal guide's words and order, then the ends.
/// (Drafts have their own list.)
pub const GROUPS: [DossierStatus; 10] = [
    DossierStatus::New,
    DossierStatus::SupplementRequired,
    DossierStatus::Processing,
    DossierStatus::FinancialObligation,
    DossierStatus::FeePayment,
    DossierStatus::Paused,
    DossierStatus::Completed,
    DossierStatus::ResultReturned,
    DossierStatus::Withdrawn,
    DossierStatus::Rejected,
];

/// The group number of a status (for the "back to the list" button).
pub fn group_of(status: DossierStatus) -> Option<u32> {
    GROUPS.iter().position(|s| *s == status).map(|i| i as u32)
}

/// The message id of a status's label.
pub fn status_id(status: DossierStatus) -> String {
    format!("status-{}", status.as_str())
}

/// Why a dossier action did not happen, as the citizen is told.
#[derive(Debug)]
pub enum Failure {
    /// Not logged in, or the session expired.
    Login,
    /// Not one of this account's dossiers (or no such dossier): nothing more is said.
    NotYours,
    /// The portal did not answer within `PORTAL_DEADLINE`.
    Slow,
    /// The portal refused the action now (409) or its content (422).
    Refused(PortalError),
    Unreachable(PortalError),
}

impl From<PortalError> for Failure {
    fn from(error: PortalError) -> Self {
        match error {
            PortalError::Unauthorized => Failure::Login,
            PortalError::NotFound => Failure::NotYours,
            e @ (PortalError::Conflict { .. } | PortalError::Invalid { .. }) => Failure::Refused(e),
            e => Failure::Unreachable(e),
        }
    }
}

/// A portal call with "typing…" shown while it runs and an overall deadline.
pub async fn call<T>(fut: impl Future<Output = PortalResult<T>>) -> Result<T, Failure> {
    call_as(Activity::Typing, fut).await
}

/// A portal call showing `activity` while it runs, with an overall deadline.
pub async fn call_as<T>(
    activity: Activity,
    fut: impl Future<Output = PortalResult<T>>,
) -> Result<T, Failure> {
    call_within(activity, PORTAL_DEADLINE, fut).await
}

/// A portal call showing `activity` while it runs, given up after `deadline` (uploads take
/// longer than the other calls).
pub async fn call_within<T>(
    activity: Activity,
    deadline: Duration,
    fut: impl Future<Output = PortalResult<T>>,
) -> Result<T, Failure> {
    activity::signal(activity);
    match tokio::time::timeout(deadline, fut).await {
        Ok(result) => result.map_err(Failure::from),
        Err(_) => Err(Failure::Slow),
    }
}

/// The session token, or the failure that asks to log in.
pub fn token(ctx: &Ctx<'_>) -> Result<String, Failure> {
    ctx.session().ok_or(Failure::Login)
}

/// The owner's dossier `code`, full (history, pending request, documents).
pub async fn own_dossier(code: &DossierCode, ctx: &Ctx<'_>) -> Result<(String, Dossier), Failure> {
    let token = token(ctx)?;
    let dossier = call(ctx.services.portal.my_dossier(&token, &code.clone().into())).await?;
    Ok((token, dossier))
}

/// The procedure of a dossier from the catalogue (its English names, its papers); None if
/// the catalogue does not answer (the Vietnamese name of the dossier is shown then).
pub async fn procedure_of(dossier: &Dossier, ctx: &Ctx<'_>) -> Option<Procedure> {
    match call(ctx.services.portal.procedure(&dossier.procedure_code)).await {
        Ok(p) => Some(p),
        Err(failure) => {
            tracing::info!(?failure, "procedure names unavailable");
            None
        }
    }
}

/// The procedure's name in the chat's language.
pub fn procedure_name(dossier: &Dossier, procedure: Option<&Procedure>, locale: Locale) -> String {
    match (procedure, locale) {
        (Some(p), Locale::En) => p.summary.name_en.clone(),
        _ => dossier.procedure_name.clone(),
    }
}

/// What the citizen is told when an action did not happen; the chat stays where it was.
pub async fn failed(state: State, failure: Failure, ctx: &Ctx<'_>) -> Out {
    let state = State {
        step: Step::Idle,
        ..state
    };
    match failure {
        Failure::Login => {
            if ctx.session().is_some() {
                ctx.forget_session().await;
            }
            Outcome::new(state).send(Reply::msg("mydossiers-login").with(Keyboard::Inline(vec![
                vec![
                    (
                        Text::msg("button-login"),
                        Callback::Account(AccountAction::Login),
                    ),
                    (
                        Text::msg("button-register"),
                        Callback::Account(AccountAction::Register),
                    ),
                ],
            ])))
        }
        Failure::NotYours => Outcome::new(state).send(Reply::msg("dossier-not-yours")),
        Failure::Slow => Outcome::new(state).send(Reply::msg("error-portal-slow")),
        Failure::Refused(error) => {
            tracing::info!(%error, "the portal refused a dossier action");
            Outcome::new(state).send(Reply::msg("dossier-action-refused"))
        }
        Failure::Unreachable(error) => {
            tracing::warn!(%error, "dossier action: portal unavailable");
            Outcome::new(state).send(Reply::msg("error-portal-unreachable").with(main_menu()))
        }
    }
}

/// Whether the citizen may still withdraw: before acceptance, also while a request made
/// before acceptance waits.
pub fn can_withdraw(d: &Dossier) -> bool {
    match d.status {
        DossierStatus::New => true,
        DossierStatus::SupplementRequired
        | DossierStatus::FinancialObligation
        | DossierStatus::FeePayment
        | DossierStatus::Paused => {
            // The status the side state came from: the one before the last entry.
            let mut statuses = d.history.iter().rev().map(|h| h.status);
            statuses.next();
            statuses.next() == Some(DossierStatus::New)
        }
        _ => false,
    }
}

/// The actions a dossier's status allows, as buttons.
pub fn actions(d: &Dossier, code: &DossierCode) -> Vec<Vec<(Text, Callback)>> {
    let button = |id: &str, action| (Text::msg(id), Callback::Dossier(action, code.clone()));
    let mut rows = Vec::new();
    match d.status {
        DossierStatus::SupplementRequired => rows.push(vec![button(
            "button-dossier-supplement",
            DossierAction::Supplement,
        )]),
        DossierStatus::FinancialObligation | DossierStatus::FeePayment => {
            rows.push(vec![button("button-dossier-fees", DossierAction::Fees)])
        }
        DossierStatus::ResultReturned => {
            rows.push(vec![button("button-dossier-result", DossierAction::Result)])
        }
        _ => {}
    }
    if can_withdraw(d) {
        rows.push(vec![button(
            "button-dossier-withdraw",
            DossierAction::Withdraw,
        )]);
    }
    if let Some(group) = group_of(d.status) {
        rows.push(vec![(
            Text::msg("button-back-group").arg("status", Arg::msg(status_id(d.status))),
            Callback::MyGroup { group, page: 0 },
        )]);
    }
    rows
}

/// The card of a dossier: procedure, code, agency, dates (overdue flagged), the status with
/// what it waits for, the history as a timeline, and the actions its status allows.
pub fn card(
    d: &Dossier,
    code: &DossierCode,
    procedure: Option<&Procedure>,
    ctx: &Ctx<'_>,
) -> Reply {
    let dash = || "—".to_owned();
    let open = !matches!(
        d.status,
        DossierStatus::Completed
            | DossierStatus::ResultReturned
            | DossierStatus::Rejected
            | DossierStatus::Withdrawn
    );
    let overdue = open && d.due_date.is_some_and(|due| due < ctx.today);
    let mut text = Text::msg("dossier-card")
        .arg("procedure", procedure_name(d, procedure, ctx.locale))
        .arg("code", code.as_str())
        .arg("agency", d.agency_name.as_str())
        .arg(
            "received",
            d.submitted_at
                .map(|t| format_date(local_date(t)))
                .unwrap_or_else(dash),
        )
        .arg("due", d.due_date.map(format_date).unwrap_or_else(dash))
        .arg("overdue", if overdue { "yes" } else { "no" })
        .arg("status", Arg::msg(status_id(d.status)));
    if let Some(pending) = &d.pending {
        if let Some(reason) = &pending.reason {
            text = text
                .then("dossier-card-reason")
                .arg("reason", reason.as_str());
        }
        if !pending.missing_papers.is_empty() {
            text = text.then("dossier-card-papers").arg(
                "papers",
                missing_papers(&pending.missing_papers, procedure, ctx.locale),
            );
        }
        if let Some(amount) = pending.amount {
            text = text
                .then("dossier-card-amount")
                .arg("amount", format_money(amount));
        }
        if let Some(deadline) = pending.deadline {
            text = text
                .then("dossier-card-deadline")
                .arg("deadline", format_datetime(deadline));
        }
    }
    if let Some(reason) = final_reason(d) {
        text = text.then("dossier-card-reason").arg("reason", reason);
    }
    if !d.history.is_empty() {
        let lines: Vec<String> = d
            .history
            .iter()
            .map(|h| {
                let label = ctx
                    .services
                    .i18n
                    .text(ctx.locale, &status_id(h.status), None);
                format!("• {} — {label}", format_datetime(h.at))
            })
            .collect();
        text = text
            .then("dossier-card-history")
            .arg("lines", lines.join("\n"));
    }
    Reply::new(text).with(Keyboard::Inline(actions(d, code)))
}

/// The reason of a rejection (the dossier has no pending request then).
fn final_reason(d: &Dossier) -> Option<&str> {
    (d.status == DossierStatus::Rejected)
        .then(|| d.history.last().and_then(|h| h.data.reason.as_deref()))
        .flatten()
}

/// The missing papers by name, one a line.
pub fn missing_papers(codes: &[String], procedure: Option<&Procedure>, locale: Locale) -> String {
    codes
        .iter()
        .map(|c| format!("• {}", paper_label(c, procedure, locale)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A paper's name in the chat's language (its code if the catalogue is not at hand).
pub fn paper_label(code: &str, procedure: Option<&Procedure>, locale: Locale) -> String {
    procedure
        .and_then(|p| p.papers.iter().find(|paper| paper.code == code))
        .map(|p| match locale {
            Locale::Vi => p.name_vi.clone(),
            Locale::En => p.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_owned())
}

/// The dossier's code, parsed (every submitted dossier has one).
pub fn code_of(d: &Dossier) -> Option<DossierCode> {
    d.code.as_deref().and_then(|c| DossierCode::parse(c).ok())
}

/// Shows the card of a dossier just fetched, as a new message.
pub async fn show_card(state: State, d: &Dossier, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let procedure = procedure_of(d, ctx).await;
    Outcome::new(State {
        step: Step::Idle,
        ..state
    })
    .send(card(d, code, procedure.as_ref(), ctx))
}

/// Removes the buttons of the message that did an action, then goes on with `out`.
pub fn used(mut out: Out) -> Out {
    out.effects.insert(0, Effect::ClearOriginButtons);
    out
}
