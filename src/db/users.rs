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
    // Unlinked, the chat no longer hears of the account's dossiers (portal_account_id).
    sqlx::query(
        "UPDATE users SET portal_account = $1, portal_session_enc = $2, updated_at = $3, \
         portal_account_id = CASE WHEN $1 IS NULL THEN NULL ELSE portal_account_id END \
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

/// The portal account id (the event feed's `owner`) the chat is linked to, so notifications
/// about that account's dossiers reach it; the chat's language is kept for them too.
pub async fn set_portal_account_id(
    db: &Db,
    user_id: i64,
    account_id: i64,
    locale: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET portal_account_id = $1, locale = COALESCE(locale, $2), updated_at = $3 \
         WHERE telegram_user_id = $4",
    )
    .bind(account_id)
    .bind(locale)
    .bind(now_unix())
    .bind(user_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// What the chat hears of unasked: (status messages, reminders); both on by default.
pub async fn notifications(db: &Db, user_id: i64) -> Result<(bool, bool), sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query("SELECT notify, remind FROM users WHERE telegram_user_id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(r) => Ok((
            r.try_get::<i64, _>("notify")? != 0,
            r.try_get::<i64, _>("remind")? != 0,
        )),
        None => Ok((true, true)),
    }
}

/// Switches status messages on or off.
pub async fn set_notify(db: &Db, user_id: i64, on: bool) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "notify", i64::from(on)).await
}

/// Switches deadline reminders on or off.
pub async fn set_remind(db: &Db, user_id: i64, on: bool) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "remind", i64::from(on)).await
}

/// Marks the user as having blocked the bot (Telegram answered 403), or not.
pub async fn set_blocked(db: &Db, user_id: i64, blocked: bool) -> Result<(), sqlx::Error> {
    set_column(db, user_id, "blocked", i64::from(blocked)).await
}

/// Erases everything the bot keeps about the user: their row, their chat's dialogue, and its
/// notifications (outbox, reminders, follows).
pub async fn delete(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for table in ["dialogues", "outbox", "reminders", "follows"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE chat_id = $1"))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM users WHERE telegram_user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Replaces a user's sealed session `old` by `new` (the same token sealed with the current
/// key), unless it changed meanwhile (a logout, a new login): answers whether it was replaced.
pub async fn replace_session(
    db: &Db,
    user_id: i64,
    old: &str,
    new: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET portal_session_enc = $1 \
         WHERE telegram_user_id = $2 AND portal_session_enc = $3",
    )
    .bind(new)
    .bind(user_id)
    .bind(old)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Seals again with the current key every stored session that only an older key opens
/// (the rotation of `DVC_SECRET_KEY`); answers how many were sealed again and how many no key
/// opens (those citizens are asked to log in again when they next need their session).
pub async fn reseal_sessions(
    db: &Db,
    cipher: &crate::crypto::Cipher,
) -> Result<(u64, u64), sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT telegram_user_id, portal_session_enc FROM users \
         WHERE portal_session_enc IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    let (mut resealed, mut unreadable) = (0, 0);
    for (user_id, sealed) in rows {
        match cipher.reseal(&sealed) {
            Ok((_, Some(again))) => {
                if replace_session(db, user_id, &sealed, &again).await? {
                    resealed += 1;
                }
            }
            Ok((_, None)) => {}
            Err(_) => unreadable += 1,
        }
    }
    Ok((resealed, unreadable))
}
