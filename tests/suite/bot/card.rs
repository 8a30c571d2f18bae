//! After sending, through the sandbox with the real portal moved by its officer API: "Hồ sơ
//! của tôi" by group, the dossier card and its actions, answering a supplement, a fee with its
//! VietQR code, the result document, withdrawing, the chat actions shown while the bot works,
//! and forged buttons naming another citizen's dossier — in both languages.

use base64::Engine as _;
use dvc_bot::domain::DossierCode;
use dvc_bot::i18n::{I18n, Locale};
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{CreateDraft, Delivery, DossierStatus, LoginRequest};
use dvc_bot::sandbox::client::{Citizen, Transcript, TranscriptMessage};
use dvc_bot::vietqr::BankAccount;
use serde_json::json;

use super::{System, bot_text, has_button};
use crate::portal::{BIRTH, PASSWORD, cccd, pdf, registration, upload};
use crate::support::engines;
use crate::support::wait::Expect;

/// A citizen with a portal account, logged in through the chat in `locale`.
async fn logged_in(sys: &System, user_id: i64, tail: &str, locale: Locale) -> (Citizen, String) {
    let id = cccd(tail);
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");
    let who = Citizen::new(user_id).named("Hoa").language(locale.code());
    sys.say(&who, "/start").await;
    let (language, agree, citizen) = match locale {
        Locale::Vi => ("Tiếng Việt", "Đồng ý", "Công dân"),
        Locale::En => ("English", "I agree", "Citizen"),
    };
    sys.press(&who, language).await;
    sys.say(&who, "/login").await;
    sys.press(&who, agree).await;
    sys.press(&who, citizen).await;
    sys.say(&who, &id).await;
    let t = sys.say(&who, PASSWORD).await;
    let done = match locale {
        Locale::Vi => "Đăng nhập thành công",
        Locale::En => "You are logged in",
    };
    assert!(bot_text(&t).contains(done), "{}", bot_text(&t));
    (who, id)
}

/// A session of the account `cccd`, as the citizen's own portal client would hold.
async fn session(sys: &System, cccd: &str) -> String {
    sys.portal_client
        .login(&LoginRequest {
            login: cccd.into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("login")
        .token
}

/// A birth registration sent by the account `cccd` (result online, or by post to `post`).
async fn submitted(sys: &System, cccd: &str, post: Option<&str>) -> DossierCode {
    let token = session(sys, cccd).await;
    let values = crate::portal::birth_values();
    let delivery = match post {
        Some(address) => Delivery::Post {
            address: address.into(),
        },
        None => Delivery::Online,
    };
    let draft = sys
        .portal_client
        .create_draft(
            &token,
            &CreateDraft {
                procedure_code: BIRTH.into(),
                values,
                delivery: Some(delivery),
            },
            None,
        )
        .await
        .expect("draft");
    sys.portal_client
        .upload(
            &token,
            &draft.id.into(),
            upload("giay_chung_sinh", "chung-sinh.pdf", pdf()),
            None,
        )
        .await
        .expect("upload");
    let sent = sys
        .portal_client
        .submit(&token, &draft.id.into(), &format!("s-{}", draft.id))
        .await
        .expect("submit");
    DossierCode::parse(sent.code.as_deref().expect("a code")).expect("dossier code")
}

/// The officer moves a dossier; the action must be allowed.
async fn officer(sys: &System, code: &DossierCode, action: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/officer/dossiers/{}/actions",
            sys.portal_url,
            code.as_str()
        ))
        .bearer_auth("officer-test-token")
        .json(&action)
        .send()
        .await
        .expect("officer call");
    let status = response.status();
    assert!(
        status.is_success(),
        "{action}: {status} {}",
        response.text().await.unwrap_or_default()
    );
}

