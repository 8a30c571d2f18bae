//! Citizen journeys through the sandbox's Bot API, the real bot and the real portal: first
//! contact, registration, logout and login; a forged contact; the password deleted from the
//! chat and absent from the logs; a restart in the middle of registration.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use dvc_bot::sandbox::client::{Citizen, ContactInput, SendRequest, Sender};

use super::{System, bot_text, has_button};
use crate::portal::{PASSWORD, cccd};
use crate::support::engines;
use crate::support::said::{en, en_label, saying, vi, vi_label, vi_label_with};
use crate::support::wait::Expect;

/// Everything logged by this test process (all tests share one subscriber).
pub(super) fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
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
    let (vi_button, en_button) = (vi_label("language-vi"), vi_label("language-en"));
    let t = sys
        .say_until(
            who,
            "/start",
            Expect::said_with(vi("language-ask"), &vi_button),
        )
        .await;
    assert!(
        has_button(&t, &vi_button) && has_button(&t, &en_button),
        "{}",
        bot_text(&t)
    );
    sys.press_until(who, &vi_button, Expect::said(vi("language-set")))
        .await;
    sys.say_until(
        who,
        "/register",
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree")),
    )
    .await;
    sys.press_until(
        who,
        &vi_label("consent-agree"),
        Expect::said_with(vi("ask-kind"), vi_label("kind-citizen")),
    )
    .await;
    sys.press_until(
        who,
        &vi_label("kind-citizen"),
        Expect::said(vi("register-ask-name").arg("kind", "citizen")),
    )
    .await;
    sys.say_until(
        who,
        "Lò Văn 7",
        Expect::said(vi("invalid-full-name")).why("a bad name is explained"),
    )
    .await;
    sys.say_until(
        who,
        "Lò Văn Mến",
        Expect::said(vi("register-ask-id-number").arg("kind", "citizen")),
    )
    .await;
    sys.say_until(
        who,
        id,
        Expect::said(vi("register-ask-birth-date").arg("kind", "citizen")),
    )
    .await;
    let share = vi_label("register-share-phone");
    let t = sys
        .say_until(
            who,
            "05/01/1990",
            Expect::said(vi("register-ask-phone")).why("the phone question"),
        )
        .await;
    let phone = saying(&t, &vi("register-ask-phone")).expect("phone question");
    assert!(
        phone.keyboard.iter().flatten().any(|k| *k == share),
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
        let forged = SendRequest {
            contact: Some(ContactInput {
                phone_number: "84987654321".into(),
                user_id: Some(7_100_999),
            }),
            ..SendRequest::default()
        };
        sys.send_until(&who, forged, Expect::said(vi("register-phone-not-own")))
            .await;
        sys.say_until(
            &who,
            "0912345678",
            Expect::said(vi("register-phone-use-button")),
        )
        .await;

        // The e-mail is not asked in turn (it is offered from the summary).
        sys.press_until(
            &who,
            &vi_label("register-share-phone"),
            Expect::said(vi("register-phone-received"))
                .and(Expect::said(vi("register-ask-address"))),
        )
        .await;
        sys.say_until(
            &who,
            "Bản Mòng, xã Hua La, tỉnh Sơn La",
            Expect::said(vi("register-ask-password")),
        )
        .await;
        let confirm = vi_label("register-confirm");
        let t = sys
            .say_until(
                &who,
                PASSWORD,
                Expect::said_with(vi("register-summary"), &confirm),
            )
            .await;
        assert!(bot_text(&t).contains("Lò Văn Mến") && !bot_text(&t).contains(PASSWORD));
        sys.press_until(
            &who,
            &confirm,
            Expect::said(vi("register-done").arg("name", "Lò Văn Mến")),
        )
        .await;

        sys.say_until(&who, "/logout", Expect::said(vi("logout-done")))
            .await;
        // Neither the consent nor the account type is asked again: the type is remembered,
        // with a button for the other one.
        let organisation = vi_label_with("login-other-kind", &[("kind", "organisation")]);
        let t = sys
            .say_until(
                &who,
                "/login",
                Expect::said(vi("login-ask-username").arg("kind", "citizen"))
                    .or(Expect::said(vi("consent-statement")))
                    .or(Expect::said(vi("ask-kind"))),
            )
            .await;
        assert!(
            vi("login-ask-username").is_in(&bot_text(&t)),
            "consent and account type are not asked twice: {}",
            bot_text(&t)
        );
        assert!(has_button(&t, &organisation), "{}", bot_text(&t));
        sys.say_until(&who, &id, Expect::said(vi("login-ask-password")))
            .await;
        sys.say_until(&who, "Sai2026mk", Expect::said(vi("login-failed")))
            .await;
        sys.say_until(
            &who,
            PASSWORD,
            Expect::said(vi("login-done").arg("name", "Lò Văn Mến")),
        )
        .await;

        // Every message that carried a password is deleted from the chat.
        // A deleted message keeps no text (as in Telegram): the passwords are nowhere.
        let all = sys
            .wait_for(
                &who,
                0,
                Expect::new("the three password messages deleted", move |t| {
                    t.messages
                        .iter()
                        .filter(|m| m.from == Sender::User && m.deleted)
                        .count()
                        == 3
                }),
            )
            .await;
        assert!(
            !all.messages
                .iter()
                .any(|m| m.text.contains(PASSWORD) || m.text.contains("Sai2026mk")),
            "{all:?}"
        );

        // /mydata shows the link but never the token; the stored token is sealed.
        let t = sys
            .say_until(&who, "/mydata", Expect::said(vi("mydata")))
            .await;
        let db = sys.db().await;
        let user = dvc_bot::db::users::get(&db, who.id).await.unwrap().unwrap();
        // The link is the portal's account id; the CCCD is not kept (issue 13.9).
        let account = user.portal_account.clone().expect("linked");
        assert_ne!(account, id);
        assert!(bot_text(&t).contains(&account), "{}", bot_text(&t));
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
    sys.press_until(
        &who,
        &vi_label("register-share-phone"),
        Expect::said(vi("register-ask-address")).why("continues at the address"),
    )
    .await;
    // A flow resumed much later also continues: the state lives in the database.
    sys.say_until(
        &who,
        "Bản Mòng, xã Hua La, tỉnh Sơn La",
        Expect::said(vi("register-ask-password")),
    )
    .await;
}

