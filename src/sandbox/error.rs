//! Bot API errors in Telegram's shape: `{"ok": false, "error_code", "description", "parameters"?}`.
//!
//! Every client mistake is a 4xx here: teloxide sleeps 10 s after any 5xx, so a 5xx would turn a
//! bot's bug into a mysterious stall.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One failed Bot API call, as Telegram would describe it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} {description}")]
pub struct ApiError {
    /// HTTP status and `error_code`.
    pub code: u16,
    /// Telegram's description, e.g. `Bad Request: message text is empty`.
    pub description: String,
    /// `parameters.retry_after` of a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400 `Bad Request: <what>`.
    pub fn bad_request(what: impl AsRef<str>) -> Self {
        Self::new(400, format!("Bad Request: {}", what.as_ref()))
    }

    /// 400 for a missing required parameter, worded like Telegram (`chat_id is empty`).
    pub fn missing(name: &str) -> Self {
        Self::bad_request(format!("{name} is empty"))
    }

    /// 401 for a token the sandbox does not serve.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized")
    }

    /// 403 for a chat whose user blocked the bot.
    pub fn blocked() -> Self {
        Self::new(403, "Forbidden: bot was blocked by the user")
    }

    /// 404 for an unknown method or file.
    pub fn not_found() -> Self {
        Self::new(404, "Not Found")
    }

    /// 409 `Conflict: <what>`.
    pub fn conflict(what: impl AsRef<str>) -> Self {
        Self::new(409, format!("Conflict: {}", what.as_ref()))
    }

    /// 429 with `parameters.retry_after`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    /// 400 `Bad Request: chat not found`.
    pub fn chat_not_found() -> Self {
        Self::bad_request("chat not found")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(retry_after) = self.retry_after {
            body["parameters"] = json!({ "retry_after": retry_after });
        }
        (status, Json(body)).into_response()
    }
}

/// Result of a Bot API method: the `result` value or Telegram's error.
pub type ApiResult<T = serde_json::Value> = Result<T, ApiError>;

/// The successful envelope `{"ok": true, "result": …}`.
pub fn ok(result: serde_json::Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}
