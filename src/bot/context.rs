//! What a step may use: the long-lived `Services` (database, portal, files, the sealing key,
//! the registration password vault, translations) and one update's `Ctx` (who, in which language, today).

use std::sync::Arc;

use chrono::NaiveDate;

use crate::crypto::Cipher;
use crate::db::Db;
use crate::db::users::User;
use crate::domain::Password;
use crate::i18n::{I18n, Locale};
use crate::portal::client::Portal;

/// How long a typed password waits, sealed, for the registration summary to be confirmed.
const PASSWORD_TTL_SECS: i64 = 15 * 60;

/// Passwords typed during registration, waiting for the summary to be confirmed: sealed with
/// the bot's key (`DVC_SECRET_KEY`, the same on every replica) in `registration_passwords`, so
/// whichever replica handles the confirmation finds it; read on confirm and deleted once the
/// portal has the account (so a confirmation whose replica died before its dialogue was saved
/// finds it again when delivered again), gone after 15 minutes (the user is then asked again).
/// Never in the clear, never in a log.
pub struct PasswordVault<'a> {
    db: &'a Db,
    cipher: &'a Cipher,
}

impl PasswordVault<'_> {
    /// Keeps `password` for `user_id` (replacing one kept before) and sweeps expired ones.
    pub async fn put(&self, user_id: i64, password: &Password) -> Result<(), sqlx::Error> {
        let now = crate::db::now_unix();
        sqlx::query("DELETE FROM registration_passwords WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.db.pool)
            .await?;
        sqlx::query(
            "INSERT INTO registration_passwords (user_id, sealed, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, \
             expires_at = excluded.expires_at",
        )
        .bind(user_id)
        .bind(self.cipher.seal(password.expose()))
        .bind(now + PASSWORD_TTL_SECS)
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// Whether a password waits for `user_id` (an unreadable database counts as no).
    pub async fn has(&self, user_id: i64) -> bool {
        let found: Result<Option<i64>, _> = sqlx::query_scalar(
            "SELECT user_id FROM registration_passwords WHERE user_id = $1 AND expires_at > $2",
        )
        .bind(user_id)
        .bind(crate::db::now_unix())
        .fetch_optional(&self.db.pool)
        .await;
        match found {
            Ok(found) => found.is_some(),
            Err(error) => {
                tracing::error!(%error, "cannot read the registration password");
                false
            }
        }
    }

    /// The password waiting for `user_id`, on confirm; kept until `forget`.
    pub async fn get(&self, user_id: i64) -> Option<Password> {
        let taken: Result<Option<(String, i64)>, _> = sqlx::query_as(
            "SELECT sealed, expires_at FROM registration_passwords WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.db.pool)
        .await;
        let (sealed, expires_at) = match taken {
            Ok(found) => found?,
            Err(error) => {
                tracing::error!(%error, "cannot read the registration password");
                return None;
            }
        };
        if expires_at <= crate::db::now_unix() {
            return None;
        }
        let plain = match self.cipher.open(&sealed) {
            Ok(plain) => plain,
            Err(error) => {
                tracing::warn!(user_id, %error, "sealed registration password unreadable");
                return None;
            }
        };
        Password::parse(&plain).ok()
    }

    /// Drops the password waiting for `user_id`, if any.
    pub async fn forget(&self, user_id: i64) {
        if let Err(error) = sqlx::query("DELETE FROM registration_passwords WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.db.pool)
            .await
        {
            tracing::error!(%error, "cannot delete the registration password");
        }
    }
}

/// Where papers sent in the chat are fetched from (Telegram's getFile), by file id.
#[async_trait::async_trait]
pub trait FileSource: Send + Sync {
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, String>;
}

/// Long-lived parts the steps use.
pub struct Services {
    pub db: Db,
    pub portal: Arc<dyn Portal>,
    pub files: Arc<dyn FileSource>,
    pub cipher: Cipher,
    pub i18n: I18n,
    /// The account fees are paid to (VietQR); none: the payment reference alone.
    pub bank: Option<crate::vietqr::BankAccount>,
    /// When officers answer questions.
    pub office_hours: crate::domain::OfficeHours,
}

impl Services {
    /// The registration passwords waiting for confirmation (sealed in the database).
    pub fn passwords(&self) -> PasswordVault<'_> {
        PasswordVault {
            db: &self.db,
            cipher: &self.cipher,
        }
    }
}

/// One update's context.
pub struct Ctx<'a> {
    pub services: &'a Services,
    pub user_id: i64,
    /// Telegram's first name of the user, for greetings.
    pub first_name: String,
    pub locale: Locale,
    /// The user's row, if the bot keeps one.
    pub user: Option<User>,
    /// Today in Asia/Ho_Chi_Minh.
    pub today: NaiveDate,
}

impl Ctx<'_> {
    /// The name the portal counts this user's failed logins and wrong second factors under
    /// (`X-Dvc-Client`): opaque, stable, never the Telegram id itself.
    pub fn asker(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("dvc-bot telegram user {}", self.user_id).as_bytes());
        format!("tg-{}", &hex::encode(digest)[..20])
    }

    /// The portal session token, if logged in and it decrypts.
    pub fn session(&self) -> Option<String> {
        let sealed = self.user.as_ref()?.portal_session_enc.as_ref()?;
        match self.services.cipher.reseal(sealed) {
            Ok((token, None)) => Some(token),
            Ok((token, Some(again))) => {
                // Opened with a key being rotated out: stored again with the current key.
                let db = self.services.db.clone();
                let (user_id, old) = (self.user_id, sealed.clone());
                tokio::spawn(async move {
                    if let Err(error) =
                        crate::db::users::replace_session(&db, user_id, &old, &again).await
                    {
                        tracing::warn!(%error, "session not sealed again with the new key");
                    }
                });
                Some(token)
            }
            Err(error) => {
                tracing::warn!(user_id = self.user_id, %error, "stored session unreadable");
                None
            }
        }
    }

    /// The portal no longer accepts the stored session (expired, or logged out elsewhere): the
    /// link is dropped so that logging in again is offered, not refused.
    pub async fn forget_session(&self) {
        if let Err(error) =
            crate::db::users::set_portal_link(&self.services.db, self.user_id, None).await
        {
            tracing::error!(%error, "cannot unlink an expired session");
        }
    }

    pub fn consented(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.consent_at.is_some())
    }
}
