//! TLS: certificates verified by default, the ways to trust a server (-k and its aliases, --ca),
//! expired and misnamed certificates, client certificates, and every TLS failure as status 4
//! with one line in words.

mod common;

use std::path::Path;

use common::tls::*;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A certificate with a P-256 key (fast to make): see `certificate` for the arguments.
fn cert(name: &str, from_days: i64, to_days: i64, issuer: Option<&Identity>, ca: bool) -> Identity {
    certificate_with_key(ec_key(), name, from_days, to_days, issuer, ca)
}

/// A self-signed certificate for 127.0.0.1 like `self_signed()`, only faster to make: for tests
/// about something else.
fn server_cert() -> Identity {
    cert("127.0.0.1", -1, 365, None, false)
}

/// A CA certificate valid now.
fn ca() -> Identity {
    cert("wsc test CA", -1, 365, None, true)
}

/// A fresh CA, written to a file, and the `--ca FILE` arguments that trust it (the directory
/// must outlive the run).
fn trusted_ca() -> (tempfile::TempDir, Identity, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let ca = ca();
    let file = temp_file(&dir, "ca.pem", &ca.cert_pem());
    (dir, ca, vec!["--ca".into(), arg(&file)])
}

/// A path in `dir` as a command-line argument.
fn arg(path: &Path) -> String {
    path.to_str().expect("utf-8 temp path").to_string()
}

/// `-k --cert CERT --key KEY`: a client identity, the server's certificate unchecked.
fn identity_args(cert: &Path, key: &Path) -> Vec<String> {
    vec![
        "-k".into(),
        "--cert".into(),
        arg(cert),
        "--key".into(),
        arg(key),
    ]
}

/// Runs wsc with `args` against `url`, sending one line and closing as soon as input has ended.
async fn echo_once(url: &str, args: &[String]) -> Run {
    let mut all = vec![url.to_string(), "-w".into(), "0".into()];
    all.extend(args.iter().cloned());
    wsc(all).stdin("hello over tls\n").run().await
}

/// Asserts a session through a TLS echo server worked.
fn assert_echoed(run: &Run) {
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "hello over tls\n");
    assert_eq!(run.stderr, "");
}

/// A wss echo server (its task fails if the TLS handshake or upgrade fails); `finish` gives the
/// text messages that arrived.
async fn wss_echo(
    identity: Identity,
    client_ca: Option<openssl::x509::X509>,
) -> Server<Vec<String>> {
    wss_server(identity, client_ca, |ws| async move {
        texts(&echo(ws.expect("server-side TLS and upgrade")).await)
    })
    .await
}

/// A wss server that only reports whether the TLS handshake (and upgrade) succeeded.
async fn wss_probe(identity: Identity, client_ca: Option<openssl::x509::X509>) -> Server<bool> {
    wss_server(identity, client_ca, |ws| async move { ws.is_some() }).await
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_by_default() {
    let server = wss_probe(self_signed(), None).await;
    let run = echo_once(&server.url, &[]).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: self-signed certificate");
    assert_eq!(run.stdout, b"");
    assert!(
        !server.finish().await,
        "the server saw no successful handshake"
    );
}

#[tokio::test]
async fn insecure_flag_and_its_aliases_accept_a_self_signed_certificate() {
    let identity = self_signed();
    for flag in ["-k", "-n", "--insecure", "--no-check"] {
        let server = wss_echo(identity.clone(), None).await;
        let run = echo_once(&server.url, &[flag.to_string()]).await;
        assert_echoed(&run);
        assert_eq!(server.finish().await, ["hello over tls"], "with {flag}");
    }
}

#[tokio::test]
async fn ca_file_holding_the_servers_own_certificate_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let identity = self_signed();
    let ca_file = temp_file(&dir, "server.pem", &identity.cert_pem());
    for flag in ["--ca", "--cacert"] {
        let server = wss_echo(identity.clone(), None).await;
        let run = echo_once(&server.url, &[flag.to_string(), arg(&ca_file)]).await;
        assert_echoed(&run);
        assert_eq!(server.finish().await, ["hello over tls"], "with {flag}");
    }
}

#[tokio::test]
async fn a_certificate_signed_by_the_given_ca_is_trusted() {
    let (_dir, ca, ca_args) = trusted_ca();
    let server = wss_echo(cert("127.0.0.1", -1, 30, Some(&ca), false), None).await;
    let run = echo_once(&server.url, &ca_args).await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello over tls"]);
}

