//! curl's no-proxy matching (`--noproxy`, `no_proxy`, `NO_PROXY`), rule for rule: no crate
//! matches it (hyper-util splits on commas only, takes `*` anywhere, reads `/0` as every address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether the no-proxy `list` exempts `host` (the URL's host; IPv6 without brackets).
pub fn matches(host: &str, list: &str) -> bool {
    if host.is_empty() || list.is_empty() {
        return false;
    }
    // Only the whole list `*` means every host: a `*` token is no wildcard.
    if list == "*" {
        return true;
    }
    let ip = host.parse::<IpAddr>().ok();
    let name = host.strip_suffix('.').unwrap_or(host);
    tokens(list).any(|token| match ip {
        Some(ip) => ip_matches(ip, token),
        None => name_matches(name, token),
    })
}

/// The list's tokens as curl reads them: blanks (space, tab) around each, commas between. A
/// token followed by anything but a comma ends the list: `a b,c` is just `a`.
fn tokens(list: &str) -> impl Iterator<Item = &str> {
    let blank = |c: char| c == ' ' || c == '\t';
    let mut rest = list;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start_matches(blank);
            if rest.is_empty() {
                return None;
            }
            let end = rest.find(|c| blank(c) || c == ',').unwrap_or(rest.len());
            let token = &rest[..end];
            rest = rest[end..].trim_start_matches(blank);
            rest = match rest.strip_prefix(',') {
                Some(after) => after.trim_start_matches(','),
                None => "",
            };
            if !token.is_empty() {
                return Some(token);
            }
        }
    })
}

/// `example.com` and `.example.com` match the domain and every name under it; a trailing dot
/// on either side is ignored; no wildcards, no ports.
fn name_matches(name: &str, token: &str) -> bool {
    let token = token.strip_suffix('.').unwrap_or(token);
    let token = token.strip_prefix('.').unwrap_or(token);
    let (name, token) = (name.as_bytes(), token.as_bytes());
    if token.len() == name.len() {
        name.eq_ignore_ascii_case(token)
    } else if token.len() < name.len() {
        let at = name.len() - token.len();
        name[at - 1] == b'.' && name[at..].eq_ignore_ascii_case(token)
    } else {
        false
    }
}

/// An address, or a CIDR range of the host's family. curl's quirks kept: `/0` (or no suffix)
/// means the address itself, a suffix must be digits only, a token of 128 bytes or more never
/// matches.
fn ip_matches(ip: IpAddr, token: &str) -> bool {
    if token.len() >= 128 {
        return false;
    }
    let (address, bits) = match token.split_once('/') {
        Some((address, bits)) => {
            if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            match bits.parse::<u32>() {
                Ok(bits) => (address, bits),
                Err(_) => return false,
            }
        }
        None => (token, 0),
    };
    match ip {
        IpAddr::V4(ip) => address
            .parse::<Ipv4Addr>()
            .is_ok_and(|net| prefix_equal(u32::from(ip).into(), u32::from(net).into(), bits, 32)),
        IpAddr::V6(ip) => address
            .parse::<Ipv6Addr>()
            .is_ok_and(|net| prefix_equal(u128::from(ip), u128::from(net), bits, 128)),
    }
}

/// Whether the first `bits` of two `width`-bit addresses agree (all of them for 0).
fn prefix_equal(a: u128, b: u128, bits: u32, width: u32) -> bool {
    match bits {
        0 => a == b,
        bits if bits > width => false,
        bits => (a ^ b) >> (width - bits) == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    /// curl's own cases (unit1614) and the rules each one pins down.
    #[test]
    fn no_proxy_lists_match_as_curl_matches_them() {
        let long = format!("localhost,{}", "1".repeat(128));
        let table: &[(&str, &str, bool)] = &[
            // Tokens: a blank-separated token ends the list; commas and blanks around them.
            (
                "www.example.com",
                "localhost .example.com .example.de",
                false,
            ),
            (
                "www.example.com",
                "localhost,.example.com,.example.de",
                true,
            ),
            ("BAr", "foo,,,,,              bar, ::1/64", true),
            // Names: trailing dots, a leading dot, suffixes after a dot only, any case.
            (
                "www.example.com.",
                "localhost,.example.com,.example.de",
                true,
            ),
            ("example.com", ".example.com", true),
            ("example.com.", "example.com", true),
            (
                "www.example.com",
                "localhost,.example.com.,.example.de",
                true,
            ),
            ("www.example.com", "www.example.com.", true),
            ("www.example.com", "example.com", true),
            ("nexample.com", "example.com", false),
            ("nonexample.com", ".example.com, .example.net", false),
            ("www.example.com", "www2.example.com, .example.net", false),
            // `*` alone is every host; nowhere else is it a wildcard.
            ("example.com", "*", true),
            ("example.com", "*,foo", false),
            ("example.com", " *", false),
            ("example.com", "*.example.com", false),
            // No ports, no resolving, an empty list is nothing.
            ("example.com", "example.com:443", false),
            ("localhost", "127.0.0.1", false),
            ("example.com", "", false),
            ("", "example.com", false),
            // No host, nothing to match: not even `*` (curl's check_noproxy).
            ("", "*", false),
            // IPv4: addresses and CIDR ranges; /0 means the address itself.
            ("127.0.0.1", "127.0.0.1,localhost,", true),
            ("127.0.0.1", "127.0.0.1/8,localhost,", true),
            ("127.0.0.1", &long, false),
            ("192.168.0.1", "192.168.0.0/16", true),
            ("192.168.0.1", "192.168.0.0/16a", false),
            ("192.168.0.1", "192.168.0.0/a16", false),
            ("192.168.0.1", "192.168.0.0/ 16", false),
            ("192.168.0.1", "192.168.0.0/+16", false),
            ("192.168.0.1", "192.168.0.0/16 ", true),
            ("192.168.0.1", "192.168.0.0/24", true),
            ("192.168.0.1", "192.168.0.0/32", false),
            ("192.168.0.1", "192.168.0.1/32", true),
            ("192.168.0.1", "192.168.0.1/33", false),
            ("192.168.0.1", "192.168.0.0", false),
            ("192.168.0.1", "0.0.0.0/0", false),
            ("192.168.1.1", "foo, bar, 192.168.0.0/24", false),
            ("192.168.1.1", "foo, bar, 192.168.0.0/16", true),
            ("192.168.0.1", "foobar", false),
            // IPv6: unbracketed, compared as numbers, in its own family only.
            ("::1", "foo, bar, 192.168.0.0/16", false),
            ("::1", "::1/64", true),
            ("::1", "::1/127a", false),
            ("::1", "::1/129", false),
            ("::1", "0:0::1", true),
            ("::1", "[::1]", false),
            ("2001:db8::1", "2001:db8::/65", true),
            ("2001:db8:8000::1", "2001:db8::/65", false),
            ("::ffff:127.0.0.1", "127.0.0.1", false),
        ];
        for (host, list, expected) in table {
            assert_eq!(matches(host, list), *expected, "{host:?} in {list:?}");
        }
    }
}
