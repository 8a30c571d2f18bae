//! Issue 16, the submit flow: a form field that asks for the applicant's own name, CCCD, birth
//! date or address (the seed's judicial record certificate, 2.000488) is offered from the
//! logged-in account with "Giữ nguyên" — one tap keeps it, a typed value replaces it — and each
//! citizen is offered their own account's details, never another's. Real portal, sandbox.

use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::RegisterRequest;
use dvc_bot::sandbox::client::Citizen;

use super::{System, bot_text, document};
use crate::portal::{PASSWORD, cccd, pdf, registration};
use crate::support::engines;
use crate::support::said::{vi, vi_label};
use crate::support::wait::Expect;

/// The judicial record certificate: its form asks for the applicant's own details.
const RECORD: &str = "2.000488";

struct Person {
    id: String,
    name: &'static str,
    /// ISO, as registered.
    birth: &'static str,
    /// As the chat shows it.
    birth_shown: &'static str,
    address: &'static str,
}

fn request(p: &Person) -> RegisterRequest {
    RegisterRequest {
        full_name: p.name.into(),
        birth_date: p.birth.into(),
        address: p.address.into(),
        ..registration(&p.id)
    }
}

async fn in_vietnamese_logged_in(sys: &System, who: &Citizen, id: &str) {
    let language = vi_label("language-vi");
    sys.say_until(who, "/start", Expect::button(&language))
        .await;
    sys.press_until(who, &language, Expect::said(vi("language-set")))
        .await;
    sys.say_until(
        who,
        "/login",
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree")),
    )
    .await;
    sys.press_until(
        who,
        &vi_label("consent-agree"),
        Expect::button(vi_label("kind-citizen")),
    )
    .await;
    sys.press_until(
        who,
        &vi_label("kind-citizen"),
        Expect::said(vi("login-ask-username")),
    )
    .await;
    sys.say_until(who, id, Expect::said(vi("login-ask-password")))
        .await;
    sys.say_until(who, PASSWORD, Expect::said(vi("login-done")))
        .await;
}

/// Form field `n`, offering `value` from the account with the keep button.
fn offered(n: i64, value: &str) -> Expect {
    Expect::said(vi("submit-ask-field").num("n", n)).and(Expect::said_with(
        vi("submit-prefilled-value").arg("value", value),
        vi_label("button-keep"),
    ))
}

fn field(n: i64) -> Expect {
    Expect::said(vi("submit-ask-field").num("n", n))
}

