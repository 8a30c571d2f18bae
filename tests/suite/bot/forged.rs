//! Updates Telegram never sends, posted straight to the bot's webhook as a forger would.

use dvc_bot::sandbox::client::Citizen;

use super::{System, bot_text};
use crate::support::engines;

const SECRET: &str = "webhook-secret-token";

/// Issue 13.7: a message in one citizen's private chat whose sender is another user is
/// refused: nothing is done or said for it, while the chat's own messages are answered.
#[tokio::test]
async fn a_private_message_from_someone_else_is_refused() {
    let mut sys = System::start(engines()[0]).await;
    sys.stop_bot().await;
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = url::Url::parse(&format!("http://{listen}/telegram")).unwrap();
    sys.start_bot_with(dvc_bot::bot::Updates::Webhook {
        server: dvc_bot::bot::webhook::WebhookServer {
            listen,
            path: "/telegram".into(),
            secret: dvc_bot::config::Secret::new(SECRET),
        },
        set: Some(url.clone()),
    })
    .await;
    let owner = Citizen::new(7_200_001).named("Lan").language("vi");
    // The webhook is registered when the bot starts: wait until the sandbox delivers to it.
    let mut answered = false;
    for _ in 0..100 {
        if bot_text(&sys.say(&owner, "/start").await).contains("Xin chào Lan") {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(answered, "the bot answers through its webhook");
    let before = sys.last_id(&owner).await;

    // Lan's chat, but "from" another user: a lookup that would answer with this code.
    let code = "000.00.25.H50-261125-0042";
    let forged = serde_json::json!({
        "update_id": 900_001,
        "message": {
            "message_id": 90_001,
            "date": chrono::Utc::now().timestamp(),
            "chat": {"id": owner.id, "type": "private", "first_name": "Lan"},
            "from": {"id": 7_200_002, "is_bot": false, "first_name": "Kẻ giả mạo"},
            "text": format!("/status {code}"),
        }
    });
    let posted = reqwest::Client::new()
        .post(url)
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .json(&forged)
        .send()
        .await
        .expect("the webhook takes it");
    assert!(posted.status().is_success(), "{}", posted.status());

    // Lan's own next message comes after it in the same chat, so by the time it is answered
    // the forged one has been dealt with.
    let t = sys.say(&owner, "/help").await;
    assert!(t.bot_messages().count() > 0, "Lan is answered");
    let all = sys
        .client
        .transcript(owner.clone(), before, 0)
        .await
        .expect("transcript");
    assert!(
        !bot_text(&all).contains(code),
        "nothing answered the forged message: {}",
        bot_text(&all)
    );
}

/// Issue 13.7: in a group the bot says, in one sentence, that it works in private chats only,
/// and does nothing else there.
#[tokio::test]
async fn a_group_is_told_the_bot_works_in_private_chats_only() {
    use dvc_bot::sandbox::SendRequest;
    let sys = System::start(engines()[0]).await;
    let group = -7_300_001;
    let sent = sys
        .client
        .send(SendRequest {
            user_id: 7_300_002,
            first_name: Some("Lan".into()),
            language_code: Some("en".into()),
            text: Some("/start".into()),
            group_id: Some(group),
            ..SendRequest::default()
        })
        .await
        .expect("a message in the group");
    let in_group = dvc_bot::sandbox::client::Citizen::new(group);
    let t = sys
        .wait_reply(&in_group, sent.message_id.unwrap_or(0))
        .await;
    let answers: Vec<_> = t.bot_messages().collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(answers[0].text.contains("private"), "{}", answers[0].text);
    assert!(answers[0].buttons.is_empty() && answers[0].keyboard.is_empty());
}
