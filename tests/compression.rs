//! permessage-deflate end to end: wsc against a server built on the protocol core's server role
//! (tokio-tungstenite has no compression), and against raw answers that break the rules.

mod common;

use bytes::Bytes;
use common::*;
use rand::SeedableRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsc::protocol::Role;
use wsc::protocol::deflate::{Compressor, Decompressor, DeflateOffer};
use wsc::protocol::handshake;
use wsc::protocol::receive::{Received, Receiver};
use wsc::protocol::send::Sender;

/// What the compressing server saw.
#[derive(Debug)]
struct Seen {
    /// The client's Sec-WebSocket-Extensions offer.
    offer: Option<String>,
    messages: Vec<Received>,
    /// Payload bytes of the data messages, and the frame bytes they took on the wire.
    payload_bytes: u64,
    wire_bytes: u64,
}

/// A server that accepts permessage-deflate when offered, sends `first` (if any), echoes every
/// data message and answers the client's Close.
async fn deflate_server(first: Option<Vec<u8>>) -> Server<Seen> {
    tcp_server(move |mut tcp: TcpStream| async move {
        let mut buffer = Vec::new();
        let request = loop {
            assert_ne!(tcp.read_buf(&mut buffer).await.unwrap(), 0, "request");
            if let Some(request) = handshake::parse_request(&buffer).unwrap() {
                break request;
            }
        };
        let agreed = match &request.extensions {
            Some(offers) => DeflateOffer::default().answer(offers).unwrap(),
            None => None,
        };
        let answer = handshake::accept(&request, None, agreed.as_ref().map(|(_, v)| v.as_str()));
        tcp.write_all(&answer).await.unwrap();
        let params = agreed.map(|(params, _)| params);
        let inflater = params.map(|p| Decompressor::new(&p, Role::Server));
        let compressor = params.and_then(|p| Compressor::new(&p, Role::Server));
        let mut receiver =
            Receiver::new(Role::Server, 1 << 30, inflater, &buffer[request.head.len..]);
        let mut sender = Sender::new(
            Role::Server,
            rand::rngs::StdRng::seed_from_u64(1),
            compressor,
        );
        let mut out = Vec::new();
        if let Some(first) = first {
            // Pre-compressed by the caller: written as one RSV1 frame.
            let mut frame = vec![0xc2, 127];
            frame.extend_from_slice(&(first.len() as u64).to_be_bytes());
            frame.extend_from_slice(&first);
            tcp.write_all(&frame).await.unwrap();
        }
        let mut seen = Seen {
            offer: request.extensions.clone(),
            messages: Vec::new(),
            payload_bytes: 0,
            wire_bytes: 0,
        };
        'reading: loop {
            while let Some(received) = receiver.decode().unwrap() {
                match &received {
                    Received::Text(text) => {
                        seen.payload_bytes += text.len() as u64;
                        sender.message(true, Bytes::from(text.clone()), &mut out);
                    }
                    Received::Binary(data) => {
                        seen.payload_bytes += data.len() as u64;
                        sender.message(false, data.clone(), &mut out);
                    }
                    Received::Close(_) => {
                        sender.close(Some((1000, "")), &mut out);
                        seen.messages.push(received);
                        tcp.write_all(&out).await.unwrap();
                        break 'reading;
                    }
                    _ => {}
                }
                seen.messages.push(received);
            }
            tcp.write_all(&out).await.unwrap();
            out.clear();
            if tcp.read_buf(receiver.read_buffer()).await.unwrap() == 0 {
                break;
            }
        }
        seen.wire_bytes = receiver.wire_bytes;
        // The client hangs up after our Close.
        let mut rest = Vec::new();
        let _ = tcp.read_to_end(&mut rest).await;
        seen
    })
    .await
}

fn lines(count: usize) -> (String, Vec<String>) {
    let lines: Vec<String> = (0..count)
        .map(|i| {
            format!(
                "{{\"event\":\"tick\",\"sequence\":{i},\"payload\":\"{}\"}}",
                "abc".repeat(20)
            )
        })
        .collect();
    (lines.iter().map(|l| format!("{l}\n")).collect(), lines)
}

