//! The opening handshake (RFC 6455 §4), both roles: the client's request and the checks on the
//! server's answer; the server's checks on a request and its answer. HTTP heads are parsed by
//! httparse; every WebSocket rule is checked here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha1::{Digest, Sha1};

use super::deflate::{DeflateOffer, DeflateParams};

/// An answer or request head larger than this is refused: nothing legitimate comes close.
pub const MAX_HEAD: usize = 64 * 1024;
/// At most this many header lines.
const MAX_HEADERS: usize = 128;

/// An HTTP head, as it came: names keep their case, values are bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The status line's code (an answer) or 0 (a request).
    pub status: u16,
    /// The status line's reason phrase, or the request's target.
    pub text: String,
    pub headers: Vec<(String, Vec<u8>)>,
    /// How many bytes the head took: what follows it is frames, or a refusal's body.
    pub len: usize,
}

impl Head {
    /// Every value of the header `name` (case-insensitive), joined with ", " as HTTP allows.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_string())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Whether the comma-separated header `name` holds `token` (case-insensitive).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get(name).is_some_and(|value| {
            value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        })
    }
}

fn headers_of(parsed: &[httparse::Header<'_>]) -> Vec<(String, Vec<u8>)> {
    parsed
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect()
}

/// Why a head could not be read.
fn head_error(error: httparse::Error) -> String {
    match error {
        httparse::Error::TooManyHeaders => format!("more than {MAX_HEADERS} header lines"),
        other => format!("malformed HTTP ({other})"),
    }
}

/// `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    BASE64.encode(sha1.finalize())
}

// ---------------------------------------------------------------------------------------------
// Client role

/// The headers a client handshake writes itself; one given by the user replaces it.
const GENERATED: [&str; 5] = [
    "Host",
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
];

/// What the client asks for.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    /// The request target: path and query.
    pub target: String,
    /// The Host header's value.
    pub host: String,
    /// Further headers in order (user agent, origin, authorization, `-H` ...).
    pub headers: Vec<(String, Vec<u8>)>,
    pub subprotocols: Vec<String>,
    pub deflate: Option<DeflateOffer>,
}

/// A client's request, ready to send, and what its answer must say.
#[derive(Debug, Clone)]
pub struct ClientHandshake {
    /// The request head as it goes on the wire.
    pub request: Vec<u8>,
    /// The request's header lines, for `-v`.
    pub headers: Vec<(String, Vec<u8>)>,
    accept: String,
    offer: Offer,
}

/// What an accepted upgrade agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreed {
    pub subprotocol: Option<String>,
    pub deflate: Option<DeflateParams>,
}

impl ClientHandshake {
    /// Builds the request; `key` are 16 random bytes (RFC 6455 §4.1 asks for a fresh nonce).
    pub fn new(offer: Offer, key: [u8; 16]) -> ClientHandshake {
        let mut headers: Vec<(String, Vec<u8>)> = vec![
            ("Host".into(), offer.host.clone().into_bytes()),
            ("Upgrade".into(), b"websocket".to_vec()),
            ("Connection".into(), b"Upgrade".to_vec()),
            ("Sec-WebSocket-Key".into(), BASE64.encode(key).into_bytes()),
            ("Sec-WebSocket-Version".into(), b"13".to_vec()),
        ];
        if !offer.subprotocols.is_empty() {
            let list = offer.subprotocols.join(", ");
            headers.push(("Sec-WebSocket-Protocol".into(), list.into_bytes()));
        }
        if let Some(deflate) = &offer.deflate {
            let value = deflate.header_value().into_bytes();
            headers.push(("Sec-WebSocket-Extensions".into(), value));
        }
        for (name, value) in &offer.headers {
            match GENERATED.iter().position(|g| g.eq_ignore_ascii_case(name)) {
                Some(at) => headers[at] = (name.clone(), value.clone()),
                None => headers.push((name.clone(), value.clone())),
            }
        }
        let mut request = format!("GET {} HTTP/1.1\r\n", offer.target).into_bytes();
        for (name, value) in &headers {
            request.extend_from_slice(name.as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        // The key actually sent (perhaps the user's) decides the accept value.
        let key = String::from_utf8_lossy(&headers[3].1).into_owned();
        ClientHandshake {
            request,
            headers,
            accept: accept_key(&key),
            offer,
        }
    }

    /// Checks an accepted-looking answer (status 101) against every rule of RFC 6455 §4.1 and
    /// against what was offered. Errors are in words, for status 5.
    pub fn check(&self, answer: &Head) -> Result<Agreed, String> {
        if answer.status != 101 {
            return Err(format!("server answered {} {}", answer.status, answer.text));
        }
        if !answer.has_token("Upgrade", "websocket") {
            return Err("server answer lacks 'Upgrade: websocket'".into());
        }
        if !answer.has_token("Connection", "upgrade") {
            return Err("server answer lacks 'Connection: Upgrade'".into());
        }
        // A repeated header comes joined with ", ", which no accept key or nonce matches.
        match answer.get("Sec-WebSocket-Accept") {
            Some(accept) if accept == self.accept => {}
            Some(_) => return Err("server sent a wrong Sec-WebSocket-Accept key".into()),
            None => return Err("server answer lacks 'Sec-WebSocket-Accept'".into()),
        }
        let offered = &self.offer.subprotocols;
        // Never an empty list in words: "offered: )" helps nobody.
        let what_was_offered = || match offered.is_empty() {
            true => "none was offered".to_string(),
            false => format!("offered: {}", offered.join(", ")),
        };
        let subprotocol = match answer.get("Sec-WebSocket-Protocol") {
            Some(chosen) if offered.contains(&chosen) => Some(chosen),
            Some(chosen) => {
                return Err(format!(
                    "server selected subprotocol '{chosen}', which was not offered ({})",
                    what_was_offered()
                ));
            }
            // RFC 6455 lets a server decline them all, but a client that offers subprotocols
            // cannot speak to one that picks none: browsers' ws and node's ws fail here too.
            None if !offered.is_empty() => {
                return Err(format!(
                    "server selected none of the offered subprotocols ({})",
                    offered.join(", ")
                ));
            }
            None => None,
        };
        let deflate = match (answer.get("Sec-WebSocket-Extensions"), &self.offer.deflate) {
            (None, _) => None,
            (Some(selected), None) => {
                return Err(format!(
                    "server selected extension '{selected}' that was not offered"
                ));
            }
            (Some(selected), Some(offer)) => offer.accept(&selected).map_err(|why| {
                format!("server answered with an extension we did not allow: {why}")
            })?,
        };
        Ok(Agreed {
            subprotocol,
            deflate,
        })
    }
}

/// Parses the answer head at the start of `buf`: `Ok(None)` while it is incomplete.
pub fn parse_answer(buf: &[u8]) -> Result<Option<Head>, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) if len > MAX_HEAD => Err(too_large()),
        Ok(httparse::Status::Complete(len)) => {
            if response.version != Some(1) {
                return Err("server answered with an HTTP version below 1.1".into());
            }
            Ok(Some(Head {
                status: response.code.unwrap_or_default(),
                text: response.reason.unwrap_or_default().to_string(),
                headers: headers_of(response.headers),
                len,
            }))
        }
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => Err(too_large()),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(format!("server answered with {}", head_error(e))),
    }
}

