//! The pipe-mode contract (DESIGN.md): every line sent once and in order, stdout carries
//! payloads only, replies are waited for, and the close handshake ends the session.

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn lines_are_sent_without_line_endings_and_echoes_printed() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url]).stdin("one\r\ntwo\n\nlast").run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "one\ntwo\n\nlast\n");
    assert_eq!(run.stderr, "");
    assert_eq!(texts(&server.finish().await), ["one", "two", "", "last"]);
}

#[tokio::test]
async fn a_hundred_thousand_lines_arrive_once_and_in_order() {
    let server = ws_server(echo).await;
    let input: String = (0..100_000).map(|i| format!("message {i}\n")).collect();
    let run = wsc([&server.url]).stdin(input.clone()).run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), input, "echoes lost or reordered");
    let received = texts(&server.finish().await);
    assert_eq!(received.len(), 100_000);
    assert!(
        received
            .iter()
            .enumerate()
            .all(|(i, m)| *m == format!("message {i}"))
    );
}

#[tokio::test]
async fn the_quiet_wait_counts_from_the_last_message_received() {
    // The replies come 1.2 s apart: the last 3.6 s after the input ended, more than -w 3 from
    // there, but never 3 s without a message. wsc must not close before the last.
    let server = ws_server(|mut ws: Ws| async move {
        let mut seen = Vec::new();
        while seen.len() < 3 {
            match ws.next().await {
                Some(Ok(message)) if message.is_text() => seen.push(message),
                other => panic!("a line expected: {other:?}"),
            }
        }
        for message in &seen {
            tokio::select! {
                early = ws.next() => panic!("before the reply to {message}: {early:?}"),
                () = tokio::time::sleep(Duration::from_millis(1200)) => {}
            }
            let reply = format!("late {}", message.to_text().unwrap());
            ws.send(Message::text(reply)).await.unwrap();
        }
        record(ws).await;
        seen
    })
    .await;
    let run = wsc([&server.url, "-w", "3"]).stdin("a\nb\nc\n").run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["late a", "late b", "late c"]);
    assert_eq!(texts(&server.finish().await), ["a", "b", "c"]);
}

#[tokio::test]
async fn lines_piped_before_the_server_accepts_are_all_sent() {
    let (listener, port) = listener().await;
    let (input_written, accept_now) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        // Not accepting until wsc's whole input is written and closed.
        accept_now.await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        echo(tokio_tungstenite::accept_async(tcp).await.unwrap()).await
    });
    let mut child = wsc([format!("ws://127.0.0.1:{port}/")]).spawn();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"early 1\nearly 2\n").await.unwrap();
    drop(stdin);
    input_written.send(()).unwrap();
    let run = finish(child).await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["early 1", "early 2"]);
    assert_eq!(
        texts(&within("server", server).await.unwrap()),
        ["early 1", "early 2"]
    );
}

#[tokio::test]
async fn execute_messages_go_first() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "-x", "first", "--execute", "second"])
        .stdin("third\n")
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(texts(&server.finish().await), ["first", "second", "third"]);
}

#[tokio::test]
async fn binary_lines_round_trip_as_binary_messages() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "--binary"])
        .stdin(b"\x00\xff\x01\nraw\n".to_vec())
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"\x00\xff\x01raw");
    let received = server.finish().await;
    assert_eq!(
        received,
        [
            Message::binary(vec![0, 0xff, 1]),
            Message::binary(b"raw".to_vec())
        ]
    );
}

#[tokio::test]
async fn invalid_utf8_in_text_mode_names_the_line_and_sends_nothing_after_it() {
    let server = ws_server(record).await;
    let run = wsc([&server.url])
        .stdin(b"good\n\xc3\x28\nafter\n".to_vec())
        .run()
        .await;
    run.assert_status(1)
        .assert_error("stdin line 2 is not valid UTF-8");
    let received = server.finish().await;
    assert_eq!(texts(&received), ["good"]);
    assert_eq!(close_of(&received), Some((1000, String::new())));
}

#[tokio::test]
async fn a_bad_jsonl_line_is_named_in_words_without_serde_internals() {
    let server = ws_server(record).await;
    let run = wsc([&server.url, "--jsonl"])
        .stdin("{\"type\":\"text\",\"data\":\"good\"}\n{\"type\":1}\nafter\n")
        .run()
        .await;
    run.assert_status(1);
    assert_eq!(
        run.stderr,
        "wsc: error: stdin line 2: \"type\" must be one of text, binary, ping, pong, close\n"
    );
    let received = server.finish().await;
    assert_eq!(texts(&received), ["good"]);
}

