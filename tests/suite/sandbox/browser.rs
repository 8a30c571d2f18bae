//! The web chat in headless Chromium: a citizen opens the page, sends `/start`, and sees the
//! real bot's answer with its buttons (sandbox, reference portal and bot on loopback).

use std::path::PathBuf;
use std::time::Duration;

/// Longest the browser may run, in real time (it normally needs a second or two).
const BROWSER_DEADLINE: Duration = Duration::from_secs(120);
/// Virtual time the page gets; fetches pause it, so long polls still happen in real time.
const VIRTUAL_TIME_BUDGET_MS: u32 = 30_000;

/// What the real bot answers to `/start` from a new citizen called Lan.
const GREETING: &str = "Xin chào Lan!";
const BUTTONS: [&str; 2] = ["Tiếng Việt", "English"];

/// Chromium's executable, from `PATH`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
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
    let system = crate::bot::System::start(crate::support::engines()[0]).await;
    let sandbox = &system.sandbox;

    let profile = tempfile::tempdir().expect("browser profile dir");
    let url = format!(
        "{}?user=424242&name=Lan&lang=vi&send=%2Fstart&stop=buttons",
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
    assert!(dom.contains(GREETING), "the bot's answer is shown:\n{dom}");
    for label in BUTTONS {
        assert!(
            dom.contains(&format!("<button type=\"button\">{label}</button>")),
            "button {label:?} is shown:\n{dom}"
        );
    }
}
