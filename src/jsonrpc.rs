//! --jsonrpc: a line `METHOD`, `METHOD {PARAMS}` or `METHOD [PARAMS]` (typed, on stdin, or -x)
//! becomes a JSON-RPC 2.0 request with an id counting up from 1, and what arrives is matched to
//! the requests by id, with the round trip.
//!
//! The input side (the REPL's thread, stdin's thread, the session for -x) makes the requests and
//! the printer shows the replies, so both hold one `Calls`: the ids given, the requests awaiting
//! a reply with the time each went, and the methods seen (for the REPL's Tab). Everything here
//! but `Calls` (a lock and the clock) is pure: parsing a line, classifying a message, the table.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::value::RawValue;
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

/// A line made sense of: the method, and the params as compact JSON.
#[derive(Debug, PartialEq)]
pub struct Call<'a> {
    pub method: &'a str,
    pub params: Option<Cow<'a, str>>,
}

/// Parses `METHOD [PARAMS]`; `Ok(None)` for a blank line, which sends nothing. PARAMS must be a
/// JSON object or array (JSON-RPC's params by name or by position).
pub fn parse_line(line: &str) -> Result<Option<Call<'_>>, String> {
    let body = line.trim_start();
    if body.trim_end().is_empty() {
        return Ok(None);
    }
    let method_end = body.find(char::is_whitespace).unwrap_or(body.len());
    let method = &body[..method_end];
    if method.starts_with(['{', '[', '"']) {
        return Err(format!(
            "{FORM}: it starts with the method's name, not JSON"
        ));
    }
    let rest = body[method_end..].trim_start();
    let params = rest.trim_end();
    if params.is_empty() {
        return Ok(Some(Call {
            method,
            params: None,
        }));
    }
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(params) {
        // The column in the line, not in the params.
        let column = line.len() - rest.len() + e.column();
        return Err(format!(
            "params are not JSON: {} at column {column}",
            json_words(&e)
        ));
    }
    if !params.starts_with(['{', '[']) {
        return Err(format!(
            "params must be a JSON object or array ({{\"a\":1}} or [1,2]), not {}",
            kind_of(params)
        ));
    }
    Ok(Some(Call {
        method,
        params: Some(compact(params)),
    }))
}

/// serde_json's message without its position (`expected value`).
fn json_words(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// What a JSON value that is no container is, in words.
fn kind_of(json: &str) -> &'static str {
    match json.as_bytes().first() {
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl Call<'_> {
    /// The request's text, members in the usual order; `bare` leaves out `"jsonrpc":"2.0"`
    /// (--jsonrpc-bare).
    pub fn request(&self, id: u64, bare: bool) -> String {
        // A &str always serialises.
        let method = serde_json::to_string(self.method).unwrap_or_default();
        let version = if bare { "" } else { r#""jsonrpc":"2.0","# };
        match &self.params {
            Some(params) => {
                format!(r#"{{{version}"id":{id},"method":{method},"params":{params}}}"#)
            }
            None => format!(r#"{{{version}"id":{id},"method":{method}}}"#),
        }
    }
}

/// Valid JSON without the whitespace between its tokens (strings kept as they are, members in
/// their order): one line, as `jq -c` would print it but unchanged otherwise.
pub fn compact(json: &str) -> Cow<'_, str> {
    let bytes = json.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut out: Option<Vec<u8>> = None;
    for (i, &byte) in bytes.iter().enumerate() {
        let keep = if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            true
        } else {
            if byte == b'"' {
                in_string = true;
            }
            !matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
        };
        match (&mut out, keep) {
            (Some(out), true) => out.push(byte),
            (None, false) => out = Some(bytes[..i].to_vec()),
            _ => {}
        }
    }
    match out {
        // Only ASCII whitespace was taken out: still UTF-8.
        Some(out) => Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| json.to_string())),
        None => Cow::Borrowed(json),
    }
}

/// A member of an object: absent, or present with its JSON text (`null` too, which an `Option`
/// would take for absent: `"result":null` is a result).
#[derive(Debug, Default, Clone, Copy)]
struct Member<'a>(Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| Member(Some(raw)))
    }
}

impl<'a> Member<'a> {
    fn text(self) -> Option<&'a str> {
        self.0.map(RawValue::get)
    }
}

