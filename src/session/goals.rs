//! `--count` and `--expect`: what the user wants to receive before the session may end, and
//! what is still missing when it ends first.

use regex::Regex;

use crate::words::plural;

pub struct Goals<'a> {
    count: Option<u64>,
    patterns: &'a [Regex],
    /// How many patterns have matched so far (they match in order).
    matched: usize,
    received: u64,
}

impl<'a> Goals<'a> {
    pub fn new(count: Option<u64>, patterns: &'a [Regex]) -> Goals<'a> {
        Goals {
            count,
            patterns,
            matched: 0,
            received: 0,
        }
    }

    /// Whether there is anything to wait for.
    pub fn any(&self) -> bool {
        self.count.is_some() || !self.patterns.is_empty()
    }

    /// A text or binary message arrived.
    pub fn received(&mut self, payload: &[u8]) {
        self.received += 1;
        if let Some(pattern) = self.patterns.get(self.matched) {
            if pattern.is_match(&String::from_utf8_lossy(payload)) {
                self.matched += 1;
            }
        }
    }

    /// Whether every goal given is met (false when none is given). Asked for every message
    /// received, so it only compares numbers.
    pub fn reached(&self) -> bool {
        self.any()
            && self.matched == self.patterns.len()
            && self.count.is_none_or(|wanted| self.received >= wanted)
    }

    /// What did not happen, in words, the same whatever ended the session:
    /// `--expect pattern 1 of 1 (nomatch) not matched; 1 message received`.
    pub fn missing(&self) -> Option<String> {
        let mut missing = Vec::new();
        if let Some(pattern) = self.patterns.get(self.matched) {
            missing.push(format!(
                "--expect pattern {} of {} ({pattern}) not matched",
                self.matched + 1,
                self.patterns.len()
            ));
        }
        match self.count {
            Some(wanted) if self.received < wanted => {
                missing.push(format!("--count {wanted} not reached"));
            }
            _ => {}
        }
        (!missing.is_empty()).then(|| {
            format!(
                "{}; {} received",
                missing.join(", "),
                plural(self.received, "message")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> Vec<Regex> {
        list.iter().map(|p| Regex::new(p).unwrap()).collect()
    }

    #[test]
    fn patterns_match_in_order_and_each_message_matches_one_at_most() {
        let list = patterns(&["a", "b"]);
        let mut goals = Goals::new(None, &list);
        for message in ["b", "ab", "x"] {
            goals.received(message.as_bytes());
        }
        // "ab" matched the first pattern only, so the second is still missing.
        assert_eq!(
            goals.missing().as_deref(),
            Some("--expect pattern 2 of 2 (b) not matched; 3 messages received")
        );
        goals.received(b"b");
        assert!(goals.reached());
    }

    #[test]
    fn a_count_is_reached_at_exactly_n() {
        let mut goals = Goals::new(Some(2), &[]);
        goals.received(b"one");
        assert!(!goals.reached());
        assert_eq!(
            goals.missing().as_deref(),
            Some("--count 2 not reached; 1 message received")
        );
        goals.received(b"two");
        assert!(goals.reached());
    }

    #[test]
    fn both_goals_must_be_met_and_both_are_named_when_missing() {
        let list = patterns(&["z"]);
        let mut goals = Goals::new(Some(1), &list);
        assert_eq!(
            goals.missing().as_deref(),
            Some(
                "--expect pattern 1 of 1 (z) not matched, --count 1 not reached; 0 messages received"
            )
        );
        goals.received(b"a");
        assert!(!goals.reached());
        goals.received(b"z");
        assert!(goals.reached());
    }

    #[test]
    fn no_goal_is_never_reached() {
        let goals = Goals::new(None, &[]);
        assert!(!goals.any() && !goals.reached() && goals.missing().is_none());
    }
}
