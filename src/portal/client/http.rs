//! `HttpPortal`: the [`Portal`] contract over HTTP (reqwest), and the officer's calls that tools
//! and end-to-end tests use.

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;

use super::send::{
    BACKGROUND_DEADLINE, CONNECT_TIMEOUT, INTERACTIVE_DEADLINE, UPLOAD_DEADLINE, send, send_once,
};
use super::{DossierRef, DownloadedFile, Portal, PortalError, PortalResult, Upload};
use crate::domain::DossierCode;
use crate::portal::model::{
    AccountSummary, CreateDraft, Document, Dossier, DossierStatus, Event, FieldCount, LoginRequest,
    OfficerAction, OfficerDossier, Procedure, ProcedureSummary, PublicDossier, RegisterRequest,
    Session, UpdateDraft,
};
use crate::portal::model::{
    AnswerRequest, AskRequest, Question, QuestionCreated, RateRequest, Rating, RatingsReport,
};

/// The portal over HTTP.
#[derive(Debug, Clone)]
pub struct HttpPortal {
    /// The portal's base URL; every path is `/api/v1/...` below it.
    base: Url,
    http: reqwest::Client,
    /// The event feed's token, which also lets lookups name the end user they are for.
    service_token: Option<crate::config::Secret>,
}

impl HttpPortal {
    /// A client of the portal at `base_url` (e.g. `http://127.0.0.1:8081`).
    pub fn new(base_url: &str) -> PortalResult<Self> {
        let base = Url::parse(base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(|| {
                PortalError::Unreachable(format!("not an http(s) base URL: {base_url:?}"))
            })?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| PortalError::Unreachable(e.to_string()))?;
        Ok(Self {
            base,
            http,
            service_token: None,
        })
    }

    /// The same client holding the service token (see [`Portal::public_lookup_as`]).
    pub fn with_service_token(mut self, token: crate::config::Secret) -> Self {
        self.service_token = Some(token);
        self
    }

