//! The `Portal` trait the bot talks through, and its implementation over HTTP (reqwest).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::model::{
    AccountSummary, ApiErrorBody, CreateDraft, Document, Dossier, DossierStatus, Event, FieldCount,
    FieldError, LoginRequest, MissingItem, OfficerAction, OfficerDossier, Procedure,
    ProcedureSummary, PublicDossier, RegisterRequest, Session, UpdateDraft,
};
use super::model::{
    AnswerRequest, AskRequest, Question, QuestionCreated, RateRequest, Rating, RatingsReport,
};

/// How long one request may take in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Attempts of an idempotent call (GET, or POST with an Idempotency-Key) before giving up.
const ATTEMPTS: u32 = 3;
/// First pause between attempts; doubled each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// What went wrong, in terms the bot can turn into a sentence.
#[derive(Debug, Error)]
pub enum PortalError {
    #[error("the portal cannot be reached: {0}")]
    Unreachable(String),
    #[error("not logged in, or the session has expired")]
    Unauthorized,
    #[error("account locked after too many failed logins until {until}")]
    LockedOut { until: DateTime<Utc> },
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
    /// Too many wrong attempts (the lookup's second factor): try again after `until`.
    #[error("too many wrong attempts; try again after {until}")]
    TooManyAttempts { until: DateTime<Utc> },
    #[error("already exists: {message}")]
    Duplicate { message: String },
    #[error("unexpected portal answer ({status}): {message}")]
    Other { status: u16, message: String },
}

pub type PortalResult<T> = Result<T, PortalError>;

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

