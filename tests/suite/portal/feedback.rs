//! Ratings after the result and questions to officers: once per dossier, only its owner,
//! only after the result; the inbox open and answered; an answer on the event feed.

use dvc_bot::domain::DossierCode;
use dvc_bot::portal::model::{AskRequest, RateRequest};
use dvc_bot::portal::{Portal, PortalError};
use serde_json::json;

use super::{assert_json_error, cccd, spawn_portal};
use crate::support::engines;

/// A dossier code from the portal's answer.
fn dc(code: &str) -> DossierCode {
    DossierCode::parse(code).expect("a dossier code")
}

const OFFICER: &str = "officer-test-token";

#[tokio::test]
async fn a_dossier_is_rated_once_by_its_owner_after_the_result() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let a = tp.citizen(&cccd("6101")).await;
        let b = tp.citizen(&cccd("6102")).await;
        let code = tp.submitted(&a.token).await.code.unwrap();
        let other = tp.submitted(&a.token).await.code.unwrap();
        let rate = |stars, comment: Option<&str>| RateRequest {
            stars,
            comment: comment.map(str::to_owned),
        };
        // Not before the result.
        let err = tp
            .client
            .rate(&a.token, &dc(&code), &rate(5, None))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");
        for action in [
            json!({"action": "accept"}),
            json!({"action": "complete", "result": {"file_name": "kq.pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
            json!({"action": "return_result"}),
        ] {
            for c in [&code, &other] {
                let (status, body) = tp.officer(c, action.clone()).await;
                assert_eq!(status, 200, "{body}");
            }
        }
        // Only 1–5 stars; only the owner.
        for stars in [0, 6] {
            let err = tp
                .client
                .rate(&a.token, &dc(&code), &rate(stars, None))
                .await
                .unwrap_err();
            assert!(matches!(err, PortalError::Invalid { .. }), "{err:?}");
        }
        let err = tp
            .client
            .rate(&b.token, &dc(&code), &rate(1, None))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::NotFound), "{err:?}");
        let r = tp
            .client
            .rate(&a.token, &dc(&code), &rate(4, Some("  Nhanh, chu đáo ")))
            .await
            .unwrap();
        assert_eq!((r.stars, r.comment.as_deref()), (4, Some("Nhanh, chu đáo")));
        assert_eq!(r.dossier, code);
        // Once.
        let err = tp
            .client
            .rate(&a.token, &dc(&code), &rate(1, None))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Duplicate { .. }), "{err:?}");
        tp.client
            .rate(&a.token, &dc(&other), &rate(1, None))
            .await
            .unwrap();

        let report = tp.client.officer_ratings(OFFICER).await.unwrap();
        assert_eq!(report.ratings.len(), 2);
        assert_eq!(report.by_procedure.len(), 1);
        let p = &report.by_procedure[0];
        assert_eq!((p.code.as_str(), p.count, p.average), ("1.001193", 2, 2.5));
        assert!(!p.name.is_empty());
        assert_eq!(report.by_agency[0].code, "000.05.02.H50");
        assert_eq!(report.by_agency[0].average, 2.5);
        let r = tp
            .http
            .get(tp.api("/officer/ratings"))
            .send()
            .await
            .unwrap();
        assert_json_error(r, 401).await;
    }
}

