//! `-l`: wsc as the server. Binds, says where (scripts read the port from that line), then
//! either serves many clients at once, each with an id (hub.rs), or with --one hands the first
//! client that upgrades over as a `Connection` for the usual session, as wscat -l does. Every
//! client's handshake runs on the protocol core's server role; this module only moves bytes.

mod clients;
mod hub;
mod policy;
mod upgrade;

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use crate::config::Config;
use crate::connect::Connection;
use crate::error::{Failure, io_words};
use crate::output::to_stderr;
pub use hub::serve;
use upgrade::upgrade;

/// How long a client may take to send its upgrade request before the next one is awaited.
const REQUEST_TIME: Duration = Duration::from_secs(10);

/// A bound port, announced.
pub struct Listener {
    tcp: TcpListener,
    /// `ws://127.0.0.1:PORT` (wss:// with --cert), with no path.
    origin: String,
    /// --cert and --key: TLS for every client.
    acceptor: Option<crate::tls::server::Acceptor>,
}

/// Binds -l's address and prints the listening line (then the warnings): the first line, so
/// that a script can read the port there.
pub async fn bind(config: &Config) -> Result<Listener, Failure> {
    let Some(addr) = config.listen else {
        return Err(Failure::Usage("no address to listen on".into()));
    };
    // Before binding: a bad --cert or --key stops wsc while nothing listens.
    let acceptor = crate::tls::server::acceptor(config)?;
    let scheme = if acceptor.is_some() { "wss" } else { "ws" };
    let cannot =
        |e: std::io::Error| Failure::Listen(format!("cannot listen on {addr}: {}", io_words(&e)));
    let tcp = TcpListener::bind(addr).await.map_err(cannot)?;
    let bound = tcp.local_addr().map_err(cannot)?;
    let origin = format!("{scheme}://{bound}");
    announce(config, &format!("{origin}/"))?;
    crate::output::warn(config);
    Ok(Listener {
        tcp,
        origin,
        acceptor,
    })
}

impl Listener {
    /// The next TCP connection; a failed accept (a client gone before it was accepted, a full
    /// descriptor table) is told about and the wait goes on.
    async fn next(&self, config: &Config) -> (tokio::net::TcpStream, SocketAddr) {
        loop {
            match self.tcp.accept().await {
                Ok(accepted) => return accepted,
                Err(e) => to_stderr(
                    &format!("! accept failed: {}", io_words(&e)),
                    config.stderr_is_terminal,
                ),
            }
        }
    }

    /// The URL a client asked for: where we listen, with its path.
    fn url_of(&self, connection: &Connection) -> url::Url {
        format!("{}{}", self.origin, connection.url.path())
            .parse()
            .unwrap_or_else(|_| connection.url.clone())
    }
}

/// --one: waits for the first client whose upgrade is good (bad ones are answered and told
/// about, and the wait goes on), then closes the port.
pub async fn accept_one(config: &Config, listener: Listener) -> Result<Connection, Failure> {
    let say = |line: String| to_stderr(&line, config.stderr_is_terminal);
    loop {
        let (tcp, peer) = listener.next(config).await;
        let started = Instant::now();
        match upgrade(config, listener.acceptor.as_ref(), tcp, peer, false, &say).await {
            Ok(Some(mut connection)) => {
                connection.url = listener.url_of(&connection);
                connection.elapsed = started.elapsed();
                return Ok(connection);
            }
            Ok(None) => {}
            Err(words) => say(format!("* {peer}: {words}")),
        }
    }
}

/// The listening line on stderr, always, and with --jsonl its object first on stdout.
fn announce(config: &Config, url: &str) -> Result<(), Failure> {
    to_stderr(&format!("* listening on {url}"), config.stderr_is_terminal);
    if config.output == crate::config::OutputFormat::Jsonl {
        let line = serde_json::json!({"type": "listening", "url": url});
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::Runtime(format!("cannot write to stdout: {}", io_words(&e))))?;
    }
    Ok(())
}
