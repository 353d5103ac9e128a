//! --replay FILE: a recording's outgoing messages (--record's "dir":"out" lines, those wsc made
//! on its own left out) sent again with their original timing, scaled by --replay-speed. The
//! file is read and checked whole before connecting; once the first connection opens, a task
//! hands each message to the input channel when it is due, as stdin would, so the writer and
//! the session treat it as any input (its end starts the usual wait, --expect and --count).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tungstenite::Message;

use super::{Input, jsonl};
use crate::error::io_words;

/// Messages due at once go out together, up to this many: one write for a burst.
const BATCH: usize = 256;

/// No wait is longer than this (a tiny --replay-speed would make one overflow a clock).
const LONGEST_WAIT: Duration = Duration::from_secs(86400 * 365);

/// A recording to replay: each message with when it is due after the connection opens.
#[derive(Debug)]
pub struct Replay {
    steps: Vec<(Duration, Message)>,
    /// Messages not yet handed to the input channel (for what the server left unsent).
    left: AtomicUsize,
}

impl Replay {
    /// Reads and checks the recording at `path`, timed by `speed` (0: no waits). The error names
    /// the file and the line.
    pub fn load(path: &Path, speed: f64) -> Result<Replay, String> {
        let text = std::fs::read(path)
            .map_err(|e| format!("--replay: cannot read {}: {}", path.display(), io_words(&e)))?;
        let recording = parse(&text)
            .map_err(|(line, why)| format!("--replay: {} line {line}: {why}", path.display()))?;
        Ok(Replay::timed(recording, speed))
    }

    fn timed(recording: Recording, speed: f64) -> Replay {
        let (times, messages): (Vec<_>, Vec<_>) = recording.messages.into_iter().unzip();
        let origin = recording.origin.or(times.first().copied());
        let steps: Vec<(Duration, Message)> = match origin {
            Some(origin) => delays(origin, &times, speed)
                .into_iter()
                .zip(messages)
                .collect(),
            None => Vec::new(),
        };
        Replay {
            left: AtomicUsize::new(steps.len()),
            steps,
        }
    }

    /// Messages not yet handed to the input (a batch is handed whole, at once).
    pub fn left(&self) -> usize {
        self.left.load(Ordering::SeqCst)
    }
}

/// Starts handing the messages over once `opened` says when the connection opened; the input
/// ends (the channel closes) after the last. Nothing is sent if the connection never opens.
pub fn spawn(
    replay: Arc<Replay>,
    opened: oneshot::Receiver<tokio::time::Instant>,
    tx: mpsc::Sender<Input>,
) {
    tokio::spawn(async move {
        let Ok(opened) = opened.await else {
            return;
        };
        let mut steps = replay.steps.iter().peekable();
        while let Some((due, message)) = steps.next() {
            tokio::time::sleep_until(opened + *due).await;
            let mut batch = vec![message.clone()];
            let now = tokio::time::Instant::now();
            while batch.len() < BATCH {
                match steps.next_if(|(due, _)| opened + *due <= now) {
                    Some((_, message)) => batch.push(message.clone()),
                    None => break,
                }
            }
            // Counted as handed over in the same step as it is: the writer may count what is
            // left at any moment (the server closing first).
            let Ok(permit) = tx.reserve().await else {
                return;
            };
            replay.left.fetch_sub(batch.len(), Ordering::SeqCst);
            permit.send(Input::Batch(batch));
        }
    });
}

/// What a recording holds for replaying: when the first connection opened, and the messages
/// the input sent, each with its time.
#[derive(Debug, Default)]
struct Recording {
    origin: Option<DateTime<FixedOffset>>,
    messages: Vec<(DateTime<FixedOffset>, Message)>,
}

