//! The `accounts`, `sessions` and `login_failures` tables: registration, login bookkeeping,
//! bearer sessions.

use sqlx::Row;

use super::super::AppState;
use super::super::error::{ApiError, ApiResult};
use crate::db::now_unix;
use crate::portal::model::{AccountDetails, AccountSummary, AccountType};

/// A new account's columns (values already parsed and the password hashed).
pub struct NewAccount<'a> {
    pub account_type: AccountType,
    pub login: &'a str,
    pub full_name: &'a str,
    /// ISO `YYYY-MM-DD`.
    pub birth_date: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub address: &'a str,
    pub password_hash: &'a str,
    /// The registration's idempotency key, kept to answer a retry with this account.
    pub create_key: Option<&'a str>,
}

/// Inserts an account; `None` when one with the same login exists.
pub async fn insert(app: &AppState, account: NewAccount<'_>) -> ApiResult<Option<i64>> {
    let account_type = match account.account_type {
        AccountType::Citizen => "citizen",
        AccountType::Organisation => "organisation",
    };
    let inserted = sqlx::query(
        "INSERT INTO accounts (account_type, login, full_name, birth_date, phone, email, address, \
         password_hash, created_at, create_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (login) DO NOTHING RETURNING id",
    )
    .bind(account_type)
    .bind(account.login)
    .bind(account.full_name)
    .bind(account.birth_date)
    .bind(account.phone)
    .bind(account.email)
    .bind(account.address)
    .bind(account.password_hash)
    .bind(now_unix())
    .bind(account.create_key)
    .fetch_optional(&app.db.pool)
    .await?;
    inserted
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()
        .map_err(ApiError::from)
}

/// The account with this login, if it was made with this idempotency key.
pub async fn made_with_key(app: &AppState, login: &str, key: &str) -> ApiResult<Option<i64>> {
    let row = sqlx::query("SELECT id, create_key FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_optional(&app.db.pool)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored: Option<String> = row.try_get("create_key")?;
    Ok(stored
        .filter(|stored| crate::secret::same_secret(stored, key))
        .map(|_| row.try_get("id"))
        .transpose()?)
}

/// The account's summary.
pub async fn summary(app: &AppState, id: i64) -> ApiResult<AccountSummary> {
    let row = sqlx::query(
        "SELECT id, account_type, full_name, login, phone, email FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or_else(|| ApiError::not_found("account"))?;
    Ok(AccountSummary {
        id: row.try_get("id")?,
        account_type: if row.try_get::<String, _>("account_type")? == "organisation" {
            AccountType::Organisation
        } else {
            AccountType::Citizen
        },
        full_name: row.try_get("full_name")?,
        login: row.try_get("login")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
    })
}

/// The account's own details (for its owner only: `GET /api/v1/accounts/me`).
pub async fn details(app: &AppState, id: i64) -> ApiResult<AccountDetails> {
    let row = sqlx::query(
        "SELECT id, account_type, full_name, login, birth_date, address, phone, email \
         FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or_else(|| ApiError::not_found("account"))?;
    let birth_date: String = row.try_get("birth_date")?;
    Ok(AccountDetails {
        id: row.try_get("id")?,
        account_type: if row.try_get::<String, _>("account_type")? == "organisation" {
            AccountType::Organisation
        } else {
            AccountType::Citizen
        },
        full_name: row.try_get("full_name")?,
        login: row.try_get("login")?,
        birth_date: chrono::NaiveDate::parse_from_str(&birth_date, "%Y-%m-%d")
            .map_err(|e| ApiError::Internal(format!("stored birth date unreadable: {e}")))?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
    })
}

/// What a login checks.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

/// The credentials of the account with this login, if any.
pub async fn credentials(app: &AppState, login: &str) -> ApiResult<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_optional(&app.db.pool)
        .await?;
    row.map(|r| {
        Ok(Credentials {
            id: r.try_get("id")?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// Counts one more failed login under `key` (one statement, so concurrent failures all
/// count), starting again from 1 when the last one was before `forget_before`; the count.
pub async fn count_login_failure(
    app: &AppState,
    key: &str,
    now: i64,
    forget_before: i64,
) -> ApiResult<i64> {
    let row = sqlx::query(
        "INSERT INTO login_failures (throttle_key, failures, last_failure, blocked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
         failures = CASE WHEN login_failures.last_failure < $3 THEN 1 \
         ELSE login_failures.failures + 1 END, last_failure = $2 \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(forget_before)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(row.try_get("failures")?)
}

/// Makes logins under `key` wait until `until` (Unix time).
pub async fn block_logins(app: &AppState, key: &str, until: i64) -> ApiResult<()> {
    sqlx::query("UPDATE login_failures SET blocked_until = $1 WHERE throttle_key = $2")
        .bind(until)
        .bind(key)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Until when logins under `key` wait (0 or past: they do not).
pub async fn logins_blocked_until(app: &AppState, key: &str) -> ApiResult<i64> {
    let row = sqlx::query("SELECT blocked_until FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(&app.db.pool)
        .await?;
    row.map(|r| r.try_get::<i64, _>("blocked_until"))
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(ApiError::from)
}

/// Forgets the failed logins under `key`.
pub async fn forget_login_failures(app: &AppState, key: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// The applicant's name and phone, for the officer.
pub async fn applicant(app: &AppState, id: i64) -> ApiResult<(String, String)> {
    let row = sqlx::query("SELECT full_name, phone FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await?;
    Ok((row.try_get("full_name")?, row.try_get("phone")?))
}

/// The account's login (a CCCD for a citizen, a tax code for an organisation).
pub async fn login_of(app: &AppState, id: i64) -> ApiResult<String> {
    let row = sqlx::query("SELECT login FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await?;
    Ok(row.try_get("login")?)
}

/// Records a session (by its token's hash) valid until `expires_at`, dropping expired ones.
pub async fn create_session(
    app: &AppState,
    token_hash: &str,
    account_id: i64,
    expires_at: i64,
) -> ApiResult<()> {
    let now = now_unix();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&app.db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(expires_at)
    .bind(now)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete_session(app: &AppState, token_hash: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// The account of a session that has not expired.
pub async fn session_account(app: &AppState, token_hash: &str) -> ApiResult<Option<i64>> {
    let row =
        sqlx::query("SELECT account_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now_unix())
            .fetch_optional(&app.db.pool)
            .await?;
    row.map(|r| r.try_get::<i64, _>("account_id"))
        .transpose()
        .map_err(ApiError::from)
}