/// Everything the bot asks of the portal. `token` is a session token from [`Portal::login`];
/// `dossier` is a dossier id or code.
#[async_trait::async_trait]
pub trait Portal: Send + Sync {
    async fn fields(&self) -> PortalResult<Vec<FieldCount>>;
    async fn procedures(
        &self,
        q: Option<&str>,
        field: Option<&str>,
    ) -> PortalResult<Vec<ProcedureSummary>>;
    async fn procedure(&self, code: &str) -> PortalResult<Procedure>;
    async fn register(&self, request: &RegisterRequest) -> PortalResult<AccountSummary>;
    async fn login(&self, request: &LoginRequest) -> PortalResult<Session>;
    async fn logout(&self, token: &str) -> PortalResult<()>;
    async fn create_draft(
        &self,
        token: &str,
        draft: &CreateDraft,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Dossier>;
    async fn update_draft(
        &self,
        token: &str,
        dossier: &str,
        update: &UpdateDraft,
    ) -> PortalResult<Dossier>;
    async fn upload(&self, token: &str, dossier: &str, file: Upload) -> PortalResult<Document>;
    async fn submit(
        &self,
        token: &str,
        dossier: &str,
        idempotency_key: &str,
    ) -> PortalResult<Dossier>;
    async fn my_dossiers(
        &self,
        token: &str,
        status: Option<DossierStatus>,
    ) -> PortalResult<Vec<Dossier>>;
    async fn my_dossier(&self, token: &str, dossier: &str) -> PortalResult<Dossier>;
    async fn withdraw(&self, token: &str, dossier: &str) -> PortalResult<Dossier>;
    async fn answer_supplement(
        &self,
        token: &str,
        dossier: &str,
        files: Vec<Upload>,
    ) -> PortalResult<Dossier>;
    async fn result(&self, token: &str, dossier: &str) -> PortalResult<DownloadedFile>;
    async fn public_lookup(
        &self,
        code: &str,
        cccd_last4: Option<&str>,
    ) -> PortalResult<PublicDossier>;
    async fn events(&self, service_token: &str, after: i64, limit: u32)
    -> PortalResult<Vec<Event>>;
    /// Rates one's own dossier after its result (once).
    async fn rate(&self, token: &str, dossier: &str, rating: &RateRequest) -> PortalResult<Rating>;
    /// Asks the officers a question, optionally about one of one's dossiers.
    async fn ask(&self, token: &str, question: &AskRequest) -> PortalResult<QuestionCreated>;
    /// `public_lookup` on behalf of end user `asker` (an opaque name): a client that holds the
    /// service token has wrong second factors counted per asker instead of per address.
    async fn public_lookup_as(
        &self,
        code: &str,
        cccd_last4: Option<&str>,
        asker: &str,
    ) -> PortalResult<PublicDossier> {
        let _ = asker;
        self.public_lookup(code, cccd_last4).await
    }
}

/// The portal over HTTP.
#[derive(Debug, Clone)]
pub struct HttpPortal {
    base: String,
    http: reqwest::Client,
    /// The event feed's token, which also lets lookups name the end user they are for.
    service_token: Option<crate::config::Secret>,
}

impl HttpPortal {
    /// A client of the portal at `base_url` (e.g. `http://127.0.0.1:8081`).
    pub fn new(base_url: &str) -> PortalResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| PortalError::Unreachable(e.to_string()))?;
        Ok(Self {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
            service_token: None,
        })
    }

    /// The same client holding the service token (see [`Portal::public_lookup_as`]).
    pub fn with_service_token(mut self, token: crate::config::Secret) -> Self {
        self.service_token = Some(token);
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base, path)
    }

    /// Sends the request built by `build`, retrying connect errors, timeouts and 5xx when
    /// `retry` (idempotent calls only); maps error answers to [`PortalError`].
    async fn send(
        &self,
        retry: bool,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> PortalResult<Response> {
        let attempts = if retry { ATTEMPTS } else { 1 };
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        for attempt in 1..=attempts {
            match build(&self.http).send().await {
                Ok(response) if response.status().is_server_error() && attempt < attempts => {
                    last = format!("HTTP {}", response.status());
                }
                Ok(response) if response.status().is_server_error() => {
                    return Err(PortalError::Unreachable(format!(
                        "HTTP {}",
                        response.status()
                    )));
                }
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => return Err(error_of(response).await),
                Err(error) if error.is_connect() || error.is_timeout() || error.is_request() => {
                    last = error.to_string();
                }
                Err(error) => return Err(PortalError::Unreachable(error.to_string())),
            }
            if attempt < attempts {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Err(PortalError::Unreachable(last))
    }

    /// Sends a request that cannot be rebuilt (a multipart body) once, without retries.
    async fn send_once(&self, request: RequestBuilder) -> PortalResult<Response> {
        match request.send().await {
            Ok(r) if r.status().is_success() => Ok(r),
            Ok(r) if r.status().is_server_error() => {
                Err(PortalError::Unreachable(format!("HTTP {}", r.status())))
            }
            Ok(r) => Err(error_of(r).await),
            Err(e) => Err(PortalError::Unreachable(e.to_string())),
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        retry: bool,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> PortalResult<T> {
        let response = self.send(retry, build).await?;
        response.json::<T>().await.map_err(|e| PortalError::Other {
            status: 200,
            message: format!("unreadable answer: {e}"),
        })
    }

    fn get(&self, path: &str) -> impl Fn(&reqwest::Client) -> RequestBuilder + use<> {
        let url = self.url(path);
        move |http: &reqwest::Client| http.get(&url)
    }
}

/// The officer's side, for tools and end-to-end tests (the bot never acts as an officer).
impl HttpPortal {
    /// Dossiers for the officer, optionally by status.
    pub async fn officer_dossiers(
        &self,
        officer_token: &str,
        status: Option<DossierStatus>,
    ) -> PortalResult<Vec<OfficerDossier>> {
        let url = self.url("/officer/dossiers");
        let query: Vec<(&str, &str)> = status.map(|s| ("status", s.as_str())).into_iter().collect();
        self.json(true, |h| {
            h.get(&url).bearer_auth(officer_token).query(&query)
        })
        .await
    }

    /// The ratings with their averages.
    pub async fn officer_ratings(&self, officer_token: &str) -> PortalResult<RatingsReport> {
        let url = self.url("/officer/ratings");
        self.json(true, |h| h.get(&url).bearer_auth(officer_token))
            .await
    }

    /// The officers' inbox: open questions, or answered ones.
    pub async fn officer_questions(
        &self,
        officer_token: &str,
        answered: bool,
    ) -> PortalResult<Vec<Question>> {
        let url = self.url("/officer/questions");
        let status = if answered { "answered" } else { "open" };
        self.json(true, |h| {
            h.get(&url)
                .bearer_auth(officer_token)
                .query(&[("status", status)])
        })
        .await
    }

    /// Answers a question.
    pub async fn officer_answer(
        &self,
        officer_token: &str,
        question: i64,
        answer: &str,
    ) -> PortalResult<Question> {
        let url = self.url(&format!("/officer/questions/{question}/answer"));
        let body = AnswerRequest {
            answer: answer.to_owned(),
        };
        self.json(false, |h| {
            h.post(&url).bearer_auth(officer_token).json(&body)
        })
        .await
    }

    /// Applies an officer action to a dossier (code or id).
    pub async fn officer_action(
        &self,
        officer_token: &str,
        dossier: &str,
        action: &OfficerAction,
    ) -> PortalResult<OfficerDossier> {
        let url = self.url(&format!("/officer/dossiers/{}/actions", seg(dossier)));
        self.json(false, |h| {
            h.post(&url).bearer_auth(officer_token).json(action)
        })
        .await
    }
}

fn form_of(files: &[Upload]) -> PortalResult<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new();
    for file in files {
        let part = reqwest::multipart::Part::bytes(file.bytes.clone())
            .file_name(file.file_name.clone())
            .mime_str(&file.mime)
            .map_err(|_| PortalError::Invalid {
                message: format!("not a MIME type: {}", file.mime),
                missing: Vec::new(),
                fields: Vec::new(),
            })?;
        form = form.part(file.paper_code.clone(), part);
    }
    Ok(form)
}

/// Maps an error answer to a [`PortalError`] by status and body.
async fn error_of(response: Response) -> PortalError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let body: Option<ApiErrorBody> = response.json().await.ok();
    let message = body
        .as_ref()
        .map(|b| b.message.clone())
        .unwrap_or_else(|| status.to_string());
    match (status, body) {
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => PortalError::Unauthorized,
        (_, Some(b)) if b.error == "locked_out" => match b.until {
            Some(until) => PortalError::LockedOut { until },
            None => PortalError::Other {
                status: status.as_u16(),
                message,
            },
        },
        (StatusCode::NOT_FOUND, _) => PortalError::NotFound,
        (StatusCode::TOO_MANY_REQUESTS, b) => PortalError::TooManyAttempts {
            until: b.and_then(|b| b.until).unwrap_or_else(|| {
                Utc::now() + chrono::Duration::seconds(retry_after.unwrap_or(60))
            }),
        },
        (StatusCode::CONFLICT, Some(b)) if b.error == "duplicate" => {
            PortalError::Duplicate { message }
        }
        (StatusCode::CONFLICT, _) => PortalError::Conflict { message },
        (StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY, b)
        | (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE, b) => {
            let (missing, fields) = b.map(|b| (b.missing, b.fields)).unwrap_or_default();
            PortalError::Invalid {
                message,
                missing,
                fields,
            }
        }
        _ => PortalError::Other {
            status: status.as_u16(),
            message,
        },
    }
}

/// The file name of a `Content-Disposition` value: `filename*=UTF-8''…` first, else `filename`.
fn disposition_file_name(value: &str) -> Option<String> {
    let extended = value
        .split(';')
        .find_map(|p| p.trim().strip_prefix("filename*=UTF-8''"))
        .and_then(|enc| {
            let bytes = enc.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = enc.get(i + 1..i + 3)?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).ok()
        });
    extended.or_else(|| {
        value
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned)
    })
}

fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[async_trait::async_trait]
impl Portal for HttpPortal {
    async fn fields(&self) -> PortalResult<Vec<FieldCount>> {
        self.json(true, self.get("/fields")).await
    }

    async fn procedures(
        &self,
        q: Option<&str>,
        field: Option<&str>,
    ) -> PortalResult<Vec<ProcedureSummary>> {
        let url = self.url("/procedures");
        let mut query = Vec::new();
        if let Some(q) = q {
            query.push(("q", q.to_owned()));
        }
        if let Some(f) = field {
            query.push(("field", f.to_owned()));
        }
        self.json(true, |h| h.get(&url).query(&query)).await
    }

    async fn rate(&self, token: &str, dossier: &str, rating: &RateRequest) -> PortalResult<Rating> {
        let url = self.url(&format!("/dossiers/{}/rating", seg(dossier)));
        self.json(false, |h| h.post(&url).bearer_auth(token).json(rating))
            .await
    }

    async fn ask(&self, token: &str, question: &AskRequest) -> PortalResult<QuestionCreated> {
        let url = self.url("/questions");
        self.json(false, |h| h.post(&url).bearer_auth(token).json(question))
            .await
    }

    async fn public_lookup_as(
        &self,
        code: &str,
        cccd_last4: Option<&str>,
        asker: &str,
    ) -> PortalResult<PublicDossier> {
        let Some(service) = &self.service_token else {
            return self.public_lookup(code, cccd_last4).await;
        };
        let url = self.url(&format!("/public/dossiers/{}", seg(code)));
        let query: Vec<(&str, &str)> = cccd_last4.map(|c| ("cccd_last4", c)).into_iter().collect();
        self.json(true, |h| {
            h.get(&url)
                .query(&query)
                .bearer_auth(service.expose())
                .header("x-dvc-client", asker)
        })
        .await
    }

