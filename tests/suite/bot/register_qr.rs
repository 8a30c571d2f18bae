//! Issue 16 and 13.9: registering from a photo of the QR code on the back of the chip CCCD,
//! through the sandbox with the real portal. A photo without a code, a code that is not a
//! card's and a card whose birth date disagrees with the typed one each get their sentence and
//! the typed questions; a card read fills the form, and the stored dialogue holds the personal
//! answers sealed, never in clear.

use dvc_bot::sandbox::client::{Citizen, ContactInput, SendRequest};

use super::qr_photos::{
    CARD_ADDRESS, CARD_BIRTH, CARD_ID, CARD_NAME, card_text, clean_png, no_code, photographed,
};
use super::{System, bot_text, has_button, photo};
use crate::portal::PASSWORD;
use crate::support::engines;
use crate::support::said::{vi, vi_label};
use crate::support::wait::Expect;

fn contact(who: &Citizen, phone: &str) -> SendRequest {
    SendRequest {
        contact: Some(ContactInput {
            phone_number: phone.into(),
            user_id: Some(who.id),
        }),
        ..SendRequest::default()
    }
}

async fn in_vietnamese(sys: &System, who: &Citizen) {
    let language = vi_label("language-vi");
    sys.say_until(who, "/start", Expect::button(&language))
        .await;
    sys.press_until(who, &language, Expect::said(vi("language-set")))
        .await;
}

#[test]
fn the_generated_photo_reads_as_the_card() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let card = dvc_bot::domain::read_card(&photographed(&card_text()), today).expect("a card");
    assert_eq!(card.id.as_str(), CARD_ID);
    assert_eq!(
        card.full_name.map(|n| n.as_str().to_owned()).as_deref(),
        Some(CARD_NAME)
    );
}

#[tokio::test]
async fn a_photo_that_is_not_a_card_leaves_the_typed_questions() {
    let sys = System::start(engines()[0]).await;
    let who = Citizen::new(7_160_101).named("Thử").language("vi");
    in_vietnamese(&sys, &who).await;
    let qr = vi_label("register-qr-button");
    sys.say_until(
        &who,
        "/register",
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree-qr")),
    )
    .await;
    sys.press_until(
        &who,
        &vi_label("consent-agree"),
        Expect::said_with(vi("ask-kind"), &qr),
    )
    .await;
    // A picture without a code, sent at the account type: said so; a citizen's questions go on.
    sys.send_until(
        &who,
        photo(&no_code()),
        Expect::said(vi("register-qr-unreadable")).and(Expect::said_with(
            vi("register-ask-name").arg("kind", "citizen"),
            &qr,
        )),
    )
    .await;
    // Asked for from the name question: a code that is not a card's.
    sys.press_until(&who, &qr, Expect::said(vi("register-ask-qr")))
        .await;
    sys.say_until(&who, "xin chào", Expect::said(vi("register-qr-send-photo")))
        .await;
    sys.send_until(
        &who,
        photo(&clean_png("https://dichvucong.sonla.gov.vn/")),
        Expect::said(vi("register-qr-not-cccd")).and(Expect::said(vi("register-ask-name"))),
    )
    .await;
    sys.say_until(
        &who,
        "Lường Thị Thử",
        Expect::said(vi("register-ask-id-number")),
    )
    .await;
    sys.say_until(&who, CARD_ID, Expect::said(vi("register-ask-birth-date")))
        .await;
    sys.say_until(&who, "06/03/1992", Expect::said(vi("register-ask-phone")))
        .await;
    // The card's birth date is another: nothing of it is taken.
    sys.press_until(&who, &qr, Expect::said(vi("register-ask-qr")))
        .await;
    sys.send_until(
        &who,
        photo(&photographed(&card_text())),
        Expect::said(vi("register-qr-birth-mismatch")).and(Expect::said(vi("register-ask-phone"))),
    )
    .await;
    let state = sys.stored_state(&who).await;
    let dvc_bot::bot::state::Step::Register { form, .. } = state.step else {
        panic!("{:?}", state.step);
    };
    assert_eq!(
        form.birth_date
            .map(|d| d.date().format("%d/%m/%Y").to_string())
            .as_deref(),
        Some("06/03/1992"),
        "the typed date stays"
    );
    assert!(form.address.is_none(), "nothing of the card was taken");
}

