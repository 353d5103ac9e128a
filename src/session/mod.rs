//! The one loop: a `select!` over the socket, the writer's notes, signals and one timer. Bytes
//! read go through the protocol core's receiver; what comes out becomes events for the printer.
//! The loop answers pings and Closes, runs the close handshake, and decides how the session
//! ended.

mod ending;
pub mod goals;
mod limits;
mod pings;
mod stats;
mod writer;

use std::io;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Sleep, sleep_until};
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

use crate::config::{Config, Mode, Wait};
use crate::connect::Connection;
use crate::error::{Failure, Signal};
use crate::event::Event;
use crate::input::Input;
use crate::json::{Applied, Lens};
use crate::output::Printer;
use crate::protocol::deflate::{Compressor, Decompressor};
use crate::protocol::receive::{Received, Receiver};
use crate::protocol::send::Sender;
use crate::protocol::{Role, Violation};
use crate::record::Auto;
use ending::Ending;
use goals::Goals;
use limits::{Alarm, Limits};
use pings::Pings;
use stats::Stats;
use writer::{Control, Note, Pending};

/// How long the end of a session waits for the writer's last notes and writes (a server's answer
/// to the client's Close may wait for the count of unsent input); then a writer still stuck
/// writing to a peer that does not read is stopped.
const WRITER_SETTLE: Duration = writer::INPUT_END_GRACE.saturating_add(Duration::from_millis(100));

/// Echoes (--echo) not yet written, in bytes, above which the peer is not read: a peer that
/// sends without reading what comes back cannot make us hold its messages without end.
const ECHO_BACKLOG: u64 = 4 << 20;

/// Closes asked of the session from outside it: -l's listener closing one client (`/kick`, too
/// slow, the listener ending). `None` for a session on its own.
pub type Orders = Option<mpsc::UnboundedReceiver<CloseFrame>>;

/// Where the session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Input is still being sent.
    Sending,
    /// Input has ended; receiving until the wait rule says stop.
    Draining,
    /// We sent (or asked for) a Close and wait for the server's.
    Closing,
    /// The server's Close has arrived; waiting for it to drop the connection.
    Closed,
    /// The server broke the protocol; our Close is on its way, then we drop the connection.
    Aborting,
}

/// What lasts across the connections of one run (--reconnect makes several): the input, the
/// printer, the counts and the goals.
pub struct Lasting<'a> {
    /// None once a writer stuck on a dead connection had to be stopped, and the input with it.
    pub input: Option<mpsc::Receiver<Input>>,
    pub printer: Printer,
    pub stats: Stats,
    pub goals: Goals<'a>,
    /// Input taken while disconnected (lines typed in the REPL), sent after -x next time.
    pub held: Vec<Input>,
    /// When the first connection began.
    pub started: Option<Instant>,
    /// --jsonrpc: the ids given and the requests awaiting replies (-x is sent as requests).
    pub calls: Option<crate::jsonrpc::Calls>,
}

impl<'a> Lasting<'a> {
    pub fn new(config: &'a Config, input: mpsc::Receiver<Input>, printer: Printer) -> Lasting<'a> {
        Lasting {
            input: Some(input),
            printer,
            stats: Stats::new(Instant::now(), false),
            goals: Goals::new(config.count, &config.expect),
            held: Vec::new(),
            started: None,
            calls: None,
        }
    }
}

impl Lasting<'_> {
    /// The --stats line, at the very end of a run (in the REPL, once the prompt is gone).
    pub fn show_stats(&mut self, config: &Config) {
        if config.stats {
            let line = format!("wsc: stats: {}", self.stats);
            self.printer.last_stderr_line(line);
        }
    }
}

/// How one connection's session ended.
#[derive(Debug)]
pub struct Over {
    pub result: Result<(), Failure>,
    /// The connection was lost (1006), or the peer closed with a code that asks to come back
    /// (1001, 1011, 1012, 1013): a new connection may be tried (--reconnect). None: ended for
    /// good (by us, by a signal, by a rule broken, or by the peer for good).
    pub retry: Option<u16>,
}

