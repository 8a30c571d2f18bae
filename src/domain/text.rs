//! Text as it is searched and stored: folding Vietnamese for search (lower case, no
//! diacritics, đ → d), and cleaning what anyone typed of the characters that make a text read
//! as something else.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// "Đăng ký Hộ tịch" → "dang ky ho tich". Whitespace runs become one space.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut space = false;
    for ch in input.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        let ch = match ch {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if ch.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

/// Unicode format characters — bidi overrides such as U+202E, zero-width marks, the soft
/// hyphen — make a text read as something else (a file name shown backwards, say).
pub fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A text fit to store and show again: format characters (bidi overrides and isolates,
/// zero-width marks, the soft hyphen, see [`is_format_char`]) and control characters other
/// than line breaks and tabs removed, `\r\n` as `\n`, and the ends trimmed. Every text the
/// portal keeps goes through it (names, addresses, form values, officers' reasons).
pub fn clean_text(input: &str) -> String {
    input
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !is_format_char(*c) && (!c.is_control() || matches!(c, '\n' | '\t')))
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::{clean_text, fold};

    #[test]
    fn cleaning_removes_what_makes_text_read_otherwise() {
        assert_eq!(
            clean_text(" Tổ\u{200B} 3,\u{202E} phường\u{2066} Chiềng Lề\u{FEFF}\u{0}\r\nSơn La "),
            "Tổ 3, phường Chiềng Lề\nSơn La"
        );
        assert_eq!(clean_text("Bình thường"), "Bình thường");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký  Hộ tịch"), "dang ky ho tich");
        assert_eq!(fold("  Chứng thực bản sao "), "chung thuc ban sao");
        assert_eq!(fold("ho tich"), "ho tich");
        assert_eq!(fold("Giấy phép xây dựng"), "giay phep xay dung");
    }
}
