use super::*;
use crate::protocol::deflate::{Compressor, DeflateParams};
use crate::protocol::frame::write_head;

const LIMIT: usize = 1 << 20;

/// A server-to-client frame (unmasked).
fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let opcode = match first & 0x0f {
        0 => OpCode::Continuation,
        1 => OpCode::Text,
        2 => OpCode::Binary,
        8 => OpCode::Close,
        9 => OpCode::Ping,
        _ => OpCode::Pong,
    };
    write_head(
        &mut out,
        first & 0x80 != 0,
        first & 0x40 != 0,
        opcode,
        None,
        payload.len(),
    );
    out.extend_from_slice(payload);
    out
}

fn client() -> Receiver {
    Receiver::new(Role::Client, LIMIT, None, &[])
}

/// Everything `bytes` holds for a client, fed in pieces of `step` bytes.
fn feed(bytes: &[u8], step: usize) -> Result<Vec<Received>, Violation> {
    let mut receiver = client();
    let mut out = Vec::new();
    for piece in bytes.chunks(step.max(1)) {
        receiver.read_buffer().extend_from_slice(piece);
        while let Some(received) = receiver.decode()? {
            out.push(received);
        }
    }
    Ok(out)
}

fn text(s: &str) -> Received {
    Received::Text(s.into())
}

fn violation(bytes: &[u8]) -> Violation {
    feed(bytes, bytes.len()).unwrap_err()
}

#[test]
fn messages_come_out_whole_however_the_bytes_arrive() {
    let mut bytes = frame(0x81, b"Hello");
    bytes.extend(frame(0x01, b"Hel"));
    bytes.extend(frame(0x89, b"ping in between"));
    bytes.extend(frame(0x00, b"l"));
    bytes.extend(frame(0x80, b"o"));
    bytes.extend(frame(0x82, &[0xff; 300]));
    bytes.extend(frame(0x8a, b""));
    bytes.extend(frame(0x88, b"\x03\xe8bye"));
    let expected = vec![
        text("Hello"),
        Received::Ping(Bytes::from_static(b"ping in between")),
        text("Hello"),
        Received::Binary(Bytes::from(vec![0xff; 300])),
        Received::Pong(Bytes::new()),
        Received::Close(Some((1000, "bye".into()))),
    ];
    for step in [1, 2, 3, 7, 64, bytes.len()] {
        assert_eq!(feed(&bytes, step).unwrap(), expected, "step {step}");
    }
}

#[test]
fn a_single_frame_payload_is_not_copied() {
    // Binary and text alike: the payload handed out points into the read buffer.
    for first in [0x82, 0x81] {
        let mut receiver = client();
        let buffer = receiver.read_buffer();
        buffer.extend_from_slice(&frame(first, &[b'a'; 1000]));
        let start = buffer.as_ptr() as usize;
        let payload = match receiver.decode().unwrap() {
            Some(Received::Binary(payload)) => payload.as_ptr(),
            Some(Received::Text(text)) => text.as_str().as_ptr(),
            other => panic!("a message expected: {other:?}"),
        };
        assert_eq!(payload as usize, start + 4, "first byte {first:#x}");
    }
}

#[test]
fn bytes_that_came_with_the_handshake_are_decoded_first() {
    let mut receiver = Receiver::new(Role::Client, LIMIT, None, &frame(0x81, b"early"));
    assert_eq!(receiver.decode().unwrap(), Some(text("early")));
    assert_eq!(receiver.decode().unwrap(), None);
}

#[test]
fn invalid_utf8_fails_on_the_first_bad_fragment() {
    let mut receiver = client();
    receiver
        .read_buffer()
        .extend(frame(0x01, b"ok \xce\xba\xff"));
    let err = receiver.decode().unwrap_err();
    assert_eq!(
        (err.code, err.words.as_str()),
        (1007, "invalid UTF-8 in a text message")
    );
    assert_eq!(violation(&frame(0x81, b"\xc3\x28")).code, 1007);
}

#[test]
fn invalid_utf8_fails_before_its_frame_has_arrived() {
    // A 100-byte text frame of which only "ok \xff" has come yet.
    let mut receiver = client();
    receiver
        .read_buffer()
        .extend_from_slice(&[0x81, 100, b'o', b'k']);
    assert_eq!(receiver.decode(), Ok(None));
    receiver.read_buffer().extend_from_slice(&[0xce]);
    assert_eq!(
        receiver.decode(),
        Ok(None),
        "an incomplete sequence may still complete"
    );
    receiver
        .read_buffer()
        .extend_from_slice(&[0xba, b' ', 0xff]);
    assert_eq!(receiver.decode().unwrap_err().code, 1007);
}

