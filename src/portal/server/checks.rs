//! What a citizen's dossier request must satisfy before it is stored: a known procedure,
//! valid form values and delivery, a sane Idempotency-Key, and every required item at submit.

use std::collections::BTreeMap;

use axum::http::HeaderMap;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::store::DossierRow;
use crate::domain::clean_text;
use crate::portal::model::{Delivery, Document, FieldError, FieldKind, MissingItem, Procedure};

/// Longest text value of a form field, in characters.
const MAX_VALUE_CHARS: usize = 500;
/// Longest Idempotency-Key.
const MAX_KEY_CHARS: usize = 100;

pub fn procedure_of<'a>(app: &'a AppState, code: &str) -> ApiResult<&'a Procedure> {
    app.catalogue
        .get(code)
        .ok_or_else(|| ApiError::field("procedure_code", "unknown-procedure"))
}

/// Checks each value against its form field: known key, type, options, length.
pub fn check_values(procedure: &Procedure, values: &BTreeMap<String, String>) -> ApiResult<()> {
    let mut errors = Vec::new();
    for (key, value) in values {
        let value = value.trim();
        let Some(field) = procedure.form.iter().find(|f| &f.key == key) else {
            errors.push(FieldError {
                field: key.clone(),
                code: "unknown-field".into(),
            });
            continue;
        };
        let ok = value.is_empty()
            || match field.kind {
                FieldKind::Text => value.chars().count() <= MAX_VALUE_CHARS,
                FieldKind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
                FieldKind::Number => value.len() <= 15 && value.parse::<u64>().is_ok(),
                FieldKind::Choice => field.options.iter().any(|o| o == value),
            };
        if !ok {
            let code = match field.kind {
                FieldKind::Text => "text-too-long",
                FieldKind::Date => "date",
                FieldKind::Number => "number",
                FieldKind::Choice => "choice",
            };
            errors.push(FieldError {
                field: key.clone(),
                code: code.into(),
            });
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::Invalid {
        message: format!(
            "some values are not valid: {}",
            errors
                .iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        missing: Vec::new(),
        fields: errors,
    })
}

pub fn check_delivery(delivery: &Option<Delivery>) -> ApiResult<()> {
    match delivery {
        Some(Delivery::Post { address })
            if address.trim().chars().count() < 5 || address.chars().count() > 300 =>
        {
            Err(ApiError::field("delivery.address", "address"))
        }
        _ => Ok(()),
    }
}

/// Form values as they are stored: see [`clean_text`].
pub fn clean_values(values: BTreeMap<String, String>) -> BTreeMap<String, String> {
    values
        .into_iter()
        .map(|(key, value)| (key, clean_text(&value)))
        .collect()
}

/// The postal address as it is stored: see [`clean_text`].
pub fn clean_delivery(delivery: Option<Delivery>) -> Option<Delivery> {
    match delivery {
        Some(Delivery::Post { address }) => Some(Delivery::Post {
            address: clean_text(&address),
        }),
        other => other,
    }
}

pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= MAX_KEY_CHARS => Ok(Some(k.to_owned())),
            _ => Err(ApiError::bad_request(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"
            ))),
        },
    }
}

/// What a draft still lacks: required fields and papers.
pub fn missing_items(
    procedure: &Procedure,
    row: &DossierRow,
    papers: &[Document],
) -> Vec<MissingItem> {
    let fields = procedure
        .form
        .iter()
        .filter(|f| f.required && row.values.get(&f.key).is_none_or(|v| v.trim().is_empty()))
        .map(|f| MissingItem {
            kind: crate::domain::MissingKind::Field,
            code: f.key.clone(),
            name: f.label_vi.clone(),
        });
    let papers = procedure
        .papers
        .iter()
        .filter(|p| p.required && !papers.iter().any(|d| d.paper_code == p.code))
        .map(|p| MissingItem {
            kind: crate::domain::MissingKind::Paper,
            code: p.code.clone(),
            name: p.name_vi.clone(),
        });
    fields.chain(papers).collect()
}
