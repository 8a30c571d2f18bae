//! "✏️ Edit details" on the review, as steps in both languages: each value is shown with
//! "Keep it"; after the last field the review comes back when the papers and the delivery are
//! done, else the papers and the delivery are asked.

use dvc_bot::bot::callback::Callback;
use dvc_bot::bot::input::Input;
use dvc_bot::bot::state::{Draft, PaperFile, State, Step};
use dvc_bot::i18n::Locale;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::Delivery;

use super::Steps;
use super::commands::step_as;
use crate::support::engines;

const USER: i64 = 5_570_001;

/// The seed's signature certification (one text field, two required papers), complete.
async fn complete_draft(steps: &Steps, delivery: Option<Delivery>) -> Draft {
    let procedure = steps
        .portal
        .client
        .procedure("2.000884")
        .await
        .expect("seed procedure");
    let papers = procedure
        .papers
        .iter()
        .map(|p| PaperFile {
            paper_code: p.code.clone(),
            file_id: format!("file-{}", p.code),
            file_name: format!("{}.pdf", p.code),
            mime: "application/pdf".into(),
            size: 100,
            portal_document: None,
        })
        .collect();
    Draft {
        key: "ed170001".into(),
        procedure,
        values: [("document_title".to_owned(), "Giấy uỷ quyền cũ".to_owned())].into(),
        prefilled: Default::default(),
        papers,
        skipped: Vec::new(),
        delivery,
        portal_id: None,
        updated_at: 0,
    }
}

#[tokio::test]
async fn edit_details_shows_each_value_and_comes_back_to_the_review() {
    let steps = Steps::new(engines()[0]).await;
    let done = complete_draft(&steps, Some(Delivery::Online)).await;
    let no_delivery = complete_draft(&steps, None).await;
    let key = done.key.clone();
    let fill = |draft: &Draft| State {
        step: Step::Fill {
            key: key.clone(),
            index: 0,
        },
        drafts: vec![draft.clone()],
        ..Default::default()
    };
    let keep = Input::Callback(Callback::KeepField(0));
    // (state, input, next step, message ids, the title afterwards)
    let table = [
        (
            State {
                step: Step::Review { key: key.clone() },
                drafts: vec![done.clone()],
                ..Default::default()
            },
            Input::Callback(Callback::EditDraft(key.clone())),
            Step::Fill {
                key: key.clone(),
                index: 0,
            },
            vec!["submit-ask-field", "submit-current-value"],
            "Giấy uỷ quyền cũ",
        ),
        (
            fill(&done),
            keep.clone(),
            Step::Review { key: key.clone() },
            vec!["submit-review"],
            "Giấy uỷ quyền cũ",
        ),
        (
            fill(&done),
            Input::Text("Giấy uỷ quyền mới".into()),
            Step::Review { key: key.clone() },
            vec!["submit-review"],
            "Giấy uỷ quyền mới",
        ),
        // A stale "Keep it" of another question changes nothing.
        (
            fill(&done),
            Input::Callback(Callback::KeepField(3)),
            Step::Fill {
                key: key.clone(),
                index: 0,
            },
            vec!["stale-button"],
            "Giấy uỷ quyền cũ",
        ),
        // The delivery was never chosen: asked after the form (the papers are all there).
        (
            fill(&no_delivery),
            keep,
            Step::Delivery { key: key.clone() },
            vec!["submit-checklist", "submit-ask-delivery"],
            "Giấy uỷ quyền cũ",
        ),
    ];
    for locale in Locale::ALL {
        for (state, input, next, ids, title) in &table {
            let (out, shown) = step_as(&steps, USER, state.clone(), input.clone(), locale).await;
            assert_eq!(&out.message_ids(), ids, "{input:?} {locale:?}");
            assert_eq!(&out.next.step, next, "{input:?}");
            assert_eq!(
                out.next.drafts[0]
                    .values
                    .get("document_title")
                    .map(String::as_str),
                Some(*title),
                "{input:?}"
            );
            if ids.contains(&"submit-review") || ids.contains(&"submit-current-value") {
                assert!(shown.contains(title), "{locale:?}: {shown}");
            }
            assert_eq!(out.next.drafts[0].papers.len(), 2, "the papers stay");
        }
    }
}

#[tokio::test]
async fn choosing_delivery_again_while_the_address_is_asked() {
    let steps = Steps::new(engines()[0]).await;
    let draft = complete_draft(&steps, None).await;
    let key = draft.key.clone();
    let at_address = State {
        step: Step::PostAddress { key: key.clone() },
        drafts: vec![draft],
        ..Default::default()
    };
    for locale in Locale::ALL {
        // Online after all: honoured, on to the review.
        let online = Input::Callback(Callback::Deliver {
            key: key.clone(),
            online: true,
        });
        let (out, _) = step_as(&steps, USER, at_address.clone(), online, locale).await;
        assert_eq!(out.next.step, Step::Review { key: key.clone() });
        assert_eq!(out.next.drafts[0].delivery, Some(Delivery::Online));
        // Another draft's button: stale, nothing recorded.
        let other = Input::Callback(Callback::Deliver {
            key: "otherkey".into(),
            online: true,
        });
        let (out, _) = step_as(&steps, USER, at_address.clone(), other, locale).await;
        assert_eq!(out.message_ids(), vec!["stale-button"]);
        assert_eq!(out.next.drafts[0].delivery, None);
        // An address typed: by post.
        let (out, _) = step_as(
            &steps,
            USER,
            at_address.clone(),
            Input::Text("Bản Mòng, Hua La, Sơn La".into()),
            locale,
        )
        .await;
        assert_eq!(
            out.next.drafts[0].delivery,
            Some(Delivery::Post {
                address: "Bản Mòng, Hua La, Sons La".replace("Sons", "Sơn")
            })
        );
    }
}
