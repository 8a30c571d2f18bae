//! The main menu: a reply keyboard whose buttons work from any step, in both languages.

use crate::i18n::{I18n, Locale};

use super::reply::{Keyboard, ReplyButton, Text};

/// The main menu's buttons.
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
    pub fn from_label(text: &str, i18n: &I18n) -> Option<Self> {
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