/// The members that make a JSON-RPC message; others (Chrome's sessionId) are left alone.
#[derive(Deserialize)]
struct Object<'a> {
    #[serde(default, borrow)]
    id: Member<'a>,
    #[serde(default, borrow)]
    method: Member<'a>,
    #[serde(default, borrow)]
    params: Member<'a>,
    #[serde(default, borrow)]
    result: Member<'a>,
    #[serde(default, borrow)]
    error: Member<'a>,
}

/// A JSON-RPC message received, its parts as the JSON text that came.
#[derive(Debug, PartialEq)]
enum Incoming<'a> {
    /// A reply: `id` is `null` when the server could not tell the request's.
    Reply { id: &'a str, outcome: Outcome<'a> },
    Notification {
        method: String,
        params: Option<&'a str>,
    },
    /// The server asks something of us (language servers do).
    Request {
        id: &'a str,
        method: String,
        params: Option<&'a str>,
    },
}

#[derive(Debug, PartialEq, Clone, Copy)]
enum Outcome<'a> {
    Result(&'a str),
    Error(&'a str),
}

/// The JSON-RPC messages of a text message (several for a batch), or None when it is not
/// JSON-RPC: not JSON, not an object with a result, an error or a method, or a batch with
/// anything else in it.
fn classify(text: &str) -> Option<Vec<Incoming<'_>>> {
    if text.trim_start().starts_with('[') {
        let members: Vec<&RawValue> = serde_json::from_str(text).ok()?;
        if members.is_empty() {
            return None;
        }
        return members.into_iter().map(|m| one(m.get())).collect();
    }
    one(text).map(|message| vec![message])
}

fn one(text: &str) -> Option<Incoming<'_>> {
    // serde reads a struct from an array too, by position.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let object: Object = serde_json::from_str(text).ok()?;
    let outcome = match (object.result.text(), object.error.text()) {
        (Some(result), None) => Some(Outcome::Result(result)),
        (None, Some(error)) => Some(Outcome::Error(error)),
        (Some(_), Some(_)) => return None,
        (None, None) => None,
    };
    let id = object.id.text();
    if let Some(outcome) = outcome {
        return Some(Incoming::Reply {
            id: id.unwrap_or("null"),
            outcome,
        });
    }
    let method: String = serde_json::from_str(object.method.text()?).ok()?;
    let params = object.params.text();
    Some(match id {
        Some(id) if id != "null" => Incoming::Request { id, method, params },
        _ => Incoming::Notification { method, params },
    })
}

/// A received JSON-RPC message as it is shown: matched to its request where it answers one.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// A reply to our request `id`, after `round_trip`.
    Reply {
        id: u64,
        round_trip: Duration,
        outcome: Answer,
    },
    /// A reply to an id that is none of ours (or no longer remembered), or `null`.
    Stray { id: String, outcome: Answer },
    Notification {
        method: String,
        params: Option<String>,
    },
    Request {
        id: String,
        method: String,
        params: Option<String>,
    },
}

/// A reply's result or error, as compact JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Result(String),
    Error(String),
}

impl From<Outcome<'_>> for Answer {
    fn from(outcome: Outcome<'_>) -> Answer {
        match outcome {
            Outcome::Result(json) => Answer::Result(compact(json).into_owned()),
            Outcome::Error(json) => Answer::Error(compact(json).into_owned()),
        }
    }
}

/// The usual error object: `{"code":-32601,"message":"Method not found","data":...}`.
#[derive(Deserialize)]
struct ErrorObject<'a> {
    code: i64,
    message: String,
    #[serde(default, borrow)]
    data: Member<'a>,
}

impl Answer {
    /// `result {...}` or `error -32601 Method not found {data}`.
    fn words(&self) -> String {
        match self {
            Answer::Result(json) => format!("result {json}"),
            Answer::Error(json) => match serde_json::from_str::<ErrorObject>(json) {
                Ok(error) => {
                    let message = one_line(&error.message);
                    match error.data.text() {
                        Some(data) => format!("error {} {message} {data}", error.code),
                        None => format!("error {} {message}", error.code),
                    }
                }
                Err(_) => format!("error {json}"),
            },
        }
    }
}

/// Text decoded from a JSON string (a method, an error's message) kept to one line: line breaks
/// as JSON writes them, so that a server cannot start a line of its own.
fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace('\n', "\\n").replace('\r', "\\r"))
}

