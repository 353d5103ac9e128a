//! --record and --replay: what a recording holds (every frame both ways, reconnects), a
//! recording replayed against the same server (the same messages, in order, with their gaps as
//! the server measures them, scaled by --replay-speed), a replay as a regression test with
//! --expect, and the errors: a bad recording, a recording that cannot be written, a server that
//! closes before the replay is done.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Message, Ws, accept, listener, within, wsc};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The recording's lines as JSON objects; each has a valid "ts" (UTC, milliseconds), in order.
fn recording(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("recording");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let mut last = None;
    for line in &lines {
        let ts = line["ts"]
            .as_str()
            .unwrap_or_else(|| panic!("no ts: {line}"));
        assert!(ts.len() == 24 && ts.ends_with('Z'), "{ts}");
        let time = chrono::DateTime::parse_from_rfc3339(ts).expect("RFC 3339");
        assert!(
            last.is_none_or(|last| last <= time),
            "time went back: {line}"
        );
        last = Some(time);
        assert!(
            matches!(line["dir"].as_str(), Some("in" | "out" | "conn")),
            "{line}"
        );
    }
    lines
}

/// The lines of one direction and type, without their "ts".
fn of(lines: &[Value], dir: &str, kind: &str) -> Vec<Value> {
    lines
        .iter()
        .filter(|line| line["dir"] == dir && line["type"] == kind)
        .map(|line| {
            let mut line = line.clone();
            line.as_object_mut().expect("object").remove("ts");
            line
        })
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

/// A server that pings first and echoes text and binary messages until the client closes; it
/// says when its ping has been answered.
async fn pinging_echo(mut ws: Ws, answered: mpsc::UnboundedSender<()>) {
    ws.send(Message::Ping(b"sp".to_vec().into()))
        .await
        .expect("ping");
    while let Some(Ok(message)) = ws.next().await {
        match message {
            Message::Pong(data) if data.as_ref() == b"sp" => {
                let _ = answered.send(());
            }
            Message::Text(_) | Message::Binary(_) if ws.send(message.clone()).await.is_err() => {
                break;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_recording_holds_every_frame_both_ways_with_its_time_and_direction() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("session.jsonl");
    let (answered_tx, mut answered) = mpsc::unbounded_channel();
    let server = common::ws_server(|ws| pinging_echo(ws, answered_tx)).await;
    let mut child = wsc([
        server.url.as_str(),
        "--jsonl",
        "--record",
        path.to_str().unwrap(),
    ])
    .spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    // Each frame type from the input; the input's own Close once the server's ping has been
    // answered (else it might come first, and a closed connection answers no ping).
    let input = r#"{"type":"text","data":"hello"}
{"type":"binary","base64":"AAH/"}
{"type":"ping","base64":"cA=="}
{"type":"pong","base64":"dQ=="}
"#;
    within("write", stdin.write_all(input.as_bytes()))
        .await
        .expect("stdin");
    within("the pong", answered.recv()).await;
    let close = "{\"type\":\"close\",\"code\":4000,\"reason\":\"bye\"}\n";
    within("write", stdin.write_all(close.as_bytes()))
        .await
        .expect("stdin");
    drop(stdin);
    common::finish(child).await.assert_status(0);
    let url = server.url.clone();
    server.finish().await;
    let lines = recording(&path);
    assert_eq!(lines[0]["dir"], "conn");
    assert_eq!(lines[0]["type"], "open");
    assert_eq!(lines[0]["status"], 101);
    assert_eq!(lines[0]["url"], url.as_str());
    assert_eq!(
        of(&lines, "out", "text"),
        [json(r#"{"dir":"out","type":"text","data":"hello"}"#)]
    );
    assert_eq!(
        of(&lines, "in", "text"),
        [json(r#"{"dir":"in","type":"text","data":"hello"}"#)]
    );
    assert_eq!(
        of(&lines, "out", "binary"),
        [json(r#"{"dir":"out","type":"binary","base64":"AAH/"}"#)]
    );
    assert_eq!(
        of(&lines, "in", "binary"),
        [json(r#"{"dir":"in","type":"binary","base64":"AAH/"}"#)]
    );
    assert_eq!(
        of(&lines, "out", "ping"),
        [json(r#"{"dir":"out","type":"ping","base64":"cA=="}"#)]
    );
    assert_eq!(
        of(&lines, "in", "pong"),
        [json(r#"{"dir":"in","type":"pong","base64":"cA=="}"#)]
    );
    assert_eq!(
        of(&lines, "in", "ping"),
        [json(r#"{"dir":"in","type":"ping","base64":"c3A="}"#)]
    );
    // The input's pong, and wsc's answer to the server's ping marked as its own.
    let pongs = of(&lines, "out", "pong");
    assert_eq!(pongs.len(), 2, "{lines:?}");
    assert!(pongs.contains(&json(r#"{"dir":"out","type":"pong","base64":"dQ=="}"#)));
    assert!(pongs.contains(&json(
        r#"{"dir":"out","type":"pong","base64":"c3A=","auto":"pong"}"#
    )));
    assert_eq!(
        of(&lines, "out", "close"),
        [json(
            r#"{"dir":"out","type":"close","code":4000,"reason":"bye"}"#
        )]
    );
    assert_eq!(
        of(&lines, "in", "close"),
        [json(
            r#"{"dir":"in","type":"close","code":4000,"reason":"bye"}"#
        )]
    );
    assert_eq!(lines.last().unwrap()["type"], "close");
}

#[tokio::test]
async fn any_output_format_records_the_same_and_prints_as_ever() {
    for jsonl in [false, true] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.jsonl");
        let server = common::ws_server(common::echo).await;
        let mut args = vec![server.url.clone(), "--record".into()];
        args.push(path.to_str().unwrap().into());
        let input = match jsonl {
            true => {
                args.push("--jsonl".into());
                "{\"type\":\"text\",\"data\":\"a\"}\n"
            }
            false => "a\n",
        };
        let run = wsc(&args).stdin(input).run().await;
        run.assert_status(0);
        let printed = run.stdout_lines();
        match jsonl {
            true => assert_eq!(printed.len(), 3, "open, text, close: {printed:?}"),
            false => assert_eq!(printed, ["a"]),
        }
        let lines = recording(&path);
        let kinds: Vec<String> = lines
            .iter()
            .map(|line| format!("{} {}", line["dir"].as_str().unwrap(), line["type"]))
            .collect();
        assert_eq!(
            kinds,
            [
                "conn \"open\"",
                "out \"text\"",
                "in \"text\"",
                "out \"close\"",
                "in \"close\""
            ],
            "jsonl {jsonl}"
        );
        // wsc's Close at the end of the input is its own: a replay leaves it out.
        assert_eq!(lines[3]["auto"], "close");
    }
}

#[tokio::test]
async fn a_recording_across_a_reconnect_has_the_wait_and_the_second_open() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.jsonl");
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let server = tokio::spawn(async move {
        // The first connection is dropped once -x has come; the second echoes.
        let (mut first, _) = accept(&listener).await;
        let _ = within("-x", first.next()).await;
        drop(first);
        let (second, _) = accept(&listener).await;
        common::echo(second).await
    });
    let run = wsc([
        url.as_str(),
        "--reconnect",
        "-x",
        "hi",
        "-w",
        "0.5",
        "--record",
        path.to_str().unwrap(),
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    within("server", server).await.expect("server");
    let lines = recording(&path);
    let kinds: Vec<String> = lines
        .iter()
        .map(|line| format!("{} {}", line["dir"].as_str().unwrap(), line["type"]))
        .collect();
    assert_eq!(
        kinds[..5],
        [
            "conn \"open\"",
            "out \"text\"",
            "conn \"reconnecting\"",
            "conn \"open\"",
            "out \"text\"",
        ],
        "{lines:?}"
    );
    assert_eq!(lines[2]["code"], 1006);
    assert_eq!(lines[2]["attempt"], 1);
    assert!(lines[2]["wait_ms"].is_u64());
    assert_eq!(of(&lines, "in", "text").len(), 1);
}

/// What a timed server received: each message with how long after the upgrade it came (the
/// client's connection opens after that, so a message due N ms after it comes N ms later at
/// least).
type Timed = Vec<(Duration, Message)>;

/// Echoes until the client closes; every message with when it arrived.
async fn timed_echo(mut ws: Ws) -> Timed {
    let upgraded = Instant::now();
    let mut received = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        if message.is_text() || message.is_binary() {
            received.push((upgraded.elapsed(), message.clone()));
            if ws.send(message).await.is_err() {
                break;
            }
        }
    }
    received
}

fn messages(received: &Timed) -> Vec<Message> {
    received.iter().map(|(_, m)| m.clone()).collect()
}

fn offsets(received: &Timed) -> Vec<u128> {
    received.iter().map(|(at, _)| at.as_millis()).collect()
}

/// When each "out" line of a recording is due, in ms after its first open.
fn due(lines: &[Value]) -> Vec<i64> {
    let time =
        |line: &Value| chrono::DateTime::parse_from_rfc3339(line["ts"].as_str().unwrap()).unwrap();
    let open = time(&lines[0]);
    lines
        .iter()
        .filter(|line| line["dir"] == "out" && line.get("auto").is_none())
        .map(|line| (time(line) - open).num_milliseconds())
        .collect()
}

#[tokio::test]
async fn a_recorded_session_replayed_sends_the_same_messages_in_order_with_their_gaps() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.jsonl");
    // Recorded: three messages, each written 300 ms after the echo of the one before came back
    // (the test makes the gaps: they are what is measured), the second binary.
    let server = common::ws_server(timed_echo).await;
    let mut child = wsc([
        server.url.as_str(),
        "--jsonl",
        "-w",
        "0",
        "--record",
        path.to_str().unwrap(),
    ])
    .spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for (line, kind) in [
        (r#"{"type":"text","data":"one"}"#, "\"text\""),
        (r#"{"type":"binary","base64":"AAE="}"#, "\"binary\""),
        (r#"{"type":"text","data":"three"}"#, "\"text\""),
    ] {
        within("write", stdin.write_all(format!("{line}\n").as_bytes()))
            .await
            .expect("stdin");
        // Its echo, printed: the message has been sent.
        within("the echo", async {
            while let Ok(Some(printed)) = stdout.next_line().await {
                if printed.contains(kind) {
                    return;
                }
            }
            panic!("no echo");
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(stdin);
    common::finish(child).await.assert_status(0);
    let recorded = server.finish().await;
    let lines = recording(&path);
    let due = due(&lines);
    assert_eq!(due.len(), 3, "{lines:?}");
    assert!(due[1] - due[0] >= 300 && due[2] - due[1] >= 300, "{due:?}");

    // Replayed at speed 1 against the same kind of server: the same messages, each as long
    // after the opening as it was recorded (a late one may shorten the gap after it, so the
    // times are measured from the opening).
    let server = common::ws_server(timed_echo).await;
    let run = wsc([
        server.url.as_str(),
        "--replay",
        path.to_str().unwrap(),
        "-w",
        "0.2",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"one\n\x00\x01three\n");
    let replayed = server.finish().await;
    assert_eq!(messages(&replayed), messages(&recorded));
    for (at, due) in offsets(&replayed).iter().zip(&due) {
        assert!(
            *at as i64 >= due - 5,
            "{:?} for {due:?}",
            offsets(&replayed)
        );
    }
    assert!(offsets(&replayed)[2] >= 600, "{:?}", offsets(&replayed));
}

/// A recording of `texts` sent `gap` apart, as --record writes it.
fn written(path: &Path, texts: &[&str], gap: Duration) {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00.000Z").unwrap();
    let ts = |at: chrono::DateTime<_>| {
        at.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let mut lines = vec![format!(
        r#"{{"ts":"{}","dir":"conn","type":"open","url":"ws://h/","status":101,"subprotocol":null}}"#,
        ts(start)
    )];
    for (i, text) in texts.iter().enumerate() {
        let at = start + gap * (i as u32 + 1);
        lines.push(format!(
            r#"{{"ts":"{}","dir":"out","type":"text","data":"{text}"}}"#,
            ts(at)
        ));
        lines.push(format!(
            r#"{{"ts":"{}","dir":"in","type":"text","data":"{text}"}}"#,
            ts(at)
        ));
    }
    std::fs::write(path, lines.join("\n") + "\n").expect("write recording");
}

#[tokio::test]
async fn replay_speed_scales_the_waits_and_0_sends_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.jsonl");
    // Due 4, 8 and 12 s after the opening; at speed 4, 1, 2 and 3 s; at speed 0, at once. Late
    // is allowed generously (a busy machine is late, never early): the bounds are half way to
    // what the next slower speed would give.
    written(&path, &["a", "b", "c"], Duration::from_secs(4));
    for (speed, due, before) in [("4", [1000, 2000, 3000], 6000), ("0", [0, 0, 0], 2000)] {
        let server = common::ws_server(timed_echo).await;
        let run = wsc([
            server.url.as_str(),
            "--replay",
            path.to_str().unwrap(),
            "--replay-speed",
            speed,
            "-w",
            "0.2",
        ])
        .stdin_null()
        .run()
        .await;
        run.assert_status(0);
        let replayed = server.finish().await;
        assert_eq!(
            messages(&replayed),
            ["a", "b", "c"].map(Message::text),
            "speed {speed}"
        );
        let at = offsets(&replayed);
        for (at, due) in at.iter().zip(due) {
            assert!(*at + 5 >= due, "speed {speed}: {at} ms, due {due}");
        }
        assert!(at[2] < before, "speed {speed}: {at:?}");
    }
}

#[tokio::test]
async fn a_replay_with_expect_is_a_regression_test() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bug.jsonl");
    written(
        &path,
        &["{\\\"op\\\":\\\"login\\\"}", "error: no such user"],
        Duration::from_millis(50),
    );
    let server = common::ws_server(common::echo).await;
    let run = wsc([
        server.url.as_str(),
        "--replay",
        path.to_str().unwrap(),
        "--expect",
        "error",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(
        run.stdout_lines(),
        ["{\"op\":\"login\"}", "error: no such user"]
    );

    let server = common::ws_server(common::echo).await;
    let run = wsc([
        server.url.as_str(),
        "--replay",
        path.to_str().unwrap(),
        "--expect",
        "fixed",
        "-w",
        "0.3",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(8).assert_error(
        "--expect pattern 1 of 1 (fixed) not matched; 2 messages received; nothing arrived for \
         0.3 s after the input ended (-w)",
    );
}

#[tokio::test]
async fn a_bad_recording_line_is_a_usage_error_naming_the_file_and_line_before_connecting() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"ts\":\"2026-03-01T12:00:00.000Z\",\"dir\":\"out\",\"type\":\"text\",\"data\":\"a\"}\n\
         {\"ts\":\"2026-03-01T12:00:01.000Z\",\"dir\":\"out\",\"type\":\"text\"}\n",
    )
    .expect("write");
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let run = wsc([url.as_str(), "--replay", path.to_str().unwrap()])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(&format!(
        "--replay: {} line 2: \"text\" needs \"data\"",
        path.display()
    ));
    common::assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_recording_that_cannot_be_written_is_an_error_before_connecting() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("no-such-dir").join("r.jsonl");
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let run = wsc([url.as_str(), "--record", path.to_str().unwrap()])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(&format!(
        "--record: cannot write {}: no such file or directory",
        path.display()
    ));
    common::assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_server_that_closes_before_the_replay_is_done_leaves_it_unsent_status_9() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.jsonl");
    // The second and third are due long after the server has gone.
    written(&path, &["one", "two", "three"], Duration::from_secs(20));
    let (tx, mut got) = mpsc::unbounded_channel();
    let server = common::ws_server(|mut ws: Ws| async move {
        if let Some(Ok(message)) = ws.next().await {
            let _ = tx.send(message);
        }
        let frame = CloseFrame {
            code: 1000.into(),
            reason: "".into(),
        };
        let _ = ws.close(Some(frame)).await;
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    // Speed 10: "one" comes after 2 s; the others would follow 2 s apart.
    let run = wsc([
        server.url.as_str(),
        "--replay",
        path.to_str().unwrap(),
        "--replay-speed",
        "10",
    ])
    .stdin_null()
    .run()
    .await;
    server.finish().await;
    assert_eq!(within("one", got.recv()).await, Some(Message::text("one")));
    run.assert_status(9)
        .assert_error("the server closed before all input was sent: 2 replayed messages not sent");
}
