//! TLS as the server (`-l` with --cert and --key): the acceptor, built once before the port is
//! bound so that a bad file stops wsc before anything listens (status 4), and one client's
//! handshake, a failure told in words for the listener's `* PEER: …` line.

use std::pin::Pin;

use openssl::error::ErrorStack;
use openssl::ssl::{AlpnError, Ssl, SslAcceptor, SslMethod, SslVersion, select_next_proto};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

use super::words::{hung_up, reason, stack_reason};
use crate::config::{Config, TlsVersion};
use crate::connect::Stream;
use crate::error::Failure;

/// The answer to a client that spoke plain HTTP to the TLS port (a ws:// URL for a wss://
/// listener), in plain HTTP as web servers give it, so the client can say what went wrong.
const PLAIN_HTTP_ANSWER: &[u8] = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\
Content-Type: text/plain\r\nContent-Length: 40\r\n\r\nthis port speaks TLS: connect to wss://\n";

/// At most this much of a plain-HTTP client's request is read (and dropped) before the answer.
const PLAIN_HTTP_DRAIN: usize = 16 * 1024;

/// TLS settings for serving wss://: the certificate chain and key, the versions accepted.
#[derive(Clone)]
pub struct Acceptor {
    ssl: SslAcceptor,
    min: TlsVersion,
}

/// The acceptor for `-l` with --cert and --key (None without them, or without -l). The files
/// are read and checked here, each failure one line with status 4: unreadable, not PEM, a key
/// that is not PKCS#8, a key that does not match the certificate.
pub fn acceptor(config: &Config) -> Result<Option<Acceptor>, Failure> {
    let (Some(_), Some((cert, key))) = (config.listen, &config.tls.identity) else {
        return Ok(None);
    };
    let (chain, private) = super::identity(cert, key, "server")?;
    let setup = |e: ErrorStack| Failure::Tls(format!("cannot set up TLS: {}", stack_reason(&e)));
    // A certificate OpenSSL will not serve (a key too small, a weak signature) is the file's
    // fault, not the setup's: say which file.
    let unusable = |e: ErrorStack| {
        Failure::Tls(format!(
            "cannot use certificate file '{}': {}",
            cert.display(),
            stack_reason(&e)
        ))
    };
    // Mozilla's "intermediate" profile: TLS 1.2 and 1.3, ciphers every current client has.
    let mut builder =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).map_err(setup)?;
    if config.tls.min_version == TlsVersion::V1_3 {
        builder
            .set_min_proto_version(Some(SslVersion::TLS1_3))
            .map_err(setup)?;
    }
    let mut chain = chain.into_iter();
    if let Some(leaf) = chain.next() {
        builder.set_certificate(&leaf).map_err(unusable)?;
    }
    builder.set_private_key(&private).map_err(unusable)?;
    for extra in chain {
        builder.add_extra_chain_cert(extra).map_err(unusable)?;
    }
    // identity() compared the public keys; OpenSSL's own check covers what that could not read.
    builder.check_private_key().map_err(|e| {
        Failure::Tls(format!(
            "server key '{}' does not match certificate '{}': {}",
            key.display(),
            cert.display(),
            stack_reason(&e)
        ))
    })?;
    // A WebSocket upgrade is HTTP/1.1: agreed when offered (browsers offer it), else no ALPN.
    builder.set_alpn_select_callback(|_, offered| {
        select_next_proto(super::ALPN, offered).ok_or(AlpnError::NOACK)
    });
    Ok(Some(Acceptor {
        ssl: builder.build(),
        min: config.tls.min_version,
    }))
}

/// One client's TLS handshake over its connection: the secured stream and, for -v, the session
/// in words (`TLS 1.3, cipher …, ALPN http/1.1`); or the failure in words, `TLS handshake
/// failed: …`. A client that spoke plain HTTP is answered 400 before it is dropped.
pub async fn accept(acceptor: &Acceptor, tcp: TcpStream) -> Result<(Stream, String), String> {
    let failed = |words: String| format!("TLS handshake failed: {words}");
    let ssl = Ssl::new(acceptor.ssl.context()).map_err(|e| failed(stack_reason(&e)))?;
    let mut secured = SslStream::new(ssl, tcp).map_err(|e| failed(stack_reason(&e)))?;
    if let Err(e) = Pin::new(&mut secured).accept().await {
        let reason = reason(&e);
        if reason == "http request" {
            answer_plain_http(secured.get_mut()).await;
        }
        return Err(failed(words(&reason, hung_up(&e), acceptor.min)));
    }
    let session = super::details::session(secured.ssl());
    Ok((Stream::Other(Box::new(secured)), session))
}

/// Answers a plain-HTTP client 400. What it sent is read first (as much as is there): a socket
/// closed with unread bytes is reset, and the reset can destroy the answer before it is read.
async fn answer_plain_http(tcp: &mut TcpStream) {
    drain(tcp);
    let _ = tcp.write_all(PLAIN_HTTP_ANSWER).await;
    let _ = tcp.shutdown().await;
}

