//! Each officer action tells every chat linked to the owner's account exactly once, in the
//! chat's language, with the button DESIGN's table gives; the result document arrives as a
//! document. The chats log in through the bot itself, so the link is the real one.

use dvc_bot::portal::client::Portal;
use dvc_bot::sandbox::client::{Citizen, Sender};
use serde_json::json;

use super::{DEADLINE, Notified, in_secs, labels};
use crate::portal::{PASSWORD, cccd, upload};
use crate::support::engines;

/// Waits for a bot message after `after` for which `want` holds; answers its id.
async fn until(
    n: &Notified,
    who: &Citizen,
    after: i64,
    want: impl Fn(&str, &[&str]) -> bool,
) -> i64 {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let t = n
            .client
            .transcript(who.clone(), after, 0)
            .await
            .expect("transcript");
        if let Some(m) = t
            .messages
            .iter()
            .filter(|m| m.from == Sender::Bot)
            .find(|m| want(&m.text, &super::labels(m)))
        {
            return m.message_id;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no such message: {t:#?}"
        );
        let _ = n
            .client
            .transcript(who.clone(), t.last_id().unwrap_or(after), 2_000)
            .await;
    }
}

/// /login in the chat, answered as a citizen would (consent, account type, CCCD, password).
async fn login(n: &Notified, who: &Citizen, id: &str, en: bool) -> i64 {
    let (agree, citizen) = if en {
        ("I agree", "Citizen")
    } else {
        ("Đồng ý", "Công dân")
    };
    n.client
        .send_text(who.clone(), "/login")
        .await
        .expect("send");
    until(n, who, 0, |_, b| b.contains(&agree)).await;
    n.client.press(who.clone(), agree).await.expect("consent");
    until(n, who, 0, |_, b| b.contains(&citizen)).await;
    let at = n
        .client
        .transcript(who.clone(), 0, 0)
        .await
        .unwrap()
        .last_id()
        .unwrap_or(0);
    n.client.press(who.clone(), citizen).await.expect("kind");
    until(n, who, at, |_, _| true).await;
    let at = n
        .client
        .transcript(who.clone(), 0, 0)
        .await
        .unwrap()
        .last_id()
        .unwrap_or(0);
    n.client.send_text(who.clone(), id).await.expect("id");
    until(n, who, at, |_, _| true).await;
    let at = n
        .client
        .transcript(who.clone(), 0, 0)
        .await
        .unwrap()
        .last_id()
        .unwrap_or(0);
    n.client
        .send_text(who.clone(), PASSWORD)
        .await
        .expect("password");
    until(n, who, at, |t, _| t.contains("Mến")).await
}

/// An officer action, the labels expected in Vietnamese and in English, a datum said.
type Step<'a> = (
    serde_json::Value,
    Vec<&'a str>,
    Vec<&'a str>,
    Option<&'a str>,
);

