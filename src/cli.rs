//! The command line as clap sees it. Doc comments here are the help text; `config.rs` turns the
//! parsed flags into validated settings.

use clap::{CommandFactory, Parser};

use crate::error::EXIT_STATUSES;

/// Examples of the three uses, for `--help` and the man page.
pub const EXAMPLES: [(&str, &str); 6] = [
    ("wsc ws://127.0.0.1:9001", "talk to a server interactively"),
    (
        "echo '{\"op\":\"subscribe\"}' | wsc wss://example.test/feed --count 3",
        "send a line, print three replies, close",
    ),
    (
        "seq 1 1000 | wsc ws://127.0.0.1:9001 > replies.txt",
        "pipe lines in, replies out, nothing lost",
    ),
    (
        "wsc wss://example.test/ws -x '{\"op\":\"ping\"}' --expect pong --max-time 5",
        "CI smoke test: status 0 only if a pong arrives in time",
    ),
    (
        "wsc --jsonl ws://127.0.0.1:9001 < session.jsonl",
        "replay a session, every frame type included",
    ),
    (
        "wsc -v --stats wss://example.test/ws -w 0 < /dev/null",
        "see the handshake, timings and figures",
    ),
];

/// The command with the long help's closing sections (examples, exit statuses).
pub fn command() -> clap::Command {
    let mut after = String::from("Examples:\n");
    for (command, what) in EXAMPLES {
        after.push_str(&format!("  {command}\n      {what}\n"));
    }
    after.push_str("\nExit status:\n");
    for (code, meaning) in EXIT_STATUSES {
        after.push_str(&format!("  {code:>3}  {meaning}\n"));
    }
    Cli::command().after_long_help(after)
}

/// A WebSocket client for terminals, shell pipes and CI.
///
/// Connects to a ws:// or wss:// URL. With a terminal on both ends it is interactive; otherwise
/// every stdin line becomes a message and every received message becomes a stdout line.
#[derive(Debug, Parser)]
#[command(name = "wsc", version, about, long_about, term_width = 100)]
pub struct Cli {
    /// The server: ws://, wss://, http:// or https:// (no scheme means ws://).
    #[arg(value_name = "URL", required_unless_present_any = ["connect", "generate"])]
    pub url: Option<String>,

    /// Write shell completions or the man page to stdout (for packagers).
    #[arg(long, value_name = "KIND", value_enum, hide = true)]
    pub generate: Option<Generate>,

