//! Diagnosis: `-v` shows the upgrade request and response and where the connection time went
//! (credentials masked unless `-vv`); a refused upgrade is one error line with the status and the
//! start of the body; `--echo` mirrors what the server sends; `--stats` counts what went each way.

mod common;

use bytes::Bytes;
use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

/// `dTpw` is base64 of `u:p`.
const BASIC_U_P: &str = "Basic dTpw";

/// Where `needle` starts in `haystack`, failing the test when it is not there.
fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in stderr:\n{haystack}"))
}

/// The stderr lines that start with `prefix`.
fn lines_starting<'a>(stderr: &'a str, prefix: &str) -> Vec<&'a str> {
    stderr.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// A server that offers a Close 1000 at once and records what the client sends.
async fn close_at_once(mut ws: Ws) -> Vec<Message> {
    ws.close(Some(CloseFrame {
        code: 1000.into(),
        reason: "".into(),
    }))
    .await
    .unwrap();
    record(ws).await
}

// ---------------------------------------------------------------------------------------------
// -v: the upgrade as it happened
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn verbose_shows_request_response_subprotocol_and_timings() {
    let server = ws_server_with(
        |mut response| {
            response
                .headers_mut()
                .insert("sec-websocket-protocol", HeaderValue::from_static("chat"));
            response
        },
        |mut ws: Ws| async move {
            ws.send(Message::text("payload only")).await.unwrap();
            ws.close(Some(CloseFrame {
                code: 1000.into(),
                reason: "".into(),
            }))
            .await
            .unwrap();
            record(ws).await
        },
    )
    .await;
    let url = format!("{}chat/room?id=7", server.url);
    let run = wsc([url.as_str(), "-v", "-s", "chat", "-w", "-1"])
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(
        run.stdout_text(),
        "payload only\n",
        "stdout carries payloads only with -v"
    );
    let err = &run.stderr;

    // The request line and the headers that went out.
    let request = position(err, "> GET /chat/room?id=7 HTTP/1.1\n");
    position(err, &format!("> Host: 127.0.0.1:{}\n", server.port));
    position(err, "> Upgrade: websocket\n");
    position(err, "> Sec-WebSocket-Version: 13\n");
    position(err, "> Sec-WebSocket-Protocol: chat\n");
    let key = server
        .request_header("sec-websocket-key")
        .expect("the server saw a key");
    position(err, &format!("> Sec-WebSocket-Key: {key}\n"));

    // The answer, then where the time went.
    let response = position(err, "< HTTP/1.1 101 Switching Protocols\n");
    position(err, "< sec-websocket-protocol: chat\n");
    position(err, "< sec-websocket-accept: ");
    assert!(request < response, "request shown before response:\n{err}");
    let timings = lines_starting(err, "* DNS ");
    assert_eq!(timings.len(), 1, "one timing line:\n{err}");
    let stages: Vec<(&str, f64)> = timings[0]
        .trim_start_matches("* ")
        .split(", ")
        .map(|stage| {
            let (name, ms) = stage.split_once(' ').expect("name and time");
            let ms = ms.strip_suffix(" ms").expect("in ms");
            (name, ms.parse::<f64>().expect("a number of ms"))
        })
        .collect();
    let names: Vec<&str> = stages.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["DNS", "TCP", "upgrade"], "{}", timings[0]);
    assert!(
        stages.iter().all(|(_, ms)| *ms >= 0.0 && *ms < 30_000.0),
        "{}",
        timings[0]
    );
    assert!(
        response < position(err, "* DNS "),
        "timings after the response:\n{err}"
    );

    // The negotiated subprotocol.
    let connected = lines_starting(err, "* connected to ");
    assert_eq!(connected.len(), 1, "{err}");
    assert!(
        connected[0].starts_with(&format!("* connected to {url} (subprotocol chat) in ")),
        "{}",
        connected[0]
    );
    assert!(!err.contains("wsc: error"), "{err}");
    assert_eq!(close_of(&server.finish().await), Some((1000, "".into())));
}

