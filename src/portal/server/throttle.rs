//! Slowing down password guessing instead of locking accounts: failed logins are counted per
//! account name (known or not, so the answers reveal nothing) and per client (its address, or
//! the end user a service holding the service token names in `X-Dvc-Client`); past a
//! few, each key must wait before its next attempt, twice as long after each new failure.
//! Nobody can lock a citizen out: the wait is short at first, and a success starts the
//! account's count again.

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::store::accounts as store;

/// Failed logins of one account name before it has to wait.
pub const ACCOUNT_FREE_FAILURES: i64 = 3;
/// Failed logins from one client address before it has to wait: more room, since one address
/// may serve many people (the bot itself, an office behind one router).
pub const CLIENT_FREE_FAILURES: i64 = 20;
/// The first wait; doubled with each further failure.
pub const FIRST_WAIT_SECS: i64 = 2;
/// The longest wait.
pub const MAX_WAIT_SECS: i64 = 15 * 60;
/// Failures are forgotten after this long without a new one.
pub const FORGET_AFTER_SECS: i64 = 60 * 60;

/// The keys one login attempt is counted under.
#[derive(Debug, Clone)]
pub struct Keys {
    account: String,
    client: Option<String>,
}

impl Keys {
    /// The keys of an attempt at `login` from `client`: its address, or the end user a
    /// trusted service names (unknown when neither is known).
    pub fn new(login: &str, client: Option<String>) -> Self {
        Self {
            account: format!("account:{login}"),
            client: client.map(|c| format!("client:{c}")),
        }
    }

    fn all(&self) -> impl Iterator<Item = (&str, i64)> {
        std::iter::once((self.account.as_str(), ACCOUNT_FREE_FAILURES)).chain(
            self.client
                .as_deref()
                .map(|client| (client, CLIENT_FREE_FAILURES)),
        )
    }
}

/// How long a key waits after its `failures`-th failure in a row.
pub fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
    (FIRST_WAIT_SECS << doublings).min(MAX_WAIT_SECS)
}

/// Refuses the attempt with 429 while any of its keys must still wait.
pub async fn check(app: &AppState, keys: &Keys, now: i64) -> ApiResult<()> {
    let mut until = 0;
    for (key, _) in keys.all() {
        until = until.max(store::logins_blocked_until(app, key).await?);
    }
    if until > now {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: until - now,
        });
    }
    Ok(())
}

/// Counts a failed attempt under each key and sets the wait it earned.
pub async fn failed(app: &AppState, keys: &Keys, now: i64) -> ApiResult<()> {
    for (key, free) in keys.all() {
        let failures = store::count_login_failure(app, key, now, now - FORGET_AFTER_SECS).await?;
        let wait = wait_after(failures, free);
        if wait > 0 {
            store::block_logins(app, key, now + wait).await?;
            tracing::info!(failures, wait, "login attempts slowed down");
        }
    }
    Ok(())
}

/// A successful login: the account's count starts again (the client's does not, so one
/// working account does not open the way to guessing others).
pub async fn succeeded(app: &AppState, keys: &Keys) -> ApiResult<()> {
    store::forget_login_failures(app, &keys.account).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_past_the_free_failures_up_to_a_cap() {
        assert_eq!(wait_after(2, 3), 0);
        assert_eq!(wait_after(3, 3), FIRST_WAIT_SECS);
        assert_eq!(wait_after(4, 3), 2 * FIRST_WAIT_SECS);
        assert_eq!(wait_after(5, 3), 4 * FIRST_WAIT_SECS);
        assert_eq!(wait_after(1_000, 3), MAX_WAIT_SECS);
    }
}