    async fn procedure(&self, code: &str) -> PortalResult<Procedure> {
        self.json(true, self.get(&format!("/procedures/{}", seg(code))))
            .await
    }

    async fn register(&self, request: &RegisterRequest) -> PortalResult<AccountSummary> {
        let url = self.url("/accounts");
        self.json(false, |h| h.post(&url).json(request)).await
    }

    async fn login(&self, request: &LoginRequest) -> PortalResult<Session> {
        let url = self.url("/sessions");
        self.json(false, |h| h.post(&url).json(request)).await
    }

    async fn logout(&self, token: &str) -> PortalResult<()> {
        let url = self.url("/sessions");
        self.send(false, |h| h.delete(&url).bearer_auth(token))
            .await
            .map(|_| ())
    }

    async fn create_draft(
        &self,
        token: &str,
        draft: &CreateDraft,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Dossier> {
        let url = self.url("/dossiers");
        self.json(idempotency_key.is_some(), |h| {
            let b = h.post(&url).bearer_auth(token).json(draft);
            match idempotency_key {
                Some(k) => b.header("Idempotency-Key", k),
                None => b,
            }
        })
        .await
    }

    async fn update_draft(
        &self,
        token: &str,
        dossier: &str,
        update: &UpdateDraft,
    ) -> PortalResult<Dossier> {
        let url = self.url(&format!("/dossiers/{}", seg(dossier)));
        self.json(false, |h| {
            h.request(Method::PATCH, &url)
                .bearer_auth(token)
                .json(update)
        })
        .await
    }

    async fn upload(&self, token: &str, dossier: &str, file: Upload) -> PortalResult<Document> {
        let url = self.url(&format!("/dossiers/{}/documents", seg(dossier)));
        let form = form_of(std::slice::from_ref(&file))?;
        let response = self
            .send_once(self.http.post(&url).bearer_auth(token).multipart(form))
            .await?;
        let mut docs: Vec<Document> = response.json().await.map_err(|e| PortalError::Other {
            status: 200,
            message: e.to_string(),
        })?;
        docs.pop().ok_or(PortalError::Other {
            status: 200,
            message: "no document in the answer".into(),
        })
    }

    async fn submit(
        &self,
        token: &str,
        dossier: &str,
        idempotency_key: &str,
    ) -> PortalResult<Dossier> {
        let url = self.url(&format!("/dossiers/{}/submit", seg(dossier)));
        self.json(true, |h| {
            h.post(&url)
                .bearer_auth(token)
                .header("Idempotency-Key", idempotency_key)
        })
        .await
    }

    async fn my_dossiers(
        &self,
        token: &str,
        status: Option<DossierStatus>,
    ) -> PortalResult<Vec<Dossier>> {
        let url = self.url("/dossiers");
        let query: Vec<(&str, &str)> = status.map(|s| ("status", s.as_str())).into_iter().collect();
        self.json(true, |h| h.get(&url).bearer_auth(token).query(&query))
            .await
    }

    async fn my_dossier(&self, token: &str, dossier: &str) -> PortalResult<Dossier> {
        let url = self.url(&format!("/dossiers/{}", seg(dossier)));
        self.json(true, |h| h.get(&url).bearer_auth(token)).await
    }

    async fn withdraw(&self, token: &str, dossier: &str) -> PortalResult<Dossier> {
        let url = self.url(&format!("/dossiers/{}/withdraw", seg(dossier)));
        self.json(false, |h| h.post(&url).bearer_auth(token)).await
    }

    async fn answer_supplement(
        &self,
        token: &str,
        dossier: &str,
        files: Vec<Upload>,
    ) -> PortalResult<Dossier> {
        let url = self.url(&format!("/dossiers/{}/supplements", seg(dossier)));
        let form = form_of(&files)?;
        let response = self
            .send_once(self.http.post(&url).bearer_auth(token).multipart(form))
            .await?;
        response.json().await.map_err(|e| PortalError::Other {
            status: 200,
            message: e.to_string(),
        })
    }

    async fn result(&self, token: &str, dossier: &str) -> PortalResult<DownloadedFile> {
        let url = self.url(&format!("/dossiers/{}/result", seg(dossier)));
        let response = self.send(true, |h| h.get(&url).bearer_auth(token)).await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mime = header("content-type").unwrap_or_else(|| "application/octet-stream".into());
        let file_name = header("content-disposition")
            .and_then(|d| disposition_file_name(&d))
            .unwrap_or_else(|| "result".into());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| PortalError::Unreachable(e.to_string()))?
            .to_vec();
        Ok(DownloadedFile {
            file_name,
            mime,
            bytes,
        })
    }

