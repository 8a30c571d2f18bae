//! The account: `/register` (seed I), `/login` (seed II), `/logout`, the account menu, `/mydata`
//! and `/deleteme`. Passwords are deleted from the chat at once, kept only in memory until the
//! portal has them, and never logged; the bot keeps only the portal's session token, sealed.

use chrono::{DateTime, Utc};

use crate::db::users;
use crate::domain::{
    AccountKind, BirthDate, CitizenId, Email, FullName, Invalid, OrganisationName, Password, Phone,
    TaxCode,
};
use crate::i18n::{format_date, format_datetime};
use crate::portal::client::PortalError;
use crate::portal::model::{AccountType, LoginRequest, RegisterRequest, Session};

use super::super::callback::{AccountAction, Callback};
use super::super::reply::{Effect, Keyboard, Outcome, Reply, ReplyButton, Text};
use super::super::state::{RegField, RegisterForm, Step, Then};
use super::{Ctx, Input, main_menu, start};

/// Address length bounds.
const ADDRESS_MIN: usize = 5;
const ADDRESS_MAX: usize = 200;

/// `/register`, `/login` or the account menu's buttons: consent first, then the first question.
pub fn begin(then: Then, ctx: &Ctx<'_>) -> Outcome<Step> {
    if let Some(account) = logged_in_as(ctx) {
        return Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("account-already").arg("account", account))
                .with(account_keyboard(true)),
        );
    }
    if !ctx.consented() {
        return start::ask_consent(then);
    }
    first_question(then)
}

/// The first question of registration or login: the account type.
pub fn first_question(then: Then) -> Outcome<Step> {
    let step = match then {
        Then::Register => Step::Register {
            form: RegisterForm::default(),
            field: RegField::Kind,
        },
        Then::Login => Step::LoginKind,
    };
    Outcome::new(step).send(kind_question())
}

fn kind_question() -> Reply {
    Reply::msg("ask-kind").with(Keyboard::Inline(vec![vec![
        (
            Text::msg("kind-citizen"),
            Callback::Kind(AccountKind::Citizen),
        ),
        (
            Text::msg("kind-organisation"),
            Callback::Kind(AccountKind::Organisation),
        ),
    ]]))
}

fn kind_arg(kind: Option<AccountKind>) -> &'static str {
    match kind {
        Some(AccountKind::Organisation) => "organisation",
        _ => "citizen",
    }
}

/// Asks `field`; with `again`, says first that the last answer was not what was expected.
pub fn ask_field(step: Step, field: RegField, again: bool) -> Outcome<Step> {
    let kind = match &step {
        Step::Register { form, .. } => form.kind,
        _ => None,
    };
    let mut text = if again {
        Text::msg("hint-unexpected")
    } else {
        Text::default()
    };
    let (id, keyboard) = match field {
        RegField::Kind => return Outcome::new(step).send(kind_question()),
        RegField::FullName => ("register-ask-name", Keyboard::Remove),
        RegField::IdNumber => ("register-ask-id-number", Keyboard::Remove),
        RegField::BirthDate => ("register-ask-birth-date", Keyboard::Remove),
        RegField::Phone => (
            "register-ask-phone",
            Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Text::msg(
                "register-share-phone",
            ))]]),
        ),
        RegField::Email => (
            "register-ask-email",
            Keyboard::Inline(vec![vec![(Text::msg("button-skip"), Callback::Skip)]]),
        ),
        RegField::Address => ("register-ask-address", Keyboard::Remove),
        RegField::Password => ("register-ask-password", Keyboard::Remove),
    };
    text = text.then(id).arg("kind", kind_arg(kind));
    Outcome::new(step).send(Reply::new(text).with(keyboard))
}

