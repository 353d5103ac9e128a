//! The receiving half: bytes from the peer go into `read_buffer()`, whole messages and control
//! frames come out of `next()`, and every rule a receiver must check is checked here. A single
//! frame's payload is handed out without copying; fragments and compressed messages are
//! assembled, with UTF-8 checked as each fragment arrives.

use bytes::{Buf, Bytes, BytesMut};
use tungstenite::Utf8Bytes;

use super::deflate::Decompressor;
use super::frame::{Head, OpCode, parse_head};
use super::{Role, Violation, close};

/// How much room a read gets at least: large reads keep small messages cheap.
const READ_CHUNK: usize = 64 * 1024;
/// The most room reserved ahead for one frame; a larger frame's buffer grows as it arrives.
const MAX_RESERVE: usize = 64 << 20;

/// What the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A whole text message, valid UTF-8.
    Text(Utf8Bytes),
    Binary(Bytes),
    Ping(Bytes),
    Pong(Bytes),
    /// A Close, with its status code and reason when it has one.
    Close(Option<(u16, String)>),
}

/// A message whose fragments are still arriving (or that must be inflated).
struct Partial {
    text: bool,
    compressed: bool,
    data: Vec<u8>,
    /// How much of `data` is known to be valid UTF-8.
    checked: usize,
}

pub struct Receiver {
    role: Role,
    /// The largest message accepted, in bytes (after inflation).
    limit: usize,
    buffer: BytesMut,
    /// How many bytes the frame at the start of `buffer` needs in all.
    wanted: usize,
    /// How much of an arriving text frame's payload is known to be valid UTF-8.
    frame_checked: usize,
    /// How much of an arriving masked text frame's payload is unmasked in place already.
    frame_unmasked: usize,
    partial: Option<Partial>,
    inflater: Option<Decompressor>,
    closed: bool,
    /// Frame bytes taken off the wire, for `--stats`.
    pub wire_bytes: u64,
}

impl Receiver {
    /// `inflater` is there when permessage-deflate was agreed; `leftover` are bytes that arrived
    /// with the handshake.
    pub fn new(
        role: Role,
        limit: usize,
        inflater: Option<Decompressor>,
        leftover: &[u8],
    ) -> Receiver {
        let mut buffer = BytesMut::with_capacity(READ_CHUNK.max(leftover.len()));
        buffer.extend_from_slice(leftover);
        Receiver {
            role,
            limit,
            buffer,
            wanted: 0,
            frame_checked: 0,
            frame_unmasked: 0,
            partial: None,
            inflater,
            closed: false,
            wire_bytes: 0,
        }
    }

    /// Where the caller reads the next bytes into, with room for the frame being awaited (up to
    /// `MAX_RESERVE` at once: a length field never reserves more than that before its bytes come).
    pub fn read_buffer(&mut self) -> &mut BytesMut {
        let room = self
            .wanted
            .saturating_sub(self.buffer.len())
            .clamp(READ_CHUNK, MAX_RESERVE);
        self.buffer.reserve(room);
        &mut self.buffer
    }

    /// Decodes the next message or control frame, `Ok(None)` when more bytes are needed. After a
    /// violation the connection is over: the caller sends the Close it names and stops reading.
    pub fn decode(&mut self) -> Result<Option<Received>, Violation> {
        loop {
            if self.closed {
                // Nothing may follow a Close (RFC 6455 §5.5.1): whatever does is not looked at.
                self.buffer.clear();
                return Ok(None);
            }
            let Some(head) = parse_head(&self.buffer)? else {
                return Ok(None);
            };
            match (self.role, head.mask.is_some()) {
                (Role::Client, true) => return Err(Violation::protocol("masked frame")),
                (Role::Server, false) => return Err(Violation::protocol("unmasked frame")),
                _ => {}
            }
            let compressed = self.check_message_rules(head.opcode, head.rsv1)?;
            // Limits are checked on the announced length, before a byte of it is stored.
            let so_far = self.partial.as_ref().map_or(0, |p| p.data.len() as u64);
            let total = if compressed {
                head.len
            } else {
                so_far + head.len
            };
            if total > self.limit as u64 {
                return Err(Violation::too_big(format!(
                    "a message of {total} bytes, over the limit of {} (--max-message-size)",
                    self.limit
                )));
            }
            let frame_len = head.size + head.len as usize;
            if self.buffer.len() < frame_len {
                self.wanted = frame_len;
                self.check_arriving_text(&head, compressed)?;
                return Ok(None);
            }
            (self.wanted, self.frame_checked) = (0, 0);
            let unmasked = std::mem::take(&mut self.frame_unmasked);
            self.wire_bytes += frame_len as u64;
            self.buffer.advance(head.size);
            let mut payload = self.buffer.split_to(head.len as usize);
            if let Some(key) = head.mask {
                // What check_arriving_text unmasked is not unmasked twice.
                super::frame::apply_mask(&mut payload[unmasked..], key, unmasked);
            }
            let payload = payload.freeze();
            let received = match head.opcode {
                OpCode::Ping => Some(Received::Ping(payload)),
                OpCode::Pong => Some(Received::Pong(payload)),
                OpCode::Close => {
                    self.closed = true;
                    Some(Received::Close(close::parse(&payload)?))
                }
                // One validation, by the type that carries the text on.
                OpCode::Text if head.fin && !compressed => match Utf8Bytes::try_from(payload) {
                    Ok(text) => Some(Received::Text(text)),
                    Err(_) => return Err(invalid_utf8()),
                },
                OpCode::Binary if head.fin && !compressed => Some(Received::Binary(payload)),
                opcode => self.fragment(opcode, compressed, head.fin, &payload)?,
            };
            if received.is_some() {
                return Ok(received);
            }
        }
    }

