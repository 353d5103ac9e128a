//! TLS settings turned into a native-tls connector, and TLS failures turned into words.

pub mod details;

use std::fs;
use std::path::Path;

use native_tls::{Certificate, Identity, TlsConnector};

use crate::config::TlsSettings;
use crate::connect::Stream;
use crate::error::Failure;

/// TLS over any stream, verified against `name`: the secured stream, and with `details` the
/// lines -v shows (version, cipher, the server's certificate).
pub async fn handshake(
    connector: &TlsConnector,
    name: &str,
    stream: Stream,
    details: bool,
    sent_identity: bool,
) -> Result<(Stream, Vec<String>), Failure> {
    // The version and cipher are read from the server's hello as it passes.
    let recorder = details::Recorder::new(stream.boxed(), details);
    let mut secured = tokio_native_tls::TlsConnector::from(connector.clone())
        .connect(name, recorder)
        .await
        .map_err(|e| handshake_failure(&e, sent_identity))?;
    let lines = if details {
        let recorded = secured.get_mut().get_mut().get_mut().take();
        let certificate = secured.get_ref().peer_certificate().ok().flatten();
        let der = certificate.and_then(|c| c.to_der().ok());
        details::lines(&recorded, der.as_deref())
    } else {
        Vec::new()
    };
    Ok((Stream::Other(Box::new(secured)), lines))
}

pub fn connector(settings: &TlsSettings) -> Result<TlsConnector, Failure> {
    let mut builder = TlsConnector::builder();
    if settings.insecure {
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    if let Some(path) = &settings.ca_file {
        let pem = read(path, "CA file")?;
        let certificates = Certificate::stack_from_pem(&pem).map_err(|e| {
            Failure::Tls(format!(
                "cannot use CA file '{}': {}",
                path.display(),
                reason(&e)
            ))
        })?;
        if certificates.is_empty() {
            return Err(Failure::Tls(format!(
                "no PEM certificate in CA file '{}'",
                path.display()
            )));
        }
        for certificate in certificates {
            builder.add_root_certificate(certificate);
        }
    }
    if let Some((cert, key)) = &settings.identity {
        let (cert_pem, key_pem) = (read(cert, "certificate")?, read(key, "key")?);
        let identity =
            Identity::from_pkcs8(&cert_pem, &key_pem).map_err(|e| identity_error(&e, cert, key))?;
        if !pair_matches(&cert_pem, &key_pem) {
            return Err(mismatch(cert, key));
        }
        builder.identity(identity);
    }
    builder.build().map_err(|e| match &settings.identity {
        Some((cert, key)) if e.to_string().contains("key values mismatch") => mismatch(cert, key),
        _ => Failure::Tls(format!("cannot set up TLS: {}", reason(&e))),
    })
}

/// Whether the key is the certificate's. OpenSSL compares them itself only when both are of one
/// kind: an RSA certificate with an EC key would pass until the server refused the handshake.
fn pair_matches(cert_pem: &[u8], key_pem: &[u8]) -> bool {
    let certificate = openssl::x509::X509::from_pem(cert_pem).and_then(|c| c.public_key());
    let key = openssl::pkey::PKey::private_key_from_pem(key_pem);
    match (certificate, key) {
        (Ok(public), Ok(private)) => public.public_eq(&private),
        // native-tls read them both; whatever this cannot read, the handshake will judge.
        _ => true,
    }
}

fn mismatch(cert: &Path, key: &Path) -> Failure {
    Failure::Tls(format!(
        "client key '{}' does not match certificate '{}'",
        key.display(),
        cert.display()
    ))
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| {
        Failure::Tls(format!(
            "cannot read {what} '{}': {}",
            path.display(),
            crate::error::io_words(&e)
        ))
    })
}

