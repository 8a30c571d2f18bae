//! The notifier: follows the portal's event feed from its stored cursor (long poll) and, for
//! each event in ONE transaction, writes the outbox rows of every chat to tell, schedules or
//! cancels reminders and moves the cursor — so a crash loses no event and writes nothing twice.
//! Due reminders are moved to the outbox the same way.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::message::{self, Facts, Notice, ReminderKind};
use super::store::{self, NewReminder, NewRow};
use super::{NotifyConfig, NotifyError, Shared};
use crate::bot::reply::Arg;
use crate::db::now_unix;
use crate::domain::DossierCode;
use crate::i18n::{format_date, format_datetime, format_money};
use crate::portal::client::PortalError;
use crate::portal::model::Event;

/// Events asked for per call of the feed.
const PAGE: u32 = 100;
/// The long poll's wait (the portal allows up to 30 s); the lease is renewed before each.
const WAIT_MS: u64 = 8_000;
/// How long a replica holds the cursor without renewing it: a replica that died is replaced
/// within this and `STANDBY_LOOK` (each poll renews it, so it must outlast one poll).
const CURSOR_LEASE_SECS: i64 = 12;
/// How often a replica that does not hold the cursor looks whether it is free.
const STANDBY_LOOK: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs until `stop` is set: hold the cursor, read a page, handle each event.
pub async fn run(shared: Arc<Shared>, config: NotifyConfig) {
    let holder = shared.replica.clone();
    let mut backoff = std::time::Duration::from_millis(200);
    while !shared.stopping() {
        match step(&shared, &config, &holder).await {
            Ok(()) => backoff = std::time::Duration::from_millis(200),
            Err(error) => {
                tracing::warn!(%error, "notifier: will try again");
                shared.sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(30));
            }
        }
    }
    if let Err(error) = store::release_cursor(&shared.db, &holder).await {
        tracing::warn!(%error, "notifier: cursor not released");
    }
}

/// On its first start against a database, the notifier begins at the feed's head: the
/// portal's past is not news (a first deployment would otherwise replay months of events).
async fn start_at_head(shared: &Shared, config: &NotifyConfig) -> Result<(), NotifyError> {
    if store::has_cursor(&shared.db).await? {
        return Ok(());
    }
    let mut head = 0;
    loop {
        let page = shared
            .portal
            .events(&config.service_token, head, 500, 0)
            .await?;
        match page.last() {
            Some(last) => head = last.id,
            None => break,
        }
    }
    store::create_cursor(&shared.db, head).await?;
    tracing::info!(
        event = head,
        "notifier: first start, following the feed from its head"
    );
    Ok(())
}

async fn step(shared: &Shared, config: &NotifyConfig, holder: &str) -> Result<(), NotifyError> {
    start_at_head(shared, config).await?;
    let Some(after) =
        store::hold_cursor(&shared.db, holder, now_unix() + CURSOR_LEASE_SECS).await?
    else {
        // Another replica follows the feed; look again later.
        shared.sleep(STANDBY_LOOK).await;
        return Ok(());
    };
    let events = tokio::select! {
        events = shared.portal.events(&config.service_token, after, PAGE, WAIT_MS) => events?,
        () = shared.stopped() => return Ok(()),
    };
    // Seconds behind the feed: the oldest event just read, or 0 when there was none to read.
    let behind = events.first().map_or(0.0, |e| {
        (Utc::now() - e.at).num_milliseconds().max(0) as f64 / 1000.0
    });
    metrics::gauge!("dvc_notifier_lag_seconds").set(behind);
    for event in events {
        metrics::histogram!("dvc_event_lag_seconds")
            .record((Utc::now() - event.at).num_milliseconds() as f64 / 1000.0);
        if !handle(shared, config, holder, &event).await? {
            break;
        }
    }
    Ok(())
}

