//! SOCKS5 (RFC 1928; user and password by RFC 1929) through tokio-socks, over the stream to the
//! proxy that wsc dialled and timed itself. socks5:// resolves the server's name here and sends
//! an address; socks5h:// sends the name for the proxy to resolve.

use std::io::ErrorKind;

use tokio_socks::tcp::Socks5Stream;
use tokio_socks::{Error, IntoTargetAddr, TargetAddr};

use super::super::names::{Names, bracketed};
use super::super::{Laps, Stage, Stream, dial};
use super::{Kind, Proxy};
use crate::error::{Failure, io_words};
use crate::verbose::Verbose;

/// What the proxy is asked to connect to: the name for socks5h://; for socks5:// the first
/// address the name has, looked up as the direct route looks it up (--resolve, -4/-6), as curl
/// does.
pub async fn target(
    proxy: &Proxy,
    host: &str,
    port: u16,
    names: &Names,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<TargetAddr<'static>, Failure> {
    let target = match proxy.kind {
        Kind::Socks5h => (host.to_string(), port)
            .into_target_addr()
            .map_err(|e| failed(proxy, &e))?,
        _ => {
            *stage = Stage::Dns;
            let found = dial::addresses(host, port, names, verbose).await?;
            let address = found.first().copied().ok_or_else(|| {
                Failure::Connect(format!("cannot resolve host '{host}': no address found"))
            })?;
            laps.lap("DNS");
            TargetAddr::Ip(address)
        }
    };
    let asked = match &target {
        TargetAddr::Ip(address) => address.to_string(),
        TargetAddr::Domain(name, port) => format!("{}:{port}", bracketed(name)),
    };
    verbose.note(&format!("SOCKS5: asking the proxy for {asked}"));
    Ok(target)
}

/// Asks the SOCKS5 proxy on `stream` to connect to `target`; the stream is then the tunnel
/// (plain TCP stays TCP).
pub async fn tunnel(
    stream: Stream,
    proxy: &Proxy,
    target: TargetAddr<'static>,
    stage: &mut Stage,
    laps: &mut Laps,
) -> Result<Stream, Failure> {
    *stage = Stage::Socks(proxy.source);
    let connected = match &proxy.credentials {
        Some((user, pass)) => {
            Socks5Stream::connect_with_password_and_socket(stream, target, user, pass).await
        }
        None => Socks5Stream::connect_with_socket(stream, target).await,
    };
    let connected = connected.map_err(|e| failed(proxy, &e))?;
    laps.lap("SOCKS5");
    Ok(connected.into_inner())
}

/// A SOCKS5 failure, naming the proxy.
fn failed(proxy: &Proxy, e: &Error) -> Failure {
    Failure::Connect(format!(
        "SOCKS5 proxy {}: {}",
        proxy.named_for_errors(),
        words(e, proxy)
    ))
}

/// A SOCKS5 failure in words: the proxy's reply about the server, or what went wrong with the
/// proxy itself.
fn words(e: &Error, proxy: &Proxy) -> String {
    let no_credentials = proxy.credentials.is_none();
    match e {
        Error::GeneralSocksServerFailure => "general SOCKS server failure".into(),
        Error::ConnectionNotAllowedByRuleset => "connection not allowed by ruleset".into(),
        Error::NetworkUnreachable => "network unreachable".into(),
        Error::HostUnreachable => "host unreachable".into(),
        Error::ConnectionRefused => "connection refused".into(),
        Error::TtlExpired => "TTL expired".into(),
        Error::CommandNotSupported => "command not supported".into(),
        Error::AddressTypeNotSupported if proxy.kind == Kind::Socks5h => {
            "address type not supported: it cannot resolve names (socks5:// resolves them here)"
                .into()
        }
        Error::AddressTypeNotSupported => "address type not supported".into(),
        Error::NoAcceptableAuthMethods if no_credentials => {
            "accepts none of our authentication methods (give credentials with --proxy-user or \
             in the proxy URL)"
                .into()
        }
        Error::NoAcceptableAuthMethods => "accepts none of our authentication methods".into(),
        Error::AuthorizationRequired => "requires a user name and password (give them with \
                                         --proxy-user or in the proxy URL)"
            .into(),
        Error::PasswordAuthFailure(_) => "rejected the user name and password".into(),
        Error::InvalidResponseVersion | Error::InvalidReservedByte | Error::UnknownAddressType => {
            "answered with something that is not SOCKS5".into()
        }
        // tokio-socks also gives this for reply codes it does not know.
        Error::UnknownAuthMethod => "answered with an unknown reply".into(),
        Error::InvalidTargetAddress(why) => format!("cannot ask for the server: {why}"),
        Error::Io(e) if e.kind() == ErrorKind::UnexpectedEof => {
            "closed the connection during the handshake".into()
        }
        Error::Io(e) => io_words(e),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TlsSettings;
    use crate::connect::proxy::env::Source;

    fn proxy(url: &str) -> Proxy {
        Proxy::parse(url, Source::Flag, None, TlsSettings::default()).unwrap()
    }

    #[test]
    fn only_a_socks5h_proxy_is_told_it_cannot_resolve_names() {
        let refused = Error::AddressTypeNotSupported;
        assert_eq!(
            words(&refused, &proxy("socks5h://p:1")),
            "address type not supported: it cannot resolve names (socks5:// resolves them here)"
        );
        // socks5:// sent an address: the hint would be wrong.
        assert_eq!(
            words(&refused, &proxy("socks5://p:1")),
            "address type not supported"
        );
    }

    #[test]
    fn the_hint_to_give_credentials_is_for_a_user_who_gave_none() {
        let refused = Error::NoAcceptableAuthMethods;
        assert_eq!(
            words(&refused, &proxy("socks5://p:1")),
            "accepts none of our authentication methods (give credentials with --proxy-user or \
             in the proxy URL)"
        );
        assert_eq!(
            words(&refused, &proxy("socks5://u:pw@p:1")),
            "accepts none of our authentication methods"
        );
    }

    #[test]
    fn a_proxy_closing_in_the_handshake_is_told_so_and_other_io_errors_as_they_are() {
        let io = |kind| Error::Io(std::io::Error::from(kind));
        let socks = proxy("socks5://p:1");
        assert_eq!(
            words(&io(ErrorKind::UnexpectedEof), &socks),
            "closed the connection during the handshake"
        );
        assert_eq!(
            words(&io(ErrorKind::ConnectionReset), &socks),
            "connection reset by peer"
        );
    }
}
