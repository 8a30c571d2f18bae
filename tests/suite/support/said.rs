//! Bot messages and button labels named by their Fluent ids and read from the bot's own locale
//! files, so an end-to-end test recognises them whatever their wording in `locales/*.ftl`.
//!
//! `vi("login-done").arg("name", "Lò Văn Mến")` is the text the bot sends for that message in
//! Vietnamese; a variable the test does not give is a gap that matches any text, so
//! `vi("login-done")` also recognises it. Test with `phrase.is_in(text)`, `said(&t, &phrase)` or
//! wait for it with `Expect::said(phrase)`.

use std::fmt;
use std::sync::OnceLock;

use dvc_bot::i18n::{I18n, Locale, RESOURCES};
use dvc_bot::sandbox::client::{Transcript, TranscriptMessage};
use fluent_syntax::ast;

/// The bot's bundles, loaded once for the whole suite.
pub fn i18n() -> &'static I18n {
    static BUNDLES: OnceLock<I18n> = OnceLock::new();
    BUNDLES.get_or_init(|| I18n::load().expect("the locales load"))
}

/// Stands for a gap in a message's text: a variable or a choice the test did not give.
const GAP: char = '\u{E000}';

/// The parsed locale files of each language.
fn resources() -> &'static [(Locale, ast::Resource<&'static str>)] {
    static PARSED: OnceLock<Vec<(Locale, ast::Resource<&'static str>)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut all = Vec::new();
        for (file, vi, en) in RESOURCES {
            for (locale, source) in [(Locale::Vi, *vi), (Locale::En, *en)] {
                let parsed = fluent_syntax::parser::parse(source)
                    .unwrap_or_else(|(_, e)| panic!("{file} ({}): {e:?}", locale.code()));
                all.push((locale, parsed));
            }
        }
        all
    })
}

/// The pattern of message `id` (or `id.attribute`) in `locale`, else in Vietnamese, as the
/// bundle falls back.
fn find(locale: Locale, id: &str) -> Option<ast::Pattern<&'static str>> {
    let (name, attribute) = match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    };
    [locale, Locale::Vi].into_iter().find_map(|l| {
        resources()
            .iter()
            .filter(|(r, _)| *r == l)
            .flat_map(|(_, resource)| &resource.body)
            .find_map(|entry| match entry {
                ast::Entry::Message(m) if m.id.name == name => match attribute {
                    None => m.value.clone(),
                    Some(a) => m
                        .attributes
                        .iter()
                        .find(|at| at.id.name == a)
                        .map(|at| at.value.clone()),
                },
                _ => None,
            })
    })
}

/// A button label (or any plain message) as the bot renders it in `locale`.
pub fn label(locale: Locale, id: &str) -> String {
    i18n()
        .try_text(locale, id, None)
        .unwrap_or_else(|e| panic!("label {id:?} in {}: {e}", locale.code()))
}

/// A Vietnamese button label.
pub fn vi_label(id: &str) -> String {
    label(Locale::Vi, id)
}

/// An English button label.
pub fn en_label(id: &str) -> String {
    label(Locale::En, id)
}

/// A Vietnamese button label with arguments (`[("kind", "citizen")]`, numbers as digits).
pub fn vi_label_with(id: &str, args: &[(&str, &str)]) -> String {
    let mut fluent = fluent_bundle::FluentArgs::new();
    for (name, value) in args {
        match value.parse::<i64>() {
            Ok(n) => fluent.set(*name, n),
            Err(_) => fluent.set(*name, *value),
        }
    }
    i18n()
        .try_text(Locale::Vi, id, Some(&fluent))
        .unwrap_or_else(|e| panic!("label {id:?}: {e}"))
}

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Num(i64),
}

/// A Fluent message in one language, with the arguments the test knows.
#[derive(Debug, Clone)]
pub struct Phrase {
    locale: Locale,
    id: String,
    args: Vec<(String, Value)>,
}

/// Message `id` in Vietnamese.
pub fn vi(id: &str) -> Phrase {
    Phrase::new(Locale::Vi, id)
}

/// Message `id` in English.
pub fn en(id: &str) -> Phrase {
    Phrase::new(Locale::En, id)
}

impl Phrase {
    pub fn new(locale: Locale, id: &str) -> Self {
        assert!(
            i18n().has(locale, id),
            "no message {id:?} in {}",
            locale.code()
        );
        Self {
            locale,
            id: id.to_owned(),
            args: Vec::new(),
        }
    }

