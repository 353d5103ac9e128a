//! Turns the parsed command line into validated, typed settings, in one place. Anything the user
//! typed wrong is a usage error (status 2) here, before any connection is tried.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use http::{HeaderName, HeaderValue};
use regex::Regex;
use tungstenite::protocol::CloseFrame;
use url::Url;

use crate::cli::{Cli, ColorWhen};
use crate::connect::names::Names;
use crate::connect::unix::UnixSocket;
use crate::error::Failure;
use crate::protocol::deflate::DeflateOffer;
use crate::tls::pin::PinnedKey;

/// Everything a session needs to know, validated.
#[derive(Debug)]
pub struct Config {
    /// The ws:// or wss:// URL, without credentials.
    pub url: Url,
    /// Extra request headers in the order given (authorization, origin, user agent included),
    /// names as the user typed them.
    pub headers: Vec<(String, HeaderValue)>,
    pub subprotocols: Vec<String>,
    /// The permessage-deflate offer, unless `--no-compress`.
    pub deflate: Option<DeflateOffer>,
    /// None: no limit (`--connect-timeout 0`).
    pub connect_timeout: Option<Duration>,
    /// -L: follow redirects answered to the upgrade.
    pub location: bool,
    pub max_redirs: u32,
    /// --location-trusted: credentials go to every hop.
    pub location_trusted: bool,
    /// --resolve, --connect-to, -4/-6: where a host and port are dialled.
    pub names: Names,
    /// The unix socket to connect through (--unix-socket, --abstract-unix-socket, ws+unix://).
    pub unix_socket: Option<UnixSocket>,
    pub tls: TlsSettings,
    /// What decides the proxy for each hop: the flags and the proxy variables.
    pub proxy: crate::connect::proxy::env::Settings,
    pub input: InputFormat,
    /// Messages sent before stdin (`-x`).
    pub execute: Vec<String>,
    pub output: OutputFormat,
    pub mode: Mode,
    /// Whether the REPL's prompt is drawn: a terminal on both ends, no --echo, and no -x unless
    /// --interactive (-x alone is a one-shot, as in wscat).
    pub prompt: bool,
    /// --interactive was given.
    pub interactive: bool,
    pub color: bool,
    pub timestamps: bool,
    pub show_ping_pong: bool,
    /// At most this many bytes of a binary message are shown as a hex dump.
    pub max_dump: usize,
    /// Whether REPL lines starting with / are commands.
    pub slash: bool,
    /// The REPL history file, unless history is off.
    pub history: Option<PathBuf>,
    pub verbose: u8,
    pub wait: Wait,
    pub count: Option<u64>,
    /// Patterns received messages must match, in order.
    pub expect: Vec<Regex>,
    pub max_time: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    /// Keepalive pings: how often, and how long a pong may take.
    pub ping: Option<(Duration, Duration)>,
    pub echo: bool,
    pub stats: bool,
    /// The Close that wsc sends.
    pub close: CloseFrame,
    pub close_timeout: Duration,
    pub max_message_size: usize,
    /// Whether stdout/stderr are terminals: decides sanitising of server text.
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// Flags given that cannot take effect here, in words: shown before connecting.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    pub insecure: bool,
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key files.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// `--tls-min`: the lowest TLS version accepted.
    pub min_version: TlsVersion,
    /// `--servername`: the name for SNI and certificate verification instead of the host's.
    pub servername: Option<String>,
    /// `--pinnedpubkey`.
    pub pinned_key: Option<PinnedKey>,
}

/// A TLS version wsc can be told to require at least; nothing older than 1.2 is ever spoken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsVersion {
    #[default]
    V1_2,
    V1_3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Text,
    Binary,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Raw,
    Jsonl,
    /// Sigils, colours and hex dumps: the REPL only (colour never changes the format).
    Human,
}

/// Redirects -L follows unless --max-redirs says.
pub const DEFAULT_MAX_REDIRS: u32 = 10;

/// Bytes of a binary message the REPL's hex dump shows, unless --max-dump says.
pub const DEFAULT_MAX_DUMP: usize = 512;

/// How long --count and --expect wait for more after the input ended, unless -w says.
pub const GOAL_WAIT: Duration = Duration::from_secs(5);

/// Interactive when both stdin and stdout are terminals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Repl,
    Pipe,
}

