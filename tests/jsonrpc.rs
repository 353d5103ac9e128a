//! --jsonrpc against a JSON-RPC server that answers out of order, with an error, a notification,
//! a reply to an id never sent and a message that is not JSON-RPC: in a pipe, with --jsonl, with
//! -x, and in the REPL (matched replies, round trips, the error colour, Tab).

mod common;

use common::pty::Terminal;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

/// The notification the server sends, written over several lines as some servers do.
const NOTIFICATION: &str =
    "{\n  \"jsonrpc\": \"2.0\",\n  \"method\": \"tick\",\n  \"params\": { \"n\": 1 }\n}";
const STRAY: &str = r#"{"jsonrpc":"2.0","id":99,"result":0}"#;
const NOT_RPC: &str = "not json";

/// The reply to a request: `add` sums its params; any other method is not found.
fn answer(request: &str) -> String {
    let request: Value = serde_json::from_str(request).expect("a request is JSON");
    let id = request["id"].clone();
    let reply = match request["method"].as_str() {
        Some("add") => {
            let sum: i64 = request["params"]
                .as_array()
                .map(|terms| terms.iter().filter_map(Value::as_i64).sum())
                .unwrap_or(0);
            json!({"jsonrpc": "2.0", "id": id, "result": sum})
        }
        method => json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": -32601, "message": "Method not found", "data": {"method": method}}
        }),
    };
    reply.to_string()
}

/// What a JSON-RPC server received and sent, in order.
struct Exchange {
    requests: Vec<String>,
    sent: Vec<String>,
}

/// A JSON-RPC server that holds its replies until `hold` requests have come. Then it sends a
/// notification, a reply to an id never asked for, a message that is not JSON-RPC, and the
/// replies, last request first; from then on it answers each request at once.
async fn rpc_server(hold: usize) -> Server<Exchange> {
    ws_server(move |mut ws: Ws| async move {
        let mut exchange = Exchange {
            requests: Vec::new(),
            sent: Vec::new(),
        };
        let mut held = Vec::new();
        while let Some(Ok(message)) = ws.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            exchange.requests.push(text.to_string());
            held.push(answer(&text));
            if exchange.requests.len() < hold {
                continue;
            }
            let mut out = Vec::new();
            if exchange.requests.len() == hold {
                out.extend([NOTIFICATION, STRAY, NOT_RPC].map(String::from));
            }
            out.extend(held.drain(..).rev());
            for text in out {
                ws.send(Message::text(text.clone())).await.unwrap();
                exchange.sent.push(text);
            }
        }
        exchange
    })
    .await
}

/// The notification on one line, as --jsonrpc prints it in a pipe.
const NOTIFICATION_LINE: &str = r#"{"jsonrpc":"2.0","method":"tick","params":{"n":1}}"#;

/// What the server sent as --jsonrpc prints it in a pipe: the rest came on one line already.
fn one_line(text: &str) -> String {
    match text {
        NOTIFICATION => NOTIFICATION_LINE.to_string(),
        _ => text.to_string(),
    }
}

#[tokio::test]
async fn in_a_pipe_lines_are_requests_with_ids_counting_up_and_replies_are_lines_for_jq() {
    let server = rpc_server(3).await;
    let run = wsc([&server.url, "--jsonrpc", "--count", "6"])
        .stdin("add [1, 2]\n\nnope {\"x\": 1}\n  add [3,4]  \n")
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stderr, "");
    let exchange = server.finish().await;
    assert_eq!(
        exchange.requests,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"nope","params":{"x":1}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"add","params":[3,4]}"#,
        ],
        "a blank line sends nothing"
    );
    let lines = run.stdout_lines();
    let expected: Vec<String> = exchange.sent.iter().map(|s| one_line(s)).collect();
    assert_eq!(lines, expected);
    assert_eq!(
        lines[0], NOTIFICATION_LINE,
        "the notification on one line, its members in their order"
    );
    assert_eq!(
        lines[2], NOT_RPC,
        "what is not JSON-RPC is printed as usual"
    );
    // Out of order: the last request's reply came first.
    let ids: Vec<Value> = lines[3..]
        .iter()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids, [json!(3), json!(2), json!(1)]);
}

