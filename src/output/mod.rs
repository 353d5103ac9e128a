//! How events are shown: raw payloads or JSON lines on stdout, notices on stderr.

mod human;
mod jsonl;
mod raw;
pub mod sanitize;

use std::io::{self, Write};

use crate::config::{Config, OutputFormat};
use crate::error::{Failure, io_words};
use crate::event::{Event, close_code_name};

pub use human::{HumanPrinter, LastLine, Prompt, Screen, show_last_lines};
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
}

impl Printer {
    /// The printer for the configured format; in the REPL, `prompt` is rustyline's printer.
    pub fn new(config: &Config, prompt: Option<Prompt>) -> Result<Printer, Failure> {
        colored::control::set_override(config.color);
        let notices = Notices {
            verbose: config.verbose,
            sanitize: config.stderr_is_terminal,
        };
        Ok(match config.output {
            OutputFormat::Raw => Printer::Raw(RawPrinter::new(
                stdout()?,
                config.stdout_is_terminal,
                notices,
            )),
            OutputFormat::Jsonl => Printer::Jsonl(JsonlPrinter::new(stdout()?)),
            OutputFormat::Human => {
                let screen = match prompt {
                    Some(printer) => Screen::Prompt(printer),
                    None => Screen::Plain(stdout()?),
                };
                Printer::Human(HumanPrinter::new(
                    screen,
                    config.timestamps,
                    config.show_ping_pong,
                    config.max_dump,
                ))
            }
        })
    }

    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        match self {
            Printer::Raw(p) => p.event(event),
            Printer::Jsonl(p) => p.event(event),
            Printer::Human(p) => p.event(event),
        }
    }

    /// A line for stderr at the very end (`--stats`); the REPL shows it once its prompt is gone.
    pub fn last_stderr_line(&mut self, line: String) {
        match self {
            Printer::Human(p) => p.last_stderr_line(line),
            Printer::Raw(_) | Printer::Jsonl(_) => eprintln!("{line}"),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Printer::Raw(p) => p.flush(),
            Printer::Jsonl(p) => p.flush(),
            Printer::Human(p) => p.flush(),
        }
    }
}

/// Status lines on stderr, shown with `-v`.
#[derive(Debug, Clone, Copy)]
pub struct Notices {
    pub verbose: u8,
    pub sanitize: bool,
}

impl Notices {
    pub fn show(&self, event: &Event) {
        if self.verbose == 0 {
            return;
        }
        let line = match event {
            Event::Opened {
                url,
                subprotocol,
                elapsed,
                ..
            } => describe_open(url, subprotocol.as_deref(), *elapsed),
            Event::Ping(data) => format!("ping ({} bytes)", data.len()),
            Event::Pong { data, .. } => format!("pong ({} bytes)", data.len()),
            Event::PingSent(data) => format!("ping sent ({} bytes)", data.len()),
            Event::PongSent(data) => format!("pong sent ({} bytes)", data.len()),
            Event::Closed { code, reason, .. } => describe_close(*code, reason),
            Event::Text(_) | Event::Binary(_) => return,
        };
        to_stderr(&format!("* {line}"), self.sanitize);
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

/// `connected to ws://host/ (subprotocol chat) in 1.2 ms`.
pub fn describe_open(url: &str, subprotocol: Option<&str>, elapsed: std::time::Duration) -> String {
    let protocol = subprotocol
        .map(|p| format!(" (subprotocol {p})"))
        .unwrap_or_default();
    format!(
        "connected to {url}{protocol} in {:.1} ms",
        elapsed.as_secs_f64() * 1e3
    )
}

/// `closed by server: 4001 (application) "bye now"`.
pub fn describe_close(code: Option<u16>, reason: &str) -> String {
    match code {
        Some(code) => format!(
            "closed by server: {code} ({}) {reason:?}",
            close_code_name(code)
        ),
        None => "closed by server without a status code".to_string(),
    }
}