#[tokio::test]
async fn jsonl_scripts_every_frame_type_and_prints_events() {
    let server = ws_server(|mut ws: Ws| async move {
        let mut seen = Vec::new();
        while let Some(Ok(message)) = ws.next().await {
            seen.push(message.clone());
            match message {
                Message::Text(_) | Message::Binary(_) => ws.send(message).await.unwrap(),
                Message::Pong(_) => ws
                    .send(Message::Ping(b"srv".to_vec().into()))
                    .await
                    .unwrap(),
                _ => {}
            }
        }
        seen
    })
    .await;
    let script = concat!(
        r#"{"type":"text","data":"hi \"there\""}"#,
        "\n",
        r#"{"type":"binary","base64":"AAE="}"#,
        "\n",
        r#"{"type":"pong","base64":"cA=="}"#,
        "\n",
        r#"{"type":"ping","base64":"cGluZw=="}"#,
        "\n",
    );
    let run = wsc([&server.url, "--jsonl"]).stdin(script).run().await;
    run.assert_status(0);
    let events: Vec<serde_json::Value> = run
        .stdout_lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "open");
    assert_eq!(events[0]["status"], 101);
    assert_eq!(events[0]["subprotocol"], serde_json::Value::Null);
    let rest: Vec<&serde_json::Value> = events[1..].iter().collect();
    assert!(
        rest.contains(&&serde_json::json!({"type":"text","data":"hi \"there\""})),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&serde_json::json!({"type":"binary","base64":"AAE="})),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&serde_json::json!({"type":"ping","base64":"c3J2"})),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&serde_json::json!({"type":"pong","base64":"cGluZw=="})),
        "{rest:?}"
    );
    assert_eq!(
        events.last().unwrap(),
        &serde_json::json!({"type":"close","code":1000,"reason":""})
    );
    let received = server.finish().await;
    assert_eq!(received[0], Message::text("hi \"there\""));
    assert_eq!(received[1], Message::binary(vec![0, 1]));
    assert_eq!(received[2], Message::Pong(b"p".to_vec().into()));
    assert_eq!(received[3], Message::Ping(b"ping".to_vec().into()));
}

#[tokio::test]
async fn jsonl_close_sends_that_code_and_reason() {
    let server = ws_server(record).await;
    let run = wsc([&server.url, "--jsonl"])
        .stdin("{\"type\":\"text\",\"data\":\"x\"}\n{\"type\":\"close\",\"code\":4000,\"reason\":\"done\"}\n")
        .run()
        .await;
    // The server's echo of 4000 acknowledges our Close: a clean end.
    run.assert_status(0);
    let received = server.finish().await;
    assert_eq!(texts(&received), ["x"]);
    assert_eq!(close_of(&received), Some((4000, "done".to_string())));
}

#[tokio::test]
async fn wait_zero_closes_right_after_the_input() {
    let server = ws_server(record).await;
    let run = wsc([&server.url, "-w", "0"]).stdin("only\n").run().await;
    run.assert_status(0);
    let received = server.finish().await;
    assert_eq!(texts(&received), ["only"]);
    assert_eq!(close_of(&received), Some((1000, String::new())));
}

#[tokio::test]
async fn wait_minus_one_waits_for_the_server_to_close() {
    let server = ws_server(|mut ws: Ws| async move {
        let first = ws.next().await;
        // Well past the default one-second wait (the margin is on the side of passing: a
        // loaded machine only makes wsc's wait look shorter).
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ws.send(Message::text("finally")).await.unwrap();
        ws.close(None).await.unwrap();
        first
    })
    .await;
    let run = wsc([&server.url, "-w", "-1"]).stdin("go\n").run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["finally"]);
    server.finish().await;
}

