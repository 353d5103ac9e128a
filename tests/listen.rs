//! `wsc -l`: wsc as the server, tokio-tungstenite (or raw TCP, or wsc itself) as the client.
//! The port is read from the listening line, as a script would.

mod common;

use common::listen::{client, close, listen, next_text, raw, upgrade_head};
use common::{Message, within, wsc};
use futures_util::SinkExt;

#[tokio::test]
async fn pipe_mode_both_ways() {
    let server = listen(&["-l", "0", "--one", "-w", "-1"], Some("to client\n")).await;
    let (mut ws, _) = client(&server.url("/"), None).await;
    assert_eq!(next_text(&mut ws).await, "to client");
    within("send", ws.send(Message::text("to server")))
        .await
        .expect("sent");
    close(ws).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["to server"]);
}

#[tokio::test]
async fn echo_sends_every_message_back() {
    // A long close timeout: the server must drop the TCP connection once the Closes crossed
    // (RFC 6455 §7.1.1), not wait for the client to, or `close` outlasts the deadline.
    let server = listen(
        &["-l", "0", "--one", "--echo", "--close-timeout", "60"],
        None,
    )
    .await;
    let (mut ws, _) = client(&server.url("/"), None).await;
    for text in ["a", "b"] {
        within("send", ws.send(Message::text(text)))
            .await
            .expect("sent");
        assert_eq!(next_text(&mut ws).await, text);
    }
    close(ws).await;
    server.finish().await.assert_status(0);
}

#[tokio::test]
async fn ci_test_double_passes_when_the_client_subscribes() {
    let args = [
        "-l",
        "0",
        "--one",
        "--expect",
        "\"op\":\"subscribe\"",
        "-x",
        "{\"ok\":true}",
    ];
    let server = listen(&args, None).await;
    let (mut ws, _) = client(&server.url("/"), None).await;
    assert_eq!(next_text(&mut ws).await, "{\"ok\":true}");
    within("send", ws.send(Message::text("{\"op\":\"subscribe\"}")))
        .await
        .expect("sent");
    // The expectation met, wsc closes: the client sees its Close.
    let rest = common::record(ws).await;
    assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1000));
    server.finish().await.assert_status(0);
}

#[tokio::test]
async fn a_clients_binary_message_meets_an_expectation_by_its_bytes() {
    let server = listen(&["-l", "0", "--expect", "^ready$"], None).await;
    let (mut ws, _) = client(&server.url("/"), None).await;
    within("send", ws.send(Message::binary(b"ready".to_vec())))
        .await
        .expect("sent");
    let rest = common::record(ws).await;
    assert_eq!(common::close_of(&rest).map(|(code, _)| code), Some(1000));
    server.finish().await.assert_status(0);
}

#[tokio::test]
async fn ci_test_double_fails_when_the_client_does_not_subscribe() {
    let args = [
        "-l",
        "0",
        "--one",
        "--expect",
        "\"op\":\"subscribe\"",
        "-x",
        "{\"ok\":true}",
    ];
    let server = listen(&args, None).await;
    let (mut ws, _) = client(&server.url("/"), None).await;
    assert_eq!(next_text(&mut ws).await, "{\"ok\":true}");
    within("send", ws.send(Message::text("{\"op\":\"other\"}")))
        .await
        .expect("sent");
    close(ws).await;
    let run = server.finish().await;
    run.assert_status(8);
    assert!(run.stderr.contains("--expect"), "{}", run.stderr);
}

#[tokio::test]
async fn the_first_subprotocol_offered_that_s_accepts_is_selected() {
    let server = listen(
        &["-l", "0", "--one", "-s", "chat", "-s", "v2", "--echo"],
        None,
    )
    .await;
    let (ws, protocol) = client(&server.url("/"), Some("x, v2, chat")).await;
    assert_eq!(protocol.as_deref(), Some("v2"));
    close(ws).await;
    server.finish().await.assert_status(0);
}

