//! The command line as clap sees it. Doc comments here are the help text; `config.rs` turns the
//! parsed flags into validated settings.

use clap::{CommandFactory, Parser};

use crate::error::EXIT_STATUSES;

/// Examples of the three uses, for `--help` and the man page.
pub const EXAMPLES: [(&str, &str); 8] = [
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
        "wsc wss://example.test/ws --replay bug.jsonl --expect error --max-time 30",
        "a session recorded with --record sent again with its timing: a regression test",
    ),
    (
        "wsc -v --stats wss://example.test/ws -w 0 < /dev/null",
        "see the handshake, timings and figures",
    ),
    (
        "wsc -l 0 --one --expect '\"op\":\"subscribe\"' -x '{\"ok\":true}'",
        "be the server a client under test talks to: status 0 only if it subscribes",
    ),
];

/// How a session runs and ends, for `--help` and the man page (the README says the same at
/// length).
pub const RULES: [&str; 7] = [
    "In a pipe, stdout carries data only: payloads, or --jsonl objects. Events go to stderr: \
     connection and close with -v, pings and pongs with -v or -P, coloured by --color, \
     prefixed by --timestamps.",
    "After input ends, wsc waits until nothing has arrived for -w seconds (default 1; 5 with \
     --count or --expect; -1: until the server closes), then sends Close 1000 and waits \
     --close-timeout for the server's.",
    "--count N prints N messages and closes, even while input is still being sent; --expect \
     closes once every pattern has matched. If the session ends first, status 8 names what was \
     missing and what ended it.",
    "Status 0 means all input was sent and the close handshake was clean. A server that closes \
     before every stdin line (or --replay message) was sent gives status 9, with how many were \
     not sent.",
    "SIGINT, SIGTERM and SIGHUP send Close 1001 (going away) and wait --close-timeout for the \
     answer (a second signal stops waiting), then exit 130, 143 and 129.",
    "A flag that cannot take effect in this run (--history-file in a pipe, -k on ws://, -H \
     replacing -A, -H or --proxy with -l) is named in a 'wsc: warning:' line; flags that \
     contradict each other are usage errors.",
    "In the REPL the last lines are the close line, which says who closed ('closed: 1000 \
     (normal), by you' or 'closed by server: ...'), then the --stats line; a close with another \
     code is not repeated as an error line.",
];

/// The command with the long help's closing sections (examples, rules, slash commands, JSON
/// lines, recordings, JSON-RPC, the config file, exit statuses; the exit statuses last).
pub fn command() -> clap::Command {
    let mut after = String::from("Examples:\n");
    for (command, what) in EXAMPLES {
        after.push_str(&format!("  {command}\n      {what}\n"));
    }
    after.push_str("\nHow a session runs and ends:\n");
    for rule in RULES {
        after.push_str(&format!("{}\n", wrap(rule, "  - ", "    ")));
    }
    after.push_str("\nSlash commands (in the REPL; --no-slash sends such lines as typed):\n");
    for line in crate::input::slash::help(true).lines() {
        after.push_str(&format!("  {line}\n"));
    }
    after.push_str("\nJSON lines (--jsonl) printed on stdout, one per event:\n");
    for (object, what) in crate::output::jsonl::PRINTED {
        after.push_str(&format!("  {object}\n      {what}\n"));
    }
    after.push_str("\nJSON lines read from stdin with --jsonl, one message each:\n");
    for (object, what) in crate::input::jsonl::READ {
        after.push_str(&format!("  {object}\n      {what}\n"));
    }
    after.push_str("\nRecordings (--record writes them, --replay sends their \"out\" lines):\n");
    for (object, what) in crate::record::LINES {
        after.push_str(&format!("  {object}\n{}\n", wrap(what, "      ", "      ")));
    }
    after.push_str("\nJSON-RPC (--jsonrpc):\n");
    for rule in crate::jsonrpc::RULES {
        after.push_str(&format!("{}\n", wrap(rule, "  - ", "    ")));
    }
    after.push_str("\nThe config file, its defaults and profiles:\n");
    for rule in crate::config::file::RULES {
        after.push_str(&format!("{}\n", wrap(rule, "  - ", "    ")));
    }
    after.push_str("\nExit status:\n");
    for (code, meaning) in EXIT_STATUSES {
        after.push_str(&format!("  {code:>3}  {meaning}\n"));
    }
    Cli::command().after_long_help(after)
}

