//! The commands that work from any step — `/logout`, `/mydata`, `/deleteme`, `/cancel`,
//! `/language`, `/help` — and lookup by code (`/status`), table-driven with the real portal and
//! no Telegram, in both languages. Every outcome is rendered in both languages, which fails on
//! a missing message or argument.

use dvc_bot::bot::callback::Callback;
use dvc_bot::bot::input::Input;
use dvc_bot::bot::reply::{Effect, Keyboard, Outcome};
use dvc_bot::bot::schema;
use dvc_bot::bot::state::{Draft, RegField, RegisterForm, State, Step};
use dvc_bot::db::users;
use dvc_bot::i18n::Locale;
use dvc_bot::portal::client::{Portal, PortalError};
use dvc_bot::portal::model::LoginRequest;

use super::{Steps, rendered};
use crate::portal::{PASSWORD, cccd, registration};
use crate::support::engines;

const USER: i64 = 5_560_001;

fn cmd(name: &str, arg: &str) -> Input {
    Input::command(&format!("/{name} {arg}"))
}

fn text(s: &str) -> Input {
    Input::Text(s.into())
}

fn at(step: Step) -> State {
    State {
        step,
        ..Default::default()
    }
}

/// One step as `user` in `locale`; every effect is rendered in both languages. Answers the
/// outcome and its text in `locale`.
pub(super) async fn step_as(
    steps: &Steps,
    user: i64,
    state: State,
    input: Input,
    locale: Locale,
) -> (Outcome<State>, String) {
    let ctx = steps.ctx(user, locale).await;
    let outcome = schema::handle(state, input, &ctx).await;
    for other in Locale::ALL {
        rendered(steps, &outcome, other);
    }
    let shown = rendered(steps, &outcome, locale);
    (outcome, shown)
}

async fn step(steps: &Steps, state: State, input: Input, locale: Locale) -> Outcome<State> {
    step_as(steps, USER, state, input, locale).await.0
}

