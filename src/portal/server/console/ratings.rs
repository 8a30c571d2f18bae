//! The console's ratings: the average per procedure and per agency, then every rating,
//! newest first.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::AppState;
use super::super::accounts::Officer;
use super::super::error::ApiError;
use super::super::ratings::report;
use super::{Nav, html, login_page};
use crate::i18n::format_datetime;
use crate::portal::model::RatingAverage;

#[derive(Template)]
#[template(path = "console/ratings.html")]
struct RatingsPage {
    title: &'static str,
    nav: Nav,
    by_procedure: Vec<Average>,
    by_agency: Vec<Average>,
    ratings: Vec<RatingView>,
}

struct Average {
    code: String,
    name: String,
    count: i64,
    /// Stars to one decimal, with a decimal comma (`4,5`).
    average: String,
}

struct RatingView {
    at: String,
    dossier: String,
    procedure: String,
    stars: String,
    comment: String,
}

/// `4.5` as Vietnamese write it: `4,5`.
fn decimal_vi(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn average(a: RatingAverage) -> Average {
    Average {
        average: decimal_vi(a.average),
        code: a.code,
        name: a.name,
        count: a.count,
    }
}

/// The ratings page.
#[utoipa::path(get, path = "/officer/ratings", operation_id = "console_ratings", tag = "officer console",
    responses((status = 200, description = "the ratings", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html")))]
pub async fn page(State(app): State<AppState>, officer: Result<Officer, ApiError>) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let report = match report(&app).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let procedure_name = |code: &str| {
        app.catalogue
            .get(code)
            .map(|p| p.summary.name_vi.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let ratings = report
        .ratings
        .iter()
        .map(|r| RatingView {
            at: format_datetime(r.at),
            dossier: r.dossier.clone(),
            procedure: procedure_name(&r.procedure_code),
            stars: format!(
                "{}{} ({}/5)",
                "★".repeat(usize::from(r.stars)),
                "☆".repeat(usize::from(5u8.saturating_sub(r.stars))),
                r.stars
            ),
            comment: r.comment.clone().unwrap_or_default(),
        })
        .collect();
    html(
        StatusCode::OK,
        RatingsPage {
            title: "Đánh giá của người dân",
            nav: Nav::new(&officer, "/officer/ratings"),
            by_procedure: report.by_procedure.into_iter().map(average).collect(),
            by_agency: report.by_agency.into_iter().map(average).collect(),
            ratings,
        },
    )
}