/// Text wrapped at the help's width, the first line after `first`, the others after `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut lines = vec![first.to_string()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if line.len() + 1 + word.len() > HELP_WIDTH - 4 && line.trim().len() > 1 {
            lines.push(format!("{rest}{word}"));
        } else {
            if !line.ends_with(' ') {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

/// The width the help is written for (clap's `term_width`).
const HELP_WIDTH: usize = 100;

/// A WebSocket client for terminals, shell pipes and CI.
///
/// Connects to a ws:// or wss:// URL. With a terminal on both ends it is interactive; otherwise
/// every stdin line becomes a message and every received message becomes a stdout line.
#[derive(Debug, Parser)]
#[command(name = "wsc", version, about, long_about, term_width = HELP_WIDTH)]
pub struct Cli {
    /// The server: ws://, wss://, http:// or https:// (no scheme means ws://). A mistyped scheme
    /// (ws:/host, ws:host, wss//host, htp://host) is a usage error. A redirect is followed with
    /// -L; without it a 3xx answer is status 5, naming where it points. wscat's
    /// ws+unix:///path/to.sock:/request/path reaches a server on a unix socket.
    #[arg(value_name = "URL", required_unless_present_any = ["connect", "generate", "listen"])]
    pub url: Option<String>,

    /// Be the server: listen on [ADDR:]PORT and serve clients, each with an id (#1, #2, ...).
    ///
    /// 127.0.0.1 unless an address is given, as 0.0.0.0:PORT or [::]:PORT; port 0 picks a free
    /// one. The first stderr line is '* listening on ws://ADDR:PORT/' (wss:// with --cert and
    /// --key; with --jsonl also a "listening" object on stdout). Stdin or typed lines go to every
    /// client connected (a pipe's stdin is read once one is; in the REPL /to N picks one); what
    /// clients send is shown with their id ("client":N with --jsonl). -x greets each client;
    /// --count and --expect count all clients' messages and, once met, close them all; --max-time
    /// and signals end the run. A client that does not read for 2 s while its queue is full is
    /// closed with 1008. A bad request is answered with its status (400, 404, 405, 426) and told
    /// about. -s names the subprotocols accepted (the first the client offers; none: no
    /// subprotocol); permessage-deflate is agreed unless --no-compress. --auth and
    /// --require-header say what a client must send (else 401). Flags for connecting to a server
    /// (-H, -o, -A, -L, --proxy, --resolve, -4, ...) have no effect and are warned about;
    /// --unix-socket is a usage error.
    // A unix socket names where to connect: with -l it would contradict where to listen.
    #[arg(
        short = 'l',
        long,
        value_name = "[ADDR:]PORT",
        conflicts_with_all = ["url", "connect", "unix_socket", "abstract_unix_socket"],
        help_heading = "Listen"
    )]
    pub listen: Option<String>,

    /// With -l, serve one client, as wscat -l does: once it is connected the port is closed
    /// (further connections are refused) and wsc exits with that session's status.
    #[arg(long, requires = "listen", help_heading = "Listen")]
    pub one: bool,

    /// With -l, serve at most N clients at once; more are answered 503.
    #[arg(
        long,
        value_name = "N",
        requires = "listen",
        conflicts_with = "one",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Listen"
    )]
    pub max_clients: Option<u32>,

    /// With -l, accept only requests for this path (others are answered 404).
    #[arg(
        long,
        value_name = "PATH",
        requires = "listen",
        help_heading = "Listen"
    )]
    pub path: Option<String>,

    /// With -l, accept only requests that carry this header with this value, as 'Name: value'
    /// (repeatable: all are required; the name in any case, the value exactly). Others are
    /// answered 401 (with WWW-Authenticate: Basic realm="wsc"), naming the header, never its
    /// value. 'Origin: https://app.test' checks where a browser client was loaded from.
    #[arg(
        long,
        value_name = "HEADER",
        requires = "listen",
        help_heading = "Listen"
    )]
    pub require_header: Vec<String>,

    /// Write shell completions or the man page to stdout (for packagers), or the config file's
    /// profile names (for the completions).
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

    /// Add a header to the upgrade request, as 'Name: value' (repeatable); it replaces a header
    /// wsc would send of the same name. 'Sec-WebSocket-Protocol: a, b' offers subprotocols, as
    /// -s does.
    #[arg(
        short = 'H',
        long = "header",
        value_name = "HEADER",
        help_heading = "Connection"
    )]
    pub headers: Vec<String>,

    /// Send Basic authorization with these credentials. With -l, require them of every client:
    /// a request without them is answered 401 (WWW-Authenticate: Basic realm="wsc").
    #[arg(
        long,
        value_name = "USER:PASS",
        conflicts_with = "user",
        help_heading = "Connection"
    )]
    pub auth: Option<String>,

    /// Send Basic authorization with these credentials (same as --auth; with -l, require them).
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

    /// Offer this subprotocol (repeatable); the server must pick one of them. The -s ones are
    /// offered first, then those of -H 'Sec-WebSocket-Protocol: ...', each once.
    #[arg(
        short = 's',
        long = "subprotocol",
        value_name = "PROTOCOL",
        help_heading = "Connection"
    )]
    pub subprotocols: Vec<String>,

    /// The User-Agent header; '' sends none [default: wsc/VERSION].
    #[arg(short = 'A', long, value_name = "AGENT", help_heading = "Connection")]
    pub user_agent: Option<String>,

    /// Use these addresses for HOST at PORT instead of looking HOST up, as curl does
    /// (repeatable): '--resolve wsc.test:443:127.0.0.1,[::1]'. HOST '*' stands for every host
    /// at that PORT; a later entry for the same HOST and PORT replaces an earlier one, and
    /// '-HOST:PORT' drops it. They apply to the host dialled (--connect-to's HOST2 if one
    /// matched) and are kept to -4/-6 as looked-up ones are; TLS and the Host header keep the
    /// URL's name.
    // Hyphen values: `--resolve -HOST:PORT` is a value, as in curl, not a short flag.
    #[arg(
        long,
        value_name = "HOST:PORT:ADDR[,ADDR]...",
        allow_hyphen_values = true,
        help_heading = "Connection"
    )]
    pub resolve: Vec<String>,

    /// Connect to HOST2:PORT2 when the URL's host and port are HOST1:PORT1, as curl does
    /// (repeatable; the first match counts): '--connect-to wsc.test:443:127.0.0.1:8443'. An
    /// empty HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the URL's. IPv6 in
    /// brackets. TLS and the Host header keep the URL's name.
    #[arg(
        long,
        value_name = "HOST1:PORT1:HOST2:PORT2",
        help_heading = "Connection"
    )]
    pub connect_to: Vec<String>,

    /// Connect over IPv4 only: of a host's addresses (looked up or given by --resolve), only
    /// IPv4 ones are tried, as in curl; status 3 if there is none.
    #[arg(
        short = '4',
        long,
        conflicts_with = "ipv6",
        help_heading = "Connection"
    )]
    pub ipv4: bool,

    /// Connect over IPv6 only, as -4 does for IPv4. Without either, a host's addresses are
    /// raced (RFC 8305): IPv6 first, the next address after 250 ms or at once when one fails,
    /// and the first to connect is used.
    #[arg(short = '6', long, help_heading = "Connection")]
    pub ipv6: bool,

    /// Connect through this unix socket instead of TCP, as curl does: the URL still gives the
    /// Host header, the path and TLS (wss://, verified against the URL's host); no proxy
    /// applies. wscat's 'ws+unix:///run/app.sock:/path' URL does the same (Host: localhost).
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "abstract_unix_socket",
        help_heading = "Connection"
    )]
    pub unix_socket: Option<std::path::PathBuf>,

    /// Connect through this abstract unix socket (Linux), as --unix-socket does; NAME without
    /// the '@' that ss and netstat show.
    #[arg(long, value_name = "NAME", help_heading = "Connection")]
    pub abstract_unix_socket: Option<String>,

    /// Do not offer permessage-deflate compression (offered by default, as browsers do).
    #[arg(long, help_heading = "Compression")]
    pub no_compress: bool,

    /// Compress what we send with a window of at most 2^BITS bytes, BITS from 8 to 15 [default:
    /// any the server allows].
    #[arg(long, value_name = "BITS", value_parser = window_bits, allow_negative_numbers = true,
          conflicts_with = "no_compress", help_heading = "Compression")]
    pub client_max_window_bits: Option<u8>,

    /// Ask the server to compress with a window of at most 2^BITS bytes, BITS from 8 to 15.
    #[arg(long, value_name = "BITS", value_parser = window_bits, allow_negative_numbers = true,
          conflicts_with = "no_compress", help_heading = "Compression")]
    pub server_max_window_bits: Option<u8>,

    /// Reset our compression context after every message (less memory, less compression).
    #[arg(long, conflicts_with = "no_compress", help_heading = "Compression")]
    pub client_no_context_takeover: bool,

    /// Ask the server to reset its compression context after every message.
    #[arg(long, conflicts_with = "no_compress", help_heading = "Compression")]
    pub server_no_context_takeover: bool,

    /// Give up connecting after SECS seconds (fractions allowed; 0: no limit), for DNS, TCP, TLS
    /// and the upgrade together, every hop through a proxy included.
    #[arg(
        long,
        value_name = "SECS",
        default_value = "10",
        allow_negative_numbers = true,
        help_heading = "Connection"
    )]
    pub connect_timeout: String,

    /// Follow redirects (301, 302, 303, 307, 308) answered to the upgrade; http(s):// locations
    /// become ws(s)://. Authorization, Cookie and Host headers go only to the first URL's
    /// scheme, host and port; a redirect from wss:// to ws:// is refused.
    #[arg(short = 'L', long, help_heading = "Connection")]
    pub location: bool,

    /// With -L, follow at most N redirects (0 or more) [default: 10].
    #[arg(
        long,
        value_name = "N",
        value_parser = redirects,
        allow_negative_numbers = true,
        help_heading = "Connection"
    )]
    pub max_redirs: Option<u32>,

    /// Like -L, and send Authorization, Cookie and Host to every host the redirects lead to.
    #[arg(long, help_heading = "Connection")]
    pub location_trusted: bool,

    /// Do not verify the server's TLS certificate (--pinnedpubkey is still checked; -v tells what
    /// verification would have said).
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

    /// Present this PEM client certificate (with --key; a pair that does not match is status 4
    /// before connecting). With -l, the server's certificate: wsc serves wss:// with it (the
    /// file may hold the chain, the server's certificate first); a bad file, or a key that does
    /// not match, is status 4 before anything listens.
    #[arg(long, value_name = "FILE", requires = "key", help_heading = "TLS")]
    pub cert: Option<String>,

    /// The PKCS#8 PEM private key of --cert (with -l, the server's key).
    #[arg(long, value_name = "FILE", requires = "cert", help_heading = "TLS")]
    pub key: Option<String>,

    /// Accept TLS VERSION and later only: 1.2 (the default; older versions are never spoken)
    /// or 1.3. With -l and --cert, it is what clients must speak.
    #[arg(long, value_name = "VERSION", value_parser = ["1.2", "1.3"], help_heading = "TLS")]
    pub tls_min: Option<String>,

    /// Send NAME as the TLS server name (SNI) and verify the certificate against it, instead of
    /// the URL's host: for a server reached by IP address, or by a name its certificate does not
    /// have. The Host header stays the URL's.
    #[arg(long, value_name = "NAME", help_heading = "TLS")]
    pub servername: Option<String>,

    /// Accept only a server with this public key, as curl has it: 'sha256//BASE64' hashes of
    /// the key (several separated by ';'), or a file holding the key in PEM or DER. Checked
    /// right after the TLS handshake, with -k too; a mismatch is status 4, before the upgrade is
    /// sent. -v shows the server's hash.
    #[arg(long, value_name = "PINS|FILE", help_heading = "TLS")]
    pub pinnedpubkey: Option<String>,

    /// Reach the server through this proxy, for ws:// and wss:// alike: http://HOST[:PORT] (HTTP
    /// CONNECT; also without a scheme), https:// (TLS to the proxy, then CONNECT), socks5://
    /// (the server's name resolved here) or socks5h:// (resolved by the proxy); the port is 1080
    /// unless given (443 for https://); USER:PASS@ in it are the proxy's credentials. '' uses no
    /// proxy, whatever the environment says [default: the environment, as curl reads it:
    /// ws_proxy, WS_PROXY, http_proxy, all_proxy, ALL_PROXY for ws://; wss_proxy, WSS_PROXY,
    /// https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY for wss://; the first set and not empty]
    #[arg(long, value_name = "URL", help_heading = "Proxy")]
    pub proxy: Option<String>,

    /// Reach these hosts directly, without a proxy, instead of those in no_proxy or NO_PROXY: a
    /// comma-separated list of names (each also matches the names under it: example.com matches
    /// www.example.com), IP addresses and CIDR ranges (10.0.0.0/8, ::1); '*' alone is every host;
    /// '' is none.
    #[arg(long, value_name = "LIST", help_heading = "Proxy")]
    pub noproxy: Option<String>,

    /// The proxy's credentials when its URL has none: Basic for an HTTP proxy, user and password
    /// for SOCKS5.
    #[arg(long, value_name = "USER:PASS", help_heading = "Proxy")]
    pub proxy_user: Option<String>,

    /// Trust the certificates in this PEM file for an https:// proxy.
    #[arg(long, value_name = "FILE", help_heading = "Proxy")]
    pub proxy_cacert: Option<String>,

    /// Do not verify an https:// proxy's TLS certificate.
    #[arg(long, help_heading = "Proxy")]
    pub proxy_insecure: bool,

    /// Send each input line (stdin, or typed in the REPL) as a binary message instead of text.
    #[arg(short = 'b', long, conflicts_with = "jsonl", help_heading = "Input")]
    pub binary: bool,

    /// Speak JSON-RPC 2.0: each line (typed, on stdin, or -x) is METHOD, METHOD {PARAMS} or
    /// METHOD [PARAMS], sent as a request with an id counting up from 1. Replies are shown with
    /// the id of their request and the round trip, error replies in red, notifications as such;
    /// in a pipe each JSON-RPC message is one compact line on stdout, for jq. In the REPL, Tab
    /// completes the methods seen. With --jsonl, only the output is JSON lines. The details are
    /// at the end of --help.
    #[arg(long, conflicts_with_all = ["binary", "echo", "listen"], help_heading = "Input")]
    pub jsonrpc: bool,

    /// --jsonrpc with requests that leave out "jsonrpc":"2.0", as {"id":N,"method":...,
    /// "params":...}: the Chrome DevTools Protocol (Chrome, Node's --inspect) refuses a request
    /// with any member but id, method, params and sessionId.
    #[arg(long, conflicts_with_all = ["binary", "echo", "listen"], help_heading = "Input")]
    pub jsonrpc_bare: bool,

    /// Send this message first, before stdin (repeatable).
    #[arg(
        short = 'x',
        long = "execute",
        value_name = "MSG",
        help_heading = "Input"
    )]
    pub execute: Vec<String>,

    /// Print one JSON object per event on stdout, and read stdin lines as such objects. In the
    /// REPL, typed lines are read as such objects (a bad one is reported and skipped; slash
    /// commands still work) and what arrives is shown for people, above the prompt. With
    /// --jsonrpc, lines are requests still: only what is printed is JSON lines.
    #[arg(long, help_heading = "Output")]
    pub jsonl: bool,

    /// When to colour the output: the REPL, or the events on stderr in a pipe (never what
    /// goes to stdout in a pipe: that is data).
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto, help_heading = "Output")]
    pub color: ColorWhen,

    /// Never colour the output (same as --color never).
    #[arg(long, help_heading = "Output")]
    pub no_color: bool,

    /// Prefix each shown line (the REPL, events on stderr) with the local time, to the
    /// millisecond; with --jsonl, add a "ts" field (RFC 3339, UTC, milliseconds).
    #[arg(long, help_heading = "Output")]
    pub timestamps: bool,

    /// In the REPL, show at most this many bytes of a binary message in its hex dump (0: no
    /// dump, only the size); a line then says how many bytes were not shown [default: 512].
    #[arg(
        long,
        value_name = "BYTES",
        value_parser = how_many_shown,
        allow_negative_numbers = true,
        help_heading = "Output"
    )]
    pub max_dump: Option<usize>,

    /// Show pings and pongs in both directions, with their payloads (on stderr in a pipe).
    #[arg(short = 'P', long, help_heading = "Output")]
    pub show_ping_pong: bool,

    /// Show a received JSON object or array indented and coloured (keys, strings, numbers and
    /// literals each in their colour, escapes kept as sent). auto: in the REPL; always: also on
    /// stdout in a pipe (coloured as --color decides for stdout: `--pretty always --color always
    /// | less -R`); never. What is sent is never changed; --jsonl objects stay one per line.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = PrettyWhen::Auto, help_heading = "Output")]
    pub pretty: PrettyWhen,

    /// In the REPL, show at most N lines of a pretty-printed message (0: all); a line then says
    /// how many were hidden, and /last shows the message in full [default: 40].
    #[arg(
        long,
        value_name = "N",
        value_parser = how_many_shown,
        allow_negative_numbers = true,
        help_heading = "Output"
    )]
    pub max_lines: Option<usize>,

    /// Filter each received JSON message through this jq expression (jaq's jq, with its
    /// standard library), in every mode: its outputs replace the message, each as a message of
    /// its own in compact JSON (`empty` or a failed `select` drops it); messages that are not
    /// JSON, and binary ones, pass unchanged. A runtime error on one message is a one-line note
    /// and the session goes on. --count and --expect count and match what the filter lets
    /// through: `--jq 'select(.type=="trade")' --count 10` is ten trades. /jq changes it in the
    /// REPL.
    #[arg(long, value_name = "EXPR", help_heading = "Output")]
    pub jq: Option<String>,

    /// With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal
    /// is a one-shot as in wscat: send, print the replies until --wait, close and exit.
    #[arg(short = 'i', long, conflicts_with = "echo", help_heading = "REPL")]
    pub interactive: bool,

    /// Read lines that start with / as slash commands: the default, so this changes nothing
    /// (wscat needs it).
    #[arg(long, conflicts_with = "no_slash", help_heading = "REPL")]
    pub slash: bool,

    /// Send lines that start with / as they are, instead of as slash commands.
    #[arg(long, help_heading = "REPL")]
    pub no_slash: bool,

    /// Keep the REPL history in this file, creating its directory if missing [default:
    /// $XDG_STATE_HOME/wsc/history].
    #[arg(long, value_name = "PATH", help_heading = "REPL")]
    pub history_file: Option<std::path::PathBuf>,

    /// Do not read or write the REPL history.
    #[arg(long, conflicts_with = "history_file", help_heading = "REPL")]
    pub no_history: bool,

    /// Report on stderr how the connection was made: the route (proxy, unix socket, addresses
    /// tried, redirects followed), the TLS version, cipher, ALPN, the server's key hash and each
    /// certificate of its chain (subject, issuer, names, expiry), the upgrade request and answer,
    /// timings per hop, and connection events. Values of headers and query parameters whose
    /// names look like credentials (token, key, secret, auth, password, session, cookie) are
    /// masked unless -vv; Sec-WebSocket-Key and -Accept are shown. A certificate that expires
    /// within 14 days is a warning even without -v.
    #[arg(short = 'v', long, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// After input ends, close once no message has arrived for SECS seconds (fractions allowed;
    /// 0: at once; -1: wait for the server to close) [default: 1, or 5 with --count or --expect].
    #[arg(
        short = 'w',
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        conflicts_with = "echo",
        help_heading = "Session"
    )]
    pub wait: Option<String>,

    /// Print N messages (1 or more), then close; what arrives after them is not printed.
    /// Status 8 if the session ends first, naming what was missing. With --jq, N messages that
    /// the filter let through.
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub count: Option<u64>,

    /// Print one message, then close (same as --count 1; websocat's -1).
    #[arg(short = '1', long, conflicts_with = "count", help_heading = "Session")]
    pub one_message: bool,

    /// Succeed and close once received messages have matched these patterns, in order
    /// (repeatable); status 8 if the session ends first, naming the pattern missing. With --jq,
    /// the patterns match what the filter let through.
    #[arg(long, value_name = "REGEX", help_heading = "Session")]
    pub expect: Vec<String>,

    /// End the whole session, connecting included, with status 8 after SECS seconds (fractions
    /// allowed; 0: no limit).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub max_time: Option<String>,

    /// End the session with status 8 when no message has gone either way for SECS seconds
    /// (fractions allowed; 0: no limit).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub idle_timeout: Option<String>,

    /// Send a ping every SECS seconds (more than 0, fractions allowed).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub ping_interval: Option<String>,

    /// With --ping-interval: status 6 when a pong takes longer than SECS seconds (more than 0,
    /// fractions allowed) [default: the interval].
    #[arg(
        long,
        value_name = "SECS",
        requires = "ping_interval",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub ping_timeout: Option<String>,

    /// Connect again after a transient failure: a connection lost, a connect error, a 5xx or 429
    /// answer, a Close 1001, 1011, 1012 or 1013 (never after 1000, another 4xx, a TLS failure or
    /// quitting). Waits from 0.5 s doubling to 30 s, with full jitter (Retry-After honoured),
    /// reset after 10 s connected. Stdin is not read while disconnected; lines typed in the REPL
    /// wait and are sent once reconnected; -x is sent on every connection; --count and --expect
    /// count across connections and --max-time bounds the whole run.
    #[arg(long, conflicts_with = "listen", help_heading = "Session")]
    pub reconnect: bool,

    /// With --reconnect: give up after N attempts in a row, with the status of the last failure
    /// [default: no limit].
    #[arg(
        long,
        value_name = "N",
        requires = "reconnect",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Session"
    )]
    pub reconnect_max: Option<u32>,

    /// Send every received message back unchanged, ignoring stdin, until the server closes.
    #[arg(long, conflicts_with_all = ["execute", "count", "one_message"], help_heading = "Session")]
    pub echo: bool,

    /// At exit, print one line of figures on stderr (time, messages and bytes each way, ping
    /// round trips, close).
    #[arg(long, help_heading = "Session")]
    pub stats: bool,

    /// The code of the Close that wsc sends: 1000-1003, 1007-1014 or 3000-4999 (the codes that
    /// may be sent).
    #[arg(
        long,
        value_name = "CODE",
        default_value_t = 1000,
        value_parser = close_code,
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub close_code: u16,

    /// The reason of the Close that wsc sends, at most 123 bytes of UTF-8.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "",
        help_heading = "Session"
    )]
    pub close_reason: String,

    /// Wait at most SECS seconds (fractions allowed; 0: not at all) for the server's answer to
    /// our Close.
    #[arg(
        long,
        value_name = "SECS",
        default_value = "2",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub close_timeout: String,

    /// Close with 1009 when a received message is larger than SIZE bytes: a number, or with k,
    /// M or G (also KiB, MiB, GiB; k = 1024), at least 1.
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "64M",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub max_message_size: String,

    /// Send MSG as a text message every SECS seconds (--every), for services that want an
    /// application-level ping rather than a WebSocket one. The first goes SECS after the
    /// connection opens, and the timer starts again on every connection (--reconnect).
    /// Heartbeats are not input: the input ending, --count and --expect ignore them, and so
    /// does --idle-timeout, as with keepalive pings. --stats counts them apart from messages;
    /// -P shows each ('* heartbeat sent "MSG"'); --record writes them with "auto":"heartbeat".
    #[arg(long, value_name = "MSG", help_heading = "Session")]
    pub heartbeat: Option<String>,

    /// How often --heartbeat sends its message: SECS seconds, more than 0, fractions allowed.
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        help_heading = "Session"
    )]
    pub every: Option<String>,

    /// Write the session to FILE (created or emptied) as JSON lines, as it goes: every frame
    /// sent ("dir":"out") and received ("dir":"in") as --jsonl has it, and the connection's open
    /// and reconnecting objects ("dir":"conn"), each with "ts" (UTC, RFC 3339, milliseconds).
    /// Frames wsc sent on its own (answers to pings and Closes, its own Close, keepalives,
    /// heartbeats, echoes) have "auto". Each line is written at once, so a crash loses none; a
    /// write that fails is a warning and the session goes on unrecorded. Any output format.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "listen",
        help_heading = "Record and replay"
    )]
    pub record: Option<std::path::PathBuf>,

    /// Send a recording's outgoing messages (--record's "dir":"out" lines without "auto") with
    /// their original timing, counted from its first open to this run's first connection.
    /// A recorded Close is sent too (and ends the replay); the Close that ended the recorded
    /// session, wsc's own, is not: after the last message the usual rules apply (-w, --count,
    /// --expect), so 'wsc URL --replay bug.jsonl --expect error' is a regression test. The file
    /// is checked first (a bad line is a usage error naming it); stdin is not read (-x still
    /// goes first). Status 9 if the server closes before every message was sent.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["listen", "echo", "interactive", "jsonrpc", "jsonrpc_bare"],
        help_heading = "Record and replay"
    )]
    pub replay: Option<std::path::PathBuf>,

    /// With --replay: play X times as fast (2: the gaps halved, 0.5: doubled; 0: every message
    /// at once) [default: 1].
    #[arg(
        long,
        value_name = "X",
        allow_negative_numbers = true,
        help_heading = "Record and replay"
    )]
    pub replay_speed: Option<String>,

    /// Read settings from this TOML file instead of $XDG_CONFIG_HOME/wsc/config.toml (or
    /// ~/.config/wsc/config.toml); the environment's WSC_CONFIG names one too. How the file is
    /// written is told at the end of --help.
    #[arg(long, value_name = "FILE", help_heading = "Config file")]
    pub config: Option<std::path::PathBuf>,

    /// Read no config file (WSC_CONFIG and WSC_PROFILE are ignored).
    #[arg(long, conflicts_with_all = ["config", "profile"], help_heading = "Config file")]
    pub no_config: bool,

    /// Use the config file's [profile.NAME] table (WSC_PROFILE=NAME does too): its url when no
    /// URL is given, and its flags. Precedence: the command line, then the environment, then
    /// the profile, then the file's top level.
    #[arg(short = 'p', long, value_name = "NAME", help_heading = "Config file")]
    pub profile: Option<String>,
}

