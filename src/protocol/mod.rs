//! The sans-io WebSocket core (RFC 6455, RFC 7692), for both roles. No I/O and no tokio: the
//! caller moves bytes in and out, the core turns them into events and frames, and says which
//! Close to send when the peer breaks a rule. Everything here is pure and deterministic, so it
//! is unit-tested and fuzzed alone.
//!
//! - `handshake`: the upgrade request and its answer, both roles.
//! - `frame`: frame heads and masking.
//! - `receive`: bytes -> messages, with every RFC rule a receiver checks.
//! - `send`: messages -> frames, many into one buffer.
//! - `deflate`: permessage-deflate negotiation and codec.
//! - `close`: close codes and close payloads.

pub mod close;
pub mod deflate;
pub mod frame;
pub mod handshake;
pub mod receive;
pub mod send;

/// Which end of the connection this is: a client masks what it sends and expects unmasked
/// frames, a server the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Client,
    Server,
}

impl Role {
    /// The other end, as people call it: what a client talks to is the server.
    pub fn peer(self) -> &'static str {
        match self {
            Role::Client => "server",
            Role::Server => "client",
        }
    }
}

/// The peer broke a rule: the Close to send, and what happened in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// 1002 (protocol error), 1007 (invalid payload) or 1009 (message too big).
    pub code: u16,
    /// The reason sent in our Close (short, ASCII).
    pub reason: &'static str,
    /// For the person reading wsc's error line: `masked frame`, `invalid UTF-8 in a text message`.
    pub words: String,
}

impl Violation {
    pub fn protocol(words: impl Into<String>) -> Violation {
        Violation {
            code: 1002,
            reason: "protocol error",
            words: words.into(),
        }
    }

    pub fn invalid_payload(words: impl Into<String>) -> Violation {
        Violation {
            code: 1007,
            reason: "invalid payload",
            words: words.into(),
        }
    }

    pub fn too_big(words: impl Into<String>) -> Violation {
        Violation {
            code: 1009,
            reason: "message too big",
            words: words.into(),
        }
    }
}
