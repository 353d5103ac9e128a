//! Turns the parsed command line into validated, typed settings, in one place. Anything the user
//! typed wrong is a usage error (status 2) here, before any connection is tried. The parts that
//! stand alone live beside it: server_url.rs, headers.rs, units.rs (seconds and sizes), warnings.rs.
//! The config file (file/) comes first: its settings are flags put before the command line's.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use http::HeaderValue;
use regex::Regex;
use tungstenite::protocol::CloseFrame;
use url::Url;

pub mod file;
mod headers;
mod listen;
mod reading;
mod recording;
mod server_url;
mod units;
mod warnings;

pub use headers::parse_header;
pub use listen::Required;
pub use reading::{DEFAULT_MAX_LINES, Reading};
pub use server_url::{parse_url, scheme_typo};
pub use units::parse_size;

use headers::{request_headers, subprotocols};
use listen::required;
use units::parse_seconds;
use warnings::{no_names_on, warnings};

use crate::cli::{Cli, ColorWhen};
use crate::connect::names::Names;
use crate::connect::unix::UnixSocket;
use crate::error::Failure;
use crate::protocol::deflate::DeflateOffer;
use crate::tls::pin::PinnedKey;

/// Everything a session needs to know, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The ws:// or wss:// URL, without credentials (with -l, the address listened on).
    pub url: Url,
    /// -l: the address to listen on, and --path, the one path accepted.
    pub listen: Option<std::net::SocketAddr>,
    pub path: Option<String>,
    /// --reconnect, and --reconnect-max: attempts in a row before giving up.
    pub reconnect: bool,
    pub reconnect_max: Option<u32>,
    /// -l --one: one client, its session's status; otherwise many, each with an id.
    pub one: bool,
    /// --max-clients: more at once are answered 503.
    pub max_clients: Option<usize>,
    /// -l: what a client's request must carry (--auth, --require-header), else it gets a 401.
    pub required: Required,
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
    /// --jsonrpc: lines are JSON-RPC requests (`METHOD [PARAMS]`), replies matched to them;
    /// --jsonrpc-bare too, with requests that have no `"jsonrpc":"2.0"`.
    pub jsonrpc: bool,
    pub jsonrpc_bare: bool,
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
    /// --pretty, --max-lines, --jq.
    pub reading: Reading,
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
    /// --heartbeat MSG --every SECS: an application message sent on a timer.
    pub heartbeat: Option<(String, Duration)>,
    /// --record: where every frame and connection event is written as it happens.
    pub record: Option<crate::record::Recorder>,
    /// --replay: the recording's outgoing messages, checked and timed; the input then.
    pub replay: Option<std::sync::Arc<crate::input::replay::Replay>>,
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
    /// Certificate (chain) and key files: the client's, or with -l the server's.
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

