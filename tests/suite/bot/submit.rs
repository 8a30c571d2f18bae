//! Submitting a dossier in the chat, through the sandbox with the real portal: a procedure with
//! two required papers (a PDF document and a photo), wrong and over-large files refused, the
//! checklist enforced, a draft saved then sent after a restart, a double tap, a portal outage.

use dvc_bot::i18n::{format_date, local_date};
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{DossierStatus, LoginRequest};
use dvc_bot::sandbox::client::{Citizen, Transcript, TranscriptMessage};

use super::{System, bot_text, code_in, document, has_button, jpeg, photo};
use crate::portal::{PASSWORD, cccd, pdf, registration};
use crate::support::engines;
use crate::support::said::{saying, vi, vi_label};
use crate::support::wait::Expect;

/// Chứng thực chữ ký: one text field, a PDF-only paper and an ID paper, both required.
const SIGNATURE: &str = "2.000884";
const SIGNATURE_NAME: &str = "Chứng thực chữ ký trong giấy tờ, văn bản";

/// A citizen with a portal account, logged in through the chat.
async fn logged_in(sys: &System, user_id: i64, tail: &str) -> (Citizen, String) {
    let id = cccd(tail);
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");
    let who = Citizen::new(user_id).named("Hoa").language("vi");
    let language = vi_label("language-vi");
    sys.say_until(&who, "/start", Expect::button(&language))
        .await;
    sys.press_until(&who, &language, Expect::said(vi("language-set")))
        .await;
    sys.say_until(&who, "/login", consent()).await;
    log_in(sys, &who, &id, Expect::said(vi("login-done"))).await;
    (who, id)
}

/// From the consent (on screen) to the answer to the password, which shows `done`.
async fn log_in(sys: &System, who: &Citizen, id: &str, done: Expect) -> Transcript {
    let agree = vi_label("consent-agree");
    let citizen = vi_label("kind-citizen");
    sys.press_until(who, &agree, Expect::said_with(vi("ask-kind"), &citizen))
        .await;
    sys.press_until(who, &citizen, Expect::said(vi("login-ask-username")))
        .await;
    sys.say_until(who, id, Expect::said(vi("login-ask-password")))
        .await;
    sys.say_until(who, PASSWORD, done).await
}

/// The consent, with its button.
fn consent() -> Expect {
    Expect::said_with(vi("consent-statement"), vi_label("consent-agree"))
}

/// The first question of the signature form, after the form's introduction.
fn first_question() -> Expect {
    Expect::said(vi("submit-intro").arg("procedure", SIGNATURE_NAME)).and(Expect::said(
        vi("submit-ask-field").num("n", 1).num("total", 1),
    ))
}

/// The bot asks for a paper (after the checklist, or after receiving the previous paper).
fn paper_asked() -> Expect {
    Expect::said(vi("submit-ask-paper"))
}

/// The bot received a paper and asks how the result is to be returned.
fn last_paper_received() -> Expect {
    Expect::said(vi("paper-received")).and(Expect::said_with(
        vi("submit-ask-delivery"),
        vi_label("delivery-online"),
    ))
}

/// The review card, ready to be sent.
fn review() -> Expect {
    Expect::said_with(
        vi("submit-review").arg("procedure", SIGNATURE_NAME),
        vi_label("button-send"),
    )
}

/// From /submit to the review card, with both papers.
async fn fill_to_review(sys: &System, who: &Citizen) {
    sys.say_until(who, &format!("/submit {SIGNATURE}"), first_question())
        .await;
    sys.say_until(
        who,
        "Giấy uỷ quyền cho con",
        Expect::said(vi("submit-checklist"))
            .why("the checklist")
            .and(paper_asked()),
    )
    .await;
    sys.send_until(
        who,
        document("van-ban.pdf", "application/pdf", &pdf()),
        Expect::said(vi("paper-received")).and(paper_asked()),
    )
    .await;
    sys.send_until(who, photo(&jpeg()), last_paper_received())
        .await;
    sys.press_until(who, &vi_label("delivery-online"), review())
        .await;
}