/// A portal account (created once per CCCD) and a fresh session linked to `user` as login
/// would: the token sealed in the user's row. Answers the token and its sealed form.
pub(super) async fn link_session(steps: &Steps, user: i64, id: &str) -> (String, String) {
    let _ = steps.portal.client.register(&registration(id), None).await;
    let session = steps
        .portal
        .client
        .login(&LoginRequest {
            login: id.into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("login");
    let sealed = steps.services.cipher.seal(&session.token);
    users::set_portal_link(&steps.services.db, user, Some((id, &sealed)))
        .await
        .expect("link");
    (session.token, sealed)
}

async fn user_row(steps: &Steps, user: i64) -> Option<users::User> {
    users::get(&steps.services.db, user)
        .await
        .expect("user row")
}

/// A draft of the seed's signature certification, half filled.
async fn a_draft(steps: &Steps, key: &str) -> Draft {
    let procedure = steps
        .portal
        .client
        .procedure("2.000884")
        .await
        .expect("seed procedure");
    Draft {
        key: key.into(),
        procedure,
        values: [("document_title".to_owned(), "Giấy uỷ quyền".to_owned())].into(),
        prefilled: Default::default(),
        papers: Vec::new(),
        skipped: Vec::new(),
        delivery: None,
        portal_id: None,
        updated_at: 0,
    }
}

/// How the user stands before `/logout`.
#[derive(Debug, Clone, Copy)]
enum Before {
    LoggedIn,
    /// A link whose sealed session no longer opens (the key changed).
    Unreadable,
    Anonymous,
}

/// `/logout` from `before` in both languages: the message id, back to Idle, the link gone and
/// any portal session ended.
async fn logout_table(steps: &Steps, table: &[(Before, &str)]) {
    let id = cccd("5101");
    for locale in Locale::ALL {
        for (before, expected) in table {
            let user = USER + 10;
            users::set_portal_link(&steps.services.db, user, None)
                .await
                .unwrap();
            let token = match before {
                Before::LoggedIn => Some(link_session(steps, user, &id).await.0),
                Before::Unreadable => {
                    users::set_portal_link(&steps.services.db, user, Some((&id, "not-sealed")))
                        .await
                        .unwrap();
                    None
                }
                Before::Anonymous => None,
            };
            let (out, _) = step_as(steps, user, at(Step::Idle), cmd("logout", ""), locale).await;
            assert_eq!(out.message_ids(), vec![*expected], "{before:?} {locale:?}");
            assert_eq!(out.next.step, Step::Idle, "{before:?}");
            let row = user_row(steps, user).await.expect("the user stays");
            assert!(
                row.portal_session_enc.is_none() && row.portal_account.is_none(),
                "{before:?}: the link is removed: {row:?}"
            );
            if let Some(token) = token {
                let after = steps.portal.client.my_dossiers(&token, None).await;
                assert!(
                    matches!(after, Err(PortalError::Unauthorized)),
                    "the portal session is ended: {after:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn logout_ends_the_portal_session_and_removes_the_link() {
    let steps = Steps::new(engines()[0]).await;
    logout_table(
        &steps,
        &[
            (Before::LoggedIn, "logout-done"),
            (Before::Anonymous, "logout-not-logged-in"),
        ],
    )
    .await;
}

#[tokio::test]
async fn logout_drops_a_link_whose_session_no_longer_opens() {
    let steps = Steps::new(engines()[0]).await;
    logout_table(&steps, &[(Before::Unreadable, "logout-not-logged-in")]).await;
}

#[tokio::test]
async fn mydata_shows_the_stored_fields_never_the_token() {
    let steps = Steps::new(engines()[0]).await;
    let id = cccd("5102");
    for locale in Locale::ALL {
        // Nothing kept yet.
        let stranger = USER + 20 + locale as i64;
        let (out, _) = step_as(&steps, stranger, at(Step::Idle), cmd("mydata", ""), locale).await;
        assert_eq!(out.message_ids(), vec!["mydata-none"]);
        assert!(
            user_row(&steps, stranger).await.is_none(),
            "asking stores nothing"
        );

        // A user with a language, consent and a portal session.
        let user = USER + 30 + locale as i64;
        users::set_locale(&steps.services.db, user, locale.code())
            .await
            .unwrap();
        users::set_consent(&steps.services.db, user, Some(1_764_000_000))
            .await
            .unwrap();
        let (token, sealed) = link_session(&steps, user, &id).await;
        let (out, shown) = step_as(&steps, user, at(Step::Idle), cmd("mydata", ""), locale).await;
        assert_eq!(out.message_ids(), vec!["mydata"]);
        assert_eq!(out.next.step, Step::Idle);
        for field in [user.to_string(), id.clone(), locale.code().to_owned()] {
            assert!(shown.contains(&field), "{locale:?} lacks {field}: {shown}");
        }
        // Consent at 2025-11-24 16:00 UTC, shown as a date.
        assert!(shown.contains("/11/2025"), "the consent's date: {shown}");
        assert!(!shown.contains(&sealed), "the sealed token is never shown");
        assert!(!shown.contains(&token), "nor the token itself");
        assert!(!shown.contains(PASSWORD));
    }
}

#[tokio::test]
async fn deleteme_asks_then_keeps_or_erases() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let id = cccd("5103");
        for locale in Locale::ALL {
            let user = USER + 40 + locale as i64;
            users::set_consent(&steps.services.db, user, Some(1_764_000_000))
                .await
                .unwrap();
            let (token, _) = link_session(&steps, user, &id).await;
            sqlx::query("INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, 0)")
                .bind(user)
                .bind(serde_json::to_string(&State::default()).unwrap())
                .execute(&steps.services.db.pool)
                .await
                .unwrap();
            let dialogues = || async {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM dialogues WHERE chat_id = $1")
                        .bind(user)
                        .fetch_one(&steps.services.db.pool)
                        .await
                        .unwrap();
                n
            };
            // (state, input, next step, message ids, the user row remains)
            let table: Vec<(State, Input, Step, Vec<&str>, bool)> = vec![
                (
                    at(Step::Idle),
                    cmd("deleteme", ""),
                    Step::ConfirmDelete,
                    vec!["deleteme-ask"],
                    true,
                ),
                (
                    at(Step::ConfirmDelete),
                    text("vâng"),
                    Step::ConfirmDelete,
                    vec!["hint-confirm-delete"],
                    true,
                ),
                (
                    at(Step::ConfirmDelete),
                    Input::Callback(Callback::DeleteMe(false)),
                    Step::Idle,
                    vec!["deleteme-kept"],
                    true,
                ),
                (
                    at(Step::ConfirmDelete),
                    Input::Callback(Callback::DeleteMe(true)),
                    Step::Idle,
                    vec!["deleteme-done"],
                    false,
                ),
            ];
            for (state, input, next, ids, kept) in table {
                let (out, _) = step_as(&steps, user, state, input.clone(), locale).await;
                assert_eq!(out.message_ids(), ids, "{input:?} {locale:?}");
                assert_eq!(out.next.step, next, "{input:?}");
                assert_eq!(out.erase, !kept, "{input:?}: erase");
                assert_eq!(
                    user_row(&steps, user).await.is_some(),
                    kept,
                    "{input:?}: user row"
                );
                assert_eq!(dialogues().await, i64::from(kept), "{input:?}: dialogue");
            }
            // Erasing logs out at the portal too.
            assert!(matches!(
                steps.portal.client.my_dossiers(&token, None).await,
                Err(PortalError::Unauthorized)
            ));
        }
    }
}

#[tokio::test]
async fn cancel_leaves_any_flow_and_keeps_the_drafts() {
    let steps = Steps::new(engines()[0]).await;
    let draft = a_draft(&steps, "c0ffee01").await;
    let key = draft.key.clone();
    let register = Step::Register {
        form: RegisterForm::default(),
        field: RegField::FullName,
    };
    // (the step cancelled, the message id)
    let table = [
        (
            Step::Fill {
                key: key.clone(),
                index: 0,
            },
            "cancelled",
        ),
        (Step::Papers { key: key.clone() }, "cancelled"),
        (Step::Delivery { key: key.clone() }, "cancelled"),
        (Step::Review { key: key.clone() }, "cancelled"),
        (register, "cancelled"),
        (Step::LookupCode, "cancelled"),
        (Step::ConfirmDelete, "cancelled"),
        (Step::Procedures { query: None }, "cancelled"),
        (Step::Idle, "cancel-nothing"),
    ];
    for locale in Locale::ALL {
        for (from, id) in &table {
            let state = State {
                step: from.clone(),
                drafts: vec![draft.clone()],
                ..Default::default()
            };
            let out = step(&steps, state, cmd("cancel", ""), locale).await;
            assert_eq!(out.message_ids(), vec![*id], "{from:?}");
            assert_eq!(out.next.step, Step::Idle, "{from:?}");
            assert_eq!(
                out.next.drafts,
                vec![draft.clone()],
                "{from:?}: drafts kept"
            );
        }
    }
}

#[tokio::test]
async fn language_and_help_from_anywhere() {
    let steps = Steps::new(engines()[0]).await;
    let draft = a_draft(&steps, "c0ffee02").await;
    let in_flow = State {
        step: Step::Papers {
            key: draft.key.clone(),
        },
        drafts: vec![draft.clone()],
        ..Default::default()
    };
    // (state, input, next step, message ids)
    let table = [
        (
            at(Step::Idle),
            cmd("language", ""),
            Step::ChooseLanguage,
            vec!["language-ask"],
        ),
        (
            in_flow.clone(),
            cmd("language", ""),
            Step::ChooseLanguage,
            vec!["language-ask"],
        ),
        (
            at(Step::ChooseLanguage),
            Input::Callback(Callback::Language(Locale::En)),
            Step::Idle,
            vec!["language-set", "language-set", "menu-intro"],
        ),
        (at(Step::Idle), cmd("help", ""), Step::Idle, vec!["help"]),
        (in_flow.clone(), cmd("help", ""), Step::Idle, vec!["help"]),
        (
            at(Step::Idle),
            cmd("nosuchthing", ""),
            Step::Idle,
            vec!["unknown-command"],
        ),
    ];
    for locale in Locale::ALL {
        for (state, input, next, ids) in &table {
            let drafts = state.drafts.clone();
            let out = step(&steps, state.clone(), input.clone(), locale).await;
            assert_eq!(&out.message_ids(), ids, "{input:?}");
            assert_eq!(&out.next.step, next, "{input:?}");
            assert_eq!(out.next.drafts, drafts, "{input:?}: drafts kept");
        }
        // The language buttons, and the choice remembered.
        let out = step(&steps, at(Step::Idle), cmd("language", ""), locale).await;
        let Some(Effect::Send(ask)) = out.effects.first() else {
            panic!("{:?}", out.effects)
        };
        let Keyboard::Inline(rows) = &ask.keyboard else {
            panic!("{:?}", ask.keyboard)
        };
        let choices: Vec<_> = rows.iter().flatten().map(|(_, cb)| cb.clone()).collect();
        assert_eq!(
            choices,
            vec![
                Callback::Language(Locale::Vi),
                Callback::Language(Locale::En)
            ]
        );
        let out = step(
            &steps,
            at(Step::ChooseLanguage),
            Input::Callback(Callback::Language(locale)),
            Locale::Vi,
        )
        .await;
        assert_eq!(
            out.locale,
            Some(locale),
            "the replies go out in the new one"
        );
        assert_eq!(
            user_row(&steps, USER).await.unwrap().locale.as_deref(),
            Some(locale.code())
        );
    }
}

#[tokio::test]
async fn lookup_by_code_shows_the_public_summary_only() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let unknown = "000.00.25.H50-261125-9999";
        // (state, input, next step, message ids)
        let table = [
            (
                at(Step::Idle),
                cmd("status", unknown),
                Step::Idle,
                vec!["lookup-not-found"],
            ),
            // A procedure code typed by mistake: that procedure's card.
            (
                at(Step::Idle),
                cmd("status", "1.001193"),
                Step::Idle,
                vec!["procedure-card"],
            ),
            // A malformed code: the format in words, with an example.
            (
                at(Step::Idle),
                cmd("status", "H50-261125-0001"),
                Step::LookupCode,
                vec!["lookup-format"],
            ),
            // A code sent from the menu is looked up.
            (
                at(Step::Idle),
                text(unknown),
                Step::Idle,
                vec!["lookup-not-found"],
            ),
            (
                at(Step::Idle),
                cmd("status", ""),
                Step::LookupCode,
                vec!["lookup-ask"],
            ),
            (
                at(Step::Idle),
                text("Tra cứu hồ sơ"),
                Step::LookupCode,
                vec!["lookup-ask"],
            ),
            (
                at(Step::Idle),
                text("Look up a dossier"),
                Step::LookupCode,
                vec!["lookup-ask"],
            ),
            (
                at(Step::LookupCode),
                text("1.001193"),
                Step::Idle,
                vec!["procedure-card"],
            ),
            (
                at(Step::LookupCode),
                text("000.00.25.H50-261325-0001"),
                Step::LookupCode,
                vec!["lookup-format"],
            ),
            (
                at(Step::LookupCode),
                text(unknown),
                Step::Idle,
                vec!["lookup-not-found"],
            ),
            (
                at(Step::LookupCode),
                Input::Other,
                Step::LookupCode,
                vec!["hint-lookup"],
            ),
        ];
        for locale in Locale::ALL {
            for (state, input, next, ids) in &table {
                let (out, shown) =
                    step_as(&steps, USER, state.clone(), input.clone(), locale).await;
                assert_eq!(&out.message_ids(), ids, "{input:?} {locale:?}");
                assert_eq!(&out.next.step, next, "{input:?}");
                if ids == &vec!["lookup-not-found"] {
                    assert!(shown.contains(unknown), "the code is repeated: {shown}");
                }
            }
        }

        // A real dossier, submitted by someone else: anyone sees its public summary.
        let applicant = registration(&cccd("5104"));
        let session = steps.portal.citizen(&cccd("5104")).await;
        let dossier = steps.portal.submitted(&session.token).await;
        let code = dossier.code.clone().expect("a dossier code");
        let personal = [
            applicant.full_name.clone(),
            cccd("5104"),
            applicant.phone.clone(),
            // The full address: the agency's own name may share its ward.
            applicant.address.clone(),
            applicant.email.clone().unwrap_or_default(),
            // The form's values (the child's and the mother's names, the place of birth).
            "Lò Thị Hoa".to_owned(),
            "Quàng Thị Lan".to_owned(),
            "Bệnh viện".to_owned(),
        ];
        for locale in Locale::ALL {
            let status = match locale {
                Locale::Vi => "Hồ sơ mới",
                Locale::En => "New",
            };
            for (state, input) in [
                (at(Step::Idle), cmd("status", &code)),
                (at(Step::LookupCode), text(&code.to_lowercase())),
                (at(Step::Idle), text(&code)),
            ] {
                let (out, shown) = step_as(&steps, USER + 50, state, input.clone(), locale).await;
                assert_eq!(out.message_ids(), vec!["lookup-result"], "{input:?}");
                assert_eq!(out.next.step, Step::Idle);
                assert!(shown.contains(&code), "{shown}");
                assert!(shown.contains(status), "{locale:?} status: {shown}");
                assert!(shown.contains(&dossier.agency_name), "{shown}");
                for secret in &personal {
                    assert!(
                        !shown.contains(secret.as_str()),
                        "{locale:?}: personal data {secret:?} in {shown}"
                    );
                }
            }
        }
    }
}