impl Shown {
    /// An error reply: shown in the error colour.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Shown::Reply {
                outcome: Answer::Error(_),
                ..
            } | Shown::Stray {
                outcome: Answer::Error(_),
                ..
            }
        )
    }

    /// The line's words after the `<` sigil (unescaped: the printer escapes them).
    pub fn words(&self) -> String {
        // A server's method name is one line, whatever it holds.
        let with_params = |method: &str, params: &Option<String>| match params {
            Some(params) => format!("{} {params}", one_line(method)),
            None => one_line(method).into_owned(),
        };
        match self {
            Shown::Reply {
                id,
                round_trip,
                outcome,
            } => format!(
                "#{id} {} after {:.1} ms",
                outcome.words(),
                round_trip.as_secs_f64() * 1e3
            ),
            Shown::Stray { id, outcome } if id == "null" => {
                format!("reply without id: {}", outcome.words())
            }
            Shown::Stray { id, outcome } => {
                format!("reply to unknown id {id}: {}", outcome.words())
            }
            Shown::Notification { method, params } => {
                format!("notification {}", with_params(method, params))
            }
            Shown::Request { id, method, params } => {
                format!("request {} (id {id})", with_params(method, params))
            }
        }
    }
}

/// The ids given, the requests awaiting a reply, and the methods seen.
#[derive(Debug, Default)]
pub struct Table {
    /// --jsonrpc-bare: requests without `"jsonrpc":"2.0"`.
    bare: bool,
    last_id: u64,
    /// The requests awaiting a reply: when each went.
    pending: BTreeMap<u64, Instant>,
    methods: BTreeSet<String>,
}

impl Table {
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
            table: Arc::new(Mutex::new(Table {
                bare,
                ..Table::default()
            })),
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
mod tests {
    use super::*;

    fn call(line: &str) -> Call<'_> {
        parse_line(line).unwrap().unwrap()
    }

