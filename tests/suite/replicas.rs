//! Several `dvc-bot run` replicas on one PostgreSQL behind one webhook URL (issue 15): the
//! sandbox spreads the updates over three processes as a load balancer would, one of them is
//! killed with SIGKILL while it holds deliveries (citizens in the middle of their flows), and
//! every chat still ends consistent: no step done twice, a question asked at most twice (the
//! second time only for an update the killed replica held), every dossier exists once and every
//! notification arrives once. Also: the
//! `dvc-bot webhook set|info|delete` commands, a replica's stop leaving the webhook set, and the
//! per-chat lock itself.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dvc_bot::config::SANDBOX_TOKEN;
use dvc_bot::db::chat_lock::ChatLocks;
use dvc_bot::sandbox::client::{Citizen, Transcript};

use crate::bot::{System, bot_text, code_in, document, jpeg, photo};
use crate::portal::{PASSWORD, cccd, pdf};
use crate::support::process::stop_with_sigterm;
use crate::support::said::{Phrase, said, vi, vi_label};
use crate::support::wait::{DEADLINE, Expect};
use crate::support::{Engine, TestDb, engines};

const SECRET: &str = "replicas-shared-secret_2026";
/// Chứng thực chữ ký: one text field, a PDF paper and an ID paper.
const SIGNATURE: &str = "2.000884";
const SIGNATURE_NAME: &str = "Chứng thực chữ ký trong giấy tờ, văn bản";
/// Citizens going through their flows at once.
const CITIZENS: i64 = 20;
/// How long a replica that died may keep the feed or the sender before another takes over, and
/// a citizen's whole flow may take on a loaded machine: safety nets, not timings under test.
const TAKEOVER_DEADLINE: Duration = Duration::from_secs(90);

fn postgres_or_skip(test: &str) -> bool {
    if engines().contains(&Engine::Postgres) {
        return true;
    }
    eprintln!("{test}: skipped, it needs PostgreSQL (set DVC_TEST_POSTGRES_URL)");
    false
}

/// A free loopback address for a replica's webhook server.
fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// `dvc-bot` with the sandbox's bot token and Bot API, and nothing else from the environment
/// that would change what it does.
fn dvc_bot(sys: &System) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
    command
        .env("TELOXIDE_TOKEN", SANDBOX_TOKEN)
        .env("TELOXIDE_API_URL", sys.sandbox.base_url.as_str())
        .env_remove("DVC_WEBHOOK_URL")
        .env_remove("DVC_WEBHOOK_PATH")
        .env_remove("DVC_WEBHOOK_SECRET")
        .env_remove("DVC_SET_WEBHOOK")
        .env("RUST_LOG", "warn");
    command
}

