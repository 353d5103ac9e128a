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

/// What the handshake was attempted with, for the words of its failure.
pub struct Attempt {
    pub insecure: bool,
    pub min: TlsVersion,
    pub sent_identity: bool,
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
    let reason = reason(e);
    if reason.contains("alert protocol version") || reason == "unsupported protocol" {
        return Failure::Tls(match attempt.min {
            TlsVersion::V1_3 => format!(
                "the server does not speak TLS 1.3, which --tls-min 1.3 requires ({reason})"
            ),
            TlsVersion::V1_2 => {
                format!("the server speaks no TLS version wsc accepts (1.2 and later) ({reason})")
            }
        });
    }
    if reason.contains("alert ") {
        return alert_failure(&reason, attempt.sent_identity);
    }
    if hung_up(e) {
        // A server that hangs up mid-handshake without an alert is often judging certificates.
        return Failure::Tls(format!(
            "TLS handshake failed: the server closed the connection during the handshake; {}",
            if attempt.sent_identity {
                "it may have rejected the client certificate"
            } else {
                "it may require a client certificate (--cert, --key)"
            }
        ));
    }
    if reason.contains("wrong version number") || reason.contains("packet length too long") {
        // What came back was no TLS record: a plain HTTP or WebSocket server, most likely.
        return Failure::Tls(format!(
            "TLS handshake failed: {reason} (the server does not speak TLS on this port; ws:// \
             instead of wss://?)"
        ));
    }
    Failure::Tls(format!("TLS handshake failed: {reason}"))
}

/// An I/O error (`None`: the server closed the connection) while reading the upgrade answer over
/// TLS, before any of it arrived, that is really a TLS failure. With TLS 1.3 the server's
/// verdict on our certificate arrives as an alert only then, and the alert itself may be lost
/// to the reset or EOF that follows it.
pub fn failure_after_handshake(error: Option<&io::Error>, sent_identity: bool) -> Option<Failure> {
    if let Some(error) = error {
        // tokio-openssl hands on OpenSSL's own errors inside the I/O error.
        match error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ssl::Error>())
        {
            Some(e) if !hung_up(e) => {
                let reason = reason(e);
                return Some(if reason.contains("alert ") {
                    alert_failure(&reason, sent_identity)
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
    Some(Failure::Tls(if sent_identity {
        format!(
            "server {how} right after the TLS handshake, before answering the upgrade; it may \
             have rejected the client certificate (--cert)"
        )
    } else {
        format!(
            "server {how} right after the TLS handshake, before answering the upgrade; it may \
             require a client certificate (--cert, --key)"
        )
    }))
}

/// An alert from the server in words.
fn alert_failure(reason: &str, sent_identity: bool) -> Failure {
    let alert = reason.split("alert ").nth(1).unwrap_or(reason).trim();
    Failure::Tls(if alert == "certificate required" {
        "server requires a client certificate (--cert, --key)".to_string()
    } else if sent_identity && CERTIFICATE_ALERTS.contains(&alert) {
        format!("server rejected the client certificate ({alert})")
    } else if !sent_identity && alert == "handshake failure" {
        // TLS 1.2 servers answer a missing client certificate with this generic alert.
        "server ended the TLS handshake with 'handshake failure': it may require a client \
         certificate (--cert, --key), or share no TLS version or cipher with wsc"
            .to_string()
    } else {
        format!("server rejected the TLS session: {reason}")
    })
}

/// Whether the error is the server closing or resetting the connection.
fn hung_up(e: &ssl::Error) -> bool {
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
fn reason(e: &ssl::Error) -> String {
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
