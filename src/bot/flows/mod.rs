//! The conversation's shape on one screen: global commands and menu buttons first, then each
//! step's expected answer, then a hint for anything else. Steps live in one file per flow.

pub mod account;
pub mod ask;
pub mod dossiers;
pub mod drafts;
pub mod follow;
pub mod lookup;
pub mod papers;
pub mod procedures;
pub mod rate;
pub mod register;
pub mod review;
pub mod start;
pub mod submit;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::crypto::Cipher;
use crate::db::Db;
use crate::db::users::User;
use crate::domain::Password;
use crate::i18n::{I18n, Locale};
use crate::portal::client::Portal;

use super::callback::{Callback, DossierAction};
use super::reply::{Effect, Keyboard, Outcome, Reply, ReplyButton, Text};
use super::state::{State, Step, Then};

/// What the user sent, as the steps see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `/name arg` (the bot's @username suffix removed).
    Command {
        name: String,
        arg: String,
    },
    Text(String),
    Callback(Callback),
    /// A shared contact; `user_id` is whose contact it is, if Telegram says.
    Contact {
        phone: String,
        user_id: Option<i64>,
    },
    Document {
        file_id: String,
        file_name: Option<String>,
        mime: Option<String>,
        size: u32,
    },
    Photo {
        file_id: String,
        size: u32,
    },
    /// Anything else (a sticker, a location…).
    Other,
}

/// How long a typed password waits in memory for the registration summary to be confirmed.
const PASSWORD_TTL: Duration = Duration::from_secs(30 * 60);

/// Passwords typed during registration, in memory only: never written to the database, lost on
/// restart (the user is then asked again).
#[derive(Default)]
pub struct PasswordVault {
    inner: Mutex<HashMap<i64, (Password, Instant)>>,
}

impl PasswordVault {
    pub fn put(&self, user_id: i64, password: Password) {
        if let Ok(mut map) = self.inner.lock() {
            map.retain(|_, (_, at)| at.elapsed() < PASSWORD_TTL);
            map.insert(user_id, (password, Instant::now()));
        }
    }
    pub fn has(&self, user_id: i64) -> bool {
        self.inner.lock().is_ok_and(|m| {
            m.get(&user_id)
                .is_some_and(|(_, at)| at.elapsed() < PASSWORD_TTL)
        })
    }
    pub fn take(&self, user_id: i64) -> Option<Password> {
        let (password, at) = self.inner.lock().ok()?.remove(&user_id)?;
        (at.elapsed() < PASSWORD_TTL).then_some(password)
    }
    pub fn forget(&self, user_id: i64) {
        if let Ok(mut map) = self.inner.lock() {
            map.remove(&user_id);
        }
    }
}

/// Where papers sent in the chat are fetched from (Telegram's getFile), by file id.
#[async_trait::async_trait]
pub trait FileSource: Send + Sync {
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, String>;
}

/// Long-lived parts the steps use.
pub struct Services {
    pub db: Db,
    pub portal: Arc<dyn Portal>,
    pub files: Arc<dyn FileSource>,
    pub cipher: Cipher,
    pub passwords: PasswordVault,
    pub i18n: I18n,
    /// When officers answer questions.
    pub office_hours: crate::domain::OfficeHours,
}

/// One update's context.
pub struct Ctx<'a> {
    pub services: &'a Services,
    pub user_id: i64,
    /// Telegram's first name of the user, for greetings.
    pub first_name: String,
    pub locale: Locale,
    /// The user's row, if the bot keeps one.
    pub user: Option<User>,
    /// Today in Asia/Ho_Chi_Minh.
    pub today: NaiveDate,
}

impl Ctx<'_> {
    /// The portal session token, if logged in and it decrypts.
    pub fn session(&self) -> Option<String> {
        let sealed = self.user.as_ref()?.portal_session_enc.as_ref()?;
        match self.services.cipher.open(sealed) {
            Ok(token) => Some(token),
            Err(error) => {
                tracing::warn!(user_id = self.user_id, %error, "stored session unreadable");
                None
            }
        }
    }

    /// The portal no longer accepts the stored session (expired, or logged out elsewhere): the
    /// link is dropped so that logging in again is offered, not refused.
    pub async fn forget_session(&self) {
        if let Err(error) =
            crate::db::users::set_portal_link(&self.services.db, self.user_id, None).await
        {
            tracing::error!(%error, "cannot unlink an expired session");
        }
    }

    pub fn consented(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.consent_at.is_some())
    }
}

