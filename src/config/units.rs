//! Numbers with units: seconds (`1.5`) and sizes (`64k`, `16M`, `1GiB`).

use std::time::Duration;

use super::usage;
use crate::error::Failure;

/// A size in bytes: `65536`, `64k`, `16M`, `1G` (k = 1024), also `64KiB`, `16MiB`, `1GiB`; the
/// suffix in any case. 0 is refused: every size wsc takes is a limit that must let something
/// through.
pub fn parse_size(flag: &str, text: &str) -> Result<usize, Failure> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, suffix) = trimmed.split_at(split);
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        _ => return Err(not_a_size(flag, text)),
    };
    if digits.is_empty() {
        return Err(not_a_size(flag, text));
    }
    let too_large = || usage(format!("{flag} {text} is too large"));
    let bytes = digits
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(1 << shift))
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(too_large)?;
    if bytes == 0 {
        return Err(usage(format!("{flag} must be at least 1 byte")));
    }
    Ok(bytes)
}

fn not_a_size(flag: &str, text: &str) -> Failure {
    usage(format!(
        "{flag} takes a size in bytes such as 65536, 64k, 16M or 1GiB, not '{text}'"
    ))
}

pub(super) fn parse_seconds(flag: &str, text: &str) -> Result<Duration, Failure> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| usage(format!("{flag} takes a number of seconds, not '{text}'")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::config_of;

    #[test]
    fn sizes_are_bytes_or_binary_multiples() {
        let table: [(&str, Result<usize, &str>); 17] = [
            ("65536", Ok(65536)),
            ("64k", Ok(64 << 10)),
            ("64K", Ok(64 << 10)),
            ("16M", Ok(16 << 20)),
            ("16m", Ok(16 << 20)),
            ("1G", Ok(1 << 30)),
            ("64KiB", Ok(64 << 10)),
            ("16mib", Ok(16 << 20)),
            ("1GiB", Ok(1 << 30)),
            (" 2 k ", Ok(2048)),
            ("1", Ok(1)),
            ("0", Err("must be at least 1 byte")),
            ("0k", Err("must be at least 1 byte")),
            (
                "k",
                Err("takes a size in bytes such as 65536, 64k, 16M or 1GiB, not 'k'"),
            ),
            ("1.5M", Err("not '1.5M'")),
            ("64kb", Err("not '64kb'")),
            (
                "99999999999999999999",
                Err("99999999999999999999 is too large"),
            ),
        ];
        for (text, want) in table {
            match (parse_size("--max-message-size", text), want) {
                (Ok(bytes), Ok(want)) => assert_eq!(bytes, want, "{text}"),
                (Err(Failure::Usage(words)), Err(want)) => assert!(
                    words.starts_with("--max-message-size ") && words.contains(want),
                    "{text}: {words}"
                ),
                (got, want) => panic!("{text}: {got:?}, wanted {want:?}"),
            }
        }
        assert_eq!(
            parse_size("--x", "17179869184G").unwrap_err(),
            Failure::Usage("--x 17179869184G is too large".into()),
            "overflow"
        );
        assert_eq!(config_of(&["h"]).max_message_size, 64 << 20, "the default");
        assert_eq!(
            config_of(&["h", "--max-message-size", "1k"]).max_message_size,
            1024
        );
    }

    #[test]
    fn seconds_must_be_non_negative_numbers() {
        assert_eq!(parse_seconds("--x", "1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["-2", "abc", "inf", "NaN"] {
            assert!(parse_seconds("--x", bad).is_err(), "{bad}");
        }
    }
}
