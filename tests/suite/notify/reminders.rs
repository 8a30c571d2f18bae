//! Reminders before a seconds-scale deadline arrive before it; none after the citizen
//! answered or the status changed; quiet hours defer every unasked message.

use chrono::Utc;
use dvc_bot::portal::client::Portal;
use serde_json::json;

use super::{Notified, in_secs, labels};
use crate::portal::{pdf, upload};
use crate::support::engines;

async fn reminders_of(n: &Notified, code: &str) -> i64 {
    let (c,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM reminders WHERE dossier_code = $1 AND fired = 0 \
         AND kind IN ('supplement', 'fee')",
    )
    .bind(code)
    .fetch_one(&n.db.pool)
    .await
    .unwrap();
    c
}

#[tokio::test]
async fn reminders_arrive_before_the_deadline() {
    for engine in engines() {
        let n = Notified::start(engine, false, |c| {
            c.remind_before = "6s,3s".parse().unwrap();
        })
        .await;
        let (session, code) = n.citizen_with_dossier("3501").await;
        let who = n.link(35_001, &session, "vi").await;
        let en = n.link(35_002, &session, "en").await;
        n.officer(&code, json!({"action": "accept"})).await;
        n.wait_bot(&who, 0, 1).await;
        let deadline = Utc::now() + chrono::Duration::seconds(9);
        n.officer(
            &code,
            json!({"action": "request_fee", "amount": 12000, "deadline": deadline.to_rfc3339()}),
        )
        .await;
        // The request, then two reminders (6 s and 3 s before), each before the deadline.
        let got = n.wait_bot(&who, 0, 4).await;
        assert!(
            Utc::now() < deadline,
            "the reminders came before the deadline"
        );
        assert_eq!(labels(&got[1]), ["Xem phí và mã QR"]);
        for reminder in &got[2..4] {
            assert_eq!(labels(reminder), ["Xem phí và mã QR"]);
            assert!(reminder.text.contains("12.000 ₫") && reminder.text.contains(&code));
        }
        let got = n.wait_bot(&en, 0, 4).await;
        assert_eq!(labels(&got[3]), ["Fees and QR code"]);
        // Recorded once Telegram's answers are written down.
        n.drained().await;
        let (fired,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder-fee' AND state = 'sent'",
        )
        .fetch_one(&n.db.pool)
        .await
        .unwrap();
        assert_eq!(fired, 4, "two reminders to each of the two chats");
        n.stop().await;
    }
}

#[tokio::test]
async fn no_reminder_after_the_answer_or_a_status_change() {
    for engine in engines() {
        let n = Notified::start(engine, false, |c| {
            c.remind_before = "4s,3s".parse().unwrap();
        })
        .await;
        let (session, code) = n.citizen_with_dossier("3601").await;
        let (_, fee_code) = {
            let d = n.tp.submitted(&session.token).await;
            (session.clone(), d.code.unwrap())
        };
        let who = n.link(36_001, &session, "vi").await;
        for c in [&code, &fee_code] {
            n.officer(c, json!({"action": "accept"})).await;
        }
        n.officer(
            &code,
            json!({"action": "request_supplement", "reason": "Mờ", "deadline": in_secs(7),
                   "missing_papers": ["giay_chung_sinh"]}),
        )
        .await;
        n.officer(
            &fee_code,
            json!({"action": "request_fee", "amount": 3000, "deadline": in_secs(7)}),
        )
        .await;
        // Scheduled as the requests are read.
        let until = tokio::time::Instant::now() + super::DEADLINE;
        while reminders_of(&n, &code).await < 2 || reminders_of(&n, &fee_code).await < 2 {
            assert!(
                tokio::time::Instant::now() < until,
                "no reminders scheduled"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // The citizen answers one; the officer confirms the other's payment.
        n.tp.client
            .answer_supplement(
                &session.token,
                &dvc_bot::portal::client::DossierRef::parse(&code).unwrap(),
                vec![upload("giay_chung_sinh", "b.pdf", pdf())],
            )
            .await
            .expect("answered");
        n.officer(&fee_code, json!({"action": "confirm_payment"}))
            .await;
        n.drained().await;
        assert_eq!(reminders_of(&n, &code).await, 0, "cancelled by the answer");
        assert_eq!(
            reminders_of(&n, &fee_code).await,
            0,
            "cancelled by the status change"
        );
        // Past both deadlines, a marker event: nothing but status messages came before it.
        tokio::time::sleep_until(tokio::time::Instant::now() + std::time::Duration::from_secs(7))
            .await;
        n.officer(&fee_code, json!({"action": "pause", "reason": "marker"}))
            .await;
        let got = n.wait_bot(&who, 0, 6).await;
        assert!(got[5].text.contains("marker"), "{:#?}", got);
        assert!(
            got.iter().all(|m| !m.text.contains("⏰")),
            "no reminder was sent: {got:#?}"
        );
        let (sent,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE kind LIKE 'reminder%'")
                .fetch_one(&n.db.pool)
                .await
                .unwrap();
        assert_eq!(sent, 0);
        n.stop().await;
    }
}

#[tokio::test]
async fn quiet_hours_defer_status_messages_to_their_end() {
    use dvc_bot::notify::QuietHours;
    let local = Utc::now().with_timezone(&dvc_bot::i18n::TZ);
    let start = (local - chrono::Duration::minutes(1)).time();
    let end = (local + chrono::Duration::hours(2)).time();
    let window = format!("{}-{}", start.format("%H:%M"), end.format("%H:%M"));
    let quiet: QuietHours = window.parse().unwrap();
    let n = Notified::start(crate::support::Engine::Sqlite, false, |c| c.quiet = quiet).await;
    let (session, code) = n.citizen_with_dossier("3701").await;
    n.link(37_001, &session, "vi").await;
    n.officer(&code, json!({"action": "accept"})).await;
    let deadline = tokio::time::Instant::now() + super::DEADLINE;
    let not_before = loop {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT not_before, state FROM outbox WHERE chat_id = 37001")
                .fetch_optional(&n.db.pool)
                .await
                .unwrap();
        if let Some((at, state)) = row {
            assert_eq!(state, "pending", "held back, not sent and not dropped");
            break at;
        }
        assert!(tokio::time::Instant::now() < deadline, "no outbox row");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let now = Utc::now().timestamp();
    assert!(
        not_before > now + 3_000,
        "deferred to the window's end: {not_before} vs {now}"
    );
    assert!(not_before <= now + 2 * 3_600 + 60);
    n.stop().await;
}
