//! The files a portal call carries: the multipart form of uploads, and the name of a
//! downloaded file from its `Content-Disposition`.

use crate::portal::client::{PortalError, PortalResult, Upload};

pub(super) fn form_of(files: &[Upload]) -> PortalResult<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new();
    for file in files {
        let part = reqwest::multipart::Part::bytes(file.bytes.clone())
            .file_name(file.file_name.clone())
            .mime_str(&file.mime)
            .map_err(|_| PortalError::Invalid {
                message: format!("not a MIME type: {}", file.mime),
                missing: Vec::new(),
                fields: Vec::new(),
            })?;
        form = form.part(file.paper_code.clone(), part);
    }
    Ok(form)
}

/// The file name of a `Content-Disposition` value: `filename*=UTF-8''…` first, else `filename`.
pub(super) fn disposition_file_name(value: &str) -> Option<String> {
    let extended = value
        .split(';')
        .find_map(|p| p.trim().strip_prefix("filename*=UTF-8''"))
        .and_then(|enc| {
            let bytes = enc.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = enc.get(i + 1..i + 3)?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).ok()
        });
    extended.or_else(|| {
        value
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::disposition_file_name;

    #[test]
    fn file_names_from_content_disposition() {
        let v =
            "attachment; filename=\"k_t qu_.pdf\"; filename*=UTF-8''k%E1%BA%BFt%20qu%E1%BA%A3.pdf";
        assert_eq!(disposition_file_name(v).as_deref(), Some("kết quả.pdf"));
        assert_eq!(
            disposition_file_name("attachment; filename=\"a.pdf\"").as_deref(),
            Some("a.pdf")
        );
        assert_eq!(
            disposition_file_name("attachment; filename*=UTF-8''%ZZ").as_deref(),
            None
        );
    }
}
