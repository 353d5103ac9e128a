//! `-v`: the upgrade request and response and where the connection time went, on stderr.
//! Credentials are masked unless `-vv`.

use std::time::Duration;

use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderMap;

use crate::output::to_stderr;

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

    fn headers(&self, sigil: char, headers: &HeaderMap) {
        for (name, value) in headers {
            let value = if self.level < 2 && SECRET.contains(&name.as_str()) {
                "*** (-vv shows it)".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            self.line(&format!("{sigil} {name}: {value}"));
        }
    }

    pub fn request(&self, request: &Request) {
        if self.level == 0 {
            return;
        }
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        self.line(&format!("> GET {target} HTTP/1.1"));
        self.headers('>', request.headers());
    }

    pub fn response(&self, response: &Response) {
        if self.level == 0 {
            return;
        }
        let status = response.status();
        self.line(&format!(
            "< {:?} {} {}",
            response.version(),
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ));
        self.headers('<', response.headers());
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