#[tokio::test]
async fn a_full_submission_with_a_document_and_a_photo() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in(&sys, 7_200_001, "8001").await;
        sys.say_until(&who, &format!("/submit {SIGNATURE}"), first_question())
            .await;
        sys.say_until(
            &who,
            "Giấy uỷ quyền cho con",
            Expect::said(vi("submit-checklist")).and(paper_asked()),
        )
        .await;

        // The checklist is enforced: text is not a paper, a required paper has no skip.
        let t = sys
            .say_until(
                &who,
                "đây là văn bản",
                Expect::said(vi("hint-paper")).and(paper_asked()),
            )
            .await;
        assert!(!has_button(&t, &vi_label("button-skip")));
        // A PNG where only PDF is accepted, even when named .pdf: refused with the reason.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        sys.send_until(
            &who,
            document("van-ban.pdf", "application/pdf", &png),
            Expect::said(vi("paper-wrong-type").arg("types", "PDF")),
        )
        .await;
        // Over the paper's 5 MB cap: refused with the cap.
        let mut big = pdf();
        big.resize(6 * 1024 * 1024, b' ');
        sys.send_until(
            &who,
            document("lon.pdf", "application/pdf", &big),
            Expect::said(vi("paper-too-big").num("max_mb", 5)),
        )
        .await;

        sys.send_until(
            &who,
            document("van-ban.pdf", "application/pdf", &pdf()),
            Expect::said(vi("paper-received")).and(paper_asked()),
        )
        .await;
        sys.send_until(&who, photo(&jpeg()), last_paper_received())
            .await;
        // One checklist message, edited in place as the papers arrived.
        let checklist = vi("submit-checklist");
        let is_list = move |m: &TranscriptMessage| checklist.is_in(&m.text);
        let all = sys
            .wait_for(
                &who,
                0,
                Expect::bot_message("the checklist with both papers ticked", move |m| {
                    is_list(m) && m.edited && m.text.matches('✅').count() == 2
                }),
            )
            .await;
        let checklist = vi("submit-checklist");
        let lists: Vec<_> = all
            .bot_messages()
            .filter(|m| checklist.is_in(&m.text))
            .collect();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert!(
            lists[0].edited && lists[0].text.matches('✅').count() == 2,
            "{:?}",
            lists[0]
        );

        sys.press_until(&who, &vi_label("delivery-online"), review())
            .await;
        let t = sys
            .press_until(
                &who,
                &vi_label("button-send"),
                Expect::said(vi("submit-done")),
            )
            .await;
        let code = code_in(&bot_text(&t));
        assert!(code.as_str().starts_with("000.") || code.as_str().contains('.'));
        let listed = sys.portal_dossiers(&id).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].code.as_deref(), Some(code.as_str()));
        assert_eq!(listed[0].status, DossierStatus::New);
        assert_eq!(
            listed[0].documents.len(),
            2,
            "both papers reached the portal"
        );
    }
}

#[tokio::test]
async fn browsing_edits_the_menu_in_place_and_search_ignores_diacritics() {
    let sys = System::start(engines()[0]).await;
    let (who, _) = logged_in(&sys, 7_200_002, "8002").await;
    let t = sys
        .say_until(&who, "/procedures", Expect::said(vi("procedures-fields")))
        .await;
    assert!(
        saying(&t, &vi("procedures-fields")).is_some_and(|m| !m.buttons.is_empty()),
        "fields as buttons"
    );
    sys.say_until(&who, "chung thuc chu ky", Expect::button(SIGNATURE_NAME))
        .await;
    let card = sys.press_edit(&who, SIGNATURE_NAME).await;
    assert!(
        vi("procedure-card")
            .arg("name", SIGNATURE_NAME)
            .is_in(&card.text)
            && (card.text.contains(&vi_label("fee-free")) || card.text.contains("₫")),
        "{}",
        card.text
    );
    let submit = vi_label("button-submit");
    assert!(card.buttons.iter().flatten().any(|b| *b == submit));
    sys.press_until(&who, &submit, first_question()).await;
}

