//! Issue 16: how many times a citizen has to act (send a message, press a button, share a
//! contact, send a photo) to register, and to submit the birth registration once its card is on
//! screen. Each walk goes through the sandbox with the real portal and counts every update the
//! citizen sends; the counts are printed beside the ones measured on `main` before issue 16,
//! and the targets of issue 16 are asserted (a count, not a timing).

use dvc_bot::portal::client::Portal;
use dvc_bot::sandbox::client::{Citizen, ContactInput, SendRequest, Transcript, TranscriptMessage};

use super::qr_photos::{CARD_NAME, card_text, photographed};
use super::{System, document, photo};
use crate::portal::{PASSWORD, cccd, pdf, registration};
use crate::support::engines;
use crate::support::said::{vi, vi_label, vi_label_with};
use crate::support::wait::Expect;

/// `main` before issue 16 (b1f72d0), counted step by step off its flow: /register, consent,
/// kind, name, CCCD, birth date, contact, e-mail skipped, address, password, confirm.
const BEFORE_REGISTER: usize = 11;
/// `main` before issue 16: "Nộp hồ sơ" on the card, five fields, the father's name skipped,
/// the relationship, the birth certificate, two optional papers skipped one by one, the
/// delivery, "Gửi hồ sơ".
const BEFORE_SUBMIT: usize = 13;
/// Issue 16's targets.
const TARGET_REGISTER_QR: usize = 6;
const TARGET_SUBMIT: usize = 12;

/// The citizen's side of a walk, counting each update sent.
struct Walk<'a> {
    sys: &'a System,
    who: Citizen,
    taps: usize,
}

impl<'a> Walk<'a> {
    fn new(sys: &'a System, who: Citizen) -> Self {
        Self { sys, who, taps: 0 }
    }
    async fn say(&mut self, text: &str, expect: Expect) -> Transcript {
        self.taps += 1;
        self.sys.say_until(&self.who, text, expect).await
    }
    async fn press(&mut self, label: &str, expect: Expect) -> Transcript {
        self.taps += 1;
        self.sys.press_until(&self.who, label, expect).await
    }
    async fn send(&mut self, request: SendRequest, expect: Expect) -> Transcript {
        self.taps += 1;
        self.sys.send_until(&self.who, request, expect).await
    }
    /// Not counted: what comes before the walk (language, login).
    async fn setup(&self, request: SendRequest, expect: Expect) -> Transcript {
        self.sys.send_until(&self.who, request, expect).await
    }
}

fn text(t: &str) -> SendRequest {
    SendRequest {
        text: Some(t.to_owned()),
        ..SendRequest::default()
    }
}

fn press(label: &str) -> SendRequest {
    SendRequest {
        press: Some(label.to_owned()),
        ..SendRequest::default()
    }
}

/// The chat in Vietnamese (not counted).
async fn in_vietnamese(walk: &Walk<'_>) {
    let language = vi_label("language-vi");
    walk.setup(text("/start"), Expect::button(&language)).await;
    walk.setup(press(&language), Expect::said(vi("language-set")))
        .await;
}

fn contact(walk: &Walk<'_>, phone: &str) -> SendRequest {
    SendRequest {
        contact: Some(ContactInput {
            phone_number: phone.into(),
            user_id: Some(walk.who.id),
        }),
        ..SendRequest::default()
    }
}

/// Registration from a photo of the CCCD's QR code: the phone and the password are left.
async fn register_with_qr(walk: &mut Walk<'_>) {
    walk.say(
        "/register",
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree-qr")),
    )
    .await;
    walk.press(
        &vi_label("consent-agree-qr"),
        Expect::said(vi("register-ask-qr")),
    )
    .await;
    walk.send(
        photo(&photographed(&card_text())),
        Expect::said(vi("register-qr-filled")).and(Expect::said(vi("register-ask-phone"))),
    )
    .await;
    let phone = contact(walk, "84912345670");
    walk.send(phone, Expect::said(vi("register-ask-password")))
        .await;
    walk.say(
        PASSWORD,
        Expect::said_with(vi("register-summary"), vi_label("register-confirm")),
    )
    .await;
    walk.press(
        &vi_label("register-confirm"),
        Expect::said(vi("register-done").arg("name", CARD_NAME)),
    )
    .await;
}

/// Registration typed field by field.
async fn register_typed(walk: &mut Walk<'_>, id: &str) {
    walk.say(
        "/register",
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree")),
    )
    .await;
    walk.press(
        &vi_label("consent-agree"),
        Expect::said_with(vi("ask-kind"), vi_label("kind-citizen")),
    )
    .await;
    walk.press(
        &vi_label("kind-citizen"),
        Expect::said(vi("register-ask-name")),
    )
    .await;
    walk.say("Lò Văn Mến", Expect::said(vi("register-ask-id-number")))
        .await;
    walk.say(id, Expect::said(vi("register-ask-birth-date")))
        .await;
    walk.say("05/01/1990", Expect::said(vi("register-ask-phone")))
        .await;
    let phone = contact(walk, "84912345678");
    walk.send(phone, Expect::said(vi("register-ask-address")))
        .await;
    walk.say(
        "Bản Mòng, xã Hua La, tỉnh Sơn La",
        Expect::said(vi("register-ask-password")),
    )
    .await;
    walk.say(
        PASSWORD,
        Expect::said_with(vi("register-summary"), vi_label("register-confirm")),
    )
    .await;
    walk.press(
        &vi_label("register-confirm"),
        Expect::said(vi("register-done")),
    )
    .await;
}

