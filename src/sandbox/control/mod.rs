//! The control API: what tests, benchmarks and the web chat use to play citizens — send
//! messages, contacts, files and button presses to a bot, read a chat's transcript (waiting for
//! the bot's answer), block a chat, and read counters. Request and response types are shared
//! with [`super::client`] (see [`super::protocol`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::Inner;
use super::protocol::{ActionView, Actions, BlockRequest, BotInfo, Stats, Targets, TargetsRequest};
use super::state::{BotSlot, ChatState, Citizen};

mod send;

pub use send::send;

/// Why a control call failed; answered as `{"error": "<message>"}`.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("unknown bot token (the sandbox serves the tokens listed by GET /sandbox/bots)")]
    UnknownBot,
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self {
            ControlError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ControlError::NotFound(_) | ControlError::UnknownBot => StatusCode::NOT_FOUND,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

pub(super) type ControlResult<T> = Result<Json<T>, ControlError>;

#[derive(Debug, Default, Deserialize)]
pub struct BotQuery {
    bot: Option<String>,
}

pub(super) fn pick<'a>(
    inner: &'a Inner,
    token: Option<&str>,
) -> Result<&'a Arc<BotSlot>, ControlError> {
    let token = token.filter(|t| !t.is_empty()).unwrap_or(&inner.own_token);
    inner.bot(token).ok_or(ControlError::UnknownBot)
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ControlError> {
    body.map(|Json(v)| v)
        .map_err(|e| ControlError::BadRequest(e.body_text()))
}

/// `GET /sandbox/chats/{user_id}/actions`.
pub async fn actions(
    State(inner): State<Arc<Inner>>,
    Path(user_id): Path<i64>,
    Query(query): Query<BotQuery>,
) -> ControlResult<Actions> {
    let slot = pick(&inner, query.bot.as_deref())?;
    let bot = slot.lock();
    let actions = bot
        .chats
        .get(&user_id)
        .map(|c| {
            c.actions
                .iter()
                .map(|(action, at_ms)| ActionView {
                    action: action.clone(),
                    at_ms: *at_ms,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(Actions { actions }))
}

/// `GET /sandbox/webhook/targets`.
pub async fn targets(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<BotQuery>,
) -> ControlResult<Targets> {
    let slot = pick(&inner, query.bot.as_deref())?;
    Ok(Json(targets_of(slot)))
}

/// `POST /sandbox/webhook/targets`: deliveries spread over these URLs from now on.
pub async fn set_targets(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<BotQuery>,
    body: Result<Json<TargetsRequest>, JsonRejection>,
) -> ControlResult<Targets> {
    let req = json_body(body)?;
    let slot = pick(&inner, req.bot.as_deref().or(query.bot.as_deref()))?;
    for url in &req.urls {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(ControlError::BadRequest(format!(
                    "{url:?} is not an http(s) URL"
                )));
            }
        }
    }
    slot.lock().webhook_targets = req.urls;
    slot.notify_updates();
    Ok(Json(targets_of(slot)))
}

fn targets_of(slot: &BotSlot) -> Targets {
    let bot = slot.lock();
    Targets {
        urls: bot.webhook_targets.clone(),
        stats: bot.target_stats.clone(),
    }
}

/// `GET /sandbox/stats`.
pub async fn stats(State(inner): State<Arc<Inner>>) -> Json<Stats> {
    let c = &inner.counters;
    let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Json(Stats {
        calls: get(&c.calls),
        messages_sent: get(&c.messages_sent),
        too_many_requests: get(&c.too_many_requests),
        forbidden: get(&c.forbidden),
        bad_requests: get(&c.bad_requests),
        updates: get(&c.updates),
        webhook_deliveries: get(&c.webhook_deliveries),
        webhook_failures: get(&c.webhook_failures),
    })
}

/// `POST /sandbox/block`.
pub async fn block(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<BotQuery>,
    body: Result<Json<BlockRequest>, JsonRejection>,
) -> ControlResult<BlockRequest> {
    let req = json_body(body)?;
    let slot = pick(&inner, req.bot.as_deref().or(query.bot.as_deref()))?;
    {
        let mut bot = slot.lock();
        let chat = bot.chats.entry(req.user_id).or_insert_with(|| {
            ChatState::new(Citizen {
                id: req.user_id,
                first_name: format!("Citizen {}", req.user_id),
                language_code: None,
            })
        });
        chat.blocked = req.blocked;
        chat.touch();
    }
    slot.notify_chats();
    Ok(Json(BlockRequest { bot: None, ..req }))
}

/// `GET /sandbox/bots`.
pub async fn bots(State(inner): State<Arc<Inner>>) -> Json<serde_json::Value> {
    let bots: Vec<BotInfo> = inner
        .tokens
        .iter()
        .filter_map(|t| inner.bot(t))
        .map(|slot| {
            let bot = slot.lock();
            BotInfo {
                token: bot.token.clone(),
                id: bot.id,
                username: bot.username.clone(),
                first_name: bot.first_name.clone(),
            }
        })
        .collect();
    Json(json!({ "bots": bots }))
}

/// `GET /sandbox/files/{file_id}`: a file of a chat, as an attachment.
pub async fn file(
    State(inner): State<Arc<Inner>>,
    Path(file_id): Path<String>,
    Query(query): Query<BotQuery>,
) -> Result<Response, ControlError> {
    let slot = pick(&inner, query.bot.as_deref())?;
    let bot = slot.lock();
    let file = bot
        .files
        .get(&file_id)
        .ok_or_else(|| ControlError::NotFound(format!("no file {file_id:?}")))?;
    let name = file
        .file_name
        .clone()
        .unwrap_or_else(|| file.path.rsplit('/').next().unwrap_or("file").to_owned());
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987: attribute characters stay, every other byte is %XX.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (header::CONTENT_TYPE, file.mime_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.data.clone(),
    )
        .into_response())
}
