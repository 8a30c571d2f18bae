//! After the form and the papers: the delivery of the result (online, or by post to an
//! address), the review card, and what it offers — "Lưu nháp" (save at the portal), "Gửi hồ
//! sơ" (send, with the draft's idempotency key), "Sửa thông tin" and "Xoá nháp". A send whose
//! answer was lost is sent again with the same key and gives the same dossier.

use chrono::NaiveDate;

use crate::domain::Address;
use crate::i18n::format_date;
use crate::portal::client::{PortalError, Upload};
use crate::portal::model::{CreateDraft, Delivery, Dossier, FieldKind, FormField, UpdateDraft};

use super::super::callback::Callback;
use super::super::reply::{Effect, Keyboard, Outcome, Reply, Text};
use super::super::state::{Draft, State, Step};
use super::papers::start_papers;
use super::submit::{
    Out, ask_field, field_label, find, gone, login_buttons, paper_name, procedure_name,
    refresh_procedure, to,
};
use super::{Ctx, Input, main_menu};

/// The portal's id of this draft, created there (once, by idempotency key) if needed.
pub(super) async fn ensure_created(
    draft: &mut Draft,
    token: &str,
    ctx: &Ctx<'_>,
) -> Result<i64, PortalError> {
    if let Some(id) = draft.portal_id {
        return Ok(id);
    }
    let request = CreateDraft {
        procedure_code: draft.procedure.summary.code.clone(),
        values: draft.values.clone(),
        delivery: draft.delivery.clone(),
    };
    let created = ctx
        .services
        .portal
        .create_draft(token, &request, Some(&draft.create_key()))
        .await?;
    draft.portal_id = Some(created.id);
    Ok(created.id)
}

/// Brings the portal's copy up to date: created, values and delivery, every paper uploaded.
async fn sync(draft: &mut Draft, token: &str, ctx: &Ctx<'_>) -> Result<i64, PortalError> {
    let fresh = draft.portal_id.is_none();
    let id = ensure_created(draft, token, ctx).await?;
    if !fresh {
        let update = UpdateDraft {
            values: draft.values.clone(),
            delivery: draft.delivery.clone(),
        };
        ctx.services
            .portal
            .update_draft(token, &id.into(), &update)
            .await?;
    }
    for n in 0..draft.papers.len() {
        if draft.papers[n].portal_document.is_some() {
            continue;
        }
        let bytes = ctx
            .services
            .files
            .download(&draft.papers[n].file_id)
            .await
            .map_err(PortalError::Unreachable)?;
        let file = draft.papers[n].clone();
        let upload = Upload {
            paper_code: file.paper_code,
            file_name: file.file_name,
            mime: file.mime,
            bytes,
        };
        let document = ctx
            .services
            .portal
            .upload(token, &id.into(), upload)
            .await?;
        draft.papers[n].portal_document = Some(document.id);
    }
    Ok(id)
}

pub(super) fn ask_delivery(state: State, key: &str) -> Out {
    to(
        state,
        Step::Delivery {
            key: key.to_owned(),
        },
    )
    .send(
        Reply::msg("submit-ask-delivery").with(Keyboard::Inline(vec![
            vec![(
                Text::msg("delivery-online"),
                Callback::Deliver {
                    key: key.to_owned(),
                    online: true,
                },
            )],
            vec![(
                Text::msg("delivery-post"),
                Callback::Deliver {
                    key: key.to_owned(),
                    online: false,
                },
            )],
        ])),
    )
}

/// Online, or by post (then the address is asked).
pub async fn receive_delivery(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    match input {
        Input::Callback(Callback::Deliver {
            key: k,
            online: true,
        }) if k == key => {
            state.drafts[i].delivery = Some(Delivery::Online);
            review(state, &key, ctx)
        }
        Input::Callback(Callback::Deliver {
            key: k,
            online: false,
        }) if k == key => {
            to(state, Step::PostAddress { key }).send(Reply::msg("submit-ask-post-address"))
        }
        Input::Callback(_) => {
            to(state, Step::Delivery { key }).effect(Effect::Toast(Text::msg("stale-button")))
        }
        _ => ask_delivery(state, &key),
    }
}

/// The postal address for the result.
pub async fn receive_address(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let text = match input {
        Input::Text(text) => text,
        // The delivery buttons are still there: choosing again (online, say) is honoured.
        input @ Input::Callback(Callback::Deliver { .. }) => {
            return receive_delivery(state, key, input, ctx).await;
        }
        _ => {
            return to(state, Step::PostAddress { key })
                .send(Reply::msg("submit-ask-post-address"));
        }
    };
    let address = match Address::parse(&text) {
        Ok(a) => a,
        Err(invalid) => {
            return to(state, Step::PostAddress { key }).send(Reply::msg(&invalid.message_id()));
        }
    };
    state.drafts[i].delivery = Some(Delivery::Post {
        address: address.into(),
    });
    review(state, &key, ctx)
}

pub(super) fn shown_value(field: &FormField, value: &str) -> String {
    match field.kind {
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(format_date)
            .unwrap_or_else(|_| value.to_owned()),
        _ => value.to_owned(),
    }
}

