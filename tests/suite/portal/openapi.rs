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
            "/api/v1/accounts/me",
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

/// The served document, as JSON.
async fn served_document(tp: &super::TestPortal) -> Value {
    tp.http
        .get(tp.api("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The OpenAPI validator's command: `openapi-spec-validator` on `PATH`, else the Python module.
fn validator() -> Option<std::process::Command> {
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("openapi-spec-validator").is_file())
    });
    if on_path {
        return Some(std::process::Command::new("openapi-spec-validator"));
    }
    let module = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    module.then(|| {
        let mut c = std::process::Command::new("python3");
        c.args(["-m", "openapi_spec_validator"]);
        c
    })
}

#[tokio::test]
async fn the_document_passes_an_openapi_3_1_validator() {
    let Some(mut validate) = validator() else {
        if std::env::var_os("CI").is_some() {
            panic!("openapi-spec-validator is required in CI (pip install openapi-spec-validator)");
        }
        eprintln!(
            "\n**************** SKIPPED: OpenAPI validation — no openapi-spec-validator ****************\n\
             install it with: pip install openapi-spec-validator\n"
        );
        return;
    };
    let tp = spawn_portal(engines()[0]).await;
    let doc = served_document(&tp).await;
    assert_eq!(doc["openapi"], "3.1.0");
    // No query parameter may pose as a path parameter (a path parameter must be in the path).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: path parameter {name} is not in the path"
                    );
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = validate
        .args(["--schema", "3.1"])
        .arg(&file)
        .output()
        .expect("the validator runs");
    assert!(
        out.status.success(),
        "the validator rejects the document:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One way to call an operation: which path values, credentials, body and query.
#[derive(Debug, Clone, Copy)]
enum PathValues {
    Existing,
    Missing,
    Malformed,
}

#[derive(Debug, Clone, Copy)]
enum Auth {
    None,
    Wrong,
    Right,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    EmptyJson,
    NotJson,
    Multipart,
}

#[tokio::test]
async fn every_status_a_route_answers_is_documented() {
    use super::{BIRTH, cccd, dossier_ref};
    use dvc_bot::portal::Portal;
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let session = tp.citizen(&cccd("7001")).await;
        let sent = tp.submitted(&session.token).await;
        let draft = tp.complete_draft(&session.token).await;
        let code = sent.code.clone().unwrap();
        let document = sent.documents[0].id;
        let sent_id = sent.id.to_string();
        let doc = served_document(&tp).await;
        let mut undocumented = Vec::new();
        let mut probes = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let documented: Vec<&String> =
                    op["responses"].as_object().unwrap().keys().collect();
                let scheme = op["security"][0]
                    .as_object()
                    .and_then(|s| s.keys().next().cloned());
                let right_token = match scheme.as_deref() {
                    Some("session") => Some(session.token.clone()),
                    Some("officer") => Some(tp.officer_token.clone()),
                    Some("service") => Some(tp.service_token.clone()),
                    _ => None,
                };
                let has_query = op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
                let sends_body = matches!(method.as_str(), "post" | "patch" | "put");
                for values in [
                    PathValues::Existing,
                    PathValues::Missing,
                    PathValues::Malformed,
                ] {
                    for auth in [Auth::None, Auth::Wrong, Auth::Right] {
                        let bodies: &[Body] = if sends_body {
                            &[Body::None, Body::EmptyJson, Body::NotJson, Body::Multipart]
                        } else {
                            &[Body::None]
                        };
                        for &body in bodies {
                            for bogus_query in [false, true] {
                                if bogus_query && !has_query {
                                    continue;
                                }
                                // A logout ends the session the other probes use: a fresh one.
                                let token = match (auth, path.as_str(), method.as_str()) {
                                    (Auth::Right, "/api/v1/sessions", "delete") => Some(
                                        tp.client
                                            .login(&dvc_bot::portal::model::LoginRequest {
                                                login: cccd("7001"),
                                                password: super::PASSWORD.into(),
                                            })
                                            .await
                                            .unwrap()
                                            .token,
                                    ),
                                    (Auth::Right, ..) => right_token.clone(),
                                    (Auth::Wrong, ..) => Some("not-a-token".to_owned()),
                                    (Auth::None, ..) => None,
                                };
                                let concrete = match values {
                                    PathValues::Existing => path
                                        .replace(
                                            "{code}",
                                            if path.contains("public") {
                                                &code
                                            } else {
                                                BIRTH
                                            },
                                        )
                                        .replace(
                                            "{dossier}",
                                            if path.contains("officer") {
                                                &code
                                            } else {
                                                &sent_id
                                            },
                                        )
                                        .replace("{document}", &document.to_string()),
                                    PathValues::Missing => path
                                        .replace(
                                            "{code}",
                                            if path.contains("public") {
                                                "000.05.02.H50-200101-0009"
                                            } else {
                                                "9.999999"
                                            },
                                        )
                                        .replace("{dossier}", "999999")
                                        .replace("{document}", "999999"),
                                    PathValues::Malformed => path
                                        .replace("{code}", "not%20a%20code")
                                        .replace("{dossier}", "not%20a%20code")
                                        .replace("{document}", "x"),
                                };
                                let mut url = format!("{}{concrete}", tp.url);
                                if bogus_query {
                                    url.push_str(
                                        "?status=bogus&after=x&limit=x&cccd_last4=12&q=&field=",
                                    );
                                }
                                let mut request = tp.http.request(
                                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                                    url,
                                );
                                if let Some(t) = &token {
                                    request = request.bearer_auth(t);
                                }
                                request = match body {
                                    Body::None => request,
                                    Body::EmptyJson => request.json(&serde_json::json!({})),
                                    Body::NotJson => request
                                        .header("content-type", "application/json")
                                        .body("{not json"),
                                    Body::Multipart => request.multipart(
                                        reqwest::multipart::Form::new().text("unknown_part", "x"),
                                    ),
                                };
                                let status = request.send().await.unwrap().status();
                                probes += 1;
                                assert!(
                                    status.as_u16() < 500,
                                    "{method} {concrete} ({auth:?}, {body:?}): {status}"
                                );
                                if !documented.iter().any(|d| **d == status.as_str()) {
                                    undocumented.push(format!(
                                        "{method} {path}: {status} ({values:?}, {auth:?}, {body:?}, bogus query {bogus_query})"
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
        // The draft is still there: nothing above may have broken the data it probed.
        assert!(
            tp.client
                .my_dossier(&session.token, &dossier_ref(&draft.id.to_string()))
                .await
                .is_ok()
        );
        assert!(probes > 200, "{probes}");
        undocumented.sort();
        undocumented.dedup();
        assert!(
            undocumented.is_empty(),
            "statuses answered but not documented:\n{}",
            undocumented.join("\n")
        );
    }
}
