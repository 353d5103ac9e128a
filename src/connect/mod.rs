//! One connection, hop by hop: the route to the server (route.rs, dial.rs), TLS (`tls/`),
//! then the WebSocket upgrade (upgrade.rs), under one connect timeout, with every failure
//! classified into its exit status and told in words. The upgrade itself is the protocol core's
//! (`protocol::handshake`); this module only moves its bytes.

mod dial;
pub mod names;
pub mod proxy;
mod redirect;
mod route;
#[cfg(test)]
mod scripted;
pub mod unix;
mod upgrade;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rand::RngExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use url::Host;

use crate::config::Config;
use crate::error::Failure;
use crate::protocol::deflate::DeflateParams;
use crate::protocol::handshake::{ClientHandshake, Offer};
use crate::tls;
use crate::verbose::Verbose;
use proxy::env::Source;
use redirect::{Hop, Redirects};
use upgrade::{refused, upgrade};

/// The socket's two directions, each owned by one task.
pub type Reader = Box<dyn AsyncRead + Unpin + Send>;
pub type Writer = Box<dyn AsyncWrite + Unpin + Send>;

/// Any byte stream a hop can run over: TCP, a unix socket, a proxy's tunnel, TLS over any of
/// them.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// An open stream to the server. Plain TCP is kept as such: its halves split without a lock.
pub enum Stream {
    Tcp(TcpStream),
    Other(Box<dyn Io>),
}

impl Stream {
    /// The stream as one object, for the layers that wrap it (TLS, a proxy's handshake).
    pub fn boxed(self) -> Box<dyn Io> {
        match self {
            Stream::Tcp(tcp) => Box::new(tcp),
            Stream::Other(other) => other,
        }
    }

    pub fn split(self) -> (Reader, Writer) {
        match self {
            Stream::Tcp(tcp) => {
                let (reader, writer) = tcp.into_split();
                (Box::new(reader), Box::new(writer))
            }
            Stream::Other(other) => {
                let (reader, writer) = tokio::io::split(other);
                (Box::new(reader), Box::new(writer))
            }
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Other(other) => Pin::new(other).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Other(other) => Pin::new(other).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Other(other) => Pin::new(other).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Other(other) => Pin::new(other).poll_shutdown(cx),
        }
    }
}

/// An open WebSocket and what the handshake said.
pub struct Connection {
    pub reader: Reader,
    pub writer: Writer,
    /// The URL upgraded: the last hop's, after any redirects.
    pub url: url::Url,
    /// Bytes that arrived right behind the 101 answer: the first frames.
    pub leftover: Vec<u8>,
    pub status: u16,
    pub subprotocol: Option<String>,
    pub deflate: Option<DeflateParams>,
    pub elapsed: Duration,
    /// Which end we are: the client, or the server with -l.
    pub role: crate::protocol::Role,
    /// With -l: the client's address.
    pub peer: Option<std::net::SocketAddr>,
}

/// How far the attempt got, for the timeout message.
#[derive(Clone, Copy)]
enum Stage {
    Dns,
    Tcp,
    Tls,
    Upgrade,
    /// The hops through a proxy (from the flag or a variable): to it, TLS with an https://
    /// one, the tunnel.
    Proxy(Source),
    ProxyTls(Source),
    ProxyConnect(Source),
    Socks(Source),
}

