//! The public lookup's second factor (the last 4 digits of the applicant's CCCD): wrong ones
//! are counted per dossier code and per client, and after `MAX_WRONG` in `WINDOW_SECS` both
//! are refused for a while (429 with `Retry-After`), so the 10 000 possible values cannot be
//! tried.

use std::net::SocketAddr;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::headers::bearer;
use super::store::lookup_failures::{self, By};
use crate::db::now_unix;
use crate::secret::same_secret;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Wrong second factors allowed per code and per client in the window.
pub const MAX_WRONG: i64 = 5;
/// The window the wrong ones are counted in.
pub const WINDOW_SECS: i64 = 15 * 60;
/// The header a service holding the service token (the bot) names its end user with, so that
/// one citizen's mistakes do not lock out everyone behind the same service.
pub const CLIENT_HEADER: &str = "x-dvc-client";
/// Longest client name taken from that header.
const MAX_CLIENT_CHARS: usize = 64;

/// Who asks: the peer's IP address, or the end user a trusted service names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKey(pub String);

impl ClientKey {
    /// Whether a service holding the service token named the end user (else: the address).
    pub fn is_service_named(&self) -> bool {
        self.0.starts_with("service:")
    }
}

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let service = bearer(parts).is_some_and(|t| same_secret(t, app.service_token.expose()));
        let named = parts
            .headers
            .get(CLIENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.chars().count() <= MAX_CLIENT_CHARS);
        if service && let Some(name) = named {
            return Ok(Self(format!("service:{name}")));
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(Self(format!("ip:{ip}")))
    }
}

/// Refuses (429) when `code` or `client` had `MAX_WRONG` wrong second factors in the window;
/// the refusal says when the oldest of them leaves it.
pub async fn check(app: &AppState, code: &str, client: &ClientKey) -> ApiResult<()> {
    let now = now_unix();
    let since = now - WINDOW_SECS;
    lookup_failures::forget_before(app, since).await?;
    for (by, value) in [(By::Code, code), (By::Client, client.0.as_str())] {
        let times = lookup_failures::recent(app, by, value, since, MAX_WRONG).await?;
        if times.len() as i64 >= MAX_WRONG {
            // The MAX_WRONG-th newest leaving the window lets one more attempt in.
            let oldest = times.last().copied().unwrap_or(now);
            let retry_after = (oldest + WINDOW_SECS - now).max(1);
            return Err(ApiError::TooManyAttempts {
                retry_after_secs: retry_after,
            });
        }
    }
    Ok(())
}

/// Counts one wrong second factor for `code` from `client`.
pub async fn record_wrong(app: &AppState, code: &str, client: &ClientKey) -> ApiResult<()> {
    lookup_failures::insert(app, code, &client.0, now_unix()).await?;
    tracing::info!(code, "wrong second factor in a public lookup");
    Ok(())
}
