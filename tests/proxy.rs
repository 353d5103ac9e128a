//! Proxies: HTTP CONNECT, https:// and SOCKS5 proxies tunnel ws:// and wss:// alike; the
//! environment is read as curl reads it; failures are status 3 naming the hop; -v tells the
//! choice, the CONNECT exchange (credentials masked) and the hops' timings. Every proxy records
//! what it was asked, so each test proves the route, not just the outcome.

mod common;

use common::proxy::*;
use common::tls::*;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server to reach through a proxy, named `localhost` so no DNS leaves the machine.
struct Target {
    server: Server<Vec<String>>,
    url: String,
    /// `--ca FILE` for a wss:// one (its certificate is for `localhost`).
    args: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

/// An echo server for `scheme` (ws or wss).
async fn target(scheme: &str) -> Target {
    if scheme == "ws" {
        let server = ws_server(|ws| async move { texts(&echo(ws).await) }).await;
        let url = format!("ws://localhost:{}/", server.port);
        return Target {
            server,
            url,
            args: Vec::new(),
            _dir: None,
        };
    }
    let identity = certificate_with_key(ec_key(), "localhost", -1, 365, None, false);
    let dir = tempfile::tempdir().unwrap();
    let ca = temp_file(&dir, "server.pem", &identity.cert_pem());
    let server = wss_server(identity, None, |ws| async move {
        texts(&echo(ws.expect("TLS and upgrade inside the tunnel")).await)
    })
    .await;
    Target {
        url: format!("wss://localhost:{}/", server.port),
        server,
        args: vec!["--ca".into(), path(&ca)],
        _dir: Some(dir),
    }
}

fn path(path: &std::path::Path) -> String {
    path.to_str().expect("utf-8 temp path").to_string()
}

impl Target {
    /// wsc sends one line to the target with these arguments and environment variables.
    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut all = vec![self.url.clone(), "-w".into(), "0".into()];
        all.extend(self.args.iter().cloned());
        all.extend(args.iter().map(|a| a.to_string()));
        let mut command = wsc(all).stdin("through\n");
        for (name, value) in env {
            command = command.env(name, value);
        }
        command.run().await
    }

    /// Asserts the line went there and back, quietly unless `verbose`.
    async fn assert_echoed(self, run: &Run, verbose: bool) {
        run.assert_status(0);
        assert_eq!(run.stdout_text(), "through\n", "stderr: {}", run.stderr);
        if !verbose {
            assert_eq!(run.stderr, "");
        }
        assert_eq!(self.server.finish().await, ["through"]);
    }

    fn port(&self) -> u16 {
        self.server.port
    }
}

/// Asserts the proxy was asked, once, for a tunnel to localhost at `port`.
fn assert_tunnelled(proxy: &ProxyServer<Connect>, port: u16) -> Connect {
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].line, format!("CONNECT localhost:{port} HTTP/1.1"));
    assert_eq!(seen[0].header("Host"), Some(format!("localhost:{port}")));
    seen[0].clone()
}

// ---------------------------------------------------------------------------------------------
// Each kind of proxy, ws:// and wss://
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_http_proxy_tunnels_ws_and_wss_with_connect() {
    for scheme in ["ws", "wss"] {
        let target = target(scheme).await;
        let proxy = http_proxy(Mode::Open).await;
        let run = target.run(&["--proxy", &proxy.url], &[]).await;
        let port = target.port();
        target.assert_echoed(&run, false).await;
        let request = assert_tunnelled(&proxy, port);
        assert_eq!(request.header("Proxy-Authorization"), None, "{scheme}");
        assert!(
            request
                .header("User-Agent")
                .is_some_and(|a| a.starts_with("wsc/"))
        );
    }
}

#[tokio::test]
async fn a_proxy_without_a_scheme_is_an_http_proxy() {
    let target = target("ws").await;
    let proxy = http_proxy(Mode::Open).await;
    let run = target
        .run(&["--proxy", &format!("127.0.0.1:{}", proxy.port)], &[])
        .await;
    let port = target.port();
    target.assert_echoed(&run, false).await;
    assert_tunnelled(&proxy, port);
}

