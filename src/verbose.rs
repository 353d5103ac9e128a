//! `-v`: the upgrade request and response and where the connection time went, on stderr.
//! Credentials are masked unless `-vv`.

use std::time::Duration;

use crate::output::to_stderr;
use crate::protocol::handshake::{ClientHandshake, Head};

/// Headers whose values are secrets.
const SECRET: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

pub struct Verbose {
    level: u8,
    sanitize: bool,
}

impl Verbose {
    pub fn new(level: u8, sanitize: bool) -> Verbose {
        Verbose { level, sanitize }
    }

    fn line(&self, line: &str) {
        to_stderr(line, self.sanitize);
    }

    fn headers(&self, sigil: char, headers: &[(String, Vec<u8>)]) {
        for (name, value) in headers {
            let secret = SECRET.iter().any(|s| s.eq_ignore_ascii_case(name));
            let value = if self.level < 2 && secret {
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
        // The request line, as it went on the wire.
        let head = String::from_utf8_lossy(&handshake.request);
        self.line(&format!("> {}", head.lines().next().unwrap_or_default()));
        self.headers('>', &handshake.headers);
    }

    pub fn response(&self, answer: &Head) {
        if self.level == 0 {
            return;
        }
        self.line(&format!("< HTTP/1.1 {} {}", answer.status, answer.text));
        self.headers('<', &answer.headers);
    }

    /// `* DNS 0.1 ms, TCP 0.2 ms, TLS 3.0 ms, upgrade 0.9 ms`
    pub fn timings(&self, stages: &[(&str, Duration)]) {
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
