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
use crate::error::Failure;
use crate::protocol::deflate::DeflateOffer;

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
    pub connect_timeout: Duration,
    pub tls: TlsSettings,
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
}

#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    pub insecure: bool,
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key files.
    pub identity: Option<(PathBuf, PathBuf)>,
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
    /// Sigils, colours and hex dumps: the REPL, or `--color always`.
    Human,
}

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
        let (url, userinfo) = parse_url(&raw_url)?;

        let headers = request_headers(&cli, userinfo)?;
        for protocol in &cli.subprotocols {
            if protocol.is_empty() || protocol.contains([',', ' ']) {
                return Err(usage(format!("invalid subprotocol '{protocol}'")));
            }
        }

        let input = match (cli.jsonl, cli.binary) {
            (true, _) => InputFormat::Jsonl,
            (false, true) => InputFormat::Binary,
            (false, false) => InputFormat::Text,
        };
        // With --count or --expect they decide when to stop, unless a wait is given too; --echo
        // never closes on its own.
        let decided = cli.count.is_some() || !cli.expect.is_empty() || cli.echo;
        let wait = match (cli.wait.as_deref().map(str::trim), decided) {
            (_, true) if cli.echo => Wait::ServerClose,
            (Some("-1"), _) | (None, true) => Wait::ServerClose,
            (Some(secs), _) => Wait::Quiet(parse_seconds("--wait", secs)?),
            (None, false) => Wait::Quiet(Duration::from_secs(1)),
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
            Some(interval) => Some((
                interval,
                seconds("--ping-timeout", &cli.ping_timeout)?.unwrap_or(interval),
            )),
            None => None,
        };
        let close = crate::input::jsonl::close_frame(cli.close_code, &cli.close_reason)
            .map_err(|e| usage(format!("--close-code/--close-reason: {e}")))?;
        if cli.max_message_size == 0 {
            return Err(usage("--max-message-size must be at least 1".into()));
        }

        let stdout_is_terminal = std::io::stdout().is_terminal();
        let mode = if std::io::stdin().is_terminal() && stdout_is_terminal {
            Mode::Repl
        } else {
            Mode::Pipe
        };
        let prompt = mode == Mode::Repl && !cli.echo && (cli.execute.is_empty() || cli.interactive);
        Ok(Config {
            url,
            headers,
            subprotocols: cli.subprotocols,
            deflate: (!cli.no_compress).then_some(DeflateOffer {
                client_max_window_bits: cli.client_max_window_bits,
                server_max_window_bits: cli.server_max_window_bits,
                client_no_context_takeover: cli.client_no_context_takeover,
                server_no_context_takeover: cli.server_no_context_takeover,
            }),
            connect_timeout: parse_seconds("--connect-timeout", &cli.connect_timeout)?,
            tls: TlsSettings {
                insecure: cli.insecure,
                ca_file: cli.ca.map(PathBuf::from),
                identity: cli.cert.map(PathBuf::from).zip(cli.key.map(PathBuf::from)),
            },
            input,
            execute: cli.execute,
            output: match (cli.jsonl, mode, cli.color) {
                // JSON objects would scramble the prompt: there --jsonl is what is typed.
                (true, _, _) if prompt => OutputFormat::Human,
                (true, _, _) => OutputFormat::Jsonl,
                (false, Mode::Repl, _) | (false, _, ColorWhen::Always) => OutputFormat::Human,
                _ => OutputFormat::Raw,
            },
            mode,
            prompt,
            interactive: cli.interactive,
            color: use_color(cli.color, cli.no_color, stdout_is_terminal, |name| {
                std::env::var_os(name)
            }),
            timestamps: cli.timestamps,
            show_ping_pong: cli.show_ping_pong,
            max_dump: cli.max_dump,
            slash: !cli.no_slash,
            history: match (cli.no_history, cli.history_file) {
                (true, _) => None,
                (false, Some(path)) => Some(path),
                (false, None) => default_history_file(),
            },
            verbose: cli.verbose,
            wait,
            count: cli.count,
            expect,
            max_time: seconds("--max-time", &cli.max_time)?,
            idle_timeout: seconds("--idle-timeout", &cli.idle_timeout)?,
            ping,
            echo: cli.echo,
            stats: cli.stats,
            close,
            close_timeout: parse_seconds("--close-timeout", &cli.close_timeout)?,
            max_message_size: cli.max_message_size,
            stdout_is_terminal,
            stderr_is_terminal: std::io::stderr().is_terminal(),
        })
    }
}

/// The headers wsc adds to the upgrade request: authorization (flag or URL userinfo), origin,
/// user agent, then -H headers, which replace a default of the same name.
fn request_headers(
    cli: &Cli,
    userinfo: Option<String>,
) -> Result<Vec<(String, HeaderValue)>, Failure> {
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
    headers.push((
        "User-Agent".to_string(),
        header_value("User-Agent", &agent)?,
    ));
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
    // A header given with -H replaces the one wsc would send by default.
    headers.retain(|(name, _)| !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
    headers.extend(extra);
    Ok(headers)
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
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else {
        format!("ws://{input}")
    };
    let mut url =
        Url::parse(&with_scheme).map_err(|e| usage(format!("invalid URL '{input}': {e}")))?;

    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            return Err(usage(format!(
                "invalid URL '{input}': unsupported scheme '{other}' (use ws:// or wss://)"
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

    #[test]
    fn seconds_must_be_non_negative_numbers() {
        assert_eq!(parse_seconds("--x", "1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["-2", "abc", "inf", "NaN"] {
            assert!(parse_seconds("--x", bad).is_err(), "{bad}");
        }
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
