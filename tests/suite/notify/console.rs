//! The officer console with the chat: an answer written in the console's inbox reaches the
//! asker's chat, and the deep links of a poster's and a receipt's QR codes open the
//! procedure's card and the dossier's lookup in the bot.

use dvc_bot::config::SANDBOX_TOKEN;
use dvc_bot::portal::Portal;
use dvc_bot::portal::model::AskRequest;
use dvc_bot::sandbox::client::Citizen;

use super::{Notified, labels};
use crate::portal::{OFFICER_AN, TEST_BOT};
use crate::support::engines;
use crate::support::said::en_label;

/// The console's cookie for `token`.
async fn console_cookie(n: &Notified, token: &str) -> String {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/officer/login", n.tp.url))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The text of the QR code the console draws at `path`.
async fn qr_text(n: &Notified, path: &str) -> String {
    let png =
        n.tp.http
            .get(format!("{}{path}", n.tp.url))
            .bearer_auth(OFFICER_AN.1)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn an_answer_from_the_console_reaches_the_askers_chat() {
    for engine in engines() {
        let n = Notified::start(engine, false, |_| {}).await;
        let (session, code) = n.citizen_with_dossier("6631").await;
        let asker = n.link(7_400_031, &session, "vi").await;
        let asked =
            n.tp.client
                .ask(
                    &session.token,
                    &AskRequest {
                        text: "Bao giờ có kết quả?".into(),
                        dossier: Some(code.clone()),
                    },
                )
                .await
                .expect("asked");
        let cookie = console_cookie(&n, OFFICER_AN.1).await;
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!(
                "{}/officer/questions/{}/answer",
                n.tp.url, asked.id
            ))
            .header("cookie", cookie)
            .form(&[("answer", "Thứ Sáu tuần này chị nhé.")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let told = n
            .wait_for(&asker, 0, |m| m.text.contains("Thứ Sáu tuần này chị nhé."))
            .await;
        assert!(told.text.contains(&code), "{told:?}");
        n.stop().await;
    }
}

#[tokio::test]
async fn a_posters_and_a_receipts_qr_codes_open_the_card_and_the_lookup() {
    assert_eq!(
        dvc_bot::sandbox::bot_username(SANDBOX_TOKEN).as_deref(),
        Some(TEST_BOT),
        "the test portal's QR codes name the sandbox's own bot"
    );
    let mut n = Notified::start(engines()[0], false, |_| {}).await;
    n.start_bot();
    let (_, code) = n.citizen_with_dossier("6632").await;
    let who = Citizen::new(7_400_032).language("en");
    for (path, expect_button, expect_text) in [
        (
            "/officer/procedures/1.001193/poster.png".to_owned(),
            en_label("button-submit"),
            "1.001193".to_owned(),
        ),
        (
            format!("/officer/dossiers/{code}/qr.png"),
            en_label("lookup-more-button"),
            code.clone(),
        ),
    ] {
        let link = qr_text(&n, &path).await;
        let prefix = format!("https://t.me/{TEST_BOT}?start=");
        let payload = link.strip_prefix(&prefix).expect("a deep link to the bot");
        let after = n
            .client
            .transcript(who.clone(), 0, 0)
            .await
            .unwrap()
            .last_id()
            .unwrap_or(0);
        // What Telegram sends when the link is opened: `/start <payload>`.
        n.client
            .send_text(who.clone(), &format!("/start {payload}"))
            .await
            .expect("sent");
        let m = n
            .wait_for(&who, after, |m| labels(m).contains(&expect_button.as_str()))
            .await;
        assert!(m.text.contains(&expect_text), "{path}: {m:?}");
    }
    n.stop().await;
}
