//! The `Portal` client against the real server: catalogue, drafts, typed errors, retries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::StatusCode;
use dvc_bot::portal::client::INTERACTIVE_DEADLINE;
use dvc_bot::portal::model::{CreateDraft, Delivery, DossierStatus, FieldKind, UpdateDraft};
use dvc_bot::portal::{HttpPortal, Portal, PortalError};

use super::{BIRTH, cccd, dossier_ref, registration, spawn_portal};
use crate::support::engines;

#[tokio::test]
async fn catalogue_through_the_client() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let c = &tp.client;
        let fields = c.fields().await.unwrap();
        let all = c.procedures(None, None).await.unwrap();
        assert!(all.len() >= 25, "{}", all.len());
        assert_eq!(
            fields.iter().map(|f| f.count as usize).sum::<usize>(),
            all.len()
        );
        assert!(fields.iter().any(|f| f.field == "Hộ tịch"));
        let ho_tich = c.procedures(None, Some("ho tich")).await.unwrap();
        assert!(ho_tich.len() >= 5 && ho_tich.iter().all(|p| p.field == "Hộ tịch"));
        let found = c.procedures(Some("ho tich"), None).await.unwrap();
        assert!(!found.is_empty());
        let birth = c.procedures(Some("DANG KY khai sinh"), None).await.unwrap();
        assert!(
            birth
                .iter()
                .any(|p| p.code == BIRTH && p.name_vi == "Đăng ký khai sinh")
        );
        assert!(
            c.procedures(Some("xây dựng nhà ở"), None)
                .await
                .unwrap()
                .iter()
                .any(|p| p.fee == 75_000)
        );
        let p = c.procedure(BIRTH).await.unwrap();
        assert!(
            p.papers
                .iter()
                .any(|x| x.required && x.code == "giay_chung_sinh")
        );
        assert!(
            p.form
                .iter()
                .any(|f| f.kind == FieldKind::Choice && !f.options.is_empty())
        );
        assert!(p.form.iter().any(|f| f.kind == FieldKind::Date));
        assert!(matches!(
            c.procedure("9.999999").await.unwrap_err(),
            PortalError::NotFound
        ));
    }
}

#[tokio::test]
async fn drafts_through_the_client() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("4001")).await;
        let c = &tp.client;
        let new = CreateDraft {
            procedure_code: BIRTH.into(),
            values: [("child_name".to_string(), "Lò Thị Hoa".to_string())].into(),
            delivery: None,
        };
        let a = c
            .create_draft(&s.token, &new, Some("create-1"))
            .await
            .unwrap();
        let b = c
            .create_draft(&s.token, &new, Some("create-1"))
            .await
            .unwrap();
        assert_eq!(a.id, b.id, "a retried create returns the same draft");
        let other = c
            .create_draft(&s.token, &new, Some("create-2"))
            .await
            .unwrap();
        assert_ne!(a.id, other.id);
        let updated = c
            .update_draft(
                &s.token,
                &a.id.into(),
                &UpdateDraft {
                    values: [
                        ("child_sex".to_string(), "Nữ".to_string()),
                        ("child_name".to_string(), String::new()),
                    ]
                    .into(),
                    delivery: Some(Delivery::Post {
                        address: "Số 1 Tô Hiệu, TP Sơn La".into(),
                    }),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            updated.values.get("child_sex").map(String::as_str),
            Some("Nữ")
        );
        assert!(!updated.values.contains_key("child_name"));
        assert!(matches!(updated.delivery, Some(Delivery::Post { .. })));
        let bad = UpdateDraft {
            values: [("child_sex".to_string(), "Khác".to_string())].into(),
            delivery: None,
        };
        match c
            .update_draft(&s.token, &a.id.into(), &bad)
            .await
            .unwrap_err()
        {
            PortalError::Invalid { fields, .. } => assert_eq!(
                (fields[0].field.as_str(), fields[0].code.as_str()),
                ("child_sex", "choice")
            ),
            other => panic!("{other:?}"),
        }
        let drafts = c
            .my_dossiers(&s.token, Some(DossierStatus::Draft))
            .await
            .unwrap();
        assert_eq!(drafts.len(), 2);
        // A sent dossier is no longer editable.
        let sent = tp.submitted(&s.token).await;
        let err = c
            .update_draft(&s.token, &sent.id.into(), &UpdateDraft::default())
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");
        assert_eq!(
            c.my_dossiers(&s.token, Some(DossierStatus::New))
                .await
                .unwrap()
                .len(),
            1
        );
        let full = c
            .my_dossier(&s.token, &dossier_ref(sent.code.as_deref().unwrap()))
            .await
            .unwrap();
        assert_eq!(full.documents.len(), 1);
        assert_eq!(full.history[0].kind, "submitted");
        assert!(!full.result_available);
        assert!(matches!(
            c.result(&s.token, &full.id.into()).await.unwrap_err(),
            PortalError::NotFound
        ));
        let dup = c
            .register(&registration(&cccd("4001")), None)
            .await
            .unwrap_err();
        assert!(matches!(dup, PortalError::Duplicate { .. }));
    }
}

