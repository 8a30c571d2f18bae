//! The papers of a dossier (thành phần hồ sơ), one by one: each accepted as a document or a
//! photo, refused over 20 MB before download, type checked by content, uploaded to the portal
//! when it answers (else kept by Telegram file id for later), with a checklist message that
//! updates itself (✅ / ⬜ / ➖) and "skip" for the optional ones.

use crate::db::now_unix;
use crate::i18n::Locale;
use crate::portal::client::{PortalError, Upload};

use super::super::callback::Callback;
use super::super::reply::{Effect, Keyboard, Reply, Text};
use super::super::state::{Draft, PaperFile, State, Step};
use super::paper_check::{self, megabytes, type_names};
use super::review::{ask_delivery, ensure_created};
use super::submit::{Out, find, gone, paper_name, to};
use super::{Ctx, Input};

fn checklist(draft: &Draft, locale: Locale) -> Reply {
    let lines: Vec<String> = draft
        .procedure
        .papers
        .iter()
        .map(|p| {
            let mark = if draft.has_paper(&p.code) {
                "✅"
            } else if draft.skipped.contains(&p.code) {
                "➖"
            } else {
                "⬜"
            };
            format!(
                "{mark} {}{}",
                paper_name(p, locale),
                if p.required { " *" } else { "" }
            )
        })
        .collect();
    Reply::new(Text::msg("submit-checklist").arg("papers", lines.join("\n")))
}

pub(super) fn start_papers(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    if state.drafts[i].procedure.papers.is_empty() {
        return ask_delivery(state, key);
    }
    let list = checklist(&state.drafts[i], ctx.locale);
    let mut out = ask_paper(state, key, ctx);
    out.effects.insert(0, Effect::SendChecklist(list));
    out
}

/// Asks for the next paper, or goes on to the delivery once none is left.
fn ask_paper(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let Some(p) = draft.next_paper() else {
        return ask_delivery(state, key);
    };
    let paper = &draft.procedure.papers[p];
    let types = type_names(paper);
    let text = Text::msg("submit-ask-paper")
        .arg("paper", paper_name(paper, ctx.locale))
        .arg("types", types.as_str())
        .arg("max_mb", megabytes(paper.max_bytes))
        .arg("required", if paper.required { "yes" } else { "no" });
    let keyboard = if paper.required {
        Keyboard::None
    } else {
        Keyboard::Inline(vec![vec![(
            Text::msg("button-skip"),
            Callback::SkipPaper(p as u32),
        )]])
    };
    to(
        state,
        Step::Papers {
            key: key.to_owned(),
        },
    )
    .send(Reply::new(text).with(keyboard))
}

/// A paper sent as a document or a photo (or "skip" for an optional one).
pub async fn receive_paper(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let Some(p) = state.drafts[i].next_paper() else {
        return ask_delivery(state, &key);
    };
    let paper = state.drafts[i].procedure.papers[p].clone();
    let sent = match input {
        Input::Callback(Callback::SkipPaper(n)) if n as usize == p && !paper.required => {
            state.drafts[i].skipped.push(paper.code.clone());
            let list = checklist(&state.drafts[i], ctx.locale);
            return ask_paper(state, &key, ctx).effect(Effect::EditChecklist(list));
        }
        Input::Callback(Callback::SkipPaper(n)) if n as usize == p => {
            return to(state, Step::Papers { key })
                .effect(Effect::Toast(Text::msg("submit-paper-required")));
        }
        Input::Callback(_) => {
            return super::stale_button(Step::Papers { key: key.clone() })
                .map(|step| State { step, ..state });
        }
        input => match paper_check::sent(&input, &paper) {
            Some(sent) => sent,
            None => {
                let mut out = ask_paper(state, &key, ctx);
                out.effects
                    .insert(0, Effect::Send(Reply::msg("hint-paper")));
                return out;
            }
        },
    };
    let stay =
        |state: State, reply: Reply| to(state, Step::Papers { key: key.clone() }).send(reply);
    let (bytes, kind) =
        match paper_check::fetch(&paper, &sent, paper_name(&paper, ctx.locale), ctx).await {
            Ok(checked) => checked,
            Err(refusal) => return stay(state, refusal),
        };
    let paper_check::Sent {
        file_id, file_name, ..
    } = sent;
    let mut file = PaperFile {
        paper_code: paper.code.clone(),
        file_id,
        file_name,
        mime: kind.mime().to_owned(),
        size: bytes.len() as u32,
        portal_document: None,
    };
    // Uploaded now if the portal answers; otherwise at "Lưu nháp" or "Gửi hồ sơ".
    if let Some(token) = ctx.session() {
        match upload_now(&mut state.drafts[i], &file, bytes, &token, ctx).await {
            Ok(id) => file.portal_document = Some(id),
            Err(PortalError::Invalid { message, .. }) => {
                tracing::info!(reason = %message, "the portal refused a paper");
                return stay(state, Reply::msg("paper-refused"));
            }
            Err(error) => tracing::info!(%error, "paper kept for a later upload"),
        }
    }
    let draft = &mut state.drafts[i];
    draft.papers.push(file);
    draft.updated_at = now_unix();
    let list = checklist(draft, ctx.locale);
    let received =
        Reply::new(Text::msg("paper-received").arg("paper", paper_name(&paper, ctx.locale)));
    let mut out = ask_paper(state, &key, ctx);
    out.effects.insert(0, Effect::EditChecklist(list));
    out.effects.insert(1, Effect::Send(received));
    out
}

async fn upload_now(
    draft: &mut Draft,
    file: &PaperFile,
    bytes: Vec<u8>,
    token: &str,
    ctx: &Ctx<'_>,
) -> Result<i64, PortalError> {
    let id = ensure_created(draft, token, ctx).await?;
    let upload = Upload {
        paper_code: file.paper_code.clone(),
        file_name: file.file_name.clone(),
        mime: file.mime.clone(),
        bytes,
    };
    Ok(ctx
        .services
        .portal
        .upload(token, &id.into(), upload)
        .await?
        .id)
}
