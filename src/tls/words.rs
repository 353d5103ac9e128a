//! TLS failures in words, from OpenSSL's typed errors: the verification result, the reason of
//! the first error on the stack (`tlsv13 alert certificate required`), or the connection's end.

use std::io::{self, ErrorKind};

use openssl::error::ErrorStack;
use openssl::ssl::{self, ErrorCode, SslRef};
use openssl::x509::X509VerifyResult;

use crate::config::TlsVersion;
use crate::error::Failure;

/// Alerts a server sends about the client's certificate.
const CERTIFICATE_ALERTS: [&str; 8] = [
    "bad certificate",
    "unsupported certificate",
    "certificate revoked",
    "certificate expired",
    "certificate unknown",
    "unknown ca",
    "access denied",
    "decrypt error",
];

/// Who is at the other end of a handshake, and so what the hint of its failure may mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// An https:// proxy: --cert and --key are never sent to one, so no hint names them.
    Proxy,
    /// The server; `identity` when a client certificate (--cert, --key) was sent.
    Server { identity: bool },
}

impl Peer {
    fn noun(self) -> &'static str {
        match self {
            Peer::Proxy => "proxy",
            Peer::Server { .. } => "server",
        }
    }
}

/// What the handshake was attempted with, for the words of its failure.
pub struct Attempt {
    pub insecure: bool,
    pub min: TlsVersion,
    pub peer: Peer,
}

/// When a failure came: during the handshake (which asked for at least this version), or after
/// it, before the upgrade's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    During(TlsVersion),
    After,
}

/// Why a peer may have ended the handshake over a client certificate, when it can have: only
/// the server gets one, and it judges it inside the handshake in TLS 1.2 but after it in TLS 1.3
/// (so not during a handshake that --tls-min 1.3 asked for).
fn certificate_hint(peer: Peer, when: When) -> Option<&'static str> {
    match (peer, when) {
        (Peer::Proxy, _) | (_, When::During(TlsVersion::V1_3)) => None,
        (Peer::Server { identity: true }, _) => Some("it may have rejected the client certificate"),
        (Peer::Server { identity: false }, _) => {
            Some("it may require a client certificate (--cert, --key)")
        }
    }
}

/// Whether --tls-min 1.3 may be why a server ended the handshake (it is never applied to a
/// proxy).
fn asked_for_tls13(peer: Peer, when: When) -> bool {
    matches!(
        (peer, when),
        (Peer::Server { .. }, When::During(TlsVersion::V1_3))
    )
}

/// A failed handshake in words: `certificate verify failed: self-signed certificate`. With TLS
/// 1.2 the server's verdict on our certificate comes here, as an alert.
pub fn handshake_failure(e: &ssl::Error, ssl: &SslRef, attempt: &Attempt) -> Failure {
    let verify = ssl.verify_result();
    if verify != X509VerifyResult::OK && !attempt.insecure {
        return Failure::Tls(format!(
            "certificate verify failed: {}",
            verify.error_string()
        ));
    }
    failed_handshake(&reason(e), hung_up(e), attempt)
}

/// A failed handshake in words, from OpenSSL's `reason` for it; `hung_up` when the peer closed
/// or reset the connection.
fn failed_handshake(reason: &str, hung_up: bool, attempt: &Attempt) -> Failure {
    let (peer, when) = (attempt.peer, When::During(attempt.min));
    if reason.contains("alert protocol version") || reason == "unsupported protocol" {
        return Failure::Tls(match attempt.min {
            TlsVersion::V1_3 => format!(
                "the {} does not speak TLS 1.3, which --tls-min 1.3 requires ({reason})",
                peer.noun()
            ),
            TlsVersion::V1_2 => format!(
                "the {} speaks no TLS version wsc accepts (1.2 and later) ({reason})",
                peer.noun()
            ),
        });
    }
    if reason.contains("alert ") {
        return alert_failure(reason, peer, when);
    }
    if hung_up {
        return hung_up_failure(peer, when);
    }
    if reason.contains("wrong version number") || reason.contains("packet length too long") {
        // What came back was no TLS record: a plain HTTP or WebSocket server, most likely.
        let instead = match peer {
            Peer::Server { .. } => "ws:// instead of wss://?",
            Peer::Proxy => "http:// instead of https://?",
        };
        return Failure::Tls(format!(
            "TLS handshake failed: {reason} (the {} does not speak TLS on this port; {instead})",
            peer.noun()
        ));
    }
    Failure::Tls(format!("TLS handshake failed: {reason}"))
}

