//! The result ("Nhận kết quả", seed part V): returned online, the document itself in the chat;
//! by post, that it is on its way.

use crate::domain::DossierCode;
use crate::portal::model::{Delivery, DossierStatus};

use super::shared::{Out, call_as, failed, own_dossier, show_card};
use crate::bot::activity::Activity;
use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{State, Step};

pub async fn open(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let (token, dossier) = match own_dossier(code, ctx).await {
        Ok(found) => found,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    let idle = State {
        step: Step::Idle,
        ..state
    };
    if dossier.status != DossierStatus::ResultReturned {
        let mut out = show_card(idle, &dossier, code, ctx).await;
        out.effects.insert(
            0,
            Effect::Send(Reply::new(
                Text::msg("result-not-ready").arg("code", code.as_str()),
            )),
        );
        return out;
    }
    if let Some(Delivery::Post { address }) = &dossier.delivery {
        return Out::new(idle).send(Reply::new(
            Text::msg("result-by-post")
                .arg("code", code.as_str())
                .arg("address", address.as_str()),
        ));
    }
    let file = match call_as(
        Activity::UploadDocument,
        ctx.services.portal.result(&token, &code.clone().into()),
    )
    .await
    {
        Ok(file) => file,
        Err(failure) => return failed(idle, failure, ctx).await,
    };
    Out::new(idle).effect(Effect::SendDocument {
        file_name: file.file_name,
        bytes: file.bytes,
        caption: Reply::new(Text::msg("result-caption").arg("code", code.as_str())),
    })
}