/// A server that sets a cookie in its 101 and closes at once.
async fn cookie_server() -> Server<Vec<Message>> {
    ws_server_with(
        |mut response| {
            response
                .headers_mut()
                .insert("set-cookie", HeaderValue::from_static("sid=topsecret"));
            response
        },
        close_at_once,
    )
    .await
}

/// wsc with credentials and a cookie, at this verbosity.
async fn with_secrets(url: &str, verbosity: &str) -> Run {
    let args = [
        url,
        verbosity,
        "--auth",
        "u:p",
        "-H",
        "Cookie: a=b",
        "-w",
        "-1",
    ];
    wsc(args).run().await
}

#[tokio::test]
async fn verbose_masks_credentials_and_cookies() {
    let server = cookie_server().await;
    let run = with_secrets(&server.url, "-v").await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "");
    let err = &run.stderr;
    for secret in ["dTpw", "a=b", "topsecret"] {
        assert!(!err.contains(secret), "-v shows {secret:?}:\n{err}");
    }
    position(err, "> Authorization: ***");
    position(err, "> Cookie: ***");
    position(err, "< set-cookie: ***");
    // They were sent all the same.
    assert_eq!(
        server.request_header("authorization").as_deref(),
        Some(BASIC_U_P)
    );
    assert_eq!(server.request_header("cookie").as_deref(), Some("a=b"));
    server.finish().await;
}

#[tokio::test]
async fn very_verbose_shows_credentials_and_cookies() {
    let server = cookie_server().await;
    let run = with_secrets(&server.url, "-vv").await;
    run.assert_status(0);
    let err = &run.stderr;
    position(err, &format!("> Authorization: {BASIC_U_P}\n"));
    position(err, "> Cookie: a=b\n");
    position(err, "< set-cookie: sid=topsecret\n");
    assert!(!err.contains("***"), "nothing masked with -vv:\n{err}");
    server.finish().await;
}

#[tokio::test]
async fn verbose_masks_credentials_from_the_url() {
    // `YWxpY2U6czNjcmV0` is base64 of `alice:s3cret`.
    for (flag, shown) in [("-v", false), ("-vv", true)] {
        let server = ws_server(close_at_once).await;
        let url = format!("ws://alice:s3cret@127.0.0.1:{}/", server.port);
        let run = wsc([url.as_str(), flag, "-w", "-1"]).run().await;
        run.assert_status(0);
        let err = &run.stderr;
        assert_eq!(
            server.request_header("authorization").as_deref(),
            Some("Basic YWxpY2U6czNjcmV0")
        );
        if shown {
            position(err, "> Authorization: Basic YWxpY2U6czNjcmV0\n");
        } else {
            for secret in ["YWxpY2U6czNjcmV0", "s3cret"] {
                assert!(!err.contains(secret), "-v shows {secret:?}:\n{err}");
            }
            position(err, "> Authorization: ***");
        }
        // The URL shown in the connected line never carries the userinfo.
        let connected = lines_starting(err, "* connected to ");
        assert_eq!(connected.len(), 1, "{err}");
        assert!(
            connected[0].starts_with(&format!("* connected to ws://127.0.0.1:{}/ ", server.port)),
            "{}",
            connected[0]
        );
        server.finish().await;
    }
}

