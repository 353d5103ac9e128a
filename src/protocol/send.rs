//! The sending half: messages become frames appended to one output buffer, so that many
//! messages go out in one write. A client masks every frame with a fresh key from a CSPRNG.
//! A large payload is encoded in pieces (`Pending`), so the output buffer stays small and the
//! caller can write between pieces.

use bytes::Bytes;
use rand::Rng;
use rand::rngs::StdRng;

use super::deflate::Compressor;
use super::frame::{OpCode, apply_mask, write_head};
use super::{Role, close};

/// How much of a large payload is encoded per piece.
pub const PIECE: usize = 256 * 1024;

pub struct Sender {
    /// Mask keys, for a client; a server does not mask.
    masks: Option<StdRng>,
    compressor: Option<Compressor>,
    /// Where a message is compressed before it is framed.
    scratch: Vec<u8>,
    /// Frame bytes produced, for `--stats`.
    pub wire_bytes: u64,
}

/// The rest of a large payload, still to be encoded.
#[derive(Debug)]
pub struct Pending {
    payload: Bytes,
    /// How far it has been encoded.
    done: usize,
    mask: Option<[u8; 4]>,
}

impl Sender {
    /// A client's sender takes its mask keys from `masks`.
    pub fn new(role: Role, masks: StdRng, compressor: Option<Compressor>) -> Sender {
        Sender {
            masks: (role == Role::Client).then_some(masks),
            compressor,
            scratch: Vec::new(),
            wire_bytes: 0,
        }
    }

    /// Appends a text or binary message to `out`, compressed when permessage-deflate was agreed.
    /// A payload over `PIECE` is left partly in the returned `Pending`: call `resume` until it
    /// says it is done.
    pub fn message(&mut self, text: bool, payload: Bytes, out: &mut Vec<u8>) -> Option<Pending> {
        let opcode = if text { OpCode::Text } else { OpCode::Binary };
        if let Some(compressor) = &mut self.compressor {
            self.scratch.clear();
            compressor.compress(&payload, &mut self.scratch);
            let mask = self.masks.as_mut().map(next_mask);
            self.wire_bytes += write_head(out, true, true, opcode, mask, self.scratch.len()) as u64;
            append(out, &self.scratch, mask, 0);
            return None;
        }
        let mask = self.masks.as_mut().map(next_mask);
        self.wire_bytes += write_head(out, true, false, opcode, mask, payload.len()) as u64;
        let mut pending = Pending {
            payload,
            done: 0,
            mask,
        };
        (!self.resume(&mut pending, out)).then_some(pending)
    }

    /// Appends the next piece of a large payload; true once all of it is encoded.
    pub fn resume(&mut self, pending: &mut Pending, out: &mut Vec<u8>) -> bool {
        let end = pending.payload.len().min(pending.done + PIECE);
        append(
            out,
            &pending.payload[pending.done..end],
            pending.mask,
            pending.done,
        );
        pending.done = end;
        end == pending.payload.len()
    }

    pub fn ping(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        self.control(OpCode::Ping, payload, out);
    }

    pub fn pong(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        self.control(OpCode::Pong, payload, out);
    }

    /// A Close with this code and reason, or with no status at all.
    pub fn close(&mut self, status: Option<(u16, &str)>, out: &mut Vec<u8>) {
        self.control(OpCode::Close, &close::payload(status), out);
    }

    /// Control payloads are at most 125 bytes (RFC 6455 §5.5): the caller makes sure of it.
    fn control(&mut self, opcode: OpCode, payload: &[u8], out: &mut Vec<u8>) {
        let mask = self.masks.as_mut().map(next_mask);
        self.wire_bytes += write_head(out, true, false, opcode, mask, payload.len()) as u64;
        append(out, payload, mask, 0);
    }
}

fn next_mask(rng: &mut StdRng) -> [u8; 4] {
    rng.next_u32().to_ne_bytes()
}

