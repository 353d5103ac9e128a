//! CI options: expectations, time limits, keepalive pings and the Close wsc sends.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;

/// A server that answers each text message with `replies`, then keeps the connection open
/// until the client closes.
async fn replying(replies: &'static [&'static str]) -> Server<Vec<Message>> {
    ws_server(move |mut ws: Ws| async move {
        let mut received = Vec::new();
        while let Some(Ok(message)) = ws.next().await {
            if message.is_text() {
                for reply in replies {
                    ws.send(Message::text(*reply)).await.unwrap();
                }
            }
            received.push(message);
        }
        received
    })
    .await
}

#[tokio::test]
async fn an_expectation_met_ends_the_session_at_once_with_status_0() {
    let server = replying(&[r#"{"op":"pong"}"#]).await;
    // The server never closes: only the expectation can end this before --max-time.
    let run = wsc([
        &server.url,
        "-x",
        r#"{"op":"ping"}"#,
        "--expect",
        "pong",
        "--max-time",
        "20",
    ])
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), [r#"{"op":"pong"}"#]);
    let received = server.finish().await;
    assert_eq!(texts(&received), [r#"{"op":"ping"}"#]);
    assert_eq!(close_of(&received), Some((1000, String::new())));
}

#[tokio::test]
async fn a_binary_message_meets_an_expectation_by_its_bytes() {
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::binary(b"ready".to_vec())).await.unwrap();
        record(ws).await
    })
    .await;
    let run = wsc([&server.url, "--expect", "^ready$", "--max-time", "20"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn patterns_are_matched_in_order() {
    // The first beta comes before alpha and does not count: matched in any order, the goals
    // would be met at alpha and the second beta never printed.
    let server = replying(&["beta", "alpha", "beta", "after"]).await;
    let run = wsc([
        &server.url,
        "-x",
        "go",
        "--expect",
        "^alpha$",
        "--expect",
        "^beta$",
    ])
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["beta", "alpha", "beta"]);
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn an_expectation_not_met_before_the_server_closes_is_status_8() {
    let server = ws_server(|mut ws: Ws| async move {
        let _ = ws.next().await;
        for reply in ["alpha", "beta"] {
            ws.send(Message::text(reply)).await.unwrap();
        }
        ws.close(None).await.unwrap();
        record(ws).await
    })
    .await;
    let run = wsc([
        &server.url,
        "-x",
        "go",
        "--expect",
        "beta",
        "--expect",
        "alpha",
    ])
    .run()
    .await;
    run.assert_status(8)
        .assert_error("--expect pattern 2 of 2 (alpha) not matched; 2 messages received");
    server.finish().await;
}

#[tokio::test]
async fn an_invalid_pattern_is_a_usage_error() {
    let (listener, port) = listener().await;
    let run = wsc([&format!("ws://127.0.0.1:{port}/"), "--expect", "(unclosed"])
        .run()
        .await;
    run.assert_status(2)
        .assert_error("invalid --expect pattern '(unclosed'");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn max_time_ends_a_session_that_would_go_on() {
    let server = ws_server(record).await;
    let run = wsc([&server.url, "-w", "-1", "--max-time", "0.3"])
        .run()
        .await;
    run.assert_status(8)
        .assert_error("--max-time of 0.3 s expired");
    assert_eq!(
        close_of(&server.finish().await),
        Some((1000, String::new()))
    );
}

#[tokio::test]
async fn max_time_also_bounds_the_connection() {
    let server = tcp_server(|mut tcp: TcpStream| async move {
        // Accepts, never answers the upgrade.
        read_to_end(&mut tcp).await
    })
    .await;
    let run = wsc([&server.url, "--max-time", "0.3", "--expect", "ok"])
        .run()
        .await;
    // The same words as when the limit ends a session: what was missing, then the limit.
    run.assert_status(8).assert_error(
        "--expect pattern 1 of 1 (ok) not matched; 0 messages received; --max-time of 0.3 s \
         expired while waiting for the server",
    );
    server.finish().await;
}

#[tokio::test]
async fn idle_timeout_ends_a_quiet_session() {
    let server = ws_server(|mut ws: Ws| async move {
        // Two quick messages, then silence.
        ws.send(Message::text("one")).await.unwrap();
        ws.send(Message::text("two")).await.unwrap();
        record(ws).await
    })
    .await;
    let run = wsc([&server.url, "-w", "-1", "--idle-timeout", "0.3"])
        .run()
        .await;
    run.assert_status(8)
        .assert_error("--idle-timeout: no message either way for 0.3 s");
    assert_eq!(run.stdout_lines(), ["one", "two"]);
    server.finish().await;
}

/// Answers pings (tungstenite does) and closes after the `n`th; how many came in all.
async fn closing_after_pings(n: usize) -> Server<usize> {
    ws_server(move |mut ws: Ws| async move {
        let mut pings = 0;
        while let Some(Ok(message)) = ws.next().await {
            if message.is_ping() {
                pings += 1;
                if pings == n {
                    // The pong tungstenite queued must go before the close.
                    ws.flush().await.unwrap();
                    ws.close(None).await.unwrap();
                }
            }
        }
        pings
    })
    .await
}

/// wsc with keepalive pings every `interval` seconds, each pong due within `timeout`.
async fn keepalive(server: &Server<usize>, interval: &str, timeout: &str) -> Run {
    let args = [
        "-w",
        "-1",
        "--ping-interval",
        interval,
        "--ping-timeout",
        timeout,
    ];
    wsc(std::iter::once(server.url.as_str()).chain(args))
        .run()
        .await
}

#[tokio::test]
async fn keepalive_pings_go_out_and_their_pongs_keep_the_session_alive() {
    let server = closing_after_pings(3).await;
    keepalive(&server, "0.05", "5").await.assert_status(0);
    assert!(server.finish().await >= 3);
}

#[tokio::test]
async fn each_pong_clears_the_deadline_so_a_session_outlives_the_ping_timeout() {
    // Eight pings 0.25 s apart take 1.75 s at least, past a 1 s timeout counted from the first:
    // only pongs that clear the deadline keep the session alive that long.
    let server = closing_after_pings(8).await;
    keepalive(&server, "0.25", "1").await.assert_status(0);
    assert!(server.finish().await >= 8);
}

#[tokio::test]
async fn traffic_postpones_the_idle_timeout() {
    // A message every 0.5 s for 3 s, under a 2 s idle limit counted from the last one: wsc's
    // Close comes only after the sixth, then the quiet ends the session. The server watches for
    // that Close between ticks (wsc would still print ticks that arrive while it closes).
    let server = ws_server(|mut ws: Ws| async move {
        for i in 0..6 {
            ws.send(Message::text(format!("tick {i}"))).await.unwrap();
            let quiet = std::time::Duration::from_millis(500);
            if let Ok(Some(Ok(Message::Close(_)))) = tokio::time::timeout(quiet, ws.next()).await {
                return Some(i);
            }
        }
        record(ws).await;
        None
    })
    .await;
    let run = wsc([&server.url, "-w", "-1", "--idle-timeout", "2"])
        .run()
        .await;
    run.assert_status(8)
        .assert_error("--idle-timeout: no message either way for 2 s");
    assert_eq!(run.stdout_lines().len(), 6, "{:?}", run.stdout_lines());
    assert_eq!(server.finish().await, None, "closed after that tick");
}

#[tokio::test]
async fn an_explicit_wait_replaces_the_goals_default_quiet_wait() {
    // One reply, then silence: --count 3 is never reached, and -w 0.5 (not the 5 s default)
    // decides when to stop waiting.
    for goal in [&["--count", "3"][..], &["--expect", "never"][..]] {
        let server = replying(&["only"]).await;
        let mut args = vec![server.url.as_str(), "-x", "go", "-w", "0.5"];
        args.extend_from_slice(goal);
        let run = wsc(args).run().await;
        run.assert_status(8)
            .assert_error("nothing arrived for 0.5 s after the input ended (-w)");
        assert_eq!(run.stdout_lines(), ["only"]);
        server.finish().await;
    }
}

#[tokio::test]
async fn a_server_that_stops_answering_pings_is_presumed_dead() {
    let server = tcp_server(|mut tcp: TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        // Reads everything (the pings too) and answers nothing.
        client_frames(&read_to_end(&mut tcp).await)
    })
    .await;
    let run = wsc([
        &server.url,
        "-w",
        "-1",
        "--ping-interval",
        "0.1",
        "--ping-timeout",
        "0.2",
    ])
    .run()
    .await;
    run.assert_status(6)
        .assert_error("no pong within 0.2 s; connection presumed dead");
    let frames = server.finish().await;
    assert!(
        frames.iter().any(|(opcode, _)| *opcode == 9),
        "a ping was sent: {frames:?}"
    );
}

#[tokio::test]
async fn close_code_and_reason_are_what_the_server_sees() {
    let server = ws_server(record).await;
    let run = wsc([
        &server.url,
        "-w",
        "0",
        "--close-code",
        "4321",
        "--close-reason",
        "all done",
    ])
    .stdin("x\n")
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(
        close_of(&server.finish().await),
        Some((4321, "all done".into()))
    );
}

#[tokio::test]
async fn close_codes_that_may_not_be_sent_are_usage_errors() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    for code in ["1005", "1006", "999", "1015", "5000"] {
        let run = wsc([&url, "--close-code", code]).run().await;
        run.assert_status(2)
            .assert_error(&format!("{code} is not a close code that may be sent"));
    }
    let long = "r".repeat(124);
    let run = wsc([&url, "--close-reason", &long]).run().await;
    run.assert_status(2)
        .assert_error("close reason over 123 bytes");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_close_reason_of_exactly_123_bytes_is_sent_whole() {
    let server = ws_server(record).await;
    let reason = "r".repeat(123);
    let run = wsc([&server.url, "--close-reason", &reason, "-w", "0"])
        .stdin("x\n")
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(close_of(&server.finish().await), Some((1000, reason)));
}
