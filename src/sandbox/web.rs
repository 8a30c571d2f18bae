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
