//! Webhook delivery: updates are POSTed with the secret-token header and retried until the
//! receiver accepts them; getUpdates answers 409 meanwhile.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};
use tokio::sync::mpsc;

use super::{bot, client, spawn_sandbox};

/// What the test receiver saw: the secret header and the update.
type Delivery = (Option<String>, serde_json::Value);

/// A receiver on a free port that accepts updates carrying `expected` as secret (401 otherwise)
/// and reports every delivery attempt.
async fn receiver(expected: &str) -> (url::Url, mpsc::UnboundedReceiver<Delivery>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let expected = Arc::new(expected.to_owned());
    let tx = Arc::new(Mutex::new(tx));
    let app = Router::new().route(
        "/hook",
        post(
            move |headers: HeaderMap, body: axum::Json<serde_json::Value>| {
                let expected = expected.clone();
                let tx = tx.clone();
                async move {
                    let secret = headers
                        .get("x-telegram-bot-api-secret-token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let ok = secret.as_deref() == Some(expected.as_str());
                    if let Ok(tx) = tx.lock() {
                        let _ = tx.send((secret, body.0));
                    }
                    if ok {
                        StatusCode::OK
                    } else {
                        StatusCode::UNAUTHORIZED
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let url = url::Url::parse(&format!("http://{addr}/hook")).expect("url");
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a delivery in time")
        .expect("receiver alive")
}

#[tokio::test]
async fn updates_are_posted_with_the_right_secret() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let (url, mut rx) = receiver("s3cret-token_1").await;
    bot.set_webhook(url.clone())
        .secret_token("s3cret-token_1".to_owned())
        .await
        .expect("setWebhook");
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(info.url.as_ref(), Some(&url));

    client(&sandbox)
        .send_text(42, "/start")
        .await
        .expect("send");
    let (secret, update) = next(&mut rx).await;
    assert_eq!(secret.as_deref(), Some("s3cret-token_1"));
    assert_eq!(update["message"]["text"], "/start");
    // The body parses as teloxide's Update (teloxide's webhook parses the body text).
    let parsed: teloxide::types::Update =
        serde_json::from_str(&update.to_string()).expect("an Update");
    assert_eq!(parsed.chat().map(|c| c.id), Some(ChatId(42)));

    let conflict = bot.get_updates().await;
    assert!(
        matches!(conflict, Err(RequestError::Api(ApiError::Unknown(ref d))) if d.starts_with("Conflict: can't use getUpdates method while webhook is active"))
            || matches!(conflict, Err(RequestError::Api(_))),
        "{conflict:?}"
    );
    bot.delete_webhook().await.expect("deleteWebhook");
    client(&sandbox).send_text(42, "after").await.expect("send");
    let updates = bot.get_updates().await.expect("polling again");
    assert_eq!(
        updates.len(),
        1,
        "the delivered update is gone, the new one waits"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_retried_until_the_webhook_accepts() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let (url, mut rx) = receiver("right").await;
    bot.set_webhook(url.clone())
        .secret_token("wrong".to_owned())
        .await
        .expect("setWebhook");
    client(&sandbox).send_text(42, "hello").await.expect("send");
    let (first, _) = next(&mut rx).await;
    let (second, again) = next(&mut rx).await;
    assert_eq!(first.as_deref(), Some("wrong"));
    assert_eq!(second.as_deref(), Some("wrong"));
    assert_eq!(again["message"]["text"], "hello", "the same update again");
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(info.pending_update_count, 1);
    assert!(
        info.last_error_message
            .as_deref()
            .is_some_and(|m| m.contains("401")),
        "{info:?}"
    );

    // With the right secret the pending update goes through.
    bot.set_webhook(url)
        .secret_token("right".to_owned())
        .await
        .expect("setWebhook");
    // Retries still in flight with the old secret may come first; each wait is bounded by
    // `next`, and their number by the deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (secret, update) = next(&mut rx).await;
        if secret.as_deref() == Some("right") {
            assert_eq!(update["message"]["text"], "hello");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery with the right secret within 30 s"
        );
    }
    let stats = client(&sandbox).stats().await.expect("stats");
    assert!(stats.webhook_failures >= 2, "{stats:?}");
}
