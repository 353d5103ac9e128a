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

/// The line of `stderr` that is exactly `line`, by position; fails the test when there is none.
fn line_at(stderr: &str, line: &str) -> usize {
    stderr
        .lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no {line:?} in:\n{stderr}"))
}

/// The first line of `stderr` that starts with `start`.
fn line_starting<'a>(stderr: &'a str, start: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{stderr}"))
}

#[tokio::test]
async fn verbose_shows_the_tls_version_cipher_alpn_and_the_chain_as_sent() {
    let (_dir, root, mut args) = trusted_ca();
    args.push("-v".into());
    let intermediate = cert("wsc test intermediate", -1, 60, Some(&root), true);
    for (max, alpn, version, agreed) in [
        (None, true, "TLS 1.3", "http/1.1"),
        (
            Some(openssl::ssl::SslVersion::TLS1_2),
            false,
            "TLS 1.2",
            "none",
        ),
    ] {
        let identity = cert("127.0.0.1", -1, 30, Some(&intermediate), false);
        let setup = Setup {
            max,
            alpn,
            chain: vec![intermediate.cert.clone()],
            ..Setup::default()
        };
        let server = wss_server_set_up(identity, setup, |ws| async move {
            texts(&echo(ws.expect("server-side TLS and upgrade")).await)
        })
        .await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        assert_eq!(server.finish().await, ["hello over tls"]);
        let err = &run.stderr;
        let session = line_starting(err, &format!("* {version}, cipher TLS_"));
        assert!(session.ends_with(&format!(", ALPN {agreed}")), "{session}");
        // The chain as the server sent it: its certificate, then the intermediate.
        let first = line_at(err, "* certificate 1/2 subject: CN=127.0.0.1");
        for line in [
            "* certificate 1/2 issuer: CN=wsc test intermediate",
            "* certificate 1/2 names: IP 127.0.0.1",
            "* certificate 2/2 subject: CN=wsc test intermediate",
            "* certificate 2/2 issuer: CN=wsc test CA",
            "* certificate 2/2 names: none",
        ] {
            assert!(line_at(err, line) > first, "{line} after the first subject");
        }
        for (n, days) in [
            (1, [" (in 29 days)", " (in 30 days)"]),
            (2, [" (in 59 days)", " (in 60 days)"]),
        ] {
            let expires = line_starting(err, &format!("* certificate {n}/2 expires: "));
            assert!(
                days.iter().any(|d| expires.ends_with(&format!(" GMT{d}"))),
                "{expires}"
            );
        }
        // Before the request, which goes out only once TLS is up; no expiry warning.
        assert!(line_starting(err, "* certificate 2/2 expires") < line_starting(err, "> GET"));
        assert!(
            line_at(err, session) < line_at(err, "> GET / HTTP/1.1"),
            "{err}"
        );
        assert!(!err.contains("warning"), "{err}");
    }
}

#[tokio::test]
async fn verbose_with_insecure_tells_what_verification_would_have_said() {
    let (_dir, ca, ca_args) = trusted_ca();
    for (identity, mut args, verdict) in [
        (server_cert(), vec![], "would fail: self-signed certificate"),
        (
            cert("127.0.0.1", -1, 30, Some(&ca), false),
            ca_args,
            "would pass",
        ),
    ] {
        args.extend(["-k".into(), "-v".into()]);
        let server = wss_echo(identity, None).await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        assert_eq!(server.finish().await, ["hello over tls"]);
        line_at(
            &run.stderr,
            &format!("* certificate not verified (-k); its chain {verdict}"),
        );
    }
}

#[tokio::test]
async fn a_ca_in_ssl_cert_file_is_trusted_like_a_system_root() {
    // SSL_CERT_FILE names the system's roots for OpenSSL and openssl-probe alike.
    let dir = tempfile::tempdir().unwrap();
    let ca = ca();
    let bundle = temp_file(&dir, "system-roots.pem", &ca.cert_pem());
    let server = wss_echo(cert("127.0.0.1", -1, 30, Some(&ca), false), None).await;
    let run = wsc([&server.url, "-w", "0"])
        .env("SSL_CERT_FILE", &arg(&bundle))
        .stdin("hello over tls\n")
        .run()
        .await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello over tls"]);
}

