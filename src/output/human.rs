//! Output for people: sigils (`<` received, `*` events, `!` errors), colours, optional
//! timestamps, hex dumps for binary, and every server string escaped before it reaches the
//! terminal. In the REPL, lines go through rustyline's external printer so the line being typed
//! is redrawn below them.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use rustyline::ExternalPrinter;

use super::{Stdout, describe_close, describe_open, sanitize::escape_text};
use crate::event::Event;

/// Where finished lines go.
pub enum Screen {
    /// Above the REPL prompt.
    Prompt(Box<dyn ExternalPrinter + Send>),
    /// Plain stdout (`--color always` in pipe mode).
    Plain(Stdout),
}

pub struct HumanPrinter {
    screen: Screen,
    timestamps: bool,
    show_ping_pong: bool,
}

impl HumanPrinter {
    pub fn new(screen: Screen, timestamps: bool, show_ping_pong: bool) -> Self {
        HumanPrinter {
            screen,
            timestamps,
            show_ping_pong,
        }
    }

    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        match line(event, self.show_ping_pong) {
            Some(line) => self.line(line),
            None => Ok(()),
        }
    }

    fn line(&mut self, line: String) -> io::Result<()> {
        let line = stamped(line, self.timestamps);
        match &mut self.screen {
            // Ending the line ourselves: when rustyline is not reading, it prints as is.
            Screen::Prompt(printer) => printer.print(line + "\r\n").map_err(io::Error::other),
            Screen::Plain(out) => writeln!(out, "{}", line.replace("\r\n", "\n")),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.screen {
            Screen::Prompt(_) => Ok(()),
            Screen::Plain(out) => out.flush(),
        }
    }
}

/// The line people see for an event (server text escaped), or None when it is not shown: pings
/// and pongs need `show_ping_pong`, except a pong that answers our ping (its round trip).
pub fn line(event: &Event, show_ping_pong: bool) -> Option<String> {
    Some(match event {
        Event::Opened {
            url,
            subprotocol,
            elapsed,
            ..
        } => notice(&describe_open(url, subprotocol.as_deref(), *elapsed)),
        Event::Text(text) => format!("{} {}", "<".green().bold(), escape_text(text)),
        Event::Binary(data) => format!(
            "{} {}\r\n{}",
            "<".green().bold(),
            format!(
                "binary, {}",
                crate::words::plural(data.len() as u64, "byte")
            )
            .green(),
            hex_dump(data)
        ),
        Event::Ping(data) if show_ping_pong => {
            notice(&format!("ping {} (pong sent)", payload(data)))
        }
        Event::Pong { data, round_trip } => match round_trip {
            Some(rtt) => notice(&format!("pong {} after {}", payload(data), millis(*rtt))),
            None if show_ping_pong => notice(&format!("pong {}", payload(data))),
            None => return None,
        },
        Event::PingSent(data) if show_ping_pong => notice(&format!("ping sent {}", payload(data))),
        Event::PongSent(data) if show_ping_pong => notice(&format!("pong sent {}", payload(data))),
        Event::Ping(_) | Event::PingSent(_) | Event::PongSent(_) => return None,
        Event::Closed { code, reason } => notice(&escape_text(&describe_close(*code, reason))),
    })
}

/// The line with the local time in front, when `--timestamps` asks for it.
pub fn stamped(line: String, timestamps: bool) -> String {
    if !timestamps {
        return line;
    }
    let now = chrono::Local::now().format("%H:%M:%S%.3f").to_string();
    format!("{} {line}", now.dimmed())
}

fn notice(text: &str) -> String {
    format!("{} {}", "*".yellow().bold(), text.yellow())
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// A control frame's payload, quoted and escaped.
fn payload(data: &[u8]) -> String {
    super::sanitize::quote(&String::from_utf8_lossy(data))
}

/// Offset, 16 bytes in hex, and their printable ASCII; rows joined with `\r\n` so they stay
/// aligned while the terminal is in raw mode.
pub fn hex_dump(data: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in data.chunks(16).enumerate() {
        if row > 0 {
            out.push_str("\r\n");
        }
        let _ = write!(out, "  {:08x}  ", row * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(byte) => {
                    let _ = write!(out, "{byte:02x} ");
                }
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_shows_offset_hex_and_ascii() {
        let dump = hex_dump(b"hello, binary world\x00\xff");
        let rows: Vec<&str> = dump.split("\r\n").collect();
        assert_eq!(
            rows[0],
            "  00000000  68 65 6c 6c 6f 2c 20 62  69 6e 61 72 79 20 77 6f  hello, binary wo"
        );
        assert_eq!(
            rows[1],
            "  00000010  72 6c 64 00 ff                                    rld.."
        );
    }
}
