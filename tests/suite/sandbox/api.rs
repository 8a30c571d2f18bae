//! teloxide's `Bot` sends, edits and deletes messages with keyboards, and reads updates.

use dvc_bot::sandbox::client::{Citizen, Sender};
use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    KeyboardRemove, MediaKind, MessageEntityKind, MessageKind, ParseMode, UpdateKind,
};

use super::{bot, client, spawn_sandbox, start_chat};

#[tokio::test]
async fn get_me_has_a_username() {
    let sandbox = spawn_sandbox(&[], false).await;
    let me = bot(&sandbox).get_me().await.expect("getMe");
    assert_eq!(me.id.0, 123456);
    assert!(me.username.as_deref().is_some_and(|u| u.ends_with("bot")));
}

#[tokio::test]
async fn updates_are_confirmed_by_offset() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let lan = Citizen::new(1001).named("Lan").language("vi");
    client(&sandbox)
        .send_text(lan.clone(), "/start")
        .await
        .expect("send");
    client(&sandbox)
        .send_text(lan, "xin chào")
        .await
        .expect("send");

    let updates = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 2);
    let UpdateKind::Message(first) = &updates[0].kind else {
        panic!("a message update: {:?}", updates[0].kind);
    };
    assert_eq!(first.text(), Some("/start"));
    assert_eq!(first.chat.id, ChatId(1001));
    let from = first.from.as_ref().expect("from");
    assert_eq!(from.first_name, "Lan");
    assert_eq!(from.language_code.as_deref(), Some("vi"));
    assert!(matches!(
        first.entities().expect("entities")[0].kind,
        MessageEntityKind::BotCommand
    ));

    // Not confirmed yet: the same updates again.
    let again = bot.get_updates().await.expect("getUpdates");
    assert_eq!(again.len(), 2);
    // Confirming the first leaves the second.
    let rest = bot
        .get_updates()
        .offset(updates[1].id.0 as i32)
        .await
        .expect("getUpdates");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, updates[1].id);
    let none = bot
        .get_updates()
        .offset(updates[1].id.0 as i32 + 1)
        .await
        .expect("getUpdates");
    assert!(none.is_empty());
}

#[tokio::test]
async fn long_poll_wakes_up_when_a_citizen_writes() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let poll = tokio::spawn(async move { bot.get_updates().timeout(30).await });
    // Whenever the poll started, the message ends it long before its 30 s.
    client(&sandbox).send_text(7, "hello").await.expect("send");
    let updates = poll.await.expect("task").expect("getUpdates");
    assert_eq!(updates.len(), 1);
}