/// Appends `payload` to `out`, masked as if it began `offset` bytes into the frame's payload.
fn append(out: &mut Vec<u8>, payload: &[u8], mask: Option<[u8; 4]>, offset: usize) {
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = mask {
        apply_mask(&mut out[start..], key, offset);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::deflate::{Decompressor, DeflateParams};
    use super::super::receive::{Received, Receiver};
    use super::*;

    fn rng() -> StdRng {
        StdRng::seed_from_u64(7)
    }

    /// What a receiver of the other role makes of `bytes`.
    fn receive(role: Role, bytes: &[u8]) -> Vec<Received> {
        let mut receiver = Receiver::new(role, 1 << 30, None, bytes);
        std::iter::from_fn(|| receiver.decode().unwrap()).collect()
    }

    #[test]
    fn a_client_masks_every_frame_with_a_fresh_key() {
        let mut sender = Sender::new(Role::Client, rng(), None);
        let mut out = Vec::new();
        sender.message(true, Bytes::from_static(b"hello"), &mut out);
        sender.message(true, Bytes::from_static(b"hello"), &mut out);
        assert_eq!(out[1] & 0x80, 0x80, "mask bit");
        assert_ne!(out[2..6], out[13..17], "two frames, two keys");
        assert_ne!(&out[6..11], b"hello", "payload masked");
        assert_eq!(sender.wire_bytes, out.len() as u64);
        assert_eq!(
            receive(Role::Server, &out),
            [
                Received::Text("hello".into()),
                Received::Text("hello".into())
            ]
        );
    }

    #[test]
    fn a_server_does_not_mask() {
        let mut sender = Sender::new(Role::Server, rng(), None);
        let mut out = Vec::new();
        sender.message(false, Bytes::from_static(b"\x00\x01"), &mut out);
        sender.ping(b"p", &mut out);
        sender.close(Some((1000, "bye")), &mut out);
        assert_eq!(&out[..4], b"\x82\x02\x00\x01");
        assert_eq!(
            sender.wire_bytes,
            out.len() as u64,
            "control frames counted"
        );
        assert_eq!(
            receive(Role::Client, &out),
            [
                Received::Binary(Bytes::from_static(b"\x00\x01")),
                Received::Ping(Bytes::from_static(b"p")),
                Received::Close(Some((1000, "bye".into())))
            ]
        );
    }

    #[test]
    fn a_large_payload_is_encoded_in_pieces_that_join_up() {
        let payload: Vec<u8> = (0..3 * PIECE + 5).map(|i| (i % 251) as u8).collect();
        let mut sender = Sender::new(Role::Client, rng(), None);
        let mut out = Vec::new();
        let mut pending = sender
            .message(false, Bytes::from(payload.clone()), &mut out)
            .expect("pending");
        assert!(out.len() < PIECE + 20, "one piece at a time");
        let mut all = std::mem::take(&mut out);
        while !sender.resume(&mut pending, &mut out) {
            all.append(&mut out);
        }
        all.append(&mut out);
        assert_eq!(sender.wire_bytes, all.len() as u64);
        assert_eq!(
            receive(Role::Server, &all),
            [Received::Binary(Bytes::from(payload))]
        );
    }

    #[test]
    fn a_message_up_to_256_kib_is_encoded_at_once() {
        // Pieces are for the rare huge payload: an ordinary message goes out in one write.
        let payload = Bytes::from(vec![b'x'; 256 * 1024]);
        let mut sender = Sender::new(Role::Client, rng(), None);
        let mut out = Vec::new();
        assert!(sender.message(false, payload.clone(), &mut out).is_none());
        assert_eq!(
            out.len(),
            payload.len() + 14,
            "head, key and the whole payload"
        );
    }

    #[test]
    fn compressed_messages_round_trip_with_context_takeover() {
        let params = DeflateParams::default();
        let compressor = Compressor::new(&params, Role::Client);
        let mut sender = Sender::new(Role::Client, rng(), compressor);
        let mut out = Vec::new();
        let payload = Bytes::from("hello hello hello hello ".repeat(40));
        sender.message(true, payload.clone(), &mut out);
        let first = out.len();
        sender.message(true, payload.clone(), &mut out);
        assert_eq!(out[0], 0xc1, "FIN, RSV1, text");
        assert_eq!(
            sender.wire_bytes,
            out.len() as u64,
            "compressed frames counted"
        );
        assert!(first < payload.len() / 4, "compressed: {first} bytes");
        assert!(
            out.len() - first < first,
            "the second one refers to the first"
        );
        let inflater = Decompressor::new(&params, Role::Server);
        let mut receiver = Receiver::new(Role::Server, 1 << 20, Some(inflater), &out);
        for _ in 0..2 {
            assert_eq!(
                receiver.decode().unwrap(),
                Some(Received::Text(payload.clone().try_into().unwrap()))
            );
        }
    }

    #[test]
    fn control_frames_and_closes_without_status() {
        let mut sender = Sender::new(Role::Client, rng(), None);
        let mut out = Vec::new();
        sender.pong(b"", &mut out);
        sender.close(None, &mut out);
        assert_eq!(
            receive(Role::Server, &out),
            [Received::Pong(Bytes::new()), Received::Close(None)]
        );
    }
}