    /// With a text argument (data, as the bot passes it).
    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args.push((name.to_owned(), Value::Str(value.into())));
        self
    }

    /// With a number argument (a count that picks a plural variant, say).
    pub fn num(mut self, name: &str, value: i64) -> Self {
        self.args.push((name.to_owned(), Value::Num(value)));
        self
    }

    /// The fixed pieces of the message as a chat shows it (tags removed, entities decoded),
    /// in order. A variable the test did not give, and a choice (`{ $kind -> … }`) on one, is a
    /// gap between pieces; a choice on a given variable takes the variant the bot would.
    pub fn pieces(&self) -> Vec<String> {
        let mut source = String::new();
        let message = find(self.locale, &self.id)
            .unwrap_or_else(|| panic!("no message {:?} in the locale files", self.id));
        self.write_pattern(&message, &mut source, 0);
        let shown = dvc_bot::sandbox::html::parse(&source)
            .map(|f| f.text)
            .unwrap_or_else(|e| panic!("{self}: not Telegram HTML ({e}): {source}"));
        shown
            .split(GAP)
            .filter(|p| !p.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn arg_value(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn write_pattern(&self, pattern: &ast::Pattern<&str>, out: &mut String, depth: usize) {
        for element in &pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => out.push_str(value),
                ast::PatternElement::Placeable { expression } => {
                    self.write_expression(expression, out, depth)
                }
            }
        }
    }

    fn write_expression(&self, expression: &ast::Expression<&str>, out: &mut String, depth: usize) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                let ast::InlineExpression::VariableReference { id } = selector else {
                    out.push(GAP);
                    return;
                };
                let Some(value) = self.arg_value(id.name) else {
                    out.push(GAP);
                    return;
                };
                let chosen = variants
                    .iter()
                    .find(|v| self.selects(value, &v.key))
                    .or_else(|| variants.iter().find(|v| v.default));
                match chosen {
                    Some(variant) => self.write_pattern(&variant.value, out, depth),
                    None => out.push(GAP),
                }
            }
            ast::Expression::Inline(inline) => self.write_inline(inline, out, depth),
        }
    }

    fn write_inline(&self, inline: &ast::InlineExpression<&str>, out: &mut String, depth: usize) {
        match inline {
            ast::InlineExpression::StringLiteral { value }
            | ast::InlineExpression::NumberLiteral { value } => out.push_str(value),
            ast::InlineExpression::VariableReference { id } => match self.arg_value(id.name) {
                // The bot escapes data for Telegram's HTML; the chat shows it unescaped.
                Some(Value::Str(s)) => out.push_str(&dvc_bot::sandbox::html::escape(s)),
                Some(Value::Num(n)) => out.push_str(&n.to_string()),
                None => out.push(GAP),
            },
            ast::InlineExpression::MessageReference {
                id,
                attribute: None,
            } if depth < 8 => match find(self.locale, id.name) {
                Some(pattern) => self.write_pattern(&pattern, out, depth + 1),
                None => out.push(GAP),
            },
            ast::InlineExpression::Placeable { expression } => {
                self.write_expression(expression, out, depth)
            }
            _ => out.push(GAP),
        }
    }

    /// Whether a choice's variant `key` is the one the bot picks for `value`.
    fn selects(&self, value: &Value, key: &ast::VariantKey<&str>) -> bool {
        match (value, key) {
            (Value::Str(s), ast::VariantKey::Identifier { name }) => s == name,
            (Value::Str(s), ast::VariantKey::NumberLiteral { value }) => s == value,
            (Value::Num(n), ast::VariantKey::NumberLiteral { value }) => {
                value.parse::<i64>().ok() == Some(*n)
            }
            // Plural categories: Vietnamese has only `other`; English also `one`.
            (Value::Num(n), ast::VariantKey::Identifier { name }) => {
                *name == "one" && *n == 1 && self.locale == Locale::En
            }
        }
    }

    /// Whether `text` contains this message (its fixed pieces, in order).
    pub fn is_in(&self, text: &str) -> bool {
        let mut rest = text;
        for piece in self.pieces() {
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        true
    }

    /// How many times `text` contains this message.
    pub fn count_in(&self, text: &str) -> usize {
        let pieces = self.pieces();
        let Some(first) = pieces.first() else {
            return 0;
        };
        text.match_indices(first.as_str())
            .filter(|(at, _)| self.is_in(&text[*at..]))
            .count()
    }
}

impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self.id, self.locale.code())?;
        for (name, value) in &self.args {
            match value {
                Value::Str(s) => write!(f, " {name}={s:?}")?,
                Value::Num(n) => write!(f, " {name}={n}")?,
            }
        }
        Ok(())
    }
}

/// A message id with the fixed pieces of one of its variants.
type Known = (String, Vec<String>);

