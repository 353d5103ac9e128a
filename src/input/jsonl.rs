//! `--jsonl` input: each stdin line is an event object like the ones `--jsonl` prints, so every
//! frame type can be scripted and a recorded session replayed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

/// The objects read, one per line, for `--help` and the man page.
pub const READ: [(&str, &str); 7] = [
    (r#"{"type":"text","data":TEXT}"#, "sends a text message"),
    (
        r#"{"type":"binary","base64":DATA}"#,
        "sends a binary message given in base64",
    ),
    (
        r#"{"type":"ping","base64":DATA}"#,
        "sends a ping; base64 optional, at most 125 bytes",
    ),
    (
        r#"{"type":"pong","base64":DATA}"#,
        "sends a pong; base64 optional, at most 125 bytes",
    ),
    (
        r#"{"type":"close","code":CODE,"reason":TEXT}"#,
        "sends a Close; both optional, CODE one that may be sent, TEXT at most 123 bytes",
    ),
    (
        r#"{"type":"open",...}"#,
        "skipped, so that printed lines can be replayed; so are blank lines",
    ),
    (
        "other fields",
        "ignored (such as \"ts\"); a line that is none of these stops wsc with status 1",
    ),
];

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum JsonInput {
    Text {
        data: String,
    },
    Binary {
        base64: String,
    },
    Ping {
        #[serde(default)]
        base64: String,
    },
    Pong {
        #[serde(default)]
        base64: String,
    },
    Close {
        code: Option<u16>,
        #[serde(default)]
        reason: String,
    },
    /// Recorded `open` events are skipped, so a session's output can be replayed.
    Open {},
}

/// Parses one line; `Ok(None)` for lines that send nothing (blank lines, `open` events).
pub fn parse_line(line: &[u8]) -> Result<Option<Message>, String> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let event: JsonInput = serde_json::from_slice(line).map_err(|e| explain(line, &e))?;
    let decode = |data: &str| {
        BASE64.decode(data).map_err(|e| {
            let why = e.to_string();
            let why = why.trim_end_matches('.');
            format!("\"base64\" is not base64 ({})", why.to_lowercase())
        })
    };
    let control_payload = |data: &str| {
        let bytes = decode(data)?;
        if bytes.len() > 125 {
            Err("control frame payload over 125 bytes".to_string())
        } else {
            Ok(bytes)
        }
    };
    Ok(Some(match event {
        JsonInput::Text { data } => Message::text(data),
        JsonInput::Binary { base64 } => Message::binary(decode(&base64)?),
        JsonInput::Ping { base64 } => Message::Ping(control_payload(&base64)?.into()),
        JsonInput::Pong { base64 } => Message::Pong(control_payload(&base64)?.into()),
        JsonInput::Close { code: None, .. } => Message::Close(None),
        JsonInput::Close {
            code: Some(code),
            reason,
        } => Message::Close(Some(close_frame(code, &reason)?)),
        JsonInput::Open {} => return Ok(None),
    }))
}

const TYPES: &str = "\"type\" must be one of text, binary, ping, pong, close";

/// Why a line is not an event, in words. serde's own message names its internals (`invalid
/// type: integer 1, expected internally tagged enum JsonInput`), so the line is looked at again.
fn explain(line: &[u8], error: &serde_json::Error) -> String {
    use serde_json::Value;
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => return format!("not JSON: {}", json_words(&e)),
    };
    let Some(object) = value.as_object() else {
        return r#"not a JSON object such as {"type":"text","data":"hi"}"#.to_string();
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => return TYPES.to_string(),
        None => return format!("no \"type\": {TYPES}"),
    };
    let (needed, optional): (&[&str], &[&str]) = match kind {
        "text" => (&["data"], &[]),
        "binary" => (&["base64"], &[]),
        "ping" | "pong" => (&[], &["base64"]),
        "close" => (&[], &["code", "reason"]),
        "open" => (&[], &[]),
        _ => return TYPES.to_string(),
    };
    if let Some(field) = needed.iter().find(|field| !object.contains_key(**field)) {
        return format!("\"{kind}\" needs \"{field}\"");
    }
    for field in needed.iter().chain(optional) {
        match (*field, object.get(*field)) {
            (_, None) | ("code", Some(Value::Null)) => {}
            ("code", Some(code)) if code.as_u64().is_some_and(|c| c <= u64::from(u16::MAX)) => {}
            ("code", Some(_)) => return format!("\"code\" must be a close code ({CODES})"),
            (_, Some(Value::String(_))) => {}
            (field, Some(_)) => return format!("\"{field}\" must be a string"),
        }
    }
    // Whatever else serde saw (a field given twice, say), in its words.
    format!("not a wsc JSON event: {}", json_words(error))
}

/// serde_json's message, positions in a line's words: `expected value at column 1`.
fn json_words(error: &serde_json::Error) -> String {
    error
        .to_string()
        .replace(" at line 1 column ", " at column ")
}

/// The codes a Close may carry (`protocol::close::is_sendable`).
pub const CODES: &str = "1000-1003, 1007-1014 or 3000-4999";

