//! Every ending explained (issue 9): waits for --count/--expect are bounded and an unmet one
//! names what was missing whatever ended it, --count prints exactly N, input left unsent is not
//! a success, and SIGTERM/SIGHUP close like SIGINT.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// A server that never closes on its own and echoes what it gets.
async fn echo_forever() -> Server<Vec<Message>> {
    ws_server(echo).await
}

#[tokio::test]
async fn expect_without_a_match_ends_after_the_default_quiet_wait_with_status_8() {
    let server = echo_forever().await;
    // No -w: the default wait for --expect is bounded (five seconds of quiet).
    let run = wsc([&server.url, "-x", "x", "--expect", "nomatch"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(8).assert_error(
        "--expect pattern 1 of 1 (nomatch) not matched; 1 message received; nothing arrived \
         for 5 s after the input ended (-w)",
    );
    assert_eq!(run.stdout_lines(), ["x"]);
    server.finish().await;
}

#[tokio::test]
async fn count_not_reached_ends_after_the_default_quiet_wait_with_status_8() {
    let server = echo_forever().await;
    let run = wsc([&server.url, "--count", "3"])
        .stdin("one\n")
        .run()
        .await;
    run.assert_status(8).assert_error(
        "--count 3 not reached; 1 message received; nothing arrived for 5 s after the input \
         ended (-w)",
    );
    assert_eq!(run.stdout_lines(), ["one"]);
    server.finish().await;
}

#[tokio::test]
async fn max_time_names_the_pattern_that_was_not_matched() {
    let server = echo_forever().await;
    let run = wsc([&server.url, "--expect", "nomatch", "--max-time", "0.5"])
        .stdin("one\n")
        .run()
        .await;
    run.assert_status(8).assert_error(
        "--expect pattern 1 of 1 (nomatch) not matched; 1 message received; --max-time of \
         0.5 s expired",
    );
    server.finish().await;
}

#[tokio::test]
async fn idle_timeout_names_the_count_that_was_not_reached() {
    let server = echo_forever().await;
    let run = wsc([
        &server.url,
        "--count",
        "2",
        "-w",
        "-1",
        "--idle-timeout",
        "0.3",
    ])
    .stdin("one\n")
    .run()
    .await;
    run.assert_status(8).assert_error(
        "--count 2 not reached; 1 message received; --idle-timeout: no message either way \
         for 0.3 s",
    );
    server.finish().await;
}

/// A server that sends `n` messages at once, then waits for the client's Close.
async fn flood(n: usize) -> Server<Vec<Message>> {
    ws_server(move |mut ws: Ws| async move {
        for i in 0..n {
            if ws.feed(Message::text(format!("m{i}"))).await.is_err() {
                break;
            }
        }
        let _ = ws.flush().await;
        record(ws).await
    })
    .await
}

#[tokio::test]
async fn count_prints_exactly_n_messages_even_when_more_are_in_flight() {
    let server = flood(100_000).await;
    let run = wsc([&server.url, "--count", "3"]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["m0", "m1", "m2"]);
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn dash_one_prints_one_message_like_websocat() {
    let server = flood(1000).await;
    let run = wsc([&server.url, "-1"]).stdin_null().run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["m0"]);
    server.finish().await;
}

#[tokio::test]
async fn count_is_met_while_input_is_still_being_sent() {
    // stdin stays open: only the count can end this session.
    let server = echo_forever().await;
    let mut child = wsc([&server.url, "--count", "2"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"a\nb\nc\n").await.unwrap();
    let run = finish(child).await;
    drop(stdin);
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["a", "b"]);
    server.finish().await;
}

#[tokio::test]
async fn count_zero_is_a_usage_error() {
    let (listener, port) = listener().await;
    let run = wsc([format!("ws://127.0.0.1:{port}/").as_str(), "--count", "0"])
        .run()
        .await;
    run.assert_status(2)
        .assert_error("invalid value '0' for '--count <N>': must be a whole number of 1 or more");
    assert_no_connection(listener).await;
}

/// A server that takes one message and closes with 1000.
async fn closing_after_one() -> Server<Vec<Message>> {
    ws_server(|mut ws: Ws| async move {
        let first = ws.next().await;
        ws.close(Some(CloseFrame {
            code: 1000.into(),
            reason: "enough".into(),
        }))
        .await
        .unwrap();
        let mut got: Vec<Message> = first.into_iter().flatten().collect();
        got.extend(record(ws).await);
        got
    })
    .await
}

#[tokio::test]
async fn a_clean_close_before_stdin_ended_is_status_9_not_success() {
    let server = closing_after_one().await;
    let mut child = wsc([&server.url]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"first\n").await.unwrap();
    // stdin stays open: there may be more to send, and the server has gone.
    let run = finish(child).await;
    drop(stdin);
    run.assert_status(9)
        .assert_error("the server closed before all input was sent: stdin had not ended");
    assert_eq!(texts(&server.finish().await), ["first"]);
}

#[tokio::test]
async fn a_clean_close_after_all_input_was_sent_is_success() {
    let server = closing_after_one().await;
    let run = wsc([&server.url]).stdin("only\n").run().await;
    run.assert_status(0);
    assert_eq!(texts(&server.finish().await), ["only"]);
}

/// Starts wsc against a server that greets it, waits for the greeting, sends `signal`, and
/// returns the run and the Close the server received.
async fn signalled(signal: nix::sys::signal::Signal) -> (Run, Option<(u16, String)>) {
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("ready")).await.unwrap();
        record(ws).await
    })
    .await;
    let mut child = wsc([&server.url, "-w", "-1"]).spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut ready = [0u8; 6];
    within(
        "the greeting",
        tokio::io::AsyncReadExt::read_exact(&mut stdout, &mut ready),
    )
    .await
    .unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id().expect("pid") as i32);
    nix::sys::signal::kill(pid, signal).unwrap();
    let run = finish(child).await;
    (run, close_of(&server.finish().await))
}

