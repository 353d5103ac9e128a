//! TLS settings turned into a native-tls connector, and TLS failures turned into words.

use std::fs;
use std::path::Path;

use native_tls::{Certificate, Identity, TlsConnector};

use crate::config::TlsSettings;
use crate::error::Failure;

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
        let identity = Identity::from_pkcs8(&read(cert, "certificate")?, &read(key, "key")?)
            .map_err(|e| identity_error(&e, cert, key))?;
        builder.identity(identity);
    }
    builder.build().map_err(|e| match &settings.identity {
        Some((cert, key)) if e.to_string().contains("key values mismatch") => {
            Failure::Tls(format!(
                "client key '{}' does not match certificate '{}'",
                key.display(),
                cert.display()
            ))
        }
        _ => Failure::Tls(format!("cannot set up TLS: {}", reason(&e))),
    })
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

/// A TLS handshake failure in words: `certificate verify failed: self-signed certificate`.
pub fn handshake_failure(e: &native_tls::Error) -> Failure {
    let message = e.to_string();
    // OpenSSL appends the verification result in parentheses.
    let verify_result = message
        .strip_suffix(')')
        .and_then(|m| m.rfind('(').map(|at| &m[at + 1..]))
        .filter(|_| message.contains("certificate verify failed"));
    Failure::Tls(match verify_result {
        Some(result) => format!("certificate verify failed: {result}"),
        None => format!("TLS handshake failed: {}", reason(e)),
    })
}

/// An I/O error while reading the upgrade answer over TLS that is really a TLS failure. With
/// TLS 1.3 the server's verdict on our certificate arrives as an alert only then, and the alert
/// itself may be lost to the reset or EOF that follows it.
pub fn failure_after_handshake(error: &std::io::Error, sent_identity: bool) -> Option<Failure> {
    use std::io::ErrorKind;
    let message = error.to_string();
    if message.contains("SSL") {
        return Some(alert_failure(&message));
    }
    let dropped = matches!(
        error.kind(),
        ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof
    ) || message.contains("unexpected EOF");
    (dropped && !sent_identity).then(|| {
        Failure::Tls(format!(
            "{} right after the TLS handshake; the server may require a client certificate \
             (--cert, --key)",
            crate::error::io_words(error)
        ))
    })
}

fn alert_failure(message: &str) -> Failure {
    let reason = openssl_reason(message);
    Failure::Tls(if reason.contains("certificate required") {
        "server requires a client certificate (use --cert and --key)".to_string()
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
