//! Issue 13: hostile input through the sandbox, against the real binary (`dvc-bot sandbox`, its
//! log captured). A seeded generator drives many chats at once with random and oversized
//! texts, control, bidi and zero-width characters, HTML and SQL fragments, commands with junk
//! arguments, presses of the buttons on screen, raw callback data (random, and forged with
//! another citizen's dossier code and draft key), lying file types, zero-byte and over-limit
//! files, other users' contacts, stickers, locations, polls and dice, edited messages and group
//! chats. For every case: the bot stays up (no panic in its log), a message gets a reply in the
//! chat's language and a button press its answer (an edited message gets none: Telegram's edit
//! is not a new message, and the bot documents that it ignores it), every reply is valid
//! Telegram HTML (the sandbox refuses anything else, which the bot counts as a failed reply),
//! no user text comes back unescaped, and nothing of the other citizen is shown.
//!
//! `DVC_FUZZ_CASES` (default 3000) sets the number of cases and `DVC_FUZZ_SEED` the seed (by
//! default a new one, printed with every failure) to repeat a run.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use dvc_bot::i18n::Locale;
use dvc_bot::portal::HttpPortal;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::LoginRequest;
use dvc_bot::sandbox::client::{
    CallbackInput, Citizen, ContactInput, DocumentInput, EditInput, OtherKind, PhotoInput,
    SandboxClient, SendRequest, Transcript,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::jpeg;
use crate::portal::{BIRTH, PASSWORD, cccd, complete_draft_with, pdf, registration};
use crate::support::process::{SandboxProcess, stop_with_sigterm};
use crate::support::said::{Phrase, best_match, label};
use crate::support::wait::{self, Expect};

/// Cases per run unless `DVC_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 3000;
/// Chats driven at once.
const CHATS: usize = 24;
/// Every third chat logs in to an account of its own first, to reach the flows behind it.
const LOGGED_IN_EVERY: usize = 3;
/// The first fuzzing chat's user id; chat `i` is `FIRST_CHAT + i`, its group `-(that)`.
const FIRST_CHAT: i64 = 8_100_000;
/// The other citizen: an account with a sent dossier and a chat with a draft.
const VICTIM_CHAT: i64 = 8_099_999;
const VICTIM_NAME: &str = "Quàng Thị Bí Mật";
const VICTIM_ADDRESS: &str = "Bản Kín Đáo, xã Chiềng Ngần";
const VICTIM_PHONE: &str = "0987650001";
const VICTIM_TAIL: &str = "7731";
/// How long one answer may take before the case fails (a safety net, never a timing test).
const ANSWER_DEADLINE: Duration = Duration::from_secs(30);
/// How many of the newest messages seen are read again with each wait (the buttons pressed at
/// random are on the newest five bot messages).
const RECENT: i64 = 16;
/// The sync press: data no button carries, answered politely and changing nothing.
const SYNC: &str = "?";

/// What the chats know of the other citizen.
struct Victim {
    code: String,
    draft_key: String,
    cccd: String,
}

/// The running `dvc-bot sandbox` and what the fuzzing reads from it.
struct Shared {
    client: SandboxClient,
    victim: Victim,
    /// Labels never pressed at random: the language buttons (the chat's language is fixed).
    language_labels: BTreeSet<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_gets_a_polite_answer_and_breaks_nothing() {
    let cases: usize = std::env::var("DVC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let seed: u64 = std::env::var("DVC_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random);
    let repeat = format!("DVC_FUZZ_SEED={seed} DVC_FUZZ_CASES={cases}");
    println!("hostile: {cases} cases in {CHATS} chats; repeat with {repeat}");

    // The whole system as a citizen runs it, its log (stderr) in a file.
    let data = tempfile::tempdir().expect("data dir");
    let log_path = data.path().join("dvc-bot.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let sandbox = SandboxProcess::start(data.path(), "warn", Stdio::from(log));
    let chat_url = sandbox.printed("web chat:");
    let portal_url = sandbox
        .printed("officer console:")
        .trim_end_matches("/officer")
        .to_owned();
    let metrics_url = sandbox.printed_url("/metrics");
    let client = SandboxClient::parse(&chat_url).expect("chat URL");
    let portal = HttpPortal::new(&portal_url).expect("portal client");

    let victim = victim(&client, &portal, data.path()).await;
    let accounts = accounts(&portal).await;
    let language_labels = Locale::ALL
        .into_iter()
        .flat_map(|l| [label(l, "language-vi"), label(l, "language-en")])
        .collect();
    let shared = Arc::new(Shared {
        client,
        victim,
        language_labels,
    });

    let started = Instant::now();
    let per_chat = cases.div_ceil(CHATS);
    let mut tasks = Vec::new();
    for i in 0..CHATS {
        let shared = shared.clone();
        let account = accounts
            .get(i / LOGGED_IN_EVERY)
            .cloned()
            .filter(|_| i.is_multiple_of(LOGGED_IN_EVERY));
        let rng = StdRng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        tasks.push(tokio::spawn(async move {
            let mut chat = Chat::new(shared, i, rng);
            chat.run(account, per_chat).await;
            chat
        }));
    }
    let mut failures = Vec::new();
    let mut sent = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await {
            Ok(chat) => {
                sent += chat.updates;
                failures.extend(chat.failures);
            }
            Err(e) => failures.push(format!("chat {i}: its driver panicked: {e}")),
        }
    }
    let elapsed = started.elapsed();
    println!(
        "hostile: {} cases, {sent} updates in {:.1} s ({:.0} updates/s)",
        per_chat * CHATS,
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64().max(0.001)
    );

    // Nothing of the other citizen changed: their draft is still in their chat, their dossier
    // still theirs and not withdrawn.
    let state = stored_state(data.path(), VICTIM_CHAT).await;
    if !state.contains(&shared.victim.draft_key) {
        failures.push("the other citizen's draft is gone from their chat".into());
    }
    let session = portal
        .login(&LoginRequest {
            login: shared.victim.cccd.clone(),
            password: PASSWORD.into(),
        })
        .await
        .expect("the other citizen logs in");
    let theirs = portal
        .my_dossiers(&session.token, None)
        .await
        .expect("their dossiers");
    let dossier = theirs.iter().find(|d| {
        d.code
            .as_ref()
            .is_some_and(|c| c.as_str() == shared.victim.code)
    });
    match dossier {
        Some(d) if d.status == dvc_bot::portal::model::DossierStatus::New => {}
        other => failures.push(format!("the other citizen's dossier changed: {other:?}")),
    }

    // Every reply went out: the sandbox refuses invalid HTML and over-long texts, which the
    // bot counts as failed replies.
    let metrics = reqwest::get(&metrics_url)
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    let failed = metric(&metrics, "dvc_replies_failed_total");
    if failed > 0.0 {
        failures.push(format!(
            "{failed} replies did not go out (invalid HTML or too long)"
        ));
    }

    let status = stop_with_sigterm(sandbox.child).await;
    let log_text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let panics: Vec<&str> = log_text
        .lines()
        .filter(|l| l.contains("panicked"))
        .collect();
    if !panics.is_empty() {
        failures.push(format!("the bot panicked:\n{}", panics.join("\n")));
    }
    if !status.success() {
        failures.push(format!("the bot did not stop cleanly: {status}"));
    }
    let failed_replies: Vec<&str> = log_text
        .lines()
        .filter(|l| l.contains("did not go out"))
        .take(10)
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures (repeat with {repeat}):\n{}\n-- log lines about replies:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        failed_replies.join("\n")
    );
}

/// A Prometheus counter's value (0 when absent).
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum()
}