/// A peer that hung up during the handshake without an alert: a server judging certificates
/// may do that, and so may one that does not speak TLS 1.3.
fn hung_up_failure(peer: Peer, when: When) -> Failure {
    let mut words = format!(
        "TLS handshake failed: the {} closed the connection during the handshake",
        peer.noun()
    );
    if asked_for_tls13(peer, when) {
        words.push_str("; it may not speak TLS 1.3 (--tls-min 1.3)");
    }
    if let Some(hint) = certificate_hint(peer, when) {
        words.push_str("; ");
        words.push_str(hint);
    }
    Failure::Tls(words)
}

/// An I/O error (`None`: the server closed the connection) while reading the upgrade answer over
/// TLS, before any of it arrived, that is really a TLS failure. With TLS 1.3 the server's
/// verdict on our certificate arrives as an alert only then, and the alert itself may be lost
/// to the reset or EOF that follows it.
pub fn failure_after_handshake(error: Option<&io::Error>, peer: Peer) -> Option<Failure> {
    if let Some(error) = error {
        // tokio-openssl hands on OpenSSL's own errors inside the I/O error.
        match error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ssl::Error>())
        {
            Some(e) if !hung_up(e) => {
                let reason = reason(e);
                return Some(if reason.contains("alert ") {
                    alert_failure(&reason, peer, When::After)
                } else {
                    Failure::Tls(format!("TLS failure: {reason}"))
                });
            }
            Some(_) => {}
            None if !dropped(error) => return None,
            None => {}
        }
    }
    let how = error.map_or("closed the connection".to_string(), |e| match e.get_ref() {
        Some(inner) if inner.is::<ssl::Error>() => "closed the connection".to_string(),
        _ => format!("hung up ({})", crate::error::io_words(e)),
    });
    let hint = certificate_hint(peer, When::After).map_or(String::new(), |h| format!("; {h}"));
    Some(Failure::Tls(format!(
        "{} {how} right after the TLS handshake, before answering the upgrade{hint}",
        peer.noun()
    )))
}

/// An alert from the peer in words.
fn alert_failure(reason: &str, peer: Peer, when: When) -> Failure {
    let alert = reason.split("alert ").nth(1).unwrap_or(reason).trim();
    let noun = peer.noun();
    Failure::Tls(match (peer, alert) {
        (Peer::Proxy, "certificate required") => "proxy requires a client certificate, and wsc \
                                                  sends none to a proxy (--cert and --key are \
                                                  for the server)"
            .to_string(),
        (Peer::Server { .. }, "certificate required") => {
            "server requires a client certificate (--cert, --key)".to_string()
        }
        (Peer::Server { identity: true }, alert) if CERTIFICATE_ALERTS.contains(&alert) => {
            format!("server rejected the client certificate ({alert})")
        }
        (_, "handshake failure") => {
            // TLS 1.2 servers answer a missing client certificate with this generic alert.
            let why = match (certificate_hint(peer, when), when) {
                (_, When::During(_)) if asked_for_tls13(peer, when) => {
                    "it may not speak TLS 1.3 (--tls-min 1.3), or share no cipher with wsc".into()
                }
                (Some(hint), When::During(_)) => {
                    format!("{hint}, or share no TLS version or cipher with wsc")
                }
                (Some(hint), When::After) => hint.to_string(),
                (None, _) => "it may share no TLS version or cipher with wsc".into(),
            };
            format!("{noun} ended the TLS handshake with 'handshake failure': {why}")
        }
        _ => format!("{noun} rejected the TLS session: {reason}"),
    })
}

