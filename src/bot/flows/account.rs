//! The account: entry to `/register` and `/login` (seed II) through consent to the processing
//! of personal data (Law 91/2025/QH15), `/logout`, the account menu, `/mydata` and
//! `/deleteme`. Passwords are deleted from the chat at once and never logged; the bot keeps only
//! the portal's session token, sealed. Registration's questions are in `register.rs`.

use chrono::{DateTime, Utc};

use crate::bot::callback::{AccountAction, Callback};
use crate::bot::context::Ctx;
use crate::bot::input::Input;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{RegField, RegisterForm, State, Step, Then};
use crate::db::{now_unix, users};
use crate::domain::{AccountKind, CitizenId, Phone, TaxCode};
use crate::i18n::{format_date, format_datetime};
use crate::portal::client::PortalError;
use crate::portal::model::{LoginRequest, Session};

use super::common::{hint, or_dash, stale_button};

/// `/register`, `/login` or the account menu's buttons: consent first, then the first question.
/// `last_kind` is the account type of the chat's last login, asked no more for a login.
pub fn begin(then: Then, last_kind: Option<AccountKind>, ctx: &Ctx<'_>) -> Outcome<Step> {
    if let Some(account) = logged_in_as(ctx) {
        return Outcome::new(Step::Idle).send(
            Reply::new(Text::msg("account-already").arg("account", account))
                .with(account_keyboard(true)),
        );
    }
    if !ctx.consented() {
        return ask_consent(then);
    }
    first_question(then, last_kind)
}

/// The consent statement, asked before any personal data (Law 91/2025/QH15).
/// Before registering, a third button agrees and goes straight to the photo of the CCCD's QR
/// code.
pub fn ask_consent(then: Then) -> Outcome<Step> {
    let mut rows = vec![vec![
        (Text::msg("consent-agree"), Callback::Consent(true)),
        (Text::msg("consent-decline"), Callback::Consent(false)),
    ]];
    if then == Then::Register {
        rows.insert(
            0,
            vec![(Text::msg("consent-agree-qr"), Callback::ConsentQr)],
        );
    }
    Outcome::new(Step::Consent { then })
        .send(Reply::msg("consent-statement").with(Keyboard::Inline(rows)))
}

/// Agree: the time is stored and the flow goes on (with `qr`, to the photo of the CCCD's QR
/// code). Decline: lookup by code still works.
pub async fn receive_consent(
    then: Then,
    agreed: bool,
    qr: bool,
    last_kind: Option<AccountKind>,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    if !agreed {
        return Outcome::new(Step::Idle).send(Reply::msg("consent-declined").with(main_menu()));
    }
    if let Err(error) = users::set_consent(&ctx.services.db, ctx.user_id, Some(now_unix())).await {
        tracing::error!(%error, "cannot store consent");
        return Outcome::new(Step::Idle).send(Reply::msg("error-internal"));
    }
    let mut outcome = if qr && then == Then::Register {
        ask_card_photo(RegisterForm::default(), false)
    } else {
        first_question(then, last_kind)
    };
    outcome
        .effects
        .insert(0, Effect::Toast(Text::msg("consent-thanks")));
    outcome
}

/// The first question of registration (the account type, or the photo of the CCCD's QR code)
/// or of login: the account type, unless the chat logged in before (then the username, with a
/// button for the other type).
pub fn first_question(then: Then, last_kind: Option<AccountKind>) -> Outcome<Step> {
    match (then, last_kind) {
        (Then::Register, _) => Outcome::new(Step::Register {
            form: RegisterForm::default(),
            field: RegField::Kind,
        })
        .send(register_kind_question()),
        (Then::Login, Some(kind)) => ask_login_username(kind),
        (Then::Login, None) => Outcome::new(Step::LoginKind).send(kind_question()),
    }
}

/// Registration's account type, with the photo of the CCCD's QR code offered first.
pub(super) fn register_kind_question() -> Reply {
    let mut reply = kind_question();
    reply.text = reply.text.then("register-or-qr");
    if let Keyboard::Inline(rows) = &mut reply.keyboard {
        rows.insert(
            0,
            vec![(Text::msg("register-qr-button"), Callback::RegisterQr)],
        );
    }
    reply
}

/// Asks for a photo of the QR code on the back of the chip CCCD (the account is a citizen's),
/// with a button to type the answers instead. With `again`, says first that a photo is needed.
pub(super) fn ask_card_photo(mut form: RegisterForm, again: bool) -> Outcome<Step> {
    form.kind = Some(AccountKind::Citizen);
    let text = if again {
        Text::msg("register-qr-send-photo")
    } else {
        Text::msg("register-ask-qr")
    };
    Outcome::new(Step::Register {
        form,
        field: RegField::CardPhoto,
    })
    .send(Reply::new(text).with(Keyboard::Inline(vec![vec![(
        Text::msg("register-type-instead"),
        Callback::Skip,
    )]])))
}

/// The account type pressed, said back so the chat shows what was chosen.
pub(super) fn kind_echo(kind: AccountKind) -> Effect {
    Effect::Send(Reply::new(
        Text::msg("kind-chosen").arg("kind", kind_arg(Some(kind))),
    ))
}

pub(super) fn kind_question() -> Reply {
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

pub(super) fn kind_arg(kind: Option<AccountKind>) -> &'static str {
    match kind {
        Some(AccountKind::Organisation) => "organisation",
        _ => "citizen",
    }
}

