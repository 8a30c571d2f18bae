//! Steps done again after a crash from the stale stored state, with the real portal: what the
//! portal already did reads as done.

use std::sync::Arc;

use dvc_bot::bot::callback::Callback;
use dvc_bot::bot::context::FileSource;
use dvc_bot::bot::input::Input;
use dvc_bot::bot::schema;
use dvc_bot::bot::state::{Draft, PaperFile, State, Step};
use dvc_bot::db::users;
use dvc_bot::i18n::Locale;
use dvc_bot::portal::client::Portal;
use dvc_bot::portal::model::{CreateDraft, Delivery};

use super::{Steps, rendered};
use crate::portal::{BIRTH, cccd, pdf, upload};
use crate::support::engines;

const USER: i64 = 5_550_013;

/// Every paper "fetched again from Telegram" is the same small PDF.
struct SamePdf;

#[async_trait::async_trait]
impl FileSource for SamePdf {
    async fn download(&self, _file_id: &str) -> Result<Vec<u8>, String> {
        Ok(pdf())
    }
}

/// A complete birth-registration draft as the chat holds it before its first sync.
async fn birth_draft(steps: &Steps, key: &str) -> Draft {
    {
        let key = key.to_owned();
        let procedure = steps.portal.client.procedure(BIRTH).await.expect("seed");
        let values = crate::portal::birth_values();
        Draft {
            key,
            procedure,
            values,
            prefilled: Default::default(),
            papers: vec![PaperFile {
                paper_code: "giay_chung_sinh".into(),
                file_id: "telegram-file-1".into(),
                file_name: "chung-sinh.pdf".into(),
                mime: "application/pdf".into(),
                size: pdf().len() as u32,
                portal_document: None,
            }],
            skipped: Vec::new(),
            delivery: Some(Delivery::Online),
            portal_id: None,
            updated_at: 0,
        }
    }
}

/// Issue 13.4: "Gửi hồ sơ" created the draft, uploaded its paper and submitted it, and the bot
/// stopped before it saved anything. Pressing it again re-uploads the paper to a dossier that is
/// no longer a draft (409): that is the dossier already sent, and its code is shown.
#[tokio::test]
async fn sending_again_a_dossier_the_portal_already_submitted_shows_its_code() {
    for engine in engines() {
        let steps = Steps::with_files(engine, Arc::new(SamePdf)).await;
        let id = cccd("4413");
        let session = steps.portal.citizen(&id).await;
        let sealed = steps.services.cipher.seal(&session.token);
        users::set_portal_link(&steps.services.db, USER, Some((&id, &sealed)))
            .await
            .unwrap();
        let draft = birth_draft(&steps, "c4a5e001").await;

        // What the send did at the portal before the crash, with the draft's own keys.
        let portal = &steps.portal.client;
        let request = CreateDraft {
            procedure_code: BIRTH.into(),
            values: draft.values.clone(),
            delivery: draft.delivery.clone(),
        };
        let created = portal
            .create_draft(&session.token, &request, Some(&draft.create_key()))
            .await
            .unwrap();
        portal
            .upload(
                &session.token,
                &created.id.into(),
                upload("giay_chung_sinh", "chung-sinh.pdf", pdf()),
                None,
            )
            .await
            .unwrap();
        let sent = portal
            .submit(&session.token, &created.id.into(), &draft.submit_key())
            .await
            .unwrap();
        let code = sent.code.clone().expect("a dossier code");

        // The state as stored before the crash: the draft not yet at the portal.
        let key = draft.key.clone();
        let state = State {
            step: Step::Review { key: key.clone() },
            drafts: vec![draft],
            ..Default::default()
        };
        for locale in Locale::ALL {
            let ctx = steps.ctx(USER, locale).await;
            let out = schema::handle(
                state.clone(),
                Input::Callback(Callback::SendDraft(key.clone())),
                &ctx,
            )
            .await;
            let shown = rendered(&steps, &out, locale);
            assert_eq!(
                out.message_ids(),
                vec!["submit-done"],
                "{locale:?}: {shown}"
            );
            assert!(shown.contains(&code), "the code {code} is shown: {shown}");
            assert!(out.next.drafts.is_empty(), "the draft leaves the chat");
            assert_eq!(out.next.sent, vec![(key.clone(), code.clone())]);
        }
        let mine = portal.my_dossiers(&session.token, None).await.unwrap();
        assert_eq!(mine.len(), 1, "one dossier at the portal");
    }
}

