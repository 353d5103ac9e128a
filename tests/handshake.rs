//! The upgrade request wsc writes (headers, credentials, subprotocols, URL forms), usage errors
//! found before any connection, and how refused, rejected and unanswered upgrades end
//! (statuses 2, 3 and 5).

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::Response;
use tokio_tungstenite::tungstenite::http::{HeaderMap, HeaderValue};

/// `dTpw` is base64 of `u:p`.
const BASIC_U_P: &str = "Basic dTpw";

/// Runs wsc with `args` (the URL among them), sending one line and closing as soon as input
/// has ended; asserts that the echo came back and the session ended cleanly.
async fn session(args: Vec<String>) -> Run {
    let mut all = args;
    all.extend(["-w".to_string(), "0".to_string()]);
    let run = wsc(all).stdin("ping\n").run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "ping\n");
    assert_eq!(run.stderr, "");
    run
}

/// The request headers a server saw.
struct Seen(HeaderMap);

impl Seen {
    /// All values of a header, joined with ", " (as `Server::request_header`).
    fn request_header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .0
            .get_all(name)
            .iter()
            .map(|v| v.to_str().expect("ASCII header value"))
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// A session with an echo server given `args` after the URL; returns the request headers the
/// server saw.
async fn headers_seen_with(args: &[&str]) -> Seen {
    let server = ws_server(echo).await;
    let mut all = vec![server.url.clone()];
    all.extend(args.iter().map(|a| a.to_string()));
    session(all).await;
    let headers = server.headers.lock().unwrap().clone();
    assert_eq!(texts(&server.finish().await), ["ping"]);
    Seen(headers.expect("the server saw the upgrade request"))
}

// ---------------------------------------------------------------------------------------------
// Request headers as the server sees them

#[tokio::test]
async fn repeated_header_flags_all_arrive_in_order() {
    let server =
        headers_seen_with(&["-H", "X-A: 1", "--header", "X-A: 2", "-H", "X-B:three"]).await;
    assert_eq!(server.request_header("x-a").as_deref(), Some("1, 2"));
    assert_eq!(server.request_header("x-b").as_deref(), Some("three"));
}

#[tokio::test]
async fn auth_flag_sends_basic_authorization() {
    let server = headers_seen_with(&["--auth", "u:p"]).await;
    assert_eq!(
        server.request_header("authorization").as_deref(),
        Some(BASIC_U_P)
    );
}

#[tokio::test]
async fn user_flag_sends_basic_authorization() {
    for flag in ["-u", "--user"] {
        let server = headers_seen_with(&[flag, "u:p"]).await;
        assert_eq!(
            server.request_header("authorization").as_deref(),
            Some(BASIC_U_P),
            "with {flag}"
        );
    }
}

#[tokio::test]
async fn url_userinfo_becomes_basic_authorization() {
    let server = ws_server(echo).await;
    session(vec![format!("ws://u:p@127.0.0.1:{}/", server.port)]).await;
    assert_eq!(
        server.request_header("authorization").as_deref(),
        Some(BASIC_U_P)
    );
    server.finish().await;
}

#[tokio::test]
async fn verbose_output_does_not_show_credentials() {
    let server = ws_server(echo).await;
    let run = wsc([
        format!("ws://user:s3cret@127.0.0.1:{}/", server.port),
        "-v".into(),
        "-H".into(),
        "Cookie: session=t0ken".into(),
        "-w".into(),
        "0".into(),
    ])
    .stdin("ping\n")
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "ping\n");
    // base64 of user:s3cret
    for secret in ["s3cret", "dXNlcjpzM2NyZXQ=", "t0ken"] {
        assert!(
            !run.stderr.contains(secret),
            "{secret} shown: {}",
            run.stderr
        );
    }
    assert_eq!(
        server.request_header("authorization").as_deref(),
        Some("Basic dXNlcjpzM2NyZXQ=")
    );
    assert_eq!(
        server.request_header("cookie").as_deref(),
        Some("session=t0ken")
    );
    server.finish().await;
}

