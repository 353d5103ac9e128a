//! `wsc -l`: wsc as the server, tokio-tungstenite (or raw TCP, or wsc itself) as the client.
//! The port is read from the listening line, as a script would.

mod common;

use common::{Message, Run, finish, within, wsc};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A running `wsc -l`, its port read from its first stderr line.
struct Listening {
    child: Child,
    port: u16,
    /// stderr after the listening line, collected until wsc exits.
    rest: JoinHandle<String>,
    first: String,
}

async fn listen(args: &[&str], stdin: Option<&str>) -> Listening {
    let mut command = wsc(args);
    if stdin.is_none() {
        command = command.stdin_null();
    }
    let mut child = command.spawn();
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let input = input.to_string();
        tokio::spawn(async move {
            let _ = pipe.write_all(input.as_bytes()).await;
        });
    }
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = within("listening line", lines.next_line())
        .await
        .expect("stderr")
        .expect("a first line");
    let port = first
        .strip_prefix("* listening on ws://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("not a listening line: {first:?}"));
    let rest = tokio::spawn(async move {
        let mut text = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    Listening {
        child,
        port,
        rest,
        first,
    }
}

impl Listening {
    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    async fn finish(self) -> Run {
        let mut run = finish(self.child).await;
        run.stderr = within("stderr", self.rest).await.expect("stderr task");
        run
    }
}

type Client = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn client(url: &str, protocols: Option<&str>) -> (Client, Option<String>) {
    let mut request = url.into_client_request().expect("request");
    if let Some(protocols) = protocols {
        let value = protocols.parse().expect("header value");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", value);
    }
    let port = request.uri().port_u16().expect("port");
    let tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    let (ws, response) = within("upgrade", tokio_tungstenite::client_async(request, tcp))
        .await
        .expect("upgrade");
    let protocol = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .map(|v| v.to_str().expect("ascii").to_string());
    (ws, protocol)
}

async fn next_text(ws: &mut Client) -> String {
    loop {
        match within("a message", ws.next()).await {
            Some(Ok(Message::Text(text))) => return text.to_string(),
            Some(Ok(_)) => {}
            other => panic!("no text message: {other:?}"),
        }
    }
}

/// Closes with 1000 and reads until the server's answer ends the connection.
async fn close(mut ws: Client) {
    within("close", ws.close(None)).await.expect("close sent");
    while let Some(Ok(_)) = within("close answer", ws.next()).await {}
}

/// Sends a raw request head and returns the whole answer (the server closes after a refusal;
/// for a 101, only the head is read).
async fn raw(port: u16, head: &str) -> String {
    let mut tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    within("write", tcp.write_all(head.as_bytes()))
        .await
        .expect("request sent");
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = within("answer", tcp.read(&mut chunk)).await.expect("read");
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if n == 0 || (text.starts_with("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
            return text.into_owned();
        }
    }
}

fn upgrade_head(path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

#[tokio::test]
async fn pipe_mode_both_ways() {
    let server = listen(&["-l", "0", "-w", "-1"], Some("to client\n")).await;
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
    let server = listen(&["-l", "0", "--echo", "--close-timeout", "60"], None).await;
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
async fn ci_test_double_fails_when_the_client_does_not_subscribe() {
    let args = [
        "-l",
        "0",
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
    let server = listen(&["-l", "0", "-s", "chat", "-s", "v2", "--echo"], None).await;
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
    let server = listen(&["-l", "0", "--path", "/feed", "--echo"], None).await;
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
    let server = listen(&["-l", "0", "--echo"], None).await;
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
    let run = wsc(["-l", "0", "ws://127.0.0.1:1/"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2);
}

#[tokio::test]
async fn jsonl_starts_with_the_listening_event() {
    let server = listen(&["-l", "0", "--jsonl"], None).await;
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
        &["-l", "0", "--expect", "from client", "-x", "from server"],
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
