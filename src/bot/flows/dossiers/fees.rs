//! A fee or financial obligation ("Xem phí và mã QR"): what it is for, the amount, the
//! deadline, the payment reference, and a VietQR code for the treasury account in
//! `DVC_BANK_*` (the reference alone without one).

use crate::domain::DossierCode;
use crate::i18n::{format_datetime, format_money};
use crate::portal::model::DossierStatus;
use crate::vietqr;

use super::shared::{Out, failed, own_dossier, show_card, status_id, used};
use crate::bot::activity::{self, Activity};
use crate::bot::context::Ctx;
use crate::bot::reply::{Arg, Effect, Reply, Text};
use crate::bot::state::{State, Step};

pub async fn open(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let dossier = match own_dossier(code, ctx).await {
        Ok((_, d)) => d,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    let pending = dossier.pending.clone().unwrap_or_default();
    let amount = pending.amount.filter(|_| {
        matches!(
            dossier.status,
            DossierStatus::FinancialObligation | DossierStatus::FeePayment
        )
    });
    let Some(amount) = amount else {
        let mut out = show_card(state, &dossier, code, ctx).await;
        out.effects.insert(
            0,
            Effect::Send(Reply::new(
                Text::msg("fee-not-pending").arg("code", code.as_str()),
            )),
        );
        return out;
    };
    // The officer's payment reference, else the dossier code: both identify the payment.
    let reference = pending
        .payment_ref
        .clone()
        .unwrap_or_else(|| code.as_str().to_owned());
    let purpose = match &pending.reason {
        Some(reason) => Arg::Str(reason.clone()),
        None => Arg::msg(status_id(dossier.status)),
    };
    let details = Text::msg("fee-details")
        .arg("purpose", purpose)
        .arg("code", code.as_str())
        .arg("amount", format_money(amount))
        .arg(
            "deadline",
            pending
                .deadline
                .map(format_datetime)
                .unwrap_or_else(|| "—".into()),
        )
        .arg("reference", reference.as_str());
    let out = Out::new(State {
        step: Step::Idle,
        ..state
    });
    let qr = ctx.services.bank.as_ref().and_then(|bank| {
        activity::signal(Activity::UploadPhoto);
        let png = vietqr::payload(bank, amount, &reference)
            .or_else(|_| vietqr::payload(bank, amount, code.as_str()))
            .and_then(|payload| vietqr::png(&payload));
        match png {
            Ok(png) => Some((bank, png)),
            Err(error) => {
                tracing::warn!(%error, "no VietQR code for this fee");
                None
            }
        }
    });
    let out = match qr {
        Some((bank, png)) => {
            let mut caption = Text::msg("fee-qr-caption")
                .arg("bank_account", bank.account.as_str())
                .arg("bank_name", bank.name.as_str());
            if bank.sample {
                caption = caption.then("fee-qr-sample");
            }
            out.send(Reply::new(details)).effect(Effect::SendPhoto {
                png,
                caption: Reply::new(caption),
            })
        }
        None => out.send(Reply::new(details.then("fee-no-qr"))),
    };
    used(out)
}