#[tokio::test]
async fn no_authorization_is_sent_unless_asked() {
    let server = headers_seen_with(&[]).await;
    assert_eq!(server.request_header("authorization"), None);
    assert_eq!(server.request_header("origin"), None);
    assert_eq!(server.request_header("sec-websocket-protocol"), None);
    // Compression is offered as browsers offer it, unless turned off.
    assert_eq!(
        server.request_header("sec-websocket-extensions").as_deref(),
        Some("permessage-deflate; client_max_window_bits")
    );
    let server = headers_seen_with(&["--no-compress"]).await;
    assert_eq!(server.request_header("sec-websocket-extensions"), None);
}

#[tokio::test]
async fn origin_flag_sends_origin() {
    for flag in ["-o", "--origin"] {
        let server = headers_seen_with(&[flag, "https://app.example"]).await;
        assert_eq!(
            server.request_header("origin").as_deref(),
            Some("https://app.example"),
            "with {flag}"
        );
    }
}

#[tokio::test]
async fn default_user_agent_names_wsc_and_its_version() {
    let server = headers_seen_with(&[]).await;
    assert_eq!(
        server.request_header("user-agent"),
        Some(format!("wsc/{}", env!("CARGO_PKG_VERSION")))
    );
}

#[tokio::test]
async fn user_agent_flag_replaces_the_default() {
    for flag in ["-A", "--user-agent"] {
        let server = headers_seen_with(&[flag, "probe/2.0"]).await;
        assert_eq!(
            server.request_header("user-agent").as_deref(),
            Some("probe/2.0"),
            "with {flag}"
        );
    }
}

#[tokio::test]
async fn an_empty_user_agent_sends_no_user_agent_header() {
    let server = headers_seen_with(&["-A", ""]).await;
    assert_eq!(server.request_header("user-agent"), None);
}

#[tokio::test]
async fn a_connect_timeout_of_0_is_no_limit() {
    // As in curl; read as a limit of 0 s it would fail before the TCP connection is made.
    let server = ws_server(echo).await;
    session(vec![
        server.url.clone(),
        "--connect-timeout".into(),
        "0".into(),
    ])
    .await;
    assert_eq!(texts(&server.finish().await), ["ping"]);
}

#[tokio::test]
async fn user_agent_given_as_a_header_replaces_the_default() {
    let server = headers_seen_with(&["-H", "User-Agent: x"]).await;
    assert_eq!(server.request_header("user-agent").as_deref(), Some("x"));
}

#[tokio::test]
async fn a_host_header_replaces_the_generated_one() {
    let server = headers_seen_with(&["-H", "Host: example.test"]).await;
    // request_header joins repeated values: one value means it was not doubled.
    assert_eq!(
        server.request_header("host").as_deref(),
        Some("example.test")
    );
}

#[tokio::test]
async fn subprotocols_are_offered_and_the_selected_one_is_reported() {
    let server = ws_server_with(
        |mut response: Response| {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("b"));
            response
        },
        echo,
    )
    .await;
    let run = wsc([
        &server.url,
        "-s",
        "a",
        "--subprotocol",
        "b",
        "--jsonl",
        "-w",
        "0",
    ])
    .stdin("{\"type\":\"text\",\"data\":\"hi\"}\n")
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stderr, "");
    assert_eq!(
        server.request_header("sec-websocket-protocol").as_deref(),
        Some("a, b")
    );
    let events: Vec<serde_json::Value> = run
        .stdout_lines()
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(events[0]["type"], "open", "{events:?}");
    assert_eq!(events[0]["subprotocol"], "b", "{events:?}");
    assert!(
        events.contains(&serde_json::json!({"type":"text","data":"hi"})),
        "{events:?}"
    );
    assert_eq!(texts(&server.finish().await), ["hi"]);
}

