//! The portal's errors and the extractors that turn every client mistake into a JSON 4xx.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::de::DeserializeOwned;
use thiserror::Error;

use crate::portal::model::{ApiErrorBody, FieldError, MissingItem};

#[derive(Debug, Error)]
pub enum ApiError {
    /// A client mistake with its status and stable code.
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// 422: values refused or required items missing.
    #[error("{message}")]
    Invalid {
        message: String,
        missing: Vec<MissingItem>,
        fields: Vec<FieldError>,
    },
    /// 429 with `Retry-After`: too many failed logins lately (see `throttle`).
    #[error("too many failed logins; retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn unauthorized() -> Self {
        Self::client(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }
    pub fn not_found(what: &str) -> Self {
        Self::client(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, "conflict", message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            missing: Vec::new(),
            fields: Vec::new(),
        }
    }
    /// 422 for one field, with a sentence saying why.
    pub fn field_because(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            missing: Vec::new(),
            fields: vec![FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
            }],
        }
    }
    pub fn field(field: &str, code: &str) -> Self {
        Self::Invalid {
            message: format!("{field} is not valid ({code})"),
            missing: Vec::new(),
            fields: vec![FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
            }],
        }
    }

    fn status_and_body(&self) -> (StatusCode, ApiErrorBody) {
        let body = |code: &str, message: String| ApiErrorBody {
            error: code.to_owned(),
            message,
            missing: Vec::new(),
            fields: Vec::new(),
            until: None,
        };
        match self {
            Self::Client {
                status,
                code,
                message,
            } => (*status, body(code, message.clone())),
            Self::Invalid {
                message,
                missing,
                fields,
            } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiErrorBody {
                    missing: missing.clone(),
                    fields: fields.clone(),
                    ..body("invalid", message.clone())
                },
            ),
            Self::TooManyAttempts { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                ApiErrorBody {
                    until: Some(Utc::now() + chrono::Duration::seconds(*retry_after_secs)),
                    ..body(
                        "too_many_attempts",
                        format!("too many failed logins; try again in {retry_after_secs} seconds"),
                    )
                },
            ),
            // A stored paper missing from disk (a data folder restored without its files, say):
            // the record stays, the file is gone.
            Self::Io(e) if e.kind() == std::io::ErrorKind::NotFound => (
                StatusCode::GONE,
                body(
                    "file_missing",
                    "the stored file is no longer on disk".into(),
                ),
            ),
            Self::Db(_) | Self::Io(_) | Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body("internal", "internal error".into()),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() || status == StatusCode::GONE {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, axum::Json(body)).into_response();
        if let Self::TooManyAttempts { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// Largest JSON body of an ordinary request.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// `Json<T>` whose rejections are JSON errors (malformed, unknown fields, too large); bodies
/// above `MAX` bytes are refused before they are read in full.
pub struct ApiJson<T, const MAX: usize = MAX_JSON_BYTES>(pub T);

impl<S: Send + Sync, T: DeserializeOwned, const MAX: usize> FromRequest<S> for ApiJson<T, MAX> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let too_large = || {
            ApiError::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the JSON body is larger than {MAX} bytes"),
            )
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX) {
            return Err(too_large());
        }
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, MAX)
            .await
            .map_err(|_| too_large())?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_json",
        _ => "malformed_json",
    };
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    ApiError::client(status, code, rejection.body_text())
}

/// `Query<T>` with JSON rejections.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|r: QueryRejection| ApiError::bad_request(r.body_text()))
    }
}

/// `Path<T>` with JSON rejections.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|r: PathRejection| ApiError::bad_request(r.body_text()))
    }
}

/// Last line of defence: any error answer that is not JSON (405, a layer's 413, …) becomes one.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    // JSON errors and the console's own HTML pages pass as they are.
    let already_meant = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || already_meant {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status
        .canonical_reason()
        .unwrap_or("request refused")
        .to_owned();
    ApiError::client(status, code, message).into_response()
}

/// 404 for any unknown path.
pub async fn fallback() -> ApiError {
    ApiError::not_found("route")
}
