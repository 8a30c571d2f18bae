//! The papers of a dossier (thành phần hồ sơ), one by one: each accepted as a document or a
//! photo, refused over 20 MB before download, type checked by content, uploaded to the portal
//! when it answers (else kept by Telegram file id for later), with a checklist message that
//! updates itself (✅ / ⬜ / ➖) and "skip" for the optional ones.

use crate::db::now_unix;
use crate::domain::is_format_char;
use crate::i18n::Locale;
use crate::portal::client::{PortalError, Upload};
use crate::portal::model::{FileType, Paper};

use super::super::callback::Callback;
use super::super::reply::{Effect, Keyboard, Reply, Text};
use super::super::state::{Draft, PaperFile, State, Step};
use super::review::{ask_delivery, ensure_created};
use super::submit::{Out, find, gone, paper_name, to};
use super::{Ctx, Input};

/// The largest file a bot may download from Telegram.
pub const TELEGRAM_DOWNLOAD_MAX: u32 = 20 * 1024 * 1024;

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

/// The accepted types as a citizen reads them: "PDF, JPEG, PNG".
fn type_names(paper: &Paper) -> String {
    let names: Vec<&str> = paper
        .accepted
        .iter()
        .map(|t| match t {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
        })
        .collect();
    names.join(", ")
}

/// A file name from Telegram made acceptable to the portal: no folders, no `:` or control
/// characters, not hidden, at most 100 characters. None if nothing is left.
fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !is_format_char(*c))
        .map(|c| if c == ':' || c.is_control() { '_' } else { c })
        .collect::<String>()
        .replace("..", ".");
    let cleaned = cleaned
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(100)
        .collect::<String>();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
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
    let (file_id, file_name, size) = match input {
        Input::Document {
            file_id,
            file_name,
            size,
            ..
        } => {
            let name = file_name
                .as_deref()
                .and_then(clean_file_name)
                .unwrap_or_else(|| format!("{}.pdf", paper.code));
            (file_id, name, size)
        }
        Input::Photo { file_id, size } => (file_id, format!("{}.jpg", paper.code), size),
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
        _ => {
            let mut out = ask_paper(state, &key, ctx);
            out.effects
                .insert(0, Effect::Send(Reply::msg("hint-paper")));
            return out;
        }
    };
    let stay =
        |state: State, reply: Reply| to(state, Step::Papers { key: key.clone() }).send(reply);
    // Refused before downloading: Telegram gives bots files up to 20 MB only.
    if size > TELEGRAM_DOWNLOAD_MAX {
        return stay(
            state,
            Reply::new(Text::msg("paper-too-big-telegram").arg("max_mb", "20")),
        );
    }
    if u64::from(size) > paper.max_bytes {
        return stay(
            state,
            Reply::new(Text::msg("paper-too-big").arg("max_mb", megabytes(paper.max_bytes))),
        );
    }
    let bytes = match ctx.services.files.download(&file_id).await {
        Ok(b) => b,
        Err(error) => {
            tracing::warn!(%error, "paper download failed");
            return stay(state, Reply::msg("paper-download-failed"));
        }
    };
    if bytes.len() as u64 > paper.max_bytes {
        return stay(
            state,
            Reply::new(Text::msg("paper-too-big").arg("max_mb", megabytes(paper.max_bytes))),
        );
    }
    // The content decides the type, not the name.
    let Some(kind) = FileType::sniff(&bytes).filter(|k| paper.accepted.contains(k)) else {
        return stay(
            state,
            Reply::new(
                Text::msg("paper-wrong-type")
                    .arg("paper", paper_name(&paper, ctx.locale))
                    .arg("types", type_names(&paper)),
            ),
        );
    };
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

#[cfg(test)]
mod tests {
    use super::{clean_file_name, megabytes};

    #[test]
    fn file_names_are_cleaned_for_the_portal() {
        assert_eq!(clean_file_name("scan.pdf").as_deref(), Some("scan.pdf"));
        assert_eq!(
            clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name("C:\\Users\\a\\giấy tờ.pdf").as_deref(),
            Some("giấy tờ.pdf")
        );
        assert_eq!(clean_file_name("a:b..pdf").as_deref(), Some("a_b.pdf"));
        assert_eq!(clean_file_name(".hidden").as_deref(), Some("hidden"));
        assert_eq!(clean_file_name("..."), None);
    }

    #[test]
    fn megabytes_read_naturally() {
        assert_eq!(megabytes(5 * 1024 * 1024), "5");
        assert_eq!(megabytes(1536 * 1024), "1,5");
    }
}