#[tokio::test]
async fn signals_close_with_1001_going_away_and_exit_128_plus_their_number() {
    use nix::sys::signal::Signal;
    for (signal, status) in [
        (Signal::SIGINT, 130),
        (Signal::SIGTERM, 143),
        (Signal::SIGHUP, 129),
    ] {
        let (run, close) = signalled(signal).await;
        run.assert_status(status);
        assert_eq!(run.stderr, "", "{signal}");
        assert_eq!(close, Some((1001, "going away".to_string())), "{signal}");
    }
}

#[tokio::test]
async fn lines_left_unsent_are_counted_when_the_server_closes_at_once() {
    // Closes right after the upgrade, then reads nothing more until wsc has ended: stdin is a
    // file of 2,000,000 lines (14 MB), far more than socket buffers take, so however slowly wsc
    // comes to read the Close (a loaded machine), lines are left that never go out.
    let (ended, wsc_ended) = tokio::sync::oneshot::channel::<()>();
    let server = ws_server(|mut ws: Ws| async move {
        ws.close(None).await.unwrap();
        let _ = wsc_ended.await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("lines");
    std::fs::write(
        &input,
        (0..2_000_000).map(|i| format!("{i}\n")).collect::<String>(),
    )
    .unwrap();
    let run = wsc([&server.url]).stdin_file(&input).run().await;
    let _ = ended.send(());
    run.assert_status(9);
    let count = regex::Regex::new(concat!(
        r"^wsc: error: the server closed before all input was sent: ",
        r"(at least )?[1-9][0-9]* lines? not sent"
    ))
    .unwrap();
    assert!(count.is_match(&run.stderr), "{}", run.stderr);
    server.finish().await;
}

#[tokio::test]
async fn unsent_input_is_told_with_the_servers_code_when_it_is_not_normal() {
    let server = ws_server(|mut ws: Ws| async move {
        let first = ws.next().await;
        ws.close(Some(CloseFrame {
            code: 4001.into(),
            reason: "no more".into(),
        }))
        .await
        .unwrap();
        let _ = record(ws).await;
        first
    })
    .await;
    let mut child = wsc([&server.url]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"first\n").await.unwrap();
    let run = finish(child).await;
    drop(stdin);
    run.assert_status(7).assert_error(
        "closed by server: 4001 (application) \"no more\"; input left unsent: stdin had not ended",
    );
    server.finish().await;
}

#[tokio::test]
async fn after_a_signal_the_close_handshake_is_bounded_and_a_second_signal_ends_it() {
    use nix::sys::signal::{Signal, kill};
    // A server that never answers a Close: it reports the Close it got, then keeps the
    // connection open and silent.
    let (got_close, close_seen) = tokio::sync::oneshot::channel();
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("ready")).await.unwrap();
        let mut got_close = Some(got_close);
        while let Some(Ok(message)) = ws.next().await {
            if let (Message::Close(frame), Some(tell)) = (message, got_close.take()) {
                let _ = tell.send(frame.map(|f| u16::from(f.code)));
                std::future::pending::<()>().await;
            }
        }
    })
    .await;
    // Long enough that only the second signal can end the wait within the test's deadline.
    let mut child = wsc([&server.url, "-w", "-1", "--close-timeout", "3600"]).spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut ready = [0u8; 6];
    within(
        "the greeting",
        tokio::io::AsyncReadExt::read_exact(&mut stdout, &mut ready),
    )
    .await
    .unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id().expect("pid") as i32);
    kill(pid, Signal::SIGTERM).unwrap();
    assert_eq!(within("the Close", close_seen).await, Ok(Some(1001)));
    kill(pid, Signal::SIGTERM).unwrap();
    let run = finish(child).await;
    run.assert_status(143);

    // With the default close timeout, one signal is enough: the wait is bounded.
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("ready")).await.unwrap();
        std::future::pending::<()>().await;
    })
    .await;
    let mut child = wsc([&server.url, "-w", "-1", "--close-timeout", "0.2"]).spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    within(
        "the greeting",
        tokio::io::AsyncReadExt::read_exact(&mut stdout, &mut ready),
    )
    .await
    .unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id().expect("pid") as i32);
    kill(pid, Signal::SIGHUP).unwrap();
    finish(child).await.assert_status(129);
}

