//! Name control as curl has it: `--resolve` (a host's addresses given, not looked up),
//! `--connect-to` (another host and port dialled for the URL's) and `-4`/`-6` (one address
//! family). Parsed here into usage errors that name the flag; applied by route.rs and dial.rs.
//! TLS and the Host header never see any of it: they keep the URL's name.

use std::net::{IpAddr, SocketAddr};

use crate::error::Failure;

/// How names become addresses, from the flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// --resolve entries in the order given (a `-HOST:PORT` entry has already dropped its
    /// predecessors).
    resolve: Vec<Resolve>,
    /// --connect-to rules in the order given: the first that matches counts.
    connect_to: Vec<ConnectTo>,
    /// -4 or -6: a host's addresses of the other family (looked up or --resolve's) are not
    /// tried.
    pub family: Option<Family>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(address: &SocketAddr) -> Family {
        match address {
            SocketAddr::V4(_) => Family::V4,
            SocketAddr::V6(_) => Family::V6,
        }
    }

    /// `IPv4`, `IPv6`.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }

    /// The flag that asks for this family only.
    pub fn flag(self) -> &'static str {
        match self {
            Family::V4 => "-4",
            Family::V6 => "-6",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolve {
    /// `*` for any host.
    host: String,
    port: u16,
    addresses: Vec<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ConnectTo {
    /// None: any host, any port; the URL's host or port when the target leaves it out.
    host: Option<String>,
    port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
    /// The rule as typed, for -v: it shows the user's own words, nothing rebuilt.
    typed: String,
}

/// Where --connect-to sends a connection, and the rule that said so as typed (for -v).
#[derive(Debug, PartialEq, Eq)]
pub struct Redirected {
    pub host: String,
    pub port: u16,
    pub rule: String,
}

impl Names {
    /// The flags as typed; each bad entry is a usage error naming its flag and its form.
    pub fn from_flags(
        resolve: &[String],
        connect_to: &[String],
        ipv4: bool,
        ipv6: bool,
    ) -> Result<Names, Failure> {
        let mut names = Names {
            family: match (ipv4, ipv6) {
                (true, false) => Some(Family::V4),
                (false, true) => Some(Family::V6),
                // clap refuses both.
                _ => None,
            },
            ..Names::default()
        };
        for entry in resolve {
            let bad = |why: &str| {
                Failure::Usage(format!(
                    "invalid --resolve '{entry}': {why} (write HOST:PORT:ADDR[,ADDR]..., IPv6 \
                     addresses in brackets)"
                ))
            };
            let (removal, resolve) = parse_resolve(entry).map_err(|why| bad(&why))?;
            // As in curl, a later entry for the same host and port replaces the earlier, and
            // `-HOST:PORT` drops it.
            names
                .resolve
                .retain(|r| !(same_host(&r.host, &resolve.host) && r.port == resolve.port));
            if !removal {
                names.resolve.push(resolve);
            }
        }
        for rule in connect_to {
            let parsed = parse_connect_to(rule).map_err(|why| {
                Failure::Usage(format!(
                    "invalid --connect-to '{rule}': {why} (write HOST1:PORT1:HOST2:PORT2, any \
                     part may be empty, IPv6 addresses in brackets)"
                ))
            })?;
            names.connect_to.push(parsed);
        }
        Ok(names)
    }

    /// The flags here that were given, by name (they have no effect on a unix socket).
    pub fn given(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if !self.resolve.is_empty() {
            flags.push("--resolve");
        }
        if !self.connect_to.is_empty() {
            flags.push("--connect-to");
        }
        if let Some(family) = self.family {
            flags.push(family.flag());
        }
        flags
    }

    /// --resolve's addresses for `host` at `port`: an entry for the host, else one for `*`.
    pub fn resolved(&self, host: &str, port: u16) -> Option<&[IpAddr]> {
        let entry = |wanted: &str| {
            self.resolve
                .iter()
                .find(|r| r.port == port && same_host(&r.host, wanted))
        };
        entry(host)
            .or_else(|| entry("*"))
            .map(|r| r.addresses.as_slice())
    }

    /// Where the first matching --connect-to rule sends a connection to `host`:`port`.
    pub fn redirected(&self, host: &str, port: u16) -> Option<Redirected> {
        let rule = self.connect_to.iter().find(|rule| {
            rule.host.as_deref().is_none_or(|h| same_host(h, host))
                && rule.port.is_none_or(|p| p == port)
        })?;
        Some(Redirected {
            host: rule.to_host.clone().unwrap_or_else(|| host.to_string()),
            port: rule.to_port.unwrap_or(port),
            rule: rule.typed.clone(),
        })
    }
}

/// Host names compare without case; IP addresses as addresses (`[0::1]` is `::1`).
fn same_host(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// A host as it is written beside a port: IPv6 in brackets.
pub fn bracketed(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => host.to_string(),
    }
}

/// `[+]HOST:PORT:ADDR[,ADDR]...` or `-HOST:PORT`: whether it is a removal, and the entry.
fn parse_resolve(entry: &str) -> Result<(bool, Resolve), String> {
    let (removal, rest) = match entry.as_bytes().first() {
        Some(b'-') => (true, &entry[1..]),
        // `+` makes curl's entry expire after a minute: nothing to a single connection.
        Some(b'+') => (false, &entry[1..]),
        _ => (false, entry),
    };
    let (host, rest) = host_part(rest)?;
    let host = host.ok_or("no HOST (IPv6 addresses go in brackets)")?;
    let rest = rest.ok_or("too few ':'")?;
    let (port, rest) = match rest.split_once(':') {
        Some((port, addresses)) => (port, Some(addresses)),
        None => (rest, None),
    };
    let port = parse_port(port)?.ok_or("no PORT")?;
    let addresses = match (removal, rest) {
        (true, None) => Vec::new(),
        (true, Some(_)) => return Err("a -HOST:PORT entry takes no addresses".into()),
        (false, None) => return Err("no address".into()),
        (false, Some(list)) => parse_addresses(list)?,
    };
    Ok((
        removal,
        Resolve {
            host,
            port,
            addresses,
        },
    ))
}

/// `ADDR[,ADDR]...`, IPv6 with or without brackets; empty items are skipped, as curl does.
fn parse_addresses(list: &str) -> Result<Vec<IpAddr>, String> {
    let mut addresses = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let bare = item
            .strip_prefix('[')
            .and_then(|i| i.strip_suffix(']'))
            .unwrap_or(item);
        let address = bare
            .parse::<IpAddr>()
            .map_err(|_| format!("'{item}' is not an IP address"))?;
        addresses.push(address);
    }
    if addresses.is_empty() {
        return Err("no address".into());
    }
    Ok(addresses)
}

/// `HOST1:PORT1:HOST2[:PORT2]`.
fn parse_connect_to(rule: &str) -> Result<ConnectTo, String> {
    let (host, rest) = host_part(rule)?;
    let (port, rest) = rest
        .and_then(|rest| rest.split_once(':'))
        .ok_or("no ':' between PORT1 and HOST2")?;
    let port = parse_port(port)?;
    // `h:80:127.0.0.1` gives HOST2 without PORT2: the URL's port then.
    let (to_host, rest) = host_part(rest)?;
    let to_port = match rest {
        Some(rest) if rest.contains(':') => {
            return Err("too many ':' (IPv6 addresses go in brackets)".into());
        }
        Some(rest) => parse_port(rest)?,
        None => None,
    };
    Ok(ConnectTo {
        host,
        port,
        to_host,
        to_port,
        typed: rule.to_string(),
    })
}

/// A host before a `:`: `[IPv6]`, a name or an IPv4 address, or nothing. Returns it and what
/// follows the `:`, if there is one.
fn host_part(text: &str) -> Result<(Option<String>, Option<&str>), String> {
    if let Some(inner) = text.strip_prefix('[') {
        let (address, rest) = inner.split_once(']').ok_or("a '[' without its ']'")?;
        let address = address
            .parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("'[{address}]' is not an IPv6 address"))?;
        let rest = match rest {
            "" => None,
            rest => Some(rest.strip_prefix(':').ok_or("no ':' after ']'")?),
        };
        return Ok((Some(address.to_string()), rest));
    }
    let (host, rest) = match text.split_once(':') {
        Some((host, rest)) => (host, Some(rest)),
        None => (text, None),
    };
    match host {
        "" => Ok((None, rest)),
        host => Ok((Some(host_name(host)?), rest)),
    }
}