/// One answer to a registration question.
pub async fn receive_field(
    mut form: RegisterForm,
    field: RegField,
    input: Input,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    let stay = |form: RegisterForm| Step::Register { form, field };
    let org = form.kind == Some(AccountKind::Organisation);
    let parsed: Result<(), Invalid> = match (field, input) {
        (RegField::Kind, Input::Callback(Callback::Kind(kind))) => {
            form.kind = Some(kind);
            Ok(())
        }
        (RegField::FullName, Input::Text(t)) => {
            let name = if org {
                OrganisationName::parse(&t).map(String::from)
            } else {
                FullName::parse(&t).map(String::from)
            };
            name.map(|n| form.full_name = Some(n))
        }
        (RegField::IdNumber, Input::Text(t)) => {
            let id = if org {
                TaxCode::parse(&t).map(String::from)
            } else {
                CitizenId::parse(&t).map(String::from)
            };
            id.map(|n| form.id_number = Some(n))
        }
        (RegField::BirthDate, Input::Text(t)) => {
            BirthDate::parse(&t, ctx.today).map(|d| form.birth_date = Some(d.date()))
        }
        (RegField::Phone, Input::Contact { phone, user_id }) => {
            if user_id != Some(ctx.user_id) {
                return Outcome::new(stay(form)).send(Reply::msg("register-phone-not-own").with(
                    Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Text::msg(
                        "register-share-phone",
                    ))]]),
                ));
            }
            Phone::parse(&phone).map(|p| form.phone = Some(p.into()))
        }
        (RegField::Phone, Input::Text(_)) => {
            return Outcome::new(stay(form)).send(Reply::msg("register-phone-use-button").with(
                Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Text::msg(
                    "register-share-phone",
                ))]]),
            ));
        }
        (RegField::Email, Input::Callback(Callback::Skip)) => {
            form.email = Some(None);
            Ok(())
        }
        (RegField::Email, Input::Text(t)) => {
            Email::parse(&t).map(|e| form.email = Some(Some(e.into())))
        }
        (RegField::Address, Input::Text(t)) => {
            let address = t.split_whitespace().collect::<Vec<_>>().join(" ");
            let n = address.chars().count();
            if (ADDRESS_MIN..=ADDRESS_MAX).contains(&n) && !address.chars().any(char::is_control) {
                form.address = Some(address);
                Ok(())
            } else {
                Err(Invalid("address"))
            }
        }
        (RegField::Password, Input::Text(t)) => {
            // Whatever it is, it leaves the chat at once.
            let deleted = Outcome::new(stay(form.clone())).effect(Effect::DeleteInput);
            return match Password::parse(&t) {
                Ok(password) => {
                    ctx.services.passwords.put(ctx.user_id, password);
                    let mut next = advance(form, ctx);
                    next.effects.insert(0, Effect::DeleteInput);
                    next
                }
                Err(invalid) => deleted.send(Reply::msg(&invalid.message_id())),
            };
        }
        (_, Input::Callback(_)) => return super::stale_button(stay(form)),
        _ => return ask_field(stay(form), field, true),
    };
    match parsed {
        Ok(()) => advance(form, ctx),
        Err(invalid) => Outcome::new(stay(form)).send(Reply::msg(&invalid.message_id())),
    }
}

/// After an answer: the next missing field, the password, or the summary.
fn advance(mut form: RegisterForm, ctx: &Ctx<'_>) -> Outcome<Step> {
    let next = if form.editing {
        None
    } else {
        form.next_missing()
    };
    match next {
        Some(field) => ask_field(Step::Register { form, field }, field, false),
        None if form.next_missing().is_some() => {
            let field = form.next_missing().unwrap_or(RegField::Kind);
            ask_field(Step::Register { form, field }, field, false)
        }
        None if !ctx.services.passwords.has(ctx.user_id) => {
            form.editing = true;
            ask_field(
                Step::Register {
                    form,
                    field: RegField::Password,
                },
                RegField::Password,
                false,
            )
        }
        None => review(form),
    }
}

/// The summary with confirm and edit buttons.
fn review(mut form: RegisterForm) -> Outcome<Step> {
    form.editing = false;
    let none = "—".to_owned();
    let text = Text::msg("register-summary")
        .arg("kind", kind_arg(form.kind))
        .arg(
            "name",
            form.full_name.clone().unwrap_or_else(|| none.clone()),
        )
        .arg(
            "id_number",
            form.id_number.clone().unwrap_or_else(|| none.clone()),
        )
        .arg(
            "birth_date",
            form.birth_date
                .map(format_date)
                .unwrap_or_else(|| none.clone()),
        )
        .arg("phone", form.phone.clone().unwrap_or_else(|| none.clone()))
        .arg(
            "email",
            form.email.clone().flatten().unwrap_or_else(|| none.clone()),
        )
        .arg("address", form.address.clone().unwrap_or(none));
    let edit = |f: RegField, id: &str| (Text::msg(id), Callback::RegisterEdit(f));
    let keyboard = Keyboard::Inline(vec![
        vec![(Text::msg("register-confirm"), Callback::RegisterConfirm)],
        vec![
            edit(RegField::FullName, "edit-name"),
            edit(RegField::IdNumber, "edit-id-number"),
        ],
        vec![
            edit(RegField::BirthDate, "edit-birth-date"),
            edit(RegField::Phone, "edit-phone"),
        ],
        vec![
            edit(RegField::Email, "edit-email"),
            edit(RegField::Address, "edit-address"),
        ],
        vec![
            edit(RegField::Password, "edit-password"),
            (Text::msg("button-cancel"), Callback::Menu),
        ],
    ]);
    Outcome::new(Step::RegisterReview { form }).send(Reply::new(text).with(keyboard))
}