    /// Checks a frame against the message in progress and RSV1; says whether the message it
    /// belongs to is compressed.
    fn check_message_rules(&self, opcode: OpCode, rsv1: bool) -> Result<bool, Violation> {
        if rsv1 && self.inflater.is_none() {
            return Err(Violation::protocol(
                "reserved bits set (RSV1 without permessage-deflate)",
            ));
        }
        match opcode {
            _ if opcode.is_control() => {
                if rsv1 {
                    return Err(Violation::protocol("RSV1 set on a control frame"));
                }
                Ok(false)
            }
            OpCode::Continuation => match &self.partial {
                None => Err(Violation::protocol(
                    "continuation frame without a message to continue",
                )),
                Some(_) if rsv1 => Err(Violation::protocol("RSV1 set on a continuation frame")),
                Some(partial) => Ok(partial.compressed),
            },
            _ if self.partial.is_some() => Err(Violation::protocol(
                "new message before the fragmented one ended",
            )),
            _ => Ok(rsv1),
        }
    }

    /// Checks the UTF-8 of a text frame whose payload is still arriving, so that a bad sequence
    /// fails at once rather than when the frame ends (what Autobahn's 6.4.x cases ask for).
    /// Uncompressed frames only, that continue no incomplete sequence. A masked frame (a client's,
    /// to a server) is unmasked in place as its bytes arrive, each byte once.
    fn check_arriving_text(&mut self, head: &Head, compressed: bool) -> Result<(), Violation> {
        let text = match head.opcode {
            OpCode::Text => true,
            OpCode::Continuation => self
                .partial
                .as_ref()
                .is_some_and(|p| p.text && p.checked == p.data.len()),
            _ => false,
        };
        if !text || compressed {
            return Ok(());
        }
        // Only this frame's payload is in the buffer past its head: the frame is incomplete.
        let payload = &mut self.buffer[head.size..];
        if let Some(key) = head.mask {
            let done = self.frame_unmasked;
            super::frame::apply_mask(&mut payload[done..], key, done);
            self.frame_unmasked = payload.len();
        }
        check_utf8(payload, &mut self.frame_checked, false)
    }

    /// Adds a data frame to the message being assembled; returns the message once whole.
    fn fragment(
        &mut self,
        opcode: OpCode,
        compressed: bool,
        fin: bool,
        payload: &[u8],
    ) -> Result<Option<Received>, Violation> {
        let limit = self.limit;
        let partial = self.partial.get_or_insert_with(|| Partial {
            text: opcode == OpCode::Text,
            compressed,
            data: Vec::new(),
            checked: 0,
        });
        match (&mut self.inflater, compressed) {
            (Some(inflater), true) => {
                inflater
                    .inflate(payload, &mut partial.data, limit)
                    .map_err(Violation::from)?;
                if fin {
                    inflater
                        .finish(&mut partial.data, limit)
                        .map_err(Violation::from)?;
                }
            }
            _ => partial.data.extend_from_slice(payload),
        }
        if partial.text {
            check_utf8(&partial.data, &mut partial.checked, fin)?;
        }
        if !fin {
            return Ok(None);
        }
        let Some(partial) = self.partial.take() else {
            return Ok(None);
        };
        let data = Bytes::from(partial.data);
        Ok(Some(if partial.text {
            Received::Text(Utf8Bytes::try_from(data).map_err(|_| invalid_utf8())?)
        } else {
            Received::Binary(data)
        }))
    }
}

/// Checks the UTF-8 of `data` past `checked`, failing on the first invalid sequence (not at the
/// end of the message); an incomplete sequence at the end is only an error when `complete`.
fn check_utf8(data: &[u8], checked: &mut usize, complete: bool) -> Result<(), Violation> {
    match std::str::from_utf8(&data[*checked..]) {
        Ok(_) => *checked = data.len(),
        Err(e) if e.error_len().is_none() && !complete => *checked += e.valid_up_to(),
        Err(_) => return Err(invalid_utf8()),
    }
    Ok(())
}

fn invalid_utf8() -> Violation {
    Violation::invalid_payload("invalid UTF-8 in a text message")
}

#[cfg(test)]
mod tests;
