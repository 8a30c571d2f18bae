//! The sandbox: teloxide's own `Bot` against the local Bot API, the control API, limits,
//! webhooks, several bots, and the web chat in a headless browser.

mod api;
mod browser;
mod cli;
mod control;
mod errors;
mod files;
mod limits;
mod webhook;

use dvc_bot::sandbox::client::SandboxClient;
use dvc_bot::sandbox::{self, RunningSandbox, SandboxConfig};
use teloxide::Bot;

/// A second bot token the multi-bot tests serve beside the sandbox's own.
pub const OTHER_TOKEN: &str = "777000:other-bot-token";

/// Starts a sandbox on a free loopback port with the sandbox's own token and `extra` tokens.
pub async fn spawn_sandbox(extra: &[&str], limits: bool) -> RunningSandbox {
    let config = SandboxConfig::new(extra.iter().map(|t| (*t).to_owned()), limits);
    sandbox::spawn(config, "127.0.0.1:0".parse().expect("loopback address"))
        .await
        .expect("sandbox starts")
}

/// teloxide's `Bot` for the sandbox's own token, unchanged but for the API URL.
pub fn bot(sandbox: &RunningSandbox) -> Bot {
    bot_for(sandbox, &sandbox.token)
}

/// teloxide's `Bot` for `token`.
pub fn bot_for(sandbox: &RunningSandbox, token: &str) -> Bot {
    Bot::new(token).set_api_url(sandbox.base_url.clone())
}

/// The control API client of the sandbox's own bot.
pub fn client(sandbox: &RunningSandbox) -> SandboxClient {
    sandbox.client()
}

/// The bot sees `/start` from `user`, so their private chat exists.
pub async fn start_chat(sandbox: &RunningSandbox, user: i64) {
    client(sandbox)
        .send_text(user, "/start")
        .await
        .expect("citizen sends /start");
}