/// Logged in through the chat (not counted).
async fn log_in(walk: &Walk<'_>, id: &str) {
    walk.setup(
        text("/login"),
        Expect::said_with(vi("consent-statement"), vi_label("consent-agree")),
    )
    .await;
    walk.setup(
        press(&vi_label("consent-agree")),
        Expect::button(vi_label("kind-citizen")),
    )
    .await;
    walk.setup(
        press(&vi_label("kind-citizen")),
        Expect::said(vi("login-ask-username")),
    )
    .await;
    walk.setup(text(id), Expect::said(vi("login-ask-password")))
        .await;
    walk.setup(text(PASSWORD), Expect::said(vi("login-done")))
        .await;
}

/// The birth registration from its card (found by a search, not counted) to the dossier code.
async fn submit_birth(walk: &mut Walk<'_>) {
    let birth = "Đăng ký khai sinh";
    walk.setup(text("/procedures"), Expect::reply()).await;
    walk.setup(text("khai sinh"), Expect::button(birth)).await;
    let submit = vi_label("button-submit");
    // The card (edited in place of the results) leads back to them.
    let back = vi_label("button-back-results");
    let has = |m: &TranscriptMessage, label: &str| m.buttons.iter().flatten().any(|b| b == label);
    let card = walk.sys.press_edit(&walk.who, birth).await;
    assert!(has(&card, &submit) && has(&card, &back), "{card:?}");
    let results = walk.sys.press_edit(&walk.who, &back).await;
    assert!(has(&results, birth), "{results:?}");
    let card = walk.sys.press_edit(&walk.who, birth).await;
    assert!(has(&card, &submit), "{card:?}");

    let field = |n: i64| Expect::said(vi("submit-ask-field").num("n", n));
    walk.press(&submit, field(1)).await;
    walk.say("Lò Thị Hoa", field(2)).await;
    walk.say("01/11/2026", field(3)).await;
    walk.press("Nữ", field(4)).await;
    walk.say("Bệnh viện Đa khoa tỉnh Sơn La", field(5)).await;
    walk.say("Quàng Thị Lan", field(6)).await;
    walk.press(&vi_label("button-skip"), field(7)).await;
    walk.press("Mẹ", Expect::said(vi("submit-ask-paper"))).await;
    // The two optional papers are skipped with one tap.
    let skip_both = vi_label_with("button-skip-optional", &[("count", "2")]);
    walk.send(
        document("chung-sinh.pdf", "application/pdf", &pdf()),
        Expect::said(vi("paper-received"))
            .and(Expect::said_with(vi("submit-ask-paper"), &skip_both)),
    )
    .await;
    walk.press(&skip_both, Expect::said(vi("submit-ask-delivery")))
        .await;
    walk.press(
        &vi_label("delivery-online"),
        Expect::said_with(vi("submit-review"), vi_label("button-send")),
    )
    .await;
    walk.press(&vi_label("button-send"), Expect::said(vi("submit-done")))
        .await;
}

#[tokio::test]
async fn citizen_interactions_to_register_and_to_submit() {
    let engine = engines()[0];
    let sys = System::start(engine).await;

    let mut typed = Walk::new(&sys, Citizen::new(7_160_001).named("Mến").language("vi"));
    in_vietnamese(&typed).await;
    register_typed(&mut typed, &cccd("6001")).await;

    let mut qr = Walk::new(&sys, Citizen::new(7_160_003).named("Thử").language("vi"));
    in_vietnamese(&qr).await;
    register_with_qr(&mut qr).await;

    let id = cccd("6002");
    sys.portal_client
        .register(&registration(&id), None)
        .await
        .expect("account");
    let mut submit = Walk::new(&sys, Citizen::new(7_160_002).named("Hoa").language("vi"));
    in_vietnamese(&submit).await;
    log_in(&submit, &id).await;
    submit_birth(&mut submit).await;

    println!("citizen interactions          before  now  target");
    println!(
        "register (CCCD QR)            {BEFORE_REGISTER:>6}  {:>3}  {TARGET_REGISTER_QR:>6}",
        qr.taps
    );
    println!(
        "register (typed)              {BEFORE_REGISTER:>6}  {:>3}       -",
        typed.taps
    );
    println!(
        "submit birth registration     {BEFORE_SUBMIT:>6}  {:>3}  {TARGET_SUBMIT:>6}",
        submit.taps
    );
    assert!(
        qr.taps <= TARGET_REGISTER_QR,
        "registration with the QR: {}",
        qr.taps
    );
    assert!(
        typed.taps < BEFORE_REGISTER,
        "typed registration: {}",
        typed.taps
    );
    assert!(submit.taps <= TARGET_SUBMIT, "submission: {}", submit.taps);
}
