//! Output for people: sigils (`<` received, `*` events, `!` errors), colours, optional
//! timestamps, hex dumps for binary, and every server string escaped before it reaches the
//! terminal. In the REPL, lines go through rustyline's external printer so the line being typed
//! is redrawn below them.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use rustyline::ExternalPrinter;

use super::{Stdout, describe_closed, describe_open, describe_reconnecting, sanitize::escape_text};
use crate::event::Event;
use crate::json::{Palette, pretty};
use crate::jsonrpc::{Calls, Shown};
use crate::words::plural;

/// Where finished lines go.
pub enum Screen {
    /// Above the REPL prompt.
    Prompt(Prompt),
    /// Plain stdout (`--color always` in pipe mode).
    Plain(Stdout),
}

/// The REPL's screen: rustyline's printer for lines above the prompt, and where the last lines
/// wait until the prompt is gone.
pub struct Prompt {
    pub printer: Box<dyn ExternalPrinter + Send>,
    pub last: std::sync::mpsc::Sender<LastLine>,
}

/// A line shown once the REPL has stopped drawing: printed above the prompt, it would have a
/// stale prompt drawn under it, or (on stderr) land on the prompt's row.
#[derive(Debug, PartialEq)]
pub enum LastLine {
    /// The close line, for stdout.
    Close(String),
    /// A line for stderr (the `--stats` line).
    Stderr(String),
}

/// Shows the last lines, in order; true if the close line was among them.
pub fn show_last_lines(lines: impl IntoIterator<Item = LastLine>) -> bool {
    let mut close_shown = false;
    for line in lines {
        match line {
            LastLine::Close(line) => {
                close_shown = true;
                let mut out = io::stdout().lock();
                let _ = writeln!(out, "{line}").and_then(|()| out.flush());
            }
            LastLine::Stderr(line) => {
                let _ = writeln!(io::stderr(), "{line}");
            }
        }
    }
    close_shown
}

pub struct HumanPrinter {
    screen: Screen,
    timestamps: bool,
    shape: Shape,
    /// --jsonrpc: JSON-RPC messages are matched to their requests and shown as such.
    calls: Option<Calls>,
}

/// What decides an event's line besides the event.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Pings and pongs are shown (`-P`).
    pub show_ping_pong: bool,
    /// Bytes of a binary message shown in its hex dump (`--max-dump`).
    pub max_dump: usize,
    /// Who is at the other end: `server`, or with -l `client`.
    pub peer: &'static str,
    /// A Close may not be the end (--reconnect): shown at once, not kept for the last line.
    pub close_is_not_last: bool,
    /// JSON objects and arrays are pretty-printed in these colours (--pretty).
    pub pretty: Option<Palette>,
    /// Lines of a pretty-printed message shown (--max-lines; 0: all).
    pub max_lines: usize,
}

impl Shape {
    /// The shape of the lines for people that `config` asks for.
    pub fn for_people(config: &crate::config::Config) -> Shape {
        Shape {
            show_ping_pong: config.show_ping_pong,
            max_dump: config.max_dump,
            peer: super::peer(config),
            close_is_not_last: config.reconnect,
            pretty: config.reading.pretty,
            max_lines: config.reading.max_lines,
        }
    }
}

impl HumanPrinter {
    pub fn new(screen: Screen, timestamps: bool, shape: Shape, calls: Option<Calls>) -> Self {
        HumanPrinter {
            screen,
            timestamps,
            shape,
            calls,
        }
    }

    /// Shows an event; with -l and many clients, `client` is whose it is.
    pub fn event(&mut self, event: &Event, client: Option<u32>) -> io::Result<()> {
        if let (Some(calls), Event::Text(text)) = (&self.calls, event) {
            if let Some(shown) = calls.received(text) {
                // A batch's replies each on a line of their own.
                return shown
                    .iter()
                    .try_for_each(|shown| self.line(rpc_line(shown)));
            }
        }
        match line(event, &self.shape, client) {
            // One client's close is not the end of a listener's session, nor one connection's
            // of a run that reconnects.
            Some(line) if client.is_some() || self.shape.close_is_not_last => self.line(line),
            Some(line) if matches!(event, Event::Closed { .. }) => self.close_line(line),
            Some(line) => self.line(line),
            None => Ok(()),
        }
    }

    /// In the REPL the close line waits until the prompt is gone.
    fn close_line(&mut self, line: String) -> io::Result<()> {
        let line = stamped(line, self.timestamps);
        match &mut self.screen {
            // The session has ended if nobody waits: nothing is lost then.
            Screen::Prompt(prompt) => {
                let _ = prompt.last.send(LastLine::Close(line));
                Ok(())
            }
            Screen::Plain(_) => self.line_stamped(line),
        }
    }