#[tokio::test]
async fn count_closes_once_enough_messages_arrived() {
    let server = ws_server(|mut ws: Ws| async move {
        for i in 0..5 {
            ws.send(Message::text(format!("m{i}"))).await.unwrap();
        }
        record(ws).await
    })
    .await;
    let run = wsc([&server.url, "--count", "3"]).stdin("").run().await;
    run.assert_status(0);
    assert_eq!(&run.stdout_lines()[..3], ["m0", "m1", "m2"]);
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn count_not_reached_before_the_server_closes_is_status_8() {
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("only one")).await.unwrap();
        ws.close(None).await.unwrap();
        record(ws).await
    })
    .await;
    let run = wsc([&server.url, "--count", "2"]).stdin("").run().await;
    run.assert_status(8)
        .assert_error("--count 2 not reached; 1 message received; the server closed first");
    assert_eq!(run.stdout_lines(), ["only one"]);
    server.finish().await;
}

#[tokio::test]
async fn a_closed_stdout_ends_quietly_with_status_0() {
    let server = ws_server(|mut ws: Ws| async move {
        // Far more than a pipe buffer holds, so wsc must notice that nobody reads.
        for i in 0..200_000 {
            if ws
                .feed(Message::text(format!("line {i} {}", "x".repeat(64))))
                .await
                .is_err()
            {
                break;
            }
        }
        let _ = ws.flush().await;
        record(ws).await
    })
    .await;
    let mut child = wsc([&server.url, "-w", "-1"]).spawn();
    // Read one line, then close our end of wsc's stdout, as `| head -1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 6];
    tokio::io::AsyncReadExt::read_exact(&mut stdout, &mut first)
        .await
        .unwrap();
    drop(stdout);
    let run = finish(child).await;
    assert_eq!(&first, b"line 0");
    run.assert_status(0);
    assert_eq!(run.stderr, "", "no message, no panic");
    server.finish().await;
}

#[tokio::test]
async fn a_large_line_arrives_as_one_message() {
    let server = ws_server(echo).await;
    // Over the fragment size, and not a multiple of it.
    let line: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|i| (i % 251) as u8)
        .filter(|b| *b != b'\n')
        .collect();
    let mut input = line.clone();
    input.push(b'\n');
    let run = wsc([&server.url, "--binary"]).stdin(input).run().await;
    run.assert_status(0);
    assert_eq!(run.stdout, line);
    assert_eq!(server.finish().await, [Message::binary(line)]);
}

#[tokio::test]
async fn a_flood_of_messages_is_printed_completely_and_in_order() {
    let server = ws_server(|mut ws: Ws| async move {
        // Queued all at once, so that many frames are ready in each read.
        for i in 0..50_000 {
            ws.feed(Message::text(format!("flood {i}"))).await.unwrap();
        }
        ws.close(None).await.unwrap();
        record(ws).await
    })
    .await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(0);
    let want: String = (0..50_000).map(|i| format!("flood {i}\n")).collect();
    assert_eq!(run.stdout_text(), want);
    server.finish().await;
}

#[tokio::test]
async fn color_changes_the_colours_of_the_events_on_stderr_never_stdout() {
    for force in [["--color", "always"], ["--color", "auto"]] {
        let server = ws_server(echo).await;
        let mut command = wsc([&server.url, "-v", force[0], force[1]]).stdin("hi\n");
        if force[1] == "auto" {
            command = command.env("CLICOLOR_FORCE", "1");
        }
        let run = command.run().await;
        run.assert_status(0);
        assert_eq!(
            run.stdout, b"hi\n",
            "stdout holds the data only ({force:?})"
        );
        assert!(
            run.stderr
                .contains("\x1b[1;33m*\x1b[0m \x1b[33mconnected to"),
            "events coloured on stderr ({force:?}): {:?}",
            run.stderr
        );
        server.finish().await;
    }
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "-v", "--color", "always", "--no-color"])
        .stdin("hi\n")
        .run()
        .await;
    assert_eq!(run.stdout, b"hi\n");
    assert!(run.stderr.contains("* connected to") && !run.stderr.contains('\x1b'));
    server.finish().await;
}

/// A server that sends a ping with this payload, an unasked pong, then a message.
async fn pinging(ping: &'static [u8]) -> Server<Vec<Message>> {
    ws_server(move |mut ws: Ws| async move {
        for message in [
            Message::Ping(ping.to_vec().into()),
            Message::Pong(b"unasked".to_vec().into()),
            Message::text("data"),
        ] {
            ws.send(message).await.unwrap();
        }
        record(ws).await
    })
    .await
}

