//! --heartbeat MSG --every SECS: an application message on a timer, seen by the server at the
//! period, counted apart in --stats, shown with -P, recorded as wsc's own, sent again after a
//! reconnect; and the usage errors when one flag comes without the other.

mod common;

use std::time::{Duration, Instant};

use common::{Message, Ws, listener, within, wsc};
use futures_util::StreamExt;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// Reads until `n` text messages have come, each with when it came; then closes with 1000.
async fn heartbeats_then_close(mut ws: Ws, n: usize) -> Vec<(Instant, String)> {
    let mut got = Vec::new();
    while got.len() < n {
        match within("a heartbeat", ws.next()).await {
            Some(Ok(Message::Text(text))) => got.push((Instant::now(), text.to_string())),
            Some(Ok(_)) => {}
            other => panic!("after {got:?}: {other:?}"),
        }
    }
    let frame = CloseFrame {
        code: 1000.into(),
        reason: "".into(),
    };
    let _ = within("close", ws.close(Some(frame))).await;
    // Anything sent before our Close was seen is still counted.
    while let Some(Ok(message)) = within("the close answer", ws.next()).await {
        if let Message::Text(text) = message {
            got.push((Instant::now(), text.to_string()));
        }
    }
    got
}

#[tokio::test]
async fn heartbeats_come_at_the_period_counted_shown_and_recorded_apart_from_messages() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.jsonl");
    let server = common::ws_server(|ws| heartbeats_then_close(ws, 4)).await;
    let started = Instant::now();
    // Input ends at once; -w -1 waits for the server, heartbeats going on meanwhile.
    let run = wsc([
        server.url.as_str(),
        "--heartbeat",
        r#"{"op":"hb"}"#,
        "--every",
        "0.1",
        "-w",
        "-1",
        "-P",
        "--stats",
        "--record",
        path.to_str().unwrap(),
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    let got = server.finish().await;
    let n = got.len();
    assert!(n >= 4, "{got:?}");
    assert!(got.iter().all(|(_, text)| text == r#"{"op":"hb"}"#));
    // One per period at most: the k-th no earlier than k periods after wsc started.
    for (k, (at, _)) in got.iter().enumerate() {
        let after = at.duration_since(started);
        assert!(
            after >= Duration::from_millis(100) * (k as u32 + 1),
            "heartbeat {k} after {after:?}"
        );
    }
    // -P shows each; --stats counts them, not as messages.
    let shown = run
        .stderr
        .lines()
        .filter(|line| *line == r#"* heartbeat sent "{\"op\":\"hb\"}""#)
        .count();
    assert_eq!(shown, n, "{}", run.stderr);
    let stats = run.stderr.lines().last().unwrap_or_default();
    assert!(
        stats.contains("; sent 0 messages (0 bytes); ")
            && stats.contains(&format!("; {n} heartbeats; ")),
        "{stats}"
    );
    // Recorded as wsc's own, so that a replay leaves them out.
    let recording = std::fs::read_to_string(&path).expect("recording");
    let recorded = recording
        .lines()
        .filter(|line| {
            line.contains(
                r#""dir":"out","type":"text","data":"{\"op\":\"hb\"}","auto":"heartbeat"}"#,
            )
        })
        .count();
    assert_eq!(recorded, n, "{recording}");
    assert!(
        run.stdout.is_empty(),
        "heartbeats are not printed on stdout"
    );
}

#[tokio::test]
async fn a_quiet_wait_after_the_input_sends_no_heartbeats_so_echoed_ones_cannot_keep_it_open() {
    // An echo server answers every heartbeat: were they sent in -w's quiet wait, it would never
    // be quiet.
    let server = common::ws_server(common::echo).await;
    let run = wsc([
        server.url.as_str(),
        "--heartbeat",
        "hb",
        "--every",
        "0.05",
        "-x",
        "hi",
        "-w",
        "0.5",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines()[0], "hi");
    server.finish().await;
}

/// The next connection's upgrade.
async fn accept(listener: &TcpListener) -> Ws {
    let (tcp, _) = within("a connection", listener.accept())
        .await
        .expect("accept");
    within("upgrade", tokio_tungstenite::accept_async(tcp))
        .await
        .expect("upgrade")
}

#[tokio::test]
async fn heartbeats_go_on_after_a_reconnect() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let server = tokio::spawn(async move {
        // Two heartbeats, then the connection is dropped; two more on the next, then a Close.
        let mut first = accept(&listener).await;
        let mut before = 0;
        while before < 2 {
            if let Some(Ok(Message::Text(_))) = within("a heartbeat", first.next()).await {
                before += 1;
            }
        }
        drop(first);
        let second = accept(&listener).await;
        heartbeats_then_close(second, 2).await
    });
    let run = wsc([
        url.as_str(),
        "--reconnect",
        "--heartbeat",
        "hb",
        "--every",
        "0.1",
        "-w",
        "-1",
        "--stats",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    let after = within("server", server).await.expect("server");
    assert!(after.len() >= 2, "{after:?}");
    let stats = run.stderr.lines().last().unwrap_or_default();
    assert!(stats.contains("; 1 reconnect; "), "{stats}");
}

#[tokio::test]
async fn heartbeat_and_every_each_need_the_other_and_every_is_more_than_0() {
    let table: [(&[&str], &str); 4] = [
        (
            &["--heartbeat", "hb"],
            "--heartbeat needs --every SECS (how often to send it)",
        ),
        (
            &["--every", "5"],
            "--every needs --heartbeat MSG (what to send every SECS seconds)",
        ),
        (
            &["--heartbeat", "hb", "--every", "0"],
            "--every must be more than 0",
        ),
        (
            &["--heartbeat", "hb", "--every", "soon"],
            "--every takes a number of seconds, not 'soon'",
        ),
    ];
    for (args, words) in table {
        let mut all = vec!["ws://127.0.0.1:9/"];
        all.extend_from_slice(args);
        let run = wsc(all).stdin_null().run().await;
        run.assert_status(2)
            .assert_error(&format!("wsc: error: {words}"));
    }
}
