//! Happy Eyeballs over a host's addresses, --resolve, --connect-to and -4/-6.

use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};

use super::common::tls::{Identity, certificate_with_key, ec_key, temp_file, wss_server};
use super::common::*;
use super::{assert_echoed, hello, refusing, refusing_on_both, seen, serve_tcp};

/// A listener on 127.0.0.1 whose accept queue is full: a further connection gets no answer at
/// all (its SYN is dropped), as on a dead route. The connections that fill it are kept open.
struct BlackHole {
    port: u16,
    _listener: tokio::net::TcpListener,
    _held: Vec<std::net::TcpStream>,
}

fn black_hole() -> BlackHole {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let address = listener.local_addr().unwrap();
    let mut held = Vec::new();
    // Fill the queue until a connect gets no answer: the next one will not either.
    while let Ok(stream) =
        std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100))
    {
        held.push(stream);
        assert!(held.len() < 64, "the accept queue never filled");
    }
    BlackHole {
        port: address.port(),
        _listener: listener,
        _held: held,
    }
}

#[tokio::test]
async fn a_first_address_that_never_answers_does_not_cost_the_connect_timeout() {
    let hole = black_hole();
    let port = hole.port;
    let server = serve_tcp(TcpListener::bind(("127.0.0.2", port)).await.unwrap());
    // One after the other, the first attempt would hang until the default 10 s connect timeout
    // (status 3); raced, the second starts 250 ms later and wins.
    let url = format!("ws://wsc.test:{port}/");
    let resolve = format!("wsc.test:{port}:127.0.0.1,127.0.0.2");
    let run = hello(&[&url, "--resolve", &resolve]).await;
    assert_echoed(&run);
    assert_eq!(seen(server).await.texts, ["hello"]);
}

#[tokio::test]
async fn when_every_address_fails_the_error_names_the_host_port_and_each_failure_ipv6_first() {
    let (port, _v4, _v6) = refusing_on_both();
    let url = format!("ws://wsc.test:{port}/");
    let resolve = format!("wsc.test:{port}:127.0.0.1,[::1]");
    let run = hello(&[&url, "--resolve", &resolve]).await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to wsc.test port {port}: [::1]:{port} connection refused; \
         127.0.0.1:{port} connection refused"
    ));
}

