//! The REPL in a real pseudo-terminal, read back through a vt100 screen model.

mod common;

use common::pty::Terminal;
use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// A server that sends `message` when told to, and records everything until the end.
async fn server_sending_on_cue(message: Message) -> (Server<Vec<Message>>, oneshot::Sender<()>) {
    let (cue, wait) = oneshot::channel::<()>();
    let server = ws_server(move |mut ws: Ws| async move {
        let mut received = Vec::new();
        let mut wait = Some(wait);
        loop {
            tokio::select! {
                Ok(()) = async { wait.as_mut().unwrap().await }, if wait.is_some() => {
                    wait = None;
                    ws.send(message.clone()).await.unwrap();
                }
                next = ws.next() => match next {
                    Some(Ok(m)) => received.push(m),
                    _ => break,
                },
            }
        }
        received
    })
    .await;
    (server, cue)
}

fn start(url: &str, extra: &[&str], cols: u16, state: &tempfile::TempDir) -> Terminal {
    let mut args = vec![url];
    args.extend_from_slice(extra);
    Terminal::start(&args, 24, cols, state.path())
}

#[tokio::test]
async fn the_prompt_appears_and_a_typed_line_reaches_the_server_exactly() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal
        .wait_for_text("* connected to ws://127.0.0.1")
        .await;
    terminal.wait_for_prompt().await;
    terminal.keys("hello, server\r");
    terminal.wait_for_text("< hello, server").await;
    terminal.quit_with_ctrl_d().await;
    let received = server.finish().await;
    assert_eq!(
        received,
        [Message::text("hello, server")],
        "no newline, no key codes"
    );
    assert!(terminal.is_cooked());
}

#[tokio::test]
async fn a_message_arriving_while_typing_appears_above_the_half_typed_line() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::text("news from the server")).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("half a li");
    terminal
        .wait_for("the half line", |t| t.cursor_row() == "> half a li")
        .await;
    cue.send(()).unwrap();
    terminal.wait_for_text("< news from the server").await;
    terminal
        .wait_for("the half line redrawn", |t| t.cursor_row() == "> half a li")
        .await;
    let rows = terminal.rows();
    let news = rows
        .iter()
        .position(|r| r == "< news from the server")
        .unwrap();
    let prompt = rows.iter().position(|r| r == "> half a li").unwrap();
    assert!(
        news < prompt,
        "message above the prompt:\n{}",
        terminal.text()
    );
    terminal.keys("ne\r");
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), ["half a line"]);
}

#[tokio::test]
async fn a_half_typed_line_wider_than_the_terminal_survives_an_incoming_message() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::text("interruption")).await;
    let mut terminal = start(&server.url, &[], 30, &state);
    terminal.wait_for_prompt().await;
    let long = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"; // wraps in 30 columns
    terminal.keys(long);
    terminal
        .wait_for("the wrapped line", |t| t.text().contains("wxyzABCDEFGHIJ"))
        .await;
    cue.send(()).unwrap();
    terminal.wait_for_text("< interruption").await;
    terminal
        .wait_for("the wrapped line redrawn below", |t| {
            let text = t.text();
            let at = text.find("< interruption").unwrap();
            text[at..].replace('\n', "").contains(&format!("> {long}"))
        })
        .await;
    terminal.keys("\r");
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), [long]);
}

#[tokio::test]
async fn binary_messages_show_as_a_hex_dump() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::binary(b"AB\x00\xff".to_vec())).await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    cue.send(()).unwrap();
    terminal.wait_for_text("< binary, 4 bytes").await;
    terminal.wait_for_text("00000000  41 42 00 ff").await;
    terminal.wait_for_text("AB..").await;
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn escape_sequences_from_the_server_are_shown_not_obeyed() {
    let state = tempfile::tempdir().unwrap();
    let hostile = "\x1b]0;pwned\x07\x1b[2J\u{202e}evil";
    let (server, cue) = server_sending_on_cue(Message::text(hostile)).await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    cue.send(()).unwrap();
    terminal
        .wait_for_text(r"< \x1b]0;pwned\x07\x1b[2J\u{202e}evil")
        .await;
    let raw = terminal.raw_output();
    assert!(
        !raw.windows(5).any(|w| w == b"\x1b]0;p"),
        "the OSC sequence reached the terminal"
    );
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn slash_ping_shows_the_round_trip() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("/ping hello\r");
    terminal
        .wait_for("the pong", |t| t.text().contains("* pong \"hello\" after "))
        .await;
    assert!(terminal.text().contains(" ms"));
    assert!(
        !terminal.text().contains("ping sent"),
        "outgoing pings only with -P"
    );
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn slash_close_sends_that_code_and_reason() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("/close 4000 bye\r");
    assert_eq!(
        terminal.exit_status().await,
        0,
        "the server's echo acknowledges our close"
    );
    assert_eq!(close_of(&server.finish().await), Some((4000, "bye".into())));
}

