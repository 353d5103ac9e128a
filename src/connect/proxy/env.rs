//! Which proxy applies to a URL, and why: `--proxy`, `--noproxy` and the environment exactly as
//! curl (8.4 and later) reads them. hyper-util/reqwest read it differently (uppercase first,
//! `HTTP_PROXY` too, an empty variable as set), so this is written out here.

use url::{Host, Url};

use super::{Choice, Kind, Proxy, noproxy};
use crate::config::TlsSettings;
use crate::error::Failure;

/// The proxy flags as typed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Flags<'a> {
    /// `--proxy URL`; `Some("")` is no proxy at all, the environment unread.
    pub proxy: Option<&'a str>,
    /// `--noproxy LIST`; it replaces no_proxy and NO_PROXY, even when empty.
    pub noproxy: Option<&'a str>,
    /// `--proxy-user USER:PASS`, used when the proxy URL has no credentials.
    pub user: Option<&'a str>,
}

/// What decides the proxy for any URL: the flags, and the proxy variables as they were at the
/// start (each hop that -L follows is decided anew, as curl does).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub proxy: Option<String>,
    pub noproxy: Option<String>,
    pub user: Option<String>,
    /// For the TLS hop to an https:// proxy.
    pub tls: TlsSettings,
    /// The proxy variables that were set (and not empty).
    pub variables: Vec<(&'static str, String)>,
}

/// Every variable read: the ones naming proxies, then the no-proxy lists.
pub const VARIABLES: [&str; 11] = [
    "ws_proxy",
    "WS_PROXY",
    "wss_proxy",
    "WSS_PROXY",
    "http_proxy",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

impl Settings {
    /// The flags and the variables that `env` looks up (an empty one counts as unset).
    pub fn new(flags: Flags, tls: TlsSettings, env: impl Fn(&str) -> Option<String>) -> Settings {
        Settings {
            proxy: flags.proxy.map(str::to_string),
            noproxy: flags.noproxy.map(str::to_string),
            user: flags.user.map(str::to_string),
            tls,
            variables: VARIABLES
                .iter()
                .filter_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
                .collect(),
        }
    }

    pub fn flags(&self) -> Flags<'_> {
        Flags {
            proxy: self.proxy.as_deref(),
            noproxy: self.noproxy.as_deref(),
            user: self.user.as_deref(),
        }
    }

    /// The route for `url`.
    pub fn choose(&self, url: &Url) -> Result<Choice, Failure> {
        let env = |name: &str| {
            self.variables
                .iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| value.clone())
        };
        choose(url, self.flags(), self.tls.clone(), env)
    }
}

/// The variables that name a proxy for URLs of `scheme`, in curl's order: lowercase before
/// uppercase, the ws/wss ones before the http/https ones (curl 8.4). Uppercase `HTTP_PROXY` is
/// never read: a CGI program gets it from a request's `Proxy:` header (httpoxy).
pub fn variables(scheme: &str) -> &'static [&'static str] {
    match scheme {
        "wss" => &[
            "wss_proxy",
            "WSS_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ],
        _ => &[
            "ws_proxy",
            "WS_PROXY",
            "http_proxy",
            "all_proxy",
            "ALL_PROXY",
        ],
    }
}

/// Where the proxy came from, as -v and the errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Variable(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("--proxy"),
            Source::Variable(name) => f.write_str(name),
        }
    }
}