#[tokio::test]
async fn verbose_shows_the_tls_version_the_cipher_and_the_servers_certificate() {
    let (_dir, ca, mut args) = trusted_ca();
    args.push("-v".into());
    for (max, version) in [
        (None, "TLS 1.3"),
        (Some(openssl::ssl::SslVersion::TLS1_2), "TLS 1.2"),
    ] {
        let identity = cert("127.0.0.1", -1, 30, Some(&ca), false);
        let server = wss_server_up_to(identity, None, max, |ws| async move {
            texts(&echo(ws.expect("server-side TLS and upgrade")).await)
        })
        .await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        assert_eq!(server.finish().await, ["hello over tls"]);
        let err = &run.stderr;
        let lines: Vec<&str> = err.lines().collect();
        let at = |line: &str| {
            lines
                .iter()
                .position(|l| *l == line)
                .unwrap_or_else(|| panic!("no {line:?} in:\n{err}"))
        };
        let tls = lines
            .iter()
            .position(|l| l.starts_with(&format!("* {version}, cipher TLS_")))
            .unwrap_or_else(|| panic!("no {version} line in:\n{err}"));
        at("* certificate 1/1 subject: CN=127.0.0.1");
        at("* certificate 1/1 issuer: CN=wsc test CA");
        at("* certificate 1/1 names: IP 127.0.0.1");
        let expires = lines
            .iter()
            .find(|l| l.starts_with("* certificate 1/1 expires: "))
            .unwrap_or_else(|| panic!("no expiry in:\n{err}"));
        assert!(
            expires.ends_with(" GMT (in 29 days)") || expires.ends_with(" GMT (in 30 days)"),
            "{expires}"
        );
        // Before the request, which goes out only once TLS is up.
        assert!(tls < at("> GET / HTTP/1.1"), "{err}");
    }
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let (_dir, ca, ca_args) = trusted_ca();
    let expired = cert("127.0.0.1", -30, -1, Some(&ca), false);
    let server = wss_probe(expired, None).await;
    let run = echo_once(&server.url, &ca_args).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: certificate has expired");
    assert!(!server.finish().await);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_when_connecting_by_ip() {
    let (_dir, ca, ca_args) = trusted_ca();
    let other = cert("other.example", -1, 30, Some(&ca), false);
    let server = wss_probe(other, None).await;
    let run = echo_once(&server.url, &ca_args).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: IP address mismatch");
    assert!(!server.finish().await);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_when_connecting_by_hostname() {
    let (_dir, ca, ca_args) = trusted_ca();
    let other = cert("other.example", -1, 30, Some(&ca), false);
    let server = wss_probe(other, None).await;
    // localhost may resolve to ::1 first, where nothing listens; wsc then tries 127.0.0.1.
    let url = format!("wss://localhost:{}/", server.port);
    let run = echo_once(&url, &ca_args).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: hostname mismatch");
    assert!(!server.finish().await);
}

#[tokio::test]
async fn a_hostname_mismatch_is_accepted_with_insecure() {
    let other = cert("other.example", -1, 30, None, false);
    let server = wss_echo(other, None).await;
    let run = echo_once(&server.url, &["-k".into()]).await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello over tls"]);
}

#[tokio::test]
async fn a_client_certificate_signed_by_the_servers_ca_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let client_ca = ca();
    let client = cert("wsc client", -1, 30, Some(&client_ca), false);
    let cert = temp_file(&dir, "client.pem", &client.cert_pem());
    let key = temp_file(&dir, "client.key", &client.key_pem());
    let server = wss_echo(server_cert(), Some(client_ca.cert.clone())).await;
    let run = echo_once(&server.url, &identity_args(&cert, &key)).await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello over tls"]);
}

#[tokio::test]
async fn a_server_demanding_a_client_certificate_refuses_a_client_without_one() {
    let client_ca = ca();
    let server = wss_probe(server_cert(), Some(client_ca.cert.clone())).await;
    let run = echo_once(&server.url, &["-k".into()]).await;
    run.assert_status(4).assert_error("client certificate");
    assert!(!run.stderr.contains("error:0A"), "no OpenSSL error dump");
    assert!(!server.finish().await, "the server refused the client");
}

/// A client identity signed by `ca` (valid from `from_days` to `to_days`), written to files, and
/// the arguments that present it (with -k).
fn client_identity(
    dir: &tempfile::TempDir,
    ca: &Identity,
    from_days: i64,
    to_days: i64,
) -> Vec<String> {
    let client = cert("wsc client", from_days, to_days, Some(ca), false);
    let cert = temp_file(dir, "client.pem", &client.cert_pem());
    let key = temp_file(dir, "client.key", &client.key_pem());
    identity_args(&cert, &key)
}

/// What a client shows a server that demands a certificate.
#[derive(Clone, Copy, Debug)]
enum Shown {
    Nothing,
    /// A certificate signed by a CA the server does not know.
    Stranger,
    /// A certificate signed by the server's CA, expired.
    Expired,
}

/// wsc against a server that demands a client certificate and speaks at most TLS `max`: it
/// must be a TLS failure that names the client certificate, in words. Run several times: the
/// server's alert may arrive, or be lost to the connection's end.
async fn assert_client_certificate_refused(shown: Shown, needle: &str) {
    for max in [None, Some(openssl::ssl::SslVersion::TLS1_2)] {
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let server_ca = ca();
            let args = match shown {
                Shown::Nothing => vec!["-k".to_string()],
                Shown::Stranger => {
                    let stranger = cert("a stranger's CA", -1, 365, None, true);
                    client_identity(&dir, &stranger, -1, 30)
                }
                Shown::Expired => client_identity(&dir, &server_ca, -30, -1),
            };
            let server = wss_server_up_to(
                server_cert(),
                Some(server_ca.cert.clone()),
                max,
                |ws| async move { ws.is_some() },
            )
            .await;
            let run = echo_once(&server.url, &args).await;
            assert_eq!(run.status, 4, "{shown:?} {max:?}: {}", run.stderr);
            run.assert_error(needle);
            assert!(!run.stderr.contains("error:0A"), "no OpenSSL error dump");
            assert!(!server.finish().await, "the server refused the client");
        }
    }
}

