//! The ids given, the requests awaiting a reply, and the methods seen (for Tab).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::*;

/// The ids given, the requests awaiting a reply, and the methods seen.
#[derive(Debug, Default)]
pub struct Table {
    /// --jsonrpc-bare: requests without `"jsonrpc":"2.0"`.
    bare: bool,
    last_id: u64,
    /// The requests awaiting a reply: when each went.
    pub(super) pending: BTreeMap<u64, Instant>,
    methods: BTreeSet<String>,
}

impl Table {
    /// `bare`: requests without `"jsonrpc":"2.0"` (--jsonrpc-bare).
    pub fn new(bare: bool) -> Table {
        Table {
            bare,
            ..Table::default()
        }
    }

    /// The next request: its id and text. It awaits its reply from `now`.
    pub fn request(&mut self, call: &Call<'_>, now: Instant) -> (u64, String) {
        self.last_id += 1;
        let id = self.last_id;
        if self.pending.len() >= PENDING_MAX {
            self.pending.pop_first();
        }
        self.learn(call.method);
        self.pending.insert(id, now);
        (id, call.request(id, self.bare))
    }

    /// A connection opened `now`: requests made before it (lines read or typed while
    /// connecting) went out only now, so their round trips count from now.
    pub fn opened(&mut self, now: Instant) {
        for sent in self.pending.values_mut() {
            *sent = (*sent).max(now);
        }
    }

    /// A text message received at `now`: how to show it, or None when it is not JSON-RPC.
    /// Replies are matched to their requests (which then await nothing more) and the methods of
    /// notifications are learnt.
    pub fn received(&mut self, text: &str, now: Instant) -> Option<Vec<Shown>> {
        let messages = classify(text)?;
        Some(
            messages
                .into_iter()
                .map(|message| self.show(message, now))
                .collect(),
        )
    }

    fn show(&mut self, message: Incoming<'_>, now: Instant) -> Shown {
        match message {
            Incoming::Reply { id, outcome } => {
                let ours = id.parse::<u64>().ok().and_then(|n| {
                    let sent = self.pending.remove(&n)?;
                    Some((n, sent))
                });
                match ours {
                    Some((id, sent)) => Shown::Reply {
                        id,
                        round_trip: now.saturating_duration_since(sent),
                        outcome: outcome.into(),
                    },
                    None => Shown::Stray {
                        id: compact(id).into_owned(),
                        outcome: outcome.into(),
                    },
                }
            }
            Incoming::Notification { method, params } => {
                self.learn(&method);
                Shown::Notification {
                    method,
                    params: params.map(|p| compact(p).into_owned()),
                }
            }
            Incoming::Request { id, method, params } => Shown::Request {
                id: compact(id).into_owned(),
                method,
                params: params.map(|p| compact(p).into_owned()),
            },
        }
    }

    /// Keeps a method's name for Tab: only names that are safe to put on a terminal and in a
    /// line (a server's could hold escape sequences), and a bounded number of them.
    fn learn(&mut self, method: &str) {
        let printable = |c: char| !c.is_whitespace() && !c.is_control();
        if method.is_empty()
            || method.len() > METHOD_LEN_MAX
            || !method.chars().all(printable)
            || crate::output::sanitize::escape_text(method) != method
            || self.methods.contains(method)
            || self.methods.len() >= METHODS_MAX
        {
            return;
        }
        self.methods.insert(method.to_string());
    }

    /// Tab at byte `pos` of `line`: where the method being typed starts and the methods seen
    /// that begin with what is typed of it. Nothing after the method, nor for slash commands.
    pub fn complete(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let Some(before) = line.get(..pos) else {
            return (pos, Vec::new());
        };
        let start = before.len() - before.trim_start().len();
        let typed = &before[start..];
        if typed.contains(char::is_whitespace) || typed.starts_with('/') {
            return (pos, Vec::new());
        }
        let names = self
            .methods
            .range::<str, _>((std::ops::Bound::Included(typed), std::ops::Bound::Unbounded))
            .take_while(|name| name.starts_with(typed))
            .cloned()
            .collect();
        (start, names)
    }
}
