//! -l's clients: each connected one runs the usual session in a task of its own, fed by a
//! bounded queue. The roster knows them by id; a broadcast puts a batch in each selected queue,
//! and a queue that stays full is a client too slow to keep, closed so that the others go on.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

use crate::config::Config;
use crate::connect::Connection;
use crate::input::Input;
use crate::output::{Forward, Forwarded, Printer};
use crate::session::{self, Lasting};

/// Batches queued for one client before the broadcast waits for it.
pub const QUEUE: usize = 64;
/// How long a broadcast waits for room in a client's full queue before closing it as too slow.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// Where each client's session reports: (id, what).
pub type Reports = mpsc::UnboundedSender<(u32, Forwarded)>;

pub struct Client {
    pub peer: SocketAddr,
    pub path: String,
    pub subprotocol: Option<String>,
    pub since: Instant,
    pub received: u64,
    queue: mpsc::Sender<Input>,
    orders: mpsc::UnboundedSender<CloseFrame>,
}

impl Client {
    /// Starts the session of a client that has upgraded (it sends -x first, as every session
    /// does). The session reports to `reports` and last of all says how it ended.
    pub fn start(
        id: u32,
        peer: SocketAddr,
        connection: Connection,
        config: Arc<Config>,
        reports: &Reports,
    ) -> Client {
        let (queue, input) = mpsc::channel(QUEUE);
        let (orders, orders_rx) = mpsc::unbounded_channel();
        let client = Client {
            peer,
            path: connection.url.path().to_string(),
            subprotocol: connection.subprotocol.clone(),
            since: Instant::now(),
            received: 0,
            queue,
            orders,
        };
        let forward = Forward {
            client: id,
            to: reports.clone(),
        };
        let reports = reports.clone();
        tokio::spawn(async move {
            let mut lasting = Lasting::new(&config, input, Printer::Forward(forward));
            let orders = Some(orders_rx);
            let over = session::run(&config, connection, &mut lasting, orders, || Ok(())).await;
            lasting.show_stats(&config);
            let _ = reports.send((id, Forwarded::Ended(over.result)));
        });
        client
    }

    /// Starts the close handshake with this Close (the session bounds it by --close-timeout).
    pub fn close(&self, frame: CloseFrame) {
        let _ = self.orders.send(frame);
    }

    /// `#3 127.0.0.1:51234 /chat (subprotocol chat), 12.5 s, 4 messages received`.
    pub fn describe(&self, id: u32) -> String {
        let protocol = self
            .subprotocol
            .as_deref()
            .map(|p| format!(" (subprotocol {p})"))
            .unwrap_or_default();
        format!(
            "#{id} {} {}{protocol}, {:.1} s, {} received",
            self.peer,
            crate::output::sanitize::escape_text(&self.path),
            self.since.elapsed().as_secs_f64(),
            crate::words::plural(self.received, "message"),
        )
    }
}

/// The clients connected, by id (ids count up from 1 and are never reused).
#[derive(Default)]
pub struct Roster {
    pub clients: BTreeMap<u32, Client>,
    last_id: u32,
}

/// A batch some clients had no room for: it waits for them, up to a deadline.
pub struct Delivery {
    pub deadline: tokio::time::Instant,
    /// The clients waited for.
    waiting: BTreeSet<u32>,
    rooms: FuturesUnordered<Room>,
}

type Room = std::pin::Pin<Box<dyn Future<Output = (u32, Input, Option<OwnedPermit>)> + Send>>;
type OwnedPermit = mpsc::OwnedPermit<Input>;