#[tokio::test]
async fn a_subprotocol_header_is_an_offer_merged_with_the_flags() {
    // The server picks one that only the -H line offered.
    let server = ws_server_with(
        |mut response: Response| {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("y"));
            response
        },
        echo,
    )
    .await;
    let run = wsc([
        server.url.as_str(),
        "-s",
        "a",
        "-H",
        "sec-websocket-protocol: x, a,y",
        "-w",
        "0",
        "-v",
    ])
    .run()
    .await;
    run.assert_status(0);
    assert!(
        run.stderr.contains("(subprotocol y)"),
        "the selected one is reported: {}",
        run.stderr
    );
    let headers = server.headers.lock().unwrap().clone().expect("a request");
    let lines: Vec<_> = headers.get_all("sec-websocket-protocol").iter().collect();
    // One line, -s first, each once: not a second header of the user's own.
    assert_eq!(lines, ["a, x, y"]);
    server.finish().await;
}

#[tokio::test]
async fn an_invalid_subprotocol_in_a_header_is_a_usage_error() {
    assert_usage_error(
        &[
            "ws://127.0.0.1:{port}/",
            "-H",
            "Sec-WebSocket-Protocol: a b",
        ],
        "invalid subprotocol 'a b'",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// URL forms

#[tokio::test]
async fn connect_flag_works_like_the_url_argument() {
    for flag in ["-c", "--connect"] {
        let server = ws_server(echo).await;
        session(vec![flag.to_string(), server.url.clone()]).await;
        assert_eq!(texts(&server.finish().await), ["ping"], "with {flag}");
    }
}

#[tokio::test]
async fn http_scheme_means_ws() {
    let server = ws_server(echo).await;
    session(vec![format!("http://127.0.0.1:{}/", server.port)]).await;
    assert_eq!(texts(&server.finish().await), ["ping"]);
}

#[tokio::test]
async fn a_url_without_scheme_means_ws() {
    let server = ws_server(echo).await;
    session(vec![format!("127.0.0.1:{}", server.port)]).await;
    assert_eq!(texts(&server.finish().await), ["ping"]);
}

#[tokio::test]
async fn an_ipv6_literal_url_works() {
    // IPv6 loopback is required, as by the routes tests: a machine without it fails here
    // rather than passing without having tried.
    let listener = TcpListener::bind("[::1]:0")
        .await
        .expect("this test needs [::1] (IPv6 loopback)");
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        echo(tokio_tungstenite::accept_async(tcp).await.expect("upgrade")).await
    });
    session(vec![format!("ws://[::1]:{port}/")]).await;
    assert_eq!(texts(&within("server", server).await.unwrap()), ["ping"]);
}

// ---------------------------------------------------------------------------------------------
// Usage errors: status 2, one line, no connection attempted

