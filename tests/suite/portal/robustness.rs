//! Client mistakes: malformed JSON, unknown fields, huge bodies, odd paths and methods — each a
//! 4xx with a JSON error body, never a 500.

use serde_json::json;

use super::{assert_json_error, cccd, registration, spawn_portal};
use crate::support::engines;

#[tokio::test]
async fn malformed_requests_get_json_4xx() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let h = &tp.http;
        let send = |rb: reqwest::RequestBuilder| async move { rb.send().await.unwrap() };

        let r = send(
            h.post(tp.api("/accounts"))
                .header("content-type", "application/json")
                .body("{\"full_name\": "),
        )
        .await;
        assert_eq!(assert_json_error(r, 400).await["error"], "malformed_json");

        let mut reg = serde_json::to_value(registration(&cccd("3001"))).unwrap();
        reg["is_admin"] = json!(true);
        let r = send(h.post(tp.api("/accounts")).json(&reg)).await;
        let body = assert_json_error(r, 400).await;
        assert!(
            body["message"].as_str().unwrap().contains("is_admin"),
            "{body}"
        );

        let r = send(h.post(tp.api("/sessions")).body("login=x")).await;
        assert_json_error(r, 415).await;

        let huge = format!(
            "{{\"login\": \"{}\", \"password\": \"x\"}}",
            "a".repeat(2 * 1024 * 1024)
        );
        let r = send(
            h.post(tp.api("/sessions"))
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
        assert_eq!(assert_json_error(r, 413).await["error"], "too_large");
        // Streamed, with no declared length: refused once the limit is passed.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..40).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
        let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
        let r = send(
            h.post(tp.api("/accounts"))
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_json_error(r, 413).await;
        // A whole request above the portal's body cap, on an upload route.
        let s0 = tp.citizen(&cccd("3000")).await;
        let d0 = tp.complete_draft(&s0.token).await;
        let big = vec![b'x'; 25 * 1024 * 1024];
        let r = send(
            h.post(tp.api(&format!("/dossiers/{}/documents", d0.id)))
                .bearer_auth(&s0.token)
                .header("content-type", "multipart/form-data; boundary=B")
                .body(big),
        )
        .await;
        assert_json_error(r, 413).await;

        let r = send(h.get(tp.api("/no/such/route"))).await;
        assert_json_error(r, 404).await;
        let r = send(h.put(tp.api("/procedures"))).await;
        assert_json_error(r, 405).await;
        let r = send(h.get(format!(
            "{}/api/v1/procedures/..%2F..%2Fetc%2Fpasswd",
            tp.url
        )))
        .await;
        assert_json_error(r, 404).await;
        let r = send(h.get(format!("{}/api/v1/../../etc/passwd", tp.url))).await;
        assert!(r.status().is_client_error());

        let s = tp.citizen(&cccd("3002")).await;
        let r = send(
            h.get(format!("{}/api/v1/dossiers/..%2F..%2Fsecret", tp.url))
                .bearer_auth(&s.token),
        )
        .await;
        assert_json_error(r, 404).await;
        let r = send(
            h.get(tp.api("/dossiers?status=bogus"))
                .bearer_auth(&s.token),
        )
        .await;
        assert_json_error(r, 400).await;
        let r = send(
            h.get(tp.api("/events?after=abc"))
                .bearer_auth(&tp.service_token),
        )
        .await;
        assert_json_error(r, 400).await;
        let r = send(
            h.post(tp.api("/dossiers"))
                .bearer_auth(&s.token)
                .json(&json!({"procedure_code": "nope"})),
        )
        .await;
        assert_json_error(r, 422).await;
        let r = send(h.post(tp.api("/dossiers")).bearer_auth(&s.token).json(&json!({"procedure_code": "1.001193", "values": {"child_birth_date": "31/02/2026", "x": "y"}}))).await;
        let body = assert_json_error(r, 422).await;
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["child_birth_date", "x"]);
        let r = send(
            h.post(tp.api("/dossiers"))
                .bearer_auth(&s.token)
                .header("Idempotency-Key", "k".repeat(200))
                .json(&json!({"procedure_code": "1.001193"})),
        )
        .await;
        assert_json_error(r, 400).await;
        let d = tp.complete_draft(&s.token).await;
        let r = send(
            h.post(tp.api(&format!("/dossiers/{}/documents", d.id)))
                .bearer_auth(&s.token)
                .header("content-type", "multipart/form-data; boundary=XX")
                .body("garbage"),
        )
        .await;
        assert!(r.status().is_client_error(), "{}", r.status());
        assert!(r.json::<serde_json::Value>().await.unwrap()["error"].is_string());
        let r = send(
            h.post(tp.api(&format!("/dossiers/{}/documents", d.id)))
                .bearer_auth(&s.token)
                .json(&json!({})),
        )
        .await;
        assert_json_error(r, 400).await;
        let r = send(
            h.post(tp.api(&format!("/officer/dossiers/{}/actions", d.id)))
                .bearer_auth(&tp.officer_token)
                .json(&json!({"action": "launch"})),
        )
        .await;
        assert_json_error(r, 400).await;
        let r = send(
            h.post(tp.api(&format!("/officer/dossiers/{}/actions", d.id)))
                .bearer_auth(&tp.officer_token)
                .json(&json!({"action": "accept"})),
        )
        .await;
        assert_json_error(r, 404).await;
        let r = send(
            h.post(tp.api("/officer/dossiers/000.05.02.H50-991399-0001/actions"))
                .bearer_auth(&tp.officer_token)
                .json(&json!({"action": "accept"})),
        )
        .await;
        assert_json_error(r, 404).await;
    }
}