#[tokio::test]
async fn a_saved_draft_survives_a_restart_and_a_double_tap_sends_once() {
    let engine = *engines().last().unwrap();
    let mut sys = System::start(engine).await;
    let (who, id) = logged_in(&sys, 7_200_003, "8003").await;
    fill_to_review(&sys, &who).await;
    sys.press_until(
        &who,
        &vi_label("button-save-draft"),
        Expect::said(vi("draft-saved")),
    )
    .await;
    assert_eq!(
        sys.portal_dossiers(&id).await[0].status,
        DossierStatus::Draft
    );

    sys.stop_bot().await;
    sys.start_bot().await;
    sys.say_until(&who, "/cancel", Expect::said(vi("cancelled")))
        .await;
    let label = format!(
        "{SIGNATURE_NAME} · {}",
        format_date(local_date(chrono::Utc::now()))
    );
    sys.say_until(
        &who,
        "/drafts",
        Expect::said_with(vi("drafts-list").num("count", 1), &label),
    )
    .await;
    sys.press_until(&who, &label, review().why("resumed at the review"))
        .await;

    // Two taps on "Gửi hồ sơ" before the first is answered.
    let after = sys.last_id(&who).await;
    let send = vi_label("button-send");
    sys.client.press(who.clone(), &send).await.unwrap();
    sys.client.press(who.clone(), &send).await.unwrap();
    let already = vi("submit-already-sent");
    let answered = already.clone();
    let t = sys
        .wait_for(
            &who,
            after,
            Expect::said(vi("submit-done")).and(Expect::new(
                "the second tap answered on the button",
                move |t| t.notice.as_ref().is_some_and(|n| answered.is_in(&n.text)),
            )),
        )
        .await;
    // Both taps are answered: the first with the message, the second on the button.
    assert_eq!(
        vi("submit-done").count_in(&bot_text(&t)),
        1,
        "{}",
        bot_text(&t)
    );
    let listed = sys.portal_dossiers(&id).await;
    assert_eq!(listed.len(), 1, "one dossier at the portal");
    // The second tap is answered with the code, on the button itself.
    let code = listed[0].code.clone().unwrap();
    let notice = t.notice.expect("the second tap is answered");
    assert!(already.arg("code", &code).is_in(&notice.text), "{notice:?}");
    assert_eq!(listed[0].status, DossierStatus::New);
}

#[tokio::test]
async fn a_portal_outage_during_send_keeps_the_draft() {
    let engine = engines()[0];
    let mut sys = System::start(engine).await;
    let (who, id) = logged_in(&sys, 7_200_004, "8004").await;
    fill_to_review(&sys, &who).await;
    sys.stop_portal().await;
    let send = vi_label("button-send");
    sys.press_until(&who, &send, Expect::said(vi("submit-portal-down")))
        .await;
    sys.start_portal().await;
    let t = sys
        .press_until(&who, &send, Expect::said(vi("submit-done")))
        .await;
    let code = code_in(&bot_text(&t));
    let listed = sys.portal_dossiers(&id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].code.as_deref(), Some(code.as_str()));
}

#[test]
fn jpeg_sample_is_a_jpeg() {
    use dvc_bot::portal::model::FileType;
    assert_eq!(FileType::sniff(&jpeg()), Some(FileType::Jpeg));
}

#[tokio::test]
async fn a_send_whose_answer_was_lost_gives_the_same_dossier() {
    let sys = System::start(engines()[0]).await;
    let (who, id) = logged_in(&sys, 7_200_005, "8005").await;
    fill_to_review(&sys, &who).await;
    sys.press_until(
        &who,
        &vi_label("button-save-draft"),
        Expect::said(vi("draft-saved")),
    )
    .await;
    // The bot's submit reached the portal but its answer never came back (a crash, a timeout):
    // the portal has the dossier, the chat still has the draft.
    let draft = sys.stored_state(&who).await.drafts.remove(0);
    let session = sys
        .portal_client
        .login(&LoginRequest {
            login: id.clone(),
            password: PASSWORD.to_owned(),
        })
        .await
        .unwrap();
    let portal_id = draft.portal_id.expect("saved at the portal").to_string();
    let first = sys
        .portal_client
        .submit(
            &session.token,
            &portal_id.parse::<i64>().unwrap().into(),
            &draft.submit_key(),
        )
        .await
        .unwrap();
    // The citizen presses "Gửi hồ sơ" again: the same dossier and code, not a second one.
    let t = sys
        .press_until(
            &who,
            &vi_label("button-send"),
            Expect::said(vi("submit-done")),
        )
        .await;
    let code = code_in(&bot_text(&t));
    assert_eq!(Some(code.as_str()), first.code.as_deref());
    assert_eq!(sys.portal_dossiers(&id).await.len(), 1);
}

#[tokio::test]
async fn submitting_before_login_comes_back_to_the_procedure_after_it() {
    let sys = System::start(engines()[0]).await;
    let id = cccd("8006");
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");
    let who = Citizen::new(7_200_006).named("Páo").language("vi");
    let language = vi_label("language-vi");
    sys.say_until(&who, "/start", Expect::button(&language))
        .await;
    sys.press_until(&who, &language, Expect::said(vi("language-set")))
        .await;
    let login = vi_label("button-login");
    sys.say_until(
        &who,
        &format!("/submit {SIGNATURE}"),
        Expect::said_with(vi("submit-login-required"), &login),
    )
    .await;
    sys.press_until(&who, &login, consent()).await;
    // Logged in, the citizen is back at the procedure's first question.
    log_in(
        &sys,
        &who,
        &id,
        Expect::said(vi("login-done")).and(first_question()),
    )
    .await;
}
