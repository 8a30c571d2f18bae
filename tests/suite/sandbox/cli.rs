//! `dvc-bot sandbox` and `dvc-bot sandbox --bot-api-only` as processes: what they print, what
//! they serve, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::process::{SandboxProcess, stop_with_sigterm};
use crate::support::said::vi;
use crate::support::wait::{DEADLINE, Expect, wait_for};

#[tokio::test]
async fn bot_api_only_serves_and_stops_on_sigterm() {
    // Where it keeps its update-id mark.
    let data = tempfile::tempdir().expect("data dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .args(["sandbox", "--bot-api-only"])
        .env("DVC_DATA_DIR", data.path())
        .env("DVC_SANDBOX_LISTEN", "127.0.0.1:0")
        .env("DVC_SANDBOX_TOKENS", "777000:other-bot-token")
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run dvc-bot");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        printed.push(line.clone());
        if line.contains("777000:other-bot-token") {
            break;
        }
    }
    let url = printed
        .iter()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("http://")))
        .expect("the base URL is printed")
        .to_owned();
    assert!(
        printed.iter().any(|l| l.contains("123456:sandbox-token")),
        "{printed:?}"
    );

    let me: serde_json::Value = reqwest::get(format!("{url}bot777000:other-bot-token/getMe"))
        .await
        .expect("getMe")
        .json()
        .await
        .expect("json");
    assert_eq!(me["result"]["id"], 777000);

    let status = stop_with_sigterm(child).await;
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

/// `dvc-bot sandbox`: the README's first command. Sandbox, portal and bot come up on loopback
/// with no token; the printed chat answers `/start`; SIGTERM stops all of it cleanly.
#[tokio::test]
async fn the_whole_system_runs_offline_and_stops_on_sigterm() {
    let data = tempfile::tempdir().expect("data dir");
    let sandbox = SandboxProcess::start(data.path(), "off", Stdio::null());
    let find = |label: &str| sandbox.printed(label);
    let chat = find("web chat:");
    let console = find("officer console:");
    let officer_token = find("officer token:");
    assert!(chat.starts_with("http://127.0.0.1:") && console.ends_with("/officer"));
    assert_eq!(officer_token.len(), 64, "a generated token");

    let control = dvc_bot::sandbox::client::SandboxClient::parse(&chat).expect("chat URL");
    let who = dvc_bot::sandbox::client::Citizen::new(9_000_001)
        .named("Lan")
        .language("vi");
    control
        .send_text(who.clone(), "/start")
        .await
        .expect("send");
    wait_for(
        &control,
        &who,
        0,
        &Expect::said(vi("greeting").arg("name", "Lan")),
        DEADLINE,
    )
    .await;
    let page = reqwest::get(&chat)
        .await
        .expect("web chat")
        .text()
        .await
        .expect("page");
    assert!(page.contains("<html"), "the web chat page is served");
    // The sandbox's /officer leads to the portal's console.
    let officer = reqwest::get(format!("{chat}officer"))
        .await
        .expect("officer");
    assert_eq!(officer.url().as_str(), console, "redirected to the console");
    // Not logged in yet: the console's login form.
    assert_eq!(officer.status(), 401);
    assert!(officer.text().await.expect("page").contains("<form"));
    // Health and metrics on the admin address.
    let metrics_url = find("health, metrics");
    let metrics = reqwest::get(&metrics_url)
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("dvc_updates_total{kind=\"command\"} 1"),
        "{metrics}"
    );
    let health_url = metrics_url.replace("/metrics", "/healthz");
    let health = reqwest::get(&health_url).await.expect("healthz");
    assert_eq!(health.status(), 200);

    let status = stop_with_sigterm(sandbox.child).await;
    assert!(status.success(), "{status}");
    assert!(data.path().join("dvc-bot.db").exists() && data.path().join("portal.db").exists());
}

/// Starts `dvc-bot sandbox` on `data` and returns the process and its web chat URL.
fn start_whole_system(data: &std::path::Path) -> (std::process::Child, String) {
    let sandbox = SandboxProcess::start(data, "off", Stdio::null());
    let chat = sandbox.printed("web chat:");
    (sandbox.child, chat)
}

/// Issue 13.1: a restarted `dvc-bot sandbox` on the same data folder numbers updates above
/// those it gave before, so a returning citizen's first messages are not taken by the bot for
/// ones it has already handled.
#[tokio::test]
async fn a_restarted_sandbox_keeps_numbering_and_returning_citizens_get_answers() {
    use dvc_bot::sandbox::client::{Citizen, SandboxClient};
    let data = tempfile::tempdir().expect("data dir");
    let who = Citizen::new(9_000_002).named("Lan").language("vi");

    let (child, chat) = start_whole_system(data.path());
    let control = SandboxClient::parse(&chat).expect("chat URL");
    let mut first_ids = Vec::new();
    for text in ["/start", "/help"] {
        let sent = control.send_text(who.clone(), text).await.expect("send");
        first_ids.push(sent.update_id);
        let after = sent.message_id.unwrap_or(0);
        let answer = control
            .transcript(who.clone(), after, 20_000)
            .await
            .expect("transcript");
        assert!(answer.bot_messages().count() > 0, "answered before restart");
    }
    let status = stop_with_sigterm(child).await;
    assert!(status.success(), "{status}");

    let (child, chat) = start_whole_system(data.path());
    let control = SandboxClient::parse(&chat).expect("chat URL");
    for text in ["/start", "/help"] {
        let sent = control.send_text(who.clone(), text).await.expect("send");
        assert!(
            first_ids.iter().all(|old| sent.update_id > *old),
            "update {} after {first_ids:?}",
            sent.update_id
        );
        let after = sent.message_id.unwrap_or(0);
        let answer = control
            .transcript(who.clone(), after, 20_000)
            .await
            .expect("transcript");
        assert!(
            answer.bot_messages().count() > 0,
            "{text} after the restart is answered: {answer:?}"
        );
    }
    let status = stop_with_sigterm(child).await;
    assert!(status.success(), "{status}");
}
