//! Certificates made at test time (CAs, intermediates, any validity) and TLS servers on
//! openssl: a wss server that can ask for a client certificate, cap its TLS version, send an
//! intermediate and agree to ALPN, and a bare TLS server that records what came over TLS.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{
    AlpnError, SslAcceptor, SslMethod, SslVerifyMode, SslVersion, select_next_proto,
};
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};
use tokio_openssl::SslStream;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

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
    let setup = Setup {
        client_ca,
        max,
        ..Setup::default()
    };
    wss_server_set_up(identity, setup, behaviour).await
}

/// How a test TLS server is set up, beyond its identity.
#[derive(Default)]
pub struct Setup {
    /// Demand a client certificate signed by this CA.
    pub client_ca: Option<X509>,
    /// Speak at most this TLS version.
    pub max: Option<SslVersion>,
    /// Certificates sent after the server's own: intermediate CAs.
    pub chain: Vec<X509>,
    /// Agree to `http/1.1` when the client offers it by ALPN.
    pub alpn: bool,
}

/// A wss server on 127.0.0.1 as `setup` says; it records the upgrade request's headers. The
/// behaviour gets None when the TLS handshake or the upgrade failed.
pub async fn wss_server_set_up<F, Fut, T>(
    identity: Identity,
    setup: Setup,
    behaviour: F,
) -> Server<T>
where
    F: FnOnce(Option<Ws<SslStream<tokio::net::TcpStream>>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let headers = Arc::new(Mutex::new(None));
    let seen = headers.clone();
    let mut server = tls_server(identity, setup, |tls| async move {
        let ws = match tls {
            Some(stream) => {
                // tungstenite's callback signature returns its (large) error response by value.
                #[allow(clippy::result_large_err)]
                let callback = move |request: &Request, response: Response| {
                    *seen.lock().unwrap() = Some(request.headers().clone());
                    Ok(response)
                };
                tokio_tungstenite::accept_hdr_async(stream, callback)
                    .await
                    .ok()
            }
            None => None,
        };
        behaviour(ws).await
    })
    .await;
    server.headers = headers;
    server
}

/// A TLS server on 127.0.0.1 as `setup` says, for one connection; the behaviour gets the stream
/// once the TLS handshake is done, or None when it failed.
pub async fn tls_server<F, Fut, T>(identity: Identity, setup: Setup, behaviour: F) -> Server<T>
where
    F: FnOnce(Option<SslStream<tokio::net::TcpStream>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_max_proto_version(setup.max).unwrap();
    acceptor.set_private_key(&identity.key).unwrap();
    acceptor.set_certificate(&identity.cert).unwrap();
    for extra in setup.chain {
        acceptor.add_extra_chain_cert(extra).unwrap();
    }
    if setup.alpn {
        acceptor.set_alpn_select_callback(|_, offered| {
            select_next_proto(b"\x08http/1.1", offered).ok_or(AlpnError::NOACK)
        });
    }
    if let Some(ca) = setup.client_ca {
        acceptor.cert_store_mut().add_cert(ca).unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    let acceptor = Arc::new(acceptor.build());
    let (listener, port) = listener().await;
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let ssl = openssl::ssl::Ssl::new(acceptor.context()).unwrap();
        let mut stream = SslStream::new(ssl, tcp).unwrap();
        let accepted = Pin::new(&mut stream).accept().await.is_ok();
        behaviour(accepted.then_some(stream)).await
    });
    Server {
        url: format!("wss://127.0.0.1:{port}/"),
        port,
        headers: Default::default(),
        task,
    }
}