#[tokio::test]
async fn verbose_names_the_override_the_addresses_tried_and_the_one_connected() {
    let (port, _v4, v6) = refusing_on_both();
    drop(v6);
    let server = serve_tcp(TcpListener::bind(("::1", port)).await.unwrap());
    let url = format!("ws://wsc.test:{port}/");
    let resolve = format!("wsc.test:{port}:127.0.0.1,::1");
    let run = hello(&[&url, "--resolve", &resolve, "-v"]).await;
    run.assert_status(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let index = |needle: &str| {
        lines
            .iter()
            .position(|line| line.starts_with(needle))
            .unwrap_or_else(|| panic!("no line starting {needle:?} in {lines:#?}"))
    };
    let resolved = index(&format!("* --resolve: wsc.test:{port} is 127.0.0.1, ::1"));
    let trying = index(&format!("* trying [::1]:{port}, 127.0.0.1:{port}"));
    let connected = index(&format!("* TCP connected to [::1]:{port} (IPv6) after "));
    assert!(resolved < trying && trying < connected, "{lines:#?}");
    assert!(lines[connected].ends_with(" ms"), "{}", lines[connected]);
    assert_eq!(seen(server).await.texts, ["hello"]);
}

/// A CA, a server certificate it signed for `name`, and the `--ca FILE` it is trusted by.
fn trusted(name: &str) -> (tempfile::TempDir, Identity, String) {
    let dir = tempfile::tempdir().unwrap();
    let ca = certificate_with_key(ec_key(), "wsc test CA", -1, 30, None, true);
    let file = temp_file(&dir, "ca.pem", &ca.cert_pem());
    let server = certificate_with_key(ec_key(), name, -1, 30, Some(&ca), false);
    (dir, server, file.to_str().unwrap().to_string())
}

/// A wss echo server on 127.0.0.1 that says whether TLS and the upgrade succeeded.
async fn wss_echo(identity: Identity) -> Server<Vec<String>> {
    wss_server(identity, None, |ws| async move {
        match ws {
            Some(ws) => texts(&echo(ws).await),
            None => Vec::new(),
        }
    })
    .await
}

#[tokio::test]
async fn resolve_reaches_a_name_that_does_not_exist_and_tls_verifies_that_name() {
    let (_dir, identity, ca) = trusted("wsc.test");
    let server = wss_echo(identity).await;
    let url = format!("wss://wsc.test:{}/", server.port);
    let resolve = format!("wsc.test:{}:127.0.0.1", server.port);
    let run = hello(&[&url, "--resolve", &resolve, "--ca", &ca]).await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello"]);
}

#[tokio::test]
async fn connect_to_reaches_a_name_that_does_not_exist_and_tls_verifies_that_name() {
    let (_dir, identity, ca) = trusted("wsc.test");
    let server = wss_echo(identity).await;
    let rule = format!("wsc.test:443:127.0.0.1:{}", server.port);
    let run = hello(&["wss://wsc.test/", "--connect-to", &rule, "--ca", &ca]).await;
    assert_echoed(&run);
    assert_eq!(server.finish().await, ["hello"]);
}

#[tokio::test]
async fn with_an_override_tls_still_refuses_a_certificate_for_another_name() {
    let (_dir, identity, ca) = trusted("other.test");
    let server = wss_echo(identity).await;
    let rule = format!("wsc.test:443:127.0.0.1:{}", server.port);
    let run = hello(&["wss://wsc.test/", "--connect-to", &rule, "--ca", &ca]).await;
    run.assert_status(4)
        .assert_error("certificate verify failed: hostname mismatch");
    assert_eq!(server.finish().await, Vec::<String>::new());
}

#[tokio::test]
async fn the_host_header_stays_the_urls_and_resolve_applies_to_connect_tos_host() {
    let (listener, port) = listener().await;
    let server = serve_tcp(listener);
    // As in curl: --connect-to picks the host dialled, --resolve gives that host's addresses.
    let rule = format!("wsc.test:443:backend.test:{port}");
    let resolve = format!("backend.test:{port}:127.0.0.1");
    let run = hello(&[
        "ws://wsc.test:443/chat?room=1",
        "--connect-to",
        &rule,
        "--resolve",
        &resolve,
        "-v",
    ])
    .await;
    run.assert_status(0);
    assert!(
        run.stderr.contains(&format!(
            "* --connect-to {rule}: wsc.test:443 reached at backend.test:{port}\n"
        )),
        "{}",
        run.stderr
    );
    let seen = seen(server).await;
    assert_eq!(seen.host, "wsc.test:443");
    assert_eq!(seen.target, "/chat?room=1");
    assert_eq!(seen.texts, ["hello"]);
}

#[tokio::test]
async fn connect_to_with_empty_parts_matches_any_host_and_port_and_keeps_the_urls_port() {
    let (listener, port) = listener().await;
    let server = serve_tcp(listener);
    let url = format!("ws://wsc.test:{port}/");
    let run = hello(&[&url, "--connect-to", "::127.0.0.1:"]).await;
    assert_echoed(&run);
    assert_eq!(seen(server).await.host, format!("wsc.test:{port}"));
}

#[tokio::test]
async fn ipv6_only_refuses_an_ipv4_host_before_connecting() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let run = hello(&[&url, "-6"]).await;
    run.assert_status(3)
        .assert_error("127.0.0.1 has no IPv6 address (-6)");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn ipv4_only_refuses_an_ipv6_host_before_connecting() {
    let listener = TcpListener::bind("[::1]:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("ws://[::1]:{port}/");
    let run = hello(&[&url, "--ipv4"]).await;
    run.assert_status(3)
        .assert_error("::1 has no IPv4 address (-4)");
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn each_family_reaches_a_host_of_its_own() {
    for (flag, bind) in [("-4", "127.0.0.1:0"), ("-6", "[::1]:0")] {
        let listener = TcpListener::bind(bind).await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = serve_tcp(listener);
        let run = hello(&[&format!("ws://{address}/"), flag]).await;
        assert_echoed(&run);
        assert_eq!(seen(server).await.texts, ["hello"], "{flag}");
    }
}

/// A port listening on both 127.0.0.1 and ::1.
fn listening_on_both() -> (u16, TcpListener, TcpListener) {
    let (port, v4, v6) = refusing_on_both();
    (port, v4.listen(8).unwrap(), v6.listen(8).unwrap())
}

#[tokio::test]
async fn resolve_addresses_of_the_other_family_are_refused_as_dns_ones_are_as_in_curl() {
    // curl (hostip.c) drops a --resolve entry without an address of -4/-6's family; wsc then
    // fails as DNS would, before connecting.
    let (port, v4, v6) = listening_on_both();
    let url = format!("ws://wsc.test:{port}/");
    let only_v6 = format!("wsc.test:{port}:[::1]");
    let run = hello(&[&url, "--resolve", &only_v6, "-4"]).await;
    run.assert_status(3)
        .assert_error("wsc.test has no IPv4 address (-4)");
    let only_v4 = format!("wsc.test:{port}:127.0.0.1");
    let run = hello(&[&url, "--resolve", &only_v4, "--ipv6"]).await;
    run.assert_status(3)
        .assert_error("wsc.test has no IPv6 address (-6)");
    assert_no_connection(v4).await;
    assert_no_connection(v6).await;
}

#[tokio::test]
async fn a_mixed_resolve_entry_keeps_only_the_family_asked_for() {
    // Without -4, Happy Eyeballs would try ::1 first and reach it.
    let (port, v4, v6) = listening_on_both();
    let server = serve_tcp(v4);
    let url = format!("ws://wsc.test:{port}/");
    let mixed = format!("wsc.test:{port}:[::1],127.0.0.1,::1");
    let run = hello(&[&url, "--resolve", &mixed, "-4", "-v"]).await;
    run.assert_status(0);
    assert!(
        run.stderr.contains(&format!("* trying 127.0.0.1:{port}\n")),
        "{}",
        run.stderr
    );
    assert_eq!(seen(server).await.texts, ["hello"]);
    assert_no_connection(v6).await;
}

#[tokio::test]
async fn a_minus_host_port_removal_may_be_its_own_argument_as_in_curl() {
    let (listener, port) = listener().await;
    let server = serve_tcp(listener);
    // 127.0.0.2 refuses; once the entry is dropped, the `*` entry gives 127.0.0.1.
    let _refusal = refusing(&format!("127.0.0.2:{port}"));
    let url = format!("ws://wsc.test:{port}/");
    let (entry, removal, any) = (
        format!("wsc.test:{port}:127.0.0.2"),
        format!("-wsc.test:{port}"),
        format!("*:{port}:127.0.0.1"),
    );
    let run = hello(&[
        "--resolve",
        &entry,
        "--resolve",
        &removal,
        "--resolve",
        &any,
        &url,
    ])
    .await;
    assert_echoed(&run);
    assert_eq!(seen(server).await.texts, ["hello"]);
}

#[tokio::test]
async fn with_overrides_verbose_and_errors_show_no_password_and_only_what_was_typed() {
    let (listener, port) = listener().await;
    let server = serve_tcp(listener);
    let url = "ws://alice:s3cret@wsc.test:443/?token=t0ken";
    let rule = format!("wsc.test:443:backend.test:{port}");
    let resolve = format!("backend.test:{port}:127.0.0.1");
    let flags = ["--connect-to", &rule, "--resolve", &resolve];
    let secrets = ["s3cret", "t0ken", "YWxpY2U6czNjcmV0"];
    let shown = |stderr: &str| {
        for secret in secrets {
            assert!(!stderr.contains(secret), "{secret} shown:\n{stderr}");
        }
    };
    let run = hello(&[&[url, "-v"][..], &flags].concat()).await;
    run.assert_status(0);
    shown(&run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let route: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("* --connect-to") || l.starts_with("* --resolve"))
        .collect();
    assert_eq!(
        route,
        [
            format!("* --connect-to {rule}: wsc.test:443 reached at backend.test:{port}"),
            format!("* --resolve: backend.test:{port} is 127.0.0.1"),
        ],
        "{}",
        run.stderr
    );
    assert_eq!(seen(server).await.host, "wsc.test:443");

    // Refused, through a rule without PORT2 (-v shows it as typed, nothing added), and with -4
    // against an IPv6 entry: the errors name the hosts only.
    let refusal = refusing("127.0.0.1:0").unwrap();
    let closed = refusal.local_addr().unwrap().port();
    let url = format!("ws://alice:s3cret@wsc.test:{closed}/?token=t0ken");
    let rule = format!("wsc.test:{closed}:backend.test");
    let resolve = format!("backend.test:{closed}:127.0.0.1");
    let run = hello(&[&url, "-v", "--connect-to", &rule, "--resolve", &resolve]).await;
    run.assert_status(3);
    let said = |line: String| run.stderr.lines().any(|l| l == line);
    assert!(
        said(format!(
            "* --connect-to {rule}: wsc.test:{closed} reached at backend.test:{closed}"
        )) && said(format!(
            "wsc: error: cannot connect to backend.test port {closed}: connection refused"
        )),
        "{}",
        run.stderr
    );
    shown(&run.stderr);
    let resolve = format!("backend.test:{closed}:[::1]");
    let run = hello(&[&url, "-4", "--connect-to", &rule, "--resolve", &resolve]).await;
    run.assert_status(3)
        .assert_error("backend.test has no IPv4 address (-4)");
    shown(&run.stderr);
}

#[tokio::test]
async fn bad_overrides_are_usage_errors_naming_the_flag() {
    let refusal = refusing("127.0.0.1:0").unwrap();
    let url = format!("ws://127.0.0.1:{}/", refusal.local_addr().unwrap().port());
    for (args, words) in [
        (
            &["--resolve", "wsc.test:443"][..],
            "invalid --resolve 'wsc.test:443': no address (write HOST:PORT:ADDR[,ADDR]...",
        ),
        (
            &["--resolve", "wsc.test:443:wsc.test"],
            "'wsc.test' is not an IP address",
        ),
        (
            &["--connect-to", "wsc.test:443"],
            "invalid --connect-to 'wsc.test:443': no ':' between PORT1 and HOST2",
        ),
        (&["-4", "-6"], "'--ipv4' cannot be used with '--ipv6'"),
        (
            &["--resolve", "-wsc.test"],
            "invalid --resolve '-wsc.test': too few ':'",
        ),
    ] {
        let mut all = vec![url.as_str()];
        all.extend_from_slice(args);
        hello(&all).await.assert_status(2).assert_error(words);
    }
}
