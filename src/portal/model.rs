//! The portal's JSON contract: serde types shared by the reference portal and the bot's client.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far a procedure can be done online (Decree 42/2022/NĐ-CP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: submitted, processed and returned online.
    Full,
    /// Một phần: some step (payment, originals, the result) happens at the office.
    Partial,
}

/// A lĩnh vực (field) of the catalogue and how many procedures it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldCount {
    pub field: String,
    /// The field's name in English, where the catalogue has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_en: Option<String>,
    pub count: u32,
}

/// The type of a form field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// A whole number.
    Number,
    /// One of `options`.
    Choice,
}

/// One value the applicant fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormField {
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The options in English, in the same order (shown to an English chat; the value sent
    /// is still the Vietnamese option). Empty where the catalogue has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options_en: Vec<String>,
    /// What of the applicant's own account the field asks for, so a client can offer the
    /// account's value (`GET /api/v1/accounts/me`) instead of asking it typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
}

/// The applicant's own detail a form field asks for (see `FormField::prefill`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    /// The account's full name.
    ApplicantName,
    /// The account's CCCD (a citizen account's login).
    ApplicantCccd,
    /// The account's birth date, `YYYY-MM-DD`.
    ApplicantBirthDate,
    /// The account's address.
    ApplicantAddress,
}

impl Prefill {
    /// The value of this detail in `account`; `None` where the account has none of it (an
    /// organisation has no CCCD nor a person's birth date).
    pub fn value_in(self, account: &AccountDetails) -> Option<String> {
        let citizen = account.account_type == AccountType::Citizen;
        match self {
            Self::ApplicantName => Some(account.full_name.clone()),
            Self::ApplicantCccd => citizen.then(|| account.login.clone()),
            Self::ApplicantBirthDate => citizen.then(|| account.birth_date.to_string()),
            Self::ApplicantAddress => Some(account.address.clone()),
        }
    }
}

/// A file type the portal accepts, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    /// The type of a file by its first bytes (PDF, JPEG, PNG), whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// A paper (thành phần hồ sơ) the dossier must or may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Paper {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub required: bool,
    pub accepted: Vec<FileType>,
    pub max_bytes: u64,
}

/// A procedure as listed and searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub field: String,
    /// The field's name in English, where the catalogue has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_en: Option<String>,
    pub agency_code: String,
    pub agency_name: String,
    pub online_level: OnlineLevel,
    pub processing_days: u32,
    /// VND; 0 where free.
    pub fee: i64,
}

/// A procedure with its form and papers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Procedure {
    #[serde(flatten)]
    pub summary: ProcedureSummary,
    pub form: Vec<FormField>,
    pub papers: Vec<Paper>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Citizen,
    Organisation,
}

/// `POST /api/v1/accounts`. A citizen gives `citizen_id` (CCCD); an organisation `tax_code`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub account_type: AccountType,
    pub full_name: String,
    #[serde(default)]
    pub citizen_id: Option<String>,
    #[serde(default)]
    pub tax_code: Option<String>,
    /// `YYYY-MM-DD`; the representative's for an organisation.
    pub birth_date: String,
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    pub address: String,
    pub password: String,
}

/// What the owner sees of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountSummary {
    pub id: i64,
    pub account_type: AccountType,
    pub full_name: String,
    /// The CCCD or tax code the account logs in with.
    pub login: String,
    pub phone: String,
    pub email: Option<String>,
}

/// `GET /api/v1/accounts/me`: the logged-in account's own details, to pre-fill a form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountDetails {
    pub id: i64,
    pub account_type: AccountType,
    pub full_name: String,
    /// The CCCD or tax code the account logs in with.
    pub login: String,
    /// As registered (for an organisation: its representative's).
    pub birth_date: NaiveDate,
    pub address: String,
    pub phone: String,
    pub email: Option<String>,
}

impl fmt::Debug for AccountDetails {
    /// Personal details never reach a log line through `Debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountDetails")
            .field("id", &self.id)
            .field("account_type", &self.account_type)
            .finish_non_exhaustive()
    }
}

/// `POST /api/v1/sessions`: `login` is the CCCD (citizen) or tax code (organisation).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// A session: an opaque bearer token for `Authorization: Bearer`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: AccountSummary,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .field("account", &self.account.id)
            .finish()
    }
}

