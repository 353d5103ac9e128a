//! Unix sockets: --unix-socket, --abstract-unix-socket, wscat's ws+unix:// form, TLS over a
//! socket; the URL still gives the Host header, the path and the scheme.

use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use openssl::ssl::{SslAcceptor, SslMethod};
use tokio::net::UnixListener;
use tokio::task::JoinHandle;
use tokio_openssl::SslStream;

use super::common::tls::{certificate_with_key, ec_key, temp_file};
use super::common::*;
use super::{Seen, assert_echoed, hello, seen, serve};

/// Serves the first connection to a unix listener.
fn serve_unix(listener: UnixListener) -> JoinHandle<Seen> {
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        serve(stream).await
    })
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

#[tokio::test]
async fn a_server_on_a_unix_socket_gets_the_urls_host_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("wsc.sock");
    let server = serve_unix(UnixListener::bind(&socket).unwrap());
    // wsc.test resolves nowhere: only the socket can serve this.
    let run = hello(&["ws://wsc.test/chat?room=1", "--unix-socket", arg(&socket)]).await;
    assert_echoed(&run);
    let seen = seen(server).await;
    assert_eq!(
        (seen.host.as_str(), seen.target.as_str()),
        ("wsc.test", "/chat?room=1")
    );
    assert_eq!(seen.texts, ["hello"]);
}

#[tokio::test]
async fn a_server_on_an_abstract_socket_is_reached_by_its_name() {
    let name = format!("wsc-test-{}-abstract", std::process::id());
    let server = serve_unix(UnixListener::bind(format!("\0{name}")).unwrap());
    let run = hello(&["ws://wsc.test:8080/x", "--abstract-unix-socket", &name]).await;
    assert_echoed(&run);
    let seen = seen(server).await;
    assert_eq!(
        (seen.host.as_str(), seen.target.as_str()),
        ("wsc.test:8080", "/x")
    );
}

#[tokio::test]
async fn the_ws_unix_form_names_the_socket_and_the_path_and_sends_host_localhost() {
    let dir = tempfile::tempdir().unwrap();
    // A blank in the path: the URL carries it percent-encoded.
    let socket = dir.path().join("my app.sock");
    let server = serve_unix(UnixListener::bind(&socket).unwrap());
    let url = format!("ws+unix://{}:/feed?x=1", arg(&socket).replace(' ', "%20"));
    let run = hello(&[&url]).await;
    assert_echoed(&run);
    let seen = seen(server).await;
    assert_eq!(
        (seen.host.as_str(), seen.target.as_str()),
        ("localhost", "/feed?x=1")
    );
}

/// A wss server on a unix socket with a certificate for `name` signed by a fresh CA; the
/// `--ca FILE` that trusts it. The server's texts are empty when TLS failed.
fn wss_on_unix(
    dir: &tempfile::TempDir,
    socket: &Path,
    name: &str,
) -> (JoinHandle<Vec<String>>, String) {
    let ca = certificate_with_key(ec_key(), "wsc test CA", -1, 30, None, true);
    let identity = certificate_with_key(ec_key(), name, -1, 30, Some(&ca), false);
    let ca_file = temp_file(dir, "ca.pem", &ca.cert_pem());
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_private_key(&identity.key).unwrap();
    acceptor.set_certificate(&identity.cert).unwrap();
    let acceptor = Arc::new(acceptor.build());
    let listener = UnixListener::bind(socket).unwrap();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let ssl = openssl::ssl::Ssl::new(acceptor.context()).unwrap();
        let mut tls = SslStream::new(ssl, stream).unwrap();
        match Pin::new(&mut tls).accept().await {
            Ok(()) => serve(tls).await.texts,
            Err(_) => Vec::new(),
        }
    });
    (server, arg(&ca_file).to_string())
}

#[tokio::test]
async fn wss_over_a_unix_socket_is_tls_verified_against_the_urls_host() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("tls.sock");
    let (server, ca) = wss_on_unix(&dir, &socket, "wsc.test");
    let run = hello(&[
        "wss://wsc.test/",
        "--unix-socket",
        arg(&socket),
        "--ca",
        &ca,
    ])
    .await;
    assert_echoed(&run);
    assert_eq!(within("server", server).await.unwrap(), ["hello"]);

    let socket = dir.path().join("tls2.sock");
    let (server, ca) = wss_on_unix(&dir, &socket, "wsc.test");
    let run = hello(&[
        "wss://other.test/",
        "--unix-socket",
        arg(&socket),
        "--ca",
        &ca,
    ])
    .await;
    run.assert_status(4)
        .assert_error("certificate verify failed: hostname mismatch");
    assert!(within("server", server).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_or_refusing_socket_is_status_3_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.sock");
    let run = hello(&["ws://wsc.test/", "--unix-socket", arg(&missing)]).await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to unix socket {}: no such file or directory",
        missing.display()
    ));

    // The file stays when its listener is gone: connecting is refused.
    let stale = dir.path().join("stale.sock");
    drop(UnixListener::bind(&stale).unwrap());
    let run = hello(&["ws://wsc.test/", "--unix-socket", arg(&stale)]).await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to unix socket {}: connection refused",
        stale.display()
    ));

    let name = format!("wsc-test-{}-nobody", std::process::id());
    let run = hello(&["ws://wsc.test/", "--abstract-unix-socket", &name]).await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to abstract unix socket @{name}: connection refused"
    ));
}

#[tokio::test]
async fn verbose_says_the_route_and_name_flags_are_warned_to_have_no_effect() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("v.sock");
    let server = serve_unix(UnixListener::bind(&socket).unwrap());
    let run = hello(&[
        "ws://wsc.test/",
        "--unix-socket",
        arg(&socket),
        "--resolve",
        "wsc.test:80:127.0.0.1",
        "--proxy",
        "http://127.0.0.1:1",
        "-v",
    ])
    .await;
    run.assert_status(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            format!(
                "wsc: warning: --resolve has no effect on a unix socket {} (no name is looked up)",
                socket.display()
            ),
            format!(
                "wsc: warning: --proxy has no effect on a unix socket {} (proxies never apply to \
                 sockets)",
                socket.display()
            )
        ]
    );
    assert_eq!(lines[2], format!("* via unix socket {}", socket.display()));
    assert!(!run.stderr.contains("* trying"), "{}", run.stderr);
    assert_eq!(seen(server).await.texts, ["hello"]);
}

#[tokio::test]
async fn proxy_variables_never_apply_to_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("p.sock");
    let server = serve_unix(UnixListener::bind(&socket).unwrap());
    // A proxy that would refuse everything, were it used.
    let refusal = super::refusing("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", refusal.local_addr().unwrap());
    let mut command = wsc(["-w", "0", "ws://wsc.test/", "--unix-socket", arg(&socket)]);
    for variable in ["ws_proxy", "all_proxy", "ALL_PROXY"] {
        command = command.env(variable, &proxy);
    }
    let run = command.stdin("hello\n").run().await;
    assert_echoed(&run);
    assert_eq!(seen(server).await.texts, ["hello"]);
}

#[tokio::test]
async fn a_socket_named_twice_is_a_usage_error() {
    let run = hello(&["ws+unix:///tmp/a.sock:/x", "--unix-socket", "/tmp/b.sock"]).await;
    run.assert_status(2)
        .assert_error("a ws+unix:// URL names its socket");
    let run = hello(&["wss+unix:///tmp/a.sock:/x"]).await;
    run.assert_status(2).assert_error("there is no wss+unix://");
}
