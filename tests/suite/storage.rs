//! The bot database: migrations and the teloxide dialogue storage, on every engine.

use std::sync::Arc;

use dvc_bot::db::storage::SqlStorage;
use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use crate::support::{Engine, TestDb, engines};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum State {
    Start,
    Filling {
        procedure: String,
        values: Vec<(String, String)>,
        step: u32,
        note: Option<String>,
    },
}

fn filling() -> State {
    State::Filling {
        procedure: "1.001193".into(),
        values: vec![
            ("ho_ten".into(), "Lò Văn Mến".into()),
            ("ngay".into(), "05/01/2026".into()),
        ],
        step: 3,
        note: Some("“quoted” \\ and 'single'".into()),
    }
}

#[tokio::test]
async fn migrations_apply_twice() {
    for engine in engines() {
        let test_db = TestDb::new(engine).await;
        let db = test_db.connect().await;
        db.migrate_bot().await.expect("first run");
        db.migrate_bot().await.expect("second run");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{engine:?}");
        db.close().await;
    }
}

#[tokio::test]
async fn storage_round_trips_and_survives_reopening() {
    for engine in engines() {
        let test_db = TestDb::new(engine).await;
        let db = test_db.connect().await;
        db.migrate_bot().await.unwrap();
        let storage = SqlStorage::<State>::new(db.clone());
        let chat = ChatId(7_000_001);

        assert_eq!(Arc::clone(&storage).get_dialogue(chat).await.unwrap(), None);
        Arc::clone(&storage)
            .update_dialogue(chat, State::Start)
            .await
            .unwrap();
        Arc::clone(&storage)
            .update_dialogue(chat, filling())
            .await
            .unwrap();
        Arc::clone(&storage)
            .update_dialogue(ChatId(-42), State::Start)
            .await
            .unwrap();
        assert_eq!(
            Arc::clone(&storage).get_dialogue(chat).await.unwrap(),
            Some(filling())
        );
        db.close().await;

        // A new pool on the same database sees the same states.
        let reopened = test_db.connect().await;
        let storage = SqlStorage::<State>::new(reopened.clone());
        assert_eq!(
            Arc::clone(&storage).get_dialogue(chat).await.unwrap(),
            Some(filling()),
            "{engine:?}"
        );
        assert_eq!(
            Arc::clone(&storage)
                .get_dialogue(ChatId(-42))
                .await
                .unwrap(),
            Some(State::Start)
        );

        // Erased, as the dispatcher uses it.
        let erased = Arc::clone(&storage).erase();
        Arc::clone(&erased).remove_dialogue(chat).await.unwrap();
        assert_eq!(erased.get_dialogue(chat).await.unwrap(), None);
        reopened.close().await;
    }
}

#[tokio::test]
async fn an_older_state_shape_resets_the_chat() {
    for engine in engines() {
        let test_db = TestDb::new(engine).await;
        let db = test_db.connect().await;
        db.migrate_bot().await.unwrap();
        let chat = ChatId(7_000_002);
        sqlx::query("INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, 0)")
            .bind(chat.0)
            .bind(r#"{"ReceiveAge":{"full_name":"old shape"}}"#)
            .execute(&db.pool)
            .await
            .unwrap();
        let storage = SqlStorage::<State>::new(db.clone());
        assert_eq!(
            Arc::clone(&storage).get_dialogue(chat).await.unwrap(),
            None,
            "{engine:?}"
        );
        assert!(storage.take_reset(chat), "the reset is reported once");
        assert!(!storage.take_reset(chat));
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dialogues WHERE chat_id = $1")
            .bind(chat.0)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "the unreadable row is gone");
        // The chat carries on normally.
        Arc::clone(&storage)
            .update_dialogue(chat, State::Start)
            .await
            .unwrap();
        assert_eq!(
            storage.get_dialogue(chat).await.unwrap(),
            Some(State::Start)
        );
        db.close().await;
    }
}

