//! The server's URL as the user typed it: schemes mapped to ws/wss, typos named, credentials
//! taken out.

use url::Url;

use super::usage;
use crate::error::Failure;

/// The schemes wsc takes.
const SCHEMES: [&str; 4] = ["ws", "wss", "http", "https"];

/// Parses what the user typed into a ws:// or wss:// URL, and takes out any `user:pass@`.
pub fn parse_url(input: &str) -> Result<(Url, Option<String>), Failure> {
    let input = input.trim();
    if input.is_empty() {
        return Err(usage("no URL given".into()));
    }
    let with_scheme = if let Some(at) = input.find("://") {
        // `ws:///path` would make `path` the host.
        if input[at + 3..].starts_with('/') {
            return Err(usage(format!(
                "invalid URL '{input}': no host after '{}' (three slashes)",
                &input[..at + 3]
            )));
        }
        input.to_string()
    } else if let Some(why) = scheme_typo(input, &SCHEMES) {
        return Err(usage(format!("invalid URL '{input}': {why}")));
    } else {
        format!("ws://{input}")
    };
    let mut url =
        Url::parse(&with_scheme).map_err(|e| usage(format!("invalid URL '{input}': {e}")))?;

    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            let hint = match meant_scheme(other, &SCHEMES) {
                Some(meant) => format!("did you mean {meant}://?"),
                None => "use ws:// or wss://".to_string(),
            };
            return Err(usage(format!(
                "invalid URL '{input}': unsupported scheme '{other}' ({hint})"
            )));
        }
    };
    // Both sides are "special" schemes in the URL standard, so this cannot fail.
    let _ = url.set_scheme(scheme);
    match url.host_str() {
        None | Some("") => return Err(usage(format!("invalid URL '{input}': no host"))),
        Some(_) => {}
    }
    if url.port() == Some(0) {
        return Err(usage(format!("invalid URL '{input}': port 0")));
    }
    url.set_fragment(None);

    let userinfo = if url.username().is_empty() && url.password().is_none() {
        None
    } else {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let info = format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or(""))
        );
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Some(info)
    };
    Ok((url, userinfo))
}

