//! Settings: every flag is also an environment variable; loaded once into typed structs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::vietqr::{BankAccount, VietQrError};

pub use crate::secret::Secret;

/// Settings shared by every subcommand (see DESIGN.md, "Configuration names").
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Folder for the default SQLite files and the uploaded papers.
    #[arg(long, env = "DVC_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// The bot's database: sqlite://PATH or postgres://USER@HOST/DB
    /// [default: sqlite://$DVC_DATA_DIR/dvc-bot.db]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Telegram bot token (sandbox mode uses its own).
    #[arg(long, env = "TELOXIDE_TOKEN", global = true, hide_env_values = true)]
    pub teloxide_token: Option<Secret>,

    /// Bot API base URL [default: Telegram's; the sandbox in sandbox mode].
    #[arg(long, env = "TELOXIDE_API_URL", global = true)]
    pub teloxide_api_url: Option<String>,

    /// Portal base URL; unset = start the reference portal in-process.
    #[arg(long, env = "DVC_PORTAL_URL", global = true)]
    pub portal_url: Option<String>,

    /// Where `dvc-bot portal` (or the in-process portal) listens
    /// [default: 127.0.0.1:8081; in-process: a free loopback port].
    #[arg(long, env = "DVC_PORTAL_LISTEN", global = true)]
    pub portal_listen: Option<SocketAddr>,

    /// The portal's database [default: sqlite://$DVC_DATA_DIR/portal.db].
    #[arg(
        long,
        env = "DVC_PORTAL_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub portal_database_url: Option<String>,

    /// Bearer token of the officer API [default: generated at start].
    #[arg(long, env = "DVC_OFFICER_TOKEN", global = true, hide_env_values = true)]
    pub officer_token: Option<Secret>,

    /// Named officers of the console and the officer API: `Name=token` pairs separated by
    /// commas or new lines (`Nguyễn Văn An=token1,Lò Thị Bình=token2`); each action is recorded
    /// with the name of the token that made it. Tokens of at least 16 characters, all different.
    /// (Read as a secret and parsed at start, so that a refusal never echoes a token.)
    #[arg(long, env = "DVC_OFFICERS", global = true, hide_env_values = true)]
    pub officers: Option<Secret>,

    /// The bot's Telegram username (without `@`), for the deep links of the console's QR codes
    /// (`https://t.me/<username>?start=proc_<code>`) [sandbox: the sandbox bot's].
    #[arg(long, env = "DVC_BOT_USERNAME", global = true)]
    pub bot_username: Option<String>,

    /// Bearer token of the event feed [default: generated at start].
    #[arg(long, env = "DVC_SERVICE_TOKEN", global = true, hide_env_values = true)]
    pub service_token: Option<Secret>,

    /// When officers answer questions (Asia/Ho_Chi_Minh); outside them the asker is told when
    /// to expect the answer.
    #[arg(
        long,
        env = "DVC_OFFICE_HOURS",
        default_value = crate::domain::DEFAULT_OFFICE_HOURS,
        global = true
    )]
    pub office_hours: crate::domain::OfficeHours,

    /// Key that encrypts portal session tokens at rest (64 hex characters)
    /// [default: generated once and kept in $DVC_DATA_DIR/secret.key].
    #[arg(long, env = "DVC_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<Secret>,

    /// Keys being rotated out (64 hex characters each, separated by commas): sessions sealed
    /// with them still open, and are sealed again with DVC_SECRET_KEY at start and on use.
    #[arg(
        long,
        env = "DVC_SECRET_KEY_OLD",
        global = true,
        hide_env_values = true
    )]
    pub secret_key_old: Option<Secret>,

    /// Sandbox address (Bot API, control API, web chat).
    #[arg(
        long,
        env = "DVC_SANDBOX_LISTEN",
        default_value = "127.0.0.1:8088",
        global = true
    )]
    pub sandbox_listen: SocketAddr,

    /// Extra bot tokens the sandbox serves, comma-separated.
    #[arg(long, env = "DVC_SANDBOX_TOKENS", value_delimiter = ',', global = true)]
    pub sandbox_tokens: Vec<String>,

    /// Health and metrics address.
    #[arg(
        long,
        env = "DVC_ADMIN_LISTEN",
        default_value = "127.0.0.1:9090",
        global = true
    )]
    pub admin_listen: SocketAddr,

    /// Public HTTPS URL Telegram posts updates to (the replicas' reverse proxy); set = webhook
    /// mode, unset = long polling. Registered with Telegram only by `dvc-bot webhook set` or
    /// `--set-webhook`.
    #[arg(long, env = "DVC_WEBHOOK_URL", global = true, hide_env_values = true)]
    pub webhook_url: Option<url::Url>,

    /// Address the webhook server listens on.
    #[arg(
        long,
        env = "DVC_WEBHOOK_LISTEN",
        default_value = "127.0.0.1:8443",
        global = true
    )]
    pub webhook_listen: SocketAddr,

    /// Path of the webhook route on this replica [default: the path of DVC_WEBHOOK_URL].
    #[arg(long, env = "DVC_WEBHOOK_PATH", global = true)]
    pub webhook_path: Option<String>,

    /// Secret token Telegram sends with each webhook update, the same on every replica
    /// (1-256 of A-Z a-z 0-9 _ -); required with a webhook.
    #[arg(
        long,
        env = "DVC_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub webhook_secret: Option<Secret>,

    /// Reminder times before a supplement or fee deadline: spans (`3d`, `1d`, `5s`) and local
    /// clock times on the deadline's day (`08:00`), comma-separated.
    #[arg(long, env = "DVC_REMIND_BEFORE", default_value = crate::notify::schedule::DEFAULT_REMIND_BEFORE, global = true)]
    pub remind_before: crate::notify::RemindBefore,

    /// Local window (Asia/Ho_Chi_Minh) with no unasked message: deferred to its end, never
    /// dropped. Empty: none.
    #[arg(long, env = "DVC_QUIET_HOURS", default_value = crate::notify::schedule::DEFAULT_QUIET_HOURS, global = true)]
    pub quiet_hours: crate::notify::QuietHours,

    /// The notification sender's overall limit (`30/s`).
    #[arg(long, env = "DVC_SEND_RATE", default_value = crate::notify::schedule::DEFAULT_SEND_RATE, global = true)]
    pub send_rate: crate::notify::SendRate,

    /// The least time between two notifications to one chat (`1s`).
    #[arg(long, env = "DVC_SEND_CHAT_INTERVAL", default_value = crate::notify::schedule::DEFAULT_SEND_CHAT_INTERVAL, global = true)]
    pub send_chat_interval: crate::notify::Interval,
    /// NAPAS BIN (6 digits) of the bank of the account fees are paid to (VietQR); unset: no QR
    /// code, the payment reference alone [sandbox: a sample account].
    #[arg(long, env = "DVC_BANK_BIN", global = true)]
    pub bank_bin: Option<String>,

    /// The account number fees are paid to.
    #[arg(long, env = "DVC_BANK_ACCOUNT", global = true)]
    pub bank_account: Option<String>,

    /// The account holder's name, as the bank shows it.
    #[arg(long, env = "DVC_BANK_ACCOUNT_NAME", global = true)]
    pub bank_account_name: Option<String>,

    /// Write logs as JSON lines (filter with RUST_LOG).
    #[arg(long, env = "DVC_LOG_JSON", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub log_json: bool,
}