/// Stores the sealed session token: the chat is logged in.
pub(super) async fn link(ctx: &Ctx<'_>, session: &Session) -> Outcome<Step> {
    let sealed = ctx.services.cipher.seal(&session.token);
    // The portal's account id, never the CCCD or tax code the citizen logs in with.
    let account = session.account.id.to_string();
    let linked = async {
        users::set_portal_link(&ctx.services.db, ctx.user_id, Some((&account, &sealed))).await?;
        let id = session.account.id;
        users::set_portal_account_id(&ctx.services.db, ctx.user_id, id, ctx.locale.code()).await
    };
    match linked.await {
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
pub(super) fn portal_failed(step: Step, error: &PortalError) -> Outcome<Step> {
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
        Input::Callback(Callback::Kind(kind)) => {
            let mut out = ask_login_username(kind);
            out.effects.insert(0, kind_echo(kind));
            out
        }
        Input::Callback(_) => stale_button(Step::LoginKind),
        _ => Outcome::new(Step::LoginKind).send(kind_question()),
    }
}

/// Login: asks the username of a `kind` account, with a button for the other type.
fn ask_login_username(kind: AccountKind) -> Outcome<Step> {
    let other = match kind {
        AccountKind::Citizen => AccountKind::Organisation,
        AccountKind::Organisation => AccountKind::Citizen,
    };
    let switch = Text::msg("login-other-kind").arg("kind", kind_arg(Some(other)));
    Outcome::new(Step::LoginUsername { kind }).send(
        Reply::new(Text::msg("login-ask-username").arg("kind", kind_arg(Some(kind)))).with(
            Keyboard::Inline(vec![vec![(switch, Callback::Kind(other))]]),
        ),
    )
}

/// Login: the username — a CCCD, a tax code or a phone number — or the other account type.
pub fn receive_login_username(kind: AccountKind, input: Input) -> Outcome<Step> {
    let text = match input {
        Input::Text(text) => text,
        Input::Callback(Callback::Kind(other)) => {
            let mut out = ask_login_username(other);
            out.effects.insert(0, kind_echo(other));
            return out;
        }
        Input::Callback(_) => return stale_button(Step::LoginUsername { kind }),
        _ => return hint(Step::LoginUsername { kind }),
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
        return hint(Step::LoginPassword { kind, username });
    };
    let request = LoginRequest {
        login: username.clone(),
        password,
    };
    let result = ctx.services.portal.login_as(&request, &ctx.asker()).await;
    let outcome = match result {
        Ok(session) => link(ctx, &session).await.send(
            Reply::new(
                Text::msg("login-done")
                    .arg("name", session.account.full_name.as_str())
                    .then("menu-intro"),
            )
            .with(main_menu()),
        ),
        Err(PortalError::TooManyAttempts { until }) => {
            // In seconds while it is short, else in minutes (rounded up).
            let seconds = (until - Utc::now()).num_seconds().max(1);
            let (count, unit) = if seconds < 120 {
                (seconds, "seconds")
            } else {
                ((seconds + 59) / 60, "minutes")
            };
            Outcome::new(Step::LoginPassword { kind, username }).send(Reply::new(
                Text::msg("login-too-many")
                    .arg("count", count)
                    .arg("unit", unit),
            ))
        }
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
        // A link whose session no longer opens (another key, say) is dropped all the same.
        let linked = ctx
            .user
            .as_ref()
            .is_some_and(|u| u.portal_session_enc.is_some() || u.portal_account.is_some());
        if linked {
            ctx.forget_session().await;
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

/// The portal account the chat is logged in as: only with a session that still opens.
fn logged_in_as(ctx: &Ctx<'_>) -> Option<String> {
    ctx.session()?;
    ctx.user.as_ref()?.portal_account.clone()
}

pub(super) fn account_keyboard(logged_in: bool) -> Keyboard {
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
pub async fn menu_action(
    action: AccountAction,
    last_kind: Option<AccountKind>,
    ctx: &Ctx<'_>,
) -> Outcome<Step> {
    ctx.services.passwords().forget(ctx.user_id).await;
    match action {
        AccountAction::Register => begin(Then::Register, None, ctx),
        AccountAction::Login => begin(Then::Login, last_kind, ctx),
        AccountAction::Logout => logout(ctx).await,
    }
}

/// `/mydata`: everything the bot keeps about the user (never the session token itself).
pub fn my_data(state: &State, ctx: &Ctx<'_>) -> Outcome<Step> {
    let when = |t: Option<i64>| {
        t.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .map(format_datetime)
            .unwrap_or_else(|| "—".into())
    };
    let dash = || "—".to_owned();
    let mut text = match &ctx.user {
        Some(user) => Text::msg("mydata")
            .arg("telegram_id", user.telegram_user_id)
            .arg("language", user.locale.clone().unwrap_or_else(dash))
            .arg("consent", when(user.consent_at))
            .arg("account", user.portal_account.clone().unwrap_or_else(dash))
            .arg(
                "logged_in",
                if user.portal_session_enc.is_some() {
                    "yes"
                } else {
                    "no"
                },
            )
            .arg("notify", if user.notify != 0 { "yes" } else { "no" })
            .arg("created", when(Some(user.created_at))),
        None => Text::msg("mydata-none"),
    };
    // What the conversation holds: a registration under way, drafts.
    if let Step::Register { form, .. } | Step::RegisterReview { form } = &state.step {
        text = text
            .then("mydata-registration")
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
    }
    for draft in &state.drafts {
        let name = match ctx.locale {
            crate::i18n::Locale::Vi => &draft.procedure.summary.name_vi,
            crate::i18n::Locale::En => &draft.procedure.summary.name_en,
        };
        text = text
            .then("mydata-draft")
            .arg("procedure", name.as_str())
            .arg("values", draft.values.len() as i64)
            .arg("papers", draft.papers.len() as i64);
    }
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
    ctx.services.passwords().forget(ctx.user_id).await;
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