/// The statuses of DESIGN.md ("Dossier statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DossierStatus {
    Draft,
    New,
    Processing,
    SupplementRequired,
    FinancialObligation,
    FeePayment,
    Paused,
    Completed,
    ResultReturned,
    Rejected,
    Withdrawn,
}

impl DossierStatus {
    pub const ALL: [Self; 11] = [
        Self::Draft,
        Self::New,
        Self::Processing,
        Self::SupplementRequired,
        Self::FinancialObligation,
        Self::FeePayment,
        Self::Paused,
        Self::Completed,
        Self::ResultReturned,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::New => "new",
            Self::Processing => "processing",
            Self::SupplementRequired => "supplement_required",
            Self::FinancialObligation => "financial_obligation",
            Self::FeePayment => "fee_payment",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::ResultReturned => "result_returned",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The portal's own Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Draft => "Nháp",
            Self::New => "Hồ sơ mới",
            Self::Processing => "Đang xử lý",
            Self::SupplementRequired => "Bổ sung hồ sơ",
            Self::FinancialObligation => "Nghĩa vụ tài chính",
            Self::FeePayment => "Thanh toán phí",
            Self::Paused => "Đang tạm dừng",
            Self::Completed => "Hoàn thành thụ lý",
            Self::ResultReturned => "Đã hoàn thành trả kết quả",
            Self::Rejected => "Từ chối",
            Self::Withdrawn => "Đã rút",
        }
    }
}

impl fmt::Display for DossierStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the result is delivered, chosen at submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Delivery {
    /// Downloaded from the portal (and sent in the chat).
    Online,
    /// Sent by post (bưu chính công ích) to this address.
    Post { address: String },
}

/// `POST /api/v1/dossiers`: a draft of a procedure with its form values so far.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    pub procedure_code: String,
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    #[serde(default)]
    pub delivery: Option<Delivery>,
}

/// `PATCH /api/v1/dossiers/{dossier}`: values are merged (an empty string removes one).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDraft {
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    #[serde(default)]
    pub delivery: Option<Delivery>,
}

/// An uploaded paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: i64,
    pub paper_code: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

/// What the portal waits for while the dossier is in a side state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// VND.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// Paper codes a supplement request asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_papers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref: Option<String>,
    /// `question_answered`: the question's id and the officer's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// One entry of a dossier's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub event_id: i64,
    pub kind: String,
    pub status: DossierStatus,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub data: EventData,
    /// The officer who made this move: only in the officer's view of a dossier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
}

/// A dossier as its owner (and the officer) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dossier {
    pub id: i64,
    /// Set at submission: `<agency code>-YYMMDD-NNNN`.
    pub code: Option<String>,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_code: String,
    pub agency_name: String,
    pub status: DossierStatus,
    pub values: BTreeMap<String, String>,
    pub delivery: Option<Delivery>,
    pub documents: Vec<Document>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    /// What a side state waits for (reason, deadline, amount, missing papers).
    pub pending: Option<EventData>,
    pub result_available: bool,
    pub history: Vec<HistoryEntry>,
}

/// The public view of a dossier: never a name, ID, phone or address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicDossier {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_code: String,
    pub agency_name: String,
    pub status: DossierStatus,
    pub received_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    /// Only with the right last 4 digits of the applicant's CCCD (so its presence says the
    /// digits were right).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<PublicHistoryEntry>>,
    /// Only with the right last 4 digits, and while the dossier waits on something: the
    /// officer's reason, the deadline and the amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PublicPending>,
}

/// What a dossier in a side state waits for, as the public lookup shows it with the second
/// factor: never a paper, a name or an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicPending {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// VND.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicHistoryEntry {
    pub kind: String,
    pub status: DossierStatus,
    pub at: DateTime<Utc>,
}

/// One entry of the event feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Strictly increasing; the feed's cursor.
    pub id: i64,
    pub code: Option<String>,
    /// None for an event about no dossier (an answer to a general question).
    pub dossier_id: Option<i64>,
    /// The owner's account id (for `question_answered`, the asker's).
    pub owner: i64,
    pub kind: String,
    /// The dossier's status after the event; None when the event is about no dossier.
    pub status: Option<DossierStatus>,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub data: EventData,
}