// Value parsers with errors in words: clap's own say `20 is not in 8..=15` or `invalid digit
// found in string`.

/// A whole number from `min` to `max`.
fn whole(text: &str, min: u64, max: u64, range: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number {range}"))
}

fn window_bits(text: &str) -> Result<u8, String> {
    whole(text, 8, 15, "from 8 to 15").map(|bits| bits as u8)
}

/// How much of something to show (bytes, lines): 0 or more.
fn how_many_shown(text: &str) -> Result<usize, String> {
    whole(text, 0, usize::MAX as u64, "of 0 or more").map(|n| n as usize)
}

fn redirects(text: &str) -> Result<u32, String> {
    whole(text, 0, u64::from(u32::MAX), "of 0 or more").map(|n| n as u32)
}

fn count(text: &str) -> Result<u64, String> {
    whole(text, 1, u64::MAX, "of 1 or more")
}

fn close_code(text: &str) -> Result<u16, String> {
    let codes = crate::input::jsonl::CODES;
    whole(text, 0, u64::from(u16::MAX), "")
        .map(|code| code as u16)
        .map_err(|_| format!("must be a close code that may be sent ({codes})"))
}

/// clap's error as one line: `unexpected argument '--nope' found (see wsc --help)`. Its first
/// paragraph is kept (it may name the missing arguments on the lines after the first).
pub fn error_line(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let paragraph: Vec<&str> = text
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    // A counted flag is named `'--verbose...'`.
    let line = paragraph.join(" ").replace("...'", "'");
    format!("{} (see wsc --help)", line.trim_start_matches("error: "))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Man,
    // The config file's profile names, one a line: what the completions offer after -p.
    Profiles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrettyWhen {
    /// In the REPL.
    Auto,
    /// In the REPL and on stdout in a pipe.
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_takes_a_value_starting_with_a_hyphen_as_curl_does() {
        let argv = [
            "wsc",
            "--resolve",
            "h:1:127.0.0.1",
            "--resolve",
            "-h:1",
            "ws://h:1/",
        ];
        let matches = command().try_get_matches_from(argv).unwrap();
        let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap();
        assert_eq!(cli.resolve, ["h:1:127.0.0.1", "-h:1"]);
        assert_eq!(cli.url.as_deref(), Some("ws://h:1/"));
    }

    #[test]
    fn usage_errors_read_as_words_without_clap_or_std_internals() {
        let table = [
            (
                &["--client-max-window-bits", "20"][..],
                "invalid value '20' for '--client-max-window-bits <BITS>': must be a whole number \
                 from 8 to 15",
            ),
            (
                &["--server-max-window-bits", ""],
                "invalid value '' for '--server-max-window-bits <BITS>': must be a whole number \
                 from 8 to 15",
            ),
            (
                &["--count", "0"],
                "invalid value '0' for '--count <N>': must be a whole number of 1 or more",
            ),
            (
                &["--count", "-3"],
                "invalid value '-3' for '--count <N>': must be a whole number of 1 or more",
            ),
            (
                &["--count", "99999999999999999999999"],
                "for '--count <N>': must be a whole number of 1 or more",
            ),
            (
                &["--close-code", "70000"],
                "invalid value '70000' for '--close-code <CODE>': must be a close code that may \
                 be sent (1000-1003, 1007-1014 or 3000-4999)",
            ),
            (&["--close-code", "abc"], "must be a close code"),
            (
                &["--verbose=3"],
                "unexpected value '3' for '--verbose' found",
            ),
            (
                &["--slash", "--no-slash"],
                "'--slash' cannot be used with '--no-slash'",
            ),
        ];
        for (args, words) in table {
            let argv = ["wsc", "ws://h/"].iter().chain(args);
            let error = command().try_get_matches_from(argv).unwrap_err();
            let line = error_line(&error);
            assert!(
                line.contains(words) && line.ends_with(" (see wsc --help)"),
                "{args:?}: {line}"
            );
            for internal in ["..=", "..'", "digit", "target type", "integer"] {
                assert!(!line.contains(internal), "{args:?}: {line}");
            }
        }
    }

    #[test]
    fn a_help_line_may_fill_the_width_but_not_pass_it() {
        let (a, b) = ("a".repeat(45), "b".repeat(46));
        let full = wrap(&format!("{a} {b}"), "  - ", "    ");
        assert_eq!(full, format!("  - {a} {b}"));
        assert_eq!(full.len(), HELP_WIDTH - 4, "the widest a line may be");
        let over = wrap(&format!("{a} {b}b"), "  - ", "    ");
        assert_eq!(over, format!("  - {a}\n    {b}b"));
    }

    #[test]
    fn a_word_longer_than_a_line_stays_after_its_bullet() {
        let long = "x".repeat(HELP_WIDTH);
        assert_eq!(
            wrap(&format!("{long} y"), "  - ", "    "),
            format!("  - {long}\n    y")
        );
    }

    #[test]
    fn amounts_shown_and_redirects_are_the_numbers_given() {
        let cli = Cli::try_parse_from([
            "wsc",
            "h",
            "--max-dump",
            "7",
            "--max-lines",
            "0",
            "--max-redirs",
            "12",
        ])
        .unwrap();
        assert_eq!(cli.max_dump, Some(7));
        assert_eq!(cli.max_lines, Some(0));
        assert_eq!(cli.max_redirs, Some(12));
        assert_eq!(how_many_shown(" 3 "), Ok(3));
        assert_eq!(redirects("0"), Ok(0));
        assert!(redirects("-1").is_err());
    }
}