#[tokio::test]
async fn unreachable_portal_is_a_typed_error() {
    // Bind then drop a listener: a loopback port with nobody behind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = HttpPortal::new(&format!("http://127.0.0.1:{port}")).unwrap();
    assert!(matches!(
        c.fields().await.unwrap_err(),
        PortalError::Unreachable(_)
    ));
}

/// A stand-in that fails with 503 a given number of times, counting calls.
async fn flaky(failures: u32) -> (String, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let handler = move || {
        let counter = counter.clone();
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n < failures {
                (StatusCode::SERVICE_UNAVAILABLE, "busy".to_string())
            } else {
                (StatusCode::OK, "[]".to_string())
            }
        }
    };
    let app = axum::Router::new()
        .route("/api/v1/fields", axum::routing::get(handler.clone()))
        .route("/api/v1/accounts", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

#[tokio::test]
async fn idempotent_calls_are_retried_others_are_not() {
    let (url, calls) = flaky(2).await;
    let c = HttpPortal::new(&url).unwrap();
    assert!(
        c.fields().await.unwrap().is_empty(),
        "third attempt succeeds"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let (url, calls) = flaky(5).await;
    let c = HttpPortal::new(&url).unwrap();
    assert!(matches!(
        c.fields().await.unwrap_err(),
        PortalError::Unreachable(_)
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 3, "gives up after 3 attempts");

    let (url, calls) = flaky(1).await;
    let c = HttpPortal::new(&url).unwrap();
    let err = c
        .register(&registration(&cccd("4002")), None)
        .await
        .unwrap_err();
    assert!(matches!(err, PortalError::Unreachable(_)), "{err:?}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a register is never repeated"
    );
}

#[tokio::test]
async fn officer_side_through_the_client() {
    use dvc_bot::portal::model::{OfficerAction, OfficerActionKind};
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("4003")).await;
        let d = tp.submitted(&s.token).await;
        let other = tp.submitted(&s.token).await;
        let code = d.code.clone().unwrap();
        let c = &tp.client;
        let list = c
            .officer_dossiers(&tp.officer_token, Some(DossierStatus::New))
            .await
            .unwrap();
        assert_eq!(list.len(), 2);
        assert!(
            list.iter()
                .all(|o| o.applicant_name == "Lò Văn Mến" && !o.overdue)
        );
        let accept = OfficerAction {
            action: OfficerActionKind::Accept,
            reason: None,
            deadline: None,
            amount: None,
            missing_papers: Vec::new(),
            payment_ref: None,
            result: None,
        };
        let err = c
            .officer_action("not-the-token", &dossier_ref(&code), &accept)
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Unauthorized), "{err:?}");
        let moved = c
            .officer_action(&tp.officer_token, &dossier_ref(&code), &accept)
            .await
            .unwrap();
        assert_eq!(moved.dossier.status, DossierStatus::Processing);
        let err = c
            .officer_action(&tp.officer_token, &dossier_ref(&code), &accept)
            .await
            .unwrap_err();
        assert!(
            matches!(err, PortalError::Conflict { ref message } if message.contains("processing")),
            "{err:?}"
        );
        assert!(
            c.officer_dossiers(&tp.officer_token, Some(DossierStatus::New))
                .await
                .unwrap()
                .len()
                == 1
        );

        // The officer reads the papers; a document of another dossier is not found through this one.
        let doc = &moved.dossier.documents[0];
        let get = |dossier: String, id: i64| {
            tp.http
                .get(tp.api(&format!("/officer/dossiers/{dossier}/documents/{id}")))
                .bearer_auth(&tp.officer_token)
                .send()
        };
        let r = get(code.clone(), doc.id).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().to_vec(), super::pdf());
        let r = get(other.code.clone().unwrap(), doc.id).await.unwrap();
        super::assert_json_error(r, 404).await;
        let r = tp
            .http
            .get(tp.api(&format!("/officer/dossiers/{code}/documents/{}", doc.id)))
            .send()
            .await
            .unwrap();
        super::assert_json_error(r, 401).await;
        // A data folder restored without its files: the record stays, the paper is gone — a
        // 410 with a JSON body, not a 500.
        std::fs::remove_dir_all(tp.files.path().join("files")).unwrap();
        let r = get(code.clone(), doc.id).await.unwrap();
        super::assert_json_error(r, 410).await;
    }
}

