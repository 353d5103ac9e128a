//! `-v`: the upgrade request and response and where the connection time went, on stderr.
//! Credentials (headers and query parameters whose names look like them) are masked unless
//! `-vv`; header names are shown as they went on the wire.

use std::time::Duration;

use std::io::Write;

use crate::output::sanitize::escape_text;
use crate::output::{notice, stamped};
use crate::protocol::handshake::{ClientHandshake, Head};

/// Parts of a header or query parameter name that make it look like a credential
/// (`Authorization`, `X-Api-Key`, `Cookie`, `?access_token=`).
const CREDENTIAL_WORDS: [&str; 10] = [
    "token",
    "key",
    "secret",
    "auth",
    "password",
    "passwd",
    "session",
    "cookie",
    "signature",
    "credential",
];
/// Short query parameter names that are credentials too.
const CREDENTIAL_NAMES: [&str; 3] = ["pass", "pwd", "sig"];
/// The handshake's nonce and its answer are no secrets, and worth seeing.
const NOT_SECRET: [&str; 2] = ["sec-websocket-key", "sec-websocket-accept"];

/// Whether a header or query parameter of this name looks like it carries a credential.
pub(crate) fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !NOT_SECRET.contains(&name.as_str())
        && (CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
            || CREDENTIAL_NAMES.contains(&name.as_str()))
}

