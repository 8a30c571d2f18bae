//! The draft being submitted and its copy at the portal: finding it in the state, the names a
//! citizen reads, and the sync (create once by idempotency key, update, upload every paper).
//! Every step file of the flow imports this one; it imports none of them.

use chrono::NaiveDate;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::bot::callback::{AccountAction, Callback};
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Keyboard, Outcome, Reply, Text};
use crate::bot::state::{Draft, State, Step};
use crate::i18n::{Locale, format_date};
use crate::portal::client::{PortalError, Upload};
use crate::portal::model::{CreateDraft, FieldKind, FormField, Paper, Prefill, UpdateDraft};

/// What every step of the flow answers: the whole state (the drafts travel with it).
pub type Out = Outcome<State>;

/// The state at `step`, nothing said yet.
pub fn to(state: State, step: Step) -> Out {
    Outcome::new(State { step, ..state })
}

/// The index of draft `key` in the state.
pub fn find(state: &State, key: &str) -> Option<usize> {
    state.drafts.iter().position(|d| d.key == key)
}

/// A fresh draft key (also the seed of its idempotency keys).
pub fn new_key() -> String {
    format!("{:08x}", rand::thread_rng().r#gen::<u32>())
}

/// The draft is gone (sent, or from an erased chat): back to the menu.
pub fn gone(state: State) -> Out {
    to(state, Step::Idle).send(Reply::msg("submit-draft-gone").with(main_menu()))
}

pub fn login_buttons() -> Keyboard {
    Keyboard::Inline(vec![vec![
        (
            Text::msg("button-login"),
            Callback::Account(AccountAction::Login),
        ),
        (
            Text::msg("button-register"),
            Callback::Account(AccountAction::Register),
        ),
    ]])
}

pub fn procedure_name(draft: &Draft, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &draft.procedure.summary.name_vi,
        Locale::En => &draft.procedure.summary.name_en,
    }
}

pub fn field_label(field: &FormField, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &field.label_vi,
        Locale::En => &field.label_en,
    }
}

pub fn paper_name(paper: &Paper, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &paper.name_vi,
        Locale::En => &paper.name_en,
    }
}

/// Option `i` of a choice field in the chat's language, where the catalogue has it.
pub fn option_label(field: &FormField, i: usize, locale: Locale) -> &str {
    let en = field.options_en.get(i).filter(|_| locale == Locale::En);
    en.or_else(|| field.options.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

/// A stored value as the citizen typed it (dates `dd/mm/yyyy`), a choice in the chat's
/// language (the value kept is the portal's option).
pub fn shown_value(field: &FormField, value: &str, locale: Locale) -> String {
    match field.kind {
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(format_date)
            .unwrap_or_else(|_| value.to_owned()),
        FieldKind::Choice => field
            .options
            .iter()
            .position(|o| o == value)
            .map(|i| option_label(field, i, locale).to_owned())
            .unwrap_or_else(|| value.to_owned()),
        _ => value.to_owned(),
    }
}

/// The portal could not be reached: said, and the chat stays at `step`.
pub fn portal_down(state: State, step: Step, error: &PortalError) -> Out {
    tracing::warn!(%error, "portal unavailable during submission");
    to(state, step).send(Reply::msg("submit-portal-down"))
}

/// The portal no longer accepts the session: log in again and come back to this procedure.
pub async fn session_expired(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    ctx.forget_session().await;
    state.resume = find(&state, key).map(|i| state.drafts[i].procedure.summary.code.clone());
    to(state, Step::Idle).send(Reply::msg("submit-session-expired").with(login_buttons()))
}

/// The procedure as the portal has it now (a field or paper may have been added since the
/// draft began); the draft's copy serves while the portal is unreachable.
pub async fn refresh_procedure(draft: &mut Draft, ctx: &Ctx<'_>) {
    let code = draft.procedure.summary.code.clone();
    match ctx.services.portal.procedure(&code).await {
        Ok(procedure) => draft.procedure = procedure,
        Err(error) => tracing::info!(%error, "going on with the draft's copy of the procedure"),
    }
}

/// Offers the details of the account logged in now (`token`) for the form fields that ask for
/// the applicant's own name, CCCD, birth date or address and have no answer yet: kept in
/// `draft.prefilled` (sealed where stored), shown with "Giữ nguyên". Asked again each time, so
/// what is offered is always the current session's account; when the portal cannot say, the
/// fields are asked as any other.
pub async fn prefill_from_account(draft: &mut Draft, token: Option<&str>, ctx: &Ctx<'_>) {
    let wanted: Vec<(String, Prefill)> = draft
        .procedure
        .form
        .iter()
        .filter(|f| !draft.values.contains_key(&f.key))
        .filter_map(|f| Some((f.key.clone(), f.prefill?)))
        .collect();
    for (key, _) in &wanted {
        draft.prefilled.remove(key);
    }
    let Some(token) = token.filter(|_| !wanted.is_empty()) else {
        return;
    };
    match ctx.services.portal.account(token).await {
        Ok(account) => {
            for (key, what) in wanted {
                if let Some(value) = what.value_in(&account) {
                    draft.prefilled.insert(key, value);
                }
            }
        }
        Err(error) => tracing::info!(%error, "no account details to pre-fill the form"),
    }
}

/// The portal's id of this draft, created there (once, by idempotency key) if needed.
pub async fn ensure_created(
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

/// The idempotency key of uploading this paper: its slot and its content's hash, so a paper
/// sent again after a crash is the one document at the portal.
pub fn upload_key(upload: &Upload) -> String {
    let digest = hex::encode(Sha256::digest(&upload.bytes));
    format!("paper-{}-{}", upload.paper_code, &digest[..32])
}

/// Uploads one paper to the portal's copy (created first if needed); answers its document id.
pub async fn upload(
    draft: &mut Draft,
    upload: Upload,
    token: &str,
    ctx: &Ctx<'_>,
) -> Result<i64, PortalError> {
    let id = ensure_created(draft, token, ctx).await?;
    let key = upload_key(&upload);
    Ok(ctx
        .services
        .portal
        .upload(token, &id.into(), upload, Some(&key))
        .await?
        .id)
}

/// Brings the portal's copy up to date: created, values and delivery, every paper uploaded
/// (fetched again from Telegram by file id).
pub async fn sync(draft: &mut Draft, token: &str, ctx: &Ctx<'_>) -> Result<i64, PortalError> {
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
        let document = upload(
            draft,
            Upload {
                paper_code: file.paper_code,
                file_name: file.file_name,
                mime: file.mime,
                bytes,
            },
            token,
            ctx,
        )
        .await?;
        draft.papers[n].portal_document = Some(document);
    }
    Ok(id)
}
