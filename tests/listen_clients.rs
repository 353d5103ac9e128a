//! `wsc -l` with many clients at once: ids, broadcast, --max-clients, the slow client, goals
//! across clients and signals, with tokio-tungstenite clients.

mod common;

use common::listen::{Client, client, close, listen, listen_fed, next_text, raw, upgrade_head};
use common::{Message, within};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;

/// SIGTERM: the listener closes its clients and exits, printing everything first.
fn terminate(server: &common::listen::Listening) {
    let pid = server.child.id().expect("pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("signal");
}

async fn send(ws: &mut Client, text: &str) {
    within("send", ws.send(Message::text(text)))
        .await
        .expect("sent");
}

#[tokio::test]
async fn stdin_lines_go_to_every_client_and_messages_carry_their_ids() {
    // A pipe: stdin is read once a client is connected, so nothing is sent to no one.
    let server = listen(
        &["-l", "0", "--jsonl", "-x", "welcome"],
        Some("{\"type\":\"text\",\"data\":\"to all\"}\n"),
    )
    .await;
    let (mut first, _) = client(&server.url("/"), None).await;
    assert_eq!(next_text(&mut first).await, "welcome");
    assert_eq!(next_text(&mut first).await, "to all");
    let (mut second, _) = client(&server.url("/room"), None).await;
    // -x greets each client as it connects.
    assert_eq!(next_text(&mut second).await, "welcome");
    send(&mut first, "one").await;
    send(&mut second, "two").await;
    close(first).await;
    close(second).await;
    terminate(&server);
    let run = server.finish().await;
    let lines = run.stdout_lines();
    let has = |needle: &str| lines.iter().any(|line| line.contains(needle));
    assert!(
        has(r#"{"type":"text","data":"one","client":1}"#),
        "{lines:?}"
    );
    assert!(
        has(r#"{"type":"text","data":"two","client":2}"#),
        "{lines:?}"
    );
    assert!(has(r#""type":"open""#) && has(r#""client":2"#), "{lines:?}");
    assert!(has(r#""peer":"127.0.0.1:"#), "{lines:?}");
    assert!(
        has(r#"{"type":"close","code":null,"reason":"","client":1}"#),
        "{lines:?}"
    );
    run.assert_status(143);
}

#[tokio::test]
async fn stderr_names_the_client_on_connect_and_close_and_count_adds_up_all_clients() {
    let server = listen(
        &["-l", "0", "--color", "never", "--count", "2", "--stats"],
        None,
    )
    .await;
    let (mut first, _) = client(&server.url("/"), None).await;
    let (mut second, _) = client(&server.url("/chat"), None).await;
    send(&mut first, "from one").await;
    send(&mut second, "from two").await;
    // --count 2 across clients: both are closed with 1000 and the listener exits 0.
    for ws in [first, second] {
        let rest = common::record(ws).await;
        assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1000));
    }
    let run = server.finish().await;
    run.assert_status(0);
    let stderr = &run.stderr;
    assert!(
        stderr.contains("* #1 connected from 127.0.0.1:"),
        "{stderr}"
    );
    assert!(stderr.contains(" to /chat"), "{stderr}");
    // Each client's own line, then the listener's.
    assert!(stderr.contains("wsc: #1 stats: "), "{stderr}");
    assert!(
        stderr.contains("wsc: stats: 2 clients served; 2 messages received, 0 messages queued"),
        "{stderr}"
    );
    let stdout = run.stdout_text();
    assert!(
        stdout.contains("from one\n") && stdout.contains("from two\n"),
        "{stdout}"
    );
}

#[tokio::test]
async fn max_clients_answers_503_and_serves_again_once_a_client_leaves() {
    let server = listen(&["-l", "0", "--max-clients", "1", "--echo"], None).await;
    let (first, _) = client(&server.url("/"), None).await;
    let answer = raw(server.port, &upgrade_head("/", "")).await;
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{answer}"
    );
    close(first).await;
    // The slot is free once the first session has ended; each try is a whole request and answer.
    within("a second client served", async {
        while !raw(server.port, &upgrade_head("/", ""))
            .await
            .starts_with("HTTP/1.1 101")
        {}
    })
    .await;
    terminate(&server);
    let run = server.finish().await;
    assert!(
        run.stderr
            .contains("too many clients (--max-clients 1) (503)"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_while_the_others_get_everything() {
    // Enough to fill the sleeper's socket buffers and its queue many times over.
    let line = "x".repeat(1000);
    let lines = 40_000;
    let input: String = (0..lines).map(|i| format!("{i} {line}\n")).collect();
    let (mut server, mut stdin) = listen_fed(&["-l", "0", "--color", "never"]).await;
    let (sleeper, _) = client(&server.url("/"), None).await;
    let (mut reader, _) = client(&server.url("/"), None).await;
    // Both are connected before the first line is sent: a broadcast goes to those connected.
    server.stderr_line("* #2 connected").await;
    tokio::spawn(async move {
        let _ = stdin.write_all(input.as_bytes()).await;
    });
    let mut received = 0;
    while received < lines {
        let next = tokio::time::timeout(std::time::Duration::from_secs(20), reader.next()).await;
        let Ok(next) = next else {
            terminate(&server);
            let run = server.finish().await;
            panic!("stuck after {received}: {}", run.stderr);
        };
        match next {
            Some(Ok(Message::Text(_))) => received += 1,
            Some(Ok(_)) => {}
            other => panic!("after {received} messages: {other:?}"),
        }
    }
    terminate(&server);
    let run = server.finish().await;
    assert!(run.stderr.contains("! #1 too slow"), "{}", run.stderr);
    drop(sleeper);
}

#[tokio::test]
async fn sigterm_closes_every_client_with_1001_and_exits_143() {
    let server = listen(&["-l", "0"], None).await;
    let (first, _) = client(&server.url("/"), None).await;
    let (second, _) = client(&server.url("/"), None).await;
    terminate(&server);
    for ws in [first, second] {
        let rest = common::record(ws).await;
        assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1001));
    }
    server.finish().await.assert_status(143);
}

#[tokio::test]
async fn max_time_ends_the_listener_with_its_clients_and_names_the_unmet_goal() {
    let server = listen(&["-l", "0", "--max-time", "1", "--expect", "never"], None).await;
    let (ws, _) = client(&server.url("/"), None).await;
    let rest = common::record(ws).await;
    assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1000));
    let run = server.finish().await;
    run.assert_status(8);
    assert!(
        run.stderr.contains(
            "wsc: error: --expect pattern 1 of 1 (never) not matched; 0 messages received; \
             --max-time of 1 s expired"
        ),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn echo_serves_each_client_its_own_messages_compressed_and_with_its_subprotocol() {
    let mut server = listen(&["-l", "0", "--echo", "-s", "chat", "-v"], None).await;
    let url = server.url("/");
    let run = |text: &'static str| {
        let url = url.clone();
        async move {
            common::wsc([url.as_str(), "-s", "chat", "-x", text, "--count", "1"])
                .stdin_null()
                .run()
                .await
        }
    };
    let (a, b) = tokio::join!(run("from a"), run("from b"));
    a.assert_status(0);
    b.assert_status(0);
    assert_eq!(a.stdout_lines(), ["from a"]);
    assert_eq!(b.stdout_lines(), ["from b"]);
    let connected = server.stderr_line("(subprotocol chat)").await;
    assert!(connected.starts_with("* #"), "{connected}");
    terminate(&server);
    let run = server.finish().await;
    // wsc offers permessage-deflate by default, and the listener agrees to it.
    assert!(
        run.stderr
            .contains("> Sec-WebSocket-Extensions: permessage-deflate"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn verbose_shows_each_request_and_answer_with_credentials_masked() {
    let server = listen(&["-l", "0", "-v", "--auth", "u:secret"], None).await;
    let url = format!("ws://u:secret@127.0.0.1:{}/feed?token=abc", server.port);
    let client = common::wsc([url.as_str(), "-w", "0"])
        .stdin_null()
        .run()
        .await;
    client.assert_status(0);
    terminate(&server);
    let run = server.finish().await;
    let stderr = &run.stderr;
    assert!(
        stderr.contains("< GET /feed?token=*** HTTP/1.1\n"),
        "{stderr}"
    );
    assert!(stderr.contains("< Authorization: ***\n"), "{stderr}");
    assert!(
        stderr.contains("> HTTP/1.1 101 Switching Protocols\n"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret") && !stderr.contains("token=abc"),
        "{stderr}"
    );
}
