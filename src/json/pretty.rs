//! A JSON object or array as people read it: indented two spaces a level, one member per line,
//! keys, strings, numbers and literals in colours of their own.
//!
//! The text is re-indented token by token rather than parsed into values and written back, so
//! what is shown is what was sent: numbers as written (`1.50`, `1e400`), keys in their order,
//! duplicates kept, escapes in strings as they came (`\u001b` stays six characters).

use super::Palette;
use crate::output::sanitize::escape_text;

/// One indentation level.
const INDENT: &str = "  ";

/// The lines of `text` pretty-printed, or None when it is not a JSON object or array (a bare
/// string, number or literal is shown as it came). With `sanitize`, characters a terminal would
/// interpret (raw bidi overrides, C1 controls) are shown escaped.
pub fn lines(text: &str, palette: Palette, sanitize: bool) -> Option<Vec<String>> {
    let body = text.trim_start();
    if !(body.starts_with('{') || body.starts_with('[')) {
        return None;
    }
    // Only valid JSON is re-indented: the walk below trusts its token boundaries.
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let mut writer = Writer {
        palette,
        sanitize,
        lines: Vec::new(),
        line: String::new(),
        depth: 0,
        containers: Vec::new(),
    };
    writer.walk(body);
    Some(writer.finish())
}

/// Keeps the first `max` lines (0: all) and says how many were hidden.
pub fn fold(mut lines: Vec<String>, max: usize) -> (Vec<String>, usize) {
    if max == 0 || lines.len() <= max {
        return (lines, 0);
    }
    let hidden = lines.len() - max;
    lines.truncate(max);
    (lines, hidden)
}

#[derive(Clone, Copy, PartialEq)]
enum Container {
    /// In an object: whether the next string is a key.
    Object {
        key_next: bool,
    },
    Array,
}

struct Writer {
    palette: Palette,
    sanitize: bool,
    lines: Vec<String>,
    line: String,
    depth: usize,
    containers: Vec<Container>,
}

impl Writer {
    fn walk(&mut self, text: &str) {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let taken = match c {
                '"' => {
                    let end = string_end(rest);
                    let token = &rest[..end];
                    let key = matches!(
                        self.containers.last(),
                        Some(Container::Object { key_next: true })
                    );
                    let colour = match key {
                        true => self.palette.key,
                        false => self.palette.string,
                    };
                    let token = match self.sanitize {
                        true => escape_text(token),
                        false => token.into(),
                    };
                    self.paint(colour, &token);
                    end
                }
                ':' => {
                    self.line.push_str(": ");
                    self.set_key_next(false);
                    1
                }
                ',' => {
                    self.line.push(',');
                    self.set_key_next(true);
                    self.new_line();
                    1
                }
                '{' | '[' => {
                    let close = if c == '{' { '}' } else { ']' };
                    let after = rest[1..].trim_start();
                    if after.starts_with(close) {
                        // An empty container stays on its line: `{}`, `[]`.
                        self.line.push(c);
                        self.line.push(close);
                        rest.len() - after.len() + 1
                    } else {
                        self.line.push(c);
                        self.containers.push(match c {
                            '{' => Container::Object { key_next: true },
                            _ => Container::Array,
                        });
                        self.depth += 1;
                        self.new_line();
                        1
                    }
                }
                '}' | ']' => {
                    self.containers.pop();
                    self.depth = self.depth.saturating_sub(1);
                    self.new_line();
                    self.line.push(c);
                    1
                }
                c if c.is_ascii_whitespace() => 1,
                _ => {
                    // A number or a literal: up to the next delimiter.
                    let end = rest
                        .find(|c: char| matches!(c, ',' | ']' | '}' | ':') || c.is_whitespace())
                        .unwrap_or(rest.len());
                    let token = &rest[..end.max(1)];
                    let colour = match token.starts_with(['t', 'f', 'n']) {
                        true => self.palette.literal,
                        false => self.palette.number,
                    };
                    self.paint(colour, token);
                    token.len()
                }
            };
            rest = rest.get(taken..).unwrap_or("");
        }
    }

    fn set_key_next(&mut self, key_next: bool) {
        if let Some(Container::Object { key_next: next }) = self.containers.last_mut() {
            *next = key_next;
        }
    }

    fn paint(&mut self, colour: &str, token: &str) {
        if colour.is_empty() {
            self.line.push_str(token);
        } else {
            self.line.push_str(colour);
            self.line.push_str(token);
            self.line.push_str(self.palette.reset);
        }
    }

    fn new_line(&mut self) {
        let indent = INDENT.repeat(self.depth);
        self.lines.push(std::mem::replace(&mut self.line, indent));
    }

    fn finish(mut self) -> Vec<String> {
        if !self.line.trim().is_empty() {
            self.lines.push(self.line);
        }
        self.lines
    }
}

