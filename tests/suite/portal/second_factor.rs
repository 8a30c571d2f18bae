//! The lookup's second factor under attack: wrong last digits are counted per dossier code
//! and per client, and the sixth within 15 minutes is a 429 with `Retry-After` — even with
//! the right digits — while the public summary stays open to all.

use dvc_bot::domain::DossierCode;
use dvc_bot::portal::{HttpPortal, Portal, PortalError};
use serde_json::Value;

use super::{assert_json_error, cccd, spawn_portal};
use crate::support::engines;

/// A dossier code from the portal's answer.
fn dc(code: &str) -> DossierCode {
    DossierCode::parse(code).expect("a dossier code")
}

#[tokio::test]
async fn wrong_last_digits_are_limited_per_code_and_per_client() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let a = tp.citizen(&cccd("4321")).await;
        let first = tp.submitted(&a.token).await.code.unwrap();
        let second = tp.submitted(&a.token).await.code.unwrap();
        tp.officer(&first, serde_json::json!({"action": "accept"}))
            .await;
        tp.officer(&first, serde_json::json!({"action": "request_fee", "amount": 150000, "deadline": "2030-02-01T00:00:00Z"})).await;
        let lookup = |code: &str, last4: &str| {
            tp.http
                .get(tp.api(&format!("/public/dossiers/{code}?cccd_last4={last4}")))
        };

        // The right digits: history and what the dossier waits for (the fee's amount).
        let body: Value = lookup(&first, "4321")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "fee_payment");
        assert_eq!(body["pending"]["amount"], 150000);
        assert_eq!(body["history"].as_array().map(Vec::len), Some(3), "{body}");

        // Four wrong tries on one code and one on another, from this address: five in all.
        for last4 in ["0000", "1111", "2222", "3333"] {
            let r = lookup(&first, last4).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let body: Value = r.json().await.unwrap();
            assert!(
                body["history"].is_null() && body["pending"].is_null(),
                "{body}"
            );
        }
        let r = lookup(&second, "5555").send().await.unwrap();
        assert_eq!(r.status(), 200);
        // The sixth is refused, the right digits too, with when to try again.
        for (code, last4) in [(&first, "4321"), (&second, "4321"), (&second, "6666")] {
            let r = lookup(code, last4).send().await.unwrap();
            let retry: i64 = r
                .headers()
                .get("retry-after")
                .expect("Retry-After")
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=900).contains(&retry), "{retry}");
            let body = assert_json_error(r, 429).await;
            assert_eq!(body["error"], "too_many_attempts");
            assert!(body["until"].is_string(), "{body}");
        }
        // The summary without the second factor is still anyone's.
        let p = tp.client.public_lookup(&dc(&first), None).await.unwrap();
        assert!(p.history.is_none());
        // The client says when.
        let err = tp
            .client
            .public_lookup(&dc(&first), Some("4321"))
            .await
            .unwrap_err();
        let PortalError::TooManyAttempts { until } = err else {
            panic!("{err:?}")
        };
        assert!(until > chrono::Utc::now(), "{until}");

        // Behind a service (the bot), each end user is a client of its own, but the code
        // still counts every wrong try: `second` had one; four more from others lock it.
        let service = HttpPortal::new(&tp.url)
            .unwrap()
            .with_service_token(dvc_bot::config::Secret::new(&tp.service_token));
        let ok = service
            .public_lookup_as(&dc(&second), Some("4321"), "user-1")
            .await
            .unwrap();
        assert_eq!(ok.history.map(|h| h.len()), Some(1));
        for (n, last4) in ["7000", "7001", "7002", "7003"].into_iter().enumerate() {
            let asker = format!("user-{}", n + 2);
            let p = service
                .public_lookup_as(&dc(&second), Some(last4), &asker)
                .await
                .unwrap();
            assert!(p.history.is_none());
        }
        let err = service
            .public_lookup_as(&dc(&second), Some("4321"), "user-9")
            .await
            .unwrap_err();
        assert!(
            matches!(err, PortalError::TooManyAttempts { .. }),
            "{err:?}"
        );
        // A service header without the service token is ignored (counted by address).
        let r = tp
            .http
            .get(tp.api(&format!("/public/dossiers/{first}?cccd_last4=4321")))
            .header("x-dvc-client", "someone-else")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
    }
}
