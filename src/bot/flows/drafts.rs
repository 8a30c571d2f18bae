//! "Hồ sơ nháp": the drafts kept in the chat and those saved at the portal from elsewhere,
//! each resumed where it stands.

use crate::db::now_unix;
use crate::i18n::format_date;
use crate::portal::client::PortalError;
use crate::portal::model::DossierStatus;

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{Draft, PaperFile, State, Step};

use super::submit::draft::{Out, login_buttons, new_key, portal_down, procedure_name, to};
use super::submit::start::resume;

pub async fn list(state: State, ctx: &Ctx<'_>) -> Out {
    let mut rows: Vec<Vec<(Text, Callback)>> = state
        .drafts
        .iter()
        .map(|d| {
            let when = chrono::DateTime::from_timestamp(d.updated_at, 0)
                .map(|t| format_date(crate::i18n::local_date(t)))
                .unwrap_or_default();
            vec![(
                Text::literal(format!("{} · {when}", procedure_name(d, ctx.locale))),
                Callback::ResumeDraft(d.key.clone()),
            )]
        })
        .collect();
    if let Some(token) = ctx.session() {
        match ctx
            .services
            .portal
            .my_dossiers(&token, Some(DossierStatus::Draft))
            .await
        {
            Ok(saved) => rows.extend(
                saved
                    .iter()
                    .filter(|d| !state.drafts.iter().any(|l| l.portal_id == Some(d.id)))
                    .map(|d| {
                        vec![(
                            Text::literal(d.procedure_name.as_str()),
                            Callback::ResumePortalDraft(d.id),
                        )]
                    }),
            ),
            Err(PortalError::Unauthorized) => ctx.forget_session().await,
            Err(error) => tracing::warn!(%error, "portal drafts unavailable; listing the chat's"),
        }
    }
    if rows.is_empty() {
        return Outcome::new(state).send(Reply::msg("drafts-none"));
    }
    let count = rows.len() as i64;
    Outcome::new(state)
        .send(Reply::new(Text::msg("drafts-list").arg("count", count)).with(Keyboard::Inline(rows)))
}

/// A draft saved at the portal but not in this chat: fetched and resumed.
pub async fn resume_portal(mut state: State, id: i64, ctx: &Ctx<'_>) -> Out {
    if let Some(local) = state.drafts.iter().find(|d| d.portal_id == Some(id)) {
        let key = local.key.clone();
        return resume(state, &key, ctx).await;
    }
    let Some(token) = ctx.session() else {
        return to(state, Step::Idle)
            .send(Reply::msg("submit-login-required").with(login_buttons()));
    };
    let portal = &ctx.services.portal;
    let dossier = match portal.my_dossier(&token, &id.into()).await {
        Ok(d) if d.status == DossierStatus::Draft => d,
        Ok(_) | Err(PortalError::NotFound) => {
            return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
        }
        Err(error) => return portal_down(state, Step::Idle, &error),
    };
    let procedure = match portal.procedure(&dossier.procedure_code).await {
        Ok(p) => p,
        Err(error) => return portal_down(state, Step::Idle, &error),
    };
    let papers = dossier
        .documents
        .iter()
        .map(|d| PaperFile {
            paper_code: d.paper_code.clone(),
            file_id: String::new(),
            file_name: d.file_name.clone(),
            mime: d.mime.clone(),
            size: d.size as u32,
            portal_document: Some(d.id),
        })
        .collect();
    let key = new_key();
    state.drafts.push(Draft {
        key: key.clone(),
        procedure,
        values: dossier.values.clone(),
        prefilled: Default::default(),
        papers,
        skipped: Vec::new(),
        delivery: dossier.delivery.clone(),
        portal_id: Some(dossier.id),
        updated_at: now_unix(),
    });
    resume(state, &key, ctx).await
}
