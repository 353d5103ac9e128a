//! The sending half of the socket, in its own task so that a server that is slow to read never
//! stops us from reading (and a server blocked on writing to us never deadlocks the session).
//!
//! Messages are encoded by the protocol core into one buffer, which is written when it is full
//! or when nothing more is waiting: many messages, one write.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;

use crate::connect::Writer;
use crate::input::Input;
use crate::input::replay::Replay;
use crate::protocol::send::Sender;
use crate::record::{Auto, Recorder};

/// The output buffer is written once it holds this much.
const WRITE_AT: usize = 64 * 1024;

/// What the session asks of the writer.
#[derive(Debug)]
pub enum Control {
    /// Stop sending input, send this Close and flush it.
    Close(Option<CloseFrame>),
    /// Send this message now: an echo, a keepalive ping, a heartbeat (what made it, for
    /// --record and for what is counted).
    Send(Message, Auto),
    /// Answer the server's ping (it was shown already, so no note).
    Pong(Bytes),
    /// Answer the server's Close, then send nothing more.
    Reply(Option<CloseFrame>),
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
    /// A heartbeat went out (not counted among the messages sent).
    HeartbeatSent(tungstenite::Utf8Bytes),
    /// Writing to the socket failed.
    Failed(io::Error),
    /// Frame bytes written so far, for `--stats`.
    Wire(u64),
    /// The server closed while input was still coming: what was not sent (`3 lines not sent`).
    Unsent(String),
}

/// How long input that is ending anyway may take to say so, when the server closes first (a
/// busy machine can take a while to schedule the stdin thread that has reached the end).
pub const INPUT_END_GRACE: Duration = Duration::from_millis(250);

/// Input that ends on its own, whose messages still coming when the server closes are counted
/// and noted (status 9).
pub enum Pending {
    /// Not counted: the REPL's (it never ends on its own), a listener's client's (the input is
    /// the listener's), or any with --reconnect (what is unsent goes on the next connection).
    Uncounted,
    /// Stdin lines.
    Stdin,
    /// A recording's messages (--replay), which knows how many it still holds.
    Replay(std::sync::Arc<Replay>),
}

