//! Pings we sent, so that a pong's round trip can be shown.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// More unanswered pings than this and the oldest are forgotten.
const REMEMBERED: usize = 64;

#[derive(Debug, Default)]
pub struct Pings {
    sent: VecDeque<(Bytes, Instant)>,
    /// Keepalive pings so far, numbering their payloads so that each pong names its ping.
    keepalives: u64,
}

impl Pings {
    /// The payload of the next keepalive ping (recorded, like every ping, when it goes out).
    pub fn next_keepalive(&mut self) -> Bytes {
        self.keepalives += 1;
        Bytes::from(format!("wsc keepalive {}", self.keepalives))
    }

    pub fn sent(&mut self, payload: Bytes) {
        if self.sent.len() == REMEMBERED {
            self.sent.pop_front();
        }
        self.sent.push_back((payload, Instant::now()));
    }

    /// The round trip of the oldest ping this pong answers (same payload), if any.
    pub fn answered_by(&mut self, pong: &[u8]) -> Option<Duration> {
        let at = self
            .sent
            .iter()
            .position(|(payload, _)| payload.as_ref() == pong)?;
        self.sent.remove(at).map(|(_, when)| when.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pong_answers_the_ping_with_its_payload_once() {
        let mut pings = Pings::default();
        pings.sent(Bytes::from_static(b"a"));
        pings.sent(Bytes::from_static(b"b"));
        assert!(pings.answered_by(b"b").is_some());
        assert!(pings.answered_by(b"b").is_none());
        assert!(pings.answered_by(b"c").is_none());
        assert!(pings.answered_by(b"a").is_some());
    }

    #[test]
    fn keepalive_payloads_are_distinct() {
        let mut pings = Pings::default();
        assert_ne!(pings.next_keepalive(), pings.next_keepalive());
    }
}
