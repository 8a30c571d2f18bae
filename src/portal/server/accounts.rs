//! Accounts and sessions: registration (argon2id, idempotent with a key), login slowed down
//! after failures (see `throttle`), opaque bearer tokens stored hashed, and the extractors that
//! authenticate citizens, officers and the event feed.

use super::AppState;
use super::error::{ApiError, ApiJson, ApiResult};
use super::headers::bearer;
use super::second_factor::ClientKey;
use super::store::accounts::{self as store, NewAccount};
use super::store::to_time;
use super::throttle;
use crate::db::now_unix;
use crate::domain::{
    BirthDate, CitizenId, Email, FullName, OrganisationName, Password, Phone, TaxCode, clean_text,
};
use crate::portal::model::{
    AccountDetails, AccountSummary, AccountType, ApiErrorBody, LoginRequest, RegisterRequest,
    Session,
};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};

/// How long a session lasts.
pub const SESSION_SECS: i64 = 7 * 24 * 3600;
/// Longest address kept, in characters.
const MAX_ADDRESS_CHARS: usize = 300;

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub use crate::secret::same_secret;

/// Registers an account. With an `Idempotency-Key`, kept with the account, a retry answers the
/// account already made (200), so a client cut off after the account was created can still
/// finish and log in.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = RegisterRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retried registration answer the account it made")),
    responses((status = 201, body = AccountSummary),
              (status = 200, body = AccountSummary, description = "the account already made with this Idempotency-Key"),
              (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")))]
pub async fn register(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<AccountSummary>)> {
    let key = super::checks::idempotency_key(&headers)?;
    // A person's name has letters only; an organisation's may carry digits and `&`, `-`, ….
    let full_name = clean_text(&req.full_name);
    let full_name = match req.account_type {
        AccountType::Citizen => FullName::parse(&full_name).map(String::from),
        AccountType::Organisation => OrganisationName::parse(&full_name).map(String::from),
    }
    .map_err(|e| ApiError::field("full_name", e.code()))?;
    let login = match req.account_type {
        AccountType::Citizen => CitizenId::parse(req.citizen_id.as_deref().unwrap_or(""))
            .map_err(|e| ApiError::field("citizen_id", e.code()))?
            .as_str()
            .to_owned(),
        AccountType::Organisation => TaxCode::parse(req.tax_code.as_deref().unwrap_or(""))
            .map_err(|e| ApiError::field("tax_code", e.code()))?
            .as_str()
            .to_owned(),
    };
    let today = super::machine::today_vn();
    // ISO `YYYY-MM-DD` (the contract) or the Vietnamese `dd/mm/yyyy`.
    let birth_text = match chrono::NaiveDate::parse_from_str(req.birth_date.trim(), "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => req.birth_date.clone(),
    };
    let birth = BirthDate::parse(&birth_text, today)
        .map_err(|e| ApiError::field("birth_date", e.code()))?;
    let phone = Phone::parse(&req.phone).map_err(|e| ApiError::field("phone", e.code()))?;
    let email = match req
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => Some(Email::parse(e).map_err(|e| ApiError::field("email", e.code()))?),
        None => None,
    };
    if let Some(key) = &key
        && let Some(id) = store::made_with_key(&app, &login, key).await?
    {
        return Ok((StatusCode::OK, Json(store::summary(&app, id).await?)));
    }
    let address = clean_text(&req.address);
    let address = address.as_str();
    if address.chars().count() < 5 || address.chars().count() > MAX_ADDRESS_CHARS {
        return Err(ApiError::field("address", "address"));
    }
    let password =
        Password::parse(&req.password).map_err(|e| ApiError::field("password", e.code()))?;
    let hash = tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())?;
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let inserted = store::insert(
        &app,
        NewAccount {
            account_type: req.account_type,
            login: &login,
            full_name: full_name.as_str(),
            birth_date: &birth.date().to_string(),
            phone: phone.as_str(),
            email: email.as_ref().map(|e| e.as_str()),
            address,
            password_hash: &hash,
            create_key: key.as_deref(),
        },
    )
    .await?;
    let Some(id) = inserted else {
        // Two tries with the same key at once: the one that lost answers the other's account.
        if let Some(key) = &key
            && let Some(id) = store::made_with_key(&app, &login, key).await?
        {
            return Ok((StatusCode::OK, Json(store::summary(&app, id).await?)));
        }
        return Err(ApiError::client(
            StatusCode::CONFLICT,
            "duplicate",
            "an account with this ID already exists",
        ));
    };
    Ok((StatusCode::CREATED, Json(store::summary(&app, id).await?)))
}