#[tokio::test]
async fn deep_link_lookup_and_unknown_input_get_an_answer() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_100_003).language("en");
    sys.say_until(
        &who,
        "/start status_000_00_25_H50-261125-0001",
        Expect::said(en("lookup-not-found").arg("code", "000.00.25.H50-261125-0001")),
    )
    .await;
    sys.say_until(
        &who,
        "/status 1.001193",
        Expect::button("📝 Submit a dossier").why("a procedure code opens that procedure's card"),
    )
    .await;
    sys.say_until(
        &who,
        "/start proc_1_001193",
        Expect::button("📝 Submit a dossier").why("a poster's deep link opens the card"),
    )
    .await;
    sys.say_until(
        &who,
        "/status H50-261125-0001",
        Expect::said(en("lookup-format")).why("a malformed code gets the format in words"),
    )
    .await;
    sys.say_until(&who, "what?", Expect::reply().why("never silence"))
        .await;
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
    assert_eq!(describe(&vi, "register"), Some(vi_label("cmd-register")));
    assert_eq!(describe(&en, "register"), Some(en_label("cmd-register")));
    assert_ne!(vi_label("cmd-register"), en_label("cmd-register"));
    assert_eq!(vi.len(), en.len());
}

#[tokio::test]
async fn deleteme_erases_what_the_bot_keeps() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_100_004).named("Ánh").language("vi");
    let language = vi_label("language-vi");
    sys.say_until(&who, "/start", Expect::button(&language))
        .await;
    sys.press_until(&who, &language, Expect::said(vi("language-set")))
        .await;
    let agree = vi_label("consent-agree");
    sys.say_until(
        &who,
        "/register",
        Expect::said_with(vi("consent-statement"), &agree),
    )
    .await;
    sys.press_until(&who, &agree, Expect::said(vi("ask-kind")))
        .await;
    let t = sys
        .say_until(&who, "/mydata", Expect::said(vi("mydata")))
        .await;
    assert!(bot_text(&t).contains("7100004"), "{}", bot_text(&t));
    let (keep, erase) = (vi_label("deleteme-no"), vi_label("deleteme-yes"));
    let t = sys
        .say_until(
            &who,
            "/deleteme",
            Expect::said_with(vi("deleteme-ask"), &keep),
        )
        .await;
    assert!(has_button(&t, &erase), "{}", bot_text(&t));
    sys.press_until(&who, &keep, Expect::said(vi("deleteme-kept")))
        .await;
    sys.say_until(
        &who,
        "/deleteme",
        Expect::said_with(vi("deleteme-ask"), &erase),
    )
    .await;
    sys.press_until(&who, &erase, Expect::said(vi("deleteme-done")))
        .await;
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
    sys.say_until(&who, "/mydata", Expect::said(vi("mydata-none")))
        .await;
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
    sys.say_until(
        &who,
        "xin chào",
        Expect::said_with(vi("state-reset"), vi_label("menu-services"))
            .why("the reset is explained, with the main menu"),
    )
    .await;
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
        server: dvc_bot::bot::webhook::WebhookServer {
            listen,
            path: "/telegram".into(),
            secret: dvc_bot::config::Secret::new("webhook-secret-token"),
        },
        set: Some(url),
    })
    .await;
    let who = Citizen::new(7_100_006).named("Hùng").language("vi");
    // The update waits in the sandbox until the bot registers its webhook, then is delivered
    // to it (retried while the bot's server is not listening yet, as Telegram does).
    sys.say_until(
        &who,
        "/start",
        Expect::said(vi("greeting").arg("name", "Hùng")),
    )
    .await;
    // The delivery is answered once the update is handled, just after its replies went out.
    let until = tokio::time::Instant::now() + crate::support::wait::DEADLINE;
    loop {
        let stats = sys.client.stats().await.unwrap();
        if stats.webhook_deliveries > 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < until, "{stats:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The answer came through the webhook, so the secret token matched (a wrong one is refused
    // by the bot's webhook server).
}
