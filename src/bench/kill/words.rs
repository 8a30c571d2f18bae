//! What the kill test's citizens recognise in the chat: the bot's messages by Fluent id, mapped
//! to what they ask for, and the labels of the buttons they press.

use super::phrases::Phrase;
use crate::domain::DossierCode;
use crate::i18n::{I18n, Locale};

/// What a bot message says, as far as a citizen of the kill test cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    LanguageAsk,
    LanguageSet,
    Consent,
    AskKind,
    AskName,
    AskId,
    AskBirth,
    AskPhone,
    AskEmail,
    AskAddress,
    AskPassword,
    Summary,
    RegisterDone,
    RegisterLater,
    RegisterDuplicate,
    LoginUser,
    LoginPassword,
    LoginDone,
    AskField,
    AskPaper {
        id_card: bool,
    },
    HintPaper,
    HintSubmit,
    AskDelivery,
    Review,
    SubmitDone {
        code: String,
    },
    NotifyAccepted {
        code: String,
    },
    NotifySupplement {
        code: String,
    },
    NotifyCompleted {
        code: String,
    },
    SupplementChecklist,
    SupplementAskPaper,
    SupplementReady,
    SupplementSent,
    SupplementNotPending,
    /// The bot could not finish (portal slow, internal error): try again.
    Trouble,
    StateReset,
    /// Said on the way (a paper received, the form's introduction): wait for more.
    Progress,
    Unknown,
}

/// The events whose status messages the kill test counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Accepted,
    Supplement,
    Completed,
}

/// Button labels as the bot shows them in Vietnamese.
#[derive(Debug, Clone)]
pub struct Labels {
    pub language_vi: String,
    pub consent_agree: String,
    pub kind_citizen: String,
    pub share_phone: String,
    pub skip: String,
    pub register_confirm: String,
    pub delivery_online: String,
    pub send: String,
    pub supplement: String,
    pub send_supplement: String,
}

/// The recognisers, built once from the locale files.
pub struct Words {
    pub labels: Labels,
    table: Vec<(Phrase, Kind)>,
    id_card_paper: String,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Plain(fn() -> Seen),
    Paper,
    Done,
    Notify(Event),
}

