//! Frame heads (RFC 6455 §5.2) and masking. A head is parsed from the start of a buffer without
//! copying anything; the payload stays where it is until the receiver takes it.

use super::Violation;

/// The longest head: 2 bytes, an 8-byte length and a 4-byte mask.
pub const MAX_HEAD: usize = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpCode {
    Continuation,
    Text,
    Binary,
    Close,
    Ping,
    Pong,
}

impl OpCode {
    fn from_bits(bits: u8) -> Option<OpCode> {
        Some(match bits {
            0 => OpCode::Continuation,
            1 => OpCode::Text,
            2 => OpCode::Binary,
            8 => OpCode::Close,
            9 => OpCode::Ping,
            10 => OpCode::Pong,
            _ => return None,
        })
    }

    fn bits(self) -> u8 {
        match self {
            OpCode::Continuation => 0,
            OpCode::Text => 1,
            OpCode::Binary => 2,
            OpCode::Close => 8,
            OpCode::Ping => 9,
            OpCode::Pong => 10,
        }
    }

    pub fn is_control(self) -> bool {
        matches!(self, OpCode::Close | OpCode::Ping | OpCode::Pong)
    }
}

/// A parsed frame head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub fin: bool,
    /// RSV1: "this message is compressed" under permessage-deflate.
    pub rsv1: bool,
    pub opcode: OpCode,
    pub mask: Option<[u8; 4]>,
    /// The payload length as announced (not yet checked against any limit).
    pub len: u64,
    /// How many bytes the head itself takes.
    pub size: usize,
}

/// Parses the head at the start of `buf`: `Ok(None)` until enough bytes are there. Checks what
/// the head alone can tell: RSV2/RSV3, the opcode, and the control-frame rules.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, Violation> {
    let [first, second, ..] = *buf else {
        return Ok(None);
    };
    if first & 0x30 != 0 {
        return Err(Violation::protocol("reserved bits set (RSV2/RSV3)"));
    }
    let opcode = OpCode::from_bits(first & 0x0f)
        .ok_or_else(|| Violation::protocol(format!("unknown opcode {}", first & 0x0f)))?;
    let fin = first & 0x80 != 0;
    let masked = second & 0x80 != 0;
    let (len, mut size) = match second & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            Some(b) => (u64::from_be_bytes(b), 10),
            None => return Ok(None),
        },
        short => (u64::from(short), 2),
    };
    if len >> 63 != 0 {
        return Err(Violation::protocol("frame length with its top bit set"));
    }
    if opcode.is_control() {
        if !fin {
            return Err(Violation::protocol("fragmented control frame"));
        }
        if len > 125 {
            return Err(Violation::protocol("control frame over 125 bytes"));
        }
    }
    let mask = if masked {
        let Some(key) = buf.get(size..size + 4) else {
            return Ok(None);
        };
        size += 4;
        Some([key[0], key[1], key[2], key[3]])
    } else {
        None
    };
    Ok(Some(Head {
        fin,
        rsv1: first & 0x40 != 0,
        opcode,
        mask,
        len,
        size,
    }))
}