#[tokio::test]
async fn no_subprotocol_is_selected_when_none_offered_is_accepted() {
    let server = listen(&["-l", "0", "-s", "chat"], None).await;
    let answer = raw(
        server.port,
        &upgrade_head("/", "Sec-WebSocket-Protocol: x\r\n"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    assert!(!answer.contains("Sec-WebSocket-Protocol"), "{answer}");
}

#[tokio::test]
async fn deflate_is_agreed_unless_no_compress() {
    let offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    let server = listen(&["-l", "0"], None).await;
    let answer = raw(server.port, &upgrade_head("/", offer)).await;
    assert!(
        answer.contains("Sec-WebSocket-Extensions: permessage-deflate"),
        "{answer}"
    );
    let server = listen(&["-l", "0", "--no-compress"], None).await;
    let answer = raw(server.port, &upgrade_head("/", offer)).await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    assert!(!answer.contains("Sec-WebSocket-Extensions"), "{answer}");
}

#[tokio::test]
async fn path_accepts_only_that_path() {
    let server = listen(&["-l", "0", "--one", "--path", "/feed", "--echo"], None).await;
    let answer = raw(server.port, &upgrade_head("/other", "")).await;
    assert!(answer.starts_with("HTTP/1.1 404 Not Found"), "{answer}");
    // Still waiting: the right path is accepted, a query allowed.
    let (ws, _) = client(&server.url("/feed?room=1"), None).await;
    close(ws).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert!(
        run.stderr.contains("path /other not found"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_bad_request_is_refused_and_the_next_client_served() {
    let server = listen(&["-l", "0", "--one", "--echo"], None).await;
    let plain = raw(server.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(plain.starts_with("HTTP/1.1 426"), "{plain}");
    let bad_key = upgrade_head("/", "").replace("dGhlIHNhbXBsZSBub25jZQ==", "short");
    let answer = raw(server.port, &bad_key).await;
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request"), "{answer}");
    let (ws, _) = client(&server.url("/"), None).await;
    close(ws).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert!(
        run.stderr.contains("Sec-WebSocket-Key is not 16 bytes"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_port_in_use_is_its_own_exit_status() {
    let (_taken, port) = common::listener().await;
    let run = wsc(["-l", &port.to_string()]).stdin_null().run().await;
    run.assert_status(10).assert_error(&format!(
        "cannot listen on 127.0.0.1:{port}: address already in use"
    ));
}

#[tokio::test]
async fn a_url_with_listen_is_a_usage_error() {
    let (listener, port) = common::listener().await;
    let run = wsc(["-l", "0", &format!("ws://127.0.0.1:{port}/")])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error("-l");
    common::assert_no_connection(listener).await;
}

#[tokio::test]
async fn jsonl_starts_with_the_listening_event() {
    let server = listen(&["-l", "0", "--one", "--jsonl"], None).await;
    let url = server.url("/");
    let (mut ws, _) = client(&url, None).await;
    within("send", ws.send(Message::text("hi")))
        .await
        .expect("sent");
    close(ws).await;
    let run = server.finish().await;
    run.assert_status(0);
    let lines = run.stdout_lines();
    assert_eq!(
        lines[0],
        format!("{{\"type\":\"listening\",\"url\":\"{url}\"}}")
    );
    assert!(
        lines.contains(&"{\"type\":\"text\",\"data\":\"hi\"}".to_string()),
        "{lines:?}"
    );
}

#[tokio::test]
async fn wsc_at_both_ends() {
    let server = listen(
        &[
            "-l",
            "0",
            "--one",
            "--expect",
            "from client",
            "-x",
            "from server",
        ],
        None,
    )
    .await;
    assert!(server.first.starts_with("* listening on "));
    let url = server.url("/");
    let client = wsc([url.as_str(), "-x", "from client", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    client.assert_status(0);
    assert_eq!(client.stdout_lines(), ["from server"]);
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["from client"]);
}
