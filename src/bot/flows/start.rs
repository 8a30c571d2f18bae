//! First contact: `/start` (with deep links), the language choice, the main menu, `/help` and
//! `/cancel`. (Consent is asked where personal data begins: `account.rs`.)

use crate::bot::callback::Callback;
use crate::bot::command::Command;
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::Step;
use crate::db::users;
use crate::i18n::Locale;

use super::lookup;

/// Deep-link payload prefix that opens a dossier lookup: `/start status_<code>`.
/// Telegram allows only `A-Za-z0-9_-` in a payload, so the code's dots travel as `_`.
pub const STATUS_LINK: &str = "status_";

/// `/start [payload]`: greeting, then the language choice on first contact, else the menu.
pub async fn start(payload: &str, ctx: &Ctx<'_>) -> Outcome<Step> {
    if let Err(error) = users::ensure(&ctx.services.db, ctx.user_id).await {
        tracing::error!(%error, "cannot store user");
    }
    if let Some(code) = payload.strip_prefix(STATUS_LINK) {
        return lookup::show(&code.replace('_', "."), ctx).await;
    }
    let greeting = Text::msg("greeting").arg("name", ctx.first_name.as_str());
    let chose_language = ctx.user.as_ref().is_some_and(|u| u.locale.is_some());
    if chose_language {
        Outcome::new(Step::Idle).send(Reply::new(greeting.then("menu-intro")).with(main_menu()))
    } else {
        Outcome::new(Step::ChooseLanguage)
            .send(Reply::new(greeting))
            .send(language_question())
    }
}

fn language_question() -> Reply {
    Reply::msg("language-ask").with(Keyboard::Inline(vec![vec![
        (Text::msg("language-vi"), Callback::Language(Locale::Vi)),
        (Text::msg("language-en"), Callback::Language(Locale::En)),
    ]]))
}

/// `/language`.
pub fn ask_language() -> Outcome<Step> {
    Outcome::new(Step::ChooseLanguage).send(language_question())
}

/// A language button: remembered, and the menu shown in that language.
pub async fn receive_language(locale: Locale, ctx: &Ctx<'_>) -> Outcome<Step> {
    if let Err(error) = users::set_locale(&ctx.services.db, ctx.user_id, locale.code()).await {
        tracing::error!(%error, "cannot store locale");
        return Outcome::new(Step::Idle).send(Reply::msg("error-internal"));
    }
    Outcome::new(Step::Idle)
        .in_locale(locale)
        .effect(Effect::Toast(Text::msg("language-set")))
        .send(Reply::new(Text::msg("language-set").then("menu-intro")).with(main_menu()))
}

/// The main menu, from a "back" button.
pub fn show_menu(next: Step) -> Outcome<Step> {
    Outcome::new(next).send(Reply::msg("menu-intro").with(main_menu()))
}

/// `/help`.
/// `/help`: every command of `Command`, each with its description in the user's language.
pub fn help(ctx: &Ctx<'_>) -> Outcome<Step> {
    let lines: Vec<String> = Command::all()
        .iter()
        .map(|command| {
            let description = ctx
                .services
                .i18n
                .text(ctx.locale, &command.description_id(), None);
            format!("/{} — {description}", command.name())
        })
        .collect();
    let text = Text::msg("help").arg("commands", lines.join("\n"));
    Outcome::new(Step::Idle).send(Reply::new(text).with(main_menu()))
}

/// `/cancel`: leaves any flow (drafts are kept) and shows the menu.
pub fn cancel(step: Step) -> Outcome<Step> {
    let id = if step == Step::Idle {
        "cancel-nothing"
    } else {
        "cancelled"
    };
    Outcome::new(Step::Idle).send(Reply::msg(id).with(main_menu()))
}
