//! A compressing WebSocket server on wsc's own protocol core (its server role), for trying
//! permessage-deflate offline and for the compression rows of the benchmark (bench/run.py).
//!
//!     cargo run --release --example deflate_server -- [ADDR] [echo | sink | flood N SIZE [binary | json]]
//!
//! ADDR defaults to 127.0.0.1:9002; with port 0 the OS picks one. The address in use is always
//! the first line on stderr: `listening on ws://ADDR`. permessage-deflate is accepted whenever
//! the client offers it (context takeover, 15-bit windows unless the offer asks for less).
//!
//! echo (default): sends every text and binary message back, compressed.
//! sink: reads everything; when the connection ends, prints `received N messages, B bytes`.
//! flood N SIZE: sends N compressed messages of SIZE bytes (text, or binary), then Close 1000.
//! Every mode answers the client's Close.

use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsc::protocol::Role;
use wsc::protocol::deflate::{Compressor, Decompressor, DeflateOffer};
use wsc::protocol::handshake;
use wsc::protocol::receive::{Received, Receiver};
use wsc::protocol::send::{Pending, Sender};

#[path = "common/mode.rs"]
mod mode;

use mode::Mode;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (addr, mode) = mode::parse(&args, "127.0.0.1:9002")?;
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("listening on ws://{}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
        tokio::spawn(async move {
            if let Err(e) = serve(tcp, mode).await {
                eprintln!("connection failed: {e}");
            }
        });
    }
}

async fn serve(mut tcp: TcpStream, mode: Mode) -> Result<(), Error> {
    let mut buffer = Vec::new();
    let request = loop {
        if tcp.read_buf(&mut buffer).await? == 0 {
            return Err("closed before the upgrade".into());
        }
        match handshake::parse_request(&buffer) {
            Ok(Some(request)) => break request,
            Ok(None) => {}
            Err(refusal) => {
                tcp.write_all(&handshake::refuse(&refusal)).await?;
                return Err(refusal.words.into());
            }
        }
    };
    let agreed = match &request.extensions {
        Some(offers) => DeflateOffer::default().answer(offers)?,
        None => None,
    };
    let extension = agreed.as_ref().map(|(_, value)| value.as_str());
    tcp.write_all(&handshake::accept(&request, None, extension))
        .await?;
    let params = agreed.map(|(params, _)| params);
    let inflater = params.map(|p| Decompressor::new(&p, Role::Server));
    let compressor = params.and_then(|p| Compressor::new(&p, Role::Server));
    let leftover = &buffer[request.head.len..];
    let mut receiver = Receiver::new(Role::Server, usize::MAX >> 1, inflater, leftover);
    let mut sender = Sender::new(Role::Server, StdRng::seed_from_u64(0), compressor);
    let mut out = Vec::with_capacity(1 << 17);

    if let Mode::Flood {
        count,
        size,
        binary,
        json,
    } = mode
    {
        let payload = Bytes::from(mode::payload(size, json));
        for _ in 0..count {
            let pending = sender.message(!binary, payload.clone(), &mut out);
            write(&mut tcp, &mut sender, &mut out, pending, 1 << 16).await?;
        }
        sender.close(Some((1000, "")), &mut out);
        write(&mut tcp, &mut sender, &mut out, None, 0).await?;
    }
    let (mut messages, mut bytes) = (0u64, 0u64);
    loop {
        while let Some(received) = receiver.decode().map_err(|v| v.words)? {
            match received {
                Received::Text(text) => {
                    (messages, bytes) = (messages + 1, bytes + text.len() as u64);
                    if let Mode::Echo = mode {
                        let pending = sender.message(true, Bytes::from(text), &mut out);
                        write(&mut tcp, &mut sender, &mut out, pending, 1 << 16).await?;
                    }
                }
                Received::Binary(data) => {
                    (messages, bytes) = (messages + 1, bytes + data.len() as u64);
                    if let Mode::Echo = mode {
                        let pending = sender.message(false, data, &mut out);
                        write(&mut tcp, &mut sender, &mut out, pending, 1 << 16).await?;
                    }
                }
                Received::Ping(data) => sender.pong(&data, &mut out),
                Received::Pong(_) => {}
                Received::Close(status) => {
                    if !matches!(mode, Mode::Flood { .. }) {
                        let code = status.map_or(1000, |(code, _)| code);
                        sender.close(Some((code, "")), &mut out);
                    }
                    write(&mut tcp, &mut sender, &mut out, None, 0).await?;
                    if let Mode::Sink = mode {
                        eprintln!("received {messages} messages, {bytes} bytes");
                    }
                    return Ok(());
                }
            }
        }
        // Everything this read brought is answered in one write.
        write(&mut tcp, &mut sender, &mut out, None, 0).await?;
        if tcp.read_buf(receiver.read_buffer()).await? == 0 {
            return Ok(());
        }
    }
}

/// Writes `out` once it holds more than `at` bytes, and the rest of a large payload piece by
/// piece.
async fn write(
    tcp: &mut TcpStream,
    sender: &mut Sender,
    out: &mut Vec<u8>,
    pending: Option<Pending>,
    at: usize,
) -> Result<(), Error> {
    if let Some(mut pending) = pending {
        loop {
            tcp.write_all(out).await?;
            out.clear();
            if sender.resume(&mut pending, out) {
                break;
            }
        }
    }
    if out.len() > at {
        tcp.write_all(out).await?;
        out.clear();
    }
    Ok(())
}
