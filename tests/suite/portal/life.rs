//! A dossier's whole life through every status, and every forbidden move answering 409.

use dvc_bot::portal::model::{DossierStatus, Event};
use dvc_bot::portal::{Portal, PortalError};
use serde_json::json;

use super::{TestPortal, assert_json_error, cccd, dossier_ref, pdf, spawn_portal, upload};
use crate::support::engines;

const DEADLINE: &str = "2030-01-31T17:00:00Z";

fn status_of(v: &serde_json::Value) -> &str {
    v["status"].as_str().unwrap_or("")
}

/// Every officer action, with the data it needs.
fn all_actions() -> Vec<serde_json::Value> {
    vec![
        json!({"action": "accept"}),
        json!({"action": "request_supplement", "reason": "Thiếu giấy chứng sinh bản rõ nét", "deadline": DEADLINE, "missing_papers": ["giay_chung_sinh"]}),
        json!({"action": "request_financial_obligation", "amount": 500000, "deadline": DEADLINE}),
        json!({"action": "request_fee", "amount": 8000, "deadline": DEADLINE}),
        json!({"action": "confirm_payment", "payment_ref": "PAY-1"}),
        json!({"action": "pause", "reason": "Chờ xác minh"}),
        json!({"action": "resume"}),
        json!({"action": "complete", "result": {"file_name": "trích lục khai sinh.pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
        json!({"action": "return_result"}),
        json!({"action": "reject", "reason": "Không đủ điều kiện"}),
    ]
}

/// Every action the status machine forbids in the dossier's current status answers 409 and
/// leaves it unchanged.
async fn forbidden_are_409(tp: &TestPortal, code: &str, allowed: &[&str]) {
    let before = tp.officer_status(code).await;
    for action in all_actions() {
        let name = action["action"].as_str().unwrap_or("");
        if allowed.contains(&name) {
            continue;
        }
        let (status, body) = tp.officer(code, action.clone()).await;
        assert_eq!(status, 409, "{name} in {before}: {body}");
        assert_eq!(body["error"], "conflict", "{body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains(&before),
            "{body}"
        );
    }
    assert_eq!(tp.officer_status(code).await, before);
}

impl TestPortal {
    async fn officer_status(&self, code: &str) -> String {
        let list: serde_json::Value = self
            .http
            .get(self.api("/officer/dossiers"))
            .bearer_auth(&self.officer_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| status_of(d).to_owned())
            .unwrap_or_default()
    }
}

#[tokio::test]
async fn whole_life_through_every_status() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("1234")).await;
        let d = tp.submitted(&s.token).await;
        let code = d.code.clone().expect("a code at submission");
        assert_eq!(d.status, DossierStatus::New);
        assert!(code.starts_with("000.05.02.H50-"), "{code}");
        assert!(code.ends_with("-0001"), "{code}");
        assert!(d.due_date.is_some());
        forbidden_are_409(
            &tp,
            &code,
            &[
                "accept",
                "request_supplement",
                "request_fee",
                "pause",
                "reject",
            ],
        )
        .await;

        let steps: Vec<(serde_json::Value, &str)> = vec![
            (json!({"action": "accept"}), "processing"),
            (all_actions()[1].clone(), "supplement_required"),
        ];
        for (action, want) in steps {
            let (st, body) = tp.officer(&code, action).await;
            assert_eq!((st, status_of(&body)), (200, want), "{body}");
        }
        forbidden_are_409(&tp, &code, &["reject"]).await;
        let mine = tp
            .client
            .my_dossier(&s.token, &dossier_ref(&code))
            .await
            .unwrap();
        let pending = mine.pending.clone().expect("pending supplement");
        assert_eq!(pending.missing_papers, vec!["giay_chung_sinh".to_string()]);
        assert!(pending.deadline.is_some());
        // An answer without the paper asked for is refused, naming it.
        let err = tp
            .client
            .answer_supplement(
                &s.token,
                &dossier_ref(&code),
                vec![upload("dang_ky_ket_hon", "kh.pdf", pdf())],
            )
            .await
            .unwrap_err();
        match err {
            PortalError::Invalid { missing, .. } => assert_eq!(missing[0].code, "giay_chung_sinh"),
            other => panic!("{other:?}"),
        }
        // The citizen answers with the paper asked for: back to processing.
        let back = tp
            .client
            .answer_supplement(
                &s.token,
                &dossier_ref(&code),
                vec![upload("giay_chung_sinh", "ban-ro.pdf", pdf())],
            )
            .await
            .unwrap();
        assert_eq!(back.status, DossierStatus::Processing);

        let steps = vec![
            (all_actions()[2].clone(), "financial_obligation"),
            (
                json!({"action": "confirm_payment", "payment_ref": "KB-77"}),
                "processing",
            ),
            (all_actions()[3].clone(), "fee_payment"),
        ];
        for (action, want) in steps {
            let (st, body) = tp.officer(&code, action).await;
            assert_eq!((st, status_of(&body)), (200, want), "{body}");
        }
        forbidden_are_409(&tp, &code, &["confirm_payment", "reject"]).await;
        for (action, want) in [
            (all_actions()[4].clone(), "processing"),
            (all_actions()[5].clone(), "paused"),
        ] {
            let (st, body) = tp.officer(&code, action).await;
            assert_eq!((st, status_of(&body)), (200, want), "{body}");
        }
        forbidden_are_409(&tp, &code, &["resume", "reject"]).await;
        let (st, body) = tp.officer(&code, json!({"action": "resume"})).await;
        assert_eq!((st, status_of(&body)), (200, "processing"));
        forbidden_are_409(
            &tp,
            &code,
            &[
                "request_supplement",
                "request_financial_obligation",
                "request_fee",
                "pause",
                "complete",
                "reject",
            ],
        )
        .await;
        // Complete needs a result.
        let (st, body) = tp.officer(&code, json!({"action": "complete"})).await;
        assert_eq!(st, 422, "{body}");
        let (st, body) = tp.officer(&code, all_actions()[7].clone()).await;
        assert_eq!((st, status_of(&body)), (200, "completed"), "{body}");
        forbidden_are_409(&tp, &code, &["return_result"]).await;
        let result = tp
            .client
            .result(&s.token, &dossier_ref(&code))
            .await
            .unwrap();
        assert!(result.bytes.starts_with(b"%PDF-"));
        assert_eq!(result.file_name, "trích lục khai sinh.pdf");
        assert_eq!(result.mime, "application/pdf");
        let (st, body) = tp.officer(&code, json!({"action": "return_result"})).await;
        assert_eq!((st, status_of(&body)), (200, "result_returned"));
        forbidden_are_409(&tp, &code, &[]).await;
        // The citizen cannot withdraw any more either.
        let err = tp
            .client
            .withdraw(&s.token, &dossier_ref(&code))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");

        // The event feed holds every transition, ids strictly increasing.
        let events: Vec<Event> = tp
            .client
            .events(&tp.service_token, 0, 100, 0)
            .await
            .unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "submitted",
                "accepted",
                "supplement_requested",
                "supplement_answered",
                "financial_obligation_requested",
                "payment_confirmed",
                "fee_requested",
                "payment_confirmed",
                "paused",
                "resumed",
                "completed",
                "result_returned"
            ]
        );
        assert!(events.windows(2).all(|w| w[0].id < w[1].id));
        assert!(
            events
                .iter()
                .all(|e| e.code.as_deref() == Some(code.as_str()) && e.owner == s.account.id)
        );
        assert_eq!(
            events[2].data.missing_papers,
            vec!["giay_chung_sinh".to_string()]
        );
        assert_eq!(events[4].data.amount, Some(500_000));
        assert_eq!(events[5].data.payment_ref.as_deref(), Some("KB-77"));
        let page = tp
            .client
            .events(&tp.service_token, events[9].id, 100, 0)
            .await
            .unwrap();
        assert_eq!(page.len(), 2);
        // The feed wants the service token.
        let err = tp.client.events("wrong", 0, 10, 0).await.unwrap_err();
        assert!(matches!(err, PortalError::Unauthorized), "{err:?}");
    }
}

