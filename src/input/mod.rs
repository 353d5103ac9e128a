//! Where outgoing messages come from. Input runs on plain threads (never tokio's stdin, whose
//! blocking read would hold up exit) and hands batches to the session over a bounded channel,
//! so a slow server applies back-pressure all the way to stdin.

pub mod budget;
pub mod jsonl;
mod looking;
pub mod pipe;
mod reflow;
pub mod repl;
pub mod replay;
pub mod slash;

use tokio::sync::mpsc;
use tungstenite::Message;

use crate::config::InputFormat;

/// What an input source hands over.
#[derive(Debug)]
pub enum Input {
    /// Messages to send, in order.
    Batch(Vec<Message>),
    /// Messages from stdin, holding their share of the bytes-in-flight budget until written.
    Metered(Vec<Message>, budget::Permit),
    /// Messages -l broadcasts: one copy for every client's queue.
    Shared(std::sync::Arc<[Message]>),
    /// The input is unusable from here on (the message names the line); nothing more is sent.
    Failed(String),
    /// A command for -l's listener, typed in the REPL (never reaches a writer).
    Order(slash::Order),
}

impl Input {
    /// A shared batch made the writer's own when it takes it, so that queues hold one copy.
    pub fn owned(self) -> Input {
        match self {
            Input::Shared(batch) => Input::Batch(batch.to_vec()),
            item => item,
        }
    }
}

/// Batches queued between an input thread and the writer (stdin's bytes are bounded by
/// `budget::BYTES_IN_FLIGHT` too).
const BATCHES_IN_FLIGHT: usize = 4;

pub fn channel() -> (mpsc::Sender<Input>, mpsc::Receiver<Input>) {
    mpsc::channel(BATCHES_IN_FLIGHT)
}

/// The `-x` messages, sent before any other input: binary with `-b`, text otherwise.
pub fn execute_batch(format: InputFormat, execute: &[String]) -> Option<Input> {
    let messages: Vec<Message> = execute
        .iter()
        .map(|m| match format {
            InputFormat::Binary => Message::binary(m.clone()),
            InputFormat::Text | InputFormat::Jsonl => Message::text(m.as_str()),
        })
        .collect();
    (!messages.is_empty()).then_some(Input::Batch(messages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_messages_follow_the_input_format() {
        let execute = ["a".to_string(), "b".to_string()];
        let batch = |format| match execute_batch(format, &execute) {
            Some(Input::Batch(messages)) => messages,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            batch(InputFormat::Text),
            [Message::text("a"), Message::text("b")]
        );
        assert_eq!(
            batch(InputFormat::Binary),
            [
                Message::binary(b"a".to_vec()),
                Message::binary(b"b".to_vec())
            ]
        );
        assert!(execute_batch(InputFormat::Text, &[]).is_none());
    }
}
