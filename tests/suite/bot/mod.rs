//! The bot: its steps with the real reference portal and no Telegram at all (`steps`), and the
//! whole system through the sandbox's Bot API (`journeys`, `submit`).

mod card;
mod commands;
mod dedupe;
mod edit;
mod feedback;
mod follow;
mod forged;
mod hostile;
mod journeys;
mod prefill;
mod qr_photos;
mod register_qr;
mod resume;
mod steps;
mod submit;
mod submit_en;
mod taps;
mod throttle;

use std::sync::Arc;

use dvc_bot::app;
use dvc_bot::bot::context::{Ctx, FileSource, Services};
use dvc_bot::bot::render::try_render;
use dvc_bot::bot::reply::{Effect, Keyboard, Outcome, ReplyButton};
use dvc_bot::bot::state::State;
use dvc_bot::config::{SANDBOX_TOKEN, Secret};
use dvc_bot::crypto::Cipher;
use dvc_bot::db::{Db, users};
use dvc_bot::i18n::{I18n, Locale};
use dvc_bot::portal::HttpPortal;
use dvc_bot::portal::server::{self as portal_server, PortalConfig, RunningPortal};
use dvc_bot::sandbox::client::{Citizen, SandboxClient, SendRequest, Transcript};
use dvc_bot::sandbox::{RunningSandbox, SandboxConfig};

use crate::portal::{TestPortal, spawn_portal};
use crate::support::wait::{self, Expect};
use crate::support::{Engine, TestDb};

/// Papers cannot come from Telegram in step tests: the journeys test them through the sandbox.
struct NoTelegram;

#[async_trait::async_trait]
impl FileSource for NoTelegram {
    async fn download(&self, _file_id: &str) -> Result<Vec<u8>, String> {
        Err("step tests have no Telegram".into())
    }
}

/// The bot's services over a fresh bot database and a real portal.
pub struct Steps {
    pub portal: TestPortal,
    pub services: Arc<Services>,
    _db: TestDb,
}

impl Steps {
    pub async fn new(engine: Engine) -> Self {
        Self::with_files(engine, Arc::new(NoTelegram)).await
    }

    /// The same with papers fetched from `files` instead of Telegram.
    pub async fn with_files(engine: Engine, files: Arc<dyn FileSource>) -> Self {
        let portal = spawn_portal(engine).await;
        let db_handle = TestDb::new(engine).await;
        let db = db_handle.connect().await;
        db.migrate_bot().await.expect("migrations");
        let services = Arc::new(Services {
            db,
            portal: Arc::new(HttpPortal::new(&portal.url).expect("portal client")),
            files,
            cipher: Cipher::from_hex(&Secret::generate()).expect("key"),
            i18n: I18n::load().expect("locales"),
            bank: None,
            office_hours: Default::default(),
        });
        Self {
            portal,
            services,
            _db: db_handle,
        }
    }

    pub async fn ctx(&self, user_id: i64, locale: Locale) -> Ctx<'_> {
        Ctx {
            services: &self.services,
            user_id,
            first_name: "Mến".into(),
            locale,
            user: users::get(&self.services.db, user_id)
                .await
                .expect("user row"),
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date"),
        }
    }
}

/// The whole system: sandbox Bot API, reference portal and the bot, on loopback. The portal
/// and the bot can each be stopped and started again on the same databases (and the portal on
/// the same address), as an outage or a restart would.
pub struct System {
    pub sandbox: RunningSandbox,
    pub client: SandboxClient,
    pub portal_url: String,
    /// A client of the portal for assertions, as the citizen's account would see it.
    pub portal_client: HttpPortal,
    portal_config: PortalConfig,
    portal_addr: std::net::SocketAddr,
    portal: Option<RunningPortal>,
    _portal_db: TestDb,
    pub bot_db: TestDb,
    pub data: tempfile::TempDir,
    pub bot: Option<app::RunningBot>,
    pub key: Secret,
    /// The account fees are paid to (VietQR), from the next `start_bot`.
    pub bank: Option<dvc_bot::vietqr::BankAccount>,
}

