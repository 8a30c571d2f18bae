//! The one HTML escape (text and attribute values): the sandbox calls it, and the officer
//! console's askama templates use it as their escaper (`askama.toml`).

use std::fmt;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text);
    out
}

/// Writes `text` escaped into `dest`.
pub fn write_escaped(mut dest: impl fmt::Write, text: &str) -> fmt::Result {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        dest.write_str(&text[last..i])?;
        dest.write_str(entity)?;
        last = i + c.len_utf8();
    }
    dest.write_str(&text[last..])
}

/// [`escape`] as askama's escaper for `.html` templates.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, dest: W, string: &str) -> fmt::Result {
        write_escaped(dest, string)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(
            super::escape("<script>alert('x')</script> & \"q\" Bản Mòng"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; Bản Mòng"
        );
    }
}
