//! The Bot API endpoint: `/bot<token>/<method>` (token check, method dispatch, error
//! accounting) and the methods about the bot itself — getMe, getUpdates, webhooks, commands,
//! getFile and `/file/bot<token>/<path>` downloads. Message methods are in [`super::messages`].

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ok};
use super::params::Params;
use super::state::{BotSlot, Webhook};
use super::{Counters, Inner, MAX_POLL_TIMEOUT_SECS, messages, telegram, webhook};

/// Most updates one getUpdates returns.
const MAX_UPDATES_PER_CALL: i64 = 100;
/// Files larger than this cannot be downloaded by bots (Telegram's getFile limit).
const MAX_DOWNLOAD_BYTES: usize = 20 * 1024 * 1024;

/// `/bot<token>/<method>` with any HTTP method.
pub async fn call(
    State(inner): State<Arc<Inner>>,
    Path((bot, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    Counters::bump(&inner.counters.calls);
    let result = dispatch(&inner, &bot, &method, request).await;
    match result {
        Ok(value) => ok(value),
        Err(error) => {
            let counter = match error.code {
                429 => &inner.counters.too_many_requests,
                403 => &inner.counters.forbidden,
                _ => &inner.counters.bad_requests,
            };
            Counters::bump(counter);
            tracing::debug!(method, code = error.code, description = %error.description, "bot api error");
            error.into_response()
        }
    }
}

async fn dispatch(inner: &Arc<Inner>, bot: &str, method: &str, request: Request) -> ApiResult {
    let Some(token) = bot.strip_prefix("bot") else {
        return Err(ApiError::not_found());
    };
    let slot = inner.bot(token).ok_or_else(ApiError::unauthorized)?.clone();
    let method = method.to_ascii_lowercase();
    if !KNOWN_METHODS.contains(&method.as_str()) {
        return Err(ApiError::not_found());
    }
    let params = Params::from_request(request).await?;
    match method.as_str() {
        "getme" => Ok(get_me(&slot)),
        "getupdates" => get_updates(inner, &slot, &params).await,
        "setwebhook" => set_webhook(inner, &slot, &params),
        "deletewebhook" => delete_webhook(&slot, &params),
        "getwebhookinfo" => Ok(webhook_info(&slot)),
        "setmycommands" => set_my_commands(&slot, &params),
        "getmycommands" => get_my_commands(&slot, &params),
        "deletemycommands" => delete_my_commands(&slot, &params),
        "getfile" => get_file(&slot, &params),
        "logout" | "close" => Ok(json!(true)),
        _ => messages::call(inner, &slot, &method, &params),
    }
}

/// Lower-case names of the methods the sandbox implements.
const KNOWN_METHODS: &[&str] = &[
    "getme",
    "getupdates",
    "setwebhook",
    "deletewebhook",
    "getwebhookinfo",
    "setmycommands",
    "getmycommands",
    "deletemycommands",
    "getfile",
    "logout",
    "close",
    "sendmessage",
    "senddocument",
    "sendphoto",
    "editmessagetext",
    "editmessagecaption",
    "editmessagereplymarkup",
    "deletemessage",
    "deletemessages",
    "answercallbackquery",
    "sendchataction",
];

/// Any other path: Telegram answers 404 `Not Found`.
pub async fn not_found() -> Response {
    ApiError::not_found().into_response()
}

fn get_me(slot: &BotSlot) -> Value {
    let bot = slot.lock();
    let mut me = telegram::bot_user(&bot);
    me["can_join_groups"] = json!(true);
    me["can_read_all_group_messages"] = json!(false);
    me["supports_inline_queries"] = json!(false);
    me["can_connect_to_business"] = json!(false);
    me["has_main_web_app"] = json!(false);
    me
}

fn allowed_updates(params: &Params) -> ApiResult<Option<Vec<String>>> {
    let Some(value) = params.opt_json("allowed_updates")? else {
        return Ok(None);
    };
    let list = value
        .as_array()
        .ok_or_else(|| ApiError::bad_request("can't parse allowed updates"))?;
    Ok(Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    ))
}

async fn get_updates(inner: &Inner, slot: &BotSlot, params: &Params) -> ApiResult {
    let offset = params.opt_i64("offset")?.unwrap_or(0);
    let limit = params
        .opt_i64("limit")?
        .unwrap_or(MAX_UPDATES_PER_CALL)
        .clamp(1, MAX_UPDATES_PER_CALL) as usize;
    let timeout = params
        .opt_i64("timeout")?
        .unwrap_or(0)
        .clamp(0, MAX_POLL_TIMEOUT_SECS as i64) as u64;
    let allowed = allowed_updates(params)?;
    let mut changes = slot.updates_changed.subscribe();
    let generation = {
        let mut bot = slot.lock();
        if bot.webhook.is_some() {
            return Err(ApiError::conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        bot.poll_generation += 1;
        if let Some(allowed) = allowed {
            bot.allowed_updates = allowed;
        }
        if offset > 0 {
            while bot.updates.front().is_some_and(|(id, _)| *id < offset) {
                bot.updates.pop_front();
            }
        } else if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while bot.updates.len() > keep {
                bot.updates.pop_front();
            }
        }
        bot.poll_generation
    };
    // A long poll still waiting learns that it has been superseded.
    slot.notify_updates();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        {
            let bot = slot.lock();
            if bot.webhook.is_some() {
                return Err(ApiError::conflict("terminated by setWebhook request"));
            }
            if bot.poll_generation != generation {
                return Err(ApiError::conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            if !bot.updates.is_empty() || timeout == 0 {
                let updates: Vec<Value> = bot
                    .updates
                    .iter()
                    .take(limit)
                    .map(|(_, u)| u.clone())
                    .collect();
                return Ok(Value::Array(updates));
            }
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return Ok(json!([]));
                }
            }
            () = tokio::time::sleep_until(deadline) => return Ok(json!([])),
            () = inner.stopping() => return Ok(json!([])),
        }
    }
}

/// Characters allowed in a webhook secret token, like Telegram.
fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn set_webhook(inner: &Arc<Inner>, slot: &Arc<BotSlot>, params: &Params) -> ApiResult {
    let url = params.opt_str("url")?.unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(slot, params);
    }
    let parsed = url::Url::parse(&url).map_err(|_| {
        ApiError::bad_request("bad webhook: Failed to resolve host: Name or service not known")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ApiError::bad_request(
            "bad webhook: An HTTPS URL must be provided for webhook",
        ));
    }
    let secret_token = params.opt_str("secret_token")?.filter(|s| !s.is_empty());
    if let Some(secret) = &secret_token
        && !valid_secret(secret)
    {
        return Err(ApiError::bad_request(
            "secret token contains unallowed characters",
        ));
    }
    let allowed = allowed_updates(params)?;
    let max_connections = params.opt_i64("max_connections")?;
    let drop_pending = params.bool("drop_pending_updates")?;
    let generation = {
        let mut bot = slot.lock();
        bot.webhook_generation += 1;
        let generation = bot.webhook_generation;
        if let Some(allowed) = allowed {
            bot.allowed_updates = allowed;
        }
        if drop_pending {
            bot.updates.clear();
        }
        bot.webhook = Some(Webhook {
            url,
            secret_token,
            max_connections,
            generation,
            last_error: None,
        });
        generation
    };
    slot.notify_updates();
    webhook::start(inner.clone(), slot.clone(), generation);
    Ok(json!(true))
}

