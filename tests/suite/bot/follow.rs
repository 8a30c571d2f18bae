//! Anyone's lookup with the second factor, and following a relative's dossier without an
//! account, through the sandbox: the summary, the history and the fee after the right last
//! digits, the follow stored and listed, `/unfollow` by button, and the lock after too many
//! wrong digits.

use dvc_bot::db::follows;
use dvc_bot::domain::DossierCode;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{LoginRequest, OfficerAction, OfficerActionKind};
use dvc_bot::sandbox::client::Citizen;

use super::{System, bot_text, has_button};
use crate::portal::{PASSWORD, cccd, complete_draft_with, registration};
use crate::support::engines;
use crate::support::said::en;
use crate::support::wait::Expect;

/// A birth registration submitted at the portal by the citizen with this CCCD, accepted, and
/// waiting for a fee of 150 000 đồng.
async fn dossier_waiting_for_a_fee(sys: &System, id: &str) -> DossierCode {
    let portal = &sys.portal_client;
    portal
        .register(&registration(id), None)
        .await
        .expect("register");
    let session = portal
        .login(&LoginRequest {
            login: id.to_owned(),
            password: PASSWORD.to_owned(),
        })
        .await
        .expect("login");
    let draft = complete_draft_with(portal, &session.token).await;
    let submitted = portal
        .submit(&session.token, &draft.id.into(), "follow-1")
        .await
        .expect("submit");
    let code = submitted.code.expect("a code");
    let parsed = DossierCode::parse(&code).expect("a dossier code");
    let act = |action, amount: Option<i64>| OfficerAction {
        action,
        reason: None,
        deadline: amount.map(|_| "2030-02-01T00:00:00Z".parse().expect("time")),
        amount,
        missing_papers: Vec::new(),
        payment_ref: None,
        result: None,
    };
    for action in [
        act(OfficerActionKind::Accept, None),
        act(OfficerActionKind::RequestFee, Some(150_000)),
    ] {
        portal
            .officer_action("officer-test-token", &parsed.clone().into(), &action)
            .await
            .expect("officer action");
    }
    DossierCode::parse(&code).expect("a dossier code")
}

async fn followed(sys: &System, who: &Citizen) -> Vec<DossierCode> {
    let db = sys.db().await;
    let codes = follows::of_chat(&db, who.id).await.expect("follows");
    db.close().await;
    codes
}

#[tokio::test]
async fn a_relative_looks_up_follows_and_unfollows_a_dossier() {
    let sys = System::start(engines()[0]).await;
    let code = dossier_waiting_for_a_fee(&sys, &cccd("4321")).await;
    let applicant = registration(&cccd("4321"));
    let personal = [
        applicant.full_name.as_str(),
        applicant.phone.as_str(),
        applicant.address.as_str(),
        "014090004321",
        "Lò Thị Hoa",
    ];
    let relative = Citizen::new(7_300_001).language("en");

    // A code sent from the menu: the public summary, with the offer to see more or follow.
    let t = sys.say(&relative, code.as_str()).await;
    let text = bot_text(&t);
    assert!(
        text.contains(code.as_str()) && text.contains("Fee payment"),
        "{text}"
    );
    assert!(
        !text.contains("150.000"),
        "no amount without the digits: {text}"
    );
    assert!(has_button(&t, "More (last 4 digits of the CCCD)"), "{text}");
    assert!(has_button(&t, "Follow this dossier"), "{text}");

    // More: wrong digits show nothing more and ask again; the right ones show the fee and
    // the history, never a personal field.
    sys.press(&relative, "More (last 4 digits of the CCCD)")
        .await;
    let t = sys.say(&relative, "0000").await;
    assert!(!bot_text(&t).contains("150.000"), "{}", bot_text(&t));
    assert!(matches!(
        sys.stored_state(&relative).await.step,
        dvc_bot::bot::state::Step::LookupLast4 { .. }
    ));
    let t = sys.say(&relative, "4321").await;
    let text = bot_text(&t);
    assert!(text.contains("150.000 ₫"), "the fee: {text}");
    assert!(text.contains("01/02/2030"), "its deadline: {text}");
    assert!(text.contains("Being processed"), "the history: {text}");
    for p in personal {
        assert!(!text.contains(p), "{p:?} leaked: {text}");
    }

    // Follow: the digits once more, then the follow is stored and listed in /account.
    sys.press(&relative, "Follow this dossier").await;
    let t = sys.say(&relative, "4321").await;
    assert!(bot_text(&t).contains(code.as_str()), "{}", bot_text(&t));
    assert_eq!(followed(&sys, &relative).await, vec![code.clone()]);
    let t = sys
        .say_until(
            &relative,
            "/account",
            Expect::said(en("follow-list").arg("count", "1")),
        )
        .await;
    assert!(bot_text(&t).contains(code.as_str()), "{}", bot_text(&t));
    // Following again is said, not stored twice.
    let t = sys.say(&relative, &format!("/follow {code}")).await;
    assert!(bot_text(&t).contains(code.as_str()), "{}", bot_text(&t));
    assert_eq!(followed(&sys, &relative).await.len(), 1);

    // /unfollow lists the codes as buttons; pressing one stops following it.
    let t = sys.say(&relative, "/unfollow").await;
    assert!(has_button(&t, code.as_str()), "{}", bot_text(&t));
    sys.press(&relative, code.as_str()).await;
    assert!(followed(&sys, &relative).await.is_empty());

    // Someone guessing: with the relative's one wrong try, five wrong tries on this code; then
    // the portal refuses even the right digits and the bot says until when (a time in
    // Vietnam), and nothing is followed.
    let guesser = Citizen::new(7_300_002).language("en");
    sys.say(&guesser, &format!("/follow {code}")).await;
    for guess in ["1000", "1001", "1002", "1003"] {
        let t = sys.say(&guesser, guess).await;
        assert!(!bot_text(&t).contains("150.000"), "{}", bot_text(&t));
    }
    let t = sys.say(&guesser, "4321").await;
    let text = bot_text(&t);
    let soon = chrono::Utc::now() + chrono::Duration::minutes(15);
    let until = dvc_bot::i18n::format_date(dvc_bot::i18n::local_date(soon));
    assert!(text.contains(&until), "when to try again ({until}): {text}");
    assert!(followed(&sys, &guesser).await.is_empty());
    assert_eq!(
        sys.stored_state(&guesser).await.step,
        dvc_bot::bot::state::Step::Idle
    );
}