#[tokio::test]
async fn a_certificate_that_expires_within_14_days_is_a_warning_even_without_verbose() {
    let (_dir, root, args) = trusted_ca();
    // The server's own certificate, then (with a sound one) an intermediate in its chain.
    let soon = cert("wsc test intermediate", -1, 3, Some(&root), true);
    let later = cert("wsc test intermediate", -1, 60, Some(&root), true);
    for (intermediate, leaf_days, which) in [
        (&later, 3, "the server's certificate (CN=127.0.0.1)"),
        (
            &soon,
            30,
            "certificate 2 of the server's chain (CN=wsc test intermediate)",
        ),
    ] {
        let identity = cert("127.0.0.1", -1, leaf_days, Some(intermediate), false);
        let setup = Setup {
            chain: vec![intermediate.cert.clone()],
            ..Setup::default()
        };
        let server = wss_server_set_up(identity, setup, |ws| async move {
            texts(&echo(ws.expect("server-side TLS and upgrade")).await)
        })
        .await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        assert_eq!(run.stdout_text(), "hello over tls\n");
        assert_eq!(server.finish().await, ["hello over tls"]);
        let warning = line_starting(&run.stderr, "wsc: warning: ");
        let expected = format!("wsc: warning: {which} expires in ");
        assert!(
            warning.starts_with(&expected)
                && (warning.contains(" in 2 days (") || warning.contains(" in 3 days ("))
                && warning.ends_with(" GMT)"),
            "{warning}"
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[tokio::test]
async fn tls_min_1_3_refuses_a_server_that_speaks_at_most_tls_1_2() {
    let tls12 = Some(openssl::ssl::SslVersion::TLS1_2);
    let server =
        wss_server_up_to(server_cert(), None, tls12, |ws| async move { ws.is_some() }).await;
    let args = ["-k".to_string(), "--tls-min".into(), "1.3".into()];
    let run = echo_once(&server.url, &args).await;
    run.assert_status(4).assert_error(
        "the server does not speak TLS 1.3, which --tls-min 1.3 requires (tlsv1 alert protocol \
         version)",
    );
    assert!(!server.finish().await, "no TLS session came about");

    // The same server is fine with --tls-min 1.2; a TLS 1.3 server is fine with 1.3.
    for (max, min, version) in [(tls12, "1.2", "TLS 1.2"), (None, "1.3", "TLS 1.3")] {
        let server = wss_server_up_to(server_cert(), None, max, |ws| async move {
            texts(&echo(ws.expect("server-side TLS and upgrade")).await)
        })
        .await;
        let args = ["-k".into(), "-v".into(), "--tls-min".into(), min.into()];
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        line_starting(&run.stderr, &format!("* {version}, cipher "));
        assert_eq!(server.finish().await, ["hello over tls"]);
    }
}

#[tokio::test]
async fn tls_min_takes_1_2_or_1_3_only() {
    for bad in ["1.1", "1.0", "1", "2", "tls1.3", ""] {
        let (listener, port) = listener().await;
        let run = wsc([
            format!("wss://127.0.0.1:{port}/"),
            "--tls-min".into(),
            bad.into(),
        ])
        .run()
        .await;
        run.assert_status(2).assert_error("--tls-min");
        assert_no_connection(listener).await;
    }
}

#[tokio::test]
async fn servername_sets_the_name_sent_and_verified_but_not_the_host_header() {
    let (_dir, ca, ca_args) = trusted_ca();
    let named = cert("wsc.test", -1, 30, Some(&ca), false);

    // By IP address alone, the certificate for wsc.test does not fit.
    let server = wss_probe(named.clone(), None).await;
    let run = echo_once(&server.url, &ca_args).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: IP address mismatch");
    assert!(!server.finish().await);

    let server = wss_server(named, None, |ws| async move {
        let ws = ws.expect("server-side TLS and upgrade");
        let sni = ws
            .get_ref()
            .ssl()
            .servername(openssl::ssl::NameType::HOST_NAME)
            .map(str::to_string);
        (sni, texts(&echo(ws).await))
    })
    .await;
    let mut args = ca_args.clone();
    args.extend(["--servername".into(), "wsc.test".into()]);
    let run = echo_once(&server.url, &args).await;
    assert_echoed(&run);
    assert_eq!(
        server.request_header("host"),
        Some(format!("127.0.0.1:{}", server.port))
    );
    let (sni, texts) = server.finish().await;
    assert_eq!(sni.as_deref(), Some("wsc.test"));
    assert_eq!(texts, ["hello over tls"]);
}

#[tokio::test]
async fn the_new_tls_flags_on_a_ws_url_are_named_as_having_no_effect() {
    let server = ws_server(echo).await;
    let pin = pin_of(&server_cert());
    let args = [
        server.url.as_str(),
        "-w",
        "0",
        "--tls-min",
        "1.3",
        "--servername",
        "wsc.test",
        "--pinnedpubkey",
        &pin,
    ];
    let run = wsc(args).stdin("plain\n").run().await;
    run.assert_status(0);
    for flag in ["--tls-min", "--servername", "--pinnedpubkey"] {
        let warning = format!("wsc: warning: {flag} has no effect on a ws:// URL (no TLS)");
        assert!(run.stderr.lines().any(|l| l == warning), "{}", run.stderr);
    }
    assert_eq!(texts(&server.finish().await), ["plain"]);
}

#[tokio::test]
async fn a_servername_that_is_no_name_is_a_usage_error() {
    let (listener, port) = listener().await;
    let url = format!("wss://127.0.0.1:{port}/");
    for bad in ["", "wsc.test:443", "a b", "wsc.test/x"] {
        let run = wsc([&url, "--servername", bad]).run().await;
        run.assert_status(2).assert_error("--servername");
    }
    assert_no_connection(listener).await;
}

/// `sha256//BASE64` of a key's SubjectPublicKeyInfo, computed here as curl documents it.
fn pin_of(identity: &Identity) -> String {
    use base64::Engine;
    let der = identity.key.public_key_to_der().unwrap();
    let digest = openssl::sha::sha256(&der);
    format!(
        "sha256//{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// A TLS server that records whether the handshake succeeded and what came over TLS after it:
/// up to the end of a request head, or until wsc hung up.
async fn recording_tls_server(identity: Identity) -> Server<Option<Vec<u8>>> {
    tls_server(identity, Setup::default(), |tls| async move {
        let mut tls = tls?;
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !seen.ends_with(b"\r\n\r\n") {
            // wsc hangs up without a close_notify: an error here is the end too.
            match within("wsc sends or hangs up", tls.read(&mut buf)).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        Some(seen)
    })
    .await
}

#[tokio::test]
async fn pinnedpubkey_accepts_the_servers_key_also_with_insecure() {
    let (_dir, ca, ca_args) = trusted_ca();
    let identity = cert("127.0.0.1", -1, 30, Some(&ca), false);
    let pin = pin_of(&identity);
    let other = pin_of(&cert("127.0.0.1", -1, 30, None, false));
    for (mut args, pins) in [
        (ca_args.clone(), pin.clone()),
        (vec!["-k".to_string()], pin.clone()),
        // One of several.
        (ca_args.clone(), format!("{other};{pin}")),
    ] {
        args.extend(["--pinnedpubkey".into(), pins, "-v".into()]);
        let server = wss_echo(identity.clone(), None).await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(0);
        assert_eq!(run.stdout_text(), "hello over tls\n");
        assert_eq!(server.finish().await, ["hello over tls"]);
        // -v shows the hash, as curl computes it.
        line_at(&run.stderr, &format!("* server public key {pin}"));
    }
}

#[tokio::test]
async fn a_wrong_pinnedpubkey_is_a_tls_failure_before_the_upgrade_is_sent() {
    let (_dir, ca, ca_args) = trusted_ca();
    let identity = cert("127.0.0.1", -1, 30, Some(&ca), false);
    let wrong = pin_of(&server_cert());
    // Verified, and with -k: the pin holds either way.
    for mut args in [ca_args.clone(), vec!["-k".to_string()]] {
        args.extend(["--pinnedpubkey".into(), wrong.clone()]);
        let server = recording_tls_server(identity.clone()).await;
        let run = echo_once(&server.url, &args).await;
        run.assert_status(4).assert_error(&format!(
            "server public key {} does not match --pinnedpubkey",
            pin_of(&identity)
        ));
        let seen = server.finish().await.expect("the TLS handshake succeeded");
        assert_eq!(String::from_utf8_lossy(&seen), "", "nothing of the upgrade");
    }
    // With the right pin the same server records the upgrade request (and then hangs up).
    let server = recording_tls_server(identity.clone()).await;
    let mut args = ca_args;
    args.extend(["--pinnedpubkey".into(), pin_of(&identity)]);
    echo_once(&server.url, &args).await;
    let seen = server.finish().await.expect("the TLS handshake succeeded");
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.starts_with("GET / HTTP/1.1\r\n"), "{seen}");
}

#[tokio::test]
async fn pinnedpubkey_reads_the_key_from_a_pem_or_der_file() {
    let dir = tempfile::tempdir().unwrap();
    let identity = server_cert();
    let stranger = server_cert();
    for (name, file) in [
        ("key.pem", identity.key.public_key_to_pem().unwrap()),
        ("key.der", identity.key.public_key_to_der().unwrap()),
    ] {
        let path = temp_file(&dir, name, &file);
        let server = wss_echo(identity.clone(), None).await;
        let args = ["-k".into(), "--pinnedpubkey".into(), arg(&path)];
        let run = echo_once(&server.url, &args).await;
        assert_echoed(&run);
        assert_eq!(server.finish().await, ["hello over tls"], "{name}");
    }
    for (name, file) in [
        ("stranger.pem", stranger.key.public_key_to_pem().unwrap()),
        ("stranger.der", stranger.key.public_key_to_der().unwrap()),
    ] {
        let path = temp_file(&dir, name, &file);
        let server = recording_tls_server(identity.clone()).await;
        let args = ["-k".into(), "--pinnedpubkey".into(), arg(&path)];
        let run = echo_once(&server.url, &args).await;
        run.assert_status(4).assert_error(&format!(
            "server public key {} does not match --pinnedpubkey",
            pin_of(&identity)
        ));
        assert_eq!(server.finish().await, Some(Vec::new()), "{name}");
    }
}

#[tokio::test]
async fn a_pinnedpubkey_file_is_checked_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_key = temp_file(&dir, "not-a-key.pem", b"-----BEGIN PUBLIC KEY-----\nAAAA\n");
    let missing = dir.path().join("missing.pem");
    for (path, words) in [
        (&not_a_key, "holds no public key in PEM"),
        (&missing, "cannot read --pinnedpubkey file"),
    ] {
        let (listener, port) = listener().await;
        let url = format!("wss://127.0.0.1:{port}/");
        let run = wsc([url, "--pinnedpubkey".into(), arg(path)]).run().await;
        run.assert_status(4).assert_error(words);
        assert_no_connection(listener).await;
    }
    // A hash that is none is a usage error.
    let (listener, port) = listener().await;
    let url = format!("wss://127.0.0.1:{port}/");
    let run = wsc([&url, "--pinnedpubkey", "sha256//abc"]).run().await;
    run.assert_status(2)
        .assert_error("is not a SHA-256 hash in base64");
    assert_no_connection(listener).await;
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
    let (listener, port) = listener().await;
    let url = format!("wss://127.0.0.1:{port}/");
    let run = wsc([&url, "--cert", "client.pem"]).run().await;
    run.assert_status(2).assert_error("--key");
    let run = wsc([&url, "--key", "client.key"]).run().await;
    run.assert_status(2).assert_error("--cert");
    assert_no_connection(listener).await;
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
    // Nobody is contacted: the files are looked at first.
    let (listener, port) = listener().await;
    let url = format!("wss://127.0.0.1:{port}/");
    let run = wsc([&url, "--ca", "/nonexistent/ca.pem"]).run().await;
    run.assert_status(4)
        .assert_error("cannot read CA file '/nonexistent/ca.pem'");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_server_that_hangs_up_mid_handshake_is_a_tls_failure_that_names_client_certificates() {
    // Closing without an alert, as some servers judging certificates do.
    let server = hanging_up_server().await;
    let url = server.url.replacen("ws://", "wss://", 1);
    let run = wsc([url.as_str()]).stdin_null().run().await;
    run.assert_status(4).assert_error(
        "TLS handshake failed: the server closed the connection during the handshake; it may \
         require a client certificate (--cert, --key)",
    );
    assert_eq!(
        server.finish().await,
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

/// A server that reads the ClientHello and closes without an alert; it returns the first byte.
async fn hanging_up_server() -> Server<u8> {
    tcp_server(|mut tcp: tokio::net::TcpStream| async move {
        let mut head = [0u8; 5];
        let _ = tcp.read_exact(&mut head).await;
        // The whole record, so that closing sends a FIN rather than a reset.
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
        let _ = tcp.read_exact(&mut body).await;
        head[0]
    })
    .await
}

#[tokio::test]
async fn with_tls_min_1_3_a_server_that_hangs_up_may_not_speak_tls_1_3() {
    // As a TLS 1.2 server may answer a hello that offers only 1.3. TLS 1.3 judges client
    // certificates after the handshake, so they are not named here.
    let server = hanging_up_server().await;
    let url = server.url.replacen("ws://", "wss://", 1);
    let run = wsc([url.as_str(), "--tls-min", "1.3"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(4).assert_error(
        "TLS handshake failed: the server closed the connection during the handshake; it may \
         not speak TLS 1.3 (--tls-min 1.3)",
    );
    assert!(!run.stderr.contains("certificate"), "{}", run.stderr);
    assert_eq!(
        server.finish().await,
        0x16,
        "a TLS handshake record arrived"
    );
}
