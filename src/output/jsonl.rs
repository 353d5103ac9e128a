//! `--jsonl` output: one JSON object per event, with stable field names.

use std::io::{self, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use super::Stdout;
use crate::event::Event;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum JsonEvent<'a> {
    Open {
        url: &'a str,
        status: u16,
        subprotocol: Option<&'a str>,
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
}

pub struct JsonlPrinter {
    out: Stdout,
}

impl JsonlPrinter {
    pub fn new(out: Stdout) -> Self {
        JsonlPrinter { out }
    }

    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        let json = match event {
            Event::Opened {
                url,
                status,
                subprotocol,
                ..
            } => JsonEvent::Open {
                url,
                status: *status,
                subprotocol: subprotocol.as_deref(),
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
            // The JSON lines show what was received.
            Event::PingSent(_) | Event::PongSent(_) => return Ok(()),
            Event::Closed { code, reason, .. } => JsonEvent::Close {
                code: *code,
                reason,
            },
        };
        serde_json::to_writer(&mut self.out, &json)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