/// The officer's actions (`POST /api/v1/officer/dossiers/{code}/actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficerActionKind {
    Accept,
    RequestSupplement,
    RequestFinancialObligation,
    RequestFee,
    ConfirmPayment,
    Pause,
    Resume,
    Complete,
    ReturnResult,
    Reject,
}

/// A file sent inside JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineFile {
    pub file_name: String,
    pub data_base64: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficerAction {
    pub action: OfficerActionKind,
    #[serde(default)]
    pub reason: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    /// VND.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Paper codes missing (request_supplement).
    #[serde(default)]
    pub missing_papers: Vec<String>,
    #[serde(default)]
    pub payment_ref: Option<String>,
    /// The result document (complete).
    #[serde(default)]
    pub result: Option<InlineFile>,
}

/// A dossier in the officer's list: with the applicant and the overdue flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerDossier {
    #[serde(flatten)]
    pub dossier: Dossier,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub overdue: bool,
}

/// A missing required item named by a 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MissingItem {
    /// `field` or `paper`.
    pub kind: crate::domain::MissingKind,
    pub code: String,
    pub name: String,
}

/// A value refused, with the domain code (`invalid-<code>` in the bot's messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

/// Every error body: `{"error": code, "message": ...}` and details where they apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// `POST /api/v1/dossiers/{code}/rating`: the owner's rating after the result, once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub stars: u8,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    pub dossier: String,
    pub procedure_code: String,
    pub agency_code: String,
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// The average rating of one procedure or one agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingAverage {
    /// The procedure's or the agency's code.
    pub code: String,
    pub name: String,
    pub count: i64,
    /// Stars, to two decimals.
    pub average: f64,
}

/// `GET /api/v1/officer/ratings`: every rating, newest first, and the averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingsReport {
    pub ratings: Vec<Rating>,
    pub by_procedure: Vec<RatingAverage>,
    pub by_agency: Vec<RatingAverage>,
}

/// `POST /api/v1/questions`: a question to the officers, optionally about one of the asker's
/// dossiers (code or id).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    pub text: String,
    #[serde(default)]
    pub dossier: Option<String>,
}

/// The id of a question asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionCreated {
    pub id: i64,
}

/// A question as the officer's inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Question {
    pub id: i64,
    /// The dossier code it is about, if any.
    pub dossier: Option<String>,
    pub asker_name: String,
    pub text: String,
    pub answer: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The officer who answered.
    #[serde(default)]
    pub answered_by: Option<String>,
}

/// `POST /api/v1/officer/questions/{id}/answer`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub answer: String,
}

#[cfg(test)]
mod prefill_tests {
    use super::*;

    fn account(account_type: AccountType) -> AccountDetails {
        AccountDetails {
            id: 7,
            account_type,
            full_name: "Lò Văn Mến".into(),
            login: "014090001234".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 5, 17).expect("date"),
            address: "Tổ 3, phường Chiềng Lề".into(),
            phone: "0912345678".into(),
            email: None,
        }
    }

    #[test]
    fn each_detail_comes_from_its_own_column() {
        let citizen = account(AccountType::Citizen);
        let value = |p: Prefill| p.value_in(&citizen);
        assert_eq!(value(Prefill::ApplicantName).as_deref(), Some("Lò Văn Mến"));
        assert_eq!(
            value(Prefill::ApplicantCccd).as_deref(),
            Some("014090001234")
        );
        assert_eq!(
            value(Prefill::ApplicantBirthDate).as_deref(),
            Some("1990-05-17")
        );
        assert_eq!(
            value(Prefill::ApplicantAddress).as_deref(),
            Some("Tổ 3, phường Chiềng Lề")
        );
        // An organisation's login is a tax code, not a CCCD; its birth date is not one.
        let organisation = account(AccountType::Organisation);
        assert_eq!(Prefill::ApplicantCccd.value_in(&organisation), None);
        assert_eq!(Prefill::ApplicantBirthDate.value_in(&organisation), None);
        assert!(Prefill::ApplicantName.value_in(&organisation).is_some());
        let debug = format!("{citizen:?}");
        assert!(
            !debug.contains("Mến") && !debug.contains("014090001234"),
            "{debug}"
        );
        // The catalogue's spelling.
        assert_eq!(
            serde_json::to_string(&Prefill::ApplicantBirthDate).expect("json"),
            "\"applicant_birth_date\""
        );
    }
}
