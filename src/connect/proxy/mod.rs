//! The way through a proxy: which one applies (env.rs, noproxy.rs), the hop to it (TCP, then TLS
//! for an https:// proxy), then the tunnel to the server, by HTTP CONNECT (http.rs) or SOCKS5
//! (socks.rs). Both ws:// and wss:// go through the tunnel; wss:// does its own TLS inside it.

pub mod env;
mod http;
mod noproxy;
mod socks;

use percent_encoding::percent_decode_str;
use url::{Host, Url};

use super::{Laps, Stage, Stream, dial};
use crate::config::{Config, TlsSettings};
use crate::error::Failure;
use crate::tls;
use crate::verbose::Verbose;
use env::Source;

/// The schemes a proxy URL may have.
const SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];

/// What kind of proxy a URL's scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `http://` (and no scheme): CONNECT.
    Http,
    /// `https://`: TLS to the proxy, then CONNECT inside it.
    Https,
    /// `socks5://`: the server's name is resolved here.
    Socks5,
    /// `socks5h://`: the proxy resolves the server's name.
    Socks5h,
}

impl Kind {
    fn scheme(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Https => "https",
            Kind::Socks5 => "socks5",
            Kind::Socks5h => "socks5h",
        }
    }

    /// curl's documented defaults: 1080 for HTTP proxies too, 443 for https://.
    fn default_port(self) -> u16 {
        match self {
            Kind::Https => 443,
            Kind::Http | Kind::Socks5 | Kind::Socks5h => 1080,
        }
    }
}

/// A proxy to go through.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub kind: Kind,
    /// A name or an address; IPv6 without brackets.
    pub host: String,
    pub port: u16,
    /// User and password, decoded.
    pub credentials: Option<(String, String)>,
    /// For the TLS hop to an https:// proxy: `--proxy-cacert`, `--proxy-insecure`.
    pub tls: TlsSettings,
    /// Where it came from: a failure names the variable, for a user who never typed --proxy.
    pub source: Source,
}

/// The route config.rs decided on, and what -v says about it.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub proxy: Option<Proxy>,
    /// `proxy http://127.0.0.1:3128 (from https_proxy)`, `no proxy for localhost (no_proxy)`.
    pub note: Option<String>,
}

impl Proxy {
    /// A proxy URL as curl reads it: no scheme means http://, the path is ignored, credentials
    /// are percent-decoded and win over `user` (`--proxy-user`).
    pub fn parse(
        text: &str,
        source: Source,
        user: Option<(String, String)>,
        tls: TlsSettings,
    ) -> Result<Proxy, Failure> {
        let bad = |why: &str| {
            Failure::Usage(format!(
                "invalid proxy URL '{}' in {source}: {why}",
                masked(text)
            ))
        };
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            // `http:/p:1` would otherwise be a proxy named `http`, as for the server's URL.
            None => match crate::config::scheme_typo(text, &SCHEMES) {
                Some(why) => return Err(bad(&masked(&why))),
                None => ("http".to_string(), text),
            },
        };
        let kind = match scheme.as_str() {
            "http" => Kind::Http,
            "https" => Kind::Https,
            "socks5" => Kind::Socks5,
            "socks5h" => Kind::Socks5h,
            _ => {
                return Err(Failure::Usage(format!(
                    "unsupported proxy scheme '{scheme}' in {source}: use http, https, socks5 or \
                     socks5h"
                )));
            }
        };
        // Under a scheme with no default port an explicit one is kept as typed: the url crate
        // drops `:80` from an http:// URL, and then 1080 would be used.
        let url = Url::parse(&format!("proxy://{rest}")).map_err(|e| bad(&e.to_string()))?;
        // The `proxy:` scheme keeps any host but a bracketed IPv6 address opaque (an IPv4
        // address too, `%C3%BC.test` as typed), and has none when it is empty. Parsed as the host
        // of an http URL, a name takes its IDNA form (`xn--tda.test`), as the server's name does.
        let host = match url.host() {
            Some(Host::Ipv6(ip)) => ip.to_string(),
            Some(Host::Domain(name)) => match Host::parse(name).map_err(|e| bad(&e.to_string()))? {
                Host::Domain(name) => name,
                Host::Ipv4(ip) => ip.to_string(),
                Host::Ipv6(ip) => ip.to_string(),
            },
            _ => return Err(bad("no host")),
        };
        let port = url.port().unwrap_or(kind.default_port());
        if port == 0 {
            return Err(bad("port 0"));
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials = if url.username().is_empty() && url.password().is_none() {
            user
        } else {
            Some((decode(url.username()), decode(url.password().unwrap_or(""))))
        };
        if let (Kind::Socks5 | Kind::Socks5h, Some((user, pass))) = (kind, &credentials) {
            // RFC 1929 gives each a length byte, and tokio-socks refuses empty ones.
            let fits = |s: &str| (1..=255).contains(&s.len());
            if !fits(user) || !fits(pass) {
                return Err(Failure::Usage(format!(
                    "SOCKS5 proxy credentials ({source} or --proxy-user) need a user name and a \
                     password of 1 to 255 bytes each"
                )));
            }
        }
        Ok(Proxy {
            kind,
            host,
            port,
            credentials,
            tls,
            source,
        })
    }