/// Writes until the session closes, `first` (-x, lines typed while disconnected) before the
/// input; input still coming when the server closes is counted as `pending` says. With
/// `recorder`, every frame is recorded as it goes out. Gives the input back for a next
/// connection (--reconnect).
#[allow(clippy::too_many_arguments)]
pub async fn run(
    writer: Writer,
    sender: Sender,
    first: Vec<Input>,
    mut input: mpsc::Receiver<Input>,
    mut control: mpsc::UnboundedReceiver<Control>,
    notes: mpsc::UnboundedSender<Note>,
    pending: Pending,
    recorder: Option<Recorder>,
) -> mpsc::Receiver<Input> {
    let mut out = Out {
        writer,
        sender,
        buffer: Vec::with_capacity(WRITE_AT * 2),
        recorder,
    };
    let mut input_open = true;
    let mut closed = false;
    let mut wire_reported = 0;
    // A Close the session asks for at once (an --expect met by the peer's first message) still
    // lets these go out first.
    let mut early = VecDeque::from(first);
    loop {
        if out.sender.wire_bytes != wire_reported {
            wire_reported = out.sender.wire_bytes;
            let _ = notes.send(Note::Wire(wire_reported));
        }
        // What the socket said, and what to tell the session if it went well.
        let (result, note) = tokio::select! {
            biased;
            request = control.recv() => match request {
                Some(_) if closed => continue,
                Some(Control::Close(frame)) => {
                    (input_open, closed) = (false, true);
                    let code = close_code(&frame);
                    let mut result = Ok(());
                    while let (Ok(()), Some(item)) = (&result, early.pop_front()) {
                        if let Input::Batch(batch) = item.owned() {
                            result = send_batch(&mut out, batch, &input, &notes).await.map(drop);
                        }
                    }
                    if result.is_ok() {
                        result = out.close(frame).await;
                    }
                    (result, Note::CloseSent(code))
                }
                Some(Control::Reply(frame)) => {
                    // Counted before answering: the answer lets the server drop the connection,
                    // which ends the session.
                    if input_open {
                        if let Some(unsent) = unsent(&mut input, &pending).await {
                            let _ = notes.send(Note::Unsent(unsent));
                        }
                    }
                    (input_open, closed) = (false, true);
                    match out.close(frame).await {
                        Ok(()) => continue,
                        Err(e) => (Err(e), Note::InputDone),
                    }
                }
                Some(Control::Pong(payload)) => {
                    if let Some(recorder) = &out.recorder {
                        recorder.sent(&Message::Pong(payload.clone()), Some(Auto::Pong));
                    }
                    out.sender.pong(&payload, &mut out.buffer);
                    match out.flush_if(control.is_empty() && input.is_empty()).await {
                        Ok(()) => continue,
                        Err(e) => (Err(e), Note::InputDone),
                    }
                }
                Some(Control::Send(message, auto)) => {
                    let (messages, bytes) = match (auto, &message) {
                        // Counted apart: --stats shows heartbeats beside the messages.
                        (Auto::Heartbeat, Message::Text(text)) => {
                            let _ = notes.send(Note::HeartbeatSent(text.clone()));
                            (0, 0)
                        }
                        _ => {
                            note_control(&message, &notes);
                            data_size(&message)
                        }
                    };
                    let mut result = out.feed(message, Some(auto)).await;
                    // Like input batches: flush once nothing more is queued.
                    if result.is_ok() {
                        result = out.flush_if(control.is_empty()).await;
                    }
                    match result {
                        Ok(()) if messages == 0 => continue,
                        result => (result, Note::Sent { messages, bytes }),
                    }
                }
                None => {
                    let _ = notes.send(Note::Wire(out.sender.wire_bytes));
                    return input;
                }
            },
            item = next_input(&mut early, &mut input), if input_open => match item {
                // A stdin batch's permit is dropped once the batch is written.
                Some(Input::Batch(batch) | Input::Metered(batch, _)) => match send_batch(&mut out, batch, &input, &notes).await {
                    Ok(None) => continue,
                    Ok(Some(code)) => {
                        (input_open, closed) = (false, true);
                        (Ok(()), Note::CloseSent(code))
                    }
                    Err(e) => (Err(e), Note::InputDone),
                },
                // The listener keeps its orders; a shared batch came as Batch (next_input).
                Some(Input::Order(_) | Input::Shared(_)) => continue,
                Some(Input::Failed(message)) => {
                    input_open = false;
                    (out.flush().await, Note::InputFailed(message))
                }
                None => {
                    input_open = false;
                    (out.flush().await, Note::InputDone)
                }
            },
        };
        let (note, failed) = match result {
            Ok(()) => (note, false),
            Err(e) => (Note::Failed(e), true),
        };
        if notes.send(note).is_err() || failed {
            return input;
        }
    }
}

/// The early item if there is one, else the next from the input; a shared batch as the
/// writer's own.
async fn next_input(
    early: &mut VecDeque<Input>,
    input: &mut mpsc::Receiver<Input>,
) -> Option<Input> {
    match early.pop_front() {
        Some(item) => Some(item.owned()),
        None => input.recv().await.map(Input::owned),
    }
}

/// The socket's writing half with the protocol core's sender and the buffer between them.
struct Out {
    writer: Writer,
    sender: Sender,
    buffer: Vec<u8>,
    /// --record: each frame is recorded as it is encoded, that is once it is sure to go out.
    recorder: Option<Recorder>,
}

