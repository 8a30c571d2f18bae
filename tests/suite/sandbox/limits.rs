//! `--limits`: a burst to one chat gets 429 with retry_after; a blocked chat gets 403.

use dvc_bot::sandbox::limits::CHAT_BURST;
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use super::{bot, client, spawn_sandbox, start_chat};

#[tokio::test]
async fn a_burst_to_one_chat_gets_429_with_retry_after() {
    let sandbox = spawn_sandbox(&[], true).await;
    start_chat(&sandbox, 42).await;
    start_chat(&sandbox, 43).await;
    let bot = bot(&sandbox);
    let mut sent = 0;
    let mut retry_after = None;
    for i in 0..(CHAT_BURST as usize + 50) {
        match bot.send_message(ChatId(42), format!("message {i}")).await {
            Ok(_) => sent += 1,
            Err(RequestError::RetryAfter(after)) => {
                retry_after = Some(after);
                break;
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert!(sent >= 1, "the first messages go through");
    let after = retry_after.expect("a 429 within the burst");
    assert!(after.seconds() >= 1);
    // Another chat still gets its message: limits are per chat (and overall).
    bot.send_message(ChatId(43), "hello")
        .await
        .expect("other chat");
    let stats = client(&sandbox).stats().await.expect("stats");
    assert_eq!(stats.too_many_requests, 1);
    // The raw answer has Telegram's shape.
    let response = reqwest::Client::new()
        .post(format!(
            "{}bot{}/sendMessage",
            sandbox.base_url, sandbox.token
        ))
        .json(&serde_json::json!({"chat_id": 42, "text": "again"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 429);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(
        body["parameters"]["retry_after"]
            .as_u64()
            .is_some_and(|s| s >= 1)
    );
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Too Many Requests: retry after "))
    );
}

#[tokio::test]
async fn without_limits_a_burst_goes_through() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    for i in 0..20 {
        bot.send_message(ChatId(42), format!("m{i}"))
            .await
            .expect("no limits");
    }
    assert_eq!(
        client(&sandbox).stats().await.expect("stats").messages_sent,
        20
    );
}

#[tokio::test]
async fn a_blocked_chat_answers_403_bot_blocked() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    client(&sandbox).block(42).await.expect("block");
    let blocked = bot.send_message(ChatId(42), "are you there?").await;
    assert!(
        matches!(blocked, Err(RequestError::Api(ApiError::BotBlocked))),
        "{blocked:?}"
    );
    client(&sandbox).unblock(42).await.expect("unblock");
    bot.send_message(ChatId(42), "welcome back")
        .await
        .expect("unblocked");
    assert_eq!(client(&sandbox).stats().await.expect("stats").forbidden, 1);
}
