//! Many WebSocket clients in one process: the benchmarks' (bench/run.py) audience for a server
//! that broadcasts, such as `wsc -l`.
//!
//!     many_clients URL N M [--idle SECONDS] [--linger SECONDS]
//!
//! Opens N connections to URL (ws:// only; at most 64 handshakes under way at a time) and says
//! `connected N in S s` on stdout once every one has upgraded. Then it counts the text and binary
//! messages each connection receives, and once every connection has M of them (or, after the
//! first message, none has come for --idle seconds, 5 by default) it says
//!
//!     done RECEIVED messages BYTES bytes, COMPLETE/N complete, first F last L cpu C
//!
//! F and L are the CLOCK_MONOTONIC times (seconds, the clock of Python's time.monotonic()) at
//! which the first and the last message arrived, so that a script can time a broadcast from the
//! moment it fed the server; C is this process's user + system CPU seconds so far. It then stays,
//! answering Closes, until the server has ended every connection (or --linger seconds, 10 by
//! default, have passed), and exits 0 when every connection got its M messages, 1 otherwise.
//!
//! It runs on one thread, so that on a small machine the server keeps the other cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Handshakes under way at once: well under the server's listen backlog.
const CONNECTING: usize = 64;

struct Options {
    url: String,
    connections: usize,
    messages: u64,
    idle: Duration,
    linger: Duration,
}

fn options() -> Result<Options, String> {
    let usage = "usage: many_clients URL N M [--idle SECONDS] [--linger SECONDS]";
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut idle = Duration::from_secs(5);
    let mut linger = Duration::from_secs(10);
    while let Some(arg) = args.next() {
        let mut seconds = || -> Result<Duration, String> {
            let value = args.next().ok_or(format!("{arg} needs a value"))?;
            let value: f64 = value.parse().map_err(|_| format!("bad {arg}"))?;
            Ok(Duration::from_secs_f64(value))
        };
        match arg.as_str() {
            "--idle" => idle = seconds()?,
            "--linger" => linger = seconds()?,
            _ => positional.push(arg),
        }
    }
    let [url, n, m] = <[String; 3]>::try_from(positional).map_err(|_| usage.to_string())?;
    Ok(Options {
        url,
        connections: n.parse().map_err(|_| format!("bad N: {usage}"))?,
        messages: m.parse().map_err(|_| format!("bad M: {usage}"))?,
        idle,
        linger,
    })
}

/// What every connection adds to.
#[derive(Default)]
struct Tally {
    received: AtomicU64,
    bytes: AtomicU64,
    /// CLOCK_MONOTONIC nanoseconds of the first and of the latest message (0: none yet).
    first: AtomicU64,
    last: AtomicU64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let code = match options() {
        Ok(o) => match run(o).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("many_clients: {e}");
                1
            }
        },
        Err(e) => {
            eprintln!("many_clients: {e}");
            2
        }
    };
    std::process::exit(code);
}

async fn run(o: Options) -> Result<i32, Box<dyn std::error::Error>> {
    let url = url::Url::parse(&o.url)?;
    let address = *url.socket_addrs(|| Some(80))?.first().ok_or("no address")?;
    // Small buffers: a thousand connections with tungstenite's 128 KiB each would cost more
    // than the server being measured.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let started = Instant::now();
    let connect = |_| {
        let url = o.url.clone();
        async move {
            let tcp = TcpStream::connect(address).await?;
            tcp.set_nodelay(true)?;
            let (ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(config))
                .await
                .map_err(|e| format!("upgrade: {e}"))?;
            Ok::<_, Box<dyn std::error::Error>>(ws)
        }
    };
    let mut opened = futures_util::stream::iter(0..o.connections)
        .map(connect)
        .buffer_unordered(CONNECTING);
    let mut sockets = Vec::with_capacity(o.connections);
    while let Some(ws) = opened.next().await {
        sockets.push(ws?);
    }
    println!(
        "connected {} in {:.3} s",
        sockets.len(),
        started.elapsed().as_secs_f64()
    );

    let tally = Arc::new(Tally::default());
    let (complete_tx, mut complete) = mpsc::unbounded_channel();
    let (ended_tx, mut ended) = mpsc::unbounded_channel();
    let wanted = o.messages;
    for ws in sockets {
        let tally = Arc::clone(&tally);
        let complete = complete_tx.clone();
        let ended = ended_tx.clone();
        tokio::spawn(async move {
            read(ws, wanted, &tally, &complete).await;
            let _ = ended.send(());
        });
    }
    drop((complete_tx, ended_tx));

    let mut completed = 0;
    let mut gone = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    while completed < o.connections && gone < o.connections {
        tokio::select! {
            Some(()) = complete.recv() => completed += 1,
            Some(()) = ended.recv() => gone += 1,
            _ = tick.tick() => {
                let last = tally.last.load(Ordering::Relaxed);
                if last != 0 && now_ns().saturating_sub(last) > o.idle.as_nanos() as u64 {
                    break;
                }
            }
        }
    }
    println!(
        "done {} messages {} bytes, {completed}/{} complete, first {:.6} last {:.6} cpu {:.3}",
        tally.received.load(Ordering::Relaxed),
        tally.bytes.load(Ordering::Relaxed),
        o.connections,
        tally.first.load(Ordering::Relaxed) as f64 / 1e9,
        tally.last.load(Ordering::Relaxed) as f64 / 1e9,
        cpu_seconds(),
    );

    // Stay for the server's Closes (tungstenite answers them while the tasks read).
    let until = tokio::time::Instant::now() + o.linger;
    while gone < o.connections {
        tokio::select! {
            Some(()) = ended.recv() => gone += 1,
            () = tokio::time::sleep_until(until) => break,
        }
    }
    Ok(if completed == o.connections { 0 } else { 1 })
}

/// Counts one connection's messages until it ends; says so once it has `wanted`.
async fn read(
    mut ws: WebSocketStream<TcpStream>,
    wanted: u64,
    tally: &Tally,
    complete: &mpsc::UnboundedSender<()>,
) {
    let mut got = 0u64;
    while let Some(Ok(message)) = ws.next().await {
        let size = match &message {
            Message::Text(text) => text.len(),
            Message::Binary(data) => data.len(),
            _ => continue,
        };
        let now = now_ns();
        let _ = tally
            .first
            .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
        tally.last.store(now, Ordering::Relaxed);
        tally.received.fetch_add(1, Ordering::Relaxed);
        tally.bytes.fetch_add(size as u64, Ordering::Relaxed);
        got += 1;
        if got == wanted {
            let _ = complete.send(());
        }
    }
}

fn now_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes a timespec we own; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills a struct we own; all-zero is a valid rusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
