//! The way to the server: the stream the upgrade (and TLS, for wss://) runs over. The routes,
//! in the order they are chosen: a unix socket (never a proxy, never a name), then a proxy's
//! tunnel, then a direct TCP connection.

use url::Url;

use super::{Laps, Stage, Stream, dial, proxy, unix};
use crate::config::Config;
use crate::error::Failure;
use crate::verbose::Verbose;

/// Which way the stream goes, for the failures further on that may be the way's doing rather
/// than the server's: a tunnel that dies right after the proxy's 200 looks like a server that
/// hung up.
pub struct Via(Option<String>);

impl Via {
    /// `failure`, naming the proxy the stream goes through, if any: `… (through proxy
    /// http://127.0.0.1:3128)`.
    pub fn named(&self, failure: Failure) -> Failure {
        match &self.0 {
            Some(route) => failure.context(route),
            None => failure,
        }
    }
}

/// Opens the route to `host`:`port`, the host and port of `url` (this hop's: -L may change it).
pub async fn open(
    config: &Config,
    url: &Url,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<(Stream, Via), Failure> {
    // 1. A unix socket: the URL only names the Host header, the path and TLS.
    if let Some(socket) = &config.unix_socket {
        let stream = unix::connect(socket, stage, laps, verbose).await?;
        return Ok((stream, Via(None)));
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
    if let Some((tunnel, proxy)) = tunnel.await? {
        return Ok((tunnel, Via(Some(proxy.route()))));
    }
    // 3. Direct.
    let names = &config.names;
    let stream = dial::tcp(&target_host, target_port, names, stage, laps, verbose).await?;
    Ok((stream, Via(None)))
}
