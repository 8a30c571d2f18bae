//! Bad requests get Telegram's error shapes and codes — never a 5xx.

use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};
use teloxide::{ApiError, RequestError};

use super::{OTHER_TOKEN, bot, bot_for, client, spawn_sandbox, start_chat};

async fn raw(url: String, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("sandbox answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn unknown_method_is_404_and_unknown_token_is_401() {
    let sandbox = spawn_sandbox(&[], false).await;
    let base = &sandbox.base_url;
    let (status, body) = raw(format!("{base}bot{}/fooBar", sandbox.token), json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 404, "description": "Not Found"})
    );
    let (status, body) = raw(format!("{base}bot1:wrong/getMe"), json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body["description"], "Unauthorized");
    // teloxide sees an invalid token.
    let wrong = bot_for(&sandbox, "1:wrong").get_me().await;
    assert!(
        matches!(wrong, Err(RequestError::Api(ApiError::InvalidToken))),
        "{wrong:?}"
    );
    // Method names are case-insensitive.
    let (status, body) = raw(format!("{base}bot{}/GETME", sandbox.token), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
}

#[tokio::test]
async fn texts_are_validated_like_telegram() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    let long = bot.send_message(ChatId(42), "a".repeat(4097)).await;
    assert!(
        matches!(long, Err(RequestError::Api(ApiError::MessageIsTooLong))),
        "{long:?}"
    );
    bot.send_message(ChatId(42), "a".repeat(4096))
        .await
        .expect("4096 characters are fine");
    let empty = bot.send_message(ChatId(42), "").await;
    assert!(
        matches!(empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
        "{empty:?}"
    );
    let data = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(
        "x",
        "d".repeat(65),
    )]]);
    let long_data = bot.send_message(ChatId(42), "x").reply_markup(data).await;
    assert!(
        matches!(
            long_data,
            Err(RequestError::Api(ApiError::ButtonDataInvalid))
        ),
        "{long_data:?}"
    );
    let bad_html = bot
        .send_message(ChatId(42), "<b>bold <i>both</b></i>")
        .parse_mode(ParseMode::Html)
        .await;
    assert!(
        matches!(&bad_html, Err(RequestError::Api(ApiError::CantParseEntities(d))) if d.starts_with("Bad Request: can't parse entities:")),
        "{bad_html:?}"
    );
    for bad in [
        "<br>",
        "1 < 2",
        "<b>open",
        "<span>x</span>",
        "<a href=\"x\">x</b>",
    ] {
        let (status, body) = raw(
            format!("{}bot{}/sendMessage", sandbox.base_url, sandbox.token),
            json!({"chat_id": 42, "text": bad, "parse_mode": "HTML"}),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("Bad Request: can't parse entities: "))
        );
    }
    let unknown_chat = bot.send_message(ChatId(999), "hi").await;
    assert!(matches!(
        unknown_chat,
        Err(RequestError::Api(ApiError::ChatNotFound))
    ));
}

#[tokio::test]
async fn client_mistakes_never_get_a_5xx() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let base = format!("{}bot{}", sandbox.base_url, sandbox.token);
    let http = reqwest::Client::new();
    let cases: Vec<reqwest::RequestBuilder> = vec![
        http.post(format!("{base}/sendMessage")).body("{not json"),
        http.post(format!("{base}/sendMessage"))
            .header("content-type", "application/json")
            .body("[1,2]"),
        http.post(format!("{base}/sendMessage")).json(&json!({"chat_id": "@nobody", "text": "x"})),
        http.post(format!("{base}/sendMessage")).json(&json!({"chat_id": 42, "text": "x", "reply_markup": "{oops"})),
        http.post(format!("{base}/sendMessage")).json(&json!({"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "no action"}]]}})),
        http.post(format!("{base}/editMessageText")).json(&json!({"chat_id": 42, "message_id": 999, "text": "x"})),
        http.post(format!("{base}/getUpdates")).json(&json!({"offset": "abc"})),
        http.post(format!("{base}/getFile")).json(&json!({"file_id": "nope"})),
        http.post(format!("{base}/sendDocument")).json(&json!({"chat_id": 42})),
        http.post(format!("{base}/setWebhook")).json(&json!({"url": "not a url"})),
        http.post(format!("{base}/sendMessage"))
            .header("content-type", "multipart/form-data; boundary=x")
            .body("garbage"),
        http.get(format!("{}file/bot{}/documents%2Fnope.pdf", sandbox.base_url, sandbox.token)),
        http.get(format!("{}sandbox/chats/abc", sandbox.base_url)),
        http.post(format!("{}sandbox/send", sandbox.base_url)).body("{}"),
        http.post(format!("{}sandbox/send", sandbox.base_url)).json(&json!({"user_id": 1, "text": "a", "press": "b"})),
        http.post(format!("{}sandbox/send", sandbox.base_url)).json(&json!({"user_id": 1, "document": {"file_name": "a", "mime_type": "", "data_base64": "%%%"}})),
    ];
    for case in cases {
        let response = case.send().await.expect("sandbox answers");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_client_error(), "{status} {body}");
    }
    let stats = client(&sandbox).stats().await.expect("stats");
    assert!(stats.bad_requests >= 10, "{stats:?}");
}

#[tokio::test]
async fn several_tokens_are_separate_bots() {
    let sandbox = spawn_sandbox(&[OTHER_TOKEN], false).await;
    let own = bot(&sandbox);
    let other = bot_for(&sandbox, OTHER_TOKEN);
    assert_eq!(other.get_me().await.expect("getMe").id.0, 777000);
    let other_client = client(&sandbox).with_bot(OTHER_TOKEN);
    other_client
        .send_text(8, "to the other bot")
        .await
        .expect("send");
    assert!(own.get_updates().await.expect("own updates").is_empty());
    assert_eq!(other.get_updates().await.expect("other updates").len(), 1);
    // The chat with user 8 exists for the other bot only.
    assert!(own.send_message(ChatId(8), "hi").await.is_err());
    other
        .send_message(ChatId(8), "hi")
        .await
        .expect("other bot answers");
    let t = other_client.transcript(8, 0, 0).await.expect("transcript");
    assert_eq!(t.messages.len(), 2);
    assert!(
        client(&sandbox)
            .transcript(8, 0, 0)
            .await
            .expect("own")
            .messages
            .is_empty()
    );
    let unknown = client(&sandbox)
        .with_bot("5:unknown")
        .send_text(8, "x")
        .await;
    assert_eq!(unknown.expect_err("unknown bot").status(), Some(404));
}