#[tokio::test]
async fn the_applicants_own_details_are_offered_and_kept_with_one_tap() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let men = Person {
            id: cccd("7001"),
            name: "Lò Văn Mến",
            birth: "1990-05-17",
            birth_shown: "17/05/1990",
            address: "Tổ 3, phường Chiềng Lề, thành phố Sơn La",
        };
        let lan = Person {
            id: cccd("7002"),
            name: "Quàng Thị Lan",
            birth: "1985-02-03",
            birth_shown: "03/02/1985",
            address: "Bản Mòng, xã Hua La, tỉnh Sơn La",
        };
        for p in [&men, &lan] {
            sys.portal_client
                .register(&request(p), None)
                .await
                .expect("account");
        }

        // The first citizen: each detail offered from their account, kept with one tap, but
        // the address replaced by a typed one.
        let a = Citizen::new(7_170_001).named("Mến").language("vi");
        in_vietnamese_logged_in(&sys, &a, &men.id).await;
        sys.say_until(&a, &format!("/submit {RECORD}"), offered(1, men.name))
            .await;
        let keep = vi_label("button-keep");
        sys.press_until(&a, &keep, offered(2, men.birth_shown))
            .await;
        // The place of birth is not in the account: asked, nothing offered.
        let t = sys.press_until(&a, &keep, field(3)).await;
        let asked = t
            .bot_messages()
            .last()
            .expect("the third question")
            .text
            .clone();
        assert!(
            !asked.contains(&vi("submit-prefilled-value").pieces()[0]),
            "{asked}"
        );
        sys.say_until(&a, "Thành phố Sơn La", offered(4, &men.id))
            .await;
        sys.press_until(&a, &keep, offered(5, men.address)).await;
        let typed_address = "Số 12, đường Tô Hiệu, phường Tô Hiệu, thành phố Sơn La";
        sys.say_until(&a, typed_address, field(6)).await;
        // The personal values are sealed in the stored dialogue, never in clear.
        let stored = sys.stored_json(&a).await;
        for clear in [
            men.name,
            men.id.as_str(),
            men.address,
            typed_address,
            men.birth,
        ] {
            assert!(!stored.contains(clear), "{clear:?} in clear: {stored}");
        }
        assert!(stored.contains("sealed"), "{stored}");
        let state = sys.stored_state(&a).await;
        let draft = &state.drafts[0];
        let value = |k: &str| draft.values.get(k).map(String::as_str);
        assert_eq!(value("applicant_name"), Some(men.name));
        assert_eq!(value("applicant_birth_date"), Some(men.birth));
        assert_eq!(value("applicant_cccd"), Some(men.id.as_str()));
        assert_eq!(value("applicant_address"), Some(typed_address));
        assert!(draft.prefilled.is_empty(), "{:?}", draft.prefilled.keys());

        sys.say_until(&a, "Bổ sung hồ sơ xin việc", field(7)).await;
        sys.press_until(&a, "Phiếu số 1", field(8)).await;
        sys.say_until(&a, "1", Expect::said(vi("submit-ask-paper")))
            .await;
        sys.send_until(
            &a,
            document("cccd.pdf", "application/pdf", &pdf()),
            Expect::said(vi("paper-received")).and(Expect::said_with(
                vi("submit-ask-paper"),
                vi_label("button-skip"),
            )),
        )
        .await;
        sys.press_until(
            &a,
            &vi_label("button-skip"),
            Expect::said(vi("submit-ask-delivery")),
        )
        .await;
        let review = sys
            .press_until(
                &a,
                &vi_label("delivery-online"),
                Expect::said_with(vi("submit-review"), vi_label("button-send")),
            )
            .await;
        let review = bot_text(&review);
        assert!(
            review.contains(men.name) && review.contains(typed_address),
            "{review}"
        );
        sys.press_until(
            &a,
            &vi_label("button-send"),
            Expect::said(vi("submit-done")),
        )
        .await;
        let dossiers = sys.portal_dossiers(&men.id).await;
        let sent = dossiers
            .iter()
            .find(|d| d.procedure_code == RECORD)
            .expect("the dossier at the portal");
        let sent_value = |k: &str| sent.values.get(k).map(String::as_str);
        assert_eq!(sent_value("applicant_name"), Some(men.name));
        assert_eq!(sent_value("applicant_birth_date"), Some(men.birth));
        assert_eq!(sent_value("applicant_cccd"), Some(men.id.as_str()));
        assert_eq!(sent_value("applicant_address"), Some(typed_address));

        // Another citizen is offered their own details, and nothing of the first's.
        let b = Citizen::new(7_170_002).named("Lan").language("vi");
        in_vietnamese_logged_in(&sys, &b, &lan.id).await;
        sys.say_until(&b, &format!("/submit {RECORD}"), offered(1, lan.name))
            .await;
        sys.press_until(&b, &keep, offered(2, lan.birth_shown))
            .await;
        sys.press_until(&b, &keep, field(3)).await;
        sys.say_until(&b, "Huyện Mường La", offered(4, &lan.id))
            .await;
        sys.press_until(&b, &keep, offered(5, lan.address)).await;
        let seen = bot_text(&sys.client.transcript(b.clone(), 0, 0).await.expect("chat"));
        for theirs in [men.name, men.id.as_str(), men.address, men.birth_shown] {
            assert!(
                !seen.contains(theirs),
                "{theirs:?} shown to another: {seen}"
            );
        }
    }
}