impl System {
    pub async fn start(engine: Engine) -> Self {
        let sandbox = dvc_bot::sandbox::spawn(
            SandboxConfig::default(),
            "127.0.0.1:0".parse().expect("addr"),
        )
        .await
        .expect("sandbox starts");
        let client = sandbox.client();
        let data = tempfile::tempdir().expect("temp dir");
        let portal_db = TestDb::new(engine).await;
        let portal_config = PortalConfig {
            database_url: portal_db.url.clone(),
            files_dir: data.path().join("portal-files"),
            officer_token: Secret::new("officer-test-token"),
            officers: crate::portal::test_officers(),
            service_token: Secret::new("service-test-token"),
            bot_username: dvc_bot::sandbox::bot_username(SANDBOX_TOKEN),
        };
        let portal =
            portal_server::spawn(portal_config.clone(), "127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("portal starts");
        let mut system = Self {
            sandbox,
            client,
            portal_url: portal.url.clone(),
            portal_client: HttpPortal::new(&portal.url).expect("portal client"),
            portal_config,
            portal_addr: portal.addr,
            portal: Some(portal),
            _portal_db: portal_db,
            bot_db: TestDb::new(engine).await,
            data,
            bot: None,
            key: Secret::generate(),
            bank: None,
        };
        system.start_bot().await;
        system
    }

    /// The portal goes down (an outage).
    pub async fn stop_portal(&mut self) {
        if let Some(portal) = self.portal.take() {
            portal.stop().await.expect("portal stops");
        }
    }

    /// The portal comes back on the same address and database.
    pub async fn start_portal(&mut self) {
        let portal = portal_server::spawn(self.portal_config.clone(), self.portal_addr)
            .await
            .expect("portal restarts");
        self.portal = Some(portal);
    }

    /// Starts (or restarts) the bot process's parts on the same database.
    pub async fn start_bot(&mut self) {
        self.start_bot_with(dvc_bot::bot::Updates::Polling).await;
    }

    /// Starts the bot receiving updates as `updates` says (polling or a webhook).
    pub async fn start_bot_with(&mut self, updates: dvc_bot::bot::Updates) {
        let token = Secret::new(SANDBOX_TOKEN);
        let telegram = dvc_bot::bot::client(&token, Some(&self.sandbox.base_url));
        let services = app::services(
            &self.bot_db.url,
            self.data.path(),
            Some(&self.key),
            Arc::new(
                HttpPortal::new(&self.portal_url)
                    .expect("portal client")
                    .with_service_token(self.portal_config.service_token.clone()),
            ),
            telegram,
        )
        .await
        .expect("services");
        let services = app::with_bank(services, self.bank.clone());
        self.bot = Some(app::spawn_bot_with(
            token,
            self.sandbox.base_url.clone(),
            updates,
            services,
        ));
    }

    /// Stops the bot as a restart would: updates in flight finish, nothing else survives.
    pub async fn stop_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await.expect("bot stops cleanly");
        }
    }

    pub async fn db(&self) -> Db {
        self.bot_db.connect().await
    }

    /// The bot's stored dialogue of this citizen's chat.
    pub async fn stored_state(&self, who: &Citizen) -> State {
        let db = self.db().await;
        let (json,): (String,) = sqlx::query_as("SELECT state FROM dialogues WHERE chat_id = $1")
            .bind(who.id)
            .fetch_one(&db.pool)
            .await
            .expect("a stored dialogue");
        db.close().await;
        // Opened with the bot's key, as the bot reads it (registration is sealed).
        let cipher = Cipher::from_hex(&self.key).expect("the key");
        dvc_bot::sealed::with_cipher(&cipher, || serde_json::from_str(&json))
            .expect("the state reads")
    }

    /// Replaces the stored dialogue of this citizen's chat (sealed with the bot's key, as the
    /// bot writes it).
    pub async fn store_state(&self, who: &Citizen, state: &State) {
        let cipher = Cipher::from_hex(&self.key).expect("the key");
        let json =
            dvc_bot::sealed::with_cipher(&cipher, || serde_json::to_string(state)).expect("state");
        let db = self.db().await;
        sqlx::query("UPDATE dialogues SET state = $1 WHERE chat_id = $2")
            .bind(json)
            .bind(who.id)
            .execute(&db.pool)
            .await
            .expect("state stored");
        db.close().await;
    }

    /// The bot's stored dialogue of this citizen's chat as it is in the database.
    pub async fn stored_json(&self, who: &Citizen) -> String {
        let db = self.db().await;
        let (json,): (String,) = sqlx::query_as("SELECT state FROM dialogues WHERE chat_id = $1")
            .bind(who.id)
            .fetch_one(&db.pool)
            .await
            .expect("a stored dialogue");
        db.close().await;
        json
    }

    /// The dossiers the portal lists for the account `login` (password `PASSWORD`).
    pub async fn portal_dossiers(&self, login: &str) -> Vec<dvc_bot::portal::model::Dossier> {
        use dvc_bot::portal::client::Portal;
        let request = dvc_bot::portal::model::LoginRequest {
            login: login.to_owned(),
            password: crate::portal::PASSWORD.to_owned(),
        };
        let session = self.portal_client.login(&request).await.expect("login");
        self.portal_client
            .my_dossiers(&session.token, None)
            .await
            .expect("my dossiers")
    }

    /// Waits until the chat's messages after `after` show `expect` (see `support::wait`);
    /// answers those messages.
    pub async fn wait_for(&self, who: &Citizen, after: i64, expect: Expect) -> Transcript {
        wait::wait_for(&self.client, who, after, &expect, wait::DEADLINE).await
    }

    /// Sends a text and waits until the bot's answer to it shows `expect`; answers the
    /// messages after the text.
    pub async fn say_until(&self, who: &Citizen, text: &str, expect: Expect) -> Transcript {
        let request = SendRequest {
            text: Some(text.to_owned()),
            ..SendRequest::default()
        };
        self.send_until(who, request, expect).await
    }

    /// Presses the newest button labelled `label` (inline or reply keyboard) and waits until
    /// the answer shows `expect`; answers the messages after the press.
    pub async fn press_until(&self, who: &Citizen, label: &str, expect: Expect) -> Transcript {
        let request = SendRequest {
            press: Some(label.to_owned()),
            ..SendRequest::default()
        };
        self.send_until(who, request, expect).await
    }

    /// Sends anything the citizen can send (a document, a photo, a contact, a raw callback;
    /// the user fields are filled from `who`) and waits until the answer shows `expect`.
    pub async fn send_until(
        &self,
        who: &Citizen,
        request: SendRequest,
        expect: Expect,
    ) -> Transcript {
        let before = self.last_id(who).await;
        let what = match (&request.text, &request.press, &request.document) {
            (Some(text), _, _) => format!("the text {text:?}"),
            (_, Some(label), _) => format!("a press of {label:?}"),
            (_, _, Some(document)) => format!("the document {:?}", document.file_name),
            _ => "a photo, contact or callback".to_owned(),
        };
        let sent = self
            .client
            .send(SendRequest {
                user_id: who.id,
                first_name: who.first_name.clone(),
                language_code: who.language_code.clone(),
                ..request
            })
            .await
            .unwrap_or_else(|e| panic!("sending {what}: {e}"));
        // After the citizen's own message when there is one, so nothing earlier can match.
        let after = sent.message_id.unwrap_or(before);
        self.wait_for(who, after, expect).await
    }

    /// Sends a text and waits for the bot's first message after it. Enough only where the bot
    /// answers with one message; otherwise use `say_until` with the last message expected.
    #[allow(dead_code)] // kept for tests written against the first helpers
    pub async fn say(&self, who: &Citizen, text: &str) -> Transcript {
        self.say_until(who, text, Expect::reply()).await
    }

    /// Presses a button and waits for the bot's first message after it (see `say`).
    #[allow(dead_code)] // kept for tests written against the first helpers
    pub async fn press(&self, who: &Citizen, label: &str) -> Transcript {
        self.press_until(who, label, Expect::reply()).await
    }

    /// The newest message id in the chat (0 before the first).
    pub async fn last_id(&self, who: &Citizen) -> i64 {
        self.client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("transcript")
            .last_id()
            .unwrap_or(0)
    }

    /// Presses a button whose answer edits the message in place; answers that message once
    /// its text has changed.
    pub async fn press_edit(
        &self,
        who: &Citizen,
        label: &str,
    ) -> dvc_bot::sandbox::client::TranscriptMessage {
        let before = self
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("transcript");
        let pressed = before
            .messages
            .iter()
            .rev()
            .find(|m| m.buttons.iter().flatten().any(|b| b == label))
            .unwrap_or_else(|| panic!("no button {label:?}"))
            .clone();
        self.client
            .press(who.clone(), label)
            .await
            .unwrap_or_else(|e| panic!("press {label:?}: {e}"));
        let old = pressed.text.clone();
        let now = self
            .wait_for(
                who,
                0,
                Expect::message(
                    pressed.message_id,
                    format!("edited after pressing {label:?}"),
                    move |m| m.text != old,
                ),
            )
            .await;
        assert_eq!(
            now.messages.len(),
            before.messages.len(),
            "edited in place, no new message"
        );
        now.message(pressed.message_id)
            .expect("the pressed message")
            .clone()
    }

    /// Waits for the bot's first message after `after` (see `say`).
    #[allow(dead_code)] // kept for tests written against the first helpers
    pub async fn wait_reply(&self, who: &Citizen, after: i64) -> Transcript {
        self.wait_for(who, after, Expect::reply()).await
    }
}

