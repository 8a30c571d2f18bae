//! Submitting in English through the sandbox with the real portal: an optional paper skipped
//! (➖ in the checklist), the result by post to an address the portal keeps, old buttons
//! refused as stale without recording anything; and "✏️ Edit details" on the review, keeping
//! one value and changing another.

use dvc_bot::bot::state::Step;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{Delivery, DossierStatus};
use dvc_bot::sandbox::client::Citizen;

use super::{System, bot_text, dossier_code, has_button, jpeg};
use crate::portal::{PASSWORD, cccd, registration};
use crate::support::engines;

/// Cấp Giấy xác nhận tình trạng hôn nhân: a text and a choice; the ID card required, the
/// divorce judgment optional.
const MARITAL: &str = "1.004746";
/// Cấp bản sao trích lục hộ tịch: a choice, an optional text, a number; the ID card.
const EXTRACTS: &str = "2.000635";

const OUTDATED: &str = "This button is outdated; please use the newest message.";

/// A citizen whose Telegram speaks English, with a portal account, who first picks
/// Vietnamese, switches to English with /language and logs in.
async fn logged_in_in_english(sys: &System, user_id: i64, tail: &str) -> (Citizen, String) {
    let id = cccd(tail);
    sys.portal_client
        .register(&registration(&id))
        .await
        .expect("account");
    let who = Citizen::new(user_id).named("Hoa").language("en");
    sys.say(&who, "/start").await;
    sys.press(&who, "Tiếng Việt").await;
    let t = sys.say(&who, "/language").await;
    assert!(has_button(&t, "English"), "{}", bot_text(&t));
    let t = sys.press(&who, "English").await;
    assert!(
        bot_text(&t).contains("English selected."),
        "{}",
        bot_text(&t)
    );
    sys.say(&who, "/login").await;
    sys.press(&who, "I agree").await;
    sys.press(&who, "Citizen").await;
    sys.say(&who, &id).await;
    let t = sys.say(&who, PASSWORD).await;
    assert!(
        bot_text(&t).contains("You are logged in"),
        "{}",
        bot_text(&t)
    );
    (who, id)
}