#[tokio::test]
async fn a_connection_reset_is_a_lost_connection_with_status_6() {
    // The server upgrades, takes wsc's first message (so wsc is past the upgrade), then resets
    // the connection (RST, not FIN): a read error for wsc.
    let server = tcp_server(|mut tcp| async move {
        raw_upgrade(&mut tcp, "").await;
        let mut hello = [0u8; 2 + 4 + 5];
        within("wsc's message", tcp.read_exact(&mut hello))
            .await
            .expect("message");
        tcp.set_zero_linger().expect("linger");
    })
    .await;
    let run = wsc([&server.url, "-x", "hello", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    server.finish().await;
    run.assert_status(6)
        .assert_error("connection lost: connection reset by peer");
}

/// The REPL (with `extra` flags) against a server that closes with 4000 once the prompt is up:
/// what the terminal shows once `last` is there, after wsc exited 7 and restored the terminal.
async fn repl_closed_by_the_server(extra: &[&str], last: &str) -> String {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let state = tempfile::tempdir().unwrap();
    let mut args = vec![url.as_str(), "--color", "never"];
    args.extend_from_slice(extra);
    let mut terminal = pty::Terminal::start(&args, 24, 100, state.path());
    let (mut ws, _) = accept(&listener).await;
    terminal.wait_for_prompt().await;
    let close = CloseFrame {
        code: 4000.into(),
        reason: "bye".into(),
    };
    within("close", ws.close(Some(close))).await.expect("close");
    while let Some(Ok(_)) = within("close answer", ws.next()).await {}
    // The server ends the TCP connection first, as RFC 6455 asks: wsc need not wait for it.
    drop(ws);
    assert_eq!(terminal.exit_status().await, 7);
    terminal.wait_for_text(last).await;
    assert!(terminal.is_cooked(), "echo and canonical mode restored");
    terminal.text()
}

#[tokio::test]
async fn a_server_close_ends_the_repl_with_status_7_and_says_so_once() {
    // The close line says it all (code, name, reason): no error line repeats it.
    let said = "closed by server: 4000 (application) \"bye\"";
    let text = repl_closed_by_the_server(&[], said).await;
    assert_eq!(text.matches(said).count(), 1, "{text}");
    assert!(!text.contains("wsc: error"), "{text}");
    // With --reconnect the close line shows as any other and cannot tell that the run is over:
    // the error line under it does.
    let text = repl_closed_by_the_server(&["--reconnect"], &format!("wsc: error: {said}")).await;
    assert!(text.contains(&format!("* {said}")), "{text}");
}