#[tokio::test]
async fn a_question_is_answered_once_and_the_answer_is_on_the_feed() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let a = tp.citizen(&cccd("6201")).await;
        let b = tp.citizen(&cccd("6202")).await;
        let code = tp.submitted(&a.token).await.code.unwrap();
        let ask = |text: &str, dossier: Option<&str>| AskRequest {
            text: text.to_owned(),
            dossier: dossier.map(str::to_owned),
        };
        let general = tp
            .client
            .ask(&b.token, &ask("Làm giấy khai sinh cần gì?", None))
            .await
            .unwrap();
        let about = tp
            .client
            .ask(&a.token, &ask("Khi nào có kết quả?", Some(&code)))
            .await
            .unwrap();
        // Not about someone else's dossier; not empty; not without an account.
        let err = tp
            .client
            .ask(&b.token, &ask("?", Some(&code)))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::NotFound), "{err:?}");
        let err = tp
            .client
            .ask(&b.token, &ask("   ", None))
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Invalid { .. }), "{err:?}");
        let r = tp
            .http
            .post(tp.api("/questions"))
            .json(&json!({"text": "?"}))
            .send()
            .await
            .unwrap();
        assert_json_error(r, 401).await;

        let open = tp.client.officer_questions(OFFICER, false).await.unwrap();
        let ids: Vec<i64> = open.iter().map(|q| q.id).collect();
        assert_eq!(ids, [general.id, about.id]);
        assert_eq!(open[1].dossier.as_deref(), Some(code.as_str()));
        assert_eq!(open[1].asker_name, "Lò Văn Mến");

        let before = tp
            .client
            .events(&tp.service_token, 0, 500, 0)
            .await
            .unwrap();
        let last = before.last().map(|e| e.id).unwrap_or(0);
        for (q, answer) in [(general.id, "Cần giấy chứng sinh."), (about.id, "Thứ sáu.")] {
            let answered = tp.client.officer_answer(OFFICER, q, answer).await.unwrap();
            assert_eq!(answered.answer.as_deref(), Some(answer));
            assert!(answered.answered_at.is_some());
        }
        let err = tp
            .client
            .officer_answer(OFFICER, general.id, "lần nữa")
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Conflict { .. }), "{err:?}");
        let err = tp
            .client
            .officer_answer(OFFICER, 999_999, "?")
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::NotFound), "{err:?}");

        let events = tp
            .client
            .events(&tp.service_token, last, 500, 0)
            .await
            .unwrap();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(events.iter().all(|e| e.kind == "question_answered"));
        assert_eq!(events[0].data.question, Some(general.id));
        assert_eq!(
            events[0].data.answer.as_deref(),
            Some("Cần giấy chứng sinh.")
        );
        assert_eq!((events[0].dossier_id, events[0].status), (None, None));
        assert_eq!(events[0].owner, b.account.id);
        assert_eq!(events[1].code.as_deref(), Some(code.as_str()));
        assert_eq!(events[1].owner, a.account.id);
        assert!(events[1].status.is_some());
        // The dossier's history is its own transitions only.
        let mine = tp
            .client
            .my_dossier(&a.token, &dc(&code).into())
            .await
            .unwrap();
        assert!(mine.history.iter().all(|h| h.kind != "question_answered"));

        assert!(
            tp.client
                .officer_questions(OFFICER, false)
                .await
                .unwrap()
                .is_empty()
        );
        let answered = tp.client.officer_questions(OFFICER, true).await.unwrap();
        assert_eq!(answered.len(), 2);
        let r = tp
            .http
            .get(tp.api("/officer/questions?status=maybe"))
            .bearer_auth(OFFICER)
            .send()
            .await
            .unwrap();
        assert_json_error(r, 400).await;
    }
}

/// Issue 13.8, everywhere text is stored: a question, its answer and a rating's comment lose
/// bidi overrides, zero-width and control characters like names, addresses and form values.
#[tokio::test]
async fn questions_answers_and_comments_are_stored_without_hidden_characters() {
    let tp = spawn_portal(engines()[0]).await;
    let a = tp.citizen(&cccd("6301")).await;
    let code = tp.submitted(&a.token).await.code.unwrap();
    let asked = tp
        .client
        .ask(
            &a.token,
            &AskRequest {
                text: "\u{202E}Khi nào\u{200B} có\u{0} kết quả?\u{FEFF}\u{2066}".into(),
                dossier: None,
            },
        )
        .await
        .unwrap();
    let open = tp.client.officer_questions(OFFICER, false).await.unwrap();
    let stored = open
        .iter()
        .find(|q| q.id == asked.id)
        .expect("the question");
    assert_eq!(stored.text, "Khi nào có kết quả?");
    let answered = tp
        .client
        .officer_answer(OFFICER, asked.id, "Thứ\u{200D} sáu\u{7}.\u{202C}")
        .await
        .unwrap();
    assert_eq!(answered.answer.as_deref(), Some("Thứ sáu."));
    // Only a text of hidden characters is no text at all.
    let err = tp
        .client
        .ask(
            &a.token,
            &AskRequest {
                text: "\u{200B}\u{202E}\u{0}".into(),
                dossier: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PortalError::Invalid { .. }), "{err:?}");

    for action in [
        json!({"action": "accept"}),
        json!({"action": "complete", "result": {"file_name": "kq.pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
        json!({"action": "return_result"}),
    ] {
        let (status, body) = tp.officer(&code, action).await;
        assert_eq!(status, 200, "{body}");
    }
    let rated = tp
        .client
        .rate(
            &a.token,
            &dc(&code),
            &RateRequest {
                stars: 5,
                comment: Some("Nhanh\u{202E},\u{200B} chu đáo\u{1b}".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(rated.comment.as_deref(), Some("Nhanh, chu đáo"));
    let report = tp.client.officer_ratings(OFFICER).await.unwrap();
    assert_eq!(report.ratings[0].comment.as_deref(), Some("Nhanh, chu đáo"));
}