impl Words {
    pub fn new(i18n: &I18n) -> Self {
        let t = |id: &str| i18n.text(Locale::Vi, id, None);
        let labels = Labels {
            language_vi: t("language-vi"),
            consent_agree: t("consent-agree"),
            kind_citizen: t("kind-citizen"),
            share_phone: t("register-share-phone"),
            skip: t("button-skip"),
            register_confirm: t("register-confirm"),
            delivery_online: t("delivery-online"),
            send: t("button-send"),
            supplement: t("notify-button-supplement"),
            send_supplement: t("button-send-supplement"),
        };
        let citizen: &[(&str, &str)] = &[("kind", "citizen")];
        let p = |id: &str, args: &[(&str, &str)]| Phrase::new(i18n, id, args);
        let plain =
            |id: &str, args: &[(&str, &str)], seen: fn() -> Seen| (p(id, args), Kind::Plain(seen));
        // Order matters: the first that matches wins; questions before what is said on the way,
        // since a question may follow it in the same message.
        let table = vec![
            (p("notify-accepted", &[]), Kind::Notify(Event::Accepted)),
            (p("notify-supplement", &[]), Kind::Notify(Event::Supplement)),
            (p("notify-completed", &[]), Kind::Notify(Event::Completed)),
            (p("submit-done", &[]), Kind::Done),
            (p("submit-already-sent", &[]), Kind::Done),
            plain("supplement-sent", &[], || Seen::SupplementSent),
            plain("supplement-not-pending", &[], || Seen::SupplementNotPending),
            plain("supplement-ready", &[], || Seen::SupplementReady),
            plain("supplement-ask-paper", &[], || Seen::SupplementAskPaper),
            plain("supplement-checklist", &[], || Seen::SupplementChecklist),
            plain("state-reset", &[], || Seen::StateReset),
            plain("language-ask", &[], || Seen::LanguageAsk),
            plain("language-set", &[], || Seen::LanguageSet),
            plain("consent-statement", &[], || Seen::Consent),
            plain("ask-kind", &[], || Seen::AskKind),
            plain("register-summary", citizen, || Seen::Summary),
            plain("register-ask-name", citizen, || Seen::AskName),
            plain("invalid-full-name", &[], || Seen::AskName),
            plain("register-ask-id-number", citizen, || Seen::AskId),
            plain("invalid-cccd-format", &[], || Seen::AskId),
            plain("invalid-cccd-province", &[], || Seen::AskId),
            plain("register-ask-birth-date", citizen, || Seen::AskBirth),
            plain("invalid-birth-date-format", &[], || Seen::AskBirth),
            plain("invalid-birth-date-past", &[], || Seen::AskBirth),
            plain("invalid-birth-date-age", &[], || Seen::AskBirth),
            plain("register-ask-phone", &[], || Seen::AskPhone),
            plain("register-phone-use-button", &[], || Seen::AskPhone),
            plain("register-phone-not-own", &[], || Seen::AskPhone),
            plain("register-ask-email", &[], || Seen::AskEmail),
            plain("invalid-email", &[], || Seen::AskEmail),
            plain("register-ask-address", &[], || Seen::AskAddress),
            plain("invalid-address", &[], || Seen::AskAddress),
            plain("register-ask-password", &[], || Seen::AskPassword),
            plain("invalid-password-length", &[], || Seen::AskPassword),
            plain("invalid-password-mix", &[], || Seen::AskPassword),
            plain("register-done", &[], || Seen::RegisterDone),
            plain("register-done-login-later", &[], || Seen::RegisterLater),
            plain("register-duplicate", &[], || Seen::RegisterDuplicate),
            plain("login-ask-username", citizen, || Seen::LoginUser),
            plain("login-ask-password", &[], || Seen::LoginPassword),
            plain("login-done", &[], || Seen::LoginDone),
            plain("login-failed", &[], || Seen::Trouble),
            plain(
                "submit-ask-field",
                &[("required", "yes"), ("kind", "text")],
                || Seen::AskField,
            ),
            plain("invalid-field-text", &[], || Seen::AskField),
            plain("submit-field-required", &[], || Seen::AskField),
            (p("submit-ask-paper", &[("required", "yes")]), Kind::Paper),
            plain("hint-paper", &[], || Seen::HintPaper),
            plain("paper-wrong-type", &[], || Seen::HintPaper),
            plain("paper-download-failed", &[], || Seen::HintPaper),
            plain("paper-refused", &[], || Seen::HintPaper),
            plain("hint-submit", &[], || Seen::HintSubmit),
            plain("hint-submit-review", &[], || Seen::HintSubmit),
            plain("submit-ask-delivery", &[], || Seen::AskDelivery),
            plain("submit-review", &[], || Seen::Review),
            plain("error-internal", &[], || Seen::Trouble),
            plain("error-portal-unreachable", &[], || Seen::Trouble),
            plain("error-portal-slow", &[], || Seen::Trouble),
            plain("submit-portal-down", &[], || Seen::Trouble),
            plain("draft-kept-offline", &[], || Seen::Trouble),
            plain("consent-thanks", &[], || Seen::Progress),
            plain("paper-received", &[], || Seen::Progress),
            plain("submit-intro", &[], || Seen::Progress),
            plain("submit-checklist", &[], || Seen::Progress),
            plain("submit-resuming", &[], || Seen::Progress),
            plain("greeting", &[], || Seen::Progress),
            plain("dossier-card", &[], || Seen::Progress),
            plain("stale-button", &[], || Seen::Progress),
        ];
        Self {
            labels,
            table,
            id_card_paper: "Căn cước công dân".into(),
        }
    }

    /// What `text` (a bot message's) says.
    pub fn classify(&self, text: &str) -> Seen {
        for (phrase, kind) in &self.table {
            if !phrase.is_in(text) {
                continue;
            }
            let code = || code_in(text);
            return match kind {
                Kind::Plain(seen) => seen(),
                Kind::Paper => Seen::AskPaper {
                    id_card: text.contains(&self.id_card_paper),
                },
                Kind::Done => match code() {
                    Some(code) => Seen::SubmitDone { code },
                    None => Seen::Unknown,
                },
                Kind::Notify(event) => match (event, code()) {
                    (_, None) => Seen::Unknown,
                    (Event::Accepted, Some(code)) => Seen::NotifyAccepted { code },
                    (Event::Supplement, Some(code)) => Seen::NotifySupplement { code },
                    (Event::Completed, Some(code)) => Seen::NotifyCompleted { code },
                },
            };
        }
        Seen::Unknown
    }

    /// Whether `text` is the status message of `event` for dossier `code`.
    pub fn is_event(&self, text: &str, event: Event, code: &str) -> bool {
        match self.classify(text) {
            Seen::NotifyAccepted { code: c } => event == Event::Accepted && c == code,
            Seen::NotifySupplement { code: c } => event == Event::Supplement && c == code,
            Seen::NotifyCompleted { code: c } => event == Event::Completed && c == code,
            _ => false,
        }
    }
}

/// The first word of `text` that is a dossier code.
pub fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')'))
        .map(|w| w.trim_end_matches('.'))
        .find_map(|w| DossierCode::parse(w).ok().map(|c| c.as_str().to_owned()))
}
