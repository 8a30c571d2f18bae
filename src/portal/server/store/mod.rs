//! The portal's database access, one file per table group; handlers call these and hold no SQL.

pub mod accounts;
pub mod documents;
pub mod dossiers;
pub mod events;

use chrono::{DateTime, Utc};

pub use dossiers::{DossierRow, find, ids, row, view, view_id};

/// A stored Unix time as a UTC time.
pub fn to_time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn json_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}