#[tokio::test]
async fn withdraw_and_reject_end_a_dossier() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("2222")).await;
        let a = tp.submitted(&s.token).await;
        let b = tp.submitted(&s.token).await;
        let (ca, cb) = (a.code.unwrap(), b.code.unwrap());
        assert!(ca.ends_with("-0001") && cb.ends_with("-0002"), "{ca} {cb}");
        let w = tp
            .client
            .withdraw(&s.token, &dossier_ref(&ca))
            .await
            .unwrap();
        assert_eq!(w.status, DossierStatus::Withdrawn);
        forbidden_are_409(&tp, &ca, &[]).await;
        let (st, body) = tp.officer(&cb, json!({"action": "accept"})).await;
        assert_eq!(st, 200, "{body}");
        // Accepted: the citizen may no longer withdraw.
        let err = tp
            .client
            .withdraw(&s.token, &dossier_ref(&cb))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");
        let (st, body) = tp.officer(&cb, json!({"action": "reject"})).await;
        assert_eq!(st, 422, "a rejection needs a reason: {body}");
        let (st, body) = tp
            .officer(&cb, json!({"action": "reject", "reason": "Sai thẩm quyền"}))
            .await;
        assert_eq!((st, status_of(&body)), (200, "rejected"));
        forbidden_are_409(&tp, &cb, &[]).await;
        let mine = tp
            .client
            .my_dossiers(&s.token, Some(DossierStatus::Rejected))
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            mine[0].history.last().unwrap().data.reason.as_deref(),
            Some("Sai thẩm quyền")
        );
        // An officer without the token gets 401 JSON.
        let r = tp
            .http
            .post(tp.api(&format!("/officer/dossiers/{cb}/actions")))
            .json(&json!({"action": "accept"}))
            .send()
            .await
            .unwrap();
        assert_json_error(r, 401).await;
    }
}