#[tokio::test]
async fn with_jsonl_the_messages_keep_their_wrapper() {
    let server = rpc_server(1).await;
    let run = wsc([&server.url, "--jsonrpc", "--jsonl", "--count", "4"])
        .stdin("add [2,2]\n")
        .run()
        .await;
    run.assert_status(0);
    let exchange = server.finish().await;
    assert_eq!(
        exchange.requests,
        [r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,2]}"#],
        "input lines are requests still"
    );
    let lines = run.stdout_lines();
    let events: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["open", "text", "text", "text", "text", "close"]);
    let data: Vec<&str> = events[1..5]
        .iter()
        .map(|e| e["data"].as_str().unwrap())
        .collect();
    assert_eq!(data, exchange.sent, "the messages as they came");
}

#[tokio::test]
async fn execute_sends_requests_that_expect_can_check() {
    let server = rpc_server(2).await;
    let run = wsc([
        &server.url,
        "--jsonrpc",
        "-x",
        "add [2,3]",
        "-x",
        "nope",
        "--expect",
        r#""result":5"#,
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    let exchange = server.finish().await;
    assert_eq!(
        exchange.requests,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"nope"}"#,
        ],
        "no params member without params"
    );
    let expected: Vec<String> = exchange.sent.iter().map(|s| one_line(s)).collect();
    assert_eq!(run.stdout_lines(), expected);
}

