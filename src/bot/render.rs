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
/// between lines, with the keyboard under the last part. Counted here in UTF-16 code units of
/// the HTML itself, tags included, so a part is always shorter than what Telegram counts.
const MESSAGE_MAX: usize = 4000;

/// One piece of Telegram HTML that is never cut: a tag, an entity (`&amp;`, `&#39;`), or a
/// character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A start tag, whole, and its lower-case-insensitive name.
    Open {
        raw: &'a str,
        name: &'a str,
    },
    Close {
        raw: &'a str,
    },
    Text(&'a str),
}

impl<'a> Token<'a> {
    fn raw(&self) -> &'a str {
        match *self {
            Token::Open { raw, .. } | Token::Close { raw } | Token::Text(raw) => raw,
        }
    }
}

/// Splits HTML into tokens. An entity runs as Telegram reads one: `&`, then `#` and digits,
/// `#x` and hex digits, or letters, then an optional `;`.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        let len = match bytes[i] {
            b'<' => match rest.find('>') {
                Some(end) => {
                    let raw = &rest[..=end];
                    let inner = &raw[1..raw.len() - 1];
                    if inner.starts_with('/') {
                        out.push(Token::Close { raw });
                    } else {
                        let name = inner
                            .split(|c: char| c.is_whitespace() || c == '/')
                            .next()
                            .unwrap_or("");
                        out.push(Token::Open { raw, name });
                    }
                    end + 1
                }
                None => {
                    out.push(Token::Text(&rest[..1]));
                    1
                }
            },
            b'&' => {
                let digits = |from: usize, hex: bool| {
                    rest[from..]
                        .bytes()
                        .take_while(|b| {
                            if hex {
                                b.is_ascii_hexdigit()
                            } else {
                                b.is_ascii_digit()
                            }
                        })
                        .count()
                };
                let mut end = if rest[1..].starts_with("#x") {
                    3 + digits(3, true)
                } else if rest[1..].starts_with('#') {
                    2 + digits(2, false)
                } else {
                    1 + rest[1..]
                        .bytes()
                        .take_while(u8::is_ascii_alphabetic)
                        .count()
                };
                if rest[end..].starts_with(';') {
                    end += 1;
                }
                out.push(Token::Text(&rest[..end]));
                end
            }
            _ => {
                let c = rest.chars().next().map(char::len_utf8).unwrap_or(1);
                out.push(Token::Text(&rest[..c]));
                c
            }
        };
        i += len;
    }
    out
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The end tags that close `open` (innermost first).
fn closers(open: &[(&str, &str)]) -> String {
    open.iter()
        .rev()
        .map(|(name, _)| format!("</{name}>"))
        .collect()
}

/// The start tags that open `open` again.
fn openers(open: &[(&str, &str)]) -> String {
    open.iter().map(|(_, raw)| *raw).collect()
}

/// Whether `text` goes out as one message (`parts` would not cut it).
pub fn fits_one(text: &str) -> bool {
    utf16_len(text) <= MESSAGE_MAX
}

/// Cuts Telegram HTML `text` into parts of at most `MESSAGE_MAX` code units, each valid HTML on
/// its own: between lines where it can, else between words, else between characters — never
/// inside a tag or an entity. Tags open at a cut are closed at the end of the part and opened
/// again at the start of the next, so every part reads as that stretch of the whole.
pub fn parts(text: &str) -> Vec<String> {
    // Nearly every message fits whole: its tokens put back together are the text itself.
    if fits_one(text) {
        return vec![text.to_owned()];
    }
    let mut out: Vec<String> = Vec::new();
    // Tags open here: (name, the start tag as written).
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut current = String::new();
    // Where the part's own content starts (after the start tags opened again).
    let mut content_from = 0;
    // Places to cut, with the tags open there: after the last line, and after the last word.
    let mut after_line: Option<(usize, Vec<(&str, &str)>)> = None;
    let mut after_word: Option<(usize, Vec<(&str, &str)>)> = None;
    // `current`'s length in UTF-16 code units.
    let mut len = 0;
    for token in tokens(text) {
        let raw = token.raw();
        while current.len() > content_from
            && len + utf16_len(raw) + utf16_len(&closers(&open)) > MESSAGE_MAX
        {
            let (at, open_there) = after_line
                .take()
                .or_else(|| after_word.take())
                .unwrap_or_else(|| (current.len(), open.clone()));
            after_line = None;
            after_word = None;
            let rest = current.split_off(at);
            current.push_str(&closers(&open_there));
            out.push(std::mem::take(&mut current));
            current = openers(&open_there);
            content_from = current.len();
            current.push_str(&rest);
            len = utf16_len(&current);
        }
        current.push_str(raw);
        len += utf16_len(raw);
        match token {
            Token::Open { name, raw } => open.push((name, raw)),
            Token::Close { .. } => {
                open.pop();
            }
            Token::Text("\n") => after_line = Some((current.len(), open.clone())),
            Token::Text(" ") => after_word = Some((current.len(), open.clone())),
            Token::Text(_) => {}
        }
    }
    if current.len() > content_from || out.is_empty() {
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

    /// Issue 13.5: every part is valid Telegram HTML on its own (no tag left open, none cut,
    /// no entity cut through), and the parts read together as the whole text.
    #[test]
    fn long_html_is_cut_on_entity_and_tag_boundaries() {
        use crate::sandbox::html::parse;
        let visible = |parts: &[String]| {
            parts
                .iter()
                .map(|p| parse(p).unwrap_or_else(|e| panic!("{e}: {p}")).text)
                .collect::<String>()
        };
        // A bold block spanning many lines, across the cut.
        let bold = format!("<b>{}</b>", "Tổ 3 &amp; phường Chiềng Lề\n".repeat(300));
        // One long line of entities and links, cut somewhere inside.
        let line = "a &amp; <a href=\"https://x.vn/?a=1&amp;b=2\">b</a> &lt;c&gt; ".repeat(300);
        let pre = format!("<pre>{}</pre>", "x&quot;y\n".repeat(1200));
        for text in [bold, line, pre] {
            let cut = parts(&text);
            assert!(cut.len() > 1);
            for part in &cut {
                assert!(part.encode_utf16().count() <= MESSAGE_MAX, "{}", part.len());
            }
            assert_eq!(visible(&cut), parse(&text).unwrap().text);
        }
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