/// The main menu's buttons, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Services,
    MyDossiers,
    Lookup,
    Account,
    Help,
}

impl MenuItem {
    const ALL: [MenuItem; 5] = [
        MenuItem::Services,
        MenuItem::MyDossiers,
        MenuItem::Lookup,
        MenuItem::Account,
        MenuItem::Help,
    ];

    fn message_id(self) -> &'static str {
        match self {
            MenuItem::Services => "menu-services",
            MenuItem::MyDossiers => "menu-my-dossiers",
            MenuItem::Lookup => "menu-lookup",
            MenuItem::Account => "menu-account",
            MenuItem::Help => "menu-help",
        }
    }

    /// The menu item whose label (in any language) is `text`.
    fn from_label(text: &str, i18n: &I18n) -> Option<Self> {
        let text = text.trim();
        MenuItem::ALL.into_iter().find(|item| {
            Locale::ALL
                .into_iter()
                .any(|l| i18n.text(l, item.message_id(), None) == text)
        })
    }
}

/// The main menu as a reply keyboard.
pub fn main_menu() -> Keyboard {
    let b = |item: MenuItem| ReplyButton::Text(Text::msg(item.message_id()));
    Keyboard::Reply(vec![
        vec![b(MenuItem::Services), b(MenuItem::MyDossiers)],
        vec![b(MenuItem::Lookup), b(MenuItem::Account)],
        vec![b(MenuItem::Help)],
    ])
}

/// The commands registered with setMyCommands, with their description message ids.
pub const COMMANDS: &[(&str, &str)] = &[
    ("start", "cmd-start"),
    ("register", "cmd-register"),
    ("login", "cmd-login"),
    ("procedures", "cmd-procedures"),
    ("mydossiers", "cmd-mydossiers"),
    ("drafts", "cmd-drafts"),
    ("status", "cmd-status"),
    ("follow", "cmd-follow"),
    ("unfollow", "cmd-unfollow"),
    ("ask", "cmd-ask"),
    ("language", "cmd-language"),
    ("account", "cmd-account"),
    ("mydata", "cmd-mydata"),
    ("cancel", "cmd-cancel"),
    ("logout", "cmd-logout"),
    ("deleteme", "cmd-deleteme"),
    ("help", "cmd-help"),
];

/// Routes one input: commands and menu buttons work from any step; otherwise the current
/// step receives it. Drafts live beside the step and survive every route.
pub async fn handle(state: State, input: Input, ctx: &Ctx<'_>) -> Outcome<State> {
    // Steps that do not say where to go next leave the chat where it was.
    let step = state.step.clone();
    let mut outcome = route(state, step, input, ctx).await;
    // Logged in while a procedure was waiting: go back to it.
    if let Some(token) = outcome.session.clone()
        && let Some(code) = outcome.next.resume.take()
    {
        let next = std::mem::take(&mut outcome.next);
        let more = submit::start(next, &code, Some(token), ctx).await;
        outcome.next = more.next;
        outcome.effects.extend(more.effects);
    }
    outcome
}