/// A name or an IPv4 address as typed, without blanks, slashes or brackets.
fn host_name(host: &str) -> Result<String, String> {
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "/[]@?#".contains(c))
    {
        return Err(format!("'{host}' is not a host name"));
    }
    Ok(host.to_string())
}

/// A port from 1 to 65535, or nothing.
fn parse_port(text: &str) -> Result<Option<u16>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u16>()
        .ok()
        .filter(|port| *port != 0 && text.bytes().all(|b| b.is_ascii_digit()))
        .map(Some)
        .ok_or_else(|| format!("'{text}' is not a port (1 to 65535)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(resolve: &[&str], connect_to: &[&str]) -> Names {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Names::from_flags(&owned(resolve), &owned(connect_to), false, false).unwrap()
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn resolve_entries_give_addresses_for_their_host_and_port_only() {
        let n = names(
            &[
                "wsc.test:443:127.0.0.1,[::1]",
                "*:443:127.0.0.2",
                "+other.test:80:::1, 127.0.0.3,",
                "[::1]:9:127.0.0.4",
            ],
            &[],
        );
        let got = |host: &str, port| n.resolved(host, port).map(<[IpAddr]>::to_vec);
        assert_eq!(got("wsc.test", 443), Some(ips(&["127.0.0.1", "::1"])));
        assert_eq!(got("WSC.Test", 443), Some(ips(&["127.0.0.1", "::1"])));
        assert_eq!(
            got("else.test", 443),
            Some(ips(&["127.0.0.2"])),
            "the * entry"
        );
        assert_eq!(got("wsc.test", 80), None, "another port");
        assert_eq!(got("other.test", 80), Some(ips(&["::1", "127.0.0.3"])));
        assert_eq!(got("0::1", 9), Some(ips(&["127.0.0.4"])), "as an address");
    }

    #[test]
    fn a_later_resolve_entry_replaces_an_earlier_and_a_minus_entry_drops_it() {
        let n = names(&["h:1:127.0.0.1", "H:1:127.0.0.2"], &[]);
        assert_eq!(n.resolved("h", 1), Some(&ips(&["127.0.0.2"])[..]));
        let n = names(&["h:1:127.0.0.1", "-h:1", "*:1:127.0.0.3"], &[]);
        assert_eq!(n.resolved("h", 1), Some(&ips(&["127.0.0.3"])[..]));
    }

    #[test]
    fn connect_to_rules_match_host_and_port_and_empty_parts_mean_any_or_the_urls() {
        let n = names(
            &[],
            &[
                "wsc.test:443:127.0.0.1:9001",
                "[::1]::localhost:",
                ":8080::9090",
                "only.test::[::1]",
            ],
        );
        let go = |host: &str, port| n.redirected(host, port).map(|r| (r.host, r.port));
        assert_eq!(go("WSC.TEST", 443), Some(("127.0.0.1".into(), 9001)));
        assert_eq!(go("wsc.test", 80), None, "another port");
        assert_eq!(go("::1", 7), Some(("localhost".into(), 7)));
        assert_eq!(go("any.test", 8080), Some(("any.test".into(), 9090)));
        assert_eq!(go("only.test", 5), Some(("::1".into(), 5)));
        assert_eq!(
            n.redirected("only.test", 5).unwrap().rule,
            "only.test::[::1]",
            "-v shows the rule as typed"
        );
        let first = names(&[], &["h:1:a.test:2", "h:1:b.test:3"]);
        assert_eq!(
            first.redirected("h", 1).unwrap().host,
            "a.test",
            "first wins"
        );
    }

    #[test]
    fn bad_entries_are_usage_errors_naming_the_flag_and_what_is_wrong() {
        let table: [(&str, &[&str], &str); 17] = [
            ("--resolve", &["wsc.test:443"], "no address"),
            ("--resolve", &["wsc.test:443:"], "no address"),
            ("--resolve", &["wsc.test"], "too few ':'"),
            ("--resolve", &[":443:127.0.0.1"], "no HOST"),
            ("--resolve", &["h:https:127.0.0.1"], "'https' is not a port"),
            ("--resolve", &["h:70000:127.0.0.1"], "'70000' is not a port"),
            ("--resolve", &["h:0:127.0.0.1"], "'0' is not a port"),
            (
                "--resolve",
                &["h:1:localhost"],
                "'localhost' is not an IP address",
            ),
            (
                "--resolve",
                &["h:1:[127.0.0.1"],
                "'[127.0.0.1' is not an IP address",
            ),
            ("--resolve", &["[::1:1:::1"], "a '[' without its ']'"),
            ("--resolve", &["-h:1:127.0.0.1"], "takes no addresses"),
            ("--connect-to", &["h:1"], "no ':' between PORT1 and HOST2"),
            ("--connect-to", &["h:x:y:2"], "'x' is not a port"),
            (
                "--connect-to",
                &["h:1:::1:2"],
                "too many ':' (IPv6 addresses go in brackets)",
            ),
            (
                "--connect-to",
                &["h:1:[zz]:2"],
                "'[zz]' is not an IPv6 address",
            ),
            ("--connect-to", &["h:1:a b:2"], "'a b' is not a host name"),
            ("--connect-to", &["h:1:a/b:2"], "'a/b' is not a host name"),
        ];
        for (flag, entries, why) in table {
            let owned: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
            let result = match flag {
                "--resolve" => Names::from_flags(&owned, &[], false, false),
                _ => Names::from_flags(&[], &owned, false, false),
            };
            match result {
                Err(Failure::Usage(words)) => assert!(
                    words.starts_with(&format!("invalid {flag} '{}': ", entries[0]))
                        && words.contains(why),
                    "{entries:?}: {words}"
                ),
                other => panic!("{entries:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn only_ipv6_addresses_are_bracketed_beside_a_port() {
        assert_eq!(bracketed("::1"), "[::1]");
        assert_eq!(bracketed("127.0.0.1"), "127.0.0.1");
        assert_eq!(bracketed("wsc.test"), "wsc.test");
    }

    #[test]
    fn the_flags_given_are_named_and_one_family_is_kept() {
        let n = Names::from_flags(&[], &[], false, true).unwrap();
        assert_eq!(n.family, Some(Family::V6));
        assert_eq!(n.given(), ["-6"]);
        assert!(names(&[], &[]).given().is_empty());
        assert_eq!(
            names(&["h:1:127.0.0.1"], &["::h:"]).given(),
            ["--resolve", "--connect-to"]
        );
    }
}
