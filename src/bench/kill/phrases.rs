//! The bot's messages recognised in a transcript by their Fluent ids, read from the bot's own
//! locale files (Vietnamese), so the kill test follows the wording in `locales/vi/*.ftl`.
//!
//! A message is rendered with the arguments given; an argument not given renders as Fluent
//! does (`{$name}`) and becomes a gap. The text between gaps and tags, line by line, must
//! appear in order in the transcript's text.

use crate::i18n::{Args, I18n, Locale};

/// A message as text fragments that appear in order.
#[derive(Debug, Clone)]
pub struct Phrase {
    fragments: Vec<String>,
}

impl Phrase {
    /// Message `id` in Vietnamese with `args` (others are gaps).
    pub fn new(i18n: &I18n, id: &str, args: &[(&str, &str)]) -> Self {
        let mut fluent = Args::new();
        for (name, value) in args {
            fluent.set(*name, *value);
        }
        let text = i18n
            .text_lenient(Locale::Vi, id, Some(&fluent))
            .unwrap_or_default();
        Self {
            fragments: fragments(&text),
        }
    }

    /// Whether `text` says this message.
    pub fn is_in(&self, text: &str) -> bool {
        let mut at = 0;
        for fragment in &self.fragments {
            match text[at..].find(fragment.as_str()) {
                Some(i) => at += i + fragment.len(),
                None => return false,
            }
        }
        !self.fragments.is_empty()
    }
}

/// The literal pieces of a rendered message: tags and `{$gaps}` removed, entities decoded,
/// cut at line ends and gaps, trimmed, empty pieces dropped.
fn fragments(rendered: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = rendered.chars().peekable();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        let piece = current.trim();
        if !piece.is_empty() {
            out.push(decode(piece));
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                // A tag: dropped, and a cut (Telegram keeps the text around it as it is, but
                // a fragment never needs to span one).
                for t in chars.by_ref() {
                    if t == '>' {
                        break;
                    }
                }
                flush(&mut current, &mut out);
            }
            '{' if chars.peek() == Some(&'$') => {
                for t in chars.by_ref() {
                    if t == '}' {
                        break;
                    }
                }
                flush(&mut current, &mut out);
            }
            '\n' => flush(&mut current, &mut out),
            _ => current.push(c),
        }
    }
    flush(&mut current, &mut out);
    out
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_skip_tags_and_gaps() {
        assert_eq!(
            fragments("✅ Hồ sơ <b>{$code}</b> đã được tiếp nhận.\nNgày hẹn: {$due}."),
            vec!["✅ Hồ sơ", "đã được tiếp nhận.", "Ngày hẹn:", "."]
        );
    }

    #[test]
    fn a_phrase_matches_in_order_only() {
        let p = Phrase {
            fragments: vec!["Hồ sơ".into(), "đã được tiếp nhận".into()],
        };
        assert!(p.is_in("✅ Hồ sơ 000.00.25.H50-261125-0001 đã được tiếp nhận và đang xử lý."));
        assert!(!p.is_in("đã được tiếp nhận: Hồ sơ"));
    }
}