/// Every message of the locale files of `locale` with its fixed pieces (made once).
fn every_message(locale: Locale) -> &'static [Known] {
    static ALL: OnceLock<Vec<(Locale, Vec<Known>)>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        Locale::ALL
            .into_iter()
            .map(|l| {
                let messages = resources()
                    .iter()
                    .filter(|(r, _)| *r == l)
                    .flat_map(|(_, resource)| &resource.body)
                    .filter_map(|entry| match entry {
                        ast::Entry::Message(m) => m.value.as_ref().map(|v| (m.id.name, v)),
                        _ => None,
                    })
                    .flat_map(|(id, pattern)| {
                        // A choice on a variable is a gap unless the variable is given: one
                        // phrase per variant, so a message that is all choice is known too.
                        let mut phrases = vec![Phrase::new(l, id)];
                        for (name, keys) in choices(pattern) {
                            phrases = phrases
                                .into_iter()
                                .flat_map(|p| keys.iter().map(move |k| p.clone().arg(name, *k)))
                                .take(32)
                                .collect();
                        }
                        phrases
                            .into_iter()
                            .map(|p| (id.to_owned(), p.pieces()))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                (l, messages)
            })
            .collect()
    });
    all.iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, m)| m.as_slice())
        .unwrap_or_default()
}

/// The choices on a variable at the top of a pattern: the variable and its variants' keys.
fn choices(pattern: &ast::Pattern<&'static str>) -> Vec<(&'static str, Vec<&'static str>)> {
    pattern
        .elements
        .iter()
        .filter_map(|element| match element {
            ast::PatternElement::Placeable {
                expression:
                    ast::Expression::Select {
                        selector: ast::InlineExpression::VariableReference { id },
                        variants,
                    },
            } => Some((
                id.name,
                variants
                    .iter()
                    .map(|v| match &v.key {
                        ast::VariantKey::Identifier { name } => *name,
                        ast::VariantKey::NumberLiteral { value } => *value,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

/// The message of `locale` that `text` says with the most fixed text, and how many characters
/// of fixed text that is (0 and `None`: none of its messages).
pub fn best_match(locale: Locale, text: &str) -> (usize, Option<&'static str>) {
    every_message(locale)
        .iter()
        .filter(|(_, pieces)| !pieces.is_empty())
        .filter(|(_, pieces)| {
            let mut rest = text;
            pieces.iter().all(|piece| match rest.find(piece.as_str()) {
                Some(at) => {
                    rest = &rest[at + piece.len()..];
                    true
                }
                None => false,
            })
        })
        .map(|(id, pieces)| (pieces.iter().map(|p| p.trim().chars().count()).sum(), id))
        .max()
        .map_or((0, None), |(n, id)| (n, Some(id.as_str())))
}

/// Whether any bot message of the transcript says `phrase`.
#[allow(dead_code)] // part of the vocabulary, for tests that check without waiting
pub fn said(t: &Transcript, phrase: &Phrase) -> bool {
    t.bot_messages().any(|m| phrase.is_in(&m.text))
}

/// The newest bot message of the transcript that says `phrase`.
pub fn saying<'t>(t: &'t Transcript, phrase: &Phrase) -> Option<&'t TranscriptMessage> {
    t.bot_messages().filter(|m| phrase.is_in(&m.text)).last()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a chat shows for a message the bundle renders with `args`.
    fn shown(locale: Locale, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = dvc_bot::i18n::Args::new();
        for (name, value) in args {
            fluent.set(*name, dvc_bot::i18n::FluentValue::from(*value));
        }
        let html = i18n()
            .try_text(locale, id, Some(&fluent))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        dvc_bot::sandbox::html::parse(&html).unwrap().text
    }

    #[test]
    fn a_message_without_variables_reads_as_the_bundle_renders_it() {
        let mut checked = 0;
        for locale in Locale::ALL {
            for (_, resource) in resources().iter().filter(|(l, _)| *l == locale) {
                for entry in &resource.body {
                    let ast::Entry::Message(m) = entry else {
                        continue;
                    };
                    let id = m.id.name;
                    let Ok(html) = i18n().try_text(locale, id, None) else {
                        continue; // it has variables
                    };
                    let text = dvc_bot::sandbox::html::parse(&html).unwrap().text;
                    let phrase = Phrase::new(locale, id);
                    assert_eq!(phrase.pieces().concat(), text.trim(), "{phrase}");
                    assert!(phrase.is_in(&format!("…{text}…")), "{phrase}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} messages checked");
    }

    #[test]
    fn given_arguments_pick_the_variant_and_missing_ones_are_gaps() {
        let text = shown(Locale::Vi, "register-ask-name", &[("kind", "organisation")]);
        assert!(
            vi("register-ask-name")
                .arg("kind", "organisation")
                .is_in(&text)
        );
        assert!(!vi("register-ask-name").arg("kind", "citizen").is_in(&text));
        // Without the kind, the choice is a gap: any variant matches.
        assert!(vi("register-ask-name").is_in(&text));

        let text = shown(Locale::En, "login-done", &[("name", "Lò Văn Mến")]);
        assert!(en("login-done").arg("name", "Lò Văn Mến").is_in(&text));
        assert!(en("login-done").is_in(&text));
        assert!(!en("login-done").arg("name", "Cầm Thị Duyên").is_in(&text));
        assert!(!vi("login-done").is_in(&text), "another language");
        assert_eq!(en("login-done").count_in(&format!("{text}\n{text}")), 2);
    }
}