#[tokio::test]
async fn an_unknown_command_or_a_bad_argument_says_so_and_sends_nothing() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.enter("/nosuch x").await;
    terminal
        .wait_for_text("! unknown command /nosuch (try /help; //text sends /text)")
        .await;
    terminal.keys("/binary zz\r");
    terminal.wait_for_text("! usage: /binary HEX").await;
    terminal.quit_with_ctrl_d().await;
    let received = server.finish().await;
    assert_eq!(received.len(), 1, "only the close: {received:?}");
}

#[tokio::test]
async fn history_is_there_after_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let first = ws_server(echo).await;
    let mut terminal = start(&first.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("remember me\r");
    terminal.wait_for_text("< remember me").await;
    terminal.quit_with_ctrl_d().await;
    first.finish().await;
    assert!(state.path().join("wsc/history").exists());

    let second = ws_server(echo).await;
    let mut terminal = start(&second.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("\x1b[A"); // Up
    terminal
        .wait_for("the recalled line", |t| t.cursor_row() == "> remember me")
        .await;
    terminal.keys("\r");
    terminal.wait_for_text("< remember me").await;
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&second.finish().await), ["remember me"]);
}

#[tokio::test]
async fn a_server_close_while_waiting_for_input_restores_the_terminal() {
    let state = tempfile::tempdir().unwrap();
    let close = Message::Close(Some(CloseFrame {
        code: 4001.into(),
        reason: "bye now".into(),
    }));
    let (server, cue) = server_sending_on_cue(close).await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    assert!(!terminal.is_cooked(), "rustyline reads in raw mode");
    cue.send(()).unwrap();
    assert_eq!(terminal.exit_status().await, 7);
    terminal
        .wait_for_text("* closed by server: 4001 (application) \"bye now\"")
        .await;
    assert!(terminal.is_cooked(), "echo and canonical mode restored");
    server.finish().await;
}

#[tokio::test]
async fn a_dropped_connection_restores_the_terminal() {
    let state = tempfile::tempdir().unwrap();
    let server = tcp_server(|mut tcp: tokio::net::TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        // Wait for a line, then drop the connection without a close frame.
        let mut byte = [0u8; 1];
        let _ = tokio::io::AsyncReadExt::read(&mut tcp, &mut byte).await;
    })
    .await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("x\r");
    assert_eq!(terminal.exit_status().await, 6);
    terminal.wait_for_text("wsc: error: connection lost").await;
    assert!(terminal.is_cooked(), "echo and canonical mode restored");
    server.finish().await;
}

#[tokio::test]
async fn a_bracketed_paste_of_several_lines_is_one_message() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("\x1b[200~first line\nsecond line\x1b[201~");
    terminal.wait_for_text("second line").await;
    terminal.keys("\r");
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    let received = server.finish().await;
    assert_eq!(texts(&received), ["first line\nsecond line"]);
}

#[tokio::test]
async fn ctrl_c_clears_a_line_and_leaves_on_an_empty_one() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("never sent");
    terminal
        .wait_for("the typed line", |t| t.cursor_row() == "> never sent")
        .await;
    terminal.keys("\x03");
    terminal
        .wait_for("the cleared line", |t| t.cursor_row() == ">")
        .await;
    terminal.keys("\x03");
    assert_eq!(terminal.exit_status().await, 0);
    let received = server.finish().await;
    assert_eq!(received.len(), 1, "nothing but the close: {received:?}");
    assert_eq!(close_of(&received), Some((1000, String::new())));
    assert!(terminal.is_cooked());
}

#[tokio::test]
async fn a_failed_connection_prints_one_error_line_and_no_prompt() {
    let state = tempfile::tempdir().unwrap();
    let (listener, port) = listener().await;
    drop(listener);
    let url = format!("ws://127.0.0.1:{port}/");
    let mut terminal = start(&url, &[], 100, &state);
    assert_eq!(terminal.exit_status().await, 3);
    terminal
        .wait_for_text("wsc: error: cannot connect to 127.0.0.1")
        .await;
    assert!(
        !terminal.text().contains('>'),
        "stray prompt:\n{}",
        terminal.text()
    );
}

/// The SGR sequences in `raw` that set a colour or another attribute (a reset sets none).
fn attributes_set(raw: &str) -> Vec<String> {
    raw.split("\x1b[")
        .skip(1)
        .filter_map(|after| {
            let params: String = after
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .collect();
            let set = after[params.len()..].starts_with('m') && !matches!(&*params, "" | "0");
            set.then(|| format!("\\x1b[{params}m"))
        })
        .collect()
}

