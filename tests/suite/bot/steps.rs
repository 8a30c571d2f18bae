//! Each step with good and bad inputs, table-driven, with the real portal and no Telegram.
//! Every outcome is also rendered in both languages, which fails on a missing message or
//! argument.

use dvc_bot::bot::callback::Callback;
use dvc_bot::bot::input::Input;
use dvc_bot::bot::render::try_render;
use dvc_bot::bot::reply::{Effect, Outcome};
use dvc_bot::bot::schema;
use dvc_bot::bot::state::{RegField, RegisterForm, State, Step, Then};
use dvc_bot::db::users;
use dvc_bot::domain::{AccountKind, Address, BirthDate, HolderName, IdNumber, Phone};
use dvc_bot::i18n::Locale;
use dvc_bot::portal::client::Portal;

use super::{Steps, rendered};
use crate::portal::{PASSWORD, cccd, registration};
use crate::support::engines;

const USER: i64 = 5_550_001;

/// Registration answers as the steps keep them: parsed.
fn name(s: &str) -> HolderName {
    HolderName::parse(AccountKind::Citizen, s).unwrap()
}
fn citizen_id(s: &str) -> IdNumber {
    IdNumber::parse(AccountKind::Citizen, s).unwrap()
}
fn born(s: &str) -> BirthDate {
    BirthDate::parse(s, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap()
}

fn text(s: &str) -> Input {
    Input::Text(s.into())
}

/// Renders every effect in both languages: fails on any missing message or argument.
fn renders(steps: &Steps, outcome: &Outcome<State>) {
    for locale in Locale::ALL {
        rendered(steps, outcome, locale);
    }
}

async fn step(steps: &Steps, state: State, input: Input, locale: Locale) -> Outcome<State> {
    let ctx = steps.ctx(USER, locale).await;
    let outcome = schema::handle(state, input, &ctx).await;
    renders(steps, &outcome);
    outcome
}

fn at(step: Step) -> State {
    State {
        step,
        ..Default::default()
    }
}

fn register_at(kind: AccountKind, field: RegField) -> State {
    at(Step::Register {
        form: RegisterForm {
            kind: Some(kind),
            ..Default::default()
        },
        field,
    })
}

#[tokio::test]
async fn registration_fields_accept_good_and_explain_bad_values() {
    let steps = Steps::new(engines()[0]).await;
    use AccountKind::{Citizen, Organisation};
    // (kind, field, input, the field asked next or None when refused, the reason's message id)
    let table: Vec<(AccountKind, RegField, Input, Option<RegField>, &str)> = vec![
        (
            Citizen,
            RegField::FullName,
            text("Lò Văn Mến"),
            Some(RegField::IdNumber),
            "register-ask-id-number",
        ),
        (
            Citizen,
            RegField::FullName,
            text("Lo Van 2"),
            None,
            "invalid-full-name",
        ),
        (
            Organisation,
            RegField::FullName,
            text("HTX Mường Bon 2"),
            Some(RegField::IdNumber),
            "register-ask-id-number",
        ),
        (
            Citizen,
            RegField::IdNumber,
            text("014090001234"),
            Some(RegField::BirthDate),
            "register-ask-birth-date",
        ),
        (
            Citizen,
            RegField::IdNumber,
            text("01409000123"),
            None,
            "invalid-cccd-format",
        ),
        (
            Citizen,
            RegField::IdNumber,
            text("099090001234"),
            None,
            "invalid-cccd-province",
        ),
        (
            Organisation,
            RegField::IdNumber,
            text("5500123456"),
            Some(RegField::BirthDate),
            "register-ask-birth-date",
        ),
        (
            Organisation,
            RegField::IdNumber,
            text("014090001234"),
            None,
            "invalid-tax-code",
        ),
        (
            Citizen,
            RegField::BirthDate,
            text("05/01/1990"),
            Some(RegField::Phone),
            "register-ask-phone",
        ),
        (
            Citizen,
            RegField::BirthDate,
            text("1990-01-05"),
            None,
            "invalid-birth-date-format",
        ),
        (
            Citizen,
            RegField::BirthDate,
            text("01/01/2030"),
            None,
            "invalid-birth-date-past",
        ),
        (
            Citizen,
            RegField::BirthDate,
            text("01/01/2020"),
            None,
            "invalid-birth-date-age",
        ),
        (
            Citizen,
            RegField::Phone,
            Input::Contact {
                phone: "84912345678".into(),
                user_id: Some(USER),
            },
            // The e-mail is offered from the summary only.
            Some(RegField::Address),
            "register-ask-address",
        ),
        (
            Citizen,
            RegField::Phone,
            Input::Contact {
                phone: "84912345678".into(),
                user_id: Some(USER + 1),
            },
            None,
            "register-phone-not-own",
        ),
        (
            Citizen,
            RegField::Phone,
            Input::Contact {
                phone: "84912345678".into(),
                user_id: None,
            },
            None,
            "register-phone-not-own",
        ),
        (
            Citizen,
            RegField::Phone,
            text("0912345678"),
            None,
            "register-phone-use-button",
        ),
        (
            Citizen,
            RegField::Phone,
            Input::Contact {
                phone: "+12025550100".into(),
                user_id: Some(USER),
            },
            None,
            "invalid-phone",
        ),
        (
            Citizen,
            RegField::Email,
            text("men@example.vn"),
            Some(RegField::Address),
            "register-ask-address",
        ),
        (
            Citizen,
            RegField::Email,
            Input::Callback(Callback::Skip),
            Some(RegField::Address),
            "register-ask-address",
        ),
        (
            Citizen,
            RegField::Email,
            text("men@"),
            None,
            "invalid-email",
        ),
        (
            Citizen,
            RegField::Address,
            text("Bản Mòng, xã Hua La, Sơn La"),
            Some(RegField::Password),
            "register-ask-password",
        ),
        (
            Citizen,
            RegField::Address,
            text("x"),
            None,
            "invalid-address",
        ),
        (
            Citizen,
            RegField::FullName,
            Input::Other,
            None,
            "hint-unexpected",
        ),
    ];
    for locale in Locale::ALL {
        for (kind, field, input, next, reason) in &table {
            let mut state = register_at(*kind, *field);
            // Earlier answers, so that the next missing field is the one after `field`.
            if let Step::Register { form, .. } = &mut state.step {
                let order = RegField::ALL;
                let upto = order.iter().position(|f| f == field).unwrap();
                for f in &order[1..upto] {
                    match f {
                        RegField::FullName => form.full_name = Some(name("Lò Văn Mến")),
                        RegField::IdNumber => form.id_number = Some(citizen_id(&cccd("1234"))),
                        RegField::BirthDate => form.birth_date = Some(born("05/01/1990")),
                        RegField::Phone => form.phone = Some(Phone::parse("0912345678").unwrap()),
                        RegField::Email => form.email = Some(None),
                        RegField::Address => {
                            form.address = Some(Address::parse("Bản Mòng").unwrap())
                        }
                        _ => {}
                    }
                }
            }
            let out = step(&steps, state, input.clone(), locale).await;
            let ids = out.message_ids();
            assert!(
                ids.contains(reason),
                "{field:?} {input:?}: {ids:?} lacks {reason}"
            );
            match (&out.next.step, next) {
                (Step::Register { field: f, .. }, Some(n)) => assert_eq!(f, n, "{input:?}"),
                (Step::Register { field: f, .. }, None) => {
                    assert_eq!(f, field, "stays on {field:?}")
                }
                (other, _) => panic!("{input:?} led to {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn the_password_message_is_deleted_whatever_it_is() {
    let steps = Steps::new(engines()[0]).await;
    let mut form = RegisterForm {
        kind: Some(AccountKind::Citizen),
        ..Default::default()
    };
    form.full_name = Some(name("Lò Văn Mến"));
    form.id_number = Some(citizen_id(&cccd("1234")));
    form.birth_date = Some(born("05/01/1990"));
    form.phone = Some(Phone::parse("0912345678").unwrap());
    form.email = Some(None);
    form.address = Some(Address::parse("Bản Mòng, Sơn La").unwrap());
    for (input, reason, review) in [
        ("short1", "invalid-password-length", false),
        ("onlyletters", "invalid-password-mix", false),
        (PASSWORD, "register-summary", true),
    ] {
        let state = at(Step::Register {
            form: form.clone(),
            field: RegField::Password,
        });
        let out = step(&steps, state, text(input), Locale::Vi).await;
        assert_eq!(out.effects.first(), Some(&Effect::DeleteInput), "{input}");
        assert!(
            out.message_ids().contains(&reason),
            "{input}: {:?}",
            out.message_ids()
        );
        assert_eq!(matches!(out.next.step, Step::RegisterReview { .. }), review);
        // The password is never part of the state that is stored.
        let json = serde_json::to_string(&out.next).unwrap();
        assert!(!json.contains(input), "{json}");
    }
    assert!(
        steps.services.passwords().has(USER).await,
        "the good one waits, sealed"
    );
    // Sealed: the database holds no clear password.
    let sealed: Vec<String> = sqlx::query_scalar("SELECT sealed FROM registration_passwords")
        .fetch_all(&steps.services.db.pool)
        .await
        .unwrap();
    assert_eq!(sealed.len(), 1);
    assert!(sealed.iter().all(|s| !s.contains(PASSWORD)), "{sealed:?}");
}

#[tokio::test]
async fn first_contact_language_and_consent() {
    let steps = Steps::new(engines()[0]).await;
    // /start: greeting and the language choice.
    let out = step(
        &steps,
        State::default(),
        Input::command("/start"),
        Locale::Vi,
    )
    .await;
    assert_eq!(out.next.step, Step::ChooseLanguage);
    assert_eq!(out.message_ids(), vec!["greeting", "language-ask"]);
    // English chosen: remembered, the menu in English.
    let out = step(
        &steps,
        at(Step::ChooseLanguage),
        Input::Callback(Callback::Language(Locale::En)),
        Locale::Vi,
    )
    .await;
    assert_eq!(out.locale, Some(Locale::En));
    let user = users::get(&steps.services.db, USER).await.unwrap().unwrap();
    assert_eq!(user.locale.as_deref(), Some("en"));
    // Typing instead of pressing a button: a hint for that step.
    let out = step(&steps, at(Step::ChooseLanguage), text("hello"), Locale::En).await;
    assert_eq!(out.message_ids(), vec!["hint-language"]);
    // /register asks consent before anything personal.
    let out = step(
        &steps,
        State::default(),
        Input::command("/register"),
        Locale::En,
    )
    .await;
    assert_eq!(
        out.next.step,
        Step::Consent {
            then: Then::Register
        }
    );
    // Declining keeps lookup only.
    let out = step(
        &steps,
        at(Step::Consent {
            then: Then::Register,
        }),
        Input::Callback(Callback::Consent(false)),
        Locale::En,
    )
    .await;
    assert_eq!(out.next.step, Step::Idle);
    assert!(out.message_ids().contains(&"consent-declined"));
    assert!(
        users::get(&steps.services.db, USER)
            .await
            .unwrap()
            .unwrap()
            .consent_at
            .is_none()
    );
    // Agreeing stores the time and goes on to the account type.
    let out = step(
        &steps,
        at(Step::Consent {
            then: Then::Register,
        }),
        Input::Callback(Callback::Consent(true)),
        Locale::En,
    )
    .await;
    assert!(matches!(
        out.next.step,
        Step::Register {
            field: RegField::Kind,
            ..
        }
    ));
    assert!(
        users::get(&steps.services.db, USER)
            .await
            .unwrap()
            .unwrap()
            .consent_at
            .is_some()
    );
    // A stale button elsewhere is answered politely.
    let out = step(
        &steps,
        at(Step::Idle),
        Input::Callback(Callback::Consent(true)),
        Locale::En,
    )
    .await;
    assert_eq!(out.message_ids(), vec!["stale-button"]);
    assert_eq!(out.next.step, Step::Idle);
}

#[tokio::test]
async fn login_steps_with_the_real_portal() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let id = cccd("4321");
        steps
            .portal
            .client
            .register(&registration(&id), None)
            .await
            .expect("account");
        let out = step(
            &steps,
            at(Step::LoginKind),
            Input::Callback(Callback::Kind(AccountKind::Citizen)),
            Locale::Vi,
        )
        .await;
        assert_eq!(
            out.next.step,
            Step::LoginUsername {
                kind: AccountKind::Citizen
            }
        );
        let out = step(&steps, out.next, text("abc"), Locale::Vi).await;
        assert!(out.message_ids().contains(&"login-username-invalid"));
        let out = step(&steps, out.next, text(&id), Locale::Vi).await;
        assert!(matches!(out.next.step, Step::LoginPassword { .. }));
        let wrong = step(&steps, out.next.clone(), text("Wrong2026x"), Locale::En).await;
        assert_eq!(wrong.effects.first(), Some(&Effect::DeleteInput));
        assert!(
            wrong.message_ids().contains(&"login-failed"),
            "{:?}",
            wrong.message_ids()
        );
        let right = step(&steps, out.next, text(PASSWORD), Locale::En).await;
        assert_eq!(right.effects.first(), Some(&Effect::DeleteInput));
        assert!(
            right.message_ids().contains(&"login-done"),
            "{:?}",
            right.message_ids()
        );
        let user = users::get(&steps.services.db, USER).await.unwrap().unwrap();
        let sealed = user.portal_session_enc.expect("session kept");
        assert!(
            steps.services.cipher.open(&sealed).is_ok(),
            "kept sealed with the key"
        );
        // Issue 13.9: the portal's account id is kept, never the CCCD.
        let account = user.portal_account.expect("linked");
        assert_ne!(account, id);
        let (kept,): (Option<i64>,) =
            sqlx::query_as("SELECT portal_account_id FROM users WHERE telegram_user_id = $1")
                .bind(USER)
                .fetch_one(&steps.services.db.pool)
                .await
                .unwrap();
        assert_eq!(Some(account), kept.map(|k| k.to_string()));
    }
}

/// Issue 13.10: after a few wrong passwords the portal slows down; the citizen is told in how
/// long to try again, in words, and the same holds for an account that does not exist.
#[tokio::test]
async fn a_slowed_down_login_says_when_to_try_again() {
    let steps = Steps::new(engines()[0]).await;
    let id = cccd("4322");
    steps
        .portal
        .client
        .register(&registration(&id), None)
        .await
        .expect("account");
    for username in [id.clone(), cccd("4323")] {
        let at_password = at(Step::LoginPassword {
            kind: AccountKind::Citizen,
            username,
        });
        let mut told = None;
        for _ in 0..10 {
            let out = step(&steps, at_password.clone(), text("Wrong2026x"), Locale::Vi).await;
            if out.message_ids().contains(&"login-too-many") {
                told = Some(out);
                break;
            }
            assert!(
                out.message_ids().contains(&"login-failed"),
                "{:?}",
                out.message_ids()
            );
        }
        let out = told.expect("slowed down within 10 attempts");
        assert_eq!(out.effects.first(), Some(&Effect::DeleteInput));
        for locale in Locale::ALL {
            let Some(Effect::Send(reply)) = out.effects.get(1) else {
                panic!("{:?}", out.effects)
            };
            let text = try_render(&steps.services.i18n, locale, &reply.text).unwrap();
            assert!(
                text.chars().any(|c| c.is_ascii_digit()),
                "how long to wait: {text}"
            );
        }
    }
}

/// Issue 13.3: the portal created the account but the bot stopped before it saved anything
/// (the password, kept in memory only, is gone with it). Confirming again in the chat asks the
/// password once more, finds the account made with the form's key, and links the chat.
#[tokio::test]
async fn a_registration_cut_off_after_the_portal_created_the_account_finishes_in_the_chat() {
    for engine in engines() {
        let steps = Steps::new(engine).await;
        let id = cccd("4330");
        // The summary as it was stored before the crash; its form carries the key the
        // portal saw with the account.
        let stored = serde_json::json!({"step": {"RegisterReview": {"form": {
            "kind": "citizen", "full_name": "Lò Văn Mến", "id_number": id,
            "birth_date": "1990-05-17", "phone": "0912345678", "email": null,
            "address": "Tổ 3, phường Chiềng Lề, thành phố Sơn La", "editing": false,
            "create_key": "register-4330-key",
        }}}});
        let state: State = serde_json::from_value(stored).unwrap();
        let created = steps
            .portal
            .http
            .post(steps.portal.api("/accounts"))
            .header("Idempotency-Key", "register-4330-key")
            .json(&registration(&id))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);

        let out = step(
            &steps,
            state,
            Input::Callback(Callback::RegisterConfirm),
            Locale::Vi,
        )
        .await;
        assert!(
            matches!(
                out.next.step,
                Step::Register {
                    field: RegField::Password,
                    ..
                }
            ),
            "the password is asked again: {:?}",
            out.next.step
        );
        let out = step(&steps, out.next, text(PASSWORD), Locale::Vi).await;
        assert!(
            matches!(out.next.step, Step::RegisterReview { .. }),
            "{:?}",
            out.next.step
        );
        let out = step(
            &steps,
            out.next,
            Input::Callback(Callback::RegisterConfirm),
            Locale::Vi,
        )
        .await;
        assert!(
            out.message_ids().contains(&"register-done"),
            "{:?}",
            out.message_ids()
        );
        let user = users::get(&steps.services.db, USER).await.unwrap().unwrap();
        assert!(user.portal_session_enc.is_some(), "the chat is linked");
        // Issue 13.9: the portal's account id is kept, never the CCCD.
        let account = user.portal_account.expect("linked");
        assert_ne!(account, id);
        let (kept,): (Option<i64>,) =
            sqlx::query_as("SELECT portal_account_id FROM users WHERE telegram_user_id = $1")
                .bind(USER)
                .fetch_one(&steps.services.db.pool)
                .await
                .unwrap();
        assert_eq!(Some(account), kept.map(|k| k.to_string()));
    }
}

#[tokio::test]
async fn a_file_over_20_mb_is_refused_before_any_download() {
    use dvc_bot::bot::state::Draft;
    let steps = Steps::new(engines()[0]).await;
    let procedure = steps
        .portal
        .client
        .procedure("2.000884")
        .await
        .expect("seed procedure");
    let draft = Draft {
        key: "k1".into(),
        procedure,
        values: Default::default(),
        prefilled: Default::default(),
        papers: Vec::new(),
        skipped: Vec::new(),
        delivery: None,
        portal_id: None,
        updated_at: 0,
    };
    let state = State {
        step: Step::Papers { key: "k1".into() },
        drafts: vec![draft],
        ..Default::default()
    };
    // Step tests have no Telegram: a download attempt would answer "paper-download-failed".
    let big = Input::Document {
        file_id: "f1".into(),
        file_name: Some("scan.pdf".into()),
        mime: Some("application/pdf".into()),
        size: 21 * 1024 * 1024,
    };
    for locale in Locale::ALL {
        let out = step(&steps, state.clone(), big.clone(), locale).await;
        assert_eq!(
            out.message_ids(),
            vec!["paper-too-big-telegram"],
            "{locale:?}"
        );
        assert_eq!(out.next.drafts[0].papers.len(), 0);
    }
    let over_cap = Input::Document {
        file_id: "f2".into(),
        file_name: Some("scan.pdf".into()),
        mime: Some("application/pdf".into()),
        size: 6 * 1024 * 1024,
    };
    let out = step(&steps, state, over_cap, Locale::Vi).await;
    assert_eq!(out.message_ids(), vec!["paper-too-big"]);
}
