//! Test harness: the real wsc binary against in-process servers on 127.0.0.1:0, every step under
//! a deadline.
#![allow(dead_code)]

pub mod listen;
pub mod proxy;
pub mod pty;
pub mod tls;

use std::future::Future;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub use tokio_tungstenite::tungstenite::Message;

/// Every proxy variable wsc reads (and uppercase HTTP_PROXY, which it must not).
pub const PROXY_VARIABLES: [&str; 12] = [
    "ws_proxy",
    "WS_PROXY",
    "wss_proxy",
    "WSS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// Where the tests' wsc looks for its config file: nowhere that exists, so that a config file
/// of the machine's user changes no test (tests/config_file.rs points it at its own).
pub const NO_CONFIG_HOME: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/no-config-home");

/// No step of a test may take longer than this.
pub const DEADLINE: Duration = Duration::from_secs(30);

pub type Ws<S = TcpStream> = WebSocketStream<S>;

/// Awaits a future or fails the test after the deadline.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {DEADLINE:?}"),
    }
}

/// What a finished wsc run left behind.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout_text().lines().map(str::to_string).collect()
    }

    /// Asserts the exit status, showing stderr when it differs.
    pub fn assert_status(&self, status: i32) -> &Self {
        assert_eq!(self.status, status, "exit status; stderr: {}", self.stderr);
        self
    }

    /// Asserts that stderr is exactly one `wsc: error:` line containing `needle`.
    pub fn assert_error(&self, needle: &str) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one stderr line, got: {:?}",
            self.stderr
        );
        assert!(
            lines[0].starts_with("wsc: error: "),
            "not an error line: {:?}",
            lines[0]
        );
        assert!(
            lines[0].contains(needle),
            "{:?} does not mention {needle:?}",
            lines[0]
        );
        self
    }
}

/// A wsc command line being prepared.
pub struct Wsc {
    command: Command,
    stdin: Vec<u8>,
}

pub fn wsc<I, S>(args: I) -> Wsc
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_wsc"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("WSC_CONFIG")
        .env_remove("WSC_PROFILE")
        .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // A machine with a proxy set must not route the suite's loopback sessions through it.
    for var in PROXY_VARIABLES {
        command.env_remove(var);
    }
    Wsc {
        command,
        stdin: Vec::new(),
    }
}

impl Wsc {
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = input.into();
        self
    }

    /// Sets an environment variable for this run.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// stdin from a file, as `wsc ... <FILE`: all of it is there from the start.
    pub fn stdin_file(mut self, path: &std::path::Path) -> Self {
        self.command
            .stdin(std::fs::File::open(path).expect("stdin file"));
        self
    }

    /// stdin from /dev/null, as `wsc ... </dev/null`.
    pub fn stdin_null(mut self) -> Self {
        self.command.stdin(Stdio::null());
        self
    }

    /// Starts wsc; stdin stays open for the caller.
    pub fn spawn(mut self) -> Child {
        self.command.spawn().expect("wsc starts")
    }

    /// Runs wsc to completion with the given stdin, then closes stdin.
    pub async fn run(self) -> Run {
        let input = self.stdin.clone();
        let mut child = self.spawn();
        // No pipe when stdin is /dev/null.
        if let Some(mut stdin) = child.stdin.take() {
            tokio::spawn(async move {
                let _ = stdin.write_all(&input).await;
            });
        }
        finish(child).await
    }
}

/// Waits for a started wsc to exit and collects its output.
pub async fn finish(child: Child) -> Run {
    let output = within("wsc", child.wait_with_output())
        .await
        .expect("wsc output");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A server for one connection, running a scripted behaviour.
pub struct Server<T> {
    pub url: String,
    pub port: u16,
    /// The upgrade request's headers, once it has arrived.
    pub headers: Arc<Mutex<Option<HeaderMap>>>,
    task: JoinHandle<T>,
}

impl<T> Server<T> {
    /// What the behaviour returned.
    pub async fn finish(self) -> T {
        within("server", self.task).await.expect("server task")
    }

    pub fn request_header(&self, name: &str) -> Option<String> {
        let headers = self.headers.lock().unwrap();
        let values: Vec<String> = headers
            .as_ref()?
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }
}

/// A port on 127.0.0.1 that refuses connections: bound but not listening, so no other test can
/// take it while the returned socket lives (a dropped listener's port could be reused).
pub fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let port = socket.local_addr().expect("addr").port();
    (socket, port)
}

/// The next connection on `listener`, upgraded, and when it was accepted (tests that serve
/// several connections in turn: --reconnect).
pub async fn accept(listener: &TcpListener) -> (Ws, std::time::Instant) {
    let (tcp, _) = within("a connection", listener.accept())
        .await
        .expect("accept");
    let at = std::time::Instant::now();
    let ws = within("upgrade", tokio_tungstenite::accept_async(tcp))
        .await
        .expect("upgrade");
    (ws, at)
}