/// What the portal adds to the event, read before the transaction (may be empty: the message
/// then says less, it is still sent).
async fn facts(shared: &Shared, event: &Event, code: &DossierCode) -> Facts {
    let mut facts = Facts::default();
    let wants_due = matches!(
        event.kind.as_str(),
        "accepted" | "payment_confirmed" | "resumed" | "supplement_answered"
    );
    let wants_papers =
        event.kind == "supplement_requested" && !event.data.missing_papers.is_empty();
    if wants_due || wants_papers {
        match shared.portal.public_lookup(code, None).await {
            Ok(public) => {
                facts.due_date = public.due_date;
                if wants_papers && let Ok(p) = shared.portal.procedure(&public.procedure_code).await
                {
                    facts.paper_names = event
                        .data
                        .missing_papers
                        .iter()
                        .map(|c| {
                            p.papers
                                .iter()
                                .find(|paper| &paper.code == c)
                                .map(|paper| (paper.name_vi.clone(), paper.name_en.clone()))
                                .unwrap_or_else(|| (c.clone(), c.clone()))
                        })
                        .collect();
                }
            }
            Err(error) => tracing::warn!(%error, "notifier: public lookup failed"),
        }
    }
    if matches!(event.kind.as_str(), "completed" | "result_returned")
        && let Ok(Some(sealed)) = store::owner_session(&shared.db, event.owner).await
        && let Ok(token) = shared.cipher.open(&sealed)
    {
        match shared.portal.my_dossier(&token, &code.into()).await {
            Ok(d) => facts.delivery = d.delivery,
            Err(PortalError::Unauthorized | PortalError::NotFound) => {}
            Err(error) => tracing::warn!(%error, "notifier: the owner's dossier is unreadable"),
        }
    }
    facts
}

/// Handles one event; false if the cursor was lost to another replica (stop this page).
async fn handle(
    shared: &Shared,
    config: &NotifyConfig,
    holder: &str,
    event: &Event,
) -> Result<bool, NotifyError> {
    let code = event
        .code
        .as_deref()
        .and_then(|c| DossierCode::parse(c).ok());
    let facts = match &code {
        Some(code) => facts(shared, event, code).await,
        None => Facts::default(),
    };
    let now = Utc::now();
    let not_before = config.quiet.defer(now).timestamp();
    let mut tx = shared.db.begin_write().await?;
    let mut written = 0;
    if event.kind == "question_answered" {
        // The asker's chats alone: a question is nobody else's business.
        if let Some(notice) = message::answer(event) {
            let json = serde_json::to_string(&notice)?;
            let dedup = format!("e:{}", event.id);
            for chat in store::owner_chats(&mut tx, event.owner).await? {
                let row = NewRow {
                    dedup: &dedup,
                    chat_id: chat.chat_id,
                    code: code.as_ref().map(DossierCode::as_str),
                    kind: "answer",
                    message: &json,
                    event_at: event.at.timestamp(),
                    not_before,
                };
                written += usize::from(store::enqueue(&mut tx, &row).await?);
            }
        }
    } else if let Some(code) = &code {
        let dedup = format!("e:{}", event.id);
        let owners = store::owner_chats(&mut tx, event.owner).await?;
        if let Some(notice) = message::for_owner(event, code, &facts) {
            let json = serde_json::to_string(&notice)?;
            for chat in owners.iter().filter(|c| c.status) {
                let row = NewRow {
                    dedup: &dedup,
                    chat_id: chat.chat_id,
                    code: Some(code.as_str()),
                    kind: "status",
                    message: &json,
                    event_at: event.at.timestamp(),
                    not_before,
                };
                written += usize::from(store::enqueue(&mut tx, &row).await?);
            }
        }
        if let Some(notice) = message::for_follower(event, code) {
            let json = serde_json::to_string(&notice)?;
            let owner_ids: Vec<i64> = owners.iter().map(|c| c.chat_id).collect();
            for chat in store::followers(&mut tx, code.as_str()).await? {
                if owner_ids.contains(&chat) {
                    continue;
                }
                let row = NewRow {
                    dedup: &dedup,
                    chat_id: chat,
                    code: Some(code.as_str()),
                    kind: "follow",
                    message: &json,
                    event_at: event.at.timestamp(),
                    not_before,
                };
                written += usize::from(store::enqueue(&mut tx, &row).await?);
            }
        }
        reminders(&mut tx, config, event, code, &facts, &owners, now).await?;
    }
    if !store::move_cursor(&mut tx, holder, event.id).await? {
        tx.rollback().await?;
        tracing::warn!(event = event.id, "notifier: the cursor moved elsewhere");
        return Ok(false);
    }
    tx.commit().await?;
    if written > 0 {
        shared.outbox_written.notify_one();
    }
    tracing::debug!(event = event.id, kind = %event.kind, written, "event handled");
    Ok(true)
}