/// The review card: everything at a glance, with "Lưu nháp" and "Gửi hồ sơ".
pub(super) fn review(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let values: Vec<String> = draft
        .procedure
        .form
        .iter()
        .filter_map(|f| {
            draft
                .values
                .get(&f.key)
                .map(|v| format!("• {}: {}", field_label(f, ctx.locale), shown_value(f, v)))
        })
        .collect();
    let papers: Vec<String> = draft
        .procedure
        .papers
        .iter()
        .filter_map(|p| {
            let got = draft.papers.iter().find(|f| f.paper_code == p.code)?;
            Some(format!(
                "✅ {} ({})",
                paper_name(p, ctx.locale),
                got.file_name
            ))
        })
        .collect();
    let (delivery, address) = match &draft.delivery {
        Some(Delivery::Post { address }) => ("post", address.clone()),
        _ => ("online", String::new()),
    };
    let text = Text::msg("submit-review")
        .arg("procedure", procedure_name(draft, ctx.locale))
        .arg(
            "values",
            if values.is_empty() {
                "—".into()
            } else {
                values.join("\n")
            },
        )
        .arg(
            "papers",
            if papers.is_empty() {
                "—".into()
            } else {
                papers.join("\n")
            },
        )
        .arg("delivery", delivery)
        .arg("address", address);
    let keyboard = Keyboard::Inline(vec![
        vec![(
            Text::msg("button-save-draft"),
            Callback::SaveDraft(key.to_owned()),
        )],
        vec![(
            Text::msg("button-send"),
            Callback::SendDraft(key.to_owned()),
        )],
        vec![
            (
                Text::msg("button-edit-draft"),
                Callback::EditDraft(key.to_owned()),
            ),
            (
                Text::msg("button-discard-draft"),
                Callback::DiscardDraft(key.to_owned()),
            ),
        ],
    ]);
    to(
        state,
        Step::Review {
            key: key.to_owned(),
        },
    )
    .send(Reply::new(text).with(keyboard))
}

pub(super) fn portal_down(state: State, step: Step, error: &PortalError) -> Out {
    tracing::warn!(%error, "portal unavailable during submission");
    to(state, step).send(Reply::msg("submit-portal-down"))
}

/// The portal no longer accepts the session: log in again and come back to this procedure.
async fn session_expired(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    ctx.forget_session().await;
    state.resume = find(&state, key).map(|i| state.drafts[i].procedure.summary.code.clone());
    to(state, Step::Idle).send(Reply::msg("submit-session-expired").with(login_buttons()))
}

/// "Sửa": the form again from its first field, each value shown with a button to keep it.
pub async fn edit(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    if find(&state, key).is_none() {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    }
    ask_field(state, key, 0, false, ctx)
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
    let saved = state.drafts[i].portal_id;
    let id = match sync(&mut state.drafts[i], &token, ctx).await {
        Ok(id) => id,
        // No longer a draft there: sent before and the answer lost (a restart, a timeout). The
        // submit below carries the same key, so the portal answers with that dossier.
        Err(PortalError::Conflict { .. }) if saved.is_some() => saved.unwrap_or_default(),
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
        Ok(dossier) => submitted(state, key, &dossier),
        Err(PortalError::Unauthorized) => session_expired(state, key, ctx).await,
        Err(error @ PortalError::Invalid { .. }) => {
            refresh_procedure(&mut state.drafts[i], ctx).await;
            missing(state, key, &error, ctx)
        }
        Err(error) => portal_down(state, here, &error),
    }
}

fn submitted(mut state: State, key: &str, dossier: &Dossier) -> Out {
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
        .arg("procedure", dossier.procedure_name.as_str())
        .arg("due", due);
    tracing::info!(dossier = %code, "dossier submitted");
    to(state, Step::Idle).send(Reply::new(text).with(main_menu()))
}

/// The portal refused the submission for missing items: name them and go to the first.
fn missing(state: State, key: &str, error: &PortalError, ctx: &Ctx<'_>) -> Out {
    let PortalError::Invalid {
        message, missing, ..
    } = error
    else {
        return review(state, key, ctx);
    };
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    // Named in the citizen's language from the procedure, the portal's wording as a fallback.
    let draft = &state.drafts[i];
    let names: Vec<String> = missing
        .iter()
        .map(|m| {
            let field = draft.procedure.form.iter().find(|f| f.key == m.code);
            let paper = draft.procedure.papers.iter().find(|p| p.code == m.code);
            let name = match (m.kind.as_str(), field, paper) {
                ("field", Some(f), _) => field_label(f, ctx.locale),
                ("paper", _, Some(p)) => paper_name(p, ctx.locale),
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
        .filter(|m| m.kind == "field")
        .find_map(|m| draft.procedure.form.iter().position(|f| f.key == m.code));
    let mut out = match first_field {
        Some(index) => ask_field(state, key, index, false, ctx),
        None => {
            let mut state = state;
            // A required paper the portal lacks: ask it again.
            for m in missing.iter().filter(|m| m.kind == "paper") {
                state.drafts[i].papers.retain(|p| p.paper_code != m.code);
                state.drafts[i].skipped.retain(|c| c != &m.code);
            }
            start_papers(state, key, ctx)
        }
    };
    out.effects.insert(0, Effect::Send(notice));
    out
}
