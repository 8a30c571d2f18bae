//! The officer's calls on `HttpPortal`, for tools and end-to-end tests (the bot never acts as
//! an officer).

use super::HttpPortal;
use crate::portal::client::{DossierRef, PortalResult};
use crate::portal::model::{
    AnswerRequest, DossierStatus, OfficerAction, OfficerDossier, Question, RatingsReport,
};

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
