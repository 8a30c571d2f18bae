//! Accounts: registration checks, argon2id hashes, hashed session tokens, logout, lockout.

use dvc_bot::portal::model::{AccountType, LoginRequest};
use dvc_bot::portal::{Portal, PortalError};
use sqlx::Row;

use super::{PASSWORD, cccd, registration, spawn_portal};
use crate::support::engines;

#[tokio::test]
async fn register_checks_values_and_refuses_duplicates() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let account = tp
            .client
            .register(&registration(&cccd("1001")), None)
            .await
            .unwrap();
        assert_eq!(account.login, cccd("1001"));
        assert_eq!(account.account_type, AccountType::Citizen);
        let again = tp
            .client
            .register(&registration(&cccd("1001")), None)
            .await
            .unwrap_err();
        assert!(matches!(again, PortalError::Duplicate { .. }), "{again:?}");

        let mut bad = registration("123");
        bad.phone = "12345".into();
        match tp.client.register(&bad, None).await.unwrap_err() {
            PortalError::Invalid { fields, .. } => assert_eq!(fields[0].field, "citizen_id"),
            other => panic!("{other:?}"),
        }
        let mut bad = registration(&cccd("1002"));
        bad.phone = "12345".into();
        match tp.client.register(&bad, None).await.unwrap_err() {
            PortalError::Invalid { fields, .. } => {
                assert_eq!(
                    (fields[0].field.as_str(), fields[0].code.as_str()),
                    ("phone", "phone")
                )
            }
            other => panic!("{other:?}"),
        }
        // An organisation registers with its tax code.
        let mut org = registration("");
        org.account_type = AccountType::Organisation;
        org.citizen_id = None;
        org.tax_code = Some("5500123456".into());
        let o = tp.client.register(&org, None).await.unwrap();
        assert_eq!(o.login, "5500123456");
        assert_eq!(o.account_type, AccountType::Organisation);

        // The password is stored as an argon2id hash, never as given.
        let db = tp.db.connect().await;
        let rows = sqlx::query("SELECT password_hash FROM accounts")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        for r in rows {
            let h: String = r.try_get("password_hash").unwrap();
            assert!(h.starts_with("$argon2id$"), "{h}");
            assert!(!h.contains(PASSWORD));
        }
        db.close().await;
    }
}

#[tokio::test]
async fn sessions_are_hashed_expire_and_end_at_logout() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let s = tp.citizen(&cccd("1003")).await;
        assert!(s.token.len() >= 32);
        assert!(
            !format!("{s:?}").contains(&s.token),
            "Debug must not show the token"
        );
        let db = tp.db.connect().await;
        let stored: Vec<String> = sqlx::query("SELECT token_hash FROM sessions")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("token_hash").unwrap())
            .collect();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], s.token);
        assert!(
            tp.client
                .my_dossiers(&s.token, None)
                .await
                .unwrap()
                .is_empty()
        );

        tp.client.logout(&s.token).await.unwrap();
        let err = tp.client.my_dossiers(&s.token, None).await.unwrap_err();
        assert!(matches!(err, PortalError::Unauthorized), "{err:?}");

        // An expired session is refused.
        let s2 = tp
            .client
            .login(&LoginRequest {
                login: cccd("1003"),
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        sqlx::query("UPDATE sessions SET expires_at = 1")
            .execute(&db.pool)
            .await
            .unwrap();
        let err = tp.client.my_dossiers(&s2.token, None).await.unwrap_err();
        assert!(matches!(err, PortalError::Unauthorized), "{err:?}");
        db.close().await;
        // No token at all.
        let r = tp.http.get(tp.api("/dossiers")).send().await.unwrap();
        super::assert_json_error(r, 401).await;
    }
}

/// One login attempt over raw HTTP: the status, the `Retry-After` header and the error code.
async fn attempt(
    tp: &super::TestPortal,
    login: &str,
    password: &str,
) -> (u16, Option<u64>, String) {
    let r = tp
        .http
        .post(tp.api("/sessions"))
        .json(&LoginRequest {
            login: login.into(),
            password: password.into(),
        })
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body: serde_json::Value = r.json().await.unwrap();
    (
        status,
        retry,
        body["error"].as_str().unwrap_or("").to_owned(),
    )
}