/// Checks every line of a recording; the first bad one's number and what is wrong with it.
fn parse(text: &[u8]) -> Result<Recording, (usize, String)> {
    let mut recording = Recording::default();
    for (index, line) in text.split(|b| *b == b'\n').enumerate() {
        let number = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let fail = |why: String| (number, why);
        let value: Value = serde_json::from_slice(line).map_err(|e| {
            let why = e.to_string().replace(" at line 1 column ", " at column ");
            fail(format!("not JSON: {why}"))
        })?;
        let Some(object) = value.as_object() else {
            return Err(fail("not a JSON object such as --record writes".into()));
        };
        let ts = match object.get("ts") {
            Some(Value::String(ts)) => DateTime::parse_from_rfc3339(ts)
                .map_err(|_| fail(format!("\"ts\" is not an RFC 3339 time: '{ts}'")))?,
            Some(_) => return Err(fail("\"ts\" must be a string (an RFC 3339 time)".into())),
            None => return Err(fail("no \"ts\": every recorded line has its time".into())),
        };
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            _ => return Err(fail("no \"type\" string".into())),
        };
        match (object.get("dir").and_then(Value::as_str), kind) {
            (Some("conn"), "open") => {
                recording.origin.get_or_insert(ts);
            }
            (Some("conn" | "in"), _) => {}
            // wsc's own answers, closes, keepalives, heartbeats and echoes: the replaying run
            // makes its own.
            (Some("out"), _) if object.contains_key("auto") => {}
            (Some("out"), _) => match jsonl::parse_line(line) {
                Ok(Some(message)) => recording.messages.push((ts, message)),
                Ok(None) => return Err(fail(format!("\"{kind}\" is not sent (\"dir\":\"out\")"))),
                Err(why) => return Err(fail(why)),
            },
            _ => return Err(fail("\"dir\" must be \"in\", \"out\" or \"conn\"".into())),
        }
    }
    Ok(recording)
}

