//! The checks every paper sent in the chat goes through, for a new dossier and for a
//! supplement alike: a document or a photo, refused over 20 MB before download or over the
//! paper's limit, its type checked by content, its file name made acceptable to the portal.

use crate::domain::is_format_char;
use crate::portal::model::{FileType, Paper};

use crate::bot::context::Ctx;
use crate::bot::input::Input;
use crate::bot::reply::{Reply, Text};

/// The largest file a bot may download from Telegram.
pub const TELEGRAM_DOWNLOAD_MAX: u32 = 20 * 1024 * 1024;

/// A file the citizen sent for a paper: Telegram's file id, a clean name, the announced size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub file_id: String,
    pub file_name: String,
    pub size: u32,
}

/// The file of `input` for `paper`, if the input is a document or a photo.
pub fn sent(input: &Input, paper: &Paper) -> Option<Sent> {
    match input {
        Input::Document {
            file_id,
            file_name,
            size,
            ..
        } => Some(Sent {
            file_id: file_id.clone(),
            file_name: file_name
                .as_deref()
                .and_then(clean_file_name)
                .unwrap_or_else(|| format!("{}.pdf", paper.code)),
            size: *size,
        }),
        Input::Photo { file_id, size } => Some(Sent {
            file_id: file_id.clone(),
            file_name: format!("{}.jpg", paper.code),
            size: *size,
        }),
        _ => None,
    }
}

/// Downloads a sent file and checks it against `paper`: its bytes and type, or the reply
/// that says why it is refused.
pub async fn fetch(
    paper: &Paper,
    sent: &Sent,
    paper_name: &str,
    ctx: &Ctx<'_>,
) -> Result<(Vec<u8>, FileType), Reply> {
    // Refused before downloading: Telegram gives bots files up to 20 MB only.
    if sent.size > TELEGRAM_DOWNLOAD_MAX {
        return Err(Reply::new(
            Text::msg("paper-too-big-telegram").arg("max_mb", "20"),
        ));
    }
    let too_big =
        || Reply::new(Text::msg("paper-too-big").arg("max_mb", megabytes(paper.max_bytes)));
    if u64::from(sent.size) > paper.max_bytes {
        return Err(too_big());
    }
    let bytes = match ctx.services.files.download(&sent.file_id).await {
        Ok(b) => b,
        Err(error) => {
            tracing::warn!(%error, "paper download failed");
            return Err(Reply::msg("paper-download-failed"));
        }
    };
    if bytes.len() as u64 > paper.max_bytes {
        return Err(too_big());
    }
    // The content decides the type, not the name.
    match FileType::sniff(&bytes).filter(|k| paper.accepted.contains(k)) {
        Some(kind) => Ok((bytes, kind)),
        None => Err(Reply::new(
            Text::msg("paper-wrong-type")
                .arg("paper", paper_name)
                .arg("types", type_names(paper)),
        )),
    }
}

/// The accepted types as a citizen reads them: "PDF, JPEG, PNG".
pub fn type_names(paper: &Paper) -> String {
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

/// A size limit as a citizen reads it: "5", "1,5" (MB).
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
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

#[cfg(test)]
mod portal_names {

    use super::clean_file_name;

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