fn delete_webhook(slot: &BotSlot, params: &Params) -> ApiResult {
    let drop_pending = params.bool("drop_pending_updates")?;
    {
        let mut bot = slot.lock();
        bot.webhook = None;
        bot.webhook_generation += 1;
        if drop_pending {
            bot.updates.clear();
        }
    }
    slot.notify_updates();
    Ok(json!(true))
}

fn webhook_info(slot: &BotSlot) -> Value {
    let bot = slot.lock();
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": bot.updates.len(),
    });
    if let Some(hook) = &bot.webhook {
        info["url"] = json!(hook.url);
        info["max_connections"] = json!(hook.max_connections.unwrap_or(40));
        if let Some((date, message)) = &hook.last_error {
            info["last_error_date"] = json!(date);
            info["last_error_message"] = json!(message);
        }
    }
    if !bot.allowed_updates.is_empty() {
        info["allowed_updates"] = json!(bot.allowed_updates);
    }
    info
}

/// The (scope, language) key of a command list.
fn commands_key(params: &Params) -> ApiResult<(String, String)> {
    let scope = params
        .opt_json("scope")?
        .unwrap_or_else(|| json!({ "type": "default" }));
    if scope.get("type").and_then(Value::as_str).is_none() {
        return Err(ApiError::bad_request(
            "can't parse BotCommandScope JSON object",
        ));
    }
    let language = params.opt_str("language_code")?.unwrap_or_default();
    Ok((scope.to_string(), language))
}

