//! What happened on the connection, as data. The session produces events; printers in
//! `output/` render them.

use std::time::Duration;

use bytes::Bytes;
use tungstenite::Utf8Bytes;

#[derive(Debug, Clone)]
pub enum Event {
    /// The upgrade succeeded.
    Opened {
        url: String,
        status: u16,
        subprotocol: Option<String>,
        elapsed: Duration,
        /// With -l: the client's address.
        peer: Option<String>,
        /// Not the run's first connection (--reconnect).
        again: bool,
    },
    /// --reconnect: the connection ended with `code` (1006: lost), `why`; the next attempt
    /// comes after `wait`.
    Reconnecting {
        code: u16,
        why: String,
        wait: Duration,
        attempt: u32,
    },
    Text(Utf8Bytes),
    Binary(Bytes),
    Ping(Bytes),
    /// A ping we sent (typed, scripted or keepalive).
    PingSent(Bytes),
    /// An application heartbeat we sent (--heartbeat).
    HeartbeatSent(Utf8Bytes),
    /// A pong we sent on our own (the automatic answer to a ping shows on the ping itself).
    PongSent(Bytes),
    /// A pong, with the round trip when it answers a ping we sent.
    Pong {
        data: Bytes,
        round_trip: Option<Duration>,
    },
    /// A Close frame from the server (`code` is None when it carried no status).
    Closed {
        code: Option<u16>,
        reason: String,
        /// Our Close went first: this one answers it.
        by_us: bool,
    },
}

/// The registered name of a close code, for people reading it.
pub fn close_code_name(code: u16) -> &'static str {
    match code {
        1000 => "normal",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no status",
        1006 => "abnormal",
        1007 => "invalid payload",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "extension required",
        1011 => "internal error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS failure",
        3000..=3999 => "registered",
        4000..=4999 => "application",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::close_code_name;

    #[test]
    fn close_codes_have_their_registered_names() {
        let names: Vec<&str> = (1000..=1015).map(close_code_name).collect();
        assert_eq!(
            names,
            [
                "normal",
                "going away",
                "protocol error",
                "unsupported data",
                "unknown",
                "no status",
                "abnormal",
                "invalid payload",
                "policy violation",
                "message too big",
                "extension required",
                "internal error",
                "service restart",
                "try again later",
                "bad gateway",
                "TLS failure",
            ]
        );
        assert_eq!(
            [2999, 3000, 3999, 4000, 4999, 5000].map(close_code_name),
            [
                "unknown",
                "registered",
                "registered",
                "application",
                "application",
                "unknown"
            ]
        );
    }
}
