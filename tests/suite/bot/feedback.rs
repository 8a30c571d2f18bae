//! Rating after the result and asking an officer, step by step with the real portal: the
//! stars as buttons, an optional comment, once per dossier; a question with or without a
//! dossier reaches the officers' inbox, and the asker is told when to expect the answer.

use dvc_bot::bot::callback::{Callback, DossierAction};
use dvc_bot::bot::command::Command;
use dvc_bot::bot::input::Input;
use dvc_bot::bot::reply::{Effect, Keyboard};
use dvc_bot::bot::state::{State, Step};
use dvc_bot::domain::{DossierCode, OfficeHours};
use dvc_bot::i18n::Locale;
use serde_json::json;

use super::Steps;
use super::commands::{link_session, step_as};
use crate::portal::cccd;
use crate::support::engines;

const OFFICER: &str = "officer-test-token";
const USER: i64 = 5_570_001;

fn at(step: Step) -> State {
    State {
        step,
        ..Default::default()
    }
}

/// A dossier of `token`'s account whose result was returned.
async fn returned(steps: &Steps, token: &str) -> DossierCode {
    let code = steps.portal.submitted(token).await.code.expect("a code");
    for action in [
        json!({"action": "accept"}),
        json!({"action": "complete", "result": {"file_name": "kq.pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}}),
        json!({"action": "return_result"}),
    ] {
        let (status, body) = steps.portal.officer(&code, action).await;
        assert_eq!(status, 200, "{body}");
    }
    DossierCode::parse(&code).expect("a dossier code")
}

fn inline_callbacks(effects: &[Effect]) -> Vec<Callback> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(r) => Some(r),
            _ => None,
        })
        .flat_map(|r| match &r.keyboard {
            Keyboard::Inline(rows) => rows.iter().flatten().map(|(_, c)| c.clone()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[tokio::test]
async fn a_dossier_is_rated_with_stars_and_a_comment_once() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let (token, _) = link_session(&steps, USER, &cccd("6301")).await;
        let code = returned(&steps, &token).await;
        for locale in Locale::ALL {
            let (out, _) = step_as(
                &steps,
                USER + 7,
                at(Step::Idle),
                Input::Callback(Callback::Dossier(DossierAction::Rate, code.clone())),
                locale,
            )
            .await;
            assert_eq!(out.message_ids(), ["rate-login-needed"], "not logged in");
        }

        let (out, _) = step_as(
            &steps,
            USER,
            at(Step::Idle),
            Input::Callback(Callback::Dossier(DossierAction::Rate, code.clone())),
            Locale::Vi,
        )
        .await;
        assert_eq!(out.message_ids(), ["rate-ask"]);
        let stars: Vec<Callback> = (1..=5).map(|n| Callback::Rate(n, code.clone())).collect();
        assert_eq!(inline_callbacks(&out.effects), stars);

        let (out, _) = step_as(
            &steps,
            USER,
            out.next,
            Input::Callback(Callback::Rate(4, code.clone())),
            Locale::En,
        )
        .await;
        assert_eq!(out.message_ids(), ["rate-ask-comment"]);
        assert_eq!(inline_callbacks(&out.effects), [Callback::RateNoComment]);
        let (out, shown) = step_as(
            &steps,
            USER,
            out.next,
            Input::Text("Cán bộ hướng dẫn tận tình".into()),
            Locale::En,
        )
        .await;
        assert_eq!(out.message_ids(), ["rate-thanks"]);
        assert!(shown.contains(code.as_str()), "{shown}");
        assert_eq!(out.next.step, Step::Idle);

        let report = steps.portal.client.officer_ratings(OFFICER).await.unwrap();
        assert_eq!(report.ratings.len(), 1);
        let r = &report.ratings[0];
        assert_eq!(
            (r.dossier.as_str(), r.stars, r.comment.as_deref()),
            (code.as_str(), 4, Some("Cán bộ hướng dẫn tận tình"))
        );

        // Once: a second rating (without a comment) is refused and said so.
        let out = step_as(
            &steps,
            USER,
            at(Step::RateComment {
                code: code.as_str().to_owned(),
                stars: 1,
            }),
            Input::Callback(Callback::RateNoComment),
            Locale::Vi,
        )
        .await
        .0;
        assert_eq!(out.message_ids(), ["rate-already"]);
        assert_eq!(
            steps
                .portal
                .client
                .officer_ratings(OFFICER)
                .await
                .unwrap()
                .ratings[0]
                .stars,
            4
        );
        // A dossier without its result yet.
        let fresh = steps.portal.submitted(&token).await.code.unwrap();
        let out = step_as(
            &steps,
            USER,
            at(Step::RateComment {
                code: fresh,
                stars: 5,
            }),
            Input::Callback(Callback::RateNoComment),
            Locale::Vi,
        )
        .await
        .0;
        assert_eq!(out.message_ids(), ["rate-not-yet"]);
    }
}

#[tokio::test]
async fn questions_reach_the_officers_inbox_with_when_to_expect_the_answer() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let (token, _) = link_session(&steps, USER, &cccd("6401")).await;
        let code = returned(&steps, &token).await;

        let (out, _) = step_as(
            &steps,
            USER + 9,
            at(Step::Idle),
            Input::Command(Command::Ask),
            Locale::Vi,
        )
        .await;
        assert_eq!(out.message_ids(), ["ask-login-needed"]);

        let (out, _) = step_as(
            &steps,
            USER,
            at(Step::Idle),
            Input::Command(Command::Ask),
            Locale::Vi,
        )
        .await;
        assert_eq!(out.message_ids(), ["ask-prompt"]);
        assert_eq!(out.next.step, Step::AskText { dossier: None });
        let (out, _) = step_as(
            &steps,
            USER,
            out.next,
            Input::Text("Làm lại giấy khai sinh ở đâu?".into()),
            Locale::Vi,
        )
        .await;
        let expected = match OfficeHours::default().next_open(chrono::Utc::now()) {
            None => "ask-answer-soon",
            Some(_) => "ask-answer-after",
        };
        assert_eq!(out.message_ids(), ["ask-sent", expected]);
        assert_eq!(out.next.step, Step::Idle);

        // "Hỏi cán bộ" on a dossier: the question is about it.
        let (out, shown) = step_as(
            &steps,
            USER,
            at(Step::Idle),
            Input::Callback(Callback::Dossier(DossierAction::Ask, code.clone())),
            Locale::En,
        )
        .await;
        assert_eq!(out.message_ids(), ["ask-prompt-dossier"]);
        assert!(shown.contains(code.as_str()), "{shown}");
        let (out, _) = step_as(
            &steps,
            USER,
            out.next,
            Input::Text("Kết quả có bản giấy không?".into()),
            Locale::En,
        )
        .await;
        assert_eq!(out.message_ids()[0], "ask-sent");

        let inbox = steps
            .portal
            .client
            .officer_questions(OFFICER, false)
            .await
            .unwrap();
        let got: Vec<(Option<&str>, &str)> = inbox
            .iter()
            .map(|q| (q.dossier.as_deref(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (None, "Làm lại giấy khai sinh ở đâu?"),
                (Some(code.as_str()), "Kết quả có bản giấy không?")
            ]
        );
    }
}
