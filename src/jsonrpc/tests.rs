//! The JSON-RPC module's tests: lines, messages, the table.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use super::*;

fn call(line: &str) -> Call<'_> {
    parse_line(line).unwrap().unwrap()
}

#[test]
fn lines_become_requests_with_params_by_name_by_position_or_none() {
    assert_eq!(
        call("getBlock {\"number\": 1}").request(3, false),
        r#"{"jsonrpc":"2.0","id":3,"method":"getBlock","params":{"number":1}}"#
    );
    assert_eq!(
        call("  add [1, 2]  ").request(1, false),
        r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#
    );
    assert_eq!(
        call("eth_blockNumber").request(7, false),
        r#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#
    );
    assert_eq!(
        call("Page.navigate\t{\"url\":\"https://a b\"}")
            .params
            .as_deref(),
        Some(r#"{"url":"https://a b"}"#),
        "whitespace in strings is kept"
    );
    assert_eq!(
        call(r"say\ {}").request(1, false),
        r#"{"jsonrpc":"2.0","id":1,"method":"say\\","params":{}}"#,
        "the method is a JSON string"
    );
    assert_eq!(parse_line(""), Ok(None));
    assert_eq!(parse_line(" \t "), Ok(None));
}

#[test]
fn bad_lines_say_what_is_wrong_and_where() {
    let table = [
        (
            "m {\"a\":}",
            "params are not JSON: expected value at column 8",
        ),
        (
            "m {\"a\":1} x",
            "params are not JSON: trailing characters at column 11",
        ),
        ("m hello", "params are not JSON: expected value at column 3"),
        (
            "m 5",
            "params must be a JSON object or array ({\"a\":1} or [1,2]), not a number",
        ),
        ("m \"x\"", "not a string"),
        ("m true", "not a boolean"),
        ("m null", "not null"),
        (
            "{\"method\":\"m\"}",
            "a line is METHOD [PARAMS], e.g. getBlock {\"number\":1} or add [1,2]: it starts \
             with the method's name, not JSON",
        ),
        ("[1]", "it starts with the method's name"),
    ];
    for (line, words) in table {
        let error = parse_line(line).unwrap_err();
        assert!(error.contains(words), "{line}: {error}");
        assert!(!error.contains("line 1"), "{line}: {error}");
    }
}

#[test]
fn compact_takes_out_whitespace_between_tokens_only() {
    assert_eq!(
        compact("{ \"a b\" : [1,\n 2],\r\n\t\"c\\\" d\": \" \\\\\" }"),
        "{\"a b\":[1,2],\"c\\\" d\":\" \\\\\"}"
    );
    assert!(matches!(compact("{\"a\":1}"), Cow::Borrowed(_)));
    assert_eq!(compact(" [ \"é ü\" ] "), "[\"é ü\"]");
}

#[test]
fn messages_are_classified_as_replies_notifications_requests_or_not_json_rpc() {
    let one = |text| classify(text).map(|mut all| all.remove(0));
    assert_eq!(
        one(r#"{"jsonrpc":"2.0","id":3,"result":{"x": 1}}"#),
        Some(Incoming::Reply {
            id: "3",
            outcome: Outcome::Result(r#"{"x": 1}"#)
        })
    );
    assert_eq!(
        one(r#"{"id":3,"result":null}"#),
        Some(Incoming::Reply {
            id: "3",
            outcome: Outcome::Result("null")
        }),
        "a null result is a result; no jsonrpc member needed"
    );
    assert_eq!(
        one(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#),
        Some(Incoming::Reply {
            id: "null",
            outcome: Outcome::Error(r#"{"code":-32700,"message":"Parse error"}"#)
        })
    );
    assert_eq!(
        one(r#"{"method":"Network.dataReceived","params":{"a":1},"sessionId":"S"}"#),
        Some(Incoming::Notification {
            method: "Network.dataReceived".into(),
            params: Some(r#"{"a":1}"#)
        })
    );
    assert_eq!(
        one(r#"{"jsonrpc":"2.0","id":"x1","method":"workspace/configuration"}"#),
        Some(Incoming::Request {
            id: "\"x1\"",
            method: "workspace/configuration".into(),
            params: None
        })
    );
    assert_eq!(
        one(r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#),
        Some(Incoming::Notification {
            method: "m".into(),
            params: None
        }),
        "a null id asks for no reply"
    );
    for not_rpc in [
        "hello",
        "42",
        "{\"a\":1}",
        "[]",
        "[1,2]",
        "[\"id\",\"method\"]",
        "{\"id\":1,\"result\":1,\"error\":{}}",
        "{\"method\":5}",
        "[{\"id\":1,\"result\":1},7]",
        "{\"id\":1,\"result\":1",
    ] {
        assert_eq!(classify(not_rpc), None, "{not_rpc}");
    }
    assert_eq!(
        classify(r#"[{"id":1,"result":1},{"method":"m"}]"#).map(|all| all.len()),
        Some(2)
    );
}

#[test]
fn replies_are_matched_to_their_requests_in_any_order_with_round_trips() {
    let start = Instant::now();
    let at = |ms| start + Duration::from_millis(ms);
    let mut table = Table::default();
    let (one, _) = table.request(&call("first"), at(0));
    let (two, _) = table.request(&call("second [1]"), at(5));
    let (three, _) = table.request(&call("third"), at(10));
    assert_eq!((one, two, three), (1, 2, 3), "ids count up from 1");
    let shown = |table: &mut Table, text: &str, ms| {
        let mut all = table.received(text, at(ms)).unwrap();
        assert_eq!(all.len(), 1);
        all.remove(0)
    };
    assert_eq!(
        shown(
            &mut table,
            r#"{"jsonrpc":"2.0","id":2,"result":[1, 2]}"#,
            17
        ),
        Shown::Reply {
            id: 2,
            round_trip: Duration::from_millis(12),
            outcome: Answer::Result("[1,2]".into())
        }
    );
    let error = shown(
        &mut table,
        r#"{"id":3,"error":{"code":-32601,"message":"Method not found","data":{"m":"third"}}}"#,
        20,
    );
    assert!(error.is_error());
    assert_eq!(
        error.words(),
        r#"#3 error -32601 Method not found {"m":"third"} after 10.0 ms"#
    );
    let first = shown(&mut table, r#"{"id":1,"result":"ok"}"#, 30);
    assert_eq!(first.words(), r#"#1 result "ok" after 30.0 ms"#);
    assert!(!first.is_error());
    // Answered already: a second reply is to an id no request awaits.
    assert_eq!(
        shown(&mut table, r#"{"id":1,"result":"again"}"#, 31).words(),
        r#"reply to unknown id 1: result "again""#
    );
    assert_eq!(
        shown(&mut table, r#"{"id":"1","result":0}"#, 31).words(),
        r#"reply to unknown id "1": result 0"#
    );
    assert_eq!(
        shown(
            &mut table,
            r#"{"id":null,"error":{"code":-32700,"message":"Parse error"}}"#,
            31
        )
        .words(),
        "reply without id: error -32700 Parse error"
    );
    assert_eq!(
        shown(&mut table, r#"{"id":9,"error":"odd"}"#, 31).words(),
        r#"reply to unknown id 9: error "odd""#
    );
    assert!(table.pending.is_empty());
    assert_eq!(table.received("not json", at(40)), None);
}

#[test]
fn notifications_requests_and_batches_are_shown_as_such() {
    let mut table = Table::default();
    let now = Instant::now();
    let (id, _) = table.request(&call("a"), now);
    let all = table
        .received(
            r#"[{"id":1,"result":true}, {"method":"tick","params":[ 1 ]},
                {"id":7,"method":"ask","params":{"q":"multi\nline"}}]"#,
            now,
        )
        .unwrap();
    let words: Vec<String> = all.iter().map(Shown::words).collect();
    assert_eq!(id, 1);
    assert_eq!(
        words,
        [
            "#1 result true after 0.0 ms",
            "notification tick [1]",
            r#"request ask {"q":"multi\nline"} (id 7)"#,
        ]
    );
    assert_eq!(
        Shown::Notification {
            method: "bare".into(),
            params: None
        }
        .words(),
        "notification bare"
    );
    // Nothing from the server starts a line of its own.
    let forged = table
        .received(
            r#"{"method":"a\n< #9 result 1","params":[]}
               "#,
            now,
        )
        .unwrap();
    assert_eq!(forged[0].words(), r"notification a\n< #9 result 1 []");
    let forged = table
        .received(r#"{"id":5,"error":{"code":1,"message":"x\r\ny"}}"#, now)
        .unwrap();
    assert_eq!(forged[0].words(), r"reply to unknown id 5: error 1 x\r\ny");
}

#[test]
fn requests_made_before_the_connection_count_from_its_opening() {
    let start = Instant::now();
    let mut table = Table::default();
    table.request(&call("early"), start);
    table.opened(start + Duration::from_millis(100));
    let shown = table
        .received(r#"{"id":1,"result":1}"#, start + Duration::from_millis(103))
        .unwrap();
    assert_eq!(shown[0].words(), "#1 result 1 after 3.0 ms");
}

#[test]
fn the_oldest_requests_are_forgotten_past_the_limit() {
    let mut table = Table::default();
    let now = Instant::now();
    for _ in 0..PENDING_MAX + 2 {
        table.request(&call("m"), now);
    }
    assert_eq!(table.pending.len(), PENDING_MAX);
    assert_eq!(table.pending.first_key_value().map(|(id, _)| *id), Some(3));
}

#[test]
fn tab_offers_the_methods_sent_and_notified_that_begin_as_typed() {
    let mut table = Table::default();
    let now = Instant::now();
    for line in ["Page.navigate {}", "Page.enable", "Runtime.evaluate {}"] {
        table.request(&call(line), now);
    }
    table.received(r#"{"method":"Page.loadEventFired","params":{}}"#, now);
    // A server's names that could change a terminal or a line are not offered.
    table.received(r#"{"method":"Page.\u001b[2Jx"}"#, now);
    table.received(r#"{"method":"Page.a b"}"#, now);
    table.received(r#"{"method":"Page.\u202eevil"}"#, now);
    assert_eq!(
        table.complete("Page.", 5),
        (
            0,
            vec![
                "Page.enable".to_string(),
                "Page.loadEventFired".into(),
                "Page.navigate".into()
            ]
        )
    );
    assert_eq!(
        table.complete("  Ru", 4),
        (2, vec!["Runtime.evaluate".into()])
    );
    assert_eq!(table.complete("", 0).1.len(), 4);
    assert_eq!(table.complete("Page.enable {", 13), (13, vec![]));
    assert_eq!(table.complete("/pi", 3), (3, vec![]));
    assert_eq!(table.complete("Zzz", 3), (0, vec![]));
}

#[test]
fn tab_learns_names_up_to_256_bytes_and_at_most_4096_of_them() {
    let mut table = Table::default();
    let now = Instant::now();
    let notify = |table: &mut Table, method: &str| {
        table.received(&format!(r#"{{"method":"{method}"}}"#), now);
    };
    notify(&mut table, "");
    notify(&mut table, &"a".repeat(256));
    notify(&mut table, &"b".repeat(257));
    assert_eq!(table.complete("", 0).1, ["a".repeat(256)]);
    for n in 1..4096 {
        notify(&mut table, &format!("m{n}"));
    }
    assert_eq!(table.complete("", 0).1.len(), 4096);
    notify(&mut table, "z");
    assert_eq!(table.complete("z", 1), (0, vec![]), "the table is full");
}

#[test]
fn the_first_connections_execute_requests_take_the_first_ids() {
    let calls = Calls::new(&["first".to_string(), "second [1]".to_string()], false);
    let typed = calls.request_line("typed").unwrap().unwrap();
    assert!(typed.to_text().unwrap().contains(r#""id":3"#), "{typed:?}");
    let texts = |input: Option<Input>| match input {
        Some(Input::Batch(batch)) => batch
            .iter()
            .map(|m| m.to_text().unwrap().to_string())
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let execute = ["first".to_string(), "second [1]".to_string()];
    assert_eq!(
        texts(calls.opened(&execute)),
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"first"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"second","params":[1]}"#
        ]
    );
    // A reconnection sends them again, as new requests.
    assert_eq!(
        texts(calls.opened(&execute)),
        [
            r#"{"jsonrpc":"2.0","id":4,"method":"first"}"#,
            r#"{"jsonrpc":"2.0","id":5,"method":"second","params":[1]}"#
        ]
    );
    assert!(Calls::new(&[], false).opened(&[]).is_none());
    let bare = Calls::new(&[], true).request_line("Page.enable").unwrap();
    assert_eq!(
        bare,
        Some(Message::text(r#"{"id":1,"method":"Page.enable"}"#)),
        "--jsonrpc-bare, as the Chrome DevTools Protocol wants"
    );
}
