//! Submitting in English through the sandbox with the real portal: an optional paper skipped
//! (➖ in the checklist), the result by post to an address the portal keeps, old buttons
//! refused as stale without recording anything; and "✏️ Edit details" on the review, keeping
//! one value and changing another.

use dvc_bot::bot::state::Step;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{Delivery, DossierStatus};
use dvc_bot::sandbox::client::{Citizen, Transcript};

use super::{System, bot_text, code_in, has_button, jpeg, photo};
use crate::portal::{PASSWORD, cccd, registration};
use crate::support::engines;
use crate::support::said::{Phrase, en, en_label, vi, vi_label};
use crate::support::wait::Expect;

/// Cấp Giấy xác nhận tình trạng hôn nhân: a text and a choice; the ID card required, the
/// divorce judgment optional.
const MARITAL: &str = "1.004746";
/// Cấp bản sao trích lục hộ tịch: a choice, an optional text, a number; the ID card.
const EXTRACTS: &str = "2.000635";

/// A citizen whose Telegram speaks English, with a portal account, who first picks
/// Vietnamese, switches to English with /language and logs in.
async fn logged_in_in_english(sys: &System, user_id: i64, tail: &str) -> (Citizen, String) {
    let id = cccd(tail);
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");
    let who = Citizen::new(user_id).named("Hoa").language("en");
    let (vietnamese, english) = (vi_label("language-vi"), vi_label("language-en"));
    sys.say_until(&who, "/start", Expect::button(&vietnamese))
        .await;
    sys.press_until(&who, &vietnamese, Expect::said(vi("language-set")))
        .await;
    let t = sys
        .say_until(&who, "/language", Expect::said(vi("language-ask")))
        .await;
    assert!(has_button(&t, &english), "{}", bot_text(&t));
    sys.press_until(&who, &english, Expect::said(en("language-set")))
        .await;
    let agree = en_label("consent-agree");
    sys.say_until(
        &who,
        "/login",
        Expect::said_with(en("consent-statement"), &agree),
    )
    .await;
    let citizen = en_label("kind-citizen");
    sys.press_until(&who, &agree, Expect::said_with(en("ask-kind"), &citizen))
        .await;
    sys.press_until(&who, &citizen, Expect::said(en("login-ask-username")))
        .await;
    sys.say_until(&who, &id, Expect::said(en("login-ask-password")))
        .await;
    sys.say_until(&who, PASSWORD, Expect::said(en("login-done")))
        .await;
    (who, id)
}

/// The photo of the ID card is received; `next` is what the bot asks then.
async fn send_id_card(sys: &System, who: &Citizen, next: Expect) -> Transcript {
    let received = en("paper-received").arg("paper", "Applicant's citizen ID card");
    sys.send_until(who, photo(&jpeg()), Expect::said(received).and(next))
        .await
}

