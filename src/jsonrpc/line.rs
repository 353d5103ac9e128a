//! A typed line (`METHOD [PARAMS]`) as a request, and JSON made one line.

use std::borrow::Cow;

use super::*;

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
pub(super) fn json_words(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// What a JSON value that is no container is, in words.
pub(super) fn kind_of(json: &str) -> &'static str {
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