/// Runs the session to its end. `opened` is called once the connected line has been shown (the
/// REPL starts its prompt then).
pub async fn run<'a>(
    config: &'a Config,
    connection: Connection,
    lasting: &mut Lasting<'a>,
    mut orders: Orders,
    opened: impl FnOnce() -> Result<(), Failure>,
) -> Over {
    match run_one(config, connection, lasting, &mut orders, opened).await {
        Ok(over) => over,
        Err(failure) => Over {
            result: Err(failure),
            retry: None,
        },
    }
}

async fn run_one<'a>(
    config: &'a Config,
    connection: Connection,
    lasting: &mut Lasting<'a>,
    orders: &mut Orders,
    opened: impl FnOnce() -> Result<(), Failure>,
) -> Result<Over, Failure> {
    // The same loop serves both ends: only masking and the deflate windows differ by role.
    let (deflate, role) = (connection.deflate, connection.role);
    let mut receiver = Receiver::new(
        role,
        config.max_message_size,
        deflate.map(|params| Decompressor::new(&params, role)),
        &connection.leftover,
    );
    let compressor = deflate.and_then(|params| Compressor::new(&params, role));
    let sender = Sender::new(role, rand::make_rng(), compressor);
    let mut reader = connection.reader;
    let (control, control_rx) = mpsc::unbounded_channel();
    let (notes_tx, mut notes) = mpsc::unbounded_channel();
    // -x, first on every connection (with --jsonrpc as requests, and what waited to be sent
    // counts its round trip from now), then what was typed while disconnected.
    let execute = match &lasting.calls {
        Some(calls) => calls.opened(&config.execute),
        None => crate::input::execute_batch(config.input, &config.execute),
    };
    let first = execute.into_iter().chain(lasting.held.drain(..)).collect();
    // A writer stopped with its input leaves none: the input has ended.
    let input = lasting.input.take().unwrap_or_else(|| mpsc::channel(1).1);
    let writing = tokio::spawn(writer::run(
        connection.writer,
        sender,
        first,
        input,
        control_rx,
        notes_tx,
        pending(config),
        config.record.clone(),
    ));
    let mut signals = Signals::new()?;

    // The run counts from its first connection: --max-time bounds it all, --stats times it all.
    let started = match lasting.started {
        Some(started) => started,
        None => {
            let started = Instant::now() - connection.elapsed;
            lasting.stats.restart(started);
            *lasting.started.insert(started)
        }
    };
    lasting.stats.compressed = deflate.is_some();
    let wire_before = (lasting.stats.sent_wire, lasting.stats.received_wire);
    let mut session = Session {
        config,
        role,
        limits: Limits::new(config, started),
        stats: &mut lasting.stats,
        goals: &mut lasting.goals,
        goals_met: false,
        printer: &mut lasting.printer,
        wire_before,
        control,
        phase: Phase::Sending,
        ending: Ending::new(role),
        echo_backlog: 0,
        pings: Pings::default(),
        last_received: Instant::now(),
        unflushed: false,
        timer: Box::pin(sleep_until(far_future())),
        timer_armed: false,
        done: false,
        closed_while_sending: false,
    };
    let opened_event = Event::Opened {
        url: connection.url.to_string(),
        status: connection.status,
        subprotocol: connection.subprotocol.clone(),
        elapsed: connection.elapsed,
        peer: connection.peer.map(|peer| peer.to_string()),
        again: session.stats.reconnects > 0,
    };
    session.record_and_emit(&opened_event);
    session.flush();
    opened()?;

    // Frames may have come in the same read as the handshake's answer.
    let mut reading = session.on_bytes(&mut receiver);
    while !session.done {
        tokio::select! {
            biased;
            // Notes before frames: the server's answer to a Close must find it recorded. Every
            // note already queued is handled in one turn: an echo or a flood makes one a message.
            Some(note) = notes.recv() => {
                session.on_note(note);
                while let (false, Ok(note)) = (session.done, notes.try_recv()) {
                    session.on_note(note);
                }
            }
            read = reader.read_buf(receiver.read_buffer()), if reading && session.echo_backlog < ECHO_BACKLOG => {
                // Everything this read completed is handled before going round the loop again.
                let received_before = session.stats.received_messages;
                reading = match read {
                    Ok(0) => session.on_end_of_stream(),
                    Ok(_) => session.on_bytes(&mut receiver),
                    Err(e) => session.on_read_error(&e),
                };
                // One clock reading per read, not per message.
                if session.stats.received_messages != received_before {
                    session.last_received = Instant::now();
                    session.limits.activity();
                }
            }
            () = &mut session.timer, if session.timer_armed => session.on_timer(),
            alarm = session.limits.next(), if session.limits.running() => session.on_alarm(alarm),
            // Signals and orders after the socket: polling a signal costs a lock each time, and
            // tokio's budget makes even a socket that is always ready yield to them in turn.
            signal = signals.next() => session.on_signal(signal),
            Some(frame) = next_order(orders) => session.begin_close(frame),
            // Every branch above is pending: the socket is quiet, so show what we have.
            () = std::future::ready(()), if session.unflushed => session.flush(),
        }
    }
    session.flush();
    // Let the writer stop and read its last notes: a Close we scripted may have been answered,
    // and messages counted, before their notes were read. Bounded, in case it is stuck writing.
    session.control = mpsc::unbounded_channel().0;
    let settled = tokio::time::sleep(WRITER_SETTLE);
    tokio::pin!(settled);
    let writer_done = loop {
        tokio::select! {
            note = notes.recv() => match note {
                Some(Note::CloseSent(code)) => session.ending.sent_close(code),
                Some(Note::Sent { messages, bytes }) => session.count_sent(messages, bytes),
                Some(Note::HeartbeatSent(_)) => session.stats.heartbeats += 1,
                Some(note @ (Note::Unsent(_) | Note::Wire(_))) => session.on_note(note),
                Some(_) => {}
                None => break true,
            },
            () = &mut settled => break false,
        }
    };
    // A writer held in a write when the server closed never got to count what it held.
    if !writer_done && session.closed_while_sending {
        if let Some(unsent) = writer::unsent_when_stuck(&pending(config)) {
            session.ending.unsent(unsent);
        }
    }
    session.stats.received_wire = session.wire_before.1 + receiver.wire_bytes;
    session.stats.close = session.ending.server_close_frame();
    let unmet = session.goals.missing();
    let retry = session.ending.retry_code();
    let result = session.ending.outcome(unmet);
    // The input goes on to the next connection; a writer held in a write for ever by a peer
    // that stopped reading is stopped, and its input with it.
    lasting.input = match writer_done {
        true => writing.await.ok(),
        false => {
            writing.abort();
            None
        }
    };
    Ok(Over { result, retry })
}