fn set_my_commands(slot: &BotSlot, params: &Params) -> ApiResult {
    let commands = params
        .opt_json("commands")?
        .ok_or_else(|| ApiError::missing("commands"))?;
    let list = commands
        .as_array()
        .ok_or_else(|| ApiError::bad_request("can't parse commands JSON object"))?;
    let mut clean = Vec::with_capacity(list.len());
    for c in list {
        let command = c.get("command").and_then(Value::as_str).unwrap_or("");
        let description = c.get("description").and_then(Value::as_str).unwrap_or("");
        let command_ok = (1..=32).contains(&command.len())
            && command
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !command_ok {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        if description.is_empty() || description.chars().count() > 256 {
            return Err(ApiError::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        clean.push(json!({ "command": command, "description": description }));
    }
    if clean.len() > 100 {
        return Err(ApiError::bad_request("BOT_COMMANDS_TOO_MUCH"));
    }
    let key = commands_key(params)?;
    slot.lock().commands.insert(key, Value::Array(clean));
    Ok(json!(true))
}

fn get_my_commands(slot: &BotSlot, params: &Params) -> ApiResult {
    let key = commands_key(params)?;
    Ok(slot
        .lock()
        .commands
        .get(&key)
        .cloned()
        .unwrap_or_else(|| json!([])))
}

fn delete_my_commands(slot: &BotSlot, params: &Params) -> ApiResult {
    let key = commands_key(params)?;
    slot.lock().commands.remove(&key);
    Ok(json!(true))
}

fn get_file(slot: &BotSlot, params: &Params) -> ApiResult {
    let file_id = params.str("file_id")?;
    let bot = slot.lock();
    let file = bot
        .files
        .get(&file_id)
        .ok_or_else(|| ApiError::bad_request("invalid file_id"))?;
    if file.data.len() > MAX_DOWNLOAD_BYTES {
        return Err(ApiError::bad_request("file is too big"));
    }
    Ok(telegram::file(file))
}

/// `GET /file/bot<token>/<path>` (the path may come with `/` encoded as `%2F`).
pub async fn download(
    State(inner): State<Arc<Inner>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    let Some(slot) = bot.strip_prefix("bot").and_then(|t| inner.bot(t)) else {
        return ApiError::unauthorized().into_response();
    };
    let path = path.trim_start_matches('/');
    let bot = slot.lock();
    let Some(file) = bot.file_paths.get(path).and_then(|id| bot.files.get(id)) else {
        return ApiError::not_found().into_response();
    };
    (
        [(header::CONTENT_TYPE, file.mime_type.clone())],
        file.data.clone(),
    )
        .into_response()
}