async fn route(state: State, step: Step, input: Input, ctx: &Ctx<'_>) -> Outcome<State> {
    let lift = |o: Outcome<Step>, state: State| o.map(|step| State { step, ..state });
    if let Input::Command { name, arg } = &input {
        ctx.services.passwords.forget(ctx.user_id);
        return match name.as_str() {
            "procedures" => procedures::open(state, ctx).await,
            "submit" if arg.is_empty() => procedures::open(state, ctx).await,
            "submit" => submit::start(state, arg, None, ctx).await,
            "drafts" => drafts::list(state, ctx).await,
            "mydossiers" => dossiers::list(state, ctx).await,
            "status" => lookup::begin(state, arg, ctx).await,
            "start" if start::procedure_link(arg).is_some() => {
                if let Err(error) = crate::db::users::ensure(&ctx.services.db, ctx.user_id).await {
                    tracing::error!(%error, "cannot store user");
                }
                let code = start::procedure_link(arg).unwrap_or_default();
                let state = State {
                    step: Step::Idle,
                    ..state
                };
                procedures::card(state, &code, ctx).await
            }
            "account" => with_follows(lift(account::show(ctx), state), ctx).await,
            "mydata" => {
                let outcome = account::my_data(&state, ctx);
                with_follows(lift(outcome, state), ctx).await
            }
            _ => lift(command(step, name, arg, ctx).await, state),
        };
    }
    if let Input::Text(text) = &input
        && let Some(item) = MenuItem::from_label(text, &ctx.services.i18n)
    {
        ctx.services.passwords.forget(ctx.user_id);
        return match item {
            MenuItem::Services => procedures::open(state, ctx).await,
            MenuItem::MyDossiers => dossiers::list(state, ctx).await,
            MenuItem::Lookup => lookup::begin(state, "", ctx).await,
            MenuItem::Account => with_follows(lift(account::show(ctx), state), ctx).await,
            MenuItem::Help => lift(start::help(), state),
        };
    }
    match (step, input) {
        // Buttons that work from any message.
        (_, Input::Callback(Callback::FieldsPage(page))) => {
            procedures::fields_page(state, page, ctx).await
        }
        (_, Input::Callback(Callback::Field { index, page })) => {
            procedures::field_page(state, index, page, ctx).await
        }
        (Step::Procedures { query: Some(q) }, Input::Callback(Callback::SearchPage(page))) => {
            procedures::search_page(state, q, page, ctx).await
        }
        (_, Input::Callback(Callback::Procedure(code))) => {
            procedures::card(state, &code, ctx).await
        }
        (_, Input::Callback(Callback::Submit(code))) => {
            submit::start(state, &code, None, ctx).await
        }
        (_, Input::Callback(Callback::Drafts)) => drafts::list(state, ctx).await,
        (_, Input::Callback(Callback::ResumeDraft(key))) => submit::resume(state, &key, ctx).await,
        (_, Input::Callback(Callback::ResumePortalDraft(id))) => {
            drafts::resume_portal(state, id, ctx).await
        }
        (_, Input::Callback(Callback::SaveDraft(key))) => review::save(state, &key, ctx).await,
        (_, Input::Callback(Callback::SendDraft(key))) => review::send(state, &key, ctx).await,
        (_, Input::Callback(Callback::EditDraft(key))) => review::edit(state, &key, ctx).await,
        (_, Input::Callback(Callback::DiscardDraft(key))) => review::discard(state, &key),
        // Anyone's lookup and following.
        (Step::LookupCode, Input::Text(text)) => lookup::receive_code(state, &text, ctx).await,
        (Step::Idle, Input::Text(text)) if lookup::is_code(&text) => {
            lookup::receive_code(state, &text, ctx).await
        }
        (_, Input::Callback(Callback::LookupMore(code))) => lift(lookup::ask_last4(&code), state),
        (_, Input::Callback(Callback::Follow(code))) => {
            lift(follow::ask_last4(&code, ctx).await, state)
        }
        (_, Input::Callback(Callback::Unfollow(code))) => {
            lift(follow::stop(&code, ctx).await, state)
        }
        (Step::LookupLast4 { code }, Input::Text(text)) => {
            lift(lookup::receive_last4(code, &text, ctx).await, state)
        }
        (Step::FollowCode, Input::Text(text)) => {
            lift(follow::receive_code(&text, ctx).await, state)
        }
        (Step::FollowLast4 { code }, Input::Text(text)) => {
            lift(follow::receive_last4(code, &text, ctx).await, state)
        }
        // Rating after the result, and asking an officer.
        (_, Input::Callback(Callback::Dossier(DossierAction::Rate, code))) => {
            lift(rate::begin(&code, ctx), state)
        }
        (_, Input::Callback(Callback::Rate(stars, code))) => {
            lift(rate::receive_stars(stars, &code), state)
        }
        (Step::RateComment { code, stars }, Input::Callback(Callback::RateNoComment)) => {
            lift(rate::receive_comment(code, stars, None, ctx).await, state)
        }
        (Step::RateComment { code, stars }, Input::Text(text)) => lift(
            rate::receive_comment(code, stars, Some(&text), ctx).await,
            state,
        ),
        (_, Input::Callback(Callback::Dossier(DossierAction::Ask, code))) => {
            lift(ask::begin(Some(&code), ctx), state)
        }
        (Step::AskText { dossier }, Input::Text(text)) => {
            lift(ask::receive_text(dossier, &text, ctx).await, state)
        }
        // A dossier's buttons (notifications, cards): its status until the card exists.
        (_, Input::Callback(Callback::Dossier(_, code))) => {
            lift(lookup::show(code.as_str(), ctx).await, state)
        }
        // Submitting: each step in the order of the conversation.
        (Step::Procedures { .. }, Input::Text(text)) => procedures::search(state, &text, ctx).await,
        (Step::Fill { key, index }, input) => {
            submit::receive_value(state, key, index, input, ctx).await
        }
        (Step::Papers { key }, input) => papers::receive_paper(state, key, input, ctx).await,
        (Step::Delivery { key }, input) => review::receive_delivery(state, key, input, ctx).await,
        (Step::PostAddress { key }, input) => review::receive_address(state, key, input, ctx).await,
        (step, input) => lift(route_account(step, input, ctx).await, state),
    }
}