fn deadline() -> String {
    (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339()
}

/// The portal's status of dossier `code` of the account `cccd`.
async fn status(sys: &System, cccd: &str, code: &DossierCode) -> DossierStatus {
    let token = session(sys, cccd).await;
    sys.portal_client
        .my_dossier(&token, &code.clone().into())
        .await
        .expect("my dossier")
        .status
}

/// A press of a button with this callback data (a notification's, or a forged one); the
/// bot's messages after it, once `expect` holds.
async fn press_data(sys: &System, who: &Citizen, data: &str, expect: Expect) -> Transcript {
    let after = sys.last_id(who).await;
    sys.client
        .press_data(who.clone(), data)
        .await
        .unwrap_or_else(|e| panic!("press {data:?}: {e}"));
    sys.wait_for(who, after, expect).await
}

/// A bot message with a photo.
fn a_photo() -> Expect {
    Expect::bot_message("a photo", |m| m.photo.is_some())
}

/// The newest bot message with a button labelled `label`.
fn with_button<'t>(t: &'t Transcript, label: &str) -> &'t TranscriptMessage {
    t.bot_messages()
        .filter(|m| m.buttons.iter().flatten().any(|b| b == label))
        .last()
        .unwrap_or_else(|| panic!("no button {label:?} in {}", bot_text(t)))
}

async fn actions(sys: &System, who: &Citizen) -> Vec<String> {
    sys.client
        .actions(who.clone())
        .await
        .expect("actions")
        .into_iter()
        .map(|a| a.action)
        .collect()
}

fn text(locale: Locale, id: &str) -> String {
    I18n::load().expect("locales").text(locale, id, None)
}

#[tokio::test]
async fn groups_cards_and_withdrawing_in_vietnamese() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in(&sys, 7101, "7101", Locale::Vi).await;
        let fresh = submitted(&sys, &id, None).await;
        let accepted = submitted(&sys, &id, None).await;
        officer(&sys, &accepted, json!({"action": "accept"})).await;

        let t = sys.say(&who, "/mydossiers").await;
        let groups = t.last_bot().expect("groups");
        let labels: Vec<&str> = groups
            .buttons
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        assert_eq!(
            labels,
            [
                "Hồ sơ mới (1)",
                "Bổ sung hồ sơ (0)",
                "Đang xử lý (1)",
                "Nghĩa vụ tài chính (0)",
                "Thanh toán phí (0)",
                "Đang tạm dừng (0)",
                "Hoàn thành thụ lý (0)",
                "Đã hoàn thành trả kết quả (0)",
                "Hồ sơ nháp (0)",
                "Đã rút hồ sơ (0)",
                "Từ chối tiếp nhận (0)",
            ],
            "the seed's groups in its order, then drafts, withdrawn, rejected"
        );

        // A group opens its list in place; an entry opens the card.
        let list = sys.press_edit(&who, "Đang xử lý (1)").await;
        let entry = format!("{} · Đăng ký khai sinh", accepted.as_str());
        assert!(
            list.buttons.iter().flatten().any(|b| b == &entry),
            "{list:?}"
        );
        let t = sys.press(&who, &entry).await;
        let card = t.last_bot().expect("card");
        assert!(card.text.contains(accepted.as_str()), "{}", card.text);
        assert!(card.text.contains("Đang xử lý"), "{}", card.text);
        let card_buttons: Vec<&str> = card.buttons.iter().flatten().map(String::as_str).collect();
        assert_eq!(
            card_buttons,
            ["◀ Đang xử lý"],
            "nothing to do while processed"
        );
        assert!(
            actions(&sys, &who).await.iter().any(|a| a == "typing"),
            "typing… while the portal is asked"
        );

        // The new one may be withdrawn, after a confirmation.
        let t = press_data(
            &sys,
            &who,
            &format!("ho:{}", fresh.as_str()),
            Expect::button("↩️ Rút hồ sơ"),
        )
        .await;
        assert!(has_button(&t, "↩️ Rút hồ sơ"), "{}", bot_text(&t));
        let t = sys.press(&who, "↩️ Rút hồ sơ").await;
        let confirm = with_button(&t, "✅ Rút hồ sơ").message_id;
        assert!(has_button(&t, "✖️ Không rút"));
        assert_eq!(
            status(&sys, &id, &fresh).await,
            DossierStatus::New,
            "not yet"
        );
        let t = sys
            .press_until(&who, "✅ Rút hồ sơ", Expect::button("◀ Đã rút hồ sơ"))
            .await;
        assert!(bot_text(&t).contains(fresh.as_str()), "{}", bot_text(&t));
        assert_eq!(status(&sys, &id, &fresh).await, DossierStatus::Withdrawn);
        let all = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("chat");
        assert!(
            all.message(confirm)
                .expect("confirmation")
                .buttons
                .is_empty(),
            "the used confirmation lost its buttons"
        );
        assert!(
            !has_button(&t, "↩️ Rút hồ sơ"),
            "a withdrawn dossier offers no withdrawal"
        );
        // The accepted one cannot be withdrawn, even by a forged button.
        let t = press_data(
            &sys,
            &who,
            &format!("rx:{}", accepted.as_str()),
            Expect::text(accepted.as_str()),
        )
        .await;
        assert!(bot_text(&t).contains(accepted.as_str()), "{}", bot_text(&t));
        assert_eq!(
            status(&sys, &id, &accepted).await,
            DossierStatus::Processing
        );
    }
}