/// `$XDG_STATE_HOME/wsc/history`, or `~/.local/state/wsc/history`, from the variables `env`.
fn default_history_file(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let state = env("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
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
    /// -l without --one: a listener serving many clients, each with an id.
    pub fn many_clients(&self) -> bool {
        self.listen.is_some() && !self.one
    }

    pub fn from_cli(cli: Cli) -> Result<Config, Failure> {
        let listen = cli.listen.as_deref().map(listen_address).transpose()?;
        // clap lets `requires = "listen"` pass once the URL (which conflicts with -l) is given.
        let listen_only = [
            (cli.path.is_some(), "--path"),
            (!cli.require_header.is_empty(), "--require-header"),
            (cli.one, "--one"),
            (cli.max_clients.is_some(), "--max-clients"),
        ];
        if let (None, Some((_, flag))) = (listen, listen_only.iter().find(|(given, _)| *given)) {
            return Err(usage(format!(
                "{flag} works with -l only (it checks the requests wsc gets as a server)"
            )));
        }
        let path = cli.path.as_deref().map(listen_path).transpose()?;
        let raw_url = match listen {
            // With --cert and --key the listener serves wss:// (tls/server.rs).
            Some(addr) if cli.cert.is_some() => format!("wss://{addr}/"),
            Some(addr) => format!("ws://{addr}/"),
            None => cli.url.clone().or(cli.connect.clone()).unwrap_or_default(),
        };
        // wscat's ws+unix:///app.sock:/path names a socket and the request's path.
        let ws_unix = crate::connect::unix::parse_ws_unix(&raw_url)?;
        let (url, userinfo) = match (&ws_unix, listen) {
            (Some((url, _)), _) => (url.clone(), None),
            // The address listened on, port 0 included (parse_url refuses it for a server).
            (None, Some(_)) => (
                Url::parse(&raw_url).map_err(|e| usage(format!("--listen: {e}")))?,
                None,
            ),
            (None, None) => parse_url(&raw_url)?,
        };
        let names = Names::from_flags(&cli.resolve, &cli.connect_to, cli.ipv4, cli.ipv6)?;
        let unix_socket = crate::connect::unix::from_flags(
            cli.unix_socket.clone(),
            cli.abstract_unix_socket.clone(),
            ws_unix.map(|(_, socket)| socket),
        )?;

        let (headers, listed) = request_headers(&cli, userinfo)?;
        // With -l, -s names the subprotocols accepted; -H lines are a client's, and change
        // nothing there (warnings.rs says so).
        let listed = if listen.is_some() {
            &[][..]
        } else {
            &listed[..]
        };
        let subprotocols = subprotocols(&cli.subprotocols, listed)?;
        let required = required(&cli)?;

        let jsonrpc = cli.jsonrpc || cli.jsonrpc_bare;
        let input = match (cli.jsonl, cli.binary) {
            // Lines are requests then, text messages (clap refuses -b); --jsonl is the output's.
            _ if jsonrpc => InputFormat::Text,
            (true, _) => InputFormat::Jsonl,
            (false, true) => InputFormat::Binary,
            (false, false) => InputFormat::Text,
        };
        if jsonrpc {
            for line in &cli.execute {
                match crate::jsonrpc::parse_line(line) {
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        return Err(usage(format!(
                            "-x '{line}': with --jsonrpc, -x is a request: METHOD [PARAMS]"
                        )));
                    }
                    Err(e) => return Err(usage(format!("-x '{line}': {e}"))),
                }
            }
        }
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
        let heartbeat = heartbeat(&cli)?;
        let replay = recording::replay(&cli)?;
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
        let (proxy, proxy_warnings) = match listen {
            // A listener dials nothing: no proxy is chosen, so a broken proxy variable in the
            // environment is no error, and the proxy flags are warned about as client flags.
            Some(_) => (proxy_settings(&cli, proxy_variable), Vec::new()),
            None => proxy_choice(&cli, &url, proxy_variable)?,
        };
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
        let prompt = prompts(&cli, mode, replay.is_some());
        let output = output_format(cli.jsonl, mode, prompt);
        // Colour goes where the human lines go: the REPL's screen, or stderr in a pipe.
        let color = use_color(
            cli.color,
            cli.no_color,
            match mode {
                Mode::Repl => stdout_is_terminal,
                Mode::Pipe => stderr_is_terminal,
            },
            |name| std::env::var_os(name),
        );
        let reading = reading::reading(&cli, output, prompt, color, stdout_is_terminal)?;
        // Last: the file is created only for a command line that is good otherwise.
        let record = recording::record(&cli)?;
        Ok(Config {
            url,
            listen,
            path,
            one: cli.one,
            reconnect: cli.reconnect,
            reconnect_max: cli.reconnect_max,
            max_clients: cli.max_clients.map(|n| n as usize),
            required,
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
            jsonrpc,
            jsonrpc_bare: cli.jsonrpc_bare,
            execute: cli.execute,
            output,
            mode,
            prompt,
            interactive: cli.interactive,
            color,
            timestamps: cli.timestamps,
            show_ping_pong: cli.show_ping_pong,
            max_dump: cli.max_dump.unwrap_or(DEFAULT_MAX_DUMP),
            reading,
            slash: !cli.no_slash,
            history: match (cli.no_history, cli.history_file) {
                (true, _) => None,
                (false, Some(path)) => Some(path),
                (false, None) => default_history_file(|name| std::env::var_os(name)),
            },
            verbose: cli.verbose,
            wait,
            count,
            expect,
            max_time: limit("--max-time", &cli.max_time)?,
            idle_timeout: limit("--idle-timeout", &cli.idle_timeout)?,
            ping,
            heartbeat,
            record,
            replay,
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

/// Whether keys are read at a prompt: in the REPL, unless --echo or a replay is the input
/// or -x gives the messages (without -i).
fn prompts(cli: &Cli, mode: Mode, replaying: bool) -> bool {
    mode == Mode::Repl && !cli.echo && !replaying && (cli.execute.is_empty() || cli.interactive)
}

/// The shape of the output: --jsonl's objects, except where they would scramble the prompt
/// (there --jsonl is what is typed); else the REPL's human lines, or a pipe's raw messages.
fn output_format(jsonl: bool, mode: Mode, prompt: bool) -> OutputFormat {
    match (jsonl, mode) {
        (true, _) if prompt => OutputFormat::Human,
        (true, _) => OutputFormat::Jsonl,
        (false, Mode::Repl) => OutputFormat::Human,
        (false, Mode::Pipe) => OutputFormat::Raw,
    }
}

/// `--heartbeat MSG --every SECS`: each needs the other, and SECS is more than 0.
fn heartbeat(cli: &Cli) -> Result<Option<(String, Duration)>, Failure> {
    match (&cli.heartbeat, &cli.every) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(usage(
            "--heartbeat needs --every SECS (how often to send it)".into(),
        )),
        (None, Some(_)) => Err(usage(
            "--every needs --heartbeat MSG (what to send every SECS seconds)".into(),
        )),
        (Some(message), Some(every)) => match parse_seconds("--every", every)? {
            every if every.is_zero() => Err(usage("--every must be more than 0".into())),
            every => Ok(Some((message.clone(), every))),
        },
    }
}

/// `-l [ADDR:]PORT`: a bare port listens on 127.0.0.1 only; other addresses are said outright.
fn listen_address(value: &str) -> Result<std::net::SocketAddr, Failure> {
    let value = value.trim();
    let parsed = match value.parse::<u16>() {
        Ok(port) => Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port))),
        Err(_) => value.parse(),
    };
    parsed.map_err(|_| {
        usage(format!(
            "--listen '{value}' is not [ADDR:]PORT (e.g. 8080, 0.0.0.0:8080, [::]:8080)"
        ))
    })
}