#[test]
fn an_arriving_continuation_is_checked_only_where_its_text_can_be_judged() {
    // A text message's continuation fails as soon as a bad byte arrives...
    let mut receiver = client();
    receiver.read_buffer().extend(frame(0x01, b"ok"));
    receiver
        .read_buffer()
        .extend_from_slice(&[0x80, 100, b' ', 0xff]);
    assert_eq!(receiver.decode().unwrap_err().code, 1007);
    // ...but a binary one is not text, and a continuation that finishes a sequence the first
    // fragment began is judged once whole.
    for (first, rest) in [
        (0x02, b"\xff\xfe".as_slice()),
        (0x01, b"\xba ok".as_slice()),
    ] {
        let mut receiver = client();
        let opening: &[u8] = if first == 0x01 { b"\xce" } else { b"\x00" };
        receiver.read_buffer().extend(frame(first, opening));
        let mut continuation = frame(0x80, &[b'.'; 100]);
        continuation[2..2 + rest.len()].copy_from_slice(rest);
        receiver
            .read_buffer()
            .extend_from_slice(&continuation[..2 + rest.len()]);
        assert_eq!(
            receiver.decode(),
            Ok(None),
            "first byte {first:#x}: not judged yet"
        );
        receiver
            .read_buffer()
            .extend_from_slice(&continuation[2 + rest.len()..]);
        assert!(
            receiver.decode().unwrap().is_some(),
            "first byte {first:#x}: whole"
        );
    }
}

/// A client-to-server frame, masked with `key`: `frame`'s head with the mask bit and key.
fn masked(first: u8, key: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let plain = frame(first, payload);
    let size = plain.len() - payload.len();
    let mut out = plain[..size].to_vec();
    out[1] |= 0x80;
    out.extend_from_slice(&key);
    let mut body = payload.to_vec();
    crate::protocol::frame::apply_mask(&mut body, key, 0);
    out.extend(body);
    out
}

/// Everything `bytes` holds for a server, fed in pieces of `step` bytes.
fn feed_server(bytes: &[u8], step: usize) -> Result<Vec<Received>, Violation> {
    let mut receiver = Receiver::new(Role::Server, LIMIT, None, &[]);
    let mut out = Vec::new();
    for piece in bytes.chunks(step.max(1)) {
        receiver.read_buffer().extend_from_slice(piece);
        while let Some(received) = receiver.decode()? {
            out.push(received);
        }
    }
    Ok(out)
}

#[test]
fn invalid_utf8_fails_before_a_masked_frame_has_arrived() {
    // Autobahn 6.4.3 against a server: a 21-byte masked text frame of which the bytes up to
    // f4 90 80 80 (past U+10FFFF) have come; the rest would only come later.
    let key = [0x95, 0xdb, 0x33, 0xe3];
    let whole = masked(
        0x81,
        key,
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited",
    );
    let mut receiver = Receiver::new(Role::Server, LIMIT, None, &[]);
    receiver.read_buffer().extend_from_slice(&whole[..6 + 11]);
    assert_eq!(receiver.decode(), Ok(None), "valid so far");
    receiver.read_buffer().extend_from_slice(&whole[17..18]);
    assert_eq!(receiver.decode(), Ok(None), "f4 may start a sequence");
    receiver.read_buffer().extend_from_slice(&whole[18..21]);
    assert_eq!(receiver.decode().unwrap_err().code, 1007);
}

#[test]
fn masked_text_checked_as_it_arrives_is_unmasked_once() {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let mut bytes = masked(0x81, key, "κόσμε, unmasked right".as_bytes());
    bytes.extend(masked(0x01, [1, 2, 3, 4], b"frag"));
    bytes.extend(masked(0x89, [9, 9, 9, 9], b"ping"));
    bytes.extend(masked(0x80, [5, 6, 7, 8], "mented \u{10ffff}".as_bytes()));
    bytes.extend(masked(0x82, [0xff, 0, 0xff, 0], &[0xff; 100]));
    let expected = vec![
        text("κόσμε, unmasked right"),
        Received::Ping(Bytes::from_static(b"ping")),
        text("fragmented \u{10ffff}"),
        Received::Binary(Bytes::from(vec![0xff; 100])),
    ];
    for step in [1, 2, 3, 5, 7, 64, bytes.len()] {
        assert_eq!(feed_server(&bytes, step).unwrap(), expected, "step {step}");
    }
}