#[tokio::test]
async fn a_client_certificate_from_an_unknown_ca_is_a_tls_failure_in_words() {
    assert_client_certificate_refused(Shown::Stranger, "rejected the client certificate").await;
}

#[tokio::test]
async fn an_expired_client_certificate_is_a_tls_failure_in_words() {
    assert_client_certificate_refused(Shown::Expired, "rejected the client certificate").await;
}

#[tokio::test]
async fn a_missing_client_certificate_is_a_tls_failure_in_words_in_tls_1_2_and_1_3() {
    assert_client_certificate_refused(Shown::Nothing, "client certificate (--cert, --key)").await;
}

#[tokio::test]
async fn a_traditional_rsa_key_is_refused_as_not_pkcs8() {
    let dir = tempfile::tempdir().unwrap();
    // An RSA key, the kind that has a traditional (PKCS#1) PEM form.
    let client = certificate("wsc client", -1, 30, None, false);
    let traditional = client.key.rsa().unwrap().private_key_to_pem().unwrap();
    assert!(traditional.starts_with(b"-----BEGIN RSA PRIVATE KEY-----"));
    let cert = temp_file(&dir, "client.pem", &client.cert_pem());
    let key = temp_file(&dir, "client.key", &traditional);
    let server = wss_probe(server_cert(), None).await;
    let run = echo_once(&server.url, &identity_args(&cert, &key)).await;
    run.assert_status(4).assert_error("is not a PKCS#8 PEM key");
    assert!(run.stderr.contains(&arg(&key)), "names the key file");
}

#[tokio::test]
async fn a_key_that_does_not_match_the_certificate_is_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let client = cert("wsc client", -1, 30, None, false);
    // Of the same kind (OpenSSL compares these itself) and of another kind (it does not).
    let rsa_client = certificate("wsc client", -1, 30, None, false);
    let pairs = [
        (
            client.cert_pem(),
            cert("someone else", -1, 30, None, false).key_pem(),
        ),
        (rsa_client.cert_pem(), client.key_pem()),
        (client.cert_pem(), rsa_client.key_pem()),
    ];
    for (cert_pem, key_pem) in pairs {
        let cert = temp_file(&dir, "client.pem", &cert_pem);
        let key = temp_file(&dir, "stranger.key", &key_pem);
        let (listener, port) = listener().await;
        let url = format!("wss://127.0.0.1:{port}/");
        let run = echo_once(&url, &identity_args(&cert, &key)).await;
        run.assert_status(4).assert_error(&format!(
            "client key '{}' does not match certificate '{}'",
            arg(&key),
            arg(&cert)
        ));
        assert_no_connection(listener).await;
    }
}

#[tokio::test]
async fn a_missing_key_file_is_a_tls_failure() {
    let dir = tempfile::tempdir().unwrap();
    let client = cert("wsc client", -1, 30, None, false);
    let cert = temp_file(&dir, "client.pem", &client.cert_pem());
    let missing = dir.path().join("no-such.key");
    let server = wss_probe(server_cert(), None).await;
    let run = echo_once(&server.url, &identity_args(&cert, &missing)).await;
    run.assert_status(4)
        .assert_error("no such file or directory");
    assert!(run.stderr.contains("no-such.key"), "names the file");
}