#[tokio::test]
async fn an_international_proxy_name_is_dialled_in_its_idna_form() {
    // ü.test is xn--tda.test; --resolve gives it an address, so only that form gets through.
    let target = target("ws").await;
    let proxy = http_proxy(Mode::Open).await;
    let url = format!("http://ü.test:{}", proxy.port);
    let resolve = format!("xn--tda.test:{}:127.0.0.1", proxy.port);
    let run = target
        .run(&["--proxy", &url, "--resolve", &resolve, "-v"], &[])
        .await;
    let port = target.port();
    let err = run.stderr.clone();
    target.assert_echoed(&run, true).await;
    assert_tunnelled(&proxy, port);
    assert!(
        err.starts_with(&format!(
            "* proxy http://xn--tda.test:{} (--proxy)\n",
            proxy.port
        )),
        "{err}"
    );
}

/// A certificate for the https proxy at 127.0.0.1, and `--proxy-cacert FILE` trusting it.
fn proxy_identity(dir: &tempfile::TempDir) -> (Identity, Vec<String>) {
    let identity = certificate_with_key(ec_key(), "127.0.0.1", -1, 365, None, false);
    let file = temp_file(dir, "proxy.pem", &identity.cert_pem());
    (identity, vec!["--proxy-cacert".into(), path(&file)])
}

#[tokio::test]
async fn an_https_proxy_is_reached_over_tls_and_wss_does_tls_inside_that_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (identity, trust) = proxy_identity(&dir);
    for scheme in ["ws", "wss"] {
        let target = target(scheme).await;
        let proxy = https_proxy(Mode::Open, &identity).await;
        let mut args = vec!["--proxy", &proxy.url, "-v"];
        args.extend(trust.iter().map(String::as_str));
        let run = target.run(&args, &[]).await;
        let port = target.port();
        let err = run.stderr.clone();
        target.assert_echoed(&run, true).await;
        assert_tunnelled(&proxy, port);
        // The proxy's TLS, then (for wss) the server's own, each shown and timed.
        assert!(err.contains("\n* proxy TLS 1."), "{err}");
        let timings = timing_names(&err);
        let expected: &[&str] = match scheme {
            "ws" => &["proxy DNS", "proxy TCP", "proxy TLS", "CONNECT", "upgrade"],
            _ => &[
                "proxy DNS",
                "proxy TCP",
                "proxy TLS",
                "CONNECT",
                "TLS",
                "upgrade",
            ],
        };
        assert_eq!(timings, expected, "{err}");
    }
}

#[tokio::test]
async fn an_https_proxys_certificate_is_verified_unless_proxy_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let (identity, _) = proxy_identity(&dir);
    let target = target("ws").await;
    let proxy = https_proxy(Mode::Open, &identity).await;
    let run = target.run(&["--proxy", &proxy.url], &[]).await;
    run.assert_status(4).assert_error(&format!(
        "proxy 127.0.0.1:{}: certificate verify failed: self-signed certificate",
        proxy.port
    ));
    assert!(proxy.seen().is_empty(), "no CONNECT over an unverified TLS");
    // -k is the server's; only --proxy-insecure trusts the proxy.
    let run = target.run(&["--proxy", &proxy.url, "-k"], &[]).await;
    run.assert_status(4);
    let run = target
        .run(&["--proxy", &proxy.url, "--proxy-insecure"], &[])
        .await;
    let port = target.port();
    target.assert_echoed(&run, false).await;
    assert_tunnelled(&proxy, port);
}