#[tokio::test]
async fn show_ping_pong_puts_pings_on_stderr_without_verbose_and_escapes_them() {
    let server = pinging(b"beat\x1b[31m").await;
    let run = wsc([&server.url, "-P"]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"data\n");
    assert_eq!(
        run.stderr, "* ping \"beat\\x1b[31m\" (pong sent)\n* pong \"unasked\"\n",
        "the ping, escaped, the pong, and no other event without -v"
    );
    server.finish().await;
}

#[tokio::test]
async fn verbose_shows_pings_and_pongs_on_stderr_without_show_ping_pong() {
    let server = pinging(b"beat").await;
    let run = wsc([&server.url, "-v"]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"data\n");
    for event in ["* ping \"beat\" (pong sent)\n", "* pong \"unasked\"\n"] {
        assert!(run.stderr.contains(event), "{event:?} in {:?}", run.stderr);
    }
    server.finish().await;
}

#[tokio::test]
async fn pings_and_pongs_are_not_shown_without_show_ping_pong() {
    let server = pinging(b"beat").await;
    let run = wsc([&server.url]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"data\n");
    assert_eq!(run.stderr, "");
    let received = server.finish().await;
    assert!(
        received.contains(&Message::Pong(b"beat".to_vec().into())),
        "answered all the same: {received:?}"
    );
}

#[tokio::test]
async fn timestamps_prefix_stderr_events_and_stamp_json_lines() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "-v", "--timestamps"])
        .stdin("hi\n")
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"hi\n");
    let stamp = regex::Regex::new(r"^\d\d:\d\d:\d\d\.\d{3} \* (connected|closed)").unwrap();
    let events: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("* connected") || l.contains("* closed"))
        .collect();
    assert!(
        events.len() >= 2 && events.iter().all(|l| stamp.is_match(l)),
        "{:?}",
        run.stderr
    );
    server.finish().await;

    let server = ws_server(echo).await;
    let run = wsc([&server.url, "--jsonl", "--timestamps"])
        .stdin("{\"type\":\"text\",\"data\":\"hi\"}\n")
        .run()
        .await;
    run.assert_status(0);
    let ts = regex::Regex::new(r#","ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"}$"#).unwrap();
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 3, "open, text, close: {lines:?}");
    assert!(lines[1].starts_with(r#"{"type":"text","data":"hi","ts":"#));
    assert!(lines.iter().all(|l| ts.is_match(l)), "{lines:?}");
    server.finish().await;
}

#[tokio::test]
async fn with_jsonl_the_pings_we_send_show_on_stderr_with_show_ping_pong() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "--jsonl", "-P"])
        .stdin("{\"type\":\"ping\",\"base64\":\"aGk=\"}\n")
        .run()
        .await;
    run.assert_status(0);
    // What was received is on stdout as JSON; what we sent is not data, so it is an event.
    assert!(
        run.stdout_text()
            .contains("{\"type\":\"pong\",\"base64\":\"aGk=\"}\n"),
        "{}",
        run.stdout_text()
    );
    assert_eq!(run.stderr, "* ping sent \"hi\"\n");
    server.finish().await;
}

#[tokio::test]
async fn binary_with_jsonl_is_a_usage_error_not_silently_ignored() {
    let (listener, port) = listener().await;
    let run = wsc([format!("ws://127.0.0.1:{port}/").as_str(), "-b", "--jsonl"])
        .run()
        .await;
    run.assert_status(2)
        .assert_error("'--binary' cannot be used with '--jsonl'");
    assert_no_connection(listener).await;
}

/// A server that sends text with escape sequences and binary with control bytes, then closes.
async fn hostile_server() -> Server<()> {
    ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("\x1b]0;pwned\x07red\x1b[31m"))
            .await
            .unwrap();
        ws.send(Message::binary(b"\x00\x1b[2J\xff".to_vec()))
            .await
            .unwrap();
        ws.close(None).await.unwrap();
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await
}

/// Runs wsc with stdin not a terminal (so pipe mode) and stdout a terminal, as `echo hi | wsc URL` typed
/// in a shell; returns its status and what reached the terminal.
fn with_stdout_on_a_terminal(args: &[&str]) -> (i32, Vec<u8>) {
    use std::io::Read;
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wsc"))
        .args(args)
        .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(pty.slave))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("wsc starts");
    let status = child.wait().expect("wsc ends").code().unwrap_or(-1);
    // Everything written is in the terminal's buffer; reading past it fails once the writer is
    // gone (EIO), which ends the read.
    let mut shown = Vec::new();
    let _ = std::fs::File::from(pty.master).read_to_end(&mut shown);
    (status, shown)
}

