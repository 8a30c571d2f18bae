//! What the portal refuses or cleans before storing: officer deadlines in the past or absurdly
//! far, and bidi or zero-width characters in any text it keeps.

use std::collections::BTreeMap;

use dvc_bot::portal::Portal;
use dvc_bot::portal::client::DossierRef;
use dvc_bot::portal::model::{Delivery, UpdateDraft};
use serde_json::json;

use super::{cccd, spawn_portal};
use crate::support::engines;

/// Issue 13.8: a deadline already past, or decades away, is refused with a reason, and the
/// dossier stays where it was.
#[tokio::test]
async fn officer_deadlines_in_the_past_or_absurdly_far_are_refused() {
    let tp = spawn_portal(engines()[0]).await;
    let session = tp.citizen(&cccd("3001")).await;
    let code = tp.submitted(&session.token).await.code.expect("a code");
    let (status, _) = tp.officer(&code, json!({"action": "accept"})).await;
    assert_eq!(status, 200);
    let far = (chrono::Utc::now() + chrono::Duration::days(365 * 40)).to_rfc3339();
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    for deadline in ["2000-01-01T00:00:00Z", past.as_str(), far.as_str()] {
        for action in [
            json!({"action": "request_fee", "amount": 8000, "deadline": deadline}),
            json!({"action": "request_financial_obligation", "amount": 8000, "deadline": deadline}),
            json!({"action": "request_supplement", "reason": "Ảnh mờ", "deadline": deadline,
                   "missing_papers": ["giay_chung_sinh"]}),
        ] {
            let (status, body) = tp.officer(&code, action.clone()).await;
            assert_eq!(status, 422, "{action}: {body}");
            assert_eq!(body["fields"][0]["field"], "deadline", "{body}");
            assert!(body["message"].as_str().unwrap_or("").contains("deadline"));
        }
    }
    let soon = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let (status, body) = tp
        .officer(
            &code,
            json!({"action": "request_fee", "amount": 8000, "deadline": soon}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Issue 13.8: right-to-left overrides, zero-width and other format characters never reach the
/// portal's storage: form values, the postal address and officers' reasons are kept without
/// them.
#[tokio::test]
async fn bidi_and_zero_width_characters_are_stripped_from_stored_text() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let session = tp.citizen(&cccd("3002")).await;
        let draft = tp.complete_draft(&session.token).await;
        let mut values = BTreeMap::new();
        values.insert(
            "birth_place".to_owned(),
            "Bệnh\u{200B} viện \u{202E}Sơn La\u{202C}\u{FEFF}".to_owned(),
        );
        let updated = tp
            .client
            .update_draft(
                &session.token,
                &draft.id.into(),
                &UpdateDraft {
                    values,
                    delivery: Some(Delivery::Post {
                        address: "Tổ\u{2066} 3, \u{200F}phường Chiềng Lề".into(),
                    }),
                },
            )
            .await
            .expect("update");
        assert_eq!(updated.values["birth_place"], "Bệnh viện Sơn La");
        assert_eq!(
            updated.delivery,
            Some(Delivery::Post {
                address: "Tổ 3, phường Chiềng Lề".into()
            })
        );
        let sent = tp
            .client
            .submit(&session.token, &draft.id.into(), "submit-bidi")
            .await
            .expect("submit");
        let code = sent.code.expect("a code");
        let (status, body) = tp
            .officer(
                &code,
                json!({"action": "pause", "reason": "Chờ\u{200D} xác minh \u{202E}gnol"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["pending"]["reason"], "Chờ xác minh gnol", "{body}");
        let mine = tp
            .client
            .my_dossier(
                &session.token,
                &DossierRef::parse(&code).expect("a dossier code"),
            )
            .await
            .expect("mine");
        assert!(
            mine.history
                .iter()
                .filter_map(|h| h.data.reason.as_deref())
                .all(|r| !r.chars().any(dvc_bot::domain::is_format_char)),
            "{:?}",
            mine.history
        );
    }
}
