//! The bot's commands, in one list: the router branches on `Command`, setMyCommands registers
//! it (in the order written here) and `/help` lists it. Descriptions come from Fluent
//! (`cmd-*` in `locales/*/`), in the user's language.

use teloxide::utils::command::{BotCommands, ParseError};

/// A command and its argument, parsed from `/name arg` (`/name@bot arg` alike).
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start [payload]`: deep links carry a payload (`status_<code>`).
    #[command(parse_with = argument)]
    Start(String),
    Register,
    Login,
    Procedures,
    /// `/submit [procedure code]`: without a code, the catalogue.
    #[command(parse_with = argument)]
    Submit(String),
    MyDossiers,
    Drafts,
    /// `/status [dossier code]`: without a code, it is asked.
    #[command(parse_with = argument)]
    Status(String),
    Language,
    Account,
    MyData,
    Notifications,
    Cancel,
    Logout,
    DeleteMe,
    Help,
}

/// The rest of the line after the command, trimmed; empty when nothing follows.
fn argument(rest: String) -> Result<(String,), ParseError> {
    Ok((rest.trim().to_owned(),))
}

impl Command {
    /// Every command, with an empty argument, in the order they are registered and listed.
    pub fn all() -> [Command; 16] {
        [
            Command::Start(String::new()),
            Command::Register,
            Command::Login,
            Command::Procedures,
            Command::Submit(String::new()),
            Command::MyDossiers,
            Command::Drafts,
            Command::Status(String::new()),
            Command::Language,
            Command::Account,
            Command::MyData,
            Command::Notifications,
            Command::Cancel,
            Command::Logout,
            Command::DeleteMe,
            Command::Help,
        ]
    }

    /// The name typed after `/`, as `BotCommands` parses it.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Start(_) => "start",
            Command::Register => "register",
            Command::Login => "login",
            Command::Procedures => "procedures",
            Command::Submit(_) => "submit",
            Command::MyDossiers => "mydossiers",
            Command::Drafts => "drafts",
            Command::Status(_) => "status",
            Command::Language => "language",
            Command::Account => "account",
            Command::MyData => "mydata",
            Command::Notifications => "notifications",
            Command::Cancel => "cancel",
            Command::Logout => "logout",
            Command::DeleteMe => "deleteme",
            Command::Help => "help",
        }
    }

    /// The Fluent message that describes it (menu and `/help`).
    pub fn description_id(&self) -> String {
        format!("cmd-{}", self.name())
    }

    /// Parses a message's text; `None` if it is not one of these commands. The bot's
    /// `@username` suffix is dropped and the name read case-insensitively, as before.
    pub fn read(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix('/')?;
        let (head, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let name = head.split('@').next().unwrap_or("").to_ascii_lowercase();
        Command::parse(&format!("/{name} {}", arg.trim()), "").ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_parses_back_to_itself_and_names_agree_with_the_derive() {
        let derived: Vec<String> = Command::bot_commands()
            .into_iter()
            .map(|c| c.command.trim_start_matches('/').to_owned())
            .collect();
        let ours: Vec<&str> = Command::all().iter().map(Command::name).collect();
        assert_eq!(derived, ours, "one list, in one order");
        for command in Command::all() {
            assert_eq!(
                Command::read(&format!("/{}", command.name())),
                Some(command)
            );
        }
    }

    #[test]
    fn every_command_is_described_in_both_languages() {
        let i18n = crate::i18n::I18n::load().unwrap();
        for command in Command::all() {
            for locale in crate::i18n::Locale::ALL {
                let id = command.description_id();
                assert!(i18n.try_text(locale, &id, None).is_ok(), "{locale:?} {id}");
            }
        }
    }

    #[test]
    fn arguments_and_suffixes() {
        assert_eq!(
            Command::read("/status  000.00.25.H50-261125-0001 "),
            Some(Command::Status("000.00.25.H50-261125-0001".into()))
        );
        assert_eq!(
            Command::read("/START@dvc_bot status_x"),
            Some(Command::Start("status_x".into()))
        );
        assert_eq!(Command::read("/help me"), Some(Command::Help));
        assert_eq!(
            Command::read("/submit"),
            Some(Command::Submit(String::new()))
        );
        assert_eq!(Command::read("/nope"), None);
        assert_eq!(Command::read("hello"), None);
    }
}