/// `--path /p`: compared with the request's path, so it must be one.
fn listen_path(value: &str) -> Result<String, Failure> {
    if !value.starts_with('/') || value.chars().any(|c| c.is_whitespace() || c == '?') {
        return Err(usage(format!(
            "--path '{value}' is not a path (it starts with / and has no spaces or query)"
        )));
    }
    Ok(value.to_string())
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
    let settings = proxy_settings(cli, env);
    let choice = settings.choose(url)?;
    let tls_flags = [
        (cli.proxy_insecure, "--proxy-insecure"),
        (cli.proxy_cacert.is_some(), "--proxy-cacert"),
    ];
    let warnings = env::warnings(settings.flags(), &tls_flags, &choice);
    Ok((settings, warnings))
}

/// The proxy flags and variables (`env`), unchecked: nothing is chosen yet.
fn proxy_settings(
    cli: &Cli,
    env: impl Fn(&str) -> Option<String>,
) -> crate::connect::proxy::env::Settings {
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
    env::Settings::new(flags, tls, env)
}

fn usage(message: String) -> Failure {
    Failure::Usage(message)
}
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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

    /// The config of a command line, which must be valid.
    pub(crate) fn config_of(args: &[&str]) -> Config {
        use clap::Parser;
        let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
        Config::from_cli(cli.unwrap()).unwrap()
    }

    /// The usage error of a command line, which must be one.
    pub(super) fn usage_error_of(args: &[&str]) -> String {
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
        // A list in one -s is refused, not split: -s is one name (the header's lists are split).
        assert_eq!(
            usage_error_of(&["ws://h/", "-s", "a,b"]),
            "invalid subprotocol 'a,b' (a name is letters, digits and !#$%&'*+-.^_`|~)"
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
    fn jsonrpc_lines_are_requests_even_with_jsonl_which_then_shapes_the_output_only() {
        let config = config_of(&["h", "--jsonrpc", "--jsonl", "-x", "m [1]"]);
        assert!(config.jsonrpc && !config.jsonrpc_bare);
        assert_eq!(config.input, InputFormat::Text);
        if config.mode == Mode::Pipe {
            assert_eq!(config.output, OutputFormat::Jsonl);
        }
        let config = config_of(&["h", "--jsonrpc-bare"]);
        assert!(
            config.jsonrpc && config.jsonrpc_bare,
            "bare is --jsonrpc too"
        );
        assert_eq!(
            usage_error_of(&["h", "--jsonrpc", "-x", "m", "-x", "m x"]),
            "-x 'm x': params are not JSON: expected value at column 3"
        );
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

    #[test]
    fn the_history_file_is_under_xdg_state_home_else_under_home() {
        use std::ffi::OsString;
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let found = vars.iter().find(|(n, _)| *n == name);
                found.map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            default_history_file(env(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")])),
            Some(PathBuf::from("/s/wsc/history"))
        );
        // An empty XDG_STATE_HOME is unset, as the XDG spec says.
        assert_eq!(
            default_history_file(env(&[("XDG_STATE_HOME", ""), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.local/state/wsc/history"))
        );
        assert_eq!(default_history_file(env(&[])), None, "nowhere to keep it");
    }

    #[test]
    fn only_a_listener_without_one_serves_many_clients() {
        assert!(config_of(&["-l", "0"]).many_clients());
        assert!(!config_of(&["-l", "0", "--one"]).many_clients());
        assert!(!config_of(&["ws://h/"]).many_clients());
    }

    #[test]
    fn a_listener_with_a_certificate_serves_wss_and_without_one_ws() {
        let with_cert = config_of(&["-l", "0", "--cert", "c.pem", "--key", "k.pem"]);
        assert_eq!(with_cert.url.as_str(), "wss://127.0.0.1:0/");
        assert_eq!(config_of(&["-l", "0"]).url.as_str(), "ws://127.0.0.1:0/");
    }

    #[test]
    fn keys_are_read_at_a_prompt_only_in_the_repl_when_nothing_else_is_the_input() {
        let prompts_for = |args: &[&str], mode, replaying| {
            use clap::Parser;
            let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
            prompts(&cli.unwrap(), mode, replaying)
        };
        assert!(prompts_for(&["h"], Mode::Repl, false));
        assert!(!prompts_for(&["h"], Mode::Pipe, false));
        assert!(!prompts_for(&["h", "--echo"], Mode::Repl, false));
        assert!(
            !prompts_for(&["h"], Mode::Repl, true),
            "a replay is the input"
        );
        assert!(!prompts_for(&["h", "-x", "m"], Mode::Repl, false));
        assert!(prompts_for(&["h", "-x", "m", "-i"], Mode::Repl, false));
    }

    #[test]
    fn jsonl_shapes_the_output_except_at_a_prompt() {
        assert_eq!(output_format(true, Mode::Repl, true), OutputFormat::Human);
        assert_eq!(output_format(true, Mode::Repl, false), OutputFormat::Jsonl);
        assert_eq!(output_format(true, Mode::Pipe, false), OutputFormat::Jsonl);
        assert_eq!(output_format(false, Mode::Repl, false), OutputFormat::Human);
        assert_eq!(output_format(false, Mode::Pipe, false), OutputFormat::Raw);
    }

    #[test]
    fn location_trusted_follows_redirects_as_l_does() {
        assert!(config_of(&["h", "-L"]).location);
        assert!(config_of(&["h", "--location-trusted"]).location);
        assert!(!config_of(&["h"]).location);
    }

    #[test]
    fn tls_min_raises_the_lowest_version_from_1_2_to_1_3() {
        let version = |args: &[&str]| config_of(args).tls.min_version;
        assert_eq!(version(&["wss://h/"]), TlsVersion::V1_2);
        assert_eq!(version(&["wss://h/", "--tls-min", "1.2"]), TlsVersion::V1_2);
        assert_eq!(version(&["wss://h/", "--tls-min", "1.3"]), TlsVersion::V1_3);
    }

    #[test]
    fn a_heartbeat_is_its_message_every_so_often_and_never_every_0_seconds() {
        assert_eq!(config_of(&["h"]).heartbeat, None);
        assert_eq!(
            config_of(&["h", "--heartbeat", "hb", "--every", "2.5"]).heartbeat,
            Some(("hb".to_string(), Duration::from_millis(2500)))
        );
        assert_eq!(
            usage_error_of(&["h", "--heartbeat", "hb", "--every", "0"]),
            "--every must be more than 0"
        );
    }

    #[test]
    fn a_listening_path_starts_with_a_slash_and_has_no_space_or_query() {
        assert_eq!(listen_path("/chat/room"), Ok("/chat/room".to_string()));
        for bad in ["chat", "/a b", "/a?x=1", "/a\tb"] {
            assert_eq!(
                listen_path(bad),
                Err(usage(format!(
                    "--path '{bad}' is not a path (it starts with / and has no spaces or query)"
                ))),
            );
        }
    }

    #[test]
    fn a_servername_is_a_host_name_or_an_ip_address_without_a_port() {
        for (name, sent) in [
            ("h.test", "h.test"),
            ("127.0.0.1", "127.0.0.1"),
            ("::1", "::1"),
            ("[::1]", "::1"),
        ] {
            assert_eq!(servername(name), Ok(sent.to_string()), "{name}");
        }
        for bad in ["", "[]", "h.test:443", "a b", "a\u{7}b", "h.test/p"] {
            assert_eq!(
                servername(bad),
                Err(usage(format!(
                    "--servername '{bad}' is not a host name or IP address"
                ))),
            );
        }
    }
}
