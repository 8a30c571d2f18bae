//! What the portal reads from request headers, shared by its extractors.

use axum::http::header;
use axum::http::request::Parts;

/// The token of an `Authorization: Bearer …` header, if there is one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
