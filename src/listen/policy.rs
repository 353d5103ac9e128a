//! Our policy on a valid upgrade request: what it must carry (--auth, --require-header), the
//! path (--path), the subprotocol (-s) and the compression (permessage-deflate unless
//! --no-compress). The core has checked the RFC's rules.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::config::{Config, Required};
use crate::protocol::deflate::DeflateParams;
use crate::protocol::handshake::{Head, Refusal, Request};

pub(super) type Agreed = (Request, Option<String>, Option<(DeflateParams, String)>);

/// Our policy on a valid request: what it must carry, the path, the subprotocol, the
/// compression.
pub(super) fn check(config: &Config, request: Request) -> Result<Agreed, Refusal> {
    // First: a client without the credentials learns nothing more, not even the path.
    admit(&config.required, &request.head).map_err(|words| Refusal { status: 401, words })?;
    let target = &request.head.text;
    let path = target.split('?').next().unwrap_or(target);
    if let Some(wanted) = &config.path {
        if path != wanted {
            return Err(Refusal {
                status: 404,
                words: format!("path {path} not found (--path is {wanted})"),
            });
        }
    }
    // The client's order of preference, among those -s accepts; none agreed is no subprotocol.
    let subprotocol = request
        .subprotocols
        .iter()
        .find(|offered| config.subprotocols.contains(offered))
        .cloned();
    let deflate = match (&config.deflate, &request.extensions) {
        (Some(ours), Some(offers)) => ours.answer(offers).map_err(|words| Refusal {
            status: 400,
            words: format!("bad Sec-WebSocket-Extensions: {words}"),
        })?,
        _ => None,
    };
    Ok((request, subprotocol, deflate))
}

/// Whether the request carries what -l requires; if not, why, in words that name no value (they
/// are the refusal's body and the operator's line).
fn admit(required: &Required, head: &Head) -> Result<(), String> {
    if let Some(credentials) = &required.credentials {
        let mut given = lines(head, "Authorization").peekable();
        if given.peek().is_none() {
            return Err("Basic authorization missing (--auth)".into());
        }
        let mut basic = false;
        let mut right = false;
        // Every line is looked at, so the time taken does not say which one was right.
        for value in given {
            if let Some(encoded) = basic_credentials(value) {
                basic = true;
                let decoded = BASE64.decode(encoded).unwrap_or_default();
                right |= same(&decoded, credentials.as_bytes());
            }
        }
        match (basic, right) {
            (_, true) => {}
            (false, _) => return Err("Authorization is not Basic (--auth)".into()),
            (true, false) => return Err("wrong credentials (--auth)".into()),
        }
    }
    for (name, value) in &required.headers {
        let mut given = lines(head, name).peekable();
        if given.peek().is_none() {
            return Err(format!("{name} header missing (--require-header)"));
        }
        // Not `any`: it would stop at the first match, and the time would tell.
        let right = given.fold(false, |right, line| same(line, value.as_bytes()) | right);
        if !right {
            return Err(format!(
                "{name} header has another value (--require-header)"
            ));
        }
    }
    Ok(())
}

/// The values of the header `name` (in any case), one per line, without surrounding spaces.
fn lines<'a>(head: &'a Head, name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    head.headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim_ascii())
}

/// The credentials of `Basic <base64>` (the scheme in any case, RFC 7617), else None.
fn basic_credentials(value: &[u8]) -> Option<&[u8]> {
    // `Basic` alone is Basic without credentials: wrong ones, not another scheme.
    let space = value.iter().position(|b| *b == b' ').unwrap_or(value.len());
    let (scheme, rest) = value.split_at(space);
    scheme
        .eq_ignore_ascii_case(b"Basic")
        .then(|| rest.trim_ascii())
}

