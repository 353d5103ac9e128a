//! --reconnect: which endings reconnect and which do not, the waits between attempts (seen by
//! the server's accept times), the input kept across connections, -x on each, events and stats.

mod common;

use std::time::{Duration, Instant};

use common::{Message, Run, Ws, accept, finish, listener, within, wsc};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// Text messages until `n` have come.
async fn texts(ws: &mut Ws, n: usize) -> Vec<String> {
    let mut texts = Vec::new();
    while texts.len() < n {
        match within("a message", ws.next()).await {
            Some(Ok(Message::Text(text))) => texts.push(text.to_string()),
            Some(Ok(_)) => {}
            other => panic!("after {texts:?}: {other:?}"),
        }
    }
    texts
}

/// Text messages until the client closes.
async fn texts_until_close(ws: &mut Ws) -> Vec<String> {
    let mut texts = Vec::new();
    while let Some(Ok(message)) = within("a message", ws.next()).await {
        if let Message::Text(text) = message {
            texts.push(text.to_string());
        }
    }
    texts
}

async fn close_with(mut ws: Ws, code: u16) {
    let frame = CloseFrame {
        code: code.into(),
        reason: "".into(),
    };
    let _ = within("close", ws.close(Some(frame))).await;
    while let Some(Ok(_)) = within("close answer", ws.next()).await {}
}

/// wsc's stderr lines as they come, and all of them at the end.
struct Stderr {
    lines: mpsc::UnboundedReceiver<String>,
}

impl Stderr {
    fn of(child: &mut tokio::process::Child) -> Stderr {
        let mut reader = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = reader.next_line().await {
                let _ = tx.send(line);
            }
        });
        Stderr { lines }
    }

    async fn until(&mut self, needle: &str) -> String {
        within(needle, async {
            while let Some(line) = self.lines.recv().await {
                if line.contains(needle) {
                    return line;
                }
            }
            panic!("stderr ended without {needle:?}");
        })
        .await
    }
}

async fn write(stdin: &mut tokio::process::ChildStdin, text: &str) {
    within("write", stdin.write_all(text.as_bytes()))
        .await
        .expect("stdin");
}

#[tokio::test]
async fn stdin_lines_before_during_and_after_an_outage_all_arrive_once_in_order() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut child = wsc([url.as_str(), "--reconnect"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stderr = Stderr::of(&mut child);

    let (mut first, _) = accept(&listener).await;
    write(&mut stdin, "1\n2\n3\n").await;
    assert_eq!(texts(&mut first, 3).await, ["1", "2", "3"]);
    // The server goes away without a Close: the connection is lost.
    drop(first);
    let line = stderr.until("reconnecting in").await;
    assert!(
        line.starts_with("* connection lost (1006): server closed the connection without a close frame; reconnecting in "),
        "{line}"
    );
    // Written while disconnected: they wait in stdin's pipe.
    write(&mut stdin, "4\n5\n6\n").await;
    let (mut second, _) = accept(&listener).await;
    stderr.until("* reconnected to ").await;
    write(&mut stdin, "7\n8\n9\n").await;
    drop(stdin);
    let rest = texts_until_close(&mut second).await;
    assert_eq!(rest, ["4", "5", "6", "7", "8", "9"]);
    let run = finish(child).await;
    run.assert_status(0);
}

/// A server that upgrades and drops every connection at once, `n` times; their accept times.
async fn dropping(listener: TcpListener, n: usize) -> Vec<Instant> {
    let mut times = Vec::new();
    for _ in 0..n {
        let (ws, at) = accept(&listener).await;
        drop(ws);
        times.push(at);
    }
    common::assert_no_connection(listener).await;
    times
}

#[tokio::test]
async fn waits_double_from_half_a_second_and_reconnect_max_gives_up_with_the_last_status() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let server = tokio::spawn(dropping(listener, 4));
    let run = wsc([
        url.as_str(),
        "--reconnect",
        "--reconnect-max",
        "3",
        "-w",
        "-1",
    ])
    .stdin_null()
    .run()
    .await;
    let times = within("server", server).await.expect("server");
    run.assert_status(6);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "wsc: error: server closed the connection without a close frame"
    );
    for attempt in 1..=3 {
        assert!(
            run.stderr.contains(&format!("(attempt {attempt})")),
            "{}",
            run.stderr
        );
    }
    // Each wait is at most its ceiling (0.5, 1, 2 s), plus what connecting took.
    for (gap, ceiling) in times.windows(2).zip([0.5, 1.0, 2.0]) {
        let waited = gap[1].duration_since(gap[0]).as_secs_f64();
        assert!(
            waited < ceiling + 1.5,
            "waited {waited} s for a ceiling of {ceiling} s"
        );
    }
}

/// Runs wsc --reconnect against a server that closes its first connection with `code`: None
/// when a second connection came, else how wsc ended.
async fn after_a_close_with(code: u16) -> Option<Run> {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut child = wsc([url.as_str(), "--reconnect", "-w", "-1"])
        .stdin_null()
        .spawn();
    let (first, _) = accept(&listener).await;
    close_with(first, code).await;
    let again = within("a second connection or the end", async {
        tokio::select! {
            accepted = listener.accept() => Some(accepted.expect("accept")),
            _ = child.wait() => None,
        }
    })
    .await;
    match again {
        Some((tcp, _)) => {
            let ws = within("upgrade", tokio_tungstenite::accept_async(tcp)).await;
            close_with(ws.expect("upgrade"), 1000).await;
            None
        }
        None => Some(finish(child).await),
    }
}

