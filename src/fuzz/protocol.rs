//! Fuzz targets for the protocol core: the frame decoder in both roles, with and without
//! permessage-deflate, and the handshake parsers of both roles.

use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::protocol::deflate::{Compressor, Decompressor, DeflateOffer, DeflateParams};
use crate::protocol::handshake::{self, Agreed, ClientHandshake, Offer};
use crate::protocol::receive::{Received, Receiver};
use crate::protocol::send::Sender;
use crate::protocol::{Role, Violation};

/// The message limit the decoder targets run with: small, so the limit is reached too, and
/// within one piece of the sender's, so that a message decoded is encoded again in one go.
const LIMIT: usize = 64 * 1024;
const _: () = assert!(LIMIT <= crate::protocol::send::PIECE);

/// What a frame target decoded: the messages, and the violation that ended them if one did.
pub type Decoded = (Vec<Received>, Option<Violation>);

pub fn frame_client(data: &[u8]) -> Decoded {
    frames(Role::Client, false, data)
}

pub fn frame_server(data: &[u8]) -> Decoded {
    frames(Role::Server, false, data)
}

pub fn frame_client_deflate(data: &[u8]) -> Decoded {
    frames(Role::Client, true, data)
}

pub fn frame_server_deflate(data: &[u8]) -> Decoded {
    frames(Role::Server, true, data)
}

/// How many bytes each read takes, picked by a frame input's first byte: 1 to 64.
fn read_size(first: u8) -> usize {
    usize::from(first % 64) + 1
}