/// Whether `given` is `secret`, in a time that depends on the secret's length only: a client
/// timing its refusals cannot learn how much of a guess was right. Every byte of the secret is
/// compared, and the differences gathered without a branch on them.
fn same(given: &[u8], secret: &[u8]) -> bool {
    let mut difference = u8::from(given.len() != secret.len());
    for (at, byte) in secret.iter().enumerate() {
        let other = given.get(at).copied().unwrap_or(0);
        // black_box: the optimiser may not turn the loop into one that stops at a difference.
        difference = std::hint::black_box(difference | (byte ^ other));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::handshake::parse_request;

    fn required(credentials: Option<&str>, headers: &[(&str, &str)]) -> Required {
        Required {
            credentials: credentials.map(str::to_string),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.parse().unwrap()))
                .collect(),
        }
    }

    /// A valid upgrade request with these extra header lines.
    fn head(lines: &str) -> Head {
        let text = format!(
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             {lines}\r\n"
        );
        parse_request(text.as_bytes()).unwrap().unwrap().head
    }

    fn basic(credentials: &str) -> String {
        format!("Authorization: Basic {}\r\n", BASE64.encode(credentials))
    }

    #[test]
    fn basic_credentials_must_be_the_ones_of_auth() {
        let auth = required(Some("user:pa:ss"), &[]);
        let admitted = |lines: &str| admit(&auth, &head(lines));
        assert_eq!(admitted(&basic("user:pa:ss")), Ok(()));
        // The scheme in any case, spaces around the credentials.
        let encoded = BASE64.encode("user:pa:ss");
        assert_eq!(
            admitted(&format!("authorization: bAsIc  {encoded} \r\n")),
            Ok(())
        );
        let missing = Err("Basic authorization missing (--auth)".to_string());
        assert_eq!(admitted(""), missing);
        let wrong = Err("wrong credentials (--auth)".to_string());
        for bad in ["user:pa", "user:pa:ss ", "User:pa:ss", "", "user:pa:sss"] {
            assert_eq!(admitted(&basic(bad)), wrong, "{bad:?}");
        }
        assert_eq!(admitted("Authorization: Basic !!notbase64\r\n"), wrong);
        assert_eq!(admitted("Authorization: Basic\r\n"), wrong);
        assert_eq!(
            admitted("Authorization: Basically\r\n"),
            Err("Authorization is not Basic (--auth)".into())
        );
        assert_eq!(
            admitted(&format!("Authorization: Bearer {encoded}\r\n")),
            Err("Authorization is not Basic (--auth)".into())
        );
        // A right line among others is a right request.
        assert_eq!(
            admitted(&format!("{}{}", basic("x:y"), basic("user:pa:ss"))),
            Ok(())
        );
    }

    #[test]
    fn required_headers_need_their_exact_value_and_any_name_case() {
        let needs = required(None, &[("X-Token", "s3cret"), ("Origin", "https://a.test")]);
        let admitted = |lines: &str| admit(&needs, &head(lines));
        assert_eq!(
            admitted("x-token:  s3cret \r\nORIGIN: https://a.test\r\n"),
            Ok(())
        );
        assert_eq!(
            admitted("Origin: https://a.test\r\n"),
            Err("X-Token header missing (--require-header)".into())
        );
        let other = Err("X-Token header has another value (--require-header)".to_string());
        for bad in ["S3cret", "s3cre", "s3crets", "s3cret, s3cret"] {
            assert_eq!(
                admitted(&format!("X-Token: {bad}\r\nOrigin: https://a.test\r\n")),
                other,
                "{bad}"
            );
        }
        // The words never hold a value, the required one or the one sent.
        let Err(words) = admitted("X-Token: guess\r\n") else {
            panic!("admitted")
        };
        assert!(
            !words.contains("s3cret") && !words.contains("guess"),
            "{words}"
        );
        // The right value sent twice is still the right value.
        assert_eq!(
            admitted("X-Token: s3cret\r\nX-Token: s3cret\r\nOrigin: https://a.test\r\n"),
            Ok(())
        );
        // Nothing required: every request is admitted.
        assert_eq!(admit(&Required::default(), &head("")), Ok(()));
    }

    #[test]
    fn a_request_without_credentials_is_refused_401_before_its_path_is_judged() {
        let mut config = crate::config::tests::config_of(&["-l", "0", "--path", "/p", "-u", "u:p"]);
        let request = |lines: &str, target: &str| {
            let text = format!(
                "GET {target} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                 Sec-WebSocket-Version: 13\r\n{lines}\r\n"
            );
            parse_request(text.as_bytes()).unwrap().unwrap()
        };
        let refused = check(&config, request("", "/other")).unwrap_err();
        assert_eq!(refused.status, 401, "{refused:?}");
        let refused = check(&config, request(&basic("u:p"), "/other")).unwrap_err();
        assert_eq!(refused.status, 404, "{refused:?}");
        assert!(check(&config, request(&basic("u:p"), "/p")).is_ok());
        config.required = Required::default();
        assert!(check(&config, request("", "/p")).is_ok());
    }

    #[test]
    fn same_compares_whole_secrets() {
        assert!(same(b"", b""));
        assert!(same(b"abc", b"abc"));
        for other in [&b"abd"[..], b"ab", b"abcd", b"", b"ab\0"] {
            assert!(!same(other, b"abc"), "{other:?}");
        }
        assert!(!same(b"a", b""));
        // Two differences that would cancel out if gathered with xor ('a' ^ 'b' twice).
        assert!(!same(b"ba", b"ab"));
    }
}