/// Reads and drops what has arrived, without waiting for more, until PLAIN_HTTP_DRAIN bytes or
/// more are read; how many were.
fn drain(tcp: &TcpStream) -> usize {
    let mut scratch = [0u8; 4096];
    let mut drained = 0;
    while drained < PLAIN_HTTP_DRAIN {
        match tcp.try_read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    drained
}

/// Alerts a client sends when it does not accept the certificate.
const CERTIFICATE_ALERTS: [&str; 6] = [
    "bad certificate",
    "unsupported certificate",
    "certificate revoked",
    "certificate expired",
    "certificate unknown",
    "unknown ca",
];

/// Why a client's handshake failed, from OpenSSL's `reason`; `hung_up` when the client closed
/// or reset the connection, `min` the lowest version accepted (--tls-min).
fn words(reason: &str, hung_up: bool, min: TlsVersion) -> String {
    let alert = reason.split("alert ").nth(1).map(str::trim);
    if reason == "http request" {
        return "the client spoke plain HTTP, not TLS (ws:// instead of wss://?); it was \
                answered 400"
            .into();
    }
    if reason == "https proxy request" {
        return "the client spoke to it as to an HTTP proxy (CONNECT), not TLS".into();
    }
    if let Some(alert) = alert.filter(|alert| CERTIFICATE_ALERTS.contains(alert)) {
        return format!("the client rejected the certificate ({alert})");
    }
    let version = [
        "unsupported protocol",
        "version too low",
        "protocol version",
    ];
    if version.iter().any(|words| reason.contains(words)) {
        return match min {
            TlsVersion::V1_2 => {
                format!("the client speaks no TLS version wsc accepts (1.2 and later) ({reason})")
            }
            TlsVersion::V1_3 => {
                format!(
                    "the client does not speak TLS 1.3, which --tls-min 1.3 requires ({reason})"
                )
            }
        };
    }
    if reason.contains("no shared cipher") {
        return format!("the client shares no cipher with wsc ({reason})");
    }
    if reason.contains("wrong version number") || reason.contains("packet length too long") {
        return format!("what the client sent is not TLS ({reason})");
    }
    if alert.is_some() {
        return format!("the client ended it: {reason}");
    }
    if hung_up {
        return "the client closed the connection during the handshake".into();
    }
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_handshake_names_the_client_s_part_in_it() {
        let v12 = TlsVersion::V1_2;
        let table = [
            (
                "http request",
                false,
                v12,
                "the client spoke plain HTTP, not TLS (ws:// instead of wss://?); it was answered \
                 400",
            ),
            (
                "https proxy request",
                false,
                v12,
                "the client spoke to it as to an HTTP proxy (CONNECT), not TLS",
            ),
            (
                "tlsv1 alert unknown ca",
                false,
                v12,
                "the client rejected the certificate (unknown ca)",
            ),
            (
                "sslv3 alert certificate unknown",
                true,
                v12,
                "the client rejected the certificate (certificate unknown)",
            ),
            (
                "unsupported protocol",
                false,
                TlsVersion::V1_3,
                "the client does not speak TLS 1.3, which --tls-min 1.3 requires (unsupported \
                 protocol)",
            ),
            (
                "tlsv1 alert protocol version",
                false,
                v12,
                "the client speaks no TLS version wsc accepts (1.2 and later) (tlsv1 alert \
                 protocol version)",
            ),
            (
                "no shared cipher",
                false,
                v12,
                "the client shares no cipher with wsc (no shared cipher)",
            ),
            (
                "wrong version number",
                false,
                v12,
                "what the client sent is not TLS (wrong version number)",
            ),
            (
                "tlsv1 alert decode error",
                false,
                v12,
                "the client ended it: tlsv1 alert decode error",
            ),
            (
                "unexpected eof while reading",
                true,
                v12,
                "the client closed the connection during the handshake",
            ),
            ("record layer failure", false, v12, "record layer failure"),
        ];
        for (reason, hung_up, min, expected) in table {
            assert_eq!(words(reason, hung_up, min), expected, "{reason}");
        }
    }

    /// A connected pair on loopback, and the accepted end once `sent` bytes have arrived on it.
    async fn arrived(sent: usize) -> (TcpStream, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(&vec![b'x'; sent]).await.unwrap();
        let mut all = vec![0; sent];
        // Loopback hands the bytes over at once; peek waits for the first, then sees the rest.
        while server.peek(&mut all).await.unwrap() < sent {}
        (client, server)
    }

    #[tokio::test]
    async fn a_plain_http_request_is_drained_whole_up_to_16_kib() {
        let deadline = std::time::Duration::from_secs(30);
        tokio::time::timeout(deadline, async {
            let (_client, server) = arrived(1000).await;
            assert_eq!(
                drain(&server),
                1000,
                "what arrived, and no waiting for more"
            );
            // 16 KiB in reads of 4 KiB: the bound is met exactly, and no more is read.
            let (_client, server) = arrived(40 * 1024).await;
            assert_eq!(drain(&server), 16 * 1024);
        })
        .await
        .expect("within the deadline");
    }

    #[test]
    fn the_plain_http_answer_says_its_length() {
        let text = String::from_utf8_lossy(PLAIN_HTTP_ANSWER);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{text}"
        );
    }
}