    /// `127.0.0.1:3128`, `[::1]:3128`: the proxy as the errors name it.
    pub fn address(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]:{}", self.host, self.port),
            false => format!("{}:{}", self.host, self.port),
        }
    }

    /// The proxy as a failure names it: `127.0.0.1:3128`, `127.0.0.1:3128 (from https_proxy)`.
    pub fn named_for_errors(&self) -> String {
        match self.source {
            Source::Flag => self.address(),
            Source::Variable(name) => format!("{} (from {name})", self.address()),
        }
    }

    /// The route through this proxy, for a failure that may be the proxy's rather than the
    /// server's: `through proxy http://127.0.0.1:3128 from https_proxy`.
    pub fn route(&self) -> String {
        match self.source {
            Source::Flag => format!("through proxy {}", self.shown()),
            Source::Variable(name) => format!("through proxy {} from {name}", self.shown()),
        }
    }

    /// The proxy's URL as -v shows it, the password masked.
    pub fn shown(&self) -> String {
        let user = match &self.credentials {
            Some((user, _)) => format!("{user}:***@"),
            None => String::new(),
        };
        format!("{}://{user}{}", self.kind.scheme(), self.address())
    }

    /// A failure on the way to the proxy, or in TLS with it, naming the hop.
    fn named(&self, failure: Failure) -> Failure {
        match failure {
            Failure::Connect(words) => {
                // dial.rs names the host and port itself; here they are the proxy's.
                let dial = format!("cannot connect to {} port {}: ", self.host, self.port);
                let why = words.strip_prefix(&dial).unwrap_or(&words);
                let proxy = self.named_for_errors();
                Failure::Connect(format!("cannot connect to proxy {proxy}: {why}"))
            }
            Failure::Tls(words) => {
                Failure::Tls(format!("proxy {}: {words}", self.named_for_errors()))
            }
            other => other,
        }
    }
}

/// A proxy URL for an error message, any credentials in it hidden.
fn masked(text: &str) -> String {
    let start = text.find("://").map_or(0, |at| at + 3);
    match text[start..].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_string(),
    }
}

