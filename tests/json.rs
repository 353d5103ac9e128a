//! --jq and --pretty in pipes, --jsonl and listen mode (the REPL's side is in repl_json.rs).

mod common;

use common::listen::{client, listen};
use common::*;
use futures_util::SinkExt;

/// Lines sent to an echo server, so that what comes back is exactly these messages, in order.
fn lines(messages: &[&str]) -> String {
    messages.iter().map(|m| format!("{m}\n")).collect()
}

/// wsc with `args`, its `input` sent to an echo server: what comes back is exactly the input.
/// What the server received comes back too.
async fn echoed(input: impl Into<Vec<u8>>, args: &[&str]) -> (Run, Vec<Message>) {
    let server = ws_server(echo).await;
    let run = wsc(std::iter::once(server.url.as_str()).chain(args.iter().copied()))
        .stdin(input)
        .run()
        .await;
    (run, server.finish().await)
}

const FEED: [&str; 5] = [
    r#"{"type":"trade","price":1.5}"#,
    r#"{"type":"quote","price":9}"#,
    r#"{"type":"trade","price":2.25}"#,
    r#"{"type":"trade","price":3}"#,
    r#"{"type":"quote","price":8}"#,
];

#[tokio::test]
async fn jq_outputs_replace_each_message_select_and_empty_drop_them() {
    let (run, received) = echoed(
        lines(&FEED),
        &["--jq", r#"select(.type=="trade") | .price"#],
    )
    .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["1.5", "2.25", "3"]);
    assert_eq!(run.stderr, "");
    assert_eq!(received.len(), 5, "all five were sent and received");

    // Several outputs are several messages, in compact JSON; map works on arrays.
    let (run, _) = echoed(lines(&[r#"[[1, 2], [3]]"#]), &["--jq", ".[] | map(. * 2)"]).await;
    assert_eq!(run.stdout_lines(), ["[2,4]", "[6]"]);

    let (run, _) = echoed(lines(&FEED), &["--jq", "empty"]).await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "");
}

#[tokio::test]
async fn messages_that_are_not_json_and_binary_ones_pass_unchanged() {
    let server = ws_server(|mut ws: Ws| async move {
        for message in [
            Message::text("hello"),
            Message::text("[1,2"),
            Message::binary(b"\x00{\"a\":1}".to_vec()),
            Message::text(r#"{"a":1}"#),
        ] {
            ws.send(message).await.unwrap();
        }
        ws.close(None).await.unwrap();
    })
    .await;
    let run = wsc([&server.url, "--jq", ".a", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout, b"hello\n[1,2\n\x00{\"a\":1}1\n");
    server.finish().await;
}

#[tokio::test]
async fn a_bad_expression_is_a_usage_error_in_jaqs_words_before_connecting() {
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    for (expression, words) in [
        (".a +", r#"--jq ".a +": expected term at the end"#),
        (
            "nosuch(1)",
            r#"--jq "nosuch(1)": undefined filter nosuch/1"#,
        ),
        ("[.a", r#"--jq "[.a": expected closing bracket"#),
    ] {
        let run = wsc([&url, "--jq", expression]).stdin_null().run().await;
        run.assert_status(2).assert_error(words);
    }
    assert_no_connection(listener).await;
}

#[tokio::test]
async fn a_runtime_error_on_one_message_is_a_note_and_the_session_goes_on() {
    let (run, _) = echoed(lines(&[r#"{"a":1}"#, "[3]", r#"{"a":2}"#]), &["--jq", ".a"]).await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["1", "2"]);
    assert_eq!(run.stderr, "! --jq: cannot index [3] with \"a\"\n");
}

#[tokio::test]
async fn count_counts_what_the_filter_lets_through() {
    let (run, _) = echoed(
        lines(&FEED),
        &["--jq", r#"select(.type=="trade")"#, "--count", "2"],
    )
    .await;
    run.assert_status(0);
    assert_eq!(
        run.stdout_lines(),
        [FEED[0], FEED[2]].map(|m| m.replace(' ', ""))
    );

    // Three trades in the feed: a fourth is never reached, whatever else arrives.
    let (run, _) = echoed(
        lines(&FEED),
        &[
            "--jq",
            r#"select(.type=="trade")"#,
            "--count",
            "4",
            "-w",
            "0.5",
        ],
    )
    .await;
    run.assert_status(8);
    assert!(
        run.stderr
            .contains("--count 4 not reached; 3 messages received"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn expect_matches_what_the_filter_lets_through() {
    let (run, _) = echoed(lines(&FEED), &["--jq", ".type", "--expect", r#"^"quote"$"#]).await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), [r#""trade""#, r#""quote""#]);

    // The quotes are filtered out: the pattern never sees one.
    let (run, _) = echoed(
        lines(&FEED),
        &[
            "--jq",
            r#"select(.type=="trade")"#,
            "--expect",
            "quote",
            "-w",
            "0.5",
        ],
    )
    .await;
    run.assert_status(8);
    assert!(run.stderr.contains("(quote) not matched"), "{}", run.stderr);
}

#[tokio::test]
async fn with_jsonl_the_filter_changes_the_data_and_keeps_the_event_wrapper() {
    let server = ws_server(echo).await;
    let input = r#"{"type":"text","data":"{\"a\":[1,2]}"}
{"type":"text","data":"not json"}
"#;
    let run = wsc([&server.url, "--jsonl", "--jq", ".a[]"])
        .stdin(input)
        .run()
        .await;
    run.assert_status(0);
    let lines = run.stdout_lines();
    assert!(lines[0].starts_with(r#"{"type":"open""#), "{lines:?}");
    assert_eq!(
        lines[1..4],
        [
            r#"{"type":"text","data":"1"}"#,
            r#"{"type":"text","data":"2"}"#,
            r#"{"type":"text","data":"not json"}"#,
        ]
    );
    server.finish().await;
}

#[tokio::test]
async fn pretty_always_indents_on_stdout_and_what_is_sent_is_never_changed() {
    let message = r#"{"a":[1,{}],"s":"x\u001by","t":true}"#;
    let (run, received) = echoed(lines(&[message, "plain"]), &["--pretty", "always"]).await;
    run.assert_status(0);
    assert_eq!(
        run.stdout_text(),
        "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"s\": \"x\\u001by\",\n  \"t\": true\n}\nplain\n"
    );
    assert_eq!(texts(&received), [message, "plain"]);

    // Coloured only when asked: stdout is not a terminal here.
    let (run, _) = echoed(
        lines(&[message]),
        &["--pretty", "always", "--color", "always"],
    )
    .await;
    assert!(
        run.stdout_text().contains("\x1b[1;34m\"a\"\x1b[0m: ["),
        "{:?}",
        run.stdout_text()
    );

    // By default a pipe gets the message as it came.
    let server = ws_server(echo).await;
    let run = wsc([&server.url]).stdin(lines(&[message])).run().await;
    assert_eq!(run.stdout_lines(), [message]);
    server.finish().await;
}

#[tokio::test]
async fn a_listener_filters_what_each_client_sends() {
    let mut server = listen(&["-l", "127.0.0.1:0", "--jq", ".n", "--count", "2"], None).await;
    let (mut first, _) = client(&server.url("/"), None).await;
    server.stderr_line("#1 connected").await;
    let (mut second, _) = client(&server.url("/"), None).await;
    server.stderr_line("#2 connected").await;
    first
        .send(Message::text(r#"{"n":"one","x":0}"#))
        .await
        .unwrap();
    second.send(Message::text("[]")).await.unwrap();
    second.send(Message::text(r#"{"n":"two"}"#)).await.unwrap();
    let run = server.finish().await;
    run.assert_status(0);
    let mut shown = run.stdout_lines();
    shown.sort();
    assert_eq!(shown, [r#""one""#, r#""two""#]);
    assert!(
        run.stderr.contains("! #2 --jq: cannot index [] with \"n\""),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn with_jsonl_a_message_is_on_stdout_while_the_session_goes_on() {
    // The server sends one message, then waits until the test has read it from wsc's stdout:
    // a line kept in wsc's buffer until the end would never come.
    let (read, line_read) = tokio::sync::oneshot::channel::<()>();
    let server = ws_server(|mut ws: Ws| async move {
        ws.send(Message::text("first")).await.unwrap();
        let _ = line_read.await;
        ws.close(None).await.unwrap();
        record(ws).await
    })
    .await;
    let mut child = wsc([&server.url, "--jsonl", "-w", "-1"])
        .stdin_null()
        .spawn();
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let first = within("the message on stdout", async {
        loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("a line before the end");
            if line.contains(r#""type":"text""#) {
                return line;
            }
        }
    })
    .await;
    assert!(
        first.starts_with(r#"{"type":"text","data":"first""#),
        "{first}"
    );
    let _ = read.send(());
    let run = finish(child).await;
    run.assert_status(0);
    server.finish().await;
}