#[tokio::test]
async fn with_stdout_on_a_terminal_server_text_and_binary_are_escaped() {
    let server = hostile_server().await;
    let url = server.url.clone();
    let (status, shown) = within(
        "wsc",
        tokio::task::spawn_blocking(move || with_stdout_on_a_terminal(&[&url, "-w", "-1"])),
    )
    .await
    .unwrap();
    assert_eq!(status, 0);
    let shown = String::from_utf8_lossy(&shown).replace("\r\n", "\n");
    assert_eq!(
        shown,
        "\\x1b]0;pwned\\x07red\\x1b[31m\n\\x00\\x1b[2J\\xff\n"
    );
    server.finish().await;
}

#[tokio::test]
async fn a_pipe_gets_control_bytes_unchanged() {
    let server = hostile_server().await;
    let run = wsc([&server.url, "-w", "-1"]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"\x1b]0;pwned\x07red\x1b[31m\n\x00\x1b[2J\xff");
    server.finish().await;
}

#[tokio::test]
async fn stdin_that_cannot_be_read_is_status_1_in_words() {
    let server = ws_server(record).await;
    // A directory opens, but reading it fails (EISDIR).
    let directory = std::env::temp_dir();
    let run = wsc([&server.url]).stdin_file(&directory).run().await;
    run.assert_status(1)
        .assert_error("cannot read stdin: is a directory");
    server.finish().await;
}

#[tokio::test]
async fn with_stdin_on_a_terminal_and_stdout_a_pipe_there_is_no_prompt_and_lines_are_sent() {
    // `wsc URL | tee log` typed in a shell: not the REPL (stdout is not a terminal), so lines
    // typed are read as a pipe's and Ctrl-D ends the input.
    use std::io::{Read, Write};
    let server = ws_server(echo).await;
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wsc"))
        .args([&server.url, "-w", "0"])
        .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
        .stdin(std::process::Stdio::from(pty.slave))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("wsc starts");
    let mut master = std::fs::File::from(pty.master);
    // The terminal is in its cooked mode: a line, then Ctrl-D at the start of a line.
    master.write_all(b"typed line\n\x04").unwrap();
    let (status, stdout) = within(
        "wsc",
        tokio::task::spawn_blocking(move || {
            let mut stdout = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            (child.wait().unwrap().code(), stdout)
        }),
    )
    .await
    .unwrap();
    assert_eq!(status, Some(0));
    assert_eq!(stdout, "typed line\n");
    // Only the terminal's own echo of the keys came back: no prompt, no raw mode. (Not
    // blocking: whatever is there is there, since wsc has exited.)
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    fcntl(&master, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).expect("non-blocking");
    let mut shown = vec![0u8; 4096];
    let n = master.read(&mut shown).unwrap_or(0);
    let shown = String::from_utf8_lossy(&shown[..n]);
    assert!(!shown.contains("> "), "a prompt was drawn: {shown:?}");
    assert_eq!(texts(&server.finish().await), ["typed line"]);
}

#[tokio::test]
async fn a_message_reaches_stdout_while_the_session_goes_on() {
    // `wsc URL | grep …` on a feed: each message must be written out once the socket goes
    // quiet, not when wsc exits. The server sends its second message only after the test has
    // read the first from wsc's stdout.
    use tokio::io::AsyncBufReadExt;
    let (read_first, first_read) = tokio::sync::oneshot::channel::<()>();
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("first")).await.unwrap();
        first_read.await.unwrap();
        ws.send(Message::text("second")).await.unwrap();
        ws.close(None).await.unwrap();
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    let mut child = wsc([&server.url, "-w", "-1"]).stdin_null().spawn();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = within("the first line", lines.next_line()).await.unwrap();
    assert_eq!(first.as_deref(), Some("first"));
    read_first.send(()).unwrap();
    let second = within("the second line", lines.next_line()).await.unwrap();
    assert_eq!(second.as_deref(), Some("second"));
    let status = within("wsc", child.wait()).await.unwrap();
    assert_eq!(status.code(), Some(0));
    server.finish().await;
}
