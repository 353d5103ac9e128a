//! --jsonrpc: a line `METHOD`, `METHOD {PARAMS}` or `METHOD [PARAMS]` (typed, on stdin, or -x)
//! becomes a JSON-RPC 2.0 request with an id counting up from 1, and what arrives is matched to
//! the requests by id, with the round trip.
//!
//! The input side (the REPL's thread, stdin's thread, the session for -x) makes the requests and
//! the printer shows the replies, so both hold one `Calls`: the ids given, the requests awaiting
//! a reply with the time each went, and the methods seen (for the REPL's Tab). Everything here
//! but `Calls` (a lock and the clock) is pure: parsing a line, classifying a message, the table.

mod incoming;
mod line;
mod table;

pub use incoming::*;
pub use line::*;
pub use table::*;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tungstenite::Message;

use crate::config::Config;
use crate::input::Input;

/// How --jsonrpc works, for `--help` and the man page (the README says the same at length).
pub const RULES: [&str; 4] = [
    "A line (typed, on stdin, or -x) is METHOD, METHOD {PARAMS} or METHOD [PARAMS]. It is sent as \
     {\"jsonrpc\":\"2.0\",\"id\":N,\"method\":METHOD,\"params\":PARAMS}, N counting up from 1 \
     (without PARAMS, no params member; --jsonrpc-bare leaves out \"jsonrpc\", which the Chrome \
     DevTools Protocol refuses); a blank line sends nothing. A line not of this form is a '!' \
     note in the REPL, stops wsc with status 1 on stdin, and is a usage error with -x.",
    "In the REPL a reply shows the id of its request and the round trip: '< #3 result {...} after \
     12.4 ms'; an error reply is red: '< #3 error -32601 Method not found after 2.0 ms'. A \
     message without an id shows as '< notification METHOD {...}', a reply to an id never sent \
     says so, and each member of a batch has its own line. Anything else is shown as usual. Tab \
     completes the methods sent so far and those of the notifications received.",
    "In a pipe, each JSON-RPC message received is one line on stdout, as it came but without the \
     whitespace between tokens (ready for jq); anything else is printed as usual. With --jsonl \
     every message is a \"text\" object as usual.",
    "Ids go on counting across reconnects (-x is sent with new ones each time). Replies are \
     matched by id alone: a \"jsonrpc\" member is not required of them (the Chrome DevTools \
     Protocol leaves it out).",
];

/// Requests awaiting a reply that are kept: past this, the oldest is forgotten (its reply, if
/// it ever comes, is then shown as one to an unknown id), so a server that never answers cannot
/// make the table grow without end.
const PENDING_MAX: usize = 65_536;

/// Method names kept for Tab, and the longest kept.
const METHODS_MAX: usize = 4096;
const METHOD_LEN_MAX: usize = 256;

/// What a line must look like, for its errors.
const FORM: &str = "a line is METHOD [PARAMS], e.g. getBlock {\"number\":1} or add [1,2]";

/// The table as the input side and the printer share it (--jsonrpc), and the -x requests of
/// the first connection: their ids come before those of any line read meanwhile.
#[derive(Debug, Clone)]
pub struct Calls {
    table: Arc<Mutex<Table>>,
    first_execute: Arc<Mutex<Option<Vec<Message>>>>,
}

impl Calls {
    /// The run's calls with --jsonrpc or --jsonrpc-bare, None without.
    pub fn of(config: &Config) -> Option<Calls> {
        config
            .jsonrpc
            .then(|| Calls::new(&config.execute, config.jsonrpc_bare))
    }

    /// The calls of one run; `execute` (the -x lines, checked by the config) are given the first
    /// ids. `bare`: requests without `"jsonrpc":"2.0"`.
    pub fn new(execute: &[String], bare: bool) -> Calls {
        let calls = Calls {
            table: Arc::new(Mutex::new(Table::new(bare))),
            first_execute: Arc::default(),
        };
        let first = calls.requests(execute);
        *calls
            .first_execute
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(first);
        calls
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // A thread that panicked holding it ends wsc (panic = "abort"): no table is half-made.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A line typed or read: the request to send, None for a blank line, or what is wrong.
    pub fn request_line(&self, line: &str) -> Result<Option<Message>, String> {
        let Some(call) = parse_line(line)? else {
            return Ok(None);
        };
        let (_, text) = self.table().request(&call, Instant::now());
        Ok(Some(Message::text(text)))
    }

    fn requests(&self, lines: &[String]) -> Vec<Message> {
        lines
            .iter()
            .filter_map(|line| self.request_line(line).ok().flatten())
            .collect()
    }

    /// A connection has opened: what was queued goes now (round trips count from here), and
    /// the -x requests go first, with new ids after the first connection.
    pub fn opened(&self, execute: &[String]) -> Option<Input> {
        self.table().opened(Instant::now());
        let first = self
            .first_execute
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let batch = first.unwrap_or_else(|| self.requests(execute));
        (!batch.is_empty()).then_some(Input::Batch(batch))
    }

    /// A text message received: how to show it, or None when it is not JSON-RPC.
    pub fn received(&self, text: &str) -> Option<Vec<Shown>> {
        self.table().received(text, Instant::now())
    }

    /// Tab in the REPL: see `Table::complete`.
    pub fn complete(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        self.table().complete(line, pos)
    }
}

#[cfg(test)]
mod tests;
