//! "Hồ sơ của tôi" (`/mydossiers`): the citizen's dossiers grouped by status, as the portal's
//! "Theo dõi hồ sơ" shows them, with the way to the drafts.

use crate::i18n::format_date;
use crate::portal::client::PortalError;
use crate::portal::model::DossierStatus;

use crate::bot::callback::{AccountAction, Callback};
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Arg, Keyboard, Outcome, Piece, Reply, Text};
use crate::bot::state::{State, Step};

/// The groups in the order the portal's guide lists them.
const GROUPS: [DossierStatus; 10] = [
    DossierStatus::New,
    DossierStatus::SupplementRequired,
    DossierStatus::Processing,
    DossierStatus::FinancialObligation,
    DossierStatus::FeePayment,
    DossierStatus::Paused,
    DossierStatus::Completed,
    DossierStatus::ResultReturned,
    DossierStatus::Rejected,
    DossierStatus::Withdrawn,
];

pub async fn list(state: State, ctx: &Ctx<'_>) -> Outcome<State> {
    let state = State {
        step: Step::Idle,
        ..state
    };
    let Some(token) = ctx.session() else {
        return Outcome::new(state).send(Reply::msg("mydossiers-login").with(Keyboard::Inline(
            vec![vec![
                (
                    Text::msg("button-login"),
                    Callback::Account(AccountAction::Login),
                ),
                (
                    Text::msg("button-register"),
                    Callback::Account(AccountAction::Register),
                ),
            ]],
        )));
    };
    let dossiers = match ctx.services.portal.my_dossiers(&token, None).await {
        Ok(d) => d,
        Err(PortalError::Unauthorized) => {
            ctx.forget_session().await;
            return Outcome::new(state).send(Reply::msg("submit-session-expired").with(
                Keyboard::Inline(vec![vec![(
                    Text::msg("button-login"),
                    Callback::Account(AccountAction::Login),
                )]]),
            ));
        }
        Err(error) => {
            tracing::warn!(%error, "my dossiers unavailable");
            return Outcome::new(state)
                .send(Reply::msg("error-portal-unreachable").with(main_menu()));
        }
    };
    let drafts = dossiers
        .iter()
        .filter(|d| d.status == DossierStatus::Draft)
        .count()
        + state.drafts.len();
    let mut text = Text::msg("mydossiers-title");
    let mut shown = 0;
    for status in GROUPS {
        let group: Vec<String> = dossiers
            .iter()
            .filter(|d| d.status == status)
            .map(|d| {
                let due = d.due_date.map(format_date).unwrap_or_else(|| "—".into());
                format!(
                    "• {} — {} ({due})",
                    d.code.as_deref().unwrap_or("—"),
                    d.procedure_name
                )
            })
            .collect();
        if group.is_empty() {
            continue;
        }
        shown += group.len();
        text.0.push(Piece::Msg {
            id: "mydossiers-group".into(),
            args: vec![
                (
                    "status".into(),
                    Arg::msg(format!("status-{}", status.as_str())),
                ),
                ("count".into(), Arg::Num(group.len() as i64)),
            ],
        });
        text = text.then_literal(group.join("\n"));
    }
    if shown == 0 {
        text = Text::msg("mydossiers-none");
    }
    let keyboard = Keyboard::Inline(vec![vec![(
        Text::msg("button-drafts").arg("count", drafts as i64),
        Callback::Drafts,
    )]]);
    Outcome::new(state).send(Reply::new(text).with(keyboard))
}
