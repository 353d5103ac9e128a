//! A small WebSocket server for trying wsc offline and for the benchmarks.
//!
//!     cargo run --release --example server -- [ADDR] [echo | sink | flood N SIZE [binary]]
//!
//! echo (default): sends every text and binary message back.
//! sink: reads everything; on close, prints the message count and bytes on stderr.
//! flood N SIZE: sends N messages of SIZE bytes (text, or binary), then closes with 1000.

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::{Bytes, Message, protocol::WebSocketConfig};

#[derive(Clone, Copy)]
enum Mode {
    Echo,
    Sink,
    Flood {
        count: usize,
        size: usize,
        binary: bool,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let number = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(0);
    let mode = match args.get(1).map(String::as_str) {
        None | Some("echo") => Mode::Echo,
        Some("sink") => Mode::Sink,
        Some("flood") => Mode::Flood {
            count: number(2),
            size: number(3),
            binary: args.get(4).is_some_and(|a| a == "binary"),
        },
        Some(other) => return Err(format!("unknown mode {other}").into()),
    };
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("listening on ws://{}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
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

async fn serve(
    mut ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    mode: Mode,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    if let Mode::Flood {
        count,
        size,
        binary,
    } = mode
    {
        let payload = Bytes::from(vec![b'x'; size]);
        for _ in 0..count {
            let message = if binary {
                Message::Binary(payload.clone())
            } else {
                Message::Text(payload.clone().try_into().expect("ASCII"))
            };
            ws.feed(message).await?;
        }
        ws.flush().await?;
        ws.close(None).await?;
    }
    let (mut messages, mut bytes) = (0u64, 0u64);
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            messages += 1;
            bytes += message.len() as u64;
            if let Mode::Echo = mode {
                ws.feed(message).await?;
                // Flush once the client has nothing more queued for us.
                if let Some(next) = ws.next().now_or_never() {
                    match next {
                        Some(Ok(m)) if m.is_text() || m.is_binary() => {
                            messages += 1;
                            bytes += m.len() as u64;
                            ws.feed(m).await?;
                            continue;
                        }
                        _ => {}
                    }
                }
                ws.flush().await?;
            }
        }
    }
    if let Mode::Sink = mode {
        eprintln!("received {messages} messages, {bytes} bytes");
    }
    Ok(())
}
