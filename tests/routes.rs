//! The routes to a server: a host's addresses raced Happy Eyeballs style, --resolve,
//! --connect-to and -4/-6 (names.rs), unix sockets (unix.rs). Every server is on loopback
//! (127.0.0.1, 127.0.0.2, ::1); names such as wsc.test exist only through the flags.

mod common;
#[path = "routes/names.rs"]
mod names;
#[path = "routes/unix.rs"]
mod unix;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use common::*;

/// What a test server saw: the upgrade's Host header and target, and the texts that arrived.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    pub host: String,
    pub target: String,
    pub texts: Vec<String>,
}

/// Accepts the upgrade on `stream`, echoes until the client closes, and tells what it saw.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    // tungstenite's callback signature returns its (large) error response by value.
    #[allow(clippy::result_large_err)]
    let callback = move |request: &Request, response: Response| {
        let mut seen = record.lock().unwrap();
        seen.host = request
            .headers()
            .get("host")
            .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
            .unwrap_or_default();
        seen.target = request.uri().to_string();
        Ok(response)
    };
    let ws = tokio_tungstenite::accept_hdr_async(stream, callback)
        .await
        .expect("server handshake");
    let texts = texts(&echo(ws).await);
    let mut seen = seen.lock().unwrap().clone();
    seen.texts = texts;
    seen
}

/// Serves the first connection to `listener`.
pub fn serve_tcp(listener: TcpListener) -> JoinHandle<Seen> {
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        serve(tcp).await
    })
}

/// What a finished server saw.
pub async fn seen(server: JoinHandle<Seen>) -> Seen {
    within("server", server).await.expect("server task")
}

/// Runs wsc with `args`, sending one line and closing once input has ended.
pub async fn hello(args: &[&str]) -> Run {
    let mut all = vec!["-w", "0"];
    all.extend_from_slice(args);
    wsc(all).stdin("hello\n").run().await
}

/// Asserts that the line went there and back and nothing else was said.
pub fn assert_echoed(run: &Run) {
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "hello\n");
    assert_eq!(run.stderr, "");
}

/// A socket bound to `address` but not listening: a connection to it is refused at once, and
/// nobody else can take its port while it lives.
pub fn refusing(address: &str) -> Option<TcpSocket> {
    let address: std::net::SocketAddr = address.parse().unwrap();
    let socket = match address {
        std::net::SocketAddr::V4(_) => TcpSocket::new_v4(),
        std::net::SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .unwrap();
    socket.bind(address).ok().map(|()| socket)
}

/// A port free on both 127.0.0.1 and ::1, with a socket bound on each that refuses
/// connections.
pub fn refusing_on_both() -> (u16, TcpSocket, TcpSocket) {
    for _ in 0..20 {
        let v4 = refusing("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = v4.local_addr().unwrap().port();
        if let Some(v6) = refusing(&format!("[::1]:{port}")) {
            return (port, v4, v6);
        }
    }
    panic!("no port free on both 127.0.0.1 and ::1");
}
