//! The notifier's and the sender's figures (issue 14, with the notifications issue): event →
//! chat latency through the portal's long-polled event feed, and the sender's achieved rate
//! against the sandbox's enforced limit (`--limits`, 30 messages/s).
//!
//! Its own sandbox (limits on), portal and notifier with the sender (`DVC_SEND_RATE` 30/s) on
//! fresh SQLite files in the run's folder. Latency: SAMPLES dossiers, each accepted by an officer
//! while its owner's chat waits; from the officer's call until the chat shows the message.
//! Rate: MESSAGES rows queued at once for as many chats, until the outbox is empty.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::app;
use crate::config::{SANDBOX_TOKEN, Secret};
use crate::db::users;
use crate::domain::DossierCode;
use crate::notify::message::{self, ReminderKind};
use crate::notify::{NotifyConfig, QuietHours, store};
use crate::portal::HttpPortal;
use crate::portal::client::{Portal, Upload};
use crate::portal::model::{AccountType, CreateDraft, Delivery, LoginRequest, RegisterRequest};
use crate::portal::server::PortalConfig;
use crate::sandbox::SandboxConfig;
use crate::sandbox::client::Citizen;

const PASSWORD: &str = "Matkhau2026";
/// The sandbox's enforced overall limit (`--limits`).
pub const LIMIT: f64 = crate::sandbox::limits::GLOBAL_PER_SECOND;

/// What the notifier and the sender achieved.
#[derive(Debug, Clone)]
pub struct NotifyResult {
    /// Sorted event → chat latencies, one per sample.
    pub latencies: Vec<Duration>,
    pub messages: usize,
    pub sent: u64,
    pub send_seconds: f64,
    pub too_many_requests: u64,
}

impl NotifyResult {
    /// Messages per second the sender achieved.
    pub fn rate(&self) -> f64 {
        self.sent as f64 / self.send_seconds.max(1e-9)
    }
}

/// Measures with `samples` officer actions and `messages` queued messages, in `dir`.
pub async fn measure(dir: &Path, samples: usize, messages: usize) -> anyhow::Result<NotifyResult> {
    let sandbox = crate::sandbox::spawn(
        SandboxConfig::new(Vec::<String>::new(), true),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let client = sandbox.client();
    let portal = crate::portal::server::spawn(
        PortalConfig {
            database_url: format!("sqlite://{}", dir.join("portal.db").display()),
            files_dir: dir.join("files"),
            officer_token: Secret::new("bench-officer"),
            service_token: Secret::new("bench-service"),
            officers: Default::default(),
            bot_username: None,
        },
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let http_portal = HttpPortal::new(&portal.url)?;
    let telegram = crate::bot::client(&Secret::new(SANDBOX_TOKEN), Some(&sandbox.base_url));
    let services = app::services(
        &format!("sqlite://{}", dir.join("bot.db").display()),
        dir,
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

    // 2. The sender's rate: MESSAGES rows queued at once for as many chats.
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
    notifier.stop().await;
    portal.stop().await?;
    sandbox.shutdown().await?;
    Ok(NotifyResult {
        latencies,
        messages,
        sent,
        send_seconds: took,
        too_many_requests: after.too_many_requests - before.too_many_requests,
    })
}
