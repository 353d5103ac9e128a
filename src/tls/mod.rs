//! TLS with OpenSSL: the settings turned into a connector (files checked before anything goes on
//! the network), the handshake over any stream, the pinned key checked before the upgrade, and
//! what -v shows of the session (details.rs). Failures in words: words.rs.

pub mod details;
pub mod pin;
pub mod server;
mod words;

use std::fs;
use std::path::Path;
use std::pin::Pin;
use std::sync::LazyLock;

use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::X509;
use tokio_openssl::SslStream;

use crate::config::{TlsSettings, TlsVersion};
use crate::connect::Stream;
use crate::error::Failure;
pub use details::Details;
pub use words::{Peer, failure_after_handshake};

/// The protocols offered by ALPN, in its wire format: WebSocket upgrades are HTTP/1.1.
const ALPN: &[u8] = b"\x08http/1.1";

/// Where the system keeps its trusted roots. The vendored OpenSSL's own directory is not on this
/// machine, so without this nothing would verify; probed once.
static SYSTEM_ROOTS: LazyLock<openssl_probe::ProbeResult> = LazyLock::new(openssl_probe::probe);

/// A TLS client set up from `TlsSettings`, for one hop (the server, or an https proxy).
#[derive(Clone)]
pub struct Connector {
    ssl: SslConnector,
    insecure: bool,
    min: TlsVersion,
    /// `--servername`: the name for SNI and verification instead of the one the hop is dialled by.
    servername: Option<String>,
    pin: Option<pin::Pins>,
}

/// Builds the connector; certificate, key, CA and pin files are read and checked here, before
/// anything goes on the network.
pub fn connector(settings: &TlsSettings) -> Result<Connector, Failure> {
    let setup = |e: openssl::error::ErrorStack| {
        Failure::Tls(format!("cannot set up TLS: {}", words::stack_reason(&e)))
    };
    let mut builder = SslConnector::builder(SslMethod::tls()).map_err(setup)?;
    let roots = &*SYSTEM_ROOTS;
    // Each separately, errors ignored: a missing or odd system file must not stop --ca or -k.
    if let Some(file) = &roots.cert_file {
        let _ = builder.load_verify_locations(Some(file), None);
    }
    for dir in &roots.cert_dir {
        let _ = builder.load_verify_locations(None, Some(dir));
    }
    let min = match settings.min_version {
        TlsVersion::V1_2 => SslVersion::TLS1_2,
        TlsVersion::V1_3 => SslVersion::TLS1_3,
    };
    builder.set_min_proto_version(Some(min)).map_err(setup)?;
    builder.set_alpn_protos(ALPN).map_err(setup)?;
    if settings.insecure {
        builder.set_verify(SslVerifyMode::NONE);
    }
    if let Some(path) = &settings.ca_file {
        for certificate in certificates(path, "CA file")? {
            // A certificate already trusted (a system root) is refused as a duplicate: harmless.
            let _ = builder.cert_store_mut().add_cert(certificate);
        }
    }
    if let Some((cert, key)) = &settings.identity {
        let (chain, private) = identity(cert, key, "client")?;
        let mut chain = chain.into_iter();
        if let Some(leaf) = chain.next() {
            builder.set_certificate(&leaf).map_err(setup)?;
        }
        builder.set_private_key(&private).map_err(setup)?;
        for extra in chain {
            builder.add_extra_chain_cert(extra).map_err(setup)?;
        }
    }
    let pin = match &settings.pinned_key {
        Some(pinned) => Some(pinned.load()?),
        None => None,
    };
    Ok(Connector {
        ssl: builder.build(),
        insecure: settings.insecure,
        min: settings.min_version,
        servername: settings.servername.clone(),
        pin,
    })
}