struct Session<'a, 's> {
    config: &'a Config,
    role: Role,
    limits: Limits,
    stats: &'s mut Stats,
    goals: &'s mut Goals<'a>,
    /// Frame bytes each way before this connection (--stats counts them all).
    wire_before: (u64, u64),
    /// --count/--expect are met: nothing more is printed.
    goals_met: bool,
    /// Bytes echoed (--echo) that the writer has not yet written.
    echo_backlog: u64,
    printer: &'s mut Printer,
    control: mpsc::UnboundedSender<Control>,
    phase: Phase,
    ending: Ending,
    pings: Pings,
    last_received: Instant,
    unflushed: bool,
    timer: std::pin::Pin<Box<Sleep>>,
    timer_armed: bool,
    done: bool,
    /// The server closed while input was still being sent (some of it may never go out).
    closed_while_sending: bool,
}

impl Session<'_, '_> {
    /// Handles every message the receiver can make of the bytes read; false once the
    /// connection is not to be read any more.
    fn on_bytes(&mut self, receiver: &mut Receiver) -> bool {
        while !self.done {
            match receiver.decode() {
                Ok(Some(received)) => self.on_received(received),
                Ok(None) => return true,
                Err(violation) => {
                    self.on_violation(violation);
                    return false;
                }
            }
        }
        false
    }

