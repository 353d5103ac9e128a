//! The way to the server: the stream the upgrade (and TLS, for wss://) runs over. The routes,
//! in the order they are chosen: a unix socket (never a proxy, never a name), then a proxy's
//! tunnel, then a direct TCP connection.

use url::Url;

use super::{Laps, Stage, Stream, dial, proxy, unix};
use crate::config::Config;
use crate::error::Failure;
use crate::verbose::Verbose;

/// Opens the route to `host`:`port`, the host and port of `url` (this hop's: -L may change it).
pub async fn open(
    config: &Config,
    url: &Url,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<Stream, Failure> {
    // 1. A unix socket: the URL only names the Host header, the path and TLS.
    if let Some(socket) = &config.unix_socket {
        return unix::connect(socket, stage, laps, verbose).await;
    }
    // --connect-to changes where the connection goes (directly or through a proxy's tunnel),
    // never the name TLS verifies or the Host header.
    let (target_host, target_port) = match config.names.redirected(host, port) {
        Some(redirected) => {
            verbose.note(&format!(
                "--connect-to {}: {}:{port} reached at {}:{}",
                redirected.rule,
                super::names::bracketed(host),
                super::names::bracketed(&redirected.host),
                redirected.port
            ));
            (redirected.host, redirected.port)
        }
        None => (host.to_string(), port),
    };
    // 2. A proxy, when one applies to the URL, tunnels to target_host:target_port.
    let tunnel = proxy::open(config, url, &target_host, target_port, stage, laps, verbose);
    if let Some(tunnel) = tunnel.await? {
        return Ok(tunnel);
    }
    // 3. Direct.
    dial::tcp(
        &target_host,
        target_port,
        &config.names,
        stage,
        laps,
        verbose,
    )
    .await
}