/// Decides the route for `url`. `env` looks a variable up (the process's, or a test's); an
/// empty one counts as unset, as curl has it on Unix. A proxy URL is parsed only once it is
/// chosen, so a broken variable that no_proxy exempts does no harm (as in curl).
pub fn choose(
    url: &Url,
    flags: Flags,
    tls: TlsSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Choice, Failure> {
    let env = |name: &str| env(name).filter(|value| !value.is_empty());
    let user = flags.user.map(split_user).transpose()?;
    let host = match url.host() {
        Some(Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => String::new(),
    };
    let (text, source) = match flags.proxy {
        Some("") => {
            return Ok(Choice {
                proxy: None,
                note: Some(format!("no proxy for {host} (--proxy '')")),
            });
        }
        Some(text) => (text.to_string(), Source::Flag),
        None => {
            let found = variables(url.scheme())
                .iter()
                .find_map(|name| env(name).map(|value| (value, Source::Variable(name))));
            match found {
                Some(found) => found,
                None => return Ok(Choice::default()),
            }
        }
    };
    let list = match flags.noproxy {
        Some(list) => Some((list.to_string(), "--noproxy")),
        None => env("no_proxy")
            .map(|list| (list, "no_proxy"))
            .or_else(|| env("NO_PROXY").map(|list| (list, "NO_PROXY"))),
    };
    if let Some((_, from)) = list.filter(|(list, _)| noproxy::matches(&host, list)) {
        return Ok(Choice {
            proxy: None,
            note: Some(format!("no proxy for {host} ({from})")),
        });
    }
    let proxy = Proxy::parse(&text, source, user, tls)?;
    let why = match source {
        Source::Flag => "--proxy".to_string(),
        Source::Variable(name) => format!("from {name}"),
    };
    Ok(Choice {
        note: Some(format!("proxy {} ({why})", proxy.shown())),
        proxy: Some(proxy),
    })
}

/// Proxy flags that cannot take effect with this choice, in words; `tls_flags` are the proxy TLS
/// flags, each with whether it was given.
pub fn warnings(flags: Flags, tls_flags: &[(bool, &str)], choice: &Choice) -> Vec<String> {
    let mut warnings = Vec::new();
    let proxy = choice.proxy.as_ref();
    if proxy.is_none_or(|p| p.kind != Kind::Https) {
        for (_, flag) in tls_flags.iter().filter(|(given, _)| *given) {
            warnings.push(format!("{flag} has no effect: no https:// proxy is used"));
        }
    }
    if let Some(user) = flags.user {
        match proxy {
            None => warnings.push("--proxy-user has no effect: no proxy is used".into()),
            Some(p) if split_user(user).ok() != p.credentials => warnings.push(
                "--proxy-user is not sent: the proxy URL has credentials, and they win".into(),
            ),
            Some(_) => {}
        }
    }
    warnings
}

/// `--proxy-user USER:PASS`, split at the first colon, taken as typed (not percent-decoded).
fn split_user(text: &str) -> Result<(String, String), Failure> {
    text.split_once(':')
        .map(|(user, pass)| (user.to_string(), pass.to_string()))
        .ok_or_else(|| Failure::Usage("--proxy-user takes USER:PASS".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The choice for `url` with these flags in this environment.
    fn choice(url: &str, flags: Flags, vars: &[(&str, &str)]) -> Result<Choice, Failure> {
        let url = Url::parse(url).unwrap();
        let env = |name: &str| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| value.to_string())
        };
        choose(&url, flags, TlsSettings::default(), env)
    }

    /// The proxy's shown URL and the -v note, or the note alone when there is no proxy.
    fn chosen(url: &str, flags: Flags, vars: &[(&str, &str)]) -> (Option<String>, String) {
        let choice = choice(url, flags, vars).unwrap();
        (
            choice.proxy.map(|p| p.shown()),
            choice.note.unwrap_or_default(),
        )
    }

    fn via(var: &str) -> (Option<String>, String) {
        (
            Some("http://p:1".to_string()),
            format!("proxy http://p:1 (from {var})"),
        )
    }

    const NONE: Flags = Flags {
        proxy: None,
        noproxy: None,
        user: None,
    };

    #[test]
    fn each_scheme_reads_its_variables_in_curls_order() {
        // ws://: ws_proxy, WS_PROXY, http_proxy, all_proxy, ALL_PROXY; never HTTP_PROXY.
        let order = [
            "ws_proxy",
            "WS_PROXY",
            "http_proxy",
            "all_proxy",
            "ALL_PROXY",
        ];
        for (at, var) in order.iter().enumerate() {
            // Every variable after it is set too, to another proxy: the first one wins.
            let mut vars = vec![(*var, "p:1")];
            vars.extend(order[at + 1..].iter().map(|later| (*later, "q:2")));
            vars.push(("HTTP_PROXY", "h:3"));
            assert_eq!(chosen("ws://h/", NONE, &vars), via(var), "{var}");
        }
        assert_eq!(
            chosen("ws://h/", NONE, &[("HTTP_PROXY", "p:1")]),
            (None, String::new()),
            "uppercase HTTP_PROXY is never read"
        );
        // wss://: wss_proxy, WSS_PROXY, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY.
        let order = [
            "wss_proxy",
            "WSS_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ];
        for (at, var) in order.iter().enumerate() {
            let mut vars = vec![(*var, "p:1")];
            vars.extend(order[at + 1..].iter().map(|later| (*later, "q:2")));
            assert_eq!(chosen("wss://h/", NONE, &vars), via(var), "{var}");
        }
        // Each scheme's own variables only.
        assert_eq!(chosen("wss://h/", NONE, &[("http_proxy", "p:1")]).0, None);
        assert_eq!(chosen("ws://h/", NONE, &[("https_proxy", "p:1")]).0, None);
        assert_eq!(chosen("ws://h/", NONE, &[("wss_proxy", "p:1")]).0, None);
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let vars = [("https_proxy", ""), ("HTTPS_PROXY", "p:1")];
        assert_eq!(chosen("wss://h/", NONE, &vars), via("HTTPS_PROXY"));
        let vars = [("no_proxy", ""), ("NO_PROXY", "h"), ("http_proxy", "p:1")];
        assert_eq!(
            chosen("ws://h/", NONE, &vars),
            (None, "no proxy for h (NO_PROXY)".into())
        );
    }

    #[test]
    fn no_proxy_lists_come_from_the_flag_then_no_proxy_then_no_proxy_uppercase() {
        let proxy = ("http_proxy", "p:1");
        let bypass = |from: &str| (None, format!("no proxy for h ({from})"));
        assert_eq!(
            chosen(
                "ws://h/",
                NONE,
                &[proxy, ("no_proxy", "h"), ("NO_PROXY", "x")]
            ),
            bypass("no_proxy")
        );
        assert_eq!(
            chosen(
                "ws://h/",
                NONE,
                &[proxy, ("no_proxy", "x"), ("NO_PROXY", "h")]
            ),
            via("http_proxy"),
            "no_proxy set replaces NO_PROXY"
        );
        assert_eq!(
            chosen("ws://h/", NONE, &[proxy, ("NO_PROXY", "h")]),
            bypass("NO_PROXY")
        );
        let flags = Flags {
            noproxy: Some(""),
            ..NONE
        };
        assert_eq!(
            chosen("ws://h/", flags, &[proxy, ("NO_PROXY", "*")]),
            via("http_proxy"),
            "--noproxy '' replaces NO_PROXY=*"
        );
        let flags = Flags {
            noproxy: Some("x, h"),
            ..NONE
        };
        assert_eq!(chosen("ws://h/", flags, &[proxy]), bypass("--noproxy"));
        // The list covers --proxy too, and IPv6 hosts are matched without brackets.
        let flags = Flags {
            proxy: Some("p:1"),
            ..NONE
        };
        assert_eq!(
            chosen("ws://[::1]:9/", flags, &[("NO_PROXY", "::1")]),
            (None, "no proxy for ::1 (NO_PROXY)".into())
        );
    }

    #[test]
    fn the_proxy_flag_beats_the_environment_and_empty_means_none() {
        let vars = [("http_proxy", "q:2")];
        let flags = Flags {
            proxy: Some("p:1"),
            ..NONE
        };
        assert_eq!(
            chosen("ws://h/", flags, &vars),
            (
                Some("http://p:1".into()),
                "proxy http://p:1 (--proxy)".into()
            )
        );
        let flags = Flags {
            proxy: Some(""),
            ..NONE
        };
        assert_eq!(
            chosen("ws://h/", flags, &vars),
            (None, "no proxy for h (--proxy '')".into())
        );
    }

    #[test]
    fn a_broken_proxy_url_is_a_usage_error_only_when_it_is_used() {
        let vars = [("http_proxy", "socks4://p:1"), ("no_proxy", "h")];
        assert!(choice("ws://h/", NONE, &vars).unwrap().proxy.is_none());
        match choice("ws://other/", NONE, &vars) {
            Err(Failure::Usage(words)) => assert_eq!(
                words,
                "unsupported proxy scheme 'socks4' in http_proxy: use http, https, socks5 or \
                 socks5h"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn proxy_flags_that_cannot_take_effect_are_warned() {
        let cacert = [(true, "--proxy-cacert"), (false, "--proxy-insecure")];
        let user = Flags {
            user: Some("a:b"),
            ..NONE
        };
        assert_eq!(
            warnings(user, &cacert, &Choice::default()),
            [
                "--proxy-cacert has no effect: no https:// proxy is used",
                "--proxy-user has no effect: no proxy is used"
            ]
        );
        let flags = Flags {
            proxy: Some("http://u:p@p:1"),
            ..user
        };
        let http = choice("ws://h/", flags, &[]).unwrap();
        assert_eq!(
            warnings(flags, &[], &http),
            ["--proxy-user is not sent: the proxy URL has credentials, and they win"]
        );
        let flags = Flags {
            proxy: Some("https://p"),
            ..user
        };
        let https = choice("ws://h/", flags, &[]).unwrap();
        assert!(warnings(flags, &cacert, &https).is_empty());
    }

    #[test]
    fn proxy_user_needs_a_colon_and_is_used_when_the_url_has_no_credentials() {
        let flags = |proxy, user| Flags {
            proxy: Some(proxy),
            noproxy: None,
            user: Some(user),
        };
        assert!(matches!(
            choice("ws://h/", flags("p:1", "alice"), &[]),
            Err(Failure::Usage(words)) if words == "--proxy-user takes USER:PASS"
        ));
        let proxy = |proxy, user| {
            choice("ws://h/", flags(proxy, user), &[])
                .unwrap()
                .proxy
                .unwrap()
        };
        let taken = proxy("socks5://p", "al:ice:x%41");
        assert_eq!(
            taken.credentials,
            Some(("al".into(), "ice:x%41".into())),
            "split at the first colon, not decoded"
        );
        assert_eq!(taken.kind, Kind::Socks5);
        assert_eq!(
            proxy("http://u%40x:p%3a@p", "al:ice").credentials,
            Some(("u@x".into(), "p:".into())),
            "the URL's credentials win, percent-decoded"
        );
    }
}