/// A Close frame we may send: the code must be one a peer may put on the wire.
pub fn close_frame(code: u16, reason: &str) -> Result<CloseFrame, String> {
    if !crate::protocol::close::is_sendable(code) {
        return Err(format!(
            "{code} is not a close code that may be sent ({CODES})"
        ));
    }
    if reason.len() > 123 {
        return Err("close reason over 123 bytes".to_string());
    }
    Ok(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_frame_type_can_be_scripted() {
        let parse = |s: &str| parse_line(s.as_bytes()).unwrap().unwrap();
        assert_eq!(parse(r#"{"type":"text","data":"hi"}"#), Message::text("hi"));
        assert_eq!(
            parse(r#"{"type":"binary","base64":"AAE="}"#),
            Message::binary(vec![0, 1])
        );
        assert_eq!(
            parse(r#"{"type":"ping","base64":"","ts":"x"}"#),
            Message::Ping(Default::default())
        );
        assert_eq!(
            parse(r#"{"type":"pong"}"#),
            Message::Pong(Default::default())
        );
        assert_eq!(
            parse(r#"{"type":"close","code":4000,"reason":"bye"}"#),
            Message::Close(Some(CloseFrame {
                code: CloseCode::from(4000),
                reason: "bye".into()
            }))
        );
    }

    #[test]
    fn control_payloads_and_close_reasons_at_their_limits() {
        let line = |json: String| parse_line(json.as_bytes());
        let b64 = |n: usize| BASE64.encode(vec![7u8; n]);
        for kind in ["ping", "pong"] {
            let ok = line(format!(r#"{{"type":"{kind}","base64":"{}"}}"#, b64(125)));
            assert!(
                matches!(ok, Ok(Some(ref m)) if m.len() == 125),
                "{kind}: {ok:?}"
            );
            let over = line(format!(r#"{{"type":"{kind}","base64":"{}"}}"#, b64(126)));
            assert_eq!(
                over,
                Err("control frame payload over 125 bytes".into()),
                "{kind}"
            );
        }
        let reason = |n: usize| {
            line(format!(
                r#"{{"type":"close","code":1000,"reason":"{}"}}"#,
                "r".repeat(n)
            ))
        };
        assert!(
            matches!(reason(123), Ok(Some(Message::Close(Some(ref f)))) if f.reason.len() == 123)
        );
        assert_eq!(reason(124), Err("close reason over 123 bytes".into()));
    }

    #[test]
    fn open_events_and_blank_lines_send_nothing() {
        assert_eq!(
            parse_line(br#"{"type":"open","url":"ws://h/","status":101}"#),
            Ok(None)
        );
        assert_eq!(parse_line(b"  "), Ok(None));
    }

    #[test]
    fn bad_objects_are_errors_in_words_without_serde_internals() {
        let table = [
            ("hello", "not JSON: expected value at column 1"),
            (
                r#"{"type":"text""#,
                "not JSON: EOF while parsing an object at column 14",
            ),
            (
                "[1]",
                r#"not a JSON object such as {"type":"text","data":"hi"}"#,
            ),
            (r#"{"type":1}"#, TYPES),
            (r#"{"type":"nope"}"#, TYPES),
            (r#"{"data":"x"}"#, &format!("no \"type\": {TYPES}")),
            (r#"{"type":"text"}"#, r#""text" needs "data""#),
            (r#"{"type":"text","data":7}"#, r#""data" must be a string"#),
            (
                r#"{"type":"text","data":null}"#,
                r#""data" must be a string"#,
            ),
            (r#"{"type":"binary"}"#, r#""binary" needs "base64""#),
            (
                r#"{"type":"ping","base64":[1]}"#,
                r#""base64" must be a string"#,
            ),
            (
                r#"{"type":"close","code":"1000"}"#,
                r#""code" must be a close code"#,
            ),
            (
                r#"{"type":"close","code":70000}"#,
                r#""code" must be a close code"#,
            ),
            (
                r#"{"type":"close","reason":false}"#,
                r#""reason" must be a string"#,
            ),
            // A good code, so the bad reason is what is named.
            (
                r#"{"type":"close","code":1000,"reason":5}"#,
                r#""reason" must be a string"#,
            ),
            (
                r#"{"type":"binary","base64":"!!"}"#,
                r#""base64" is not base64 (invalid symbol 33, offset 0)"#,
            ),
            (
                r#"{"type":"close","code":1005}"#,
                "1005 is not a close code that may be sent (1000-1003, 1007-1014 or 3000-4999)",
            ),
            (
                r#"{"type":"close","code":999}"#,
                "999 is not a close code that may be sent",
            ),
            (
                r#"{"type":"text","data":"a","data":"b"}"#,
                "not a wsc JSON event: duplicate field `data`",
            ),
            // "open" is a type, so what is wrong is something else.
            (
                r#"{"type":"open","type":"open"}"#,
                "not a wsc JSON event: duplicate field `type`",
            ),
        ];
        for (line, words) in table {
            let error = parse_line(line.as_bytes()).unwrap_err();
            assert!(error.starts_with(words), "{line}: {error}");
            for internal in ["enum", "JsonInput", "invalid type", "variant", "line 1"] {
                assert!(!error.contains(internal), "{line}: {error}");
            }
        }
    }
}
