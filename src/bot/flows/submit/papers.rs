//! The papers of a dossier (thành phần hồ sơ), one by one: each accepted as a document or a
//! photo, refused over 20 MB before download, type checked by content, uploaded to the portal
//! when it answers (else kept by Telegram file id for later), with a checklist message that
//! updates itself (✅ / ⬜ / ➖) and "skip" for the optional ones.

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::flows::common::stale_button;
use crate::bot::input::Input;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{PaperFile, State, Step};
use crate::db::now_unix;
use crate::domain::is_format_char;
use crate::portal::client::{PortalError, Upload};
use crate::portal::model::FileType;

use super::ask::{ask_paper, checklist, megabytes, type_names};
use super::draft::{Out, find, gone, paper_name, to, upload};
use super::next::{After, go_on};

/// The largest file a bot may download from Telegram.
pub const TELEGRAM_DOWNLOAD_MAX: u32 = 20 * 1024 * 1024;

/// A file name from Telegram made acceptable to the portal: no folders, no `:` or control
/// characters, no run of dots (`a...pdf` is `a.pdf`), not hidden, at most 100 characters.
/// None if nothing is left.
fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut cleaned = String::with_capacity(base.len());
    for c in base.chars().filter(|c| !is_format_char(*c)) {
        let c = if c == ':' || c.is_control() { '_' } else { c };
        if !(c == '.' && cleaned.ends_with('.')) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .chars()
        .take(100)
        .collect::<String>();
    let cleaned = cleaned.trim_end();
    (!cleaned.is_empty()).then(|| cleaned.to_owned())
}

/// A paper sent as a document or a photo (or "skip" for an optional one).
pub async fn receive_paper(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let Some(p) = state.drafts[i].next_paper() else {
        return go_on(state, &key, After::Paper, ctx);
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
        _ => {
            let mut out = ask_paper(state, &key, p, ctx);
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

#[cfg(test)]
mod tests {
    use super::clean_file_name;

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

    /// Issue 13.6: whatever Telegram gives, a cleaned name is one the portal accepts.
    #[test]
    fn cleaned_names_are_names_the_portal_accepts() {
        use crate::portal::server::files::check_file_name;
        assert_eq!(
            clean_file_name("Giay phep...pdf").as_deref(),
            Some("Giay phep.pdf")
        );
        let long = "á.".repeat(200);
        for name in [
            "Giay phep...pdf",
            "a....b..c",
            " . .pdf",
            "x\u{202E}fdp.exe",
            "a\u{0}b\r\n.pdf",
            long.as_str(),
            "con:fig..",
            "..\\..\\x",
            "a/b/ .. ",
            "\u{200B}.\u{200B}.x",
        ] {
            if let Some(clean) = clean_file_name(name) {
                assert_eq!(
                    check_file_name(&clean).as_deref(),
                    Some(clean.as_str()),
                    "{name:?} → {clean:?}"
                );
            }
        }
    }
}
