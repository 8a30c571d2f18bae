//! Submitting a dossier in the chat, through the sandbox with the real portal: a procedure with
//! two required papers (a PDF document and a photo), wrong and over-large files refused, the
//! checklist enforced, a draft saved then sent after a restart, a double tap, a portal outage.

use dvc_bot::i18n::{format_date, local_date};
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{DossierStatus, LoginRequest};
use dvc_bot::sandbox::client::Citizen;

use super::{System, bot_text, dossier_code, has_button, jpeg};
use crate::portal::{PASSWORD, cccd, pdf, registration};
use crate::support::engines;

/// Chứng thực chữ ký: one text field, a PDF-only paper and an ID paper, both required.
const SIGNATURE: &str = "2.000884";
const SIGNATURE_NAME: &str = "Chứng thực chữ ký trong giấy tờ, văn bản";

/// A citizen with a portal account, logged in through the chat.
async fn logged_in(sys: &System, user_id: i64, tail: &str) -> (Citizen, String) {
    let id = cccd(tail);
    sys.portal_client
        .register(&registration(&id))
        .await
        .expect("account");
    let who = Citizen::new(user_id).named("Hoa").language("vi");
    sys.say(&who, "/start").await;
    sys.press(&who, "Tiếng Việt").await;
    sys.say(&who, "/login").await;
    sys.press(&who, "Đồng ý").await;
    sys.press(&who, "Công dân").await;
    sys.say(&who, &id).await;
    let t = sys.say(&who, PASSWORD).await;
    assert!(
        bot_text(&t).contains("Đăng nhập thành công"),
        "{}",
        bot_text(&t)
    );
    (who, id)
}

async fn send_document(
    sys: &System,
    who: &Citizen,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> String {
    let after = sys.last_id(who).await;
    sys.client
        .send_document(who.clone(), name, mime, bytes)
        .await
        .expect("document");
    bot_text(&sys.wait_reply(who, after).await)
}

async fn send_photo(sys: &System, who: &Citizen, bytes: &[u8]) -> String {
    let after = sys.last_id(who).await;
    sys.client
        .send_photo(who.clone(), bytes)
        .await
        .expect("photo");
    bot_text(&sys.wait_reply(who, after).await)
}

/// From /submit to the review card, with both papers.
async fn fill_to_review(sys: &System, who: &Citizen) {
    let t = sys.say(who, &format!("/submit {SIGNATURE}")).await;
    assert!(bot_text(&t).contains(SIGNATURE_NAME), "{}", bot_text(&t));
    let t = sys.say(who, "Giấy uỷ quyền cho con").await;
    assert!(
        bot_text(&t).contains("Thành phần hồ sơ"),
        "the checklist: {}",
        bot_text(&t)
    );
    assert!(
        send_document(sys, who, "van-ban.pdf", "application/pdf", &pdf())
            .await
            .contains("Đã nhận")
    );
    assert!(send_photo(sys, who, &jpeg()).await.contains("Đã nhận"));
    let t = sys
        .press(who, "📱 Trực tuyến (gửi trong trò chuyện này)")
        .await;
    assert!(bot_text(&t).contains("Kiểm tra hồ sơ"), "{}", bot_text(&t));
}

#[tokio::test]
async fn a_full_submission_with_a_document_and_a_photo() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in(&sys, 7_200_001, "8001").await;
        let t = sys.say(&who, &format!("/submit {SIGNATURE}")).await;
        assert!(bot_text(&t).contains("(1/1)"), "{}", bot_text(&t));
        sys.say(&who, "Giấy uỷ quyền cho con").await;

        // The checklist is enforced: text is not a paper, a required paper has no skip.
        let t = sys.say(&who, "đây là văn bản").await;
        assert!(
            bot_text(&t).contains("gửi giấy tờ dưới dạng tệp"),
            "{}",
            bot_text(&t)
        );
        assert!(!has_button(&t, "Bỏ qua"));
        // A PNG where only PDF is accepted, even when named .pdf: refused with the reason.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let said = send_document(&sys, &who, "van-ban.pdf", "application/pdf", &png).await;
        assert!(
            said.contains("không đúng định dạng") && said.contains("Định dạng nhận: PDF."),
            "{said}"
        );
        // Over the paper's 5 MB cap: refused with the cap.
        let mut big = pdf();
        big.resize(6 * 1024 * 1024, b' ');
        let said = send_document(&sys, &who, "lon.pdf", "application/pdf", &big).await;
        assert!(said.contains("tối đa 5 MB"), "{said}");

        assert!(
            send_document(&sys, &who, "van-ban.pdf", "application/pdf", &pdf())
                .await
                .contains("Đã nhận")
        );
        assert!(send_photo(&sys, &who, &jpeg()).await.contains("Đã nhận"));
        // One checklist message, edited in place as the papers arrived.
        let all = sys.client.transcript(who.clone(), 0, 0).await.unwrap();
        let lists: Vec<_> = all
            .bot_messages()
            .filter(|m| m.text.starts_with("Thành phần hồ sơ"))
            .collect();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert!(
            lists[0].edited && lists[0].text.matches('✅').count() == 2,
            "{:?}",
            lists[0]
        );

        sys.press(&who, "📱 Trực tuyến (gửi trong trò chuyện này)")
            .await;
        let t = sys.press(&who, "📤 Gửi hồ sơ").await;
        let code = dossier_code(&bot_text(&t), "Mã hồ sơ: ");
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
    let t = sys.say(&who, "/procedures").await;
    assert!(
        t.last_bot().is_some_and(|m| !m.buttons.is_empty()),
        "fields as buttons"
    );
    let t = sys.say(&who, "chung thuc chu ky").await;
    assert!(has_button(&t, SIGNATURE_NAME), "{}", bot_text(&t));
    let card = sys.press_edit(&who, SIGNATURE_NAME).await;
    assert!(
        card.text.contains("Thành phần hồ sơ") && card.text.contains("Miễn phí")
            || card.text.contains("₫"),
        "{}",
        card.text
    );
    assert!(card.buttons.iter().flatten().any(|b| b == "📝 Nộp hồ sơ"));
    let t = sys.press(&who, "📝 Nộp hồ sơ").await;
    assert!(bot_text(&t).contains(SIGNATURE_NAME), "{}", bot_text(&t));
}