impl Roster {
    pub fn next_id(&mut self) -> u32 {
        self.last_id += 1;
        self.last_id
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Puts a batch in the queue of each client in `to` (all when None). Clients whose queue is
    /// full are waited for (the returned delivery); messages queued are counted in `sent`.
    pub fn broadcast(&self, to: Option<u32>, batch: Vec<Message>) -> Option<Delivery> {
        let batch: std::sync::Arc<[Message]> = batch.into();
        let rooms = FuturesUnordered::new();
        let mut waiting = BTreeSet::new();
        let selected = self
            .clients
            .iter()
            .filter(|(id, _)| to.is_none_or(|to| to == **id));
        for (&id, client) in selected {
            match client
                .queue
                .try_send(Input::Shared(std::sync::Arc::clone(&batch)))
            {
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
                Err(mpsc::error::TrySendError::Full(input)) => {
                    let queue = client.queue.clone();
                    let room: Room =
                        Box::pin(async move { (id, input, queue.reserve_owned().await.ok()) });
                    rooms.push(room);
                    waiting.insert(id);
                }
            }
        }
        (!rooms.is_empty()).then(|| Delivery {
            deadline: tokio::time::Instant::now() + PATIENCE,
            waiting,
            rooms,
        })
    }
}

impl Delivery {
    /// Waits until one waiting client has room, and queues the batch for it; None once no one
    /// is waited for.
    pub async fn next(&mut self) -> Option<()> {
        let (id, input, permit) = self.rooms.next().await?;
        if let Some(permit) = permit {
            permit.send(input);
        }
        self.waiting.remove(&id);
        Some(())
    }

    pub fn is_done(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The clients still waited for when time is up: too slow to keep.
    pub fn too_slow(self) -> BTreeSet<u32> {
        self.waiting
    }
}

/// The Close for a client that did not keep up.
pub fn too_slow_frame() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Policy,
        reason: "too slow: messages not read".into(),
    }
}

#[cfg(test)]
impl Roster {
    /// Adds a client with no session behind it under the next id, its queue holding `capacity`
    /// batches: the test reads what it is queued and what it is told to close with.
    pub fn join_idle(
        &mut self,
        capacity: usize,
    ) -> (mpsc::Receiver<Input>, mpsc::UnboundedReceiver<CloseFrame>) {
        let (queue, input) = mpsc::channel(capacity);
        let (orders, orders_rx) = mpsc::unbounded_channel();
        let client = Client {
            peer: SocketAddr::from(([127, 0, 0, 1], 1)),
            path: "/".into(),
            subprotocol: None,
            since: Instant::now(),
            received: 0,
            queue,
            orders,
        };
        let id = self.next_id();
        self.clients.insert(id, client);
        (input, orders_rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of the next batch in a client's queue.
    fn texts_of(queued: Option<Input>) -> Vec<String> {
        match queued {
            Some(Input::Shared(batch)) => {
                batch.iter().map(|m| m.to_text().unwrap().into()).collect()
            }
            _ => panic!("not a shared batch"),
        }
    }

    /// Adds an idle client to the roster under its next id: its queue.
    fn join(roster: &mut Roster, capacity: usize) -> mpsc::Receiver<Input> {
        roster.join_idle(capacity).0
    }

    #[tokio::test]
    async fn a_full_queue_is_waited_for_and_gets_the_batch_once_it_has_room() {
        let mut roster = Roster::default();
        let mut quick = join(&mut roster, QUEUE);
        let mut slow = join(&mut roster, 1);
        assert!(roster.broadcast(None, vec![Message::text("one")]).is_none());
        let before = tokio::time::Instant::now();
        let mut delivery = roster
            .broadcast(None, vec![Message::text("two")])
            .expect("the slow client is waited for");
        // It has the whole patience from the broadcast on.
        assert!(delivery.deadline >= before + PATIENCE);
        assert!(!delivery.is_done());
        assert_eq!(texts_of(quick.try_recv().ok()), ["one"]);
        assert_eq!(texts_of(quick.try_recv().ok()), ["two"]);
        // The slow client reads: the batch waiting for it takes the room.
        assert_eq!(texts_of(slow.recv().await), ["one"]);
        assert_eq!(delivery.next().await, Some(()));
        assert!(delivery.is_done());
        assert_eq!(texts_of(slow.try_recv().ok()), ["two"]);
        // No one is waited for any more.
        assert_eq!(delivery.next().await, None);
    }

    #[tokio::test]
    async fn the_clients_still_without_room_when_patience_ends_are_too_slow() {
        let mut roster = Roster::default();
        let _quick = join(&mut roster, QUEUE);
        let _slow = join(&mut roster, 1);
        let _slower = join(&mut roster, 1);
        assert!(roster.broadcast(None, vec![Message::text("one")]).is_none());
        let delivery = roster
            .broadcast(None, vec![Message::text("two")])
            .expect("the full queues are waited for");
        assert_eq!(delivery.too_slow(), BTreeSet::from([2, 3]));
    }
}
