//! The way to the server: the stream the upgrade (and TLS, for wss://) runs over. Today a direct
//! TCP connection; this is where other routes (a proxy's tunnel, a unix socket) are chosen.

use super::{Laps, Stage, Stream, dial};
use crate::config::Config;
use crate::error::Failure;

/// Opens the route to `host`:`port` (the URL's).
pub async fn open(
    _config: &Config,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
) -> Result<Stream, Failure> {
    dial::tcp(host, port, stage, laps).await
}
