//! Uploads: type checked by content, size capped per paper, file names refused when they try
//! to leave their folder, files stored once by SHA-256.

use dvc_bot::portal::model::CreateDraft;
use dvc_bot::portal::{Portal, PortalError};
use reqwest::multipart::{Form, Part};

use super::{BIRTH, TestPortal, assert_json_error, cccd, pdf, png, spawn_portal, upload};
use crate::support::engines;

async fn post_file(
    tp: &TestPortal,
    token: &str,
    id: i64,
    paper: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("application/pdf")
        .unwrap();
    tp.http
        .post(tp.api(&format!("/dossiers/{id}/documents")))
        .bearer_auth(token)
        .multipart(Form::new().part(paper.to_owned(), part))
        .send()
        .await
        .unwrap()
}

async fn draft(tp: &TestPortal, token: &str, procedure: &str) -> i64 {
    tp.client
        .create_draft(
            token,
            &CreateDraft {
                procedure_code: procedure.into(),
                values: Default::default(),
                delivery: None,
            },
            None,
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn wrong_types_are_refused_by_content() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("2001")).await;
        let id = draft(&tp, &s.token, BIRTH).await;
        // An executable named .pdf.
        let r = post_file(
            &tp,
            &s.token,
            id,
            "giay_chung_sinh",
            "chung-sinh.pdf",
            b"MZ\x90\x00\x03".to_vec(),
        )
        .await;
        let body = assert_json_error(r, 415).await;
        assert_eq!(body["error"], "wrong_file_type");
        let msg = body["message"].as_str().unwrap();
        assert!(
            msg.contains("PDF, JPEG, PNG") && msg.contains("Giấy chứng sinh"),
            "{msg}"
        );
        // A real PNG where only PDF is accepted (signature certification's document).
        let id2 = draft(&tp, &s.token, "2.000884").await;
        let r = post_file(&tp, &s.token, id2, "van_ban", "scan.pdf", png()).await;
        let body = assert_json_error(r, 415).await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("accepted types are PDF"),
            "{body}"
        );
        // A paper the procedure does not have.
        let r = post_file(&tp, &s.token, id, "ho_chieu", "x.pdf", pdf()).await;
        assert_json_error(r, 422).await;
        // Through the client, a typed refusal.
        let err = tp
            .client
            .upload(
                &s.token,
                &id.into(),
                upload("giay_chung_sinh", "a.pdf", b"hello".to_vec()),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, PortalError::Invalid { ref message, .. } if message.contains("not an accepted file")),
            "{err:?}"
        );
        let d = tp.client.my_dossier(&s.token, &id.into()).await.unwrap();
        assert!(d.documents.is_empty());
    }
}

#[tokio::test]
async fn oversized_files_are_refused_with_the_limit() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("2002")).await;
        let id = draft(&tp, &s.token, BIRTH).await;
        let mut big = pdf();
        big.resize(5 * 1024 * 1024 + 1, b' ');
        let r = post_file(&tp, &s.token, id, "giay_chung_sinh", "big.pdf", big.clone()).await;
        let body = assert_json_error(r, 413).await;
        assert_eq!(body["error"], "file_too_large");
        assert!(
            body["message"].as_str().unwrap().contains("5.0 MB"),
            "{body}"
        );
        // Exactly at the cap is fine.
        big.truncate(5 * 1024 * 1024);
        let r = post_file(&tp, &s.token, id, "giay_chung_sinh", "ok.pdf", big).await;
        assert_eq!(r.status(), 201);
    }
}

#[tokio::test]
async fn path_traversal_in_file_names_is_refused() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("2003")).await;
        let id = draft(&tp, &s.token, BIRTH).await;
        for name in [
            "../../etc/passwd.pdf",
            "..\\..\\win.pdf",
            "/abs/x.pdf",
            ".hidden.pdf",
            "ok/../../x.pdf",
        ] {
            let r = post_file(&tp, &s.token, id, "giay_chung_sinh", name, pdf()).await;
            let body = assert_json_error(r, 422).await;
            assert_eq!(body["error"], "bad_file_name", "{name:?}: {body}");
        }
        // A control character breaks the multipart header itself: still a JSON 400.
        let r = post_file(&tp, &s.token, id, "giay_chung_sinh", "a\u{1}b.pdf", pdf()).await;
        assert_json_error(r, 400).await;
        // Nothing was written for them; a good upload lands content-addressed.
        let r = post_file(
            &tp,
            &s.token,
            id,
            "giay_chung_sinh",
            "giấy chứng sinh.pdf",
            pdf(),
        )
        .await;
        assert_eq!(r.status(), 201);
        let docs: serde_json::Value = r.json().await.unwrap();
        let sha = docs[0]["sha256"].as_str().unwrap().to_owned();
        assert_eq!(docs[0]["file_name"], "giấy chứng sinh.pdf");
        let root = tp.files.path().join("files");
        let mut stored = Vec::new();
        for dir in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                stored.push(f.unwrap().file_name().to_string_lossy().into_owned());
            }
        }
        assert_eq!(stored, vec![sha.clone()]);
        // The same bytes again: the same single file.
        let r = post_file(&tp, &s.token, id, "dang_ky_ket_hon", "copy.pdf", pdf()).await;
        assert_eq!(r.status(), 201);
        assert_eq!(std::fs::read_dir(root.join(&sha[..2])).unwrap().count(), 1);
    }
}

/// Issue 13.2: an upload sent again with the same `Idempotency-Key` (its answer lost, or the
/// bot stopped before it saved it) answers the document already stored, not a second one.
#[tokio::test]
async fn an_upload_repeated_with_its_idempotency_key_is_stored_once() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("2013")).await;
        let id = draft(&tp, &s.token, BIRTH).await;
        let send = |key: &'static str| {
            let part = Part::bytes(pdf())
                .file_name("chung-sinh.pdf")
                .mime_str("application/pdf")
                .unwrap();
            tp.http
                .post(tp.api(&format!("/dossiers/{id}/documents")))
                .bearer_auth(&s.token)
                .header("Idempotency-Key", key)
                .multipart(Form::new().part("giay_chung_sinh", part))
                .send()
        };
        let first = send("paper-giay_chung_sinh-1").await.unwrap();
        assert_eq!(first.status().as_u16(), 201);
        let first: serde_json::Value = first.json().await.unwrap();
        let again = send("paper-giay_chung_sinh-1").await.unwrap();
        assert_eq!(again.status().as_u16(), 200, "a replay, nothing created");
        let again: serde_json::Value = again.json().await.unwrap();
        assert_eq!(first[0]["id"], again[0]["id"], "{first} {again}");
        let d = tp.client.my_dossier(&s.token, &id.into()).await.unwrap();
        assert_eq!(d.documents.len(), 1, "{:?}", d.documents);
        // Another key is another paper.
        let other = send("paper-giay_chung_sinh-2").await.unwrap();
        assert_eq!(other.status().as_u16(), 201);
        let d = tp.client.my_dossier(&s.token, &id.into()).await.unwrap();
        assert_eq!(d.documents.len(), 2);
    }
}
