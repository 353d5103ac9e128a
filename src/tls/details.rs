//! What wsc tells about a TLS session: for -v the version, cipher and ALPN OpenSSL agreed on, the
//! server's public key hash (what --pinnedpubkey takes) and its certificate chain as sent; in
//! any case a warning for each certificate that expires within 14 days.

use openssl::asn1::Asn1Time;
use openssl::ssl::SslRef;
use openssl::x509::{X509NameRef, X509Ref, X509VerifyResult};

use crate::words::plural;

/// A certificate expiring sooner than this gets a warning.
const WARN_DAYS: u32 = 14;

/// What to show of a TLS session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// For -v, without their `* `.
    pub lines: Vec<String>,
    /// For `wsc: warning:` lines, shown without -v too.
    pub warnings: Vec<String>,
}

impl Details {
    /// The session's details; `verbose` says whether the -v lines are wanted. `key` is the
    /// server's public key (DER), `insecure` whether the chain went unverified (-k).
    pub fn of(ssl: &SslRef, key: Option<&[u8]>, verbose: bool, insecure: bool) -> Details {
        let chain: Vec<&X509Ref> = ssl
            .peer_cert_chain()
            .map(|chain| chain.iter().collect())
            .unwrap_or_default();
        let now = Asn1Time::days_from_now(0).ok();
        let soon = Asn1Time::days_from_now(WARN_DAYS).ok();
        // Whole days from now to each certificate's end, negative when past.
        let left = |cert: &X509Ref| Some(now.as_ref()?.diff(cert.not_after()).ok()?.days);
        let warnings = chain
            .iter()
            .enumerate()
            .filter(|(_, cert)| soon.as_ref().is_some_and(|soon| cert.not_after() < soon))
            .map(|(at, cert)| {
                let which = match at {
                    0 => "the server's certificate".to_string(),
                    at => format!("certificate {} of the server's chain", at + 1),
                };
                let when = match left(cert) {
                    Some(days) if days < 0 => {
                        format!("expired {} ago", plural(-days as u64, "day"))
                    }
                    Some(0) => "expires within a day".to_string(),
                    Some(days) => format!("expires in {}", plural(days as u64, "day")),
                    None => "expires soon".to_string(),
                };
                let subject = name(cert.subject_name());
                format!("{which} ({subject}) {when} ({})", cert.not_after())
            })
            .collect();
        if !verbose {
            return Details {
                lines: Vec::new(),
                warnings,
            };
        }
        let mut lines = vec![session(ssl)];
        if insecure {
            // OpenSSL checks the chain under -k too, and only does not act on the result.
            lines.push(match ssl.verify_result() {
                X509VerifyResult::OK => {
                    "certificate not verified (-k); its chain would pass".into()
                }
                failed => format!(
                    "certificate not verified (-k); its chain would fail: {}",
                    failed.error_string()
                ),
            });
        }
        if let Some(key) = key {
            lines.push(format!("server public key {}", super::pin::hash(key)));
        }
        if chain.is_empty() {
            lines.push("no server certificate".into());
        }
        for (at, cert) in chain.iter().enumerate() {
            let n = format!("certificate {}/{}", at + 1, chain.len());
            let left = match left(cert) {
                Some(days) if days < 0 => format!(" (expired {} ago)", plural(-days as u64, "day")),
                Some(days) => format!(" (in {})", plural(days as u64, "day")),
                None => String::new(),
            };
            lines.push(format!("{n} subject: {}", name(cert.subject_name())));
            lines.push(format!("{n} issuer: {}", name(cert.issuer_name())));
            lines.push(format!("{n} names: {}", alt_names(cert)));
            lines.push(format!("{n} expires: {}{left}", cert.not_after()));
        }
        Details { lines, warnings }
    }
}

/// `TLS 1.3, cipher TLS_AES_256_GCM_SHA384, ALPN http/1.1`: what the two ends agreed on.
pub(super) fn session(ssl: &SslRef) -> String {
    let alpn = ssl
        .selected_alpn_protocol()
        .map_or("none".into(), String::from_utf8_lossy);
    let cipher = ssl
        .current_cipher()
        .map_or("unknown", |c| c.standard_name().unwrap_or(c.name()));
    format!(
        "{}, cipher {cipher}, ALPN {alpn}",
        ssl.version_str().replacen("TLSv", "TLS ", 1)
    )
}

/// `DNS example.com, IP 127.0.0.1`, or `none`.
fn alt_names(certificate: &X509Ref) -> String {
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
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
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
