//! A crash between writing the outbox and sending: the notifier and sender are killed where
//! they stand, ten times at random moments while officers act, and started again on the same
//! database. Every message is delivered; the only repeats are sends in flight at a kill.

use std::time::Duration;

use rand::Rng;
use serde_json::json;

use super::Notified;
use crate::support::engines;

#[tokio::test]
async fn killed_ten_times_everything_is_delivered_once_but_the_one_in_flight() {
    for engine in engines() {
        let mut n = Notified::start(engine, false, |c| {
            c.send_rate = "10/s".parse().unwrap();
            c.chat_interval = "100ms".parse().unwrap();
        })
        .await;
        let (session, code) = n.citizen_with_dossier("4001").await;
        let mut chats = Vec::new();
        for i in 0..5 {
            chats.push(
                n.link(40_000 + i, &session, if i % 2 == 0 { "vi" } else { "en" })
                    .await,
            );
        }
        n.officer(&code, json!({"action": "accept"})).await;
        let mut events = 1;
        let kills = 10;
        for k in 0..kills {
            let action = if k % 2 == 0 {
                json!({"action": "pause", "reason": format!("lần {k}")})
            } else {
                json!({"action": "resume"})
            };
            n.officer(&code, action).await;
            events += 1;
            let wait = rand::thread_rng().gen_range(0..600);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            n.notify.take().expect("running").abort();
            n.start_notify();
        }
        n.drained().await;
        let expected = events * chats.len();
        let sent: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT chat_id, telegram_message_id FROM outbox WHERE state = 'sent' ORDER BY id",
        )
        .fetch_all(&n.db.pool)
        .await
        .unwrap();
        assert_eq!(sent.len(), expected, "one row per event and chat, all sent");
        let mut delivered = 0;
        for who in &chats {
            let got = n.bot_messages(who).await;
            for (_, id) in sent.iter().filter(|(c, _)| *c == who.id) {
                assert!(
                    got.iter().any(|m| m.message_id == *id),
                    "row's message {id} arrived"
                );
            }
            delivered += got.len();
        }
        let repeats = delivered - expected;
        println!("crash test: {kills} kills, {repeats} repeated sends of {expected}");
        assert!(repeats <= kills, "{repeats} repeats for {kills} kills");
        n.stop().await;
    }
}