#[tokio::test]
async fn bare_requests_leave_out_the_jsonrpc_member() {
    let server = rpc_server(1).await;
    let run = wsc([
        &server.url,
        "--jsonrpc-bare",
        "-x",
        "add [1,1]",
        "--count",
        "4",
    ])
    .stdin_null()
    .run()
    .await;
    run.assert_status(0);
    let exchange = server.finish().await;
    assert_eq!(
        exchange.requests,
        [r#"{"id":1,"method":"add","params":[1,1]}"#]
    );
    assert_eq!(
        run.stdout_lines().last().map(String::as_str),
        Some(r#"{"id":1,"jsonrpc":"2.0","result":2}"#)
    );
}

#[tokio::test]
async fn a_bad_stdin_line_stops_wsc_naming_the_line_and_what_is_wrong() {
    let server = ws_server(record).await;
    let run = wsc([&server.url, "--jsonrpc"])
        .stdin("add [1]\nadd {\"a\":}\nadd [2]\n")
        .run()
        .await;
    run.assert_status(1);
    assert_eq!(
        run.stderr,
        "wsc: error: stdin line 2: params are not JSON: expected value at column 10\n"
    );
    let received = server.finish().await;
    assert_eq!(
        texts(&received),
        [r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1]}"#]
    );
}

#[tokio::test]
async fn flags_that_contradict_jsonrpc_and_bad_execute_lines_are_usage_errors() {
    for (args, words) in [
        (
            &["--jsonrpc", "-b"][..],
            "'--jsonrpc' cannot be used with '--binary'",
        ),
        (&["--jsonrpc", "--echo"], "cannot be used with"),
        (&["--jsonrpc-bare", "-b"], "cannot be used with"),
        (
            &["--jsonrpc", "-x", "add {"],
            "-x 'add {': params are not JSON: EOF while parsing an object at column 5",
        ),
        (
            &["--jsonrpc", "-x", "add 1"],
            "-x 'add 1': params must be a JSON object or array",
        ),
        (&["--jsonrpc", "-x", " "], "with --jsonrpc, -x is a request"),
    ] {
        let mut all = vec!["ws://127.0.0.1:9/"];
        all.extend_from_slice(args);
        let run = wsc(&all).stdin_null().run().await;
        run.assert_status(2).assert_error(words);
    }
    let run = wsc(["-l", "0", "--jsonrpc"]).stdin_null().run().await;
    run.assert_status(2).assert_error("cannot be used with");
}

#[tokio::test]
async fn in_the_repl_replies_match_their_requests_errors_are_red_and_tab_completes_methods() {
    let state = tempfile::tempdir().unwrap();
    let server = rpc_server(2).await;
    let mut terminal = Terminal::start(&[&server.url, "--jsonrpc"], 24, 120, state.path());
    terminal.wait_for_prompt().await;
    terminal.enter("add [1,2]").await;
    terminal.enter("nope {\"x\":1}").await;
    terminal.wait_for_text("< #1 result 3 after ").await;
    let text = terminal.text();
    for line in [
        "< notification tick {\"n\":1}",
        "< reply to unknown id 99: result 0",
        "< not json",
        "< #2 error -32601 Method not found {\"method\":\"nope\"} after ",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    let rows = terminal.rows();
    let row = |start: &str| rows.iter().position(|r| r.starts_with(start)).unwrap();
    assert!(
        row("< #2 error") < row("< #1 result"),
        "shown as they came:\n{text}"
    );
    assert!(
        rows[row("< #1 result")].ends_with(" ms"),
        "{}",
        rows[row("< #1")]
    );
    let raw = String::from_utf8_lossy(&terminal.raw_output()).into_owned();
    assert!(
        raw.contains("\x1b[31m#2 error -32601"),
        "the error reply in red"
    );

    // A bad line is a note, and takes no id.
    terminal.enter("add {oops").await;
    terminal
        .wait_for_text("! params are not JSON: key must be a string at column 6")
        .await;
    // Tab completes the methods typed and those of notifications.
    terminal.keys("ad\t");
    terminal
        .wait_for("add completed", |t| t.cursor_row() == "> add")
        .await;
    terminal.keys(" [5,5]\r");
    terminal.wait_for_text("< #3 result 10 after ").await;
    terminal.keys("ti\t");
    terminal
        .wait_for("tick completed", |t| t.cursor_row() == "> tick")
        .await;
    terminal.keys("\r");
    terminal
        .wait_for_text("< #4 error -32601 Method not found {\"method\":\"tick\"}")
        .await;
    // On an empty line, a second Tab lists every method seen.
    terminal.keys("\t\t");
    terminal
        .wait_for("the methods listed", |t| {
            t.rows().iter().any(|row| {
                let names: Vec<&str> = row.split_whitespace().collect();
                names == ["add", "nope", "tick"]
            })
        })
        .await;
    terminal.wait_for_prompt().await;
    terminal.quit_with_ctrl_d().await;
    let exchange = server.finish().await;
    let ids: Vec<Value> = exchange
        .requests
        .iter()
        .map(|r| serde_json::from_str::<Value>(r).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids, [json!(1), json!(2), json!(3), json!(4)]);
}

/// The next text message on `ws`.
async fn next_text(ws: &mut Ws) -> String {
    loop {
        match within("a message", ws.next()).await {
            Some(Ok(Message::Text(text))) => return text.to_string(),
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn ids_go_on_counting_across_reconnects_and_execute_is_a_new_request_each_time() {
    use tokio::io::AsyncWriteExt;
    let (listener, port) = listener().await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut child = wsc([url.as_str(), "--jsonrpc", "--reconnect", "-x", "hello"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let accept = || async {
        let (tcp, _) = within("a connection", listener.accept()).await.unwrap();
        within("upgrade", tokio_tungstenite::accept_async(tcp))
            .await
            .unwrap()
    };

    let mut first = accept().await;
    stdin.write_all(b"add [1,1]\n").await.unwrap();
    let requests = [next_text(&mut first).await, next_text(&mut first).await];
    assert_eq!(
        requests,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"hello"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"add","params":[1,1]}"#,
        ]
    );
    first
        .send(Message::text(answer(&requests[1])))
        .await
        .unwrap();
    // A restart: wsc comes back.
    let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame {
        code: 1012.into(),
        reason: "".into(),
    };
    let _ = first.close(Some(frame)).await;
    while let Some(Ok(_)) = within("the close's answer", first.next()).await {}
    drop(first);

    let mut second = accept().await;
    let hello = next_text(&mut second).await;
    assert_eq!(hello, r#"{"jsonrpc":"2.0","id":3,"method":"hello"}"#);
    stdin.write_all(b"add [2,2]\n").await.unwrap();
    let add = next_text(&mut second).await;
    assert_eq!(
        add,
        r#"{"jsonrpc":"2.0","id":4,"method":"add","params":[2,2]}"#
    );
    second.send(Message::text(answer(&add))).await.unwrap();
    drop(stdin);
    while let Some(Ok(_)) = within("the close", second.next()).await {}
    drop(second);
    let run = finish(child).await;
    run.assert_status(0);
    assert_eq!(
        run.stdout_lines(),
        [
            r#"{"id":2,"jsonrpc":"2.0","result":2}"#,
            r#"{"id":4,"jsonrpc":"2.0","result":4}"#,
        ]
    );
}