#[tokio::test]
async fn a_forged_button_on_another_citizens_dossier_reveals_nothing() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (_owner, owner_id) = logged_in(&sys, 7201, "7201", Locale::Vi).await;
        let code = submitted(&sys, &owner_id, None).await;
        let (other, _) = logged_in(&sys, 7202, "7202", Locale::Vi).await;
        for data in ["ho", "bs", "fe", "kq", "rt", "rx", "gs"] {
            let t = press_data(
                &sys,
                &other,
                &format!("{data}:{}", code.as_str()),
                Expect::reply(),
            )
            .await;
            let reply = t.last_bot().expect("an answer");
            assert_eq!(reply.text, text(Locale::Vi, "dossier-not-yours"), "{data}");
            assert!(reply.buttons.is_empty() && reply.photo.is_none() && reply.document.is_none());
            assert!(!bot_text(&t).contains("Đăng ký khai sinh"), "{data}");
        }
        assert_eq!(status(&sys, &owner_id, &code).await, DossierStatus::New);
    }
}

#[tokio::test]
async fn a_supplement_answered_in_the_chat_moves_the_dossier_back() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in(&sys, 7301, "7301", Locale::Vi).await;
        let code = submitted(&sys, &id, None).await;
        officer(&sys, &code, json!({"action": "accept"})).await;
        officer(
            &sys,
            &code,
            json!({"action": "request_supplement", "reason": "Giấy chứng sinh bị mờ",
                   "deadline": deadline(), "missing_papers": ["giay_chung_sinh"]}),
        )
        .await;

        // The card offers the supplement; its button (a notification's too) opens the checklist.
        let t = press_data(
            &sys,
            &who,
            &format!("ho:{}", code.as_str()),
            Expect::button("📎 Bổ sung hồ sơ"),
        )
        .await;
        assert!(has_button(&t, "📎 Bổ sung hồ sơ"), "{}", bot_text(&t));
        assert!(bot_text(&t).contains("Giấy chứng sinh bị mờ"));
        let t = sys.press(&who, "📎 Bổ sung hồ sơ").await;
        let checklist = t
            .bot_messages()
            .find(|m| m.text.contains("⬜"))
            .expect("a checklist")
            .clone();
        assert!(checklist.text.contains("Giấy chứng sinh bị mờ"));
        assert!(checklist.buttons.is_empty(), "nothing to send yet");

        // A wrong file is refused by the same checks as at submission.
        let after = sys.last_id(&who).await;
        sys.client
            .send_document(who.clone(), "ghi-chu.txt", "text/plain", b"hello")
            .await
            .expect("document");
        let t = sys.wait_reply(&who, after).await;
        assert!(!has_button(&t, "📤 Gửi bổ sung"), "{}", bot_text(&t));
        let all = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("chat");
        assert!(
            all.message(checklist.message_id)
                .unwrap()
                .text
                .contains("⬜")
        );

        let after = sys.last_id(&who).await;
        sys.client
            .send_document(who.clone(), "chung-sinh-moi.pdf", "application/pdf", &pdf())
            .await
            .expect("document");
        sys.wait_reply(&who, after).await;
        let all = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("chat");
        let edited = all.message(checklist.message_id).expect("checklist");
        assert!(
            edited.text.contains("✅") && !edited.text.contains("⬜"),
            "{}",
            edited.text
        );
        assert!(
            edited
                .buttons
                .iter()
                .flatten()
                .any(|b| b == "📤 Gửi bổ sung")
        );
        assert_eq!(
            status(&sys, &id, &code).await,
            DossierStatus::SupplementRequired
        );

        let t = sys
            .press_until(&who, "📤 Gửi bổ sung", Expect::button("◀ Đang xử lý"))
            .await;
        assert!(bot_text(&t).contains(code.as_str()), "{}", bot_text(&t));
        assert_eq!(status(&sys, &id, &code).await, DossierStatus::Processing);
        let all = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("chat");
        assert!(
            all.message(checklist.message_id)
                .unwrap()
                .buttons
                .is_empty(),
            "the used checklist lost its button"
        );
        let token = session(&sys, &id).await;
        let dossier = sys
            .portal_client
            .my_dossier(&token, &code.clone().into())
            .await
            .unwrap();
        assert!(
            dossier
                .documents
                .iter()
                .any(|d| d.file_name == "chung-sinh-moi.pdf"),
            "the new paper reached the portal"
        );
        // Pressing again (a stale button) sends nothing twice.
        let t = press_data(
            &sys,
            &who,
            &format!("gs:{}", code.as_str()),
            Expect::button("◀ Đang xử lý"),
        )
        .await;
        assert!(!has_button(&t, "📤 Gửi bổ sung"), "{}", bot_text(&t));
    }
}

