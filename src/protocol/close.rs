//! Close frames (RFC 6455 §5.5.1, §7.4): which codes may travel on the wire, and the payload.

use super::Violation;

/// Whether `code` may appear in a Close frame. 1005, 1006 and 1015 are for reports only, 1004 and
/// 1016–2999 are reserved, below 1000 is unused; 1012–1014 were registered with IANA later.
pub fn is_sendable(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// A received Close payload: no status, or a status with its reason.
pub fn parse(payload: &[u8]) -> Result<Option<(u16, String)>, Violation> {
    match payload {
        [] => Ok(None),
        [_] => Err(Violation::protocol("close frame with a one-byte payload")),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !is_sendable(code) {
                return Err(Violation::protocol(format!("invalid close code {code}")));
            }
            let reason = std::str::from_utf8(reason)
                .map_err(|_| Violation::invalid_payload("invalid UTF-8 in the close reason"))?;
            Ok(Some((code, reason.to_string())))
        }
    }
}

/// The payload of a Close we send.
pub fn payload(close: Option<(u16, &str)>) -> Vec<u8> {
    match close {
        None => Vec::new(),
        Some((code, reason)) => {
            let mut payload = code.to_be_bytes().to_vec();
            payload.extend_from_slice(reason.as_bytes());
            payload
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_registry() {
        for code in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1014, 3000, 4999,
        ] {
            assert!(is_sendable(code), "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, u16::MAX] {
            assert!(!is_sendable(code), "{code}");
        }
    }

    #[test]
    fn payloads_parse_or_say_what_is_wrong() {
        assert_eq!(parse(b""), Ok(None));
        assert_eq!(parse(b"\x03\xe8"), Ok(Some((1000, String::new()))));
        assert_eq!(parse(b"\x0f\xa1bye"), Ok(Some((4001, "bye".into()))));
        let err = parse(b"\x03").unwrap_err();
        assert_eq!(
            (err.code, err.words.as_str()),
            (1002, "close frame with a one-byte payload")
        );
        let err = parse(b"\x03\xed").unwrap_err();
        assert_eq!(
            (err.code, err.words.as_str()),
            (1002, "invalid close code 1005")
        );
        let err = parse(b"\x03\xe8\xff").unwrap_err();
        assert_eq!(err.code, 1007);
    }

    #[test]
    fn our_payload_parses_back() {
        assert_eq!(
            parse(&payload(Some((4000, "done")))),
            Ok(Some((4000, "done".into())))
        );
        assert_eq!(payload(None), b"");
    }
}
