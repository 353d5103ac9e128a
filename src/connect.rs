//! DNS -> TCP (TCP_NODELAY) -> TLS -> WebSocket upgrade, under one connect timeout, with every
//! failure classified into its exit status and told in words. The upgrade itself is the protocol
//! core's (`protocol::handshake`); this module only moves its bytes.

use std::time::{Duration, Instant};

use rand::RngExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, lookup_host};
use url::Host;

use crate::config::Config;
use crate::error::{Failure, io_words};
use crate::protocol::deflate::DeflateParams;
use crate::protocol::handshake::{self, ClientHandshake, Head, Offer};
use crate::tls;
use crate::verbose::Verbose;

/// The socket's two directions, each owned by one task.
pub type Reader = Box<dyn AsyncRead + Unpin + Send>;
pub type Writer = Box<dyn AsyncWrite + Unpin + Send>;

/// An open WebSocket and what the handshake said.
pub struct Connection {
    pub reader: Reader,
    pub writer: Writer,
    /// Bytes that arrived right behind the 101 answer: the first frames.
    pub leftover: Vec<u8>,
    pub status: u16,
    pub subprotocol: Option<String>,
    pub deflate: Option<DeflateParams>,
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
    // --max-time covers the connection too; no limit at all only when neither is set.
    let limit = match (config.max_time, config.connect_timeout) {
        (Some(max), Some(connect)) => Some(max.min(connect)),
        (max, connect) => max.or(connect),
    };
    let result = match limit {
        Some(limit) => tokio::time::timeout(limit, attempt(config, &mut stage)).await,
        None => Ok(attempt(config, &mut stage).await),
    };
    match (result, limit) {
        (Ok(result), _) => result.map(|mut connection| {
            connection.elapsed = started.elapsed();
            connection
        }),
        (Err(_), limit) => {
            let doing = match stage {
                Stage::Dns => "resolving the host",
                Stage::Tcp => "connecting",
                Stage::Tls => "in the TLS handshake",
                Stage::Upgrade => "waiting for the server to accept the WebSocket upgrade",
            };
            let seconds = limit.unwrap_or_default().as_secs_f64();
            if limit != config.connect_timeout {
                // Named as the session names it: what was missing first, then the limit.
                let expired = format!("--max-time of {seconds} s expired while {doing}");
                let goals = crate::session::goals::Goals::new(config.count, &config.expect);
                return Err(Failure::Unmet(match goals.missing() {
                    Some(missing) => format!("{missing}; {expired}"),
                    None => expired,
                }));
            }
            Err(Failure::Connect(format!(
                "connect timeout: no success within {seconds} s ({doing})"
            )))
        }
    }
}

async fn attempt(config: &Config, stage: &mut Stage) -> Result<Connection, Failure> {
    let url = &config.url;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(Failure::Usage(format!("invalid URL '{url}': no host"))),
    };
    // Certificate and key files are checked before anything goes on the network.
    let tls = match url.scheme() {
        "wss" => Some(tokio_native_tls::TlsConnector::from(tls::connector(
            &config.tls,
        )?)),
        _ => None,
    };

    let verbose = Verbose::new(config.verbose, config.stderr_is_terminal, config.timestamps);
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

    let handshake = ClientHandshake::new(offer(config), rand::rng().random());
    let (reader, writer, answer, leftover): (Reader, Writer, Head, Vec<u8>) = match tls {
        Some(connector) => {
            *stage = Stage::Tls;
            let sent_identity = config.tls.identity.is_some();
            // -v shows the version and cipher from the server's hello as it passes.
            let tcp = tls::details::Recorder::new(tcp, config.verbose > 0);
            let mut stream = connector
                .connect(&host, tcp)
                .await
                .map_err(|e| tls::handshake_failure(&e, sent_identity))?;
            lap("TLS");
            if config.verbose > 0 {
                let recorded = stream.get_mut().get_mut().get_mut().take();
                let certificate = stream.get_ref().peer_certificate().ok().flatten();
                let der = certificate.and_then(|c| c.to_der().ok());
                verbose.tls(&tls::details::lines(&recorded, der.as_deref()));
            }
            verbose.request(&handshake);
            *stage = Stage::Upgrade;
            let (answer, leftover) = upgrade(&mut stream, &handshake)
                .await
                .map_err(|e| e.over_tls(sent_identity))?;
            let (reader, writer) = tokio::io::split(stream);
            (Box::new(reader), Box::new(writer), answer, leftover)
        }
        None => {
            *stage = Stage::Upgrade;
            verbose.request(&handshake);
            let mut stream = tcp;
            let (answer, leftover) = upgrade(&mut stream, &handshake)
                .await
                .map_err(UpgradeError::plain)?;
            let (reader, writer) = stream.into_split();
            (Box::new(reader), Box::new(writer), answer, leftover)
        }
    };
    lap("upgrade");
    verbose.response(&answer);
    let agreed = handshake
        .check(&answer)
        .map_err(|words| refused(words, &answer, &leftover, url))?;
    verbose.timings(&stages);
    Ok(Connection {
        reader,
        writer,
        leftover,
        status: answer.status,
        subprotocol: agreed.subprotocol,
        deflate: agreed.deflate,
        elapsed: Duration::ZERO,
    })
}

