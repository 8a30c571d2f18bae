//! Benchmark of notifications (not a test): event → chat latency with the long poll, and the
//! sender's achieved rate against the sandbox's enforced limit.
//!
//! ```text
//! cargo run --release --example bench_notify -- [MESSAGES=5000] [SAMPLES=50]
//! ```
//!
//! Starts the sandbox with `--limits` (30 messages/s), the reference portal and the notifier
//! and sender (`DVC_SEND_RATE` 30/s) on fresh SQLite files in a temporary folder. Prints the
//! latency from an officer's action to the message in the chat (p50, p99) over SAMPLES
//! dossiers, then queues MESSAGES rows for as many chats and prints the achieved rate ÷ the
//! limit and the 429s the sandbox gave.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use dvc_bot::app;
use dvc_bot::config::{SANDBOX_TOKEN, Secret};
use dvc_bot::db::users;
use dvc_bot::domain::DossierCode;
use dvc_bot::notify::message::{self, ReminderKind};
use dvc_bot::notify::{NotifyConfig, QuietHours, store};
use dvc_bot::portal::HttpPortal;
use dvc_bot::portal::client::{Portal, Upload};
use dvc_bot::portal::model::{AccountType, CreateDraft, Delivery, LoginRequest, RegisterRequest};
use dvc_bot::portal::server::PortalConfig;
use dvc_bot::sandbox::SandboxConfig;
use dvc_bot::sandbox::client::Citizen;

const PASSWORD: &str = "Matkhau2026";
/// The sandbox's enforced overall limit (`--limits`).
const LIMIT: f64 = dvc_bot::sandbox::limits::GLOBAL_PER_SECOND;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let messages: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5_000);
    let samples: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50);
    let dir = tempfile::tempdir()?;
    let sandbox = dvc_bot::sandbox::spawn(
        SandboxConfig::new(Vec::<String>::new(), true),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let client = sandbox.client();
    let portal = dvc_bot::portal::server::spawn(
        PortalConfig {
            database_url: format!("sqlite://{}", dir.path().join("portal.db").display()),
            files_dir: dir.path().join("files"),
            officer_token: Secret::new("bench-officer"),
            service_token: Secret::new("bench-service"),
            officers: Default::default(),
            bot_username: None,
        },
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let http_portal = HttpPortal::new(&portal.url)?;
    let telegram = dvc_bot::bot::client(&Secret::new(SANDBOX_TOKEN), Some(&sandbox.base_url));
    let services = app::services(
        &format!("sqlite://{}", dir.path().join("bot.db").display()),
        dir.path(),
        Some(&Secret::generate()),
        Arc::new(http_portal.clone()),
        telegram.clone(),
    )
    .await?;
    let mut config = NotifyConfig::new("bench-service");
    config.quiet = QuietHours(None);
    let notifier = app::start_notify(config, &services, telegram);
    let officer = reqwest::Client::new();

    // 1. Event → chat latency: one account, dossier and chat per sample.
    println!("preparing {samples} dossiers…");
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let id = format!("01409{:07}", 1_000_000 + i);
        http_portal
            .register(
                &RegisterRequest {
                    account_type: AccountType::Citizen,
                    full_name: "Lò Văn Mến".into(),
                    citizen_id: Some(id.clone()),
                    tax_code: None,
                    birth_date: "1990-05-17".into(),
                    phone: "0912345678".into(),
                    email: None,
                    address: "Tổ 3, phường Chiềng Lề, thành phố Sơn La".into(),
                    password: PASSWORD.into(),
                },
                None,
            )
            .await?;
        let session = http_portal
            .login(&LoginRequest {
                login: id.clone(),
                password: PASSWORD.into(),
            })
            .await?;
        let draft = http_portal
            .create_draft(
                &session.token,
                &CreateDraft {
                    procedure_code: "1.001193".into(),
                    values: [
                        ("child_name", "Lò Thị Hoa"),
                        ("child_birth_date", "2026-11-01"),
                        ("child_sex", "Nữ"),
                        ("birth_place", "Bệnh viện Đa khoa tỉnh Sơn La"),
                        ("mother_name", "Quàng Thị Lan"),
                        ("relationship", "Mẹ"),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                    delivery: Some(Delivery::Online),
                },
                None,
            )
            .await?;
        http_portal
            .upload(
                &session.token,
                &draft.id.into(),
                Upload {
                    paper_code: "giay_chung_sinh".into(),
                    file_name: "chung-sinh.pdf".into(),
                    mime: "application/pdf".into(),
                    bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
                },
                None,
            )
            .await?;
        let code = http_portal
            .submit(&session.token, &draft.id.into(), &format!("b-{i}"))
            .await?
            .code
            .context("a code")?;
        let chat = 500_000 + i as i64;
        let who = Citizen::new(chat);
        client.send_text(who.clone(), "hello").await?;
        users::set_portal_link(
            &services.db,
            chat,
            Some((&id, &services.cipher.seal(&session.token))),
        )
        .await?;
        users::set_portal_account_id(&services.db, chat, session.account.id, "vi").await?;
        let after = client
            .transcript(who.clone(), 0, 0)
            .await?
            .last_id()
            .unwrap_or(0);
        let started = Instant::now();
        let answer = officer
            .post(format!(
                "{}/api/v1/officer/dossiers/{code}/actions",
                portal.url
            ))
            .bearer_auth("bench-officer")
            .json(&serde_json::json!({"action": "accept"}))
            .send()
            .await?;
        anyhow::ensure!(answer.status().is_success(), "officer: {}", answer.status());
        let got = client.transcript(who, after, 30_000).await?;
        anyhow::ensure!(got.bot_messages().count() > 0, "no message for sample {i}");
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "event → chat latency over {samples} actions: p50 {:?}, p99 {:?}",
        pick(0.50),
        pick(0.99)
    );

    // 2. The sender's rate: MESSAGES rows queued at once for as many chats.
    println!("opening {messages} chats…");
    let code =
        DossierCode::parse("000.00.25.H50-261125-0001").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for i in 0..messages {
        client
            .send_text(Citizen::new(1_000_000 + i as i64), "hello")
            .await?;
    }
    let before = client.stats().await?;
    let mut tx = services.db.pool.begin().await?;
    let notice = message::reminder(ReminderKind::Fee, &code, Vec::new());
    let json = serde_json::to_string(&notice)?;
    let now = chrono::Utc::now().timestamp();
    for i in 0..messages {
        store::enqueue(
            &mut tx,
            &store::NewRow {
                dedup: "bench",
                chat_id: 1_000_000 + i as i64,
                code: Some(code.as_str()),
                kind: "status",
                message: &json,
                event_at: now,
                not_before: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    let started = Instant::now();
    println!("sending {messages} messages at {LIMIT}/s…");
    loop {
        let left = store::depth(&services.db).await?;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let took = started.elapsed().as_secs_f64();
    let after = client.stats().await?;
    let sent = after.messages_sent - before.messages_sent;
    let rate = sent as f64 / took;
    println!(
        "sender: {sent} messages in {took:.1} s = {rate:.2}/s; achieved ÷ limit = {:.3}; 429s: {}",
        rate / LIMIT,
        after.too_many_requests - before.too_many_requests
    );
    notifier.stop().await;
    portal.stop().await?;
    sandbox.shutdown().await?;
    Ok(())
}
