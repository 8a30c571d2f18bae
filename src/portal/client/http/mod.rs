//! `HttpPortal`: the [`Portal`] contract over HTTP (reqwest), and the officer's calls that tools
//! and end-to-end tests use (in `officer`); the files a call carries are read in `files`.

mod cache;
mod files;
mod officer;

use std::sync::Arc;
use std::time::Duration;

pub use cache::CATALOGUE_TTL;
use cache::CatalogueCache;

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;

use super::send::{
    BACKGROUND_DEADLINE, CONNECT_TIMEOUT, INTERACTIVE_DEADLINE, UPLOAD_DEADLINE, send, send_once,
};
use super::{DossierRef, DownloadedFile, Portal, PortalError, PortalResult, Upload};
use crate::domain::DossierCode;
use crate::portal::model::{
    AccountDetails, AccountSummary, CreateDraft, Document, Dossier, DossierStatus, Event,
    FieldCount, LoginRequest, Procedure, ProcedureSummary, PublicDossier, RegisterRequest, Session,
    UpdateDraft,
};
use crate::portal::model::{AskRequest, QuestionCreated, RateRequest, Rating};
use files::{disposition_file_name, form_of};

/// The portal over HTTP.
#[derive(Debug, Clone)]
pub struct HttpPortal {
    /// The portal's base URL; every path is `/api/v1/...` below it.
    base: Url,
    http: reqwest::Client,
    /// The event feed's token, which also lets lookups name the end user they are for.
    service_token: Option<crate::config::Secret>,
    /// The catalogue as last fetched, shared by clones; None: the portal is asked every time.
    catalogue: Option<Arc<CatalogueCache>>,
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
            catalogue: None,
        })
    }

    /// The same client keeping the catalogue (fields, a field's procedures, a procedure) for
    /// `ttl` instead of asking the portal each time; searches and errors are never kept.
    pub fn with_catalogue_cache(mut self, ttl: Duration) -> Self {
        self.catalogue = Some(Arc::new(CatalogueCache::new(ttl)));
        self
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

#[async_trait::async_trait]
impl Portal for HttpPortal {
    async fn fields(&self) -> PortalResult<Arc<[FieldCount]>> {
        if let Some(fields) = self.catalogue.as_ref().and_then(|c| c.fields()) {
            return Ok(fields);
        }
        let fields: Vec<FieldCount> = self.json(true, self.get(&["fields"])).await?;
        let fields: Arc<[FieldCount]> = fields.into();
        if let Some(cache) = &self.catalogue {
            cache.put_fields(&fields);
        }
        Ok(fields)
    }

    async fn procedures(
        &self,
        q: Option<&str>,
        field: Option<&str>,
    ) -> PortalResult<Arc<[ProcedureSummary]>> {
        // A field's list is kept; searches (any `q`) always go to the portal.
        let kept_field = field.filter(|_| q.is_none());
        if let (Some(cache), Some(field)) = (&self.catalogue, kept_field)
            && let Some(list) = cache.field(field)
        {
            return Ok(list);
        }
        let url = self.url(&["procedures"]);
        let mut query = Vec::new();
        if let Some(q) = q {
            query.push(("q", q.to_owned()));
        }
        if let Some(f) = field {
            query.push(("field", f.to_owned()));
        }
        let list: Vec<ProcedureSummary> = self
            .json(true, |h| h.get(url.clone()).query(&query))
            .await?;
        let list: Arc<[ProcedureSummary]> = list.into();
        if let (Some(cache), Some(field)) = (&self.catalogue, kept_field) {
            cache.put_field(field, &list);
        }
        Ok(list)
    }

    async fn procedure(&self, code: &str) -> PortalResult<Procedure> {
        if let Some(procedure) = self.catalogue.as_ref().and_then(|c| c.procedure(code)) {
            return Ok(procedure);
        }
        let procedure: Procedure = self.json(true, self.get(&["procedures", code])).await?;
        if let Some(cache) = &self.catalogue {
            cache.put_procedure(code, &procedure);
        }
        Ok(procedure)
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

    async fn login_as(&self, request: &LoginRequest, asker: &str) -> PortalResult<Session> {
        let Some(service) = &self.service_token else {
            return self.login(request).await;
        };
        let url = self.url(&["sessions"]);
        self.json(false, |h| {
            h.post(url.clone())
                .bearer_auth(service.expose())
                .header("x-dvc-client", asker)
                .json(request)
        })
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

    async fn account(&self, token: &str) -> PortalResult<AccountDetails> {
        let url = self.url(&["accounts", "me"]);
        self.json(true, |h| h.get(url.clone()).bearer_auth(token))
            .await
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
