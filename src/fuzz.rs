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

/// A REPL line through `slash::parse`, with slash commands on and off. Gives what the line
/// asks for with them on, or None for `/file`, which is not parsed here.
pub fn slash(data: &[u8]) -> Option<Result<slash::Line, String>> {
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
            return None;
        }
    }
    let parsed = slash::parse(&line, true, true);
    match &parsed {
        Ok(slash::Line::Typed(typed)) => match line.strip_prefix("//") {
            Some(text) => assert_eq!(typed, &format!("/{text}")),
            None => assert_eq!(typed, &line),
        },
        Ok(slash::Line::Send(message)) => {
            assert!(line.starts_with('/') && !line.starts_with("//"));
            check_sendable(message);
        }
        Ok(slash::Line::Help | slash::Line::Quit | slash::Line::Last) => {}
        Ok(slash::Line::Jq(code)) => {
            assert!(code.as_deref().is_none_or(|code| !code.trim().is_empty()));
        }
        Ok(slash::Line::Save(path)) => assert!(!path.trim().is_empty()),
        Ok(slash::Line::Order(order)) => {
            if let slash::Order::Kick(_, frame) = order {
                check_sendable(&Message::Close(Some(frame.clone())));
            }
        }
        Err(problem) => assert!(!problem.is_empty()),
    }
    Some(parsed)
}

/// One `--jsonl` stdin line through `jsonl::parse_line`; gives what it parsed to.
pub fn jsonl(data: &[u8]) -> Result<Option<Message>, String> {
    let parsed = jsonl::parse_line(data);
    match &parsed {
        Ok(Some(message)) => {
            check_sendable(message);
            // The same event written back as JSON reads as the same message: a recorded
            // session replays exactly.
            let again = jsonl::parse_line(event_json(message).as_bytes());
            assert_eq!(again, Ok(Some(message.clone())));
        }
        Ok(None) => {}
        Err(problem) => assert!(!problem.is_empty()),
    }
    parsed
}

/// Command-line flags: each input line is one argv word, parsed by clap and validated by
/// `Config::from_cli` as `main` does (which checks the URL, headers, credentials, durations,
/// patterns and the close frame). Each word also goes straight to `parse_url` and
/// `parse_header`, so those are reached even when clap refuses the line-up. Gives the config,
/// or the error `main` would print (empty for help and version, which are not rendered).
pub fn flags(data: &[u8]) -> Result<Config, String> {
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
            return Err(match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => String::new(),
                _ => e.render().to_string(),
            });
        }
    };
    let config = Config::from_cli(cli).map_err(|failure| failure.to_string())?;
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
    Ok(config)
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

#[cfg(test)]
mod tests {
    use std::panic::catch_unwind;

    use super::*;

    #[test]
    fn a_typed_line_is_what_the_repl_makes_of_it() {
        let sent = |message| Some(Ok(slash::Line::Send(message)));
        assert_eq!(slash(b"/ping hi"), sent(Message::Ping("hi".into())));
        assert_eq!(
            slash(b"/binary 01 ff"),
            sent(Message::binary(vec![1, 0xff]))
        );
        assert_eq!(slash(b"hi"), Some(Ok(slash::Line::Typed("hi".into()))));
        assert_eq!(slash(b"//x"), Some(Ok(slash::Line::Typed("/x".into()))));
        assert_eq!(
            slash(b"/kick 2"),
            Some(Ok(slash::Line::Order(slash::Order::Kick(
                2,
                CloseFrame {
                    code: 1000.into(),
                    reason: "".into()
                },
            ))))
        );
        assert!(matches!(slash(b"/nope"), Some(Err(_))));
        // Left out: it would read the file.
        assert_eq!(slash(b"/file /nonexistent"), None);
        assert_eq!(slash(b"/file"), None);
    }

    #[test]
    fn a_jsonl_line_is_the_message_it_describes() {
        assert_eq!(
            jsonl(br#"{"type":"text","data":"hi"}"#),
            Ok(Some(Message::text("hi")))
        );
        assert_eq!(
            jsonl(br#"{"type":"close","code":4000,"reason":"r"}"#),
            Ok(Some(Message::Close(Some(CloseFrame {
                code: 4000.into(),
                reason: "r".into(),
            }))))
        );
        assert!(jsonl(b"{").is_err_and(|problem| !problem.is_empty()));
    }

    #[test]
    fn each_line_of_a_flags_input_is_one_word_of_the_command_line() {
        let config = flags(b"ws://h\n-H\nX-A: b").expect("a valid command line");
        assert_eq!(config.url.as_str(), "ws://h/");
        let headers: Vec<_> = config
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        assert!(headers.contains(&("X-A", &b"b"[..])), "{headers:?}");
    }

    #[test]
    fn a_refused_command_line_gives_the_error_main_would_print() {
        let usage = flags(b"ws://h\n--no-such-flag").unwrap_err();
        assert!(usage.contains("--no-such-flag"), "{usage}");
        let invalid = flags(b"ws://h\n-H\nno colon").unwrap_err();
        assert!(invalid.contains("no colon"), "{invalid}");
        // Fixed texts: not worth rendering on every run.
        assert_eq!(flags(b"--help").unwrap_err(), "");
        assert_eq!(flags(b"--version").unwrap_err(), "");
    }

    #[test]
    fn a_url_wsc_would_not_dial_fails_the_check() {
        for bad in ["http://h/", "ws://h:0/", "ws://u:p@h/", "ws://h/#f"] {
            let url = Url::parse(bad).unwrap();
            assert!(catch_unwind(|| check_url(&url)).is_err(), "{bad} passed");
        }
        check_url(&Url::parse("wss://h:8443/p?q").unwrap());
    }

    #[test]
    fn a_header_that_does_not_read_back_fails_the_check() {
        let bad = [
            ("bad name", HeaderValue::from_static("v")),
            // Typed back, the spaces around a value are trimmed.
            ("X-A", HeaderValue::from_static(" v ")),
        ];
        for (name, value) in &bad {
            assert!(
                catch_unwind(|| check_header(name, value)).is_err(),
                "{name}: {value:?}"
            );
        }
        check_header("X-A", &HeaderValue::from_static("v w"));
    }

    #[test]
    fn a_control_frame_over_the_limits_fails_the_check() {
        let close = |code: u16, reason: &str| {
            Message::Close(Some(CloseFrame {
                code: code.into(),
                reason: reason.into(),
            }))
        };
        let bad = [
            Message::Ping(vec![0; 126].into()),
            Message::Pong(vec![0; 126].into()),
            close(1005, ""),
            close(999, ""),
            close(1000, &"r".repeat(124)),
        ];
        for message in &bad {
            assert!(
                catch_unwind(|| check_sendable(message)).is_err(),
                "{message:?}"
            );
        }
        check_sendable(&Message::Ping(vec![0; 125].into()));
        check_sendable(&close(4000, &"r".repeat(123)));
        check_sendable(&Message::binary(vec![0; 1000]));
    }
}
