//! Uploaded files: type checked by content (magic bytes), names checked, stored on disk
//! content-addressed by SHA-256.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::is_format_char;
use crate::portal::model::FileType;

/// Longest file name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 120;

/// The type of `bytes` by their first bytes, whatever the name says (shared with the bot).
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    FileType::sniff(bytes)
}

/// A file name as given by a client, checked: no path parts, no control characters, not
/// hidden, not empty. `None` when it must be refused.
pub fn check_file_name(name: &str) -> Option<String> {
    let name = name.trim();
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\', ':'])
        || name.contains("..")
        || name.chars().any(char::is_control)
        || name.chars().any(is_format_char)
        || name.chars().count() > MAX_FILE_NAME_CHARS;
    (!bad).then(|| name.to_owned())
}

/// A name safe to put in a Content-Disposition header (quotes and non-ASCII replaced).
pub fn header_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A `Content-Disposition` value: an ASCII `filename` for old clients and the exact name as
/// RFC 5987 `filename*` (UTF-8, percent-encoded).
pub fn content_disposition(kind: &str, name: &str) -> String {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "{kind}; filename=\"{}\"; filename*=UTF-8''{encoded}",
        header_file_name(name)
    )
}

/// Files on disk under `root/ab/abcdef…` (the SHA-256 in hex).
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let hex_ok = sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit());
        hex_ok.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` (once per content) and returns their SHA-256 in hex.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self
            .path_of(&sha)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(sha);
        }
        let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
        let (dir, file, data) = (
            path.parent().map(Path::to_path_buf),
            tmp.clone(),
            bytes.to_vec(),
        );
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = dir {
                crate::private_files::create_dir_all(&dir)?;
            }
            crate::private_files::write_new(&file, &data)
        })
        .await
        .map_err(std::io::Error::other)??;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(sha)
    }

    pub async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        tokio::fs::read(path).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some(FileType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileType::Png));
        assert_eq!(sniff(b"MZ\x90\x00 an exe named x.pdf"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn file_names() {
        assert_eq!(
            check_file_name(" giấy khai sinh.pdf "),
            Some("giấy khai sinh.pdf".into())
        );
        for bad in [
            "../../etc/passwd",
            "a/b.pdf",
            "a\\b.pdf",
            ".env",
            "",
            "x\u{0}.pdf",
            "C:x",
            "\u{202E}gpj.pdf",
            "a\u{200B}.pdf",
        ] {
            assert_eq!(check_file_name(bad), None, "{bad:?}");
        }
        assert_eq!(header_file_name("kết \"quả\".pdf"), "k_t _qu__.pdf");
        assert_eq!(
            content_disposition("attachment", "kết quả.pdf"),
            "attachment; filename=\"k_t qu_.pdf\"; filename*=UTF-8''k%E1%BA%BFt%20qu%E1%BA%A3.pdf"
        );
    }

    #[tokio::test]
    async fn content_addressed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let a = store.put(b"%PDF-1 same").await.unwrap();
        let b = store.put(b"%PDF-1 same").await.unwrap();
        assert_eq!(a, b);
        assert!(dir.path().join(&a[..2]).join(&a).exists());
        assert_eq!(store.get(&a).await.unwrap(), b"%PDF-1 same");
        assert!(store.get("../../etc/passwd").await.is_err());
    }
}
