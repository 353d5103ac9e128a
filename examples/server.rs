//! A small WebSocket server for trying wsc offline and for the benchmarks (bench/run.py).
//!
//!     cargo run --release --example server -- [ADDR] [raw] [echo | sink | flood N SIZE [binary | json]]
//!
//! ADDR defaults to 127.0.0.1:9001; with port 0 the OS picks one. The address in use is always
//! the first line on stderr: `listening on ws://ADDR`. Options (`--NAME`) may come anywhere; an
//! unknown one is an error, so that a script can tell which options this server has.
//!
//! echo (default): sends every text and binary message back.
//! sink: reads everything; when the connection ends, prints `received N messages, B bytes` on
//! stderr (with the error, if it ended badly). It counts frames as they come, without decoding
//! them, so that it costs little next to the client being measured; it answers a Close with
//! Close 1000.
//! flood N SIZE: sends N messages of SIZE bytes of `x` (text, or binary) as pre-encoded frames,
//! then closes with 1000; with `json`, each is a JSON object of SIZE bytes, `{"x":"xx…"}`.
//!
//! sink and flood read and write the socket directly after the upgrade: a client must wait for
//! the 101 before sending (every client here does).
//!
//! raw: the same modes on plain TCP, without the upgrade or any framing, for examples/raw_client:
//! echo copies the bytes back, sink counts bytes and lines (`received LINES messages, B bytes`),
//! flood writes N records of SIZE bytes of `x` (each followed by `\n` unless binary, as wsc
//! prints them). The server ends its sending side when done, or when the client has ended its.

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Error;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

#[path = "common/mode.rs"]
mod mode;

use mode::Mode;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(option) = args.iter().find(|a| a.starts_with("--")) {
        return Err(format!("unknown option {option}").into());
    }
    let raw = args.get(1).is_some_and(|a| a == "raw");
    if raw {
        args.remove(1);
    }
    let (addr, mode) = mode::parse(&args, "127.0.0.1:9001")?;
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("listening on ws://{}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
        if raw {
            tokio::spawn(serve_raw(tcp, mode));
            continue;
        }
        tokio::spawn(async move {
            let config = WebSocketConfig::default()
                .max_message_size(None)
                .max_frame_size(None);
            if let Ok(ws) = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await {
                let _ = serve(ws, mode).await;
            }
        });
    }
}

async fn serve(mut ws: WebSocketStream<TcpStream>, mode: Mode) -> Result<(), Error> {
    match mode {
        Mode::Echo => echo(ws).await,
        Mode::Sink => {
            let (mut messages, mut bytes) = (0, 0);
            let ended = sink(ws.get_mut(), &mut messages, &mut bytes).await;
            match &ended {
                Ok(()) => eprintln!("received {messages} messages, {bytes} bytes"),
                Err(e) => eprintln!("received {messages} messages, {bytes} bytes (error: {e})"),
            }
            Ok(ended?)
        }
        Mode::Flood {
            count,
            size,
            binary,
            json,
        } => {
            let head = header(if binary { 2 } else { 1 }, size);
            flood(ws.get_mut(), count, &head, &mode::payload(size, json), b"").await?;
            // Close 1000, as the top of the file says: `close(None)` would send no code at all.
            ws.close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .await?;
            while let Some(message) = ws.next().await {
                message?;
            }
            Ok(())
        }
    }
}

async fn echo(mut ws: WebSocketStream<TcpStream>) -> Result<(), Error> {
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            ws.feed(message).await?;
            // Flush once the client has nothing more queued for us.
            while let Some(Some(Ok(next))) = ws.next().now_or_never() {
                if next.is_text() || next.is_binary() {
                    ws.feed(next).await?;
                }
            }
            ws.flush().await?;
        }
    }
    Ok(())
}

