//! The way to the server: the stream the upgrade (and TLS, for wss://) runs over: a proxy's
//! tunnel when one applies, otherwise a direct TCP connection.

use super::{Laps, Stage, Stream, dial, proxy};
use crate::config::Config;
use crate::error::Failure;

/// Opens the route to `host`:`port` (the URL's).
pub async fn open(
    config: &Config,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
) -> Result<Stream, Failure> {
    // A proxy's tunnel (after any unix socket: proxies never apply to sockets).
    if let Some(tunnel) = proxy::open(config, host, port, stage, laps).await? {
        return Ok(tunnel);
    }
    dial::tcp(host, port, stage, laps).await
}