impl Out {
    /// Encodes a message into the buffer, writing whenever the buffer is full; a large payload
    /// is written piece by piece as it is encoded, so memory stays bounded. `auto`: what made
    /// it, when it is not the input's.
    async fn feed(&mut self, message: Message, auto: Option<Auto>) -> io::Result<()> {
        if let Some(recorder) = &self.recorder {
            recorder.sent(&message, auto);
        }
        let sender = &mut self.sender;
        let buffer = &mut self.buffer;
        let pending = match message {
            Message::Text(text) => sender.message(true, Bytes::from(text), buffer),
            Message::Binary(data) => sender.message(false, data, buffer),
            Message::Ping(payload) => {
                sender.ping(&payload, buffer);
                None
            }
            Message::Pong(payload) => {
                sender.pong(&payload, buffer);
                None
            }
            Message::Close(frame) => {
                let status = frame
                    .as_ref()
                    .map(|f| (u16::from(f.code), f.reason.as_str()));
                sender.close(status, buffer);
                None
            }
            // Input never makes raw frames.
            Message::Frame(_) => None,
        };
        if let Some(mut pending) = pending {
            loop {
                self.write().await?;
                if self.sender.resume(&mut pending, &mut self.buffer) {
                    break;
                }
            }
        }
        if self.buffer.len() >= WRITE_AT {
            self.write().await?;
        }
        Ok(())
    }

    /// wsc's own Close (or its answer to the peer's).
    async fn close(&mut self, frame: Option<CloseFrame>) -> io::Result<()> {
        self.feed(Message::Close(frame), Some(Auto::Close)).await?;
        self.flush().await
    }

