//! What wsc tells about a TLS session: for -v the version, cipher and ALPN OpenSSL agreed on, the
//! server's public key hash (what --pinnedpubkey takes) and its certificate chain as sent; in
//! any case a warning for each certificate that expires within 14 days.

use openssl::asn1::Asn1Time;
use openssl::ssl::SslRef;
use openssl::x509::{X509NameRef, X509Ref, X509VerifyResult};

use crate::words::plural;

/// A certificate ending fewer than this many whole days from now gets a warning.
const WARN_DAYS: i32 = 14;

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
        // Whole days from now to each certificate's end, negative when past.
        let left = |cert: &X509Ref| Some(now.as_ref()?.diff(cert.not_after()).ok()?.days);
        let warnings = chain
            .iter()
            .enumerate()
            .filter_map(|(at, cert)| {
                let when = expiry_warning(left(cert)?)?;
                let which = match at {
                    0 => "the server's certificate".to_string(),
                    at => format!("certificate {} of the server's chain", at + 1),
                };
                let subject = name(cert.subject_name());
                Some(format!("{which} ({subject}) {when} ({})", cert.not_after()))
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
            let left = left(cert).map_or(String::new(), |days| format!(" ({})", time_left(days)));
            lines.push(format!("{n} subject: {}", name(cert.subject_name())));
            lines.push(format!("{n} issuer: {}", name(cert.issuer_name())));
            lines.push(format!("{n} names: {}", alt_names(cert)));
            lines.push(format!("{n} expires: {}{left}", cert.not_after()));
        }
        Details { lines, warnings }
    }
}

/// The warning's words for a certificate that ends in `days` whole days (negative once it has
/// ended), or None when that is WARN_DAYS or more away.
fn expiry_warning(days: i32) -> Option<String> {
    Some(match days {
        i32::MIN..0 => time_left(days),
        0 => "expires within a day".to_string(),
        1..WARN_DAYS => format!("expires {}", time_left(days)),
        WARN_DAYS.. => return None,
    })
}

/// `in 29 days`, or `expired 3 days ago` for a certificate whose end is `days` whole days away.
fn time_left(days: i32) -> String {
    let count = plural(days.unsigned_abs().into(), "day");
    if days < 0 {
        format!("expired {count} ago")
    } else {
        format!("in {count}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_ending_within_14_days_are_warned_of_in_whole_days() {
        let table = [
            (-3, Some("expired 3 days ago")),
            (-1, Some("expired 1 day ago")),
            (0, Some("expires within a day")),
            (1, Some("expires in 1 day")),
            (13, Some("expires in 13 days")),
            (14, None),
            (400, None),
        ];
        for (days, words) in table {
            assert_eq!(expiry_warning(days).as_deref(), words, "{days}");
        }
    }

    #[test]
    fn verbose_says_how_long_is_left_or_how_long_ago_it_ended() {
        assert_eq!(time_left(29), "in 29 days");
        assert_eq!(time_left(0), "in 0 days");
        assert_eq!(time_left(-1), "expired 1 day ago");
        assert_eq!(time_left(-30), "expired 30 days ago");
    }

    #[test]
    fn ip_addresses_in_a_certificate_are_read_as_v4_or_v6() {
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(ip_address(&[127, 0, 0, 1]), "127.0.0.1".parse().ok());
        assert_eq!(ip_address(&v6), "2001:db8::1".parse().ok());
        assert_eq!(ip_address(&[1, 2, 3]), None, "neither length");
    }
}
