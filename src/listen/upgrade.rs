//! One client's opening handshake as the server: TLS first when serving wss://, then read the
//! request head, let the policy judge it, answer (101 or a refusal in words), and hand over a
//! `Connection` with the server role.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::{REQUEST_TIME, policy};
use crate::config::Config;
use crate::connect::{Connection, Stream};
use crate::error::io_words;
use crate::protocol::Role;
use crate::protocol::handshake::{self, MAX_HEAD, Refusal, Request};
use crate::tls::server::{Acceptor, accept};

/// One client's upgrade, over TLS with an acceptor: `Ok(Some)` when it is accepted, `Ok(None)`
/// when it was refused (and told why), `Err` with words when its TLS handshake failed, or it
/// went away or was too slow. `busy`: the listener has as many clients as --max-clients allows,
/// so a good request is answered 503. Lines for people (the refusal, -v's) go to `say`.
pub(super) async fn upgrade(
    config: &Config,
    acceptor: Option<&Acceptor>,
    tcp: TcpStream,
    peer: SocketAddr,
    busy: bool,
    say: &(dyn Fn(String) + Sync),
) -> Result<Option<Connection>, String> {
    // Small messages go out at once, as the client side does.
    let _ = tcp.set_nodelay(true);
    // One bound for TLS and the request together: being slow at both buys no more time.
    let deadline = Instant::now() + REQUEST_TIME;
    let (mut stream, scheme) = match acceptor {
        Some(acceptor) => {
            let Ok(secured) = timeout_at(deadline, accept(acceptor, tcp)).await else {
                return Err(format!(
                    "TLS handshake failed: not done within {} s",
                    REQUEST_TIME.as_secs()
                ));
            };
            let (stream, session) = secured?;
            if config.verbose > 0 {
                say(format!("* {peer}: {session}"));
            }
            (stream, "wss")
        }
        None => (Stream::Tcp(tcp), "ws"),
    };
    let mut buffer = Vec::with_capacity(1024);
    let read = timeout_at(deadline, read_request(&mut stream, &mut buffer)).await;
    let parsed = match read {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(words)) => return Err(words),
        Err(_) => {
            return Err(format!(
                "no upgrade request within {} s",
                REQUEST_TIME.as_secs()
            ));
        }
    };
    let judged = parsed.and_then(|request| match config.max_clients {
        Some(max) if busy => Err(Refusal {
            status: 503,
            words: format!("too many clients (--max-clients {max})"),
        }),
        _ => policy::check(config, request),
    });
    let (request, subprotocol, deflate) = match judged {
        Ok(agreed) => agreed,
        Err(refusal) => {
            show_head(config, say, "<", &buffer);
            let answer = handshake::refuse(&refusal);
            show_head(config, say, ">", &answer);
            let _ = stream.write_all(&answer).await;
            let _ = stream.shutdown().await;
            say(format!(
                "* refused {peer}: {} ({})",
                refusal.words, refusal.status
            ));
            return Ok(None);
        }
    };
    show_head(config, say, "<", &buffer[..request.head.len]);
    let extension = deflate.as_ref().map(|(_, value)| value.as_str());
    let answer = handshake::accept(&request, subprotocol.as_deref(), extension);
    show_head(config, say, ">", &answer);
    stream
        .write_all(&answer)
        .await
        .map_err(|e| format!("lost before the upgrade was answered: {}", io_words(&e)))?;
    let leftover = buffer[request.head.len..].to_vec();
    let (reader, writer) = stream.split();
    let url = format!("{scheme}://{peer}{}", request.head.text)
        .parse()
        .map_err(|_| format!("request target '{}' is not a path", request.head.text))?;
    Ok(Some(Connection {
        reader,
        writer,
        url,
        leftover,
        status: 101,
        subprotocol,
        deflate: deflate.map(|(params, _)| params),
        elapsed: Duration::ZERO,
        role: Role::Server,
        peer: Some(peer),
    }))
}

/// Reads until the core has a whole request head, or a refusal.
async fn read_request(
    stream: &mut (impl AsyncRead + Unpin),
    buffer: &mut Vec<u8>,
) -> Result<Result<Request, Refusal>, String> {
    loop {
        match handshake::parse_request(buffer) {
            Ok(Some(request)) => return Ok(Ok(request)),
            Ok(None) => {}
            Err(refusal) => return Ok(Err(refusal)),
        }
        // The core refuses a head over MAX_HEAD, so the buffer never grows past it by much.
        buffer.reserve(MAX_HEAD.min(4096));
        match stream.read_buf(buffer).await {
            Ok(0) => return Err("closed the connection before its upgrade request".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("lost before its upgrade request: {}", io_words(&e))),
        }
    }
}

/// -v: a head as it went, one `<` (received) or `>` (sent) line each; credentials masked
/// unless -vv, as on the client side.
fn show_head(config: &Config, say: &(dyn Fn(String) + Sync), sigil: &str, head: &[u8]) {
    if config.verbose == 0 {
        return;
    }
    let head = String::from_utf8_lossy(head);
    for line in head.lines().take_while(|line| !line.is_empty()) {
        let line = match config.verbose {
            1 => crate::verbose::mask_head_line(line),
            _ => line.to_string(),
        };
        say(format!("{sigil} {line}"));
    }
}
