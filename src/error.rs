//! Every way a wsc run can end badly, and the exit status each one maps to.
//!
//! This is the only place that decides exit statuses; the table here is the one in the README
//! and the man page.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// The exit statuses, for the help, the man page and the README (checked by a test).
pub const EXIT_STATUSES: [(u8, &str); 14] = [
    (
        0,
        "the session ended cleanly (close handshake with 1000 or 1001, or the user quit), or stdout was closed",
    ),
    (1, "another runtime error (I/O, invalid input)"),
    (2, "usage error (bad flag, bad URL)"),
    (
        3,
        "could not connect (DNS, refused, unreachable, connect timeout, proxy failure)",
    ),
    (4, "TLS failure (certificate, handshake)"),
    (
        5,
        "WebSocket handshake rejected (non-101 status, bad accept key, subprotocol mismatch)",
    ),
    (
        6,
        "connection lost without a Close frame, protocol violation by the server, or ping timeout",
    ),
    (
        7,
        "the server closed with a code other than 1000/1001 (code and reason printed)",
    ),
    (
        8,
        "a time limit or expectation was not met (`--max-time`, `--idle-timeout`, `--expect`, `--count`)",
    ),
    (
        9,
        "input was left unsent: the server closed before every stdin line (or --replay message) was sent",
    ),
    (
        10,
        "could not listen (-l): the address is in use, not ours, or needs permission",
    ),
    (
        129,
        "ended by SIGHUP (the terminal closed), after sending Close 1001",
    ),
    (
        130,
        "ended by SIGINT in pipe mode, after sending Close 1001",
    ),
    (143, "ended by SIGTERM, after sending Close 1001"),
];

/// Why a run failed. The message is one line, in words, for `wsc: error: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Any other runtime error (I/O, invalid input): status 1.
    Runtime(String),
    /// A bad flag, header or URL: status 2.
    Usage(String),
    /// DNS, refused, unreachable, connect timeout: status 3.
    Connect(String),
    /// Certificate or TLS handshake problem: status 4.
    Tls(String),
    /// The server did not accept the WebSocket upgrade: status 5.
    Handshake(String),
    /// The server answered 5xx or 429, with its Retry-After: status 5, and --reconnect tries again.
    Busy(String, Option<std::time::Duration>),
    /// Connection lost without a Close frame, protocol violation or ping timeout: status 6.
    ConnectionLost(String),
    /// The server closed with a code other than 1000/1001: status 7.
    ServerClosed(String),
    /// A time limit or expectation was not met: status 8.
    Unmet(String),
    /// The server closed before all input was sent: status 9.
    Unsent(String),
    /// -l could not bind its address: status 10.
    Listen(String),
    /// A signal ended the session: 128 + its number. Nothing is printed for it.
    Signalled(Signal),
}

/// The signals that end a session with a Close 1001 (going away).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Terminate,
}

