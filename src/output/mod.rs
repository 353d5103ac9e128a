//! How events are shown: raw payloads or JSON lines on stdout and the other events, as the
//! REPL shows them, on stderr (pipe mode); or everything as human lines (the REPL).

mod human;
pub mod jsonl;
mod raw;
pub mod sanitize;

use std::io::{self, Write};

use crate::config::{Config, OutputFormat};
use crate::error::{Failure, io_words};
use crate::event::{Event, close_code_name};

pub use human::{HumanPrinter, LastLine, Prompt, Screen, Shape, show_last_lines};
pub use human::{line as human_line, notice, stamped};
pub use jsonl::JsonlPrinter;
pub use raw::RawPrinter;

/// One buffered stdout, flushed by the session when the socket goes quiet.
const STDOUT_BUFFER: usize = 64 * 1024;

/// stdout as a plain file: Rust's `Stdout` is line-buffered and would scan every payload for
/// newlines, which costs more than the rest of receiving a large binary message.
pub type Stdout = io::BufWriter<std::fs::File>;

fn stdout() -> Result<Stdout, Failure> {
    use std::os::fd::AsFd;
    let fd = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| Failure::Runtime(format!("cannot use stdout: {}", io_words(&e))))?;
    Ok(io::BufWriter::with_capacity(
        STDOUT_BUFFER,
        std::fs::File::from(fd),
    ))
}

pub enum Printer {
    Raw(RawPrinter),
    Jsonl(JsonlPrinter),
    Human(HumanPrinter),
    /// To the listener (-l), which prints for all its clients.
    Forward(Forward),
}

impl Printer {
    /// The printer for the configured format; in the REPL, `prompt` is rustyline's printer.
    /// With --jsonrpc's `calls`, JSON-RPC messages are matched to their requests and shown as
    /// such (--jsonl prints its objects as usual).
    pub fn new(
        config: &Config,
        prompt: Option<Prompt>,
        calls: Option<crate::jsonrpc::Calls>,
    ) -> Result<Printer, Failure> {
        let peer = peer(config);
        let notices = Notices {
            verbose: config.verbose,
            show_ping_pong: config.show_ping_pong,
            timestamps: config.timestamps,
            peer,
        };
        Ok(match config.output {
            OutputFormat::Raw => Printer::Raw(RawPrinter::new(
                stdout()?,
                config.stdout_is_terminal,
                config.reading.pretty_stdout,
                notices,
                calls,
            )),
            OutputFormat::Jsonl => {
                Printer::Jsonl(JsonlPrinter::new(stdout()?, config.timestamps, notices))
            }
            OutputFormat::Human => {
                let screen = match prompt {
                    Some(printer) => Screen::Prompt(printer),
                    None => Screen::Plain(stdout()?),
                };
                let shape = Shape::for_people(config);
                Printer::Human(HumanPrinter::new(screen, config.timestamps, shape, calls))
            }
        })
    }

    /// Inlined, as `event_of`: every message received comes this way.
    #[inline(always)]
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        match self {
            Printer::Forward(forward) => {
                forward.send(Forwarded::Event(event.clone()));
                Ok(())
            }
            printer => printer.event_of(None, event),
        }
    }

    /// An event of one of -l's clients (`None`: the only peer).
    #[inline(always)]
    pub fn event_of(&mut self, client: Option<u32>, event: &Event) -> io::Result<()> {
        match self {
            Printer::Raw(p) => p.event(event, client),
            Printer::Jsonl(p) => p.event(event, client),
            Printer::Human(p) => p.event(event, client),
            Printer::Forward(_) => self.event(event),
        }
    }

    /// A line for people beside the data, with its sigil (`* #2 is gone`, -v's heads): above
    /// the REPL's prompt, on stderr otherwise (stdout is for data). Escaped for a terminal.
    pub fn aside(&mut self, line: &str, stderr_is_terminal: bool) -> io::Result<()> {
        match self {
            Printer::Human(p) => p.aside(line),
            Printer::Forward(forward) => {
                forward.send(Forwarded::Aside(line.to_string()));
                Ok(())
            }
            _ => {
                to_stderr(line, stderr_is_terminal);
                Ok(())
            }
        }
    }

    /// A line for stderr at the very end (`--stats`); the REPL shows it once its prompt is gone.
    pub fn last_stderr_line(&mut self, line: String) {
        match self {
            Printer::Human(p) => p.last_stderr_line(line),
            Printer::Forward(forward) => forward.send(Forwarded::Stats(line)),
            Printer::Raw(_) | Printer::Jsonl(_) => eprintln!("{line}"),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Printer::Raw(p) => p.flush(),
            Printer::Jsonl(p) => p.flush(),
            Printer::Human(p) => p.flush(),
            Printer::Forward(_) => Ok(()),
        }
    }
}

/// Who is at the other end: the server, or with -l a client.
fn peer(config: &Config) -> &'static str {
    match config.listen {
        Some(_) => "client",
        None => "server",
    }
}

/// With -l and many clients, each client's session hands its events to the listener, which
/// prints them with the client's id: one printer, whole lines, one order.
pub struct Forward {
    pub client: u32,
    pub to: tokio::sync::mpsc::UnboundedSender<(u32, Forwarded)>,
}

