//! Telegram's HTML `parse_mode`: checks well-formedness the way Telegram does and turns the
//! markup into plain text + entities (offsets in UTF-16 code units) + a normalised, safe HTML.
//!
//! Supported like Telegram: `b strong i em u ins s strike del a[href] code pre
//! span[class=tg-spoiler] tg-spoiler blockquote[expandable] tg-emoji[emoji-id]`, the entities
//! `&lt; &gt; &amp; &quot;` and numeric ones, decoded as Telegram does (the `;` optional, a `&`
//! that starts no entity kept as written). Anything else is an error
//! `can't parse entities: …`. The normalised HTML uses only those tags, escapes everything
//! else and keeps only `http(s)`, `tg` and `mailto` links, so a page may show it as is.

use serde_json::{Value, json};

/// A formatting entity in Telegram's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Telegram's entity type (`bold`, `text_link`, …).
    pub kind: &'static str,
    /// Start, in UTF-16 code units.
    pub offset: usize,
    /// Length, in UTF-16 code units.
    pub length: usize,
    /// `url` of a text_link, `language` of a pre, `custom_emoji_id` of a custom_emoji.
    pub extra: Option<(&'static str, String)>,
}

impl Entity {
    /// Telegram's JSON for the entity.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "type": self.kind, "offset": self.offset, "length": self.length });
        if let Some((key, value)) = &self.extra {
            v[*key] = json!(value);
        }
        v
    }
}

/// The outcome of parsing a text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Formatted {
    /// The text as Telegram stores it (tags removed, entities decoded).
    pub text: String,
    pub entities: Vec<Entity>,
    /// Safe HTML for display: only Telegram's tags, everything else escaped.
    pub html: String,
}

/// Why a text is not valid Telegram HTML (the part after `can't parse entities: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HtmlError(pub String);

/// A text without parse_mode: plain, with the `bot_command` entity Telegram adds to a leading
/// `/command`.
pub fn plain(text: &str) -> Formatted {
    let mut entities = Vec::new();
    if text.starts_with('/') {
        let command: &str = text.split(char::is_whitespace).next().unwrap_or(text);
        if command.len() > 1 {
            entities.push(Entity {
                kind: "bot_command",
                offset: 0,
                length: command.encode_utf16().count(),
                extra: None,
            });
        }
    }
    Formatted {
        text: text.to_owned(),
        entities,
        html: escape(text),
    }
}

pub use crate::escape::escape;

struct Open {
    tag: String,
    /// Entity kind and extra, or None for a tag that makes no entity (`a` without href).
    entity: Option<(&'static str, Option<(&'static str, String)>)>,
    start: usize,
    close_html: &'static str,
}

