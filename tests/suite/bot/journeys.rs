//! Citizen journeys through the sandbox's Bot API, the real bot and the real portal: first
//! contact, registration, logout and login; a forged contact; the password deleted from the
//! chat and absent from the logs; a restart in the middle of registration.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use dvc_bot::sandbox::client::{Citizen, ContactInput, SendRequest, Sender};

use super::{System, bot_text, has_button};
use crate::portal::{PASSWORD, cccd};
use crate::support::engines;

/// Everything logged by this test process (all tests share one subscriber).
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || LogSink(Arc::clone(&sink)))
            .finish();
        // Also bridges the `log` crate (teloxide, reqwest), so their records are checked too.
        let _ = tracing_subscriber::util::SubscriberInitExt::try_init(subscriber);
        buffer
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// /start → Vietnamese → /register, answered up to the phone question.
async fn register_until_phone(sys: &System, who: &Citizen, id: &str) {
    let t = sys.say(who, "/start").await;
    assert!(
        has_button(&t, "Tiếng Việt") && has_button(&t, "English"),
        "{}",
        bot_text(&t)
    );
    let t = sys.press(who, "Tiếng Việt").await;
    assert!(
        bot_text(&t).contains("Đã chọn Tiếng Việt"),
        "{}",
        bot_text(&t)
    );
    let t = sys.say(who, "/register").await;
    assert!(
        bot_text(&t).contains("Đồng ý xử lý dữ liệu cá nhân"),
        "{}",
        bot_text(&t)
    );
    sys.press(who, "Đồng ý").await;
    let t = sys.press(who, "Công dân").await;
    assert!(bot_text(&t).contains("họ và tên"), "{}", bot_text(&t));
    let t = sys.say(who, "Lò Văn 7").await;
    assert!(
        bot_text(&t).contains("chỉ gồm chữ cái"),
        "a bad name is explained: {}",
        bot_text(&t)
    );
    let t = sys.say(who, "Lò Văn Mến").await;
    assert!(bot_text(&t).contains("CCCD"), "{}", bot_text(&t));
    let t = sys.say(who, id).await;
    assert!(bot_text(&t).contains("ngày sinh"), "{}", bot_text(&t));
    let t = sys.say(who, "05/01/1990").await;
    let phone = t.last_bot().expect("phone question");
    assert!(
        phone
            .keyboard
            .iter()
            .flatten()
            .any(|k| k == "Chia sẻ số điện thoại"),
        "the share-phone button is offered: {phone:?}"
    );
}