#[tokio::test]
async fn verbose_masks_credential_looking_headers_and_query_parameters_but_not_the_handshake_keys()
{
    for (flag, masked) in [("-v", true), ("-vv", false)] {
        let server = ws_server(close_at_once).await;
        let url = format!("{}feed?token=abc123&room=7&api_key=zz9", server.url);
        let run = wsc([
            url.as_str(),
            flag,
            "-H",
            "X-Auth-Token: t0k",
            "-H",
            "X-Api-Key: k3y",
            "-H",
            "X-Client-Secret: s3c",
            "-H",
            "My-Header: Shown",
            "-w",
            "-1",
        ])
        .run()
        .await;
        run.assert_status(0);
        let err = &run.stderr;
        // Names as they went on the wire, in the case they were typed.
        position(err, "> My-Header: Shown\n");
        // The handshake's own keys are no secrets.
        let key = server.request_header("sec-websocket-key").expect("a key");
        position(err, &format!("> Sec-WebSocket-Key: {key}\n"));
        let accept = lines_starting(err, "< sec-websocket-accept: ");
        assert_eq!(accept.len(), 1, "{err}");
        assert!(!accept[0].contains("***"), "{err}");
        let secrets = [
            ("X-Auth-Token", "t0k"),
            ("X-Api-Key", "k3y"),
            ("X-Client-Secret", "s3c"),
        ];
        if masked {
            position(err, "> GET /feed?token=***&room=7&api_key=*** HTTP/1.1\n");
            for (name, _) in secrets {
                position(err, &format!("> {name}: ***"));
            }
            for secret in ["abc123", "zz9", "t0k", "k3y", "s3c"] {
                assert!(!err.contains(secret), "{flag} shows {secret:?}:\n{err}");
            }
        } else {
            position(
                err,
                "> GET /feed?token=abc123&room=7&api_key=zz9 HTTP/1.1\n",
            );
            for (name, value) in secrets {
                position(err, &format!("> {name}: {value}\n"));
            }
        }
        server.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// A refused upgrade: one line with the status and the start of the body
// ---------------------------------------------------------------------------------------------

/// A raw server that refuses the upgrade with `status` and `body`, in one write.
async fn refusing(status: &'static str, body: Vec<u8>) -> Server<String> {
    tcp_server(move |mut tcp: TcpStream| async move {
        let head = read_request_head(&mut tcp).await;
        let mut answer = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        answer.extend_from_slice(&body);
        tcp.write_all(&answer).await.unwrap();
        read_to_end(&mut tcp).await;
        head
    })
    .await
}

#[tokio::test]
async fn a_refusal_body_that_arrives_after_its_head_is_shown_too() {
    let server = tcp_server(|mut tcp: TcpStream| async move {
        read_request_head(&mut tcp).await;
        let body = b"token expired";
        let head = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        // A slow backend: the body is a separate, later write. (This delay is the behaviour
        // under test, not synchronisation: wsc must wait for the body, boundedly.)
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let _ = tcp.write_all(body).await;
        read_to_end(&mut tcp).await;
    })
    .await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(5)
        .assert_error("server answered 401 Unauthorized: token expired");
    server.finish().await;
}

#[tokio::test]
async fn a_refusal_with_a_body_is_one_line_with_status_and_body() {
    let server = refusing("403 Forbidden", br#"{"error":"no token"}"#.to_vec()).await;
    let run = wsc([&server.url, "-w", "-1"]).stdin("hi\n").run().await;
    run.assert_status(5)
        .assert_error("403 Forbidden")
        .assert_error(r#"{"error":"no token"}"#);
    assert_eq!(run.stdout_text(), "");
    assert!(server.finish().await.starts_with("GET / HTTP/1.1\r\n"));
}

#[tokio::test]
async fn a_multi_line_refusal_body_stays_on_one_line() {
    let server = refusing(
        "401 Unauthorized",
        b"token expired\r\nlog in again\n".to_vec(),
    )
    .await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(5)
        .assert_error("401 Unauthorized")
        .assert_error("token expired")
        .assert_error("log in again");
    server.finish().await;
}

#[tokio::test]
async fn a_refusal_body_over_1_kib_is_cut_to_1_kib() {
    let mut body = vec![b'A'; 1024];
    body.extend_from_slice(&[b'B'; 976]);
    let server = refusing("403 Forbidden", body).await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(5).assert_error("403 Forbidden");
    let line = run.stderr.trim_end();
    assert!(
        line.ends_with(&format!(" {}", "A".repeat(1024))),
        "the line ends with the first 1 KiB of the body: {line:?}"
    );
    assert!(!line.contains('B'), "more than 1 KiB shown: {line:?}");
    server.finish().await;
}

#[tokio::test]
async fn a_redirect_names_where_it_points_and_that_it_is_not_followed() {
    for (location, shown) in [
        ("/new?room=1", "ws://127.0.0.1:{port}/new?room=1"),
        ("wss://other.example/ws", "wss://other.example/ws"),
    ] {
        let server = tcp_server(move |mut tcp: TcpStream| async move {
            read_request_head(&mut tcp).await;
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 5\r\n\r\nmoved"
            );
            tcp.write_all(answer.as_bytes()).await.unwrap();
            read_to_end(&mut tcp).await;
        })
        .await;
        let run = wsc([&server.url, "-w", "-1"]).run().await;
        let shown = shown.replace("{port}", &server.port.to_string());
        run.assert_status(5).assert_error(&format!(
            "server redirects to {shown} (302 Found); -L follows redirects"
        ));
        server.finish().await;
    }
}

#[tokio::test]
async fn verbose_shows_the_refusal_status_and_headers() {
    let server = refusing("403 Forbidden", br#"{"error":"no token"}"#.to_vec()).await;
    let run = wsc([&server.url, "-v", "-w", "-1"]).run().await;
    assert_eq!(run.status, 5, "stderr: {}", run.stderr);
    let err = &run.stderr;
    position(err, "> GET / HTTP/1.1\n");
    position(err, "< HTTP/1.1 403 Forbidden\n");
    position(err, "< Content-Type: application/json\n");
    let errors = lines_starting(err, "wsc: error: ");
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("403 Forbidden"), "{}", errors[0]);
    server.finish().await;
}

// ---------------------------------------------------------------------------------------------
// --echo: a mirror of the server
// ---------------------------------------------------------------------------------------------

/// Kind and size of a message, for failure messages that do not print 16 MiB.
fn describe(message: &Message) -> String {
    match message {
        Message::Text(text) => format!("text of {} bytes", text.len()),
        Message::Binary(data) => format!("binary of {} bytes", data.len()),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn echo_sends_every_message_back_unchanged_and_ignores_stdin() {
    let big: Vec<u8> = (0..16u32 << 20).map(|i| (i % 251) as u8).collect();
    let expected = vec![
        Message::text("hello ünïcode"),
        Message::binary(vec![0u8, 1, 2, 255, b'\n']),
        Message::binary(big.clone()),
        Message::text("fragmented message"),
        Message::text(""),
    ];
    let sent = expected.clone();
    let (go, start) = oneshot::channel::<()>();
    let server = ws_server(move |mut ws: Ws| async move {
        // Nothing is sent before the test has given wsc its stdin and closed it.
        start.await.unwrap();
        for message in &sent[..3] {
            ws.send(message.clone()).await.unwrap();
        }
        // The fourth in three fragments, with a ping between them.
        let fragment = |data: &'static [u8], data_kind, last| {
            Message::Frame(Frame::message(
                Bytes::from_static(data),
                OpCode::Data(data_kind),
                last,
            ))
        };
        ws.feed(fragment(b"fragme", Data::Text, false))
            .await
            .unwrap();
        ws.feed(Message::Ping(Bytes::from_static(b"mid")))
            .await
            .unwrap();
        ws.feed(fragment(b"nted mess", Data::Continue, false))
            .await
            .unwrap();
        ws.feed(fragment(b"age", Data::Continue, true))
            .await
            .unwrap();
        ws.send(sent[4].clone()).await.unwrap();
        let mut back = Vec::new();
        while back.len() < sent.len() {
            match ws.next().await {
                Some(Ok(message)) if message.is_text() || message.is_binary() => back.push(message),
                Some(Ok(Message::Pong(_))) => {}
                other => panic!("expected an echo, got {other:?}"),
            }
        }
        ws.close(Some(CloseFrame {
            code: 1000.into(),
            reason: "".into(),
        }))
        .await
        .unwrap();
        (back, record(ws).await)
    })
    .await;

    let mut child = wsc([server.url.as_str(), "--echo"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    // wsc reads none of it; the pipe buffer takes it all.
    stdin
        .write_all(b"stdin line one\nstdin line two\n")
        .await
        .unwrap();
    drop(stdin);
    go.send(()).unwrap();
    let run = finish(child).await;
    run.assert_status(0);
    // Ignoring stdin is what --echo does, but not without a word.
    assert_eq!(
        run.stderr,
        "wsc: warning: --echo sends no input: what stdin holds is not sent\n"
    );

    let (back, after) = server.finish().await;
    assert_eq!(back.len(), expected.len());
    for (i, (got, want)) in back.iter().zip(&expected).enumerate() {
        assert!(
            got == want,
            "echo {i}: got {}, sent {}",
            describe(got),
            describe(want)
        );
    }
    // After the echoes, only the answer to the server's Close: no stdin line, no Close of our
    // own at the end of stdin.
    assert_eq!(
        after.len(),
        1,
        "{:?}",
        after.iter().map(describe).collect::<Vec<_>>()
    );
    assert_eq!(close_of(&after), Some((1000, "".into())));

    // stdout shows what came in, as always.
    let mut stdout = b"hello \xc3\xbcn\xc3\xafcode\n".to_vec();
    stdout.extend_from_slice(&[0, 1, 2, 255, b'\n']);
    stdout.extend_from_slice(&big);
    stdout.extend_from_slice(b"fragmented message\n\n");
    assert!(
        run.stdout == stdout,
        "stdout of {} bytes differs from the {} bytes received",
        run.stdout.len(),
        stdout.len()
    );
}

#[tokio::test]
async fn echo_with_empty_stdin_keeps_echoing_until_the_server_closes() {
    let server = ws_server(|mut ws: Ws| async move {
        // One at a time: each echo must come back before the next message goes out.
        let mut back = Vec::new();
        for message in [
            Message::text("one"),
            Message::binary(vec![2u8]),
            Message::text("three"),
        ] {
            ws.send(message).await.unwrap();
            match ws.next().await {
                Some(Ok(echo)) => back.push(echo),
                other => panic!("expected an echo, got {other:?}"),
            }
        }
        ws.close(Some(CloseFrame {
            code: 1000.into(),
            reason: "done".into(),
        }))
        .await
        .unwrap();
        (back, record(ws).await)
    })
    .await;
    // A mirror does not close when its (empty) input ends; -w is a usage error with it.
    let child = wsc([server.url.as_str(), "--echo", "--stats"])
        .stdin_null()
        .spawn();
    let run = finish(child).await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"one\n\x02three\n");
    let (back, after) = server.finish().await;
    assert_eq!(
        back,
        [
            Message::text("one"),
            Message::binary(vec![2u8]),
            Message::text("three")
        ]
    );
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(close_of(&after), Some((1000, "done".into())));
    let stats = Stats::of(&run);
    assert_eq!(stats.received, "received 3 messages (9 bytes)");
    assert_eq!(stats.rtt, None);
    assert_eq!(stats.close, r#"close 1000 (normal) "done""#);
    // Counted from the writer's notes, which the end of the session waits for.
    assert_eq!(stats.sent, "sent 3 messages (9 bytes)");
}

// ---------------------------------------------------------------------------------------------
// --stats: one line of figures
// ---------------------------------------------------------------------------------------------

/// The `wsc: stats:` line, taken apart.
#[derive(Debug)]
struct Stats {
    /// How long the run took, in seconds.
    seconds: f64,
    sent: String,
    received: String,
    /// Frame bytes each way: (sent, received, compressed).
    wire: (u64, u64, bool),
    /// min, avg, max in ms.
    rtt: Option<(f64, f64, f64)>,
    close: String,
}

impl Stats {
    /// The one stats line of a run, which must come first on stderr.
    fn of(run: &Run) -> Stats {
        let lines = lines_starting(&run.stderr, "wsc: stats: ");
        assert_eq!(lines.len(), 1, "one stats line: {:?}", run.stderr);
        let parts: Vec<&str> = lines[0]["wsc: stats: ".len()..].split("; ").collect();
        assert_eq!(parts.len(), 6, "{}", lines[0]);
        let seconds: f64 = parts[0]
            .strip_suffix(" s")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("duration in s: {}", lines[0]));
        assert!((0.0..30.0).contains(&seconds), "{}", lines[0]);
        let wire: Vec<&str> = parts[3].split(' ').collect();
        let number = |at: usize| -> u64 {
            wire.get(at)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("wire bytes: {}", lines[0]))
        };
        assert_eq!(wire.len(), 9, "{}", lines[0]);
        let wire = (number(3), number(6), wire[8] == "(permessage-deflate)");
        let rtt = if parts[4] == "no ping rtt" {
            None
        } else {
            let figures = parts[4]
                .strip_prefix("ping rtt min/avg/max ")
                .and_then(|s| s.strip_suffix(" ms"))
                .unwrap_or_else(|| panic!("ping rtt: {}", lines[0]));
            let figures: Vec<f64> = figures
                .split('/')
                .map(|f| f.parse().expect("a number of ms"))
                .collect();
            assert_eq!(figures.len(), 3, "{}", lines[0]);
            assert!(
                0.0 <= figures[0] && figures[0] <= figures[1] && figures[1] <= figures[2],
                "{}",
                lines[0]
            );
            Some((figures[0], figures[1], figures[2]))
        };
        Stats {
            seconds,
            sent: parts[1].to_string(),
            received: parts[2].to_string(),
            wire,
            rtt,
            close: parts[5].to_string(),
        }
    }
}

/// What a stats test server counted.
#[derive(Debug, Default)]
struct Counted {
    received: (u64, u64),
    sent: (u64, u64),
    pings: Vec<Vec<u8>>,
}

impl Counted {
    /// Counts a message from wsc.
    fn add(&mut self, message: Message) {
        match message {
            Message::Ping(data) => self.pings.push(data.to_vec()),
            Message::Text(_) | Message::Binary(_) => {
                self.received.0 += 1;
                self.received.1 += message.len() as u64;
            }
            _ => {}
        }
    }
}

/// Who closes a stats test session.
enum Closer {
    /// The server, with this code and reason, once it has sent its replies.
    Server(u16, &'static str),
    /// wsc; the server answers its Close.
    Client,
}

/// A server that reads `wanted` data messages (and a ping, if `ping`), then sends `replies`;
/// counts what went each way until the connection ends.
async fn counting_server(
    wanted: u64,
    ping: bool,
    replies: Vec<Message>,
    closer: Closer,
) -> Server<Counted> {
    ws_server(move |mut ws: Ws| async move {
        let mut counted = Counted::default();
        while counted.received.0 < wanted || (ping && counted.pings.is_empty()) {
            match ws.next().await {
                Some(Ok(message)) => counted.add(message),
                other => panic!("expected a message, got {other:?}"),
            }
        }
        for reply in replies {
            counted.sent.0 += 1;
            counted.sent.1 += reply.len() as u64;
            // The pong tungstenite owes a ping goes out before this.
            ws.send(reply).await.unwrap();
        }
        if let Closer::Server(code, reason) = closer {
            ws.close(Some(CloseFrame {
                code: code.into(),
                reason: reason.into(),
            }))
            .await
            .unwrap();
        }
        while let Some(Ok(message)) = ws.next().await {
            counted.add(message);
        }
        counted
    })
    .await
}

const JSONL_INPUT: &str = concat!(
    r#"{"type":"ping","base64":"cGluZw=="}"#,
    "\n",
    r#"{"type":"text","data":"héllo"}"#,
    "\n",
    r#"{"type":"binary","base64":"AAEC"}"#,
    "\n",
);

fn replies() -> Vec<Message> {
    vec![
        Message::text("reply ünïcode"),
        Message::binary(vec![9u8; 1000]),
        Message::text(""),
    ]
}

#[tokio::test]
async fn stats_time_the_run_from_the_first_connection_attempt() {
    // The server lets the upgrade request wait a second: the run's time includes it.
    let server = tcp_server(|mut tcp| async move {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        raw_upgrade(&mut tcp, "").await;
        tcp.write_all(&frame(0x88, &1000u16.to_be_bytes()))
            .await
            .expect("close");
        // wsc's answer (a masked Close 1000: 8 bytes), then the server ends the connection.
        let mut answer = [0u8; 8];
        within("wsc's close", tcp.read_exact(&mut answer))
            .await
            .expect("answer");
    })
    .await;
    let run = wsc([&server.url, "--stats"]).stdin_null().run().await;
    run.assert_status(0);
    server.finish().await;
    let stats = Stats::of(&run);
    assert!(stats.seconds >= 1.0, "{stats:?}");
}

#[tokio::test]
async fn stats_count_what_went_out_before_the_writer_got_stuck() {
    // The server never reads: wsc's writer blocks once the socket buffers are full, and is
    // stopped when --max-time ends the run; what it wrote until then is still counted.
    let server = tcp_server(|mut tcp| async move {
        raw_upgrade(&mut tcp, "").await;
        tcp
    })
    .await;
    let input = format!("{}\n", "x".repeat(1000)).repeat(20_000);
    let run = wsc([&server.url, "--stats", "--max-time", "2"])
        .stdin(input)
        .run()
        .await;
    drop(server.finish().await);
    let stats = Stats::of(&run);
    assert!(stats.wire.0 >= 64 * 1024, "{stats:?}");
}

#[tokio::test]
async fn echo_stops_reading_a_peer_that_never_reads_its_echoes() {
    // The server sends 96 MiB and reads nothing: once 4 MiB of echoes wait unwritten, wsc
    // reads no more, so what it received is that plus what the socket buffers took (the
    // kernel's at most 10 MiB), never all the server would send.
    let server = tcp_server(|mut tcp| async move {
        raw_upgrade(&mut tcp, "").await;
        let message = frame(0x82, &[7u8; 60 * 1024]);
        for _ in 0..(96 * 1024 / 60) {
            if tcp.write_all(&message).await.is_err() {
                break;
            }
        }
        tcp
    })
    .await;
    let run = wsc([&server.url, "--echo", "--stats", "--max-time", "3"])
        .stdin_null()
        .run()
        .await;
    drop(server.finish().await);
    let received = Stats::of(&run).wire.1;
    assert!(received < 24 << 20, "{received} bytes read");
    assert!(received > 4 << 20, "{received} bytes read");
}

#[tokio::test]
async fn stats_count_messages_bytes_round_trips_and_the_close() {
    // wsc closes (after --count replies), so every send it made is counted by then.
    let server = counting_server(2, true, replies(), Closer::Client).await;
    let run = wsc([&server.url, "--jsonl", "--stats", "--count", "3"])
        .stdin(JSONL_INPUT)
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "only the stats line: {}",
        run.stderr
    );
    let stats = Stats::of(&run);
    let counted = server.finish().await;
    assert_eq!(counted.received, (2, 6 + 3), "what the server received");
    assert_eq!(counted.pings, [b"ping".to_vec()]);
    assert_eq!(counted.sent, (3, 15 + 1000), "what the server sent");
    assert_eq!(
        stats.sent,
        format!(
            "sent {} messages ({} bytes)",
            counted.received.0, counted.received.1
        )
    );
    assert_eq!(
        stats.received,
        format!(
            "received {} messages ({} bytes)",
            counted.sent.0, counted.sent.1
        )
    );
    assert!(stats.rtt.is_some(), "the ping's round trip is counted");
    // The server's answer to wsc's Close.
    assert_eq!(stats.close, r#"close 1000 (normal) """#);
    // stdout still has the messages, as JSON lines: open, pong, three messages, close.
    assert_eq!(
        run.stdout_lines().len(),
        1 + 1 + 3 + 1,
        "{}",
        run.stdout_text()
    );
}

#[tokio::test]
async fn stats_show_the_servers_close_code_and_reason() {
    let server = counting_server(0, false, replies(), Closer::Server(4001, "bye now")).await;
    let run = wsc([&server.url, "--stats", "-w", "-1"]).run().await;
    run.assert_status(7);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "stats and error: {}", run.stderr);
    assert!(lines[0].starts_with("wsc: stats: "), "{}", run.stderr);
    assert_eq!(
        lines[1],
        r#"wsc: error: closed by server: 4001 (application) "bye now""#
    );
    let stats = Stats::of(&run);
    let counted = server.finish().await;
    assert_eq!(counted.received, (0, 0));
    assert_eq!(stats.sent, "sent 0 messages (0 bytes)");
    assert_eq!(stats.received, "received 3 messages (1015 bytes)");
    assert_eq!(stats.rtt, None);
    assert_eq!(stats.close, r#"close 4001 (application) "bye now""#);
}

#[tokio::test]
async fn stats_count_keepalive_round_trips() {
    // No input: the server waits for wsc's first keepalive ping, answers it, says one thing and
    // closes.
    let server = counting_server(
        0,
        true,
        vec![Message::text("pinged")],
        Closer::Server(1000, ""),
    )
    .await;
    // Pings come often, but a pong may take as long as a loaded machine needs.
    let run = wsc([
        &server.url,
        "--ping-interval",
        "0.05",
        "--ping-timeout",
        "20",
        "--stats",
        "-w",
        "-1",
    ])
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "pinged\n");
    let stats = Stats::of(&run);
    let counted = server.finish().await;
    assert!(!counted.pings.is_empty());
    assert_eq!(counted.received, (0, 0));
    assert_eq!(stats.sent, "sent 0 messages (0 bytes)");
    assert_eq!(stats.received, "received 1 message (6 bytes)");
    assert!(
        stats.rtt.is_some(),
        "keepalive round trip counted: {stats:?}"
    );
    assert_eq!(stats.close, r#"close 1000 (normal) """#);
}

#[tokio::test]
async fn stats_when_wsc_closes_first() {
    let server = ws_server(echo).await;
    let run = wsc([&server.url, "--stats", "-w", "0"])
        .stdin("a\nbc\n")
        .run()
        .await;
    run.assert_status(0);
    let stats = Stats::of(&run);
    let received = server.finish().await;
    assert_eq!(texts(&received), ["a", "bc"]);
    assert_eq!(stats.sent, "sent 2 messages (3 bytes)");
    // With -w 0 the Close may go out before the echoes are back; what did arrive is counted.
    let shown = run.stdout_lines().len();
    let bytes: usize = run.stdout_lines().iter().map(String::len).sum();
    assert_eq!(
        stats.received,
        format!(
            "received {shown} message{} ({bytes} byte{})",
            if shown == 1 { "" } else { "s" },
            if bytes == 1 { "" } else { "s" }
        )
    );
    assert_eq!(stats.close, r#"close 1000 (normal) """#);
    // On the wire: our masked frames of 1 and 2 bytes and our Close; the unmasked echoes and
    // the server's Close.
    let received_wire = (2 * shown + bytes + 4) as u64;
    assert_eq!(stats.wire, (7 + 8 + 8, received_wire, false));
}
