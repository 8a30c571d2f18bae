//! The citizen's dossiers after sending (seed parts IV "Theo dõi hồ sơ" and V "Nhận kết quả"):
//! the groups and lists (`list`), one dossier's card (`card`), answering a supplement request
//! (`supplement`), a fee with its VietQR code (`fees`), the result (`result`) and withdrawing
//! (`withdraw`). Every button naming a dossier (the card's and the notifications') lands here.

pub mod card;
pub mod fees;
pub mod list;
pub mod result;
pub mod shared;
pub mod supplement;
pub mod withdraw;

use crate::domain::DossierCode;

use crate::bot::callback::DossierAction;
use crate::bot::context::Ctx;
use crate::bot::state::State;
use shared::Out;

/// A button naming one of the citizen's dossiers.
pub async fn on_button(
    state: State,
    action: DossierAction,
    code: DossierCode,
    ctx: &Ctx<'_>,
) -> Out {
    match action {
        // Asking an officer and rating come with a later flow: the card meanwhile.
        DossierAction::Open | DossierAction::Ask | DossierAction::Rate => {
            card::open(state, &code, ctx).await
        }
        DossierAction::Supplement => supplement::open(state, &code, ctx).await,
        DossierAction::SendSupplement => supplement::send(state, &code, ctx).await,
        DossierAction::Fees => fees::open(state, &code, ctx).await,
        DossierAction::Result => result::open(state, &code, ctx).await,
        DossierAction::Withdraw => withdraw::ask(state, &code, ctx).await,
        DossierAction::WithdrawConfirm => withdraw::confirm(state, &code, ctx).await,
    }
}
