//! `dvc-bot sandbox --bot-api-only`: serves the Bot API, prints its URL and tokens, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn bot_api_only_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .args(["sandbox", "--bot-api-only"])
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

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // A safety net, not a timing assertion: a sandbox that ignores SIGTERM fails, not hangs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("dvc-bot did not stop on SIGTERM");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}
