//! The control API: transcripts wait for the bot, presses of missing labels are 404s.

use std::time::Duration;

use dvc_bot::sandbox::client::{Citizen, SendRequest, Sender};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::{bot, client, spawn_sandbox, start_chat};

#[tokio::test]
async fn a_transcript_waits_for_the_bots_answer() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let sent = client(&sandbox)
        .send_text(Citizen::new(42).named("Lan"), "/start")
        .await
        .expect("send");
    let after = sent.message_id.expect("the user's message");
    let answer = tokio::spawn(async move {
        let updates = bot.get_updates().timeout(30).await.expect("getUpdates");
        let chat = updates[0].chat().expect("chat").id;
        bot.send_message(chat, "Xin chào Lan")
            .reply_markup(InlineKeyboardMarkup::new(vec![vec![
                InlineKeyboardButton::callback("Đăng ký", "register"),
            ]]))
            .await
            .expect("reply");
    });
    let replies = client(&sandbox)
        .bot_replies(42, after, Duration::from_secs(30))
        .await
        .expect("transcript");
    answer.await.expect("bot task");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].text, "Xin chào Lan");
    assert!(replies[0].has_button("Đăng ký"));
    // Nothing newer: an immediate answer with no messages.
    let none = client(&sandbox)
        .transcript(42, replies[0].message_id, 0)
        .await
        .expect("transcript");
    assert!(none.messages.is_empty());
    let all = client(&sandbox)
        .transcript(42, 0, 0)
        .await
        .expect("transcript");
    assert_eq!(all.messages[0].from, Sender::User);
    assert_eq!(all.last_id(), Some(replies[0].message_id));
}

#[tokio::test]
async fn pressing_a_missing_label_is_a_clear_404() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let error = client(&sandbox)
        .press(42, "Không có")
        .await
        .expect_err("no such button");
    assert_eq!(error.status(), Some(404));
    assert!(error.to_string().contains("Không có"), "{error}");
    let stranger = client(&sandbox)
        .press(4242, "x")
        .await
        .expect_err("no chat");
    assert_eq!(stranger.status(), Some(404));
}

#[tokio::test]
async fn the_newest_button_with_a_label_is_pressed() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    for data in ["old", "new"] {
        bot.send_message(ChatId(42), data)
            .reply_markup(InlineKeyboardMarkup::new(vec![vec![
                InlineKeyboardButton::callback("OK", data),
            ]]))
            .await
            .expect("send");
    }
    client(&sandbox).press(42, "OK").await.expect("press");
    let updates = bot.get_updates().offset(2).await.expect("getUpdates");
    let teloxide::types::UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("callback query");
    };
    assert_eq!(q.data.as_deref(), Some("new"));
    // An older message's button, pressed on that message.
    client(&sandbox)
        .send(SendRequest {
            user_id: 42,
            press: Some("OK".into()),
            message_id: Some(2),
            ..SendRequest::default()
        })
        .await
        .expect("press on message 2");
    let updates = bot.get_updates().offset(3).await.expect("getUpdates");
    let teloxide::types::UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("callback query");
    };
    assert_eq!(q.data.as_deref(), Some("old"));
}

#[tokio::test]
async fn ask_returns_the_reply_and_changes_show_an_edit() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let bot_side = bot.clone();
    let answer = tokio::spawn(async move {
        let updates = bot_side
            .get_updates()
            .timeout(30)
            .await
            .expect("getUpdates");
        let chat = updates[0].chat().expect("chat").id;
        bot_side.send_message(chat, "pong").await.expect("reply")
    });
    let replies = client(&sandbox)
        .ask(77, "ping", Duration::from_secs(30))
        .await
        .expect("ask");
    let pong = answer.await.expect("bot task");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].text, "pong");

    let before = client(&sandbox)
        .transcript(77, 0, 0)
        .await
        .expect("transcript");
    let edit = tokio::spawn(async move {
        bot.edit_message_text(ChatId(77), pong.id, "pong!")
            .await
            .expect("edit")
    });
    let after = client(&sandbox)
        .changes(77, before.version, 30_000)
        .await
        .expect("changes");
    edit.await.expect("edit task");
    assert!(after.version > before.version);
    let edited = after.message(pong.id.0 as i64).expect("the reply");
    assert!(edited.edited);
    assert_eq!(edited.text, "pong!");
}
