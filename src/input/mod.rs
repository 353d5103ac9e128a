//! Where outgoing messages come from. Input runs on plain threads (never tokio's stdin, whose
//! blocking read would hold up exit) and hands batches to the session over a bounded channel,
//! so a slow server applies back-pressure all the way to stdin.

pub mod jsonl;
pub mod pipe;
pub mod repl;
pub mod slash;

use tokio::sync::mpsc;
pub use tokio_tungstenite::tungstenite::Message;

/// What an input source hands over.
#[derive(Debug)]
pub enum Input {
    /// Messages to send, in order.
    Batch(Vec<Message>),
    /// The input is unusable from here on (the message names the line); nothing more is sent.
    Failed(String),
}

/// Batches in flight between the input thread and the socket. Each batch holds at most one
/// read's worth of lines (64 KiB), so this bounds memory while keeping the writer busy.
const BATCHES_IN_FLIGHT: usize = 4;

pub fn channel() -> (mpsc::Sender<Input>, mpsc::Receiver<Input>) {
    mpsc::channel(BATCHES_IN_FLIGHT)
}