/// The summary's buttons: confirm (the account is created at the portal) or edit a field.
pub async fn receive_review(form: RegisterForm, input: Input, ctx: &Ctx<'_>) -> Outcome<Step> {
    match input {
        Input::Callback(Callback::RegisterEdit(field)) => {
            let form = RegisterForm {
                editing: true,
                ..form
            };
            ask_field(Step::Register { form, field }, field, false)
        }
        Input::Callback(Callback::RegisterConfirm) => create_account(form, ctx).await,
        Input::Callback(_) => super::stale_button(Step::RegisterReview { form }),
        _ => super::hint(Step::RegisterReview { form }),
    }
}

async fn create_account(form: RegisterForm, ctx: &Ctx<'_>) -> Outcome<Step> {
    let Some(password) = ctx.services.passwords.take(ctx.user_id) else {
        // Typed before a restart, or too long ago: it was never stored, so ask again.
        let form = RegisterForm {
            editing: true,
            ..form
        };
        return ask_field(
            Step::Register {
                form,
                field: RegField::Password,
            },
            RegField::Password,
            false,
        );
    };
    let (Some(kind), Some(name), Some(id), Some(birth), Some(phone), Some(email), Some(address)) = (
        form.kind,
        form.full_name.clone(),
        form.id_number.clone(),
        form.birth_date,
        form.phone.clone(),
        form.email.clone(),
        form.address.clone(),
    ) else {
        return advance(form, ctx);
    };
    let org = kind == AccountKind::Organisation;
    let request = RegisterRequest {
        account_type: if org {
            AccountType::Organisation
        } else {
            AccountType::Citizen
        },
        full_name: name,
        citizen_id: (!org).then(|| id.clone()),
        tax_code: org.then(|| id.clone()),
        birth_date: birth.format("%Y-%m-%d").to_string(),
        phone,
        email,
        address,
        password: password.expose().to_owned(),
    };
    let portal = &ctx.services.portal;
    let created = portal.register(&request).await;
    match created {
        Ok(_) => {}
        Err(PortalError::Invalid { fields, .. }) if !fields.is_empty() => {
            ctx.services.passwords.put(ctx.user_id, password);
            let first = &fields[0];
            let field = match first.field.as_str() {
                "full_name" => RegField::FullName,
                "citizen_id" | "tax_code" => RegField::IdNumber,
                "birth_date" => RegField::BirthDate,
                "phone" => RegField::Phone,
                "email" => RegField::Email,
                "address" => RegField::Address,
                _ => RegField::Password,
            };
            let mut next = ask_field(
                Step::Register {
                    form: RegisterForm {
                        editing: true,
                        ..form
                    },
                    field,
                },
                field,
                false,
            );
            next.effects.insert(
                0,
                Effect::Send(Reply::msg(&format!("invalid-{}", first.code))),
            );
            return next;
        }
        Err(PortalError::Duplicate { .. }) => {
            return Outcome::new(Step::Idle)
                .send(Reply::msg("register-duplicate").with(account_keyboard(false)));
        }
        Err(error) => {
            ctx.services.passwords.put(ctx.user_id, password);
            return portal_failed(Step::RegisterReview { form }, &error);
        }
    }
    let login = LoginRequest {
        login: id,
        password: password.expose().to_owned(),
    };
    match portal.login(&login).await {
        Ok(session) => link(ctx, &session).await.send(
            Reply::new(
                Text::msg("register-done")
                    .arg("name", session.account.full_name.as_str())
                    .then("menu-intro"),
            )
            .with(main_menu()),
        ),
        Err(error) => {
            tracing::warn!(%error, "login after registration failed");
            Outcome::new(Step::Idle).send(Reply::msg("register-done-login-later").with(main_menu()))
        }
    }
}

