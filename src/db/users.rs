//! The `users` table: what the bot keeps about a Telegram user.

use serde::Serialize;

use super::{Db, now_unix};

/// One row of `users`. `portal_session_enc` is the portal's session token, encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub telegram_user_id: i64,
    pub locale: Option<String>,
    pub portal_account: Option<String>,
    #[serde(skip)]
    pub portal_session_enc: Option<String>,
    pub consent_at: Option<i64>,
    pub notify: i64,
    pub blocked: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "telegram_user_id, locale, portal_account, portal_session_enc, consent_at, \
                       notify, blocked, created_at, updated_at";

/// The user's row, if any.
pub async fn get(db: &Db, user_id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE telegram_user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await
}

/// Creates the user's row if missing and returns it.
pub async fn ensure(db: &Db, user_id: i64) -> Result<User, sqlx::Error> {
    let now = now_unix();
    sqlx::query(
        "INSERT INTO users (telegram_user_id, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (telegram_user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now)
    .execute(&db.pool)
    .await?;
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE telegram_user_id = $1"
    ))
    .bind(user_id)
    .fetch_one(&db.pool)
    .await
}

/// Sets one column of the user's row, creating the row if missing. `column` is one of this
/// file's constants, never input.
async fn set_column<T>(
    db: &Db,
    user_id: i64,
    column: &'static str,
    value: T,
) -> Result<(), sqlx::Error>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
{
    sqlx::query(&format!(
        "INSERT INTO users (telegram_user_id, {column}, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (telegram_user_id) \
         DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at"
    ))
    .bind(user_id)
    .bind(value)
    .bind(now_unix())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Stores the chosen locale ("vi" or "en").
pub async fn set_locale(db: &Db, user_id: i64, locale: &str) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "locale", locale.to_owned()).await
}

/// Records consent to the processing of personal data, at `at` (Unix seconds), or withdraws it.
pub async fn set_consent(db: &Db, user_id: i64, at: Option<i64>) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "consent_at", at).await
}

/// Links the user to a portal account with its (encrypted) session token, or unlinks with None.
pub async fn set_portal_link(
    db: &Db,
    user_id: i64,
    link: Option<(&str, &str)>,
) -> Result<(), sqlx::Error> {
    ensure(db, user_id).await?;
    let (account, session) = link.unzip();
    sqlx::query(
        "UPDATE users SET portal_account = $1, portal_session_enc = $2, updated_at = $3 \
         WHERE telegram_user_id = $4",
    )
    .bind(account)
    .bind(session)
    .bind(now_unix())
    .bind(user_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Marks the user as having blocked the bot (Telegram answered 403), or not.
pub async fn set_blocked(db: &Db, user_id: i64, blocked: bool) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "blocked", i64::from(blocked)).await
}

/// Erases everything the bot keeps about the user: their row and their chat's dialogue.
pub async fn delete(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM follows WHERE chat_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM users WHERE telegram_user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
