//! Bot API parameters from any of Telegram's encodings: query string, JSON body,
//! `application/x-www-form-urlencoded` or `multipart/form-data` (files as parts, other
//! parameters as text fields, so `reply_markup` may arrive as a JSON string).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

/// Uploads larger than this are refused (Telegram's limit for bots).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// A file part of a multipart request.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// The parameters of one call, whatever their encoding.
#[derive(Debug, Default)]
pub struct Params {
    fields: Map<String, Value>,
    files: HashMap<String, Upload>,
}

impl Params {
    /// Reads the query string and the body of `request`.
    pub async fn from_request(request: Request) -> ApiResult<Self> {
        let mut params = Params::default();
        if let Some(query) = request.uri().query() {
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                params
                    .fields
                    .insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, &())
                .await
                .map_err(|e| ApiError::bad_request(format!("can't parse multipart body: {e}")))?;
            loop {
                let field = match multipart.next_field().await {
                    Ok(Some(field)) => field,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(ApiError::bad_request(format!(
                            "can't parse multipart body: {e}"
                        )));
                    }
                };
                let Some(name) = field.name().map(str::to_owned) else {
                    continue;
                };
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                let data = field.bytes().await.map_err(|e| {
                    ApiError::bad_request(format!("can't read multipart part: {e}"))
                })?;
                if file_name.is_some() {
                    params.files.insert(
                        name,
                        Upload {
                            file_name: file_name.filter(|n| !n.is_empty()),
                            content_type,
                            data,
                        },
                    );
                } else {
                    let text = String::from_utf8_lossy(&data).into_owned();
                    params.fields.insert(name, Value::String(text));
                }
            }
            return Ok(params);
        }
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError::bad_request(format!("can't read the request body: {e}")))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            for (key, value) in url::form_urlencoded::parse(&body) {
                params
                    .fields
                    .insert(key.into_owned(), Value::String(value.into_owned()));
            }
            return Ok(params);
        }
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => params.fields.extend(map),
            Ok(_) => return Err(ApiError::bad_request("the body must be a JSON object")),
            Err(e) => return Err(ApiError::bad_request(format!("can't parse JSON body: {e}"))),
        }
        Ok(params)
    }

    fn raw(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// Whether the parameter is present at all.
    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some() || self.files.contains_key(name)
    }

    /// A string parameter; numbers are accepted and written out.
    pub fn opt_str(&self, name: &str) -> ApiResult<Option<String>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
        }
    }

    /// A required string parameter.
    pub fn str(&self, name: &str) -> ApiResult<String> {
        self.opt_str(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// An integer parameter; numeric strings are accepted (form and multipart encodings).
    pub fn opt_i64(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("{name} must be an integer"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("{name} must be an integer"))),
            Some(_) => Err(ApiError::bad_request(format!("{name} must be an integer"))),
        }
    }

    /// A required integer parameter.
    pub fn i64(&self, name: &str) -> ApiResult<i64> {
        self.opt_i64(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// A boolean parameter (`true`/`false`/`1`/`0` as strings too); absent is `false`.
    pub fn bool(&self, name: &str) -> ApiResult<bool> {
        match self.raw(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => Ok(n.as_i64() != Some(0)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" | "false" | "0" => Ok(false),
                "true" | "1" => Ok(true),
                _ => Err(ApiError::bad_request(format!("{name} must be a boolean"))),
            },
            Some(_) => Err(ApiError::bad_request(format!("{name} must be a boolean"))),
        }
    }

    /// A JSON parameter, given as JSON or as a string holding JSON (form and multipart encodings).
    pub fn opt_json(&self, name: &str) -> ApiResult<Option<Value>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("can't parse {name} JSON object"))),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// A file parameter: an uploaded part (named after the parameter or referenced by
    /// `attach://<part>`), or a string that names an existing file.
    pub fn file(&self, name: &str) -> ApiResult<Option<FileParam>> {
        if let Some(upload) = self.files.get(name) {
            return Ok(Some(FileParam::Upload(upload.clone())));
        }
        let Some(value) = self.opt_str(name)? else {
            return Ok(None);
        };
        if let Some(part) = value.strip_prefix("attach://") {
            return match self.files.get(part) {
                Some(upload) => Ok(Some(FileParam::Upload(upload.clone()))),
                None => Err(ApiError::bad_request(format!(
                    "can't find attached file \"{part}\""
                ))),
            };
        }
        if value.is_empty() {
            return Ok(None);
        }
        Ok(Some(FileParam::Existing(value)))
    }
}

/// How a file is given to sendDocument / sendPhoto.
#[derive(Debug, Clone)]
pub enum FileParam {
    /// Bytes uploaded with the call.
    Upload(Upload),
    /// A `file_id` (or a URL, which the offline sandbox cannot fetch).
    Existing(String),
}
