//! The procedure catalogue: the embedded sample seed, diacritic-insensitive search, and its routes.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use crate::domain::fold;
use crate::portal::model::{FieldCount, Procedure, ProcedureSummary};

/// The seed: SAMPLE DATA, to be replaced by the province's own catalogue (see README.md).
const SEED: &str = include_str!("seed/procedures.json");

#[derive(Deserialize)]
struct SeedFile {
    procedures: Vec<Procedure>,
}

/// The procedures, in seed order, each with its folded search text.
#[derive(Debug, Clone)]
pub struct Catalogue {
    procedures: Vec<(Procedure, String)>,
}

#[derive(Debug, thiserror::Error)]
#[error("the procedure seed is not valid: {0}")]
pub struct SeedError(String);

impl Catalogue {
    /// The embedded sample catalogue.
    pub fn seed() -> Result<Self, SeedError> {
        Self::parse(SEED)
    }

    pub fn parse(json: &str) -> Result<Self, SeedError> {
        let file: SeedFile = serde_json::from_str(json).map_err(|e| SeedError(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for p in &file.procedures {
            if !seen.insert(p.summary.code.clone()) {
                return Err(SeedError(format!("duplicate code {}", p.summary.code)));
            }
            if crate::domain::DossierCode::parse(&format!("{}-260101-0001", p.summary.agency_code))
                .is_err()
            {
                return Err(SeedError(format!(
                    "bad agency code {}",
                    p.summary.agency_code
                )));
            }
        }
        let procedures = file
            .procedures
            .into_iter()
            .map(|p| {
                let text = fold(&format!(
                    "{} {} {} {} {}",
                    p.summary.code,
                    p.summary.name_vi,
                    p.summary.name_en,
                    p.summary.field,
                    p.summary.agency_name
                ));
                (p, text)
            })
            .collect();
        Ok(Self { procedures })
    }

    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.procedures
            .iter()
            .map(|(p, _)| p)
            .find(|p| p.summary.code == code)
    }

    /// Procedures whose text holds every word of `q` (folded), in `field` if given (folded).
    pub fn search(&self, q: Option<&str>, field: Option<&str>) -> Vec<&Procedure> {
        let words: Vec<String> = q
            .map(|q| fold(q).split(' ').map(str::to_owned).collect())
            .unwrap_or_default();
        let field = field.map(fold).filter(|f| !f.is_empty());
        self.procedures
            .iter()
            .filter(|(p, _)| field.as_ref().is_none_or(|f| fold(&p.summary.field) == *f))
            .filter(|(_, text)| words.iter().all(|w| text.contains(w.as_str())))
            .map(|(p, _)| p)
            .collect()
    }

    /// The fields (lĩnh vực) with their procedure counts, in first-seen order.
    pub fn fields(&self) -> Vec<FieldCount> {
        let mut order = Vec::new();
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for (p, _) in &self.procedures {
            let n = counts.entry(p.summary.field.clone()).or_insert(0);
            if *n == 0 {
                order.push(p.summary.field.clone());
            }
            *n += 1;
        }
        order
            .into_iter()
            .map(|field| FieldCount {
                count: counts.get(&field).copied().unwrap_or(0),
                field,
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.procedures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.procedures.is_empty()
    }
}

/// The fields (lĩnh vực) of the catalogue with how many procedures each holds.
#[utoipa::path(get, path = "/api/v1/fields", tag = "catalogue",
    responses((status = 200, body = Vec<FieldCount>)))]
pub async fn list_fields(State(app): State<AppState>) -> Json<Vec<FieldCount>> {
    Json(app.catalogue.fields())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find, diacritics and case ignored ("ho tich" finds "hộ tịch").
    pub q: Option<String>,
    /// A field (lĩnh vực), diacritics and case ignored.
    pub field: Option<String>,
}

/// Searches the procedures.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue", params(SearchParams),
    responses((status = 200, body = Vec<ProcedureSummary>),
              (status = 400, body = crate::portal::model::ApiErrorBody, description = "malformed request: body, query or path value")))]
pub async fn search_procedures(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Json<Vec<ProcedureSummary>> {
    Json(
        app.catalogue
            .search(params.q.as_deref(), params.field.as_deref())
            .into_iter()
            .map(|p| p.summary.clone())
            .collect(),
    )
}

/// One procedure with its form fields and papers.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "procedure code, e.g. 1.001193")),
    responses((status = 200, body = Procedure), (status = 404, body = crate::portal::model::ApiErrorBody),
              (status = 400, body = crate::portal::model::ApiErrorBody, description = "malformed request: body, query or path value")))]
pub async fn get_procedure(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Procedure>> {
    app.catalogue
        .get(&code)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("procedure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_valid_and_large_enough() {
        let c = Catalogue::seed().unwrap();
        assert!(c.len() >= 25, "{}", c.len());
        for (p, _) in &c.procedures {
            let code = &p.summary.code;
            assert!(!p.papers.is_empty() && !p.form.is_empty(), "{code}");
            assert!(p.papers.iter().any(|x| x.required), "{code}");
            for paper in &p.papers {
                assert!(!paper.accepted.is_empty() && paper.max_bytes > 0, "{code}");
                assert!(
                    paper.max_bytes <= 20 * 1024 * 1024,
                    "{code}: above the body cap"
                );
            }
            for field in &p.form {
                let choice = field.kind == crate::portal::model::FieldKind::Choice;
                assert_eq!(choice, !field.options.is_empty(), "{code} {}", field.key);
            }
            assert!(
                p.summary.fee >= 0 && p.summary.processing_days >= 1,
                "{code}"
            );
        }
        let levels: std::collections::HashSet<_> = c
            .procedures
            .iter()
            .map(|(p, _)| p.summary.online_level)
            .collect();
        assert_eq!(levels.len(), 2, "both online levels appear");
    }

    #[test]
    fn search_ignores_diacritics_and_case() {
        let c = Catalogue::seed().unwrap();
        let by_words = c.search(Some("dang ky khai sinh"), None);
        assert!(by_words.iter().any(|p| p.summary.code == "1.001193"));
        let by_field = c.search(None, Some("ho tich"));
        assert!(by_field.len() >= 5);
        assert!(by_field.iter().all(|p| p.summary.field == "Hộ tịch"));
        assert!(!c.search(Some("ĐĂNG KÝ"), None).is_empty());
        assert!(c.search(Some("zzz-nothing"), None).is_empty());
        let total: u32 = c.fields().iter().map(|f| f.count).sum();
        assert_eq!(total as usize, c.len());
    }
}