#[tokio::test]
async fn no_color_turns_colours_off_and_timestamps_prefix_lines() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &["--no-color", "--timestamps"], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("tick\r");
    terminal.wait_for_text("< tick").await;
    let line = terminal
        .rows()
        .into_iter()
        .find(|r| r.ends_with("< tick"))
        .unwrap();
    let stamp = &line[..12];
    assert!(
        stamp.len() == 12 && stamp.as_bytes()[2] == b':' && stamp.as_bytes()[8] == b'.',
        "HH:MM:SS.mmm prefix in {line:?}"
    );
    let raw = String::from_utf8_lossy(&terminal.raw_output()).into_owned();
    assert_eq!(attributes_set(&raw), Vec::<String>::new(), "in {raw:?}");
    assert_eq!(attributes_set("\x1b[m\x1b[3C\x1b[1;32m"), ["\\x1b[1;32m"]);
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn show_ping_pong_shows_pings_and_pongs_both_ways() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::Ping(b"beat".to_vec().into())).await;
    let mut terminal = start(&server.url, &["-P"], 100, &state);
    terminal.wait_for_prompt().await;
    cue.send(()).unwrap();
    terminal.wait_for_text("* ping \"beat\" (pong sent)").await;
    // And our own, both ways.
    terminal.keys("/ping hi\r");
    terminal.wait_for_text("* ping sent \"hi\"").await;
    terminal.wait_for_text("* pong \"hi\" after ").await;
    terminal.keys("/pong yo\r");
    terminal.wait_for_text("* pong sent \"yo\"").await;
    terminal.quit_with_ctrl_d().await;
    let received = server.finish().await;
    assert!(
        received.contains(&Message::Pong(b"beat".to_vec().into())),
        "{received:?}"
    );
}

#[tokio::test]
async fn without_show_ping_pong_only_a_round_trip_is_shown() {
    let state = tempfile::tempdir().unwrap();
    // Asked to (by a line), a ping and an unasked pong, then a message.
    let server = ws_server(|mut ws: Ws| async move {
        let go = ws.next().await;
        for message in [
            Message::Ping(b"beat".to_vec().into()),
            Message::Pong(b"unasked".to_vec().into()),
            Message::text("after"),
        ] {
            ws.send(message).await.unwrap();
        }
        let mut received = record(ws).await;
        received.extend(go.and_then(Result::ok));
        received
    })
    .await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("go\r");
    terminal.wait_for_text("< after").await;
    terminal.keys("/pong yo\r");
    terminal.keys("/ping hi\r");
    terminal.wait_for_text("* pong \"hi\" after ").await;
    let text = terminal.text();
    let round_trip = regex::Regex::new(r#"\* pong "hi" after [0-9]+\.[0-9] ms"#).unwrap();
    assert!(round_trip.is_match(&text), "{text}");
    for hidden in ["sent", "beat", "unasked"] {
        assert!(!text.contains(hidden), "{hidden}: {text}");
    }
    terminal.quit_with_ctrl_d().await;
    let received = server.finish().await;
    for pong in ["yo", "beat"] {
        let pong = Message::Pong(pong.as_bytes().to_vec().into());
        assert!(received.contains(&pong), "{received:?}");
    }
}

#[tokio::test]
async fn max_time_applies_in_the_repl_too() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &["--max-time", "0.3"], 100, &state);
    terminal.wait_for_prompt().await;
    assert_eq!(terminal.exit_status().await, 8);
    terminal
        .wait_for_text("wsc: error: --max-time of 0.3 s expired")
        .await;
    assert!(terminal.is_cooked(), "echo and canonical mode restored");
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn history_file_and_no_history_decide_where_lines_are_kept() {
    let state = tempfile::tempdir().unwrap();
    let custom = state.path().join("elsewhere/my-history");
    let custom_arg = custom.to_str().unwrap();
    for (flags, kept_in) in [
        (vec!["--history-file", custom_arg], Some(&custom)),
        (vec!["--no-history"], None),
    ] {
        let server = ws_server(echo).await;
        let mut terminal = start(&server.url, &flags, 80, &state);
        terminal.wait_for_prompt().await;
        terminal.keys("kept or not\r");
        terminal.wait_for_text("< kept or not").await;
        terminal.quit_with_ctrl_d().await;
        server.finish().await;
        let default = state.path().join("wsc/history");
        assert!(!default.exists(), "{flags:?} wrote the default history");
        if let Some(path) = kept_in {
            let history = std::fs::read_to_string(path).unwrap();
            assert!(history.contains("kept or not"), "{history:?}");
        }
    }
}

