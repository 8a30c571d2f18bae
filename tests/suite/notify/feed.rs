//! The event feed's long poll: answered as soon as an event is written, `[]` when the wait is
//! over, documented in the OpenAPI document.

use std::time::{Duration, Instant};

use dvc_bot::portal::client::Portal;
use serde_json::json;

use crate::portal::{cccd, spawn_portal};
use crate::support::engines;

#[tokio::test]
async fn a_waiting_poll_answers_when_an_event_is_written() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let session = tp.citizen(&cccd("3401")).await;
        let dossier = tp.submitted(&session.token).await;
        let code = dossier.code.unwrap();
        let head = tp
            .client
            .events(&tp.service_token, 0, 100, 0)
            .await
            .unwrap();
        let last = head.last().unwrap().id;

        // Nothing new: the poll waits its time, then answers [].
        let started = Instant::now();
        let none = tp
            .client
            .events(&tp.service_token, last, 100, 400)
            .await
            .unwrap();
        assert!(none.is_empty());
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "{:?}",
            started.elapsed()
        );

        // A poll of 20 s answers as soon as the officer acts.
        let client = tp.client.clone();
        let token = tp.service_token.clone();
        let started = Instant::now();
        let waiting = tokio::spawn(async move { client.events(&token, last, 100, 20_000).await });
        // The poll is parked before the action is taken: the action cannot be seen by the
        // first look, only by the wake-up.
        tokio::task::yield_now().await;
        let (status, _) = tp.officer(&code, json!({"action": "accept"})).await;
        assert_eq!(status, 200);
        let events = waiting.await.unwrap().unwrap();
        let took = started.elapsed();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "accepted");
        assert!(
            took < Duration::from_millis(1_500),
            "woken at once, not by the 2 s re-check: {took:?}"
        );

        // Events already there are answered at once, whatever the wait.
        let started = Instant::now();
        let all = tp
            .client
            .events(&tp.service_token, 0, 100, 20_000)
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[tokio::test]
async fn the_long_poll_is_in_the_openapi_document() {
    let tp = spawn_portal(crate::support::Engine::Sqlite).await;
    let doc: serde_json::Value = reqwest::get(tp.api("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/events"]["get"]["parameters"]
        .as_array()
        .expect("the feed's parameters");
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(
        names.contains(&"wait_ms") && names.contains(&"after"),
        "{names:?}"
    );
}

#[tokio::test]
async fn the_portal_stops_promptly_while_a_long_poll_waits() {
    use dvc_bot::config::Secret;
    use dvc_bot::portal::server::{PortalConfig, spawn};
    let db = crate::support::TestDb::new(crate::support::Engine::Sqlite).await;
    let files = tempfile::tempdir().unwrap();
    let running = spawn(
        PortalConfig {
            database_url: db.url.clone(),
            files_dir: files.path().join("files"),
            officer_token: Secret::new("o"),
            service_token: Secret::new("s"),
            officers: Default::default(),
            bot_username: None,
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let client = dvc_bot::portal::HttpPortal::new(&running.url).unwrap();
    // A notifier stopping mid-poll drops its request; the portal then stops at once.
    let poll = tokio::spawn(async move { client.events("s", 0, 10, 20_000).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    poll.abort();
    let started = Instant::now();
    running.stop().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped in {:?}",
        started.elapsed()
    );
}
