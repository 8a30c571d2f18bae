//! Reading multipart uploads against a procedure's papers: each part is named by a paper code,
//! checked for size while it streams in, then by content type, then stored.

use axum::extract::Multipart;
use axum::http::StatusCode;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::files::{check_file_name, sniff};
use super::store::documents::{self, NewDocument};
use crate::portal::model::{FileType, Paper, Procedure};

/// Most files in one request.
const MAX_FILES_PER_REQUEST: usize = 10;

/// A checked upload, not yet stored.
pub struct Incoming {
    pub paper: Paper,
    pub file_name: String,
    pub file_type: FileType,
    pub bytes: Vec<u8>,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    let status = e.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "too_large"
    } else {
        "bad_multipart"
    };
    ApiError::client(status, code, e.body_text())
}

/// Reads every part of `multipart` as a paper of `procedure`.
pub async fn read(procedure: &Procedure, mut multipart: Multipart) -> ApiResult<Vec<Incoming>> {
    let mut out = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if out.len() >= MAX_FILES_PER_REQUEST {
            return Err(ApiError::invalid(format!(
                "at most {MAX_FILES_PER_REQUEST} files per request"
            )));
        }
        let code = field.name().unwrap_or("").to_owned();
        let paper = procedure
            .papers
            .iter()
            .find(|p| p.code == code)
            .cloned()
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "{:?} is not a paper of procedure {}; expected one of: {}",
                    code,
                    procedure.summary.code,
                    procedure
                        .papers
                        .iter()
                        .map(|p| p.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let file_name = field.file_name().and_then(check_file_name).ok_or_else(|| {
            ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_file_name",
                "the file name must be a plain name: no folders, no '..', no control characters",
            )
        })?;
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if (bytes.len() + chunk.len()) as u64 > paper.max_bytes {
                return Err(ApiError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "file_too_large",
                    format!(
                        "{file_name} is larger than the {} allowed for \"{}\"",
                        mb(paper.max_bytes),
                        paper.name_vi
                    ),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        let accepted = |t: &FileType| paper.accepted.contains(t);
        let allowed = paper
            .accepted
            .iter()
            .map(|t| format!("{t:?}").to_uppercase())
            .collect::<Vec<_>>()
            .join(", ");
        let file_type = sniff(&bytes).filter(accepted).ok_or_else(|| {
            ApiError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "wrong_file_type",
                format!(
                    "{file_name} is not an accepted file for \"{}\": accepted types are {allowed} \
                     (checked by content, not by name)",
                    paper.name_vi
                ),
            )
        })?;
        out.push(Incoming {
            paper,
            file_name,
            file_type,
            bytes,
        });
    }
    if out.is_empty() {
        return Err(ApiError::invalid(
            "no file: send each file as a multipart part named by its paper code",
        ));
    }
    Ok(out)
}

/// Stores the files and records them as documents of dossier `id`, with the upload's
/// idempotency key if it had one.
pub async fn store(
    app: &AppState,
    id: i64,
    files: Vec<Incoming>,
    upload_key: Option<&str>,
) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::new();
    for f in files {
        let sha = app.files.put(&f.bytes).await?;
        let doc = NewDocument {
            dossier_id: id,
            paper_code: &f.paper.code,
            file_name: &f.file_name,
            mime: f.file_type.mime(),
            size: f.bytes.len() as i64,
            sha256: &sha,
            upload_key,
        };
        ids.push(documents::insert(app, doc).await?);
    }
    Ok(ids)
}
