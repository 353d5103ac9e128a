//! The way to the server: the stream the upgrade (and TLS, for wss://) runs over: a proxy's
//! tunnel when one applies, otherwise a direct TCP connection.

use url::Url;

use super::{Laps, Stage, Stream, dial, proxy};
use crate::config::Config;
use crate::error::Failure;

/// Opens the route to `host`:`port`, the host and port of `url` (this hop's: -L may change it).
pub async fn open(
    config: &Config,
    url: &Url,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
) -> Result<Stream, Failure> {
    // A proxy's tunnel (after any unix socket: proxies never apply to sockets).
    if let Some(tunnel) = proxy::open(config, url, host, port, stage, laps).await? {
        return Ok(tunnel);
    }
    dial::tcp(host, port, stage, laps).await
}
