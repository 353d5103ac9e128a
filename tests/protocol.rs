//! What a server does wrong or unusually after the upgrade: protocol violations get a Close with
//! the right code and status 6; closes map to the exit table; pings are answered.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// A raw server that upgrades, writes `bytes`, and returns the client's frames.
async fn raw_server(bytes: Vec<u8>) -> Server<Vec<(u8, Vec<u8>)>> {
    tcp_server(|mut tcp: TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        tcp.write_all(&bytes).await.unwrap();
        client_frames(&read_to_end(&mut tcp).await)
    })
    .await
}

/// The close code in the client's last Close frame.
fn close_code(frames: &[(u8, Vec<u8>)]) -> Option<u16> {
    frames
        .iter()
        .rev()
        .find(|(op, _)| *op == 8)
        .map(|(_, p)| u16::from_be_bytes([p[0], p[1]]))
}

async fn assert_violation(bytes: Vec<u8>, code: u16, words: &str) {
    let server = raw_server(bytes).await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(6).assert_error(words);
    assert_eq!(
        close_code(&server.finish().await),
        Some(code),
        "close code sent for {words}"
    );
}

#[tokio::test]
async fn a_masked_frame_is_a_protocol_error() {
    let masked = vec![0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];
    assert_violation(
        masked,
        1002,
        "protocol violation by the server: masked frame",
    )
    .await;
}

#[tokio::test]
async fn reserved_bits_are_a_protocol_error() {
    assert_violation(frame(0xc1, b"hi"), 1002, "reserved bits").await;
}

#[tokio::test]
async fn unknown_opcodes_are_protocol_errors() {
    assert_violation(frame(0x83, b"x"), 1002, "unknown opcode 3").await;
    assert_violation(frame(0x8b, b"x"), 1002, "unknown opcode 11").await;
}

#[tokio::test]
async fn oversized_and_fragmented_control_frames_are_protocol_errors() {
    assert_violation(
        frame(0x89, &[b'p'; 126]),
        1002,
        "control frame over 125 bytes",
    )
    .await;
    assert_violation(frame(0x09, b"p"), 1002, "fragmented control frame").await;
}

#[tokio::test]
async fn invalid_utf8_text_gets_1007() {
    assert_violation(frame(0x81, b"\xc3\x28"), 1007, "invalid UTF-8").await;
}

#[tokio::test]
async fn invalid_utf8_in_a_close_reason_gets_1007() {
    assert_violation(frame(0x88, b"\x03\xe8\xff"), 1007, "invalid UTF-8").await;
}

#[tokio::test]
async fn an_invalid_close_code_is_a_protocol_error() {
    for code in [1005u16, 999, 1016] {
        assert_violation(frame(0x88, &code.to_be_bytes()), 1002, "invalid close code").await;
    }
}

#[tokio::test]
async fn a_message_over_the_size_limit_gets_1009() {
    let server = raw_server(frame(0x82, &[7u8; 100])).await;
    let run = wsc([&server.url, "-w", "-1", "--max-message-size", "99"])
        .run()
        .await;
    run.assert_status(6)
        .assert_error("message of 100 bytes, over the limit of 99");
    assert_eq!(close_code(&server.finish().await), Some(1009));
}

#[tokio::test]
async fn a_hostile_length_field_allocates_nothing_and_gets_1009() {
    // A header announcing 2^62 bytes, with no payload behind it.
    let mut header = vec![0x82, 127];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    let server = raw_server(header).await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(6)
        .assert_error("over the limit of 67108864");
    assert_eq!(close_code(&server.finish().await), Some(1009));
}

#[tokio::test]
async fn a_dropped_connection_without_close_is_status_6() {
    let server = tcp_server(|mut tcp: TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        tcp.write_all(&frame(0x81, b"last words")).await.unwrap();
    })
    .await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(6)
        .assert_error("server closed the connection without a close frame");
    assert_eq!(
        run.stdout_lines(),
        ["last words"],
        "what came before the drop is printed"
    );
    server.finish().await;
}

#[tokio::test]
async fn a_server_that_never_answers_our_close_is_given_up_on() {
    let server = tcp_server(|mut tcp: TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        // Reads what wsc sends (its Close included) and never answers.
        client_frames(&read_to_end(&mut tcp).await)
    })
    .await;
    let run = wsc([&server.url, "-w", "0", "--close-timeout", "0.3"])
        .stdin("bye\n")
        .run()
        .await;
    run.assert_status(6)
        .assert_error("did not answer our close within 0.3 s");
    let frames = server.finish().await;
    assert_eq!(frames[0], (1, b"bye".to_vec()));
    assert_eq!(close_code(&frames), Some(1000));
}