/// The stored dialogue of `chat` in the bot's database (JSON, as stored).
async fn stored_state(data: &std::path::Path, chat: i64) -> String {
    let db = dvc_bot::db::Db::connect(&format!("sqlite://{}", data.join("dvc-bot.db").display()))
        .await
        .expect("the bot database");
    let (json,): (String,) = sqlx::query_as("SELECT state FROM dialogues WHERE chat_id = $1")
        .bind(chat)
        .fetch_one(&db.pool)
        .await
        .expect("a stored dialogue");
    db.close().await;
    json
}

/// The other citizen: an account with personal data no other chat may see, a sent dossier,
/// and their own chat holding a draft.
async fn victim(client: &SandboxClient, portal: &HttpPortal, data: &std::path::Path) -> Victim {
    let id = cccd(VICTIM_TAIL);
    let mut account = registration(&id);
    account.full_name = VICTIM_NAME.into();
    account.address = VICTIM_ADDRESS.into();
    account.phone = VICTIM_PHONE.into();
    portal
        .register(&account, None)
        .await
        .expect("the other citizen registers");
    let session = portal
        .login(&LoginRequest {
            login: id.clone(),
            password: PASSWORD.into(),
        })
        .await
        .expect("login");
    let draft = complete_draft_with(portal, &session.token).await;
    let sent = portal
        .submit(&session.token, &draft.id.into(), "victim-submit")
        .await
        .expect("submit");
    let code = sent.code.expect("a dossier code").as_str().to_owned();

    let who = Citizen::new(VICTIM_CHAT).named("Bí Mật").language("vi");
    set_language(client, &who, Locale::Vi).await;
    log_in(client, &who, Locale::Vi, &id).await;
    let asked = client
        .send_text(who.clone(), &format!("/submit {BIRTH}"))
        .await
        .expect("send");
    wait::wait_for(
        client,
        &who,
        asked.message_id.unwrap_or(0),
        &Expect::said(Phrase::new(Locale::Vi, "submit-ask-field")),
        wait::DEADLINE,
    )
    .await;
    let state = stored_state(data, VICTIM_CHAT).await;
    let json: serde_json::Value = serde_json::from_str(&state).expect("state JSON");
    let draft_key = json["drafts"][0]["key"]
        .as_str()
        .expect("the other citizen's draft key")
        .to_owned();
    Victim {
        code,
        draft_key,
        cccd: id,
    }
}

