//! Fuzz targets for the protocol core: the frame decoder in both roles, with and without
//! permessage-deflate, and the handshake parsers of both roles.

use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::protocol::deflate::{Compressor, Decompressor, DeflateOffer, DeflateParams};
use crate::protocol::handshake::{self, ClientHandshake, Offer};
use crate::protocol::receive::{Received, Receiver};
use crate::protocol::send::Sender;
use crate::protocol::{Role, Violation};

/// The message limit the decoder targets run with: small, so the limit is reached too.
const LIMIT: usize = 64 * 1024;

pub fn frame_client(data: &[u8]) {
    frames(Role::Client, false, data);
}

pub fn frame_server(data: &[u8]) {
    frames(Role::Server, false, data);
}

pub fn frame_client_deflate(data: &[u8]) {
    frames(Role::Client, true, data);
}

pub fn frame_server_deflate(data: &[u8]) {
    frames(Role::Server, true, data);
}

/// Decodes `data` (after its first byte, which picks the read size) as bytes from the peer.
/// Invariants: every message keeps the rules (UTF-8 text, small control frames, the limit), a
/// violation names 1002, 1007 or 1009, and reads of any size give the same result as one read.
fn frames(role: Role, deflate: bool, data: &[u8]) {
    let Some((first, data)) = data.split_first() else {
        return;
    };
    let step = usize::from(*first % 64) + 1;
    let in_pieces = decode(role, deflate, data, step, LIMIT);
    let at_once = decode(role, deflate, data, data.len().max(1), LIMIT);
    assert_eq!(in_pieces, at_once, "read size changed the result");
    // What we decoded, encoded by the peer's sender, decodes to the same messages.
    if let (messages, None) = in_pieces {
        let peer = match role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        let params = DeflateParams::default();
        let compressor = deflate.then(|| Compressor::new(&params, peer)).flatten();
        let mut sender = Sender::new(peer, StdRng::seed_from_u64(0), compressor);
        let mut out = Vec::new();
        for message in &messages {
            match message {
                Received::Text(text) => {
                    let pending = sender.message(true, Bytes::from(text.clone()), &mut out);
                    finish(&mut sender, pending, &mut out);
                }
                Received::Binary(data) => {
                    let pending = sender.message(false, data.clone(), &mut out);
                    finish(&mut sender, pending, &mut out);
                }
                Received::Ping(data) => sender.ping(data, &mut out),
                Received::Pong(data) => sender.pong(data, &mut out),
                Received::Close(status) => {
                    sender.close(status.as_ref().map(|(c, r)| (*c, r.as_str())), &mut out)
                }
            }
        }
        // Compressing incompressible data adds a few bytes: allow for them.
        let (again, error) = decode(role, deflate, &out, out.len().max(1), 2 * LIMIT);
        assert_eq!(error, None);
        assert_eq!(again, messages, "re-encoded messages decode the same");
    }
}

fn finish(sender: &mut Sender, pending: Option<crate::protocol::send::Pending>, out: &mut Vec<u8>) {
    if let Some(mut pending) = pending {
        while !sender.resume(&mut pending, out) {}
    }
}

/// Every message the bytes hold, read `step` bytes at a time, and the violation that ended them.
fn decode(
    role: Role,
    deflate: bool,
    data: &[u8],
    step: usize,
    limit: usize,
) -> (Vec<Received>, Option<Violation>) {
    let params = DeflateParams::default();
    let inflater = deflate.then(|| Decompressor::new(&params, role));
    let mut receiver = Receiver::new(role, limit, inflater, &[]);
    let mut messages = Vec::new();
    for chunk in data.chunks(step) {
        receiver.read_buffer().extend_from_slice(chunk);
        loop {
            match receiver.decode() {
                Ok(Some(message)) => {
                    check(&message);
                    messages.push(message);
                }
                Ok(None) => break,
                Err(violation) => {
                    assert!(
                        matches!(violation.code, 1002 | 1007 | 1009),
                        "{violation:?}"
                    );
                    assert!(!violation.words.is_empty());
                    return (messages, Some(violation));
                }
            }
        }
    }
    (messages, None)
}

fn check(message: &Received) {
    match message {
        Received::Text(text) => assert!(text.len() <= LIMIT),
        Received::Binary(data) => assert!(data.len() <= LIMIT),
        Received::Ping(data) | Received::Pong(data) => assert!(data.len() <= 125),
        Received::Close(Some((code, reason))) => {
            assert!(crate::protocol::close::is_sendable(*code));
            assert!(reason.len() <= 123);
        }
        Received::Close(None) => {}
    }
}

/// A server's answer to our request. The placeholder `ACCEPT` in the input is replaced by the
/// right accept key, so that the checks behind the key are reached too.
pub fn handshake_answer(data: &[u8]) {
    let offer = Offer {
        target: "/".into(),
        host: "h".into(),
        subprotocols: vec!["a".into(), "b".into()],
        deflate: Some(DeflateOffer::default()),
        ..Offer::default()
    };
    let handshake = ClientHandshake::new(offer, [7; 16]);
    let accept = handshake::accept_key("BwcHBwcHBwcHBwcHBwcHBw==");
    let text = String::from_utf8_lossy(data).replace("ACCEPT", &accept);
    match handshake::parse_answer(text.as_bytes()) {
        Ok(Some(head)) => {
            assert!(head.len <= text.len());
            if let Ok(agreed) = handshake.check(&head) {
                assert_eq!(head.status, 101);
                if let Some(protocol) = agreed.subprotocol {
                    assert!(protocol == "a" || protocol == "b");
                }
            }
        }
        Ok(None) => assert!(text.len() <= handshake::MAX_HEAD),
        Err(words) => assert!(!words.is_empty()),
    }
}

/// A client's upgrade request, as a server sees it: a valid one gets an answer our client
/// accepts, an invalid one a refusal that parses as an HTTP answer with its status.
pub fn handshake_request(data: &[u8]) {
    match handshake::parse_request(data) {
        Ok(Some(request)) => {
            let agreed = request
                .extensions
                .as_deref()
                .and_then(|offers| DeflateOffer::default().answer(offers).ok().flatten());
            let protocol = request.subprotocols.first().map(String::as_str);
            let answer =
                handshake::accept(&request, protocol, agreed.as_ref().map(|(_, v)| v.as_str()));
            let head = handshake::parse_answer(&answer)
                .ok()
                .flatten()
                .expect("our answer parses");
            assert_eq!(head.status, 101);
            assert_eq!(head.len, answer.len());
        }
        Ok(None) => assert!(data.len() <= handshake::MAX_HEAD),
        Err(refusal) => {
            let answer = handshake::refuse(&refusal);
            let head = handshake::parse_answer(&answer)
                .ok()
                .flatten()
                .expect("our refusal parses");
            assert_eq!(head.status, refusal.status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_targets_take_valid_and_broken_input() {
        // A text "Hello", a ping, a close: valid for a client.
        let mut frames = vec![3, 0x81, 5];
        frames.extend_from_slice(b"Hello");
        frames.extend_from_slice(&[0x89, 0, 0x88, 2, 0x03, 0xe8]);
        frame_client(&frames);
        frame_server(&frames);
        frame_client_deflate(&[1, 0xc1, 7, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        frame_server_deflate(&[
            5, 0xc1, 0x87, 0, 0, 0, 0, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
        ]);
        handshake_answer(
            b"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Protocol: a\r\n\r\n",
        );
        handshake_request(
            b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
              Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        );
        handshake_request(b"POST / HTTP/1.1\r\n\r\n");
    }
}
