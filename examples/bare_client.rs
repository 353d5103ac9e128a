//! A bare one-thread tokio-tungstenite client: the benchmarks' (bench/run.py) baseline for wsc.
//!
//!     bare_client URL [-b] [-x MESSAGE]... [-w 0|-1] [--count N]
//!
//! It does the work of the same wsc command in pipe mode and nothing else: `-x` messages, then
//! every stdin line (without its `\n` or `\r\n`) as a text (or, with -b, binary) message, fed in
//! batches and flushed once per batch; received text printed as lines and binary as raw bytes to
//! a buffered stdout that is flushed when the socket goes quiet. After input ends it closes with
//! 1000 at once (`-w 0`), once N messages have arrived (`--count N`), or waits for the server's
//! Close (`-w -1`, the default). Status 8 when the server closes before N messages, 1 on errors.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{SplitSink, StreamExt};
use futures_util::{FutureExt, SinkExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;

const READ_SIZE: usize = 64 * 1024;

struct Options {
    url: String,
    binary: bool,
    execute: Vec<String>,
    wait_for_server: bool,
    count: Option<u64>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut o = Options {
        url: String::new(),
        binary: false,
        execute: Vec::new(),
        wait_for_server: true,
        count: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "-b" => o.binary = true,
            "-x" => o.execute.push(value()?),
            "-w" => o.wait_for_server = value()? == "-1",
            "--count" => o.count = Some(value()?.parse().map_err(|_| "bad --count")?),
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    o.url = url.ok_or("usage: bare_client URL [-b] [-x MESSAGE]... [-w 0|-1] [--count N]")?;
    Ok(o)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let code = match options() {
        Ok(o) => match run(o).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("bare_client: {e}");
                1
            }
        },
        Err(e) => {
            eprintln!("bare_client: {e}");
            2
        }
    };
    std::process::exit(code);
}

async fn run(o: Options) -> Result<i32, Box<dyn std::error::Error>> {
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    // ws:// only: the benchmarks need no TLS.
    let url = url::Url::parse(&o.url)?;
    let tcp = TcpStream::connect(&*url.socket_addrs(|| Some(80))?).await?;
    tcp.set_nodelay(true)?;
    let (ws, _) = tokio_tungstenite::client_async_with_config(o.url, tcp, Some(config)).await?;
    let (sink, mut stream) = ws.split();

    // Input: a plain thread reads stdin (a tokio stdin would keep the runtime from exiting).
    let (tx, rx) = mpsc::channel(4);
    let first: Vec<Message> = o.execute.iter().map(|m| message(m, o.binary)).collect();
    let binary = o.binary;
    std::thread::spawn(move || read_lines(first, binary, tx));
    let mut writer = Some(tokio::spawn(write_input(sink, rx)));
    let mut sink: Option<Sink> = None; // back from the writer once all input is sent

    // Stdout: the fd itself behind one buffer (std's Stdout would add a line buffer).
    let mut out = io::BufWriter::with_capacity(
        READ_SIZE,
        File::from(io::stdout().as_fd().try_clone_to_owned()?),
    );
    let mut received = 0u64;
    let mut closing = false;
    loop {
        if let Some(sink) = sink.as_mut().filter(|_| !closing) {
            let enough = o.count.map_or(!o.wait_for_server, |n| received >= n);
            if enough {
                let close = CloseFrame {
                    code: CloseCode::Normal,
                    reason: Utf8Bytes::default(),
                };
                sink.send(Message::Close(Some(close))).await?;
                closing = true;
            }
        }
        tokio::select! {
            done = async { writer.as_mut().unwrap().await }, if writer.is_some() => {
                writer = None;
                sink = Some(done??);
            }
            next = stream.next() => {
                let mut next = next;
                // Everything already readable, then one flush.
                loop {
                    match next {
                        None | Some(Err(Error::ConnectionClosed)) => {
                            out.flush()?;
                            let short = o.count.is_some_and(|n| received < n);
                            return Ok(if short { 8 } else { 0 });
                        }
                        Some(Err(e)) => return Err(e.into()),
                        Some(Ok(Message::Text(text))) => {
                            out.write_all(text.as_bytes())?;
                            out.write_all(b"\n")?;
                            received += 1;
                        }
                        Some(Ok(Message::Binary(data))) => {
                            out.write_all(&data)?;
                            received += 1;
                        }
                        // The server's Close: tungstenite answers it itself.
                        Some(Ok(Message::Close(_))) => closing = true,
                        Some(Ok(_)) => {}
                    }
                    match stream.next().now_or_never() {
                        Some(more) => next = more,
                        None => break,
                    }
                }
                out.flush()?;
            }
        }
    }
}

fn message(payload: &str, binary: bool) -> Message {
    if binary {
        Message::binary(Bytes::copy_from_slice(payload.as_bytes()))
    } else {
        Message::text(payload)
    }
}

/// Sends the `-x` messages, then stdin's lines, one batch per read; exits at end of input.
fn read_lines(first: Vec<Message>, binary: bool, tx: mpsc::Sender<Vec<Message>>) {
    if !first.is_empty() && tx.blocking_send(first).is_err() {
        return;
    }
    let mut stdin = io::stdin().lock();
    let mut buffer = BytesMut::new();
    let mut scanned = 0; // bytes of `buffer` known to hold no newline
    loop {
        let filled = buffer.len();
        buffer.resize(filled + READ_SIZE, 0);
        let n = match stdin.read(&mut buffer[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => {
                eprintln!("bare_client: stdin: {e}");
                std::process::exit(1);
            }
        };
        buffer.truncate(filled + n);
        let mut batch = Vec::new();
        while let Some(at) = memchr::memchr(b'\n', &buffer[scanned..]) {
            let mut line = buffer.split_to(scanned + at + 1).freeze();
            scanned = 0;
            line.truncate(line.len() - 1);
            if line.ends_with(b"\r") {
                line.truncate(line.len() - 1);
            }
            batch.push(to_message(line, binary));
        }
        scanned = buffer.len();
        if n == 0 && !buffer.is_empty() {
            batch.push(to_message(buffer.split().freeze(), binary));
        }
        if !batch.is_empty() && tx.blocking_send(batch).is_err() {
            return;
        }
        if n == 0 {
            return;
        }
    }
}

fn to_message(line: Bytes, binary: bool) -> Message {
    if binary {
        return Message::Binary(line);
    }
    match Utf8Bytes::try_from(line) {
        Ok(text) => Message::Text(text),
        Err(_) => {
            eprintln!("bare_client: stdin: a line is not UTF-8");
            std::process::exit(1);
        }
    }
}

/// Feeds every batch and flushes it; hands the sink back once input has ended.
async fn write_input(mut sink: Sink, mut rx: mpsc::Receiver<Vec<Message>>) -> Result<Sink, Error> {
    while let Some(batch) = rx.recv().await {
        for message in batch {
            sink.feed(message).await?;
        }
        sink.flush().await?;
    }
    Ok(sink)
}