#[tokio::test]
async fn an_https_proxy_that_drops_the_tls_handshake_is_not_blamed_on_client_certificates() {
    // It reads the ClientHello and closes. --cert and --key are the server's, never sent to a
    // proxy, so the words name neither.
    let proxy = tcp_server(|mut tcp| async move {
        let mut head = [0u8; 5];
        let _ = tcp.read_exact(&mut head).await;
        // The whole record, so that closing sends a FIN rather than a reset.
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
        let _ = tcp.read_exact(&mut body).await;
        head[0]
    })
    .await;
    let url = format!("https://127.0.0.1:{}", proxy.port);
    let run = wsc(["ws://localhost:9/", "--proxy", &url])
        .stdin_null()
        .run()
        .await;
    run.assert_status(4).assert_error(&format!(
        "wsc: error: proxy 127.0.0.1:{}: TLS handshake failed: the proxy closed the connection \
         during the handshake",
        proxy.port
    ));
    assert!(!run.stderr.contains("certificate"), "{}", run.stderr);
    assert_eq!(proxy.finish().await, 0x16, "a TLS handshake record arrived");
}

#[tokio::test]
async fn socks5_resolves_the_name_here_and_socks5h_lets_the_proxy_resolve_it() {
    for scheme in ["ws", "wss"] {
        for (proxy_scheme, atyps, host) in [
            ("socks5", &[1u8, 4][..], None),
            ("socks5h", &[3u8][..], Some("localhost")),
        ] {
            let target = target(scheme).await;
            let proxy = socks5_proxy(None, 0).await;
            let run = target
                .run(&["--proxy", &proxy.url_as(proxy_scheme)], &[])
                .await;
            let port = target.port();
            target.assert_echoed(&run, false).await;
            let seen = proxy.seen();
            assert_eq!(seen.len(), 1, "{seen:?}");
            let what = format!("{scheme} through {proxy_scheme}: {:?}", seen[0]);
            assert!(atyps.contains(&seen[0].atyp), "{what}");
            assert_eq!(seen[0].port, port, "{what}");
            assert_eq!(seen[0].methods, [0], "{what}");
            match host {
                Some(host) => assert_eq!(seen[0].host, host, "{what}"),
                None => assert!(
                    ["127.0.0.1", "::1"].contains(&seen[0].host.as_str()),
                    "{what}"
                ),
            }
        }
    }
}

#[tokio::test]
async fn socks5_looks_the_name_up_with_resolve_as_the_direct_route_does_and_socks5h_does_not() {
    // fake.test exists only in --resolve: socks5 sends the address given there; socks5h sends
    // the name. -v says which.
    for (scheme, atyp, host) in [("socks5", 1u8, "127.0.0.1"), ("socks5h", 3, "fake.test")] {
        let server = ws_server(|ws| async move { texts(&echo(ws).await) }).await;
        let port = server.port;
        let url = format!("ws://fake.test:{port}/");
        let resolve = format!("fake.test:{port}:127.0.0.1");
        let proxy = socks5_proxy(None, 0).await;
        let proxy_url = proxy.url_as(scheme);
        let args = [
            &url,
            "-w",
            "0",
            "-v",
            "--resolve",
            &resolve,
            "--proxy",
            &proxy_url,
        ];
        let run = wsc(args).stdin("through\n").run().await;
        run.assert_status(0);
        assert_eq!(run.stdout_text(), "through\n", "{scheme}: {}", run.stderr);
        assert_eq!(server.finish().await, ["through"]);
        let seen = proxy.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (seen[0].atyp, seen[0].host.as_str(), seen[0].port),
            (atyp, host, port),
            "{scheme}"
        );
        let asked = format!("\n* SOCKS5: asking the proxy for {host}:{port}\n");
        assert!(run.stderr.contains(&asked), "{scheme}: {}", run.stderr);
    }
}