/// All bot texts of a transcript, joined (for `contains` checks).
pub fn bot_text(t: &Transcript) -> String {
    t.bot_messages()
        .map(|m| m.text.as_str())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Whether any bot message of the transcript has an inline or reply button with this label.
pub fn has_button(t: &Transcript, label: &str) -> bool {
    t.bot_messages().any(|m| {
        m.buttons
            .iter()
            .chain(m.keyboard.iter())
            .flatten()
            .any(|b| b == label)
    })
}

/// Every text of an outcome rendered in `locale` (messages, button labels, toasts), failing on
/// a missing message or argument.
pub fn rendered(steps: &Steps, outcome: &Outcome<State>, locale: Locale) -> String {
    let mut out = Vec::new();
    for effect in &outcome.effects {
        let texts = match effect {
            Effect::Send(r)
            | Effect::EditOrigin(r)
            | Effect::SendChecklist(r)
            | Effect::EditChecklist(r)
            | Effect::SendPhoto { caption: r, .. }
            | Effect::SendDocument { caption: r, .. } => {
                let mut t = vec![r.text.clone()];
                match &r.keyboard {
                    Keyboard::Inline(rows) => {
                        t.extend(rows.iter().flatten().map(|(l, _)| l.clone()))
                    }
                    Keyboard::Reply(rows) => t.extend(rows.iter().flatten().map(|b| match b {
                        ReplyButton::Text(l) | ReplyButton::RequestContact(l) => l.clone(),
                    })),
                    _ => {}
                }
                t
            }
            Effect::Toast(t) => vec![t.clone()],
            Effect::DeleteInput | Effect::ClearOriginButtons => vec![],
        };
        for t in texts {
            out.push(
                try_render(&steps.services.i18n, locale, &t)
                    .unwrap_or_else(|e| panic!("{}: {e}", locale.code())),
            );
        }
    }
    out.join("\n")
}

/// A JPEG header with a frame of 64×32 (what a photo's content is checked by).
pub fn jpeg() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x20,
        0x00, 0x40, 0x03, 0x00, 0x00,
    ];
    bytes.extend(std::iter::repeat_n(0x42, 2048));
    bytes
}