/// What is wrong with a URL typed without `://` whose start is one of `schemes` gone wrong
/// (`ws:/host`, `ws:host`, `wss//host`, `htp:/h`): without this, `ws` would be looked up as a
/// host name. `host:9000` and `host/path` are not typos (nor `ws:9000`: a host named `ws`).
/// Proxy URLs are read the same way, with the proxy schemes.
pub fn scheme_typo(input: &str, schemes: &[&'static str]) -> Option<String> {
    let end = input
        .find(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
        .unwrap_or(input.len());
    let (word, rest) = input.split_at(end);
    let problem = if let Some(after) = rest.strip_prefix(":/") {
        (format!("one slash after '{word}:'"), after)
    } else if let Some(after) = rest.strip_prefix("//") {
        (format!("no ':' after '{word}'"), after)
    } else if let Some(after) = rest
        .strip_prefix('/')
        .filter(|_| schemes.contains(&word.to_ascii_lowercase().as_str()))
    {
        // Only a scheme's own name: `localhost/chat` is a host and a path.
        (format!("no ':/' after '{word}'"), after)
    } else if let Some(after) = rest.strip_prefix(':') {
        // `host:9000` is a port; `user:pass@host` is not a scheme either.
        let port = after.split('/').next().unwrap_or_default();
        if (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())) || after.contains('@') {
            return None;
        }
        (format!("no // after '{word}:'"), after)
    } else {
        return None;
    };
    let meant = meant_scheme(word, schemes)?;
    let (why, after) = problem;
    let why = if word.eq_ignore_ascii_case(meant) {
        why
    } else {
        format!("'{word}' looks like a misspelt {meant}")
    };
    let host = after.trim_start_matches('/');
    Some(if host.is_empty() {
        format!("{why}, and no host")
    } else {
        format!("{why} (write {meant}://{host})")
    })
}

/// The scheme a word most likely means: itself, or (for three letters or more, so that a host
/// named `w` stays a host) the nearest one a single typo away.
fn meant_scheme(word: &str, schemes: &[&'static str]) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    let nearest = schemes
        .iter()
        .copied()
        .map(|scheme| (typos(scheme, &word), scheme))
        .min()?;
    match nearest {
        (0, scheme) => Some(scheme),
        (1, scheme) if word.len() >= 3 => Some(scheme),
        _ => None,
    }
}

/// How many letters must be inserted, deleted, changed or swapped to turn `a` into `b` (optimal
/// string alignment distance).
fn typos(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let change = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + change);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(input: &str) -> String {
        parse_url(input)
            .map(|(u, _)| u.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn schemes_are_mapped_to_websocket_ones() {
        assert_eq!(url("ws://a.example/x?y=1"), "ws://a.example/x?y=1");
        assert_eq!(url("wss://a.example"), "wss://a.example/");
        assert_eq!(url("http://a.example:8080/p"), "ws://a.example:8080/p");
        assert_eq!(url("https://a.example/"), "wss://a.example/");
        assert_eq!(url("localhost:9000/chat"), "ws://localhost:9000/chat");
        assert_eq!(url("ws://[::1]:9000/"), "ws://[::1]:9000/");
        assert_eq!(url("ws://h/#frag"), "ws://h/");
    }

    #[test]
    fn bad_urls_are_usage_errors() {
        for bad in [
            "ws://h:99999/",
            "ftp://h/",
            "ws://",
            "",
            "ws://h:0/",
            "ws://[::1/",
        ] {
            assert!(matches!(parse_url(bad), Err(Failure::Usage(_))), "{bad}");
        }
        assert!(url("ftp://h/").contains("unsupported scheme 'ftp'"));
    }

    #[test]
    fn scheme_typos_are_usage_errors_that_say_what_looks_wrong() {
        let table = [
            ("ws:/host", "one slash after 'ws:' (write ws://host)"),
            ("wss:/h:1/p", "one slash after 'wss:' (write wss://h:1/p)"),
            ("ws:host", "no // after 'ws:' (write ws://host)"),
            (
                "ws:127.0.0.1:9/x",
                "no // after 'ws:' (write ws://127.0.0.1:9/x)",
            ),
            ("ws:///path", "no host after 'ws://' (three slashes)"),
            ("HTTPS:h", "no // after 'HTTPS:' (write https://h)"),
            ("wss//host", "no ':' after 'wss' (write wss://host)"),
            ("ws//host/x", "no ':' after 'ws' (write ws://host/x)"),
            ("wss/host", "no ':/' after 'wss' (write wss://host)"),
            ("ws:", "no // after 'ws:', and no host"),
            ("ws:/", "one slash after 'ws:', and no host"),
            (
                "htp:/h",
                "'htp' looks like a misspelt http (write http://h)",
            ),
            ("wss:://h", "empty host"),
            (
                "htp://h",
                "unsupported scheme 'htp' (did you mean http://?)",
            ),
            (
                "htps://h",
                "unsupported scheme 'htps' (did you mean https://?)",
            ),
            (
                "wsss://h",
                "unsupported scheme 'wsss' (did you mean wss://?)",
            ),
            ("ftp://h", "unsupported scheme 'ftp' (use ws:// or wss://)"),
        ];
        for (input, words) in table {
            match parse_url(input) {
                Err(Failure::Usage(message)) => assert!(
                    message.starts_with(&format!("invalid URL '{input}': "))
                        && message.ends_with(words),
                    "{input}: {message}"
                ),
                other => panic!("{input}: {other:?}"),
            }
        }
        // Hosts that merely look a little like schemes, ports and credentials are not typos.
        for (input, read) in [
            ("ws:9000/x", "ws://ws:9000/x"),
            ("w//x", "ws://w//x"),
            ("wsx/chat", "ws://wsx/chat"),
            ("localhost/chat", "ws://localhost/chat"),
            ("web:8080", "ws://web:8080/"),
            ("localhost:/x", "ws://localhost/x"),
            ("ws:pw@host", "ws://host/"),
        ] {
            assert_eq!(url(input), read, "{input}");
        }
    }

    #[test]
    fn two_neighbours_swapped_are_one_typo_and_other_moves_are_not() {
        assert_eq!(typos("ab", "ba"), 1);
        assert_eq!(typos("abcdef", "abcdfe"), 1);
        assert_eq!(typos("wss", "sws"), 1);
        // Optimal string alignment: a swapped pair is not edited again ("ca" to "abc" is 3).
        assert_eq!(typos("ca", "abc"), 3);
        assert_eq!(typos("kitten", "sitting"), 3);
    }

    #[test]
    fn userinfo_is_taken_out_of_the_url() {
        let (url, info) = parse_url("ws://al%40ice:s%3Acret@h:1/p").unwrap();
        assert_eq!(url.as_str(), "ws://h:1/p");
        assert_eq!(info.as_deref(), Some("al@ice:s:cret"));
        // A token alone, as many APIs take it: the user with an empty password.
        let (url, info) = parse_url("ws://token@h/").unwrap();
        assert_eq!(url.as_str(), "ws://h/");
        assert_eq!(info.as_deref(), Some("token:"));
        let (_, info) = parse_url("ws://h/").unwrap();
        assert_eq!(info, None);
    }
}
