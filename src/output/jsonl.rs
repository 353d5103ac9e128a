//! `--jsonl` output: one JSON object per event, with stable field names, and `"ts"` with
//! `--timestamps`. Pings and pongs we send are not data received: `-P` shows them on stderr.

use std::io::{self, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use tungstenite::Message;

use super::{Notices, Stdout};
use crate::event::Event;

/// The objects printed, one per line, for `--help` and the man page.
pub const PRINTED: [(&str, &str); 10] = [
    (
        r#"{"type":"open","url":URL,"status":101,"subprotocol":NAME}"#,
        "connected (subprotocol null when none was agreed)",
    ),
    (r#"{"type":"text","data":TEXT}"#, "a text message"),
    (
        r#"{"type":"binary","base64":DATA}"#,
        "a binary message, in base64",
    ),
    (
        r#"{"type":"ping","base64":DATA}"#,
        "a ping from the server (wsc answers it)",
    ),
    (r#"{"type":"pong","base64":DATA}"#, "a pong from the server"),
    (
        r#"{"type":"close","code":CODE,"reason":TEXT}"#,
        "the server's Close (code null when it gave none)",
    ),
    (
        r#"{"type":"reconnecting","code":CODE,"reason":TEXT,"wait_ms":MS,"attempt":N}"#,
        "--reconnect: the connection ended (1006: lost) and the next attempt comes after MS; an open object follows once connected",
    ),
    (
        r#"{"type":"listening","url":URL}"#,
        "with -l, first: where wsc listens (open events then also have peer, the client's address)",
    ),
    (
        r#"{...,"client":N}"#,
        "with -l (unless --one), every event has client: the id of the client it came from",
    ),
    (
        r#"{...,"ts":"2026-12-01T09:30:00.123Z"}"#,
        "with --timestamps, every object also has ts: the time in UTC, RFC 3339, milliseconds",
    ),
];

/// An event as its object (without "ts" or "client"): what --jsonl prints, and what --record
/// writes with a direction beside it.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum JsonEvent<'a> {
    Open {
        url: &'a str,
        status: u16,
        subprotocol: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        peer: Option<&'a str>,
    },
    Text {
        data: &'a str,
    },
    Binary {
        base64: String,
    },
    Ping {
        base64: String,
    },
    Pong {
        base64: String,
    },
    Close {
        code: Option<u16>,
        reason: &'a str,
    },
    Reconnecting {
        code: u16,
        reason: &'a str,
        wait_ms: u64,
        attempt: u32,
    },
}

/// An event with whose it is (-l's client id) and the time it was shown.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    event: JsonEvent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<String>,
}

pub struct JsonlPrinter {
    out: Stdout,
    timestamps: bool,
    notices: Notices,
}

impl JsonlPrinter {
    pub fn new(out: Stdout, timestamps: bool, notices: Notices) -> Self {
        JsonlPrinter {
            out,
            timestamps,
            notices,
        }
    }

    pub fn event(&mut self, event: &Event, client: Option<u32>) -> io::Result<()> {
        // The JSON lines show what was received; what we sent is a notice on stderr.
        let Some(json) = object(event) else {
            self.notices.show(event, client);
            return Ok(());
        };
        let ts = self.timestamps.then(now);
        let line = Line {
            event: json,
            client,
            ts,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The time now as "ts" has it: UTC, RFC 3339, milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The object of an event shown (None for what we sent: pings, pongs, heartbeats).
pub fn object(event: &Event) -> Option<JsonEvent<'_>> {
    Some(match event {
        Event::Opened {
            url,
            status,
            subprotocol,
            peer,
            ..
        } => JsonEvent::Open {
            url,
            status: *status,
            subprotocol: subprotocol.as_deref(),
            peer: peer.as_deref(),
        },
        Event::Text(text) => JsonEvent::Text { data: text },
        Event::Binary(data) => JsonEvent::Binary {
            base64: BASE64.encode(data),
        },
        Event::Ping(data) => JsonEvent::Ping {
            base64: BASE64.encode(data),
        },
        Event::Pong { data, .. } => JsonEvent::Pong {
            base64: BASE64.encode(data),
        },
        Event::PingSent(_) | Event::PongSent(_) | Event::HeartbeatSent(_) => return None,
        Event::Closed { code, reason, .. } => JsonEvent::Close {
            code: *code,
            reason,
        },
        Event::Reconnecting {
            code,
            why,
            wait,
            attempt,
        } => JsonEvent::Reconnecting {
            code: *code,
            reason: why,
            wait_ms: wait.as_millis() as u64,
            attempt: *attempt,
        },
    })
}

/// The object of a message we send, as `--jsonl` input reads it back (None for raw frames).
pub fn sent(message: &Message) -> Option<JsonEvent<'_>> {
    Some(match message {
        Message::Text(text) => JsonEvent::Text { data: text },
        Message::Binary(data) => JsonEvent::Binary {
            base64: BASE64.encode(data),
        },
        Message::Ping(data) => JsonEvent::Ping {
            base64: BASE64.encode(data),
        },
        Message::Pong(data) => JsonEvent::Pong {
            base64: BASE64.encode(data),
        },
        Message::Close(frame) => JsonEvent::Close {
            code: frame.as_ref().map(|f| u16::from(f.code)),
            reason: frame.as_ref().map_or("", |f| f.reason.as_str()),
        },
        Message::Frame(_) => return None,
    })
}
