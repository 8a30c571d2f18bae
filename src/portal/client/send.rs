//! Sending one call to the portal: retries of idempotent calls with jittered backoff and
//! `Retry-After`, all under one overall deadline, and error answers mapped to [`PortalError`].

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::{Client, RequestBuilder, Response, StatusCode, header};
use tokio::time::Instant;

use super::{PortalError, PortalResult};
use crate::portal::model::ApiErrorBody;

/// How long a citizen may wait for one portal call, all attempts and pauses included: past it
/// the bot says the portal is unreachable instead of staying silent.
pub const INTERACTIVE_DEADLINE: Duration = Duration::from_secs(6);
/// The same for calls nobody waits on in the chat (the event feed).
pub const BACKGROUND_DEADLINE: Duration = Duration::from_secs(30);
/// One upload of papers (up to 20 MB each, sent once: a multipart body is not rebuilt).
pub const UPLOAD_DEADLINE: Duration = Duration::from_secs(60);
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Attempts of an idempotent call (GET, or POST with an Idempotency-Key) before giving up.
const ATTEMPTS: usize = 3;
/// First pause between attempts (doubled each time, with jitter).
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// Longest pause between attempts, unless the portal's `Retry-After` asks for more.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// One failed attempt: the error to report, and whether another attempt may help.
struct Failure {
    error: PortalError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn last(error: PortalError) -> Self {
        Self {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

/// Sends the request built by `build`. When `retry` (idempotent calls only), connect errors,
/// timeouts, 5xx and 429 are tried again after a jittered backoff or the answer's
/// `Retry-After`, as long as the next attempt can start before `deadline` has passed.
pub(super) async fn send(
    http: &Client,
    retry: bool,
    deadline: Duration,
    build: impl Fn(&Client) -> RequestBuilder,
) -> PortalResult<Response> {
    let end = Instant::now() + deadline;
    let attempt = || async {
        let left = end.saturating_duration_since(Instant::now());
        attempt_once(build(http).timeout(left)).await
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(FIRST_BACKOFF)
        .with_max_delay(MAX_BACKOFF)
        .with_max_times(if retry { ATTEMPTS - 1 } else { 0 })
        .with_jitter();
    attempt
        .retry(backoff)
        .when(|f: &Failure| f.retryable)
        .adjust(|f: &Failure, pause: Option<Duration>| {
            // No pause left means no attempt left; the portal's Retry-After wins over ours,
            // and a pause that would end past the deadline is not worth taking.
            let pause = f.retry_after.unwrap_or(pause?);
            (Instant::now() + pause < end).then_some(pause)
        })
        .await
        .map_err(|f| f.error)
}

/// Sends a request that cannot be rebuilt (a multipart body) once, within `deadline`.
pub(super) async fn send_once(
    request: RequestBuilder,
    deadline: Duration,
) -> PortalResult<Response> {
    attempt_once(request.timeout(deadline))
        .await
        .map_err(|f| f.error)
}

/// One attempt, timed by route and outcome (`telemetry::portal_attempt`).
async fn attempt_once(request: RequestBuilder) -> Result<Response, Failure> {
    let (client, request) = request.build_split();
    let request = match request {
        Ok(r) => r,
        Err(e) => return Err(Failure::last(PortalError::Unreachable(e.to_string()))),
    };
    let route = crate::telemetry::portal_route(request.method(), request.url());
    let started = std::time::Instant::now();
    let answer = client.execute(request).await;
    crate::telemetry::portal_attempt(
        route,
        answer.as_ref().ok().map(|r| r.status().as_u16()),
        started.elapsed().as_secs_f64(),
    );
    match answer {
        Ok(r) if r.status().is_success() => Ok(r),
        Ok(r) if r.status().is_server_error() => Err(Failure {
            error: PortalError::Unreachable(format!("HTTP {}", r.status())),
            retryable: true,
            retry_after: retry_after(&r),
        }),
        Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
            let retry_after = retry_after(&r);
            Err(Failure {
                error: error_of(r).await,
                retryable: true,
                retry_after,
            })
        }
        Ok(r) => Err(Failure::last(error_of(r).await)),
        Err(e) if e.is_connect() || e.is_timeout() || e.is_request() => Err(Failure {
            error: PortalError::Unreachable(e.to_string()),
            retryable: true,
            retry_after: None,
        }),
        Err(e) => Err(Failure::last(PortalError::Unreachable(e.to_string()))),
    }
}

/// The answer's `Retry-After` in seconds (the portal never sends the date form).
fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Maps an error answer to a [`PortalError`] by status and body.
pub(super) async fn error_of(response: Response) -> PortalError {
    let status = response.status();
    let wait = retry_after(&response);
    let body: Option<ApiErrorBody> = response.json().await.ok();
    let message = body
        .as_ref()
        .map(|b| b.message.clone())
        .unwrap_or_else(|| status.to_string());
    match (status, body) {
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => PortalError::Unauthorized,
        (StatusCode::TOO_MANY_REQUESTS, Some(b)) if b.error == "too_many_attempts" => {
            PortalError::TooManyAttempts {
                until: b.until.unwrap_or_else(|| {
                    chrono::Utc::now()
                        + wait
                            .and_then(|w| chrono::Duration::from_std(w).ok())
                            .unwrap_or_else(|| chrono::Duration::seconds(60))
                }),
            }
        }
        (StatusCode::NOT_FOUND, _) => PortalError::NotFound,
        (StatusCode::CONFLICT, Some(b)) if b.error == "duplicate" => {
            PortalError::Duplicate { message }
        }
        (StatusCode::CONFLICT, _) => PortalError::Conflict { message },
        (StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY, b)
        | (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE, b) => {
            let (missing, fields) = b.map(|b| (b.missing, b.fields)).unwrap_or_default();
            PortalError::Invalid {
                message,
                missing,
                fields,
            }
        }
        _ => PortalError::Other {
            status: status.as_u16(),
            message,
        },
    }
}
