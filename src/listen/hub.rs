//! -l with many clients: the listener's one loop. It accepts, upgrades each client in a task of
//! its own, starts a session per client (clients.rs), broadcasts input to the selected clients,
//! and prints what every session reports with its client's id. --count/--expect count messages
//! from all clients; --max-time and signals end the whole run, closing every client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

use super::clients::{Client, Delivery, Reports, Roster, too_slow_frame};
use super::{Listener, upgrade};
use crate::config::{Config, Wait};
use crate::connect::Connection;
use crate::error::{Failure, Signal};
use crate::event::Event;
use crate::input::Input;
use crate::input::slash::Order;
use crate::output::{Forwarded, Printer};
use crate::session::Signals;
use crate::session::goals::Goals;

/// Reports handled in one turn of the loop at most, beside the first.
const REPORTS_A_TURN: usize = 255;

/// How long past --close-timeout the listener waits for its clients' sessions to end.
const END_GRACE: Duration = Duration::from_secs(1);

/// What a client's upgrade task tells the listener: lines for people (a refusal, -v's heads),
/// then how it went.
enum Upgrading {
    Line(String),
    /// The connection, or None when it was refused; words when it failed.
    Done(SocketAddr, Result<Option<Box<Connection>>, String>),
}

/// Serves clients until a signal, --max-time, --count/--expect met, or the REPL's end.
pub async fn serve(
    config: &Config,
    listener: Listener,
    mut input: mpsc::Receiver<Input>,
    printer: Printer,
    opened: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let (upgrades_tx, mut upgrades) = mpsc::unbounded_channel();
    let mut signals = Signals::new()?;
    let mut hub = Hub::new(config, printer, reports_tx, upgrades_tx);
    opened()?;
    let max_time = config.max_time.map(|limit| Instant::now() + limit);
    while !hub.done() {
        let patience = hub.delivery.as_ref().map(|delivery| delivery.deadline);
        let ending_by = hub.closing.as_ref().map(|(by, _)| *by);
        tokio::select! {
            biased;
            Some((id, report)) = reports.recv() => {
                hub.on_report(id, report);
                // What the sessions reported meanwhile, in one turn (bounded, so that the rest
                // of the loop still has its turn under a flood).
                for _ in 0..REPORTS_A_TURN {
                    let Ok((id, report)) = reports.try_recv() else { break };
                    hub.on_report(id, report);
                }
            }
            Some(upgrading) = upgrades.recv() => match upgrading {
                Upgrading::Line(line) => hub.aside(line),
                Upgrading::Done(peer, upgraded) => hub.on_upgraded(peer, upgraded, &listener),
            },
            (tcp, peer) = listener.next(config), if hub.closing.is_none() => hub.on_accept(tcp, peer, &listener),
            Some(()) = next_room(&mut hub.delivery) => hub.on_room(),
            () = until(patience) => hub.on_patience_over(),
            item = input.recv(), if hub.wants_input() => hub.on_input(item),
            () = until(max_time), if hub.closing.is_none() => hub.on_max_time(),
            () = until(ending_by) => hub.end.abandoned = true,
            // After the rest: polling a signal costs a lock each time (see the session's loop).
            signal = signals.next() => hub.on_signal(signal),
            () = std::future::ready(()), if hub.unflushed => hub.flush(),
        }
    }
    hub.flush();
    if config.stats {
        hub.printer.last_stderr_line(format!(
            "wsc: stats: {} served; {} received, {} queued to clients",
            crate::words::plural(hub.served, "client"),
            crate::words::plural(hub.received, "message"),
            crate::words::plural(hub.sent, "message"),
        ));
    }
    hub.outcome()
}

/// What each client's session is told: the goals and --max-time are the listener's.
fn session_config(config: &Config) -> Config {
    let mut session = config.clone();
    session.count = None;
    session.expect = Vec::new();
    session.max_time = None;
    // A client's input ends only when the listener lets it go: no quiet wait.
    session.wait = Wait::ServerClose;
    session
}

