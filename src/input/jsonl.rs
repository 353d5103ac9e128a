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
    let event: JsonInput =
        serde_json::from_slice(line).map_err(|e| format!("not a wsc JSON event: {e}"))?;
    let decode = |data: &str| {
        BASE64
            .decode(data)
            .map_err(|e| format!("invalid base64: {e}"))
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

/// A Close frame we may send: the code must be one a peer may put on the wire.
pub fn close_frame(code: u16, reason: &str) -> Result<CloseFrame, String> {
    if !crate::protocol::close::is_sendable(code) {
        return Err(format!("{code} is not a close code that may be sent"));
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
    fn open_events_and_blank_lines_send_nothing() {
        assert_eq!(
            parse_line(br#"{"type":"open","url":"ws://h/","status":101}"#),
            Ok(None)
        );
        assert_eq!(parse_line(b"  "), Ok(None));
    }

    #[test]
    fn bad_objects_are_errors() {
        for bad in [
            "hello",
            r#"{"type":"nope"}"#,
            r#"{"type":"binary","base64":"!!"}"#,
            r#"{"type":"close","code":1005}"#,
            r#"{"type":"close","code":999}"#,
        ] {
            assert!(parse_line(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