    /// Writes what the buffer holds.
    async fn write(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            self.writer.write_all(&self.buffer).await?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes everything and flushes the stream (TLS keeps its own buffer).
    async fn flush(&mut self) -> io::Result<()> {
        self.write().await?;
        self.writer.flush().await
    }

    async fn flush_if(&mut self, nothing_waiting: bool) -> io::Result<()> {
        if nothing_waiting {
            self.flush().await?;
        }
        Ok(())
    }
}

/// Feeds a batch to the socket and flushes it if nothing else is queued. Stops after a scripted
/// Close and returns its code.
async fn send_batch(
    out: &mut Out,
    batch: Vec<Message>,
    input: &mpsc::Receiver<Input>,
    notes: &mpsc::UnboundedSender<Note>,
) -> io::Result<Option<Option<u16>>> {
    let (mut messages, mut bytes) = (0, 0);
    let mut closed = None;
    for message in batch {
        note_control(&message, notes);
        let (count, size) = data_size(&message);
        (messages, bytes) = (messages + count, bytes + size);
        if let Message::Close(frame) = &message {
            closed = Some(close_code(frame));
            out.feed(message, None).await?;
            out.flush().await?;
            break;
        }
        out.feed(message, None).await?;
    }
    out.flush_if(closed.is_none() && input.is_empty()).await?;
    if messages > 0 {
        let _ = notes.send(Note::Sent { messages, bytes });
    }
    Ok(closed)
}

/// Input that will never be sent because the server closed first, in words; None when the input
/// had in fact ended (or is not counted). Lines still unread on stdin cannot be counted, so a
/// count is "at least"; a replay knows what it holds.
async fn unsent(input: &mut mpsc::Receiver<Input>, pending: &Pending) -> Option<String> {
    let replay = match pending {
        Pending::Uncounted => return None,
        Pending::Stdin => None,
        Pending::Replay(replay) => Some(replay),
    };
    if let Some(replay) = replay {
        let mut messages = replay.left();
        while let Ok(item) = input.try_recv() {
            messages += queued(&item);
        }
        let count = crate::words::plural(messages as u64, "replayed message");
        return (messages > 0).then(|| format!("{count} not sent"));
    }
    let mut lines = 0;
    let ended = loop {
        let item = match input.try_recv() {
            Ok(item) => Some(item),
            Err(mpsc::error::TryRecvError::Disconnected) => None,
            // The input may be about to end: give it a moment to say so.
            Err(mpsc::error::TryRecvError::Empty) => {
                match tokio::time::timeout(INPUT_END_GRACE, input.recv()).await {
                    Ok(item) => item,
                    Err(_) => break false,
                }
            }
        };
        match item {
            Some(Input::Failed(_)) | None => break true,
            Some(item) => lines += queued(&item) as u64,
        }
    };
    let count = crate::words::plural(lines, "line");
    match (lines, ended) {
        (0, true) => None,
        (_, true) => Some(format!("{count} not sent")),
        (0, false) => Some("stdin had not ended".to_string()),
        (_, false) => Some(format!("at least {count} not sent (stdin had not ended)")),
    }
}

/// Input left unsent by a writer stopped in the middle of a write (the server closed and never
/// read it): the message being written is one, and what was still to come cannot be counted.
pub fn unsent_when_stuck(pending: &Pending) -> Option<String> {
    let noun = match pending {
        Pending::Uncounted => return None,
        Pending::Stdin => "line",
        Pending::Replay(_) => "replayed message",
    };
    Some(format!(
        "at least 1 {noun} not sent (the server stopped reading)"
    ))
}

/// The messages a queued input item holds.
fn queued(item: &Input) -> usize {
    match item {
        Input::Batch(batch) | Input::Metered(batch, _) => batch.len(),
        Input::Shared(batch) => batch.len(),
        Input::Order(_) | Input::Failed(_) => 0,
    }
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

fn close_code(frame: &Option<CloseFrame>) -> Option<u16> {
    frame.as_ref().map(|f| u16::from(f.code))
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll};

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::protocol::Role;

    fn lines(n: usize) -> Input {
        Input::Batch((0..n).map(|i| Message::text(i.to_string())).collect())
    }

    #[tokio::test]
    async fn unsent_input_is_counted_and_an_open_stdin_makes_it_at_least() {
        let (tx, mut rx) = mpsc::channel(4);
        tx.try_send(lines(2)).unwrap();
        tx.try_send(lines(1)).unwrap();
        drop(tx);
        assert_eq!(
            unsent(&mut rx, &Pending::Stdin).await.as_deref(),
            Some("3 lines not sent")
        );

        let (tx, mut rx) = mpsc::channel(4);
        tx.try_send(lines(1)).unwrap();
        assert_eq!(
            unsent(&mut rx, &Pending::Stdin).await.as_deref(),
            Some("at least 1 line not sent (stdin had not ended)")
        );
        drop(tx);
    }

    /// A socket that counts the writes it is given and, when `broken`, fails each one (as
    /// after the peer reset the connection).
    struct TestSocket {
        writes: Arc<AtomicUsize>,
        broken: bool,
    }

    fn socket(writes: &Arc<AtomicUsize>, broken: bool) -> Writer {
        let writes = Arc::clone(writes);
        Box::new(TestSocket { writes, broken })
    }

    impl tokio::io::AsyncWrite for TestSocket {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bytes: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.writes.fetch_add(1, Ordering::Relaxed);
            Poll::Ready(match self.broken {
                true => Err(io::ErrorKind::BrokenPipe.into()),
                false => Ok(bytes.len()),
            })
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn many_small_messages_go_out_in_one_write() {
        let writes = Arc::default();
        let mut out = Out {
            writer: socket(&writes, false),
            sender: Sender::new(Role::Client, StdRng::seed_from_u64(1), None),
            buffer: Vec::new(),
            recorder: None,
        };
        // 2,000 frames of 16 bytes: 32 KB, under the 64 KiB the buffer is written at.
        for i in 0..2000 {
            out.feed(Message::text(format!("line {i:05}")), None)
                .await
                .unwrap();
        }
        out.flush().await.unwrap();
        assert_eq!(writes.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_failed_write_stops_the_writer_and_gives_the_rest_of_the_input_back() {
        // Over 64 KiB, so that it is written (and fails) as soon as it is encoded.
        let big = Input::Batch(vec![Message::binary(vec![0u8; 100_000])]);
        let broken = socket(&Arc::default(), true);
        let (writing, _control, mut notes) = writer_over(broken, vec![big, lines(3)]);
        // The writer returns at once: the deadline only stops a writer that went on.
        let mut left = tokio::time::timeout(Duration::from_secs(10), writing)
            .await
            .expect("the writer stopped at the failure");
        assert!(
            matches!(left.try_recv(), Ok(Input::Batch(batch)) if batch.len() == 3),
            "kept for the next connection"
        );
        let failed = std::iter::from_fn(|| notes.try_recv().ok())
            .filter(|n| matches!(n, Note::Failed(_)))
            .count();
        assert_eq!(failed, 1, "one failure told");
    }

    /// The writer over these batches of input (ended after them), with its control and notes.
    fn writer_over(
        writer: Writer,
        batches: Vec<Input>,
    ) -> (
        impl Future<Output = mpsc::Receiver<Input>>,
        mpsc::UnboundedSender<Control>,
        mpsc::UnboundedReceiver<Note>,
    ) {
        let (input_tx, input) = mpsc::channel(batches.len());
        for batch in batches {
            input_tx.try_send(batch).unwrap();
        }
        let (control_tx, control) = mpsc::unbounded_channel();
        let (notes_tx, notes) = mpsc::unbounded_channel();
        let sender = Sender::new(Role::Client, StdRng::seed_from_u64(1), None);
        let input_left = Pending::Uncounted;
        let writing = run(
            writer,
            sender,
            Vec::new(),
            input,
            control,
            notes_tx,
            input_left,
            None,
        );
        (writing, control_tx, notes)
    }

    /// Runs the writer over these batches until the input is done; the notes it sent.
    async fn notes_of(writer: Writer, batches: Vec<Input>) -> Vec<Note> {
        let (writing, control_tx, mut notes) = writer_over(writer, batches);
        let writing = tokio::spawn(writing);
        let mut seen = Vec::new();
        while !matches!(seen.last(), Some(Note::InputDone)) {
            let note = tokio::time::timeout(Duration::from_secs(10), notes.recv()).await;
            seen.push(
                note.expect("a note in time")
                    .expect("the writer is running"),
            );
        }
        drop(control_tx);
        writing.await.unwrap();
        seen
    }

    #[tokio::test]
    async fn batches_queued_together_are_written_together() {
        let writes = Arc::default();
        notes_of(socket(&writes, false), vec![lines(2), lines(3)]).await;
        assert_eq!(writes.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn control_frames_are_told_and_alone_count_no_messages() {
        let socket = socket(&Arc::default(), false);
        let controls = Input::Batch(vec![
            Message::Ping(Bytes::from_static(b"p")),
            Message::Pong(Bytes::from_static(b"q")),
        ]);
        let notes = notes_of(socket, vec![controls]).await;
        // Each told before it goes out, so that the session shows it (and a pong finds its ping).
        assert!(
            notes
                .iter()
                .any(|n| matches!(n, Note::PingSent(p) if p == "p"))
        );
        assert!(
            notes
                .iter()
                .any(|n| matches!(n, Note::PongSent(p) if p == "q"))
        );
        assert!(
            !notes.iter().any(|n| matches!(n, Note::Sent { .. })),
            "{notes:?}"
        );
    }

    #[tokio::test]
    async fn a_replay_cut_short_counts_what_it_held_and_what_was_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("all-handed-over.jsonl");
        std::fs::write(&path, "\n").unwrap();
        let replay = Arc::new(Replay::load(&path, 1.0).unwrap());
        let (tx, mut rx) = mpsc::channel(4);
        tx.try_send(lines(2)).unwrap();
        tx.try_send(lines(1)).unwrap();
        let pending = Pending::Replay(replay);
        assert_eq!(
            unsent(&mut rx, &pending).await.as_deref(),
            Some("3 replayed messages not sent")
        );
        assert_eq!(unsent(&mut rx, &pending).await, None, "nothing left");
    }

    #[tokio::test]
    async fn input_that_had_ended_left_nothing_unsent() {
        let (tx, mut rx) = mpsc::channel::<Input>(4);
        drop(tx);
        assert_eq!(unsent(&mut rx, &Pending::Stdin).await, None);
    }

    #[test]
    fn a_writer_stuck_in_a_write_leaves_at_least_one_message_of_a_counted_input() {
        assert_eq!(
            unsent_when_stuck(&Pending::Stdin).as_deref(),
            Some("at least 1 line not sent (the server stopped reading)")
        );
        assert_eq!(unsent_when_stuck(&Pending::Uncounted), None);
    }
}