/// `/account`, its menu button and `/mydata`: then the codes this chat follows.
async fn with_follows(mut outcome: Outcome<State>, ctx: &Ctx<'_>) -> Outcome<State> {
    if let Some(list) = follow::list(ctx).await {
        outcome = outcome.send(list);
    }
    outcome
}

/// The steps of first contact, the account and lookup, which see only their own step.
async fn route_account(step: Step, input: Input, ctx: &Ctx<'_>) -> Outcome<Step> {
    match (step, input) {
        (_, Input::Callback(Callback::Language(locale))) => {
            start::receive_language(locale, ctx).await
        }
        (_, Input::Callback(Callback::Menu)) => start::show_menu(Step::Idle),
        (_, Input::Callback(Callback::Account(action))) => account::menu_action(action, ctx).await,
        (Step::Consent { then }, Input::Callback(Callback::Consent(yes))) => {
            start::receive_consent(then, yes, ctx).await
        }
        (Step::Register { form, field }, input) => {
            register::receive_field(form, field, input, ctx).await
        }
        (Step::RegisterReview { form }, input) => register::receive_review(form, input, ctx).await,
        (Step::LoginKind, input) => account::receive_login_kind(input, ctx),
        (Step::LoginUsername { kind }, input) => account::receive_login_username(kind, input),
        (Step::LoginPassword { kind, username }, input) => {
            account::receive_login_password(kind, username, input, ctx).await
        }
        (Step::ConfirmDelete, Input::Callback(Callback::DeleteMe(yes))) => {
            account::receive_delete(yes, ctx).await
        }
        (step, Input::Callback(_)) => stale_button(step),
        (step, _) => hint(step),
    }
}

async fn command(step: Step, name: &str, arg: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    match name {
        "start" => start::start(arg, ctx).await,
        "help" => start::help(),
        "language" => start::ask_language(),
        "cancel" => start::cancel(step),
        "register" => account::begin(Then::Register, ctx),
        "login" => account::begin(Then::Login, ctx),
        "logout" => account::logout(ctx).await,
        "account" => account::show(ctx),
        "deleteme" => account::ask_delete(),
        "ask" => ask::begin(None, ctx),
        "follow" => follow::begin(arg, ctx).await,
        "unfollow" => follow::unfollow(arg, ctx).await,
        _ => Outcome::new(step).send(Reply::msg("unknown-command")),
    }
}

/// A button from an older message that the current step does not expect.
fn stale_button(step: Step) -> Outcome<Step> {
    Outcome::new(step).effect(Effect::Toast(Text::msg("stale-button")))
}

/// The reminder of what the current step waits for.
pub fn hint(step: Step) -> Outcome<Step> {
    let id = match &step {
        Step::Idle => "hint-idle",
        Step::ChooseLanguage => "hint-language",
        Step::Consent { .. } => "hint-consent",
        Step::Register { field, .. } => return register::ask_field(step.clone(), *field, true),
        Step::RegisterReview { .. } => "hint-review",
        Step::LoginKind => "hint-kind",
        Step::LoginUsername { .. } => "hint-login-username",
        Step::LoginPassword { .. } => "hint-login-password",
        Step::LookupCode | Step::FollowCode => "hint-lookup",
        Step::LookupLast4 { .. } | Step::FollowLast4 { .. } => "hint-last4",
        Step::RateComment { .. } => "hint-rate-comment",
        Step::AskText { .. } => "hint-ask",
        Step::ConfirmDelete => "hint-confirm-delete",
        Step::Procedures { .. } => "hint-procedures",
        Step::Fill { .. }
        | Step::Papers { .. }
        | Step::Delivery { .. }
        | Step::PostAddress { .. } => "hint-submit",
        Step::Review { .. } => "hint-submit-review",
    };
    Outcome::new(step).send(Reply::msg(id))
}