/// Any event of a dossier ends its supplement and fee reminders (it left that status, or the
/// citizen answered); a new request schedules them; the overdue notice follows the due date.
async fn reminders(
    tx: &mut store::Tx<'_>,
    config: &NotifyConfig,
    event: &Event,
    code: &DossierCode,
    facts: &Facts,
    owners: &[store::Recipient],
    now: DateTime<Utc>,
) -> Result<(), NotifyError> {
    store::cancel_reminders(tx, code.as_str(), &["supplement", "fee"]).await?;
    let ended = matches!(
        event.kind.as_str(),
        "completed" | "result_returned" | "rejected" | "withdrawn"
    );
    let due_known = facts.due_date.is_some();
    if ended || due_known {
        store::cancel_reminders(tx, code.as_str(), &["overdue"]).await?;
    }
    let chats: Vec<i64> = owners
        .iter()
        .filter(|c| c.reminders)
        .map(|c| c.chat_id)
        .collect();
    let kind = match event.kind.as_str() {
        "supplement_requested" => Some(ReminderKind::Supplement),
        "fee_requested" | "financial_obligation_requested" => Some(ReminderKind::Fee),
        _ => None,
    };
    if let (Some(kind), Some(deadline)) = (kind, event.data.deadline) {
        let mut args: Vec<(String, Arg)> =
            vec![("deadline".into(), Arg::Str(format_datetime(deadline)))];
        if let Some(amount) = event.data.amount {
            args.push(("amount".into(), Arg::Str(format_money(amount))));
        }
        let args = serde_json::to_string(&args)?;
        for at in
            super::schedule::reminder_times(deadline, now, &config.remind_before, &config.quiet)
        {
            for chat in &chats {
                store::schedule(
                    tx,
                    &NewReminder {
                        code: code.as_str(),
                        kind: kind.as_str(),
                        deadline: deadline.timestamp(),
                        fire_at: at.timestamp(),
                        chat_id: *chat,
                        event_id: event.id,
                        args: &args,
                    },
                )
                .await?;
            }
        }
    }
    // Back in processing (or newly accepted) with a due date: told once if it passes.
    let active = matches!(
        event.status,
        Some(
            crate::portal::model::DossierStatus::Processing
                | crate::portal::model::DossierStatus::New
        )
    );
    if let (Some(due), true, false) = (facts.due_date, active, ended) {
        let at = super::schedule::overdue_time(due, now, &config.quiet);
        let args = serde_json::to_string(&vec![("due".to_owned(), Arg::Str(format_date(due)))])?;
        for chat in &chats {
            store::schedule(
                tx,
                &NewReminder {
                    code: code.as_str(),
                    kind: ReminderKind::Overdue.as_str(),
                    deadline: at.timestamp(),
                    fire_at: at.timestamp(),
                    chat_id: *chat,
                    event_id: event.id,
                    args: &args,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Moves due reminders to the outbox (each in the transaction that marks it fired); runs until
/// `stop`.
pub async fn run_reminders(shared: Arc<Shared>, config: NotifyConfig) {
    while !shared.stopping() {
        match fire_due(&shared, &config).await {
            Ok(n) if n > 0 => shared.outbox_written.notify_one(),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "reminders: will try again"),
        }
        shared.sleep(config.reminder_tick).await;
    }
}

async fn fire_due(shared: &Shared, config: &NotifyConfig) -> Result<usize, NotifyError> {
    let now = Utc::now();
    let mut tx = shared.db.begin_write().await?;
    let due = store::due_reminders(&mut tx, now.timestamp(), 200).await?;
    metrics::gauge!("dvc_reminders_due").set(due.len() as f64);
    let mut written = 0;
    for r in &due {
        store::mark_fired(&mut tx, r.id).await?;
        let (Some(kind), Ok(code)) = (ReminderKind::parse(&r.kind), DossierCode::parse(&r.code))
        else {
            continue;
        };
        if !r.remind {
            continue;
        }
        let args: Vec<(String, Arg)> = serde_json::from_str(&r.args).unwrap_or_default();
        let notice: Notice = message::reminder(kind, &code, args);
        let json = serde_json::to_string(&notice)?;
        let dedup = format!("r:{}", r.id);
        let row = NewRow {
            dedup: &dedup,
            chat_id: r.chat_id,
            code: Some(code.as_str()),
            kind: &format!("reminder-{}", kind.as_str()),
            message: &json,
            event_at: r.fire_at,
            not_before: config.quiet.defer(now).timestamp(),
        };
        written += usize::from(store::enqueue(&mut tx, &row).await?);
    }
    tx.commit().await?;
    Ok(written)
}
