//! The officer console: login, the list with overdue dossiers flagged, escaped user text, and
//! actions through its forms.

use dvc_bot::portal::Portal;
use dvc_bot::portal::model::{Delivery, UpdateDraft};
use reqwest::multipart::Form;

use super::{cccd, dossier_ref, spawn_portal};
use crate::support::engines;

#[tokio::test]
async fn console_lists_flags_escapes_and_acts() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = |cookie: Option<String>| {
            let mut rb = http.get(format!("{}/officer", tp.url));
            if let Some(c) = cookie {
                rb = rb.header("cookie", c);
            }
            rb.send()
        };
        let r = page(None).await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("name=\"token\""));
        let r = http
            .post(format!("{}/officer/login", tp.url))
            .form(&[("token", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = http
            .post(format!("{}/officer/login", tp.url))
            .form(&[("token", tp.officer_token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_owned();

        let s = tp.citizen(&cccd("6001")).await;
        let draft = tp.complete_draft(&s.token).await;
        let evil = "<script>alert('x')</script> Bản Mòng";
        tp.client
            .update_draft(
                &s.token,
                &draft.id.into(),
                &UpdateDraft {
                    values: Default::default(),
                    delivery: Some(Delivery::Post {
                        address: evil.into(),
                    }),
                },
            )
            .await
            .unwrap();
        let sent = tp
            .client
            .submit(&s.token, &draft.id.into(), "c-1")
            .await
            .unwrap();
        let code = sent.code.unwrap();
        let other = tp.submitted(&s.token).await.code.unwrap();
        // Make the first one overdue.
        let db = tp.db.connect().await;
        sqlx::query("UPDATE dossiers SET due_date = '2020-01-02' WHERE code = $1")
            .bind(&code)
            .execute(&db.pool)
            .await
            .unwrap();
        db.close().await;

        let html = page(Some(cookie.clone()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(&code) && html.contains(&other));
        assert!(!html.contains("<script>"), "user text must be escaped");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Bản Mòng"));
        assert_eq!(html.matches("QUÁ HẠN").count(), 1);
        // Usable on a phone, dates as Vietnamese write them.
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.contains("02/01/2020"), "the due date as dd/mm/yyyy");
        // Each dossier links its papers, which open with the console's cookie.
        let link = format!("/officer/dossiers/{code}/documents/");
        let at = html.find(&link).expect("a document link");
        let id: String = html[at + link.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let r = http
            .get(format!("{}{link}{id}", tp.url))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
        assert!(html.contains("name=\"missing_papers\" value=\"giay_chung_sinh\""));
        // New dossiers offer a fee request (amount + deadline), not completion (result upload).
        assert!(html.contains("name=\"amount\"") && html.contains("type=\"date\""));
        assert!(!html.contains("type=\"file\""));
        // The API flags it too.
        let list: serde_json::Value = tp
            .http
            .get(tp.api("/officer/dossiers?status=new"))
            .bearer_auth(&tp.officer_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let flags: Vec<(String, bool)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["overdue"].as_bool().unwrap(),
                )
            })
            .collect();
        assert!(
            flags.contains(&(code.clone(), true)) && flags.contains(&(other.clone(), false)),
            "{flags:?}"
        );

        // Act through the form: accept, then a forbidden accept again is a 409 page.
        let act = |action: &'static str| {
            http.post(format!("{}/officer/dossiers/{code}/actions", tp.url))
                .header("cookie", cookie.clone())
                .multipart(Form::new().text("action", action))
                .send()
        };
        let r = act("accept").await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            tp.client
                .my_dossier(&s.token, &dossier_ref(&code))
                .await
                .unwrap()
                .status
                .as_str(),
            "processing"
        );
        let r = act("accept").await.unwrap();
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("processing"));
        // A supplement request naming the missing paper, with a date deadline.
        let r = http
            .post(format!("{}/officer/dossiers/{code}/actions", tp.url))
            .header("cookie", cookie.clone())
            .multipart(
                Form::new()
                    .text("action", "request_supplement")
                    .text("reason", "Ảnh mờ")
                    .text("deadline", "2030-03-01")
                    .text("missing_papers", "giay_chung_sinh"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let d = tp
            .client
            .my_dossier(&s.token, &dossier_ref(&code))
            .await
            .unwrap();
        let p = d.pending.unwrap();
        assert_eq!(p.missing_papers, vec!["giay_chung_sinh".to_string()]);
        assert_eq!(
            p.deadline.unwrap().to_rfc3339(),
            "2030-03-01T16:59:59+00:00"
        );
        // Without the cookie, no action.
        let r = http
            .post(format!("{}/officer/dossiers/{code}/actions", tp.url))
            .multipart(Form::new().text("action", "reject"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}
