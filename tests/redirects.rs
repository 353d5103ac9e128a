//! -L: redirects answered to the upgrade are followed, credentials stay with the first origin,
//! and loops, long chains and TLS downgrades are refused in words.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use tokio::io::AsyncWriteExt;

/// What a test server answers to a request for a path.
enum Answer {
    Redirect(u16, String),
    Upgrade,
}

/// A server that answers each connection by its request path, and records every request head.
struct Redirecting {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Redirecting {
    async fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Redirecting {
        let (listener, port) = listener().await;
        let heads = Arc::new(Mutex::new(Vec::new()));
        let recorded = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let head = read_request_head(&mut tcp).await;
                recorded.lock().unwrap().push(head.clone());
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                match answer(&path) {
                    Answer::Redirect(status, location) => {
                        let reply = format!(
                            "HTTP/1.1 {status} Moved\r\nLocation: {location}\r\n\
                             Content-Length: 0\r\n\r\n"
                        );
                        let _ = tcp.write_all(reply.as_bytes()).await;
                    }
                    Answer::Upgrade => {
                        let reply = format!(
                            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                             Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                            accept_key(&head)
                        );
                        let _ = tcp.write_all(reply.as_bytes()).await;
                        let _ = tcp
                            .write_all(&frame(0x81, format!("at {path}").as_bytes()))
                            .await;
                        let _ = tcp.write_all(&frame(0x88, &1000u16.to_be_bytes())).await;
                        let _ = read_to_end(&mut tcp).await;
                    }
                }
            }
        });
        Redirecting { port, heads }
    }

    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn has_header(head: &str, name: &str) -> bool {
    head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with(&format!("{}:", name.to_ascii_lowercase()))
    })
}

#[tokio::test]
async fn a_relative_redirect_is_followed_and_shown_with_v() {
    let server = Redirecting::start(|path| match path {
        "/old" => Answer::Redirect(302, "/new?x=1".into()),
        _ => Answer::Upgrade,
    })
    .await;
    let run = wsc([
        server.url("/old").as_str(),
        "-L",
        "-v",
        "-u",
        "u:p",
        "-w",
        "-1",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["at /new?x=1"]);
    assert!(
        run.stderr.contains(&format!(
            "* 302 Moved: following the redirect to {} (1 of at most 10)",
            server.url("/new?x=1")
        )),
        "{}",
        run.stderr
    );
    let heads = server.heads();
    assert_eq!(heads.len(), 2);
    assert!(heads[1].starts_with("GET /new?x=1 HTTP/1.1"));
    assert!(
        has_header(&heads[1], "Authorization"),
        "same origin keeps credentials"
    );
}

#[tokio::test]
async fn credentials_are_dropped_on_another_origin_unless_location_trusted() {
    for trusted in [false, true] {
        let target = Redirecting::start(|_| Answer::Upgrade).await;
        let elsewhere = target.url("/there");
        let first = Redirecting::start(move |_| Answer::Redirect(307, elsewhere.clone())).await;
        let flag = if trusted { "--location-trusted" } else { "-L" };
        let run = wsc([
            first.url("/").as_str(),
            flag,
            "-u",
            "u:p",
            "-H",
            "Cookie: s=1",
            "-H",
            "X-Trace: 7",
            "-w",
            "-1",
        ])
        .stdin_null()
        .run()
        .await;
        run.assert_status(0);
        assert_eq!(run.stdout_lines(), ["at /there"]);
        let head = &target.heads()[0];
        assert_eq!(has_header(head, "Authorization"), trusted, "{flag}: {head}");
        assert_eq!(has_header(head, "Cookie"), trusted, "{flag}: {head}");
        assert!(has_header(head, "X-Trace"), "other headers always follow");
    }
}

#[tokio::test]
async fn a_redirect_loop_is_caught_and_named() {
    let server = Redirecting::start(|path| match path {
        "/a" => Answer::Redirect(302, "/b".into()),
        _ => Answer::Redirect(301, "/a".into()),
    })
    .await;
    let run = wsc([server.url("/a").as_str(), "-L"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(5).assert_error(&format!(
        "redirect loop: {} -> {} -> {}",
        server.url("/a"),
        server.url("/b"),
        server.url("/a")
    ));
    assert_eq!(
        server.heads().len(),
        2,
        "the loop is seen before going round again"
    );
}

#[tokio::test]
async fn more_redirects_than_max_redirs_is_refused() {
    let server = Redirecting::start(|path| {
        let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
        Answer::Redirect(308, format!("/{}", n + 1))
    })
    .await;
    let run = wsc([server.url("/0").as_str(), "-L", "--max-redirs", "2"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(5).assert_error(&format!(
        "more than 2 redirects (--max-redirs); the last pointed to {}",
        server.url("/3")
    ));
    assert_eq!(server.heads().len(), 3);
}

#[tokio::test]
async fn a_redirect_from_wss_to_ws_is_refused() {
    use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
    use tokio::io::AsyncReadExt;
    let identity = common::tls::self_signed();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_private_key(&identity.key).unwrap();
    acceptor.set_certificate(&identity.cert).unwrap();
    let acceptor = acceptor.build();
    let (listener, port) = listener().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let ssl = Ssl::new(acceptor.context()).unwrap();
        let mut tls = tokio_openssl::SslStream::new(ssl, tcp).unwrap();
        std::pin::Pin::new(&mut tls).accept().await.expect("TLS");
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            match tls.read_u8().await {
                Ok(byte) => head.push(byte),
                Err(_) => break,
            }
        }
        let _ = tls
            .write_all(
                b"HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n",
            )
            .await;
        let _ = tls.shutdown().await;
    });
    let url = format!("wss://127.0.0.1:{port}/");
    let run = wsc([url.as_str(), "-L", "-k"]).stdin_null().run().await;
    run.assert_status(5).assert_error(&format!(
        "refusing the redirect from {url} to ws://127.0.0.1:9/: it drops TLS"
    ));
    within("the server", server).await.unwrap();
}

#[tokio::test]
async fn the_open_event_names_the_url_reached_after_the_redirects() {
    let server = Redirecting::start(|path| match path {
        "/a" => Answer::Redirect(302, "/final".into()),
        _ => Answer::Upgrade,
    })
    .await;
    let run = wsc([server.url("/a").as_str(), "-L", "--jsonl", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(0);
    let open = &run.stdout_lines()[0];
    assert!(
        open.starts_with(&format!(
            "{{\"type\":\"open\",\"url\":\"{}\"",
            server.url("/final")
        )),
        "{open}"
    );
}

#[tokio::test]
async fn a_redirect_that_l_does_not_follow_says_which_it_follows() {
    let server = Redirecting::start(|_| Answer::Redirect(300, "/a".into())).await;
    let run = wsc([server.url("/x").as_str(), "-L"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(5).assert_error(&format!(
        "server answered 300 Moved (Location: {}); -L follows 301, 302, 303, 307 and 308 only",
        server.url("/a")
    ));
}