#[tokio::test]
async fn socks5_keeps_to_the_family_minus_4_or_minus_6_asks_for() {
    // As the direct route: an IPv6 host has no IPv4 address, so nothing is asked of the proxy
    // (which -4 lets wsc reach at 127.0.0.1).
    let (listener, port) = listener().await;
    let proxy = socks5_proxy(None, 0).await;
    let url = format!("ws://[::1]:{port}/");
    let args = [&url, "-4", "--proxy", &proxy.url, "--connect-timeout", "10"];
    let run = wsc(args).stdin_null().run().await;
    run.assert_status(3)
        .assert_error("::1 has no IPv4 address (-4)");
    // The proxy was dialled, but got no connect request.
    assert!(
        proxy.seen().iter().all(|r| r.atyp == 0),
        "{:?}",
        proxy.seen()
    );
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn socks5_takes_a_user_and_password_from_the_url_or_proxy_user() {
    for how in ["url", "flag"] {
        let target = target("ws").await;
        let proxy = socks5_proxy(Some(("al@ice", "s:cret")), 0).await;
        let url = match how {
            "url" => format!("socks5h://al%40ice:s%3Acret@127.0.0.1:{}", proxy.port),
            _ => proxy.url_as("socks5h"),
        };
        let mut args = vec!["--proxy", &url];
        if how == "flag" {
            args.extend(["--proxy-user", "al@ice:s:cret"]);
        }
        let run = target.run(&args, &[]).await;
        target.assert_echoed(&run, false).await;
        let seen = proxy.seen();
        assert_eq!(
            seen[0].credentials,
            Some(("al@ice".into(), "s:cret".into())),
            "{how}"
        );
    }
}

#[tokio::test]
async fn socks5_failures_are_status_3_in_words() {
    let target = target("ws").await;
    // The proxy's reply about the server.
    let proxy = socks5_proxy(None, 4).await;
    let run = target.run(&["--proxy", &proxy.url], &[]).await;
    run.assert_status(3).assert_error(&format!(
        "SOCKS5 proxy 127.0.0.1:{}: host unreachable",
        proxy.port
    ));
    // Credentials demanded, none given; then the wrong ones.
    let proxy = socks5_proxy(Some(("alice", "secret")), 0).await;
    let run = target.run(&["--proxy", &proxy.url], &[]).await;
    run.assert_status(3).assert_error(&format!(
        "SOCKS5 proxy 127.0.0.1:{}: accepts none of our authentication methods (give \
         credentials with --proxy-user or in the proxy URL)",
        proxy.port
    ));
    let run = target
        .run(&["--proxy", &proxy.url, "--proxy-user", "alice:wrong"], &[])
        .await;
    run.assert_status(3).assert_error(&format!(
        "SOCKS5 proxy 127.0.0.1:{}: rejected the user name and password",
        proxy.port
    ));
    assert_eq!(
        proxy.seen()[1].credentials,
        Some(("alice".into(), "wrong".into()))
    );
}

// ---------------------------------------------------------------------------------------------
// HTTP proxy credentials and refusals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_http_proxy_gets_basic_credentials_from_the_url_or_proxy_user() {
    for how in ["url", "flag", "both"] {
        let target = target("wss").await;
        let proxy = http_proxy(Mode::Basic("al@ice:s:cret")).await;
        let url = match how {
            "flag" => proxy.url.clone(),
            _ => format!("http://al%40ice:s%3Acret@127.0.0.1:{}", proxy.port),
        };
        let mut args = vec!["--proxy", &url];
        if how != "url" {
            args.extend(["--proxy-user", "al@ice:s:cret"]);
        }
        let run = target.run(&args, &[]).await;
        let port = target.port();
        target.assert_echoed(&run, false).await;
        let request = assert_tunnelled(&proxy, port);
        assert_eq!(
            request.header("Proxy-Authorization"),
            Some(basic("al@ice:s:cret")),
            "{how}"
        );
    }
}

