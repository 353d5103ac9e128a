//! The TCP hop: a host's addresses (given by --resolve or looked up, and kept to -4/-6), then
//! one connection raced over them as RFC 8305 (Happy Eyeballs) has it, so that a dead address
//! costs a quarter of a second, not the connect timeout.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::net::{TcpStream, lookup_host};

use super::names::{Family, Names};
use super::{Laps, Stage, Stream};
use crate::error::{Failure, io_words};
use crate::verbose::Verbose;

/// How long an attempt has before the next address is tried beside it (RFC 8305's
/// recommended "Connection Attempt Delay").
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Connects to `host` at `port`; TCP_NODELAY, as every message is written when it is ready.
pub async fn tcp(
    host: &str,
    port: u16,
    names: &Names,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<Stream, Failure> {
    *stage = Stage::Dns;
    let addresses = addresses(host, port, names, verbose).await?;
    laps.lap("DNS");

    *stage = Stage::Tcp;
    let ordered = interleave(addresses);
    let listed: Vec<String> = ordered.iter().map(SocketAddr::to_string).collect();
    verbose.note(&format!("trying {}", listed.join(", ")));
    let started = Instant::now();
    let (tcp, address) = race(&ordered, ATTEMPT_DELAY).await.map_err(|errors| {
        let why = match &errors[..] {
            [(_, error)] => io_words(error),
            errors => {
                let each: Vec<String> = errors
                    .iter()
                    .map(|(address, error)| format!("{address} {}", io_words(error)))
                    .collect();
                each.join("; ")
            }
        };
        Failure::Connect(format!("cannot connect to {host} port {port}: {why}"))
    })?;
    verbose.note(&format!(
        "TCP connected to {address} ({}) after {:.1} ms",
        Family::of(&address).name(),
        started.elapsed().as_secs_f64() * 1e3
    ));
    tcp.set_nodelay(true)
        .map_err(|e| Failure::Connect(format!("cannot set TCP_NODELAY: {}", io_words(&e))))?;
    laps.lap("TCP");
    Ok(Stream::Tcp(tcp))
}

/// The addresses to try: --resolve's, else the resolver's; either kept to -4/-6. socks5://
/// resolves the server's name with it too.
pub(super) async fn addresses(
    host: &str,
    port: u16,
    names: &Names,
    verbose: &Verbose,
) -> Result<Vec<SocketAddr>, Failure> {
    if let Some(given) = names.resolved(host, port) {
        let listed: Vec<String> = given.iter().map(ToString::to_string).collect();
        verbose.note(&format!(
            "--resolve: {}:{port} is {}",
            super::names::bracketed(host),
            listed.join(", ")
        ));
        // As in curl (hostip.c, connect.c): -4/-6 apply to --resolve's addresses too. An entry
        // without the family fails here, as in curl 8.20+, rather than looking the name up as
        // 7.88 to 8.19 did: a staging override must not quietly reach the real host.
        let given = given.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
        return keep_family(host, given, names.family);
    }
    let found: Vec<SocketAddr> = lookup_host((host, port))
        .await
        .map_err(|e| Failure::Connect(format!("cannot resolve host '{host}': {}", io_words(&e))))?
        .collect();
    if found.is_empty() {
        return Err(Failure::Connect(format!(
            "cannot resolve host '{host}': no address found"
        )));
    }
    keep_family(host, found, names.family)
}

/// The addresses of the family -4/-6 asks for, in their order (all without either); none left
/// is status 3.
fn keep_family(
    host: &str,
    found: Vec<SocketAddr>,
    family: Option<Family>,
) -> Result<Vec<SocketAddr>, Failure> {
    let Some(family) = family else {
        return Ok(found);
    };
    let kept: Vec<SocketAddr> = found
        .into_iter()
        .filter(|address| Family::of(address) == family)
        .collect();
    if kept.is_empty() {
        return Err(Failure::Connect(format!(
            "{host} has no {} address ({})",
            family.name(),
            family.flag()
        )));
    }
    Ok(kept)
}

/// The order RFC 8305 tries addresses in: IPv6 first when there is one, then the families in
/// turn, each in the resolver's order (which already follows RFC 6724).
pub fn interleave(addresses: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let (mut first, mut second): (Vec<_>, Vec<_>) =
        addresses.into_iter().partition(SocketAddr::is_ipv6);
    if first.is_empty() {
        std::mem::swap(&mut first, &mut second);
    }
    let mut ordered = Vec::with_capacity(first.len() + second.len());
    let (mut first, mut second) = (first.into_iter(), second.into_iter());
    loop {
        match (first.next(), second.next()) {
            (None, None) => return ordered,
            (a, b) => ordered.extend(a.into_iter().chain(b)),
        }
    }
}

/// Connects to `addresses` in order, starting the next attempt after `delay`, or at once when
/// one fails; the first to connect wins and the others are dropped (closing their sockets).
/// Without a winner, every address's error, in the order tried.
pub async fn race(
    addresses: &[SocketAddr],
    delay: Duration,
) -> Result<(TcpStream, SocketAddr), Vec<(SocketAddr, io::Error)>> {
    let attempt = |address: SocketAddr| async move { (address, TcpStream::connect(address).await) };
    let mut waiting = addresses.iter().copied();
    let mut attempts = FuturesUnordered::new();
    let mut errors = Vec::new();
    match waiting.next() {
        Some(first) => attempts.push(attempt(first)),
        None => return Err(errors),
    }
    let timer = tokio::time::sleep(delay);
    tokio::pin!(timer);
    loop {
        tokio::select! {
            Some((address, result)) = attempts.next() => match result {
                Ok(stream) => return Ok((stream, address)),
                Err(error) => {
                    errors.push((address, error));
                    if attempts.is_empty() && waiting.len() == 0 {
                        break;
                    }
                    // RFC 8305 §5: a failure need not wait for the delay.
                }
            },
            () = &mut timer, if waiting.len() > 0 => {}
        }
        if let Some(next) = waiting.next() {
            attempts.push(attempt(next));
            timer.as_mut().reset(tokio::time::Instant::now() + delay);
        }
    }
    errors.sort_by_key(|(address, _)| addresses.iter().position(|a| a == address));
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn ipv6_goes_first_and_the_families_take_turns_each_in_its_own_order() {
        let table: [(&[&str], &[&str]); 5] = [
            (
                &["127.0.0.1:1", "127.0.0.2:1", "[::1]:1", "[::2]:1"],
                &["[::1]:1", "127.0.0.1:1", "[::2]:1", "127.0.0.2:1"],
            ),
            (
                &["127.0.0.1:1", "[::1]:1", "127.0.0.2:1", "127.0.0.3:1"],
                &["[::1]:1", "127.0.0.1:1", "127.0.0.2:1", "127.0.0.3:1"],
            ),
            (
                &["127.0.0.1:1", "127.0.0.2:1"],
                &["127.0.0.1:1", "127.0.0.2:1"],
            ),
            (&["[::2]:1", "[::1]:1"], &["[::2]:1", "[::1]:1"]),
            (&[], &[]),
        ];
        for (given, tried) in table {
            assert_eq!(interleave(addresses(given)), addresses(tried), "{given:?}");
        }
    }

    #[test]
    fn minus_4_and_minus_6_keep_their_family_in_the_resolvers_order() {
        let found = || addresses(&["[::1]:1", "127.0.0.1:1", "[::2]:1", "127.0.0.2:1"]);
        let kept = |family| keep_family("h", found(), family);
        assert_eq!(kept(None), Ok(found()));
        assert_eq!(
            kept(Some(Family::V4)),
            Ok(addresses(&["127.0.0.1:1", "127.0.0.2:1"]))
        );
        assert_eq!(
            kept(Some(Family::V6)),
            Ok(addresses(&["[::1]:1", "[::2]:1"]))
        );
        assert_eq!(
            keep_family("h", addresses(&["127.0.0.1:1"]), Some(Family::V6)),
            Err(Failure::Connect("h has no IPv6 address (-6)".into()))
        );
    }

    /// What `addresses` gives for h:1 with this --resolve entry and -4/-6; h does not exist,
    /// so an answer means no lookup happened.
    async fn given(entry: &str, ipv4: bool, ipv6: bool) -> Result<Vec<SocketAddr>, Failure> {
        let names = Names::from_flags(&[entry.to_string()], &[], ipv4, ipv6).unwrap();
        super::addresses("h", 1, &names, &Verbose::new(0, false, false)).await
    }

    #[tokio::test]
    async fn resolve_addresses_are_kept_to_minus_4_and_minus_6_and_none_left_is_status_3() {
        let mixed = "h:1:[::1],127.0.0.1,::2,127.0.0.2";
        assert_eq!(
            given(mixed, true, false).await,
            Ok(addresses(&["127.0.0.1:1", "127.0.0.2:1"]))
        );
        assert_eq!(
            given(mixed, false, true).await,
            Ok(addresses(&["[::1]:1", "[::2]:1"]))
        );
        assert_eq!(
            given(mixed, false, false).await,
            Ok(addresses(&[
                "[::1]:1",
                "127.0.0.1:1",
                "[::2]:1",
                "127.0.0.2:1"
            ]))
        );
        // None of the family: DNS's error, and no lookup (curl 8.20+).
        assert_eq!(
            given("h:1:127.0.0.1", false, true).await,
            Err(Failure::Connect("h has no IPv6 address (-6)".into()))
        );
        assert_eq!(
            given("h:1:[::1]", true, false).await,
            Err(Failure::Connect("h has no IPv4 address (-4)".into()))
        );
    }

    #[tokio::test]
    async fn a_failure_starts_the_next_attempt_at_once_and_every_error_is_kept_in_order() {
        // Bound but not listening: a connection is refused at once, and the port stays ours.
        let closed = || {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            socket
        };
        let (a, b) = (closed(), closed());
        let tried = [a.local_addr().unwrap(), b.local_addr().unwrap()];
        // With an hour's delay, only starting at once after a failure ends this in time.
        let raced = race(&tried, Duration::from_secs(3600));
        let errors = tokio::time::timeout(Duration::from_secs(30), raced)
            .await
            .expect("the second attempt started when the first failed")
            .unwrap_err();
        let failed: Vec<SocketAddr> = errors.iter().map(|(address, _)| *address).collect();
        assert_eq!(failed, tried);
        assert!(
            errors
                .iter()
                .all(|(_, e)| e.kind() == io::ErrorKind::ConnectionRefused)
        );
    }

    #[tokio::test]
    async fn the_attempt_after_one_started_early_still_waits_the_delay() {
        let socket = || {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            socket
        };
        // Refused at once: bound but not listening. The next attempt starts at once.
        let refused = socket();
        // Never answered: a listener whose accept queue (of one) is full drops the SYN.
        let full = socket().listen(0).unwrap();
        let _queued = TcpStream::connect(full.local_addr().unwrap())
            .await
            .unwrap();
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tried = [
            refused.local_addr().unwrap(),
            full.local_addr().unwrap(),
            open.local_addr().unwrap(),
        ];
        let delay = Duration::from_secs(1);
        let started = Instant::now();
        let raced = tokio::time::timeout(Duration::from_secs(30), race(&tried, delay));
        let (_, winner) = raced.await.expect("the race ended").unwrap();
        assert_eq!(winner, tried[2]);
        let waited = started.elapsed();
        assert!(
            waited >= delay,
            "the third attempt started after {waited:?}"
        );
    }
}