fn too_large() -> String {
    format!(
        "server's answer to the upgrade is too large (over {} KiB)",
        MAX_HEAD / 1024
    )
}

// ---------------------------------------------------------------------------------------------
// Server role

/// A valid upgrade request, as a server sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub head: Head,
    pub key: String,
    /// The subprotocols offered, in the client's order of preference.
    pub subprotocols: Vec<String>,
    /// The extension offers, if any (all lines joined).
    pub extensions: Option<String>,
}

/// A request a server must turn down: the status to answer and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub words: String,
}

fn refusal(status: u16, words: impl Into<String>) -> Refusal {
    Refusal {
        status,
        words: words.into(),
    }
}

/// Parses and checks an upgrade request at the start of `buf` (RFC 6455 §4.2.1): `Ok(None)`
/// while it is incomplete.
pub fn parse_request(buf: &[u8]) -> Result<Option<Request>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) if len <= MAX_HEAD => len,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => return Ok(None),
        Ok(_) => return Err(refusal(431, "request head too large")),
        Err(e) => return Err(refusal(400, head_error(e))),
    };
    if request.method != Some("GET") {
        return Err(refusal(405, "the upgrade must be a GET request"));
    }
    if request.version != Some(1) {
        return Err(refusal(505, "the upgrade needs HTTP/1.1"));
    }
    let head = Head {
        status: 0,
        text: request.path.unwrap_or("/").to_string(),
        headers: headers_of(request.headers),
        len,
    };
    if head.get("Host").is_none() {
        return Err(refusal(400, "request lacks a Host header"));
    }
    if !head.has_token("Upgrade", "websocket") {
        return Err(refusal(426, "request lacks 'Upgrade: websocket'"));
    }
    if !head.has_token("Connection", "upgrade") {
        return Err(refusal(400, "request lacks 'Connection: Upgrade'"));
    }
    if head.get("Sec-WebSocket-Version").as_deref() != Some("13") {
        return Err(refusal(426, "only WebSocket version 13 is supported"));
    }
    let key = head.get("Sec-WebSocket-Key").unwrap_or_default();
    let decoded = BASE64.decode(&key).map_or(0, |k| k.len());
    if decoded != 16 {
        return Err(refusal(400, "Sec-WebSocket-Key is not 16 bytes in base64"));
    }
    let subprotocols = head
        .get("Sec-WebSocket-Protocol")
        .map(|list| {
            list.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let extensions = head.get("Sec-WebSocket-Extensions");
    Ok(Some(Request {
        head,
        key,
        subprotocols,
        extensions,
    }))
}

/// The 101 answer to a valid request.
pub fn accept(request: &Request, subprotocol: Option<&str>, extensions: Option<&str>) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n",
        accept_key(&request.key)
    );
    if let Some(protocol) = subprotocol {
        answer.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
    }
    if let Some(extensions) = extensions {
        answer.push_str(&format!("Sec-WebSocket-Extensions: {extensions}\r\n"));
    }
    answer.push_str("\r\n");
    answer.into_bytes()
}

/// The challenge of a 401: RFC 9110 §15.5.2 asks for one, and Basic is the one scheme a wsc
/// server checks (its other requirements are plain headers, named in the refusal's body).
const CHALLENGE: &str = "Basic realm=\"wsc\"";

/// The answer that turns a request down, with the reason as a short text body.
pub fn refuse(refusal: &Refusal) -> Vec<u8> {
    let reason = match refusal.status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let body = format!("{}\n", refusal.words);
    // What the client must send to be accepted: the version we speak, or credentials.
    let wanted = match refusal.status {
        426 => "Sec-WebSocket-Version: 13\r\n".to_string(),
        401 => format!("WWW-Authenticate: {CHALLENGE}\r\n"),
        _ => String::new(),
    };
    format!(
        "HTTP/1.1 {} {reason}\r\n{wanted}Content-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        refusal.status,
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests;
