//! Pipe-mode output: each text message and a newline, binary messages as raw bytes; nothing else
//! on stdout. On a terminal the payloads are sanitised.

use std::io::{self, Write};

use super::{Notices, Stdout, sanitize};
use crate::event::Event;

pub struct RawPrinter {
    out: Stdout,
    sanitize: bool,
    notices: Notices,
}

impl RawPrinter {
    pub fn new(out: Stdout, sanitize: bool, notices: Notices) -> Self {
        RawPrinter {
            out,
            sanitize,
            notices,
        }
    }

    /// Payloads only, whichever client of -l sent them; `client` names it in stderr's notices.
    pub fn event(&mut self, event: &Event, client: Option<u32>) -> io::Result<()> {
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

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
