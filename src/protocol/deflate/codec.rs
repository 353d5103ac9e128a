//! Compressing and inflating whole messages (RFC 7692 §7.2): raw DEFLATE, each message ended by
//! a sync flush whose `00 00 ff ff` tail is left off on the wire and put back by the receiver.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::DeflateParams;
use crate::protocol::{Role, Violation};

/// The end of a sync flush (an empty stored block), which senders strip from each message.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The first buffer an inflated message gets; it doubles from there.
const FIRST_CHUNK: usize = 4096;

impl DeflateParams {
    /// The window bits and the per-message reset that apply to what `sender` sends.
    fn sent_by(&self, sender: Role) -> (u8, bool) {
        match sender {
            Role::Client => (self.client_max_window_bits, self.client_no_context_takeover),
            Role::Server => (self.server_max_window_bits, self.server_no_context_takeover),
        }
    }
}

/// Compresses whole messages in the direction this role sends.
pub struct Compressor {
    deflate: Compress,
    no_context_takeover: bool,
}

impl Compressor {
    /// None when the agreed window is one zlib cannot honour: raw deflate takes 9 to 15 bits
    /// (asked for 8 it would use 9, too big for a peer holding us to 8). Messages then go out
    /// uncompressed, which RFC 7692 allows message by message.
    pub fn new(params: &DeflateParams, role: Role) -> Option<Compressor> {
        let (bits, no_context_takeover) = params.sent_by(role);
        (9..=15).contains(&bits).then(|| Compressor {
            deflate: Compress::new_with_window_bits(Compression::default(), false, bits),
            no_context_takeover,
        })
    }

    /// Appends the compressed payload of one whole message to `out`: blocks with BFINAL 0 and
    /// a sync flush, its `00 00 ff ff` tail removed; then forgets this message if we agreed to
    /// no context takeover.
    pub fn compress(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let mut input = payload;
        loop {
            out.reserve(input.len().min(1 << 16) + 64);
            let before = self.deflate.total_in();
            // zlib errs only on misuse (input after a Finish flush), which never happens here.
            let Ok(_) = self.deflate.compress_vec(input, out, FlushCompress::Sync) else {
                break;
            };
            input = &input[(self.deflate.total_in() - before) as usize..];
            // Room left over means the flush is complete.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        // §7.2.1: the data ends with an empty stored block, sent without its last 4 bytes.
        // zlib's sync flush writes one, except for an empty message right after a flush, which
        // gets nothing: then the block is sent as its lone first byte (§7.2.3.6).
        if out[start..].ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        } else {
            out.push(0x00);
        }
        if self.no_context_takeover {
            self.deflate.reset();
        }
    }
}

/// Why a compressed message could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InflateError {
    /// It inflates to more than `limit` bytes.
    TooBig { limit: usize },
    /// It is not valid DEFLATE data (zlib's words).
    Corrupt(String),
}

impl From<InflateError> for Violation {
    fn from(error: InflateError) -> Violation {
        match error {
            InflateError::TooBig { limit } => Violation::too_big(format!(
                "a compressed message that inflates to more than {} (--max-message-size)",
                crate::words::plural(limit as u64, "byte")
            )),
            InflateError::Corrupt(words) => {
                Violation::invalid_payload(format!("invalid compressed data: {words}"))
            }
        }
    }
}

/// Inflates messages in the direction this role receives, in bounded steps.
pub struct Decompressor {
    inflate: Decompress,
    no_context_takeover: bool,
    /// The message held a block with BFINAL 1 (RFC 7692 §7.2.3.4): the DEFLATE stream is over,
    /// what follows in this message is ignored, and the next message starts a new stream.
    ended: bool,
}

impl Decompressor {
    /// A 15-bit window decodes what any smaller window made, so the agreed size needs no check.
    pub fn new(params: &DeflateParams, role: Role) -> Decompressor {
        let sender = match role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        Decompressor {
            inflate: Decompress::new(false),
            no_context_takeover: params.sent_by(sender).1,
            ended: false,
        }
    }

    /// Inflates the next piece (a frame's payload) of one compressed message, appending to
    /// `out`. Past `limit` bytes in `out`, Err(TooBig): `out` grows by doubling but never beyond
    /// `limit + 1` bytes of capacity, so a small bomb costs at most about `limit` of memory.
    pub fn inflate(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), InflateError> {
        let mut more = !input.is_empty();
        loop {
            if out.len() > limit {
                return Err(InflateError::TooBig { limit });
            }
            if !more || self.ended {
                return Ok(());
            }
            if out.len() == out.capacity() {
                // Doubling keeps copies few for big messages; one byte past the limit is
                // enough to tell that a message is too big.
                let capacity = (out.capacity().saturating_mul(2))
                    .max(FIRST_CHUNK)
                    .min(limit.saturating_add(1));
                out.reserve_exact(capacity - out.len());
            }
            let before = self.inflate.total_in();
            let status = self
                .inflate
                .decompress_vec(input, out, FlushDecompress::Sync)
                .map_err(|error| {
                    InflateError::Corrupt(error.message().unwrap_or("bad deflate data").to_owned())
                })?;
            input = &input[(self.inflate.total_in() - before) as usize..];
            self.ended = status == Status::StreamEnd;
            // zlib stops when it runs out of input or of room; only the second needs a new round.
            more = out.len() == out.capacity();
        }
    }