/// Parses Telegram HTML.
pub fn parse(input: &str) -> Result<Formatted, HtmlError> {
    let mut out = Formatted::default();
    let mut utf16 = 0usize;
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0usize;
    while i < input.len() {
        let rest = &input[i..];
        let Some(c) = rest.chars().next() else { break };
        match c {
            '<' => {
                let Some(end) = rest.find('>') else {
                    return Err(HtmlError(format!(
                        "Can't find end of the tag starting at byte offset {i}"
                    )));
                };
                let inner = &rest[1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    let Some(open) = stack.pop() else {
                        return Err(HtmlError(format!("Unexpected end tag at byte offset {i}")));
                    };
                    if open.tag != name {
                        return Err(HtmlError(format!(
                            "Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{name}>\"",
                            open.tag
                        )));
                    }
                    close(&mut out, open, utf16);
                } else {
                    let open = start_tag(inner, i, utf16, &mut stack)?;
                    out.html.push_str(&open_html(&open));
                    stack.push(open);
                }
                i += end + 1;
            }
            '&' => {
                let (decoded, used) = entity(rest);
                push_text(&mut out, &mut utf16, &decoded);
                i += used;
            }
            c => {
                push_text(&mut out, &mut utf16, c.encode_utf8(&mut [0; 4]));
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(HtmlError(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        )));
    }
    out.entities
        .sort_by(|a, b| a.offset.cmp(&b.offset).then(b.length.cmp(&a.length)));
    Ok(out)
}

fn push_text(out: &mut Formatted, utf16: &mut usize, text: &str) {
    out.text.push_str(text);
    out.html.push_str(&escape(text));
    *utf16 += text.encode_utf16().count();
}

fn close(out: &mut Formatted, open: Open, utf16: usize) {
    out.html.push_str(open.close_html);
    if let Some((kind, extra)) = open.entity {
        let length = utf16 - open.start;
        if length > 0 {
            out.entities.push(Entity {
                kind,
                offset: open.start,
                length,
                extra,
            });
        }
    }
}

/// Decodes an HTML entity at the start of `rest` (which starts with `&`) as Telegram does:
/// `&lt; &gt; &amp; &quot;` and numeric ones (`&#65;`, `&#x41;`), the `;` optional. A `&`
/// that starts none of them (`&am`, `&nbsp;`) stands for itself; it is never an error.
fn entity(rest: &str) -> (String, usize) {
    let bytes = rest.as_bytes();
    let mut end = 1;
    let code = if bytes.get(1) == Some(&b'#') {
        let hex = bytes.get(2) == Some(&b'x');
        end = if hex { 3 } else { 2 };
        let radix = if hex { 16 } else { 10 };
        let mut value: u32 = 0;
        while let Some(digit) = bytes.get(end).and_then(|b| char::from(*b).to_digit(radix)) {
            value = value.saturating_mul(radix).saturating_add(digit);
            end += 1;
        }
        (value != 0 && value < 0x10FFFF && end < 10).then_some(value)
    } else {
        while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
            end += 1;
        }
        match &rest[1..end] {
            "lt" => Some(u32::from('<')),
            "gt" => Some(u32::from('>')),
            "amp" => Some(u32::from('&')),
            "quot" => Some(u32::from('"')),
            _ => None,
        }
    };
    match code.and_then(char::from_u32) {
        Some(c) => {
            if bytes.get(end) == Some(&b';') {
                end += 1;
            }
            (c.to_string(), end)
        }
        None => ("&".into(), 1),
    }
}

/// Splits `name attr="v" attr2='w' flag` into a lower-case name and attributes.
fn split_tag(inner: &str) -> (String, Vec<(String, String)>) {
    let inner = inner.trim().trim_end_matches('/').trim();
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                    Some(end) => (&after[1..1 + end], &after[end + 2..]),
                    None => (&after[1..], ""),
                },
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = entity_decode_all(v);
            rest = remaining.trim_start();
        }
        attrs.push((key, value));
    }
    (name, attrs)
}