#[tokio::test]
async fn pings_are_answered_and_the_session_goes_on() {
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::Ping(b"are you there".to_vec().into()))
            .await
            .unwrap();
        let mut pong = None;
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Pong(data) = message {
                pong = Some(data.to_vec());
                ws.send(Message::text("after the pong")).await.unwrap();
            }
        }
        pong
    })
    .await;
    let run = wsc([&server.url, "-v"]).run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["after the pong"]);
    assert!(
        run.stderr.contains("* ping \"are you there\" (pong sent)"),
        "ping noticed with -v: {}",
        run.stderr
    );
    assert_eq!(
        server.finish().await.as_deref(),
        Some(&b"are you there"[..])
    );
}

async fn server_closing_with(code: u16, reason: &'static str) -> Server<Vec<Message>> {
    ws_server(move |mut ws: Ws| async move {
        ws.send(Message::text("before close")).await.unwrap();
        ws.close(Some(CloseFrame {
            code: code.into(),
            reason: reason.into(),
        }))
        .await
        .unwrap();
        record(ws).await
    })
    .await
}

#[tokio::test]
async fn a_close_reason_is_escaped_in_the_same_style_as_messages() {
    let server = server_closing_with(4001, "red\x1b[31m \"quoted\"\u{202e}").await;
    let run = wsc([&server.url, "-w", "-1", "--stats"]).run().await;
    run.assert_status(7);
    // `\x1b` as in messages, not Rust's `\u{1b}`; in the error line and the stats line alike.
    let quoted = r#""red\x1b[31m \"quoted\"\u{202e}""#;
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some(format!("wsc: error: closed by server: 4001 (application) {quoted}").as_str()),
        "{}",
        run.stderr
    );
    assert!(
        lines[0].ends_with(&format!("; close 4001 (application) {quoted}")),
        "{}",
        run.stderr
    );
    server.finish().await;
}

#[tokio::test]
async fn a_server_close_with_an_application_code_is_status_7() {
    let server = server_closing_with(4001, "bye now").await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(7)
        .assert_error("closed by server: 4001 (application) \"bye now\"");
    assert_eq!(run.stdout_lines(), ["before close"]);
    // wsc answers the server's Close by echoing its code.
    assert_eq!(
        close_of(&server.finish().await),
        Some((4001, "bye now".into()))
    );
}

#[tokio::test]
async fn going_away_and_normal_closes_are_status_0() {
    for code in [1000, 1001] {
        let server = server_closing_with(code, "").await;
        let run = wsc([&server.url, "-w", "-1"]).run().await;
        run.assert_status(0);
        assert_eq!(run.stderr, "");
        server.finish().await;
    }
}

#[tokio::test]
async fn close_events_appear_in_jsonl_with_code_and_reason() {
    let server = server_closing_with(1011, "oops").await;
    let run = wsc([&server.url, "-w", "-1", "--jsonl"]).run().await;
    run.assert_status(7)
        .assert_error("1011 (internal error) \"oops\"");
    let last = run.stdout_lines().pop().unwrap();
    assert_eq!(last, r#"{"type":"close","code":1011,"reason":"oops"}"#);
    server.finish().await;
}

#[tokio::test]
async fn a_server_that_closes_with_1002_itself_is_status_7_not_a_violation() {
    // The server saying it saw a protocol error is a close like any other, not ours to name.
    let server = server_closing_with(1002, "you did wrong").await;
    let run = wsc([&server.url, "-w", "-1"]).run().await;
    run.assert_status(7)
        .assert_error("closed by server: 1002 (protocol error) \"you did wrong\"");
    assert_eq!(
        close_of(&server.finish().await),
        Some((1002, "you did wrong".into()))
    );
}

#[tokio::test]
async fn an_invalid_code_in_the_answer_to_our_close_is_a_violation() {
    // wsc closes first; the server answers with code 999, which no endpoint may send.
    let server = tcp_server(|mut tcp: TcpStream| async move {
        raw_upgrade(&mut tcp, "").await;
        let mut buffer = vec![0u8; 4096];
        let mut read = Vec::new();
        // Until wsc's Close (opcode 8) has arrived.
        while !client_frames(&read).iter().any(|(op, _)| *op == 8) {
            let n = tokio::io::AsyncReadExt::read(&mut tcp, &mut buffer)
                .await
                .unwrap();
            assert!(n > 0, "wsc hung up before closing");
            read.extend_from_slice(&buffer[..n]);
        }
        tcp.write_all(&frame(0x88, &999u16.to_be_bytes()))
            .await
            .unwrap();
        read.extend(read_to_end(&mut tcp).await);
        client_frames(&read)
    })
    .await;
    let run = wsc([&server.url, "-w", "0"]).stdin("x\n").run().await;
    run.assert_status(6).assert_error("invalid close code");
    let frames = server.finish().await;
    assert_eq!(
        close_code(&frames),
        Some(1000),
        "our Close, not a second one"
    );
}