/// Stores the sealed session token: the chat is logged in.
async fn link(ctx: &Ctx<'_>, session: &Session) -> Outcome<Step> {
    let sealed = ctx.services.cipher.seal(&session.token);
    let account = session.account.login.as_str();
    match users::set_portal_link(&ctx.services.db, ctx.user_id, Some((account, &sealed))).await {
        Ok(()) => {
            let mut outcome = Outcome::new(Step::Idle);
            outcome.session = Some(session.token.clone());
            outcome
        }
        Err(error) => {
            tracing::error!(%error, "cannot store the portal session");
            Outcome::new(Step::Idle).send(Reply::msg("error-internal"))
        }
    }
}

/// The portal is down or answered something unexpected: say so, keep the step.
fn portal_failed(step: Step, error: &PortalError) -> Outcome<Step> {
    tracing::warn!(%error, "portal call failed");
    let id = match error {
        PortalError::Unreachable(_) => "error-portal-unreachable",
        _ => "error-internal",
    };
    Outcome::new(step).send(Reply::msg(id))
}

/// Login: the account type.
pub fn receive_login_kind(input: Input, _ctx: &Ctx<'_>) -> Outcome<Step> {
    match input {
        Input::Callback(Callback::Kind(kind)) => Outcome::new(Step::LoginUsername { kind }).send(
            Reply::new(Text::msg("login-ask-username").arg("kind", kind_arg(Some(kind))))
                .with(Keyboard::Remove),
        ),
        Input::Callback(_) => super::stale_button(Step::LoginKind),
        _ => Outcome::new(Step::LoginKind).send(kind_question()),
    }
}

/// Login: the username — a CCCD, a tax code or a phone number.
pub fn receive_login_username(kind: AccountKind, input: Input) -> Outcome<Step> {
    let Input::Text(text) = input else {
        return super::hint(Step::LoginUsername { kind });
    };
    let username = match kind {
        AccountKind::Citizen => CitizenId::parse(&text).map(String::from),
        AccountKind::Organisation => TaxCode::parse(&text).map(String::from),
    }
    .or_else(|_| Phone::parse(&text).map(String::from));
    match username {
        Ok(username) => Outcome::new(Step::LoginPassword { kind, username })
            .send(Reply::msg("login-ask-password")),
        Err(_) => Outcome::new(Step::LoginUsername { kind }).send(Reply::new(
            Text::msg("login-username-invalid").arg("kind", kind_arg(Some(kind))),
        )),
    }
}

/// Login: the password, deleted from the chat at once and sent to the portal.
pub async fn receive_login_password(
    kind: AccountKind,
    username: String,
    input: Input,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    let Input::Text(password) = input else {
        return super::hint(Step::LoginPassword { kind, username });
    };
    let request = LoginRequest {
        login: username.clone(),
        password,
    };
    let result = ctx.services.portal.login(&request).await;
    let outcome = match result {
        Ok(session) => link(ctx, &session).await.send(
            Reply::new(
                Text::msg("login-done")
                    .arg("name", session.account.full_name.as_str())
                    .then("menu-intro"),
            )
            .with(main_menu()),
        ),
        Err(PortalError::LockedOut { until }) => Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("login-locked").arg("until", format_datetime(until)))
                .with(main_menu()),
        ),
        Err(PortalError::Unauthorized) => {
            Outcome::new(Step::LoginPassword { kind, username }).send(Reply::msg("login-failed"))
        }
        Err(error) => portal_failed(Step::LoginPassword { kind, username }, &error),
    };
    let mut outcome = outcome;
    outcome.effects.insert(0, Effect::DeleteInput);
    outcome
}

/// `/logout`: the portal session ends and the link is removed.
pub async fn logout(ctx: &Ctx<'_>) -> Outcome<Step> {
    let Some(token) = ctx.session() else {
        if logged_in_as(ctx).is_some() {
            let _ = users::set_portal_link(&ctx.services.db, ctx.user_id, None).await;
        }
        return Outcome::new(Step::Idle).send(Reply::msg("logout-not-logged-in").with(main_menu()));
    };
    if let Err(error) = ctx.services.portal.logout(&token).await {
        // The session is dropped here whatever the portal says; it expires there anyway.
        tracing::warn!(%error, "portal logout failed");
    }
    match users::set_portal_link(&ctx.services.db, ctx.user_id, None).await {
        Ok(()) => Outcome::new(Step::Idle).send(Reply::msg("logout-done").with(main_menu())),
        Err(error) => {
            tracing::error!(%error, "cannot unlink");
            Outcome::new(Step::Idle).send(Reply::msg("error-internal"))
        }
    }
}