/// TLS over any stream, verified against `name` (or `--servername`): the secured stream, and
/// what -v shows of the session (with `details`) and the warnings shown in any case. With
/// `--pinnedpubkey`, the server's key is checked here, before anything else is sent. `peer`
/// decides what a failure's hint may mention.
pub async fn handshake(
    connector: &Connector,
    name: &str,
    stream: Stream,
    details: bool,
    peer: Peer,
) -> Result<(Stream, Details), Failure> {
    let name = connector.servername.as_deref().unwrap_or(name);
    let setup = |e: openssl::error::ErrorStack| {
        Failure::Tls(format!(
            "cannot set up TLS for '{name}': {}",
            words::stack_reason(&e)
        ))
    };
    let mut configuration = connector.ssl.configure().map_err(setup)?;
    if connector.insecure {
        configuration.set_verify_hostname(false);
    }
    // SNI and verification by this name; an IP address is verified as such, without SNI.
    let ssl = configuration.into_ssl(name).map_err(setup)?;
    let mut secured = SslStream::new(ssl, stream.boxed()).map_err(setup)?;
    if let Err(e) = Pin::new(&mut secured).connect().await {
        let attempt = words::Attempt {
            insecure: connector.insecure,
            min: connector.min,
            peer,
        };
        return Err(words::handshake_failure(&e, secured.ssl(), &attempt));
    }
    let ssl = secured.ssl();
    let key = pin::server_key(ssl);
    if let Some(pin) = &connector.pin {
        pin.check(key.as_deref())?;
    }
    let details = Details::of(ssl, key.as_deref(), details, connector.insecure);
    Ok((Stream::Other(Box::new(secured)), details))
}

/// The certificates in a PEM file; at least one.
fn certificates(path: &Path, what: &str) -> Result<Vec<X509>, Failure> {
    let pem = read(path, what)?;
    let certificates = X509::stack_from_pem(&pem).map_err(|e| {
        Failure::Tls(format!(
            "cannot use {what} '{}': {}",
            path.display(),
            words::stack_reason(&e)
        ))
    })?;
    if certificates.is_empty() {
        return Err(Failure::Tls(format!(
            "no PEM certificate in {what} '{}'",
            path.display()
        )));
    }
    Ok(certificates)
}

/// A certificate chain and its key, checked to belong together; `whose` ("client", "server")
/// names the key in the failures.
fn identity(cert: &Path, key: &Path, whose: &str) -> Result<(Vec<X509>, PKey<Private>), Failure> {
    let key_pem = read(key, "key")?;
    // An encrypted or traditional key is refused before OpenSSL would ask for a passphrase.
    if !key_pem
        .trim_ascii_start()
        .starts_with(b"-----BEGIN PRIVATE KEY-----")
    {
        return Err(Failure::Tls(format!(
            "key '{}' is not a PKCS#8 PEM key (convert it: openssl pkcs8 -topk8 -nocrypt -in KEY)",
            key.display()
        )));
    }
    let private = PKey::private_key_from_pem(&key_pem).map_err(|e| {
        Failure::Tls(format!(
            "cannot load {whose} key '{}': {}",
            key.display(),
            words::stack_reason(&e)
        ))
    })?;
    let chain = certificates(cert, "certificate file")?;
    // OpenSSL compares a pair itself only when both are of one kind: an RSA certificate with an
    // EC key would pass until the peer refused the handshake.
    let matches = match chain[0].public_key() {
        Ok(public) => public.public_eq(&private),
        // What cannot be read here, the handshake will judge.
        Err(_) => true,
    };
    if !matches {
        return Err(Failure::Tls(format!(
            "{whose} key '{}' does not match certificate '{}'",
            key.display(),
            cert.display()
        )));
    }
    Ok((chain, private))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Set in the child run of the test below.
    const CHILD: &str = "WSC_TEST_ROOTS_CHILD";

    #[test]
    fn the_systems_roots_are_loaded_without_ssl_cert_file() {
        // With SSL_CERT_FILE or SSL_CERT_DIR set, OpenSSL itself finds the roots; without them
        // the vendored build looks in its own directory, which is not on the machine. So the
        // check runs again in a child process without them.
        if std::env::var_os(CHILD).is_none() {
            let exe = std::env::current_exe().unwrap();
            let child = std::process::Command::new(exe)
                .args([
                    "--exact",
                    "tls::tests::the_systems_roots_are_loaded_without_ssl_cert_file",
                ])
                .env(CHILD, "1")
                .env_remove("SSL_CERT_FILE")
                .env_remove("SSL_CERT_DIR")
                .output()
                .unwrap();
            let output = String::from_utf8_lossy(&child.stdout);
            assert!(child.status.success(), "{output}");
            assert!(output.contains("1 passed"), "{output}");
            return;
        }
        let Some(file) = openssl_probe::probe().cert_file else {
            eprintln!("no system CA bundle here: nothing to check");
            return;
        };
        let bundle = X509::stack_from_pem(&fs::read(file).unwrap()).unwrap();
        let connector = connector(&TlsSettings::default()).unwrap();
        let loaded = connector.ssl.context().cert_store().all_certificates();
        assert!(!bundle.is_empty());
        assert!(
            loaded.len() >= bundle.len(),
            "{} of {}",
            loaded.len(),
            bundle.len()
        );
    }
}
