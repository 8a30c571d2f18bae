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
            .register(&registration(&cccd("1001")))
            .await
            .unwrap();
        assert_eq!(account.login, cccd("1001"));
        assert_eq!(account.account_type, AccountType::Citizen);
        let again = tp
            .client
            .register(&registration(&cccd("1001")))
            .await
            .unwrap_err();
        assert!(matches!(again, PortalError::Duplicate { .. }), "{again:?}");

        let mut bad = registration("123");
        bad.phone = "12345".into();
        match tp.client.register(&bad).await.unwrap_err() {
            PortalError::Invalid { fields, .. } => assert_eq!(fields[0].field, "citizen_id"),
            other => panic!("{other:?}"),
        }
        let mut bad = registration(&cccd("1002"));
        bad.phone = "12345".into();
        match tp.client.register(&bad).await.unwrap_err() {
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
        let o = tp.client.register(&org).await.unwrap();
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

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_15_minutes() {
    for engine in engines() {
        let tp = spawn_portal(engine).await;
        tp.client
            .register(&registration(&cccd("1004")))
            .await
            .unwrap();
        tp.client
            .register(&registration(&cccd("1005")))
            .await
            .unwrap();
        let wrong = LoginRequest {
            login: cccd("1004"),
            password: "Sai12345".into(),
        };
        for attempt in 1..=4 {
            let err = tp.client.login(&wrong).await.unwrap_err();
            assert!(
                matches!(err, PortalError::Unauthorized),
                "attempt {attempt}: {err:?}"
            );
        }
        let before = chrono::Utc::now();
        let until = match tp.client.login(&wrong).await.unwrap_err() {
            PortalError::LockedOut { until } => until,
            other => panic!("fifth failure: {other:?}"),
        };
        let minutes = (until - before).num_minutes();
        assert!((14..=15).contains(&minutes), "{minutes}");
        // Even the right password is refused while locked.
        let right = LoginRequest {
            login: cccd("1004"),
            password: PASSWORD.into(),
        };
        let err = tp.client.login(&right).await.unwrap_err();
        assert!(matches!(err, PortalError::LockedOut { .. }), "{err:?}");
        let r = tp
            .http
            .post(tp.api("/sessions"))
            .json(&right)
            .send()
            .await
            .unwrap();
        let body = super::assert_json_error(r, 423).await;
        assert_eq!(body["error"], "locked_out");
        // Another account is not affected.
        tp.client
            .login(&LoginRequest {
                login: cccd("1005"),
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        // When the lock has passed (moved into the past here), the right password works.
        let db = tp.db.connect().await;
        sqlx::query("UPDATE accounts SET locked_until = 1")
            .execute(&db.pool)
            .await
            .unwrap();
        db.close().await;
        tp.client.login(&right).await.unwrap();
        // Unknown logins answer like wrong passwords.
        let err = tp
            .client
            .login(&LoginRequest {
                login: cccd("9999"),
                password: PASSWORD.into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(err, PortalError::Unauthorized), "{err:?}");
    }
}