struct Hub<'a> {
    config: &'a Config,
    sessions: Arc<Config>,
    printer: Printer,
    roster: Roster,
    reports: Reports,
    upgrades: mpsc::UnboundedSender<Upgrading>,
    /// Clients accepted whose upgrade is under way (they count against --max-clients).
    upgrading: usize,
    /// `/to N`: where typed lines go (None: every client).
    to: Option<u32>,
    goals: Goals<'a>,
    goals_met: bool,
    input_open: bool,
    /// A batch waiting for room in some clients' queues: no more input is read meanwhile.
    delivery: Option<Delivery>,
    /// The run is ending: every client was asked to close with this frame, by this deadline.
    closing: Option<(Instant, CloseFrame)>,
    end: End,
    served: u64,
    /// Messages from all clients, and messages queued to them (each recipient counted).
    received: u64,
    sent: u64,
    unflushed: bool,
}

/// How the run ended, gathered as it goes.
#[derive(Default)]
struct End {
    signal: Option<Signal>,
    failure: Option<Failure>,
    /// --max-time, in words.
    limit: Option<String>,
    /// stdout was closed by its reader: a quiet end.
    stdout_gone: bool,
    /// A second signal, or clients that did not end in time: stop waiting for them.
    abandoned: bool,
}

/// Ready at `at`; never without one.
async fn until(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl<'a> Hub<'a> {
    /// The hub of a run just begun: no client yet, nothing sent or received.
    fn new(
        config: &'a Config,
        printer: Printer,
        reports: Reports,
        upgrades: mpsc::UnboundedSender<Upgrading>,
    ) -> Hub<'a> {
        Hub {
            config,
            sessions: Arc::new(session_config(config)),
            printer,
            roster: Roster::default(),
            reports,
            upgrades,
            upgrading: 0,
            to: None,
            goals: Goals::new(config.count, &config.expect),
            goals_met: false,
            input_open: true,
            delivery: None,
            closing: None,
            end: End::default(),
            served: 0,
            received: 0,
            sent: 0,
            unflushed: false,
        }
    }
}

