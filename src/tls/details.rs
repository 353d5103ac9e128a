//! What `-v` shows about a TLS session: the version and cipher the server chose, read from its
//! ServerHello as it passes (plaintext in every TLS version; native-tls does not tell them), and
//! the server certificate's subject, issuer, names and expiry.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use openssl::x509::{X509, X509NameRef};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How much of what the server sends first is kept: its hello is in the first few hundred bytes.
const RECORDED: usize = 16 * 1024;

/// A stream that keeps a copy of the first bytes read from it, while recording is on.
pub struct Recorder<S> {
    inner: S,
    seen: Option<Vec<u8>>,
}

impl<S> Recorder<S> {
    pub fn new(inner: S, record: bool) -> Recorder<S> {
        Recorder {
            inner,
            seen: record.then(Vec::new),
        }
    }

    /// What was recorded; recording stops.
    pub fn take(&mut self) -> Vec<u8> {
        self.seen.take().unwrap_or_default()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let (Some(seen), Poll::Ready(Ok(()))) = (&mut this.seen, &result) {
            let new = &buf.filled()[before..];
            let room = RECORDED.saturating_sub(seen.len());
            seen.extend_from_slice(&new[..new.len().min(room)]);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The version and cipher suite a ServerHello chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    pub version: u16,
    pub cipher: [u8; 2],
}

/// Finds the ServerHello at the start of what the server sent (RFC 8446 §4.1.3, RFC 5246
/// §7.4.1.3): handshake records, joined, since a message may span records.
pub fn server_hello(bytes: &[u8]) -> Option<Hello> {
    let mut messages = Vec::new();
    let mut at = 0;
    // Content type 22: handshake.
    while let [22, _, _, high, low, ..] = bytes[at..] {
        let end = (at + 5 + usize::from(u16::from_be_bytes([high, low]))).min(bytes.len());
        messages.extend_from_slice(&bytes[at + 5..end]);
        at = end;
    }
    // Message type 2: ServerHello.
    let [2, a, b, c, ref rest @ ..] = messages[..] else {
        return None;
    };
    let body = rest.get(..usize::from_be_bytes([0, 0, 0, 0, 0, a, b, c]))?;
    // legacy_version, random (32), session id, cipher suite, compression method, extensions.
    let mut version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let session_id = usize::from(*body.get(34)?);
    let at = 35 + session_id;
    let cipher = [*body.get(at)?, *body.get(at + 1)?];
    let mut extensions = body.get(at + 5..).unwrap_or_default();
    // TLS 1.3 names itself in supported_versions (43); legacy_version stays 1.2.
    while let [t1, t2, l1, l2, ref rest @ ..] = *extensions {
        let len = usize::from(u16::from_be_bytes([l1, l2]));
        let data = rest.get(..len)?;
        if let ([0, 43], [v1, v2]) = ([t1, t2], data) {
            version = u16::from_be_bytes([*v1, *v2]);
        }
        extensions = &rest[len..];
    }
    Some(Hello { version, cipher })
}

fn version_name(version: u16) -> String {
    match version {
        0x0304 => "TLS 1.3".into(),
        0x0303 => "TLS 1.2".into(),
        0x0302 => "TLS 1.1".into(),
        0x0301 => "TLS 1.0".into(),
        other => format!("TLS version 0x{other:04x}"),
    }
}

/// The IANA name of a cipher suite, as OpenSSL knows it.
fn cipher_name(code: [u8; 2]) -> String {
    use openssl::ssl::{Ssl, SslContext, SslMethod};
    let name = SslContext::builder(SslMethod::tls())
        .ok()
        .and_then(|builder| Ssl::new(&builder.build()).ok())
        .and_then(|ssl| ssl.bytes_to_cipher_list(&code, false).ok())
        .and_then(|lists| {
            let cipher = lists.suites.iter().next()?;
            Some(cipher.standard_name().unwrap_or(cipher.name()).to_string())
        });
    name.unwrap_or_else(|| format!("0x{:02X}{:02X}", code[0], code[1]))
}

/// `-v`'s lines about a TLS session, without their `* `: version and cipher from what the server
/// sent first (`recorded`), then its certificate (DER).
pub fn lines(recorded: &[u8], certificate: Option<&[u8]>) -> Vec<String> {
    let mut lines = vec![match server_hello(recorded) {
        Some(hello) => format!(
            "{}, cipher {}",
            version_name(hello.version),
            cipher_name(hello.cipher)
        ),
        None => "TLS version and cipher unknown (no ServerHello seen)".to_string(),
    }];
    match certificate.map(X509::from_der) {
        Some(Ok(certificate)) => lines.extend(certificate_lines(&certificate)),
        Some(Err(_)) => lines.push("server certificate unreadable".into()),
        None => lines.push("no server certificate".into()),
    }
    lines
}

fn certificate_lines(certificate: &X509) -> Vec<String> {
    let names: Vec<String> = certificate
        .subject_alt_names()
        .map(|names| {
            names
                .iter()
                .filter_map(|name| {
                    if let Some(dns) = name.dnsname() {
                        Some(format!("DNS {dns}"))
                    } else if let Some(ip) = name.ipaddress() {
                        ip_address(ip).map(|ip| format!("IP {ip}"))
                    } else {
                        name.email().map(|email| format!("email {email}"))
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let not_after = certificate.not_after();
    let left = openssl::asn1::Asn1Time::days_from_now(0)
        .and_then(|now| now.diff(not_after))
        .map(|diff| match diff.days {
            days if days < 0 => format!(" (expired {} days ago)", -days),
            days => format!(" (in {days} days)"),
        })
        .unwrap_or_default();
    vec![
        format!("certificate subject: {}", name(certificate.subject_name())),
        format!("certificate issuer: {}", name(certificate.issuer_name())),
        format!(
            "certificate names: {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ),
        format!("certificate expires: {not_after}{left}"),
    ]
}

/// `CN=example.com, O=Example`.
fn name(name: &X509NameRef) -> String {
    let parts: Vec<String> = name
        .entries()
        .map(|entry| {
            let key = entry.object().nid().short_name().unwrap_or("?");
            let value = entry.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect();
    if parts.is_empty() {
        "(empty)".to_string()
    } else {
        parts.join(", ")
    }
}

fn ip_address(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ServerHello record: legacy version 1.2, a session id, the cipher, and extensions.
    fn hello_record(session_id: &[u8], cipher: [u8; 2], extensions: &[u8]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.push(session_id.len() as u8);
        body.extend_from_slice(session_id);
        body.extend_from_slice(&cipher);
        body.push(0);
        if !extensions.is_empty() {
            body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
            body.extend_from_slice(extensions);
        }
        let mut message = vec![2, 0, 0, body.len() as u8];
        message.extend_from_slice(&body);
        let mut record = vec![22, 3, 3];
        record.extend_from_slice(&(message.len() as u16).to_be_bytes());
        record.extend_from_slice(&message);
        record
    }

    #[test]
    fn a_tls_1_2_hello_names_its_version_and_cipher() {
        // renegotiation_info (0xff01), empty.
        let record = hello_record(&[1; 32], [0xc0, 0x2f], &[0xff, 0x01, 0, 1, 0]);
        let hello = server_hello(&record).unwrap();
        assert_eq!(hello.version, 0x0303);
        assert_eq!(
            cipher_name(hello.cipher),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        );
    }

    #[test]
    fn a_tls_1_3_hello_names_itself_in_supported_versions() {
        let extensions = [0, 51, 0, 2, 0, 29, 0, 43, 0, 2, 3, 4];
        let mut bytes = hello_record(&[], [0x13, 0x02], &extensions);
        // What follows (ChangeCipherSpec, encrypted records) is not looked at.
        bytes.extend_from_slice(&[20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 9, 9]);
        let hello = server_hello(&bytes).unwrap();
        assert_eq!(version_name(hello.version), "TLS 1.3");
        assert_eq!(cipher_name(hello.cipher), "TLS_AES_256_GCM_SHA384");
    }

    #[test]
    fn a_hello_split_across_records_is_joined() {
        let record = hello_record(&[], [0x13, 0x01], &[0, 43, 0, 2, 3, 4]);
        let (head, body) = record[5..].split_at(10);
        let mut bytes = vec![22, 3, 3, 0, head.len() as u8];
        bytes.extend_from_slice(head);
        bytes.extend_from_slice(&[22, 3, 3, 0, body.len() as u8]);
        bytes.extend_from_slice(body);
        assert_eq!(
            server_hello(&bytes),
            Some(Hello {
                version: 0x0304,
                cipher: [0x13, 0x01]
            })
        );
    }

    #[test]
    fn anything_else_is_no_hello() {
        let record = hello_record(&[], [0x13, 0x01], &[]);
        for bytes in [
            &b""[..],
            b"HTTP/1.1 400 Bad Request\r\n\r\n",
            &record[..record.len() - 3],
            &[22, 3, 3, 0, 4, 1, 0, 0, 0],
            &[21, 3, 3, 0, 2, 2, 40],
        ] {
            assert_eq!(server_hello(bytes), None, "{bytes:?}");
        }
        assert_eq!(cipher_name([0xfe, 0xfe]), "0xFEFE");
    }
}