#[tokio::test]
async fn submit_names_the_missing_required_paper() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("3333")).await;
        let draft = tp.complete_draft(&s.token).await;
        // A second draft without the paper.
        let bare = tp
            .client
            .create_draft(
                &s.token,
                &dvc_bot::portal::model::CreateDraft {
                    procedure_code: super::BIRTH.into(),
                    values: draft.values.clone(),
                    delivery: None,
                },
                None,
            )
            .await
            .unwrap();
        let r = tp
            .http
            .post(tp.api(&format!("/dossiers/{}/submit", bare.id)))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        let body = assert_json_error(r, 422).await;
        let missing = body["missing"].as_array().expect("missing list");
        assert_eq!(missing.len(), 1, "{body}");
        assert_eq!(missing[0]["code"], "giay_chung_sinh");
        assert_eq!(missing[0]["kind"], "paper");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Giấy chứng sinh"),
            "{body}"
        );
        // Through the client: a typed Invalid naming it.
        let err = tp
            .client
            .submit(&s.token, &bare.id.into(), "k1")
            .await
            .unwrap_err();
        match err {
            PortalError::Invalid { missing, .. } => assert_eq!(missing[0].code, "giay_chung_sinh"),
            other => panic!("{other:?}"),
        }
        let still = tp
            .client
            .my_dossier(&s.token, &bare.id.into())
            .await
            .unwrap();
        assert_eq!(still.status, DossierStatus::Draft);
        assert_eq!(still.delivery, None);
    }
}

#[tokio::test]
async fn submit_is_idempotent_on_its_key() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("4444")).await;
        let draft = tp.complete_draft(&s.token).await;
        let id = draft.id.into();
        // Concurrent and sequential retries with the same key: one dossier, one code, one event.
        let (a, b) = tokio::join!(
            tp.client.submit(&s.token, &id, "key-A"),
            tp.client.submit(&s.token, &id, "key-A")
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let c = tp.client.submit(&s.token, &id, "key-A").await.unwrap();
        assert_eq!(a.code, b.code);
        assert_eq!(a.code, c.code);
        assert_eq!(a.id, c.id);
        let events = tp
            .client
            .events(&tp.service_token, 0, 100, 0)
            .await
            .unwrap();
        assert_eq!(events.iter().filter(|e| e.kind == "submitted").count(), 1);
        // Another key on a sent dossier is a conflict, not a second dossier.
        let err = tp.client.submit(&s.token, &id, "key-B").await.unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");
        let all = tp.client.my_dossiers(&s.token, None).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].delivery,
            Some(dvc_bot::portal::model::Delivery::Online)
        );
    }
}

#[tokio::test]
async fn concurrent_submits_get_distinct_sequence_numbers() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("5555")).await;
        let mut drafts = Vec::new();
        for _ in 0..6 {
            drafts.push(tp.complete_draft(&s.token).await.id.to_string());
        }
        let refs: Vec<_> = drafts.iter().map(|id| dossier_ref(id)).collect();
        let submits = drafts
            .iter()
            .zip(&refs)
            .map(|(id, r)| tp.client.submit(&s.token, r, id));
        let done = futures::future::join_all(submits).await;
        let mut codes: Vec<String> = done.into_iter().map(|d| d.unwrap().code.unwrap()).collect();
        codes.sort();
        let seqs: Vec<&str> = codes.iter().map(|c| &c[c.len() - 4..]).collect();
        assert_eq!(seqs, ["0001", "0002", "0003", "0004", "0005", "0006"]);
    }
}

#[tokio::test]
async fn waiting_in_a_side_state_moves_the_due_date() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("6006")).await;
        let d = tp.submitted(&s.token).await;
        let code = d.code.clone().unwrap();
        let due = d.due_date.unwrap();
        tp.officer(&code, json!({"action": "accept"})).await;
        let (st, _) = tp
            .officer(&code, json!({"action": "pause", "reason": "Chờ xác minh"}))
            .await;
        assert_eq!(st, 200);
        // The pause began a week ago: any 7 days hold 5 working days.
        let db = tp.db.connect().await;
        let week_ago = chrono::Utc::now().timestamp() - 7 * 24 * 3600;
        sqlx::query("UPDATE events SET at = $1 WHERE kind = 'paused'")
            .bind(week_ago)
            .execute(&db.pool)
            .await
            .unwrap();
        db.close().await;
        let (st, body) = tp.officer(&code, json!({"action": "resume"})).await;
        assert_eq!(st, 200, "{body}");
        let moved = tp
            .client
            .my_dossier(&s.token, &dossier_ref(&code))
            .await
            .unwrap()
            .due_date
            .unwrap();
        let mut expected = due;
        for _ in 0..5 {
            expected = expected.succ_opt().unwrap();
            while matches!(
                chrono::Datelike::weekday(&expected),
                chrono::Weekday::Sat | chrono::Weekday::Sun
            ) {
                expected = expected.succ_opt().unwrap();
            }
        }
        assert_eq!(moved, expected);
    }
}