#[tokio::test]
async fn register_logout_login_through_the_sandbox() {
    let logs = captured_logs();
    for engine in engines() {
        let sys = System::start(engine).await;
        let who = Citizen::new(7_100_001).named("Mến").language("vi");
        let id = cccd("7001");
        register_until_phone(&sys, &who, &id).await;

        // A forged contact (someone else's) is refused; typing the number is not accepted.
        let after = sys.last_id(&who).await;
        let forged = SendRequest {
            user_id: who.id,
            contact: Some(ContactInput {
                phone_number: "84987654321".into(),
                user_id: Some(7_100_999),
            }),
            ..SendRequest::default()
        };
        sys.client.send(forged).await.unwrap();
        let t = sys.wait_reply(&who, after).await;
        assert!(
            bot_text(&t).contains("không phải số điện thoại của chính bạn"),
            "{}",
            bot_text(&t)
        );
        let t = sys.say(&who, "0912345678").await;
        assert!(bot_text(&t).contains("bấm nút"), "{}", bot_text(&t));

        let t = sys.press(&who, "Chia sẻ số điện thoại").await;
        assert!(bot_text(&t).contains("thư điện tử"), "{}", bot_text(&t));
        let t = sys.press(&who, "Bỏ qua").await;
        assert!(bot_text(&t).contains("địa chỉ"), "{}", bot_text(&t));
        let t = sys.say(&who, "Bản Mòng, xã Hua La, tỉnh Sơn La").await;
        assert!(bot_text(&t).contains("mật khẩu"), "{}", bot_text(&t));
        let t = sys.say(&who, PASSWORD).await;
        assert!(
            bot_text(&t).contains("Kiểm tra thông tin đăng ký"),
            "{}",
            bot_text(&t)
        );
        assert!(bot_text(&t).contains("Lò Văn Mến") && !bot_text(&t).contains(PASSWORD));
        let t = sys.press(&who, "✅ Xác nhận đăng ký").await;
        assert!(
            bot_text(&t).contains("Đăng ký thành công"),
            "{}",
            bot_text(&t)
        );

        let t = sys.say(&who, "/logout").await;
        assert!(bot_text(&t).contains("Đã đăng xuất"), "{}", bot_text(&t));
        let t = sys.say(&who, "/login").await;
        assert!(
            has_button(&t, "Công dân"),
            "consent is not asked twice: {}",
            bot_text(&t)
        );
        sys.press(&who, "Công dân").await;
        let t = sys.say(&who, &id).await;
        assert!(bot_text(&t).contains("mật khẩu"), "{}", bot_text(&t));
        let t = sys.say(&who, "Sai2026mk").await;
        assert!(bot_text(&t).contains("không đúng"), "{}", bot_text(&t));
        let t = sys.say(&who, PASSWORD).await;
        assert!(
            bot_text(&t).contains("Đăng nhập thành công"),
            "{}",
            bot_text(&t)
        );

        // Every message that carried a password is deleted from the chat.
        let all = sys.client.transcript(who.clone(), 0, 0).await.unwrap();
        let secrets: Vec<_> = all
            .messages
            .iter()
            .filter(|m| m.from == Sender::User && (m.text == PASSWORD || m.text == "Sai2026mk"))
            .collect();
        assert_eq!(secrets.len(), 3, "register once, login twice");
        assert!(secrets.iter().all(|m| m.deleted), "{secrets:?}");

        // /mydata shows the link but never the token; the stored token is sealed.
        let t = sys.say(&who, "/mydata").await;
        assert!(bot_text(&t).contains(&id), "{}", bot_text(&t));
        let db = sys.db().await;
        let user = dvc_bot::db::users::get(&db, who.id).await.unwrap().unwrap();
        let sealed = user.portal_session_enc.unwrap();
        assert!(!bot_text(&t).contains(&sealed));
        db.close().await;
    }
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logs.contains("update"), "the logs were captured");
    assert!(
        !logs.contains(PASSWORD) && !logs.contains("Sai2026mk"),
        "a password reached the logs"
    );
}

#[tokio::test]
async fn a_restart_mid_registration_resumes_where_it_was() {
    let engine = *engines().last().unwrap();
    let mut sys = System::start(engine).await;
    let who = Citizen::new(7_100_002).named("Lan").language("vi");
    register_until_phone(&sys, &who, &cccd("7002")).await;
    sys.stop_bot().await;
    sys.start_bot().await;
    let t = sys.press(&who, "Chia sẻ số điện thoại").await;
    assert!(
        bot_text(&t).contains("thư điện tử"),
        "continues at the e-mail: {}",
        bot_text(&t)
    );
    // A flow resumed much later also continues: the state lives in the database.
    let t = sys.say(&who, "lan@example.vn").await;
    assert!(bot_text(&t).contains("địa chỉ"), "{}", bot_text(&t));
}

#[tokio::test]
async fn deep_link_lookup_and_unknown_input_get_an_answer() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_100_003).language("en");
    let t = sys
        .say(&who, "/start status_000_00_25_H50-261125-0001")
        .await;
    assert!(
        bot_text(&t).contains("No dossier has the code 000.00.25.H50-261125-0001"),
        "{}",
        bot_text(&t)
    );
    let t = sys.say(&who, "/status 1.001193").await;
    assert!(
        bot_text(&t).contains("1.001193") && has_button(&t, "📝 Submit a dossier"),
        "a procedure code opens that procedure's card: {}",
        bot_text(&t)
    );
    // A poster's deep link opens the procedure's card.
    let t = sys.say(&who, "/start proc_1_001193").await;
    assert!(
        bot_text(&t).contains("1.001193") && has_button(&t, "📝 Submit a dossier"),
        "a procedure link opens its card: {}",
        bot_text(&t)
    );
    let t = sys.say(&who, "/status H50-261125-0001").await;
    assert!(
        bot_text(&t).contains("000.00.25.H50-261125-0001"),
        "a malformed code gets the format with an example: {}",
        bot_text(&t)
    );
    let t = sys.say(&who, "what?").await;
    assert!(t.bot_messages().next().is_some(), "never silence");
    // The commands are registered in both languages.
    use teloxide::payloads::GetMyCommandsSetters;
    use teloxide::prelude::Requester;
    let bot = dvc_bot::bot::client(
        &dvc_bot::config::Secret::new(dvc_bot::config::SANDBOX_TOKEN),
        Some(&sys.sandbox.base_url),
    );
    let vi = bot.get_my_commands().await.unwrap();
    let en = bot.get_my_commands().language_code("en").await.unwrap();
    let describe = |list: &[teloxide::types::BotCommand], name: &str| {
        list.iter()
            .find(|c| c.command == name)
            .map(|c| c.description.clone())
    };
    assert_eq!(
        describe(&vi, "register").as_deref(),
        Some("Đăng ký tài khoản")
    );
    assert_eq!(
        describe(&en, "register").as_deref(),
        Some("Create an account")
    );
    assert_eq!(vi.len(), en.len());
}