#[tokio::test]
async fn a_close_that_asks_to_come_back_reconnects_and_others_end_the_run() {
    for code in [1001, 1011, 1012, 1013] {
        if let Some(run) = after_a_close_with(code).await {
            panic!("no reconnect after {code}: {run:?}");
        }
    }
    let run = after_a_close_with(1000)
        .await
        .expect("no reconnect after 1000");
    run.assert_status(0);
    let run = after_a_close_with(4000)
        .await
        .expect("no reconnect after 4000");
    run.assert_status(7);
}

/// Accepts one connection, reads its request and gives it a raw HTTP `answer`; when it came.
async fn answer_once(listener: &TcpListener, answer: &str) -> Instant {
    let (mut tcp, _) = within("a connection", listener.accept())
        .await
        .expect("accept");
    let came = Instant::now();
    common::read_request_head(&mut tcp).await;
    tcp.write_all(answer.as_bytes()).await.expect("answer");
    came
}

/// A raw answer to the first connection, then an upgrade that closes with 1000.
async fn answer_then_upgrade(listener: TcpListener, answer: &'static str) -> Vec<Instant> {
    let first = answer_once(&listener, answer).await;
    let (ws, second) = accept(&listener).await;
    close_with(ws, 1000).await;
    vec![first, second]
}

#[tokio::test]
async fn a_503_is_tried_again_after_its_retry_after_and_a_404_is_not() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let answer = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";
    let server = tokio::spawn(answer_then_upgrade(listener, answer));
    let run = wsc([url.as_str(), "--reconnect", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(0);
    let times = within("server", server).await.expect("server");
    let waited = times[1].duration_since(times[0]);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 but waited {waited:?}"
    );

    let (refusing, port) = common::listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let server = tokio::spawn(async move {
        let answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        answer_once(&refusing, answer).await;
        common::assert_no_connection(refusing).await;
    });
    let run = wsc([url.as_str(), "--reconnect"]).stdin_null().run().await;
    run.assert_status(5);
    within("server", server).await.expect("server");
}

#[tokio::test]
async fn without_reconnect_a_503_to_the_first_connection_ends_the_run() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut child = wsc([url.as_str()]).stdin_null().spawn();
    // Busy, come back at once: only --reconnect does.
    let answer = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n";
    answer_once(&listener, answer).await;
    let again = within("a second connection or the end", async {
        tokio::select! {
            accepted = listener.accept() => Some(accepted.expect("accept").1),
            _ = child.wait() => None,
        }
    })
    .await;
    assert_eq!(again, None, "connected again without --reconnect");
    let run = finish(child).await;
    run.assert_status(5);
    assert!(!run.stderr.contains("reconnecting"), "{}", run.stderr);
}

#[tokio::test]
async fn execute_is_sent_on_every_connection_and_jsonl_and_stats_tell_of_the_reconnect() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let server = tokio::spawn(async move {
        let (mut first, _) = accept(&listener).await;
        let greeted_first = texts(&mut first, 1).await;
        drop(first);
        let (mut second, _) = accept(&listener).await;
        let greeted_second = texts(&mut second, 1).await;
        close_with(second, 1000).await;
        (greeted_first, greeted_second)
    });
    let args = [
        url.as_str(),
        "--reconnect",
        "-x",
        "hello",
        "--jsonl",
        "--stats",
        "-w",
        "-1",
    ];
    let run = wsc(args).stdin_null().run().await;
    run.assert_status(0);
    let (first, second) = within("server", server).await.expect("server");
    assert_eq!(
        (first, second),
        (vec!["hello".into()], vec!["hello".into()])
    );
    let lines = run.stdout_lines();
    let types: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.split('"').nth(3))
        .collect();
    assert_eq!(
        types,
        ["open", "reconnecting", "open", "close"],
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with(r#"{"type":"reconnecting","code":1006,"reason":"#),
        "{lines:?}"
    );
    assert!(lines[1].contains(r#","attempt":1}"#), "{lines:?}");
    assert!(run.stderr.contains("; 1 reconnect; "), "{}", run.stderr);
}

#[tokio::test]
async fn max_time_bounds_the_whole_run_across_reconnects() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    // Upgrades and drops connections for as long as wsc keeps coming.
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                drop(ws);
            }
        }
    });
    let started = Instant::now();
    let run = wsc([url.as_str(), "--reconnect", "--max-time", "1.5", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(8);
    assert!(
        run.stderr.contains("--max-time of 1.5 s expired"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_repl_keeps_its_prompt_and_sends_what_was_typed_while_disconnected() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let state = tempfile::tempdir().unwrap();
    let mut terminal = common::pty::Terminal::start(
        &[url.as_str(), "--reconnect", "--color", "never"],
        24,
        100,
        state.path(),
    );
    let (first, _) = accept(&listener).await;
    terminal.wait_for_prompt().await;
    drop(first);
    terminal.wait_for_text("* connection lost (1006)").await;
    terminal.enter("typed while away").await;
    let (mut second, _) = accept(&listener).await;
    assert_eq!(texts(&mut second, 1).await, ["typed while away"]);
    terminal
        .wait_for_text("* reconnected to ws://127.0.0.1:")
        .await;
    terminal.keys("\x04");
    let rest = common::record(second).await;
    assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1000));
    assert_eq!(terminal.exit_status().await, 0);
    assert!(terminal.is_cooked());
}
