//! Accounts and sessions: registration (argon2id), login with lockout, opaque bearer tokens
//! stored hashed, and the extractors that authenticate citizens, officers and the event feed.

use super::AppState;
use super::error::{ApiError, ApiJson, ApiResult};
use super::store::accounts::{self as store, NewAccount};
use super::store::to_time;
use crate::db::now_unix;
use crate::domain::{
    BirthDate, CitizenId, Email, FullName, OrganisationName, Password, Phone, TaxCode,
};
use crate::portal::model::{
    AccountSummary, AccountType, ApiErrorBody, LoginRequest, RegisterRequest, Session,
};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use sha2::{Digest, Sha256};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// How long a session lasts.
pub const SESSION_SECS: i64 = 7 * 24 * 3600;
/// Longest address kept, in characters.
const MAX_ADDRESS_CHARS: usize = 300;

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares secrets without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Registers an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = AccountSummary), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")))]
pub async fn register(
    State(app): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<AccountSummary>)> {
    // A person's name has letters only; an organisation's may carry digits and `&`, `-`, ….
    let full_name = match req.account_type {
        AccountType::Citizen => FullName::parse(&req.full_name).map(String::from),
        AccountType::Organisation => OrganisationName::parse(&req.full_name).map(String::from),
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
    let address = req.address.trim();
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
        },
    )
    .await?;
    let Some(id) = inserted else {
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

/// Logs in: a bearer token for the account. Five failures in a row lock it for 15 minutes.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = LoginRequest,
    responses((status = 201, body = Session), (status = 401, body = ApiErrorBody),
              (status = 423, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 415, body = ApiErrorBody, description = "wrong content type")))]
pub async fn login(
    State(app): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let login = req.login.split_whitespace().collect::<String>();
    let Some(found) = store::credentials(&app, &login).await? else {
        return Err(wrong_credentials());
    };
    let id = found.id;
    let locked_until = found.locked_until;
    let now = now_unix();
    if locked_until > now {
        return Err(ApiError::LockedOut {
            until: to_time(locked_until),
        });
    }
    let stored = found.password_hash;
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !ok {
        let failed = store::count_failed_login(&app, id).await?;
        if failed >= MAX_FAILED_LOGINS {
            let until = now + LOCKOUT_SECS;
            store::lock(&app, id, until).await?;
            tracing::info!(account = id, "account locked after failed logins");
            return Err(ApiError::LockedOut {
                until: to_time(until),
            });
        }
        return Err(wrong_credentials());
    }
    store::reset_failed_logins(&app, id).await?;
    let token = crate::config::Secret::generate();
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

/// Logs out: the bearer token stops working.
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "accounts",
    responses((status = 204), (status = 401, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn logout(State(app): State<AppState>, citizen: Citizen) -> ApiResult<StatusCode> {
    store::delete_session(&app, &citizen.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The officer (bearer officer token, or the console's cookie).
#[derive(Debug, Clone, Copy)]
pub struct Officer;

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

/// The console cookie's value: derived from the officer token, so the cookie never carries
/// the token itself.
pub fn console_cookie_value(officer_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("dvc-officer-console:{officer_token}").as_bytes(),
    ))
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = app.officer_token.expose();
        let by_bearer = bearer(parts).is_some_and(|t| same_secret(t, token));
        let by_cookie =
            || officer_cookie(parts).is_some_and(|c| same_secret(c, &console_cookie_value(token)));
        if by_bearer || by_cookie() {
            Ok(Self)
        } else {
            Err(ApiError::unauthorized())
        }
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