async fn send_photo(sys: &System, who: &Citizen) -> String {
    let after = sys.last_id(who).await;
    sys.client
        .send_photo(who.clone(), &jpeg())
        .await
        .expect("photo");
    bot_text(&sys.wait_reply(who, after).await)
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
    for _ in 0..100 {
        let now = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("transcript");
        if let Some(notice) = now.notice.as_ref().filter(|n| Some(n.id) != seen) {
            // The callback is answered after every reply went out: none may have.
            let bot = |t: &dvc_bot::sandbox::client::Transcript| {
                t.bot_messages()
                    .map(|m| (m.message_id, m.text.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(bot(&now), bot(&before), "{label:?}: nothing sent or edited");
            return notice.text.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("pressing {label:?} was never answered");
}

#[tokio::test]
async fn english_submission_skips_an_optional_paper_and_sends_the_result_by_post() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in_in_english(&sys, 7_300_001, "9001").await;

        let t = sys.say(&who, &format!("/submit {MARITAL}")).await;
        let said = bot_text(&t);
        assert!(
            said.contains("Submitting: Certificate of marital status")
                && said.contains("(1/2) Purpose"),
            "{said}"
        );
        let t = sys.say(&who, "To marry in Sơn La").await;
        assert!(
            bot_text(&t).contains("(2/2) Current marital status"),
            "{}",
            bot_text(&t)
        );
        assert!(has_button(&t, "Never married") && has_button(&t, "Divorced"));
        assert!(!has_button(&t, "Chưa kết hôn"), "options in English");
        let t = sys.press(&who, "Never married").await;
        let said = bot_text(&t);
        assert!(
            said.contains("Never married"),
            "the choice is echoed: {said}"
        );
        assert!(
            said.contains("⬜ Applicant's citizen ID card *")
                && said.contains("⬜ Divorce judgment (if any)"),
            "the checklist: {said}"
        );
        assert!(!has_button(&t, "Skip"), "the ID card is required: {said}");

        // An option of the question already answered: refused, the answer unchanged.
        assert_eq!(press_stale(&sys, &who, "Divorced").await, OUTDATED);
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

        let said = send_photo(&sys, &who).await;
        assert!(
            said.contains("Received \"Applicant's citizen ID card\"")
                && said.contains("Divorce judgment (if any)")
                && said.contains("(optional)"),
            "{said}"
        );
        let t = sys.press(&who, "Skip").await;
        assert!(
            bot_text(&t).contains("How do you want to receive the result?"),
            "{}",
            bot_text(&t)
        );
        // One checklist, edited in place: ✅ for the ID card, ➖ for the skipped judgment.
        let all = sys.client.transcript(who.clone(), 0, 0).await.unwrap();
        let lists: Vec<_> = all
            .bot_messages()
            .filter(|m| m.text.starts_with("Papers (* required)"))
            .collect();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert!(
            lists[0].text.contains("✅ Applicant's citizen ID card *")
                && lists[0].text.contains("➖ Divorce judgment (if any)"),
            "{}",
            lists[0].text
        );

        // The skip button again, now that the delivery is asked: refused, nothing recorded.
        assert_eq!(press_stale(&sys, &who, "Skip").await, OUTDATED);
        let state = sys.stored_state(&who).await;
        assert!(
            matches!(state.step, Step::Delivery { .. }),
            "{:?}",
            state.step
        );
        assert_eq!(state.drafts[0].skipped, vec!["ban_an_ly_hon".to_owned()]);
        assert_eq!(state.drafts[0].papers.len(), 1);

        let t = sys.press(&who, "📮 By public postal service").await;
        assert!(
            bot_text(&t).contains("Enter the address"),
            "{}",
            bot_text(&t)
        );
        let address = "Số 12, bản Hua La, xã Chiềng Cơi, tỉnh Sơn La";
        let t = sys.say(&who, address).await;
        let review = bot_text(&t);
        assert!(
            review.contains("Check the dossier: Certificate of marital status")
                && review.contains("Current marital status: Never married")
                && review.contains("Purpose: To marry in Sơn La")
                && review.contains(&format!("by public postal service, to {address}")),
            "{review}"
        );
        assert!(
            review.contains("✅ Applicant's citizen ID card") && !review.contains("Divorce"),
            "only the paper sent: {review}"
        );

        let t = sys.press(&who, "📤 Send dossier").await;
        let code = dossier_code(&bot_text(&t), "Dossier code: ");
        assert!(
            bot_text(&t).contains("Certificate of marital status"),
            "the procedure in English: {}",
            bot_text(&t)
        );
        let chat = sys.client.transcript(who.clone(), 0, 0).await.unwrap();
        assert!(
            !chat
                .messages
                .iter()
                .any(|m| m.has_button("📤 Send dossier")),
            "the used review card no longer offers sending"
        );
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
    let t = sys.say(&who, &format!("/submit {EXTRACTS}")).await;
    assert!(
        bot_text(&t).contains("(1/3) Kind of extract"),
        "{}",
        bot_text(&t)
    );
    let t = sys.press(&who, "Birth").await;
    assert!(
        bot_text(&t).contains("(2/3) Registration number (if known) (optional)"),
        "{}",
        bot_text(&t)
    );
    sys.say(&who, "KS-123").await;
    let t = sys.say(&who, "2").await;
    assert!(
        bot_text(&t).contains("Papers (* required)"),
        "{}",
        bot_text(&t)
    );
    assert!(send_photo(&sys, &who).await.contains("Received"));
    let t = sys.press(&who, "📱 Online (sent in this chat)").await;
    let review = bot_text(&t);
    assert!(
        review.contains("Kind of extract: Birth")
            && review.contains("Registration number (if known): KS-123")
            && review.contains("Number of copies: 2"),
        "{review}"
    );

    let t = sys.press(&who, "✏️ Edit details").await;
    let said = bot_text(&t);
    assert!(
        said.contains("(1/3) Kind of extract") && said.contains("Current answer: Birth"),
        "{said}"
    );
    assert!(has_button(&t, "Keep it"), "{said}");
    let t = sys.press(&who, "Keep it").await;
    let said = bot_text(&t);
    assert!(
        said.contains("(2/3)") && said.contains("Current answer: KS-123"),
        "{said}"
    );
    let t = sys.say(&who, "KS-456").await;
    let said = bot_text(&t);
    assert!(
        said.contains("(3/3)") && said.contains("Current answer: 2"),
        "{said}"
    );
    let t = sys.press(&who, "Keep it").await;
    let review = bot_text(&t);
    assert!(
        review.contains("Check the dossier"),
        "back to the review once nothing is missing: {review}"
    );
    assert!(
        review.contains("Kind of extract: Birth")
            && review.contains("Registration number (if known): KS-456")
            && review.contains("Number of copies: 2")
            && !review.contains("KS-123"),
        "{review}"
    );
    assert!(
        review.contains("Result delivery</b>: online")
            || review.contains("Result delivery: online"),
        "the delivery chosen before is kept: {review}"
    );

    let t = sys.press(&who, "📤 Send dossier").await;
    let code = dossier_code(&bot_text(&t), "Dossier code: ");
    let listed = sys.portal_dossiers(&id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].code.as_deref(), Some(code.as_str()));
    let value = |k: &str| listed[0].values.get(k).map(String::as_str);
    assert_eq!(value("record_type"), Some("Khai sinh"));
    assert_eq!(value("record_number"), Some("KS-456"));
    assert_eq!(value("copies"), Some("2"));
    assert_eq!(listed[0].delivery, Some(Delivery::Online));
}
