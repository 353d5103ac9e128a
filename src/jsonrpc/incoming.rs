//! What arrived, classified: a reply (result or error), a notification, a request from the
//! server, a batch of them, or not JSON-RPC; and its line for people.

use std::borrow::Cow;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::*;

/// A member of an object: absent, or present with its JSON text (`null` too, which an `Option`
/// would take for absent: `"result":null` is a result).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Member<'a>(Option<&'a RawValue>);

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
pub(super) struct Object<'a> {
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
pub(super) enum Incoming<'a> {
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
pub(super) enum Outcome<'a> {
    Result(&'a str),
    Error(&'a str),
}

/// The JSON-RPC messages of a text message (several for a batch), or None when it is not
/// JSON-RPC: not JSON, not an object with a result, an error or a method, or a batch with
/// anything else in it.
pub(super) fn classify(text: &str) -> Option<Vec<Incoming<'_>>> {
    if text.trim_start().starts_with('[') {
        let members: Vec<&RawValue> = serde_json::from_str(text).ok()?;
        if members.is_empty() {
            return None;
        }
        return members.into_iter().map(|m| one(m.get())).collect();
    }
    one(text).map(|message| vec![message])
}

pub(super) fn one(text: &str) -> Option<Incoming<'_>> {
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
pub(super) struct ErrorObject<'a> {
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
pub(super) fn one_line(text: &str) -> Cow<'_, str> {
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