/// Decodes `data` (after its first byte, which picks the read size) as bytes from the peer.
/// Invariants: every message keeps the rules (UTF-8 text, small control frames, the limit), a
/// violation names 1002, 1007 or 1009, and reads of any size give the same result as one read.
fn frames(role: Role, deflate: bool, data: &[u8]) -> Decoded {
    let Some((first, data)) = data.split_first() else {
        return (Vec::new(), None);
    };
    let in_pieces = decode(role, deflate, data, read_size(*first), LIMIT);
    let at_once = decode(role, deflate, data, data.len().max(1), LIMIT);
    assert_eq!(in_pieces, at_once, "read size changed the result");
    // What we decoded, encoded by the peer's sender, decodes to the same messages.
    if let (messages, None) = &in_pieces {
        let peer = match role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        let params = DeflateParams::default();
        let compressor = deflate.then(|| Compressor::new(&params, peer)).flatten();
        let mut sender = Sender::new(peer, StdRng::seed_from_u64(0), compressor);
        let mut out = Vec::new();
        for message in messages {
            match message {
                Received::Text(text) => {
                    let pending = sender.message(true, Bytes::from(text.clone()), &mut out);
                    assert!(
                        pending.is_none(),
                        "a message within LIMIT is encoded at once"
                    );
                }
                Received::Binary(data) => {
                    let pending = sender.message(false, data.clone(), &mut out);
                    assert!(
                        pending.is_none(),
                        "a message within LIMIT is encoded at once"
                    );
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
        assert_eq!(&again, messages, "re-encoded messages decode the same");
    }
    in_pieces
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

/// A server's answer to our request: what our client agreed to, when it accepts the answer.
/// The placeholder `ACCEPT` in the input is replaced by the right accept key, so that the checks
/// behind the key are reached too.
pub fn handshake_answer(data: &[u8]) -> Option<Agreed> {
    // What an answer is checked against: the subprotocols and the extension offered.
    let offer = Offer {
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
            let agreed = handshake.check(&head).ok()?;
            assert_eq!(head.status, 101);
            if let Some(protocol) = &agreed.subprotocol {
                assert!(protocol == "a" || protocol == "b");
            }
            Some(agreed)
        }
        Ok(None) => {
            assert!(text.len() <= handshake::MAX_HEAD);
            None
        }
        Err(words) => {
            assert!(!words.is_empty());
            None
        }
    }
}

/// A client's upgrade request, as a server sees it: a valid one gets an answer our client
/// accepts, an invalid one a refusal that parses as an HTTP answer with its status. Gives the
/// answer, or None while the request is incomplete.
pub fn handshake_request(data: &[u8]) -> Option<Vec<u8>> {
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
            Some(answer)
        }
        Ok(None) => {
            assert!(data.len() <= handshake::MAX_HEAD);
            None
        }
        Err(refusal) => {
            let answer = handshake::refuse(&refusal);
            let head = handshake::parse_answer(&answer)
                .ok()
                .flatten()
                .expect("our refusal parses");
            assert_eq!(head.status, refusal.status);
            Some(answer)
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;
    use crate::protocol::frame::{OpCode, write_head};

    /// A text "Hello", an empty ping and a close 1000, unmasked (from a server), read 4 bytes at
    /// a time.
    const FROM_A_SERVER: &[u8] = &[
        3, 0x81, 5, b'H', b'e', b'l', b'l', b'o', 0x89, 0, 0x88, 2, 0x03, 0xe8,
    ];
    /// "Hello" compressed with permessage-deflate.
    const HELLO: &[u8] = &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

    /// A single unmasked frame, after the byte that picks the read size (64 bytes).
    fn frame(opcode: OpCode, rsv1: bool, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![63];
        write_head(&mut out, true, rsv1, opcode, None, payload.len());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_client_decodes_the_messages_a_server_sent() {
        let expected = vec![
            Received::Text("Hello".into()),
            Received::Ping(Bytes::new()),
            Received::Close(Some((1000, String::new()))),
        ];
        assert_eq!(frame_client(FROM_A_SERVER), (expected, None));
        assert_eq!(frame_client(&[]), (vec![], None));
    }

    #[test]
    fn a_server_refuses_unmasked_frames_with_1002() {
        let (messages, violation) = frame_server(FROM_A_SERVER);
        assert_eq!(messages, vec![]);
        assert_eq!(violation.map(|v| v.code), Some(1002));
    }

    #[test]
    fn compressed_messages_are_inflated_in_both_roles() {
        let hello = Received::Text("Hello".into());
        let from_a_server = frame(OpCode::Text, true, HELLO);
        assert_eq!(
            frame_client_deflate(&from_a_server),
            (vec![hello.clone()], None)
        );
        // Masked with a zero key, which leaves the payload as it is.
        let mut from_a_client = vec![5, 0xc1, 0x80 | HELLO.len() as u8, 0, 0, 0, 0];
        from_a_client.extend_from_slice(HELLO);
        assert_eq!(frame_server_deflate(&from_a_client), (vec![hello], None));
    }

    #[test]
    fn a_message_of_64_kib_is_decoded_and_a_larger_one_is_too_big() {
        let data = Bytes::from(vec![7; 64 * 1024]);
        assert_eq!(
            frame_client(&frame(OpCode::Binary, false, &data)),
            (vec![Received::Binary(data)], None)
        );
        let (messages, violation) =
            frame_client(&frame(OpCode::Binary, false, &[7; 64 * 1024 + 1]));
        assert_eq!(messages, vec![]);
        assert_eq!(violation.map(|v| v.code), Some(1009));
    }

    #[test]
    fn the_first_byte_picks_reads_of_1_to_64_bytes() {
        assert_eq!(read_size(0), 1);
        assert_eq!(read_size(63), 64);
        assert_eq!(read_size(64), 1);
        assert_eq!(read_size(255), 64);
    }

    #[test]
    fn a_message_compressed_in_two_frames_is_encoded_again_in_one_larger_frame() {
        // 64 KiB that deflate cannot shrink: compressed, it is a little larger.
        let mut data = vec![0; 64 * 1024];
        StdRng::seed_from_u64(1).fill_bytes(&mut data);
        let mut compressor = Compressor::new(&DeflateParams::default(), Role::Server).unwrap();
        let mut compressed = Vec::new();
        compressor.compress(&data, &mut compressed);
        assert!(compressed.len() > LIMIT + 2, "{}", compressed.len());
        // Each frame is within the limit; the one frame of the re-encoding is not.
        let (first, second) = compressed.split_at(compressed.len() / 2);
        let mut input = vec![63];
        write_head(&mut input, false, true, OpCode::Binary, None, first.len());
        input.extend_from_slice(first);
        write_head(
            &mut input,
            true,
            false,
            OpCode::Continuation,
            None,
            second.len(),
        );
        input.extend_from_slice(second);
        assert_eq!(
            frame_client_deflate(&input),
            (vec![Received::Binary(data.into())], None)
        );
    }

    #[test]
    fn a_message_breaking_a_rule_fails_the_check() {
        let broken = [
            Received::Text("a".repeat(LIMIT + 1).into()),
            Received::Binary(vec![0; LIMIT + 1].into()),
            Received::Ping(vec![0; 126].into()),
            Received::Pong(vec![0; 126].into()),
            // 1005 says "no status": it is never sent.
            Received::Close(Some((1005, String::new()))),
            Received::Close(Some((1000, "r".repeat(124)))),
        ];
        for message in &broken {
            let checked = std::panic::catch_unwind(|| check(message));
            assert!(checked.is_err(), "{message:?} passed");
        }
        // The largest that keep the rules pass.
        check(&Received::Text("a".repeat(LIMIT).into()));
        check(&Received::Ping(vec![0; 125].into()));
        check(&Received::Close(Some((1000, "r".repeat(123)))));
        check(&Received::Close(None));
    }

    fn answer(extra: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: ACCEPT\r\n{extra}\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn an_answer_agrees_to_what_was_offered_and_nothing_else() {
        let chose = |protocol: &str| {
            handshake_answer(&answer(&format!("Sec-WebSocket-Protocol: {protocol}\r\n")))
        };
        assert_eq!(
            chose("b"),
            Some(Agreed {
                subprotocol: Some("b".into()),
                deflate: None,
            })
        );
        assert_eq!(chose("c"), None);
        let deflate = handshake_answer(&answer(
            "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Extensions: permessage-deflate\r\n",
        ));
        assert!(deflate.is_some_and(|agreed| agreed.deflate.is_some()));
        // A wrong accept key, and an answer still incomplete.
        let wrong = answer("Sec-WebSocket-Protocol: a\r\n");
        let wrong = String::from_utf8_lossy(&wrong).replace("ACCEPT", "x");
        assert_eq!(handshake_answer(wrong.as_bytes()), None);
        assert_eq!(handshake_answer(b"HTTP/1.1 101 S\r\n"), None);
    }

    #[test]
    fn a_request_gets_its_upgrade_or_its_refusal() {
        let answer = handshake_request(
            b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
              Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        )
        .map(|answer| String::from_utf8_lossy(&answer).into_owned())
        .unwrap_or_default();
        assert!(answer.starts_with("HTTP/1.1 101 "), "{answer}");
        // The key of RFC 6455's example, and deflate agreed.
        assert!(
            answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            "{answer}"
        );
        assert!(
            answer.contains("Sec-WebSocket-Extensions: permessage-deflate"),
            "{answer}"
        );
        let refusal = handshake_request(b"POST / HTTP/1.1\r\n\r\n").unwrap_or_default();
        assert!(refusal.starts_with(b"HTTP/1.1 405 "), "{refusal:?}");
        assert_eq!(handshake_request(b"GET / HTTP/1.1\r\n"), None);
    }
}