/// A request target or URL with the values of credential-looking query parameters masked:
/// `/feed?token=abc&room=1` -> `/feed?token=***&room=1`.
pub fn mask_query(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_string();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, value))
                if !value.is_empty()
                    && is_credential(
                        &percent_encoding::percent_decode_str(name).decode_utf8_lossy(),
                    ) =>
            {
                format!("{name}=***")
            }
            _ => param.to_string(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

/// A line of an HTTP head with its credentials masked: a credential-looking header's value, or
/// the query parameters of a request line's target.
pub fn mask_head_line(line: &str) -> String {
    if let Some((name, _)) = line.split_once(':') {
        if !name.contains(' ') && is_credential(name) {
            return format!("{name}: ***");
        }
    }
    match line.split(' ').collect::<Vec<_>>()[..] {
        [method, target, version] if version.starts_with("HTTP/") => {
            format!("{method} {} {version}", mask_query(target))
        }
        _ => line.to_string(),
    }
}

pub struct Verbose {
    level: u8,
    sanitize: bool,
    timestamps: bool,
}

impl Verbose {
    pub fn new(level: u8, sanitize: bool, timestamps: bool) -> Verbose {
        Verbose {
            level,
            sanitize,
            timestamps,
        }
    }

    /// A line as the other events on stderr show: escaped when stderr is a terminal (header
    /// values are the server's), `*` lines coloured as notices, stamped with `--timestamps`.
    fn line(&self, line: &str) {
        let line = if self.sanitize {
            escape_text(line)
        } else {
            line.into()
        };
        let line = match line.strip_prefix("* ") {
            Some(event) => notice(event),
            None => line.into_owned(),
        };
        let _ = writeln!(std::io::stderr(), "{}", stamped(line, self.timestamps));
    }

    fn headers(&self, sigil: char, headers: &[(String, Vec<u8>)]) {
        for (name, value) in headers {
            let value = if self.level < 2 && is_credential(name) {
                "*** (-vv shows it)".to_string()
            } else {
                String::from_utf8_lossy(value).into_owned()
            };
            self.line(&format!("{sigil} {name}: {value}"));
        }
    }

    pub fn request(&self, handshake: &ClientHandshake) {
        if self.level == 0 {
            return;
        }
        // The request line, as it went on the wire (credentials in the query masked).
        let head = String::from_utf8_lossy(&handshake.request);
        let line = head.lines().next().unwrap_or_default();
        let line = match line.split(' ').collect::<Vec<_>>()[..] {
            [method, target, version] if self.level < 2 => {
                format!("{method} {} {version}", mask_query(target))
            }
            _ => line.to_string(),
        };
        self.line(&format!("> {line}"));
        self.headers('>', &handshake.headers);
    }

    /// A `*` line on how the connection is made: the route, the addresses tried, the name
    /// overrides used.
    pub fn note(&self, event: &str) {
        if self.level > 0 {
            self.line(&format!("* {event}"));
        }
    }

    /// The TLS session: version, cipher, ALPN, the server's key and chain; its warnings (a
    /// certificate about to expire) are shown without -v too.
    pub fn tls(&self, details: &crate::tls::Details) {
        for warning in &details.warnings {
            crate::output::to_stderr(&format!("wsc: warning: {warning}"), self.sanitize);
        }
        if self.level == 0 {
            return;
        }
        for line in &details.lines {
            self.line(&format!("* {line}"));
        }
    }

    pub fn response(&self, answer: &Head) {
        if self.level == 0 {
            return;
        }
        self.line(&format!("< HTTP/1.1 {} {}", answer.status, answer.text));
        self.headers('<', &answer.headers);
    }

    /// A head of another exchange (a proxy's CONNECT): its first line and headers after `>` or
    /// `<`, credentials masked as in the upgrade.
    pub fn exchange(&self, sigil: char, line: &str, headers: &[(String, Vec<u8>)]) {
        if self.level == 0 {
            return;
        }
        self.line(&format!("{sigil} {line}"));
        self.headers(sigil, headers);
    }

    /// `* DNS 0.1 ms, TCP 0.2 ms, TLS 3.0 ms, upgrade 0.9 ms`
    pub fn timings(&self, stages: &[(String, Duration)]) {
        if self.level == 0 {
            return;
        }
        let parts: Vec<String> = stages
            .iter()
            .map(|(name, took)| format!("{name} {:.1} ms", took.as_secs_f64() * 1e3))
            .collect();
        self.line(&format!("* {}", parts.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_lines_lose_their_credentials() {
        assert_eq!(
            mask_head_line("Authorization: Basic dTpw"),
            "Authorization: ***"
        );
        assert_eq!(mask_head_line("X-Api-Key: abc"), "X-Api-Key: ***");
        assert_eq!(mask_head_line("Host: 127.0.0.1"), "Host: 127.0.0.1");
        assert_eq!(
            mask_head_line("GET /feed?token=abc&room=1 HTTP/1.1"),
            "GET /feed?token=***&room=1 HTTP/1.1"
        );
        assert_eq!(
            mask_head_line("HTTP/1.1 101 Switching Protocols"),
            "HTTP/1.1 101 Switching Protocols"
        );
        // Only a request line's target has its query masked: a header of three words whose
        // middle one looks like a target is not a request line.
        assert_eq!(
            mask_head_line("X-Next: /page?token=abc later"),
            "X-Next: /page?token=abc later"
        );
    }

    #[test]
    fn credential_looking_names_are_found_and_the_handshake_keys_are_not() {
        for name in [
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "set-cookie",
            "X-Api-Key",
            "X-AUTH-TOKEN",
            "X-Client-Secret",
            "access_token",
            "pass",
        ] {
            assert!(is_credential(name), "{name}");
        }
        for name in [
            "Sec-WebSocket-Key",
            "sec-websocket-accept",
            "Sec-WebSocket-Protocol",
            "User-Agent",
            "Host",
            "room",
            "passenger",
        ] {
            assert!(!is_credential(name), "{name}");
        }
    }

    #[test]
    fn query_credentials_are_masked_and_the_rest_kept() {
        let table = [
            ("/", "/"),
            ("/feed?room=1", "/feed?room=1"),
            ("/feed?token=abc", "/feed?token=***"),
            (
                "/f?room=1&api_key=k&x&access%5Ftoken=t&sig=",
                "/f?room=1&api_key=***&x&access%5Ftoken=***&sig=",
            ),
        ];
        for (target, shown) in table {
            assert_eq!(mask_query(target), shown, "{target}");
        }
    }
}