/// The VietQR payload for the test account, written out field by field by hand; the CRC is
/// computed here, bit by bit.
fn expected_payload(amount: &str, reference: &str) -> String {
    let field = |id: &str, v: &str| format!("{id}{:02}{v}", v.len());
    let beneficiary = [field("00", "970422"), field("01", "1234567890")].concat();
    let merchant = [
        field("00", "A000000727"),
        field("01", &beneficiary),
        field("02", "QRIBFTTA"),
    ]
    .concat();
    let body = [
        field("00", "01"),
        field("01", "12"),
        field("38", &merchant),
        field("53", "704"),
        field("54", amount),
        field("58", "VN"),
        field("62", &field("08", reference)),
        "6304".to_owned(),
    ]
    .concat();
    let mut crc: u16 = 0xFFFF;
    for byte in body.bytes() {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    format!("{body}{crc:04X}")
}

fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

#[tokio::test]
async fn a_fee_with_its_vietqr_code_in_english() {
    for engine in engines() {
        let mut sys = System::start(engine).await;
        sys.stop_bot().await;
        sys.bank = Some(BankAccount::new("970422", "1234567890", "KBNN SON LA").unwrap());
        sys.start_bot().await;
        let (who, id) = logged_in(&sys, 7401, "7401", Locale::En).await;
        let civil = sys
            .portal_client
            .fields()
            .await
            .unwrap()
            .iter()
            .find(|f| f.field == "Hộ tịch")
            .cloned()
            .expect("civil status in the catalogue");
        let t = sys
            .say_until(
                &who,
                "/procedures",
                Expect::button(format!("Civil status ({})", civil.count)),
            )
            .await;
        let fields: Vec<&str> = t
            .bot_messages()
            .flat_map(|m| m.buttons.iter().flatten())
            .map(String::as_str)
            .collect();
        assert!(
            fields.iter().any(|b| b.starts_with("Civil status (")),
            "fields in English: {fields:?}"
        );
        assert!(
            !fields.iter().any(|b| b.starts_with("Hộ tịch")),
            "{fields:?}"
        );
        let code = submitted(&sys, &id, None).await;
        officer(&sys, &code, json!({"action": "accept"})).await;
        officer(
            &sys,
            &code,
            json!({"action": "request_fee", "amount": 1_250_000, "deadline": deadline(),
                   "payment_ref": "LP-2026-0001", "reason": "Lệ phí đăng ký"}),
        )
        .await;

        let t = press_data(
            &sys,
            &who,
            &format!("ho:{}", code.as_str()),
            Expect::button("💳 Fee and QR code"),
        )
        .await;
        let card = with_button(&t, "💳 Fee and QR code");
        let birth = sys.portal_client.procedure(BIRTH).await.unwrap().summary;
        assert!(
            card.text.contains(&birth.name_en),
            "English names: {}",
            card.text
        );
        assert!(card.text.contains("1.250.000 ₫"), "{}", card.text);
        let card_id = card.message_id;
        let t = sys.press_until(&who, "💳 Fee and QR code", a_photo()).await;
        let text = bot_text(&t);
        assert!(
            text.contains("1.250.000 ₫") && text.contains("LP-2026-0001"),
            "{text}"
        );
        let photo = t
            .bot_messages()
            .find_map(|m| m.photo.clone())
            .expect("the QR code as a photo");
        let png = sys.client.download(&photo.file_id).await.expect("photo");
        let payload = decode_qr(&png);
        assert_eq!(payload, expected_payload("1250000", "LP-2026-0001"));
        assert_eq!(
            payload,
            concat!(
                "000201010212",
                "38540010A00000072701240006970422011012345678900208QRIBFTTA",
                "530370454071250000",
                "5802VN",
                "62160812LP-2026-0001",
                "6304"
            )
            .to_owned()
                + &payload[payload.len() - 4..],
            "field by field"
        );
        assert!(
            actions(&sys, &who)
                .await
                .iter()
                .any(|a| a == "upload_photo")
        );
        let all = sys
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .expect("chat");
        assert!(
            all.message(card_id).unwrap().buttons.is_empty(),
            "the card's used buttons are gone"
        );

        // Without DVC_BANK_*: the reference alone.
        sys.stop_bot().await;
        sys.bank = None;
        sys.start_bot().await;
        let t = press_data(
            &sys,
            &who,
            &format!("fe:{}", code.as_str()),
            Expect::text("LP-2026-0001"),
        )
        .await;
        assert!(bot_text(&t).contains("LP-2026-0001"), "{}", bot_text(&t));
        assert!(t.bot_messages().all(|m| m.photo.is_none()), "no QR code");

        officer(&sys, &code, json!({"action": "confirm_payment"})).await;
        let t = press_data(
            &sys,
            &who,
            &format!("fe:{}", code.as_str()),
            Expect::button("◀ Being processed"),
        )
        .await;
        assert!(t.bot_messages().all(|m| m.photo.is_none()));
        assert!(
            !has_button(&t, "💳 Fee and QR code"),
            "paid: {}",
            bot_text(&t)
        );
    }
}

#[tokio::test]
async fn the_result_document_in_the_chat_and_by_post() {
    for engine in engines() {
        let sys = System::start(engine).await;
        let (who, id) = logged_in(&sys, 7501, "7501", Locale::En).await;
        let online = submitted(&sys, &id, None).await;
        let by_post = submitted(&sys, &id, Some("Tổ 3, phường Chiềng Lề")).await;
        let result = b"%PDF-1.4\nTrich luc khai sinh\n%%EOF\n".to_vec();
        for code in [&online, &by_post] {
            officer(&sys, code, json!({"action": "accept"})).await;
            officer(
                &sys,
                code,
                json!({"action": "complete", "result": {"file_name": "trich-luc.pdf",
                       "data_base64": base64::engine::general_purpose::STANDARD.encode(&result)}}),
            )
            .await;
            officer(&sys, code, json!({"action": "return_result"})).await;
        }

        let t = sys
            .say_until(&who, "/mydossiers", Expect::button("Result returned (2)"))
            .await;
        assert!(has_button(&t, "Result returned (2)"), "{}", bot_text(&t));
        let t = press_data(
            &sys,
            &who,
            &format!("ho:{}", online.as_str()),
            Expect::button("📄 Get the result"),
        )
        .await;
        assert!(has_button(&t, "📄 Get the result"), "{}", bot_text(&t));
        let t = sys
            .press_until(
                &who,
                "📄 Get the result",
                Expect::bot_message("a document", |m| m.document.is_some()),
            )
            .await;
        let document = t
            .bot_messages()
            .find_map(|m| m.document.clone())
            .expect("the result document");
        assert_eq!(document.file_name.as_deref(), Some("trich-luc.pdf"));
        let bytes = sys.client.download(&document.file_id).await.expect("file");
        assert_eq!(bytes, result);
        assert!(
            actions(&sys, &who)
                .await
                .iter()
                .any(|a| a == "upload_document")
        );

        let t = press_data(
            &sys,
            &who,
            &format!("kq:{}", by_post.as_str()),
            Expect::text("Chiềng Lề"),
        )
        .await;
        assert!(t.bot_messages().all(|m| m.document.is_none()));
        assert!(bot_text(&t).contains("Chiềng Lề"), "{}", bot_text(&t));
    }
}