    /// A line for people beside the data, its peer text escaped.
    pub fn aside(&mut self, line: &str) -> io::Result<()> {
        self.line(escape_text(line).into_owned())
    }

    /// A line for stderr at the very end (`--stats`): in the REPL it waits until the prompt is
    /// gone, so that it never lands on the prompt's row.
    pub fn last_stderr_line(&mut self, line: String) {
        match &mut self.screen {
            Screen::Prompt(prompt) => {
                let _ = prompt.last.send(LastLine::Stderr(line));
            }
            Screen::Plain(_) => eprintln!("{line}"),
        }
    }

    fn line(&mut self, line: String) -> io::Result<()> {
        let line = stamped(line, self.timestamps);
        self.line_stamped(line)
    }

    fn line_stamped(&mut self, line: String) -> io::Result<()> {
        match &mut self.screen {
            // Ending the line ourselves: when rustyline is not reading, it prints as is.
            Screen::Prompt(prompt) => prompt
                .printer
                .print(line + "\r\n")
                .map_err(io::Error::other),
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

/// The line people see for an event (peer text escaped), or None when it is not shown: pings
/// and pongs need `show_ping_pong`, except a pong that answers our ping (its round trip). A
/// binary message's hex dump shows at most `max_dump` bytes. A client's id follows the sigil.
pub fn line(event: &Event, shape: &Shape, client: Option<u32>) -> Option<String> {
    let id = client.map(|id| format!("#{id} ")).unwrap_or_default();
    let show_ping_pong = shape.show_ping_pong;
    let notice = |text: &str| notice(&format!("{id}{text}"));
    Some(match event {
        Event::Opened {
            url,
            subprotocol,
            elapsed,
            peer,
            again,
            ..
        } => notice(&match peer {
            Some(peer) => describe_client(peer, url, subprotocol.as_deref()),
            None => describe_open(url, subprotocol.as_deref(), *elapsed, *again),
        }),
        Event::Reconnecting {
            code,
            why,
            wait,
            attempt,
        } => notice(&escape_text(&describe_reconnecting(
            *code, why, *wait, *attempt,
        ))),
        Event::Text(text) => match shape.pretty.and_then(|p| pretty::lines(text, p, true)) {
            Some(lines) => pretty_message(lines, shape.max_lines, &id),
            None => format!("{} {id}{}", "<".green().bold(), escape_text(text)),
        },
        Event::Binary(data) => {
            let size = format!("binary, {}", plural(data.len() as u64, "byte"));
            let size = format!("{} {id}{}", "<".green().bold(), size.green());
            match hex_dump(data, shape.max_dump) {
                dump if dump.is_empty() => size,
                dump => format!("{size}\r\n{dump}"),
            }
        }
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
        Event::HeartbeatSent(text) if show_ping_pong => {
            notice(&format!("heartbeat sent {}", payload(text.as_bytes())))
        }
        Event::Ping(_) | Event::PingSent(_) | Event::PongSent(_) | Event::HeartbeatSent(_) => {
            return None;
        }
        Event::Closed {
            code,
            reason,
            by_us,
        } => notice(&escape_text(&describe_closed(
            *code, reason, *by_us, shape.peer,
        ))),
    })
}

/// A pretty-printed message under its sigil, its lines after the first indented to stand
/// under it, folded after `max_lines` (0: never) with a line that counts the rest. Lines are
/// joined with `\r\n`, as the hex dump's are.
fn pretty_message(lines: Vec<String>, max_lines: usize, id: &str) -> String {
    let (lines, hidden) = pretty::fold(lines, max_lines);
    let mut out = format!("{} {id}", "<".green().bold());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n  ");
        }
        out.push_str(line);
    }
    if hidden > 0 {
        let more = format!(
            "… {} not shown (--max-lines; /last shows all)",
            plural(hidden as u64, "more line")
        );
        let _ = write!(out, "\r\n  {}", more.dimmed());
    }
    out
}

/// A JSON-RPC message's line (--jsonrpc), its text escaped: `< #3 result {...} after 12.4 ms`,
/// an error reply in the error colour.
fn rpc_line(shown: &Shown) -> String {
    let words = escape_text(&shown.words()).into_owned();
    match shown.is_error() {
        true => format!("{} {}", "<".red().bold(), words.red()),
        false => format!("{} {words}", "<".green().bold()),
    }
}

/// `connected from 127.0.0.1:51234 to /chat (subprotocol chat)`: a client of -l (the path
/// only when it is not `/`).
fn describe_client(peer: &str, url: &str, subprotocol: Option<&str>) -> String {
    let path = url::Url::parse(url)
        .ok()
        .map(|url| url.path().to_string())
        .filter(|path| path != "/")
        .map(|path| format!(" to {}", escape_text(&path)))
        .unwrap_or_default();
    let protocol = subprotocol
        .map(|p| format!(" (subprotocol {})", escape_text(p)))
        .unwrap_or_default();
    format!("connected from {peer}{path}{protocol}")
}

/// The line with the local time in front, when `--timestamps` asks for it.
pub fn stamped(line: String, timestamps: bool) -> String {
    if !timestamps {
        return line;
    }
    let now = chrono::Local::now().format("%H:%M:%S%.3f").to_string();
    format!("{} {line}", now.dimmed())
}

/// A `*` event line: sigil and text in the notice colour.
pub fn notice(text: &str) -> String {
    format!("{} {}", "*".yellow().bold(), text.yellow())
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// A control frame's payload, quoted and escaped.
fn payload(data: &[u8]) -> String {
    super::sanitize::quote(&String::from_utf8_lossy(data))
}

/// Offset, 16 bytes in hex, and their printable ASCII, for the first `max` bytes; then a line
/// that counts the rest (a 4 MiB message would otherwise be 262,144 rows). Rows are joined with
/// `\r\n` so they stay aligned while the terminal is in raw mode. Empty when `max` is 0.
pub fn hex_dump(data: &[u8], max: usize) -> String {
    let mut out = String::new();
    if max == 0 {
        return out;
    }
    let shown = &data[..data.len().min(max)];
    for (row, chunk) in shown.chunks(16).enumerate() {
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
    let hidden = data.len() - shown.len();
    if hidden > 0 {
        let unit = if hidden == 1 { "byte" } else { "bytes" };
        let _ = write!(out, "\r\n  … {hidden} more {unit} not shown (--max-dump)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_shows_offset_hex_and_ascii() {
        let dump = hex_dump(b"hello, binary world\x00\xff", 512);
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

    #[test]
    fn hex_dump_stops_at_max_and_counts_the_rest() {
        let data = vec![0x41u8; 4 << 20];
        let dump = hex_dump(&data, 512);
        let rows: Vec<&str> = dump.split("\r\n").collect();
        assert_eq!(rows.len(), 512 / 16 + 1);
        assert!(rows[31].starts_with("  000001f0  41 41"), "{}", rows[31]);
        assert_eq!(rows[32], "  … 4193792 more bytes not shown (--max-dump)");
        // A partial last row, and one byte left over.
        let rows_of = |data: &[u8], max| hex_dump(data, max).split("\r\n").count();
        assert_eq!(rows_of(&[0; 21], 20), 3);
        assert!(hex_dump(&[0; 21], 20).ends_with("  … 1 more byte not shown (--max-dump)"));
        // Exactly max bytes: nothing hidden.
        assert_eq!(rows_of(&[0; 32], 32), 2);
    }

    #[test]
    fn heartbeats_show_with_show_ping_pong_as_pings_do() {
        let mut shape = Shape {
            show_ping_pong: true,
            max_dump: 0,
            peer: "server",
            close_is_not_last: false,
            pretty: None,
            max_lines: 0,
        };
        let event = Event::HeartbeatSent("{\"op\":\"hb\"}\x1b".into());
        // Coloured or not (the tests share colored's global setting), the words and the payload
        // quoted and escaped.
        let shown = line(&event, &shape, None).unwrap();
        assert!(
            shown.contains("heartbeat sent \"{\\\"op\\\":\\\"hb\\\"}\\x1b\""),
            "{shown}"
        );
        shape.show_ping_pong = false;
        assert_eq!(line(&event, &shape, None), None);
    }

    #[test]
    fn the_close_line_says_who_closed() {
        assert_eq!(
            describe_closed(Some(1000), "", true, "server"),
            "closed: 1000 (normal), by you"
        );
        assert_eq!(
            describe_closed(Some(4000), "done", true, "server"),
            "closed: 4000 (application) \"done\", by you"
        );
        assert_eq!(
            describe_closed(None, "", true, "server"),
            "closed: no status code, by you"
        );
        assert_eq!(
            describe_closed(Some(4001), "reason", false, "server"),
            "closed by server: 4001 (application) \"reason\""
        );
    }

    #[test]
    fn max_dump_zero_shows_no_dump() {
        assert_eq!(hex_dump(&[1, 2, 3], 0), "");
        assert_eq!(hex_dump(&[], 512), "");
    }
}
