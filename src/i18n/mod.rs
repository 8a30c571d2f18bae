//! Fluent bundles for Vietnamese (default and fallback) and English, the user's locale, and the
//! formatting of dates (dd/mm/yyyy), times (Asia/Ho_Chi_Minh) and money (150.000 ₫).

mod format;

use std::collections::HashMap;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::{FluentArgs as Args, FluentValue};
pub use format::{TZ, format_date, format_datetime, format_money, format_time, local_date};

/// The Fluent files, embedded: (file name, Vietnamese text, English text).
pub const RESOURCES: &[(&str, &str, &str)] = &[
    (
        "common.ftl",
        include_str!("../../locales/vi/common.ftl"),
        include_str!("../../locales/en/common.ftl"),
    ),
    (
        "bot.ftl",
        include_str!("../../locales/vi/bot.ftl"),
        include_str!("../../locales/en/bot.ftl"),
    ),
    (
        "submit.ftl",
        include_str!("../../locales/vi/submit.ftl"),
        include_str!("../../locales/en/submit.ftl"),
    ),
    (
        "notify.ftl",
        include_str!("../../locales/vi/notify.ftl"),
        include_str!("../../locales/en/notify.ftl"),
    ),
    (
        "dossier.ftl",
        include_str!("../../locales/vi/dossier.ftl"),
        include_str!("../../locales/en/dossier.ftl"),
    ),
    (
        "lookup.ftl",
        include_str!("../../locales/vi/lookup.ftl"),
        include_str!("../../locales/en/lookup.ftl"),
    ),
    (
        "ask.ftl",
        include_str!("../../locales/vi/ask.ftl"),
        include_str!("../../locales/en/ask.ftl"),
    ),
];

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Vi,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Vi, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }

    /// Parses a stored code or a Telegram `language_code` ("vi", "en", "en-US").
    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Locale::Vi),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The user's locale: their stored choice, then Telegram's language_code, then Vietnamese.
    pub fn resolve(stored: Option<&str>, telegram_language: Option<&str>) -> Self {
        stored
            .and_then(Locale::from_code)
            .or_else(|| telegram_language.and_then(Locale::from_code))
            .unwrap_or_default()
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Locale::Vi => unic_langid::langid!("vi"),
            Locale::En => unic_langid::langid!("en"),
        }
    }
}

/// Error building the bundles: a Fluent file that does not parse or defines a message twice.
#[derive(Debug, thiserror::Error)]
#[error("locale {locale} file {file}: {detail}")]
pub struct I18nError {
    pub locale: &'static str,
    pub file: &'static str,
    pub detail: String,
}

/// Both languages' bundles. Cheap to clone.
#[derive(Clone)]
pub struct I18n {
    bundles: Arc<HashMap<Locale, FluentBundle<FluentResource>>>,
}

impl I18n {
    /// Builds the bundles from the embedded files, with bidi isolation marks turned off.
    pub fn load() -> Result<Self, I18nError> {
        let mut bundles = HashMap::new();
        for locale in Locale::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![locale.langid()]);
            bundle.set_use_isolating(false);
            for (file, vi, en) in RESOURCES {
                let source = match locale {
                    Locale::Vi => *vi,
                    Locale::En => *en,
                };
                let resource =
                    FluentResource::try_new(source.to_owned()).map_err(|(_, errs)| I18nError {
                        locale: locale.code(),
                        file,
                        detail: format!("{errs:?}"),
                    })?;
                bundle.add_resource(resource).map_err(|errs| I18nError {
                    locale: locale.code(),
                    file,
                    detail: format!("{errs:?}"),
                })?;
            }
            bundles.insert(locale, bundle);
        }
        Ok(Self {
            bundles: Arc::new(bundles),
        })
    }

    /// Whether `locale` defines message `id`.
    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.bundles.get(&locale).is_some_and(|b| b.has_message(id))
    }

    /// Renders message `id` (or `id.attribute`) in `locale`, falling back to Vietnamese: the
    /// text, and Fluent's errors (a missing argument, say). None if no such message exists.
    fn render(
        &self,
        locale: Locale,
        id: &str,
        args: Option<&FluentArgs>,
    ) -> Option<(String, Vec<String>)> {
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let bundle = [locale, Locale::Vi]
            .into_iter()
            .filter_map(|l| self.bundles.get(&l))
            .find(|b| b.has_message(msg_id))?;
        let message = bundle.get_message(msg_id)?;
        let pattern = match attr {
            Some(a) => message.get_attribute(a).map(|a| a.value()),
            None => message.value(),
        }?;
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned();
        Some((text, errors.iter().map(|e| format!("{e:?}")).collect()))
    }

    /// Renders message `id` in `locale` as Fluent does, errors ignored and not logged (a
    /// missing argument shows as `{$name}`): for tools that recognise the bot's messages.
    pub fn text_lenient(
        &self,
        locale: Locale,
        id: &str,
        args: Option<&FluentArgs>,
    ) -> Option<String> {
        self.render(locale, id, args).map(|(text, _)| text)
    }

    /// Renders message `id` in `locale`; any Fluent error is an error.
    pub fn try_text(
        &self,
        locale: Locale,
        id: &str,
        args: Option<&FluentArgs>,
    ) -> Result<String, String> {
        match self.render(locale, id, args) {
            None => Err(format!("no message {id:?}")),
            Some((text, errors)) if errors.is_empty() => Ok(text),
            Some((_, errors)) => Err(format!("message {id:?}: {errors:?}")),
        }
    }

    /// Renders message `id` in `locale`. A missing argument is logged and rendered as Fluent
    /// does (`{$name}`); a missing message is logged and shown as its id, so a user never sees
    /// nothing.
    pub fn text(&self, locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
        match self.render(locale, id, args) {
            Some((text, errors)) => {
                if !errors.is_empty() {
                    tracing::error!(
                        ?errors,
                        id,
                        locale = locale.code(),
                        "message rendered with errors"
                    );
                }
                text
            }
            None => {
                tracing::error!(id, locale = locale.code(), "no such message");
                id.to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_resolution_prefers_stored_choice() {
        assert_eq!(Locale::resolve(Some("en"), Some("vi")), Locale::En);
        assert_eq!(Locale::resolve(None, Some("en-US")), Locale::En);
        assert_eq!(Locale::resolve(None, Some("fr")), Locale::Vi);
        assert_eq!(Locale::resolve(Some("xx"), None), Locale::Vi);
    }

    #[test]
    fn no_bidi_marks_and_fallback() {
        let i18n = I18n::load().unwrap();
        let mut args = FluentArgs::new();
        args.set("name", "Lò Văn A");
        let text = i18n.text(Locale::Vi, "greeting", Some(&args));
        assert!(text.contains("Lò Văn A"), "{text}");
        assert!(
            !text.contains('\u{2068}') && !text.contains('\u{2069}'),
            "{text:?}"
        );
        assert_eq!(
            i18n.text(Locale::En, "no-such-message", None),
            "no-such-message"
        );
    }
}
