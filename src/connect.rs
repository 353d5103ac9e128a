//! DNS -> TCP (TCP_NODELAY) -> TLS -> WebSocket upgrade, under one connect timeout, with every
//! failure classified into its exit status and told in words.

use std::time::{Duration, Instant};

use tokio::net::{TcpStream, lookup_host};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
use tokio_tungstenite::tungstenite::http::header;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Host;

use crate::config::Config;
use crate::error::{Failure, io_words};
use crate::tls;
use crate::verbose::Verbose;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open WebSocket and what the handshake said.
pub struct Connection {
    pub socket: Socket,
    pub response: Response,
    pub subprotocol: Option<String>,
    pub elapsed: Duration,
}

/// How far the attempt got, for the timeout message.
#[derive(Clone, Copy)]
enum Stage {
    Dns,
    Tcp,
    Tls,
    Upgrade,
}

pub async fn connect(config: &Config) -> Result<Connection, Failure> {
    let started = Instant::now();
    let mut stage = Stage::Dns;
    // --max-time covers the connection too.
    let limit = config
        .max_time
        .map_or(config.connect_timeout, |m| m.min(config.connect_timeout));
    match tokio::time::timeout(limit, attempt(config, &mut stage)).await {
        Ok(result) => result.map(|(socket, response)| {
            let subprotocol = response
                .headers()
                .get(header::SEC_WEBSOCKET_PROTOCOL)
                .and_then(|p| p.to_str().ok())
                .map(str::to_string);
            Connection {
                socket,
                response,
                subprotocol,
                elapsed: started.elapsed(),
            }
        }),
        Err(_) => {
            let doing = match stage {
                Stage::Dns => "resolving the host",
                Stage::Tcp => "connecting",
                Stage::Tls => "in the TLS handshake",
                Stage::Upgrade => "waiting for the server to accept the WebSocket upgrade",
            };
            if limit < config.connect_timeout {
                return Err(Failure::Unmet(format!(
                    "--max-time of {} s expired while {doing}",
                    limit.as_secs_f64()
                )));
            }
            Err(Failure::Connect(format!(
                "connect timeout: no success within {} s ({doing})",
                config.connect_timeout.as_secs_f64()
            )))
        }
    }
}

async fn attempt(config: &Config, stage: &mut Stage) -> Result<(Socket, Response), Failure> {
    let url = &config.url;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(Failure::Usage(format!("invalid URL '{url}': no host"))),
    };
    let request = request(config)?;
    // Certificate and key files are checked before anything goes on the network.
    let tls = match url.scheme() {
        "wss" => Some(tokio_native_tls::TlsConnector::from(tls::connector(
            &config.tls,
        )?)),
        _ => None,
    };

    let verbose = Verbose::new(config.verbose, config.stderr_is_terminal);
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let mut mark = Instant::now();
    let mut lap = |name| {
        stages.push((name, mark.elapsed()));
        mark = Instant::now();
    };

    *stage = Stage::Dns;
    let addresses: Vec<_> = lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Failure::Connect(format!("cannot resolve host '{host}': {}", io_words(&e))))?
        .collect();
    lap("DNS");

    *stage = Stage::Tcp;
    let mut last_error = None;
    let mut tcp = None;
    for address in &addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(e) => last_error = Some(e),
        }
    }
    let tcp = tcp.ok_or_else(|| {
        let why = last_error.map_or("no address found".to_string(), |e| io_words(&e));
        Failure::Connect(format!("cannot connect to {host} port {port}: {why}"))
    })?;
    tcp.set_nodelay(true)
        .map_err(|e| Failure::Connect(format!("cannot set TCP_NODELAY: {}", io_words(&e))))?;
    lap("TCP");

    let stream = match tls {
        Some(connector) => {
            *stage = Stage::Tls;
            let tls = connector
                .connect(&host, tcp)
                .await
                .map_err(|e| tls::handshake_failure(&e))?;
            lap("TLS");
            MaybeTlsStream::NativeTls(tls)
        }
        None => MaybeTlsStream::Plain(tcp),
    };

    *stage = Stage::Upgrade;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_message_size));
    verbose.request(&request);
    let (socket, response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config))
            .await
            .map_err(|e| {
                if let WsError::Http(refusal) = &e {
                    verbose.response(refusal);
                }
                upgrade_failure(e, config)
            })?;
    lap("upgrade");
    verbose.response(&response);
    verbose.timings(&stages);
    // tungstenite leaves this check to us: we offer no extension, so the server may select none.
    if let Some(extensions) = response.headers().get(header::SEC_WEBSOCKET_EXTENSIONS) {
        let extensions = String::from_utf8_lossy(extensions.as_bytes());
        return Err(Failure::Handshake(format!(
            "server selected extension '{extensions}' that was not offered"
        )));
    }
    Ok((socket, response))
}

