//! The route's first hop: the host's addresses, then a TCP connection to one of them.

use tokio::net::{TcpStream, lookup_host};

use super::{Laps, Stage, Stream};
use crate::error::{Failure, io_words};

/// Resolves `host` and connects to its addresses in turn; TCP_NODELAY, as every message is
/// written when it is ready.
pub async fn tcp(
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
) -> Result<Stream, Failure> {
    *stage = Stage::Dns;
    let addresses: Vec<_> = lookup_host((host, port))
        .await
        .map_err(|e| Failure::Connect(format!("cannot resolve host '{host}': {}", io_words(&e))))?
        .collect();
    laps.lap("DNS");

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
    laps.lap("TCP");
    Ok(Stream::Tcp(tcp))
}