/// A stand-in that records each request's raw path and answers from `answers` in turn (the
/// last one repeated): status and an optional `Retry-After`.
async fn scripted(
    answers: Vec<(StatusCode, Option<&'static str>)>,
) -> (
    String,
    Arc<std::sync::Mutex<Vec<(String, std::time::Instant)>>>,
) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let handler = move |uri: axum::http::Uri| {
        let log = log.clone();
        let answers = answers.clone();
        async move {
            let n = {
                let mut log = log.lock().unwrap();
                log.push((uri.path().to_owned(), std::time::Instant::now()));
                log.len() - 1
            };
            let (status, retry_after) = answers[n.min(answers.len() - 1)];
            let mut response = axum::response::IntoResponse::into_response((status, "[]"));
            if let Some(v) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", v.parse().unwrap());
            }
            response
        }
    };
    let app = axum::Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn path_segments_are_percent_encoded_not_form_encoded() {
    let (url, seen) = scripted(vec![(StatusCode::NOT_FOUND, None)]).await;
    let c = HttpPortal::new(&url).unwrap();
    let err = c.procedure("1.00 1/2").await.unwrap_err();
    assert!(matches!(err, PortalError::NotFound), "{err:?}");
    let paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(paths, ["/api/v1/procedures/1.00%201%2F2"]);
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline() {
    let (url, seen) = scripted(vec![
        (StatusCode::SERVICE_UNAVAILABLE, Some("1")),
        (StatusCode::OK, None),
    ])
    .await;
    let c = HttpPortal::new(&url).unwrap();
    assert!(c.fields().await.unwrap().is_empty());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].1 - seen[0].1;
    assert!(
        waited >= std::time::Duration::from_millis(950),
        "waited only {waited:?} despite Retry-After: 1"
    );

    // A Retry-After past the deadline: no pointless wait, the portal's answer at once.
    let (url, seen) = scripted(vec![(StatusCode::TOO_MANY_REQUESTS, Some("600"))]).await;
    let c = HttpPortal::new(&url).unwrap();
    let started = std::time::Instant::now();
    let err = c.fields().await.unwrap_err();
    assert!(
        matches!(err, PortalError::Other { status: 429, .. }),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn a_portal_that_never_answers_is_given_up_on_by_the_deadline() {
    // Accepts connections and reads, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let c = HttpPortal::new(&url).unwrap();
    let started = std::time::Instant::now();
    let err = c.fields().await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, PortalError::Unreachable(_)), "{err:?}");
    assert!(
        took >= INTERACTIVE_DEADLINE - std::time::Duration::from_millis(100)
            && took < INTERACTIVE_DEADLINE + std::time::Duration::from_secs(2),
        "gave up after {took:?}, the deadline is {INTERACTIVE_DEADLINE:?}"
    );
}