/// Runs wsc with `args`, where `{port}` stands for the port of a listener that must see no
/// connection, and asserts a usage error mentioning `needle`.
async fn assert_usage_error(args: &[&str], needle: &str) {
    let (listener, port) = listener().await;
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    let run = wsc(&args).run().await;
    run.assert_status(2).assert_error(needle);
    assert_eq!(run.stdout, b"", "{args:?}");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_port_out_of_range_is_a_usage_error() {
    assert_usage_error(&["ws://127.0.0.1:99999/"], "invalid port number").await;
}

#[tokio::test]
async fn an_unsupported_scheme_is_a_usage_error() {
    assert_usage_error(&["ftp://127.0.0.1:{port}/"], "unsupported scheme 'ftp'").await;
}

#[tokio::test]
async fn a_scheme_typo_is_a_usage_error_without_a_lookup_of_the_scheme() {
    // Read as a host name, `ws` would be looked up in DNS: a slow status 3 at best.
    let started = Instant::now();
    assert_usage_error(
        &["ws:/127.0.0.1:{port}/"],
        "one slash after 'ws:' (write ws://127.0.0.1:",
    )
    .await;
    assert_usage_error(&["wss//127.0.0.1:{port}/"], "no ':' after 'wss'").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_url_without_host_is_a_usage_error() {
    assert_usage_error(&["ws://"], "empty host").await;
    assert_usage_error(&["ws://:{port}/"], "empty host").await;
}

#[tokio::test]
async fn a_header_without_colon_is_a_usage_error() {
    assert_usage_error(
        &["ws://127.0.0.1:{port}/", "-H", "NoColon"],
        "malformed header 'NoColon'",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_flag_is_a_usage_error() {
    assert_usage_error(&["ws://127.0.0.1:{port}/", "--nope"], "'--nope'").await;
}

#[tokio::test]
async fn a_negative_connect_timeout_is_a_usage_error() {
    assert_usage_error(
        &["ws://127.0.0.1:{port}/", "--connect-timeout=-1"],
        "--connect-timeout takes a number of seconds, not '-1'",
    )
    .await;
    // Separated from its flag, clap takes -1 for a flag of its own: still a usage error.
    assert_usage_error(&["ws://127.0.0.1:{port}/", "--connect-timeout", "-1"], "-1").await;
}

#[tokio::test]
async fn credentials_without_colon_are_a_usage_error() {
    assert_usage_error(&["ws://127.0.0.1:{port}/", "--auth", "u"], "USER:PASS").await;
}

#[tokio::test]
async fn url_argument_and_connect_flag_together_are_a_usage_error() {
    assert_usage_error(
        &["ws://127.0.0.1:{port}/", "-c", "ws://127.0.0.1:{port}/"],
        "cannot be used with",
    )
    .await;
}

#[tokio::test]
async fn a_missing_url_is_a_usage_error_that_says_so() {
    let run = wsc(Vec::<String>::new()).run().await;
    run.assert_status(2).assert_error("URL");
}

// ---------------------------------------------------------------------------------------------
// Status 5: the server answers the upgrade wrongly

/// A raw server that reads the upgrade request, writes `answer(request)` and then waits for wsc
/// to hang up; returns the request head.
async fn answering(answer: impl FnOnce(&str) -> Vec<u8> + Send + 'static) -> Server<String> {
    tcp_server(|mut tcp| async move {
        let head = read_request_head(&mut tcp).await;
        // wsc may hang up before reading it all (too large an answer): not an error here.
        let _ = tcp.write_all(&answer(&head)).await;
        read_to_end(&mut tcp).await;
        head
    })
    .await
}

/// A 101 answer with a correct accept key and these header lines (each ending in `\r\n`),
/// without the standard Upgrade/Connection lines unless given.
fn answer_101(head: &str, lines: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: {}\r\n{lines}\r\n",
        accept_key(head)
    )
    .into_bytes()
}

const UPGRADE_LINES: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\n";

async fn assert_rejected(server: Server<String>, extra_args: &[&str], needle: &str) {
    let mut args = vec![server.url.clone(), "-w".into(), "0".into()];
    args.extend(extra_args.iter().map(|a| a.to_string()));
    let run = wsc(args).stdin("never sent\n").run().await;
    run.assert_status(5).assert_error(needle);
    assert_eq!(run.stdout, b"");
    let head = server.finish().await;
    assert!(head.starts_with("GET / HTTP/1.1\r\n"), "{head:?}");
}

#[tokio::test]
async fn token_lists_in_any_case_are_accepted_and_frames_behind_the_head_are_kept() {
    // RFC 6455 asks for the tokens, not for the exact values: nginx-style answers are valid.
    // The first frame comes in the same write as the 101.
    let server = answering(|head| {
        let mut answer = answer_101(
            head,
            "upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n",
        );
        answer.extend_from_slice(&frame(0x81, b"right behind the head"));
        answer.extend_from_slice(&frame(0x88, &1000u16.to_be_bytes()));
        answer
    })
    .await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "right behind the head\n");
    server.finish().await;
}

#[tokio::test]
async fn a_non_101_answer_is_rejected_with_its_status() {
    let server = answering(|_| {
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nno entry\r\n"
            .to_vec()
    })
    .await;
    assert_rejected(server, &[], "server answered 403 Forbidden").await;
}

#[tokio::test]
async fn a_200_answer_is_rejected() {
    let server = answering(|_| b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()).await;
    assert_rejected(server, &[], "server answered 200 OK").await;
}

#[tokio::test]
async fn a_wrong_accept_key_is_rejected() {
    let server = answering(|_| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\n{UPGRADE_LINES}\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        )
        .into_bytes()
    })
    .await;
    assert_rejected(server, &[], "wrong Sec-WebSocket-Accept").await;
}

