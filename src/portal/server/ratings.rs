//! Ratings after the result (the satisfaction scale of the national portal): the owner rates a
//! dossier once, 1–5 stars and an optional comment; officers read them with the average per
//! procedure and per agency.

use std::collections::BTreeMap;

use super::AppState;
use super::accounts::{Citizen, Officer};
use super::error::{ApiError, ApiJson, ApiPath, ApiResult};
use super::store::ratings::NewRating;
use super::store::{self, to_time};
use crate::db::now_unix;
use crate::domain::clean_text;
use crate::portal::model::{
    ApiErrorBody, DossierStatus, RateRequest, Rating, RatingAverage, RatingsReport,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 1000;

/// Rates one's own dossier after its result was returned; once.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier}/rating", tag = "dossiers",
    params(("dossier" = String, Path, description = "dossier code (or id)")),
    request_body = RateRequest,
    responses((status = 201, body = Rating),
              (status = 409, body = ApiErrorBody,
               description = "not returned yet, or rated already (`duplicate`)"),
              (status = 422, body = ApiErrorBody),
              (status = 400, body = ApiErrorBody, description = "malformed request: body, query or path value"),
              (status = 401, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody),
              (status = 415, body = ApiErrorBody, description = "wrong content type")),
    security(("session" = [])))]
pub async fn rate(
    State(app): State<AppState>,
    citizen: Citizen,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<RateRequest>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    if !(1..=5).contains(&req.stars) {
        return Err(ApiError::field("stars", "stars"));
    }
    // Stored as every text the portal keeps: see `clean_text`.
    let comment = req
        .comment
        .as_deref()
        .map(clean_text)
        .filter(|c| !c.is_empty());
    let comment = comment.as_deref();
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(ApiError::field("comment", "text-too-long"));
    }
    let row = store::find(&app, &key, Some(citizen.account_id)).await?;
    let code = row
        .code
        .clone()
        .ok_or_else(|| ApiError::not_found("dossier"))?;
    if row.status != DossierStatus::ResultReturned {
        return Err(ApiError::conflict(format!(
            "a dossier is rated after its result is returned; it is {} ({})",
            row.status,
            row.status.label_vi()
        )));
    }
    let agency = app
        .catalogue
        .get(&row.procedure_code)
        .map(|p| p.summary.agency_code.clone())
        .unwrap_or_default();
    let now = now_unix();
    let inserted = store::ratings::insert(
        &app,
        NewRating {
            dossier_id: row.id,
            account_id: citizen.account_id,
            procedure_code: &row.procedure_code,
            agency_code: &agency,
            stars: req.stars,
            comment,
            at: now,
        },
    )
    .await?;
    if !inserted {
        return Err(ApiError::client(
            StatusCode::CONFLICT,
            "duplicate",
            "this dossier is rated already",
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(Rating {
            dossier: code,
            procedure_code: row.procedure_code,
            agency_code: agency,
            stars: req.stars,
            comment: comment.map(str::to_owned),
            at: to_time(now),
        }),
    ))
}

/// The average stars per key (procedure or agency code), named by `name`, best first.
pub fn averages(
    ratings: &[Rating],
    key: impl Fn(&Rating) -> &str,
    name: impl Fn(&str) -> String,
) -> Vec<RatingAverage> {
    let mut sums: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in ratings {
        let entry = sums.entry(key(r)).or_default();
        entry.0 += 1;
        entry.1 += i64::from(r.stars);
    }
    let mut out: Vec<RatingAverage> = sums
        .into_iter()
        .map(|(code, (count, total))| RatingAverage {
            code: code.to_owned(),
            name: name(code),
            count,
            average: (total as f64 / count as f64 * 100.0).round() / 100.0,
        })
        .collect();
    out.sort_by(|a, b| b.average.total_cmp(&a.average).then(a.code.cmp(&b.code)));
    out
}

/// The ratings and their averages per procedure and per agency.
pub async fn report(app: &AppState) -> ApiResult<RatingsReport> {
    let ratings = store::ratings::all(app).await?;
    let procedure_name = |code: &str| {
        app.catalogue
            .get(code)
            .map(|p| p.summary.name_vi.clone())
            .unwrap_or_default()
    };
    let agency_name = |code: &str| {
        app.catalogue
            .search(None, None)
            .into_iter()
            .find(|p| p.summary.agency_code == code)
            .map(|p| p.summary.agency_name.clone())
            .unwrap_or_default()
    };
    Ok(RatingsReport {
        by_procedure: averages(&ratings, |r| &r.procedure_code, procedure_name),
        by_agency: averages(&ratings, |r| &r.agency_code, agency_name),
        ratings,
    })
}

/// Ratings for the officer, with the average per procedure and per agency.
#[utoipa::path(get, path = "/api/v1/officer/ratings", tag = "officer",
    responses((status = 200, body = RatingsReport), (status = 401, body = ApiErrorBody)),
    security(("officer" = [])))]
pub async fn list_ratings(
    State(app): State<AppState>,
    _officer: Officer,
) -> ApiResult<Json<RatingsReport>> {
    Ok(Json(report(&app).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(procedure: &str, agency: &str, stars: u8) -> Rating {
        Rating {
            dossier: String::new(),
            procedure_code: procedure.into(),
            agency_code: agency.into(),
            stars,
            comment: None,
            at: to_time(0),
        }
    }

    #[test]
    fn averages_per_key_best_first() {
        let all = [
            rating("1.1", "A", 5),
            rating("1.1", "A", 4),
            rating("2.2", "A", 2),
            rating("2.2", "B", 1),
            rating("2.2", "B", 2),
        ];
        let by_procedure = averages(&all, |r| &r.procedure_code, |c| format!("P{c}"));
        let got: Vec<_> = by_procedure
            .iter()
            .map(|a| (a.code.as_str(), a.count, a.average, a.name.as_str()))
            .collect();
        assert_eq!(got, [("1.1", 2, 4.5, "P1.1"), ("2.2", 3, 1.67, "P2.2")]);
        let by_agency = averages(&all, |r| &r.agency_code, |c| c.to_owned());
        assert_eq!(by_agency[0].code, "A");
        assert_eq!(by_agency[0].average, 3.67);
        assert_eq!(by_agency[1].average, 1.5);
    }
}