/// Issue 14: update ids handled without a write wait in memory, oldest first, until the
/// dialogue is written; a repeated id moves to the end, and the record stays bounded.
#[tokio::test]
async fn update_ids_handled_without_a_write_wait_for_the_next_write() {
    let test_db = TestDb::new(engines()[0]).await;
    let db = test_db.connect().await;
    db.migrate_bot().await.unwrap();
    let storage = SqlStorage::<State>::new(db.clone());
    let chat = ChatId(7_000_003);
    assert!(storage.pending_handled(chat).is_empty());
    storage.note_handled(chat, 11, 100);
    storage.note_handled(chat, 12, 101);
    storage.note_handled(chat, 11, 102);
    assert_eq!(storage.pending_handled(chat), vec![(12, 101), (11, 102)]);
    for id in 0..100 {
        storage.note_handled(chat, 1_000 + id, 200);
    }
    let pending = storage.pending_handled(chat);
    assert_eq!(pending.len(), 32, "no more than a dialogue's window");
    assert_eq!(pending.last(), Some(&(1_099, 200)));
    storage.written(chat);
    assert!(storage.pending_handled(chat).is_empty());

    // Many chats: the one whose newest id is the oldest is forgotten first.
    for i in 0..25_000i64 {
        storage.note_handled(ChatId(1_000_000 + i), 1, 1_000 + i);
    }
    assert!(storage.pending_handled(ChatId(1_000_000)).is_empty());
    assert_eq!(
        storage.pending_handled(ChatId(1_024_999)),
        vec![(1, 25_999)]
    );
    db.close().await;
}

/// On SQLite the storage writes on its own connection without waiting for a lock inline: when
/// another connection holds SQLite's write lock, its write waits for it off the runtime's
/// threads and goes through once the lock is released, instead of failing with "database is
/// locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_another_connections_write_lock() {
    let test_db = TestDb::new(Engine::Sqlite).await;
    let db = test_db.connect().await;
    db.migrate_bot().await.unwrap();
    let storage = SqlStorage::<State>::new(db.clone());
    let chat = ChatId(7_000_009);
    // The pool's connection takes the write lock (a write inside an open transaction).
    let mut holder = db.pool.begin().await.unwrap();
    sqlx::query("INSERT INTO users (telegram_user_id, created_at, updated_at) VALUES ($1, 0, 0)")
        .bind(7_000_010_i64)
        .execute(&mut *holder)
        .await
        .unwrap();
    let mut write = tokio::spawn(Arc::clone(&storage).update_dialogue(chat, filling()));
    // Without the wait the write fails at once (SQLITE_BUSY); with it, it is still waiting.
    let early = tokio::time::timeout(std::time::Duration::from_millis(300), &mut write).await;
    assert!(
        early.is_err(),
        "the write ended while another connection held the lock: {early:?}"
    );
    holder.commit().await.unwrap();
    write
        .await
        .unwrap()
        .expect("the write goes through once the lock is free");
    assert_eq!(
        Arc::clone(&storage).get_dialogue(chat).await.unwrap(),
        Some(filling())
    );
    storage.close().await;
    db.close().await;
}

/// A transaction that reads and then writes (the notifier's, the reminders') while the storage
/// writes dialogues on its own connection: started with `Db::begin_write`, none fails. (Started
/// deferred, as `pool.begin()` does, some fail at their first write on SQLite, without waiting,
/// whenever a dialogue was written between their read and their write.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_then_write_transactions_never_fail_beside_dialogue_writes() {
    for engine in engines() {
        let test_db = TestDb::new(engine).await;
        let db = test_db.connect().await;
        db.migrate_bot().await.unwrap();
        let storage = SqlStorage::<State>::new(db.clone());
        let writes = Arc::clone(&storage);
        let writer = tokio::spawn(async move {
            for i in 0..1_000_i64 {
                let chat = ChatId(7_100_000 + i % 50);
                Arc::clone(&writes)
                    .update_dialogue(chat, filling())
                    .await
                    .unwrap();
            }
        });
        let mut failures = Vec::new();
        for i in 0..200_i64 {
            let mut tx = db.begin_write().await.unwrap();
            let _: Vec<(i64,)> = sqlx::query_as("SELECT telegram_user_id FROM users")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            let write = sqlx::query(
                "INSERT INTO users (telegram_user_id, created_at, updated_at) VALUES ($1, 0, 0)",
            )
            .bind(7_200_000 + i)
            .execute(&mut *tx)
            .await;
            match write {
                Ok(_) => tx.commit().await.unwrap(),
                Err(error) => failures.push(format!("transaction {i}: {error}")),
            }
        }
        writer.await.unwrap();
        assert!(failures.is_empty(), "{engine:?}: {failures:?}");
        storage.close().await;
        db.close().await;
    }
}