#[tokio::test]
async fn deleteme_erases_what_the_bot_keeps() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_100_004).named("Ánh").language("vi");
    sys.say(&who, "/start").await;
    sys.press(&who, "Tiếng Việt").await;
    sys.say(&who, "/register").await;
    sys.press(&who, "Đồng ý").await;
    let t = sys.say(&who, "/mydata").await;
    assert!(bot_text(&t).contains("7100004"), "{}", bot_text(&t));
    let t = sys.say(&who, "/deleteme").await;
    assert!(has_button(&t, "Không xoá"), "{}", bot_text(&t));
    let t = sys.press(&who, "Không xoá").await;
    assert!(bot_text(&t).contains("giữ nguyên"), "{}", bot_text(&t));
    sys.say(&who, "/deleteme").await;
    let t = sys.press(&who, "Xoá dữ liệu").await;
    assert!(bot_text(&t).contains("Đã xoá dữ liệu"), "{}", bot_text(&t));
    let db = sys.db().await;
    assert!(
        dvc_bot::db::users::get(&db, who.id)
            .await
            .unwrap()
            .is_none(),
        "the user row is gone"
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dialogues WHERE chat_id = $1")
        .bind(who.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "the dialogue is gone");
    db.close().await;
    let t = sys.say(&who, "/mydata").await;
    assert!(
        bot_text(&t).contains("chưa lưu dữ liệu nào"),
        "{}",
        bot_text(&t)
    );
}

#[tokio::test]
async fn a_state_from_an_older_version_restarts_the_chat_with_a_word() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_100_005).language("vi");
    let db = sys.db().await;
    sqlx::query("INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, 0)")
        .bind(who.id)
        .bind(r#"{"step":{"ReceiveAge":{"full_name":"old"}},"last_update":0}"#)
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;
    let t = sys.say(&who, "xin chào").await;
    let text = bot_text(&t);
    assert!(text.contains("nâng cấp"), "the reset is explained: {text}");
    assert!(has_button(&t, "Dịch vụ công"), "with the main menu: {text}");
}

#[tokio::test]
async fn the_bot_also_runs_behind_a_webhook() {
    let mut sys = System::start(engines()[0]).await;
    sys.stop_bot().await;
    // A free loopback port for the bot's webhook server.
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = url::Url::parse(&format!("http://{listen}/telegram")).unwrap();
    sys.start_bot_with(dvc_bot::bot::Updates::Webhook {
        url,
        listen,
        secret: dvc_bot::config::Secret::new("webhook-secret-token"),
    })
    .await;
    let who = Citizen::new(7_100_006).named("Hùng").language("vi");
    let mut text = String::new();
    // The webhook is registered when the bot starts: wait until the sandbox delivers to it.
    for _ in 0..100 {
        let t = sys.say(&who, "/start").await;
        text = bot_text(&t);
        if text.contains("Xin chào Hùng") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains("Xin chào Hùng"), "{text}");
    let stats = sys.client.stats().await.unwrap();
    assert!(stats.webhook_deliveries > 0, "{stats:?}");
    // The answer came through the webhook, so the secret token matched (a wrong one is refused
    // by the bot's webhook server). A first delivery may fail: teloxide registers the webhook
    // before its server listens, and the sandbox retries as Telegram does.
}
