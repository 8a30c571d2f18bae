//! The papers of a dossier (thành phần hồ sơ), one by one: each accepted as a document or a
//! photo, refused over 20 MB before download, type checked by content, uploaded to the portal
//! when it answers (else kept by Telegram file id for later), with a checklist message that
//! updates itself (✅ / ⬜ / ➖) and "skip" for the optional ones.

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::flows::common::stale_button;
use crate::bot::flows::paper_check;
use crate::bot::input::Input;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{PaperFile, State, Step};
use crate::db::now_unix;
use crate::portal::client::{PortalError, Upload};

use super::ask::{ask_paper, checklist};
use super::draft::{Out, find, gone, paper_name, to, upload};
use super::next::{After, go_on};

/// A paper sent as a document or a photo (or "skip" for an optional one).
pub async fn receive_paper(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let Some(p) = state.drafts[i].next_paper() else {
        return go_on(state, &key, After::Paper, ctx);
    };
    let paper = state.drafts[i].procedure.papers[p].clone();
    let sent = match input {
        Input::Callback(Callback::SkipPaper(n)) if n as usize == p && !paper.required => {
            state.drafts[i].skipped.push(paper.code.clone());
            let list = checklist(&state.drafts[i], ctx.locale);
            return go_on(state, &key, After::Paper, ctx).effect(Effect::EditChecklist(list));
        }
        Input::Callback(Callback::SkipOptionalPapers) if !paper.required => {
            let draft = &mut state.drafts[i];
            let optional: Vec<String> = draft
                .procedure
                .papers
                .iter()
                .filter(|p| !p.required && !draft.has_paper(&p.code))
                .filter(|p| !draft.skipped.contains(&p.code))
                .map(|p| p.code.clone())
                .collect();
            draft.skipped.extend(optional);
            draft.updated_at = now_unix();
            let list = checklist(&state.drafts[i], ctx.locale);
            return go_on(state, &key, After::Paper, ctx).effect(Effect::EditChecklist(list));
        }
        Input::Callback(Callback::SkipPaper(n)) if n as usize == p => {
            return to(state, Step::Papers { key })
                .effect(Effect::Toast(Text::msg("submit-paper-required")));
        }
        Input::Callback(_) => {
            return stale_button(Step::Papers { key: key.clone() })
                .map(|step| State { step, ..state });
        }
        input => match paper_check::sent(&input, &paper) {
            Some(sent) => sent,
            None => {
                let mut out = ask_paper(state, &key, p, ctx);
                out.effects
                    .insert(0, Effect::Send(Reply::msg("hint-paper")));
                return out;
            }
        },
    };
    let stay =
        |state: State, reply: Reply| to(state, Step::Papers { key: key.clone() }).send(reply);
    // The same checks as for a supplement: size before and after download, type by content.
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
        let sent = Upload {
            paper_code: file.paper_code.clone(),
            file_name: file.file_name.clone(),
            mime: file.mime.clone(),
            bytes,
        };
        match upload(&mut state.drafts[i], sent, &token, ctx).await {
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
    let mut out = go_on(state, &key, After::Paper, ctx);
    out.effects.insert(0, Effect::EditChecklist(list));
    out.effects.insert(1, Effect::Send(received));
    out
}