/// Accounts for the chats that log in: (CCCD, password).
async fn accounts(portal: &HttpPortal) -> Vec<String> {
    let mut all = Vec::new();
    for n in 0..CHATS.div_ceil(LOGGED_IN_EVERY) {
        let id = cccd(&format!("{:04}", 5100 + n));
        portal
            .register(&registration(&id), None)
            .await
            .expect("an account for a fuzzing chat");
        all.push(id);
    }
    all
}

/// `/start`, then the language button: the chat's language is stored.
async fn set_language(client: &SandboxClient, who: &Citizen, locale: Locale) {
    let button = label(locale, &format!("language-{}", locale.code()));
    let sent = client.send_text(who.clone(), "/start").await.expect("send");
    wait::wait_for(
        client,
        who,
        sent.message_id.unwrap_or(0),
        &Expect::button(&button),
        wait::DEADLINE,
    )
    .await;
    let before = last_id(client, who).await;
    client.press(who.clone(), &button).await.expect("press");
    wait::wait_for(
        client,
        who,
        before,
        &Expect::said(Phrase::new(locale, "language-set")),
        wait::DEADLINE,
    )
    .await;
}

/// `/login` through consent, kind, username and password.
async fn log_in(client: &SandboxClient, who: &Citizen, locale: Locale, id: &str) {
    let said = |id: &str| Expect::said(Phrase::new(locale, id));
    let steps: [(Step, Expect); 5] = [
        (Step::Text("/login".into()), said("consent-statement")),
        (
            Step::Press(label(locale, "consent-agree")),
            said("ask-kind"),
        ),
        (
            Step::Press(label(locale, "kind-citizen")),
            said("login-ask-username"),
        ),
        (Step::Text(id.into()), said("login-ask-password")),
        (Step::Text(PASSWORD.into()), said("login-done")),
    ];
    for (step, expect) in steps {
        let before = last_id(client, who).await;
        match step {
            Step::Text(text) => client.send_text(who.clone(), &text).await.map(drop),
            Step::Press(l) => client.press(who.clone(), &l).await.map(drop),
        }
        .expect("send");
        wait::wait_for(client, who, before, &expect, wait::DEADLINE).await;
    }
}

enum Step {
    Text(String),
    Press(String),
}

async fn last_id(client: &SandboxClient, who: &Citizen) -> i64 {
    client
        .transcript(who.clone(), 0, 0)
        .await
        .expect("transcript")
        .last_id()
        .unwrap_or(0)
}

/// One generated case.
#[derive(Debug)]
enum Case {
    /// A message in the private chat (text, file, contact, sticker…): answered.
    Message(SendRequest),
    /// The same in a group: answered there with one sentence.
    Group(String),
    /// A press of a button on screen or of forged data: answered (the spinner stops).
    Press(SendRequest),
    /// The citizen edits an earlier text: nothing is answered.
    Edit(i64, String),
}

/// One fuzzing chat: its generator, what it sent, and what went wrong.
struct Chat {
    shared: Arc<Shared>,
    index: usize,
    who: Citizen,
    locale: Locale,
    rng: StdRng,
    /// (HTML-like text the citizen sent just before a marker, the marker).
    markers: Vec<(String, String)>,
    /// The citizen's latest text message (to edit).
    last_text: Option<i64>,
    /// The chat as last seen (for buttons to press).
    seen: Transcript,
    updates: usize,
    failures: Vec<String>,
    n: usize,
    /// Whether the citizen wrote in their group (whose transcript is then checked too).
    in_group: bool,
}

impl Chat {
    fn new(shared: Arc<Shared>, index: usize, rng: StdRng) -> Self {
        let locale = if index.is_multiple_of(2) {
            Locale::Vi
        } else {
            Locale::En
        };
        let id = FIRST_CHAT + index as i64;
        Self {
            shared,
            index,
            who: Citizen::new(id)
                .named(format!("Fuzz {index}"))
                .language(locale.code()),
            locale,
            rng,
            markers: Vec::new(),
            last_text: None,
            seen: Transcript::default(),
            updates: 0,
            failures: Vec::new(),
            n: 0,
            in_group: false,
        }
    }

    fn client(&self) -> &SandboxClient {
        &self.shared.client
    }

    fn fail(&mut self, case: &str, what: String) {
        self.failures.push(format!(
            "chat {} ({}) case {} {case}: {what}",
            self.index,
            self.locale.code(),
            self.n
        ));
    }