#[tokio::test]
async fn messages_are_compressed_both_ways_by_default() {
    let server = deflate_server(None).await;
    let (input, sent) = lines(50);
    let run = wsc([&server.url, "--stats", "-v", "-w", "2", "--count", "50"])
        .stdin(input)
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), sent, "every echo, inflated");
    let seen = server.finish().await;
    assert_eq!(
        seen.offer.as_deref(),
        Some("permessage-deflate; client_max_window_bits")
    );
    let texts: Vec<Received> = sent
        .iter()
        .map(|l| Received::Text(l.as_str().into()))
        .collect();
    assert_eq!(seen.messages[..50], texts[..]);
    // Repetitive JSON with context takeover: far fewer bytes on the wire than in the messages.
    assert!(
        seen.wire_bytes * 4 < seen.payload_bytes,
        "{} wire bytes for {} bytes of messages",
        seen.wire_bytes,
        seen.payload_bytes
    );
    assert!(
        run.stderr.contains("(permessage-deflate)"),
        "{}",
        run.stderr
    );
    // -v shows what was agreed.
    assert!(
        run.stderr
            .contains("\n< Sec-WebSocket-Extensions: permessage-deflate"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn no_compress_offers_nothing_and_sends_plain_frames() {
    let server = deflate_server(None).await;
    let (input, sent) = lines(5);
    let run = wsc([&server.url, "--no-compress", "--count", "5"])
        .stdin(input)
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), sent);
    let seen = server.finish().await;
    assert_eq!(seen.offer, None);
    assert!(
        seen.wire_bytes > seen.payload_bytes,
        "masked, uncompressed frames"
    );
}

#[tokio::test]
async fn the_flags_shape_the_offer() {
    let server = deflate_server(None).await;
    let args = [
        server.url.as_str(),
        "--server-max-window-bits",
        "10",
        "--client-max-window-bits",
        "12",
        "--server-no-context-takeover",
        "--client-no-context-takeover",
        "-x",
        "hi",
        "--count",
        "1",
    ];
    let run = wsc(args).run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "hi\n");
    let offer = server.finish().await.offer.expect("an offer");
    for parameter in [
        "client_max_window_bits=12",
        "server_max_window_bits=10",
        "client_no_context_takeover",
        "server_no_context_takeover",
    ] {
        assert!(offer.contains(parameter), "{parameter} in {offer}");
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_with_1009_at_the_limit() {
    let params = Default::default();
    let mut compressor = Compressor::new(&params, Role::Server).unwrap();
    let mut bomb = Vec::new();
    compressor.compress(&vec![0u8; 8 << 20], &mut bomb);
    let server = deflate_server(Some(bomb)).await;
    let run = wsc([&server.url, "-w", "-1", "--max-message-size", "1048576"])
        .run()
        .await;
    run.assert_status(6)
        .assert_error("inflates to more than 1048576 bytes");
    let seen = server.finish().await;
    assert!(
        matches!(seen.messages.last(), Some(Received::Close(Some((1009, _))))),
        "{:?}",
        seen.messages
    );
}

/// An answer whose extension parameters were not allowed is status 5.
#[tokio::test]
async fn an_answer_with_parameters_we_did_not_allow_is_rejected() {
    for (extension, needle) in [
        (
            "permessage-deflate; server_max_window_bits=16",
            "server_max_window_bits",
        ),
        ("permessage-deflate; foo", "foo"),
        (
            "permessage-deflate, permessage-deflate",
            "permessage-deflate",
        ),
    ] {
        let server = tcp_server(move |mut tcp: TcpStream| async move {
            let head = read_request_head(&mut tcp).await;
            let answer = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: {extension}\r\n\r\n",
                accept_key(&head)
            );
            let _ = tcp.write_all(answer.as_bytes()).await;
            read_to_end(&mut tcp).await;
        })
        .await;
        let run = wsc([&server.url, "-w", "0"]).run().await;
        run.assert_status(5)
            .assert_error("server answered with an extension we did not allow")
            .assert_error(needle);
        server.finish().await;
    }
}