fn logged_in_as(ctx: &Ctx<'_>) -> Option<String> {
    let user = ctx.user.as_ref()?;
    user.portal_session_enc.as_ref()?;
    user.portal_account.clone()
}

fn account_keyboard(logged_in: bool) -> Keyboard {
    if logged_in {
        Keyboard::Inline(vec![vec![(
            Text::msg("button-logout"),
            Callback::Account(AccountAction::Logout),
        )]])
    } else {
        Keyboard::Inline(vec![vec![
            (
                Text::msg("button-register"),
                Callback::Account(AccountAction::Register),
            ),
            (
                Text::msg("button-login"),
                Callback::Account(AccountAction::Login),
            ),
        ]])
    }
}

/// The account menu.
pub fn show(ctx: &Ctx<'_>) -> Outcome<Step> {
    let reply = match logged_in_as(ctx) {
        Some(account) => Reply::new(Text::msg("account-logged-in").arg("account", account))
            .with(account_keyboard(true)),
        None => Reply::msg("account-anonymous").with(account_keyboard(false)),
    };
    Outcome::new(Step::Idle).send(reply)
}

/// A button of the account menu.
pub async fn menu_action(action: AccountAction, ctx: &Ctx<'_>) -> Outcome<Step> {
    ctx.services.passwords.forget(ctx.user_id);
    match action {
        AccountAction::Register => begin(Then::Register, ctx),
        AccountAction::Login => begin(Then::Login, ctx),
        AccountAction::Logout => logout(ctx).await,
    }
}

/// `/mydata`: everything the bot keeps about the user (never the session token itself).
pub fn my_data(ctx: &Ctx<'_>) -> Outcome<Step> {
    let Some(user) = &ctx.user else {
        return Outcome::new(Step::Idle).send(Reply::msg("mydata-none"));
    };
    let when = |t: Option<i64>| {
        t.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .map(format_datetime)
            .unwrap_or_else(|| "—".into())
    };
    let text = Text::msg("mydata")
        .arg("telegram_id", user.telegram_user_id)
        .arg(
            "language",
            user.locale.clone().unwrap_or_else(|| "—".into()),
        )
        .arg("consent", when(user.consent_at))
        .arg(
            "account",
            user.portal_account.clone().unwrap_or_else(|| "—".into()),
        )
        .arg(
            "logged_in",
            if user.portal_session_enc.is_some() {
                "yes"
            } else {
                "no"
            },
        )
        .arg("notify", if user.notify != 0 { "yes" } else { "no" })
        .arg("created", when(Some(user.created_at)));
    Outcome::new(Step::Idle).send(Reply::new(text))
}

/// `/deleteme`: asks for confirmation.
pub fn ask_delete() -> Outcome<Step> {
    Outcome::new(Step::ConfirmDelete).send(Reply::msg("deleteme-ask").with(Keyboard::Inline(vec![
        vec![
            (Text::msg("deleteme-yes"), Callback::DeleteMe(true)),
            (Text::msg("deleteme-no"), Callback::DeleteMe(false)),
        ],
    ])))
}

/// The confirmation: the user's row and dialogue are erased and the portal session ended.
pub async fn receive_delete(confirmed: bool, ctx: &Ctx<'_>) -> Outcome<Step> {
    if !confirmed {
        return Outcome::new(Step::Idle).send(Reply::msg("deleteme-kept").with(main_menu()));
    }
    if let Some(token) = ctx.session()
        && let Err(error) = ctx.services.portal.logout(&token).await
    {
        tracing::warn!(%error, "portal logout failed during deletion");
    }
    ctx.services.passwords.forget(ctx.user_id);
    match users::delete(&ctx.services.db, ctx.user_id).await {
        Ok(()) => {
            let mut outcome =
                Outcome::new(Step::Idle).send(Reply::msg("deleteme-done").with(Keyboard::Remove));
            outcome.erase = true;
            outcome
        }
        Err(error) => {
            tracing::error!(%error, "cannot delete user");
            Outcome::new(Step::Idle).send(Reply::msg("error-internal"))
        }
    }
}
