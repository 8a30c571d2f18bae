//! The `accounts` and `sessions` tables: registration, login bookkeeping, bearer sessions.

use sqlx::Row;

use super::super::AppState;
use super::super::error::{ApiError, ApiResult};
use crate::db::now_unix;
use crate::portal::model::{AccountSummary, AccountType};

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
}

/// Inserts an account; `None` when one with the same login exists.
pub async fn insert(app: &AppState, account: NewAccount<'_>) -> ApiResult<Option<i64>> {
    let account_type = match account.account_type {
        AccountType::Citizen => "citizen",
        AccountType::Organisation => "organisation",
    };
    let inserted = sqlx::query(
        "INSERT INTO accounts (account_type, login, full_name, birth_date, phone, email, address, \
         password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
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
    .fetch_optional(&app.db.pool)
    .await?;
    inserted
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()
        .map_err(ApiError::from)
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

/// What a login checks.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    /// Unix time; in the past when not locked.
    pub locked_until: i64,
}

/// The credentials of the account with this login, if any.
pub async fn credentials(app: &AppState, login: &str) -> ApiResult<Option<Credentials>> {
    let row = sqlx::query(
        "SELECT id, password_hash, failed_logins, locked_until FROM accounts WHERE login = $1",
    )
    .bind(login)
    .fetch_optional(&app.db.pool)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            id: r.try_get("id")?,
            password_hash: r.try_get("password_hash")?,
            locked_until: r.try_get("locked_until")?,
        })
    })
    .transpose()
}

/// Counts one more failed login; the failures in a row so far. One statement, so concurrent
/// failures all count.
pub async fn count_failed_login(app: &AppState, id: i64) -> ApiResult<i64> {
    let row = sqlx::query(
        "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 \
         RETURNING failed_logins",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(row.try_get("failed_logins")?)
}

/// Locks the account until `until` (Unix time) and starts counting failures afresh.
pub async fn lock(app: &AppState, id: i64, until: i64) -> ApiResult<()> {
    sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = $1 WHERE id = $2")
        .bind(until)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Forgets the failed logins after a successful one.
pub async fn reset_failed_logins(app: &AppState, id: i64) -> ApiResult<()> {
    sqlx::query("UPDATE accounts SET failed_logins = 0 WHERE id = $1")
        .bind(id)
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
