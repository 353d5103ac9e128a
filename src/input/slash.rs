//! REPL slash commands: a typed line becomes a message to send or something to do.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use tungstenite::Message;

use tungstenite::protocol::CloseFrame;

use super::jsonl::close_frame;

/// What a typed line asks for.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A line to send as typed: text, binary with `-b`, a JSON event with `--jsonl`.
    Typed(String),
    /// A message made by a command.
    Send(Message),
    Help,
    Quit,
    /// `/jq EXPR` sets the filter on what arrives; `/jq` alone (None) clears it.
    Jq(Option<String>),
    /// `/last`: the last message received, in full.
    Last,
    /// `/save PATH`: the last message received, written to a file as its bytes.
    Save(String),
    /// A command for -l's listener (many clients).
    Order(Order),
}

/// What a typed line asks of -l's listener; every other command goes to the selected clients.
#[derive(Debug, PartialEq)]
pub enum Order {
    /// `/clients`: who is connected.
    Clients,
    /// `/to N` (`None`: `/to all`): where typed lines and commands go from now on.
    To(Option<u32>),
    /// `/kick N [code [reason]]`: close one client.
    Kick(u32, CloseFrame),
}

/// The listener's own commands (with -l, unless --one), as (form, what it does).
pub const LISTEN_COMMANDS: [(&str, &str); 3] = [
    (
        "/clients",
        "with -l: the clients connected, their address, path and time",
    ),
    (
        "/to N|all",
        "with -l: send typed lines and commands to client N only, or to all (the default)",
    ),
    (
        "/kick N [code [reason]]",
        "with -l: close client N (default 1000)",
    ),
];

