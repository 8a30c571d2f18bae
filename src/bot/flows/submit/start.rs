//! The way into the flow: `/submit CODE` or "Nộp hồ sơ" (a login first, coming back here
//! after it), a new draft or the one of the same procedure resumed where it stands.

use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{Draft, State, Step};
use crate::db::now_unix;
use crate::portal::client::PortalError;

use super::draft::{
    Out, find, gone, login_buttons, new_key, portal_down, prefill_from_account, procedure_name,
    refresh_procedure, to,
};
use super::next::{After, go_on};

/// `/submit CODE` or "Nộp hồ sơ": needs a login (then comes back here), resumes a draft of the
/// same procedure if there is one, else starts a new one.
pub async fn start(mut state: State, code: &str, token: Option<String>, ctx: &Ctx<'_>) -> Out {
    let Some(token) = token.or_else(|| ctx.session()) else {
        state.resume = Some(code.to_owned());
        return to(state, Step::Idle)
            .send(Reply::msg("submit-login-required").with(login_buttons()));
    };
    if let Some(draft) = state
        .drafts
        .iter()
        .find(|d| d.procedure.summary.code == code)
    {
        let key = draft.key.clone();
        return resume_as(state, &key, Some(&token), ctx).await;
    }
    let procedure = match ctx.services.portal.procedure(code).await {
        Ok(p) => p,
        Err(PortalError::NotFound) => {
            return to(state, Step::Idle).send(Reply::new(
                Text::msg("submit-unknown-procedure").arg("code", code),
            ));
        }
        Err(error) => return portal_down(state, Step::Idle, &error),
    };
    let mut draft = Draft {
        key: new_key(),
        procedure,
        values: Default::default(),
        prefilled: Default::default(),
        papers: Vec::new(),
        skipped: Vec::new(),
        delivery: None,
        portal_id: None,
        updated_at: now_unix(),
    };
    prefill_from_account(&mut draft, Some(&token), ctx).await;
    // The main menu stays under the form: a way out at any moment (the draft is kept).
    let intro =
        Reply::new(Text::msg("submit-intro").arg("procedure", procedure_name(&draft, ctx.locale)));
    let key = draft.key.clone();
    state.drafts.push(draft);
    let mut out = go_on(state, &key, After::Start, ctx);
    out.effects.insert(0, Effect::Send(intro));
    out
}

/// Resumes draft `key` where it stands: a missing required field, the papers, the delivery, or
/// the review.
pub async fn resume(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    resume_as(state, key, ctx.session().as_deref(), ctx).await
}

/// `resume` with the session `token` (just logged in, or the stored one).
async fn resume_as(mut state: State, key: &str, token: Option<&str>, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    refresh_procedure(&mut state.drafts[i], ctx).await;
    prefill_from_account(&mut state.drafts[i], token, ctx).await;
    let intro = Reply::new(
        Text::msg("submit-resuming").arg("procedure", procedure_name(&state.drafts[i], ctx.locale)),
    );
    let mut out = go_on(state, key, After::Resume, ctx);
    out.effects.insert(0, Effect::Send(intro));
    out
}
