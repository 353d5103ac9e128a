//! The sending half of the socket, in its own task so that a server that is slow to read never
//! stops us from reading (and a server blocked on writing to us never deadlocks the session).
//!
//! Input batches are fed to the socket and flushed once when no further batch is waiting.

use bytes::Bytes;
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::Error as WsError;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::connect::Socket;
use crate::input::Input;

/// What the session asks of the writer.
#[derive(Debug)]
pub enum Control {
    /// Stop sending input, send this Close and flush it.
    Close(Option<CloseFrame>),
    /// Send this message now (an echo, a keepalive ping).
    Send(Message),
}

/// What the writer tells the session.
#[derive(Debug)]
pub enum Note {
    /// All input has been sent and flushed.
    InputDone,
    /// The input failed; everything before the failure was sent.
    InputFailed(String),
    /// Our Close frame, with this code, is on the wire (sent on request or scripted).
    CloseSent(Option<u16>),
    /// Messages (text and binary) and their bytes went out.
    Sent { messages: u64, bytes: u64 },
    /// A ping went out with this payload (the note goes first, so its pong finds it).
    PingSent(Bytes),
    /// A pong of ours went out with this payload.
    PongSent(Bytes),
    /// Writing to the socket failed.
    Failed(WsError),
}

pub async fn run(
    mut sink: SplitSink<Socket, Message>,
    mut input: mpsc::Receiver<Input>,
    mut control: mpsc::UnboundedReceiver<Control>,
    notes: mpsc::UnboundedSender<Note>,
) {
    let mut input_open = true;
    let mut closed = false;
    loop {
        // What the socket said, and what to tell the session if it went well.
        let (result, note) = tokio::select! {
            biased;
            request = control.recv() => match request {
                Some(Control::Close(_) | Control::Send(_)) if closed => continue,
                Some(Control::Close(frame)) => {
                    (input_open, closed) = (false, true);
                    let code = close_code(&frame);
                    (sink.send(Message::Close(frame)).await, Note::CloseSent(code))
                }
                Some(Control::Send(message)) => {
                    note_control(&message, &notes);
                    let (messages, bytes) = data_size(&message);
                    let mut result = feed(&mut sink, message).await;
                    // Like input batches: flush once nothing more is queued.
                    if result.is_ok() && control.is_empty() {
                        result = sink.flush().await;
                    }
                    match result {
                        Ok(()) if messages == 0 => continue,
                        result => (result, Note::Sent { messages, bytes }),
                    }
                }
                None => return,
            },
            item = input.recv(), if input_open => match item {
                Some(Input::Batch(batch)) => match send_batch(&mut sink, batch, &input, &notes).await {
                    Ok(None) => continue,
                    Ok(Some(code)) => {
                        (input_open, closed) = (false, true);
                        (Ok(()), Note::CloseSent(code))
                    }
                    Err(e) => (Err(e), Note::InputDone),
                },
                Some(Input::Failed(message)) => {
                    input_open = false;
                    (sink.flush().await, Note::InputFailed(message))
                }
                None => {
                    input_open = false;
                    (sink.flush().await, Note::InputDone)
                }
            },
        };
        let (note, failed) = match result {
            Ok(()) => (note, false),
            Err(e) => (Note::Failed(e), true),
        };
        if notes.send(note).is_err() || failed {
            return;
        }
    }
}

/// Feeds a batch to the socket and flushes it if nothing else is queued. Stops after a scripted
/// Close and returns its code.
async fn send_batch(
    sink: &mut SplitSink<Socket, Message>,
    batch: Vec<Message>,
    input: &mpsc::Receiver<Input>,
    notes: &mpsc::UnboundedSender<Note>,
) -> Result<Option<Option<u16>>, WsError> {
    let (mut messages, mut bytes) = (0, 0);
    let mut closed = None;
    for message in batch {
        note_control(&message, notes);
        let (count, size) = data_size(&message);
        (messages, bytes) = (messages + count, bytes + size);
        if let Message::Close(frame) = &message {
            closed = Some(close_code(frame));
            sink.send(message).await?;
            break;
        }
        feed(sink, message).await?;
    }
    if closed.is_none() && input.is_empty() {
        sink.flush().await?;
    }
    if messages > 0 {
        let _ = notes.send(Note::Sent { messages, bytes });
    }
    Ok(closed)
}

/// Tells the session about a ping or pong before it goes out.
fn note_control(message: &Message, notes: &mpsc::UnboundedSender<Note>) {
    let note = match message {
        Message::Ping(payload) => Note::PingSent(payload.clone()),
        Message::Pong(payload) => Note::PongSent(payload.clone()),
        _ => return,
    };
    let _ = notes.send(note);
}

/// (1, its length) for a text or binary message, (0, 0) for control frames.
fn data_size(message: &Message) -> (u64, u64) {
    match message {
        Message::Text(_) | Message::Binary(_) => (1, message.len() as u64),
        _ => (0, 0),
    }
}

/// Messages above this size go out as fragments of it, so tungstenite never copies a whole large
/// message into its write buffer (which costs a second copy of it in memory and in time).
const FRAGMENT_SIZE: usize = 1 << 20;

async fn feed(sink: &mut SplitSink<Socket, Message>, message: Message) -> Result<(), WsError> {
    let (payload, kind) = match message {
        Message::Text(text) if text.len() > FRAGMENT_SIZE => (Bytes::from(text), Data::Text),
        Message::Binary(data) if data.len() > FRAGMENT_SIZE => (data, Data::Binary),
        small => return sink.feed(small).await,
    };
    let mut start = 0;
    while start < payload.len() {
        let end = payload.len().min(start + FRAGMENT_SIZE);
        let opcode = OpCode::Data(if start == 0 { kind } else { Data::Continue });
        let fragment = Frame::message(payload.slice(start..end), opcode, end == payload.len());
        sink.feed(Message::Frame(fragment)).await?;
        start = end;
    }
    Ok(())
}

fn close_code(frame: &Option<CloseFrame>) -> Option<u16> {
    frame.as_ref().map(|f| u16::from(f.code))
}