/// The `/help` text: the commands, with the listener's when listening.
pub fn help(listening: bool) -> String {
    let listen: &[(&str, &str)] = if listening { &LISTEN_COMMANDS } else { &[] };
    COMMANDS
        .iter()
        .chain(listen)
        .map(|(form, what)| format!("{form:<23} {what}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The commands as (form, what it does): `/help`, `--help` and the man page show this table.
pub const COMMANDS: [(&str, &str); 12] = [
    (
        "/ping [data]",
        "send a ping (the round trip is shown when its pong arrives)",
    ),
    ("/pong [data]", "send an unsolicited pong"),
    (
        "/close [code [reason]]",
        "close the connection (default 1000)",
    ),
    (
        "/binary HEX",
        "send bytes given in hex, spaces allowed: /binary 01 ff 7a",
    ),
    ("/base64 DATA", "send bytes given in base64"),
    (
        "/file PATH",
        "send a file (text if valid UTF-8, binary otherwise)",
    ),
    (
        "/jq [EXPR]",
        "filter what arrives through a jq expression (as --jq); /jq alone clears it",
    ),
    (
        "/last",
        "show the last message received in full, as it came (before any filter)",
    ),
    (
        "/save PATH",
        "write the last message received to a file, its bytes as they came",
    ),
    ("/help", "this list"),
    (
        "/quit",
        "close with 1000 and exit (also Ctrl-D, or Ctrl-C on an empty line)",
    ),
    ("//text", "send \"/text\""),
];

/// Parses a typed line; with `slash` off every line is sent as typed. `listening` (-l with
/// many clients) adds the listener's commands.
pub fn parse(line: &str, slash: bool, listening: bool) -> Result<Line, String> {
    if !slash || !line.starts_with('/') {
        return Ok(Line::Typed(line.to_string()));
    }
    if let Some(text) = line.strip_prefix("//") {
        return Ok(Line::Typed(format!("/{text}")));
    }
    let (command, argument) = match line[1..].split_once(' ') {
        Some((command, argument)) => (command, argument.trim()),
        None => (&line[1..], ""),
    };
    let message = match command {
        "ping" => Message::Ping(control_payload("ping", argument)?.into()),
        "pong" => Message::Pong(control_payload("pong", argument)?.into()),
        "close" => close(argument)?,
        "binary" => {
            let digits: String = argument.split_whitespace().collect();
            let bytes =
                hex::decode(&digits).map_err(|_| usage("/binary HEX, e.g. /binary 01 ff 7a"))?;
            Message::binary(bytes)
        }
        "base64" => {
            let bytes = BASE64
                .decode(argument)
                .map_err(|_| usage("/base64 DATA, e.g. /base64 AAE="))?;
            Message::binary(bytes)
        }
        "file" if !argument.is_empty() => {
            let bytes = std::fs::read(argument)
                .map_err(|e| format!("cannot read '{argument}': {}", crate::error::io_words(&e)))?;
            match String::from_utf8(bytes) {
                Ok(text) => Message::text(text),
                Err(e) => Message::binary(e.into_bytes()),
            }
        }
        "file" => return Err(usage("/file PATH")),
        "help" => return Ok(Line::Help),
        "jq" => {
            return Ok(Line::Jq(
                Some(argument).filter(|a| !a.is_empty()).map(Into::into),
            ));
        }
        "last" => return Ok(Line::Last),
        "save" if !argument.is_empty() => return Ok(Line::Save(argument.into())),
        "save" => return Err(usage("/save PATH")),
        "clients" | "to" | "kick" if listening => return order(command, argument).map(Line::Order),
        "quit" | "exit" => return Ok(Line::Quit),
        other => {
            return Err(format!(
                "unknown command /{other} (try /help; //text sends /text)"
            ));
        }
    };
    Ok(Line::Send(message))
}

fn order(command: &str, argument: &str) -> Result<Order, String> {
    let client = |id: &str| {
        id.strip_prefix('#')
            .unwrap_or(id)
            .parse::<u32>()
            .map_err(|_| format!("'{id}' is not a client id (see /clients)"))
    };
    match command {
        "clients" => Ok(Order::Clients),
        "to" if argument == "all" => Ok(Order::To(None)),
        "to" if !argument.is_empty() => client(argument).map(|id| Order::To(Some(id))),
        "to" => Err(usage("/to N|all")),
        _ => {
            let (id, close) = argument.split_once(' ').unwrap_or((argument, ""));
            if id.is_empty() {
                return Err(usage("/kick N [code [reason]]"));
            }
            match self::close(close)? {
                Message::Close(Some(frame)) => Ok(Order::Kick(client(id)?, frame)),
                _ => Err(usage("/kick N [code [reason]]")),
            }
        }
    }
}

fn usage(form: &str) -> String {
    format!("usage: {form}")
}

fn control_payload(command: &str, data: &str) -> Result<Vec<u8>, String> {
    if data.len() > 125 {
        return Err(format!("usage: /{command} [data] (data at most 125 bytes)"));
    }
    Ok(data.as_bytes().to_vec())
}

fn close(argument: &str) -> Result<Message, String> {
    let form = || usage("/close [code [reason]], e.g. /close 4000 done");
    if argument.is_empty() {
        return Ok(Message::Close(Some(close_frame(1000, "")?)));
    }
    let (code, reason) = argument.split_once(' ').unwrap_or((argument, ""));
    let code: u16 = code.parse().map_err(|_| form())?;
    let frame = close_frame(code, reason.trim()).map_err(|e| format!("{e}; {}", form()))?;
    Ok(Message::Close(Some(frame)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(line: &str) -> Message {
        match parse(line, true, false) {
            Ok(Line::Send(message)) => message,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn help_lists_the_listeners_commands_only_when_listening() {
        assert!(help(false).starts_with("/ping [data]            send a ping"));
        assert!(!help(false).contains("/kick"));
        assert!(
            help(true).ends_with("/kick N [code [reason]] with -l: close client N (default 1000)")
        );
    }

    #[test]
    fn listener_commands_parse_only_when_listening() {
        let order = |line: &str| match parse(line, true, true) {
            Ok(Line::Order(order)) => order,
            other => panic!("{line}: {other:?}"),
        };
        assert_eq!(order("/clients"), Order::Clients);
        assert_eq!(order("/to 3"), Order::To(Some(3)));
        assert_eq!(order("/to #3"), Order::To(Some(3)));
        assert_eq!(order("/to all"), Order::To(None));
        let frame = |code: u16, reason: &str| CloseFrame {
            code: code.into(),
            reason: reason.into(),
        };
        assert_eq!(order("/kick 2"), Order::Kick(2, frame(1000, "")));
        assert_eq!(
            order("/kick 2 4000 go away"),
            Order::Kick(2, frame(4000, "go away"))
        );
        let error = |line: &str| parse(line, true, true).unwrap_err();
        assert!(error("/to").contains("usage: /to N|all"));
        assert!(error("/to x").contains("'x' is not a client id"));
        assert!(error("/kick").contains("usage: /kick N"));
        assert!(error("/kick 2 99").contains("usage: /close"));
        assert!(
            parse("/clients", true, false)
                .unwrap_err()
                .contains("unknown command /clients")
        );
    }

    #[test]
    fn jq_last_and_save_are_commands_for_the_repl() {
        let line = |text: &str| parse(text, true, false);
        assert_eq!(
            line("/jq  select(.a == \"x  y\") "),
            Ok(Line::Jq(Some("select(.a == \"x  y\")".into())))
        );
        assert_eq!(line("/jq"), Ok(Line::Jq(None)));
        assert_eq!(line("/jq   "), Ok(Line::Jq(None)));
        assert_eq!(line("/last"), Ok(Line::Last));
        assert_eq!(line("/save out.json"), Ok(Line::Save("out.json".into())));
        assert_eq!(line("/save"), Err("usage: /save PATH".into()));
    }

    #[test]
    fn plain_lines_and_escaped_slashes_are_sent_as_typed() {
        let typed = |line: &str, slash| parse(line, slash, false).unwrap();
        assert_eq!(
            typed("hello /ping", true),
            Line::Typed("hello /ping".into())
        );
        assert_eq!(typed("//ping", true), Line::Typed("/ping".into()));
        assert_eq!(typed("/ping", false), Line::Typed("/ping".into()));
    }

    #[test]
    fn commands_make_their_frames() {
        assert_eq!(send("/ping"), Message::Ping(Default::default()));
        assert_eq!(send("/ping abc"), Message::Ping(b"abc".to_vec().into()));
        assert_eq!(send("/pong x"), Message::Pong(b"x".to_vec().into()));
        assert_eq!(
            send("/binary 01 ff7a"),
            Message::binary(vec![1, 0xff, 0x7a])
        );
        assert_eq!(send("/base64 AAE="), Message::binary(vec![0, 1]));
        let close = |code: u16, reason: &str| {
            Message::Close(Some(CloseFrame {
                code: code.into(),
                reason: reason.into(),
            }))
        };
        assert_eq!(send("/close"), close(1000, ""));
        assert_eq!(send("/close 4000 bye now"), close(4000, "bye now"));
        assert_eq!(parse("/help", true, false), Ok(Line::Help));
        assert_eq!(parse("/quit", true, false), Ok(Line::Quit));
    }

    #[test]
    fn files_are_text_when_utf8_and_binary_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("t.json");
        let bytes = dir.path().join("b.bin");
        std::fs::write(&text, "{\"a\": 1}\n").unwrap();
        std::fs::write(&bytes, [0xff, 0]).unwrap();
        assert_eq!(
            send(&format!("/file {}", text.display())),
            Message::text("{\"a\": 1}\n")
        );
        assert_eq!(
            send(&format!("/file {}", bytes.display())),
            Message::binary(vec![0xff, 0])
        );
    }

    #[test]
    fn bad_commands_say_the_right_form() {
        let error = |line: &str| parse(line, true, false).unwrap_err();
        assert!(error("/nope").contains("unknown command /nope"));
        assert!(error("/binary xyz").contains("usage: /binary HEX"));
        assert!(error("/base64 !!").contains("usage: /base64 DATA"));
        assert!(error("/close abc").contains("usage: /close [code [reason]]"));
        assert!(error("/close 1005").contains("1005 is not a close code"));
        assert!(error("/file").contains("usage: /file PATH"));
        assert!(error("/file /nonexistent/x").contains("cannot read"));
        assert!(error(&format!("/ping {}", "x".repeat(126))).contains("at most 125 bytes"));
        assert!(error(&format!("/pong {}", "x".repeat(126))).contains("at most 125 bytes"));
        assert!(error(&format!("/close 1000 {}", "r".repeat(124))).contains("123 bytes"));
    }

    #[test]
    fn control_payloads_at_their_limits_are_sent_whole() {
        let ping = "p".repeat(125);
        assert_eq!(
            send(&format!("/ping {ping}")),
            Message::Ping(ping.clone().into_bytes().into())
        );
        assert_eq!(
            send(&format!("/pong {ping}")),
            Message::Pong(ping.into_bytes().into())
        );
        let reason = "r".repeat(123);
        assert_eq!(
            send(&format!("/close 4000 {reason}")),
            Message::Close(Some(CloseFrame {
                code: 4000.into(),
                reason: reason.into()
            }))
        );
    }
}