#[tokio::test]
async fn every_officer_action_reaches_each_linked_chat_once_in_its_language() {
    for engine in engines() {
        let mut n = Notified::start(engine, false, |_| {}).await;
        n.start_bot();
        let id = cccd("3101");
        let session = n.tp.citizen(&id).await;
        let code = n.tp.submitted(&session.token).await.code.unwrap();
        let other = n.tp.submitted(&session.token).await.code.unwrap();
        let vi = Citizen::new(31_001).language("vi");
        let en = Citizen::new(31_002).language("en");
        let mut after_vi = login(&n, &vi, &id, false).await;
        let mut after_en = login(&n, &en, &id, true).await;
        // A chat of another account hears nothing of these dossiers.
        let stranger_session = n.tp.citizen(&cccd("3199")).await;
        let stranger = n.link(31_003, &stranger_session, "vi").await;

        let steps: Vec<Step> = vec![
            (
                json!({"action": "accept"}),
                vec!["Xem hồ sơ"],
                vec!["View dossier"],
                None,
            ),
            (
                json!({"action": "request_supplement", "reason": "Thiếu bản rõ nét",
                       "deadline": in_secs(86_400), "missing_papers": ["giay_chung_sinh"]}),
                vec!["Bổ sung hồ sơ"],
                vec!["Add papers"],
                Some("Thiếu bản rõ nét"),
            ),
            (
                json!({"action": "request_fee", "amount": 8000, "deadline": in_secs(86_400),
                       "payment_ref": "KB-31"}),
                vec!["Xem phí và mã QR"],
                vec!["Fees and QR code"],
                Some("8.000 ₫"),
            ),
            (
                json!({"action": "confirm_payment"}),
                vec!["Xem hồ sơ"],
                vec!["View dossier"],
                None,
            ),
            (
                json!({"action": "pause", "reason": "Chờ xác minh"}),
                vec!["Xem hồ sơ", "Hỏi cán bộ"],
                vec!["View dossier", "Ask an officer"],
                Some("Chờ xác minh"),
            ),
            (
                json!({"action": "resume"}),
                vec!["Xem hồ sơ"],
                vec!["View dossier"],
                None,
            ),
            (
                json!({"action": "complete", "result": {"file_name": "trích lục khai sinh.pdf",
                       "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
                vec![],
                vec![],
                None,
            ),
            (
                json!({"action": "return_result"}),
                vec!["Đánh giá"],
                vec!["Rate"],
                None,
            ),
        ];
        let mut told = 0;
        for (i, (action, want_vi, want_en, data)) in steps.into_iter().enumerate() {
            n.officer(&code, action.clone()).await;
            if i == 1 {
                // The citizen answers the supplement: their own act, no message; the fee next.
                n.tp.client
                    .answer_supplement(
                        &session.token,
                        &dvc_bot::portal::client::DossierRef::parse(&code).unwrap(),
                        vec![upload(
                            "giay_chung_sinh",
                            "ro-net.pdf",
                            crate::portal::pdf(),
                        )],
                    )
                    .await
                    .expect("supplement answered");
            }
            told += 1;
            for (who, after, want) in [
                (&vi, &mut after_vi, &want_vi),
                (&en, &mut after_en, &want_en),
            ] {
                let got = n.wait_bot(who, *after, 1).await;
                assert_eq!(
                    got.len(),
                    1,
                    "{action}: one message in chat {}: {got:#?}",
                    who.id
                );
                let m = &got[0];
                assert_eq!(&labels(m), want, "{action} in chat {}", who.id);
                assert!(
                    m.text.contains(&code),
                    "{action}: the code is said: {}",
                    m.text
                );
                if let Some(data) = data {
                    assert!(
                        m.text.contains(data),
                        "{action}: {data} is said: {}",
                        m.text
                    );
                }
                if action["action"] == "return_result" {
                    let doc = m
                        .document
                        .as_ref()
                        .expect("the result itself, as a document");
                    assert_eq!(doc.file_name.as_deref(), Some("trích lục khai sinh.pdf"));
                }
                *after = m.message_id;
            }
        }
        n.officer(
            &other,
            json!({"action": "reject", "reason": "Không đủ điều kiện"}),
        )
        .await;
        told += 1;
        for (who, after, want) in [
            (&vi, after_vi, vec!["Xem hồ sơ", "Hỏi cán bộ"]),
            (&en, after_en, vec!["View dossier", "Ask an officer"]),
        ] {
            let got = n.wait_bot(who, after, 1).await;
            assert_eq!(labels(&got[0]), want);
            assert!(got[0].text.contains(&other) && got[0].text.contains("Không đủ điều kiện"));
        }

        // Once everything is read and sent: exactly one message per action in each chat.
        n.drained().await;
        for who in [&vi, &en] {
            let rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT telegram_message_id FROM outbox WHERE chat_id = $1 AND state = 'sent'",
            )
            .bind(who.id)
            .fetch_all(&n.db.pool)
            .await
            .unwrap();
            assert_eq!(rows.len(), told, "chat {}", who.id);
            let all = n.bot_messages(who).await;
            for (id,) in rows {
                assert!(
                    all.iter().any(|m| m.message_id == id),
                    "sent row {id} is in the chat"
                );
            }
        }
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE chat_id = $1")
            .bind(stranger.id)
            .fetch_one(&n.db.pool)
            .await
            .unwrap();
        assert_eq!(rows, 0, "another account's chat hears nothing");
        // The stored buttons are the dossier's callbacks.
        let (message,): (String,) =
            sqlx::query_as("SELECT message FROM outbox WHERE chat_id = $1 ORDER BY id LIMIT 1")
                .bind(vi.id)
                .fetch_one(&n.db.pool)
                .await
                .unwrap();
        assert!(message.contains(&format!("ho:{code}")), "{message}");

        n.stop().await;
    }
}

#[tokio::test]
async fn notifications_switched_off_are_not_sent_and_on_again_are() {
    for engine in engines() {
        let mut n = Notified::start(engine, false, |_| {}).await;
        n.start_bot();
        let (session, code) = n.citizen_with_dossier("3201").await;
        let who = n.link(32_001, &session, "en").await;
        n.client
            .send_text(who.clone(), "/notifications")
            .await
            .unwrap();
        let shown = n
            .wait_for(&who, 0, |m| labels(m).contains(&"Turn reminders off"))
            .await;
        assert_eq!(
            labels(&shown),
            ["Turn status messages off", "Turn reminders off"]
        );
        let got = [shown];
        n.client
            .press(who.clone(), "Turn status messages off")
            .await
            .unwrap();
        // Redrawn in place with the switch turned.
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let t = n.client.transcript(who.clone(), 0, 0).await.unwrap();
            let m = t.message(got[0].message_id).unwrap();
            if labels(m).contains(&"Turn status messages on") {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{m:?}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            dvc_bot::db::users::notifications(&n.db, who.id)
                .await
                .unwrap(),
            (false, true)
        );
        let before = n.bot_messages(&who).await.len();
        n.officer(&code, json!({"action": "accept"})).await;
        n.drained().await;
        assert_eq!(
            n.bot_messages(&who).await.len(),
            before,
            "nothing while off"
        );
        dvc_bot::db::users::set_notify(&n.db, who.id, true)
            .await
            .unwrap();
        n.officer(&code, json!({"action": "pause", "reason": "x"}))
            .await;
        let got = n
            .wait_for(&who, 0, |m| {
                m.text.contains("paused") && m.text.contains(&code)
            })
            .await;
        assert_eq!(labels(&got), ["View dossier", "Ask an officer"]);
        n.stop().await;
    }
}

#[tokio::test]
async fn deleteme_removes_the_chats_notifications() {
    for engine in engines() {
        let n = Notified::start(engine, false, |c| {
            c.remind_before = "1h".parse().unwrap();
        })
        .await;
        let (session, code) = n.citizen_with_dossier("3301").await;
        let who = n.link(33_001, &session, "vi").await;
        n.officer(&code, json!({"action": "accept"})).await;
        n.officer(
            &code,
            json!({"action": "request_fee", "amount": 5000, "deadline": in_secs(7_200)}),
        )
        .await;
        n.wait_bot(&who, 0, 2).await;
        n.drained().await;
        sqlx::query("INSERT INTO follows (chat_id, dossier_code, created_at) VALUES ($1, $2, 0)")
            .bind(who.id)
            .bind("000.00.25.H50-261125-0009")
            .execute(&n.db.pool)
            .await
            .unwrap();
        let count = |table: &'static str| {
            let db = n.db.clone();
            async move {
                let (c,): (i64,) =
                    sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE chat_id = $1"))
                        .bind(33_001_i64)
                        .fetch_one(&db.pool)
                        .await
                        .unwrap();
                c
            }
        };
        assert!(count("outbox").await >= 2 && count("reminders").await >= 1);
        assert_eq!(count("follows").await, 1);
        dvc_bot::db::users::delete(&n.db, who.id).await.unwrap();
        for table in ["outbox", "reminders", "follows"] {
            assert_eq!(count(table).await, 0, "{table}");
        }
        n.stop().await;
    }
}

#[tokio::test]
async fn a_first_start_follows_the_feed_from_its_head() {
    let mut n = Notified::start(crate::support::Engine::Sqlite, false, |_| {}).await;
    let (session, code) = n.citizen_with_dossier("3401").await;
    let who = n.link(34_001, &session, "vi").await;
    // As if the bot were deployed only now, against a portal with a past.
    n.notify.take().unwrap().stop().await;
    sqlx::query("DELETE FROM cursors")
        .execute(&n.db.pool)
        .await
        .unwrap();
    n.officer(&code, json!({"action": "accept"})).await;
    n.start_notify();
    n.wait_started().await;
    n.officer(&code, json!({"action": "pause", "reason": "mới"}))
        .await;
    let m = n.wait_for(&who, 0, |m| m.text.contains(&code)).await;
    assert!(
        m.text.contains("mới"),
        "the first message is the new event's: {}",
        m.text
    );
    n.drained().await;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox")
        .fetch_one(&n.db.pool)
        .await
        .unwrap();
    assert_eq!(
        rows, 1,
        "the acceptance before the first start was not replayed"
    );
    n.stop().await;
}
