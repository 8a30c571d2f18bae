//! `/register` (seed I): the account type, then each field in turn with its reason on a wrong
//! value, the phone only through Telegram's own contact button, the password deleted from the
//! chat at once and kept in memory only, a summary to confirm or edit, then the portal account
//! is created (with the form's idempotency key, so a confirmation repeated after a crash finds
//! the account made) and the chat logged in.

use crate::domain::{
    AccountKind, Address, BirthDate, Email, HolderName, IdNumber, Invalid, Password, Phone,
};
use crate::i18n::format_date;
use crate::portal::client::PortalError;
use crate::portal::model::{AccountType, LoginRequest, RegisterRequest};

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::input::Input;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Effect, Keyboard, Outcome, Reply, ReplyButton, Text};
use crate::bot::state::{RegField, RegisterForm, Step};

use super::account::{account_keyboard, kind_arg, kind_question, link, portal_failed};
use super::common::{hint, or_dash, stale_button};

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
    let kind = form.kind.unwrap_or(AccountKind::Citizen);
    let parsed: Result<(), Invalid> = match (field, input) {
        (RegField::Kind, Input::Callback(Callback::Kind(kind))) => {
            form.kind = Some(kind);
            Ok(())
        }
        (RegField::FullName, Input::Text(t)) => {
            HolderName::parse(kind, &t).map(|n| form.full_name = Some(n))
        }
        (RegField::IdNumber, Input::Text(t)) => {
            IdNumber::parse(kind, &t).map(|n| form.id_number = Some(n))
        }
        (RegField::BirthDate, Input::Text(t)) => {
            BirthDate::parse(&t, ctx.today).map(|d| form.birth_date = Some(d))
        }
        (RegField::Phone, Input::Contact { phone, user_id }) => {
            if user_id != Some(ctx.user_id) {
                return Outcome::new(stay(form)).send(Reply::msg("register-phone-not-own").with(
                    Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Text::msg(
                        "register-share-phone",
                    ))]]),
                ));
            }
            Phone::parse(&phone).map(|p| form.phone = Some(p))
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
        (RegField::Email, Input::Text(t)) => Email::parse(&t).map(|e| form.email = Some(Some(e))),
        (RegField::Address, Input::Text(t)) => Address::parse(&t).map(|a| form.address = Some(a)),
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
        (_, Input::Callback(_)) => return stale_button(stay(form)),
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
    if form.create_key.is_none() {
        form.create_key = Some(format!(
            "register-{}",
            hex::encode(rand::random::<[u8; 16]>())
        ));
    }
    let text = Text::msg("register-summary")
        .arg("kind", kind_arg(form.kind))
        .arg("name", or_dash(form.full_name.as_ref()))
        .arg("id_number", or_dash(form.id_number.as_ref()))
        .arg(
            "birth_date",
            or_dash(form.birth_date.map(|d| format_date(d.date())).as_ref()),
        )
        .arg("phone", or_dash(form.phone.as_ref()))
        .arg(
            "email",
            or_dash(form.email.as_ref().and_then(Option::as_ref)),
        )
        .arg("address", or_dash(form.address.as_ref()));
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
        Input::Callback(_) => stale_button(Step::RegisterReview { form }),
        _ => hint(Step::RegisterReview { form }),
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
    let request = RegisterRequest {
        account_type: match kind {
            AccountKind::Organisation => AccountType::Organisation,
            AccountKind::Citizen => AccountType::Citizen,
        },
        full_name: name.to_string(),
        citizen_id: matches!(id, IdNumber::Citizen(_)).then(|| id.to_string()),
        tax_code: matches!(id, IdNumber::Organisation(_)).then(|| id.to_string()),
        birth_date: birth.date().format("%Y-%m-%d").to_string(),
        phone: phone.to_string(),
        email: email.map(String::from),
        address: address.to_string(),
        password: password.expose().to_owned(),
    };
    let portal = &ctx.services.portal;
    let created = portal.register(&request, form.create_key.as_deref()).await;
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
            // The portal names the rule broken with the same codes as `crate::domain`; one this
            // bot does not know still gets a sentence.
            let reason = format!("invalid-{}", first.code);
            let reason = if ctx.services.i18n.has(ctx.locale, &reason) {
                reason
            } else {
                "invalid-value".to_owned()
            };
            next.effects.insert(0, Effect::Send(Reply::msg(&reason)));
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
        login: id.to_string(),
        password: password.expose().to_owned(),
    };
    match portal.login_as(&login, &ctx.asker()).await {
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
