//! Anyone's lookup of a dossier by its code (`/status CODE`, "Tra cứu hồ sơ", deep link
//! `/start status_<code>`): the public summary only, never personal data.

use crate::domain::DossierCode;
use crate::i18n::{format_date, local_date};
use crate::portal::client::PortalError;

use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Arg, Outcome, Reply, Text};
use crate::bot::state::Step;

/// `/status [code]` or the menu button: shows the code given, or asks for one.
pub async fn begin(arg: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    if arg.trim().is_empty() {
        Outcome::new(Step::LookupCode).send(Reply::msg("lookup-ask"))
    } else {
        show(arg, ctx).await
    }
}

/// A code typed after "Tra cứu hồ sơ".
pub async fn receive_code(text: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let mut outcome = show(text, ctx).await;
    if outcome.next == Step::Idle && outcome.message_ids().contains(&"invalid-dossier-code") {
        outcome.next = Step::LookupCode;
    }
    outcome
}

/// The public summary of the dossier `code`.
pub async fn show(code: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    let code = match DossierCode::parse(code) {
        Ok(code) => code,
        Err(invalid) => return Outcome::new(Step::Idle).send(Reply::msg(&invalid.message_id())),
    };
    match ctx.services.portal.public_lookup(&code, None).await {
        Ok(dossier) => {
            let dash = || "—".to_owned();
            let text = Text::msg("lookup-result")
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
                );
            Outcome::new(Step::Idle).send(Reply::new(text).with(main_menu()))
        }
        Err(PortalError::NotFound) => Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("lookup-not-found").arg("code", code.as_str())).with(main_menu()),
        ),
        Err(error) => {
            tracing::warn!(%error, "public lookup failed");
            Outcome::new(Step::Idle).send(Reply::msg("error-portal-unreachable").with(main_menu()))
        }
    }
}
