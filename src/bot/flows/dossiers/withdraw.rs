//! Withdrawing a dossier ("Rút hồ sơ") before the office accepts it, after a confirmation.

use crate::domain::DossierCode;

use super::shared::{
    Failure, Out, call, can_withdraw, failed, own_dossier, show_card, token, used,
};
use crate::bot::callback::{Callback, DossierAction};
use crate::bot::context::Ctx;
use crate::bot::reply::{Keyboard, Reply, Text};
use crate::bot::state::{State, Step};

/// "Rút hồ sơ": asks for a confirmation, if the dossier can still be withdrawn.
pub async fn ask(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let dossier = match own_dossier(code, ctx).await {
        Ok((_, d)) => d,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    if !can_withdraw(&dossier) {
        let mut out = show_card(state, &dossier, code, ctx).await;
        out.effects.insert(
            0,
            crate::bot::reply::Effect::Send(Reply::new(
                Text::msg("withdraw-not-allowed").arg("code", code.as_str()),
            )),
        );
        return out;
    }
    let keyboard = Keyboard::Inline(vec![vec![
        (
            Text::msg("button-withdraw-yes"),
            Callback::Dossier(DossierAction::WithdrawConfirm, code.clone()),
        ),
        (
            Text::msg("button-withdraw-no"),
            Callback::Dossier(DossierAction::Open, code.clone()),
        ),
    ]]);
    Out::new(State {
        step: Step::Idle,
        ..state
    })
    .send(Reply::new(Text::msg("withdraw-confirm").arg("code", code.as_str())).with(keyboard))
}

/// The confirmation: the portal withdraws it (or says it is too late).
pub async fn confirm(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let token = match token(ctx) {
        Ok(t) => t,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    match call(ctx.services.portal.withdraw(&token, &code.clone().into())).await {
        Ok(dossier) => {
            let mut out = show_card(state, &dossier, code, ctx).await;
            out.effects.insert(
                0,
                crate::bot::reply::Effect::Send(Reply::new(
                    Text::msg("withdraw-done").arg("code", code.as_str()),
                )),
            );
            used(out)
        }
        Err(Failure::Refused(error)) => {
            tracing::info!(%error, "withdraw refused");
            used(
                Out::new(State {
                    step: Step::Idle,
                    ..state
                })
                .send(Reply::new(
                    Text::msg("withdraw-not-allowed").arg("code", code.as_str()),
                )),
            )
        }
        Err(failure) => failed(state, failure, ctx).await,
    }
}