/// Why the webhook settings cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookSettingsError {
    #[error(
        "DVC_WEBHOOK_SECRET is required with a webhook: every replica checks the same secret \
         token, and `dvc-bot webhook set` registers it with Telegram (1-256 of A-Z a-z 0-9 _ -)"
    )]
    NoSecret,
    #[error(
        "DVC_WEBHOOK_SECRET may hold only A-Z a-z 0-9 _ - (1 to 256 of them), as Telegram requires"
    )]
    BadSecret,
    #[error("DVC_WEBHOOK_URL is required for this (the public URL Telegram posts updates to)")]
    NoUrl,
    #[error("DVC_WEBHOOK_PATH {0:?} must start with /")]
    BadPath(String),
}

/// Name of the sandbox's own bot token.
pub const SANDBOX_TOKEN: &str = "123456:sandbox-token";

impl Settings {
    /// The bot database URL, defaulting to a SQLite file in the data folder.
    pub fn bot_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| sqlite_url(&self.data_dir, "dvc-bot.db"))
    }

    /// The account fees are paid to (`DVC_BANK_*`): none when unset; in the sandbox a sample
    /// one (marked as such) unless set.
    pub fn bank(&self, sandbox: bool) -> Result<Option<BankAccount>, VietQrError> {
        match (&self.bank_bin, &self.bank_account) {
            (Some(bin), Some(account)) => Ok(Some(BankAccount::new(
                bin,
                account,
                self.bank_account_name.as_deref().unwrap_or(""),
            )?)),
            (None, None) if sandbox => Ok(Some(BankAccount::sample())),
            (None, None) => Ok(None),
            (None, Some(_)) => Err(VietQrError::Bin),
            (Some(_), None) => Err(VietQrError::Account),
        }
    }

    /// The webhook's shared secret, checked as Telegram checks it.
    pub fn webhook_secret(&self) -> Result<Secret, WebhookSettingsError> {
        let secret = self
            .webhook_secret
            .clone()
            .ok_or(WebhookSettingsError::NoSecret)?;
        let text = secret.expose();
        let allowed = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !(1..=256).contains(&text.len()) || !allowed {
            return Err(WebhookSettingsError::BadSecret);
        }
        Ok(secret)
    }

    /// The portal database URL, defaulting to a SQLite file in the data folder.
    pub fn portal_database_url(&self) -> String {
        self.portal_database_url
            .clone()
            .unwrap_or_else(|| sqlite_url(&self.data_dir, "portal.db"))
    }
}

fn sqlite_url(dir: &std::path::Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_redact() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn default_urls_follow_data_dir() {
        use clap::Parser;
        #[derive(Parser)]
        struct T {
            #[command(flatten)]
            s: Settings,
        }
        let t = T::parse_from(["x", "--data-dir", "/tmp/d"]);
        assert_eq!(t.s.bot_database_url(), "sqlite:///tmp/d/dvc-bot.db");
        assert_eq!(t.s.portal_database_url(), "sqlite:///tmp/d/portal.db");
        let debug = format!("{:?}", T::parse_from(["x", "--teloxide-token", "1:abc"]).s);
        assert!(!debug.contains("1:abc"), "{debug}");
    }
}
