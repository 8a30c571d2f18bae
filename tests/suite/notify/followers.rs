//! Who hears what: a follower (no account) gets the dossier's status without personal data or
//! buttons, and nothing after unfollowing; an officer's answer to a question reaches the
//! asker's chat and nobody else's.

use dvc_bot::db::follows;
use dvc_bot::domain::DossierCode;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::AskRequest;
use dvc_bot::sandbox::client::Citizen;
use serde_json::json;

use super::{Notified, in_secs, labels};
use crate::support::engines;

#[tokio::test]
async fn a_follower_hears_the_status_alone_and_nothing_after_unfollowing() {
    for engine in engines() {
        let n = Notified::start(engine, false, |_| {}).await;
        let (session, code) = n.citizen_with_dossier("6611").await;
        let owner = n.link(7_400_001, &session, "vi").await;
        let follower = Citizen::new(7_400_002).language("en");
        n.client
            .send_text(follower.clone(), "hello")
            .await
            .expect("the chat opens");
        // The submission's own event is read before the follow begins, so that the first
        // thing the follower hears is the officer's accept.
        n.drained().await;
        let parsed = DossierCode::parse(&code).expect("code");
        assert!(
            follows::add(&n.db, follower.id, &parsed)
                .await
                .expect("follow")
        );

        n.officer(&code, json!({"action": "accept"})).await;
        let told = n.wait_for(&follower, 0, |m| m.text.contains(&code)).await;
        assert!(labels(&told).is_empty(), "no action buttons: {told:?}");
        for personal in [
            session.account.login.as_str(),
            session.account.full_name.as_str(),
        ] {
            assert!(
                !told.text.contains(personal),
                "{personal} in {:?}",
                told.text
            );
        }
        // The owner hears it too, with the card's button.
        let owner_told = n.wait_for(&owner, 0, |m| m.text.contains(&code)).await;
        assert!(!labels(&owner_told).is_empty(), "{owner_told:?}");
        n.drained().await;
        assert_eq!(
            n.bot_messages(&follower).await.len(),
            1,
            "one status message"
        );

        assert!(
            follows::remove(&n.db, follower.id, &parsed)
                .await
                .expect("unfollow")
        );
        let seen = n.bot_messages(&follower).await.len();
        let owner_seen = owner_told.message_id;
        n.officer(
            &code,
            json!({"action": "request_fee", "amount": 150000, "deadline": in_secs(3600)}),
        )
        .await;
        // The owner's fee message arrives, the feed is read and the outbox empty: the former
        // follower was given nothing.
        n.wait_for(&owner, owner_seen, |m| m.text.contains("150.000"))
            .await;
        n.drained().await;
        assert_eq!(n.bot_messages(&follower).await.len(), seen);
        n.stop().await;
    }
}

#[tokio::test]
async fn an_officers_answer_reaches_the_askers_chat_alone() {
    for engine in engines() {
        let n = Notified::start(engine, false, |_| {}).await;
        let (session, code) = n.citizen_with_dossier("6622").await;
        let asker = n.link(7_400_011, &session, "en").await;
        let follower = Citizen::new(7_400_012).language("vi");
        n.client
            .send_text(follower.clone(), "hello")
            .await
            .expect("the chat opens");
        let parsed = DossierCode::parse(&code).expect("code");
        follows::add(&n.db, follower.id, &parsed)
            .await
            .expect("follow");

        let asked =
            n.tp.client
                .ask(
                    &session.token,
                    &AskRequest {
                        text: "Khi nào có kết quả?".into(),
                        dossier: Some(code.clone()),
                    },
                )
                .await
                .expect("asked");
        let general =
            n.tp.client
                .ask(
                    &session.token,
                    &AskRequest {
                        text: "Lệ phí trả thế nào?".into(),
                        dossier: None,
                    },
                )
                .await
                .expect("asked");
        for (id, answer) in [
            (asked.id, "Ngày 12/01 anh nhé."),
            (general.id, "Chuyển khoản."),
        ] {
            let r =
                n.tp.http
                    .post(n.tp.api(&format!("/officer/questions/{id}/answer")))
                    .bearer_auth(&n.tp.officer_token)
                    .json(&json!({ "answer": answer }))
                    .send()
                    .await
                    .expect("answer");
            assert_eq!(r.status(), 200);
        }
        let about = n
            .wait_for(&asker, 0, |m| m.text.contains("Ngày 12/01 anh nhé."))
            .await;
        assert!(about.text.contains(&code), "{about:?}");
        n.wait_for(&asker, 0, |m| m.text.contains("Chuyển khoản."))
            .await;
        n.drained().await;
        assert!(
            n.bot_messages(&follower)
                .await
                .iter()
                .all(|m| !m.text.contains("anh nhé") && !m.text.contains("Chuyển khoản")),
            "a follower never sees the asker's answers"
        );
        n.stop().await;
    }
}