/// Presses an old button whose answer is only a toast: answers the toast's text once the
/// callback is answered, and asserts no message was sent or edited.
async fn press_stale(sys: &System, who: &Citizen, label: &str) -> String {
    let before = sys
        .client
        .transcript(who.clone(), 0, 0)
        .await
        .expect("transcript");
    let seen = before.notice.as_ref().map(|n| n.id);
    sys.client
        .press(who.clone(), label)
        .await
        .unwrap_or_else(|e| panic!("press {label:?}: {e}"));
    let now = sys
        .wait_for(
            who,
            0,
            Expect::notice(seen).why(&format!("the press of the old button {label:?}")),
        )
        .await;
    // The callback is answered after every reply went out: none may have.
    let bot = |t: &Transcript| {
        t.bot_messages()
            .map(|m| (m.message_id, m.text.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bot(&now), bot(&before), "{label:?}: nothing sent or edited");
    now.notice.expect("a notice").text
}

/// The question `n` of `total` of a form.
fn question(n: i64, total: i64, label: &str) -> Phrase {
    en("submit-ask-field")
        .num("n", n)
        .num("total", total)
        .arg("label", label)
}

#[tokio::test]
async fn english_submission_skips_an_optional_paper_and_sends_the_result_by_post() {
    let outdated = en("stale-button");
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in_in_english(&sys, 7_300_001, "9001").await;

        sys.say_until(
            &who,
            &format!("/submit {MARITAL}"),
            Expect::said(en("submit-intro").arg("procedure", "Certificate of marital status"))
                .and(Expect::said(question(1, 2, "Purpose"))),
        )
        .await;
        let t = sys
            .say_until(
                &who,
                "To marry in Sơn La",
                Expect::said(question(2, 2, "Current marital status")),
            )
            .await;
        assert!(has_button(&t, "Chưa kết hôn") && has_button(&t, "Đã ly hôn"));
        let t = sys
            .press_until(
                &who,
                "Chưa kết hôn",
                Expect::said(en("submit-checklist")).and(Expect::said(en("submit-ask-paper"))),
            )
            .await;
        let said = bot_text(&t);
        assert!(
            said.contains("⬜ Applicant's citizen ID card *")
                && said.contains("⬜ Divorce judgment (if any)"),
            "the checklist: {said}"
        );
        assert!(
            !has_button(&t, &en_label("button-skip")),
            "the ID card is required: {said}"
        );

        // An option of the question already answered: refused, the answer unchanged.
        assert!(outdated.is_in(&press_stale(&sys, &who, "Đã ly hôn").await));
        let state = sys.stored_state(&who).await;
        assert_eq!(
            state.drafts[0]
                .values
                .get("marital_status")
                .map(String::as_str),
            Some("Chưa kết hôn")
        );
        assert!(
            matches!(state.step, Step::Papers { .. }),
            "{:?}",
            state.step
        );

        let skip = en_label("button-skip");
        let optional = en("submit-ask-paper")
            .arg("paper", "Divorce judgment (if any)")
            .arg("required", "no");
        send_id_card(&sys, &who, Expect::said_with(optional, &skip)).await;
        sys.press_until(
            &who,
            &skip,
            Expect::said_with(en("submit-ask-delivery"), en_label("delivery-post")),
        )
        .await;
        // One checklist, edited in place: ✅ for the ID card, ➖ for the skipped judgment.
        let checklist = en("submit-checklist");
        let all = sys
            .wait_for(
                &who,
                0,
                Expect::bot_message("the checklist with the paper and the skip", move |m| {
                    checklist.is_in(&m.text) && m.text.contains("➖")
                }),
            )
            .await;
        let checklist = en("submit-checklist");
        let lists: Vec<_> = all
            .bot_messages()
            .filter(|m| checklist.is_in(&m.text))
            .collect();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert!(
            lists[0].text.contains("✅ Applicant's citizen ID card *")
                && lists[0].text.contains("➖ Divorce judgment (if any)"),
            "{}",
            lists[0].text
        );

        // The skip button again, now that the delivery is asked: refused, nothing recorded.
        assert!(outdated.is_in(&press_stale(&sys, &who, &skip).await));
        let state = sys.stored_state(&who).await;
        assert!(
            matches!(state.step, Step::Delivery { .. }),
            "{:?}",
            state.step
        );
        assert_eq!(state.drafts[0].skipped, vec!["ban_an_ly_hon".to_owned()]);
        assert_eq!(state.drafts[0].papers.len(), 1);

        sys.press_until(
            &who,
            &en_label("delivery-post"),
            Expect::said(en("submit-ask-post-address")),
        )
        .await;
        let address = "Số 12, bản Hua La, xã Chiềng Cơi, tỉnh Sơn La";
        let send = en_label("button-send");
        let t = sys
            .say_until(
                &who,
                address,
                Expect::said_with(
                    en("submit-review")
                        .arg("procedure", "Certificate of marital status")
                        .arg("delivery", "post")
                        .arg("address", address),
                    &send,
                ),
            )
            .await;
        let review = bot_text(&t);
        assert!(
            review.contains("Current marital status: Chưa kết hôn")
                && review.contains("Purpose: To marry in Sơn La"),
            "{review}"
        );
        assert!(
            review.contains("✅ Applicant's citizen ID card") && !review.contains("Divorce"),
            "only the paper sent: {review}"
        );

        let t = sys
            .press_until(&who, &send, Expect::said(en("submit-done")))
            .await;
        let code = code_in(&bot_text(&t));
        let listed = sys.portal_dossiers(&id).await;
        assert_eq!(listed.len(), 1);
        let dossier = &listed[0];
        assert_eq!(dossier.code.as_deref(), Some(code.as_str()));
        assert_eq!(dossier.status, DossierStatus::New);
        assert_eq!(
            dossier.delivery,
            Some(Delivery::Post {
                address: address.to_owned()
            })
        );
        assert_eq!(
            dossier.values.get("marital_status").map(String::as_str),
            Some("Chưa kết hôn")
        );
        let papers: Vec<_> = dossier
            .documents
            .iter()
            .map(|d| d.paper_code.as_str())
            .collect();
        assert_eq!(papers, vec!["cccd"], "the skipped paper is not there");
    }
}

#[tokio::test]
async fn edit_details_keeps_one_value_and_changes_another() {
    let sys = System::start(engines()[0]).await;
    let (who, id) = logged_in_in_english(&sys, 7_300_002, "9002").await;
    let kind = "Kind of extract";
    let number = "Registration number (if known)";
    let copies = "Number of copies";
    sys.say_until(
        &who,
        &format!("/submit {EXTRACTS}"),
        Expect::said_with(question(1, 3, kind), "Khai sinh"),
    )
    .await;
    let skip = en_label("button-skip");
    sys.press_until(
        &who,
        "Khai sinh",
        Expect::said_with(question(2, 3, number).arg("required", "no"), &skip),
    )
    .await;
    sys.say_until(&who, "KS-123", Expect::said(question(3, 3, copies)))
        .await;
    sys.say_until(
        &who,
        "2",
        Expect::said(en("submit-checklist")).and(Expect::said(en("submit-ask-paper"))),
    )
    .await;
    let online = en_label("delivery-online");
    send_id_card(&sys, &who, Expect::button(&online)).await;
    let (edit, send) = (en_label("button-edit-draft"), en_label("button-send"));
    let review_with = |delivery: &str| {
        Expect::said_with(
            en("submit-review")
                .arg("procedure", "Copies of civil status extracts")
                .arg("delivery", delivery),
            &send,
        )
    };
    let t = sys.press_until(&who, &online, review_with("online")).await;
    let review = bot_text(&t);
    assert!(
        review.contains("Kind of extract: Khai sinh")
            && review.contains("Registration number (if known): KS-123")
            && review.contains("Number of copies: 2"),
        "{review}"
    );

    let keep = en_label("button-keep");
    let current = |value: &str| en("submit-current-value").arg("value", value);
    sys.press_until(
        &who,
        &edit,
        Expect::said(question(1, 3, kind)).and(Expect::said_with(current("Khai sinh"), &keep)),
    )
    .await;
    sys.press_until(
        &who,
        &keep,
        Expect::said(question(2, 3, number)).and(Expect::said_with(current("KS-123"), &keep)),
    )
    .await;
    sys.say_until(
        &who,
        "KS-456",
        Expect::said(question(3, 3, copies)).and(Expect::said_with(current("2"), &keep)),
    )
    .await;
    // Back to the review once nothing is missing; the delivery chosen before is kept.
    let t = sys
        .press_until(
            &who,
            &keep,
            review_with("online").why("the review, with the delivery chosen before"),
        )
        .await;
    let review = bot_text(&t);
    assert!(
        review.contains("Kind of extract: Khai sinh")
            && review.contains("Registration number (if known): KS-456")
            && review.contains("Number of copies: 2")
            && !review.contains("KS-123"),
        "{review}"
    );

    let t = sys
        .press_until(&who, &send, Expect::said(en("submit-done")))
        .await;
    let code = code_in(&bot_text(&t));
    let listed = sys.portal_dossiers(&id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].code.as_deref(), Some(code.as_str()));
    let value = |k: &str| listed[0].values.get(k).map(String::as_str);
    assert_eq!(value("record_type"), Some("Khai sinh"));
    assert_eq!(value("record_number"), Some("KS-456"));
    assert_eq!(value("copies"), Some("2"));
    assert_eq!(listed[0].delivery, Some(Delivery::Online));
}