#[tokio::test]
async fn refusals_and_a_proxy_that_hangs_up_are_status_3_naming_the_proxy() {
    let target = target("ws").await;
    let cases = [
        (
            Mode::Basic("alice:secret"),
            "refused the tunnel: 407 Proxy Authentication Required (no credentials were sent: \
             put them in the proxy URL or use --proxy-user)",
        ),
        (Mode::Refuse(403), "refused the tunnel: 403 Forbidden"),
        (
            Mode::Close,
            "closed the connection before answering CONNECT",
        ),
    ];
    for (mode, words) in cases {
        let proxy = http_proxy(mode).await;
        let run = target.run(&["--proxy", &proxy.url], &[]).await;
        run.assert_status(3)
            .assert_error(&format!("proxy 127.0.0.1:{} {words}", proxy.port));
        assert_eq!(proxy.seen().len(), 1, "{mode:?}");
    }
    let proxy = http_proxy(Mode::Basic("alice:secret")).await;
    let run = target
        .run(&["--proxy", &proxy.url, "--proxy-user", "alice:wrong"], &[])
        .await;
    run.assert_status(3).assert_error(&format!(
        "proxy 127.0.0.1:{} refused the tunnel: 407 Proxy Authentication Required (it did not \
         accept the credentials sent)",
        proxy.port
    ));
}

#[tokio::test]
async fn a_tunnel_that_dies_right_after_connect_200_names_the_proxy() {
    // The server was never reached, so words that blame it alone would mislead.
    let cases = [
        (
            "ws",
            5,
            "server closed the connection before answering the upgrade",
        ),
        (
            "wss",
            4,
            "TLS handshake failed: the server closed the connection during the handshake",
        ),
    ];
    for (scheme, status, words) in cases {
        for variable in [None, Some(format!("{scheme}_proxy"))] {
            let proxy = http_proxy(Mode::Vanish).await;
            let url = format!("{scheme}://localhost:9/");
            let (command, route) = match &variable {
                None => (
                    wsc([&url, "--proxy", &proxy.url]),
                    format!("(through proxy {})", proxy.url),
                ),
                Some(name) => (
                    wsc([&url]).env(name, &proxy.url),
                    format!("(through proxy {} from {name})", proxy.url),
                ),
            };
            let run = command.stdin_null().run().await;
            run.assert_status(status).assert_error(words);
            assert!(
                run.stderr.ends_with(&format!("{route}\n")),
                "{}",
                run.stderr
            );
            assert_eq!(proxy.seen().len(), 1, "{scheme} {variable:?}");
        }
    }
}

#[tokio::test]
async fn a_proxy_that_cannot_be_reached_is_status_3_naming_it() {
    let (_refusing, port) = refusing_port();
    let run = wsc([
        "ws://localhost:9/",
        "--proxy",
        &format!("http://127.0.0.1:{port}"),
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to proxy 127.0.0.1:{port}: connection refused"
    ));
}

#[tokio::test]
async fn a_failing_proxy_from_the_environment_is_named_with_its_variable() {
    // A user who never typed --proxy learns where the proxy came from.
    let (_refusing, port) = refusing_port();
    let run = wsc(["wss://localhost:9/"])
        .env("https_proxy", &format!("http://127.0.0.1:{port}"))
        .stdin_null()
        .run()
        .await;
    run.assert_status(3).assert_error(&format!(
        "cannot connect to proxy 127.0.0.1:{port} (from https_proxy): connection refused"
    ));

    let proxy = http_proxy(Mode::Refuse(403)).await;
    let run = wsc(["ws://localhost:9/"])
        .env("http_proxy", &proxy.url)
        .stdin_null()
        .run()
        .await;
    run.assert_status(3).assert_error(&format!(
        "proxy 127.0.0.1:{} (from http_proxy) refused the tunnel: 403 Forbidden",
        proxy.port
    ));

    let proxy = socks5_proxy(None, 4).await;
    let run = wsc(["ws://localhost:9/"])
        .env("all_proxy", &proxy.url)
        .stdin_null()
        .run()
        .await;
    run.assert_status(3).assert_error(&format!(
        "SOCKS5 proxy 127.0.0.1:{} (from all_proxy): host unreachable",
        proxy.port
    ));

    let proxy = http_proxy(Mode::Silent).await;
    let run = wsc(["ws://localhost:9/", "--connect-timeout", "0.3"])
        .env("ALL_PROXY", &proxy.url)
        .stdin_null()
        .run()
        .await;
    run.assert_status(3).assert_error(
        "connect timeout: no success within 0.3 s (in the CONNECT of the proxy from ALL_PROXY)",
    );
}