/// The stream to `host`:`port` through the proxy that applies to `url` and that proxy, or None
/// when none does. The choice is made for each hop, as -L may change the scheme or the host. -v
/// tells the choice, the CONNECT exchange, and the proxy's TLS.
pub(super) async fn open(
    config: &Config,
    url: &Url,
    host: &str,
    port: u16,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<Option<(Stream, Proxy)>, Failure> {
    let choice = config.proxy.choose(url)?;
    if let Some(note) = &choice.note {
        verbose.note(note);
    }
    let Some(proxy) = choice.proxy else {
        return Ok(None);
    };
    let proxy = &proxy;
    // Certificate files are checked before anything goes on the network.
    let connector = match proxy.kind {
        Kind::Https => Some(tls::connector(&proxy.tls).map_err(|f| proxy.named(f))?),
        _ => None,
    };

    *stage = Stage::Proxy(proxy.source);
    let first = laps.ended();
    // The timeout names the hop ("connecting to the proxy"), not dial's own steps.
    let mut dialling = Stage::Dns;
    let mut stream = dial::tcp(
        &proxy.host,
        proxy.port,
        &config.names,
        &mut dialling,
        laps,
        verbose,
    )
    .await
    .map_err(|f| proxy.named(f))?;
    laps.prefix_since(first, "proxy");

    if let Some(connector) = connector {
        *stage = Stage::ProxyTls(proxy.source);
        let details = config.verbose > 0;
        let peer = tls::Peer::Proxy;
        let (secured, mut tls) = tls::handshake(&connector, &proxy.host, stream, details, peer)
            .await
            .map_err(|f| proxy.named(f))?;
        stream = secured;
        laps.lap("proxy TLS");
        for line in tls.lines.iter_mut().chain(tls.warnings.iter_mut()) {
            *line = format!("proxy {line}");
        }
        verbose.tls(&tls);
    }

    match proxy.kind {
        Kind::Http | Kind::Https => {
            *stage = Stage::ProxyConnect(proxy.source);
            let agent = config
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("user-agent"))
                .and_then(|(_, value)| value.to_str().ok());
            http::tunnel(&mut stream, proxy, host, port, agent, verbose).await?;
            laps.lap("CONNECT");
        }
        Kind::Socks5 | Kind::Socks5h => {
            let names = &config.names;
            let target = socks::target(proxy, host, port, names, stage, laps, verbose).await?;
            stream = socks::tunnel(stream, proxy, target, stage, laps).await?;
        }
    }
    Ok(Some((stream, proxy.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Proxy, Failure> {
        Proxy::parse(text, Source::Flag, None, TlsSettings::default())
    }

    #[test]
    fn proxy_urls_are_read_as_curl_reads_them() {
        let table = [
            ("127.0.0.1:3128", Kind::Http, "127.0.0.1", 3128),
            ("proxy", Kind::Http, "proxy", 1080),
            ("http://proxy", Kind::Http, "proxy", 1080),
            ("HTTP://Proxy:80/ignored/path", Kind::Http, "proxy", 80),
            ("https://proxy", Kind::Https, "proxy", 443),
            ("https://proxy:443", Kind::Https, "proxy", 443),
            ("socks5://127.0.0.1", Kind::Socks5, "127.0.0.1", 1080),
            ("socks5h://[::1]:9050", Kind::Socks5h, "::1", 9050),
            ("http://[::1]", Kind::Http, "::1", 1080),
            // International names in their IDNA form, as for the server's URL.
            ("http://Ü.test:1", Kind::Http, "xn--tda.test", 1),
            (
                "socks5h://b%C3%BCcher.test",
                Kind::Socks5h,
                "xn--bcher-kva.test",
                1080,
            ),
        ];
        for (text, kind, host, port) in table {
            let proxy = parse(text).unwrap();
            assert_eq!(
                (proxy.kind, proxy.host.as_str(), proxy.port),
                (kind, host, port),
                "{text}"
            );
        }
        assert_eq!(parse("[::1]:3128").unwrap().address(), "[::1]:3128");
        assert_eq!(parse("[::1]:3128").unwrap().shown(), "http://[::1]:3128");
        let proxy = parse("http://al%40ice:s%3Acret@p:1").unwrap();
        assert_eq!(proxy.credentials, Some(("al@ice".into(), "s:cret".into())));
        assert_eq!(proxy.shown(), "http://al@ice:***@p:1");
        assert_eq!(
            parse("http://alice@p:1").unwrap().credentials,
            Some(("alice".into(), String::new())),
            "a user without a password has an empty one"
        );
    }

    #[test]
    fn bad_proxy_urls_are_usage_errors_in_words() {
        let usage = |text: &str| match parse(text) {
            Err(Failure::Usage(words)) => words,
            other => panic!("{text}: {other:?}"),
        };
        for scheme in ["socks4", "socks4a", "socks", "ftp"] {
            assert_eq!(
                usage(&format!("{scheme}://p:1")),
                format!(
                    "unsupported proxy scheme '{scheme}' in --proxy: use http, https, socks5 or \
                     socks5h"
                )
            );
        }
        assert_eq!(
            usage("http://p:99999"),
            "invalid proxy URL 'http://p:99999' in --proxy: invalid port number"
        );
        assert_eq!(
            usage("http://:1"),
            "invalid proxy URL 'http://:1' in --proxy: empty host"
        );
        assert_eq!(
            usage("http://"),
            "invalid proxy URL 'http://' in --proxy: no host"
        );
        assert_eq!(
            usage("http://u:secret@p:0"),
            "invalid proxy URL 'http://***@p:0' in --proxy: port 0"
        );
        assert!(usage("socks5://alice@p").contains("1 to 255 bytes"));
        assert_eq!(
            usage("http://a%2Fb:1"),
            "invalid proxy URL 'http://a%2Fb:1' in --proxy: invalid international domain name"
        );
        // Scheme typos, in the words the server's URL gets, credentials hidden.
        let typos = [
            (
                "http:/127.0.0.1:3128",
                "one slash after 'http:' (write http://127.0.0.1:3128)",
            ),
            ("https//p:1", "no ':' after 'https' (write https://p:1)"),
            (
                "socks5h:/p",
                "one slash after 'socks5h:' (write socks5h://p)",
            ),
            (
                "sock5:/p:1",
                "'sock5' looks like a misspelt socks5 (write socks5://p:1)",
            ),
            (
                "htp:/u:secret@p:1",
                "'htp' looks like a misspelt http (write http://***@p:1)",
            ),
            ("http:", "no // after 'http:', and no host"),
        ];
        for (text, why) in typos {
            let words = usage(text);
            assert!(
                words.ends_with(&format!("in --proxy: {why}")),
                "{text}: {words}"
            );
            assert!(!words.contains("secret"), "{words}");
        }
        // Ports and credentials without a scheme are no typos.
        for text in ["p:3128", "alice:secret@p:1", "127.0.0.1:3128", "[::1]:1"] {
            assert!(parse(text).is_ok(), "{text}");
        }
        assert!(
            parse("http://alice@p").is_ok(),
            "HTTP proxies take an empty password"
        );
    }
}
