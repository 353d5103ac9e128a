//! Fuzz targets as plain functions: the AFL binaries in `fuzz/` call them, and
//! `tests/fuzz_corpus.rs` replays the saved corpus and crashes through them in `cargo test`.
//! Each must not panic on any input; the asserts are invariants a parser's `Ok` promises. None
//! of them touches the network or a file.

pub mod protocol;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use clap::FromArgMatches;
use http::{HeaderName, HeaderValue};
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use url::Url;

use crate::cli::{self, Cli};
use crate::config::{self, Config};
use crate::input::{jsonl, slash};

/// A REPL line through `slash::parse`, with slash commands on and off.
pub fn slash(data: &[u8]) {
    // The REPL hands over Strings; lossy decoding lets every input reach the parser.
    let line = String::from_utf8_lossy(data);

    // With slash commands off, every line is sent as it was typed.
    assert_eq!(
        slash::parse(&line, false, false),
        Ok(slash::Line::Typed(line.to_string()))
    );

    // /file reads a file: no I/O from a fuzz target.
    if let Some(rest) = line.strip_prefix('/') {
        let command = rest.split_once(' ').map_or(rest, |(command, _)| command);
        if command == "file" {
            return;
        }
    }
    match slash::parse(&line, true, true) {
        Ok(slash::Line::Typed(typed)) => match line.strip_prefix("//") {
            Some(text) => assert_eq!(typed, format!("/{text}")),
            None => assert_eq!(typed, line),
        },
        Ok(slash::Line::Send(message)) => {
            assert!(line.starts_with('/') && !line.starts_with("//"));
            check_sendable(&message);
        }
        Ok(slash::Line::Help | slash::Line::Quit | slash::Line::Last) => {}
        Ok(slash::Line::Jq(code)) => assert!(code.is_none_or(|code| !code.trim().is_empty())),
        Ok(slash::Line::Save(path)) => assert!(!path.trim().is_empty()),
        Ok(slash::Line::Order(order)) => {
            if let slash::Order::Kick(_, frame) = order {
                check_sendable(&Message::Close(Some(frame)));
            }
        }
        Err(problem) => assert!(!problem.is_empty()),
    }
}

/// One `--jsonl` stdin line through `jsonl::parse_line`.
pub fn jsonl(data: &[u8]) {
    match jsonl::parse_line(data) {
        Ok(Some(message)) => {
            check_sendable(&message);
            // The same event written back as JSON reads as the same message: a recorded
            // session replays exactly.
            let again = jsonl::parse_line(event_json(&message).as_bytes());
            assert_eq!(again, Ok(Some(message)));
        }
        Ok(None) => {}
        Err(problem) => assert!(!problem.is_empty()),
    }
}

/// Command-line flags: each input line is one argv word, parsed by clap and validated by
/// `Config::from_cli` as `main` does (which checks the URL, headers, credentials, durations,
/// patterns and the close frame). Each word also goes straight to `parse_url` and
/// `parse_header`, so those are reached even when clap refuses the line-up.
pub fn flags(data: &[u8]) {
    let words: Vec<&[u8]> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == b'\n').collect()
    };
    for word in &words {
        let text = String::from_utf8_lossy(word);
        if let Ok((url, userinfo)) = config::parse_url(&text) {
            check_url(&url);
            assert!(userinfo.is_none_or(|info| info.contains(':')));
        }
        if let Ok((name, value)) = config::parse_header(&text) {
            check_header(&name, &value);
        }
    }

    // Building the command is the slow part; clap's parsing consumes it, so clone a ready one.
    static COMMAND: OnceLock<clap::Command> = OnceLock::new();
    let command = COMMAND.get_or_init(cli::command).clone();
    let argv = std::iter::once(OsStr::new("wsc")).chain(words.iter().map(|w| OsStr::from_bytes(w)));
    let cli = match command
        .try_get_matches_from(argv)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) => {
            // main prints every usage error; help and version text are fixed, so skip them.
            use clap::error::ErrorKind;
            if !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.render().to_string();
            }
            return;
        }
    };
    if let Ok(config) = Config::from_cli(cli) {
        // With -l the URL is the address listened on, port 0 included: nothing is dialled.
        if config.listen.is_none() {
            check_url(&config.url);
        }
        // Required headers are parsed as -H's are, so they read back the same way.
        for (name, value) in config.headers.iter().chain(&config.required.headers) {
            check_header(name, value);
        }
        assert!(u16::from(config.close.code) >= 1000 && config.close.code.is_allowed());
        assert!(config.max_message_size >= 1);
        assert!(config.ping.is_none_or(|(interval, _)| !interval.is_zero()));
    }
}

/// What every URL wsc would connect to looks like, and it reads back as itself.
fn check_url(url: &Url) {
    assert!(matches!(url.scheme(), "ws" | "wss"), "{url}");
    assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
    assert_ne!(url.port(), Some(0), "{url}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{url}"
    );
    assert!(url.fragment().is_none(), "{url}");
    match config::parse_url(url.as_str()) {
        Ok((again, None)) => assert_eq!(&again, url),
        other => panic!("{url} does not read back: {other:?}"),
    }
}

/// A header wsc would send can be typed back as `-H 'Name: value'` and means the same.
fn check_header(name: &str, value: &HeaderValue) {
    assert!(HeaderName::from_bytes(name.as_bytes()).is_ok(), "{name:?}");
    // Values are made from &str, so they are UTF-8.
    let text = std::str::from_utf8(value.as_bytes()).expect("header value from a str");
    match config::parse_header(&format!("{name}: {text}")) {
        Ok(again) => assert_eq!((again.0.as_str(), &again.1), (name, value)),
        Err(e) => panic!("{name}: {text:?} does not read back: {e:?}"),
    }
}

/// Limits a frame we send must keep (RFC 6455 5.5 and 7.4).
fn check_sendable(message: &Message) {
    match message {
        Message::Ping(data) | Message::Pong(data) => assert!(data.len() <= 125),
        Message::Close(Some(CloseFrame { code, reason })) => {
            assert!(u16::from(*code) >= 1000 && code.is_allowed(), "{code}");
            assert!(reason.len() <= 123);
        }
        _ => {}
    }
}

/// A message as the `--jsonl` event that sends it.
fn event_json(message: &Message) -> String {
    let event = match message {
        Message::Text(text) => serde_json::json!({"type": "text", "data": text.as_str()}),
        Message::Binary(data) => {
            serde_json::json!({"type": "binary", "base64": BASE64.encode(data)})
        }
        Message::Ping(data) => serde_json::json!({"type": "ping", "base64": BASE64.encode(data)}),
        Message::Pong(data) => serde_json::json!({"type": "pong", "base64": BASE64.encode(data)}),
        Message::Close(None) => serde_json::json!({"type": "close"}),
        Message::Close(Some(frame)) => serde_json::json!({
            "type": "close",
            "code": u16::from(frame.code),
            "reason": frame.reason.as_str(),
        }),
        Message::Frame(_) => unreachable!("parse_line makes no raw frames"),
    };
    event.to_string()
}