fn entity_decode_all(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('&') {
            let (d, used) = entity(rest);
            out.push_str(&d);
            i += used;
        } else if let Some(c) = rest.chars().next() {
            out.push(c);
            i += c.len_utf8();
        } else {
            break;
        }
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn start_tag(inner: &str, at: usize, utf16: usize, stack: &mut [Open]) -> Result<Open, HtmlError> {
    let (tag, attrs) = split_tag(inner);
    let simple = |kind: &'static str, html: &'static str| (Some((kind, None)), html);
    let (entity, close_html) = match tag.as_str() {
        "b" | "strong" => simple("bold", "</b>"),
        "i" | "em" => simple("italic", "</i>"),
        "u" | "ins" => simple("underline", "</u>"),
        "s" | "strike" | "del" => simple("strikethrough", "</s>"),
        "tg-spoiler" => simple("spoiler", "</span>"),
        "span" => {
            if attr(&attrs, "class") != Some("tg-spoiler") {
                return Err(HtmlError(format!(
                    "Tag \"span\" must have class \"tg-spoiler\" at byte offset {at}"
                )));
            }
            simple("spoiler", "</span>")
        }
        "code" => {
            let language = attr(&attrs, "class")
                .and_then(|c| c.strip_prefix("language-"))
                .map(str::to_owned);
            match (stack.last_mut().filter(|o| o.tag == "pre"), language) {
                // `<pre><code class="language-x">`: one pre entity with its language.
                (Some(pre), Some(language)) => {
                    pre.entity = Some(("pre", Some(("language", language))));
                    (None, "")
                }
                _ => simple("code", "</code>"),
            }
        }
        "pre" => simple("pre", "</pre>"),
        "blockquote" => {
            if attrs.iter().any(|(k, _)| k == "expandable") {
                simple("expandable_blockquote", "</blockquote>")
            } else {
                simple("blockquote", "</blockquote>")
            }
        }
        "a" => {
            let entity = attr(&attrs, "href")
                .filter(|href| url::Url::parse(href).is_ok())
                .map(|href| ("text_link", Some(("url", href.to_owned()))));
            (entity, "</a>")
        }
        "tg-emoji" => {
            let Some(id) = attr(&attrs, "emoji-id") else {
                return Err(HtmlError(format!(
                    "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {at}"
                )));
            };
            (
                Some(("custom_emoji", Some(("custom_emoji_id", id.to_owned())))),
                "",
            )
        }
        _ => {
            return Err(HtmlError(format!(
                "Unsupported start tag \"{tag}\" at byte offset {at}"
            )));
        }
    };
    Ok(Open {
        tag,
        entity,
        start: utf16,
        close_html,
    })
}

fn open_html(open: &Open) -> String {
    match (open.tag.as_str(), &open.entity) {
        ("tg-emoji", _) => String::new(),
        ("a", Some((_, Some((_, url))))) if safe_link(url) => {
            format!("<a href=\"{}\">", escape(url))
        }
        ("a", _) => "<a>".into(),
        (_, Some(("bold", _))) => "<b>".into(),
        (_, Some(("italic", _))) => "<i>".into(),
        (_, Some(("underline", _))) => "<u>".into(),
        (_, Some(("strikethrough", _))) => "<s>".into(),
        (_, Some(("spoiler", _))) => "<span class=\"tg-spoiler\">".into(),
        (_, Some(("code", _))) => "<code>".into(),
        (_, Some(("pre", _))) => "<pre>".into(),
        (_, Some(("expandable_blockquote" | "blockquote", _))) => "<blockquote>".into(),
        _ => String::new(),
    }
}

fn safe_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "tg://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_counts_utf16() {
        let f = parse(
            "Hồ sơ <b>số 1</b> &amp; <a href=\"https://x.vn/a?b=1&amp;c=2\">link</a> 😀<i>x</i>",
        )
        .expect("valid");
        assert_eq!(f.text, "Hồ sơ số 1 & link 😀x");
        assert_eq!(f.entities[0].kind, "bold");
        assert_eq!((f.entities[0].offset, f.entities[0].length), (6, 4));
        assert_eq!(
            f.entities[1].extra,
            Some(("url", "https://x.vn/a?b=1&c=2".to_owned()))
        );
        // The emoji counts two UTF-16 units.
        assert_eq!(f.entities[2].offset, 20);
        assert!(
            f.html
                .contains("<b>số 1</b> &amp; <a href=\"https://x.vn/a?b=1&amp;c=2\">")
        );
    }

    #[test]
    fn rejects_what_telegram_rejects() {
        for bad in [
            "<b>x",
            "<b>x</i>",
            "x</b>",
            "<br>",
            "1 < 2",
            "<span>x</span>",
            "<script>alert(1)</script>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let pre = parse("<pre><code class=\"language-rust\">fn</code></pre>").expect("valid");
        assert_eq!(pre.entities.len(), 1);
        assert_eq!(pre.entities[0].extra, Some(("language", "rust".to_owned())));
        assert_eq!(pre.html, "<pre>fn</pre>");
        assert!(parse("<span class=\"tg-spoiler\">s</span><tg-spoiler>t</tg-spoiler>").is_ok());
        assert!(parse("<blockquote expandable>q</blockquote>").is_ok());
    }

    /// As Telegram (tdlib's parse_html): a named entity needs no `;`, an unknown or cut one is
    /// text as written, and none of it is an error.
    #[test]
    fn entities_decode_as_telegram_does() {
        assert_eq!(parse("a &amp b &lt;c&gt").unwrap().text, "a & b <c>");
        assert_eq!(parse("x &am").unwrap().text, "x &am");
        assert_eq!(
            parse("p; &nbsp; &#65;&#x42; &#0;").unwrap().text,
            "p; &nbsp; AB &#0;"
        );
    }

    #[test]
    fn javascript_links_lose_their_href_in_html() {
        let f = parse("<a href=\"javascript:alert(1)\">x</a>").expect("valid");
        assert_eq!(f.html, "<a>x</a>");
    }

    #[test]
    fn plain_text_gets_a_bot_command_entity() {
        let f = plain("/start abc");
        assert_eq!(f.entities.len(), 1);
        assert_eq!(f.entities[0].length, 6);
        assert!(plain("hello").entities.is_empty());
        assert_eq!(plain("<x>").html, "&lt;x&gt;");
    }
}