/// Issue 13.2: "Lưu nháp" uploaded the paper and the bot stopped before it saved that: the same
/// press from the stale state uploads it again with the same key, and the dossier holds it once.
#[tokio::test]
async fn a_paper_uploaded_again_after_a_crash_is_held_once() {
    for engine in engines() {
        let steps = Steps::with_files(engine, Arc::new(SamePdf)).await;
        let id = cccd("4414");
        let session = steps.portal.citizen(&id).await;
        let sealed = steps.services.cipher.seal(&session.token);
        users::set_portal_link(&steps.services.db, USER, Some((&id, &sealed)))
            .await
            .unwrap();
        let draft = birth_draft(&steps, "c4a5e002").await;
        let key = draft.key.clone();
        let stale = State {
            step: Step::Review { key: key.clone() },
            drafts: vec![draft],
            ..Default::default()
        };
        let save = || async {
            let ctx = steps.ctx(USER, Locale::Vi).await;
            schema::handle(
                stale.clone(),
                Input::Callback(Callback::SaveDraft(key.clone())),
                &ctx,
            )
            .await
        };
        let first = save().await;
        assert_eq!(first.message_ids(), vec!["draft-saved"]);
        let portal_id = first.next.drafts[0].portal_id.expect("created");
        // The crash: `first.next` is never stored; the same press again from `stale`.
        let again = save().await;
        assert_eq!(again.message_ids(), vec!["draft-saved"]);
        assert_eq!(again.next.drafts[0].portal_id, Some(portal_id));
        assert_eq!(
            again.next.drafts[0].papers[0].portal_document,
            first.next.drafts[0].papers[0].portal_document,
            "the same document"
        );
        let dossier = steps
            .portal
            .client
            .my_dossier(&session.token, &portal_id.into())
            .await
            .unwrap();
        assert_eq!(dossier.documents.len(), 1, "{:?}", dossier.documents);
    }
}

/// Issue 13 (found by the kill test): the bot is killed after saving a chat's next step and
/// before its question went out. The citizen, seeing no answer, presses the old button again:
/// a state written by a process that is gone gets the "outdated" notice and the lost question
/// with its buttons, not the notice alone.
#[tokio::test]
async fn an_old_button_pressed_after_a_crash_brings_back_the_lost_question() {
    use crate::bot::System;
    use crate::support::said::{vi, vi_label};
    use crate::support::wait::Expect;
    use dvc_bot::bot::state::{RegField, RegisterForm};
    use dvc_bot::sandbox::client::Citizen;

    for engine in engines() {
        let mut sys = System::start(engine).await;
        let who = Citizen::new(7_500_013).named("Mến").language("vi");
        let agree = vi_label("consent-agree");
        sys.say_until(&who, "/start", Expect::button(vi_label("language-vi")))
            .await;
        sys.press_until(
            &who,
            &vi_label("language-vi"),
            Expect::said(vi("language-set")),
        )
        .await;
        sys.say_until(
            &who,
            "/register",
            Expect::said_with(vi("consent-statement"), &agree),
        )
        .await;
        // "Đồng ý" handled by a process that died before the account-type question went out:
        // the stored step moved on, written by another process; nothing more in the chat.
        sys.stop_bot().await;
        let mut state = sys.stored_state(&who).await;
        state.step = Step::Register {
            form: RegisterForm::default(),
            field: RegField::Kind,
        };
        state.writer = Some(dvc_bot::bot::adapter::instance().wrapping_add(1));
        sys.store_state(&who, &state).await;
        sys.start_bot().await;
        sys.press_until(
            &who,
            &agree,
            Expect::said_with(vi("ask-kind"), vi_label("kind-citizen")),
        )
        .await;
        // Answered from here on as always: the question shown is the one that works.
        sys.press_until(
            &who,
            &vi_label("kind-citizen"),
            Expect::said(vi("register-ask-name").arg("kind", "citizen")),
        )
        .await;
    }
}