/// A server frame header (FIN, no mask).
fn header(opcode: u8, len: usize) -> Vec<u8> {
    let mut h = vec![0x80 | opcode];
    match len {
        0..126 => h.push(len as u8),
        126..65536 => {
            h.push(126);
            h.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            h.push(127);
            h.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    h
}

/// Writes `count` records: `head`, `payload`, `tail`.
async fn flood(
    tcp: &mut TcpStream,
    count: usize,
    head: &[u8],
    payload: &[u8],
    tail: &[u8],
) -> std::io::Result<()> {
    if payload.len() <= 64 * 1024 {
        // Small records: many to a write.
        let mut frame = head.to_vec();
        frame.extend_from_slice(payload);
        frame.extend_from_slice(tail);
        let per_write = (256 * 1024 / frame.len()).max(1);
        let chunk = frame.repeat(per_write.min(count));
        let mut left = count;
        while left > 0 {
            let n = left.min(per_write);
            tcp.write_all(&chunk[..n * frame.len()]).await?;
            left -= n;
        }
    } else {
        for _ in 0..count {
            tcp.write_all(head).await?;
            tcp.write_all(payload).await?;
            tcp.write_all(tail).await?;
        }
    }
    tcp.flush().await
}

/// Counts data messages and their payload bytes until the client's Close, which it answers.
async fn sink(tcp: &mut TcpStream, messages: &mut u64, bytes: &mut u64) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut start, mut end) = (0, 0);
    let mut skip = 0u64; // payload bytes of the current frame still to pass over
    loop {
        let available = (end - start) as u64;
        if skip > 0 && available > 0 {
            let n = skip.min(available);
            skip -= n;
            start += n as usize;
            continue;
        }
        if skip == 0 && available >= 2 {
            let (b0, b1) = (buf[start], buf[start + 1]);
            let extended = match b1 & 0x7f {
                126 => 2,
                127 => 8,
                _ => 0,
            };
            let head = 2 + extended + if b1 & 0x80 != 0 { 4 } else { 0 };
            if available >= head as u64 {
                let len = match extended {
                    0 => u64::from(b1 & 0x7f),
                    2 => u64::from(u16::from_be_bytes([buf[start + 2], buf[start + 3]])),
                    _ => u64::from_be_bytes(buf[start + 2..start + 10].try_into().unwrap()),
                };
                let opcode = b0 & 0x0f;
                if opcode == 8 {
                    tcp.write_all(&[0x88, 2, 0x03, 0xe8]).await?;
                    return tcp.flush().await;
                }
                if opcode < 8 {
                    *bytes += len;
                    *messages += u64::from(b0 & 0x80 != 0);
                }
                start += head;
                skip = len;
                continue;
            }
        }
        // Need more: keep the partial header at the front and read.
        buf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        let n = tcp.read(&mut buf[end..]).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        end += n;
    }
}

/// The modes on plain TCP (see the top of the file).
async fn serve_raw(mut tcp: TcpStream, mode: Mode) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    match mode {
        Mode::Echo => loop {
            let n = tcp.read(&mut buf).await?;
            if n == 0 {
                return tcp.shutdown().await;
            }
            tcp.write_all(&buf[..n]).await?;
        },
        Mode::Sink => {
            let (mut lines, mut bytes) = (0, 0);
            let ended = loop {
                match tcp.read(&mut buf).await {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        bytes += n;
                        lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
                    }
                    Err(e) => break Err(e),
                }
            };
            match &ended {
                Ok(()) => eprintln!("received {lines} messages, {bytes} bytes"),
                Err(e) => eprintln!("received {lines} messages, {bytes} bytes (error: {e})"),
            }
            ended
        }
        Mode::Flood {
            count,
            size,
            binary,
            json,
        } => {
            let tail: &[u8] = if binary { b"" } else { b"\n" };
            flood(&mut tcp, count, b"", &mode::payload(size, json), tail).await?;
            tcp.shutdown().await?;
            // Until the client has ended its side too.
            while tcp.read(&mut buf).await? > 0 {}
            Ok(())
        }
    }
}
