//! The review card's buttons: "Sửa thông tin" (the form again), "Xoá nháp", "Lưu nháp" (saved
//! at the portal) and "Gửi hồ sơ" (sent with the draft's idempotency key; the dossier code
//! comes back). A send whose answer was lost is sent again with the same key and gives the same
//! dossier; a send the portal refuses for missing items goes back to the first of them.

use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Effect, Outcome, Reply, Text};
use crate::bot::state::{State, Step};
use crate::domain::MissingKind;
use crate::i18n::{Locale, format_date};
use crate::portal::client::PortalError;
use crate::portal::model::{Dossier, MissingItem};

use super::draft::{
    Out, field_label, find, gone, paper_name, portal_down, procedure_name, refresh_procedure,
    session_expired, sync, to,
};
use super::next::{After, Next, ask, go_on};

/// "Sửa": the form again from its first field, each value shown with a button to keep it.
pub async fn edit(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    if find(&state, key).is_none() {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    }
    go_on(state, key, After::Start, ctx)
}

/// "Xoá nháp": the draft leaves the chat. A copy saved at the portal stays there (the portal
/// keeps drafts until they are sent) and is listed under "Hồ sơ nháp".
pub fn discard(mut state: State, key: &str) -> Out {
    let Some(i) = find(&state, key) else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let draft = state.drafts.remove(i);
    state.checklist_message = None;
    let saved = if draft.portal_id.is_some() {
        "yes"
    } else {
        "no"
    };
    to(state, Step::Idle)
        .send(Reply::new(Text::msg("draft-discarded").arg("saved", saved)).with(main_menu()))
}

/// "Lưu nháp": the draft is saved at the portal (Thêm mới) and stays here to go on with.
pub async fn save(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let Some(token) = ctx.session() else {
        return session_expired(state, key, ctx).await;
    };
    let step = Step::Review {
        key: key.to_owned(),
    };
    match sync(&mut state.drafts[i], &token, ctx).await {
        Ok(_) => to(state, step).send(Reply::msg("draft-saved")),
        Err(PortalError::Unauthorized) => session_expired(state, key, ctx).await,
        Err(error) => {
            tracing::warn!(%error, "draft kept in the chat only");
            to(state, step).send(Reply::msg("draft-kept-offline"))
        }
    }
}

/// "Gửi hồ sơ": saved, then submitted with the draft's idempotency key; the code comes back.
pub async fn send(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        // Already sent (a double tap): its code again, nothing sent twice.
        if let Some((_, code)) = state.sent.iter().find(|(k, _)| k == key) {
            let text = Text::msg("submit-already-sent").arg("code", code.as_str());
            return Outcome::new(state).effect(Effect::Toast(text));
        }
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let Some(token) = ctx.session() else {
        return session_expired(state, key, ctx).await;
    };
    let here = Step::Review {
        key: key.to_owned(),
    };
    let id = match sync(&mut state.drafts[i], &token, ctx).await {
        Ok(id) => id,
        // No longer a draft there: sent before and the answer lost (a restart, a timeout), the
        // draft found again by its creation key if the chat never learnt its id. The submit
        // below carries the same key, so the portal answers with that dossier.
        Err(PortalError::Conflict { .. }) if state.drafts[i].portal_id.is_some() => {
            state.drafts[i].portal_id.unwrap_or_default()
        }
        Err(PortalError::Unauthorized) => return session_expired(state, key, ctx).await,
        Err(error @ PortalError::Invalid { .. }) => {
            refresh_procedure(&mut state.drafts[i], ctx).await;
            return missing(state, key, &error, ctx);
        }
        Err(error) => return portal_down(state, here, &error),
    };
    let submit_key = state.drafts[i].submit_key();
    match ctx
        .services
        .portal
        .submit(&token, &id.into(), &submit_key)
        .await
    {
        Ok(dossier) => submitted(state, key, &dossier, ctx.locale),
        Err(PortalError::Unauthorized) => session_expired(state, key, ctx).await,
        Err(error @ PortalError::Invalid { .. }) => {
            refresh_procedure(&mut state.drafts[i], ctx).await;
            missing(state, key, &error, ctx)
        }
        Err(error) => portal_down(state, here, &error),
    }
}

fn submitted(mut state: State, key: &str, dossier: &Dossier, locale: Locale) -> Out {
    // The procedure's name in the chat's language, from the draft's copy of the catalogue.
    let procedure = find(&state, key)
        .map(|i| procedure_name(&state.drafts[i], locale).to_owned())
        .unwrap_or_else(|| dossier.procedure_name.clone());
    state.drafts.retain(|d| d.key != key);
    state.checklist_message = None;
    let code = dossier
        .code
        .clone()
        .unwrap_or_else(|| dossier.id.to_string());
    state.remember_sent(key, &code);
    let due = dossier
        .due_date
        .map(format_date)
        .unwrap_or_else(|| "—".into());
    let text = Text::msg("submit-done")
        .arg("code", code.as_str())
        .arg("procedure", procedure)
        .arg("due", due);
    tracing::info!(dossier = %code, "dossier submitted");
    // "Gửi hồ sơ" is used: the review card stops offering it.
    to(state, Step::Idle)
        .effect(Effect::ClearOriginButtons)
        .send(Reply::new(text).with(main_menu()))
}

/// The portal refused the submission for missing items: name them and go to the first.
fn missing(state: State, key: &str, error: &PortalError, ctx: &Ctx<'_>) -> Out {
    let PortalError::Invalid {
        message, missing, ..
    } = error
    else {
        return ask(state, key, Next::Review, ctx);
    };
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    // Named in the citizen's language from the procedure, the portal's wording as a fallback.
    let draft = &state.drafts[i];
    let kind = |m: &MissingItem| m.kind;
    let names: Vec<String> = missing
        .iter()
        .map(|m| {
            let field = draft.procedure.form.iter().find(|f| f.key == m.code);
            let paper = draft.procedure.papers.iter().find(|p| p.code == m.code);
            let name = match (kind(m), field, paper) {
                (MissingKind::Field, Some(f), _) => field_label(f, ctx.locale),
                (MissingKind::Paper, _, Some(p)) => paper_name(p, ctx.locale),
                _ => m.name.as_str(),
            };
            format!("• {name}")
        })
        .collect();
    let listed = if names.is_empty() {
        message.clone()
    } else {
        names.join("\n")
    };
    let notice = Reply::new(Text::msg("submit-missing").arg("items", listed));
    let draft = &state.drafts[i];
    let first_field = missing
        .iter()
        .filter(|m| kind(m) == MissingKind::Field)
        .find_map(|m| draft.procedure.form.iter().position(|f| f.key == m.code));
    let mut out = match first_field {
        Some(index) => ask(state, key, Next::Field(index), ctx),
        None => {
            let mut state = state;
            // A required paper the portal lacks: ask it again.
            for m in missing.iter().filter(|m| kind(m) == MissingKind::Paper) {
                state.drafts[i].papers.retain(|p| p.paper_code != m.code);
                state.drafts[i].skipped.retain(|c| c != &m.code);
            }
            go_on(state, key, After::Resume, ctx)
        }
    };
    out.effects.insert(0, Effect::Send(notice));
    out
}