fn identity_error(e: &native_tls::Error, cert: &Path, key: &Path) -> Failure {
    let message = e.to_string();
    Failure::Tls(if message.contains("PKCS#8") {
        format!(
            "key '{}' is not a PKCS#8 PEM key (convert it: openssl pkcs8 -topk8 -nocrypt -in KEY)",
            key.display()
        )
    } else if message.contains("at least one certificate") {
        format!("no PEM certificate in '{}'", cert.display())
    } else {
        format!(
            "cannot load client certificate '{}' and key '{}': {}",
            cert.display(),
            key.display(),
            reason(e)
        )
    })
}

/// A TLS handshake failure in words: `certificate verify failed: self-signed certificate`. With
/// TLS 1.2 the server's verdict on our certificate comes here, as an alert.
pub fn handshake_failure(e: &native_tls::Error, sent_identity: bool) -> Failure {
    let message = e.to_string();
    // OpenSSL appends the verification result in parentheses.
    let verify_result = message
        .strip_suffix(')')
        .and_then(|m| m.rfind('(').map(|at| &m[at + 1..]))
        .filter(|_| message.contains("certificate verify failed"));
    match verify_result {
        Some(result) => Failure::Tls(format!("certificate verify failed: {result}")),
        None if reason(e).contains("alert ") => alert_failure(&message, sent_identity),
        // A server that hangs up mid-handshake without an alert is often judging certificates.
        None if hung_up(&reason(e)) => Failure::Tls(format!(
            "TLS handshake failed: the server closed the connection during the handshake; {}",
            if sent_identity {
                "it may have rejected the client certificate"
            } else {
                "it may require a client certificate (--cert, --key)"
            }
        )),
        None => Failure::Tls(format!("TLS handshake failed: {}", reason(e))),
    }
}

/// Whether a handshake failure is the server closing or resetting the connection.
fn hung_up(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    reason.contains("unexpected eof") || reason.contains("connection reset")
}

/// An I/O error (`None`: the server closed the connection) while reading the upgrade answer over
/// TLS, before any of it arrived, that is really a TLS failure. With TLS 1.3 the server's
/// verdict on our certificate arrives as an alert only then, and the alert itself may be lost
/// to the reset or EOF that follows it.
pub fn failure_after_handshake(
    error: Option<&std::io::Error>,
    sent_identity: bool,
) -> Option<Failure> {
    use std::io::ErrorKind;
    if let Some(error) = error {
        let message = error.to_string();
        if message.contains("SSL") {
            return Some(alert_failure(&message, sent_identity));
        }
        let dropped = matches!(
            error.kind(),
            ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof
        ) || message.contains("unexpected EOF");
        if !dropped {
            return None;
        }
    }
    let how = error.map_or("closed the connection".to_string(), |e| {
        format!("hung up ({})", crate::error::io_words(e))
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

/// An alert from the server in words.
fn alert_failure(message: &str, sent_identity: bool) -> Failure {
    let reason = openssl_reason(message);
    let alert = reason.split("alert ").nth(1).unwrap_or(&reason).trim();
    Failure::Tls(if alert == "certificate required" {
        "server requires a client certificate (--cert, --key)".to_string()
    } else if sent_identity && CERTIFICATE_ALERTS.contains(&alert) {
        format!("server rejected the client certificate ({alert})")
    } else if !sent_identity && alert == "handshake failure" {
        // TLS 1.2 servers answer a missing client certificate with this generic alert.
        "server ended the TLS handshake with 'handshake failure': it may require a client \
         certificate (--cert, --key), or share no TLS version or cipher with wsc"
            .to_string()
    } else if reason.contains("alert") {
        format!("server rejected the TLS session: {reason}")
    } else {
        format!("TLS failure: {reason}")
    })
}

/// The reason part of an OpenSSL error string
/// (`error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:`).
fn reason(e: &native_tls::Error) -> String {
    openssl_reason(&e.to_string())
}

fn openssl_reason(message: &str) -> String {
    match message
        .find("error:")
        .map(|at| &message[at + "error:".len()..])
    {
        Some(rest) => rest.split(':').nth(3).unwrap_or(rest).to_string(),
        None => message.to_string(),
    }
}