#[tokio::test]
async fn a_saved_draft_survives_a_restart_and_a_double_tap_sends_once() {
    let engine = *engines().last().unwrap();
    let mut sys = System::start(engine).await;
    let (who, id) = logged_in(&sys, 7_200_003, "8003").await;
    fill_to_review(&sys, &who).await;
    let t = sys.press(&who, "💾 Lưu nháp").await;
    assert!(
        bot_text(&t).contains("Đã lưu hồ sơ nháp"),
        "{}",
        bot_text(&t)
    );
    assert_eq!(
        sys.portal_dossiers(&id).await[0].status,
        DossierStatus::Draft
    );

    sys.stop_bot().await;
    sys.start_bot().await;
    let t = sys.say(&who, "/cancel").await;
    assert!(
        bot_text(&t).contains("Hồ sơ nháp (nếu có) vẫn được giữ"),
        "{}",
        bot_text(&t)
    );
    sys.say(&who, "/drafts").await;
    let label = format!(
        "{SIGNATURE_NAME} · {}",
        format_date(local_date(chrono::Utc::now()))
    );
    let t = sys.press(&who, &label).await;
    assert!(
        bot_text(&t).contains("Kiểm tra hồ sơ"),
        "resumed at the review: {}",
        bot_text(&t)
    );

    // Two taps on "Gửi hồ sơ" before the first is answered.
    let after = sys.last_id(&who).await;
    sys.client.press(who.clone(), "📤 Gửi hồ sơ").await.unwrap();
    sys.client.press(who.clone(), "📤 Gửi hồ sơ").await.unwrap();
    let t = sys.wait_reply(&who, after).await;
    assert_eq!(
        bot_text(&t).matches("Đã gửi hồ sơ").count(),
        1,
        "{}",
        bot_text(&t)
    );
    let listed = sys.portal_dossiers(&id).await;
    assert_eq!(listed.len(), 1, "one dossier at the portal");
    // The second tap is answered with the code, on the button itself.
    let code = listed[0].code.clone().unwrap();
    let mut notice = None;
    for _ in 0..50 {
        notice = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .unwrap()
            .notice;
        if notice.as_ref().is_some_and(|n| n.text.contains(&code)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let notice = notice.expect("the second tap is answered");
    assert!(
        notice.text.contains("đã được gửi") && notice.text.contains(&code),
        "{notice:?}"
    );
    assert_eq!(listed[0].status, DossierStatus::New);
}

#[tokio::test]
async fn a_portal_outage_during_send_keeps_the_draft() {
    let engine = engines()[0];
    let mut sys = System::start(engine).await;
    let (who, id) = logged_in(&sys, 7_200_004, "8004").await;
    fill_to_review(&sys, &who).await;
    sys.stop_portal().await;
    let t = sys.press(&who, "📤 Gửi hồ sơ").await;
    assert!(
        bot_text(&t).contains("không kết nối được Cổng dịch vụ công"),
        "{}",
        bot_text(&t)
    );
    assert!(bot_text(&t).contains("vẫn được giữ"), "{}", bot_text(&t));
    sys.start_portal().await;
    let t = sys.press(&who, "📤 Gửi hồ sơ").await;
    let code = dossier_code(&bot_text(&t), "Mã hồ sơ: ");
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
    sys.press(&who, "💾 Lưu nháp").await;
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
    let t = sys.press(&who, "📤 Gửi hồ sơ").await;
    let code = dossier_code(&bot_text(&t), "Mã hồ sơ: ");
    assert_eq!(Some(code.as_str()), first.code.as_deref());
    assert_eq!(sys.portal_dossiers(&id).await.len(), 1);
}

#[tokio::test]
async fn submitting_before_login_comes_back_to_the_procedure_after_it() {
    let sys = System::start(engines()[0]).await;
    let id = cccd("8006");
    sys.portal_client
        .register(&registration(&id))
        .await
        .expect("account");
    let who = Citizen::new(7_200_006).named("Páo").language("vi");
    sys.say(&who, "/start").await;
    sys.press(&who, "Tiếng Việt").await;
    let t = sys.say(&who, &format!("/submit {SIGNATURE}")).await;
    assert!(bot_text(&t).contains("cần đăng nhập"), "{}", bot_text(&t));
    sys.press(&who, "Đăng nhập").await;
    sys.press(&who, "Đồng ý").await;
    sys.press(&who, "Công dân").await;
    sys.say(&who, &id).await;
    let t = sys.say(&who, PASSWORD).await;
    let text = bot_text(&t);
    assert!(
        text.contains("Đăng nhập thành công") && text.contains(SIGNATURE_NAME),
        "{text}"
    );
    assert!(text.contains("(1/1)"), "the form's first question: {text}");
}
