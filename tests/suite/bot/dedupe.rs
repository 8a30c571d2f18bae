//! Issue 14 with issue 13.1: Telegram delivers at least once, so an update handled already in
//! a chat is skipped — also when the step changed nothing and its dialogue was not written, and
//! after a restart for every update up to the last step that changed the state. Updates are
//! posted straight to the bot's webhook, as Telegram redelivers them.

use dvc_bot::bot::Updates;
use dvc_bot::config::Secret;
use dvc_bot::sandbox::client::Citizen;

use super::System;
use crate::support::engines;
use crate::support::said::vi;
use crate::support::wait::Expect;

const SECRET: &str = "webhook-secret-token";

/// The bot on a webhook of its own; answers its address once the bot answers through it.
async fn webhook_bot(sys: &mut System, who: &Citizen) -> url::Url {
    sys.stop_bot().await;
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = url::Url::parse(&format!("http://{listen}/telegram")).unwrap();
    start_on(sys, &url).await;
    // The webhook is registered when the bot starts: the sandbox delivers to it from then on.
    sys.say_until(who, "/start", Expect::said(vi("language-ask")))
        .await;
    sys.press_until(
        who,
        &crate::support::said::vi_label("language-vi"),
        Expect::said(vi("language-set")),
    )
    .await;
    url
}

async fn start_on(sys: &mut System, url: &url::Url) {
    let listen = url.socket_addrs(|| None).unwrap()[0];
    sys.start_bot_with(Updates::Webhook {
        server: dvc_bot::bot::webhook::WebhookServer {
            listen,
            path: url.path().to_owned(),
            secret: Secret::new(SECRET),
        },
        set: Some(url.clone()),
    })
    .await;
}

/// Posts a text message as update `update_id` of `who`'s chat, as Telegram would (again).
async fn post(url: &url::Url, who: &Citizen, update_id: u32, text: &str) {
    let update = serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": chrono::Utc::now().timestamp(),
            "chat": {"id": who.id, "type": "private", "first_name": "Lan"},
            "from": {"id": who.id, "is_bot": false, "first_name": "Lan", "language_code": "vi"},
            "text": text,
        }
    });
    let client = reqwest::Client::new();
    // Right after a start the listener may not be up yet: refused connections are retried.
    let mut last_error = None;
    for _ in 0..100 {
        match client
            .post(url.clone())
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .json(&update)
            .send()
            .await
        {
            Ok(response) => {
                assert!(response.status().is_success(), "{}", response.status());
                return;
            }
            Err(error) => {
                last_error = Some(error);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
    panic!("the webhook never took the update: {last_error:?}");
}

/// How many bot messages after `after` say `id` (Vietnamese).
async fn count(sys: &System, who: &Citizen, after: i64, id: &str) -> usize {
    let t = sys
        .client
        .transcript(who.clone(), after, 0)
        .await
        .expect("transcript");
    t.bot_messages().filter(|m| vi(id).is_in(&m.text)).count()
}

#[tokio::test]
async fn a_redelivered_update_is_answered_once_even_after_a_restart() {
    for engine in engines() {
        let mut sys = System::start(engine).await;
        let who = Citizen::new(7_400_001).named("Lan").language("vi");
        let url = webhook_bot(&mut sys, &who).await;
        let before = sys.last_id(&who).await;

        // /help at the main menu changes nothing: its dialogue is not written.
        post(&url, &who, 910_001, "/help").await;
        sys.wait_for(&who, before, Expect::said(vi("help"))).await;
        let stored = sys.stored_state(&who).await;
        assert!(
            !stored.handled(910_001),
            "{engine:?}: a step that changed nothing is not written"
        );
        // Delivered again: skipped. The next update, which changes the step (the language
        // question), is answered after it, so by then the repeat was dealt with.
        post(&url, &who, 910_001, "/help").await;
        post(&url, &who, 910_002, "/language").await;
        sys.wait_for(&who, before, Expect::said(vi("language-ask")))
            .await;
        assert_eq!(count(&sys, &who, before, "help").await, 1, "{engine:?}");
        // That write holds both ids: the one handled without a write, and its own.
        let stored = sys.stored_state(&who).await;
        assert!(
            stored.handled(910_001) && stored.handled(910_002),
            "{engine:?}: {:?}",
            stored.recent_updates
        );

        // A restart forgets what was kept in memory; the stored ids still skip both.
        sys.stop_bot().await;
        start_on(&mut sys, &url).await;
        let restarted = sys.last_id(&who).await;
        post(&url, &who, 910_001, "/help").await;
        post(&url, &who, 910_002, "/language").await;
        // A new update is answered: it comes after the repeats, in the same chat.
        post(&url, &who, 910_003, "/status").await;
        sys.wait_for(&who, restarted, Expect::said(vi("lookup-ask")))
            .await;
        assert_eq!(count(&sys, &who, restarted, "help").await, 0, "{engine:?}");
        assert_eq!(
            count(&sys, &who, restarted, "language-ask").await,
            0,
            "{engine:?}"
        );
        sys.stop_bot().await;
    }
}

/// Issue 15: an update whose handling was saved by another bot process (a replica that died,
/// or this bot before a restart) may have lost its replies with that process: delivered again,
/// it brings the step's question back once — the step is not done again — and a further
/// delivery, now handled here, is skipped in silence.
#[tokio::test]
async fn an_update_saved_by_another_process_brings_its_question_back_once() {
    for engine in engines() {
        let mut sys = System::start(engine).await;
        let who = Citizen::new(7_400_002).named("Lan").language("vi");
        let url = webhook_bot(&mut sys, &who).await;
        let before = sys.last_id(&who).await;
        post(&url, &who, 920_001, "/register").await;
        sys.wait_for(&who, before, Expect::said(vi("consent-statement")))
            .await;

        // The state as a process that died after saving it left it: written by another writer.
        sys.stop_bot().await;
        let mut state = sys.stored_state(&who).await;
        assert!(
            state.handled(920_001),
            "{engine:?}: {:?}",
            state.recent_updates
        );
        let step = state.step.clone();
        state.writer = Some(dvc_bot::bot::adapter::instance().wrapping_add(1));
        sys.store_state(&who, &state).await;
        start_on(&mut sys, &url).await;
        let restarted = sys.last_id(&who).await;

        // Delivered again: the consent question comes back, the step is where it was.
        post(&url, &who, 920_001, "/register").await;
        sys.wait_for(&who, restarted, Expect::said(vi("consent-statement")))
            .await;
        let stored = sys.stored_state(&who).await;
        assert_eq!(stored.step, step, "{engine:?}: the step is not done again");
        assert_eq!(
            stored.writer,
            Some(dvc_bot::bot::adapter::instance()),
            "{engine:?}: saved by this process"
        );
        assert!(stored.handled(920_001), "{engine:?}");

        // Once more: handled here now, so skipped. The next update is answered after it.
        post(&url, &who, 920_001, "/register").await;
        post(&url, &who, 920_002, "/help").await;
        sys.wait_for(&who, restarted, Expect::said(vi("help")))
            .await;
        assert_eq!(
            count(&sys, &who, restarted, "consent-statement").await,
            1,
            "{engine:?}: asked again once"
        );
        sys.stop_bot().await;
    }
}
