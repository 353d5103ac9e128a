//! `wsc -l PORT --cert FILE --key FILE`: wsc serving wss://, to wsc itself and to
//! tokio-tungstenite over OpenSSL; bad files stopping it before it listens; clients that fail
//! the TLS handshake told about, and the next one served. The port is read from the listening
//! line, as a script would.

mod common;

use std::path::{Path, PathBuf};
use std::pin::Pin;

use common::tls::{Identity, certificate_with_key, ec_key, temp_file};
use common::{Message, Run, finish, within, wsc};
use futures_util::{SinkExt, StreamExt};
use openssl::ssl::{SslConnector, SslMethod, SslVersion};
use openssl::x509::X509;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio::task::JoinHandle;
use tokio_openssl::SslStream;

/// A certificate with a P-256 key (fast to make), signed by `issuer` or by itself.
fn cert(name: &str, issuer: Option<&Identity>, ca: bool) -> Identity {
    certificate_with_key(ec_key(), name, -1, 30, issuer, ca)
}

/// A server identity for 127.0.0.1 in files, and `--cert CERT --key KEY` for it (the directory
/// must outlive the run).
struct Files {
    _dir: tempfile::TempDir,
    identity: Identity,
    cert: PathBuf,
    key: PathBuf,
}

impl Files {
    fn new() -> Files {
        let identity = cert("127.0.0.1", None, false);
        Files::with(identity.clone(), &identity.cert_pem(), &identity.key_pem())
    }

    fn with(identity: Identity, cert_pem: &[u8], key_pem: &[u8]) -> Files {
        let dir = tempfile::tempdir().expect("temp dir");
        let cert = temp_file(&dir, "server.pem", cert_pem);
        let key = temp_file(&dir, "server.key", key_pem);
        Files {
            _dir: dir,
            identity,
            cert,
            key,
        }
    }

    fn args(&self) -> Vec<String> {
        vec![
            "--cert".into(),
            arg(&self.cert),
            "--key".into(),
            arg(&self.key),
        ]
    }
}

fn arg(path: &Path) -> String {
    path.to_str().expect("utf-8 temp path").to_string()
}

/// A running `wsc -l 0 --cert … --key …`, its port read from its first stderr line.
struct Listening {
    child: Child,
    port: u16,
    /// stderr after the listening line, collected until wsc exits.
    rest: JoinHandle<String>,
}