#[tokio::test]
async fn an_answer_without_upgrade_websocket_is_rejected() {
    let server = answering(|head| answer_101(head, "Connection: Upgrade\r\n")).await;
    assert_rejected(server, &[], "lacks 'Upgrade: websocket'").await;
}

#[tokio::test]
async fn an_answer_without_connection_upgrade_is_rejected() {
    let server = answering(|head| answer_101(head, "Upgrade: websocket\r\n")).await;
    assert_rejected(server, &[], "lacks 'Connection: Upgrade'").await;
}

#[tokio::test]
async fn a_subprotocol_selected_when_none_was_offered_is_rejected() {
    let server = answering(|head| {
        answer_101(
            head,
            &format!("{UPGRADE_LINES}Sec-WebSocket-Protocol: chat\r\n"),
        )
    })
    .await;
    assert_rejected(
        server,
        &[],
        "server selected subprotocol 'chat', which was not offered (none was offered)",
    )
    .await;
}

#[tokio::test]
async fn a_subprotocol_other_than_the_offered_ones_is_rejected() {
    let server = answering(|head| {
        answer_101(
            head,
            &format!("{UPGRADE_LINES}Sec-WebSocket-Protocol: z\r\n"),
        )
    })
    .await;
    assert_rejected(
        server,
        &["-s", "a", "-s", "b"],
        "server selected subprotocol 'z', which was not offered (offered: a, b)",
    )
    .await;
}

#[tokio::test]
async fn no_subprotocol_selected_when_some_were_offered_is_rejected() {
    let server = answering(|head| answer_101(head, UPGRADE_LINES)).await;
    assert_rejected(
        server,
        &["-s", "a"],
        "server selected none of the offered subprotocols (a)",
    )
    .await;
}

#[tokio::test]
async fn an_extension_that_was_not_offered_is_rejected() {
    let server = answering(|head| {
        answer_101(
            head,
            &format!("{UPGRADE_LINES}Sec-WebSocket-Extensions: permessage-deflate\r\n"),
        )
    })
    .await;
    assert_rejected(
        server,
        &["--no-compress"],
        "server selected extension 'permessage-deflate' that was not offered",
    )
    .await;
}

#[tokio::test]
async fn an_answer_head_larger_than_64_kib_is_rejected() {
    let server = answering(|head| {
        // 100 headers of 1 KiB: 100 KiB of head, under the header count limit.
        let filler: String = (0..100)
            .map(|i| format!("X-Filler-{i}: {}\r\n", "f".repeat(1000)))
            .collect();
        answer_101(head, &format!("{UPGRADE_LINES}{filler}"))
    })
    .await;
    assert_rejected(server, &[], "too large").await;
}

#[tokio::test]
async fn an_answer_with_too_many_headers_is_rejected() {
    let server = answering(|head| {
        // 300 short headers: far under 64 KiB, but more than any client needs to parse.
        let filler: String = (0..300).map(|i| format!("X-{i}: {i}\r\n")).collect();
        answer_101(head, &format!("{UPGRADE_LINES}{filler}"))
    })
    .await;
    assert_rejected(server, &[], "header").await;
}