/// The dossier code after `label` ("Mã hồ sơ: ", "Dossier code: ") in a reply.
#[allow(dead_code)] // kept for tests written against the first helpers
pub fn dossier_code(text: &str, label: &str) -> dvc_bot::domain::DossierCode {
    let at = text.find(label).expect("a dossier code in the reply") + label.len();
    let code: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    dvc_bot::domain::DossierCode::parse(&code)
        .unwrap_or_else(|_| panic!("{code:?} is a dossier code"))
}

/// The dossier code in a reply: the first word that parses as one.
pub fn code_in(text: &str) -> dvc_bot::domain::DossierCode {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')'))
        .find_map(|word| dvc_bot::domain::DossierCode::parse(word).ok())
        .unwrap_or_else(|| panic!("a dossier code in the reply: {text}"))
}

/// A document the citizen sends (for `System::send_until`).
pub fn document(file_name: &str, mime_type: &str, bytes: &[u8]) -> SendRequest {
    use base64::Engine;
    SendRequest {
        document: Some(dvc_bot::sandbox::client::DocumentInput {
            file_name: file_name.to_owned(),
            mime_type: mime_type.to_owned(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
        ..SendRequest::default()
    }
}

/// A photo the citizen sends (for `System::send_until`).
pub fn photo(bytes: &[u8]) -> SendRequest {
    use base64::Engine;
    SendRequest {
        photo: Some(dvc_bot::sandbox::client::PhotoInput {
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
        ..SendRequest::default()
    }
}