/// `--no-color` and `--color` win; otherwise NO_COLOR turns colour off, CLICOLOR_FORCE turns it
/// on, and a terminal decides. `env` looks a variable up (the process environment, or a test's).
fn use_color(
    when: ColorWhen,
    no_color: bool,
    terminal: bool,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> bool {
    let non_empty = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    match (no_color, when) {
        (true, _) | (false, ColorWhen::Never) => false,
        (false, ColorWhen::Always) => true,
        (false, ColorWhen::Auto) if non_empty("NO_COLOR") => false,
        (false, ColorWhen::Auto) => {
            env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") || terminal
        }
    }
}

/// `$XDG_STATE_HOME/wsc/history`, or `~/.local/state/wsc/history`.
fn default_history_file() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state"))
        })?;
    Some(state.join("wsc").join("history"))
}

/// How long to keep receiving once input has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Until this long has passed without a message.
    Quiet(Duration),
    /// Until the server closes.
    ServerClose,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, Failure> {
        let raw_url = cli.url.clone().or(cli.connect.clone()).unwrap_or_default();
        // wscat's ws+unix:///app.sock:/path names a socket and the request's path.
        let ws_unix = crate::connect::unix::parse_ws_unix(&raw_url)?;
        let (url, userinfo) = match &ws_unix {
            Some((url, _)) => (url.clone(), None),
            None => parse_url(&raw_url)?,
        };
        let names = Names::from_flags(&cli.resolve, &cli.connect_to, cli.ipv4, cli.ipv6)?;
        let unix_socket = crate::connect::unix::from_flags(
            cli.unix_socket.clone(),
            cli.abstract_unix_socket.clone(),
            ws_unix.map(|(_, socket)| socket),
        )?;

        let (headers, listed) = request_headers(&cli, userinfo)?;
        let subprotocols = subprotocols(&cli.subprotocols, &listed)?;

        let input = match (cli.jsonl, cli.binary) {
            (true, _) => InputFormat::Jsonl,
            (false, true) => InputFormat::Binary,
            (false, false) => InputFormat::Text,
        };
        // clap refuses --count 0.
        let count = match (cli.count, cli.one_message) {
            (Some(n), _) => Some(n),
            (None, true) => Some(1),
            (None, false) => None,
        };
        // --echo never closes on its own; --count and --expect wait longer for what they want,
        // but never forever unless -w -1 says so.
        let goals = count.is_some() || !cli.expect.is_empty();
        let wait = match cli.wait.as_deref().map(str::trim) {
            _ if cli.echo => Wait::ServerClose,
            Some("-1") => Wait::ServerClose,
            Some(secs) => Wait::Quiet(parse_seconds("--wait", secs)?),
            None if goals => Wait::Quiet(GOAL_WAIT),
            None => Wait::Quiet(Duration::from_secs(1)),
        };
        let expect = cli
            .expect
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| {
                    // regex explains over several lines; the last one names the problem.
                    let text = e.to_string();
                    let why = text
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim_start_matches("error: ");
                    usage(format!("invalid --expect pattern '{p}': {why}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seconds = |flag: &str, value: &Option<String>| {
            value.as_deref().map(|v| parse_seconds(flag, v)).transpose()
        };
        let ping = match seconds("--ping-interval", &cli.ping_interval)? {
            Some(interval) if interval.is_zero() => {
                return Err(usage("--ping-interval must be more than 0".into()));
            }
            Some(interval) => match seconds("--ping-timeout", &cli.ping_timeout)? {
                Some(timeout) if timeout.is_zero() => {
                    return Err(usage("--ping-timeout must be more than 0".into()));
                }
                timeout => Some((interval, timeout.unwrap_or(interval))),
            },
            None => None,
        };
        // A limit of 0 is no limit, as in curl.
        let limit = |flag: &str, value: &Option<String>| {
            seconds(flag, value).map(|limit| limit.filter(|l| !l.is_zero()))
        };
        let close = crate::input::jsonl::close_frame(cli.close_code, &cli.close_reason)
            .map_err(|e| usage(format!("--close-code/--close-reason: {e}")))?;
        let max_message_size = parse_size("--max-message-size", &cli.max_message_size)?;

        let stdout_is_terminal = std::io::stdout().is_terminal();
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let mode = if std::io::stdin().is_terminal() && stdout_is_terminal {
            Mode::Repl
        } else {
            Mode::Pipe
        };
        let mut warnings = warnings(&cli, mode, &url, || {
            crate::input::pipe::known_empty(std::io::stdin())
        });
        let (proxy, proxy_warnings) = proxy_choice(&cli, &url, proxy_variable)?;
        warnings.extend(proxy_warnings);
        // A socket has no name to resolve, and no proxy reaches it.
        if let Some(socket) = &unix_socket {
            warnings.extend(no_names_on(socket, &names));
            let proxy_flags = [
                (cli.proxy.is_some(), "--proxy"),
                (cli.proxy_user.is_some(), "--proxy-user"),
                (cli.noproxy.is_some(), "--noproxy"),
                (cli.proxy_cacert.is_some(), "--proxy-cacert"),
                (cli.proxy_insecure, "--proxy-insecure"),
            ];
            for (_, flag) in proxy_flags.iter().filter(|(given, _)| *given) {
                warnings.push(format!(
                    "{flag} has no effect on a {socket} (proxies never apply to sockets)"
                ));
            }
        }
        let prompt = mode == Mode::Repl && !cli.echo && (cli.execute.is_empty() || cli.interactive);
        Ok(Config {
            url,
            headers,
            subprotocols,
            deflate: (!cli.no_compress).then_some(DeflateOffer {
                client_max_window_bits: cli.client_max_window_bits,
                server_max_window_bits: cli.server_max_window_bits,
                client_no_context_takeover: cli.client_no_context_takeover,
                server_no_context_takeover: cli.server_no_context_takeover,
            }),
            // 0 is no limit, as in curl.
            location: cli.location || cli.location_trusted,
            max_redirs: cli.max_redirs.unwrap_or(DEFAULT_MAX_REDIRS),
            location_trusted: cli.location_trusted,
            connect_timeout: Some(parse_seconds("--connect-timeout", &cli.connect_timeout)?)
                .filter(|limit| !limit.is_zero()),
            names,
            unix_socket,
            tls: TlsSettings {
                insecure: cli.insecure,
                ca_file: cli.ca.map(PathBuf::from),
                identity: cli.cert.map(PathBuf::from).zip(cli.key.map(PathBuf::from)),
                min_version: match cli.tls_min.as_deref() {
                    Some("1.3") => TlsVersion::V1_3,
                    _ => TlsVersion::V1_2,
                },
                servername: cli.servername.as_deref().map(servername).transpose()?,
                pinned_key: cli
                    .pinnedpubkey
                    .as_deref()
                    .map(PinnedKey::parse)
                    .transpose()
                    .map_err(usage)?,
            },
            proxy,
            input,
            execute: cli.execute,
            output: match (cli.jsonl, mode) {
                // JSON objects would scramble the prompt: there --jsonl is what is typed.
                (true, _) if prompt => OutputFormat::Human,
                (true, _) => OutputFormat::Jsonl,
                (false, Mode::Repl) => OutputFormat::Human,
                (false, Mode::Pipe) => OutputFormat::Raw,
            },
            mode,
            prompt,
            interactive: cli.interactive,
            // Colour goes where the human lines go: the REPL's screen, or stderr in a pipe.
            color: use_color(
                cli.color,
                cli.no_color,
                match mode {
                    Mode::Repl => stdout_is_terminal,
                    Mode::Pipe => stderr_is_terminal,
                },
                |name| std::env::var_os(name),
            ),
            timestamps: cli.timestamps,
            show_ping_pong: cli.show_ping_pong,
            max_dump: cli.max_dump.unwrap_or(DEFAULT_MAX_DUMP),
            slash: !cli.no_slash,
            history: match (cli.no_history, cli.history_file) {
                (true, _) => None,
                (false, Some(path)) => Some(path),
                (false, None) => default_history_file(),
            },
            verbose: cli.verbose,
            wait,
            count,
            expect,
            max_time: limit("--max-time", &cli.max_time)?,
            idle_timeout: limit("--idle-timeout", &cli.idle_timeout)?,
            ping,
            echo: cli.echo,
            stats: cli.stats,
            close,
            close_timeout: parse_seconds("--close-timeout", &cli.close_timeout)?,
            max_message_size,
            stdout_is_terminal,
            stderr_is_terminal,
            warnings,
        })
    }
}

/// Request headers in order, names as typed.
type Headers = Vec<(String, HeaderValue)>;

/// The headers wsc adds to the upgrade request: authorization (flag or URL userinfo), origin,
/// user agent, then -H headers, which replace a default of the same name. `-H
/// Sec-WebSocket-Protocol` lines are taken out and returned apart: they are offers.
fn request_headers(
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
fn subprotocols(flags: &[String], listed: &[HeaderValue]) -> Result<Vec<String>, Failure> {
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

const TOKEN_CHARACTERS: &str = "a name is letters, digits and !#$%&'*+-.^_`|~";

/// Whether `text` is an HTTP token (RFC 9110 §5.6.2).
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Flags that were accepted but cannot take effect in this run, each in one line. `stdin_empty`
/// says whether stdin is known to hold nothing (asked only when it matters).
fn warnings(cli: &Cli, mode: Mode, url: &Url, stdin_empty: impl Fn() -> bool) -> Vec<String> {
    let mut warnings = Vec::new();
    if mode == Mode::Pipe {
        let repl_only = [
            (cli.no_slash, "--no-slash"),
            (cli.history_file.is_some(), "--history-file"),
            (cli.no_history, "--no-history"),
            (cli.interactive, "--interactive"),
            (cli.max_dump.is_some(), "--max-dump"),
        ];
        for (_, flag) in repl_only.iter().filter(|(given, _)| *given) {
            warnings.push(format!(
                "{flag} applies to the REPL only (stdin and stdout are not both terminals)"
            ));
        }
        let events_shown = cli.verbose > 0 || cli.show_ping_pong;
        if cli.timestamps && !cli.jsonl && !events_shown {
            warnings.push(
                "--timestamps prefixes the events on stderr, and none are shown: add -v or -P \
                 (or use --jsonl for \"ts\" fields)"
                    .into(),
            );
        }
        if cli.echo && !stdin_empty() {
            warnings.push("--echo sends no input: what stdin holds is not sent".into());
        }
    } else {
        if cli.echo {
            warnings.push(
                "--echo reads no input: what you type is not sent (Ctrl-C ends the session)".into(),
            );
        }
        if cli.interactive && cli.execute.is_empty() {
            warnings.push("--interactive changes what -x does, and no -x was given".into());
        }
    }
    if cli.max_redirs.is_some() && !(cli.location || cli.location_trusted) {
        warnings.push("--max-redirs has no effect without -L".into());
    }
    // A -H header replaces the one a flag would make.
    let typed = |header: &str| {
        cli.headers.iter().any(|h| {
            h.split_once(':')
                .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case(header))
        })
    };
    let replaced = [
        (cli.user_agent.is_some(), "User-Agent", "-A"),
        (cli.origin.is_some(), "Origin", "-o"),
        (
            cli.auth.is_some() || cli.user.is_some(),
            "Authorization",
            "--auth",
        ),
    ];
    for (_, header, flag) in replaced
        .iter()
        .filter(|(given, header, _)| *given && typed(header))
    {
        warnings.push(format!(
            "-H '{header}: …' replaces {flag}, which is not sent"
        ));
    }
    if url.scheme() == "ws" {
        let tls = [
            (cli.insecure, "--insecure"),
            (cli.ca.is_some(), "--ca"),
            (cli.cert.is_some(), "--cert"),
            (cli.tls_min.is_some(), "--tls-min"),
            (cli.servername.is_some(), "--servername"),
            (cli.pinnedpubkey.is_some(), "--pinnedpubkey"),
        ];
        for (_, flag) in tls.iter().filter(|(given, _)| *given) {
            warnings.push(format!("{flag} has no effect on a ws:// URL (no TLS)"));
        }
    }
    warnings
}

/// `--servername NAME`: a host name or an IP address (brackets around IPv6 allowed).
fn servername(name: &str) -> Result<String, Failure> {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let bad = |c: char| c.is_whitespace() || c.is_control() || c == '/';
    // A colon belongs to an IPv6 address only, not to a port.
    let port = bare.contains(':') && bare.parse::<std::net::Ipv6Addr>().is_err();
    if bare.is_empty() || port || bare.chars().any(bad) {
        return Err(usage(format!(
            "--servername '{name}' is not a host name or IP address"
        )));
    }
    Ok(bare.to_string())
}

/// --resolve, --connect-to, -4 and -6 given with a unix socket, which has no name to resolve.
fn no_names_on(socket: &UnixSocket, names: &Names) -> Vec<String> {
    names
        .given()
        .into_iter()
        .map(|flag| format!("{flag} has no effect on a {socket} (no name is looked up)"))
        .collect()
}

/// A proxy variable from the process environment. Unit tests never see the machine's: a proxy
/// set there (even a broken one) must change none of them; env.rs tests the rules with its own.
fn proxy_variable(name: &str) -> Option<String> {
    if cfg!(test) {
        None
    } else {
        std::env::var(name).ok()
    }
}

/// The proxy settings from the flags and the environment (`env`), checked by choosing for `url`
/// (a bad proxy URL is a usage error before connecting), and the proxy flags that cannot take
/// effect there.
fn proxy_choice(
    cli: &Cli,
    url: &Url,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(crate::connect::proxy::env::Settings, Vec<String>), Failure> {
    use crate::connect::proxy::env;
    let flags = env::Flags {
        proxy: cli.proxy.as_deref(),
        noproxy: cli.noproxy.as_deref(),
        user: cli.proxy_user.as_deref(),
    };
    let tls = TlsSettings {
        insecure: cli.proxy_insecure,
        ca_file: cli.proxy_cacert.as_ref().map(PathBuf::from),
        ..TlsSettings::default()
    };
    let settings = env::Settings::new(flags, tls, env);
    let choice = settings.choose(url)?;
    let tls_flags = [
        (cli.proxy_insecure, "--proxy-insecure"),
        (cli.proxy_cacert.is_some(), "--proxy-cacert"),
    ];
    let warnings = env::warnings(flags, &tls_flags, &choice);
    Ok((settings, warnings))
}

fn usage(message: String) -> Failure {
    Failure::Usage(message)
}

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

/// The schemes wsc takes.
const SCHEMES: [&str; 4] = ["ws", "wss", "http", "https"];

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

fn parse_credentials(credentials: &str) -> Result<String, Failure> {
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

fn parse_seconds(flag: &str, text: &str) -> Result<Duration, Failure> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| usage(format!("{flag} takes a number of seconds, not '{text}'")))
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
    fn userinfo_is_taken_out_of_the_url() {
        let (url, info) = parse_url("ws://al%40ice:s%3Acret@h:1/p").unwrap();
        assert_eq!(url.as_str(), "ws://h:1/p");
        assert_eq!(info.as_deref(), Some("al@ice:s:cret"));
    }

    #[test]
    fn headers_need_a_name_and_a_colon() {
        let (name, value) = parse_header("X-Token:  abc ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("X-Token", "abc"));
        for bad in ["NoColon", ": value", "Bad Name: v", "X: a\u{1}b"] {
            assert!(matches!(parse_header(bad), Err(Failure::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn origin_and_user_agent_are_sent_without_surrounding_whitespace() {
        // Found by fuzzing: `-o ' o.test'` sent a value that reads back (and arrives) as "o.test".
        use clap::Parser;
        let cli = Cli::try_parse_from(["wsc", "ws://h/", "-o", " o.test ", "-A", "\tagent "]);
        let config = Config::from_cli(cli.unwrap()).unwrap();
        let value = |name: &str| {
            let (_, value) = config.headers.iter().find(|(n, _)| n == name).unwrap();
            value.to_str().unwrap().to_string()
        };
        assert_eq!(value("Origin"), "o.test");
        assert_eq!(value("User-Agent"), "agent");
    }

    fn config(args: &[&str]) -> Result<Config, Failure> {
        use clap::Parser;
        let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
        Config::from_cli(cli.map_err(|e| usage(e.to_string()))?)
    }

    #[test]
    fn count_zero_is_a_usage_error_and_dash_one_is_count_one() {
        assert!(matches!(
            config(&["ws://h/", "--count", "0"]),
            Err(Failure::Usage(m)) if m.contains("1 or more")
        ));
        assert_eq!(config(&["ws://h/", "-1"]).unwrap().count, Some(1));
        assert!(config(&["ws://h/", "-1", "--count", "2"]).is_err());
    }

    #[test]
    fn goals_wait_a_bounded_quiet_period_unless_told_otherwise() {
        let wait = |args: &[&str]| config(args).unwrap().wait;
        assert_eq!(wait(&["ws://h/"]), Wait::Quiet(Duration::from_secs(1)));
        assert_eq!(wait(&["ws://h/", "--count", "3"]), Wait::Quiet(GOAL_WAIT));
        assert_eq!(wait(&["ws://h/", "--expect", "x"]), Wait::Quiet(GOAL_WAIT));
        assert_eq!(
            wait(&["ws://h/", "--expect", "x", "-w", "-1"]),
            Wait::ServerClose
        );
        assert_eq!(
            wait(&["ws://h/", "--count", "3", "-w", "0.5"]),
            Wait::Quiet(Duration::from_millis(500))
        );
        assert_eq!(wait(&["ws://h/", "--echo"]), Wait::ServerClose);
        assert!(config(&["ws://h/", "--echo", "-w", "1"]).is_err());
    }

    #[test]
    fn flags_that_cannot_take_effect_are_named_in_warnings() {
        use clap::Parser;
        let warned = |args: &[&str], mode, stdin_empty: bool| {
            let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
            let cli = cli.unwrap();
            let url = parse_url(cli.url.as_deref().unwrap()).unwrap().0;
            warnings(&cli, mode, &url, || stdin_empty)
        };
        let pipe = |args: &[&str]| warned(args, Mode::Pipe, false);
        assert_eq!(pipe(&["ws://h/"]), Vec::<String>::new());
        assert_eq!(
            pipe(&["ws://h/", "--no-slash", "--history-file", "f"]),
            [
                "--no-slash applies to the REPL only (stdin and stdout are not both terminals)",
                "--history-file applies to the REPL only (stdin and stdout are not both terminals)"
            ]
        );
        assert!(pipe(&["ws://h/", "--max-dump", "9"])[0].starts_with("--max-dump applies"));
        assert!(pipe(&["ws://h/", "-i"])[0].starts_with("--interactive applies"));
        assert!(pipe(&["ws://h/", "--timestamps"])[0].contains("--timestamps"));
        assert!(pipe(&["ws://h/", "--timestamps", "-P"]).is_empty());
        assert!(pipe(&["ws://h/", "--timestamps", "--jsonl"]).is_empty());
        assert!(pipe(&["ws://h/", "--echo"])[0].contains("--echo sends no input"));
        assert!(warned(&["ws://h/", "--echo"], Mode::Pipe, true).is_empty());
        assert!(warned(&["ws://h/", "--no-history"], Mode::Repl, false).is_empty());
        assert!(pipe(&["ws://h/", "-k"])[0].contains("--insecure has no effect on a ws:// URL"));
        assert!(pipe(&["wss://h/", "-k"]).is_empty());
        // -u without -H Authorization is sent: no warning for it.
        assert_eq!(
            pipe(&[
                "h",
                "-A",
                "a",
                "-H",
                "user-agent: b",
                "-u",
                "u:p",
                "-o",
                "x",
                "-H",
                "Origin: o"
            ]),
            [
                "-H 'User-Agent: …' replaces -A, which is not sent",
                "-H 'Origin: …' replaces -o, which is not sent"
            ]
        );
        let repl = |args: &[&str]| warned(args, Mode::Repl, false);
        assert!(repl(&["h", "--echo"])[0].starts_with("--echo reads no input"));
        assert!(repl(&["h", "-i"])[0].starts_with("--interactive changes what -x does"));
        assert!(repl(&["h", "-i", "-x", "m"]).is_empty());
        assert_eq!(
            pipe(&["h", "--max-redirs", "3"]),
            ["--max-redirs has no effect without -L"]
        );
        assert!(pipe(&["h", "--max-redirs", "3", "--location-trusted"]).is_empty());
    }

    /// The config of a command line, which must be valid.
    fn config_of(args: &[&str]) -> Config {
        use clap::Parser;
        let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
        Config::from_cli(cli.unwrap()).unwrap()
    }

    /// The usage error of a command line, which must be one.
    fn usage_error_of(args: &[&str]) -> String {
        use clap::Parser;
        let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
        match Config::from_cli(cli.unwrap()) {
            Err(Failure::Usage(words)) => words,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn subprotocol_headers_are_offers_after_the_flags_each_once() {
        let config = config_of(&[
            "ws://h/",
            "-s",
            "a",
            "-H",
            "Sec-WebSocket-Protocol: x, a,,y",
            "-s",
            "b",
            "-H",
            "SEC-WEBSOCKET-PROTOCOL: b, z",
        ]);
        assert_eq!(config.subprotocols, ["a", "b", "x", "y", "z"]);
        assert!(
            !config
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-protocol")),
            "not sent twice: {:?}",
            config.headers
        );
        for bad in [
            &["-s", "a b"][..],
            &["-s", ""],
            &["-H", "Sec-WebSocket-Protocol: a;b"],
        ] {
            let mut args = vec!["ws://h/"];
            args.extend_from_slice(bad);
            assert!(
                usage_error_of(&args).contains("invalid subprotocol"),
                "{bad:?}"
            );
        }
    }

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
    fn a_time_limit_of_0_is_no_limit_and_a_ping_timeout_of_0_is_refused() {
        let config = config_of(&[
            "h",
            "--connect-timeout",
            "0",
            "--max-time",
            "0",
            "--idle-timeout",
            "0",
        ]);
        assert_eq!(config.connect_timeout, None);
        assert_eq!(config.max_time, None);
        assert_eq!(config.idle_timeout, None);
        let config = config_of(&["h", "--max-time", "1.5", "--idle-timeout", "2"]);
        assert_eq!(config.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(config.max_time, Some(Duration::from_millis(1500)));
        assert_eq!(config.idle_timeout, Some(Duration::from_secs(2)));
        for (args, words) in [
            (
                &["--ping-interval", "0"][..],
                "--ping-interval must be more than 0",
            ),
            (
                &["--ping-interval", "1", "--ping-timeout", "0"],
                "--ping-timeout must be more than 0",
            ),
        ] {
            let mut all = vec!["h"];
            all.extend_from_slice(args);
            assert_eq!(usage_error_of(&all), words);
        }
    }

    #[test]
    fn slash_is_accepted_as_the_default_it_is_and_conflicts_with_no_slash() {
        use clap::Parser;
        assert!(config_of(&["h", "--slash"]).slash);
        assert!(config_of(&["h"]).slash);
        assert!(!config_of(&["h", "--no-slash"]).slash);
        let error = Cli::try_parse_from(["wsc", "h", "--slash", "--no-slash"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn an_empty_user_agent_sends_none() {
        for agent in ["", " "] {
            let config = config_of(&["h", "-A", agent]);
            assert!(
                !config.headers.iter().any(|(n, _)| n == "User-Agent"),
                "{:?}",
                config.headers
            );
        }
    }

    #[test]
    fn seconds_must_be_non_negative_numbers() {
        assert_eq!(parse_seconds("--x", "1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["-2", "abc", "inf", "NaN"] {
            assert!(parse_seconds("--x", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_proxy_flags_reach_the_proxy_chosen_from_the_environment() {
        use clap::Parser;
        let args = [
            "wsc",
            "wss://h/",
            "--proxy-cacert",
            "ca.pem",
            "--proxy-insecure",
        ];
        let cli = Cli::try_parse_from(args).unwrap();
        let url = parse_url("wss://h/").unwrap().0;
        let env = |name: &str| (name == "HTTPS_PROXY").then(|| "https://p".to_string());
        let (settings, warnings) = proxy_choice(&cli, &url, env).unwrap();
        let choice = settings.choose(&url).unwrap();
        assert_eq!(
            choice.note.as_deref(),
            Some("proxy https://p:443 (from HTTPS_PROXY)")
        );
        let proxy = choice.proxy.unwrap();
        assert_eq!(proxy.tls.ca_file, Some(PathBuf::from("ca.pem")));
        assert!(proxy.tls.insecure);
        assert!(warnings.is_empty(), "{warnings:?}");
        let cli = Cli::try_parse_from(["wsc", "ws://h/", "--proxy-insecure"]).unwrap();
        let url = parse_url("ws://h/").unwrap().0;
        let (settings, warnings) = proxy_choice(&cli, &url, env).unwrap();
        assert!(
            settings.choose(&url).unwrap().proxy.is_none(),
            "not for ws://"
        );
        assert_eq!(
            warnings,
            ["--proxy-insecure has no effect: no https:// proxy is used"]
        );
    }

    #[test]
    fn colour_follows_flags_then_no_color_then_clicolor_force_then_the_terminal() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.into())
        };
        let auto = |terminal, vars| use_color(ColorWhen::Auto, false, terminal, env(vars));
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        assert!(
            auto(true, &[("NO_COLOR", "")]),
            "an empty NO_COLOR does not count"
        );
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(
            !auto(false, &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]),
            "NO_COLOR wins"
        );
        assert!(use_color(
            ColorWhen::Always,
            false,
            false,
            env(&[("NO_COLOR", "1")])
        ));
        assert!(
            !use_color(ColorWhen::Always, true, true, env(&[])),
            "--no-color wins"
        );
        assert!(!use_color(
            ColorWhen::Never,
            false,
            true,
            env(&[("CLICOLOR_FORCE", "1")])
        ));
    }
}
