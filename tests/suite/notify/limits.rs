//! The sender within Telegram's limits: a 429 storm from the sandbox's `--limits` absorbed
//! with nothing lost and nothing twice; a chat that blocked the bot gets nothing more.

use serde_json::json;

use super::{Notified, labels};
use crate::support::engines;

#[tokio::test]
async fn a_429_storm_is_absorbed_with_nothing_lost() {
    for engine in engines() {
        // Far above what the sandbox allows (30/s, 1/s per chat after a burst of 3): 429s.
        let n = Notified::start(engine, true, |c| {
            c.send_rate = "200/s".parse().unwrap();
            c.chat_interval = "10ms".parse().unwrap();
        })
        .await;
        let (session, code) = n.citizen_with_dossier("3801").await;
        let mut chats = Vec::new();
        for i in 0..80 {
            chats.push(n.link(38_000 + i, &session, "vi").await);
        }
        for action in [
            json!({"action": "accept"}),
            json!({"action": "pause", "reason": "bão"}),
            json!({"action": "resume"}),
        ] {
            n.officer(&code, action).await;
        }
        n.drained().await;
        for who in &chats {
            let got = n.bot_messages(who).await;
            assert_eq!(got.len(), 3, "chat {}: {got:#?}", who.id);
            assert_eq!(labels(&got[1]), ["Xem hồ sơ", "Hỏi cán bộ"], "in order");
        }
        let stats = n.client.stats().await.unwrap();
        assert!(stats.too_many_requests > 0, "the storm happened: {stats:?}");
        assert_eq!(stats.messages_sent, 240);
        assert_eq!(n.states().await, [("sent".to_owned(), 240)]);
        n.stop().await;
    }
}

#[tokio::test]
async fn a_blocked_chat_gets_nothing_more_until_it_writes_again() {
    for engine in engines() {
        let mut n = Notified::start(engine, false, |_| {}).await;
        n.start_bot();
        let (session, code) = n.citizen_with_dossier("3901").await;
        let open = n.link(39_001, &session, "vi").await;
        let blocked = n.link(39_002, &session, "vi").await;
        let told = |who| {
            let n = &n;
            let code = code.clone();
            async move {
                n.bot_messages(who)
                    .await
                    .into_iter()
                    .filter(|m| m.text.contains(&code))
                    .count()
            }
        };
        n.officer(&code, json!({"action": "accept"})).await;
        n.wait_for(&open, 0, |m| m.text.contains(&code)).await;
        n.wait_for(&blocked, 0, |m| m.text.contains(&code)).await;
        n.client.block(blocked.clone()).await.unwrap();
        n.officer(&code, json!({"action": "pause", "reason": "một"}))
            .await;
        n.drained().await;
        n.officer(&code, json!({"action": "resume"})).await;
        n.drained().await;
        assert_eq!(told(&open).await, 3);
        assert_eq!(told(&blocked).await, 1, "nothing after the block");
        let user = dvc_bot::db::users::get(&n.db, blocked.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.blocked, 1, "remembered as blocked");
        let stats = n.client.stats().await.unwrap();
        assert_eq!(
            stats.forbidden, 1,
            "one refused send, then no more tries: {stats:?}"
        );
        let dropped: Vec<(i64, String)> =
            sqlx::query_as("SELECT chat_id, state FROM outbox WHERE state <> 'sent'")
                .fetch_all(&n.db.pool)
                .await
                .unwrap();
        assert_eq!(dropped, [(blocked.id, "dropped".to_owned())]);

        // The citizen unblocks and writes: notifications resume.
        n.client.unblock(blocked.clone()).await.unwrap();
        n.client.send_text(blocked.clone(), "/help").await.unwrap();
        let until = tokio::time::Instant::now() + super::DEADLINE;
        loop {
            let user = dvc_bot::db::users::get(&n.db, blocked.id)
                .await
                .unwrap()
                .unwrap();
            if user.blocked == 0 {
                break;
            }
            assert!(tokio::time::Instant::now() < until, "still marked blocked");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        n.officer(&code, json!({"action": "pause", "reason": "hai"}))
            .await;
        n.wait_for(&blocked, 0, |m| m.text.contains("hai")).await;
        assert_eq!(told(&blocked).await, 2);
        n.stop().await;
    }
}

#[tokio::test]
async fn the_notification_metrics_are_on_the_admin_address() {
    let n = Notified::start(crate::support::Engine::Sqlite, false, |_| {}).await;
    let admin = dvc_bot::admin::spawn("127.0.0.1:0".parse().unwrap(), n.db.clone())
        .await
        .unwrap();
    let addr = admin.addr;
    let (session, code) = n.citizen_with_dossier("4101").await;
    let who = n.link(41_001, &session, "vi").await;
    n.officer(&code, json!({"action": "accept"})).await;
    n.wait_for(&who, 0, |m| m.text.contains(&code)).await;
    n.drained().await;
    let until = tokio::time::Instant::now() + super::DEADLINE;
    loop {
        let text = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let all = [
            "dvc_outbox_sent_total",
            "dvc_outbox_depth",
            "dvc_event_lag_seconds",
            "dvc_event_to_chat_seconds",
        ];
        if all.iter().all(|m| text.contains(m)) {
            break;
        }
        assert!(tokio::time::Instant::now() < until, "{text}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    admin.stop().await.unwrap();
    n.stop().await;
}