#[tokio::test]
async fn editing_keys_edit_and_are_never_sent() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    // Ctrl-A to the start, Ctrl-E to the end.
    terminal.keys("world\x01hello \x05!\r");
    terminal.wait_for_text("< hello world!").await;
    terminal.wait_for_prompt().await;
    // Ctrl-U kills the line, Ctrl-W the word before the cursor, Left moves.
    terminal.keys("junk\x15a b\x17c\x1b[Dx\r");
    terminal.wait_for_text("< a xc").await;
    terminal.wait_for_prompt().await;
    // Ctrl-R finds an earlier line.
    terminal.keys("\x12hel");
    terminal.wait_for_text("hello world!").await;
    terminal.keys("\r");
    terminal
        .wait_for("the recalled line echoed", |t| {
            t.text().matches("< hello world!").count() == 2
        })
        .await;
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(
        texts(&server.finish().await),
        ["hello world!", "a xc", "hello world!"]
    );
}

#[tokio::test]
async fn a_half_typed_line_survives_a_resize_and_an_incoming_message() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::text("after the resize")).await;
    let mut terminal = start(&server.url, &[], 80, &state);
    terminal.wait_for_prompt().await;
    let line = "a line that will wrap once the window is narrow";
    terminal.keys(line);
    terminal.wait_for_text(line).await;
    terminal.resize(24, 20);
    cue.send(()).unwrap();
    terminal.wait_for_text("< after the resize").await;
    terminal
        .wait_for("the line redrawn below the message", |t| {
            let text = t.text();
            let at = text.find("< after the resize").unwrap();
            // Rows are trimmed, so a space at a wrap point is lost: compare without spaces.
            let below = text[at..].replace(['\n', ' '], "");
            below.contains(&format!(">{}", line.replace(' ', "")))
        })
        .await;
    terminal.keys("\r");
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), [line]);
}

#[tokio::test]
async fn echo_in_a_terminal_sends_nothing_typed() {
    let state = tempfile::tempdir().unwrap();
    let (cue, wait) = oneshot::channel::<()>();
    let server = ws_server(move |mut ws: Ws| async move {
        wait.await.unwrap();
        ws.send(Message::text("mirror me")).await.unwrap();
        let first = ws.next().await;
        ws.close(None).await.unwrap();
        let _ = record(ws).await;
        first
    })
    .await;
    let mut terminal = start(&server.url, &["--echo"], 80, &state);
    terminal.wait_for_text("* connected to").await;
    terminal.keys("typed\r");
    terminal.wait_for_text("typed").await;
    cue.send(()).unwrap();
    assert_eq!(terminal.exit_status().await, 0);
    let first = server.finish().await;
    assert_eq!(
        first.unwrap().unwrap(),
        Message::text("mirror me"),
        "the typed line went out"
    );
}

#[tokio::test]
async fn binary_flag_sends_typed_lines_as_binary_and_slash_commands_still_work() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &["-b"], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.enter("raw bytes").await;
    terminal.enter("//slashed").await;
    terminal.keys("/close 4000 done\r");
    assert_eq!(terminal.exit_status().await, 0);
    let received = server.finish().await;
    assert_eq!(
        received[..2],
        [
            Message::binary(b"raw bytes".to_vec()),
            Message::binary(b"/slashed".to_vec())
        ]
    );
    assert_eq!(close_of(&received), Some((4000, "done".into())));
}

#[tokio::test]
async fn jsonl_reads_typed_lines_as_json_events_and_shows_what_arrives_for_people() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &["--jsonl"], 200, &state);
    terminal.wait_for_text("* connected to").await;
    terminal.wait_for_prompt().await;
    terminal.keys("{\"type\":\"text\",\"data\":\"from json\"}\r");
    terminal.wait_for_text("< from json").await;
    terminal.wait_for_prompt().await;
    terminal.keys("{\"type\":\"binary\",\"base64\":\"AAE=\"}\r");
    terminal.wait_for_text("< binary, 2 bytes").await;
    terminal.wait_for_prompt().await;
    // A bad object is one error line, and the session goes on.
    terminal.keys("{\"type\":\"nope\"}\r");
    terminal
        .wait_for("the error line", |t| {
            t.rows().iter().any(|r| r.starts_with("! "))
        })
        .await;
    terminal.wait_for_prompt().await;
    let rows = terminal.rows();
    let error = rows.iter().position(|r| r.starts_with("! ")).unwrap();
    assert!(
        rows[error + 1].starts_with('>'),
        "one line, then the prompt:\n{}",
        terminal.text()
    );
    terminal.keys("/ping still here\r");
    terminal.wait_for_text("* pong \"still here\" after").await;
    terminal.wait_for_prompt().await;
    assert!(
        !terminal.text().contains("{\"type\":\"open\""),
        "events are shown for people, not as JSON:\n{}",
        terminal.text()
    );
    terminal.quit_with_ctrl_d().await;
    assert_eq!(
        server.finish().await,
        [Message::text("from json"), Message::binary(vec![0, 1])]
    );
}

