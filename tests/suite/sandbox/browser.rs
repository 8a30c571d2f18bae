//! The web chat in headless Chromium: a citizen opens the page, sends `/start`, and sees the
//! bot's answer with its buttons. The bot is a tiny teloxide bot polling the sandbox.

use std::path::PathBuf;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::{bot, spawn_sandbox};

/// Longest the browser may run, in real time (it normally needs a second or two).
const BROWSER_DEADLINE: Duration = Duration::from_secs(120);
/// Virtual time the page gets; fetches pause it, so long polls still happen in real time.
const VIRTUAL_TIME_BUDGET_MS: u32 = 30_000;

const GREETING: &str = "Xin chào! Tôi là trợ lý dịch vụ công.";
const BUTTONS: [&str; 2] = ["Thủ tục hành chính", "Tra cứu hồ sơ"];

/// Chromium's executable, from `PATH`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The tiny bot: answers /start with a greeting and an inline keyboard.
async fn answer_start(bot: Bot, msg: Message) -> ResponseResult<()> {
    if msg.text() == Some("/start") {
        let keyboard = InlineKeyboardMarkup::new(vec![
            vec![InlineKeyboardButton::callback(BUTTONS[0], "procedures")],
            vec![InlineKeyboardButton::callback(BUTTONS[1], "status")],
        ]);
        bot.send_message(msg.chat.id, format!("<b>{GREETING}</b>"))
            .parse_mode(ParseMode::Html)
            .reply_markup(keyboard)
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn web_chat_sends_start_and_shows_the_answer_with_buttons() {
    let Some(chromium) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("Chromium is required in CI (Debian package `chromium`)");
        }
        eprintln!(
            "\n**************** SKIPPED: web chat browser test — no `chromium` on PATH ****************\n\
             install it with: apt-get install -y chromium\n"
        );
        return;
    };
    let sandbox = spawn_sandbox(&[], false).await;
    let polling_bot = bot(&sandbox);
    let dispatcher = tokio::spawn(async move {
        Dispatcher::builder(polling_bot, Update::filter_message().endpoint(answer_start))
            .build()
            .dispatch()
            .await;
    });

    let profile = tempfile::tempdir().expect("browser profile dir");
    let url = format!(
        "{}?user=424242&name=Lan&lang=vi&send=%2Fstart&stop=reply",
        sandbox.base_url
    );
    let run = tokio::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}"))
        .arg(&url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(BROWSER_DEADLINE, run)
        .await
        .expect("Chromium finishes")
        .expect("Chromium runs");
    dispatcher.abort();
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Chromium failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        dom.contains(">/start<"),
        "the citizen's /start is shown:\n{dom}"
    );
    assert!(
        dom.contains(&format!("<b>{GREETING}</b>")),
        "the bot's answer is shown with its formatting:\n{dom}"
    );
    for label in BUTTONS {
        assert!(
            dom.contains(&format!("<button type=\"button\">{label}</button>")),
            "button {label:?} is shown:\n{dom}"
        );
    }
}
