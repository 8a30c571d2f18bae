//! One simulated citizen of the kill test: reads the chat as a person would, answers the newest
//! question it recognises, and sends again what got no answer once the bot has been back for a
//! while (as a person does after a timeout). Its journey: /start and the language, then (most
//! citizens) registration, a dossier with two papers, and the answer to a supplement request.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;

use super::World;
use super::words::Seen;
use crate::sandbox::client::{Citizen, DocumentInput, PhotoInput, SendRequest, TranscriptMessage};

/// The procedure submitted: one text field, a PDF-only paper and an ID paper.
pub const PROCEDURE: &str = "2.000884";
/// The paper the officer asks to supplement.
pub const SUPPLEMENT_PAPER: &str = "van_ban";
pub const PASSWORD: &str = "Matkhau2026";
const NAME: &str = "Lò Văn Mến";
const BIRTH: &str = "05/01/1990";
const ADDRESS: &str = "Bản Mòng, xã Hua La, tỉnh Sơn La";
const FIELD_ANSWER: &str = "Giấy uỷ quyền cho con";

/// An input with no answer is sent again once the bot has been up this long since it was sent.
const RESEND_AFTER: Duration = Duration::from_secs(6);
/// Sends of one input without any answer before the citizen counts the chat as stalled.
const MAX_RESENDS: u32 = 4;
/// How long one poll of the chat waits for a change.
const POLL_MS: u64 = 1_000;

/// What a citizen sets out to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journey {
    /// /start and the language, then nothing.
    Idle,
    /// Registration only.
    Register,
    /// Registration, a dossier with its papers, the answer to a supplement request.
    Full,
}

impl Journey {
    pub fn name(self) -> &'static str {
        match self {
            Journey::Idle => "idle",
            Journey::Register => "register",
            Journey::Full => "full",
        }
    }
}

/// Where a citizen's journey stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Start,
    Registering,
    Submitting,
    /// The dossier is sent; waiting for the officer's supplement request.
    AwaitSupplement,
    Supplementing,
    Done,
}

/// What one citizen saw and did.
#[derive(Debug, Clone)]
pub struct CitizenReport {
    pub user: i64,
    pub cccd: String,
    pub journey: Journey,
    pub phase: Phase,
    pub registered: bool,
    pub code: Option<String>,
    pub supplement_sent: bool,
    /// Inputs sent again after no answer.
    pub resends: u32,
    /// Times the chat gave no answer to an input sent `MAX_RESENDS` times.
    pub stalls: Vec<String>,
    /// What went wrong (a violation each).
    pub problems: Vec<String>,
    /// Bot texts the citizen could not place, for the report.
    pub unknown: Vec<String>,
}

/// What the citizen sends.
#[derive(Debug, Clone)]
enum Input {
    Text(String),
    Press(String, Option<i64>),
    Document(&'static str, Vec<u8>),
    Photo(Vec<u8>),
}

pub fn cccd_of(index: usize) -> String {
    format!("014090{:06}", index)
}

pub fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {marker}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes()
}

/// A JPEG header with a 64×32 frame (what a photo's content is checked by).
pub fn jpeg() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x20,
        0x00, 0x40, 0x03, 0x00, 0x00,
    ];
    bytes.extend(std::iter::repeat_n(0x42, 2048));
    bytes
}

struct Chat<'a> {
    world: &'a World,
    who: Citizen,
    version: u64,
    /// The bot's messages as they were when the last input was sent.
    before: HashMap<i64, (String, Vec<Vec<String>>)>,
    last_input: Option<Input>,
    sent_at: Instant,
    last_change: Instant,
    sends: u32,
    report: CitizenReport,
}

/// Runs one citizen's journey until it is done, or `deadline`.
pub async fn run(
    world: &World,
    user: i64,
    index: usize,
    journey: Journey,
    deadline: Instant,
) -> CitizenReport {
    let mut chat = Chat {
        world,
        who: Citizen::new(user).named("Mến").language("vi"),
        version: 0,
        before: HashMap::new(),
        last_input: None,
        sent_at: Instant::now(),
        last_change: Instant::now(),
        sends: 0,
        report: CitizenReport {
            user,
            cccd: cccd_of(index),
            journey,
            phase: Phase::Start,
            registered: false,
            code: None,
            supplement_sent: false,
            resends: 0,
            stalls: Vec::new(),
            problems: Vec::new(),
            unknown: Vec::new(),
        },
    };
    chat.send(Input::Text("/start".into())).await;
    while chat.report.phase != Phase::Done {
        if Instant::now() > deadline {
            chat.report.problems.push(format!(
                "journey not finished in time (phase {:?}, last bot text: {:?})",
                chat.report.phase,
                chat.last_bot_text().await
            ));
            break;
        }
        if chat.report.stalls.len() > 3 {
            chat.report
                .problems
                .push(format!("gave up after {} stalls", chat.report.stalls.len()));
            break;
        }
        chat.turn().await;
    }
    chat.report
}