impl Stage {
    /// What the attempt was doing; a proxy from the environment is named by its variable.
    fn doing(self) -> String {
        let from = |source| match source {
            Source::Variable(name) => format!(" from {name}"),
            Source::Flag => String::new(),
        };
        match self {
            Stage::Dns => "resolving the host".into(),
            Stage::Tcp => "connecting".into(),
            Stage::Tls => "in the TLS handshake".into(),
            Stage::Upgrade => "waiting for the server to accept the WebSocket upgrade".into(),
            Stage::Proxy(source) => format!("connecting to the proxy{}", from(source)),
            Stage::ProxyTls(source) => {
                format!("in the TLS handshake with the proxy{}", from(source))
            }
            Stage::ProxyConnect(Source::Flag) => "in the proxy's CONNECT".into(),
            Stage::ProxyConnect(source) => format!("in the CONNECT of the proxy{}", from(source)),
            Stage::Socks(Source::Flag) => "in the SOCKS5 handshake".into(),
            Stage::Socks(source) => {
                format!("in the SOCKS5 handshake with the proxy{}", from(source))
            }
        }
    }
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
        Some(limit) => tokio::time::timeout(limit, chain(config, &mut stage)).await,
        None => Ok(chain(config, &mut stage).await),
    };
    match (result, limit) {
        (Ok(result), _) => result.map(|mut connection| {
            connection.elapsed = started.elapsed();
            connection
        }),
        (Err(_), limit) => {
            let doing = stage.doing();
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

/// The first hop, then each redirect -L follows, until one is upgraded.
async fn chain(config: &Config, stage: &mut Stage) -> Result<Connection, Failure> {
    let first = Hop {
        url: config.url.clone(),
        headers: config.headers.clone(),
    };
    let mut redirects = Redirects::new(first, config.max_redirs, config.location_trusted);
    let mut hop = redirects.first().clone();
    loop {
        match attempt(config, &hop, stage).await? {
            Outcome::Open(connection) => return Ok(connection),
            Outcome::Redirect { status, location } => {
                let next = redirects.next(&hop.url, &status, &location)?;
                Verbose::new(config.verbose, config.stderr_is_terminal, config.timestamps).note(
                    &format!(
                        "{status}: following the redirect to {} ({} of at most {})",
                        next.url,
                        redirects.followed(),
                        config.max_redirs
                    ),
                );
                hop = next;
            }
        }
    }
}

/// How one hop ended well: upgraded, or redirected (with -L).
enum Outcome {
    Open(Connection),
    Redirect { status: String, location: String },
}

async fn attempt(config: &Config, hop: &Hop, stage: &mut Stage) -> Result<Outcome, Failure> {
    let url = &hop.url;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(Failure::Usage(format!("invalid URL '{url}': no host"))),
    };
    // Certificate and key files are checked before anything goes on the network.
    let tls = match url.scheme() {
        "wss" => Some(tls::connector(&config.tls)?),
        _ => None,
    };

    let verbose = Verbose::new(config.verbose, config.stderr_is_terminal, config.timestamps);
    let mut laps = Laps::new();
    let (mut stream, via) =
        route::open(config, url, &host, port, stage, &mut laps, &verbose).await?;

    let handshake = ClientHandshake::new(offer(config, hop), rand::rng().random());
    let peer = tls::Peer::Server {
        identity: config.tls.identity.is_some(),
    };
    if let Some(connector) = tls {
        *stage = Stage::Tls;
        let (secured, details) =
            tls::handshake(&connector, &host, stream, config.verbose > 0, peer)
                .await
                .map_err(|f| via.named(f))?;
        stream = secured;
        laps.lap("TLS");
        verbose.tls(&details);
    }
    verbose.request(&handshake);
    *stage = Stage::Upgrade;
    let over_tls = url.scheme() == "wss";
    let (answer, leftover) = upgrade(&mut stream, &handshake)
        .await
        .map_err(|e| e.failure(over_tls.then_some(peer), &via))?;
    laps.lap("upgrade");
    verbose.response(&answer);
    if config.location && redirect::FOLLOWED.contains(&answer.status) {
        let status = format!("{} {}", answer.status, answer.text);
        let status = status.trim_end().to_string();
        return match answer.get("Location").filter(|l| !l.is_empty()) {
            Some(location) => Ok(Outcome::Redirect { status, location }),
            None => Err(Failure::Handshake(format!(
                "server answered {status} without a Location to follow"
            ))),
        };
    }
    let agreed = handshake
        .check(&answer)
        .map_err(|words| refused(words, &answer, &leftover, url, config.location))?;
    verbose.timings(&laps.stages);
    let (reader, writer) = stream.split();
    Ok(Outcome::Open(Connection {
        reader,
        writer,
        url: url.clone(),
        leftover,
        status: answer.status,
        subprotocol: agreed.subprotocol,
        deflate: agreed.deflate,
        elapsed: Duration::ZERO,
        role: crate::protocol::Role::Client,
        peer: None,
    }))
}

/// Where the connection time went, stage by stage, for -v.
pub struct Laps {
    stages: Vec<(String, Duration)>,
    mark: Instant,
}

impl Laps {
    fn new() -> Laps {
        Laps {
            stages: Vec::new(),
            mark: Instant::now(),
        }
    }

    /// The stage `name` ended now.
    pub fn lap(&mut self, name: &str) {
        self.stages.push((name.to_string(), self.mark.elapsed()));
        self.mark = Instant::now();
    }

    /// How many stages have ended.
    pub fn ended(&self) -> usize {
        self.stages.len()
    }

    /// Names the stages ended since `from` as a hop's: `TCP` becomes `proxy TCP`.
    pub fn prefix_since(&mut self, from: usize, hop: &str) {
        for (name, _) in self.stages.iter_mut().skip(from) {
            *name = format!("{hop} {name}");
        }
    }
}

/// What the upgrade request offers: the URL's target and host, our headers, subprotocols and
/// compression.
fn offer(config: &Config, hop: &Hop) -> Offer {
    let url = &hop.url;
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
        headers: hop
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.as_bytes().to_vec()))
            .collect(),
        subprotocols: config.subprotocols.clone(),
        deflate: config.deflate.clone(),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

    use super::*;

    #[test]
    fn the_stages_since_a_mark_are_named_as_the_hops() {
        let mut laps = Laps::new();
        laps.lap("DNS");
        laps.lap("TCP");
        let first = laps.ended();
        laps.lap("DNS");
        laps.lap("TCP");
        laps.prefix_since(first, "proxy");
        let names: Vec<&str> = laps.stages.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["DNS", "TCP", "proxy DNS", "proxy TCP"]);
    }

    /// A stream whose inner layer holds what is written until it is flushed, as TLS may.
    fn buffered() -> (Stream, tokio::io::DuplexStream) {
        let (near, far) = tokio::io::duplex(64);
        (Stream::Other(Box::new(BufWriter::new(near))), far)
    }

    #[tokio::test]
    async fn flushing_a_stream_flushes_the_layer_inside_it() {
        let (mut stream, mut far) = buffered();
        stream.write_all(b"hello").await.unwrap();
        stream.flush().await.unwrap();
        // Dropped, a BufWriter loses what it still holds.
        drop(stream);
        let mut got = Vec::new();
        far.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"hello");
    }

    #[tokio::test]
    async fn shutting_down_a_stream_shuts_down_the_layer_inside_it() {
        let (mut stream, mut far) = buffered();
        stream.write_all(b"bye").await.unwrap();
        stream.shutdown().await.unwrap();
        // The stream is still open here: only the shutdown can end what the far side reads.
        let mut got = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), far.read_to_end(&mut got))
            .await
            .expect("the far side saw the end")
            .unwrap();
        assert_eq!(got, b"bye");
    }
}