impl Hub<'_> {
    fn done(&self) -> bool {
        let closed = self.closing.is_some() && self.roster.is_empty() && self.upgrading == 0;
        self.end.abandoned || closed
    }

    /// Input is read while someone can take it: in a pipe, only once a client is connected, so
    /// that nothing piped is sent to no one; in the REPL always, to say so.
    fn wants_input(&self) -> bool {
        self.input_open
            && self.delivery.is_none()
            && self.closing.is_none()
            && (self.config.prompt || !self.roster.is_empty())
    }

    /// As many clients as --max-clients allows: those whose upgrade is under way count too.
    fn busy(&self) -> bool {
        self.config
            .max_clients
            .is_some_and(|max| self.roster.clients.len() + self.upgrading >= max)
    }

    fn on_accept(&mut self, tcp: tokio::net::TcpStream, peer: SocketAddr, listener: &Listener) {
        let busy = self.busy();
        self.upgrading += 1;
        let config = Arc::clone(&self.sessions);
        let upgrades = self.upgrades.clone();
        let acceptor = listener.acceptor.clone();
        tokio::spawn(async move {
            let say = |line: String| {
                let _ = upgrades.send(Upgrading::Line(line));
            };
            let upgraded = upgrade(&config, acceptor.as_ref(), tcp, peer, busy, &say)
                .await
                .map(|upgraded| upgraded.map(Box::new));
            let _ = upgrades.send(Upgrading::Done(peer, upgraded));
        });
    }

    fn on_upgraded(
        &mut self,
        peer: SocketAddr,
        upgraded: Result<Option<Box<Connection>>, String>,
        listener: &Listener,
    ) {
        self.upgrading -= 1;
        match upgraded {
            // Refused: the refusal was told.
            Ok(None) => {}
            Ok(Some(mut connection)) => {
                connection.url = listener.url_of(&connection);
                let id = self.roster.next_id();
                let client = Client::start(
                    id,
                    peer,
                    *connection,
                    Arc::clone(&self.sessions),
                    &self.reports,
                );
                // Upgraded as the listener began to end: it is told so, as the others were.
                if let Some((_, frame)) = &self.closing {
                    client.close(frame.clone());
                }
                self.roster.clients.insert(id, client);
                self.served += 1;
            }
            Err(words) => self.aside(format!("* {peer}: {words}")),
        }
    }

    fn on_report(&mut self, id: u32, report: Forwarded) {
        match report {
            Forwarded::Event(event) => self.on_event(id, event),
            Forwarded::Stats(line) => {
                let line = line.strip_prefix("wsc: ").unwrap_or(&line).to_string();
                self.aside(format!("wsc: #{id} {line}"));
            }
            Forwarded::Aside(line) => match line.split_once(' ') {
                Some((sigil, rest)) => self.aside(format!("{sigil} #{id} {rest}")),
                None => self.aside(format!("#{id} {line}")),
            },
            Forwarded::Ended(ended) => self.on_ended(id, ended),
        }
    }

    fn on_event(&mut self, id: u32, event: Event) {
        if let Event::Text(_) | Event::Binary(_) = &event {
            if let Some(client) = self.roster.clients.get_mut(&id) {
                client.received += 1;
            }
            self.received += 1;
            // `--count N` prints N messages: what arrives after the goal is met is not shown.
            if self.goals_met {
                return;
            }
            match &event {
                Event::Text(text) => self.goals.received(text.as_bytes()),
                Event::Binary(data) => self.goals.received(data),
                _ => {}
            }
        }
        self.emit(Some(id), &event);
        if !self.goals_met && self.goals.any() && self.goals.reached() {
            self.goals_met = true;
            self.close_all(self.config.close.clone());
        }
    }

    fn on_ended(&mut self, id: u32, ended: Result<(), Failure>) {
        self.roster.clients.remove(&id);
        match ended {
            // The close line said it; a signal is the listener's to report.
            Ok(()) | Err(Failure::ServerClosed(_) | Failure::Signalled(_)) => {}
            Err(failure) => self.aside(format!("! #{id} {failure}")),
        }
        if self.to == Some(id) && self.closing.is_none() {
            self.to = None;
            self.aside(format!("* #{id} is gone: sending to every client"));
        }
    }

    fn on_input(&mut self, item: Option<Input>) {
        match item {
            Some(Input::Batch(batch) | Input::Metered(batch, _)) => self.broadcast(batch),
            Some(Input::Shared(batch)) => self.broadcast(batch.to_vec()),
            Some(Input::Order(order)) => self.on_order(order),
            Some(Input::Failed(message)) => {
                self.end.failure.get_or_insert(Failure::Runtime(message));
                self.close_all(self.config.close.clone());
            }
            // The REPL's end is the user leaving; stdin's end leaves the listener serving.
            None if self.config.prompt => self.close_all(self.config.close.clone()),
            None => self.input_open = false,
        }
    }

    fn broadcast(&mut self, batch: Vec<tungstenite::Message>) {
        let recipients = match self.to {
            Some(id) => usize::from(self.roster.clients.contains_key(&id)),
            None => self.roster.clients.len(),
        };
        if recipients == 0 {
            let whom = match self.to {
                Some(id) => format!("client #{id} is not connected"),
                None => "no client is connected".to_string(),
            };
            self.aside(format!("! {whom}: nothing sent"));
            return;
        }
        self.sent += (batch.len() * recipients) as u64;
        self.delivery = self.roster.broadcast(self.to, batch);
    }

    fn on_room(&mut self) {
        if self.delivery.as_ref().is_some_and(Delivery::is_done) {
            self.delivery = None;
        }
    }

    /// Clients whose queue stayed full: closed, so that the others go on.
    fn on_patience_over(&mut self) {
        let Some(delivery) = self.delivery.take() else {
            return;
        };
        for id in delivery.too_slow() {
            if let Some(client) = self.roster.clients.get(&id) {
                client.close(too_slow_frame());
                self.aside(format!(
                    "! #{id} too slow: {} batches unread for {} s; closing with 1008",
                    super::clients::QUEUE,
                    super::clients::PATIENCE.as_secs()
                ));
            }
        }
    }

    fn on_order(&mut self, order: Order) {
        match order {
            Order::Clients if self.roster.is_empty() => {
                self.aside("* no client is connected".into())
            }
            Order::Clients => {
                let lines: Vec<String> = self
                    .roster
                    .clients
                    .iter()
                    .map(|(id, c)| c.describe(*id))
                    .collect();
                for line in lines {
                    self.aside(format!("* {line}"));
                }
            }
            Order::To(to) => {
                self.to = to;
                let line = match to {
                    Some(id) if !self.roster.clients.contains_key(&id) => {
                        self.to = None;
                        format!("! client #{id} is not connected (see /clients)")
                    }
                    Some(id) => format!("* sending to #{id} only (/to all to undo)"),
                    None => "* sending to every client".into(),
                };
                self.aside(line);
            }
            Order::Kick(id, frame) => match self.roster.clients.get(&id) {
                Some(client) => client.close(frame),
                None => self.aside(format!("! client #{id} is not connected (see /clients)")),
            },
        }
    }

    fn on_max_time(&mut self) {
        if let Some(limit) = self.config.max_time {
            self.end.limit = Some(format!("--max-time of {} s expired", limit.as_secs_f64()));
        }
        self.close_all(self.config.close.clone());
    }

    /// SIGINT, SIGTERM, SIGHUP: each session closes its client with 1001 on its own; the
    /// listener stops accepting and waits for them. A second signal stops the wait.
    fn on_signal(&mut self, signal: Signal) {
        if self.end.signal.is_some() {
            self.end.abandoned = true;
        }
        self.end.signal.get_or_insert(signal);
        self.close_all(CloseFrame {
            code: CloseCode::Away,
            reason: "going away".into(),
        });
    }

    /// Stops accepting and reading input, and closes every client with `frame`.
    fn close_all(&mut self, frame: CloseFrame) {
        if self.closing.is_some() {
            return;
        }
        self.delivery = None;
        for client in self.roster.clients.values() {
            client.close(frame.clone());
        }
        let by = Instant::now() + self.config.close_timeout + END_GRACE;
        self.closing = Some((by, frame));
    }

    fn emit(&mut self, client: Option<u32>, event: &Event) {
        if self.end.stdout_gone {
            return;
        }
        match self.printer.event_of(client, event) {
            Ok(()) => self.unflushed = true,
            Err(e) => self.on_stdout_error(e),
        }
    }

    /// A line for people beside the data: above the REPL's prompt, or on stderr.
    fn aside(&mut self, line: String) {
        if let Err(e) = self.printer.aside(&line, self.config.stderr_is_terminal) {
            self.on_stdout_error(e);
        }
    }

    fn flush(&mut self) {
        self.unflushed = false;
        if let Err(e) = self.printer.flush() {
            self.on_stdout_error(e);
        }
    }

    fn on_stdout_error(&mut self, error: std::io::Error) {
        self.unflushed = false;
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            self.end.stdout_gone = true;
        } else {
            let words = crate::error::io_words(&error);
            self.end
                .failure
                .get_or_insert(Failure::Runtime(format!("cannot write to stdout: {words}")));
        }
        self.close_all(self.config.close.clone());
    }

    fn outcome(self) -> Result<(), Failure> {
        let End {
            signal,
            failure,
            limit,
            stdout_gone,
            ..
        } = self.end;
        if let Some(signal) = signal {
            return Err(Failure::Signalled(signal));
        }
        if stdout_gone {
            return Ok(());
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        let unmet = self.goals.missing();
        match (unmet, limit) {
            (Some(what), Some(limit)) => Err(Failure::Unmet(format!("{what}; {limit}"))),
            (None, Some(limit)) => Err(Failure::Unmet(limit)),
            (Some(what), None) => Err(Failure::Unmet(format!("{what}; you left"))),
            (None, None) => Ok(()),
        }
    }
}