/// What a client's session hands to the listener.
#[derive(Debug)]
pub enum Forwarded {
    Event(Event),
    /// Its `--stats` line.
    Stats(String),
    /// A line for people beside its data, with its sigil (`! --jq: …`).
    Aside(String),
    /// How its session ended (sent last, by the task that ran it).
    Ended(Result<(), Failure>),
}

impl Forward {
    fn send(&self, what: Forwarded) {
        // The listener is gone only when the run is over.
        let _ = self.to.send((self.client, what));
    }
}

/// In pipe mode, the events that are not data, on stderr as the REPL shows them (server text
/// escaped, coloured by `--color`): connection and close with `-v`, pings and pongs with `-v` or
/// `-P`.
#[derive(Debug, Clone, Copy)]
pub struct Notices {
    pub verbose: u8,
    pub show_ping_pong: bool,
    pub timestamps: bool,
    /// Who is at the other end: `server`, or with -l `client`.
    pub peer: &'static str,
}

impl Notices {
    pub fn show(&self, event: &Event, client: Option<u32>) {
        let wanted = match event {
            Event::Text(_) | Event::Binary(_) => false,
            // A listener always tells who came and went.
            Event::Opened { again, .. } => self.verbose > 0 || client.is_some() || *again,
            Event::Closed { .. } => self.verbose > 0 || client.is_some(),
            // Always: a run that goes on after a failure says so.
            Event::Reconnecting { .. } => true,
            Event::Ping(_)
            | Event::Pong { .. }
            | Event::PingSent(_)
            | Event::PongSent(_)
            | Event::HeartbeatSent(_) => self.verbose > 0 || self.show_ping_pong,
        };
        let shape = Shape {
            show_ping_pong: true,
            max_dump: 0,
            peer: self.peer,
            close_is_not_last: true,
            pretty: None,
            max_lines: 0,
        };
        if let Some(line) = wanted.then(|| human::line(event, &shape, client)).flatten() {
            let _ = writeln!(io::stderr(), "{}", human::stamped(line, self.timestamps));
        }
    }
}

/// The warnings about flags that cannot take effect, one `wsc: warning:` line each.
pub fn warn(config: &crate::config::Config) {
    for warning in &config.warnings {
        to_stderr(
            &format!("wsc: warning: {warning}"),
            config.stderr_is_terminal,
        );
    }
}

/// One line on stderr; text from the server is escaped when stderr is a terminal.
pub fn to_stderr(line: &str, terminal: bool) {
    let line = if terminal {
        sanitize::escape_text(line)
    } else {
        line.into()
    };
    let _ = writeln!(io::stderr(), "{line}");
}

/// `connected to ws://host/ (subprotocol chat) in 1.2 ms`, credentials in the query masked (`-vv`
/// shows them on the request line).
/// `reconnected to …` when it is not the run's first connection (--reconnect).
pub fn describe_open(
    url: &str,
    subprotocol: Option<&str>,
    elapsed: std::time::Duration,
    again: bool,
) -> String {
    let url = crate::verbose::mask_query(url);
    let protocol = subprotocol
        .map(|p| format!(" (subprotocol {p})"))
        .unwrap_or_default();
    let connected = if again { "reconnected" } else { "connected" };
    format!(
        "{connected} to {url}{protocol} in {:.1} ms",
        elapsed.as_secs_f64() * 1e3
    )
}

/// `connection lost (1006): server closed the connection without a close frame; reconnecting
/// in 1.3 s (attempt 2)`.
pub fn describe_reconnecting(
    code: u16,
    why: &str,
    wait: std::time::Duration,
    attempt: u32,
) -> String {
    format!(
        "connection lost ({code}): {why}; reconnecting in {:.1} s (attempt {attempt})",
        wait.as_secs_f64()
    )
}

/// `closed: 1000 (normal), by you` when the peer answered our Close; `closed by server: 4001
/// (application) "reason"` when it (`peer`: the server, or with -l the client) closed first.
pub fn describe_closed(code: Option<u16>, reason: &str, by_us: bool, peer: &str) -> String {
    if !by_us {
        return describe_close(code, reason, peer);
    }
    let status = match code {
        Some(code) => format!("{code} ({})", close_code_name(code)),
        None => "no status code".to_string(),
    };
    match reason {
        "" => format!("closed: {status}, by you"),
        reason => format!("closed: {status} {}, by you", sanitize::quote(reason)),
    }
}

/// `closed by server: 4001 (application) "bye now"` (`peer` is who closed: server or client).
pub fn describe_close(code: Option<u16>, reason: &str, peer: &str) -> String {
    match code {
        Some(code) => format!(
            "closed by {peer}: {code} ({}) {}",
            close_code_name(code),
            sanitize::quote(reason)
        ),
        None => format!("closed by {peer} without a status code"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnection_says_what_was_lost_how_long_it_waits_and_which_attempt_comes() {
        assert_eq!(
            describe_reconnecting(
                1006,
                "server closed the connection without a close frame",
                std::time::Duration::from_millis(1300),
                2
            ),
            "connection lost (1006): server closed the connection without a close frame; \
             reconnecting in 1.3 s (attempt 2)"
        );
    }
}