/// Tries until the portal stops answering 429 (it said when, in `Retry-After`); the answer.
async fn attempt_when_allowed(
    tp: &super::TestPortal,
    login: &str,
    password: &str,
) -> (u16, Option<u64>, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let answer = attempt(tp, login, password).await;
        if answer.0 != 429 {
            return answer;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still 429: {answer:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Issue 13.10: failed logins slow down (429 with a growing `Retry-After`) instead of locking,
/// and an unknown account answers exactly like a known one, so nobody learns which CCCDs
/// have accounts.
#[tokio::test]
async fn failed_logins_slow_down_the_same_for_known_and_unknown_accounts() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let known = cccd("1004");
        let unknown = cccd("1006");
        tp.client
            .register(&registration(&known), None)
            .await
            .unwrap();
        let mut answers = Vec::new();
        for login in [&known, &unknown] {
            let mut seen = Vec::new();
            for _ in 0..4 {
                let (status, retry, error) = attempt(&tp, login, "Sai12345").await;
                seen.push((status, retry.is_some(), error));
            }
            answers.push(seen);
        }
        assert_eq!(answers[0], answers[1], "known and unknown answer alike");
        let statuses: Vec<u16> = answers[0].iter().map(|a| a.0).collect();
        assert_eq!(statuses[0], 401, "{statuses:?}");
        assert!(statuses.contains(&429), "slowed down: {statuses:?}");
        assert!(!statuses.contains(&423), "no lock: {statuses:?}");
        let slowed = answers[0].iter().find(|a| a.0 == 429).unwrap();
        assert!(slowed.1, "429 carries Retry-After");
        assert_eq!(slowed.2, "too_many_attempts");

        // The wait grows with each failure.
        let (_, first_wait, _) = attempt(&tp, &known, "Sai12345").await;
        let (status, _, _) = attempt_when_allowed(&tp, &known, "Sai12345").await;
        assert_eq!(status, 401);
        let (status, second_wait, _) = attempt(&tp, &known, "Sai12345").await;
        assert_eq!(status, 429);
        assert!(
            second_wait.unwrap_or(0) > first_wait.unwrap_or(0),
            "{first_wait:?} then {second_wait:?}"
        );
        // Once the wait is over, the right password works and the count starts again.
        let (status, _, _) = attempt_when_allowed(&tp, &known, PASSWORD).await;
        assert_eq!(status, 201);
        let (status, _, _) = attempt(&tp, &known, "Sai12345").await;
        assert_eq!(status, 401, "counted from zero after a success");
        // Through the client: a typed error with the time to try again.
        let other = cccd("1007");
        for _ in 0..3 {
            attempt(&tp, &other, "Sai12345").await;
        }
        let err = tp
            .client
            .login(&LoginRequest {
                login: other,
                password: PASSWORD.into(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, PortalError::TooManyAttempts { .. }),
            "{err:?}"
        );
    }
}

/// Issue 13.10: one client failing with many different accounts is slowed down too, for any
/// account it tries next.
#[tokio::test]
async fn one_client_trying_many_accounts_is_slowed_down() {
    let tp = spawn_portal(engines()[0]).await;
    let mut tried = 0;
    let slowed = loop {
        tried += 1;
        assert!(tried <= 100, "never slowed down");
        let (status, retry, _) =
            attempt(&tp, &cccd(&format!("{:04}", 2000 + tried)), "Sai12345").await;
        if status == 429 {
            break retry;
        }
        assert_eq!(status, 401);
    };
    assert!(tried > 4, "more room than for one account ({tried})");
    assert!(slowed.is_some_and(|s| s >= 1));
}

/// Issue 13 (security leftover): the bot is one client for every citizen, so it names the end
/// user in `X-Dvc-Client` with the service token, and failed logins are counted for that user:
/// one citizen's failures slow their own next login, not another's through the same bot. The
/// header means nothing without the service token (the address is counted then).
#[tokio::test]
async fn failed_logins_count_for_the_end_user_a_service_names() {
    let tp = spawn_portal(engines()[0]).await;
    let known = cccd("3001");
    tp.client
        .register(&registration(&known), None)
        .await
        .unwrap();
    let service = tp
        .client
        .clone()
        .with_service_token(dvc_bot::config::Secret::new(&tp.service_token));
    let wrong = |n: usize| LoginRequest {
        login: cccd(&format!("{:04}", 3100 + n)),
        password: "Sai12345".into(),
    };
    // One end user fails with many accounts until the portal slows them down.
    let mut tried = 0;
    loop {
        tried += 1;
        assert!(tried <= 100, "never slowed down");
        match service.login_as(&wrong(tried), "tg-attacker").await {
            Err(PortalError::Unauthorized) => {}
            Err(PortalError::TooManyAttempts { .. }) => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(tried > 4, "more room than for one account ({tried})");
    // Another end user of the same service logs in at once.
    let right = LoginRequest {
        login: known.clone(),
        password: PASSWORD.into(),
    };
    service
        .login_as(&right, "tg-someone-else")
        .await
        .expect("another citizen is not slowed down");
    // The attacker still waits, whatever account they try.
    let err = service.login_as(&right, "tg-attacker").await.unwrap_err();
    assert!(
        matches!(err, PortalError::TooManyAttempts { .. }),
        "{err:?}"
    );

    // Without the service token the header is ignored: the address is counted.
    let other = spawn_portal(engines()[0]).await;
    other
        .client
        .register(&registration(&known), None)
        .await
        .unwrap();
    let mut tried = 0;
    loop {
        tried += 1;
        assert!(tried <= 100, "never slowed down");
        let answer = other
            .http
            .post(other.api("/sessions"))
            .header("X-Dvc-Client", format!("forged-{tried}"))
            .json(&wrong(tried))
            .send()
            .await
            .unwrap();
        match answer.status().as_u16() {
            401 => {}
            429 => break,
            s => panic!("{s}"),
        }
    }
    let answer = other
        .http
        .post(other.api("/sessions"))
        .header("X-Dvc-Client", "forged-someone-else")
        .json(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 429, "the address is slowed down");
}

/// Issue 13.3: with an `Idempotency-Key`, a retried registration answers the account it made
/// (200, same id), so a client cut off after the portal created it can finish; without the
/// key, or with another one, the CCCD is a duplicate.
#[tokio::test]
async fn a_registration_retried_with_its_key_answers_the_same_account() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let id = cccd("1010");
        let post = |key: Option<&'static str>| {
            let mut r = tp.http.post(tp.api("/accounts")).json(&registration(&id));
            if let Some(key) = key {
                r = r.header("Idempotency-Key", key);
            }
            r.send()
        };
        let first = post(Some("reg-1010-a")).await.unwrap();
        assert_eq!(first.status().as_u16(), 201);
        let first: serde_json::Value = first.json().await.unwrap();
        let again = post(Some("reg-1010-a")).await.unwrap();
        assert_eq!(again.status().as_u16(), 200);
        let again: serde_json::Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["login"], id.as_str());
        for key in [Some("reg-1010-b"), None] {
            let other = post(key).await.unwrap();
            let body = super::assert_json_error(other, 409).await;
            assert_eq!(body["error"], "duplicate");
        }
        // The account works with the password given.
        tp.client
            .login(&LoginRequest {
                login: id.clone(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
    }
}

/// `GET /api/v1/accounts/me`: the session's own account, whole, and only with a session.
#[tokio::test]
async fn me_is_the_sessions_own_account() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        let first = tp.citizen(&cccd("1101")).await;
        let mut other = registration(&cccd("1102"));
        other.full_name = "Quàng Thị Lan".into();
        other.birth_date = "1985-02-03".into();
        other.address = "Bản Mòng, xã Hua La, tỉnh Sơn La".into();
        tp.client.register(&other, None).await.expect("register");
        let second = tp
            .client
            .login(&LoginRequest {
                login: cccd("1102"),
                password: PASSWORD.into(),
            })
            .await
            .expect("login");

        let me = tp.client.account(&first.token).await.expect("me");
        let expected = registration(&cccd("1101"));
        assert_eq!(me.id, first.account.id);
        assert_eq!(me.login, cccd("1101"));
        assert_eq!(me.full_name, expected.full_name);
        assert_eq!(me.birth_date.to_string(), expected.birth_date);
        assert_eq!(me.address, expected.address);
        assert_eq!(me.account_type, AccountType::Citizen);

        let them = tp.client.account(&second.token).await.expect("me");
        assert_eq!(them.id, second.account.id);
        assert_eq!(
            (
                them.login.as_str(),
                them.full_name.as_str(),
                them.address.as_str()
            ),
            (
                cccd("1102").as_str(),
                "Quàng Thị Lan",
                "Bản Mòng, xã Hua La, tỉnh Sơn La"
            )
        );
        assert_eq!(them.birth_date.to_string(), "1985-02-03");
        // Debug never shows the details (log lines).
        let debug = format!("{them:?}");
        assert!(!debug.contains("Lan") && !debug.contains("1102"), "{debug}");

        for token in ["", "not-a-session"] {
            let refused = tp.client.account(token).await.unwrap_err();
            assert!(matches!(refused, PortalError::Unauthorized), "{refused:?}");
        }
        let refused = reqwest::get(tp.api("/accounts/me")).await.expect("answer");
        assert_eq!(refused.status(), 401);
        // Logged out: no longer.
        tp.client.logout(&first.token).await.expect("logout");
        let refused = tp.client.account(&first.token).await.unwrap_err();
        assert!(matches!(refused, PortalError::Unauthorized), "{refused:?}");
    }
}
