//! The `Portal` trait the bot talks through, its errors and argument types; `HttpPortal`
//! implements it over HTTP.

mod http;
mod send;

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use thiserror::Error;

pub use http::{CATALOGUE_TTL, HttpPortal};
pub use send::{BACKGROUND_DEADLINE, INTERACTIVE_DEADLINE, UPLOAD_DEADLINE};

use super::model::{
    AccountDetails, AccountSummary, CreateDraft, Document, Dossier, DossierStatus, Event,
    FieldCount, FieldError, LoginRequest, MissingItem, Procedure, ProcedureSummary, PublicDossier,
    RegisterRequest, Session, UpdateDraft,
};
use super::model::{AskRequest, QuestionCreated, RateRequest, Rating};
use crate::domain::{DossierCode, Invalid};

/// What went wrong, in terms the bot can turn into a sentence.
#[derive(Debug, Error)]
pub enum PortalError {
    #[error("the portal cannot be reached: {0}")]
    Unreachable(String),
    #[error("not logged in, or the session has expired")]
    Unauthorized,
    /// 429 after too many failed logins, or wrong second factors of the lookup: not before
    /// `until`.
    #[error("too many failed attempts; try again after {until}")]
    TooManyAttempts { until: DateTime<Utc> },
    #[error("refused: {message}")]
    Invalid {
        message: String,
        missing: Vec<MissingItem>,
        fields: Vec<FieldError>,
    },
    #[error("not allowed now: {message}")]
    Conflict { message: String },
    #[error("not found")]
    NotFound,
    #[error("already exists: {message}")]
    Duplicate { message: String },
    #[error("unexpected portal answer ({status}): {message}")]
    Other { status: u16, message: String },
}

pub type PortalResult<T> = Result<T, PortalError>;

/// A dossier as the portal's routes accept it: by its portal id (a draft has no code yet) or
/// by its dossier code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DossierRef {
    Id(i64),
    Code(DossierCode),
}

impl DossierRef {
    /// Digits are an id; anything else must be a dossier code.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        match input.parse::<i64>() {
            Ok(id) => Ok(Self::Id(id)),
            Err(_) => DossierCode::parse(input).map(Self::Code),
        }
    }
}

impl From<i64> for DossierRef {
    fn from(id: i64) -> Self {
        Self::Id(id)
    }
}

impl From<DossierCode> for DossierRef {
    fn from(code: DossierCode) -> Self {
        Self::Code(code)
    }
}

impl From<&DossierCode> for DossierRef {
    fn from(code: &DossierCode) -> Self {
        Self::Code(code.clone())
    }
}

/// The path segment: the id's digits or the code.
impl fmt::Display for DossierRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Code(code) => f.write_str(code.as_str()),
        }
    }
}

/// A file to upload.
#[derive(Debug, Clone)]
pub struct Upload {
    pub paper_code: String,
    pub file_name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// A downloaded file (the result document).
#[derive(Debug, Clone)]
pub struct DownloadedFile {
    pub file_name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// Everything the bot asks of the portal. `token` is a session token from [`Portal::login`].
#[async_trait::async_trait]
pub trait Portal: Send + Sync {
    /// The catalogue's lists are shared, not copied: a kept list is handed out as it is.
    async fn fields(&self) -> PortalResult<Arc<[FieldCount]>>;
    async fn procedures(
        &self,
        q: Option<&str>,
        field: Option<&str>,
    ) -> PortalResult<Arc<[ProcedureSummary]>>;
    /// A procedure by its procedure code (`1.001193`, never a dossier code).
    async fn procedure(&self, code: &str) -> PortalResult<Procedure>;
    /// With an idempotency key, a retry answers the account already made with it.
    async fn register(
        &self,
        request: &RegisterRequest,
        idempotency_key: Option<&str>,
    ) -> PortalResult<AccountSummary>;
    async fn login(&self, request: &LoginRequest) -> PortalResult<Session>;
    /// `login` on behalf of end user `asker` (an opaque name): a client that holds the service
    /// token has failed logins counted per asker instead of per address.
    async fn login_as(&self, request: &LoginRequest, asker: &str) -> PortalResult<Session> {
        let _ = asker;
        self.login(request).await
    }
    async fn logout(&self, token: &str) -> PortalResult<()>;
    /// The session's own account details (to pre-fill the form fields that ask for them).
    async fn account(&self, token: &str) -> PortalResult<AccountDetails>;
    async fn create_draft(
        &self,
        token: &str,
        draft: &CreateDraft,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Dossier>;
    async fn update_draft(
        &self,
        token: &str,
        dossier: &DossierRef,
        update: &UpdateDraft,
    ) -> PortalResult<Dossier>;
    /// With an idempotency key, a repeated upload answers the document stored the first time.
    async fn upload(
        &self,
        token: &str,
        dossier: &DossierRef,
        file: Upload,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Document>;
    async fn submit(
        &self,
        token: &str,
        dossier: &DossierRef,
        idempotency_key: &str,
    ) -> PortalResult<Dossier>;
    async fn my_dossiers(
        &self,
        token: &str,
        status: Option<DossierStatus>,
    ) -> PortalResult<Vec<Dossier>>;
    async fn my_dossier(&self, token: &str, dossier: &DossierRef) -> PortalResult<Dossier>;
    async fn withdraw(&self, token: &str, dossier: &DossierRef) -> PortalResult<Dossier>;
    async fn answer_supplement(
        &self,
        token: &str,
        dossier: &DossierRef,
        files: Vec<Upload>,
    ) -> PortalResult<Dossier>;
    async fn result(&self, token: &str, dossier: &DossierRef) -> PortalResult<DownloadedFile>;
    async fn public_lookup(
        &self,
        code: &DossierCode,
        cccd_last4: Option<&str>,
    ) -> PortalResult<PublicDossier>;
    /// The event feed after `after`; with `wait_ms` > 0 a long poll that answers as soon as an
    /// event exists (or `[]` after `wait_ms`, at most 30000).
    async fn events(
        &self,
        service_token: &str,
        after: i64,
        limit: u32,
        wait_ms: u64,
    ) -> PortalResult<Vec<Event>>;
    /// Rates one's own dossier after its result (once).
    async fn rate(
        &self,
        token: &str,
        dossier: &DossierCode,
        rating: &RateRequest,
    ) -> PortalResult<Rating>;
    /// Asks the officers a question, optionally about one of one's dossiers.
    async fn ask(&self, token: &str, question: &AskRequest) -> PortalResult<QuestionCreated>;
    /// `public_lookup` on behalf of end user `asker` (an opaque name): a client that holds the
    /// service token has wrong second factors counted per asker instead of per address.
    async fn public_lookup_as(
        &self,
        code: &DossierCode,
        cccd_last4: Option<&str>,
        asker: &str,
    ) -> PortalResult<PublicDossier> {
        let _ = asker;
        self.public_lookup(code, cccd_last4).await
    }
}

/// Longest long poll of the event feed the portal allows.
pub const MAX_EVENTS_WAIT_MS: u64 = 30_000;