    async fn public_lookup(
        &self,
        code: &str,
        cccd_last4: Option<&str>,
    ) -> PortalResult<PublicDossier> {
        let url = self.url(&format!("/public/dossiers/{}", seg(code)));
        let query: Vec<(&str, &str)> = cccd_last4.map(|c| ("cccd_last4", c)).into_iter().collect();
        self.json(true, |h| h.get(&url).query(&query)).await
    }

    async fn events(
        &self,
        service_token: &str,
        after: i64,
        limit: u32,
    ) -> PortalResult<Vec<Event>> {
        let url = self.url("/events");
        self.json(true, |h| {
            h.get(&url)
                .bearer_auth(service_token)
                .query(&[("after", after.to_string()), ("limit", limit.to_string())])
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::disposition_file_name;

    #[test]
    fn file_names_from_content_disposition() {
        let v =
            "attachment; filename=\"k_t qu_.pdf\"; filename*=UTF-8''k%E1%BA%BFt%20qu%E1%BA%A3.pdf";
        assert_eq!(disposition_file_name(v).as_deref(), Some("kết quả.pdf"));
        assert_eq!(
            disposition_file_name("attachment; filename=\"a.pdf\"").as_deref(),
            Some("a.pdf")
        );
        assert_eq!(
            disposition_file_name("attachment; filename*=UTF-8''%ZZ").as_deref(),
            None
        );
    }
}
