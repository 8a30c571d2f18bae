//! Folding Vietnamese text for search: lower case, no diacritics, đ → d.

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

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký  Hộ tịch"), "dang ky ho tich");
        assert_eq!(fold("  Chứng thực bản sao "), "chung thuc ban sao");
        assert_eq!(fold("ho tich"), "ho tich");
        assert_eq!(fold("Giấy phép xây dựng"), "giay phep xay dung");
    }
}
