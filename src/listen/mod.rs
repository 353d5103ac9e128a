//! `-l`: wsc as the server. Binds, says where (scripts read the port from that line), accepts
//! clients until one upgrades, on the protocol core's server role, and hands that one over as a
//! `Connection` for the usual session. This slice serves one client, as wscat -l: the listener
//! is closed once it is connected. The core decides every rule; this module only moves bytes.

mod policy;
mod upgrade;

use std::io::Write;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use crate::config::Config;
use crate::connect::Connection;
use crate::error::{Failure, io_words};
use crate::output::to_stderr;
use upgrade::upgrade;

/// How long a client may take to send its upgrade request before the next one is awaited.
const REQUEST_TIME: Duration = Duration::from_secs(10);

/// Listens, then waits for the first client whose upgrade is good; bad ones are answered and
/// told about, and the wait goes on.
pub async fn accept_one(config: &Config) -> Result<Connection, Failure> {
    let Some(addr) = config.listen else {
        return Err(Failure::Usage("no address to listen on".into()));
    };
    // Before binding: a bad --cert or --key stops wsc while nothing listens.
    let acceptor = crate::tls::server::acceptor(config)?;
    let scheme = if acceptor.is_some() { "wss" } else { "ws" };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Listen(format!("cannot listen on {addr}: {}", io_words(&e))))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::Listen(format!("cannot listen on {addr}: {}", io_words(&e))))?;
    let url = format!("{scheme}://{bound}/");
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
        match upgrade(config, acceptor.as_ref(), tcp, peer).await {
            Ok(Some(mut connection)) => {
                connection.url = format!("{scheme}://{bound}{}", connection.url.path())
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

pub(super) fn terminal(config: &Config) -> bool {
    config.stderr_is_terminal
}