#[tokio::test]
async fn the_connect_timeout_covers_the_proxy_and_names_its_stage() {
    let proxy = http_proxy(Mode::Silent).await;
    let run = wsc([
        "ws://localhost:9/",
        "--proxy",
        &proxy.url,
        "--connect-timeout",
        "0.3",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(3)
        .assert_error("connect timeout: no success within 0.3 s (in the proxy's CONNECT)");
    assert_eq!(proxy.seen().len(), 1);
}

#[tokio::test]
async fn bad_proxy_urls_are_usage_errors_before_connecting() {
    let (listener, port) = listener().await;
    let target = format!("ws://127.0.0.1:{port}/");
    let run = wsc([target.as_str(), "--proxy", "socks4://127.0.0.1:1080"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(
        "unsupported proxy scheme 'socks4' in --proxy: use http, https, socks5 or socks5h",
    );
    let run = wsc([target.as_str()])
        .env("http_proxy", "http://user:secret@p:99999")
        .stdin_null()
        .run()
        .await;
    run.assert_status(2)
        .assert_error("invalid proxy URL 'http://***@p:99999' in http_proxy: invalid port number");
    // A mistyped scheme is not a proxy host named `http`: the server URL's words.
    let run = wsc([target.as_str(), "--proxy", "http:/127.0.0.1:13128"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(
        "invalid proxy URL 'http:/127.0.0.1:13128' in --proxy: one slash after 'http:' (write \
         http://127.0.0.1:13128)",
    );
    let run = wsc([target.as_str()])
        .env("http_proxy", "socks5h//127.0.0.1:1080")
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(
        "invalid proxy URL 'socks5h//127.0.0.1:1080' in http_proxy: no ':' after 'socks5h' \
         (write socks5h://127.0.0.1:1080)",
    );
    assert_no_connection(listener).await;
}

// ---------------------------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_proxy_variable_routes_its_schemes_urls_through_the_proxy() {
    let table = [
        ("ws", "ws_proxy"),
        ("ws", "WS_PROXY"),
        ("ws", "http_proxy"),
        ("ws", "all_proxy"),
        ("ws", "ALL_PROXY"),
        ("wss", "wss_proxy"),
        ("wss", "WSS_PROXY"),
        ("wss", "https_proxy"),
        ("wss", "HTTPS_PROXY"),
        ("wss", "all_proxy"),
        ("wss", "ALL_PROXY"),
    ];
    for (scheme, variable) in table {
        let target = target(scheme).await;
        let proxy = http_proxy(Mode::Open).await;
        let run = target.run(&["-v"], &[(variable, &proxy.url)]).await;
        let port = target.port();
        let err = run.stderr.clone();
        target.assert_echoed(&run, true).await;
        assert_tunnelled(&proxy, port);
        assert!(
            err.starts_with(&format!("* proxy {} (from {variable})\n", proxy.url)),
            "{err}"
        );
    }
}

#[tokio::test]
async fn uppercase_http_proxy_is_never_read_and_other_schemes_variables_are_not_used() {
    for (scheme, variable) in [
        ("ws", "HTTP_PROXY"),
        ("ws", "https_proxy"),
        ("wss", "http_proxy"),
    ] {
        let target = target(scheme).await;
        let proxy = http_proxy(Mode::Open).await;
        let run = target.run(&[], &[(variable, &proxy.url)]).await;
        target.assert_echoed(&run, false).await;
        assert!(proxy.seen().is_empty(), "{scheme} used {variable}");
    }
}

#[tokio::test]
async fn lowercase_beats_uppercase_and_an_empty_variable_is_unset() {
    let target = target("wss").await;
    let lower = http_proxy(Mode::Open).await;
    let upper = http_proxy(Mode::Open).await;
    let run = target
        .run(
            &[],
            &[("https_proxy", &lower.url), ("HTTPS_PROXY", &upper.url)],
        )
        .await;
    let port = target.port();
    target.assert_echoed(&run, false).await;
    assert_tunnelled(&lower, port);
    assert!(upper.seen().is_empty());

    let target = self::target("wss").await; // again, for the second run
    let run = target
        .run(&[], &[("https_proxy", ""), ("HTTPS_PROXY", &upper.url)])
        .await;
    let port = target.port();
    target.assert_echoed(&run, false).await;
    assert_tunnelled(&upper, port);
}

/// Command-line arguments and environment variables of a run.
type Args<'a> = &'a [&'a str];
type Vars<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn no_proxy_lists_and_an_empty_proxy_flag_go_direct() {
    let bypasses: [(Args, Vars, &str); 5] = [
        (&[], &[("no_proxy", "example.com, localhost")], "no_proxy"),
        (&[], &[("NO_PROXY", ".localhost")], "NO_PROXY"),
        (
            &["--noproxy", "localhost"],
            &[("no_proxy", "other")],
            "--noproxy",
        ),
        // The list covers --proxy too.
        (&["--proxy", "PROXY"], &[("NO_PROXY", "*")], "NO_PROXY"),
        (&["--proxy", ""], &[], "--proxy ''"),
    ];
    for (args, vars, why) in bypasses {
        let target = target("ws").await;
        let proxy = http_proxy(Mode::Open).await;
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "PROXY" { proxy.url.as_str() } else { a })
            .chain(["-v"])
            .collect();
        let mut vars = vars.to_vec();
        vars.push(("http_proxy", proxy.url.as_str()));
        let run = target.run(&args, &vars).await;
        let err = run.stderr.clone();
        target.assert_echoed(&run, true).await;
        assert!(proxy.seen().is_empty(), "{why}: went through the proxy");
        assert!(
            err.starts_with(&format!("* no proxy for localhost ({why})\n")),
            "{err}"
        );
    }
    // --noproxy '' replaces NO_PROXY=*, and no_proxy set replaces NO_PROXY.
    for (args, vars) in [
        (&["--noproxy", ""][..], &[("NO_PROXY", "*")][..]),
        (&[], &[("no_proxy", "other"), ("NO_PROXY", "localhost")]),
    ] {
        let target = target("ws").await;
        let proxy = http_proxy(Mode::Open).await;
        let mut vars = vars.to_vec();
        vars.push(("http_proxy", proxy.url.as_str()));
        let run = target.run(args, &vars).await;
        let port = target.port();
        target.assert_echoed(&run, false).await;
        assert_tunnelled(&proxy, port);
    }
}

#[tokio::test]
async fn each_hop_that_location_follows_gets_its_own_proxy_choice() {
    // The first hop is exempt (no_proxy); the one it redirects to goes through the proxy.
    let target = target("ws").await;
    let location = target.url.clone();
    let redirecting = tcp_server(move |mut tcp| async move {
        read_request_head(&mut tcp).await;
        let answer = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\n\r\n");
        tcp.write_all(answer.as_bytes()).await.unwrap();
    })
    .await;
    let proxy = http_proxy(Mode::Open).await;
    let run = wsc([&redirecting.url, "-L", "-v", "-w", "0"])
        .env("http_proxy", &proxy.url)
        .env("no_proxy", "127.0.0.1")
        .stdin("through\n")
        .run()
        .await;
    let port = target.port();
    let err = run.stderr.clone();
    target.assert_echoed(&run, true).await;
    assert_tunnelled(&proxy, port);
    let first = err.find("* no proxy for 127.0.0.1 (no_proxy)\n");
    let second = err.find(&format!("* proxy {} (from http_proxy)\n", proxy.url));
    assert!(first.is_some() && first < second, "{err}");
}

// ---------------------------------------------------------------------------------------------
// -v
// ---------------------------------------------------------------------------------------------

/// The stage names of the -v timing line.
fn timing_names(err: &str) -> Vec<String> {
    let line = err
        .lines()
        .find(|l| l.starts_with("* ") && l.ends_with(" ms") && !l.contains("connected"))
        .unwrap_or_else(|| panic!("no timing line:\n{err}"));
    line.trim_start_matches("* ")
        .split(", ")
        .map(|stage| {
            let (name, _) = stage.rsplit_once(' ').unwrap();
            let name = name.rsplit_once(' ').map_or(name, |(name, _)| name);
            name.to_string()
        })
        .collect()
}

#[tokio::test]
async fn verbose_shows_the_proxy_the_connect_exchange_with_credentials_masked_and_the_hops() {
    for (flag, masked) in [("-v", true), ("-vv", false)] {
        let target = target("ws").await;
        let proxy = http_proxy(Mode::Basic("alice:secret")).await;
        let url = format!("http://alice:secret@127.0.0.1:{}", proxy.port);
        let run = target.run(&["--proxy", &url, flag], &[]).await;
        let port = target.port();
        let err = run.stderr.clone();
        target.assert_echoed(&run, true).await;
        assert_tunnelled(&proxy, port);
        // Without dial's own lines (which address, when connected): the proxy's exchange.
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| !l.starts_with("* trying ") && !l.starts_with("* TCP connected "))
            .collect();
        let authorization = match masked {
            true => "> Proxy-Authorization: *** (-vv shows it)".to_string(),
            false => format!("> Proxy-Authorization: {}", basic("alice:secret")),
        };
        assert_eq!(
            lines[..5],
            [
                format!(
                    "* proxy http://alice:***@127.0.0.1:{} (--proxy)",
                    proxy.port
                ),
                format!("> CONNECT localhost:{port} HTTP/1.1"),
                format!("> Host: localhost:{port}"),
                authorization,
                format!("> User-Agent: wsc/{}", env!("CARGO_PKG_VERSION")),
            ],
            "{err}"
        );
        assert_eq!(lines[5], "< HTTP/1.1 200 Connection established", "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(masked, !err.contains(&basic("alice:secret")), "{err}");
        assert_eq!(
            timing_names(&err),
            ["proxy DNS", "proxy TCP", "CONNECT", "upgrade"],
            "{err}"
        );
    }
}

#[tokio::test]
async fn verbose_times_the_socks5_hops() {
    for (scheme, expected) in [
        (
            "socks5",
            &["proxy DNS", "proxy TCP", "DNS", "SOCKS5", "upgrade"][..],
        ),
        ("socks5h", &["proxy DNS", "proxy TCP", "SOCKS5", "upgrade"]),
    ] {
        let target = target("ws").await;
        let proxy = socks5_proxy(None, 0).await;
        let run = target
            .run(&["--proxy", &proxy.url_as(scheme), "-v"], &[])
            .await;
        let err = run.stderr.clone();
        target.assert_echoed(&run, true).await;
        assert!(
            err.starts_with(&format!("* proxy {} (--proxy)\n", proxy.url_as(scheme))),
            "{err}"
        );
        assert_eq!(timing_names(&err), expected, "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Documentation
// ---------------------------------------------------------------------------------------------

#[test]
fn the_man_pages_environment_section_and_the_readme_name_every_proxy_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wsc"))
        .args(["--generate", "man"])
        .output()
        .unwrap();
    let man = String::from_utf8_lossy(&output.stdout).into_owned();
    let environment = man
        .split(".SH \"ENVIRONMENT\"")
        .nth(1)
        .and_then(|rest| rest.split(".SH").next())
        .expect("an ENVIRONMENT section");
    let readme = include_str!("../README.md");
    let proxies = readme
        .split("### Proxies")
        .nth(1)
        .expect("a Proxies section in the README");
    for variable in PROXY_VARIABLES {
        assert!(environment.contains(variable), "man page: {variable}");
        assert!(
            proxies.contains(&format!("`{variable}`")),
            "README: {variable}"
        );
    }
}