/// The next client that has room for the waiting batch; never while nothing waits.
async fn next_room(delivery: &mut Option<Delivery>) -> Option<()> {
    match delivery {
        Some(delivery) => delivery.next().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Forward;
    use tungstenite::Message;

    type Printed = mpsc::UnboundedReceiver<(u32, Forwarded)>;

    /// A hub as serve makes it, for a pipe, printing to a channel the test reads.
    fn hub(config: &Config) -> (Hub<'_>, Printed) {
        let (printed, lines) = mpsc::unbounded_channel();
        let printer = Printer::Forward(Forward {
            client: 0,
            to: printed,
        });
        let (reports, _) = mpsc::unbounded_channel();
        let (upgrades, _) = mpsc::unbounded_channel();
        (Hub::new(config, printer, reports, upgrades), lines)
    }

    fn config_of(args: &[&str]) -> Config {
        let mut config = crate::config::tests::config_of(args);
        config.prompt = false;
        config
    }

    /// The lines the hub set aside since the last call.
    fn asides(printed: &mut Printed) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok((_, what)) = printed.try_recv() {
            if let Forwarded::Aside(line) = what {
                lines.push(line);
            }
        }
        lines
    }

    /// A client with no session, connected under the next id: its queue and its orders.
    fn join(
        hub: &mut Hub,
        capacity: usize,
    ) -> (mpsc::Receiver<Input>, mpsc::UnboundedReceiver<CloseFrame>) {
        hub.roster.join_idle(capacity)
    }

    fn texts(texts: &[&str]) -> Vec<Message> {
        texts.iter().map(|t| Message::text(*t)).collect()
    }

    #[tokio::test]
    async fn clients_with_no_one_connected_says_so() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, mut printed) = hub(&config);
        hub.on_order(Order::Clients);
        assert_eq!(asides(&mut printed), ["* no client is connected"]);
    }

    #[tokio::test]
    async fn the_run_is_over_once_closing_with_no_client_left_nor_upgrading() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, _printed) = hub(&config);
        assert!(!hub.done(), "done before closing");
        hub.close_all(config.close.clone());
        assert!(hub.done(), "not done with no client left");
        // A client accepted before the end is still to be told.
        hub.upgrading = 1;
        assert!(!hub.done(), "done with a client upgrading");
        hub.upgrading = 0;
        let _client = join(&mut hub, 1);
        assert!(!hub.done(), "done with a client connected");
        // Clients that do not end in time are not waited for.
        hub.end.abandoned = true;
        assert!(hub.done(), "still waiting after giving up on the clients");
    }

    #[tokio::test]
    async fn clients_still_upgrading_count_against_max_clients() {
        let config = config_of(&["-l", "0", "--max-clients", "2"]);
        let (mut hub, _printed) = hub(&config);
        let _client = join(&mut hub, 1);
        assert!(!hub.busy(), "busy with one client of two");
        hub.upgrading = 1;
        assert!(hub.busy(), "not busy with one client and one upgrading");
        let unlimited = config_of(&["-l", "0"]);
        let (mut hub, _printed) = self::hub(&unlimited);
        hub.upgrading = 5;
        assert!(!hub.busy(), "busy without --max-clients");
    }

    #[tokio::test]
    async fn lines_go_to_every_client_again_only_when_the_one_chosen_leaves_before_the_end() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, mut printed) = hub(&config);
        let _one = join(&mut hub, 1);
        let _two = join(&mut hub, 1);
        hub.on_order(Order::To(Some(2)));
        asides(&mut printed);
        // Another client leaving changes nothing.
        hub.on_ended(1, Ok(()));
        assert_eq!(hub.to, Some(2));
        assert_eq!(asides(&mut printed), Vec::<String>::new());
        hub.on_ended(2, Ok(()));
        assert_eq!(hub.to, None);
        assert_eq!(
            asides(&mut printed),
            ["* #2 is gone: sending to every client"]
        );
        // As the run ends, every client leaves: no line for each.
        let _three = join(&mut hub, 1);
        hub.on_order(Order::To(Some(3)));
        asides(&mut printed);
        hub.close_all(config.close.clone());
        hub.on_ended(3, Ok(()));
        assert_eq!(asides(&mut printed), Vec::<String>::new());
    }

    #[tokio::test]
    async fn messages_queued_are_counted_once_for_each_recipient() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, _printed) = hub(&config);
        let _one = join(&mut hub, 4);
        let _two = join(&mut hub, 4);
        hub.broadcast(texts(&["a", "b", "c"]));
        assert_eq!(hub.sent, 6);
        hub.to = Some(1);
        hub.broadcast(texts(&["d"]));
        assert_eq!(hub.sent, 7);
    }

    #[tokio::test]
    async fn a_batch_waiting_for_a_full_queue_holds_input_until_it_is_queued() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, _printed) = hub(&config);
        let (mut queued, _) = join(&mut hub, 1);
        hub.broadcast(texts(&["one"]));
        assert!(hub.wants_input());
        hub.broadcast(texts(&["two"]));
        assert!(!hub.wants_input(), "input read while a batch waits");
        // The client reads: the waiting batch takes the room, and input is read again.
        assert!(matches!(queued.recv().await, Some(Input::Shared(_))));
        assert_eq!(next_room(&mut hub.delivery).await, Some(()));
        hub.on_room();
        assert!(
            hub.wants_input(),
            "input still held once the batch is queued"
        );
        match queued.try_recv() {
            Ok(Input::Shared(batch)) => assert_eq!(batch[..], texts(&["two"])),
            _ => panic!("the waiting batch was not queued"),
        }
    }

    #[tokio::test]
    async fn clients_are_waited_for_through_close_timeout_and_a_grace() {
        let config = config_of(&["-l", "0", "--close-timeout", "3"]);
        let (mut hub, _printed) = hub(&config);
        let (_, mut orders) = join(&mut hub, 1);
        let before = Instant::now();
        hub.close_all(config.close.clone());
        let (by, _) = hub.closing.as_ref().expect("closing");
        assert!(*by >= before + Duration::from_secs(3) + END_GRACE);
        assert!(*by <= Instant::now() + Duration::from_secs(3) + END_GRACE);
        assert_eq!(orders.try_recv().ok(), Some(config.close.clone()));
    }

    #[tokio::test]
    async fn stdout_closed_by_its_reader_ends_the_run_quietly() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, _printed) = hub(&config);
        hub.on_stdout_error(std::io::ErrorKind::BrokenPipe.into());
        assert!(hub.closing.is_some(), "clients not closed");
        assert!(matches!(hub.outcome(), Ok(())));
    }

    #[tokio::test]
    async fn another_stdout_error_ends_the_run_as_a_failure() {
        let config = config_of(&["-l", "0"]);
        let (mut hub, _printed) = hub(&config);
        hub.on_stdout_error(std::io::ErrorKind::StorageFull.into());
        assert!(hub.closing.is_some(), "clients not closed");
        match hub.outcome() {
            Err(Failure::Runtime(words)) => {
                assert!(words.starts_with("cannot write to stdout: "), "{words}")
            }
            other => panic!("{other:?}"),
        }
    }
}