/// Whether the error is the server closing or resetting the connection.
pub(super) fn hung_up(e: &ssl::Error) -> bool {
    match e.io_error() {
        Some(io) => dropped(io),
        // OpenSSL 3 names an EOF mid-record; older ones report a bare SYSCALL error.
        None => {
            e.code() == ErrorCode::SYSCALL || reason(e).contains("unexpected eof while reading")
        }
    }
}

fn dropped(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof | ErrorKind::BrokenPipe
    )
}

/// The reason of a TLS error: `wrong version number`, or the I/O error's words.
pub(super) fn reason(e: &ssl::Error) -> String {
    match (e.ssl_error(), e.io_error()) {
        (Some(stack), _) => stack_reason(stack),
        (None, Some(io)) => crate::error::io_words(io),
        (None, None) => "the connection ended".to_string(),
    }
}

/// The reason of the first error on an OpenSSL error stack.
pub fn stack_reason(stack: &ErrorStack) -> String {
    match stack.errors().first() {
        Some(first) => match first.reason() {
            Some(reason) => reason.to_string(),
            None => first.to_string(),
        },
        None => "unknown OpenSSL error".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: Peer = Peer::Proxy;
    const BARE: Peer = Peer::Server { identity: false };
    const CERT: Peer = Peer::Server { identity: true };
    const TLS12: When = When::During(TlsVersion::V1_2);
    const TLS13: When = When::During(TlsVersion::V1_3);

    fn words(failure: Failure) -> String {
        match failure {
            Failure::Tls(words) => words,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_hang_up_names_client_certificates_only_where_they_can_be_the_cause() {
        let during = "TLS handshake failed: the server closed the connection during the handshake";
        let table = [
            // --cert and --key are never sent to a proxy.
            (
                PROXY,
                TLS12,
                "TLS handshake failed: the proxy closed the connection during the handshake"
                    .to_string(),
            ),
            (
                BARE,
                TLS12,
                format!("{during}; it may require a client certificate (--cert, --key)"),
            ),
            (
                CERT,
                TLS12,
                format!("{during}; it may have rejected the client certificate"),
            ),
            // TLS 1.3 judges the certificate after the handshake: --tls-min 1.3 is the suspect.
            (
                BARE,
                TLS13,
                format!("{during}; it may not speak TLS 1.3 (--tls-min 1.3)"),
            ),
            (
                CERT,
                TLS13,
                format!("{during}; it may not speak TLS 1.3 (--tls-min 1.3)"),
            ),
        ];
        for (peer, when, expected) in table {
            assert_eq!(
                words(hung_up_failure(peer, when)),
                expected,
                "{peer:?} {when:?}"
            );
        }
    }

    #[test]
    fn alerts_name_the_peer_and_only_the_causes_that_fit_it() {
        let failure = "alert handshake failure";
        let table = [
            (
                PROXY,
                TLS12,
                failure,
                "proxy ended the TLS handshake with 'handshake failure': it may share no TLS \
                 version or cipher with wsc",
            ),
            (
                BARE,
                TLS12,
                failure,
                "server ended the TLS handshake with 'handshake failure': it may require a \
                 client certificate (--cert, --key), or share no TLS version or cipher with wsc",
            ),
            (
                CERT,
                TLS13,
                failure,
                "server ended the TLS handshake with 'handshake failure': it may not speak TLS \
                 1.3 (--tls-min 1.3), or share no cipher with wsc",
            ),
            (
                BARE,
                When::After,
                failure,
                "server ended the TLS handshake with 'handshake failure': it may require a \
                 client certificate (--cert, --key)",
            ),
            (
                PROXY,
                TLS12,
                "tlsv13 alert certificate required",
                "proxy requires a client certificate, and wsc sends none to a proxy (--cert and \
                 --key are for the server)",
            ),
            (
                BARE,
                When::After,
                "tlsv13 alert certificate required",
                "server requires a client certificate (--cert, --key)",
            ),
            (
                CERT,
                TLS12,
                "sslv3 alert bad certificate",
                "server rejected the client certificate (bad certificate)",
            ),
            (
                PROXY,
                TLS12,
                "sslv3 alert bad certificate",
                "proxy rejected the TLS session: sslv3 alert bad certificate",
            ),
        ];
        for (peer, when, reason, expected) in table {
            assert_eq!(
                words(alert_failure(reason, peer, when)),
                expected,
                "{peer:?} {when:?} {reason}"
            );
        }
    }

    #[test]
    fn what_is_not_tls_is_named_so_with_the_likely_wrong_scheme() {
        let attempt = |peer| Attempt {
            insecure: false,
            min: TlsVersion::V1_2,
            peer,
        };
        let table = [
            (
                BARE,
                "wrong version number",
                "TLS handshake failed: wrong version number (the server does not speak TLS on \
                 this port; ws:// instead of wss://?)",
            ),
            (
                PROXY,
                "packet length too long",
                "TLS handshake failed: packet length too long (the proxy does not speak TLS on \
                 this port; http:// instead of https://?)",
            ),
            (
                BARE,
                "bad record mac",
                "TLS handshake failed: bad record mac",
            ),
        ];
        for (peer, reason, expected) in table {
            assert_eq!(
                words(failed_handshake(reason, false, &attempt(peer))),
                expected
            );
        }
    }

    /// A real OpenSSL error: that of a client handshake with a peer that answers `answer`
    /// and then ends the connection.
    fn handshake_error(answer: &[u8]) -> ssl::Error {
        use openssl::ssl::{HandshakeError, SslConnector, SslMethod};
        #[derive(Debug)]
        struct Peer(io::Cursor<Vec<u8>>);
        impl io::Read for Peer {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                io::Read::read(&mut self.0, buf)
            }
        }
        impl io::Write for Peer {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let connector = SslConnector::builder(SslMethod::tls_client())
            .unwrap()
            .build();
        match connector.connect("localhost", Peer(io::Cursor::new(answer.to_vec()))) {
            Err(HandshakeError::Failure(failed)) => failed.into_error(),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("a handshake with {answer:?} succeeded"),
        }
    }

    #[test]
    fn what_ends_the_connection_after_the_handshake_is_told_as_openssl_or_the_socket_saw_it() {
        let after = |error: io::Error| failure_after_handshake(Some(&error), BARE).map(words);
        let hint = "; it may require a client certificate (--cert, --key)";
        let upgrade = "right after the TLS handshake, before answering the upgrade";
        // A fatal handshake_failure alert: OpenSSL's error, not a hang-up.
        let alert = handshake_error(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
        assert!(!hung_up(&alert), "{alert}");
        assert_eq!(
            after(io::Error::other(alert)),
            Some(
                "server ended the TLS handshake with 'handshake failure': it may require a \
                 client certificate (--cert, --key)"
                    .to_string()
            )
        );
        // OpenSSL saw the connection end: closed, whatever else the error says.
        let ended = handshake_error(b"");
        assert!(hung_up(&ended), "{ended}");
        assert_eq!(
            after(io::Error::other(ended)),
            Some(format!("server closed the connection {upgrade}{hint}"))
        );
        // The socket's own error: a reset is a hang-up in its words, however it was made.
        for reset in [
            io::Error::from(ErrorKind::ConnectionReset),
            io::Error::new(ErrorKind::ConnectionReset, "reset while reading"),
        ] {
            assert_eq!(
                after(reset),
                Some(format!(
                    "server hung up (connection reset by peer) {upgrade}{hint}"
                ))
            );
        }
        // Any other I/O error is no TLS failure.
        assert_eq!(after(io::Error::from(ErrorKind::TimedOut)), None);
    }

    #[test]
    fn a_server_closing_after_the_handshake_may_be_judging_the_client_certificate() {
        let after = |peer| failure_after_handshake(None, peer).map(words);
        let closed = "server closed the connection right after the TLS handshake, before \
                      answering the upgrade";
        assert_eq!(
            after(BARE),
            Some(format!(
                "{closed}; it may require a client certificate (--cert, --key)"
            ))
        );
        assert_eq!(
            after(CERT),
            Some(format!(
                "{closed}; it may have rejected the client certificate"
            ))
        );
    }
}
