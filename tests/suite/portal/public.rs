//! The public lookup: status and dates for anyone, never a personal field; the history only
//! with the last 4 digits of the applicant's CCCD.

use dvc_bot::portal::model::{Delivery, UpdateDraft};
use dvc_bot::portal::{Portal, PortalError};
use serde_json::Value;

use super::{
    PASSWORD, assert_json_error, cccd, dossier_code, dossier_ref, registration, spawn_portal,
};
use crate::support::engines;

/// Every string anywhere in a JSON value, and every key.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                strings(x, out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn lookup_leaks_no_personal_field() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let id = cccd("7788");
        let mut reg = registration(&id);
        reg.address = "Bản Pá Khoang, xã Mường Phăng".into();
        reg.full_name = "Cầm Thị Duyên".into();
        reg.phone = "0387654321".into();
        tp.client.register(&reg, None).await.unwrap();
        let s = tp
            .client
            .login(&dvc_bot::portal::model::LoginRequest {
                login: id.clone(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        let draft = tp.complete_draft(&s.token).await;
        tp.client
            .update_draft(
                &s.token,
                &draft.id.into(),
                &UpdateDraft {
                    values: Default::default(),
                    delivery: Some(Delivery::Post {
                        address: "Số 9 đường Tô Hiệu, Sơn La".into(),
                    }),
                },
            )
            .await
            .unwrap();
        let d = tp
            .client
            .submit(&s.token, &draft.id.into(), "pub-1")
            .await
            .unwrap();
        let code = d.code.unwrap();
        tp.officer(&code, serde_json::json!({"action": "request_supplement", "reason": "Ảnh mờ của Cầm Thị Duyên", "deadline": "2030-01-01T00:00:00Z", "missing_papers": ["giay_chung_sinh"]})).await;

        let personal = [
            "Cầm Thị Duyên",
            "Duyên",
            id.as_str(),
            "7788",
            "0387654321",
            "Pá Khoang",
            "Tô Hiệu",
            "Lò Thị Hoa",
            "Quàng Thị Lan",
            "full_name",
            "citizen_id",
            "phone",
            "address",
            "values",
            "documents",
            "reason",
            "chung-sinh.pdf",
        ];
        for last4 in [None, Some("0000"), Some("7788")] {
            let mut url = tp.api(&format!("/public/dossiers/{code}"));
            if let Some(l) = last4 {
                url.push_str(&format!("?cccd_last4={l}"));
            }
            let r = tp.http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let body: Value = r.json().await.unwrap();
            let mut all = Vec::new();
            strings(&body, &mut all);
            for s in &all {
                for p in personal {
                    assert!(!s.contains(p), "{p:?} leaked in {body}");
                }
            }
            assert_eq!(body["code"], code.as_str());
            assert_eq!(body["status"], "supplement_required");
            assert_eq!(body["procedure_code"], "1.001193");
            assert!(
                body["received_at"].is_string() && body["due_date"].is_string(),
                "{body}"
            );
            assert_eq!(body["agency_code"], "000.05.02.H50");
            let history = &body["history"];
            if last4 == Some("7788") {
                let kinds: Vec<&str> = history
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["kind"].as_str().unwrap())
                    .collect();
                assert_eq!(kinds, ["submitted", "supplement_requested"]);
            } else {
                assert!(history.is_null(), "{body}");
            }
        }
        // Anything but 4 digits is a mistake said as such, not silently ignored.
        for bad in ["12345", "77a8", "778"] {
            let url = tp.api(&format!("/public/dossiers/{code}?cccd_last4={bad}"));
            let r = tp.http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 400, "{bad}");
        }
        // Through the client too.
        let p = tp
            .client
            .public_lookup(&dossier_code(&code), Some("7788"))
            .await
            .unwrap();
        assert_eq!(p.history.map(|h| h.len()), Some(2));
        // Unknown codes, ids and drafts are not found.
        let err = tp
            .client
            .public_lookup(&dossier_code("000.05.02.H50-200101-0001"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::NotFound), "{err:?}");
        let r = tp
            .http
            .get(tp.api(&format!("/public/dossiers/{}", d.id)))
            .send()
            .await
            .unwrap();
        assert_json_error(r, 404).await;
        let r = tp
            .http
            .get(tp.api("/public/dossiers/1.001193"))
            .send()
            .await
            .unwrap();
        assert_json_error(r, 404).await;
    }
}

#[tokio::test]
async fn another_citizen_cannot_see_my_dossier() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let a = tp.citizen(&cccd("8001")).await;
        let b = tp.citizen(&cccd("8002")).await;
        let d = tp.submitted(&a.token).await;
        let code = d.code.unwrap();
        for key in [code.clone(), d.id.to_string()] {
            let err = tp
                .client
                .my_dossier(&b.token, &dossier_ref(&key))
                .await
                .unwrap_err();
            assert!(matches!(err, PortalError::NotFound), "{err:?}");
            let err = tp
                .client
                .withdraw(&b.token, &dossier_ref(&key))
                .await
                .unwrap_err();
            assert!(matches!(err, PortalError::NotFound), "{err:?}");
        }
        assert!(
            tp.client
                .my_dossiers(&b.token, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            tp.client
                .my_dossier(&a.token, &dossier_ref(&code))
                .await
                .unwrap()
                .id,
            d.id
        );
        let _ = registration;
    }
}