    /// The server, as wscat takes it (same as the URL argument).
    #[arg(
        short = 'c',
        long,
        value_name = "URL",
        conflicts_with = "url",
        help_heading = "Connection"
    )]
    pub connect: Option<String>,

    /// Add a header to the upgrade request, as 'Name: value' (repeatable).
    #[arg(
        short = 'H',
        long = "header",
        value_name = "HEADER",
        help_heading = "Connection"
    )]
    pub headers: Vec<String>,

    /// Send Basic authorization with these credentials.
    #[arg(
        long,
        value_name = "USER:PASS",
        conflicts_with = "user",
        help_heading = "Connection"
    )]
    pub auth: Option<String>,

    /// Send Basic authorization with these credentials (same as --auth).
    #[arg(
        short = 'u',
        long,
        value_name = "USER:PASS",
        help_heading = "Connection"
    )]
    pub user: Option<String>,

    /// Send this Origin header.
    #[arg(short = 'o', long, value_name = "ORIGIN", help_heading = "Connection")]
    pub origin: Option<String>,

    /// Offer this subprotocol (repeatable); the server must pick one of them.
    #[arg(
        short = 's',
        long = "subprotocol",
        value_name = "PROTOCOL",
        help_heading = "Connection"
    )]
    pub subprotocols: Vec<String>,

    /// The User-Agent header [default: wsc/VERSION].
    #[arg(short = 'A', long, value_name = "AGENT", help_heading = "Connection")]
    pub user_agent: Option<String>,

    /// Do not offer permessage-deflate compression (offered by default, as browsers do).
    #[arg(long, help_heading = "Compression")]
    pub no_compress: bool,

    /// Compress what we send with a window of at most 2^BITS bytes (8-15) [default: any the
    /// server allows].
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u8).range(8..=15),
          conflicts_with = "no_compress", help_heading = "Compression")]
    pub client_max_window_bits: Option<u8>,

    /// Ask the server to compress with a window of at most 2^BITS bytes (8-15).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u8).range(8..=15),
          conflicts_with = "no_compress", help_heading = "Compression")]
    pub server_max_window_bits: Option<u8>,

    /// Reset our compression context after every message (less memory, less compression).
    #[arg(long, conflicts_with = "no_compress", help_heading = "Compression")]
    pub client_no_context_takeover: bool,

    /// Ask the server to reset its compression context after every message.
    #[arg(long, conflicts_with = "no_compress", help_heading = "Compression")]
    pub server_no_context_takeover: bool,

    /// Give up connecting after this many seconds (DNS, TCP, TLS and the upgrade together).
    #[arg(
        long,
        value_name = "SECS",
        default_value = "10",
        allow_negative_numbers = true,
        help_heading = "Connection"
    )]
    pub connect_timeout: String,

    /// Do not verify the server's TLS certificate.
    #[arg(
        short = 'k',
        long,
        short_alias = 'n',
        alias = "no-check",
        help_heading = "TLS"
    )]
    pub insecure: bool,

    /// Trust the certificates in this PEM file.
    #[arg(long, alias = "cacert", value_name = "FILE", help_heading = "TLS")]
    pub ca: Option<String>,

    /// Present this PEM client certificate (with --key).
    #[arg(long, value_name = "FILE", requires = "key", help_heading = "TLS")]
    pub cert: Option<String>,

    /// The PKCS#8 PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert", help_heading = "TLS")]
    pub key: Option<String>,

    /// Send each input line (stdin, or typed in the REPL) as a binary message instead of text.
    #[arg(short = 'b', long, help_heading = "Input")]
    pub binary: bool,

    /// Send this message first, before stdin (repeatable).
    #[arg(
        short = 'x',
        long = "execute",
        value_name = "MSG",
        help_heading = "Input"
    )]
    pub execute: Vec<String>,

    /// Print one JSON object per event, and read stdin lines as such objects. In the REPL, typed
    /// lines are read as such objects (a bad one is reported and skipped; slash commands still
    /// work) and what arrives is shown for people, above the prompt.
    #[arg(long, help_heading = "Output")]
    pub jsonl: bool,

    /// When to colour the output.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto, help_heading = "Output")]
    pub color: ColorWhen,

    /// Never colour the output (same as --color never).
    #[arg(long, help_heading = "Output")]
    pub no_color: bool,

    /// Prefix each shown line with the local time, to the millisecond.
    #[arg(long, help_heading = "Output")]
    pub timestamps: bool,

    /// Show at most this many bytes of a binary message in its hex dump (0: no dump, only the
    /// size); a line then says how many bytes were not shown.
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = 512,
        help_heading = "Output"
    )]
    pub max_dump: usize,

    /// Show pings and pongs in both directions, with their payloads.
    #[arg(short = 'P', long, help_heading = "Output")]
    pub show_ping_pong: bool,

    /// With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal
    /// is a one-shot as in wscat: send, print the replies until --wait, close and exit.
    #[arg(short = 'i', long, conflicts_with = "echo", help_heading = "REPL")]
    pub interactive: bool,

    /// Send lines that start with / as they are, instead of as slash commands.
    #[arg(long, help_heading = "REPL")]
    pub no_slash: bool,

    /// Keep the REPL history in this file [default: $XDG_STATE_HOME/wsc/history].
    #[arg(long, value_name = "PATH", help_heading = "REPL")]
    pub history_file: Option<std::path::PathBuf>,

    /// Do not read or write the REPL history.
    #[arg(long, conflicts_with = "history_file", help_heading = "REPL")]
    pub no_history: bool,

    /// Report connection events on stderr (-vv shows credentials too).
    #[arg(short = 'v', long, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// After input ends, close once no message has arrived for this long (0: at once;
    /// -1: wait for the server to close) [default: 1, or -1 with --count].
    #[arg(
        short = 'w',
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub wait: Option<String>,

    /// After input ends, close once this many messages have been received in all.
    #[arg(long, value_name = "N", help_heading = "Session")]
    pub count: Option<u64>,

    /// Succeed once received messages have matched these patterns, in order (repeatable);
    /// status 8 if the session ends first.
    #[arg(long, value_name = "REGEX", help_heading = "Session")]
    pub expect: Vec<String>,

    /// End the whole session after this long (status 8).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub max_time: Option<String>,

    /// End the session when no message has gone either way for this long (status 8).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub idle_timeout: Option<String>,

    /// Send a ping this often.
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub ping_interval: Option<String>,

    /// With --ping-interval: status 6 when a pong takes longer than this [default: the interval].
    #[arg(
        long,
        value_name = "SECS",
        requires = "ping_interval",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub ping_timeout: Option<String>,

    /// Send every received message back unchanged, ignoring stdin, until the server closes.
    #[arg(long, conflicts_with_all = ["execute", "count"], help_heading = "Session")]
    pub echo: bool,

    /// At exit, print one line of figures on stderr (time, messages and bytes each way, ping
    /// round trips, close).
    #[arg(long, help_heading = "Session")]
    pub stats: bool,

    /// The code of the Close that wsc sends.
    #[arg(
        long,
        value_name = "CODE",
        default_value_t = 1000,
        help_heading = "Session"
    )]
    pub close_code: u16,

    /// The reason of the Close that wsc sends.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "",
        help_heading = "Session"
    )]
    pub close_reason: String,

    /// How long to wait for the server's answer to our Close.
    #[arg(
        long,
        value_name = "SECS",
        default_value = "2",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub close_timeout: String,

    /// Close with 1009 when a received message is larger than this.
    #[arg(
        long,
        value_name = "BYTES",
        default_value = "67108864",
        help_heading = "Session"
    )]
    pub max_message_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    Always,
    Never,
}