    /// Ends the message: feeds the `00 00 ff ff` tail, then forgets the message if the peer
    /// agreed to no context takeover.
    pub fn finish(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<(), InflateError> {
        self.inflate(&TAIL, out, limit)?;
        if std::mem::take(&mut self.ended) || self.no_context_takeover {
            self.inflate.reset(false);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &[u8] = &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

    fn params(bits: u8, no_context_takeover: bool) -> DeflateParams {
        DeflateParams {
            client_max_window_bits: bits,
            server_max_window_bits: bits,
            client_no_context_takeover: no_context_takeover,
            server_no_context_takeover: no_context_takeover,
        }
    }

    fn compress(compressor: &mut Compressor, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        compressor.compress(payload, &mut out);
        out
    }

    /// Inflates one whole message given in `pieces`, with no practical limit.
    fn inflate(decompressor: &mut Decompressor, pieces: &[&[u8]]) -> Result<Vec<u8>, InflateError> {
        let mut out = Vec::new();
        for piece in pieces {
            decompressor.inflate(piece, &mut out, usize::MAX)?;
        }
        decompressor.finish(&mut out, usize::MAX)?;
        Ok(out)
    }

    /// Messages with long repeats, some farther apart than a small window reaches.
    fn messages() -> Vec<Vec<u8>> {
        let mut noise = Vec::new();
        let mut x: u32 = 1;
        for _ in 0..3000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push((x >> 24) as u8);
        }
        let text = b"permessage-deflate keeps a window of recent bytes. ".repeat(40);
        vec![
            text.clone(),
            noise.repeat(3),
            Vec::new(),
            text,
            b"{\"id\":1}".to_vec(),
            noise,
            Vec::new(),
        ]
    }

    // RFC 7692 §7.2.3.1: "Hello" with a fresh context.
    #[test]
    fn hello_compresses_as_in_the_rfc() {
        let mut compressor = Compressor::new(&DeflateParams::default(), Role::Client).unwrap();
        assert_eq!(compress(&mut compressor, b"Hello"), HELLO);
    }

    // RFC 7692 §7.2.3.2: the second "Hello" refers back to the first.
    #[test]
    fn context_takeover_matches_the_rfc() {
        let mut compressor = Compressor::new(&DeflateParams::default(), Role::Server).unwrap();
        assert_eq!(compress(&mut compressor, b"Hello"), HELLO);
        assert_eq!(
            compress(&mut compressor, b"Hello"),
            [0xf2, 0x00, 0x11, 0x00, 0x00]
        );

        let mut decompressor = Decompressor::new(&DeflateParams::default(), Role::Client);
        assert_eq!(inflate(&mut decompressor, &[HELLO]).unwrap(), b"Hello");
        assert_eq!(
            inflate(&mut decompressor, &[&[0xf2, 0x00, 0x11, 0x00, 0x00]]).unwrap(),
            b"Hello"
        );
    }

    #[test]
    fn inflates_the_rfc_examples() {
        let plain = DeflateParams::default();
        #[rustfmt::skip]
        let table: [&[&[u8]]; 4] = [
            // §7.2.3.1, in two frames.
            &[&[0xf2, 0x48, 0xcd], &[0xc9, 0xc9, 0x07, 0x00]],
            // §7.2.3.3: a block with no compression.
            &[&[0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]],
            // §7.2.3.4: a block with BFINAL set to 1.
            &[&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]],
            // §7.2.3.5: two blocks in one message.
            &[&[0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00]],
        ];
        for pieces in table {
            let mut decompressor = Decompressor::new(&plain, Role::Server);
            assert_eq!(
                inflate(&mut decompressor, pieces).unwrap(),
                b"Hello",
                "{pieces:x?}"
            );
            // The context is still good (or, after BFINAL 1, fresh) for the next message.
            assert_eq!(
                inflate(&mut decompressor, &[HELLO]).unwrap(),
                b"Hello",
                "{pieces:x?}"
            );
        }
    }

    // After a block with BFINAL 1 the stream is over: the rest of the message is not read,
    // and the next message starts a new stream.
    #[test]
    fn a_final_block_ends_the_stream() {
        let mut decompressor = Decompressor::new(&DeflateParams::default(), Role::Client);
        let final_hello = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(
            inflate(&mut decompressor, &[&final_hello, &[0xff, 0xff]]).unwrap(),
            b"Hello"
        );
        assert!(matches!(
            inflate(&mut decompressor, &[&[0xf2, 0x00, 0x11, 0x00, 0x00]]),
            Err(InflateError::Corrupt(_))
        ));
    }

    #[test]
    fn empty_messages_round_trip() {
        for no_context_takeover in [false, true] {
            let agreed = params(15, no_context_takeover);
            let mut compressor = Compressor::new(&agreed, Role::Client).unwrap();
            let mut decompressor = Decompressor::new(&agreed, Role::Server);
            // §7.2.3.6: an empty message is a lone 00 (zlib alone sends nothing after a flush).
            for payload in [&b""[..], b"", b"Hello", b"", b"", b"Hello"] {
                let compressed = compress(&mut compressor, payload);
                if payload.is_empty() {
                    assert_eq!(compressed, [0x00]);
                }
                assert_eq!(inflate(&mut decompressor, &[&compressed]).unwrap(), payload);
            }
        }
        let mut decompressor = Decompressor::new(&DeflateParams::default(), Role::Client);
        assert_eq!(inflate(&mut decompressor, &[&[0x00]]).unwrap(), b"");
    }

    #[test]
    fn round_trips_every_window_both_roles() {
        for bits in 9..=15 {
            for no_context_takeover in [false, true] {
                for role in [Role::Client, Role::Server] {
                    let agreed = params(bits, no_context_takeover);
                    let peer = match role {
                        Role::Client => Role::Server,
                        Role::Server => Role::Client,
                    };
                    let mut compressor = Compressor::new(&agreed, role).unwrap();
                    let mut decompressor = Decompressor::new(&agreed, peer);
                    // A peer inflating with exactly the agreed window proves we kept within it.
                    let mut strict = Decompress::new_with_window_bits(false, bits);
                    for message in messages() {
                        let compressed = compress(&mut compressor, &message);
                        assert!(!compressed.ends_with(&TAIL));
                        let inflated = inflate(&mut decompressor, &[&compressed]).unwrap();
                        assert_eq!(inflated, message, "{bits} bits, {role:?}");

                        let mut strict_out = Vec::with_capacity(message.len() + 64);
                        let whole = [compressed, TAIL.to_vec()].concat();
                        strict
                            .decompress_vec(&whole, &mut strict_out, FlushDecompress::Sync)
                            .unwrap();
                        assert_eq!(strict_out, message, "{bits} bits, {role:?}");
                        if no_context_takeover {
                            strict.reset(false);
                        }
                    }
                }
            }
        }
    }

    // Repeats 700 bytes apart: zlib reaches back 262 bytes less than the window, so 9 bits
    // (250 bytes) cannot find them, and 10 bits (762 bytes) can.
    #[test]
    fn the_agreed_window_is_the_one_used() {
        let message = messages()[1][..700].repeat(4);
        let size = |bits| {
            let mut compressor = Compressor::new(&params(bits, false), Role::Client).unwrap();
            compress(&mut compressor, &message).len()
        };
        assert!(size(9) > 2700, "{}", size(9));
        assert!(size(10) < 1500, "{}", size(10));
    }

    #[test]
    fn each_role_compresses_with_its_own_params() {
        let agreed = DeflateParams {
            client_max_window_bits: 8,
            client_no_context_takeover: true,
            ..DeflateParams::default()
        };
        // zlib cannot keep to an 8-bit window: the client sends uncompressed, the server not.
        assert!(Compressor::new(&agreed, Role::Client).is_none());
        let mut server = Compressor::new(&agreed, Role::Server).unwrap();
        assert_eq!(compress(&mut server, b"Hello"), HELLO);
        assert_eq!(
            compress(&mut server, b"Hello"),
            [0xf2, 0x00, 0x11, 0x00, 0x00]
        );

        let agreed = params(15, false);
        let agreed = DeflateParams {
            client_no_context_takeover: true,
            ..agreed
        };
        let mut client = Compressor::new(&agreed, Role::Client).unwrap();
        assert_eq!(compress(&mut client, b"Hello"), HELLO);
        assert_eq!(compress(&mut client, b"Hello"), HELLO);
    }

    // A receiver forgets each message only when the sender agreed to: the second RFC "Hello"
    // refers back to the first, so it inflates only if the context was kept.
    #[test]
    fn each_role_inflates_with_the_senders_params() {
        let second = &[0xf2, 0x00, 0x11, 0x00, 0x00][..];
        for (role, client_nct, server_nct, kept) in [
            (Role::Client, true, false, true),
            (Role::Client, false, true, false),
            (Role::Server, false, true, true),
            (Role::Server, true, false, false),
        ] {
            let agreed = DeflateParams {
                client_no_context_takeover: client_nct,
                server_no_context_takeover: server_nct,
                ..DeflateParams::default()
            };
            let mut decompressor = Decompressor::new(&agreed, role);
            assert_eq!(inflate(&mut decompressor, &[HELLO]).unwrap(), b"Hello");
            let result = inflate(&mut decompressor, &[second]);
            assert_eq!(
                result.is_ok(),
                kept,
                "{role:?} {client_nct} {server_nct}: {result:?}"
            );
        }
    }

    #[test]
    fn inflating_in_pieces_equals_inflating_at_once() {
        let mut compressor = Compressor::new(&DeflateParams::default(), Role::Server).unwrap();
        let mut at_once = Decompressor::new(&DeflateParams::default(), Role::Client);
        let mut by_bytes = Decompressor::new(&DeflateParams::default(), Role::Client);
        let mut by_sevens = Decompressor::new(&DeflateParams::default(), Role::Client);
        for message in messages() {
            let compressed = compress(&mut compressor, &message);
            let whole = inflate(&mut at_once, &[&compressed]).unwrap();
            let bytes: Vec<&[u8]> = compressed.chunks(1).collect();
            let sevens: Vec<&[u8]> = compressed.chunks(7).collect();
            assert_eq!(whole, message);
            assert_eq!(inflate(&mut by_bytes, &bytes).unwrap(), message);
            assert_eq!(inflate(&mut by_sevens, &sevens).unwrap(), message);
        }
    }

    #[test]
    fn a_decompression_bomb_stops_at_the_limit() {
        let mut compressor = Compressor::new(&DeflateParams::default(), Role::Server).unwrap();
        let bomb = compress(&mut compressor, &vec![0; 10 << 20]);
        assert!(bomb.len() < 20 << 10, "{}", bomb.len());
        let limit = 1 << 20;
        for piece_size in [bomb.len(), 1000] {
            let mut decompressor = Decompressor::new(&DeflateParams::default(), Role::Client);
            let mut out = Vec::new();
            let result: Result<(), InflateError> = bomb
                .chunks(piece_size)
                .try_for_each(|piece| decompressor.inflate(piece, &mut out, limit));
            assert_eq!(result, Err(InflateError::TooBig { limit }));
            assert!(out.capacity() <= limit + 1, "{}", out.capacity());
        }
    }

    #[test]
    fn the_limit_is_inclusive() {
        let message = messages()[0].clone();
        let mut compressor = Compressor::new(&params(15, true), Role::Client).unwrap();
        let compressed = compress(&mut compressor, &message);
        for (limit, fits) in [(message.len(), true), (message.len() - 1, false)] {
            let mut decompressor = Decompressor::new(&params(15, true), Role::Server);
            let mut out = Vec::new();
            let result = decompressor
                .inflate(&compressed, &mut out, limit)
                .and_then(|()| decompressor.finish(&mut out, limit));
            assert_eq!(result.is_ok(), fits, "{limit}: {result:?}");
            assert!(out.capacity() <= limit + 1);
        }
        // The limit counts what `out` already holds (the earlier frames of the message).
        let mut decompressor = Decompressor::new(&params(15, true), Role::Server);
        let mut out = vec![b'x'; 10];
        let result = decompressor.inflate(&compressed, &mut out, message.len() + 9);
        assert_eq!(
            result,
            Err(InflateError::TooBig {
                limit: message.len() + 9
            })
        );
    }

    #[test]
    fn corrupt_data_is_an_error() {
        #[rustfmt::skip]
        let table: [(&[u8], &str); 3] = [
            (&[0x06], "invalid block type"),                              // type 11 does not exist
            (&[0xf2, 0x00, 0x11, 0x00, 0x00], "invalid distance too far back"), // nothing behind it
            (&[0x00, 0x05, 0x00, 0x00, 0x00], "invalid stored block lengths"),  // NLEN is not !LEN
        ];
        for (data, words) in table {
            let mut decompressor = Decompressor::new(&DeflateParams::default(), Role::Client);
            let error = InflateError::Corrupt(words.to_owned());
            assert_eq!(inflate(&mut decompressor, &[data]), Err(error));
        }
    }

    #[test]
    fn errors_become_close_codes() {
        let too_big = Violation::from(InflateError::TooBig { limit: 1024 });
        assert_eq!(too_big.code, 1009);
        assert!(too_big.words.contains("1024 bytes"), "{}", too_big.words);
        let corrupt = Violation::from(InflateError::Corrupt("invalid block type".into()));
        assert_eq!(corrupt.code, 1007);
        assert_eq!(corrupt.words, "invalid compressed data: invalid block type");
    }
}