impl Signal {
    /// The status a shell gives a process killed by this signal: 128 + its number.
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::Hangup => 129,
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl Failure {
    /// The process exit status for this failure (see the table in the README).
    pub fn exit_status(&self) -> u8 {
        match self {
            Failure::Runtime(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Connect(_) => 3,
            Failure::Tls(_) => 4,
            Failure::Handshake(_) | Failure::Busy(..) => 5,
            Failure::ConnectionLost(_) => 6,
            Failure::ServerClosed(_) => 7,
            Failure::Unmet(_) => 8,
            Failure::Unsent(_) => 9,
            Failure::Listen(_) => 10,
            Failure::Signalled(signal) => signal.exit_status(),
        }
    }

    /// The same failure with `context` after its words, in parentheses: `… (through proxy
    /// http://127.0.0.1:3128)`. The status stays the failure's own.
    pub fn context(self, context: &str) -> Failure {
        let with = |words: String| format!("{words} ({context})");
        match self {
            Failure::Runtime(m) => Failure::Runtime(with(m)),
            Failure::Usage(m) => Failure::Usage(with(m)),
            Failure::Connect(m) => Failure::Connect(with(m)),
            Failure::Tls(m) => Failure::Tls(with(m)),
            Failure::Handshake(m) => Failure::Handshake(with(m)),
            Failure::Busy(m, after) => Failure::Busy(with(m), after),
            Failure::ConnectionLost(m) => Failure::ConnectionLost(with(m)),
            Failure::ServerClosed(m) => Failure::ServerClosed(with(m)),
            Failure::Unmet(m) => Failure::Unmet(with(m)),
            Failure::Unsent(m) => Failure::Unsent(with(m)),
            Failure::Listen(m) => Failure::Listen(with(m)),
            // Nothing is printed for a signal.
            Failure::Signalled(signal) => Failure::Signalled(signal),
        }
    }

    /// Prints the one-line error (if any) and turns the failure into the process exit code.
    pub fn report(&self) -> ExitCode {
        if !matches!(self, Failure::Signalled(_)) {
            // Messages can quote the server (a close reason): never let it drive a terminal.
            crate::output::to_stderr(
                &format!("wsc: error: {self}"),
                io::IsTerminal::is_terminal(&io::stderr()),
            );
        }
        ExitCode::from(self.exit_status())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Runtime(m)
            | Failure::Usage(m)
            | Failure::Connect(m)
            | Failure::Tls(m)
            | Failure::Handshake(m)
            | Failure::Busy(m, _)
            | Failure::ConnectionLost(m)
            | Failure::ServerClosed(m)
            | Failure::Unmet(m)
            | Failure::Unsent(m)
            | Failure::Listen(m) => f.write_str(m),
            Failure::Signalled(signal) => write!(f, "ended by {signal:?}"),
        }
    }
}

impl std::error::Error for Failure {}

/// An I/O error in words, without the `(os error 111)` noise.
pub fn io_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::HostUnreachable => "host unreachable".into(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".into(),
        io::ErrorKind::AddrNotAvailable => "address not available".into(),
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::BrokenPipe => "broken pipe".into(),
        io::ErrorKind::UnexpectedEof => "unexpected end of stream".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{EXIT_STATUSES, Failure, Signal, io_words};

    #[test]
    fn io_errors_are_named_in_the_same_words_however_they_were_made() {
        use std::io::{Error, ErrorKind::*};
        let table = [
            (ConnectionRefused, "connection refused"),
            (ConnectionReset, "connection reset by peer"),
            (ConnectionAborted, "connection aborted"),
            (TimedOut, "timed out"),
            (HostUnreachable, "host unreachable"),
            (NetworkUnreachable, "network unreachable"),
            (AddrNotAvailable, "address not available"),
            (NotFound, "no such file or directory"),
            (PermissionDenied, "permission denied"),
            (BrokenPipe, "broken pipe"),
            (UnexpectedEof, "unexpected end of stream"),
        ];
        for (kind, words) in table {
            // Made by the OS, by a library with a message of its own, or from the kind alone.
            assert_eq!(io_words(&Error::new(kind, "a library's words")), words);
            assert_eq!(io_words(&Error::from(kind)), words, "{kind:?}");
        }
        assert_eq!(
            io_words(&Error::from_raw_os_error(libc::ETIMEDOUT)),
            "timed out"
        );
        // Anything else in the OS's words, without `(os error 24)`.
        assert_eq!(
            io_words(&Error::from_raw_os_error(libc::EMFILE)),
            "too many open files"
        );
        assert_eq!(io_words(&Error::other("as it was said")), "as it was said");
    }

    #[test]
    fn statuses_follow_the_design_table() {
        let table = [
            (Failure::Runtime(String::new()), 1),
            (Failure::Usage(String::new()), 2),
            (Failure::Connect(String::new()), 3),
            (Failure::Tls(String::new()), 4),
            (Failure::Handshake(String::new()), 5),
            (Failure::ConnectionLost(String::new()), 6),
            (Failure::ServerClosed(String::new()), 7),
            (Failure::Unmet(String::new()), 8),
            (Failure::Unsent(String::new()), 9),
            (Failure::Listen(String::new()), 10),
            (Failure::Signalled(Signal::Hangup), 129),
            (Failure::Signalled(Signal::Interrupt), 130),
            (Failure::Signalled(Signal::Terminate), 143),
        ];
        for (failure, status) in &table {
            assert_eq!(failure.exit_status(), *status, "{failure:?}");
        }
        // Every status a failure can have is in the documented table, and nothing else is.
        let mut documented: Vec<u8> = EXIT_STATUSES.iter().map(|(code, _)| *code).collect();
        documented.retain(|code| *code != 0);
        let statuses: Vec<u8> = table.iter().map(|(_, status)| *status).collect();
        assert_eq!(documented, statuses);
    }

    #[test]
    fn context_goes_after_the_words_and_keeps_the_status() {
        let failure = Failure::Handshake("server closed the connection".into());
        let with = failure.context("through proxy http://p:1");
        assert_eq!(
            with.to_string(),
            "server closed the connection (through proxy http://p:1)"
        );
        assert_eq!(with.exit_status(), 5);
        let signalled = Failure::Signalled(Signal::Terminate);
        assert_eq!(signalled.clone().context("x"), signalled);
    }
}
