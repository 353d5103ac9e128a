//! `-l`: wsc as the server. Binds, says where (scripts read the port from that line), accepts
//! clients until one upgrades, on the protocol core's server role, and hands that one over as a
//! `Connection` for the usual session. This slice serves one client, as wscat -l: the listener
//! is closed once it is connected. The core decides every rule; this module only moves bytes.

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::config::Config;
use crate::connect::{Connection, Stream};
use crate::error::{Failure, io_words};
use crate::output::to_stderr;
use crate::protocol::Role;
use crate::protocol::deflate::DeflateParams;
use crate::protocol::handshake::{self, MAX_HEAD, Refusal, Request};

/// How long a client may take to send its upgrade request before the next one is awaited.
const REQUEST_TIME: Duration = Duration::from_secs(10);

/// Listens, then waits for the first client whose upgrade is good; bad ones are answered and
/// told about, and the wait goes on.
pub async fn accept_one(config: &Config) -> Result<Connection, Failure> {
    let Some(addr) = config.listen else {
        return Err(Failure::Usage("no address to listen on".into()));
    };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Listen(format!("cannot listen on {addr}: {}", io_words(&e))))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::Listen(format!("cannot listen on {addr}: {}", io_words(&e))))?;
    let url = format!("ws://{bound}/");
    announce(config, &url)?;
    crate::output::warn(config);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // A client gone before it was accepted, or a full descriptor table: keep serving.
            Err(e) => {
                to_stderr(
                    &format!("! accept failed: {}", io_words(&e)),
                    terminal(config),
                );
                continue;
            }
        };
        let started = Instant::now();
        match upgrade(config, tcp, peer).await {
            Ok(Some(mut connection)) => {
                connection.url = format!("ws://{bound}{}", connection.url.path())
                    .parse()
                    .unwrap_or(connection.url);
                connection.elapsed = started.elapsed();
                if config.verbose > 0 {
                    to_stderr(&format!("* client {peer} connected"), terminal(config));
                }
                return Ok(connection);
            }
            Ok(None) => {}
            Err(words) => to_stderr(&format!("* {peer}: {words}"), terminal(config)),
        }
    }
}

/// The listening line on stderr, always, and with --jsonl its object first on stdout.
fn announce(config: &Config, url: &str) -> Result<(), Failure> {
    to_stderr(&format!("* listening on {url}"), terminal(config));
    if config.output == crate::config::OutputFormat::Jsonl {
        let line = serde_json::json!({"type": "listening", "url": url});
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::Runtime(format!("cannot write to stdout: {}", io_words(&e))))?;
    }
    Ok(())
}

fn terminal(config: &Config) -> bool {
    config.stderr_is_terminal
}

/// One client's upgrade: `Ok(Some)` when it is accepted, `Ok(None)` when it was refused (and
/// told why), `Err` with words when it went away or was too slow.
async fn upgrade(
    config: &Config,
    mut tcp: TcpStream,
    peer: SocketAddr,
) -> Result<Option<Connection>, String> {
    // Small messages go out at once, as the client side does.
    let _ = tcp.set_nodelay(true);
    let mut buffer = Vec::with_capacity(1024);
    let read = tokio::time::timeout(REQUEST_TIME, read_request(&mut tcp, &mut buffer)).await;
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
    let (request, subprotocol, deflate) = match parsed.and_then(|request| check(config, request)) {
        Ok(agreed) => agreed,
        Err(refusal) => {
            if config.verbose > 0 {
                show_head(config, "<", &String::from_utf8_lossy(&buffer));
            }
            let answer = handshake::refuse(&refusal);
            show_answer(config, &answer);
            let _ = tcp.write_all(&answer).await;
            let _ = tcp.shutdown().await;
            to_stderr(
                &format!("* refused {peer}: {} ({})", refusal.words, refusal.status),
                terminal(config),
            );
            return Ok(None);
        }
    };
    if config.verbose > 0 {
        show_head(
            config,
            "<",
            &String::from_utf8_lossy(&buffer[..request.head.len]),
        );
    }
    let extension = deflate.as_ref().map(|(_, value)| value.as_str());
    let answer = handshake::accept(&request, subprotocol.as_deref(), extension);
    show_answer(config, &answer);
    tcp.write_all(&answer)
        .await
        .map_err(|e| format!("lost before the upgrade was answered: {}", io_words(&e)))?;
    let leftover = buffer[request.head.len..].to_vec();
    let (reader, writer) = Stream::Tcp(tcp).split();
    let url = format!("ws://{peer}{}", request.head.text)
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
    }))
}

/// Reads until the core has a whole request head, or a refusal.
async fn read_request(
    tcp: &mut TcpStream,
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
        match tcp.read_buf(buffer).await {
            Ok(0) => return Err("closed the connection before its upgrade request".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("lost before its upgrade request: {}", io_words(&e))),
        }
    }
}

type Agreed = (Request, Option<String>, Option<(DeflateParams, String)>);

/// Our policy on a valid request: the path, the subprotocol, the compression.
fn check(config: &Config, request: Request) -> Result<Agreed, Refusal> {
    let target = &request.head.text;
    let path = target.split('?').next().unwrap_or(target);
    if let Some(wanted) = &config.path {
        if path != wanted {
            return Err(Refusal {
                status: 404,
                words: format!("path {path} not found (--path is {wanted})"),
            });
        }
    }
    // The client's order of preference, among those -s accepts; none agreed is no subprotocol.
    let subprotocol = request
        .subprotocols
        .iter()
        .find(|offered| config.subprotocols.contains(offered))
        .cloned();
    let deflate = match (&config.deflate, &request.extensions) {
        (Some(ours), Some(offers)) => ours.answer(offers).map_err(|words| Refusal {
            status: 400,
            words: format!("bad Sec-WebSocket-Extensions: {words}"),
        })?,
        _ => None,
    };
    Ok((request, subprotocol, deflate))
}

/// -v: a head as it went, one `<` (received) or `>` (sent) line each, escaped on a terminal.
fn show_head(config: &Config, sigil: &str, head: &str) {
    for line in head.lines().take_while(|line| !line.is_empty()) {
        to_stderr(&format!("{sigil} {line}"), terminal(config));
    }
}

fn show_answer(config: &Config, answer: &[u8]) {
    if config.verbose > 0 {
        show_head(config, ">", &String::from_utf8_lossy(answer));
    }
}
