//! Certificates made at test time and a TLS WebSocket server (openssl, so it can ask for a
//! client certificate, which native-tls's acceptor cannot).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};
use tokio_openssl::SslStream;

use super::{Server, Ws, listener};

#[derive(Clone)]
pub struct Identity {
    pub cert: X509,
    pub key: PKey<Private>,
}

impl Identity {
    pub fn cert_pem(&self) -> Vec<u8> {
        self.cert.to_pem().unwrap()
    }

    /// The key in PKCS#8 PEM, as wsc's --key takes it.
    pub fn key_pem(&self) -> Vec<u8> {
        self.key.private_key_to_pem_pkcs8().unwrap()
    }
}

/// A certificate for `name` (a DNS name or an IP), valid from `from_days` to `to_days`
/// relative to today, signed by `issuer` or by itself.
pub fn certificate(
    name: &str,
    from_days: i64,
    to_days: i64,
    issuer: Option<&Identity>,
    ca: bool,
) -> Identity {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    certificate_with_key(key, name, from_days, to_days, issuer, ca)
}

/// A P-256 key: made in microseconds, where an RSA key takes up to a second.
pub fn ec_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

/// Like `certificate`, for a given key.
pub fn certificate_with_key(
    key: PKey<Private>,
    name: &str,
    from_days: i64,
    to_days: i64,
    issuer: Option<&Identity>,
    ca: bool,
) -> Identity {
    let mut subject = X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("CN", name).unwrap();
    let subject = subject.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    builder
        .set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&subject).unwrap();
    builder
        .set_issuer_name(issuer.map_or(&subject, |i| i.cert.subject_name()))
        .unwrap();
    builder.set_pubkey(&key).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    builder
        .set_not_before(&Asn1Time::from_unix(now + from_days * 86400).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_unix(now + to_days * 86400).unwrap())
        .unwrap();
    if ca {
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        let mut san = SubjectAlternativeName::new();
        if name.parse::<std::net::IpAddr>().is_ok() {
            san.ip(name);
        } else {
            san.dns(name);
        }
        let san = san
            .build(&builder.x509v3_context(issuer.map(|i| i.cert.as_ref()), None))
            .unwrap();
        builder.append_extension(san).unwrap();
    }
    builder
        .sign(issuer.map_or(&key, |i| &i.key), MessageDigest::sha256())
        .unwrap();
    Identity {
        cert: builder.build(),
        key,
    }
}

/// A self-signed server certificate for 127.0.0.1, valid now.
pub fn self_signed() -> Identity {
    certificate("127.0.0.1", -1, 365, None, false)
}

/// Writes bytes to a file in a fresh temporary directory (kept alive by the returned guard).
pub fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A wss server on 127.0.0.1 with this identity; with `client_ca`, it demands a client
/// certificate signed by it. The behaviour gets None when the TLS handshake failed.
pub async fn wss_server<F, Fut, T>(
    identity: Identity,
    client_ca: Option<X509>,
    behaviour: F,
) -> Server<T>
where
    F: FnOnce(Option<Ws<SslStream<tokio::net::TcpStream>>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    wss_server_up_to(identity, client_ca, None, behaviour).await
}

/// Like `wss_server`, speaking at most TLS version `max` (TLS 1.2 decides on a client
/// certificate inside the handshake, TLS 1.3 only after the client has finished it).
pub async fn wss_server_up_to<F, Fut, T>(
    identity: Identity,
    client_ca: Option<X509>,
    max: Option<SslVersion>,
    behaviour: F,
) -> Server<T>
where
    F: FnOnce(Option<Ws<SslStream<tokio::net::TcpStream>>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_max_proto_version(max).unwrap();
    acceptor.set_private_key(&identity.key).unwrap();
    acceptor.set_certificate(&identity.cert).unwrap();
    if let Some(ca) = client_ca {
        acceptor.cert_store_mut().add_cert(ca).unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    let acceptor = Arc::new(acceptor.build());
    let (listener, port) = listener().await;
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let ssl = openssl::ssl::Ssl::new(acceptor.context()).unwrap();
        let mut stream = SslStream::new(ssl, tcp).unwrap();
        let ws = match Pin::new(&mut stream).accept().await {
            Ok(()) => tokio_tungstenite::accept_async(stream).await.ok(),
            Err(_) => None,
        };
        behaviour(ws).await
    });
    Server {
        url: format!("wss://127.0.0.1:{port}/"),
        port,
        headers: Default::default(),
        task,
    }
}
