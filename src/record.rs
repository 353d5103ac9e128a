//! --record FILE: the session as JSON lines, one per frame either way and one per connection
//! event, each a --jsonl object with "ts" (UTC, RFC 3339, milliseconds) and "dir" beside it:
//! "in" (received), "out" (sent), "conn" (open, reconnecting). Frames that wsc made on its own
//! rather than from the input carry "auto" (what made them), so that --replay sends only what
//! the input sent and lets the replaying run make its own answers, closes and heartbeats.
//!
//! The writer task records what it sends, the session what it receives, reconnect.rs the waits:
//! one file shared behind a lock, written once per line without a buffer, so a crash loses no
//! line that was written.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tungstenite::Message;

use crate::error::io_words;
use crate::event::Event;
use crate::output::jsonl::{JsonEvent, now, object, sent};

/// Why wsc sent a frame that the input did not give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auto {
    /// The answer to a ping.
    Pong,
    /// A Close of wsc's own: at the end of the input, a goal met, a limit, a signal, a rule
    /// broken, or the answer to the peer's Close.
    Close,
    /// --ping-interval's ping.
    Keepalive,
    /// --heartbeat's message.
    Heartbeat,
    /// --echo's copy of a received message.
    Echo,
}

impl Auto {
    fn name(self) -> &'static str {
        match self {
            Auto::Pong => "pong",
            Auto::Close => "close",
            Auto::Keepalive => "keepalive",
            Auto::Heartbeat => "heartbeat",
            Auto::Echo => "echo",
        }
    }
}

/// The lines of a recording, for `--help` and the man page.
pub const LINES: [(&str, &str); 4] = [
    (
        r#"{"ts":TIME,"dir":"out","type":"text","data":TEXT}"#,
        "sent: text, binary, ping, pong and close as --jsonl has them, each with ts (UTC, RFC \
         3339, milliseconds)",
    ),
    (
        r#"{"ts":TIME,"dir":"in","type":"text","data":TEXT}"#,
        "received: text, binary, ping, pong and close",
    ),
    (
        r#"{"ts":TIME,"dir":"conn","type":"open",...}"#,
        "connected; \"reconnecting\" objects (--reconnect) are \"conn\" too",
    ),
    (
        r#"{...,"dir":"out","auto":WHY}"#,
        "sent by wsc on its own, not from the input: WHY is pong (answering a ping), close (its \
         own Close or the answer to the server's), keepalive (--ping-interval), heartbeat or \
         echo; --replay leaves these out",
    ),
];

/// One recording, shared by whoever records into it.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// None once a write failed: said once, then nothing more is recorded.
    file: Mutex<Option<File>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recorder({})", self.inner.path.display())
    }
}

/// A line: the time, the direction, the event's own fields, and why wsc sent it.
#[derive(Serialize)]
struct Line<'a> {
    ts: String,
    dir: &'static str,
    #[serde(flatten)]
    event: JsonEvent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto: Option<&'static str>,
}

impl Recorder {
    /// Creates (or empties) the file; the error in words, naming it.
    pub fn create(path: &Path) -> Result<Recorder, String> {
        let file = File::create(path).map_err(|e| {
            format!(
                "--record: cannot write {}: {}",
                path.display(),
                io_words(&e)
            )
        })?;
        Ok(Recorder {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                file: Mutex::new(Some(file)),
            }),
        })
    }

    /// An event the session saw: received ("in") or about the connection ("conn"). What we sent
    /// is the writer's to record (`sent`).
    pub fn event(&self, event: &Event) {
        let dir = match event {
            Event::Opened { .. } | Event::Reconnecting { .. } => "conn",
            Event::Text(_)
            | Event::Binary(_)
            | Event::Ping(_)
            | Event::Pong { .. }
            | Event::Closed { .. } => "in",
            Event::PingSent(_) | Event::PongSent(_) | Event::HeartbeatSent(_) => return,
        };
        if let Some(event) = object(event) {
            self.write(dir, event, None);
        }
    }

    /// A frame going out, from the input (`auto` None) or made by wsc.
    pub fn sent(&self, message: &Message, auto: Option<Auto>) {
        if let Some(event) = sent(message) {
            self.write("out", event, auto.map(Auto::name));
        }
    }

    fn write(&self, dir: &'static str, event: JsonEvent<'_>, auto: Option<&'static str>) {
        let line = Line {
            ts: now(),
            dir,
            event,
            auto,
        };
        let Ok(mut bytes) = serde_json::to_vec(&line) else {
            return;
        };
        bytes.push(b'\n');
        // A thread that panicked holding the lock left the file as it was: go on with it.
        let mut file = self
            .inner
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(open) = file.as_mut() else {
            return;
        };
        // One write per line, straight to the file: what was recorded survives a crash.
        if let Err(e) = open.write_all(&bytes) {
            *file = None;
            eprintln!(
                "wsc: warning: cannot write to the recording {}: {}; recording stopped",
                self.inner.path.display(),
                io_words(&e)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use tungstenite::protocol::CloseFrame;

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn a_recorder_shows_its_file_when_debugged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let recorder = Recorder::create(&path).unwrap();
        assert_eq!(
            format!("{recorder:?}"),
            format!("Recorder({})", path.display())
        );
    }

    #[test]
    fn each_line_is_a_jsonl_object_with_its_time_and_direction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let recorder = Recorder::create(&path).unwrap();
        recorder.event(&Event::Text("hi".into()));
        recorder.sent(&Message::binary(vec![0, 1]), None);
        recorder.sent(&Message::Pong(Bytes::from_static(b"p")), Some(Auto::Pong));
        recorder.sent(
            &Message::Close(Some(CloseFrame {
                code: 1000.into(),
                reason: "".into(),
            })),
            Some(Auto::Close),
        );
        recorder.event(&Event::PingSent(Bytes::new()));
        let got = lines(&path);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0]["dir"], "in");
        assert_eq!(got[0]["type"], "text");
        assert_eq!(got[0]["data"], "hi");
        assert_eq!(got[1]["dir"], "out");
        assert_eq!(got[1]["base64"], "AAE=");
        assert!(got[1].get("auto").is_none());
        assert_eq!(got[2]["auto"], "pong");
        assert_eq!(got[2]["base64"], "cA==");
        assert_eq!(got[3]["code"], 1000);
        assert_eq!(got[3]["auto"], "close");
        for line in &got {
            let ts = line["ts"].as_str().unwrap();
            assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
            assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");
        }
    }

    #[test]
    fn a_file_that_cannot_be_created_is_named() {
        let error = Recorder::create(Path::new("/nonexistent/dir/r.jsonl")).unwrap_err();
        assert_eq!(
            error,
            "--record: cannot write /nonexistent/dir/r.jsonl: no such file or directory"
        );
    }
}