/// The length of the JSON string at the start of `text`, quotes included (the whole text when
/// it never ends, which valid JSON rules out).
fn string_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Option<Vec<String>> {
        lines(text, Palette::NONE, true)
    }

    #[test]
    fn objects_and_arrays_are_indented_one_member_a_line() {
        let text = r#"{"a":1,"b":[true,null,"x"],"c":{},"d":[],"e":{"f":-1.50e3}}"#;
        assert_eq!(
            plain(text).unwrap(),
            [
                "{",
                "  \"a\": 1,",
                "  \"b\": [",
                "    true,",
                "    null,",
                "    \"x\"",
                "  ],",
                "  \"c\": {},",
                "  \"d\": [],",
                "  \"e\": {",
                "    \"f\": -1.50e3",
                "  }",
                "}",
            ]
        );
    }

    #[test]
    fn whitespace_sent_is_replaced_and_what_was_written_is_kept() {
        let text = " [ 1.0 ,\n\t{ \"k\" : \"a, b: [c]\" , \"k\": 1e400 } , [ ] ] ";
        assert_eq!(
            plain(text).unwrap(),
            [
                "[",
                "  1.0,",
                "  {",
                "    \"k\": \"a, b: [c]\",",
                "    \"k\": 1e400",
                "  },",
                "  []",
                "]",
            ]
        );
    }

    #[test]
    fn escapes_stay_escaped_and_raw_controls_are_made_visible() {
        // \u001b is JSON's escape, six characters on screen; a raw U+202E (valid in JSON) and a
        // raw C1 control would be interpreted by a terminal.
        let text = "{\"q\\\"\\u001b[31m\":\"\\u001b]0;x\\u0007 \u{202e}\u{9b}\"}";
        let shown = plain(text).unwrap();
        assert_eq!(
            shown[1],
            r#"  "q\"\u001b[31m": "\u001b]0;x\u0007 \u{202e}\u{009b}""#
        );
        assert!(!shown.concat().contains('\u{1b}'));
        // Unsanitised (a pipe that is not a terminal) the bytes are left alone.
        let raw = lines(text, Palette::NONE, false).unwrap();
        assert!(raw[1].contains('\u{202e}'));
    }

    #[test]
    fn keys_strings_numbers_and_literals_get_their_own_colours() {
        let palette = Palette::COLOURS;
        let shown = lines(r#"{"k":"v","n":2,"t":true,"z":null}"#, palette, true).unwrap();
        let paint = |colour: &str, token: &str| format!("{colour}{token}{}", palette.reset);
        assert_eq!(
            shown[1],
            format!(
                "  {}: {},",
                paint(palette.key, "\"k\""),
                paint(palette.string, "\"v\"")
            )
        );
        assert_eq!(
            shown[2],
            format!(
                "  {}: {},",
                paint(palette.key, "\"n\""),
                paint(palette.number, "2")
            )
        );
        assert!(shown[3].ends_with(&format!("{},", paint(palette.literal, "true"))));
        assert!(shown[4].ends_with(&paint(palette.literal, "null")));
        let distinct = [palette.key, palette.string, palette.number, palette.literal];
        for (i, a) in distinct.iter().enumerate() {
            assert!(distinct[i + 1..].iter().all(|b| a != b), "{a:?} used twice");
        }
    }

    #[test]
    fn a_string_ends_at_its_closing_quote_not_at_an_escaped_one() {
        // Each string painted whole: a quote or backslash escaped inside it does not end it.
        let palette = Palette::COLOURS;
        let paint = |colour: &str, token: &str| format!("{colour}{token}{}", palette.reset);
        let shown = lines(r#"{"a\"b":"c\\","d":["e\"\\\"f"]}"#, palette, true).unwrap();
        assert_eq!(
            shown[1],
            format!(
                "  {}: {},",
                paint(palette.key, r#""a\"b""#),
                paint(palette.string, r#""c\\""#)
            )
        );
        assert_eq!(
            shown[3],
            format!("    {}", paint(palette.string, r#""e\"\\\"f""#))
        );
        // An escape further into a string (where skipping it wrongly lands past the end).
        let shown = lines(r#"{"abc\"d":1}"#, palette, true).unwrap();
        assert_eq!(
            shown[1],
            format!(
                "  {}: {}",
                paint(palette.key, r#""abc\"d""#),
                paint(palette.number, "1")
            )
        );
    }

    #[test]
    fn only_valid_objects_and_arrays_are_pretty_printed() {
        for text in [
            "hello", "42", "\"s\"", "true", "{\"a\":", "[1,]", "{} x", "", "  ",
        ] {
            assert_eq!(plain(text), None, "{text:?}");
        }
        assert_eq!(plain("[]").unwrap(), ["[]"]);
        assert_eq!(plain(" {} ").unwrap(), ["{}"]);
    }

    #[test]
    fn fold_keeps_max_lines_and_counts_the_rest() {
        let lines: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        assert_eq!(fold(lines.clone(), 4), (lines[..4].to_vec(), 6));
        assert_eq!(fold(lines.clone(), 10), (lines.clone(), 0));
        assert_eq!(fold(lines.clone(), 0), (lines, 0));
    }
}
