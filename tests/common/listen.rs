//! `wsc -l` in tests: start it, read the port from its listening line as a script would, and
//! talk to it with tokio-tungstenite or raw TCP.

use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{Message, Run, finish, within, wsc};

/// A running `wsc -l`, its port read from its first stderr line.
pub struct Listening {
    pub child: Child,
    pub port: u16,
    /// stderr after the listening line, collected until wsc exits.
    pub rest: JoinHandle<String>,
    pub first: String,
    /// stderr's lines after the first, as they come.
    stderr_lines: tokio::sync::mpsc::UnboundedReceiver<String>,
}

/// `wsc ARGS`, its stdin null or fed `stdin` and closed.
pub async fn listen(args: &[&str], stdin: Option<&str>) -> Listening {
    let (server, pipe) = start(args, stdin.is_some()).await;
    if let (Some(input), Some(mut pipe)) = (stdin, pipe) {
        let input = input.to_string();
        tokio::spawn(async move {
            let _ = pipe.write_all(input.as_bytes()).await;
        });
    }
    server
}

/// `wsc ARGS` with its stdin left to the test to write (and to close, by dropping it).
pub async fn listen_fed(args: &[&str]) -> (Listening, tokio::process::ChildStdin) {
    let (server, pipe) = start(args, true).await;
    (server, pipe.expect("stdin"))
}

async fn start(args: &[&str], piped: bool) -> (Listening, Option<tokio::process::ChildStdin>) {
    let mut command = wsc(args);
    if !piped {
        command = command.stdin_null();
    }
    let mut child = command.spawn();
    let pipe = child.stdin.take();
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = within("listening line", lines.next_line())
        .await
        .expect("stderr")
        .expect("a first line");
    let port = first
        .strip_prefix("* listening on ws://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("not a listening line: {first:?}"));
    let (seen, stderr_lines) = tokio::sync::mpsc::unbounded_channel();
    let rest = tokio::spawn(async move {
        let mut text = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
            let _ = seen.send(line);
        }
        text
    });
    let server = Listening {
        child,
        port,
        rest,
        first,
        stderr_lines,
    };
    (server, pipe)
}

impl Listening {
    /// Waits for a stderr line holding `needle` (`* #2 connected`), and returns it.
    pub async fn stderr_line(&mut self, needle: &str) -> String {
        within(needle, async {
            while let Some(line) = self.stderr_lines.recv().await {
                if line.contains(needle) {
                    return line;
                }
            }
            panic!("wsc ended without a stderr line holding {needle:?}");
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    pub async fn finish(self) -> Run {
        let mut run = finish(self.child).await;
        run.stderr = within("stderr", self.rest).await.expect("stderr task");
        run
    }
}

pub type Client = tokio_tungstenite::WebSocketStream<TcpStream>;

pub async fn client(url: &str, protocols: Option<&str>) -> (Client, Option<String>) {
    let mut request = url.into_client_request().expect("request");
    if let Some(protocols) = protocols {
        let value = protocols.parse().expect("header value");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", value);
    }
    let port = request.uri().port_u16().expect("port");
    let tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    let (ws, response) = within("upgrade", tokio_tungstenite::client_async(request, tcp))
        .await
        .expect("upgrade");
    let protocol = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .map(|v| v.to_str().expect("ascii").to_string());
    (ws, protocol)
}

pub async fn next_text(ws: &mut Client) -> String {
    loop {
        match within("a message", ws.next()).await {
            Some(Ok(Message::Text(text))) => return text.to_string(),
            Some(Ok(_)) => {}
            other => panic!("no text message: {other:?}"),
        }
    }
}

/// Closes with 1000 and reads until the server's answer ends the connection.
pub async fn close(mut ws: Client) {
    within("close", ws.close(None)).await.expect("close sent");
    while let Some(Ok(_)) = within("close answer", ws.next()).await {}
}

/// Sends a raw request head and returns the whole answer (the server closes after a refusal;
/// for a 101, only the head is read).
pub async fn raw(port: u16, head: &str) -> String {
    let mut tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    within("write", tcp.write_all(head.as_bytes()))
        .await
        .expect("request sent");
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = within("answer", tcp.read(&mut chunk)).await.expect("read");
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if n == 0 || (text.starts_with("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
            return text.into_owned();
        }
    }
}

pub fn upgrade_head(path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}
