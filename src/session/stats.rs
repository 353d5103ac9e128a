//! `--stats`: what went each way, counted as the session runs, printed as one line at exit.

use std::fmt;
use std::time::{Duration, Instant};

use crate::event::close_code_name;
use crate::words::plural;

pub struct Stats {
    started: Instant,
    /// Connections after the first (--reconnect).
    pub reconnects: u32,
    /// --heartbeat's messages sent (not among `sent_messages`).
    pub heartbeats: u64,
    pub sent_messages: u64,
    pub sent_bytes: u64,
    pub received_messages: u64,
    pub received_bytes: u64,
    /// Frame bytes each way, compressed when permessage-deflate was agreed.
    pub sent_wire: u64,
    pub received_wire: u64,
    pub compressed: bool,
    /// Ping round trips: count, sum, min and max (kept as figures, not a growing list).
    round_trips: u32,
    round_trip_sum: Duration,
    round_trip_min: Duration,
    round_trip_max: Duration,
    /// The server's Close, if one came.
    pub close: Option<(Option<u16>, String)>,
}

impl Stats {
    pub fn new(started: Instant, compressed: bool) -> Stats {
        Stats {
            started,
            reconnects: 0,
            heartbeats: 0,
            sent_wire: 0,
            received_wire: 0,
            compressed,
            sent_messages: 0,
            sent_bytes: 0,
            received_messages: 0,
            received_bytes: 0,
            round_trips: 0,
            round_trip_sum: Duration::ZERO,
            round_trip_min: Duration::MAX,
            round_trip_max: Duration::ZERO,
            close: None,
        }
    }

    /// The run's time counts from here (the first connection's start).
    pub fn restart(&mut self, started: Instant) {
        self.started = started;
    }

    pub fn round_trip(&mut self, rtt: Duration) {
        self.round_trips += 1;
        self.round_trip_sum += rtt;
        self.round_trip_min = self.round_trip_min.min(rtt);
        self.round_trip_max = self.round_trip_max.max(rtt);
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "{:.3} s; sent {} ({}); received {} ({}); ",
            self.started.elapsed().as_secs_f64(),
            plural(self.sent_messages, "message"),
            plural(self.sent_bytes, "byte"),
            plural(self.received_messages, "message"),
            plural(self.received_bytes, "byte"),
        )?;
        write!(
            f,
            "on the wire {} sent, {} received ({}); ",
            plural(self.sent_wire, "byte"),
            self.received_wire,
            if self.compressed {
                "permessage-deflate"
            } else {
                "uncompressed"
            }
        )?;
        if self.reconnects > 0 {
            write!(f, "{}; ", plural(u64::from(self.reconnects), "reconnect"))?;
        }
        if self.heartbeats > 0 {
            write!(f, "{}; ", plural(self.heartbeats, "heartbeat"))?;
        }
        if self.round_trips == 0 {
            f.write_str("no ping rtt; ")?;
        } else {
            write!(
                f,
                "ping rtt min/avg/max {:.3}/{:.3}/{:.3} ms; ",
                ms(self.round_trip_min),
                ms(self.round_trip_sum / self.round_trips),
                ms(self.round_trip_max)
            )?;
        }
        match &self.close {
            Some((Some(code), reason)) => {
                let reason = crate::output::sanitize::quote(reason);
                write!(f, "close {code} ({}) {reason}", close_code_name(*code))
            }
            Some((None, _)) => f.write_str("close without status"),
            None => f.write_str("no close from the server"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_every_figure() {
        let mut stats = Stats::new(Instant::now(), true);
        stats.sent_messages = 2;
        stats.sent_bytes = 10;
        stats.received_messages = 3;
        stats.received_bytes = 12;
        stats.sent_wire = 9;
        stats.received_wire = 30;
        stats.round_trip(Duration::from_millis(1));
        stats.round_trip(Duration::from_millis(3));
        stats.close = Some((Some(1000), String::new()));
        stats.heartbeats = 3;
        stats.reconnects = 2;
        let line = stats.to_string();
        assert!(
            line.contains("; 2 reconnects; 3 heartbeats; ping rtt"),
            "{line}"
        );
        assert!(
            line.contains("sent 2 messages (10 bytes); received 3 messages (12 bytes)"),
            "{line}"
        );
        assert!(
            line.contains("; on the wire 9 bytes sent, 30 received (permessage-deflate); "),
            "{line}"
        );
        assert!(
            line.contains("ping rtt min/avg/max 1.000/2.000/3.000 ms"),
            "{line}"
        );
        assert!(line.ends_with("close 1000 (normal) \"\""), "{line}");
    }

    #[test]
    fn one_message_and_one_byte_are_singular() {
        let mut stats = Stats::new(Instant::now(), false);
        stats.sent_messages = 1;
        stats.sent_bytes = 1;
        stats.sent_wire = 1;
        let line = stats.to_string();
        assert!(
            !line.contains("reconnect") && !line.contains("heartbeat"),
            "{line}"
        );
        assert!(
            line.contains("; sent 1 message (1 byte); received 0 messages (0 bytes); "),
            "{line}"
        );
        assert!(
            line.contains("; on the wire 1 byte sent, 0 received"),
            "{line}"
        );
    }
}