fn wrong_credentials() -> ApiError {
    ApiError::client(
        StatusCode::UNAUTHORIZED,
        "wrong_credentials",
        "the ID or the password is wrong",
    )
}

/// Logs in: a bearer token for the account. An unknown account and a wrong password answer
/// alike; after a few failures for one account name or from one client, 429 with
/// `Retry-After` (see `throttle`). A caller holding the service token (the bot) names the
/// end user in `X-Dvc-Client`; the failures are then counted for that user, not the address.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = LoginRequest,
    params(("X-Dvc-Client" = Option<String>, Header,
            description = "with the service token: the end user failed logins count for")),
    responses((status = 201, body = Session), (status = 401, body = ApiErrorBody),
              (status = 429, body = ApiErrorBody, description = "too many failed logins: try again after Retry-After seconds"),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")))]
pub async fn login(
    State(app): State<AppState>,
    addr: ClientAddr,
    named: ClientKey,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let login = req.login.split_whitespace().collect::<String>();
    // The bot is one client for every citizen: it names the end user (with the service token)
    // so that one person's failures do not slow everyone's logins down.
    let client = if named.is_service_named() {
        Some(named.0)
    } else {
        addr.0.map(|ip| ip.to_string())
    };
    let keys = throttle::Keys::new(&login, client);
    let now = now_unix();
    throttle::check(&app, &keys, now).await?;
    let found = store::credentials(&app, &login).await?;
    let id = found.as_ref().map(|f| f.id);
    let stored = found.map(|f| f.password_hash);
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || {
        // An unknown account costs the same work as a known one, so time tells nothing.
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.get_or_init(dummy_hash).clone());
        PasswordHash::new(&stored).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(id) = id.filter(|_| ok) else {
        throttle::failed(&app, &keys, now).await?;
        return Err(wrong_credentials());
    };
    throttle::succeeded(&app, &keys).await?;
    let token = crate::secret::Secret::generate();
    let expires = now + SESSION_SECS;
    store::create_session(&app, &hash_token(token.expose()), id, expires).await?;
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token: token.expose().to_owned(),
            expires_at: to_time(expires),
            account: store::summary(&app, id).await?,
        }),
    ))
}

/// A hash no password matches, verified for unknown accounts (made once per process).
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash() -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).ok();
    salt.and_then(|salt| {
        Argon2::default()
            .hash_password(&rand::random::<[u8; 32]>(), &salt)
            .ok()
            .map(|h| h.to_string())
    })
    .unwrap_or_default()
}

/// The client's address, when the server was started with it (see `PortalApp::serve`).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// Logs out: the bearer token stops working.
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "accounts",
    responses((status = 204), (status = 401, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn logout(State(app): State<AppState>, citizen: Citizen) -> ApiResult<StatusCode> {
    store::delete_session(&app, &citizen.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in account's own details (name, CCCD, birth date, address, …), so a client can
/// pre-fill a form field that asks for them. Only ever the session's own account.
#[utoipa::path(get, path = "/api/v1/accounts/me", tag = "accounts",
    responses((status = 200, body = AccountDetails), (status = 401, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn me(State(app): State<AppState>, citizen: Citizen) -> ApiResult<Json<AccountDetails>> {
    Ok(Json(store::details(&app, citizen.account_id).await?))
}

/// A logged-in account (from `Authorization: Bearer <session token>`).
#[derive(Debug, Clone)]
pub struct Citizen {
    pub account_id: i64,
    token_hash: String,
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        let token_hash = hash_token(token);
        let account_id = store::session_account(app, &token_hash)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Self {
            account_id,
            token_hash,
        })
    }
}

/// The officer (a bearer officer token, or the console's cookie), by name: the shared token's
/// or a named officer's of `DVC_OFFICERS` (see `officers`).
#[derive(Debug, Clone)]
pub struct Officer {
    pub name: String,
}

/// Name of the officer console's cookie.
pub const OFFICER_COOKIE: &str = "dvc_officer";

pub fn officer_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(OFFICER_COOKIE)?.strip_prefix('='))
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let name = match bearer(parts) {
            Some(token) => app.officers.by_token(token),
            None => officer_cookie(parts).and_then(|c| app.officers.by_cookie(c)),
        };
        name.map(|name| Self {
            name: name.to_owned(),
        })
        .ok_or_else(ApiError::unauthorized)
    }
}

/// The event-feed consumer (bearer service token).
#[derive(Debug, Clone, Copy)]
pub struct Service;

impl FromRequestParts<AppState> for Service {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        match bearer(parts) {
            Some(t) if same_secret(t, app.service_token.expose()) => Ok(Self),
            _ => Err(ApiError::unauthorized()),
        }
    }
}