#[tokio::test]
async fn a_large_binary_message_shows_max_dump_bytes_and_counts_the_rest() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::binary(vec![0x41; 4 << 20])).await;
    let mut terminal = Terminal::start(&[&server.url], 40, 100, state.path());
    terminal.wait_for_prompt().await;
    cue.send(()).unwrap();
    terminal
        .wait_for_text("  … 4193792 more bytes not shown (--max-dump)")
        .await;
    terminal.wait_for_prompt().await;
    let rows = terminal.rows();
    let size = rows
        .iter()
        .position(|r| r == "< binary, 4194304 bytes")
        .unwrap();
    // The default: 512 bytes, 32 rows of 16.
    assert!(rows[size + 1].starts_with("  00000000  41 41"));
    assert!(rows[size + 32].starts_with("  000001f0  41 41"));
    assert_eq!(
        rows[size + 33],
        "  … 4193792 more bytes not shown (--max-dump)"
    );
    assert!(
        !String::from_utf8_lossy(&terminal.raw_output()).contains("00000200"),
        "a row past the limit was printed"
    );
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn max_dump_sets_the_limit_and_zero_shows_only_the_size() {
    let state = tempfile::tempdir().unwrap();
    for (max, rows_after) in [("20", 3), ("0", 0)] {
        let (server, cue) = server_sending_on_cue(Message::binary(vec![0x41; 100])).await;
        let mut terminal = start(&server.url, &["--max-dump", max], 100, &state);
        terminal.wait_for_prompt().await;
        cue.send(()).unwrap();
        terminal.wait_for_text("< binary, 100 bytes").await;
        terminal.wait_for_prompt().await;
        let rows = terminal.rows();
        let size = rows
            .iter()
            .position(|r| r == "< binary, 100 bytes")
            .unwrap();
        let prompt = rows.iter().rposition(|r| r == ">").unwrap();
        assert_eq!(
            prompt - size - 1,
            rows_after,
            "--max-dump {max}:\n{}",
            terminal.text()
        );
        if rows_after > 0 {
            assert_eq!(
                rows[size + 2],
                "  00000010  41 41 41 41                                       AAAA"
            );
            assert_eq!(rows[size + 3], "  … 80 more bytes not shown (--max-dump)");
        }
        terminal.quit_with_ctrl_d().await;
        server.finish().await;
    }
}

/// What wsc wrote after the last `needle`, as text.
fn raw_after(terminal: &Terminal, needle: &str) -> String {
    let raw = String::from_utf8_lossy(&terminal.raw_output()).into_owned();
    let at = raw
        .rfind(needle)
        .unwrap_or_else(|| panic!("{needle:?} never written"));
    raw[at + needle.len()..].to_string()
}