#[tokio::test]
async fn html_message_with_inline_keyboard_then_edit_then_delete() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        InlineKeyboardButton::callback("Thủ tục", "procedures"),
        InlineKeyboardButton::url(
            "Cổng",
            "https://dichvucong.sonla.gov.vn".parse().expect("url"),
        ),
    ]]);
    let sent = bot
        .send_message(ChatId(42), "<b>Xin chào</b> &amp; chào mừng")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await
        .expect("sendMessage");
    assert_eq!(sent.text(), Some("Xin chào & chào mừng"));
    assert!(matches!(
        sent.entities().expect("entities")[0].kind,
        MessageEntityKind::Bold
    ));
    assert!(sent.reply_markup().is_some());

    let t = client(&sandbox)
        .transcript(42, 1, 0)
        .await
        .expect("transcript");
    let m = t.message(sent.id.0 as i64).expect("the message");
    assert_eq!(m.from, Sender::Bot);
    assert_eq!(
        m.buttons,
        vec![vec!["Thủ tục".to_owned(), "Cổng".to_owned()]]
    );
    assert_eq!(m.html, "<b>Xin chào</b> &amp; chào mừng");

    // The citizen presses the button: the bot gets a callback query on that message.
    client(&sandbox).press(42, "Thủ tục").await.expect("press");
    let updates = bot.get_updates().offset(2).await.expect("getUpdates");
    let UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("a callback query: {:?}", updates[0].kind);
    };
    assert_eq!(q.data.as_deref(), Some("procedures"));
    assert_eq!(q.from.id, UserId(42));
    assert_eq!(q.regular_message().map(|m| m.id), Some(sent.id));
    bot.answer_callback_query(q.id.clone())
        .text("Đang tải…")
        .await
        .expect("answer");
    let t = client(&sandbox)
        .transcript(42, 0, 0)
        .await
        .expect("transcript");
    assert_eq!(t.notice.expect("a notice").text, "Đang tải…");
    // A query is answered once.
    assert!(bot.answer_callback_query(q.id.clone()).await.is_err());

    let edited = bot
        .edit_message_text(ChatId(42), sent.id, "Đã chọn: thủ tục")
        .await
        .expect("editMessageText");
    assert_eq!(edited.text(), Some("Đã chọn: thủ tục"));
    assert!(edited.edit_date().is_some());
    let t = client(&sandbox)
        .transcript(42, 0, 0)
        .await
        .expect("transcript");
    let m = t.message(sent.id.0 as i64).expect("the message");
    assert!(m.edited);
    assert_eq!(m.text, "Đã chọn: thủ tục");
    assert!(
        m.buttons.is_empty(),
        "an edit without reply_markup drops the keyboard"
    );

    let with_buttons = bot
        .edit_message_reply_markup(ChatId(42), sent.id)
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("Quay lại", "back"),
        ]]))
        .await
        .expect("editMessageReplyMarkup");
    assert!(with_buttons.reply_markup().is_some());

    bot.delete_message(ChatId(42), sent.id)
        .await
        .expect("deleteMessage");
    let t = client(&sandbox)
        .transcript(42, 0, 0)
        .await
        .expect("transcript");
    assert!(t.message(sent.id.0 as i64).expect("kept").deleted);
    // Deleted twice: Telegram's error.
    let again = bot.delete_message(ChatId(42), sent.id).await;
    assert!(
        matches!(
            again,
            Err(teloxide::RequestError::Api(
                teloxide::ApiError::MessageToDeleteNotFound
            ))
        ),
        "{again:?}"
    );
    // A pressed button of a deleted message is gone.
    let gone = client(&sandbox).press(42, "Quay lại").await;
    assert_eq!(gone.expect_err("no such button").status(), Some(404));
}

#[tokio::test]
async fn reply_keyboard_with_contact_button_and_removal() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 55).await;
    let bot = bot(&sandbox);
    let keyboard = KeyboardMarkup::new(vec![
        vec![KeyboardButton::new("📱 Chia sẻ số điện thoại").request(ButtonRequest::Contact)],
        vec![KeyboardButton::new("Hủy")],
    ])
    .resize_keyboard();
    bot.send_message(ChatId(55), "Số điện thoại của bạn?")
        .reply_markup(keyboard)
        .await
        .expect("sendMessage with a reply keyboard");
    let t = client(&sandbox)
        .transcript(55, 0, 0)
        .await
        .expect("transcript");
    let last = t.last_bot().expect("bot message");
    assert_eq!(last.keyboard.len(), 2);
    let shown = t.reply_keyboard.expect("keyboard shown");
    assert!(shown[0][0].request_contact);

    let sent = client(&sandbox)
        .press(55, "📱 Chia sẻ số điện thoại")
        .await
        .expect("press");
    assert!(sent.message_id.is_some());
    let updates = bot.get_updates().offset(2).await.expect("getUpdates");
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!("a message");
    };
    let MessageKind::Common(common) = &m.kind else {
        panic!("a common message");
    };
    let MediaKind::Contact(contact) = &common.media_kind else {
        panic!("a contact: {:?}", common.media_kind);
    };
    assert_eq!(contact.contact.user_id, Some(UserId(55)));
    assert!(contact.contact.phone_number.starts_with("849"));

    // A plain reply button sends its label as text.
    client(&sandbox).press(55, "Hủy").await.expect("press");
    let updates = bot.get_updates().offset(3).await.expect("getUpdates");
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!("a message");
    };
    assert_eq!(m.text(), Some("Hủy"));

    bot.send_message(ChatId(55), "Đã hủy")
        .reply_markup(KeyboardRemove::new())
        .await
        .expect("remove keyboard");
    let t = client(&sandbox)
        .transcript(55, 0, 0)
        .await
        .expect("transcript");
    assert!(t.reply_keyboard.is_none());
    let gone = client(&sandbox).press(55, "Hủy").await;
    assert_eq!(gone.expect_err("keyboard removed").status(), Some(404));
}