#[tokio::test]
async fn a_missing_ca_file_is_a_tls_failure() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-ca.pem");
    let server = wss_probe(server_cert(), None).await;
    let run = echo_once(&server.url, &["--ca".into(), arg(&missing)]).await;
    run.assert_status(4).assert_error("no-such-ca.pem");
}

#[tokio::test]
async fn a_lone_cert_or_key_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let client = cert("wsc client", -1, 30, None, false);
    let files = [
        ("--cert", temp_file(&dir, "client.pem", &client.cert_pem())),
        ("--key", temp_file(&dir, "client.key", &client.key_pem())),
    ];
    for (flag, file) in files {
        let (listener, port) = listener().await;
        let run = wsc([format!("wss://127.0.0.1:{port}/"), flag.into(), arg(&file)])
            .run()
            .await;
        run.assert_status(2).assert_error("required");
        assert_no_connection(listener).await;
    }
}

#[tokio::test]
async fn the_usage_error_names_the_missing_flag() {
    let run = wsc(["wss://127.0.0.1:1/", "--cert", "client.pem"])
        .run()
        .await;
    run.assert_status(2).assert_error("--key");
    let run = wsc(["wss://127.0.0.1:1/", "--key", "client.key"])
        .run()
        .await;
    run.assert_status(2).assert_error("--cert");
}

#[tokio::test]
async fn wss_to_a_plain_http_server_is_a_tls_failure() {
    let server = tcp_server(|mut tcp| async move {
        // Whatever the ClientHello says, answer like a plain HTTP server would.
        let _ = tcp
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        read_to_end(&mut tcp).await
    })
    .await;
    let url = format!("wss://127.0.0.1:{}/", server.port);
    let run = echo_once(&url, &[]).await;
    run.assert_status(4).assert_error("TLS handshake failed");
    assert_eq!(run.stdout, b"");
    server.finish().await;
}

#[tokio::test]
async fn wss_to_a_plain_websocket_server_is_a_tls_failure() {
    let server = tcp_server(|mut tcp| async move {
        // A plain server that gets garbage instead of an HTTP request just hangs up.
        let mut first = [0u8; 1];
        within("client hello", tcp.read_exact(&mut first))
            .await
            .expect("client hello");
        first[0]
    })
    .await;
    let url = format!("wss://127.0.0.1:{}/", server.port);
    let run = echo_once(&url, &[]).await;
    run.assert_status(4).assert_error("TLS handshake failed");
    // What arrived was a TLS handshake record, not an HTTP request.
    assert_eq!(server.finish().await, 0x16);
}

#[tokio::test]
async fn certificate_files_are_checked_before_connecting() {
    // Port 1 refuses connections: a TLS status proves the files were looked at first.
    let run = wsc(["wss://127.0.0.1:1/", "--ca", "/nonexistent/ca.pem"])
        .run()
        .await;
    run.assert_status(4)
        .assert_error("cannot read CA file '/nonexistent/ca.pem'");
}

#[tokio::test]
async fn a_server_that_hangs_up_mid_handshake_is_a_tls_failure_that_names_client_certificates() {
    // Reads the ClientHello and closes without an alert, as some servers judging certificates do.
    let server = tcp_server(|mut tcp: tokio::net::TcpStream| async move {
        let mut head = [0u8; 5];
        let _ = tcp.read_exact(&mut head).await;
        // The whole record, so that closing sends a FIN rather than a reset.
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
        let _ = tcp.read_exact(&mut body).await;
        head
    })
    .await;
    let url = server.url.replacen("ws://", "wss://", 1);
    let run = wsc([url.as_str()]).stdin_null().run().await;
    run.assert_status(4).assert_error(
        "TLS handshake failed: the server closed the connection during the handshake; it may \
         require a client certificate (--cert, --key)",
    );
    assert_eq!(
        server.finish().await[0],
        0x16,
        "a TLS handshake record arrived"
    );

    // A reset says the same.
    let server = tcp_server(|mut tcp: tokio::net::TcpStream| async move {
        let mut head = [0u8; 5];
        // Closing with the rest of the hello unread makes the kernel send a reset.
        let _ = tcp.read_exact(&mut head).await;
    })
    .await;
    let url = server.url.replacen("ws://", "wss://", 1);
    let run = wsc([url.as_str()]).stdin_null().run().await;
    run.assert_status(4)
        .assert_error("the server closed the connection during the handshake");
    server.finish().await;
}
