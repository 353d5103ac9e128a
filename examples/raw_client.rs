//! Plain TCP, no WebSocket: the benchmarks' (bench/run.py) floor for moving the same bytes.
//!
//!     raw_client HOST:PORT        (a ws://HOST:PORT/... URL is taken too)
//!
//! Copies stdin to the socket, then shuts down its sending side, while it copies the socket to
//! stdout until the server ends the connection. Against `examples/server ADDR raw ...` this is
//! the same payload bytes as the WebSocket cases, with no framing, masking or parsing.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;

const BUFFER: usize = 256 * 1024;

fn main() {
    if let Err(e) = run() {
        eprintln!("raw_client: {e}");
        std::process::exit(1);
    }
}

fn run() -> io::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let address = arg.strip_prefix("ws://").unwrap_or(&arg);
    let address = address.split('/').next().unwrap_or_default();
    let socket = TcpStream::connect(address)?;
    socket.set_nodelay(true)?;

    let mut to_server = socket.try_clone()?;
    let sender = std::thread::spawn(move || -> io::Result<()> {
        copy(&mut io::stdin().lock(), &mut to_server)?;
        to_server.shutdown(Shutdown::Write)
    });
    // The fd itself (std's Stdout would add a line buffer).
    let mut out = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    copy(&mut &socket, &mut out)?;
    sender.join().expect("the stdin thread panicked")
}

/// A plain read/write loop (io::copy could splice, which no WebSocket client can do).
fn copy(from: &mut impl Read, to: &mut impl Write) -> io::Result<()> {
    let mut buffer = vec![0u8; BUFFER];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buffer[..n])?;
    }
}
