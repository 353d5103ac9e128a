//! The upgrade request's headers from the flags: credentials, origin, user agent, -H lines
//! (`-H Sec-WebSocket-Protocol` taken as offers), each checked.

use base64::Engine;
use http::{HeaderName, HeaderValue};

use super::usage;
use crate::cli::Cli;
use crate::error::Failure;

const TOKEN_CHARACTERS: &str = "a name is letters, digits and !#$%&'*+-.^_`|~";

/// Request headers in order, names as typed.
type Headers = Vec<(String, HeaderValue)>;

/// The headers wsc adds to the upgrade request: authorization (flag or URL userinfo), origin,
/// user agent, then -H headers, which replace a default of the same name. `-H
/// Sec-WebSocket-Protocol` lines are taken out and returned apart: they are offers.
pub(super) fn request_headers(
    cli: &Cli,
    userinfo: Option<String>,
) -> Result<(Headers, Vec<HeaderValue>), Failure> {
    let mut headers = Vec::new();
    let credentials = cli
        .auth
        .as_ref()
        .or(cli.user.as_ref())
        .map(|c| parse_credentials(c))
        .transpose()?;
    if let Some(credentials) = credentials.or(userinfo) {
        headers.push((
            "Authorization".to_string(),
            header_value("Authorization", &basic_authorization(&credentials))?,
        ));
    }
    if let Some(origin) = &cli.origin {
        headers.push(("Origin".to_string(), header_value("Origin", origin)?));
    }
    let agent = cli
        .user_agent
        .clone()
        .unwrap_or_else(|| format!("wsc/{}", env!("CARGO_PKG_VERSION")));
    // `-A ''` sends none, as in curl.
    if !agent.trim().is_empty() {
        headers.push((
            "User-Agent".to_string(),
            header_value("User-Agent", &agent)?,
        ));
    }
    let extra = cli
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    // wsc must understand every extension it offers, so offers are made by flags.
    if extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-extensions"))
    {
        return Err(usage(
            "-H Sec-WebSocket-Extensions: wsc offers only what it implements; use \
             --no-compress or the compression flags (--server-max-window-bits, ...)"
                .into(),
        ));
    }
    // wscat users offer subprotocols with -H; wsc offers them with -s, in one header line.
    let (listed, extra): (Vec<_>, Vec<_>) = extra
        .into_iter()
        .partition(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-protocol"));
    // A header given with -H replaces the one wsc would send by default.
    headers.retain(|(name, _)| !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
    headers.extend(extra);
    Ok((
        headers,
        listed.into_iter().map(|(_, value)| value).collect(),
    ))
}

/// The subprotocols to offer: `-s` ones first, then those listed in `-H Sec-WebSocket-Protocol`
/// lines, each once. Each must be an HTTP token (RFC 6455 §4.1).
pub(super) fn subprotocols(
    flags: &[String],
    listed: &[HeaderValue],
) -> Result<Vec<String>, Failure> {
    let mut offered: Vec<String> = Vec::new();
    for protocol in flags.iter().map(|p| p.as_str()) {
        if !is_token(protocol) {
            return Err(usage(format!(
                "invalid subprotocol '{protocol}' ({TOKEN_CHARACTERS})"
            )));
        }
        if !offered.iter().any(|o| o == protocol) {
            offered.push(protocol.to_string());
        }
    }
    for value in listed {
        let text = String::from_utf8_lossy(value.as_bytes());
        // An HTTP list may have empty elements; they offer nothing.
        for protocol in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if !is_token(protocol) {
                return Err(usage(format!(
                    "invalid subprotocol '{protocol}' in -H 'Sec-WebSocket-Protocol: {text}' \
                     ({TOKEN_CHARACTERS})"
                )));
            }
            if !offered.iter().any(|o| o == protocol) {
                offered.push(protocol.to_string());
            }
        }
    }
    Ok(offered)
}

/// Whether `text` is an HTTP token (RFC 9110 §5.6.2).
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub(super) fn parse_credentials(credentials: &str) -> Result<String, Failure> {
    if credentials.contains(':') {
        Ok(credentials.to_string())
    } else {
        Err(usage("credentials must be given as USER:PASS".into()))
    }
}

fn basic_authorization(credentials: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    )
}

/// Parses `Name: value` as given to `-H`; the name keeps the case it was typed in.
pub fn parse_header(header: &str) -> Result<(String, HeaderValue), Failure> {
    let malformed = || {
        usage(format!(
            "malformed header '{header}' (expected 'Name: value')"
        ))
    };
    let (name, value) = header.split_once(':').ok_or_else(malformed)?;
    let name = name.trim();
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| malformed())?;
    Ok((name.to_string(), header_value(header, value.trim())?))
}

/// A header value as it will arrive: HTTP drops whitespace around a value, so it is not sent.
fn header_value(what: &str, value: &str) -> Result<HeaderValue, Failure> {
    HeaderValue::from_str(value.trim()).map_err(|_| {
        usage(format!(
            "invalid header value in '{what}' (control characters?)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_need_a_name_and_a_colon() {
        let (name, value) = parse_header("X-Token:  abc ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("X-Token", "abc"));
        for bad in ["NoColon", ": value", "Bad Name: v", "X: a\u{1}b"] {
            assert!(matches!(parse_header(bad), Err(Failure::Usage(_))), "{bad}");
        }
    }
}