#[tokio::test]
async fn a_server_close_is_shown_once_with_the_stats_line_under_it_and_no_prompt() {
    let state = tempfile::tempdir().unwrap();
    let close = Message::Close(Some(CloseFrame {
        code: 4001.into(),
        reason: "bye now".into(),
    }));
    let (server, cue) = server_sending_on_cue(close).await;
    let mut terminal = start(&server.url, &["--stats", "--no-color"], 200, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("half a li");
    terminal
        .wait_for("the half line", |t| t.cursor_row() == "> half a li")
        .await;
    cue.send(()).unwrap();
    assert_eq!(terminal.exit_status().await, 7, "the status still says it");
    let close_line = "* closed by server: 4001 (application) \"bye now\"";
    terminal.wait_for_text("wsc: stats: ").await;
    let rows = terminal.rows();
    let text = terminal.text();
    assert_eq!(text.matches("closed by server").count(), 1, "{text}");
    assert!(
        !text.contains("wsc: error"),
        "not repeated as an error:\n{text}"
    );
    let close = rows.iter().position(|r| r == close_line).unwrap();
    assert_eq!(
        rows[close - 1],
        "> half a li",
        "the last prompt stays above"
    );
    assert!(
        rows[close + 1].starts_with("wsc: stats: "),
        "the stats line on its own row under the close line:\n{text}"
    );
    assert!(rows[close + 2..].iter().all(|r| r.is_empty()), "{text}");
    assert!(
        !raw_after(&terminal, "bye now").contains("> "),
        "a prompt was drawn after the close line"
    );
    assert!(terminal.is_cooked());
    server.finish().await;
}

#[tokio::test]
async fn leaving_says_the_close_was_ours() {
    let state = tempfile::tempdir().unwrap();
    for (keys, close_line) in [
        ("\x04", "* closed: 1000 (normal), by you"),
        ("/quit\r", "* closed: 1000 (normal), by you"),
        (
            "/close 4000 done\r",
            "* closed: 4000 (application) \"done\", by you",
        ),
    ] {
        let server = ws_server(echo).await;
        let mut terminal = start(&server.url, &["--no-color"], 100, &state);
        terminal.wait_for_prompt().await;
        terminal.keys(keys);
        assert_eq!(terminal.exit_status().await, 0, "{keys:?}");
        terminal.wait_for_text(close_line).await;
        let text = terminal.text();
        assert!(!text.contains("closed by server"), "{text}");
        assert!(
            !raw_after(&terminal, close_line).contains("> "),
            "{keys:?}: a prompt was drawn after the close line"
        );
        server.finish().await;
    }
}

#[tokio::test]
async fn a_server_close_leaves_a_wrapped_half_line_whole_above_the_close_line() {
    let state = tempfile::tempdir().unwrap();
    let (server, cue) = server_sending_on_cue(Message::Close(None)).await;
    let mut terminal = start(&server.url, &["--no-color"], 30, &state);
    terminal.wait_for_prompt().await;
    let long = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"; // wraps in 30 columns
    terminal.keys(long);
    terminal.wait_for_text("wxyzABCDEFGHIJ").await;
    // The cursor back on the first row of the line.
    terminal.keys("\x01");
    terminal
        .wait_for("the cursor at the start", |t| {
            t.screen_cursor().1 == 2 && t.cursor_row().starts_with("> 0123")
        })
        .await;
    cue.send(()).unwrap();
    assert_eq!(terminal.exit_status().await, 0);
    terminal
        .wait_for("the close line", |t| {
            t.text()
                .replace('\n', "")
                .contains("* closed by server without a status code")
        })
        .await;
    let rows = terminal.rows();
    let close = rows
        .iter()
        .position(|r| r.starts_with("* closed by server"))
        .unwrap();
    assert_eq!(
        rows[close - 2..close].concat(),
        format!("> {long}"),
        "the half line, whole:\n{}",
        terminal.text()
    );
    server.finish().await;
}

#[tokio::test]
async fn execute_in_a_terminal_sends_prints_the_replies_and_exits_without_a_prompt() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &["-x", "hello", "--no-color"], 100, &state);
    terminal.wait_for_text("< hello").await;
    // Keys typed meanwhile are not read, let alone sent.
    terminal.keys("typed\r");
    assert_eq!(terminal.exit_status().await, 0);
    terminal
        .wait_for_text("* closed: 1000 (normal), by you")
        .await;
    assert!(
        !String::from_utf8_lossy(&terminal.raw_output()).contains("> "),
        "a prompt was drawn:\n{}",
        terminal.text()
    );
    assert_eq!(texts(&server.finish().await), ["hello"]);
}

#[tokio::test]
async fn interactive_opens_the_prompt_after_the_execute_messages() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &["-x", "hello", "-i"], 100, &state);
    terminal.wait_for_text("< hello").await;
    terminal.wait_for_prompt().await;
    let rows = terminal.rows();
    let reply = rows.iter().position(|r| r == "< hello").unwrap();
    let prompt = rows.iter().position(|r| r == ">").unwrap();
    assert!(
        reply < prompt,
        "the reply above the prompt:\n{}",
        terminal.text()
    );
    terminal.keys("more\r");
    terminal.wait_for_text("< more").await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), ["hello", "more"]);
}

#[tokio::test]
async fn interactive_without_a_terminal_says_it_is_ignored() {
    let server = ws_server(echo).await;
    let run = wsc([server.url.as_str(), "-x", "hi", "-i", "-w", "0"])
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(
        run.stderr,
        "wsc: warning: --interactive applies to the REPL only (stdin and stdout are not both terminals)\n"
    );
    assert_eq!(run.stdout_text(), "hi\n");
    server.finish().await;
}

