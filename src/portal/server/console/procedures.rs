//! The console's procedures: the catalogue with, for each procedure, a poster for the
//! one-stop counter: a printable page with the procedure's name and a QR code
//! (`poster.png`) that opens its card in the bot (`https://t.me/<bot>?start=proc_<code>`).
//! The PNG is the QR code alone; the name is printed by the HTML page around it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::super::AppState;
use super::super::accounts::Officer;
use super::super::error::{ApiError, ApiPath};
use super::{Nav, bot_username, deep_link, explain, html, login_page, png_response, qr_png};
use crate::portal::model::ApiErrorBody;

#[derive(Template)]
#[template(path = "console/procedures.html")]
struct ProceduresPage {
    title: &'static str,
    nav: Nav,
    bot: String,
    procedures: Vec<ProcedureLine>,
}

struct ProcedureLine {
    code: String,
    name: String,
    field: String,
    agency: String,
}

#[derive(Template)]
#[template(path = "console/poster.html")]
struct PosterPage {
    title: String,
    nav: Nav,
    code: String,
    name: String,
    agency: String,
    bot: String,
    link: String,
}

/// The catalogue, each procedure with its poster.
#[utoipa::path(get, path = "/officer/procedures", operation_id = "console_procedures", tag = "officer console",
    responses((status = 200, description = "the procedures", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html")))]
pub async fn page(State(app): State<AppState>, officer: Result<Officer, ApiError>) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let procedures = app
        .catalogue
        .search(None, None)
        .into_iter()
        .map(|p| ProcedureLine {
            code: p.summary.code.clone(),
            name: p.summary.name_vi.clone(),
            field: p.summary.field.clone(),
            agency: p.summary.agency_name.clone(),
        })
        .collect();
    html(
        StatusCode::OK,
        ProceduresPage {
            title: "Thủ tục và áp phích QR",
            nav: Nav::new(&officer, "/officer/procedures"),
            bot: app.bot_username.clone().unwrap_or_default(),
            procedures,
        },
    )
}

/// A procedure's printable poster: its name, agency and the QR code of its deep link.
#[utoipa::path(get, path = "/officer/procedures/{code}/poster", operation_id = "console_poster", tag = "officer console",
    params(("code" = String, Path, description = "procedure code")),
    responses((status = 200, description = "the poster", content_type = "text/html"),
              (status = 401, description = "the login form", content_type = "text/html"),
              (status = 400, body = ApiErrorBody, description = "malformed path value"),
              (status = 404, description = "no such procedure", content_type = "text/html"),
              (status = 409, description = "the bot's username is not configured", content_type = "text/html")))]
pub async fn poster(
    State(app): State<AppState>,
    officer: Result<Officer, ApiError>,
    ApiPath(code): ApiPath<String>,
) -> Response {
    let Ok(officer) = officer else {
        return login_page();
    };
    let back = "/officer/procedures";
    let Some(p) = app.catalogue.get(&code) else {
        return explain(ApiError::not_found("procedure"), back);
    };
    let bot = match bot_username(&app) {
        Ok(b) => b.to_owned(),
        Err(e) => return explain(e, back),
    };
    html(
        StatusCode::OK,
        PosterPage {
            title: format!("Áp phích: {}", p.summary.name_vi),
            nav: Nav::new(&officer, back),
            link: deep_link(&bot, "proc_", &p.summary.code),
            code: p.summary.code.clone(),
            name: p.summary.name_vi.clone(),
            agency: p.summary.agency_name.clone(),
            bot,
        },
    )
}

/// A procedure's QR code for the counter's poster (PNG, the code alone), opening its card in
/// the bot.
#[utoipa::path(get, path = "/officer/procedures/{code}/poster.png", operation_id = "console_poster_png", tag = "officer console",
    params(("code" = String, Path, description = "procedure code")),
    responses((status = 200, description = "the QR code", content_type = "image/png"),
              (status = 401, body = ApiErrorBody, description = "not logged in"),
              (status = 400, body = ApiErrorBody, description = "malformed path value"),
              (status = 404, body = ApiErrorBody, description = "no such procedure"),
              (status = 409, body = ApiErrorBody, description = "the bot's username is not configured")))]
pub async fn poster_png(
    State(app): State<AppState>,
    _officer: Officer,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    let p = app
        .catalogue
        .get(&code)
        .ok_or_else(|| ApiError::not_found("procedure"))?;
    let link = deep_link(bot_username(&app)?, "proc_", &p.summary.code);
    Ok(png_response(qr_png(&link)?))
}