    async fn run(&mut self, account: Option<String>, cases: usize) {
        set_language(&self.shared.client, &self.who, self.locale).await;
        if let Some(id) = account {
            log_in(&self.shared.client, &self.who, self.locale, &id).await;
        }
        for n in 0..cases {
            self.n = n;
            let case = self.generate();
            let what = describe(&case);
            let start = self.seen.last_id().unwrap_or(0);
            let result = self.play(case).await.and_then(|()| {
                // A reply that did not go out is followed by the apology for an internal error.
                let sorry = Phrase::new(self.locale, "error-internal");
                match self
                    .seen
                    .bot_messages()
                    .any(|m| m.message_id > start && sorry.is_in(&m.text))
                {
                    true => Err("a reply did not go out: the bot apologised".to_owned()),
                    false => Ok(()),
                }
            });
            if let Err(e) = result {
                self.fail(&what, e);
                // A chat that stopped answering would fail every later case the same way.
                if self.failures.len() > 5 {
                    break;
                }
            }
        }
        self.check_transcripts().await;
    }

    // ---- what a case sends and what it waits for ----

    async fn play(&mut self, case: Case) -> Result<(), String> {
        match case {
            Case::Message(request) => {
                let is_text = request.text.is_some();
                let sent = self.send(request).await?;
                let id = sent.message_id.ok_or("no message id for a message")?;
                if is_text {
                    self.last_text = Some(id);
                }
                self.sync().await?;
                if !self.seen.bot_messages().any(|m| m.message_id > id) {
                    return Err("no reply".into());
                }
                Ok(())
            }
            Case::Press(request) => {
                let sent = self.send(request).await?;
                if let Some(id) = sent.message_id {
                    // A reply-keyboard button: a message of the citizen.
                    self.sync().await?;
                    if !self.seen.bot_messages().any(|m| m.message_id > id) {
                        return Err("no reply".into());
                    }
                    return Ok(());
                }
                self.answered().await?;
                self.check_notice()
            }
            Case::Group(text) => {
                self.in_group = true;
                let group = Citizen::new(-self.who.id);
                let sent = self
                    .send(SendRequest {
                        text: Some(text),
                        group_id: Some(group.id),
                        ..SendRequest::default()
                    })
                    .await?;
                let after = sent.message_id.unwrap_or(0);
                let answer =
                    Expect::bot_message("an answer in the group", move |m| m.message_id > after);
                self.wait(&group, &answer).await.map(drop)
            }
            Case::Edit(id, text) => {
                // What the sync press alone says in this step (a hint, in some), to compare.
                let start = self.seen.last_id().unwrap_or(0);
                self.sync().await?;
                let alone = self
                    .seen
                    .bot_messages()
                    .filter(|m| m.message_id > start)
                    .count();
                let before = self.seen.last_id().unwrap_or(0);
                self.send(SendRequest {
                    edit: Some(EditInput {
                        message_id: id,
                        text,
                    }),
                    ..SendRequest::default()
                })
                .await?;
                self.sync().await?;
                let said: Vec<String> = self
                    .seen
                    .bot_messages()
                    .filter(|m| m.message_id > before)
                    .map(|m| m.text.chars().take(80).collect())
                    .collect();
                if said.len() > alone {
                    return Err(format!(
                        "an edited message was answered: {said:?} (the sync alone says {alone})"
                    ));
                }
                Ok(())
            }
        }
    }

    async fn send(
        &mut self,
        request: SendRequest,
    ) -> Result<dvc_bot::sandbox::SendResponse, String> {
        self.updates += 1;
        self.client()
            .send(SendRequest {
                user_id: self.who.id,
                first_name: self.who.first_name.clone(),
                language_code: self.who.language_code.clone(),
                ..request
            })
            .await
            .map_err(|e| format!("the sandbox refused the input: {e}"))
    }

    /// Presses data no button carries, and waits for its answer: every update of the chat
    /// before it has been handled and answered by then (a chat's updates are handled in order,
    /// and a press is answered last).
    async fn sync(&mut self) -> Result<(), String> {
        self.send(SendRequest {
            callback: Some(CallbackInput {
                data: SYNC.into(),
                message_id: None,
            }),
            ..SendRequest::default()
        })
        .await?;
        self.answered().await
    }

    /// Waits until every press of the chat is answered.
    async fn answered(&mut self) -> Result<(), String> {
        let all = Expect::new("every press answered", |t| t.callbacks_unanswered == 0);
        let who = self.who.clone();
        self.seen = self.wait(&who, &all).await?;
        Ok(())
    }

