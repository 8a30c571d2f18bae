//! The officer console: login by named tokens, the list (overdue flagged, search by code or
//! name, pages), a dossier's page (escaped user text, papers by name, history with the
//! officers' names), actions through its forms with dates typed dd/mm/yyyy, the questions
//! inbox, the ratings, and the QR codes of posters and receipts.

use dvc_bot::portal::Portal;
use dvc_bot::portal::model::{
    AccountType, AskRequest, Delivery, LoginRequest, RateRequest, UpdateDraft,
};
use reqwest::multipart::Form;
use serde_json::json;

use super::{
    OFFICER_AN, OFFICER_BINH, PASSWORD, TEST_BOT, TestPortal, cccd, dossier_code, dossier_ref,
    registration, spawn_portal,
};
use crate::support::engines;

/// A client that shows redirects instead of following them.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs into the console with `token`; the cookie to send back.
async fn login(tp: &TestPortal, token: &str) -> String {
    let r = http()
        .post(format!("{}/officer/login", tp.url))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login with a known token");
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains(token), "the cookie never carries the token");
    set.split(';').next().unwrap().to_owned()
}

/// A console page with the cookie: (status, HTML).
async fn page(tp: &TestPortal, path: &str, cookie: &str) -> (u16, String) {
    let r = http()
        .get(format!("{}{path}", tp.url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts an action's form as the console does: (status, body or redirect target).
async fn act(tp: &TestPortal, code: &str, cookie: &str, form: Form) -> (u16, String) {
    let r = http()
        .post(format!("{}/officer/dossiers/{code}/actions", tp.url))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = r.text().await.unwrap();
    (status, location.unwrap_or(body))
}

/// The number of dossier cards on a list page.
fn cards(html: &str) -> usize {
    html.matches("<div class=\"card").count()
}

#[tokio::test]
async fn console_lists_flags_escapes_and_acts() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let r = http()
            .get(format!("{}/officer", tp.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("name=\"token\""));
        let r = http()
            .post(format!("{}/officer/login", tp.url))
            .form(&[("token", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("Mã truy cập không đúng"));
        let cookie = login(&tp, &tp.officer_token).await;

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

        let (status, html) = page(&tp, "/officer", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(&code) && html.contains(&other));
        assert_eq!(html.matches("QUÁ HẠN").count(), 1);
        // Usable on a phone, dates as Vietnamese write them, who is logged in.
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.contains("02/01/2020"), "the due date as dd/mm/yyyy");
        assert!(html.contains("Cán bộ (mã dùng chung)"));
        assert!(html.contains(&format!("href=\"/officer/dossiers/{code}\"")));

        let (status, html) = page(&tp, &format!("/officer/dossiers/{code}"), &cookie).await;
        assert_eq!(status, 200);
        assert!(!html.contains("<script>"), "user text must be escaped");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Bản Mòng"));
        // Papers and form fields by their names in the catalogue, not their codes.
        assert!(html.contains(">Giấy chứng sinh<"), "{html}");
        assert!(
            html.contains("Họ, chữ đệm, tên người được khai sinh"),
            "{html}"
        );
        assert!(!html.contains(">giay_chung_sinh<") && !html.contains(">child_name<"));
        assert!(
            html.contains("<dd>01/11/2026</dd>"),
            "a date value as dd/mm/yyyy"
        );
        // Each dossier links its papers, which open with the console's cookie.
        let link = format!("/officer/dossiers/{code}/documents/");
        let at = html.find(&link).expect("a document link");
        let id: String = html[at + link.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let r = http()
            .get(format!("{}{link}{id}", tp.url))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
        assert!(html.contains("name=\"missing_papers\" value=\"giay_chung_sinh\""));
        // New dossiers offer a fee request (amount + a dd/mm/yyyy deadline), not completion.
        assert!(html.contains("name=\"amount\"") && html.contains("placeholder=\"dd/mm/yyyy\""));
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
        let (status, to) = act(&tp, &code, &cookie, Form::new().text("action", "accept")).await;
        assert_eq!((status, to), (303, format!("/officer/dossiers/{code}")));
        assert_eq!(
            tp.client
                .my_dossier(&s.token, &dossier_ref(&code))
                .await
                .unwrap()
                .status
                .as_str(),
            "processing"
        );
        let (status, body) = act(&tp, &code, &cookie, Form::new().text("action", "accept")).await;
        assert_eq!(status, 409);
        assert!(body.contains("Không thể làm thao tác này") && body.contains("processing"));
        // Deadlines are typed dd/mm/yyyy: a malformed one and a past one are refused in words.
        let supplement = |deadline: &'static str| {
            Form::new()
                .text("action", "request_supplement")
                .text("reason", "Ảnh mờ")
                .text("deadline", deadline)
                .text("missing_papers", "giay_chung_sinh")
        };
        for (typed, says) in [
            ("03/15/2030", "không đúng dạng ngày/tháng/năm"),
            ("1/3/30", "không đúng dạng ngày/tháng/năm"),
            ("01/01/2020", "Hạn 01/01/2020 đã qua"),
        ] {
            let (status, body) = act(&tp, &code, &cookie, supplement(typed)).await;
            assert_eq!(status, 422, "{typed}");
            assert!(body.contains(says), "{typed}: {body}");
        }
        let (status, body) = act(
            &tp,
            &code,
            &cookie,
            Form::new()
                .text("action", "request_supplement")
                .text("deadline", "01/03/2030")
                .text("missing_papers", "giay_chung_sinh"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body.contains("Hãy ghi lý do"), "{body}");
        let (status, _) = act(&tp, &code, &cookie, supplement("01/03/2030")).await;
        assert_eq!(status, 303);
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
        let (_, html) = page(&tp, &format!("/officer/dossiers/{code}"), &cookie).await;
        assert!(
            html.contains("Giấy tờ còn thiếu: Giấy chứng sinh"),
            "{html}"
        );
        assert!(html.contains("23:59 01/03/2030"), "{html}");
        // Without the cookie, no action.
        let r = http()
            .post(format!("{}/officer/dossiers/{code}/actions", tp.url))
            .multipart(Form::new().text("action", "reject"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn each_action_is_recorded_with_the_officers_name() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("6011")).await;
        let code = tp.submitted(&s.token).await.code.unwrap();
        // An (console, cookie) accepts; Bình (API, bearer) asks for the fee.
        let an = login(&tp, OFFICER_AN.1).await;
        let (status, _) = act(&tp, &code, &an, Form::new().text("action", "accept")).await;
        assert_eq!(status, 303);
        let r = tp
            .http
            .post(tp.api(&format!("/officer/dossiers/{code}/actions")))
            .bearer_auth(OFFICER_BINH.1)
            .json(&json!({"action": "request_fee", "amount": 50000,
                          "deadline": "2030-01-01T00:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let d: serde_json::Value = r.json().await.unwrap();
        let by: Vec<(&str, Option<&str>)> = d["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["kind"].as_str().unwrap(), h["officer"].as_str()))
            .collect();
        assert_eq!(
            by,
            [
                ("submitted", None),
                ("accepted", Some(OFFICER_AN.0)),
                ("fee_requested", Some(OFFICER_BINH.0)),
            ]
        );
        // The dossier's page shows who did what, in the history's order.
        let (_, html) = page(&tp, &format!("/officer/dossiers/{code}"), &an).await;
        let history = &html[html.find("Lịch sử xử lý").expect("the history")..];
        let (a, b) = (
            history.find(OFFICER_AN.0).expect("An in the history"),
            history.find(OFFICER_BINH.0).expect("Bình in the history"),
        );
        assert!(a < b, "accepted before the fee request");
        assert!(html.contains(&format!("Cán bộ: <strong>{}</strong>", OFFICER_AN.0)));
        // Bình's cookie names Bình.
        let binh = login(&tp, OFFICER_BINH.1).await;
        let (_, html) = page(&tp, "/officer", &binh).await;
        assert!(html.contains(&format!("Cán bộ: <strong>{}</strong>", OFFICER_BINH.0)));
        // The citizen never sees an officer's name.
        let mine = tp
            .http
            .get(tp.api(&format!("/dossiers/{code}")))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains(&code) && !mine.contains(OFFICER_AN.0) && !mine.contains("officer"));
        // An unknown token, or a known one's prefix, is refused everywhere.
        for wrong in ["not-an-officer", &OFFICER_AN.1[..10]] {
            let r = tp
                .http
                .get(tp.api("/officer/dossiers"))
                .bearer_auth(wrong)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{wrong}");
            let r = http()
                .post(format!("{}/officer/login", tp.url))
                .form(&[("token", wrong)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{wrong}");
        }
        let (status, _) = page(&tp, "/officer", "dvc_officer=forged").await;
        assert_eq!(status, 401);
        // Logging out clears the cookie.
        let r = http()
            .post(format!("{}/officer/logout", tp.url))
            .header("cookie", &an)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(
            r.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}

#[tokio::test]
async fn the_list_is_searched_by_code_or_name_and_paged() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let cookie = login(&tp, OFFICER_AN.1).await;
        let men = tp.citizen(&cccd("6021")).await;
        let mut codes = Vec::new();
        for _ in 0..21 {
            codes.push(tp.submitted(&men.token).await.code.unwrap());
        }
        // Another applicant, with another name.
        let mut xuan = registration(&cccd("6022"));
        xuan.full_name = "Hà Thị Xuân".into();
        xuan.account_type = AccountType::Citizen;
        tp.client.register(&xuan, None).await.unwrap();
        let xs = tp
            .client
            .login(&LoginRequest {
                login: cccd("6022"),
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        let hers = tp.submitted(&xs.token).await.code.unwrap();

        // 22 dossiers: 20 on the first page (newest first), 2 on the second.
        let (_, first) = page(&tp, "/officer", &cookie).await;
        assert_eq!(cards(&first), 20);
        assert!(first.contains("22 hồ sơ") && first.contains("trang 1/2"));
        assert!(first.contains(&hers) && !first.contains(&format!(">{}<", codes[0])));
        assert!(
            first.contains("href=\"/officer?page=2\""),
            "a link to the next page"
        );
        let (_, second) = page(&tp, "/officer?page=2", &cookie).await;
        assert_eq!(cards(&second), 2);
        assert!(second.contains(&codes[0]) && second.contains(&codes[1]));
        assert!(second.contains("href=\"/officer?page=1\""));
        let (status, beyond) = page(&tp, "/officer?page=99", &cookie).await;
        assert_eq!(
            (status, cards(&beyond)),
            (200, 2),
            "past the end: the last page"
        );

        // By name, without diacritics or case.
        for q in ["ha thi xuan", "Hà%20Thị", "XUÂN"] {
            let (_, found) = page(&tp, &format!("/officer?q={q}"), &cookie).await;
            assert_eq!(cards(&found), 1, "{q}");
            assert!(found.contains(&hers), "{q}");
        }
        // By code, whole or a part of it.
        let (_, found) = page(&tp, &format!("/officer?q={}", codes[5]), &cookie).await;
        assert_eq!(cards(&found), 1);
        assert!(found.contains(&codes[5]));
        let seq = &codes[5][codes[5].len() - 4..];
        let (_, found) = page(&tp, &format!("/officer?q=-{seq}"), &cookie).await;
        assert!(cards(&found) >= 1 && found.contains(&codes[5]));
        // The search and a status together, kept in the pages' links.
        let (_, found) = page(&tp, "/officer?q=lo%20van&status=new", &cookie).await;
        assert_eq!(cards(&found), 20);
        assert!(found.contains("href=\"/officer?page=2&amp;q=lo+van&amp;status=new\""));
        let (_, none) = page(&tp, "/officer?q=lo%20van&status=processing", &cookie).await;
        assert_eq!(cards(&none), 0);
        assert!(none.contains("Không có hồ sơ nào khớp"));
        let (status, _) = page(&tp, "/officer?status=bogus", &cookie).await;
        assert_eq!(status, 400);
    }
}

#[tokio::test]
async fn the_inbox_puts_open_questions_first_and_records_who_answered() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("6031")).await;
        let code = tp.submitted(&s.token).await.code.unwrap();
        let first = tp
            .client
            .ask(
                &s.token,
                &AskRequest {
                    text: "Khi nào có kết quả?".into(),
                    dossier: Some(code.clone()),
                },
            )
            .await
            .unwrap();
        let second = tp
            .client
            .ask(
                &s.token,
                &AskRequest {
                    text: "Lệ phí <b>bao nhiêu</b>?".into(),
                    dossier: None,
                },
            )
            .await
            .unwrap();
        let binh = login(&tp, OFFICER_BINH.1).await;
        let answer = |id: i64, text: &'static str| {
            http()
                .post(format!("{}/officer/questions/{id}/answer", tp.url))
                .header("cookie", binh.clone())
                .form(&[("answer", text)])
                .send()
        };
        let r = answer(first.id, "   ").await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Hãy viết câu trả lời"));
        let r = answer(first.id, "Ngày 12/01 anh nhé.").await.unwrap();
        assert_eq!(r.status(), 303);
        let r = answer(first.id, "Lần nữa").await.unwrap();
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("đã được trả lời"));

        let (status, html) = page(&tp, "/officer/questions", &binh).await;
        assert_eq!(status, 200);
        let open_at = html
            .find("Lệ phí &lt;b&gt;bao nhiêu&lt;/b&gt;?")
            .expect("open, escaped");
        let answered_at = html.find("Ngày 12/01 anh nhé.").expect("answered");
        assert!(open_at < answered_at, "open questions first");
        assert!(html.contains("Câu hỏi chưa trả lời (1)"));
        assert!(html.contains(&format!("/officer/questions/{}/answer", second.id)));
        assert!(!html.contains(&format!("/officer/questions/{}/answer", first.id)));
        assert!(html[answered_at..].contains(OFFICER_BINH.0), "who answered");
        // The API says who answered too.
        let answered: serde_json::Value = tp
            .http
            .get(tp.api("/officer/questions?status=answered"))
            .bearer_auth(OFFICER_AN.1)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answered[0]["answered_by"], OFFICER_BINH.0);
    }
}

#[tokio::test]
async fn the_ratings_page_shows_each_rating_and_the_averages() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let cookie = login(&tp, OFFICER_AN.1).await;
        let (_, empty) = page(&tp, "/officer/ratings", &cookie).await;
        assert!(empty.contains("Chưa có đánh giá"));
        let s = tp.citizen(&cccd("6041")).await;
        for (stars, comment) in [(5, Some("Nhanh, <i>tận tình</i>")), (2, None)] {
            let code = tp.submitted(&s.token).await.code.unwrap();
            for action in [
                json!({"action": "accept"}),
                json!({"action": "complete", "result": {"file_name": "kq.pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
                json!({"action": "return_result"}),
            ] {
                let (status, body) = tp.officer(&code, action).await;
                assert_eq!(status, 200, "{body}");
            }
            tp.client
                .rate(
                    &s.token,
                    &dossier_code(&code),
                    &RateRequest {
                        stars,
                        comment: comment.map(str::to_owned),
                    },
                )
                .await
                .unwrap();
        }
        let (status, html) = page(&tp, "/officer/ratings", &cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains("★★★★★ (5/5)") && html.contains("★★☆☆☆ (2/5)"));
        assert!(html.contains("Nhanh, &lt;i&gt;tận tình&lt;/i&gt;"));
        // The average per procedure and per agency: (5 + 2) / 2 = 3,5.
        assert_eq!(
            html.matches("<td>2</td><td>3,5 ★</td>").count(),
            2,
            "{html}"
        );
        assert!(html.contains("Đăng ký khai sinh"));
    }
}

/// The text of the one QR code in a PNG.
fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("it decodes").1
}

#[tokio::test]
async fn posters_and_receipts_carry_the_bots_deep_links() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let cookie = login(&tp, OFFICER_AN.1).await;
        let (_, html) = page(&tp, "/officer/procedures", &cookie).await;
        assert!(html.contains("href=\"/officer/procedures/1.001193/poster\""));
        let (status, poster) = page(&tp, "/officer/procedures/1.001193/poster", &cookie).await;
        assert_eq!(status, 200);
        assert!(poster.contains("<h1>Đăng ký khai sinh</h1>"), "{poster}");
        assert!(poster.contains("src=\"/officer/procedures/1.001193/poster.png\""));
        let png = |path: String, auth: Option<&str>| {
            let mut rb = tp.http.get(format!("{}{path}", tp.url));
            if let Some(token) = auth {
                rb = rb.bearer_auth(token);
            }
            rb.send()
        };
        let r = png(
            "/officer/procedures/1.001193/poster.png".into(),
            Some(OFFICER_AN.1),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(
            decode_qr(&r.bytes().await.unwrap()),
            format!("https://t.me/{TEST_BOT}?start=proc_1_001193")
        );
        let s = tp.citizen(&cccd("6051")).await;
        let code = tp.submitted(&s.token).await.code.unwrap();
        let (_, html) = page(&tp, &format!("/officer/dossiers/{code}"), &cookie).await;
        assert!(html.contains(&format!("src=\"/officer/dossiers/{code}/qr.png\"")));
        let r = png(
            format!("/officer/dossiers/{code}/qr.png"),
            Some(OFFICER_AN.1),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            decode_qr(&r.bytes().await.unwrap()),
            format!(
                "https://t.me/{TEST_BOT}?start=status_{}",
                code.replace('.', "_")
            )
        );
        for (path, want) in [
            ("/officer/procedures/9.999999/poster.png".to_owned(), 404),
            (
                "/officer/dossiers/000.00.25.H50-200101-0009/qr.png".to_owned(),
                404,
            ),
        ] {
            assert_eq!(
                png(path.clone(), Some(OFFICER_AN.1))
                    .await
                    .unwrap()
                    .status(),
                want
            );
            assert_eq!(png(path, None).await.unwrap().status(), 401);
        }
    }
}