#[tokio::test]
async fn a_card_photo_fills_registration_and_the_stored_state_is_sealed() {
    let logs = super::journeys::captured_logs();
    for engine in engines() {
        let sys = System::start(engine).await;
        let who = Citizen::new(7_160_102).named("Thử").language("vi");
        in_vietnamese(&sys, &who).await;
        sys.say_until(
            &who,
            "/register",
            Expect::button(vi_label("consent-agree-qr")),
        )
        .await;
        sys.press_until(
            &who,
            &vi_label("consent-agree-qr"),
            Expect::said(vi("register-ask-qr")),
        )
        .await;
        let t = sys
            .send_until(
                &who,
                photo(&photographed(&card_text())),
                Expect::said(vi("register-qr-filled").arg("name", CARD_NAME))
                    .and(Expect::said(vi("register-ask-phone"))),
            )
            .await;
        let text = bot_text(&t);
        assert!(
            text.contains(CARD_ID) && text.contains(CARD_BIRTH),
            "{text}"
        );
        assert!(text.contains(CARD_ADDRESS), "{text}");
        assert!(
            has_button(&t, &vi_label("edit-address")),
            "each field can be edited"
        );

        // Stored sealed: no name, CCCD or address in clear; the bot's key opens it.
        let json = sys.stored_json(&who).await;
        for secret in [CARD_ID, CARD_NAME, "Chiềng Mung", "1992-03-05"] {
            assert!(!json.contains(secret), "{secret} in clear: {json}");
        }
        assert!(json.contains("sealed"), "{json}");
        let state = sys.stored_state(&who).await;
        let dvc_bot::bot::state::Step::Register { form, .. } = &state.step else {
            panic!("{:?}", state.step);
        };
        assert_eq!(form.id_number.as_ref().map(|i| i.as_str()), Some(CARD_ID));

        // A field read from the card is edited before going on.
        sys.press_until(
            &who,
            &vi_label("edit-address"),
            Expect::said(vi("register-ask-address")),
        )
        .await;
        sys.say_until(
            &who,
            "Tổ 3, phường Chiềng Lề, tỉnh Sơn La",
            Expect::said(vi("register-ask-phone")),
        )
        .await;
        let t = sys
            .send_until(
                &who,
                contact(&who, "84912345679"),
                Expect::said(vi("register-phone-received"))
                    .and(Expect::said(vi("register-ask-password"))),
            )
            .await;
        // The share button is gone with the first message after the contact.
        let received = t
            .bot_messages()
            .find(|m| vi("register-phone-received").is_in(&m.text))
            .expect("the phone received");
        assert!(received.keyboard.is_empty(), "{received:?}");
        let json = sys.stored_json(&who).await;
        assert!(
            !json.contains("0912345679") && !json.contains("Chiềng Lề"),
            "{json}"
        );
        let t = sys
            .say_until(
                &who,
                PASSWORD,
                Expect::said_with(vi("register-summary"), vi_label("register-confirm")),
            )
            .await;
        assert!(
            bot_text(&t).contains("Tổ 3, phường Chiềng Lề"),
            "{}",
            bot_text(&t)
        );
        let json = sys.stored_json(&who).await;
        assert!(
            !json.contains(CARD_ID) && !json.contains(CARD_NAME),
            "{json}"
        );
        sys.press_until(
            &who,
            &vi_label("register-confirm"),
            Expect::said(vi("register-done").arg("name", CARD_NAME)),
        )
        .await;
        let account = sys.portal_dossiers(CARD_ID).await;
        assert!(
            account.is_empty(),
            "the account logs in with the card's number"
        );
    }
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    let read: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("a CCCD read from a photo"))
        .collect();
    assert!(!read.is_empty(), "the read is logged");
    for line in read {
        assert!(
            !line.contains(CARD_ID) && !line.contains(CARD_NAME) && !line.contains("1992"),
            "{line}"
        );
    }
}