    #[test]
    fn lines_become_requests_with_params_by_name_by_position_or_none() {
        assert_eq!(
            call("getBlock {\"number\": 1}").request(3, false),
            r#"{"jsonrpc":"2.0","id":3,"method":"getBlock","params":{"number":1}}"#
        );
        assert_eq!(
            call("  add [1, 2]  ").request(1, false),
            r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#
        );
        assert_eq!(
            call("eth_blockNumber").request(7, false),
            r#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#
        );
        assert_eq!(
            call("Page.navigate\t{\"url\":\"https://a b\"}")
                .params
                .as_deref(),
            Some(r#"{"url":"https://a b"}"#),
            "whitespace in strings is kept"
        );
        assert_eq!(
            call(r"say\ {}").request(1, false),
            r#"{"jsonrpc":"2.0","id":1,"method":"say\\","params":{}}"#,
            "the method is a JSON string"
        );
        assert_eq!(parse_line(""), Ok(None));
        assert_eq!(parse_line(" \t "), Ok(None));
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_where() {
        let table = [
            (
                "m {\"a\":}",
                "params are not JSON: expected value at column 8",
            ),
            (
                "m {\"a\":1} x",
                "params are not JSON: trailing characters at column 11",
            ),
            ("m hello", "params are not JSON: expected value at column 3"),
            (
                "m 5",
                "params must be a JSON object or array ({\"a\":1} or [1,2]), not a number",
            ),
            ("m \"x\"", "not a string"),
            ("m true", "not a boolean"),
            ("m null", "not null"),
            (
                "{\"method\":\"m\"}",
                "a line is METHOD [PARAMS], e.g. getBlock {\"number\":1} or add [1,2]: it starts \
                 with the method's name, not JSON",
            ),
            ("[1]", "it starts with the method's name"),
        ];
        for (line, words) in table {
            let error = parse_line(line).unwrap_err();
            assert!(error.contains(words), "{line}: {error}");
            assert!(!error.contains("line 1"), "{line}: {error}");
        }
    }

    #[test]
    fn compact_takes_out_whitespace_between_tokens_only() {
        assert_eq!(
            compact("{ \"a b\" : [1,\n 2],\r\n\t\"c\\\" d\": \" \\\\\" }"),
            "{\"a b\":[1,2],\"c\\\" d\":\" \\\\\"}"
        );
        assert!(matches!(compact("{\"a\":1}"), Cow::Borrowed(_)));
        assert_eq!(compact(" [ \"é ü\" ] "), "[\"é ü\"]");
    }

    #[test]
    fn messages_are_classified_as_replies_notifications_requests_or_not_json_rpc() {
        let one = |text| classify(text).map(|mut all| all.remove(0));
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","id":3,"result":{"x": 1}}"#),
            Some(Incoming::Reply {
                id: "3",
                outcome: Outcome::Result(r#"{"x": 1}"#)
            })
        );
        assert_eq!(
            one(r#"{"id":3,"result":null}"#),
            Some(Incoming::Reply {
                id: "3",
                outcome: Outcome::Result("null")
            }),
            "a null result is a result; no jsonrpc member needed"
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#),
            Some(Incoming::Reply {
                id: "null",
                outcome: Outcome::Error(r#"{"code":-32700,"message":"Parse error"}"#)
            })
        );
        assert_eq!(
            one(r#"{"method":"Network.dataReceived","params":{"a":1},"sessionId":"S"}"#),
            Some(Incoming::Notification {
                method: "Network.dataReceived".into(),
                params: Some(r#"{"a":1}"#)
            })
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","id":"x1","method":"workspace/configuration"}"#),
            Some(Incoming::Request {
                id: "\"x1\"",
                method: "workspace/configuration".into(),
                params: None
            })
        );
        for not_rpc in [
            "hello",
            "42",
            "{\"a\":1}",
            "[]",
            "[1,2]",
            "[\"id\",\"method\"]",
            "{\"id\":1,\"result\":1,\"error\":{}}",
            "{\"method\":5}",
            "[{\"id\":1,\"result\":1},7]",
            "{\"id\":1,\"result\":1",
        ] {
            assert_eq!(classify(not_rpc), None, "{not_rpc}");
        }
        assert_eq!(
            classify(r#"[{"id":1,"result":1},{"method":"m"}]"#).map(|all| all.len()),
            Some(2)
        );
    }

    #[test]
    fn replies_are_matched_to_their_requests_in_any_order_with_round_trips() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut table = Table::default();
        let (one, _) = table.request(&call("first"), at(0));
        let (two, _) = table.request(&call("second [1]"), at(5));
        let (three, _) = table.request(&call("third"), at(10));
        assert_eq!((one, two, three), (1, 2, 3), "ids count up from 1");
        let shown = |table: &mut Table, text: &str, ms| {
            let mut all = table.received(text, at(ms)).unwrap();
            assert_eq!(all.len(), 1);
            all.remove(0)
        };
        assert_eq!(
            shown(
                &mut table,
                r#"{"jsonrpc":"2.0","id":2,"result":[1, 2]}"#,
                17
            ),
            Shown::Reply {
                id: 2,
                round_trip: Duration::from_millis(12),
                outcome: Answer::Result("[1,2]".into())
            }
        );
        let error = shown(
            &mut table,
            r#"{"id":3,"error":{"code":-32601,"message":"Method not found","data":{"m":"third"}}}"#,
            20,
        );
        assert!(error.is_error());
        assert_eq!(
            error.words(),
            r#"#3 error -32601 Method not found {"m":"third"} after 10.0 ms"#
        );
        let first = shown(&mut table, r#"{"id":1,"result":"ok"}"#, 30);
        assert_eq!(first.words(), r#"#1 result "ok" after 30.0 ms"#);
        assert!(!first.is_error());
        // Answered already: a second reply is to an id no request awaits.
        assert_eq!(
            shown(&mut table, r#"{"id":1,"result":"again"}"#, 31).words(),
            r#"reply to unknown id 1: result "again""#
        );
        assert_eq!(
            shown(&mut table, r#"{"id":"1","result":0}"#, 31).words(),
            r#"reply to unknown id "1": result 0"#
        );
        assert_eq!(
            shown(
                &mut table,
                r#"{"id":null,"error":{"code":-32700,"message":"Parse error"}}"#,
                31
            )
            .words(),
            "reply without id: error -32700 Parse error"
        );
        assert_eq!(
            shown(&mut table, r#"{"id":9,"error":"odd"}"#, 31).words(),
            r#"reply to unknown id 9: error "odd""#
        );
        assert!(table.pending.is_empty());
        assert_eq!(table.received("not json", at(40)), None);
    }

    #[test]
    fn notifications_requests_and_batches_are_shown_as_such() {
        let mut table = Table::default();
        let now = Instant::now();
        let (id, _) = table.request(&call("a"), now);
        let all = table
            .received(
                r#"[{"id":1,"result":true}, {"method":"tick","params":[ 1 ]},
                    {"id":7,"method":"ask","params":{"q":"multi\nline"}}]"#,
                now,
            )
            .unwrap();
        let words: Vec<String> = all.iter().map(Shown::words).collect();
        assert_eq!(id, 1);
        assert_eq!(
            words,
            [
                "#1 result true after 0.0 ms",
                "notification tick [1]",
                r#"request ask {"q":"multi\nline"} (id 7)"#,
            ]
        );
        assert_eq!(
            Shown::Notification {
                method: "bare".into(),
                params: None
            }
            .words(),
            "notification bare"
        );
        // Nothing from the server starts a line of its own.
        let forged = table
            .received(
                r#"{"method":"a\n< #9 result 1","params":[]}
                   "#,
                now,
            )
            .unwrap();
        assert_eq!(forged[0].words(), r"notification a\n< #9 result 1 []");
        let forged = table
            .received(r#"{"id":5,"error":{"code":1,"message":"x\r\ny"}}"#, now)
            .unwrap();
        assert_eq!(forged[0].words(), r"reply to unknown id 5: error 1 x\r\ny");
    }

    #[test]
    fn requests_made_before_the_connection_count_from_its_opening() {
        let start = Instant::now();
        let mut table = Table::default();
        table.request(&call("early"), start);
        table.opened(start + Duration::from_millis(100));
        let shown = table
            .received(r#"{"id":1,"result":1}"#, start + Duration::from_millis(103))
            .unwrap();
        assert_eq!(shown[0].words(), "#1 result 1 after 3.0 ms");
    }

    #[test]
    fn the_oldest_requests_are_forgotten_past_the_limit() {
        let mut table = Table::default();
        let now = Instant::now();
        for _ in 0..PENDING_MAX + 2 {
            table.request(&call("m"), now);
        }
        assert_eq!(table.pending.len(), PENDING_MAX);
        assert_eq!(table.pending.first_key_value().map(|(id, _)| *id), Some(3));
    }

    #[test]
    fn tab_offers_the_methods_sent_and_notified_that_begin_as_typed() {
        let mut table = Table::default();
        let now = Instant::now();
        for line in ["Page.navigate {}", "Page.enable", "Runtime.evaluate {}"] {
            table.request(&call(line), now);
        }
        table.received(r#"{"method":"Page.loadEventFired","params":{}}"#, now);
        // A server's names that could change a terminal or a line are not offered.
        table.received(r#"{"method":"Page.\u001b[2Jx"}"#, now);
        table.received(r#"{"method":"Page.a b"}"#, now);
        table.received(r#"{"method":"Page.\u202eevil"}"#, now);
        assert_eq!(
            table.complete("Page.", 5),
            (
                0,
                vec![
                    "Page.enable".to_string(),
                    "Page.loadEventFired".into(),
                    "Page.navigate".into()
                ]
            )
        );
        assert_eq!(
            table.complete("  Ru", 4),
            (2, vec!["Runtime.evaluate".into()])
        );
        assert_eq!(table.complete("", 0).1.len(), 4);
        assert_eq!(table.complete("Page.enable {", 13), (13, vec![]));
        assert_eq!(table.complete("/pi", 3), (3, vec![]));
        assert_eq!(table.complete("Zzz", 3), (0, vec![]));
    }

    #[test]
    fn the_first_connections_execute_requests_take_the_first_ids() {
        let calls = Calls::new(&["first".to_string(), "second [1]".to_string()], false);
        let typed = calls.request_line("typed").unwrap().unwrap();
        assert!(typed.to_text().unwrap().contains(r#""id":3"#), "{typed:?}");
        let texts = |input: Option<Input>| match input {
            Some(Input::Batch(batch)) => batch
                .iter()
                .map(|m| m.to_text().unwrap().to_string())
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let execute = ["first".to_string(), "second [1]".to_string()];
        assert_eq!(
            texts(calls.opened(&execute)),
            [
                r#"{"jsonrpc":"2.0","id":1,"method":"first"}"#,
                r#"{"jsonrpc":"2.0","id":2,"method":"second","params":[1]}"#
            ]
        );
        // A reconnection sends them again, as new requests.
        assert_eq!(
            texts(calls.opened(&execute)),
            [
                r#"{"jsonrpc":"2.0","id":4,"method":"first"}"#,
                r#"{"jsonrpc":"2.0","id":5,"method":"second","params":[1]}"#
            ]
        );
        assert!(Calls::new(&[], false).opened(&[]).is_none());
        let bare = Calls::new(&[], true).request_line("Page.enable").unwrap();
        assert_eq!(
            bare,
            Some(Message::text(r#"{"id":1,"method":"Page.enable"}"#)),
            "--jsonrpc-bare, as the Chrome DevTools Protocol wants"
        );
    }
}