/// Appends a frame head to `out`, with the shortest length encoding (RFC 6455 §5.2 requires it),
/// and says how long the whole frame is. The head is built on the stack and appended at once:
/// this runs for every message sent.
pub fn write_head(
    out: &mut Vec<u8>,
    fin: bool,
    rsv1: bool,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    len: usize,
) -> usize {
    let mut head = [0u8; MAX_HEAD];
    head[0] = u8::from(fin) << 7 | u8::from(rsv1) << 6 | opcode.bits();
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut size = match len {
        0..=125 => {
            head[1] = mask_bit | len as u8;
            2
        }
        126..=0xffff => {
            head[1] = mask_bit | 126;
            head[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            4
        }
        _ => {
            head[1] = mask_bit | 127;
            head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            10
        }
    };
    if let Some(key) = mask {
        head[size..size + 4].copy_from_slice(&key);
        size += 4;
    }
    out.extend_from_slice(&head[..size]);
    size + len
}

/// XORs `data` with the mask `key`, as if `data` started `offset` bytes into the payload. Eight
/// bytes at a time: masking must not be what limits throughput.
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    // The key as seen from `offset`: byte i of the result is byte (offset + i) % 4 of the key.
    let key = u32::from_le_bytes(key)
        .rotate_right(8 * (offset % 4) as u32)
        .to_le_bytes();
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
    }
    for (i, byte) in chunks.into_remainder().iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(bytes: &[u8]) -> Head {
        parse_head(bytes).unwrap().unwrap()
    }

    #[test]
    fn short_medium_and_long_lengths_round_trip() {
        for len in [0usize, 1, 125, 126, 127, 0xffff, 0x10000, 1 << 33] {
            let mut out = Vec::new();
            let frame = write_head(
                &mut out,
                true,
                false,
                OpCode::Binary,
                Some([1, 2, 3, 4]),
                len,
            );
            assert_eq!(frame, out.len() + len, "the whole frame's length");
            let parsed = head(&out);
            assert_eq!(parsed.len, len as u64);
            assert_eq!(parsed.size, out.len());
            assert_eq!(parsed.mask, Some([1, 2, 3, 4]));
            let expected_size = match len {
                0..=125 => 6,
                126..=0xffff => 8,
                _ => 14,
            };
            assert_eq!(out.len(), expected_size, "shortest encoding for {len}");
        }
    }

    #[test]
    fn incomplete_heads_ask_for_more() {
        let mut out = Vec::new();
        write_head(&mut out, true, false, OpCode::Text, Some([9; 4]), 70000);
        for cut in 0..out.len() {
            assert_eq!(parse_head(&out[..cut]), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn the_rfc_examples_parse() {
        // RFC 6455 §5.7: unmasked "Hello", masked "Hello", a ping.
        let h = head(&[0x81, 0x05, 0x48, 0x65]);
        assert!(h.fin && h.opcode == OpCode::Text && h.len == 5 && h.mask.is_none());
        let masked = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let h = head(&masked);
        let mut payload = masked[h.size..].to_vec();
        apply_mask(&mut payload, h.mask.unwrap(), 0);
        assert_eq!(payload, b"Hello");
        assert!(!head(&[0x01, 0x03]).fin);
        assert_eq!(head(&[0x89, 0x05]).opcode, OpCode::Ping);
        let h = head(&[0x82, 0x7e, 0x01, 0x00]);
        assert_eq!((h.len, h.size), (256, 4));
    }

    #[test]
    fn broken_rules_in_the_head_are_violations() {
        let words = |bytes: &[u8]| parse_head(bytes).unwrap_err().words;
        assert_eq!(words(&[0xa1, 0]), "reserved bits set (RSV2/RSV3)");
        assert_eq!(words(&[0x91, 0]), "reserved bits set (RSV2/RSV3)");
        assert_eq!(words(&[0x83, 0]), "unknown opcode 3");
        assert_eq!(words(&[0x8f, 0]), "unknown opcode 15");
        assert_eq!(words(&[0x09, 0]), "fragmented control frame");
        assert_eq!(words(&[0x88, 126, 0, 126]), "control frame over 125 bytes");
        assert_eq!(
            head(&[0x89, 125]).len,
            125,
            "125 bytes is the most, and allowed"
        );
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(words(&huge), "frame length with its top bit set");
        // RSV1 is the receiver's to judge: it depends on the negotiated extension.
        assert!(head(&[0xc1, 0]).rsv1);
    }

    #[test]
    fn masking_in_pieces_equals_masking_at_once() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let key = [0xde, 0xad, 0xbe, 0xef];
        let mut whole = data.clone();
        apply_mask(&mut whole, key, 0);
        for (i, (a, b)) in whole.iter().zip(&data).enumerate() {
            assert_eq!(*a, b ^ key[i % 4]);
        }
        let mut pieces = data.clone();
        let mut offset = 0;
        for size in [1, 3, 8, 13, 100, 875] {
            apply_mask(&mut pieces[offset..offset + size], key, offset);
            offset += size;
        }
        assert_eq!(pieces, whole);
    }
}
