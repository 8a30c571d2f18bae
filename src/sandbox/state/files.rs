//! The files a bot holds: how they are stored and named, and the MIME types and image sizes
//! read from them.

use axum::body::Bytes;

use super::BotState;

/// A file the bot holds: uploaded by it or sent by a user.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub file_id: String,
    pub unique_id: String,
    pub path: String,
    pub file_name: Option<String>,
    pub mime_type: String,
    pub data: Bytes,
    /// Width and height, for photos.
    pub dimensions: Option<(u32, u32)>,
}

impl BotState {
    /// Stores a file and returns its id.
    pub fn store_file(
        &mut self,
        folder: &str,
        file_name: Option<String>,
        mime_type: String,
        data: Bytes,
        dimensions: Option<(u32, u32)>,
    ) -> String {
        let n = self.next_file;
        self.next_file += 1;
        let file_id = format!("{}-{}-{n:06}", folder_prefix(folder), self.id);
        let ext = extension(file_name.as_deref(), &mime_type);
        let path = format!("{folder}/file_{n}.{ext}");
        self.file_paths.insert(path.clone(), file_id.clone());
        self.files.insert(
            file_id.clone(),
            StoredFile {
                file_id: file_id.clone(),
                unique_id: format!("AgAD{}x{n}", self.id),
                path,
                file_name,
                mime_type,
                data,
                dimensions,
            },
        );
        file_id
    }
}

fn folder_prefix(folder: &str) -> &'static str {
    match folder {
        "photos" => "AgAC",
        _ => "BQAC",
    }
}

fn extension(file_name: Option<&str>, mime_type: &str) -> String {
    if let Some(ext) = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return ext;
    }
    match mime_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
    .into()
}

/// The MIME type Telegram would report for a file name.
pub fn guess_mime(file_name: Option<&str>) -> String {
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "txt" => "text/plain",
        "json" => "application/json",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
    .into()
}

/// A MIME type safe to store and serve: the given one if it looks like `type/subtype`
/// (and says more than `application/octet-stream`), else a guess from the file name.
pub fn clean_mime(given: Option<&str>, file_name: Option<&str>) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
    };
    match given.map(|m| m.trim().to_ascii_lowercase()) {
        Some(m)
            if m != "application/octet-stream"
                && m.split_once('/').is_some_and(|(t, s)| token(t) && token(s)) =>
        {
            m
        }
        _ => guess_mime(file_name),
    }
}

/// Width and height of a PNG, GIF or JPEG image, read from its header.
pub fn image_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    let be16 = |b: &[u8]| u32::from(u16::from_be_bytes([b[0], b[1]]));
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        return Some((w, h));
    }
    if data.len() >= 10 && data.starts_with(b"GIF8") {
        let w = u32::from(u16::from_le_bytes([data[6], data[7]]));
        let h = u32::from(u16::from_le_bytes([data[8], data[9]]));
        return Some((w, h));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = data[i + 1];
            let len = be16(&data[i + 2..i + 4]) as usize;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let h = be16(&data[i + 5..i + 7]);
                let w = be16(&data[i + 7..i + 9]);
                return Some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_and_jpeg_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x20, 0x00, 0x40, 0x03, 0x00, 0x00,
        ];
        assert_eq!(image_dimensions(&jpeg), Some((64, 32)));
        assert_eq!(image_dimensions(b"nope"), None);
    }
}