    fn on_received(&mut self, received: Received) {
        match received {
            Received::Text(text) => self.on_data(Event::Text(text)),
            Received::Binary(data) => self.on_data(Event::Binary(data)),
            Received::Ping(data) => {
                let _ = self.control.send(Control::Pong(data.clone()));
                self.record_and_emit(&Event::Ping(data));
            }
            Received::Pong(data) => {
                let round_trip = self.pings.answered_by(&data);
                if let Some(rtt) = round_trip {
                    self.stats.round_trip(rtt);
                    self.limits.pong_received();
                }
                self.record_and_emit(&Event::Pong { data, round_trip });
            }
            Received::Close(status) => self.on_close(status),
        }
    }

    /// The server closed the TCP connection.
    fn on_end_of_stream(&mut self) -> bool {
        if !self.ending.server_closed() {
            let peer = self.role.peer();
            self.connection_lost(format!(
                "{peer} closed the connection without a close frame"
            ));
        }
        self.done = true;
        false
    }

    /// The connection broke, closed by neither side.
    fn connection_lost(&mut self, words: String) {
        self.ending.fail(Failure::ConnectionLost(words));
        self.ending.lost();
    }

    fn on_read_error(&mut self, error: &io::Error) -> bool {
        // After the server's Close, the connection ending is expected.
        if !self.ending.server_closed() {
            self.connection_lost(format!(
                "connection lost: {}",
                crate::error::io_words(error)
            ));
        }
        self.done = true;
        false
    }