// ---------------------------------------------------------------------------------------------
// Status 3: no connection, or no answer in time

#[tokio::test]
async fn a_refused_connection_is_status_3() {
    let (listener, port) = listener().await;
    drop(listener);
    let run = wsc([format!("ws://127.0.0.1:{port}/")])
        .stdin("never sent\n")
        .run()
        .await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to 127.0.0.1 port {port}: connection refused"
    ));
    assert_eq!(run.stdout, b"");
}

#[tokio::test]
async fn an_upgrade_never_answered_hits_the_connect_timeout() {
    // The server reads the request and says nothing until wsc goes away.
    let server = tcp_server(|mut tcp| async move {
        let head = read_request_head(&mut tcp).await;
        read_to_end(&mut tcp).await;
        head
    })
    .await;
    let started = Instant::now();
    let run = wsc([&server.url, "--connect-timeout", "0.5"])
        .stdin("never sent\n")
        .run()
        .await;
    let elapsed = started.elapsed();
    run.assert_status(3).assert_error("connect timeout");
    assert!(run.stderr.contains("0.5 s"), "{}", run.stderr);
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(server.finish().await.starts_with("GET / HTTP/1.1\r\n"));
}

// ---------------------------------------------------------------------------------------------
// The request itself

/// The request head split into its request line and (lower-cased name, value) headers.
fn parse_head(head: &str) -> (String, Vec<(String, String)>) {
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let request_line = lines.next().expect("a request line").to_string();
    let headers = lines
        .map(|l| {
            let (name, value) = l.split_once(':').expect("a header line");
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    (request_line, headers)
}

fn values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[tokio::test]
async fn the_request_is_a_proper_upgrade() {
    let server = tcp_server(|mut tcp| async move {
        let head = read_request_head(&mut tcp).await;
        // Accept, then close at once so that the session ends cleanly.
        let answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\n{UPGRADE_LINES}Sec-WebSocket-Accept: {}\r\n\r\n",
            accept_key(&head)
        );
        tcp.write_all(answer.as_bytes()).await.expect("write 101");
        tcp.write_all(&frame(0x88, &1000u16.to_be_bytes()))
            .await
            .expect("write close");
        let rest = read_to_end(&mut tcp).await;
        (head, client_frames(&rest))
    })
    .await;
    let port = server.port;
    let run = wsc([format!(
        "ws://u:p@127.0.0.1:{port}/chat/room%201?x=1&y=two%20words#frag"
    )])
    .run()
    .await;
    run.assert_status(0);
    let (head, frames) = server.finish().await;
    let (request_line, headers) = parse_head(&head);
    assert_eq!(
        request_line,
        "GET /chat/room%201?x=1&y=two%20words HTTP/1.1"
    );
    assert!(!head.contains("u:p@"), "userinfo leaked: {head:?}");
    assert!(!head.contains("frag"), "fragment sent: {head:?}");
    assert_eq!(values(&headers, "host"), [format!("127.0.0.1:{port}")]);
    assert_eq!(values(&headers, "upgrade"), ["websocket"]);
    assert_eq!(values(&headers, "connection"), ["Upgrade"]);
    assert_eq!(values(&headers, "sec-websocket-version"), ["13"]);
    let key = values(&headers, "sec-websocket-key");
    assert_eq!(key.len(), 1, "{head:?}");
    assert_eq!(key[0].len(), 24, "a base64 16-byte key: {head:?}");
    assert_eq!(values(&headers, "authorization"), [BASIC_U_P]);
    assert_eq!(
        values(&headers, "user-agent"),
        [format!("wsc/{}", env!("CARGO_PKG_VERSION"))]
    );
    // wsc answered the server's Close with its own.
    assert_eq!(frames.first().map(|(op, _)| *op), Some(8), "{frames:?}");
}