pub async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, port)
}

fn no_limits() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None)
}

/// A WebSocket server whose behaviour gets the accepted socket.
pub async fn ws_server<F, Fut, T>(behaviour: F) -> Server<T>
where
    F: FnOnce(Ws) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    ws_server_with(|response| response, behaviour).await
}

/// Like `ws_server`, with a hook that may change the 101 response (e.g. pick a subprotocol).
pub async fn ws_server_with<H, F, Fut, T>(respond: H, behaviour: F) -> Server<T>
where
    H: FnOnce(Response) -> Response + Send + Unpin + 'static,
    F: FnOnce(Ws) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    let (listener, port) = listener().await;
    let headers = Arc::new(Mutex::new(None));
    let seen = headers.clone();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        // tungstenite's callback signature returns its (large) error response by value.
        #[allow(clippy::result_large_err)]
        let callback = move |request: &Request, response: Response| {
            *seen.lock().unwrap() = Some(request.headers().clone());
            Ok(respond(response))
        };
        let ws = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(no_limits()))
            .await
            .expect("server handshake");
        behaviour(ws).await
    });
    Server {
        url: format!("ws://127.0.0.1:{port}/"),
        port,
        headers,
        task,
    }
}

/// A server that speaks raw TCP: for handshake answers and frames no WebSocket library sends.
pub async fn tcp_server<F, Fut, T>(behaviour: F) -> Server<T>
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    let (listener, port) = listener().await;
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        behaviour(tcp).await
    });
    Server {
        url: format!("ws://127.0.0.1:{port}/"),
        port,
        headers: Default::default(),
        task,
    }
}

/// Reads an upgrade request head from a raw socket and returns it as text.
pub async fn read_request_head(tcp: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await.expect("read request") == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The Sec-WebSocket-Accept value for a request head.
pub fn accept_key(head: &str) -> String {
    let key = head
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("request has a key");
    derive_accept_key(key.trim().as_bytes())
}

/// Completes a valid upgrade on a raw socket, adding `extra` header lines to the 101.
pub async fn raw_upgrade(tcp: &mut TcpStream, extra: &str) {
    let head = read_request_head(tcp).await;
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
        accept_key(&head)
    );
    tcp.write_all(answer.as_bytes()).await.expect("write 101");
}

/// Reads raw bytes until the client closes the connection (or the deadline).
pub async fn read_to_end(tcp: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    let _ = within("client close", tcp.read_to_end(&mut rest)).await;
    rest
}

/// An unmasked server frame.
pub fn frame(first_byte: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![first_byte];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= 0xffff => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// Parses the client's masked frames out of raw bytes: (opcode, unmasked payload).
pub fn client_frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let masked = bytes[1] & 0x80 != 0;
        let (len, mut at) = match bytes[1] & 0x7f {
            126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        assert!(masked, "client frames must be masked");
        let mask = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        at += 4;
        let payload = bytes[at..at + len]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4])
            .collect();
        frames.push((opcode, payload));
        bytes = &bytes[at + len..];
    }
    frames
}

/// Echoes text and binary messages until the client closes; returns what it received.
pub async fn echo<S>(mut ws: Ws<S>) -> Vec<Message>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut received = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        if message.is_text() || message.is_binary() {
            received.push(message.clone());
            if ws.send(message).await.is_err() {
                break;
            }
        }
    }
    received
}

/// Records every message, including the Close, until the connection ends.
pub async fn record<S>(mut ws: Ws<S>) -> Vec<Message>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut received = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        received.push(message);
    }
    received
}

/// The text messages among `messages`.
pub fn texts(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| m.to_text().ok().filter(|_| m.is_text()).map(str::to_string))
        .collect()
}

/// The Close frame among `messages`, as (code, reason).
pub fn close_of(messages: &[Message]) -> Option<(u16, String)> {
    messages.iter().find_map(|m| match m {
        Message::Close(Some(frame)) => Some((u16::from(frame.code), frame.reason.to_string())),
        _ => None,
    })
}

/// Asserts that nobody (i.e. wsc, which has exited) connected to `listener`: the first
/// connection waiting in its backlog is one made now, by this check.
pub async fn assert_no_connection(listener: TcpListener) {
    let address = listener.local_addr().expect("addr");
    let probe = within("probe connect", TcpStream::connect(address))
        .await
        .expect("probe connects");
    let (_, peer) = within("accept", listener.accept()).await.expect("accept");
    assert_eq!(
        peer,
        probe.local_addr().expect("probe addr"),
        "wsc connected although it should have stopped before connecting"
    );
}