#[tokio::test]
async fn commands_are_kept_per_language() {
    use teloxide::types::BotCommand;
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    bot.set_my_commands(vec![BotCommand::new("start", "Bắt đầu")])
        .language_code("vi")
        .await
        .expect("setMyCommands vi");
    bot.set_my_commands(vec![
        BotCommand::new("start", "Start"),
        BotCommand::new("help", "Help"),
    ])
    .await
    .expect("setMyCommands default");
    let vi = bot
        .get_my_commands()
        .language_code("vi")
        .await
        .expect("get vi");
    assert_eq!(vi.len(), 1);
    assert_eq!(vi[0].description, "Bắt đầu");
    assert_eq!(bot.get_my_commands().await.expect("get").len(), 2);
    let bad = bot
        .set_my_commands(vec![BotCommand::new("Bad Command", "x")])
        .await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn chat_action_needs_a_known_chat() {
    use teloxide::types::ChatAction;
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let unknown = bot.send_chat_action(ChatId(9), ChatAction::Typing).await;
    assert!(
        matches!(
            unknown,
            Err(teloxide::RequestError::Api(
                teloxide::ApiError::ChatNotFound
            ))
        ),
        "{unknown:?}"
    );
    start_chat(&sandbox, 9).await;
    bot.send_chat_action(ChatId(9), ChatAction::Typing)
        .await
        .expect("typing");
}

#[tokio::test]
async fn a_second_poller_terminates_the_first() {
    let sandbox = spawn_sandbox(&[], false).await;
    let first = bot(&sandbox);
    let second = bot(&sandbox);
    let waiting = tokio::spawn(async move { first.get_updates().timeout(30).await });
    // Whenever the first poll starts, the next call of the second bot instance ends it. The
    // second polls (each call answered at once) until the first's task ends, at most 30 s.
    let mut waiting = waiting;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let ended = loop {
        second
            .get_updates()
            .await
            .expect("the newest poll is served");
        // Between two calls, wait for the first poll's end itself, briefly.
        let pause = tokio::time::Instant::now() + std::time::Duration::from_millis(20);
        if let Ok(done) = tokio::time::timeout_at(pause, &mut waiting).await {
            break done;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first poll was not terminated by the second poller within 30 s"
        );
    };
    let ended = ended.expect("task");
    assert!(
        matches!(
            ended,
            Err(teloxide::RequestError::Api(
                teloxide::ApiError::TerminatedByOtherGetUpdates
            ))
        ),
        "{ended:?}"
    );
}

/// Issue 13.11: as in Telegram, a deleted message keeps nothing of what it said — not the
/// password a citizen typed, not the bot's text, keyboard or file.
#[tokio::test]
async fn a_deleted_message_keeps_no_text() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let lan = Citizen::new(1101).named("Lan");
    let sent = client(&sandbox)
        .send_text(lan.clone(), "Matkhau2026")
        .await
        .expect("send");
    let typed = sent.message_id.expect("a message");
    let reply = bot
        .send_message(ChatId(1101), "<b>Mật khẩu</b> đã nhận")
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("OK", "ok"),
        ]]))
        .await
        .expect("send");
    bot.delete_message(ChatId(1101), teloxide::types::MessageId(typed as i32))
        .await
        .expect("delete the password");
    bot.delete_message(ChatId(1101), reply.id)
        .await
        .expect("delete the reply");
    let t = client(&sandbox)
        .transcript(lan, 0, 0)
        .await
        .expect("transcript");
    assert_eq!(t.messages.len(), 2);
    for m in &t.messages {
        assert!(m.deleted, "{m:?}");
        assert_eq!(m.text, "", "{m:?}");
        assert_eq!(m.html, "", "{m:?}");
        assert!(
            m.buttons.is_empty() && m.inline_keyboard.is_empty(),
            "{m:?}"
        );
    }
    let raw = reqwest::get(format!("{}sandbox/chats/1101", sandbox.base_url))
        .await
        .expect("transcript")
        .text()
        .await
        .expect("text");
    assert!(
        !raw.contains("Matkhau2026") && !raw.contains("Mật khẩu"),
        "{raw}"
    );
}
