//! Pipe-mode output: each text message and a newline, binary messages as raw bytes; nothing else
//! on stdout. On a terminal the payloads are sanitised. With --jsonrpc, a JSON-RPC message is
//! one line whatever whitespace it came with. With --pretty always, a JSON object or array is
//! indented over several lines.

use std::io::{self, Write};

use super::{Notices, Stdout, sanitize};
use crate::event::Event;
use crate::json::{Palette, pretty};
use crate::jsonrpc::{Calls, compact};

pub struct RawPrinter {
    out: Stdout,
    sanitize: bool,
    /// --pretty always: JSON objects and arrays pretty-printed in these colours.
    pretty: Option<Palette>,
    notices: Notices,
    /// --jsonrpc: replies are matched to their requests (which then await nothing more).
    calls: Option<Calls>,
}

impl RawPrinter {
    pub fn new(
        out: Stdout,
        sanitize: bool,
        pretty: Option<Palette>,
        notices: Notices,
        calls: Option<Calls>,
    ) -> Self {
        RawPrinter {
            out,
            sanitize,
            pretty,
            notices,
            calls,
        }
    }

    /// Payloads only, whichever client of -l sent them; `client` names it in stderr's notices.
    pub fn event(&mut self, event: &Event, client: Option<u32>) -> io::Result<()> {
        if let (Some(calls), Event::Text(text)) = (&self.calls, event) {
            // A JSON-RPC message on one line, for jq: whitespace between tokens is all it loses.
            if calls.received(text).is_some() {
                let line = compact(text);
                let line = match self.sanitize {
                    true => sanitize::escape_text(&line),
                    false => line,
                };
                self.out.write_all(line.as_bytes())?;
                return self.out.write_all(b"\n");
            }
        }
        if let (Some(palette), Event::Text(text)) = (&self.pretty, event) {
            if let Some(written) = self.pretty(text, *palette) {
                return written;
            }
        }
        match event {
            Event::Text(text) if self.sanitize => {
                self.out.write_all(sanitize::escape_text(text).as_bytes())?;
                self.out.write_all(b"\n")
            }
            Event::Text(text) => {
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
            }
            Event::Binary(data) if self.sanitize => {
                self.out
                    .write_all(sanitize::escape_bytes(data).as_bytes())?;
                self.out.write_all(b"\n")
            }
            Event::Binary(data) => self.out.write_all(data),
            other => {
                self.notices.show(other, client);
                Ok(())
            }
        }
    }

    /// --pretty always: a JSON object or array over several lines (None: not one). Kept out of
    /// `event`, so that the path every message takes stays small enough to be inlined.
    #[inline(never)]
    fn pretty(&mut self, text: &str, palette: Palette) -> Option<io::Result<()>> {
        let lines = pretty::lines(text, palette, self.sanitize)?;
        Some(lines.iter().try_for_each(|line| {
            self.out.write_all(line.as_bytes())?;
            self.out.write_all(b"\n")
        }))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