/// What the upgrade request offers: the URL's target and host, our headers, subprotocols and
/// compression.
fn offer(config: &Config) -> Offer {
    let url = &config.url;
    let mut target = url.path().to_string();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let mut host = url.host_str().unwrap_or_default().to_string();
    if let Some(port) = url.port() {
        host.push_str(&format!(":{port}"));
    }
    Offer {
        target,
        host,
        headers: config
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.as_bytes().to_vec()))
            .collect(),
        subprotocols: config.subprotocols.clone(),
        deflate: config.deflate.clone(),
    }
}

/// How much of a refusal's body the error shows.
const BODY_SHOWN: usize = 1024;
/// How long a refusal's body may take to arrive after its head.
const BODY_WAIT: Duration = Duration::from_millis(500);

/// Why the upgrade failed before its answer could be judged.
enum UpgradeError {
    /// The connection failed (`Some`) or the server closed it (`None`) before the answer's head
    /// was complete; `partial` when some of the answer had arrived.
    Ended {
        error: Option<std::io::Error>,
        partial: bool,
    },
    Answer(String),
}

impl UpgradeError {
    fn plain(self) -> Failure {
        match self {
            UpgradeError::Ended {
                error: Some(e),
                partial: _,
            } => Failure::Connect(format!(
                "connection failed during the upgrade: {}",
                io_words(&e)
            )),
            UpgradeError::Ended {
                error: None,
                partial: false,
            } => Failure::Handshake(
                "server closed the connection before answering the upgrade".into(),
            ),
            UpgradeError::Ended {
                error: None,
                partial: true,
            } => Failure::Handshake(
                "server closed the connection in the middle of its answer to the upgrade".into(),
            ),
            UpgradeError::Answer(words) => Failure::Handshake(words),
        }
    }

    /// Over TLS 1.3, the server's verdict on our certificate (or its absence) comes only after
    /// the handshake, as an alert or just a closed connection, before any of the answer.
    fn over_tls(self, sent_identity: bool) -> Failure {
        match &self {
            UpgradeError::Ended {
                error,
                partial: false,
            } => tls::failure_after_handshake(error.as_ref(), sent_identity)
                .unwrap_or_else(|| self.plain()),
            _ => self.plain(),
        }
    }
}

/// Sends the request and reads the answer's head; a refusal's body follows it in the buffer,
/// as far as it arrives soon. Returns the head and the bytes after it.
async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    handshake: &ClientHandshake,
) -> Result<(Head, Vec<u8>), UpgradeError> {
    let failed = |error, partial| UpgradeError::Ended {
        error: Some(error),
        partial,
    };
    stream
        .write_all(&handshake.request)
        .await
        .map_err(|e| failed(e, false))?;
    stream.flush().await.map_err(|e| failed(e, false))?;
    let mut buffer = Vec::with_capacity(4096);
    let head = loop {
        let partial = !buffer.is_empty();
        let read = stream
            .read_buf(&mut buffer)
            .await
            .map_err(|e| failed(e, partial))?;
        if read == 0 {
            return Err(UpgradeError::Ended {
                error: None,
                partial,
            });
        }
        if let Some(head) = handshake::parse_answer(&buffer).map_err(UpgradeError::Answer)? {
            break head;
        }
    };
    if head.status != 101 {
        read_body(stream, &head, &mut buffer).await;
    }
    Ok((head.clone(), buffer.split_off(head.len)))
}

/// Reads a refusal's body up to what the error shows, its Content-Length, or a short wait.
async fn read_body<S: AsyncRead + Unpin>(stream: &mut S, head: &Head, buffer: &mut Vec<u8>) {
    let length = head
        .get("Content-Length")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(BODY_SHOWN);
    let wanted = head.len + length.min(BODY_SHOWN);
    let _ = tokio::time::timeout(BODY_WAIT, async {
        while buffer.len() < wanted {
            match stream.read_buf(buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
}

/// A refused upgrade in words; a non-101 answer shows the start of its body, a redirect where
/// it points instead (relative to `url`).
fn refused(words: String, answer: &Head, body: &[u8], url: &url::Url) -> Failure {
    if answer.status == 101 {
        return Failure::Handshake(words);
    }
    let location = answer.get("Location").filter(|l| !l.is_empty());
    if let (300..=399, Some(location)) = (answer.status, location) {
        let target = url.join(&location).map_or(location, String::from);
        let status = format!("{} {}", answer.status, answer.text);
        return Failure::Handshake(format!(
            "server redirects to {target} ({}); wsc does not follow redirects yet",
            status.trim_end()
        ));
    }
    let body = String::from_utf8_lossy(&body[..body.len().min(BODY_SHOWN)]);
    let body = body.trim().replace('\r', "").replace('\n', "\\n");
    let words = words.trim_end().to_string();
    Failure::Handshake(if body.is_empty() {
        words
    } else {
        format!("{words}: {body}")
    })
}
