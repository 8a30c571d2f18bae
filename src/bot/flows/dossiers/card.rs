//! One dossier's card ("Xem hồ sơ"): what the owner sees of it, with the actions its status
//! allows.

use crate::domain::DossierCode;

use super::shared::{Out, failed, own_dossier, show_card};
use crate::bot::context::Ctx;
use crate::bot::state::State;

pub async fn open(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    match own_dossier(code, ctx).await {
        Ok((_, dossier)) => show_card(state, &dossier, code, ctx).await,
        Err(failure) => failed(state, failure, ctx).await,
    }
}
