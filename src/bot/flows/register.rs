//! `/register` (seed I): the account type, then each field in turn with its reason on a wrong
//! value, the phone only through Telegram's own contact button, the password deleted from the
//! chat at once and kept in memory only, a summary to confirm or edit, then the portal account
//! is created (with the form's idempotency key, so a confirmation repeated after a crash finds
//! the account made) and the chat logged in.
//!
//! A citizen may instead send a photo of the QR code on the back of the chip CCCD (offered with
//! the account type and at the name question): its number, name, birth date and address fill
//! the form, are shown with buttons to edit each, and only the phone and the password are left
//! to ask. The photo lives in memory for the read only; a photo without a readable card, or a
//! card whose birth date disagrees with the one typed, is said so and the questions go on.
//! The e-mail is optional and asked only from the summary ("Sửa thư điện tử").

use crate::domain::{
    AccountKind, Address, BirthDate, CccdCard, CccdQrError, Email, HolderName, IdNumber, Invalid,
    Password, Phone, read_card,
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

use super::account::{
    account_keyboard, ask_card_photo, kind_arg, kind_echo, link, portal_failed,
    register_kind_question,
};
use super::common::{hint, or_dash, stale_button};
use super::paper_check::TELEGRAM_DOWNLOAD_MAX;

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
        RegField::Kind => return Outcome::new(step).send(register_kind_question()),
        RegField::CardPhoto => {
            let Step::Register { form, .. } = step else {
                return Outcome::new(step).send(register_kind_question());
            };
            return ask_card_photo(form, again);
        }
        // A citizen may still send the card's QR code instead.
        RegField::FullName if kind != Some(AccountKind::Organisation) => (
            "register-ask-name",
            Keyboard::Inline(vec![vec![(
                Text::msg("register-qr-button"),
                Callback::RegisterQr,
            )]]),
        ),
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
    let citizen = form.kind != Some(AccountKind::Organisation);
    // The CCCD's QR code: asked for, sent, or declined; and a field to edit from the filled card.
    match (field, &input) {
        (_, Input::Callback(Callback::RegisterQr)) if citizen => {
            return ask_card_photo(form, false);
        }
        (
            RegField::Kind | RegField::FullName | RegField::CardPhoto,
            Input::Photo { file_id, size },
        ) if citizen => {
            let file_id = file_id.clone();
            return receive_card_photo(form, &file_id, *size, ctx).await;
        }
        (RegField::CardPhoto, Input::Callback(Callback::Skip)) => return advance(form, ctx).await,
        (RegField::CardPhoto, Input::Callback(_)) => return stale_button(stay(form)),
        (RegField::CardPhoto, _) => return ask_card_photo(form, true),
        (_, Input::Callback(Callback::RegisterEdit(edit))) if *edit != RegField::Kind => {
            let edit = *edit;
            form.editing = true;
            return ask_field(Step::Register { form, field: edit }, edit, false);
        }
        _ => {}
    }
    let kind = form.kind.unwrap_or(AccountKind::Citizen);
    let parsed: Result<(), Invalid> = match (field, input) {
        (RegField::Kind, Input::Callback(Callback::Kind(kind))) => {
            form.kind = Some(kind);
            let mut next = advance(form, ctx).await;
            next.effects.insert(0, kind_echo(kind));
            return next;
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
            match Phone::parse(&phone) {
                // The share button goes away at once, with a word that the number arrived.
                Ok(phone) => {
                    let received = Reply::new(
                        Text::msg("register-phone-received").arg("phone", phone.as_str()),
                    )
                    .with(Keyboard::Remove);
                    form.phone = Some(phone);
                    let mut next = advance(form, ctx).await;
                    next.effects.insert(0, Effect::Send(received));
                    return next;
                }
                Err(invalid) => Err(invalid),
            }
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
                    if let Err(error) = ctx.services.passwords().put(ctx.user_id, &password).await {
                        tracing::error!(%error, "cannot keep the registration password");
                        return deleted.send(Reply::msg("error-internal"));
                    }
                    let mut next = advance(form, ctx).await;
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
        Ok(()) => advance(form, ctx).await,
        Err(invalid) => Outcome::new(stay(form)).send(Reply::msg(&invalid.message_id())),
    }
}

/// A photo of the CCCD's QR code: read in memory (never stored or logged), its fields shown
/// with buttons to edit each, then the questions still open. Without a card in it, or with a
/// birth date other than the one typed, a sentence says so and the questions go on.
async fn receive_card_photo(
    form: RegisterForm,
    file_id: &str,
    size: u32,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    let typed = async |mut form: RegisterForm, text: Text| {
        form.kind = Some(AccountKind::Citizen);
        let mut next = advance(form, ctx).await;
        next.effects.insert(0, Effect::Send(Reply::new(text)));
        next
    };
    if size > TELEGRAM_DOWNLOAD_MAX {
        return typed(form, Text::msg("register-qr-unreadable")).await;
    }
    let bytes = match ctx.services.files.download(file_id).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "the CCCD photo could not be fetched");
            return typed(form, Text::msg("register-qr-download-failed")).await;
        }
    };
    let today = ctx.today;
    // Decoding is CPU work: off the async workers. The bytes are dropped inside.
    let read = tokio::task::spawn_blocking(move || read_card(&bytes, today)).await;
    let card = match read {
        Ok(Ok(card)) => card,
        Ok(Err(error)) => {
            // Only the kind of failure; never the card's text.
            tracing::info!(reason = %error, "no CCCD read from the photo");
            let text = match error {
                CccdQrError::NotAnImage | CccdQrError::NoQr => Text::msg("register-qr-unreadable"),
                CccdQrError::NotCccd => Text::msg("register-qr-not-cccd"),
                CccdQrError::BadField { invalid, .. } => {
                    Text::msg("register-qr-bad-field").then(&invalid.message_id())
                }
            };
            return typed(form, text).await;
        }
        Err(error) => {
            tracing::error!(%error, "reading the CCCD photo failed");
            return typed(form, Text::msg("register-qr-unreadable")).await;
        }
    };
    tracing::info!(card = ?card, "a CCCD read from a photo");
    if let (Some(typed_date), Some(card_date)) = (form.birth_date, card.birth_date)
        && typed_date != card_date
    {
        return typed(form, Text::msg("register-qr-birth-mismatch")).await;
    }
    let form = fill_from_card(form, card);
    let filled = filled_reply(&form);
    let mut next = advance(form, ctx).await;
    next.effects.insert(0, Effect::Send(filled));
    next
}