/// Headers tungstenite writes itself: one given with -H replaces it, never doubles it.
const GENERATED_HEADERS: [header::HeaderName; 5] = [
    header::HOST,
    header::CONNECTION,
    header::UPGRADE,
    header::SEC_WEBSOCKET_VERSION,
    header::SEC_WEBSOCKET_KEY,
];

/// The upgrade request: tungstenite's required headers, then ours.
fn request(config: &Config) -> Result<Request, Failure> {
    let mut request = config
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| Failure::Usage(format!("invalid URL '{}': {e}", config.url)))?;
    let headers = request.headers_mut();
    for (name, value) in &config.headers {
        if GENERATED_HEADERS.contains(name) {
            headers.insert(name.clone(), value.clone());
        } else {
            headers.append(name.clone(), value.clone());
        }
    }
    if !config.subprotocols.is_empty() {
        let offered = config.subprotocols.join(", ");
        let value = offered
            .parse()
            .map_err(|_| Failure::Usage(format!("invalid subprotocol list '{offered}'")))?;
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, value);
    }
    Ok(request)
}

/// How much of a refusal's body the error shows.
const BODY_SHOWN: usize = 1024;

fn upgrade_failure(error: WsError, config: &Config) -> Failure {
    let offered = || config.subprotocols.join(", ");
    let message = match error {
        WsError::Http(response) => {
            let status = response.status();
            let reason = status.canonical_reason().unwrap_or("");
            let answer = format!("server answered {} {reason}", status.as_u16());
            // The start of the body, on the same line: it usually says why.
            let body = response.body().as_deref().unwrap_or_default();
            let start = String::from_utf8_lossy(&body[..body.len().min(BODY_SHOWN)]);
            let start = start.trim().replace('\r', "").replace('\n', "\\n");
            if start.is_empty() {
                answer.trim_end().to_string()
            } else {
                format!("{}: {start}", answer.trim_end())
            }
        }
        WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch) => {
            "server sent a wrong Sec-WebSocket-Accept key".into()
        }
        WsError::Protocol(ProtocolError::MissingUpgradeWebSocketHeader) => {
            "server answer lacks 'Upgrade: websocket'".into()
        }
        WsError::Protocol(ProtocolError::MissingConnectionUpgradeHeader) => {
            "server answer lacks 'Connection: Upgrade'".into()
        }
        WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(e)) => match e {
            SubProtocolError::NoSubProtocol => {
                format!(
                    "server selected none of the offered subprotocols ({})",
                    offered()
                )
            }
            SubProtocolError::ServerSentSubProtocolNoneRequested
            | SubProtocolError::InvalidSubProtocol => {
                format!(
                    "server selected a subprotocol that was not offered (offered: {})",
                    offered()
                )
            }
        },
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => {
            "server closed the connection before answering the upgrade".into()
        }
        WsError::Protocol(ProtocolError::WrongHttpVersion) => {
            "server answered with an HTTP version below 1.1".into()
        }
        WsError::AttackAttempt => "server's answer to the upgrade is too large".into(),
        WsError::HttpFormat(e) => format!("server answered with malformed HTTP: {e}"),
        WsError::Io(e) => {
            let over_tls = config.url.scheme() == "wss";
            return over_tls
                .then(|| tls::failure_after_handshake(&e, config.tls.identity.is_some()))
                .flatten()
                .unwrap_or_else(|| {
                    Failure::Connect(format!(
                        "connection failed during the upgrade: {}",
                        io_words(&e)
                    ))
                });
        }
        WsError::Tls(e) => return Failure::Tls(format!("TLS failure during the upgrade: {e}")),
        other => format!("upgrade failed: {other}"),
    };
    Failure::Handshake(message)
}