#[test]
fn a_sequence_split_across_fragments_is_valid_but_one_cut_short_is_not() {
    // "κ" is ce ba: its two bytes arrive in two fragments.
    let mut bytes = frame(0x01, b"\xce");
    bytes.extend(frame(0x80, b"\xba"));
    assert_eq!(feed(&bytes, 1).unwrap(), [text("κ")]);
    let mut cut = frame(0x01, b"a");
    cut.extend(frame(0x80, b"\xce"));
    assert_eq!(violation(&cut).code, 1007);
    assert_eq!(violation(&frame(0x81, b"\xe2\x82")).code, 1007);
}

#[test]
fn masking_follows_the_role() {
    let masked = vec![
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    assert_eq!(violation(&masked).words, "masked frame");
    let mut server = Receiver::new(Role::Server, LIMIT, None, &masked);
    assert_eq!(server.decode().unwrap(), Some(text("Hello")));
    let mut server = Receiver::new(Role::Server, LIMIT, None, &frame(0x81, b"x"));
    assert_eq!(server.decode().unwrap_err().words, "unmasked frame");
}

#[test]
fn fragment_order_rules() {
    assert_eq!(
        violation(&frame(0x80, b"x")).words,
        "continuation frame without a message to continue"
    );
    let mut bytes = frame(0x01, b"a");
    bytes.extend(frame(0x81, b"b"));
    assert_eq!(
        violation(&bytes).words,
        "new message before the fragmented one ended"
    );
}

#[test]
fn rsv1_needs_permessage_deflate() {
    assert_eq!(
        violation(&frame(0xc1, b"x")).words,
        "reserved bits set (RSV1 without permessage-deflate)"
    );
}

#[test]
fn limits_are_checked_before_the_payload_arrives() {
    let mut receiver = Receiver::new(Role::Client, 100, None, &[]);
    // Only the head of a 101-byte frame.
    receiver.read_buffer().extend_from_slice(&[0x82, 101]);
    let err = receiver.decode().unwrap_err();
    assert_eq!(err.code, 1009);
    assert_eq!(
        err.words,
        "a message of 101 bytes, over the limit of 100 (--max-message-size)"
    );
    // Fragments add up.
    let mut receiver = Receiver::new(Role::Client, 100, None, &[]);
    let buffer = receiver.read_buffer();
    buffer.extend(frame(0x02, &[0; 60]));
    buffer.extend(frame(0x80, &[0; 41]));
    assert_eq!(receiver.decode().unwrap_err().code, 1009);
    // Exactly the limit is fine.
    let mut receiver = Receiver::new(Role::Client, 100, None, &frame(0x82, &[0; 100]));
    assert!(matches!(receiver.decode(), Ok(Some(Received::Binary(_)))));
}

#[test]
fn every_read_gets_at_least_64_kib_of_room() {
    // Large reads keep a flood of small messages cheap: one read takes in hundreds of them.
    let mut receiver = client();
    let buffer = receiver.read_buffer();
    assert!(buffer.capacity() - buffer.len() >= 64 * 1024);
}

#[test]
fn a_hostile_length_reserves_nothing() {
    let mut head = vec![0x82, 127];
    head.extend_from_slice(&(1u64 << 40).to_be_bytes());
    let mut receiver = Receiver::new(Role::Client, LIMIT, None, &head);
    assert_eq!(receiver.decode().unwrap_err().code, 1009);
    assert!(receiver.read_buffer().capacity() < 4 * READ_CHUNK);
}

#[test]
fn a_huge_limit_still_reserves_a_bounded_buffer() {
    let mut head = vec![0x82, 127];
    head.extend_from_slice(&(1u64 << 50).to_be_bytes());
    let mut receiver = Receiver::new(Role::Client, usize::MAX >> 1, None, &head);
    assert_eq!(
        receiver.decode(),
        Ok(None),
        "waiting for a frame the user allowed"
    );
    assert!(receiver.read_buffer().capacity() <= MAX_RESERVE + head.len() + READ_CHUNK);
}

#[test]
fn close_frames_are_checked_and_end_the_stream() {
    assert_eq!(feed(&frame(0x88, b""), 1).unwrap(), [Received::Close(None)]);
    assert_eq!(violation(&frame(0x88, b"\x03")).code, 1002);
    assert_eq!(
        violation(&frame(0x88, b"\x03\xed")).words,
        "invalid close code 1005"
    );
    assert_eq!(violation(&frame(0x88, b"\x03\xe8\xff")).code, 1007);
    let mut after = frame(0x88, b"");
    after.extend(frame(0x81, b"too late"));
    after.extend([0xff, 0xff]);
    assert_eq!(feed(&after, 3).unwrap(), [Received::Close(None)]);
}

#[test]
fn wire_bytes_count_whole_frames() {
    let mut bytes = frame(0x81, b"abc");
    bytes.extend(frame(0x82, &[0; 200]));
    let mut receiver = Receiver::new(Role::Client, LIMIT, None, &bytes);
    while receiver.decode().unwrap().is_some() {}
    assert_eq!(receiver.wire_bytes, bytes.len() as u64);
}

// permessage-deflate

fn deflating_client(limit: usize) -> Receiver {
    let params = DeflateParams::default();
    Receiver::new(
        Role::Client,
        limit,
        Some(Decompressor::new(&params, Role::Client)),
        &[],
    )
}

fn feed_into(receiver: &mut Receiver, bytes: &[u8]) -> Result<Vec<Received>, Violation> {
    receiver.read_buffer().extend_from_slice(bytes);
    std::iter::from_fn(|| receiver.decode().transpose()).collect()
}

/// RFC 7692 §7.2.3.1: "Hello" compressed with a fresh context.
const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

#[test]
fn compressed_messages_are_inflated_whole_or_in_fragments() {
    let mut receiver = deflating_client(LIMIT);
    let mut bytes = frame(0xc1, &HELLO);
    // §7.2.3.2: the same message in two fragments; RSV1 only on the first.
    bytes.extend(frame(0x41, &HELLO[..3]));
    bytes.extend(frame(0x89, b"control frames may come in between"));
    bytes.extend(frame(0x80, &HELLO[3..]));
    // An uncompressed message is still fine: compression is per message.
    bytes.extend(frame(0x82, b"raw"));
    let received = feed_into(&mut receiver, &bytes).unwrap();
    assert_eq!(received[0], text("Hello"));
    assert_eq!(received[2], text("Hello"));
    assert_eq!(received[3], Received::Binary(Bytes::from_static(b"raw")));
    assert_eq!(receiver.wire_bytes, bytes.len() as u64);
}

#[test]
fn rsv1_is_only_allowed_on_the_first_frame_of_a_data_message() {
    let mut bytes = frame(0x41, &HELLO[..3]);
    bytes.extend(frame(0xc0, &HELLO[3..]));
    let err = feed_into(&mut deflating_client(LIMIT), &bytes).unwrap_err();
    assert_eq!(
        (err.code, err.words.as_str()),
        (1002, "RSV1 set on a continuation frame")
    );
    let err = feed_into(&mut deflating_client(LIMIT), &frame(0xc9, b"")).unwrap_err();
    assert_eq!(err.words, "RSV1 set on a control frame");
}

#[test]
fn a_decompression_bomb_stops_at_the_limit() {
    // 4 MiB of zeros compresses to a few KiB; the limit is 64 KiB of inflated data.
    let params = DeflateParams::default();
    let mut compressor = Compressor::new(&params, Role::Server).unwrap();
    let mut bomb = Vec::new();
    compressor.compress(&vec![0u8; 4 << 20], &mut bomb);
    assert!(bomb.len() < 64 * 1024);
    let err = feed_into(&mut deflating_client(64 * 1024), &frame(0xc2, &bomb)).unwrap_err();
    assert_eq!(err.code, 1009);
}

#[test]
fn corrupt_compressed_data_is_invalid_payload() {
    let err = feed_into(&mut deflating_client(LIMIT), &frame(0xc1, &[0xff; 8])).unwrap_err();
    assert_eq!(err.code, 1007);
    assert!(
        err.words.starts_with("invalid compressed data"),
        "{}",
        err.words
    );
}

#[test]
fn compressed_text_is_checked_for_utf8_after_inflating() {
    let params = DeflateParams::default();
    let mut compressor = Compressor::new(&params, Role::Server).unwrap();
    let mut bad = Vec::new();
    compressor.compress(b"ok \xff", &mut bad);
    let err = feed_into(&mut deflating_client(LIMIT), &frame(0xc1, &bad)).unwrap_err();
    assert_eq!(err.code, 1007);
}