/// The form with the card's values: a citizen's account, its number, and the name, birth date
/// and address the card gives.
fn fill_from_card(mut form: RegisterForm, card: CccdCard) -> RegisterForm {
    form.kind = Some(AccountKind::Citizen);
    form.id_number = Some(IdNumber::Citizen(card.id));
    if let Some(name) = card.full_name {
        form.full_name = Some(HolderName::Person(name));
    }
    if let Some(date) = card.birth_date {
        form.birth_date = Some(date);
    }
    if let Some(address) = card.address {
        form.address = Some(address);
    }
    form
}

/// What the card filled in, with a button to edit each.
fn filled_reply(form: &RegisterForm) -> Reply {
    let text = Text::msg("register-qr-filled")
        .arg("name", or_dash(form.full_name.as_ref()))
        .arg("id_number", or_dash(form.id_number.as_ref()))
        .arg(
            "birth_date",
            or_dash(form.birth_date.map(|d| format_date(d.date())).as_ref()),
        )
        .arg("address", or_dash(form.address.as_ref()));
    let edit = |f: RegField, id: &str| (Text::msg(id), Callback::RegisterEdit(f));
    Reply::new(text).with(Keyboard::Inline(vec![
        vec![
            edit(RegField::FullName, "edit-name"),
            edit(RegField::IdNumber, "edit-id-number"),
        ],
        vec![
            edit(RegField::BirthDate, "edit-birth-date"),
            edit(RegField::Address, "edit-address"),
        ],
    ]))
}

/// After an answer: the next missing field, the password, or the summary.
async fn advance(mut form: RegisterForm, ctx: &Ctx<'_>) -> Outcome<Step> {
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
        None if !ctx.services.passwords().has(ctx.user_id).await => {
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
pub fn review(mut form: RegisterForm) -> Outcome<Step> {
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
    let Some(password) = ctx.services.passwords().get(ctx.user_id).await else {
        // Typed too long ago (it expired), or the database failed: ask again.
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
    let email = form.email.clone().flatten();
    let (Some(kind), Some(name), Some(id), Some(birth), Some(phone), Some(address)) = (
        form.kind,
        form.full_name.clone(),
        form.id_number.clone(),
        form.birth_date,
        form.phone.clone(),
        form.address.clone(),
    ) else {
        return advance(form, ctx).await;
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
            let mut out = Outcome::new(Step::Idle)
                .send(Reply::msg("register-duplicate").with(account_keyboard(false)));
            out.forget_password = true;
            return out;
        }
        Err(error) => {
            return portal_failed(Step::RegisterReview { form }, &error);
        }
    }
    let login = LoginRequest {
        login: id.to_string(),
        password: password.expose().to_owned(),
    };
    let logged_in = portal.login_as(&login, &ctx.asker()).await;
    // The account exists: the password goes, once the adapter has saved the next state — so a
    // confirmation whose process died before that finds it again when delivered again (the
    // create key makes the registration the same one).
    let mut out = match logged_in {
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
    };
    out.forget_password = true;
    out
}