/// Runs `dvc-bot webhook …` to its end: its exit status and what it printed.
async fn webhook_command(sys: &System, args: &[&str], url: &str) -> (bool, String) {
    let mut command = dvc_bot(sys);
    command
        .arg("webhook")
        .args(args)
        .env("DVC_WEBHOOK_URL", url)
        .env("DVC_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run dvc-bot webhook");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

/// One `dvc-bot run` replica on the system's bot database and portal, its webhook on `listen`.
fn replica(sys: &System, n: usize, listen: SocketAddr, data: &std::path::Path) -> Child {
    replica_named(sys, &format!("replica-{n}"), listen, data)
}

/// A replica by name (its host name, data directory and log).
fn replica_named(sys: &System, name: &str, listen: SocketAddr, data: &std::path::Path) -> Child {
    let log = std::fs::File::create(data.join(format!("{name}.log"))).expect("log file");
    dvc_bot(sys)
        .arg("run")
        .env("DVC_DATA_DIR", data.join(name))
        .env("DATABASE_URL", &sys.bot_db.url)
        .env("DVC_SECRET_KEY", sys.key.expose())
        .env("DVC_PORTAL_URL", &sys.portal_url)
        .env("DVC_SERVICE_TOKEN", "service-test-token")
        .env("DVC_WEBHOOK_URL", format!("http://{listen}/telegram"))
        .env("DVC_WEBHOOK_LISTEN", listen.to_string())
        .env("DVC_WEBHOOK_SECRET", SECRET)
        .env("DVC_ADMIN_LISTEN", "127.0.0.1:0")
        .env("DVC_QUIET_HOURS", "")
        .env("DVC_SEND_CHAT_INTERVAL", "100ms")
        // Each replica its own name: the leases of the feed and the sender are held by name.
        .env("HOSTNAME", name)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("run dvc-bot")
}

/// Every bot message of the chat, from the first.
async fn transcript(sys: &System, who: &Citizen) -> Transcript {
    sys.client
        .transcript(who.clone(), 0, 0)
        .await
        .expect("transcript")
}

/// How many bot messages of the chat say `phrase`.
fn times(t: &Transcript, phrase: &Phrase) -> usize {
    t.bot_messages().filter(|m| phrase.is_in(&m.text)).count()
}

/// A citizen's whole flow: first contact, registration (the password typed on one replica,
/// confirmed perhaps on another), then a dossier filled with its papers and sent. Returns the
/// dossier code the chat was given (`None` when the send was handled by the killed replica and
/// its answer died with it: the update delivered again then gets the menu, not the code).
///
/// Each wait also takes the answer an update gets when the killed replica had saved its step:
/// the next step's question asked again (for the main menu, the menu), without the step's
/// acknowledgement.
async fn citizen_flow(sys: &System, who: &Citizen, id: &str) -> Option<String> {
    let language = vi_label("language-vi");
    sys.say_until(who, "/start", Expect::button(&language))
        .await;
    // At the main menu, an update asked again (handled by a replica that died) gets the menu.
    sys.press_until(
        who,
        &language,
        Expect::said(vi("language-set")).or(Expect::said(vi("menu-intro"))),
    )
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
    sys.say_until(who, "05/01/1990", Expect::said(vi("register-ask-phone")))
        .await;
    // The e-mail is not asked in turn (it is offered from the summary). Asked again, only the
    // question comes.
    sys.press_until(
        who,
        &vi_label("register-share-phone"),
        Expect::said(vi("register-ask-address")),
    )
    .await;
    sys.say_until(
        who,
        "Bản Mòng, xã Hua La, tỉnh Sơn La",
        Expect::said(vi("register-ask-password")),
    )
    .await;
    let confirm = vi_label("register-confirm");
    sys.say_until(
        who,
        PASSWORD,
        Expect::said_with(vi("register-summary"), &confirm),
    )
    .await;
    sys.press_until(
        who,
        &confirm,
        Expect::said(vi("register-done").arg("name", "Lò Văn Mến"))
            .or(Expect::said(vi("menu-intro"))),
    )
    .await;
    sys.say_until(
        who,
        &format!("/submit {SIGNATURE}"),
        Expect::said(vi("submit-ask-field").num("n", 1).num("total", 1)),
    )
    .await;
    sys.say_until(
        who,
        "Giấy uỷ quyền cho con",
        Expect::said(vi("submit-ask-paper")),
    )
    .await;
    sys.send_until(
        who,
        document("van-ban.pdf", "application/pdf", &pdf()),
        Expect::said(vi("submit-ask-paper")),
    )
    .await;
    sys.send_until(
        who,
        photo(&jpeg()),
        Expect::said_with(vi("submit-ask-delivery"), vi_label("delivery-online")),
    )
    .await;
    sys.press_until(
        who,
        &vi_label("delivery-online"),
        Expect::said_with(
            vi("submit-review").arg("procedure", SIGNATURE_NAME),
            vi_label("button-send"),
        ),
    )
    .await;
    let t = sys
        .press_until(
            who,
            &vi_label("button-send"),
            Expect::said(vi("submit-done")).or(Expect::said(vi("menu-intro"))),
        )
        .await;
    said(&t, &vi("submit-done")).then(|| code_in(&bot_text(&t)).as_str().to_owned())
}

/// Waits until `check` holds for the sandbox's webhook targets, or fails saying `what`.
async fn wait_targets(
    sys: &System,
    what: &str,
    check: impl Fn(&dvc_bot::sandbox::client::Targets) -> bool,
) -> dvc_bot::sandbox::client::Targets {
    let until = tokio::time::Instant::now() + TAKEOVER_DEADLINE;
    loop {
        let targets = sys.client.webhook_targets().await.expect("targets");
        if check(&targets) {
            return targets;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "waited for {what}: {targets:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn three_replicas_behind_one_webhook_survive_a_sigkill() {
    if !postgres_or_skip("three_replicas_behind_one_webhook_survive_a_sigkill") {
        return;
    }
    let mut sys = System::start(Engine::Postgres).await;
    sys.stop_bot().await;
    let data = tempfile::tempdir().expect("temp dir");
    let addrs: Vec<SocketAddr> = (0..3).map(|_| free_addr()).collect();
    let urls: Vec<String> = addrs
        .iter()
        .map(|a| format!("http://{a}/telegram"))
        .collect();

    // The operator registers the webhook once; the replicas never do.
    let (ok, printed) = webhook_command(&sys, &["set"], &urls[0]).await;
    assert!(ok, "{printed}");
    sys.client
        .set_webhook_targets(&urls)
        .await
        .expect("targets set");
    let mut replicas: Vec<Option<Child>> = addrs
        .iter()
        .enumerate()
        .map(|(n, a)| Some(replica(&sys, n, *a, data.path())))
        .collect();

    // Citizens go through their flows at once.
    let sys = std::sync::Arc::new(sys);
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let mut flows = tokio::task::JoinSet::new();
    for i in 0..CITIZENS {
        let sys = std::sync::Arc::clone(&sys);
        let finished = std::sync::Arc::clone(&finished);
        flows.spawn(async move {
            let who = Citizen::new(7_300_000 + i).named("Mến").language("vi");
            let id = cccd(&format!("{:04}", 3000 + i));
            let code = citizen_flow(&sys, &who, &id).await;
            finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            (who, id, code)
        });
    }

    // Mid-run: the replica that follows the portal's feed is SIGKILLed while it holds
    // deliveries. An update it held may die before its dialogue was written (delivered again,
    // it is handled anew), or after (delivered again, the replica that gets it asks the step's
    // question again, since the dialogue was saved by another process), or after its replies
    // (the question then shows twice). Deliveries to the dead replica fail and go to a live one,
    // as Telegram retries a failed delivery.
    let victim_name: String = {
        let until = tokio::time::Instant::now() + TAKEOVER_DEADLINE;
        let db = sys.db().await;
        loop {
            let holder: Option<String> = sqlx::query_scalar::<_, Option<String>>(
                "SELECT holder FROM cursors WHERE name = 'events' AND held_until > $1",
            )
            .bind(chrono::Utc::now().timestamp())
            .fetch_optional(&db.pool)
            .await
            .unwrap()
            .flatten();
            if let Some(holder) = holder {
                db.close().await;
                break holder;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "a replica follows the feed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let victim: usize = victim_name
        .strip_prefix("replica-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("holder {victim_name:?}"));
    wait_targets(&sys, "the replicas at work", |t| {
        urls.iter()
            .all(|u| t.stats.get(u).is_some_and(|s| s.delivered >= 10))
    })
    .await;
    let others: Vec<String> = (0..3)
        .filter(|n| *n != victim)
        .map(|n| urls[n].clone())
        .collect();
    let victim_url = urls[victim].clone();
    // Until the victim holds deliveries: then it leaves the rotation (no new delivery starts on
    // it, those it holds stay) and is killed at once if it still holds some. When every
    // delivery it held was answered in the instant before the kill, none died with it: a new
    // replica takes its address (under a new name) while most citizens are still under way,
    // and is killed the same way, up to three times.
    let mut attempt = 0;
    let (held, killed_in_flight) = loop {
        attempt += 1;
        let (held, failed_before) = loop {
            wait_targets(&sys, "the victim holding deliveries", |t| {
                t.stats.get(&victim_url).is_some_and(|s| s.in_flight > 0)
            })
            .await;
            sys.client.set_webhook_targets(&others).await.unwrap();
            let stats = sys.client.webhook_targets().await.unwrap().stats[&victim_url];
            if stats.in_flight > 0 {
                replicas[victim]
                    .as_mut()
                    .expect("running")
                    .kill()
                    .expect("SIGKILL");
                break (stats.in_flight, stats.failed);
            }
            sys.client.set_webhook_targets(&urls).await.unwrap();
        };
        let mut killed = replicas[victim].take().expect("running");
        killed.wait().expect("reaped");
        // The deliveries it held end failed (killed) or answered (just before the kill).
        let after_kill = wait_targets(&sys, "the killed replica's deliveries to end", |t| {
            t.stats.get(&victim_url).is_some_and(|s| s.in_flight == 0)
        })
        .await;
        // Those that failed are the updates that died with it (one answered in the instant
        // before the kill counts as delivered): they bound the chats answered again below.
        let killed_in_flight = after_kill.stats[&victim_url].failed - failed_before;
        assert!(
            killed_in_flight <= held,
            "{held} deliveries held at the kill, {killed_in_flight} failed"
        );
        let waiting = CITIZENS - finished.load(std::sync::atomic::Ordering::SeqCst);
        if killed_in_flight > 0 || attempt == 3 || waiting < CITIZENS / 2 {
            break (held, killed_in_flight);
        }
        let delivered = after_kill.stats[&victim_url].delivered;
        let name = format!("replica-{victim}-{attempt}");
        replicas[victim] = Some(replica_named(&sys, &name, addrs[victim], data.path()));
        sys.client.set_webhook_targets(&urls).await.unwrap();
        wait_targets(&sys, "the new replica at work", |t| {
            t.stats
                .get(&victim_url)
                .is_some_and(|s| s.delivered > delivered)
        })
        .await;
    };
    sys.client.set_webhook_targets(&urls).await.unwrap();

    let mut done = Vec::new();
    while let Some(flow) = flows.join_next().await {
        done.push(flow.expect("a citizen's flow completed"));
    }
    assert_eq!(done.len(), CITIZENS as usize);
    let targets = sys.client.webhook_targets().await.unwrap();
    assert!(
        targets.stats[&urls[victim]].failed > 0,
        "deliveries to the killed replica failed and went elsewhere: {targets:?}"
    );

    // Every chat consistent. Each question asked at least once and at most twice; each
    // acknowledgement said at most once. A chat whose update the killed replica held may show
    // its next question twice (asked again) or miss that update's acknowledgement (only the
    // question came again): one such difference per chat, and at most as many chats as the
    // updates the replica held when it was killed.
    let questions = [
        vi("register-ask-name").arg("kind", "citizen"),
        vi("register-ask-id-number").arg("kind", "citizen"),
        vi("register-ask-birth-date").arg("kind", "citizen"),
        vi("register-ask-phone"),
        vi("register-ask-address"),
        vi("register-ask-password"),
        vi("register-summary"),
        vi("submit-checklist"),
        vi("submit-ask-delivery"),
    ];
    let acknowledgements = [
        vi("register-done").arg("name", "Lò Văn Mến"),
        vi("submit-done"),
    ];
    let mut asked_again = 0u64;
    let mut done_codes = Vec::new();
    for (who, id, told) in &done {
        let t = transcript(&sys, who).await;
        let mut differences = 0;
        for phrase in &questions {
            let n = times(&t, phrase);
            assert!(
                (1..=2).contains(&n),
                "chat {}: {:?} said {n} times\n{}",
                who.id,
                phrase.pieces(),
                crate::support::wait::describe(&t)
            );
            differences += n - 1;
        }
        for phrase in &acknowledgements {
            let n = times(&t, phrase);
            assert!(
                n <= 1,
                "chat {}: {:?} said {n} times\n{}",
                who.id,
                phrase.pieces(),
                crate::support::wait::describe(&t)
            );
            differences += 1 - n;
        }
        assert!(
            differences <= 1,
            "chat {}: {differences} differences, one update held at most\n{}",
            who.id,
            crate::support::wait::describe(&t)
        );
        asked_again += differences as u64;
        if differences > 0 {
            let seen = |phrases: &[Phrase]| -> Vec<String> {
                phrases
                    .iter()
                    .map(|p| format!("{}×{}", p.pieces().concat(), times(&t, p)))
                    .filter(|s| !s.ends_with("×1"))
                    .collect()
            };
            eprintln!(
                "replicas: chat {} answered again: {:?}",
                who.id,
                [seen(&questions), seen(&acknowledgements)].concat()
            );
        }
        // Every dossier exists once, and is the one the chat was told (if its answer came).
        let listed = sys.portal_dossiers(id).await;
        assert_eq!(listed.len(), 1, "chat {}: {listed:?}", who.id);
        let code = listed[0].code.clone().expect("a dossier code");
        if let Some(told) = told {
            assert_eq!(&code, told, "chat {}", who.id);
        }
        done_codes.push((who.clone(), code));
    }
    assert!(
        asked_again <= killed_in_flight,
        "{asked_again} chats answered again, {killed_in_flight} updates died with the replica"
    );
    let db = sys.db().await;
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registration_passwords")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(waiting, 0, "every password deleted on confirm");

    // Officers accept every dossier: one notification per chat, sent by the replica that took
    // the feed and the sender over from the killed one.
    let http = reqwest::Client::new();
    for (_, code) in &done_codes {
        let answer = http
            .post(format!(
                "{}/api/v1/officer/dossiers/{code}/actions",
                sys.portal_url
            ))
            .bearer_auth("officer-test-token")
            .json(&serde_json::json!({"action": "accept"}))
            .send()
            .await
            .expect("officer action");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    let accepted = vi("notify-accepted");
    for (who, code) in &done_codes {
        let until = tokio::time::Instant::now() + TAKEOVER_DEADLINE;
        loop {
            let t = sys
                .client
                .transcript(who.clone(), 0, 5_000)
                .await
                .expect("transcript");
            if t.bot_messages()
                .any(|m| accepted.is_in(&m.text) && m.text.contains(code.as_str()))
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "chat {} told of its dossier's acceptance",
                who.id
            );
        }
    }
    let holder: Option<String> =
        sqlx::query_scalar("SELECT holder FROM cursors WHERE name = 'events'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_ne!(
        holder.as_deref(),
        Some(victim_name.as_str()),
        "the feed was taken over"
    );
    // Drained: nothing left to send, one row per chat, each sent.
    let sent: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT chat_id, COUNT(*) FROM outbox WHERE state = 'sent' GROUP BY chat_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let sent: HashMap<i64, i64> = sent.into_iter().collect();
    for (who, _) in &done_codes {
        assert_eq!(
            sent.get(&who.id),
            Some(&1),
            "chat {}: one notification",
            who.id
        );
        let t = transcript(&sys, who).await;
        assert_eq!(times(&t, &accepted), 1, "chat {}: told once", who.id);
    }
    db.close().await;

    // Two updates of one chat posted at once to two replicas (as Telegram may when it retries
    // one): they take turns on the chat's lock, so the dialogue remembers both. Without the lock
    // both would read the same dialogue and the later write would drop the other's update id.
    // Each update moves the chat to a step of its own, different from where the pair before
    // left it, so each writes the dialogue (a step that changes nothing keeps its id in its
    // replica's memory only, and the stored dialogue could not show it).
    let live: Vec<&String> = (0..3).filter(|n| *n != victim).map(|n| &urls[n]).collect();
    let (who, _, _) = &done[1];
    for pair in 0..5u32 {
        let ids = [950_000 + 2 * pair, 950_001 + 2 * pair];
        let commands = if pair % 2 == 0 {
            ["/status", "/follow"]
        } else {
            ["/ask", "/language"]
        };
        let post = |url: &String, id: u32, text: &str| {
            let update = serde_json::json!({
                "update_id": id,
                "message": {
                    "message_id": 800_000 + id,
                    "date": chrono::Utc::now().timestamp(),
                    "chat": {"id": who.id, "type": "private", "first_name": "Mến"},
                    "from": {"id": who.id, "is_bot": false, "first_name": "Mến",
                        "language_code": "vi"},
                    "text": text,
                }
            });
            http.post(url.as_str())
                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                .json(&update)
                .send()
        };
        let (a, b) = tokio::join!(
            post(live[0], ids[0], commands[0]),
            post(live[1], ids[1], commands[1])
        );
        assert!(a.unwrap().status().is_success() && b.unwrap().status().is_success());
        let state = sys.stored_state(who).await;
        assert!(
            state.handled(ids[0]) && state.handled(ids[1]),
            "both updates of the chat were handled and kept (pair {pair})"
        );
    }
    eprintln!(
        "replicas: killed replica-{victim} (it held the feed; kills {attempt}) holding {held} \
         deliveries, {killed_in_flight} of them failed; {asked_again} chats answered again; \
         feed now held by {holder:?}; deliveries per URL: {targets:?}"
    );

    // A rolling restart: one replica stops cleanly; the webhook stays set and the last one
    // still answers.
    let stopping = (0..3).find(|n| replicas[*n].is_some()).expect("a live one");
    let status = stop_with_sigterm(replicas[stopping].take().expect("running")).await;
    assert!(status.success(), "{status}");
    let (ok, printed) = webhook_command(&sys, &["info"], &urls[0]).await;
    assert!(
        ok && printed.contains(&urls[0]),
        "still set after a stop: {printed}"
    );
    let (who, _, _) = &done[0];
    sys.say_until(who, "/help", Expect::reply().why("a live replica answers"))
        .await;
    for child in replicas.iter_mut().filter_map(Option::take) {
        let status = stop_with_sigterm(child).await;
        assert!(status.success(), "{status}");
    }
}

#[tokio::test]
async fn webhook_set_info_delete_through_the_bot_api() {
    let sys = System::start(engines()[0]).await;
    let url = format!("http://{}/telegram", free_addr());
    let (ok, printed) = webhook_command(&sys, &["set", "--max-connections", "5"], &url).await;
    assert!(ok && printed.contains("webhook set"), "{printed}");
    let (ok, printed) = webhook_command(&sys, &["info"], &url).await;
    assert!(ok, "{printed}");
    assert!(printed.contains(&format!("url: {url}")), "{printed}");
    assert!(printed.contains("max connections: 5"), "{printed}");
    let (ok, printed) = webhook_command(&sys, &["delete"], &url).await;
    assert!(ok && printed.contains("webhook deleted"), "{printed}");
    let (ok, printed) = webhook_command(&sys, &["info"], &url).await;
    assert!(ok && printed.contains("url: (none"), "{printed}");
    // A secret Telegram would refuse is refused before any call.
    let mut command = dvc_bot(&sys);
    let out = command
        .args(["webhook", "set"])
        .env("DVC_WEBHOOK_URL", &url)
        .env("DVC_WEBHOOK_SECRET", "has spaces")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DVC_WEBHOOK_SECRET"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_webhook_replica_needs_the_shared_secret() {
    let sys = System::start(engines()[0]).await;
    let out = dvc_bot(&sys)
        .arg("run")
        .env("DVC_DATA_DIR", tempfile::tempdir().unwrap().path())
        .env("DVC_WEBHOOK_URL", "http://127.0.0.1:9/telegram")
        .env("DVC_PORTAL_URL", &sys.portal_url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("DVC_WEBHOOK_SECRET is required"), "{said}");
}

/// The lock itself: a second replica's update of the same chat waits in PostgreSQL until the
/// first is done; another chat does not wait; a replica's death releases its lock.
#[tokio::test]
async fn a_chats_updates_wait_for_each_other_across_replicas() {
    if !postgres_or_skip("a_chats_updates_wait_for_each_other_across_replicas") {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let one = ChatLocks::connect(&db.url, dvc_bot::db::Engine::Postgres)
        .await
        .unwrap();
    let two = ChatLocks::connect(&db.url, dvc_bot::db::Engine::Postgres)
        .await
        .unwrap();
    let watcher = db.connect().await;
    let waiting = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(&watcher.pool)
        .await
        .unwrap()
    };
    let held = one.lock(42).await.unwrap();
    // Another chat is not held up.
    two.lock(43).await.unwrap().release().await;
    let second = tokio::spawn({
        let two = two.clone();
        async move { two.lock(42).await.map(|_lock| ()) }
    });
    let until = tokio::time::Instant::now() + DEADLINE;
    while waiting().await == 0 {
        assert!(
            tokio::time::Instant::now() < until,
            "the second replica waits"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!second.is_finished());
    held.release().await;
    tokio::time::timeout(DEADLINE, second)
        .await
        .expect("the second replica goes on once the first is done")
        .unwrap()
        .unwrap();
    // A replica that dies (its connections closed) releases what it held.
    let _held = one.lock(44).await.unwrap();
    let third = tokio::spawn({
        let two = two.clone();
        async move { two.lock(44).await.map(|_lock| ()) }
    });
    while waiting().await == 0 {
        assert!(
            tokio::time::Instant::now() < until,
            "waits for the dead one"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sqlx::query(
        "SELECT CAST(pg_terminate_backend(pid) AS TEXT) FROM pg_locks \
         WHERE locktype = 'advisory' AND granted AND objid = 44",
    )
    .execute(&watcher.pool)
    .await
    .unwrap();
    tokio::time::timeout(DEADLINE, third)
        .await
        .expect("the lock of a dead connection is released")
        .unwrap()
        .unwrap();
    watcher.close().await;
}
