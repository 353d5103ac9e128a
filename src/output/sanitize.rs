//! Text from the server is untrusted: before it reaches a terminal, control characters, escape
//! sequences and bidi overrides are made visible instead of being interpreted.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must be shown escaped on a terminal. Newline and tab stay as they are.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Returns the text with dangerous characters written as `\x1b` or `\u{202e}`.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_dangerous(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The one escape style for a character: `\x1b` below 0x80, `\u{202e}` above.
fn escape(c: char, out: &mut String) {
    if (c as u32) < 0x80 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:04x}}}", c as u32);
    }
}

/// Text from the server (a close reason, a ping's payload) in double quotes on one line, in the
/// same style as `escape_text` (Rust's `{:?}` would write `\u{1b}`): `"bye\x1b[31m"`. Quotes,
/// backslashes and line breaks are escaped too, so that the text ends where the quote does.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_dangerous(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Binary data shown on a terminal: printable ASCII as is, every other byte as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(escape_text("\x1b]0;pwned\x07red"), "\\x1b]0;pwned\\x07red");
        assert_eq!(escape_text("a\u{202e}b\u{9b}c"), "a\\u{202e}b\\u{009b}c");
        assert_eq!(escape_text("line\n\ttab\x7f"), "line\n\ttab\\x7f");
        // 0x80 is the first character written as \u{...}: the first C1 control.
        assert_eq!(escape_text("\u{80}"), "\\u{0080}");
    }

    #[test]
    fn quoted_text_uses_the_same_escapes_and_stays_on_one_line() {
        assert_eq!(quote(""), r#""""#);
        assert_eq!(quote("bye now"), r#""bye now""#);
        assert_eq!(
            quote("a\x1b[31m\u{202e}\u{9b}b"),
            r#""a\x1b[31m\u{202e}\u{009b}b""#
        );
        assert_eq!(quote("say \"hi\"\\\n\r\t"), r#""say \"hi\"\\\n\r\t""#);
        assert_eq!(quote("héllo"), r#""héllo""#);
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(escape_text("héllo wörld"), Cow::Borrowed(_)));
    }

    #[test]
    fn binary_is_escaped_bytewise() {
        assert_eq!(escape_bytes(b"A\x00\xff\n"), "A\\x00\\xff\\n");
    }
}