    /// The server broke the protocol: our Close names the rule, then the connection is dropped.
    fn on_violation(&mut self, violation: Violation) {
        let Violation {
            code,
            reason,
            words,
        } = violation;
        let message = match code {
            1002 => format!("protocol violation by the {}: {words}", self.role.peer()),
            _ => format!("{} sent {words}", self.role.peer()),
        };
        self.ending.fail(Failure::ConnectionLost(message));
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        };
        let _ = self.control.send(Control::Close(Some(frame)));
        self.phase = Phase::Aborting;
        self.arm_timer(self.config.close_timeout);
    }

    /// A text or binary message.
    fn on_data(&mut self, event: Event) {
        let payload: &[u8] = match &event {
            Event::Text(text) => text.as_bytes(),
            Event::Binary(data) => data,
            _ => &[],
        };
        self.stats.received_messages += 1;
        self.stats.received_bytes += payload.len() as u64;
        // Recorded as received, whether or not it is shown.
        self.record(&event);
        // `--count N` prints N messages: what arrives after the goal is met is not shown.
        if self.goals_met {
            return;
        }
        if self.config.echo && matches!(self.phase, Phase::Sending | Phase::Draining) {
            let echo = match &event {
                Event::Text(text) => Some(Message::Text(text.clone())),
                Event::Binary(data) => Some(Message::Binary(data.clone())),
                _ => None,
            };
            if let Some(echo) = echo {
                self.echo_backlog += payload.len() as u64;
                let _ = self.control.send(Control::Send(echo, Auto::Echo));
            }
        }
        let config = self.config;
        match &config.reading.lens {
            None => self.show(&event),
            Some(lens) => self.through_lens(lens, event),
        }
    }

    /// With --jq or the REPL: the message is kept for /last, and what the filter lets through
    /// is what is shown, counted and matched.
    fn through_lens(&mut self, lens: &Lens, event: Event) {
        lens.keep(&event);
        let (Some(filter), Event::Text(text)) = (lens.filter(), &event) else {
            return self.show(&event);
        };
        match filter.apply(text) {
            Applied::NotJson => self.show(&event),
            Applied::Outputs(outputs, error) => {
                for output in outputs {
                    if self.goals_met {
                        break;
                    }
                    self.show(&Event::Text(output.into()));
                }
                if let Some(error) = error {
                    self.aside(&format!("! --jq: {error}"));
                }
            }
        }
    }

    /// A message as the goals and the printer see it. Inlined: it is the receive path's.
    #[inline(always)]
    fn show(&mut self, event: &Event) {
        let payload: &[u8] = match event {
            Event::Text(text) => text.as_bytes(),
            Event::Binary(data) => data,
            _ => &[],
        };
        self.goals.received(payload);
        self.emit(event);
        if self.goals.reached() {
            // Met while input is still being sent, too: the user asked for this much.
            self.goals_met = true;
            self.begin_close(self.config.close.clone());
        }
    }

    fn count_sent(&mut self, messages: u64, bytes: u64) {
        self.stats.sent_messages += messages;
        self.stats.sent_bytes += bytes;
    }

    fn on_alarm(&mut self, alarm: Alarm) {
        match alarm {
            Alarm::Ping => {
                let payload = self.pings.next_keepalive();
                self.limits.ping_sent();
                let ping = Message::Ping(payload);
                let _ = self.control.send(Control::Send(ping, Auto::Keepalive));
            }
            Alarm::Heartbeat => {
                // While input is sent, and after it while waiting for the server to close; not
                // in a quiet wait (-w SECS), which answers to heartbeats could make endless, nor
                // once the close handshake has begun.
                let sending = match self.phase {
                    Phase::Sending => true,
                    Phase::Draining => self.config.wait == Wait::ServerClose,
                    Phase::Closing | Phase::Closed | Phase::Aborting => false,
                };
                if let (Some((message, _)), true) = (&self.config.heartbeat, sending) {
                    let heartbeat = Message::text(message.as_str());
                    let _ = self.control.send(Control::Send(heartbeat, Auto::Heartbeat));
                }
            }
            Alarm::PongLate(timeout) => {
                self.connection_lost(format!(
                    "no pong within {} s; connection presumed dead",
                    timeout.as_secs_f64()
                ));
                self.done = true;
            }
            Alarm::MaxTime(limit) => {
                self.time_is_up(format!("--max-time of {} s expired", limit.as_secs_f64()))
            }
            Alarm::Idle(limit) => self.time_is_up(format!(
                "--idle-timeout: no message either way for {} s",
                limit.as_secs_f64()
            )),
        }
    }

    fn time_is_up(&mut self, why: String) {
        self.ending.limit_expired(why);
        if matches!(self.phase, Phase::Sending | Phase::Draining) {
            self.begin_close(self.config.close.clone());
        } else {
            self.done = true;
        }
    }

    fn on_close(&mut self, status: Option<(u16, String)>) {
        let (code, reason) = match status {
            Some((code, reason)) => (Some(code), reason),
            None => (None, String::new()),
        };
        let event = Event::Closed {
            code,
            reason: reason.clone(),
            by_us: matches!(self.phase, Phase::Closing | Phase::Aborting),
        };
        self.record_and_emit(&event);
        // The server started the close handshake: echo its Close (RFC 6455 §5.5.1).
        if matches!(self.phase, Phase::Sending | Phase::Draining) {
            let frame = code.map(|code| CloseFrame {
                code: CloseCode::from(code),
                reason: reason.as_str().into(),
            });
            let _ = self.control.send(Control::Reply(frame));
        }
        self.ending.server_close(code, reason);
        self.closed_while_sending = self.phase == Phase::Sending;
        self.phase = Phase::Closed;
        // A server drops the TCP connection first once Closes crossed (RFC 6455 §7.1.1): its
        // client waits for that. The writer still sends our queued answer before it stops.
        if self.role == Role::Server {
            self.done = true;
        } else {
            self.arm_timer(self.config.close_timeout);
        }
    }

    fn on_note(&mut self, note: Note) {
        match note {
            Note::InputDone => {
                if self.phase != Phase::Sending {
                    return;
                }
                self.phase = Phase::Draining;
                self.last_received = Instant::now();
                // Goals met while sending began the close already. -w 0 ends on the timer's
                // first turn, as any quiet wait does.
                if let Wait::Quiet(quiet) = self.config.wait {
                    self.arm_timer(quiet);
                }
            }
            Note::PingSent(payload) => {
                self.pings.sent(payload.clone());
                self.emit(&Event::PingSent(payload));
            }
            Note::PongSent(payload) => self.emit(&Event::PongSent(payload)),
            Note::HeartbeatSent(text) => {
                self.stats.heartbeats += 1;
                self.emit(&Event::HeartbeatSent(text));
            }
            Note::Sent { messages, bytes } => {
                if self.config.echo {
                    self.echo_backlog = self.echo_backlog.saturating_sub(bytes);
                }
                self.count_sent(messages, bytes);
                self.limits.activity();
            }
            Note::InputFailed(message) => {
                self.ending.fail(Failure::Runtime(message));
                self.begin_close(self.config.close.clone());
            }
            Note::Unsent(what) => self.ending.unsent(what),
            Note::CloseSent(code) => {
                self.ending.sent_close(code);
                match self.phase {
                    Phase::Aborting => self.done = true,
                    Phase::Sending | Phase::Draining => {
                        self.phase = Phase::Closing;
                        self.arm_timer(self.config.close_timeout);
                    }
                    Phase::Closing | Phase::Closed => {}
                }
            }
            Note::Failed(error) => {
                if !matches!(self.phase, Phase::Closed | Phase::Aborting) {
                    let words = crate::error::io_words(&error);
                    self.connection_lost(format!("connection lost while sending: {words}"));
                }
                self.done = true;
            }
            Note::Wire(bytes) => self.stats.sent_wire = self.wire_before.0 + bytes,
        }
    }

    fn on_timer(&mut self) {
        self.timer_armed = false;
        match (self.phase, self.config.wait) {
            (Phase::Draining, Wait::Quiet(quiet)) => {
                let quiet_until = self.last_received + quiet;
                if quiet_until > Instant::now() {
                    self.arm_at(quiet_until);
                } else {
                    self.on_quiet(quiet);
                }
            }
            (Phase::Closing, _) => {
                self.ending.fail(Failure::ConnectionLost(format!(
                    "{} did not answer our close within {} s",
                    self.role.peer(),
                    self.config.close_timeout.as_secs_f64()
                )));
                self.done = true;
            }
            _ => self.done = true,
        }
    }

    /// The quiet wait after the input ended is over: close.
    fn on_quiet(&mut self, quiet: Duration) {
        if self.goals.any() {
            self.ending.waited(format!(
                "nothing arrived for {} s after the input ended (-w)",
                quiet.as_secs_f64()
            ));
        }
        self.begin_close(self.config.close.clone());
    }

    /// SIGINT, SIGTERM or SIGHUP: the program is going away, so it says so (1001).
    fn on_signal(&mut self, signal: Signal) {
        if self.ending.signal.is_some() {
            // A second signal: stop waiting for the close handshake.
            self.done = true;
        }
        self.ending.signal.get_or_insert(signal);
        self.begin_close(CloseFrame {
            code: CloseCode::Away,
            reason: "going away".into(),
        });
    }

    /// Starts the close handshake with this Close, unless it is already under way.
    fn begin_close(&mut self, frame: CloseFrame) {
        if matches!(self.phase, Phase::Sending | Phase::Draining) {
            let _ = self.control.send(Control::Close(Some(frame)));
            self.phase = Phase::Closing;
            self.arm_timer(self.config.close_timeout);
        }
    }

    /// A line for people beside the data (`! --jq: …`).
    fn aside(&mut self, line: &str) {
        if let Err(e) = self.printer.aside(line, self.config.stderr_is_terminal) {
            self.on_stdout_error(e);
        }
    }

    /// --record: what was received, and the connection's events.
    fn record(&self, event: &Event) {
        if let Some(recorder) = &self.config.record {
            recorder.event(event);
        }
    }

    /// An event from the peer or about the connection: recorded, and shown.
    fn record_and_emit(&mut self, event: &Event) {
        self.record(event);
        self.emit(event);
    }

    #[inline(always)]
    fn emit(&mut self, event: &Event) {
        if self.ending.stdout_closed {
            return;
        }
        match self.printer.event(event) {
            Ok(()) => self.unflushed = true,
            Err(e) => self.on_stdout_error(e),
        }
    }

    fn flush(&mut self) {
        self.unflushed = false;
        if !self.ending.stdout_closed {
            if let Err(e) = self.printer.flush() {
                self.on_stdout_error(e);
            }
        }
    }

    fn on_stdout_error(&mut self, error: io::Error) {
        self.unflushed = false;
        self.ending.stdout_closed = true;
        if error.kind() == io::ErrorKind::BrokenPipe {
            self.ending.stdout_gone = true;
        } else {
            self.ending.fail(Failure::Runtime(format!(
                "cannot write to stdout: {}",
                crate::error::io_words(&error)
            )));
        }
        self.begin_close(self.config.close.clone());
    }

    fn arm_timer(&mut self, after: Duration) {
        self.arm_at(Instant::now() + after);
    }

    fn arm_at(&mut self, at: Instant) {
        self.timer.as_mut().reset(at.into());
        self.timer_armed = true;
    }
}

