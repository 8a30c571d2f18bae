//! The web chat: one static page (HTML + JS, no build step, no external resources) that plays a
//! test citizen through the control API. Query `?user=&name=&lang=&bot=&send=` picks the
//! citizen and sends a first message on load; `&stop=reply` stops polling after the bot's first
//! answer (for headless browsers with a virtual time budget).

use axum::http::header;
use axum::response::IntoResponse;

/// The page.
const PAGE: &str = include_str!("web/chat.html");

/// `GET /`.
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

/// `GET /officer`: on to the officer console when the sandbox runs beside a portal, else a
/// JSON 404 like every unknown path.
pub async fn officer(
    axum::extract::State(inner): axum::extract::State<std::sync::Arc<super::Inner>>,
) -> axum::response::Response {
    match &inner.officer_url {
        Some(url) => axum::response::Redirect::to(url).into_response(),
        None => super::bot_api::not_found().await.into_response(),
    }
}