    /// `<base>/api/v1/<segments…>`, each segment percent-encoded as a path segment (a space
    /// becomes `%20`, a `/` inside a segment `%2F`).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked in new: a base URL")
            .pop_if_empty()
            .extend(["api", "v1"])
            .extend(segments);
        url
    }

    /// A call a citizen waits for, retried when `retry` (idempotent calls only).
    async fn json<T: DeserializeOwned>(
        &self,
        retry: bool,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> PortalResult<T> {
        let response = send(&self.http, retry, INTERACTIVE_DEADLINE, build).await?;
        read_json(response).await
    }

    fn get(&self, segments: &[&str]) -> impl Fn(&reqwest::Client) -> RequestBuilder + use<> {
        let url = self.url(segments);
        move |http: &reqwest::Client| http.get(url.clone())
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> PortalResult<T> {
    response.json::<T>().await.map_err(|e| PortalError::Other {
        status: 200,
        message: format!("unreadable answer: {e}"),
    })
}

/// The officer's side, for tools and end-to-end tests (the bot never acts as an officer).
impl HttpPortal {
    /// Dossiers for the officer, optionally by status.
    pub async fn officer_dossiers(
        &self,
        officer_token: &str,
        status: Option<DossierStatus>,
    ) -> PortalResult<Vec<OfficerDossier>> {
        let url = self.url(&["officer", "dossiers"]);
        let query: Vec<(&str, &str)> = status.map(|s| ("status", s.as_str())).into_iter().collect();
        self.json(true, |h| {
            h.get(url.clone()).bearer_auth(officer_token).query(&query)
        })
        .await
    }

    /// The ratings with their averages.
    pub async fn officer_ratings(&self, officer_token: &str) -> PortalResult<RatingsReport> {
        let url = self.url(&["officer", "ratings"]);
        self.json(true, |h| h.get(url.clone()).bearer_auth(officer_token))
            .await
    }

    /// The officers' inbox: open questions, or answered ones.
    pub async fn officer_questions(
        &self,
        officer_token: &str,
        answered: bool,
    ) -> PortalResult<Vec<Question>> {
        let url = self.url(&["officer", "questions"]);
        let status = if answered { "answered" } else { "open" };
        self.json(true, |h| {
            h.get(url.clone())
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
        let id = question.to_string();
        let url = self.url(&["officer", "questions", &id, "answer"]);
        let body = AnswerRequest {
            answer: answer.to_owned(),
        };
        self.json(false, |h| {
            h.post(url.clone()).bearer_auth(officer_token).json(&body)
        })
        .await
    }

    /// Applies an officer action to a dossier (code or id).
    pub async fn officer_action(
        &self,
        officer_token: &str,
        dossier: &DossierRef,
        action: &OfficerAction,
    ) -> PortalResult<OfficerDossier> {
        let dossier = dossier.to_string();
        let url = self.url(&["officer", "dossiers", &dossier, "actions"]);
        self.json(false, |h| {
            h.post(url.clone()).bearer_auth(officer_token).json(action)
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

#[async_trait::async_trait]
impl Portal for HttpPortal {
    async fn fields(&self) -> PortalResult<Vec<FieldCount>> {
        self.json(true, self.get(&["fields"])).await
    }

    async fn procedures(
        &self,
        q: Option<&str>,
        field: Option<&str>,
    ) -> PortalResult<Vec<ProcedureSummary>> {
        let url = self.url(&["procedures"]);
        let mut query = Vec::new();
        if let Some(q) = q {
            query.push(("q", q.to_owned()));
        }
        if let Some(f) = field {
            query.push(("field", f.to_owned()));
        }
        self.json(true, |h| h.get(url.clone()).query(&query)).await
    }

    async fn procedure(&self, code: &str) -> PortalResult<Procedure> {
        self.json(true, self.get(&["procedures", code])).await
    }

    async fn register(
        &self,
        request: &RegisterRequest,
        idempotency_key: Option<&str>,
    ) -> PortalResult<AccountSummary> {
        let url = self.url(&["accounts"]);
        self.json(idempotency_key.is_some(), |h| {
            let b = h.post(url.clone()).json(request);
            match idempotency_key {
                Some(k) => b.header("Idempotency-Key", k),
                None => b,
            }
        })
        .await
    }

    async fn login(&self, request: &LoginRequest) -> PortalResult<Session> {
        let url = self.url(&["sessions"]);
        self.json(false, |h| h.post(url.clone()).json(request))
            .await
    }

    async fn logout(&self, token: &str) -> PortalResult<()> {
        let url = self.url(&["sessions"]);
        send(&self.http, false, INTERACTIVE_DEADLINE, |h| {
            h.delete(url.clone()).bearer_auth(token)
        })
        .await
        .map(|_| ())
    }

    async fn create_draft(
        &self,
        token: &str,
        draft: &CreateDraft,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers"]);
        self.json(idempotency_key.is_some(), |h| {
            let b = h.post(url.clone()).bearer_auth(token).json(draft);
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
        dossier: &DossierRef,
        update: &UpdateDraft,
    ) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers", &dossier.to_string()]);
        self.json(false, |h| {
            h.request(Method::PATCH, url.clone())
                .bearer_auth(token)
                .json(update)
        })
        .await
    }

    async fn upload(
        &self,
        token: &str,
        dossier: &DossierRef,
        file: Upload,
        idempotency_key: Option<&str>,
    ) -> PortalResult<Document> {
        let url = self.url(&["dossiers", &dossier.to_string(), "documents"]);
        let form = form_of(std::slice::from_ref(&file))?;
        let mut request = self.http.post(url).bearer_auth(token).multipart(form);
        if let Some(k) = idempotency_key {
            request = request.header("Idempotency-Key", k);
        }
        let response = send_once(request, UPLOAD_DEADLINE).await?;
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
        dossier: &DossierRef,
        idempotency_key: &str,
    ) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers", &dossier.to_string(), "submit"]);
        self.json(true, |h| {
            h.post(url.clone())
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
        let url = self.url(&["dossiers"]);
        let query: Vec<(&str, &str)> = status.map(|s| ("status", s.as_str())).into_iter().collect();
        self.json(true, |h| {
            h.get(url.clone()).bearer_auth(token).query(&query)
        })
        .await
    }

    async fn my_dossier(&self, token: &str, dossier: &DossierRef) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers", &dossier.to_string()]);
        self.json(true, |h| h.get(url.clone()).bearer_auth(token))
            .await
    }

    async fn withdraw(&self, token: &str, dossier: &DossierRef) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers", &dossier.to_string(), "withdraw"]);
        self.json(false, |h| h.post(url.clone()).bearer_auth(token))
            .await
    }

    async fn answer_supplement(
        &self,
        token: &str,
        dossier: &DossierRef,
        files: Vec<Upload>,
    ) -> PortalResult<Dossier> {
        let url = self.url(&["dossiers", &dossier.to_string(), "supplements"]);
        let form = form_of(&files)?;
        let request = self.http.post(url).bearer_auth(token).multipart(form);
        read_json(send_once(request, UPLOAD_DEADLINE).await?).await
    }

    async fn result(&self, token: &str, dossier: &DossierRef) -> PortalResult<DownloadedFile> {
        let url = self.url(&["dossiers", &dossier.to_string(), "result"]);
        // A result document may be large: the upload deadline, not the interactive one.
        let response = send(&self.http, true, UPLOAD_DEADLINE, |h| {
            h.get(url.clone()).bearer_auth(token)
        })
        .await?;
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
        code: &DossierCode,
        cccd_last4: Option<&str>,
    ) -> PortalResult<PublicDossier> {
        let url = self.url(&["public", "dossiers", code.as_str()]);
        let query: Vec<(&str, &str)> = cccd_last4.map(|c| ("cccd_last4", c)).into_iter().collect();
        self.json(true, |h| h.get(url.clone()).query(&query)).await
    }

    async fn rate(
        &self,
        token: &str,
        dossier: &DossierCode,
        rating: &RateRequest,
    ) -> PortalResult<Rating> {
        let url = self.url(&["dossiers", dossier.as_str(), "rating"]);
        self.json(false, |h| {
            h.post(url.clone()).bearer_auth(token).json(rating)
        })
        .await
    }

    async fn ask(&self, token: &str, question: &AskRequest) -> PortalResult<QuestionCreated> {
        let url = self.url(&["questions"]);
        self.json(false, |h| {
            h.post(url.clone()).bearer_auth(token).json(question)
        })
        .await
    }

    async fn public_lookup_as(
        &self,
        code: &DossierCode,
        cccd_last4: Option<&str>,
        asker: &str,
    ) -> PortalResult<PublicDossier> {
        let Some(service) = &self.service_token else {
            return self.public_lookup(code, cccd_last4).await;
        };
        let url = self.url(&["public", "dossiers", code.as_str()]);
        let query: Vec<(&str, &str)> = cccd_last4.map(|c| ("cccd_last4", c)).into_iter().collect();
        self.json(true, |h| {
            h.get(url.clone())
                .query(&query)
                .bearer_auth(service.expose())
                .header("x-dvc-client", asker)
        })
        .await
    }

    async fn events(
        &self,
        service_token: &str,
        after: i64,
        limit: u32,
        wait_ms: u64,
    ) -> PortalResult<Vec<Event>> {
        let url = self.url(&["events"]);
        let wait_ms = wait_ms.min(super::MAX_EVENTS_WAIT_MS);
        // The long poll's wait comes on top of the feed's usual deadline.
        let deadline = BACKGROUND_DEADLINE + std::time::Duration::from_millis(wait_ms);
        let response = send(&self.http, true, deadline, |h| {
            h.get(url.clone()).bearer_auth(service_token).query(&[
                ("after", after.to_string()),
                ("limit", limit.to_string()),
                ("wait_ms", wait_ms.to_string()),
            ])
        })
        .await?;
        read_json(response).await
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
