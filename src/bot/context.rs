//! What a step may use: the long-lived `Services` (database, portal, files, the sealing key,
//! the password vault, translations) and one update's `Ctx` (who, in which language, today).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::crypto::Cipher;
use crate::db::Db;
use crate::db::users::User;
use crate::domain::Password;
use crate::i18n::{I18n, Locale};
use crate::portal::client::Portal;

/// How long a typed password waits in memory for the registration summary to be confirmed.
const PASSWORD_TTL: Duration = Duration::from_secs(30 * 60);

/// Passwords typed during registration, in memory only: never written to the database, lost on
/// restart (the user is then asked again).
#[derive(Default)]
pub struct PasswordVault {
    inner: Mutex<HashMap<i64, (Password, Instant)>>,
}

impl PasswordVault {
    pub fn put(&self, user_id: i64, password: Password) {
        if let Ok(mut map) = self.inner.lock() {
            map.retain(|_, (_, at)| at.elapsed() < PASSWORD_TTL);
            map.insert(user_id, (password, Instant::now()));
        }
    }
    pub fn has(&self, user_id: i64) -> bool {
        self.inner.lock().is_ok_and(|m| {
            m.get(&user_id)
                .is_some_and(|(_, at)| at.elapsed() < PASSWORD_TTL)
        })
    }
    pub fn take(&self, user_id: i64) -> Option<Password> {
        let (password, at) = self.inner.lock().ok()?.remove(&user_id)?;
        (at.elapsed() < PASSWORD_TTL).then_some(password)
    }
    pub fn forget(&self, user_id: i64) {
        if let Ok(mut map) = self.inner.lock() {
            map.remove(&user_id);
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
    pub passwords: PasswordVault,
    pub i18n: I18n,
    /// The account fees are paid to (VietQR); none: the payment reference alone.
    pub bank: Option<crate::vietqr::BankAccount>,
    /// When officers answer questions.
    pub office_hours: crate::domain::OfficeHours,
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
        match self.services.cipher.open(sealed) {
            Ok(token) => Some(token),
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
