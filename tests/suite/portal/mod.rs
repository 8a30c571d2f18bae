//! The reference portal over real HTTP: started on port 0 with a fresh database per test, on
//! every engine under test. `spawn_portal` is reused by other parts' tests.

mod accounts;
mod binary;
mod client;
mod console;
mod feedback;
mod fuzz;
mod life;
mod openapi;
mod public;
mod robustness;
mod second_factor;
mod uploads;
mod validation;

use std::collections::BTreeMap;

use dvc_bot::config::Secret;
use dvc_bot::portal::HttpPortal;
use dvc_bot::portal::client::{Portal, Upload};
use dvc_bot::portal::model::{
    AccountType, CreateDraft, Delivery, Dossier, LoginRequest, RegisterRequest, Session,
};
use dvc_bot::portal::server::{PortalConfig, RunningPortal, spawn};
use serde_json::Value;

use crate::support::{Engine, TestDb};

/// The birth registration procedure of the seed, used as the running example.
pub const BIRTH: &str = "1.001193";
pub const PASSWORD: &str = "Matkhau2026";

/// A running portal with its own database and files folder.
pub struct TestPortal {
    pub url: String,
    pub officer_token: String,
    pub service_token: String,
    pub http: reqwest::Client,
    pub client: HttpPortal,
    pub db: TestDb,
    pub files: tempfile::TempDir,
    _running: RunningPortal,
}

/// Two named officers of the test portal (`DVC_OFFICERS`), with their tokens.
pub const OFFICER_AN: (&str, &str) = ("Nguyễn Văn An", "an-officer-token-0001");
pub const OFFICER_BINH: (&str, &str) = ("Lò Thị Bình", "binh-officer-token-0002");

/// The bot username the test portal's QR codes name.
pub const TEST_BOT: &str = "sandbox123456_bot";

pub fn test_officers() -> dvc_bot::portal::server::Officers {
    format!(
        "{}={},{}={}",
        OFFICER_AN.0, OFFICER_AN.1, OFFICER_BINH.0, OFFICER_BINH.1
    )
    .parse()
    .expect("officers")
}

pub async fn spawn_portal(engine: Engine) -> TestPortal {
    let db = TestDb::new(engine).await;
    let files = tempfile::tempdir().expect("temp dir");
    let config = PortalConfig {
        database_url: db.url.clone(),
        files_dir: files.path().join("files"),
        officer_token: Secret::new("officer-test-token"),
        officers: test_officers(),
        service_token: Secret::new("service-test-token"),
        bot_username: Some(TEST_BOT.to_owned()),
    };
    let running = spawn(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("portal starts");
    TestPortal {
        url: running.url.clone(),
        officer_token: running.officer_token.expose().to_owned(),
        service_token: running.service_token.expose().to_owned(),
        http: reqwest::Client::new(),
        client: HttpPortal::new(&running.url).expect("client"),
        db,
        files,
        _running: running,
    }
}

/// A minimal PDF (by content).
/// A dossier named by an id's digits or a dossier code, as the client takes it.
pub fn dossier_ref(key: &str) -> dvc_bot::portal::DossierRef {
    dvc_bot::portal::DossierRef::parse(key).expect("an id or a dossier code")
}

/// A dossier code the portal handed out.
pub fn dossier_code(code: &str) -> dvc_bot::domain::DossierCode {
    dvc_bot::domain::DossierCode::parse(code).expect("a dossier code")
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

pub fn png() -> Vec<u8> {
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()
}

/// A valid CCCD of Sơn La (province code 014) ending in `tail` (4 digits).
pub fn cccd(tail: &str) -> String {
    format!("01409000{tail}")
}

pub fn registration(cccd: &str) -> RegisterRequest {
    RegisterRequest {
        account_type: AccountType::Citizen,
        full_name: "Lò Văn Mến".into(),
        citizen_id: Some(cccd.into()),
        tax_code: None,
        birth_date: "1990-05-17".into(),
        phone: "0912345678".into(),
        email: Some("men@example.vn".into()),
        address: "Tổ 3, phường Chiềng Lề, thành phố Sơn La".into(),
        password: PASSWORD.into(),
    }
}

impl TestPortal {
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.url, path)
    }

    /// Registers a citizen with this CCCD and logs in.
    pub async fn citizen(&self, cccd: &str) -> Session {
        self.client
            .register(&registration(cccd), None)
            .await
            .expect("register");
        self.client
            .login(&LoginRequest {
                login: cccd.into(),
                password: PASSWORD.into(),
            })
            .await
            .expect("login")
    }

    /// A birth-registration draft with every required value and paper.
    pub async fn complete_draft(&self, token: &str) -> Dossier {
        complete_draft_with(&self.client, token).await
    }

    /// A submitted birth-registration dossier.
    pub async fn submitted(&self, token: &str) -> Dossier {
        let draft = self.complete_draft(token).await;
        self.client
            .submit(token, &draft.id.into(), &format!("submit-{}", draft.id))
            .await
            .expect("submit")
    }

    /// Posts an officer action; the status and the JSON answer.
    pub async fn officer(&self, code: &str, action: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.api(&format!("/officer/dossiers/{code}/actions")))
            .bearer_auth(&self.officer_token)
            .json(&action)
            .send()
            .await
            .expect("officer call");
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON answer"))
    }
}

/// Every required value of the birth registration (the form the sample catalogue gives it).
pub fn birth_values() -> BTreeMap<String, String> {
    [
        ("child_name", "Lò Thị Hoa"),
        ("child_birth_date", "2026-11-01"),
        ("child_sex", "Nữ"),
        ("birth_place", "Bệnh viện Đa khoa tỉnh Sơn La"),
        ("mother_name", "Quàng Thị Lan"),
        ("relationship", "Mẹ"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A birth-registration draft with every required value and paper, through `client`.
pub async fn complete_draft_with(client: &HttpPortal, token: &str) -> Dossier {
    let values = birth_values();
    let draft = client
        .create_draft(
            token,
            &CreateDraft {
                procedure_code: BIRTH.into(),
                values,
                delivery: Some(Delivery::Online),
            },
            None,
        )
        .await
        .expect("draft");
    client
        .upload(
            token,
            &draft.id.into(),
            upload("giay_chung_sinh", "chung-sinh.pdf", pdf()),
            None,
        )
        .await
        .expect("upload");
    draft
}

pub fn upload(paper: &str, name: &str, bytes: Vec<u8>) -> Upload {
    Upload {
        paper_code: paper.into(),
        file_name: name.into(),
        mime: "application/pdf".into(),
        bytes,
    }
}

/// Asserts an error answer: this status and a JSON body with `error` and `message`.
pub async fn assert_json_error(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("JSON error body");
    assert!(body["error"].is_string(), "{body}");
    assert!(body["message"].is_string(), "{body}");
    body
}
