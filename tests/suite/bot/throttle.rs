//! Failed logins through the bot are counted for the citizen who made them: the portal slows
//! down failed logins per client, and the bot, one client for every citizen, names the end user
//! (an opaque hash of the Telegram user) with its service token.

use dvc_bot::portal::client::Portal;
use dvc_bot::sandbox::client::Citizen;

use super::System;
use crate::portal::{PASSWORD, cccd, registration};
use crate::support::engines;
use crate::support::said::{vi, vi_label};
use crate::support::wait::Expect;

/// `/start` and Vietnamese, then `/login` up to the username question.
async fn to_username(sys: &System, who: &Citizen, first: bool) {
    if first {
        let language = vi_label("language-vi");
        sys.say_until(who, "/start", Expect::button(&language))
            .await;
        sys.press_until(who, &language, Expect::said(vi("language-set")))
            .await;
        let agree = vi_label("consent-agree");
        sys.say_until(
            who,
            "/login",
            Expect::said_with(vi("consent-statement"), &agree),
        )
        .await;
        sys.press_until(who, &agree, Expect::said(vi("ask-kind")))
            .await;
    } else {
        // Still asked for the password: a typed command would be taken for one.
        sys.say_until(who, "/cancel", Expect::said(vi("cancelled")))
            .await;
        sys.say_until(who, "/login", Expect::said(vi("ask-kind")))
            .await;
    }
    sys.press_until(
        who,
        &vi_label("kind-citizen"),
        Expect::said(vi("login-ask-username")),
    )
    .await;
}

#[tokio::test]
async fn one_chats_failed_logins_do_not_slow_another_chats_login() {
    let sys = System::start(engines()[0]).await;
    let id = cccd("4001");
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");

    // One chat guesses other people's passwords until the portal makes it wait.
    let guesser = Citizen::new(7_400_001).named("Kẻ đoán").language("vi");
    let failed = Expect::said(vi("login-failed"));
    let slowed = Expect::said(vi("login-too-many"));
    let mut tried = 0;
    loop {
        tried += 1;
        assert!(tried <= 60, "the guesser is never slowed down");
        to_username(&sys, &guesser, tried == 1).await;
        sys.say_until(
            &guesser,
            &cccd(&format!("{:04}", 4100 + tried)),
            Expect::said(vi("login-ask-password")),
        )
        .await;
        let t = sys
            .say_until(&guesser, "Sai12345", failed.clone().or(slowed.clone()))
            .await;
        if slowed.matches(&t) {
            break;
        }
    }
    assert!(tried > 4, "more room than for one account ({tried})");

    // Another citizen, through the same bot, logs in at once.
    let citizen = Citizen::new(7_400_002).named("Lan").language("vi");
    to_username(&sys, &citizen, true).await;
    sys.say_until(&citizen, &id, Expect::said(vi("login-ask-password")))
        .await;
    let t = sys
        .say_until(
            &citizen,
            PASSWORD,
            Expect::said(vi("login-done")).or(slowed.clone()),
        )
        .await;
    assert!(
        !slowed.matches(&t),
        "another citizen's login was slowed down by the guesser's failures"
    );
}