/// How long after the connection opens each message is due: its time after `origin` (the
/// recording's first open), divided by `speed`; all at once for speed 0. A time before the
/// origin is due at once.
pub fn delays(
    origin: DateTime<FixedOffset>,
    times: &[DateTime<FixedOffset>],
    speed: f64,
) -> Vec<Duration> {
    times
        .iter()
        .map(|time| {
            if speed == 0.0 {
                return Duration::ZERO;
            }
            let after = (*time - origin).to_std().unwrap_or(Duration::ZERO);
            Duration::try_from_secs_f64(after.as_secs_f64() / speed)
                .unwrap_or(LONGEST_WAIT)
                .min(LONGEST_WAIT)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ts: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(ts).unwrap()
    }

    const RECORDING: &str = r#"{"ts":"2026-01-01T10:00:00.000Z","dir":"conn","type":"open","url":"ws://h/","status":101,"subprotocol":null}
{"ts":"2026-01-01T10:00:00.100Z","dir":"out","type":"text","data":"one"}
{"ts":"2026-01-01T10:00:00.150Z","dir":"in","type":"text","data":"one"}
{"ts":"2026-01-01T10:00:00.400Z","dir":"out","type":"binary","base64":"AAE="}
{"ts":"2026-01-01T10:00:00.500Z","dir":"out","type":"pong","base64":"","auto":"pong"}
{"ts":"2026-01-01T10:00:00.600Z","dir":"out","type":"text","data":"hb","auto":"heartbeat"}

{"ts":"2026-01-01T10:00:01.000Z","dir":"out","type":"ping","base64":"cA=="}
{"ts":"2026-01-01T10:00:01.100Z","dir":"conn","type":"reconnecting","code":1006,"reason":"x","wait_ms":10,"attempt":1}
{"ts":"2026-01-01T10:00:02.000Z","dir":"conn","type":"open","url":"ws://h/","status":101,"subprotocol":null}
{"ts":"2026-01-01T10:00:03.000Z","dir":"out","type":"close","code":4000,"reason":"bye"}
{"ts":"2026-01-01T10:00:03.001Z","dir":"in","type":"close","code":4000,"reason":"bye"}
"#;

    #[test]
    fn the_input_s_messages_are_replayed_timed_from_the_first_open_and_wsc_s_own_are_not() {
        let recording = parse(RECORDING.as_bytes()).unwrap();
        assert_eq!(recording.origin, Some(at("2026-01-01T10:00:00Z")));
        let messages: Vec<&Message> = recording.messages.iter().map(|(_, m)| m).collect();
        assert_eq!(
            messages,
            [
                &Message::text("one"),
                &Message::binary(vec![0, 1]),
                &Message::Ping(b"p".to_vec().into()),
                &Message::Close(Some(jsonl::close_frame(4000, "bye").unwrap())),
            ]
        );
        let replay = Replay::timed(recording, 2.0);
        let due: Vec<u128> = replay.steps.iter().map(|(d, _)| d.as_millis()).collect();
        assert_eq!(due, [50, 200, 500, 1500]);
        assert_eq!(replay.left(), 4);
    }

    #[test]
    fn delays_scale_with_the_speed_and_zero_is_at_once() {
        let origin = at("2026-01-01T10:00:00Z");
        let times = [
            at("2026-01-01T10:00:00.300Z"),
            at("2026-01-01T10:00:00.600Z"),
            at("2026-01-01T11:00:00+01:00"),
            at("2026-01-01T09:59:59Z"),
        ];
        let ms = |speed| -> Vec<u128> {
            delays(origin, &times, speed)
                .iter()
                .map(Duration::as_millis)
                .collect()
        };
        assert_eq!(ms(1.0), [300, 600, 0, 0], "an offset is a time zone");
        assert_eq!(ms(2.0), [150, 300, 0, 0]);
        assert_eq!(ms(0.5), [600, 1200, 0, 0]);
        assert_eq!(ms(0.0), [0, 0, 0, 0]);
        assert_eq!(
            delays(origin, &times[..1], 1e-300),
            [LONGEST_WAIT],
            "a tiny speed waits long, but no clock overflows"
        );
        let (hour, year) = (Duration::from_secs(3600), Duration::from_secs(365 * 86400));
        let later = [at("2026-01-01T11:00:00Z")];
        assert_eq!(
            delays(origin, &later, 0.01),
            [100 * hour],
            "long waits are kept"
        );
        assert_eq!(delays(origin, &later, 1e-4), [year], "up to a year");
    }

    #[tokio::test]
    async fn messages_due_together_go_out_in_batches_of_256() {
        let messages = (0..300).map(|n| (at("2026-01-01T10:00:00Z"), Message::text(n.to_string())));
        let recording = Recording {
            origin: None,
            messages: messages.collect(),
        };
        let replay = Arc::new(Replay::timed(recording, 1.0));
        let (opened, open) = oneshot::channel();
        let (tx, mut rx) = mpsc::channel(4);
        spawn(Arc::clone(&replay), open, tx);
        let _ = opened.send(tokio::time::Instant::now());
        let mut sizes = Vec::new();
        let deadline = Duration::from_secs(30);
        while let Some(input) = tokio::time::timeout(deadline, rx.recv()).await.unwrap() {
            match input {
                Input::Batch(batch) => sizes.push(batch.len()),
                _ => panic!("only batches are handed over"),
            }
        }
        assert_eq!(sizes, [256, 44]);
        assert_eq!(replay.left(), 0);
    }

    #[test]
    fn without_an_open_the_first_message_is_the_origin() {
        let text = r#"{"ts":"2026-01-01T10:00:05Z","dir":"out","type":"text","data":"a"}
{"ts":"2026-01-01T10:00:06Z","dir":"out","type":"text","data":"b"}"#;
        let replay = Replay::timed(parse(text.as_bytes()).unwrap(), 1.0);
        let due: Vec<u64> = replay.steps.iter().map(|(d, _)| d.as_secs()).collect();
        assert_eq!(due, [0, 1]);
        let empty = Replay::timed(parse(b"\n").unwrap(), 1.0);
        assert_eq!(empty.left(), 0);
    }

    #[test]
    fn a_bad_line_is_named_with_what_is_wrong() {
        let open = r#"{"ts":"2026-01-01T10:00:00Z","dir":"conn","type":"open"}"#;
        let table = [
            ("hello", "not JSON: expected value at column 1"),
            ("[1]", "not a JSON object such as --record writes"),
            (
                r#"{"dir":"out","type":"text","data":"a"}"#,
                "no \"ts\": every recorded line has its time",
            ),
            (
                r#"{"ts":"yesterday","dir":"out","type":"text","data":"a"}"#,
                "\"ts\" is not an RFC 3339 time: 'yesterday'",
            ),
            (
                r#"{"ts":5,"dir":"out","type":"text","data":"a"}"#,
                "\"ts\" must be a string (an RFC 3339 time)",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","dir":"up","type":"text","data":"a"}"#,
                "\"dir\" must be \"in\", \"out\" or \"conn\"",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","type":"text","data":"a"}"#,
                "\"dir\" must be \"in\", \"out\" or \"conn\"",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","dir":"out","data":"a"}"#,
                "no \"type\" string",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","dir":"out","type":"text"}"#,
                "\"text\" needs \"data\"",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","dir":"out","type":"open"}"#,
                "\"open\" is not sent (\"dir\":\"out\")",
            ),
            (
                r#"{"ts":"2026-01-01T10:00:00Z","dir":"out","type":"close","code":1005}"#,
                "1005 is not a close code that may be sent",
            ),
        ];
        for (line, words) in table {
            let text = format!("{open}\n\n{line}\n");
            let (number, why) = parse(text.as_bytes()).unwrap_err();
            assert_eq!(number, 3, "{line}");
            assert!(why.starts_with(words), "{line}: {why}");
        }
    }

    #[test]
    fn load_names_the_file_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{}\n").unwrap();
        let error = Replay::load(&path, 1.0).unwrap_err();
        assert_eq!(
            error,
            format!(
                "--replay: {} line 1: no \"ts\": every recorded line has its time",
                path.display()
            )
        );
        let missing = dir.path().join("missing.jsonl");
        let error = Replay::load(&missing, 1.0).unwrap_err();
        assert!(
            error.ends_with("missing.jsonl: no such file or directory"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn messages_are_handed_over_when_due_and_the_input_then_ends() {
        let text = r#"{"ts":"2026-01-01T10:00:00Z","dir":"conn","type":"open"}
{"ts":"2026-01-01T10:00:00.1Z","dir":"out","type":"text","data":"a"}
{"ts":"2026-01-01T10:00:00.1Z","dir":"out","type":"text","data":"b"}
{"ts":"2026-01-01T10:00:00.3Z","dir":"out","type":"text","data":"c"}"#;
        let replay = Arc::new(Replay::timed(parse(text.as_bytes()).unwrap(), 1.0));
        let (opened_tx, opened) = oneshot::channel();
        let (tx, mut rx) = mpsc::channel(4);
        spawn(replay.clone(), opened, tx);
        let start = tokio::time::Instant::now();
        opened_tx.send(start).unwrap();
        let mut got = Vec::new();
        let mut times = Vec::new();
        while let Some(Input::Batch(batch)) = rx.recv().await {
            times.push(start.elapsed());
            got.push(batch);
        }
        assert_eq!(
            got,
            [
                vec![Message::text("a"), Message::text("b")],
                vec![Message::text("c")]
            ],
            "due together, handed together"
        );
        // Never early; how late depends on the machine.
        assert!(times[0] >= Duration::from_millis(100), "{times:?}");
        assert!(times[1] >= Duration::from_millis(300), "{times:?}");
        assert_eq!(replay.left(), 0);
    }
}
