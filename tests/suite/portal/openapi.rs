//! The OpenAPI document lists every route the router serves, and the router serves every
//! operation the document lists (probed over HTTP, method by method).

use reqwest::Method;
use serde_json::Value;

use super::spawn_portal;
use crate::support::engines;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// DESIGN.md's contract, which the document must include.
const CONTRACT: [(&str, &str); 15] = [
    ("get", "/api/v1/procedures"),
    ("get", "/api/v1/procedures/{code}"),
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions"),
    ("post", "/api/v1/dossiers"),
    ("post", "/api/v1/dossiers/{dossier}/documents"),
    ("post", "/api/v1/dossiers/{dossier}/submit"),
    ("get", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers/{dossier}"),
    ("post", "/api/v1/dossiers/{dossier}/supplements"),
    ("post", "/api/v1/dossiers/{dossier}/withdraw"),
    ("get", "/api/v1/dossiers/{dossier}/result"),
    ("get", "/api/v1/public/dossiers/{code}"),
    ("get", "/api/v1/events"),
];

/// Whether the router has no route at all for this request (the fallback's answer).
async fn unrouted(r: reqwest::Response) -> bool {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    status == 405 || (status == 404 && body["message"] == "route not found")
}

#[tokio::test]
async fn document_and_router_agree() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let doc: Value = tp
            .http
            .get(tp.api("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().expect("paths");
        for (method, path) in CONTRACT {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path} missing"
            );
        }
        for extra in [
            "/api/v1/fields",
            "/api/v1/officer/dossiers",
            "/api/v1/officer/dossiers/{dossier}/actions",
            "/api/v1/officer/dossiers/{dossier}/documents/{document}",
            "/officer",
            "/api/v1/openapi.json",
        ] {
            assert!(paths.contains_key(extra), "{extra}");
        }
        let mut probed = 0;
        for (path, item) in paths {
            let concrete = path
                .replace("{code}", "1.001193")
                .replace("{dossier}", "1")
                .replace("{document}", "1");
            for method in METHODS {
                let documented = item.get(method).is_some();
                let r = tp
                    .http
                    .request(
                        Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                        format!("{}{concrete}", tp.url),
                    )
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
                assert_eq!(
                    !unrouted(r).await,
                    documented,
                    "{method} {path}: documented={documented}"
                );
                probed += 1;
            }
        }
        assert!(probed >= 5 * 19);
        // Every operation has an operationId and at least one response.
        for item in paths.values() {
            for (_, op) in item.as_object().unwrap() {
                assert!(op["operationId"].is_string(), "{op}");
                assert!(
                    op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{op}"
                );
            }
        }
        // Schemas the operations refer to are in the document.
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "Dossier",
            "Procedure",
            "Session",
            "ApiErrorBody",
            "OfficerAction",
            "Event",
            "PublicDossier",
        ] {
            assert!(schemas.contains_key(name), "{name}");
        }
    }
}
