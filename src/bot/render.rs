//! The one renderer: a step's `Text` as Telegram HTML in a language (messages from Fluent as
//! written, data HTML-escaped), plain text for labels and toasts, keyboards as markup, and a
//! long text cut into the parts Telegram takes.

use std::convert::Infallible;

use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    KeyboardRemove, ReplyMarkup,
};
use teloxide::utils::html;

use crate::i18n::{Args, FluentValue, I18n, Locale};

use super::reply::{Arg, Keyboard, Piece, ReplyButton, Text};

/// Renders a text as Telegram HTML: messages from Fluent as written, data escaped. A Fluent
/// error is logged and rendered as well as it can be.
pub fn render(i18n: &I18n, locale: Locale, text: &Text) -> String {
    let lookup = |id: &str, args: Option<&Args>| Ok::<_, Infallible>(i18n.text(locale, id, args));
    compose(text, html::escape, lookup).unwrap_or_else(|never| match never {})
}

/// Renders a text for places without formatting (button labels, callback answers).
pub fn render_plain(i18n: &I18n, locale: Locale, text: &Text) -> String {
    let lookup = |id: &str, args: Option<&Args>| Ok::<_, Infallible>(i18n.text(locale, id, args));
    compose(text, str::to_owned, lookup).unwrap_or_else(|never| match never {})
}

/// Renders a text as Telegram HTML, failing on any Fluent error (for tests and checks).
pub fn try_render(i18n: &I18n, locale: Locale, text: &Text) -> Result<String, String> {
    compose(text, html::escape, |id, args| {
        i18n.try_text(locale, id, args)
    })
}

/// The pieces joined by blank lines: literals through `escape`, messages through `lookup`
/// with their string arguments through `escape` too.
fn compose<E>(
    text: &Text,
    escape: fn(&str) -> String,
    lookup: impl Fn(&str, Option<&Args>) -> Result<String, E>,
) -> Result<String, E> {
    let mut parts = Vec::with_capacity(text.0.len());
    for piece in &text.0 {
        match piece {
            Piece::Literal(s) => parts.push(escape(s)),
            Piece::Msg { id, args } => {
                let mut fluent = Args::new();
                for (name, value) in args {
                    let value = match value {
                        Arg::Str(s) => FluentValue::from(escape(s)),
                        Arg::Num(n) => FluentValue::from(*n),
                        Arg::Msg(m) => FluentValue::from(lookup(m, None)?),
                    };
                    fluent.set(name.clone(), value);
                }
                parts.push(lookup(id, Some(&fluent))?);
            }
        }
    }
    Ok(parts.join("\n\n"))
}

/// Telegram's longest message is 4096 characters; a longer text goes out in parts, cut
/// between lines, with the keyboard under the last part.
const MESSAGE_MAX: usize = 4000;

/// Cuts `text` into parts of at most `MESSAGE_MAX` characters, between lines where it can.
pub fn parts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > MESSAGE_MAX && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if line.chars().count() > MESSAGE_MAX {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(MESSAGE_MAX) {
                out.push(chunk.iter().collect());
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// A keyboard as Telegram markup, its labels rendered in `locale`.
pub fn markup(i18n: &I18n, locale: Locale, keyboard: &Keyboard) -> Option<ReplyMarkup> {
    let label = |t: &Text| render_plain(i18n, locale, t);
    match keyboard {
        Keyboard::None => None,
        Keyboard::Remove => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
        Keyboard::Inline(rows) => Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
            rows.iter().map(|row| {
                row.iter()
                    .map(|(text, cb)| InlineKeyboardButton::callback(label(text), cb.to_string()))
                    .collect::<Vec<_>>()
            }),
        ))),
        Keyboard::Reply(rows) => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new(rows.iter().map(|row| {
                row.iter()
                    .map(|button| match button {
                        ReplyButton::Text(t) => KeyboardButton::new(label(t)),
                        ReplyButton::RequestContact(t) => {
                            KeyboardButton::new(label(t)).request(ButtonRequest::Contact)
                        }
                    })
                    .collect::<Vec<_>>()
            }))
            .resize_keyboard(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_go_out_in_parts_cut_between_lines() {
        let line = format!("{}\n", "á".repeat(99));
        let text = line.repeat(100);
        let cut = parts(&text);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|p| p.chars().count() <= MESSAGE_MAX));
        assert!(cut.iter().all(|p| p.ends_with('\n')), "cut between lines");
        assert_eq!(cut.concat(), text);
        assert_eq!(parts("ngắn"), vec!["ngắn".to_owned()]);
        assert!(
            parts(&"x".repeat(9000))
                .iter()
                .all(|p| p.chars().count() <= MESSAGE_MAX)
        );
    }

    #[test]
    fn data_is_escaped_but_messages_keep_their_tags() {
        let i18n = I18n::load().unwrap();
        let text = Text::msg("lookup-not-found").arg("code", "<b>&x</b>");
        let html = render(&i18n, Locale::En, &text);
        assert!(html.contains("&lt;b&gt;&amp;x&lt;/b&gt;"), "{html}");
        assert_eq!(try_render(&i18n, Locale::En, &text).as_ref(), Ok(&html));
        let summary = render(&i18n, Locale::Vi, &Text::msg("help"));
        assert!(summary.starts_with("<b>"), "{summary}");
        let status = Text::msg("lookup-result").arg("status", Arg::msg("status-new"));
        let html = render(&i18n, Locale::Vi, &status);
        assert!(html.contains("Trạng thái: Hồ sơ mới"), "{html}");
        let unknown = Text::msg(&format!("no-such-{}", "message"));
        assert!(try_render(&i18n, Locale::Vi, &unknown).is_err());
        let plain = render_plain(&i18n, Locale::En, &Text::literal("a < b"));
        assert_eq!(plain, "a < b");
    }
}