    /// Waits until the chat shows `expect`, reading only its recent part (the messages after
    /// the newest few already seen: a long chat is not read whole each time).
    async fn wait(&self, chat: &Citizen, expect: &Expect) -> Result<Transcript, String> {
        let until = tokio::time::Instant::now() + ANSWER_DEADLINE;
        let after = if chat.id == self.who.id {
            self.seen.last_id().unwrap_or(0).saturating_sub(RECENT)
        } else {
            0
        };
        let mut seen = self
            .client()
            .transcript(chat.clone(), after, 0)
            .await
            .map_err(|e| e.to_string())?;
        loop {
            if expect.matches(&seen) {
                return Ok(seen);
            }
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "waited {ANSWER_DEADLINE:?} for {}; the chat ends with:\n{}",
                    expect.what(),
                    wait::describe(&Transcript {
                        messages: seen.messages.iter().rev().take(4).rev().cloned().collect(),
                        ..seen.clone()
                    })
                ));
            }
            let wait_ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1);
            seen = self
                .client()
                .changes_after(chat.clone(), after, seen.version, wait_ms)
                .await
                .map_err(|e| e.to_string())?;
        }
    }

    /// A toast shown for a press is in the chat's language.
    fn check_notice(&mut self) -> Result<(), String> {
        match &self.seen.notice {
            Some(notice) => self.in_language(&notice.text),
            None => Ok(()),
        }
    }

    // ---- the checks on everything the bot said ----

    async fn check_transcripts(&mut self) {
        let mut chats = vec![self.who.clone()];
        if self.in_group {
            chats.push(Citizen::new(-self.who.id));
        }
        for chat in chats {
            let t = match self.client().transcript(chat.clone(), 0, 0).await {
                Ok(t) => t,
                Err(e) => {
                    self.fail("transcript", e.to_string());
                    continue;
                }
            };
            // A long reply is cut into several messages: a part is checked with its neighbours.
            let said: Vec<(i64, String)> = t
                .bot_messages()
                .filter(|m| !m.deleted && !m.text.is_empty())
                .map(|m| (m.message_id, m.text.clone()))
                .collect();
            for (i, (id, text)) in said.iter().enumerate() {
                let joined = |from: usize, to: usize, sep: &str| {
                    said[from..=to]
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                let count = said.len();
                let windows = || {
                    (i.saturating_sub(3)..=i)
                        .flat_map(move |from| (i..count.min(i + 4)).map(move |to| (from, to)))
                };
                let where_ = format!("message #{id} in chat {}", chat.id);
                if let Err(e) = self.in_language(text) {
                    let in_parts = windows().any(|(from, to)| {
                        ["", "\n"]
                            .iter()
                            .any(|sep| self.in_language(&joined(from, to, sep)).is_ok())
                    });
                    if !in_parts {
                        self.fail(&where_, e);
                    }
                }
                if let Err(e) = self.escaped(text) {
                    let continued = i > 0 && self.escaped(&joined(i - 1, i, "")).is_ok();
                    if !continued {
                        self.fail(&where_, e);
                    }
                }
                if let Err(e) = self.nothing_of_the_victim(text) {
                    self.fail(&where_, e);
                }
            }
        }
    }

    /// The text is one of the bot's messages in the chat's language (it says more of a message
    /// of that language than of any message of the other).
    fn in_language(&self, text: &str) -> Result<(), String> {
        let (own, own_id) = best_match(self.locale, text);
        let other = Locale::ALL
            .into_iter()
            .find(|l| *l != self.locale)
            .expect("two languages");
        let (theirs, their_id) = best_match(other, text);
        if own == 0 || theirs > own {
            return Err(format!(
                "not in {}: best {} match {own_id:?} ({own} chars), {} {their_id:?} ({theirs}): {:?}",
                self.locale.code(),
                self.locale.code(),
                other.code(),
                text.chars().take(300).collect::<String>()
            ));
        }
        Ok(())
    }

    /// Every marker the citizen sent after an HTML-like fragment comes back, if at all, after
    /// that fragment as typed: escaped, not read as markup.
    fn escaped(&self, text: &str) -> Result<(), String> {
        for (fragment, marker) in &self.markers {
            for (at, _) in text.match_indices(marker.as_str()) {
                if !text[..at].ends_with(fragment.as_str()) {
                    let from = text[..at]
                        .char_indices()
                        .rev()
                        .nth(40)
                        .map_or(0, |(i, _)| i);
                    return Err(format!(
                        "user text {fragment:?}{marker} shown unescaped: …{:?}",
                        &text[from..(at + marker.len()).min(text.len())]
                    ));
                }
            }
        }
        Ok(())
    }

    fn nothing_of_the_victim(&self, text: &str) -> Result<(), String> {
        let victim = &self.shared.victim;
        for secret in [
            VICTIM_NAME,
            VICTIM_ADDRESS,
            VICTIM_PHONE,
            victim.cccd.as_str(),
        ] {
            if text.contains(secret) {
                return Err(format!("the other citizen's {secret:?} shown"));
            }
        }
        Ok(())
    }

    // ---- the generator ----

    fn generate(&mut self) -> Case {
        let roll = self.rng.gen_range(0..100);
        match roll {
            0..=19 => {
                let text = self.hostile_text(1, 200);
                Case::Message(text_request(text))
            }
            20..=24 => {
                let len = self.rng.gen_range(4097..9000);
                let text = self.hostile_text(len, len + 1);
                Case::Message(text_request(text))
            }
            25..=34 => {
                let text = self.command();
                Case::Message(text_request(text))
            }
            35..=49 => self.press_on_screen(),
            50..=61 => {
                let data = self.callback_data();
                Case::Press(SendRequest {
                    callback: Some(CallbackInput {
                        data,
                        message_id: None,
                    }),
                    ..SendRequest::default()
                })
            }
            62..=69 => Case::Message(self.document()),
            70..=73 => {
                let mut bytes = jpeg();
                let extra = self.rng.gen_range(0..512);
                bytes.extend((0..extra).map(|_| self.rng.r#gen::<u8>()));
                Case::Message(SendRequest {
                    photo: Some(PhotoInput {
                        data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                    }),
                    ..SendRequest::default()
                })
            }
            74..=78 => Case::Message(self.contact()),
            79..=84 => Case::Message(SendRequest {
                other: Some(*OtherKind::ALL.choose(&mut self.rng).expect("kinds")),
                ..SendRequest::default()
            }),
            85..=88 => match self.last_text {
                Some(id) => {
                    let text = self.hostile_text(1, 100);
                    Case::Edit(id, text)
                }
                None => Case::Message(text_request(self.hostile_text(1, 50))),
            },
            89..=92 => {
                let text = self.hostile_text(1, 100);
                Case::Group(text)
            }
            _ => {
                let text = self.flow_command();
                Case::Message(text_request(text))
            }
        }
    }

    /// A unique marker placed after an HTML-like fragment, remembered for the escape check.
    fn marked(&mut self) -> String {
        const FRAGMENTS: [&str; 10] = [
            "<b>",
            "&amp;",
            "</a>",
            "<a href=\"tg://user?id=1\">",
            "&lt;",
            "<tg-spoiler>",
            "<script>",
            "&#60;",
            "<pre><code class=\"language-x\">",
            "&",
        ];
        let fragment = FRAGMENTS
            .choose(&mut self.rng)
            .expect("fragments")
            .to_string();
        let marker = format!("Zq{}x{}x{}q", self.index, self.n, self.markers.len());
        self.markers.push((fragment.clone(), marker.clone()));
        format!("{fragment}{marker}")
    }

    /// Random text of `min..max` characters: letters of several scripts, control, bidi and
    /// zero-width characters, HTML-like fragments with markers and SQL fragments.
    fn hostile_text(&mut self, min: usize, max: usize) -> String {
        const SQL: [&str; 6] = [
            "'; DROP TABLE users; --",
            "\" OR \"1\"=\"1",
            "1; DELETE FROM dialogues",
            "%' UNION SELECT password_hash FROM accounts --",
            "\\'); --",
            "$1 $2 ?",
        ];
        const ODD: [char; 34] = [
            '\u{0}',
            '\u{7}',
            '\u{8}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{00AD}',
            '\r',
            '\n',
            '\t',
            '\u{2028}',
            '\u{2029}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{1F600}',
            '\u{0301}',
            'ệ',
            'Đ',
            '<',
        ];
        let target = self.rng.gen_range(min..max.max(min + 1));
        let mut out = String::new();
        while out.chars().count() < target {
            match self.rng.gen_range(0..10) {
                0 => {
                    let m = self.marked();
                    out.push_str(&m);
                }
                1 => out.push_str(SQL.choose(&mut self.rng).expect("sql")),
                2 | 3 => out.push(*ODD.choose(&mut self.rng).expect("odd")),
                4 => out
                    .push(char::from_u32(self.rng.gen_range(0x80..0x2FFFF)).unwrap_or('\u{FFFD}')),
                _ => {
                    let n = self.rng.gen_range(1..12);
                    out.extend((0..n).map(|_| self.rng.gen_range(b' '..=b'~') as char));
                }
            }
        }
        if out.trim().is_empty() {
            out.push('x');
        }
        out
    }

    /// A command with junk arguments.
    fn command(&mut self) -> String {
        const COMMANDS: [&str; 22] = [
            "/start",
            "/status",
            "/submit",
            "/follow",
            "/unfollow",
            "/login",
            "/register",
            "/help",
            "/ask",
            "/procedures",
            "/cancel",
            "/mydossiers",
            "/drafts",
            "/account",
            "/mydata",
            "/notifications",
            "/logout",
            "/deleteme",
            "/nosuchcommand",
            "/start@dvc_sandbox_bot",
            "/status@another_bot",
            "/",
        ];
        let command = COMMANDS
            .choose(&mut self.rng)
            .expect("commands")
            .to_string();
        let victim = self.shared.victim.code.clone();
        let args = [
            format!("status_{}", victim.replace('.', "_")),
            "proc_1_001193".to_owned(),
            "proc_../../etc/passwd".to_owned(),
            victim.clone(),
            victim.replace('-', ""),
            format!("{victim}{victim}"),
            "1.001193".to_owned(),
            "000.00.25.H50-261125-".to_owned(),
            "9".repeat(80),
            String::new(),
        ];
        let arg = if self.rng.gen_bool(0.5) {
            args.choose(&mut self.rng).expect("args").clone()
        } else {
            self.hostile_text(1, 60)
        };
        format!("{command} {arg}")
    }

    /// The commands that enter the flows, as a citizen types them.
    fn flow_command(&mut self) -> String {
        let victim = self.shared.victim.code.clone();
        let all = [
            format!("/submit {BIRTH}"),
            "/submit 2.000884".to_owned(),
            "/procedures".to_owned(),
            "/mydossiers".to_owned(),
            "/drafts".to_owned(),
            "/ask".to_owned(),
            "/register".to_owned(),
            "/login".to_owned(),
            format!("/status {victim}"),
            format!("/follow {victim}"),
            "/notifications".to_owned(),
            "/account".to_owned(),
            victim,
        ];
        all.choose(&mut self.rng).expect("commands").clone()
    }

    /// A button on one of the newest bot messages, or on the reply keyboard (never a
    /// language button: the chat keeps its language).
    fn press_on_screen(&mut self) -> Case {
        let mut candidates: Vec<(String, Option<i64>)> = Vec::new();
        let all: Vec<_> = self.seen.bot_messages().collect();
        for m in all.iter().rev().take(5) {
            for b in m.buttons.iter().flatten() {
                candidates.push((b.clone(), Some(m.message_id)));
            }
        }
        for row in self.seen.reply_keyboard.iter().flatten() {
            for b in row {
                candidates.push((b.text.clone(), None));
            }
        }
        candidates.retain(|(l, _)| !self.shared.language_labels.contains(l));
        match candidates.choose(&mut self.rng).cloned() {
            Some((label, message_id)) => Case::Press(SendRequest {
                press: Some(label),
                message_id,
                ..SendRequest::default()
            }),
            None => Case::Message(text_request(self.flow_command())),
        }
    }

    /// Callback data as a forged or stale client sends it: random characters, or a real kind
    /// of button with another citizen's dossier code or draft key, or junk numbers.
    fn callback_data(&mut self) -> String {
        const KINDS: [&str; 44] = [
            "ho:", "bs:", "fe:", "kq:", "hq:", "dg:", "rt:", "rx:", "gs:", "lm:", "fo:", "uf:",
            "st:5:", "st:9:", "p:", "n:", "ed:", "dd:", "sv:", "sn:", "rs:", "rp:", "dl:", "ch:0:",
            "sf:", "kf:", "sk:", "f:", "fp:", "sp:", "mg:", "nt:s:", "nt:r:", "r:e:", "a:", "k:",
            "c:", "d:", "m", "dr", "md", "rn", "s", "r:ok",
        ];
        let data = if self.rng.gen_bool(0.3) {
            let n = self.rng.gen_range(1..40);
            (0..n)
                .map(|_| match self.rng.gen_range(0..3) {
                    0 => self.rng.gen_range(b' '..=b'~') as char,
                    1 => char::from_u32(self.rng.gen_range(0x80..0x2FFFF)).unwrap_or('?'),
                    _ => *[':', '0', '1', '\u{0}', '\u{202E}']
                        .choose(&mut self.rng)
                        .expect("chars"),
                })
                .collect()
        } else {
            let kind = KINDS.choose(&mut self.rng).expect("kinds").to_string();
            let victim = &self.shared.victim;
            let args = [
                victim.code.clone(),
                victim.draft_key.clone(),
                format!("{}:1", victim.draft_key),
                format!("{:08x}", self.rng.r#gen::<u32>()),
                "99999999999999999999".to_owned(),
                "-1".to_owned(),
                "0".to_owned(),
                "1:0".to_owned(),
                "1".to_owned(),
                String::new(),
            ];
            format!("{kind}{}", args.choose(&mut self.rng).expect("args"))
        };
        let mut data: String = data;
        while data.len() > 64 {
            data.pop();
        }
        // The chat's language stays as chosen; empty data is refused by Telegram itself.
        if data.starts_with("l:") || data.is_empty() {
            data = "?x".into();
        }
        data
    }

    /// Files that lie about their type, empty or too large ones, executables, odd names.
    fn document(&mut self) -> SendRequest {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0".to_vec();
        let exe = {
            let mut b = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
            b.extend(std::iter::repeat_n(0u8, 200));
            b
        };
        let marked = self.marked();
        let choice = self.rng.gen_range(0..100);
        let (name, mime, bytes): (String, &str, Vec<u8>) = match choice {
            0..=14 => ("giay-khai-sinh.pdf".into(), "application/pdf", png),
            15..=29 => ("anh-cccd.jpg".into(), "image/jpeg", exe),
            30..=39 => ("setup.exe".into(), "application/x-msdownload", exe),
            40..=54 => ("trong.pdf".into(), "application/pdf", Vec::new()),
            55..=64 => ("\u{202E}fdp.exe".into(), "application/pdf", pdf()),
            65..=79 => (format!("{marked}.pdf"), "application/pdf", pdf()),
            80..=96 => {
                let n = self.rng.gen_range(1..4096);
                let bytes = (0..n).map(|_| self.rng.r#gen::<u8>()).collect();
                (self.hostile_text(1, 40), "application/octet-stream", bytes)
            }
            _ => {
                // Over Telegram's 20 MB download limit.
                let mut bytes = pdf();
                bytes.resize(20 * 1024 * 1024 + 1, b' ');
                ("lon-qua.pdf".into(), "application/pdf", bytes)
            }
        };
        SendRequest {
            document: Some(DocumentInput {
                file_name: name,
                mime_type: mime.into(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            }),
            ..SendRequest::default()
        }
    }

    /// A shared contact: one's own, another user's (the other citizen's phone too), or junk.
    fn contact(&mut self) -> SendRequest {
        let own = self.who.id;
        let (phone, user_id) = match self.rng.gen_range(0..5) {
            0 => (format!("849{:08}", own % 100_000_000), Some(own)),
            1 => (VICTIM_PHONE.to_owned(), Some(VICTIM_CHAT)),
            2 => ("+84 912 345 678".to_owned(), Some(own + 1)),
            3 => (self.hostile_text(1, 30), None),
            _ => ("0".repeat(40), Some(-1)),
        };
        SendRequest {
            contact: Some(ContactInput {
                phone_number: phone,
                user_id,
            }),
            ..SendRequest::default()
        }
    }
}

fn text_request(text: String) -> SendRequest {
    SendRequest {
        text: Some(text),
        ..SendRequest::default()
    }
}

/// A case in one line for a failure message (long texts cut).
fn describe(case: &Case) -> String {
    let short = |s: &str| {
        let cut: String = s.chars().take(80).collect();
        if cut.len() < s.len() {
            format!("{cut:?}… ({} chars)", s.chars().count())
        } else {
            format!("{cut:?}")
        }
    };
    match case {
        Case::Message(r) | Case::Press(r) => {
            if let Some(t) = &r.text {
                format!("text {}", short(t))
            } else if let Some(d) = &r.document {
                format!(
                    "document {:?} ({}, {} base64 chars)",
                    d.file_name,
                    d.mime_type,
                    d.data_base64.len()
                )
            } else if r.photo.is_some() {
                "photo".into()
            } else if let Some(c) = &r.contact {
                format!("contact {:?} of {:?}", c.phone_number, c.user_id)
            } else if let Some(k) = r.other {
                format!("{k:?}")
            } else if let Some(p) = &r.press {
                format!("press {p:?} on {:?}", r.message_id)
            } else if let Some(c) = &r.callback {
                format!("callback {:?}", c.data)
            } else {
                format!("{r:?}")
            }
        }
        Case::Group(t) => format!("group text {}", short(t)),
        Case::Edit(id, t) => format!("edit of #{id} to {}", short(t)),
    }
}

/// Found by the fuzzer (`DVC_FUZZ_SEED=12699757368298110047 DVC_FUZZ_CASES=12000`): a search
/// page drawn again in place for a query so long that the page no longer fits one message was
/// refused by Telegram ("message is too long") and the citizen got an apology. A reply too long
/// to edit in place is sent anew, cut in parts.
#[tokio::test]
async fn a_search_page_too_long_to_edit_in_place_is_sent_anew() {
    use super::System;
    use crate::support::engines;
    use crate::support::said::{vi, vi_label};

    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_500_001).named("Lan").language("vi");
    sys.say_until(&who, "/procedures", Expect::said(vi("procedures-fields")))
        .await;
    let query = "thủ tục không có thật ".repeat(220);
    let fields = vi_label("button-fields");
    let t = sys.say_until(&who, &query, Expect::button(&fields)).await;
    assert!(t.bot_messages().count() > 1, "the answer is cut in parts");
    let before = sys.last_id(&who).await;
    sys.client
        .send(SendRequest {
            user_id: who.id,
            callback: Some(CallbackInput {
                data: "sp:0".into(),
                message_id: None,
            }),
            ..SendRequest::default()
        })
        .await
        .expect("a press");
    let answered = Expect::new("the press answered", |t| t.callbacks_unanswered == 0);
    let t = sys
        .wait_for(&who, before, answered.and(Expect::button(&fields)))
        .await;
    assert!(
        !t.bot_messages()
            .any(|m| vi("error-internal").is_in(&m.text)),
        "no apology: {:?}",
        t.bot_messages().map(|m| &m.text).collect::<Vec<_>>()
    );
    assert!(t.bot_messages().count() > 1, "sent anew, in parts");
}