#[tokio::test]
async fn an_unwritable_history_file_is_one_warning_at_the_start() {
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    // Neither can be written, even by root: a path under a file, and a directory.
    for (path, why) in [
        (file.join("history"), "not a directory"),
        (state.path().to_path_buf(), "is a directory"),
    ] {
        let server = ws_server(echo).await;
        let path_arg = path.to_str().unwrap();
        let mut terminal = start(&server.url, &["--history-file", path_arg], 200, &state);
        terminal.wait_for_prompt().await;
        terminal.keys("still works\r");
        terminal.wait_for_text("< still works").await;
        terminal.wait_for_prompt().await;
        let warning = format!(
            "wsc: warning: cannot write history file '{path_arg}': {why}; history will not be saved"
        );
        let rows = terminal.rows();
        assert_eq!(rows[0], warning, "at the start:\n{}", terminal.text());
        assert_eq!(
            terminal.text().matches("wsc: warning").count(),
            1,
            "once:\n{}",
            terminal.text()
        );
        terminal.quit_with_ctrl_d().await;
        server.finish().await;
    }
}

/// An echo server that also sends `message` when told to.
async fn echo_and_send_on_cue(message: Message) -> (Server<Vec<Message>>, oneshot::Sender<()>) {
    let (cue, wait) = oneshot::channel::<()>();
    let server = ws_server(move |mut ws: Ws| async move {
        let mut received = Vec::new();
        let mut wait = Some(wait);
        loop {
            tokio::select! {
                Ok(()) = async { wait.as_mut().unwrap().await }, if wait.is_some() => {
                    wait = None;
                    ws.send(message.clone()).await.unwrap();
                }
                next = ws.next() => match next {
                    Some(Ok(m)) if m.is_text() => {
                        received.push(m.clone());
                        ws.send(m).await.unwrap();
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        received
    })
    .await;
    (server, cue)
}

#[tokio::test]
async fn widening_a_reflowing_terminal_erases_nothing_above_a_wrapped_half_line() {
    let long = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"; // two rows in 30 columns
    // A pasted line is drawn in one piece, which the terminal wraps (and later joins) itself; a
    // typed one crosses the margin one character at a time.
    let pasted = format!("\x1b[200~{long}\x1b[201~");
    for keys in [pasted.as_str(), long] {
        let state = tempfile::tempdir().unwrap();
        let (server, cue) = echo_and_send_on_cue(Message::text("after the resize")).await;
        let mut terminal = start(&server.url, &["--no-color"], 30, &state);
        terminal.wait_for_prompt().await;
        terminal.enter("first").await;
        terminal.wait_for_text("< first").await;
        terminal.wait_for_prompt().await;
        terminal.keys(keys);
        terminal.wait_for_text("wxyzABCDEFGHIJ").await;
        let written = terminal.raw_output().len();
        terminal.resize_reflowing(24, 100);
        // rustyline redraws its line after the resize.
        terminal
            .wait_for("the redraw", |t| t.raw_output().len() > written)
            .await;
        cue.send(()).unwrap();
        terminal.wait_for_text("< after the resize").await;
        terminal
            .wait_for("the line redrawn", |t| {
                t.cursor_row() == format!("> {long}")
            })
            .await;
        let rows: Vec<String> = terminal
            .rows()
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(
            rows[1..],
            [
                "> first".to_string(),
                "< first".into(),
                "< after the resize".into(),
                format!("> {long}")
            ],
            "{keys:?}: every line kept, in order, no fragment:\n{}",
            terminal.text()
        );
        terminal.keys("\r");
        terminal.wait_for_text(&format!("< {long}")).await;
        terminal.wait_for_prompt().await;
        terminal.quit_with_ctrl_d().await;
        assert_eq!(texts(&server.finish().await), ["first", long]);
    }
}

#[tokio::test]
async fn widening_a_terminal_that_does_not_reflow_erases_nothing_either() {
    let state = tempfile::tempdir().unwrap();
    let long = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"; // two rows in 30 columns
    let (server, cue) = echo_and_send_on_cue(Message::text("after the resize")).await;
    let mut terminal = start(&server.url, &["--no-color"], 30, &state);
    terminal.wait_for_prompt().await;
    terminal.enter("first").await;
    terminal.wait_for_text("< first").await;
    terminal.wait_for_prompt().await;
    terminal.keys(&format!("\x1b[200~{long}\x1b[201~"));
    terminal.wait_for_text("wxyzABCDEFGHIJ").await;
    let written = terminal.raw_output().len();
    // As xterm does: rows are padded, not joined.
    terminal.resize(24, 100);
    terminal
        .wait_for("the redraw", |t| t.raw_output().len() > written)
        .await;
    cue.send(()).unwrap();
    terminal.wait_for_text("< after the resize").await;
    terminal
        .wait_for("the line redrawn", |t| {
            t.cursor_row() == format!("> {long}")
        })
        .await;
    let rows = terminal.rows();
    let first = rows.iter().position(|r| r == "< first");
    let after = rows.iter().position(|r| r == "< after the resize");
    assert!(
        first.is_some() && first < after,
        "nothing above the line erased (a fragment of the line may stay):\n{}",
        terminal.text()
    );
    terminal.keys("\r");
    terminal.wait_for_text(&format!("< {long}")).await;
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), ["first", long]);
}

#[tokio::test]
async fn sigterm_and_sighup_end_the_repl_with_close_1001_and_a_restored_terminal() {
    use nix::sys::signal::Signal;
    for (signal, status) in [(Signal::SIGTERM, 143), (Signal::SIGHUP, 129)] {
        let state = tempfile::tempdir().unwrap();
        let server = ws_server(record).await;
        let mut terminal = start(&server.url, &["--no-color"], 80, &state);
        terminal.wait_for_prompt().await;
        terminal.signal(signal);
        assert_eq!(terminal.exit_status().await, status, "{signal}");
        assert!(terminal.is_cooked(), "{signal}");
        assert_eq!(
            close_of(&server.finish().await),
            Some((1001, "going away".to_string())),
            "{signal}"
        );
    }
}

#[tokio::test]
async fn lines_typed_ahead_in_one_burst_are_all_sent() {
    // A paste without bracketed paste, or fast typing: three lines reach wsc in one read.
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(record).await;
    let mut terminal = start(&server.url, &["--no-color"], 80, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("abc\rdef\rghi\r");
    terminal
        .wait_for("the third line taken", |t| t.text().contains("> ghi"))
        .await;
    terminal.quit_with_ctrl_d().await;
    assert_eq!(texts(&server.finish().await), ["abc", "def", "ghi"]);
}

#[tokio::test]
async fn leaving_closes_at_once_even_when_told_to_wait_for_the_server() {
    let state = tempfile::tempdir().unwrap();
    // -w -1 waits for the server to close once the input ends: leaving must not wait.
    for keys in ["\x04", "/quit\r"] {
        let server = ws_server(record).await;
        let mut terminal = start(&server.url, &["-w", "-1"], 100, &state);
        terminal.wait_for_prompt().await;
        terminal.keys(keys);
        assert_eq!(terminal.exit_status().await, 0, "{keys:?}");
        assert_eq!(
            close_of(&server.finish().await),
            Some((1000, String::new())),
            "{keys:?}"
        );
    }
}

#[tokio::test]
async fn slash_last_shows_the_last_message_again_or_says_there_is_none() {
    let state = tempfile::tempdir().unwrap();
    let server = ws_server(echo).await;
    let mut terminal = start(&server.url, &[], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.enter("/last").await;
    terminal
        .wait_for_text("! /last: no message has arrived yet")
        .await;
    terminal.enter("hello").await;
    terminal.wait_for_text("< hello").await;
    terminal.enter("/last").await;
    terminal
        .wait_for("the message shown again", |t| {
            t.rows().iter().filter(|r| *r == "< hello").count() == 2
        })
        .await;
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn after_slash_close_no_prompt_is_drawn_while_the_server_answers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let state = tempfile::tempdir().unwrap();
    let (seen, close_seen) = oneshot::channel();
    let (answer, cue) = oneshot::channel::<()>();
    // Holds its answer to our Close until told to.
    let server = tcp_server(move |mut tcp| async move {
        raw_upgrade(&mut tcp, "").await;
        // Close 4000 "bye", masked: 2 + 4 + 5 bytes.
        let mut close = [0u8; 11];
        tcp.read_exact(&mut close).await.expect("the Close");
        let _ = seen.send(client_frames(&close));
        let _ = cue.await;
        // Answered, the server drops the connection first (RFC 6455 §7.1.1).
        tcp.write_all(&frame(0x88, b"\x0f\xa0bye")).await.unwrap();
    })
    .await;
    let mut terminal = start(&server.url, &["--no-color"], 100, &state);
    terminal.wait_for_prompt().await;
    terminal.keys("/close 4000 bye\r");
    let frames = within("the Close", close_seen).await.unwrap();
    assert_eq!(frames, [(8, b"\x0f\xa0bye".to_vec())]);
    // The REPL gave the terminal back as it sent the Close, and reads no more lines.
    assert!(
        terminal.is_cooked(),
        "the terminal is cooked during the close"
    );
    let _ = answer.send(());
    assert_eq!(terminal.exit_status().await, 0);
    let close_line = "* closed: 4000 (application) \"bye\", by you";
    terminal.wait_for_text(close_line).await;
    let after_typed = raw_after(&terminal, "/close 4000 bye");
    let before_close = &after_typed[..after_typed.find(close_line).unwrap()];
    assert!(
        !before_close.contains("> "),
        "a prompt was drawn while closing: {before_close:?}"
    );
    server.finish().await;
}