/// Which input's messages are counted when the server closes before they were sent (status 9).
fn pending(config: &Config) -> Pending {
    // A listener's client is fed by the listener, whose input is not the client's to count;
    // with --reconnect, what is unsent goes on the next connection.
    if config.many_clients() || config.reconnect {
        return Pending::Uncounted;
    }
    match &config.replay {
        Some(replay) => Pending::Replay(replay.clone()),
        // The REPL's input never ends on its own: only stdin can be left unsent.
        None if config.mode == Mode::Pipe => Pending::Stdin,
        None => Pending::Uncounted,
    }
}

/// The signals that end a session, as one stream.
pub(crate) struct Signals {
    hangup: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn new() -> Result<Signals, Failure> {
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| Failure::Runtime(format!("cannot handle {name}: {e}")))
        };
        Ok(Signals {
            hangup: listen(SignalKind::hangup(), "SIGHUP")?,
            interrupt: listen(SignalKind::interrupt(), "SIGINT")?,
            terminate: listen(SignalKind::terminate(), "SIGTERM")?,
        })
    }

    pub(crate) async fn next(&mut self) -> Signal {
        tokio::select! {
            Some(()) = self.interrupt.recv() => Signal::Interrupt,
            Some(()) = self.terminate.recv() => Signal::Terminate,
            Some(()) = self.hangup.recv() => Signal::Hangup,
            else => std::future::pending().await,
        }
    }
}

/// The next order, or never when there is no one to give them.
async fn next_order(orders: &mut Orders) -> Option<CloseFrame> {
    match orders {
        Some(orders) => orders.recv().await,
        None => std::future::pending().await,
    }
}

fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86400 * 365)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::config_of;

    #[test]
    fn only_stdin_left_unsent_is_counted_not_the_repl_input() {
        let mut config = config_of(&["ws://h/"]);
        config.mode = Mode::Pipe;
        assert!(matches!(pending(&config), Pending::Stdin));
        // The REPL's input never ends on its own: what is unsent is not a failure.
        config.mode = Mode::Repl;
        assert!(matches!(pending(&config), Pending::Uncounted));
    }
}