async fn listen(files: &Files, args: &[&str], stdin: Option<&str>) -> Listening {
    let mut all: Vec<String> = vec!["-l".into(), "0".into(), "--one".into()];
    all.extend(files.args());
    all.extend(args.iter().map(|a| a.to_string()));
    let mut command = wsc(all);
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
        .strip_prefix("* listening on wss://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("not a wss listening line: {first:?}"));
    let rest = tokio::spawn(async move {
        let mut text = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    Listening { child, port, rest }
}

impl Listening {
    fn url(&self) -> String {
        format!("wss://127.0.0.1:{}/", self.port)
    }

    async fn finish(self) -> Run {
        let mut run = finish(self.child).await;
        run.stderr = within("stderr", self.rest).await.expect("stderr task");
        run
    }
}

/// A TLS connection to the listener trusting `trusted`, offering ALPN http/1.1 as browsers do,
/// speaking at most TLS `max`.
async fn tls_connect(
    port: u16,
    trusted: &X509,
    max: Option<SslVersion>,
) -> Result<SslStream<TcpStream>, openssl::ssl::Error> {
    let mut connector = SslConnector::builder(SslMethod::tls_client()).expect("connector");
    connector
        .cert_store_mut()
        .add_cert(trusted.clone())
        .expect("trust");
    connector.set_max_proto_version(max).expect("max version");
    connector.set_alpn_protos(b"\x08http/1.1").expect("alpn");
    let ssl = connector
        .build()
        .configure()
        .and_then(|c| c.into_ssl("127.0.0.1"))
        .expect("ssl");
    let tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    let mut stream = SslStream::new(ssl, tcp).expect("stream");
    within("TLS handshake", Pin::new(&mut stream).connect())
        .await
        .map(|()| stream)
}

type Client = tokio_tungstenite::WebSocketStream<SslStream<TcpStream>>;

/// tokio-tungstenite over a verified TLS connection.
async fn client(port: u16, trusted: &X509) -> Client {
    let stream = tls_connect(port, trusted, None).await.expect("TLS");
    let url = format!("wss://127.0.0.1:{port}/");
    let (ws, _) = within("upgrade", tokio_tungstenite::client_async(url, stream))
        .await
        .expect("upgrade");
    ws
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

/// Sends one message, expects it back, and closes: the listener's `--echo` session.
async fn echo_once(port: u16, trusted: &X509) {
    let mut ws = client(port, trusted).await;
    within("send", ws.send(Message::text("over tls")))
        .await
        .expect("sent");
    assert_eq!(next_text(&mut ws).await, "over tls");
    close(ws).await;
}

#[tokio::test]
async fn wsc_serves_wss_to_wsc_and_tells_the_tls_session_only_with_verbose() {
    let files = Files::new();
    let server = listen(&files, &["--echo"], None).await;
    // One message there and back; the client closes once it is back (--count 1).
    let client = wsc([
        server.url().as_str(),
        "--ca",
        &arg(&files.cert),
        "-x",
        "over tls",
        "--count",
        "1",
    ])
    .stdin_null()
    .run()
    .await;
    client.assert_status(0);
    assert_eq!(client.stdout_lines(), ["over tls"]);
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["over tls"]);
    // Without -v, what TLS agreed on is not told (see the pipe-mode test for -v).
    assert!(!run.stderr.contains(", ALPN "), "{}", run.stderr);
}

#[tokio::test]
async fn wsc_serves_wss_to_tungstenite_in_pipe_mode_both_ways() {
    let files = Files::new();
    let server = listen(&files, &["-w", "-1", "-v"], Some("to client\n")).await;
    let stream = tls_connect(server.port, &files.identity.cert, None)
        .await
        .expect("TLS");
    // A WebSocket upgrade is HTTP/1.1: agreed by ALPN when offered.
    assert_eq!(
        stream.ssl().selected_alpn_protocol(),
        Some(&b"http/1.1"[..])
    );
    let url = server.url();
    let (mut ws, _) = within("upgrade", tokio_tungstenite::client_async(url, stream))
        .await
        .expect("upgrade");
    assert_eq!(next_text(&mut ws).await, "to client");
    within("send", ws.send(Message::text("to server")))
        .await
        .expect("sent");
    close(ws).await;
    let port = server.port;
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["to server"]);
    // -v names what TLS agreed on, and who connected.
    assert!(run.stderr.contains(", ALPN http/1.1\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("* connected from 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("Host: 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_chain_in_the_certificate_file_is_sent() {
    let ca = cert("wsc test CA", None, true);
    let intermediate = cert("wsc test intermediate", Some(&ca), true);
    let leaf = cert("127.0.0.1", Some(&intermediate), false);
    let chain = [leaf.cert_pem(), intermediate.cert_pem()].concat();
    let files = Files::with(leaf.clone(), &chain, &leaf.key_pem());
    let server = listen(&files, &["--echo"], None).await;
    // Trusting the CA only: the intermediate must come from the listener.
    echo_once(server.port, &ca.cert).await;
    server.finish().await.assert_status(0);
}

#[tokio::test]
async fn bad_certificate_or_key_files_stop_wsc_before_it_listens() {
    let good = Files::new();
    let other = cert("127.0.0.1", None, false);
    let missing = good.cert.with_file_name("missing.pem");
    let junk = temp_file(&good._dir, "junk.pem", b"not a certificate\n");
    let cases = [
        (
            missing.clone(),
            good.key.clone(),
            format!(
                "cannot read certificate file '{}': no such file or directory",
                missing.display()
            ),
        ),
        (
            junk.clone(),
            good.key.clone(),
            format!(
                "no PEM certificate in certificate file '{}'",
                junk.display()
            ),
        ),
        (
            good.cert.clone(),
            junk.clone(),
            format!("key '{}' is not a PKCS#8 PEM key", junk.display()),
        ),
        (
            good.cert.clone(),
            temp_file(&good._dir, "other.key", &other.key_pem()),
            format!(
                "server key '{}' does not match certificate '{}'",
                good._dir.path().join("other.key").display(),
                good.cert.display()
            ),
        ),
    ];
    // The port is taken: had wsc tried to bind it, the status would be 10, not 4.
    let (_taken, port) = common::listener().await;
    for (cert, key, error) in cases {
        let run = wsc([
            "-l",
            &port.to_string(),
            "--cert",
            &arg(&cert),
            "--key",
            &arg(&key),
        ])
        .stdin_null()
        .run()
        .await;
        // One line, the error: no listening line.
        run.assert_status(4).assert_error(&error);
    }
}

#[tokio::test]
async fn a_plain_ws_client_is_answered_400_and_the_next_client_served() {
    let files = Files::new();
    let server = listen(&files, &["--echo"], None).await;
    let plain = wsc([
        format!("ws://127.0.0.1:{}/", server.port),
        "-x".into(),
        "hi".into(),
    ])
    .stdin_null()
    .run()
    .await;
    plain
        .assert_status(5)
        .assert_error("server answered 400 Bad Request: this port speaks TLS: connect to wss://");
    echo_once(server.port, &files.identity.cert).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert!(
        run.stderr.contains(
            ": TLS handshake failed: the client spoke plain HTTP, not TLS (ws:// instead of \
             wss://?); it was answered 400\n"
        ),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_is_told_about() {
    let files = Files::new();
    let server = listen(&files, &["--echo"], None).await;
    // wsc without --ca: the self-signed certificate is refused.
    let untrusting = wsc([server.url().as_str(), "-x", "hi"])
        .stdin_null()
        .run()
        .await;
    untrusting
        .assert_status(4)
        .assert_error("certificate verify failed: self-signed certificate");
    echo_once(server.port, &files.identity.cert).await;
    let run = server.finish().await;
    run.assert_status(0);
    let line = run
        .stderr
        .lines()
        .find(|line| line.contains("TLS handshake failed"))
        .unwrap_or_else(|| panic!("no failure line in:\n{}", run.stderr));
    assert!(line.starts_with("* 127.0.0.1:"), "{line}");
    assert!(
        line.contains("the client rejected the certificate ("),
        "{line}"
    );
}

#[tokio::test]
async fn tls_min_applies_to_the_listener() {
    let files = Files::new();
    let server = listen(&files, &["--echo", "--tls-min", "1.3"], None).await;
    let old = tls_connect(server.port, &files.identity.cert, Some(SslVersion::TLS1_2)).await;
    assert!(old.is_err(), "a TLS 1.2 client was accepted");
    echo_once(server.port, &files.identity.cert).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert!(
        run.stderr
            .contains("the client does not speak TLS 1.3, which --tls-min 1.3 requires"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn bytes_that_are_not_tls_are_told_about_and_the_next_client_served() {
    let files = Files::new();
    let server = listen(&files, &["--echo"], None).await;
    let mut tcp = within("connect", TcpStream::connect(("127.0.0.1", server.port)))
        .await
        .expect("connects");
    within("write", tcp.write_all(b"SSH-2.0-OpenSSH_9.6\r\n"))
        .await
        .expect("written");
    // wsc drops the connection (after an alert, if any).
    let mut rest = Vec::new();
    let _ = within("drop", tcp.read_to_end(&mut rest)).await;
    echo_once(server.port, &files.identity.cert).await;
    let run = server.finish().await;
    run.assert_status(0);
    assert!(
        run.stderr.contains(
            ": TLS handshake failed: what the client sent is not TLS (wrong version number)\n"
        ),
        "{}",
        run.stderr
    );
}