impl Chat<'_> {
    async fn last_bot_text(&self) -> String {
        match self.world.client.transcript(self.who.clone(), 0, 0).await {
            Ok(t) => t.last_bot().map(|m| m.text.clone()).unwrap_or_default(),
            Err(e) => e.to_string(),
        }
    }

    /// One look at the chat, and the answer to what it shows.
    async fn turn(&mut self) {
        let transcript = match self
            .world
            .client
            .changes(self.who.clone(), self.version, POLL_MS)
            .await
        {
            Ok(t) => t,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
        };
        if transcript.version != self.version {
            self.version = transcript.version;
            self.last_change = Instant::now();
        }
        let bot: Vec<&TranscriptMessage> =
            transcript.bot_messages().filter(|m| !m.deleted).collect();
        // New messages, or messages changed since the last input, newest first.
        let fresh: Vec<&TranscriptMessage> = bot
            .iter()
            .rev()
            .filter(|m| {
                self.before
                    .get(&m.message_id)
                    .is_none_or(|(text, buttons)| *text != m.text || *buttons != m.buttons)
            })
            .copied()
            .collect();
        for message in &fresh {
            let seen = self.world.words.classify(&message.text);
            if let Some(input) = self.answer(&seen, message, &bot).await {
                self.remember(&bot);
                self.send(input).await;
                return;
            }
            if self.report.phase == Phase::Done {
                return;
            }
        }
        if self.report.phase == Phase::AwaitSupplement {
            // Waiting for the officer, not for the bot: nothing to send again.
            return;
        }
        // No answer to place: sent again once the bot has been up a while since it was sent.
        let Some(up_since) = self.world.bot_up_since() else {
            return;
        };
        let quiet_since = self.sent_at.max(self.last_change).max(up_since);
        if quiet_since.elapsed() < RESEND_AFTER {
            return;
        }
        if self.sends > MAX_RESENDS {
            let last = bot.last().map(|m| m.text.clone()).unwrap_or_default();
            self.report.stalls.push(format!(
                "no answer to {:?} sent {} times; last bot text: {last:?}",
                self.last_input, self.sends
            ));
            // What a person would do next: start the step again with its command.
            let again = match self.report.phase {
                Phase::Start => "/start".to_owned(),
                Phase::Registering => "/register".to_owned(),
                _ => format!("/submit {PROCEDURE}"),
            };
            self.remember(&bot);
            self.sends = 0;
            self.send(Input::Text(again)).await;
            return;
        }
        if let Some(input) = self.last_input.clone() {
            self.report.resends += 1;
            self.remember(&bot);
            self.send_again(input).await;
        }
    }

    fn remember(&mut self, bot: &[&TranscriptMessage]) {
        self.before = bot
            .iter()
            .map(|m| (m.message_id, (m.text.clone(), m.buttons.clone())))
            .collect();
    }

    /// The answer to a bot message, if it asks for one in this phase.
    async fn answer(
        &mut self,
        seen: &Seen,
        message: &TranscriptMessage,
        all: &[&TranscriptMessage],
    ) -> Option<Input> {
        let labels = &self.world.words.labels;
        let cccd = self.report.cccd.clone();
        let text = |s: &str| Some(Input::Text(s.to_owned()));
        let press = |s: &str| Some(Input::Press(s.to_owned(), None));
        match seen {
            Seen::LanguageAsk => press(&labels.language_vi),
            Seen::LanguageSet => match self.report.journey {
                Journey::Idle => {
                    self.report.phase = Phase::Done;
                    None
                }
                _ if self.report.phase == Phase::Start => {
                    self.report.phase = Phase::Registering;
                    text("/register")
                }
                _ => None,
            },
            Seen::Consent => press(&labels.consent_agree),
            Seen::AskKind => press(&labels.kind_citizen),
            Seen::AskName => text(NAME),
            Seen::AskId => text(&cccd),
            Seen::AskBirth => text(BIRTH),
            Seen::AskPhone => press(&labels.share_phone),
            Seen::AskEmail => press(&labels.skip),
            Seen::AskAddress => text(ADDRESS),
            Seen::AskPassword => text(PASSWORD),
            Seen::Summary
                if message
                    .buttons
                    .iter()
                    .flatten()
                    .any(|b| *b == labels.register_confirm) =>
            {
                press(&labels.register_confirm)
            }
            Seen::Summary => None,
            Seen::RegisterDone | Seen::LoginDone => {
                self.report.registered = true;
                match self.report.journey {
                    Journey::Full if self.report.phase <= Phase::Registering => {
                        self.report.phase = Phase::Submitting;
                        text(&format!("/submit {PROCEDURE}"))
                    }
                    Journey::Full => None,
                    _ => {
                        self.report.phase = Phase::Done;
                        None
                    }
                }
            }
            Seen::RegisterLater => text("/login"),
            Seen::RegisterDuplicate => {
                self.report
                    .problems
                    .push("the registration was answered «already has an account»".into());
                text("/login")
            }
            Seen::LoginUser => text(&cccd),
            Seen::LoginPassword => text(PASSWORD),
            Seen::AskField => text(FIELD_ANSWER),
            Seen::AskPaper { id_card } => Some(paper(*id_card)),
            Seen::HintPaper => {
                all.iter()
                    .rev()
                    .find_map(|m| match self.world.words.classify(&m.text) {
                        Seen::AskPaper { id_card } => Some(paper(id_card)),
                        _ => None,
                    })
            }
            Seen::HintSubmit => {
                // "Answer the newest question": the newest one the citizen recognises.
                for m in all.iter().rev() {
                    let seen = self.world.words.classify(&m.text);
                    if matches!(
                        seen,
                        Seen::AskField | Seen::AskPaper { .. } | Seen::AskDelivery | Seen::Review
                    ) {
                        return Box::pin(self.answer(&seen, m, all)).await;
                    }
                }
                None
            }
            Seen::AskDelivery => press(&labels.delivery_online),
            Seen::Review if message.buttons.iter().flatten().any(|b| *b == labels.send) => {
                Some(Input::Press(labels.send.clone(), Some(message.message_id)))
            }
            Seen::Review => None,
            Seen::SubmitDone { code } => {
                if self.report.phase > Phase::Submitting {
                    return None;
                }
                self.report.code = Some(code.clone());
                self.report.phase = Phase::AwaitSupplement;
                self.world.officer_after_submit(code).await;
                None
            }
            Seen::NotifySupplement { code }
                if self.report.code.as_ref() == Some(code)
                    && matches!(
                        self.report.phase,
                        Phase::AwaitSupplement | Phase::Supplementing
                    )
                    && message
                        .buttons
                        .iter()
                        .flatten()
                        .any(|b| *b == labels.supplement) =>
            {
                if self.report.phase == Phase::Supplementing {
                    return None;
                }
                self.report.phase = Phase::Supplementing;
                Some(Input::Press(
                    labels.supplement.clone(),
                    Some(message.message_id),
                ))
            }
            Seen::SupplementAskPaper if self.report.phase == Phase::Supplementing => Some(
                Input::Document("bo-sung.pdf", pdf(&format!("bo sung {}", self.report.user))),
            ),
            Seen::SupplementReady | Seen::SupplementChecklist
                if self.report.phase == Phase::Supplementing
                    && all.iter().any(|m| {
                        m.buttons
                            .iter()
                            .flatten()
                            .any(|b| *b == labels.send_supplement)
                    }) =>
            {
                press(&labels.send_supplement)
            }
            Seen::SupplementSent | Seen::SupplementNotPending
                if self.report.phase == Phase::Supplementing =>
            {
                self.report.supplement_sent = true;
                self.report.phase = Phase::Done;
                if let Some(code) = self.report.code.clone() {
                    self.world.officer_after_supplement(&code).await;
                }
                None
            }
            Seen::Trouble => {
                // The bot said it could not finish: the citizen tries the same again.
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.report.resends += 1;
                self.last_input.clone()
            }
            Seen::StateReset => {
                self.report
                    .problems
                    .push("the bot reset the conversation (state-reset)".into());
                None
            }
            Seen::Unknown => {
                if self.report.unknown.len() < 3 && !message.text.is_empty() {
                    self.report.unknown.push(message.text.clone());
                }
                None
            }
            _ => None,
        }
    }

    fn request(&self) -> SendRequest {
        SendRequest {
            user_id: self.who.id,
            first_name: self.who.first_name.clone(),
            language_code: self.who.language_code.clone(),
            ..SendRequest::default()
        }
    }

    async fn send(&mut self, input: Input) {
        self.sends = 0;
        self.send_again(input).await;
    }

    async fn send_again(&mut self, input: Input) {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let request = match &input {
            Input::Text(text) => SendRequest {
                text: Some(text.clone()),
                ..self.request()
            },
            Input::Press(label, on) => SendRequest {
                press: Some(label.clone()),
                message_id: *on,
                ..self.request()
            },
            Input::Document(name, bytes) => SendRequest {
                document: Some(DocumentInput {
                    file_name: (*name).to_owned(),
                    mime_type: "application/pdf".into(),
                    data_base64: b64(bytes),
                }),
                ..self.request()
            },
            Input::Photo(bytes) => SendRequest {
                photo: Some(PhotoInput {
                    data_base64: b64(bytes),
                }),
                ..self.request()
            },
        };
        self.sends += 1;
        self.sent_at = Instant::now();
        if let Err(error) = self.world.client.send(request).await {
            // A press on a button that is gone: the citizen looks again.
            tracing::debug!(%error, user = self.who.id, "send refused");
        }
        self.last_input = Some(input);
    }
}

fn paper(id_card: bool) -> Input {
    if id_card {
        Input::Photo(jpeg())
    } else {
        Input::Document("van-ban.pdf", pdf("van ban"))
    }
}
